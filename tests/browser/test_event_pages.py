"""The event pages (events.md, Event screens) in Chromium, on the demo event (competition.demo_event):
the phone page lists the contests and the medal table; the big screen at 1920×1080 rotates through
the running contests' boards and the medal table, and a results ceremony takes over the screen until
it ends."""
from __future__ import annotations

import time

import requests

PASSWORD = "demo-pass-2026"


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
    step = requests.post(f"{url}/reveal/next", headers=headers, timeout=10).json()
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
