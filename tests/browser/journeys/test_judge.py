"""The judge's day (issue 21), in Chinese and in English, signed in by the QR code the organiser printed
or by username and password on /login: the contests, the worklist, a competitor found by bib, a
measurement and a judgement saved (the pad moves on after each 保存), a mark kept on the device while
the tablet is offline and sent when it is back ("saved", nothing waiting)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.journeys.journey import TABLET
from tests.browser.test_judge_tablet import DESCRIBED, api_marks, qr_link, type_number
from tests.browser.worlds import served_world
from tests.support import PASSWORD


def fmt(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


@pytest.mark.parametrize("way", ["qr", "password"])
def test_judge_journey(server, browser, journeys, way):
    world = served_world(server, scheme=DESCRIBED, extra_competitors=9, station_format="S-{n:02d}")
    judge = world.judges["j1"]
    journey = journeys(f"judge-{way}", viewport=TABLET, touch=True)
    page, t = journey.page, journey.t
    if way == "qr":  # the organiser printed the sheet; the judge scans the code under their name
        link = qr_link(browser, server, world, "j1")
        page.goto(link)
        journey.choose_language()
        expect(page.get_by_test_id("qr-confirm")).to_be_visible()
        journey.step("qr-confirm")
        page.get_by_test_id("qr-sign-in").tap()
    else:  # a wrong password first: the judge's username is kept, then the right one
        journey.land()
        with journey.refusal(401, "/login"):
            journey.sign_in(judge.username, "not-the-password")
            expect(page.get_by_role("alert")).to_have_text(t("用户名或密码错误。"))
        expect(page.get_by_label(t("用户名"))).to_have_value(judge.username)
        journey.step("wrong-password")
        journey.fill_sign_in(judge.username, PASSWORD)
    page.wait_for_url(f"{server.url}/judge")  # a judge lands on the tablet's page
    contest = page.locator(f'.judge-contest[data-id="{world.contest_id}"] .judge-contest-link')
    expect(contest).to_be_visible()
    journey.step("contests")

    contest.tap()
    page.wait_for_url(f"{server.url}/judge/contests/{world.contest_id}")
    health = page.get_by_test_id("health")
    expect(page.locator(".judge-tile")).to_have_count(12)
    expect(health).to_have_attribute("data-socket", "connected", timeout=10000)
    journey.step("worklist")

    # The competitor with bib 12, found by the search box; Enter opens them on the pad.
    search = page.get_by_test_id("search")
    search.fill("12")
    expect(page.locator(".judge-tile")).to_have_count(1)
    search.press("Enter")
    expect(page.get_by_test_id("pad-competitor")).to_contain_text("12")
    page.locator('.judge-aspect[data-aspect="A1"]').tap()
    type_number(page, "4.75")
    journey.step("measurement")
    page.get_by_test_id("submit").tap()
    stored = t("已保存 {value} · 第{version}版 · {state}").split(" · ")[0]
    expect(page.get_by_test_id("confirm")).to_contain_text(fmt(stored, value="4.75"))
    expect(page.locator("#entry-title")).to_contain_text("A2")  # moved on to the next open aspect
    page.locator('.judge-key-judgement[data-value="2"]').tap()
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text(fmt(stored, value="2"))
    expect(page.locator("#entry-title")).to_contain_text("A3")
    journey.step("saved")

    # Offline: the mark waits on the device, then is sent and saved when the tablet is back.
    # (A1 corrected: 4.5 instead of 4.75.)
    journey.offline(True)
    expect(health).to_have_attribute("data-state", "offline")
    page.locator('.judge-aspect[data-aspect="A1"]').tap()
    type_number(page, "4.5")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text(fmt(t("已存入本机，待发送：{value}。网络恢复后自动发送。"),
                                                               value="4.5"))
    expect(health).to_have_attribute("data-pending", "1")
    journey.step("offline-queue")
    journey.offline(False)
    expect(health).to_have_attribute("data-state", "online", timeout=15000)
    expect(health).to_have_attribute("data-pending", "0", timeout=15000)
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-chip-pending')).to_have_count(0)
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-aspect-value')).to_have_text("4.50")
    journey.step("queue-sent")
    twelve = world.competitors["c12"]
    stored_marks = {m["aspect_code"]: m["value"] for m in api_marks(server, world)
                    if m["competitor_id"] == twelve and m["judge_id"] == judge.id}
    assert stored_marks == {"A1": "4.50", "A2": "2"}
