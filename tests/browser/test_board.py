"""The live board in a real browser: marks appear without reload (the big screen: test_big_screen.py)."""
from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.worlds import served_world


@pytest.fixture
def live(server):
    """A running server whose database holds a running contest with 33 competitors."""
    return server, served_world(server, extra_competitors=30)


@pytest.fixture
def blind_live(server):
    """A running server whose database holds a running blind contest (加密评分) of three competitors."""
    return server, served_world(server, blind=True)


def put_mark(server, world, judge, competitor, aspect, value):
    response = requests.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                            json={"competitor_id": world.competitors[competitor], "aspect_code": aspect,
                                  "value": value}, headers=world.judges[judge].headers)
    assert response.status_code in (200, 201), response.text


def test_a_mark_appears_on_the_board_within_two_seconds(live, page, artefacts):
    server, world = live
    page.goto(f"{server.url}/board/{world.contest_id}")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    row = page.locator(f'#board-rows tr[data-id="{world.competitors["c3"]}"]')
    assert row.locator("td.total").inner_text() == "0.00"
    started = time.monotonic()
    put_mark(server, world, "j1", "c3", "A1", "4.5")
    expect(row.locator("td.total")).to_have_text("22.50", timeout=2000)
    assert time.monotonic() - started < 2
    assert page.locator("#board-rows tr").first.get_attribute("data-id") == str(world.competitors["c3"])
    assert row.locator("td.rank").inner_text() == "★1"  # the top three carry a glyph
    page.screenshot(path=str(artefacts / "board-phone.png"))
    assert page.console_errors == []


def test_a_blind_contests_public_board_keeps_its_rows_apart_without_ids(blind_live, page):
    """The public rows of a blind contest carry no competitor id (roles.md 加密评分): the board keys
    them by bib, and a mark still updates the right row."""
    server, world = blind_live
    page.goto(f"{server.url}/board/{world.contest_id}")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(n).get_attribute("data-id") for n in range(3)] == [None] * 3
    put_mark(server, world, "j1", "c3", "A1", "4.5")
    first = rows.first
    expect(first.locator("td.total")).to_have_text("22.50")
    expect(first).to_have_attribute("data-key", "bib:3")
    expect(rows).to_have_count(3)
    assert sorted(rows.nth(n).get_attribute("data-key") for n in range(3)) == ["bib:1", "bib:2", "bib:3"]
    assert page.console_errors == []
