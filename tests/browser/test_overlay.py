"""The broadcast overlay (?overlay=1, live.md Pages) for a livestream's browser source: the page is
transparent, shows the top five and nothing else, and a mark brings a lower third naming the
competitor."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.test_board import put_mark
from tests.browser.worlds import served_world

# Elements that paint a background or show text, outside the top five's table and the lower third.
PAINTED_ELSEWHERE = """() => [...document.querySelectorAll('*')].filter((el) => {
  if (el.closest('#board-table, #lower-third, script, style, head')) return false;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  if (!box.width || !box.height || style.visibility === 'hidden') return false;
  const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  return text || style.backgroundColor !== 'rgba(0, 0, 0, 0)' || style.backgroundImage !== 'none';
}).map((el) => el.tagName + '#' + el.id + '.' + el.className)"""


def test_the_overlay_is_transparent_and_announces_a_mark_naming_the_competitor(server, browser, artefacts):
    world = served_world(server, extra_competitors=5)
    put_mark(server, world, "j1", "c1", "A1", "2")  # c1 leads; the other seven share second place
    standings = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/standings", timeout=10).json()
    name = next(r["competitor"]["name"] for r in standings["rows"] if r["competitor"]["id"] == world.competitors["c5"])
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/board/{world.contest_id}?overlay=1")
    page.wait_for_function("() => document.body.dataset.seq !== ''")
    backgrounds = page.evaluate("() => [getComputedStyle(document.documentElement).backgroundColor,"
                                " getComputedStyle(document.body).backgroundColor]")
    assert backgrounds == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(5)  # the top five of eight
    assert page.evaluate(PAINTED_ELSEWHERE) == []  # nothing else: no header, clock, banner or footer
    lower = page.get_by_test_id("lower-third")
    expect(lower).to_be_hidden()

    put_mark(server, world, "j1", "c5", "A1", "4.5")
    expect(lower).to_be_visible(timeout=3000)
    expect(lower.locator(".lt-name")).to_have_text(name)
    expect(lower).to_contain_text("22.50")
    expect(lower).to_contain_text("第 1 名 ▲1")
    expect(rows.first).to_have_attribute("data-id", str(world.competitors["c5"]))
    page.wait_for_timeout(600)  # the lower third's entrance
    page.screenshot(path=str(artefacts / "board-overlay.png"), omit_background=True)
    assert page.evaluate(PAINTED_ELSEWHERE) == []
    assert errors == []
    context.close()
