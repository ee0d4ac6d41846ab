"""The chief judge's day (issue 21), in Chinese and in English: from the landing page to the jury console
(a chief judge lands there after signing in), the marking progress, the judge analysis chart and what
it means, a reconciliation alert handled (every judge's values for the aspect, then the alert gone when
the judge corrects the mark), a competitor's status, a module locked, unlocked (with a reason) and
locked again; after the organiser's 定稿 the console offers no lock or unlock button at all."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.worlds import served_world
from tests.support import PASSWORD

SCHEME = {"components": [{"code": "P", "name": "操作技能", "weight": "100", "modules": [
    {"code": "A", "name": "模块A 安装", "aspects": [
        {"code": "A1", "name": "接线电阻", "type": "measurement", "max_mark": "5"},
        {"code": "A2", "name": "工艺美观", "type": "judgement", "max_mark": "2"}]},
    {"code": "B", "name": "模块B 调试", "aspects": [
        {"code": "B1", "name": "调试时间", "type": "measurement", "max_mark": "3"}]},
]}]}
ANALYSIS_NOTE = ("每根柱子是一名裁判在评价项和裁判组评分项上的评分与同一选手、同一评分项全组平均分之差的平均值，"
                 "单位为分（各评分项的原始分）。高于 0 表示该裁判打分偏松，低于 0 表示偏严，接近 0 表示与裁判组一致；"
                 "姓名后括号中的数字为该裁判已评的数量。")


def mark_everything(server, world):
    """The judges' tablets: every mark in, 李四's 工艺美观 three points apart (a reconciliation); returns
    `put(judge, competitor, aspect, value)` for a later correction."""
    def put(judge, competitor, aspect, value):
        response = requests.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                                json={"competitor_id": world.competitors[competitor], "aspect_code": aspect,
                                      "value": value}, headers=world.judges[judge].headers)
        assert response.status_code in (200, 201), response.text

    for competitor in ("c1", "c2", "c3"):
        put("j1", competitor, "A1", "4.5")
        put("narrow", competitor, "B1", "2.5")
        for judge, value in (("j1", 2), ("j2", 3 if competitor == "c2" else 2), ("j4", 0 if competitor == "c2" else 2)):
            put(judge, competitor, "A2", value)
    return put


def test_chief_judge_journey(server, journeys):
    world = served_world(server, scheme=SCHEME)
    put = mark_everything(server, world)
    journey = journeys("chief")
    page, t = journey.page, journey.t
    journey.land()
    journey.sign_in(world.judges["chief"].username, PASSWORD)
    page.wait_for_url(f"{server.url}/jury/{world.contest_id}")  # a chief judge lands on the console
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected", timeout=15000)
    page.get_by_test_id("tab-progress").click()  # the console's tabs: jury.html, static/js/lib/tabs.js
    expect(page.get_by_test_id("progress").locator("tbody tr")).to_have_count(3)
    journey.step("console")

    # The judge analysis: a chart with its unit, and what it means.
    page.get_by_test_id("tab-analysis").click()
    page.get_by_test_id("analysis-chart").scroll_into_view_if_needed()
    expect(page.get_by_test_id("analysis-note")).to_have_text(t(ANALYSIS_NOTE))
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('analysis-chart'))")
    journey.step("analysis")

    # A reconciliation: the alert, every judge's values, then the judge's correction clears it.
    page.get_by_test_id("tab-overview").click()
    alerts = page.get_by_test_id("alerts")
    expect(alerts).to_contain_text("A2")
    alerts.scroll_into_view_if_needed()
    page.get_by_test_id("tab-values").click()
    page.get_by_test_id("values-aspect").select_option("A2")
    row = page.get_by_test_id("values").locator(f'tr[data-id="{world.competitors["c2"]}"]')
    expect(row).to_contain_text(t("需复核"))
    row.scroll_into_view_if_needed()
    journey.step("reconciliation")
    put("j4", "c2", "A2", 2)  # after talking it over, j4 corrects the mark on the tablet
    page.get_by_test_id("tab-overview").click()
    expect(alerts).to_contain_text(t("暂无需要复核的评分项"), timeout=15000)
    journey.step("reconciled")

    # A competitor's status and time used.
    page.get_by_test_id("tab-competitors").click()
    competitors = page.get_by_test_id("competitors")
    competitors.locator(f'tr[data-id="{world.competitors["c3"]}"] button').click()
    page.locator("#status-time").fill("75:30")
    page.get_by_role("button", name=t("保存状态")).click()
    expect(competitors.locator(f'tr[data-id="{world.competitors["c3"]}"]')).to_contain_text("75:30")

    # Locks: lock A, unlock it with a reason, lock A and B.
    page.get_by_test_id("tab-overview").click()
    locks = page.get_by_test_id("locks")
    locks.scroll_into_view_if_needed()
    module_a, module_b = locks.locator('li').nth(0), locks.locator('li').nth(1)
    module_a.get_by_role("button", name=t("锁定"), exact=True).click()
    expect(module_a).to_contain_text(t("已锁定"))
    journey.step("locked")
    module_a.get_by_role("button", name=t("解锁"), exact=True).click()
    page.locator("#unlock-reason").fill("复核 A2 的评分")
    journey.step("unlock-reason")
    page.locator("#unlock-form").get_by_role("button", name=t("解锁"), exact=True).click()
    expect(module_a).to_contain_text(t("未锁定"))
    module_a.get_by_role("button", name=t("锁定"), exact=True).click()
    module_b.get_by_role("button", name=t("锁定"), exact=True).click()
    expect(locks.locator('li[data-locked="true"]')).to_have_count(2)

    # The organiser makes the results final: the console offers no lock or unlock any more.
    response = requests.post(f"{server.url}/api/v1/contests/{world.contest_id}/transition", json={"to": "final"},
                             headers=world.organizer.headers, timeout=10)
    assert response.status_code == 200, response.text
    page.reload()
    expect(locks.locator("li")).to_have_count(2)
    expect(locks.locator('li[data-locked="true"]')).to_have_count(2)
    expect(locks.locator("button")).to_have_count(0)
    journey.step("final")
