"""The big screen (?screen=1), read from 10 m (live.md, Pages), measured in Chromium at 1280×720,
1920×1080 and 3840×2160 with 8, 24 and 60 competitors: the rows fill the height (no blank band taller
than a row, no row cut off), each row is at least 1/24 of the viewport with text at least 55 % of it,
pages are numbered and show each competitor exactly once, every text meets WCAG AA contrast; a mark
that moves a competitor up two places shows ▲2 on its row within 2 s."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.measure import SCREEN, low_contrast
from tests.browser.test_board import put_mark
from tests.browser.worlds import served_world

VIEWPORTS = [(1280, 720), (1920, 1080), (3840, 2160)]


def check_page(shown: dict) -> None:
    height, rows = shown["height"], shown["rows"]
    assert rows, "an empty page"
    assert shown["scroll"] <= height and shown["scrollWidth"] <= shown["width"]  # no scrolling
    row_height = rows[0]["height"]
    for row in rows:
        assert row["height"] >= height / 24, row
        assert row["top"] >= shown["head"] - 0.5 and row["bottom"] <= shown["foot"] + 0.5, row  # none cut off
        assert row["fonts"] and min(row["fonts"]) >= 0.55 * row["height"], row
    assert rows[0]["top"] - shown["head"] <= 1
    for above, below in zip(rows, rows[1:]):
        assert below["top"] - above["bottom"] <= 1
    assert shown["foot"] - rows[-1]["bottom"] <= row_height  # no blank band taller than a row
    assert shown["footBottom"] <= height and height - shown["footBottom"] <= row_height
    assert shown["indicatorHeight"] > 0 and re.search(r"\d+ / \d+", shown["indicator"])


def pages_of(page) -> dict[int, dict]:
    """Each page's measurements, waiting through the pages (?dwell=1)."""
    seen: dict[int, dict] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown = page.evaluate(SCREEN)
        total = int(shown["indicator"].split("/")[-1].split()[0])
        seen.setdefault(shown["page"], shown)
        if len(seen) == total:
            return seen
        page.wait_for_timeout(150)
    raise AssertionError(f"pages seen: {sorted(seen)}")


@pytest.mark.parametrize("count", [8, 24, 60])
def test_the_big_screen_fills_every_viewport_and_pages_each_competitor_once(server, browser, artefacts, count):
    world = served_world(server, extra_competitors=count - 3)
    for width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(f"{server.url}/board/{world.contest_id}?screen=1&dwell=1")
        page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
        seen = pages_of(page)
        keys = [row["key"] for shown in seen.values() for row in shown["rows"]]
        assert sorted(keys) == sorted(set(keys)) and len(keys) == count  # each on exactly one page
        for shown in seen.values():
            check_page(shown)
        assert low_contrast(page) == []
        page.screenshot(path=str(artefacts / f"big-screen-{count}-{width}x{height}.png"))
        assert errors == []
        context.close()


def test_a_competitor_moving_up_two_places_shows_up_two_on_its_row(server, browser):
    world = served_world(server, extra_competitors=5)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/board/{world.contest_id}?screen=1")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    for competitor, value in (("c1", "2"), ("c2", "1.5"), ("c3", "1")):
        put_mark(server, world, "j1", competitor, "A1", value)
    row = page.locator(f'#board-rows tr[data-id="{world.competitors["c3"]}"]')
    expect(row.locator("td.rank")).to_have_text("★3")
    expect(page.locator('#board-rows tr[data-top="1"] .medal')).to_have_text("★")  # a glyph, not colour only
    started = time.monotonic()
    put_mark(server, world, "j1", "c3", "A1", "3")
    expect(row.locator("td.move")).to_have_text("▲2", timeout=2000)
    assert time.monotonic() - started < 2
    expect(row.locator("td.rank")).to_have_text("★1")
    expect(row).to_have_class(re.compile(r"\bchanged\b"))  # the changed row is highlighted
    other = page.locator(f'#board-rows tr[data-id="{world.competitors["c1"]}"]')
    expect(other.locator("td.move")).to_have_text("▼1")
    assert low_contrast(page) == []  # also the highlight and the arrows
    context.close()
