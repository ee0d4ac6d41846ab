"""An organiser sets up and starts a contest in a real browser on the organiser's console: creates the
draft on /organize and renames it, imports the marking scheme from an .xlsx file, assigns a judge,
enters a competitor, starts the contest, is told what keeps it from being final, and opens the public
board. A second test runs a final contest's results ceremony from the page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import requests
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.worlds import served_world
from tests.masterdata import make_id
from tests.support import PASSWORD

HEADERS = ["组成部分", "组成部分名称", "权重", "模块", "模块名称", "评分项", "评分项名称", "类型", "满分", "裁判人数"]
ROWS = [
    ["T", "理论知识", 30, "T1", "理论考试", "T1.1", "理论考试成绩", "测量", 100, None],
    ["P", "操作技能", 70, "A", "模块A 电气安装", "A1", "元器件布置", "测量", 10, None],
    ["P", "操作技能", 70, "A", "模块A 电气安装", "A2", "接线工艺", "评价", 6, 3],
    ["P", "操作技能", 70, "B", "模块B 调试与排故", "B1", "功能调试", "测量", 20, None],
]
CONTEST = "2026年电工职业技能竞赛（组织页面）"


def scheme_file(path, rows=ROWS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def prepare(server) -> None:
    """An admin, the shipped occupations, an enterprise with one person, an organiser and a judge."""
    server.command("create-user", "root", "--role", "admin", "--password-stdin", stdin="admin-pass-1\n")
    server.command("occupations", "load")
    server.start()
    token = requests.post(f"{server.url}/api/v1/auth/token",
                          json={"username": "root", "password": "admin-pass-1"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def post(path, body):
        response = requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    grid = post("/enterprises", {"code": "GRID", "name": "国网示范供电公司", "cert_prefix": "Y", "org_code": "0000",
                                 "province_code": "21", "site_code": "000001"})["id"]
    post(f"/enterprises/{grid}/people", {"person_no": "E0001", "name": "陈选手", "id_number": make_id(1),
                                         "kind": "employee"})
    post("/users", {"username": "org1", "password": "org-pass-123", "display_name": "赵组织", "role": "organizer"})
    post("/users", {"username": "judge1", "password": "judge-pass-1", "display_name": "王裁判", "role": "judge"})


def test_organiser_sets_up_and_starts_a_contest(server, page, artefacts, tmp_path):
    prepare(server)
    page.goto(f"{server.url}/organize")
    assert "/login" in page.url and "next=" in page.url
    sign_in(page, "org1", "org-pass-123")
    page.wait_for_url(f"{server.url}/organize")
    expect(page.get_by_test_id("nav-organize")).to_have_text("竞赛组织")
    expect(page.get_by_test_id("organize-contests")).to_contain_text("还没有竞赛。")

    # 1. The draft contest.
    form = page.get_by_test_id("new-contest")
    form.get_by_label("竞赛名称").fill("电工竞赛（暂定名）")
    form.get_by_label("职业").select_option("6-31-01-03")
    form.get_by_label("竞赛级别").select_option("provincial_class_2")
    now = datetime.now()
    form.get_by_label("开始时间").fill(now.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("结束时间").fill((now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    expect(form.get_by_label("时区")).to_have_value("Asia/Shanghai")
    page.screenshot(path=str(artefacts / "organize-list.png"), full_page=True)
    form.get_by_role("button", name="创建草稿竞赛").click()
    page.wait_for_url(re.compile(r"/organize/contests/\d+$"))
    contest_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("电工竞赛（暂定名）")
    expect(page.get_by_test_id("contest-state")).to_have_text("草稿")
    expect(page.get_by_test_id("scheme")).to_contain_text("尚未设置评分标准。")

    # The settings of the draft: the contest is renamed.
    settings = page.get_by_test_id("settings-form")
    expect(settings.get_by_label("竞赛级别")).to_have_value("provincial_class_2")
    expect(settings.get_by_label("职业")).to_have_value("6-31-01-03")
    settings.get_by_label("竞赛名称").fill(CONTEST)
    settings.get_by_role("button", name="保存设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONTEST)
    page.wait_for_load_state()  # the page reloaded: its modules have attached their handlers

    # 2. The marking scheme: a bad file names its row, a good one shows the scheme.
    bad = [*ROWS[:3], ["P", "操作技能", 70, "B", "模块B 调试与排故", "B1", "功能调试", "打分", 20, None]]
    page.set_input_files("#scheme-file", str(scheme_file(tmp_path / "bad.xlsx", bad)))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_test_id("scheme-errors")).to_contain_text("5")
    expect(page.locator("#notice")).to_contain_text("操作失败")
    page.set_input_files("#scheme-file", str(scheme_file(tmp_path / "scheme.xlsx")))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("评分标准已导入")
    scheme = page.get_by_test_id("scheme")
    expect(scheme.locator("tbody tr")).to_have_count(4)
    expect(scheme.locator('tr[data-aspect="A2"]')).to_contain_text("评价")
    expect(page.get_by_test_id("scheme-errors")).to_be_empty()

    # 3. A judge for two aspects.
    page.locator("#judge-user").select_option(label="judge1 · 王裁判")
    page.locator('#judge-aspects input[value="A1"]').check()
    page.locator('#judge-aspects input[value="A2"]').check()
    page.get_by_role("button", name="指派", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("已指派裁判")
    judges = page.get_by_test_id("judges")
    expect(judges.locator("tbody tr")).to_have_count(1)
    expect(judges.locator("tbody tr")).to_contain_text("judge1")
    expect(judges.locator("tbody tr")).to_contain_text("A1, A2")
    # ... then changed to chief judge for every aspect, in the same form.
    judges.locator("tbody tr").get_by_role("button", name="修改").click()
    expect(page.locator("#judge-form-title")).to_have_text("修改 王裁判 的指派")
    expect(page.locator('#judge-aspects input[value="A2"]')).to_be_checked()
    page.locator("#judge-chief").check()
    page.locator('#judge-form input[name="scope"][value="all"]').check()
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#notice")).to_contain_text("已更新 王裁判 的指派")
    expect(judges.locator("tbody tr")).to_contain_text("全部评分项")
    expect(judges.locator("tbody tr td").nth(2)).to_have_text("是")
    expect(page.locator("#judge-form-title")).to_have_text("指派裁判")
    # ... and withdrawn after a confirmation (dismissed first: nothing changes), then assigned again.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    judges.locator("tbody tr").get_by_role("button", name="撤销指派").click()
    expect(judges.locator("tbody tr")).to_contain_text("judge1")
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    judges.locator("tbody tr").get_by_role("button", name="撤销指派").click()
    expect(page.locator("#notice")).to_contain_text("已撤销 王裁判 的指派")
    expect(judges).to_contain_text("尚未指派裁判。")
    assert dialogs == ["撤销 王裁判 在本竞赛的裁判指派？已录入的评分保留，该裁判将不能再评分。"] * 2
    page.locator("#judge-user").select_option(label="judge1 · 王裁判")
    page.locator("#judge-chief").check()
    page.get_by_role("button", name="指派", exact=True).click()
    expect(judges.locator("tbody tr")).to_contain_text("全部评分项")

    # 4. A competitor: the enterprise, then its person.
    page.locator("#competitor-enterprise").select_option(label="国网示范供电公司 GRID")
    page.locator("#competitor-person").select_option(label="E0001 陈选手")
    page.locator("#competitor-bib").fill("01")
    page.locator("#competitor-station").fill("S-01")
    page.get_by_role("button", name="登记", exact=True).click()
    competitors = page.get_by_test_id("competitors")
    expect(competitors.locator("tbody tr")).to_have_count(1)
    expect(competitors.locator("tbody tr")).to_contain_text("陈选手")
    expect(competitors.locator("tbody tr")).to_contain_text("国网示范供电公司")

    # 5. Start: the page shows the contest running; final is not offered yet, and says what is missing.
    page.get_by_role("button", name="开赛").click()
    expect(page.get_by_test_id("contest-state")).to_have_text("进行中")
    page.wait_for_load_state()  # the page reloaded: its modules have attached their handlers
    expect(page.locator("#scheme-form")).to_have_count(0)
    expect(page.get_by_role("button", name="定稿（最终成绩）")).to_be_disabled()
    missing = page.get_by_test_id("transition-blockers").locator("li[data-to=final]")
    expect(missing).to_contain_text("定稿（最终成绩）: 还不能定稿，缺少的内容如下")  # worded from `reason`
    expect(missing).to_contain_text("尚未锁定的模块")
    expect(missing).to_contain_text("评分未完成的选手（参赛号）: 01")
    expect(page.get_by_test_id("contest-state")).to_have_text("进行中")
    page.screenshot(path=str(artefacts / "organize-contest.png"), full_page=True)

    # 6. The public board.
    page.get_by_test_id("board-link").click()
    page.wait_for_url(f"{server.url}/board/{contest_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CONTEST)

    # Only the refused requests (the bad file) show up as console errors.
    unexpected = [e for e in page.console_errors if "status of 409" not in e and "status of 422" not in e]
    assert unexpected == []


@pytest.fixture
def final_contest(server):
    """A running server whose database holds a final contest of three competitors."""
    return served_world(server, state="final")


def test_organiser_runs_the_results_ceremony(server, final_contest, page):
    world = final_contest
    page.goto(f"{server.url}/organize/contests/{world.contest_id}")
    sign_in(page, world.organizer.username, PASSWORD)
    page.wait_for_url(f"{server.url}/organize/contests/{world.contest_id}")
    status = page.get_by_test_id("reveal-status")
    expect(status).to_have_text("尚未开始揭晓。")
    expect(page.get_by_test_id("reveal-next")).to_be_disabled()
    expect(page.get_by_test_id("results-xlsx")).to_have_attribute(
        "href", f"/api/v1/contests/{world.contest_id}/results.xlsx")

    page.get_by_role("button", name="开始揭晓").click()
    expect(status).to_have_text("还有 3 名待揭晓。")
    board = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/standings", timeout=10).json()
    assert all(row["rank"] is None and row.get("total") is None for row in board["rows"])  # hidden

    for remaining in (2, 1, 0):
        page.get_by_test_id("reveal-next").click()
        expect(status).to_contain_text("已揭晓：第 ")
        expect(status).to_contain_text(f"还有 {remaining} 名待揭晓。" if remaining else "全部名次已揭晓。")
    expect(page.get_by_test_id("reveal-next")).to_be_disabled()
    board = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/standings", timeout=10).json()
    assert all(row["rank"] is not None for row in board["rows"])


def api_as(server, username: str, password: str):
    """`call(method, path, body=None, status=200)` on the API with a token of `username`."""
    token = requests.post(f"{server.url}/api/v1/auth/token",
                          json={"username": username, "password": password}, timeout=10).json()["token"]

    def call(method, path, body=None, status=200):
        response = requests.request(method, f"{server.url}/api/v1{path}", json=body,
                                    headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == status, response.text
        return response.json()

    return call


def test_organiser_enters_a_team_from_two_enterprises(server, page, artefacts):
    """A team event (team_size 2) of a delegation: one member from each of two enterprises, put
    together on the contest page; a third member and a duplicate are refused, a member is removed and
    added again, and the entry holds both."""
    prepare(server)
    admin = api_as(server, "root", "admin-pass-1")
    grid = next(e for e in admin("GET", "/enterprises") if e["code"] == "GRID")
    chen = next(p for p in admin("GET", f"/enterprises/{grid['id']}/people") if p["person_no"] == "E0001")
    city = admin("POST", "/enterprises", {"code": "CITY", "name": "沈阳市电力工程公司", "site_code": "000002"},
                 status=201)
    li = admin("POST", f"/enterprises/{city['id']}/people", {"person_no": "P0001", "name": "李队员",
                                                            "id_number": make_id(2), "kind": "employee"}, status=201)
    admin("POST", f"/enterprises/{city['id']}/people", {"person_no": "P0002", "name": "周队员",
                                                       "id_number": make_id(3), "kind": "employee"}, status=201)
    organiser = api_as(server, "org1", "org-pass-123")
    now = datetime.now().astimezone()
    contest = organiser("POST", "/contests", {
        "name": "2026年电工职业技能竞赛（双人赛）", "occupation_code": "6-31-01-03", "tier": "provincial_class_2",
        "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=6)).isoformat(), "team_size": 2},
        status=201)

    page.goto(f"{server.url}/organize/contests/{contest['id']}")
    sign_in(page, "org1", "org-pass-123")
    page.wait_for_url(f"{server.url}/organize/contests/{contest['id']}")
    notice = page.locator("#notice")
    members = page.get_by_role("list", name="已选队员")
    count = page.locator("#competitor-members-count")
    people = page.locator("#competitor-person")
    add = page.get_by_role("button", name="加入队伍")
    expect(members).to_contain_text("尚未加入队员。")
    expect(count).to_have_text("已加入 0 / 2 名")

    # The first member, from the grid company; the same person once more is refused.
    page.locator("#competitor-enterprise").select_option(label="国网示范供电公司 GRID")
    people.select_option(label="E0001 陈选手")
    add.click()
    expect(notice).to_have_text("已加入队伍：E0001 陈选手")
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_role("listitem")).to_contain_text("E0001陈选手国网示范供电公司")
    expect(people.locator("option:checked")).to_have_count(0)
    people.select_option(label="E0001 陈选手")
    add.click()
    expect(notice).to_have_text("已在队伍中，不能重复加入：E0001 陈选手")
    expect(members.get_by_role("listitem")).to_have_count(1)

    # The second, from the city company found by name: the first member stays.
    page.locator("#competitor-enterprise").select_option(label="沈阳市电力工程公司 CITY")
    page.locator("#competitor-search").fill("李")
    expect(people.locator("option")).to_have_text(["P0001 李队员"])  # the search's answer, not the list before
    people.select_option(label="P0001 李队员")
    add.click()
    expect(members.get_by_role("listitem")).to_have_count(2)
    expect(members.get_by_role("listitem").nth(0)).to_contain_text("陈选手")
    expect(members.get_by_role("listitem").nth(1)).to_contain_text("P0001李队员沈阳市电力工程公司")
    expect(count).to_have_text("已加入 2 / 2 名")
    page.locator("#competitors-section").screenshot(path=str(artefacts / "organize-team.png"))

    # A third member is refused: the team is full.
    page.locator("#competitor-search").fill("")
    expect(people.locator("option")).to_have_count(2)
    people.select_option(label="P0002 周队员")
    add.click()
    expect(notice).to_have_text("每队最多 2 名队员：已加入 2 名，不能再加入 1 名。请先移除队员。")
    expect(members.get_by_role("listitem")).to_have_count(2)

    # Removing the first member moves the focus to the line that takes its place; the entry is refused
    # while the team is short of a member.
    members.get_by_role("button", name="移除 E0001 陈选手").click()
    expect(notice).to_have_text("已移除 E0001 陈选手")
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_role("button", name="移除 P0001 李队员")).to_be_focused()
    page.locator("#competitor-team").fill("沈阳代表队")
    page.locator("#competitor-bib").fill("T01")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(notice).to_have_text("每队需要 2 名队员，已加入 1 名")

    # ... added again, with the keyboard, after switching back to its enterprise.
    page.locator("#competitor-enterprise").select_option(label="国网示范供电公司 GRID")
    people.select_option(label="E0001 陈选手")
    add.focus()
    page.keyboard.press("Enter")
    expect(members.get_by_role("listitem")).to_have_count(2)
    expect(members.get_by_role("listitem").nth(1)).to_contain_text("E0001陈选手国网示范供电公司")

    page.get_by_role("button", name="登记", exact=True).click()
    expect(notice).to_have_text("已登记选手 T01 沈阳代表队")
    row = page.get_by_test_id("competitors").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("沈阳代表队")
    expect(row.locator("td").nth(4)).to_have_text("沈阳市电力工程公司, 国网示范供电公司")
    expect(members).to_contain_text("尚未加入队员。")
    expect(count).to_have_text("已加入 0 / 2 名")
    expect(page.locator("#competitor-team")).to_have_value("")

    (entry,) = organiser("GET", f"/contests/{contest['id']}/competitors")
    assert entry["bib"] == "T01" and entry["team_name"] == "沈阳代表队"
    assert [m["person_id"] for m in entry["members"]] == [li["id"], chen["id"]]
    assert {m["enterprise_id"] for m in entry["members"]} == {grid["id"], city["id"]}
    assert page.console_errors == []
