"""The event pages (events.md, Event screens) in Chromium, on the demo event (competition.demo_event):
the phone page lists the contests and the medal table; the big screen at 1920×1080 rotates through
the running contests' boards and the medal table, and a results ceremony takes over the screen until
it ends."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import requests

PASSWORD = "demo-pass-2026"  # competition.demo.DEMO_PASSWORD


def _token(server) -> dict[str, str]:
    response = requests.post(f"{server.url}/api/v1/auth/token",
                             json={"username": "demo_organizer", "password": PASSWORD}, timeout=10)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def demo_server(server):
    server.command("demo")
    server.start()
    (event,) = requests.get(f"{server.url}/api/v1/events", timeout=10).json()
    return event


def test_the_event_page_shows_contests_and_the_medal_table_on_a_phone(server, browser, artefacts):
    event = demo_server(server)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/events/{event['id']}")
    page.wait_for_selector("[data-testid=connection][data-state=connected]")
    assert page.locator(".event-contest").count() == 3
    assert page.locator("#medal-table tbody tr").count() >= 1
    assert page.locator(".event-contest[data-state=final] .event-leader").inner_text().startswith("当前第一")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the phone page scrolls sideways"
    page.screenshot(path=str(artefacts / "event-phone.png"), full_page=True)
    assert not errors, errors
    context.close()


def test_the_big_screen_rotates_and_a_ceremony_takes_it_over(server, browser, artefacts):
    event = demo_server(server)
    overview = requests.get(f"{server.url}/api/v1/events/{event['id']}/overview", timeout=10).json()
    final = next(row for row in overview if row["state"] == "final")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/events/{event['id']}/screen?dwell=2")
    page.wait_for_selector("[data-testid=connection][data-state=connected]")
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(seen) < 3:
        current = page.get_attribute("#rotation", "data-page")
        if current and current not in seen:
            seen.add(current)
            page.screenshot(path=str(artefacts / f"event-screen-{current}.png"))
        page.wait_for_timeout(200)
    # the running contest, the provisional one and the medal table
    assert "medals" in seen and len(seen) == 3, seen
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    # nothing cut off: every row of the shown page ends above the page number, which is on screen
    fits = page.evaluate("""() => {
      const foot = document.getElementById('page-indicator').getBoundingClientRect();
      const rows = [...document.querySelectorAll('#rotation tbody tr')].map((r) => r.getBoundingClientRect());
      return {footBottom: foot.bottom, footTop: foot.top, lastBottom: Math.max(...rows.map((r) => r.bottom))};
    }""")
    assert fits["footBottom"] <= 1080 and fits["lastBottom"] <= fits["footTop"], fits
    headers = _token(server)
    url = f"{server.url}/api/v1/contests/{final['contest_id']}"
    assert requests.post(f"{url}/reveal/start", headers=headers, timeout=10).status_code == 200
    page.wait_for_selector("[data-testid=ceremony]:not([hidden])", timeout=10_000)
    assert page.locator("#rotation").is_hidden()
    requests.post(f"{url}/reveal/next", headers=headers, timeout=10)
    step = requests.post(f"{url}/reveal/next", headers=headers, timeout=10).json()  # the latest one is shown
    page.wait_for_function("(rank) => document.querySelector('.event-ceremony-hero .reveal-rank')?.textContent"
                           " === String(rank)", arg=step["rank"], timeout=10_000)
    page.screenshot(path=str(artefacts / "event-screen-ceremony.png"))
    page.wait_for_timeout(2500)  # a dwell passes: the ceremony holds the screen
    assert page.locator("#rotation").is_hidden()
    while requests.post(f"{url}/reveal/next", headers=headers, timeout=10).status_code == 200:
        pass
    page.wait_for_selector("[data-testid=ceremony][hidden]", state="attached", timeout=10_000)
    page.wait_for_selector("#rotation:not([hidden])", timeout=10_000)
    assert not errors, errors
    context.close()


def test_an_organiser_creates_an_event_attaches_a_contest_and_qualifies_and_draws(server, browser, artefacts):
    from tests.browser.pages import sign_in

    demo_server(server)
    headers = _token(server)
    overview = requests.get(f"{server.url}/api/v1/events/1/overview", timeout=10).json()
    qualifier = next(row for row in overview if row["state"] == "final")
    now = datetime.now(timezone.utc)
    response = requests.post(f"{server.url}/api/v1/contests", headers=headers, timeout=10, json={
        "name": "电工决赛（页面）", "occupation_code": "6-31-01-03", "tier": "provincial_class_2",
        "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=4)).isoformat()})
    assert response.status_code == 201, response.text
    final_id = response.json()["id"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/login?next=/organize/events")
    sign_in(page, "demo_organizer", PASSWORD)
    page.wait_for_selector("[data-testid=new-event]")
    page.fill("#new-event input[name=name]", "2026年企业技术比武（页面）")
    page.fill("#new-event input[name=starts_on]", "2026-06-01")
    page.fill("#new-event input[name=ends_on]", "2026-06-02")
    page.click("#new-event button[type=submit]")
    page.wait_for_url(re.compile(r"/organize/events/\d+$"))
    event_id = int(page.url.rsplit("/", 1)[1])
    page.check(f"#contest-choices input[value='{final_id}']")
    page.click("#attach button[type=submit]")
    page.wait_for_selector(f"#scheme-rows tr[data-contest-id='{final_id}']")
    assert requests.get(f"{server.url}/api/v1/events/{event_id}", timeout=10).json()["contest_ids"] == [final_id]
    row = page.locator(f"#scheme-rows tr[data-contest-id='{final_id}']")
    row.locator("select").select_option("provincial")
    row.locator("button").click()
    page.wait_for_selector("#notice.flash-success")
    contest = requests.get(f"{server.url}/api/v1/contests/{final_id}", headers=headers, timeout=10).json()
    assert [a["code"] for a in contest["awards"]] == ["first", "second", "third"]
    page.select_option("#qualify-source", str(qualifier["contest_id"]))
    page.select_option("#qualify-target", str(final_id))
    page.fill("#qualify input[name=top]", "3")
    page.click("#qualify button[type=submit]")
    page.wait_for_function("() => document.getElementById('notice').textContent.includes('已晋级 3 人')")
    page.select_option("#draw-contest", str(final_id))
    page.fill("#draw input[name=seed]", "页面抽签")
    page.click("#draw button[type=submit]")
    page.wait_for_selector("[data-testid=draw-result]:not([hidden]) tr")
    assert page.locator("[data-testid=draw-result] tr").count() == 4  # a header and the three finalists
    page.screenshot(path=str(artefacts / "event-organise.png"), full_page=True)
    entries = requests.get(f"{server.url}/api/v1/audit?contest_id={final_id}", headers=headers, timeout=10).json()
    (draw,) = [e for e in entries if e["action"] == "contest.draw"]
    assert draw["after"]["seed"] == "页面抽签"
    assert not errors, errors
    context.close()
