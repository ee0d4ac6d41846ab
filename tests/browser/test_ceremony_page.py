"""The results ceremony in a browser (live.md, Results ceremony): the organiser's finalise asks for
confirmation and says whether the results go public at once or wait for the ceremony; a ceremony
contest's big screen holds the results after final, shows each revealed competitor on at least a third
of the screen height, animated, and the full list after the last step."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.worlds import world_in
from tests.support import PASSWORD


def served_ceremony_world(server, state: str, *, ready: bool = False):
    """With `ready`, a running contest that may become final: its modules locked, and its competitors
    withdrawn (the world enters no marks), so nothing is missing."""
    from competition.extensions import db
    from competition.models import Competitor, Contest, ModuleLock
    from competition.services import boards, standings

    with world_in(server.database_url, state=state) as (_app, world):
        contest = db.session.get(Contest, world.contest_id)
        contest.ceremony = True
        if ready:
            for _, module in standings.scheme_of(contest).modules():
                db.session.add(ModuleLock(contest_id=contest.id, module_code=module.code, locked=True))
            for competitor in db.session.scalars(db.select(Competitor).filter_by(contest_id=contest.id)):
                competitor.status = "withdrawn"
        boards.publish(world.contest_id)  # as PATCH and the transition would: the boards held
        db.session.commit()
    server.start()
    return world


def test_finalise_asks_and_says_whether_results_wait_for_the_ceremony(server, page):
    world = served_ceremony_world(server, "running", ready=True)
    url = f"{server.url}/organize/contests/{world.contest_id}"
    page.goto(url)
    sign_in(page, world.organizer.username, PASSWORD)
    page.wait_for_url(url)
    finalise = page.get_by_role("button", name="定稿（最终成绩）")
    dialog = page.get_by_test_id("finalise-dialog")
    finalise.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("成绩将留待颁奖仪式")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("contest-state")).to_have_text("进行中")  # nothing was sent
    assert page.get_by_test_id("transition-errors").inner_text() == ""

    with page.expect_navigation():
        page.get_by_test_id("ceremony-toggle").uncheck()  # PATCH ceremony: false, the page reloads
    page.wait_for_load_state()
    expect(page.get_by_test_id("ceremony-toggle")).not_to_be_checked()
    contest = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}", timeout=10).json()
    assert contest["ceremony"] is False
    finalise.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("定稿后最终成绩立即在公众榜单、成绩查询和成绩表中公开")
    dialog.get_by_role("button", name="确认定稿").click()
    expect(page.get_by_test_id("contest-state")).to_have_text("已结束")  # the request went out and was accepted


def test_a_ceremony_contests_big_screen_holds_then_reveals_each_competitor_large(server, browser, artefacts):
    world = served_ceremony_world(server, "final")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/board/{world.contest_id}?screen=1")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    expect(page.get_by_test_id("held")).to_be_visible()
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(3)
    for n in range(3):
        assert rows.nth(n).locator("td.total").inner_text() == ""
        assert rows.nth(n).locator("td.rank").inner_text() == "–"

    reveal = f"{server.url}/api/v1/contests/{world.contest_id}/reveal"
    headers = world.organizer.headers
    assert requests.post(f"{reveal}/start", headers=headers, timeout=10).status_code == 200
    card = page.locator("#reveal")
    for step in range(3):
        shown = requests.post(f"{reveal}/next", headers=headers, timeout=10).json()
        expect(card).to_be_visible()
        expect(card.locator(".reveal-name")).to_have_text(shown["competitor"]["name"])
        expect(card.locator(".reveal-rank")).to_have_text(f"第 {shown['rank']} 名")
        assert page.evaluate("() => document.getAnimations().some((a) => a.effect.target.closest('#reveal'))")
        page.wait_for_function("() => !document.getAnimations().length")  # animated, then at rest
        assert card.bounding_box()["height"] >= 1080 / 3
        if step == 0:
            page.screenshot(path=str(artefacts / "ceremony-big-screen.png"))
    expect(page.get_by_test_id("held")).to_be_hidden(timeout=10000)  # the last step's board update
    expect(rows.first.locator("td.rank")).to_have_text("1")
    expect(rows.first.locator("td.total")).not_to_have_text("")
    context.close()
