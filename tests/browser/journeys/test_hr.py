"""The HR officer's day (issue 21), in Chinese and in English: from the landing page to the HR overview,
the people imported from an .xlsx file, then (after the organiser's contest of these people is final)
the promotions page: nothing selected offers nothing, one proposal selected and confirmed, its
certificate, and the public verification page its QR code points to."""
from __future__ import annotations

import requests
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.test_hr_import import HEADERS
from tests.browser.test_hr_promotions import PEOPLE, Api, prepare_enterprise, run_contest
from tests.masterdata import make_id

GRADES = {"senior": "高级工", "intermediate": "中级工", "junior": "初级工", None: ""}


def people_file(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for n, (name, grade, _) in enumerate(PEOPLE, start=1):
        occupation = "6-31-01-03" if grade else ""  # 刘洋 holds no grade yet
        sheet.append([f"GW{n:03d}", name, "居民身份证", make_id(n), "职工", f"139{n:08d}", occupation, GRADES[grade]])
    workbook.save(path)
    return path


def test_hr_journey(server, journeys, tmp_path):
    grid, users = prepare_enterprise(server)
    journey = journeys("hr", viewport={"width": 1360, "height": 900})
    page, t = journey.page, journey.t
    journey.land()
    journey.sign_in("hr_grid", "hr_grid-pass-1")
    page.wait_for_url(f"{server.url}/hr")  # HR lands on the HR overview
    journey.step("overview")

    page.locator(".hr-tabs").get_by_role("link", name=t("批量导入")).click()
    page.wait_for_url(f"{server.url}/hr/people/import")
    page.set_input_files("#import-file", str(people_file(tmp_path / "people.xlsx")))
    page.get_by_role("button", name=t("检查并导入")).click()
    expect(page.get_by_test_id("import-success")).to_be_visible(timeout=15000)
    journey.step("imported")
    page.locator(".hr-tabs").get_by_role("link", name=t("人员名册")).click()
    expect(page.get_by_test_id("people-table").locator("tbody tr")).to_have_count(len(PEOPLE))
    journey.step("people")

    # The organiser's contest of these six runs and is made final (their own pages, elsewhere).
    listed = Api(server.url, "hr_grid", "hr_grid-pass-1")("GET", f"/enterprises/{grid}/people")
    by_number = {person["person_no"]: person["id"] for person in listed}
    run_contest(server, [by_number[f"GW{n:03d}"] for n in range(1, len(PEOPLE) + 1)], users["chief"])

    page.locator(".hr-tabs").get_by_role("link", name=t("晋升审核")).click()
    page.wait_for_url(f"{server.url}/hr/promotions")
    rows = page.get_by_test_id("promotion-row")
    expect(rows).to_have_count(5)
    batch = page.locator('[data-action="batch-confirm"]')
    expect(batch).to_be_disabled()  # nothing selected: nothing to confirm
    expect(page.locator('[data-action="batch-reject"]')).to_be_disabled()
    journey.step("promotions", full_page=True)

    first = page.locator('tr[data-testid="promotion-row"][data-person="王建国"]')
    first.locator(".promo-check").check()
    expect(batch).to_be_enabled()
    batch.click()
    page.locator("#confirm-dialog").wait_for(state="visible")
    expect(page.locator("#confirm-dialog")).to_contain_text("王建国")
    journey.step("confirm-dialog")
    page.get_by_test_id("confirm-ok").click()
    link = first.get_by_test_id("certificate-link")
    expect(link).to_be_visible(timeout=15000)
    expect(first.get_by_role("button", name=t("确认晋升"))).to_have_count(0)  # decided: not offered again
    journey.step("confirmed", full_page=True)
    number = link.locator("code").inner_text()

    link.click()
    page.wait_for_url(f"{server.url}/certificates/{number}")
    expect(page.get_by_test_id("certificate")).to_contain_text("王建国")
    journey.step("certificate", full_page=True)

    page.get_by_test_id("verify-link").click()
    page.wait_for_url(f"{server.url}/verify/{number}")
    expect(page.get_by_test_id("verify-status")).to_have_text(t("证书有效"))
    expect(page.get_by_test_id("verify-number")).to_have_text(number)
    journey.step("verify")
    assert requests.get(f"{server.url}/verify/{number}", timeout=10).status_code == 200  # anyone may open it
