"""The organiser's day (issue 21), in Chinese and in English, from an empty contest list to the results
ceremony, every step on the organiser's pages: the draft contest, its marking scheme from an .xlsx
file, a chief judge, a competitor, the results held for the ceremony, 开赛, the judges' QR sheet,
then (once the judges have marked and the chief judge has locked every module) 定稿 after its
confirmation, the ceremony revealed to the first place, and the public board."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.test_organize import api_as, prepare, scheme_file

ROWS = [
    ["T", "理论知识", 30, "T1", "理论考试", "T1.1", "理论考试成绩", "测量", 100, None],
    ["P", "操作技能", 70, "A", "模块A 电气安装", "A1", "元器件布置", "测量", 10, None],
    ["P", "操作技能", 70, "B", "模块B 调试与排故", "B1", "功能调试", "测量", 20, None],
]
HELD = ("成绩将留待颁奖仪式：定稿后公众榜单、成绩查询和成绩表先不显示名次、总分和奖项，直到颁奖揭晓到第一名。"
        "裁判长、组织者和人力资源部门可立即查看。")
MARKS = {"T1.1": "86", "A1": "8.5", "B1": "17"}


def test_organiser_journey(server, journeys, tmp_path):
    prepare(server)  # the admin made the accounts, HR the enterprise's people
    journey = journeys("organiser")
    page, t = journey.page, journey.t
    journey.land()
    journey.sign_in("org1", "org-pass-123")
    page.wait_for_url(f"{server.url}/organize")  # an organiser lands on the organiser's console
    expect(page.get_by_test_id("organize-contests")).to_contain_text(t("还没有竞赛。"))

    form = page.get_by_test_id("new-contest")
    form.get_by_label(t("竞赛名称")).fill("2026年电工职业技能竞赛")
    form.get_by_label(t("职业")).select_option("6-31-01-03")
    form.get_by_label(t("竞赛级别")).select_option("provincial_class_2")
    now = datetime.now()
    form.get_by_label(t("开始时间")).fill(now.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(t("结束时间")).fill((now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    journey.step("new-contest")
    form.get_by_role("button", name=t("创建草稿竞赛")).click()
    page.wait_for_url(re.compile(r"/organize/contests/\d+$"))
    contest_id = int(page.url.rsplit("/", 1)[1])
    state = page.get_by_test_id("contest-state")
    expect(state).to_have_text(t("草稿"))
    page.wait_for_load_state()

    page.set_input_files("#scheme-file", str(scheme_file(tmp_path / "scheme.xlsx", ROWS)))
    page.get_by_role("button", name=t("导入"), exact=True).click()
    expect(page.get_by_test_id("scheme").locator("tbody tr")).to_have_count(3)

    page.locator("#judge-user").select_option(label="judge1 · 王裁判")
    page.locator("#judge-chief").check()
    page.get_by_role("button", name=t("指派"), exact=True).click()
    expect(page.get_by_test_id("judges").locator("tbody tr")).to_contain_text("judge1")

    page.locator("#competitor-enterprise").select_option(label="国网示范供电公司 GRID")
    page.locator("#competitor-person").select_option(label="E0001 陈选手")
    page.locator("#competitor-bib").fill("01")
    page.get_by_role("button", name=t("登记"), exact=True).click()
    expect(page.get_by_test_id("competitors").locator("tbody tr")).to_contain_text("陈选手")
    journey.step("draft", full_page=True)

    page.get_by_role("button", name=t("开赛")).click()
    expect(state).to_have_text(t("进行中"))
    page.wait_for_load_state()
    with page.expect_navigation():  # the page reloads with the setting saved
        page.get_by_test_id("ceremony-toggle").check()  # the results wait for the ceremony
    expect(page.get_by_test_id("ceremony-toggle")).to_be_checked()
    journey.step("running")

    page.get_by_role("link", name=t("裁判扫码登录单")).click()
    page.wait_for_url(re.compile(r"/judge-qr$"))
    expect(page.locator(".qr-card img")).to_have_count(1)
    journey.step("qr-sheet")
    page.go_back()
    page.wait_for_url(f"{server.url}/organize/contests/{contest_id}")

    # The judge marks on the tablet, the chief judge locks every module (their own pages).
    judge = api_as(server, "judge1", "judge-pass-1")
    competitor = judge("GET", f"/contests/{contest_id}/competitors")[0]["id"]
    for aspect, value in MARKS.items():
        judge("PUT", f"/contests/{contest_id}/marks", {"competitor_id": competitor, "aspect_code": aspect,
                                                        "value": value}, status=201)
    for module in ("T1", "A", "B"):
        judge("POST", f"/contests/{contest_id}/modules/{module}/lock")

    page.reload()
    page.get_by_role("button", name=t("定稿（最终成绩）")).click()
    dialog = page.get_by_test_id("finalise-dialog")
    expect(dialog.locator("#finalise-effect")).to_have_text(t(HELD))
    journey.step("finalise-dialog")
    dialog.get_by_role("button", name=t("确认定稿")).click()
    expect(state).to_have_text(t("已结束"))
    page.wait_for_load_state()

    page.get_by_role("button", name=t("开始揭晓")).click()
    status = page.get_by_test_id("reveal-status")
    expect(page.get_by_test_id("reveal-next")).to_be_enabled()
    page.get_by_test_id("reveal-next").click()
    expect(status).to_contain_text(t("全部名次已揭晓。"))
    expect(page.get_by_test_id("reveal-next")).to_be_disabled()  # nothing left: not offered
    journey.step("ceremony")

    page.get_by_test_id("board-link").click()
    page.wait_for_url(f"{server.url}/board/{contest_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026年电工职业技能竞赛")
    journey.step("board")
