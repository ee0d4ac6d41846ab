"""The public board on a phone (390×844, touch; live.md, Pages): tapping a row opens the competitor's
detail sheet (enterprise, component and module scores, progress, status); the search finds by name,
bib and enterprise; a followed competitor is pinned on top and stays pinned after a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.measure import low_contrast
from tests.browser.test_board import put_mark
from tests.browser.worlds import served_world


@pytest.fixture
def phone(server, browser):
    world = served_world(server, extra_competitors=7)  # bibs 1…10
    put_mark(server, world, "j1", "c2", "A1", "4")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/board/{world.contest_id}")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    yield server, world, page
    assert errors == []
    context.close()


def row_of(page, world, key):
    return page.locator(f'#board-rows tr[data-id="{world.competitors[key]}"]')


def test_tapping_a_row_opens_the_competitors_detail(phone, artefacts):
    _server, world, page = phone
    row_of(page, world, "c2").tap()
    sheet = page.get_by_test_id("sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator("#sheet-name")).to_have_text("李四")
    expect(sheet).to_contain_text("国网示范供电公司")  # the enterprise
    scores = sheet.locator(".sheet-scores")
    expect(scores.first).to_contain_text("操作技能")  # the component…
    expect(scores.first.locator("dd")).to_have_text(["4.00"])  # as in GET /standings
    expect(scores.nth(1).locator("dt")).to_have_text(["模块A 安装", "模块B 调试"])  # …and each module
    expect(scores.nth(1).locator("dd")).to_have_text(["4.00", "0.00"])
    expect(sheet.locator(".sheet-total")).to_have_text("20.00")
    expect(sheet).to_contain_text("已评 1 / 4 项")  # progress
    expect(sheet).to_contain_text("评分进行中")  # status
    assert low_contrast(page) == []
    page.screenshot(path=str(artefacts / "board-phone-sheet.png"))
    page.locator("#sheet-close").tap()
    expect(sheet).to_be_hidden()


def test_the_search_finds_by_name_bib_and_enterprise(phone):
    _server, world, page = phone
    search = page.get_by_test_id("search")
    rows = page.locator("#board-rows tr")
    expect(rows).to_have_count(10)
    search.fill("王五")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", str(world.competitors["c3"]))
    search.fill("7")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-key", "bib:7")
    search.fill("鞍钢")
    expect(rows).to_have_count(4)  # c3 and every other extra competitor work for E2
    search.fill("没有这个人")
    expect(rows).to_have_count(0)
    expect(page.locator("#board-empty")).to_be_visible()
    search.fill("")
    expect(rows).to_have_count(10)


def test_a_followed_competitor_stays_pinned_on_top_after_a_reload(phone, artefacts):
    _server, world, page = phone
    rows = page.locator("#board-rows tr")
    expect(rows.first).to_have_attribute("data-id", str(world.competitors["c2"]))  # the leader
    row_of(page, world, "c7").tap()
    page.get_by_test_id("follow").tap()
    expect(page.get_by_test_id("follow")).to_have_text("取消关注")
    page.locator("#sheet-close").tap()
    expect(rows.first).to_have_attribute("data-id", str(world.competitors["c7"]))
    expect(rows.first).to_have_class("followed")
    page.reload()
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    expect(rows.first).to_have_attribute("data-id", str(world.competitors["c7"]))
    expect(rows.first).to_have_class("followed")
    expect(rows.nth(1)).to_have_attribute("data-id", str(world.competitors["c2"]))
    page.screenshot(path=str(artefacts / "board-phone-followed.png"))
