"""An HR officer uses the HR pages in a real browser: imports people from an .xlsx file, finds them in the
roster, and sets up the grade scheme from the 新八级 template."""
from __future__ import annotations

import requests
from openpyxl import Workbook

from tests.browser.pages import sign_in
from tests.masterdata import make_id

HEADERS = ["工号", "姓名", "证件类型", "证件号码", "人员类别", "手机号", "职业编码", "等级"]
NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐强", "孙丽"]


def prepare(server) -> dict:
    """An admin, the shipped occupations, enterprise A with the 新八级 scheme, its hr officer, and an
    enterprise B without a scheme with its own hr officer."""
    server.command("create-user", "root", "--role", "admin", "--display-name", "系统管理员", "--password-stdin",
                   stdin="admin-pass-1\n")
    server.command("occupations", "load")
    server.start()
    token = requests.post(f"{server.url}/api/v1/auth/token",
                          json={"username": "root", "password": "admin-pass-1"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def post(path, body, method="post"):
        response = requests.request(method, f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    a = post("/enterprises", {"code": "GRID", "name": "国网示范供电公司", "cert_prefix": "Y", "org_code": "0000",
                              "province_code": "21", "site_code": "000001"})["id"]
    b = post("/enterprises", {"code": "STEEL", "name": "鞍钢示范分厂", "cert_prefix": "Y", "org_code": "0000",
                              "province_code": "21", "site_code": "000002"})["id"]
    template = requests.get(f"{server.url}/api/v1/grade-scheme-templates/eight-grade", headers=headers,
                            timeout=10).json()
    post(f"/enterprises/{a}/grade-scheme", {"grades": template}, method="put")
    post("/users", {"username": "hr_grid", "password": "hr-pass-123", "display_name": "刘人事", "role": "hr",
                    "enterprise_id": a})
    post("/users", {"username": "hr_steel", "password": "hr-pass-456", "display_name": "钱人事", "role": "hr",
                    "enterprise_id": b})
    return {"a": a, "b": b}


def roster(path, count: int, bad_row: int | None = None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for n in range(1, count + 1):
        id_number = make_id(n)
        if n + 1 == bad_row:
            id_number = id_number[:17] + ("0" if id_number[17] != "0" else "1")
        sheet.append([f"E{n:04d}", NAMES[(n - 1) % len(NAMES)] + ("" if n <= len(NAMES) else str(n)), "居民身份证",
                      id_number, "学生" if n % 5 == 0 else "职工", f"139{n:08d}", "6-31-01-03",
                      ["初级工", "中级工", "高级工", "技师"][n % 4]])
    workbook.save(path)
    return path


def test_hr_imports_people_from_xlsx_and_sees_them_listed(server, page, artefacts, tmp_path):
    prepare(server)
    page.goto(server.url + "/hr/people/import")
    assert "/login" in page.url and "next=" in page.url
    sign_in(page, "hr_grid", "hr-pass-123")
    page.wait_for_url(server.url + "/hr/people/import")
    assert page.get_by_test_id("enterprise-name").inner_text().startswith("国网示范供电公司")
    assert page.get_by_role("link", name="下载 Excel 模板").first.is_visible()
    assert page.console_errors == []

    # A file with one bad row: nothing is imported and the row is named.
    page.set_input_files("#import-file", str(roster(tmp_path / "bad.xlsx", 24, bad_row=9)))
    page.get_by_role("button", name="检查并导入").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for(timeout=15000)
    cells = errors.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "9" and "证件号码" in cells[1] and "check character" in cells[2]
    assert "没有导入任何人员" in page.get_by_test_id("import-error-summary").inner_text()
    page.screenshot(path=str(artefacts / "hr-import-errors.png"), full_page=True)
    page.console_errors.clear()  # Chromium logs the deliberate 422 response

    # The corrected file imports.
    page.set_input_files("#import-file", str(roster(tmp_path / "people.xlsx", 24)))
    page.get_by_role("button", name="检查并导入").click()
    success = page.get_by_test_id("import-success")
    success.wait_for(timeout=15000)
    assert "新增 24 人" in success.inner_text()
    assert page.get_by_test_id("import-errors").is_hidden()
    page.screenshot(path=str(artefacts / "hr-import-done.png"), full_page=True)

    page.get_by_role("link", name="查看人员名册").click()
    page.wait_for_url(server.url + "/hr/people")
    assert "共 24 人" in page.get_by_test_id("people-count").inner_text()
    table = page.get_by_test_id("people-table")
    assert table.locator("tbody tr").count() == 24
    first = table.locator("tbody tr").first.inner_text()
    assert "E0001" in first and "王建国" in first and make_id(1) in first and "中级工" in first
    page.screenshot(path=str(artefacts / "hr-people.png"), full_page=True)

    page.get_by_placeholder("工号、姓名或证件号码").fill("李秀英")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/hr/people?q=*")
    assert table.locator("tbody tr").count() == 2  # 李秀英 and 李秀英14
    assert "找到 2 人" in page.get_by_test_id("people-count").inner_text()
    assert page.console_errors == []


def test_hr_sets_up_the_grade_scheme_from_the_template(server, page, artefacts):
    prepare(server)
    page.goto(server.url + "/login?next=/hr")
    sign_in(page, "hr_steel", "hr-pass-456")
    page.wait_for_url(server.url + "/hr")
    page.screenshot(path=str(artefacts / "hr-overview-empty.png"), full_page=True)
    page.get_by_role("link", name="等级体系").first.click()
    page.wait_for_url(server.url + "/hr/grade-scheme")
    page.get_by_text("尚未设置等级体系。").first.wait_for()
    page.get_by_role("button", name="使用新八级模板").click()
    rows = page.locator("#scheme-rows tr")
    rows.nth(7).wait_for()
    assert rows.count() == 8
    assert page.locator("#scheme-rows tr").first.locator("input").first.input_value() == "chief_technician"

    # Break a rule: move 首席技师 (appointed only) below 高级技师 → 422 naming it, nothing saved.
    page.locator("#scheme-rows tr").first.get_by_role("button", name="下移（更低）").click()
    page.locator("#scheme-rows tr").nth(1).get_by_role("button", name="下移（更低）").click()
    page.get_by_role("button", name="保存为新版本").click()
    message = page.locator("#scheme-messages .flash-error")
    message.wait_for()
    assert "首席技师" in message.inner_text() and "top" in message.inner_text()
    assert page.locator("tr.hr-row-error").count() >= 1
    page.screenshot(path=str(artefacts / "hr-grade-scheme-422.png"), full_page=True)
    page.console_errors.clear()  # the deliberate 422

    page.get_by_role("button", name="撤销修改").click()
    assert page.locator("#scheme-rows tr").count() == 1  # back to "nothing yet"
    page.get_by_role("button", name="使用新八级模板").click()
    page.locator("#scheme-rows tr").nth(7).wait_for()
    page.get_by_role("button", name="保存为新版本").click()
    page.wait_for_url("**/hr/grade-scheme?saved=1")
    assert "已保存为第 1 版" in page.get_by_test_id("saved").inner_text()
    ladder = page.get_by_test_id("ladder")
    rungs = ladder.locator("li")
    assert rungs.count() == 8
    assert "首席技师" in rungs.first.inner_text() and "仅评聘" in rungs.first.inner_text()
    assert "学徒工" in rungs.last.inner_text() and "无国家等级" in rungs.last.inner_text()
    assert "二级/技师" in rungs.nth(3).inner_text() and "技师" in rungs.nth(3).inner_text()
    page.screenshot(path=str(artefacts / "hr-grade-scheme.png"), full_page=True)

    # A second version: rename 技师 → 技师（一档）; version links appear.
    page.locator("#scheme-rows tr").nth(3).locator("input").nth(1).fill("技师（一档）")
    page.get_by_role("button", name="保存为新版本").click()
    page.wait_for_url("**/hr/grade-scheme?saved=2")
    assert "技师（一档）" in page.get_by_test_id("ladder").inner_text()
    page.get_by_role("link", name="v1").click()
    assert "历史版本" in page.locator("main").inner_text()
    assert "技师（一档）" not in page.get_by_test_id("ladder").inner_text()

    page.goto(server.url + "/hr")
    assert "8" in page.locator(".hr-card").first.inner_text()
    page.screenshot(path=str(artefacts / "hr-overview.png"), full_page=True)
    assert page.console_errors == []
