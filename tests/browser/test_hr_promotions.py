"""An HR officer reviews direct promotions in a real browser: confirms one proposal, rejects two in a batch
(with a reason), meets a stale row (409), opens the printable certificate, follows the URL of its QR code
to the public verification page, and sees the masked name and no ID number there."""
from __future__ import annotations

import re

import requests

from competition.domain.certificates import CERT_NUMBER_RE
from competition.domain.identity import mask_id_number
from tests.browser.pages import sign_in
from tests.masterdata import make_id

PEOPLE = [  # name, current grade in 电工, total
    ("王建国", "senior", "96.50"),
    ("李秀英", "intermediate", "93.00"),
    ("张伟", "intermediate", "91.25"),
    ("刘洋", None, "88.00"),
    ("陈静", "junior", "85.50"),
    ("杨帆", "senior", "58.00"),
]
POLICY = {
    "min_total": "60.00", "eligible_kinds": ["employee"], "once_per_year": True,
    "bands": [
        {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "next_level"}, "cap_level": 1},
        {"name": "第4-10名", "ranks": [4, 10], "action": {"to_level": 3, "if_held": "next_level"}, "cap_level": 2},
    ],
}
SCHEME = {"components": [{"code": "C", "name": "综合", "weight": "100", "modules": [
    {"code": "M", "name": "实操", "aspects": [
        {"code": "M1", "name": "实操成绩", "type": "measurement", "max_mark": "100"}]}]}]}


class Api:
    def __init__(self, url: str, username: str, password: str):
        self.url = url
        response = requests.post(f"{url}/api/v1/auth/token", json={"username": username, "password": password},
                                 timeout=10)
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def __call__(self, method: str, path: str, body=None, expect=(200, 201)):
        response = requests.request(method, f"{self.url}/api/v1{path}", json=body, headers=self.headers, timeout=20)
        assert response.status_code in expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def prepare_enterprise(server) -> tuple[int, dict[str, int]]:
    """国网辽宁示范供电公司 with the 新八级 scheme, its HR officer, an organiser and a chief judge: the
    enterprise's id and the users' ids by username."""
    server.command("create-user", "root", "--role", "admin", "--display-name", "系统管理员", "--password-stdin",
                   stdin="admin-pass-1\n")
    server.command("occupations", "load")
    server.start()
    admin = Api(server.url, "root", "admin-pass-1")
    grid = admin("POST", "/enterprises", {"code": "GRID", "name": "国网辽宁示范供电公司", "cert_prefix": "Y",
                                         "org_code": "0000", "province_code": "21", "site_code": "000101"})["id"]
    template = admin("GET", "/grade-scheme-templates/eight-grade")
    admin("PUT", f"/enterprises/{grid}/grade-scheme", {"grades": template})
    users = {}
    for username, role, name in (("hr_grid", "hr", "刘人事"), ("organiser", "organizer", "王组织"),
                                 ("chief", "judge", "赵裁判")):
        body = {"username": username, "password": f"{username}-pass-1", "display_name": name, "role": role}
        if role == "hr":
            body["enterprise_id"] = grid
        users[username] = admin("POST", "/users", body)["id"]
    return grid, users


def run_contest(server, people: list[int], chief_id: int) -> int:
    """The organiser's contest of `people` (in PEOPLE's order, with PEOPLE's totals), marked and final."""
    organiser = Api(server.url, "organiser", "organiser-pass-1")
    contest = organiser("POST", "/contests", {
        "name": "2026年国网辽宁电力职业技能竞赛（电工）", "occupation_code": "6-31-01-03", "tier": "enterprise",
        "starts_at": "2026-06-01T08:00:00+08:00", "ends_at": "2026-06-02T18:00:00+08:00",
        "promotion_policy": POLICY})["id"]
    organiser("PUT", f"/contests/{contest}/marking-scheme", SCHEME)
    competitors = [organiser("POST", f"/contests/{contest}/competitors", {"person_id": pid, "bib": str(n)})["id"]
                   for n, pid in enumerate(people, start=1)]
    organiser("POST", f"/contests/{contest}/judges", {"user_id": chief_id, "chief": True, "aspects": "all"})
    organiser("POST", f"/contests/{contest}/transition", {"to": "running"})
    judge = Api(server.url, "chief", "chief-pass-1")
    for competitor, (_, _, total) in zip(competitors, PEOPLE):
        judge("PUT", f"/contests/{contest}/marks", {"competitor_id": competitor, "aspect_code": "M1", "value": total})
    judge("POST", f"/contests/{contest}/modules/M/lock")
    organiser("POST", f"/contests/{contest}/transition", {"to": "final"})
    return contest


def prepare(server) -> dict:
    """A final contest of 国网示范供电公司's six electricians, with the promotion policy above."""
    grid, users = prepare_enterprise(server)
    hr = Api(server.url, "hr_grid", "hr_grid-pass-1")
    people = []
    for n, (name, grade, _) in enumerate(PEOPLE, start=1):
        body = {"person_no": f"GW{n:03d}", "name": name, "id_type": "居民身份证", "id_number": make_id(n),
                "kind": "employee",
                "grades": [{"occupation_code": "6-31-01-03", "grade_code": grade}] if grade else []}
        people.append(hr("POST", f"/enterprises/{grid}/people", body)["id"])
    contest = run_contest(server, people, users["chief"])
    return {"grid": grid, "contest": contest, "people": people, "hr": hr}


def row_of(page, name):
    return page.locator(f'tr[data-testid="promotion-row"][data-person="{name}"]')


def test_hr_confirms_opens_the_certificate_and_verifies_it(server, page, artefacts):
    world = prepare(server)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(server.url + "/hr/promotions")
    assert "/login" in page.url
    sign_in(page, "hr_grid", "hr_grid-pass-1")
    page.wait_for_url(server.url + "/hr/promotions")
    section = page.get_by_test_id("promotion-contest")
    assert "2026年国网辽宁电力职业技能竞赛（电工）" in section.inner_text()
    rows = page.get_by_test_id("promotion-row")
    assert rows.count() == 5  # 杨帆 (58.00) is below the minimum: listed among the not eligible
    first = row_of(page, "王建国")
    assert "高级工 (三级/高级工)" in first.inner_text() and "技师 (二级/技师)" in first.inner_text()
    assert "前3名" in first.inner_text() and "待审核" in first.inner_text()
    rule = "第1–3名 · 晋升至二级/技师，已持有则再升一级 · 最高至一级/高级技师"
    assert first.get_by_test_id("band-rule").inner_text() == rule
    page.locator("details.promo-ineligible summary").click()
    assert "总分低于晋升最低分数" in page.get_by_test_id("ineligible-row").first.inner_text()
    page.screenshot(path=str(artefacts / "hr-promotions.png"), full_page=True)
    assert page.console_errors == []
    # Nothing selected: 确认所选 is offered as unavailable, and looks it (grey, not the accent colour).
    batch = page.locator('[data-action="batch-confirm"]')
    enabled_look = first.get_by_role("button", name="确认晋升").evaluate("b => getComputedStyle(b).backgroundColor")
    assert batch.is_disabled()
    assert batch.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).cursor]") == [
        "rgb(223, 226, 232)", "not-allowed"] != [enabled_look, "not-allowed"]

    # Confirm one: a dialog asks first, then the row shows the certificate.
    first.get_by_role("button", name="确认晋升").click()
    page.locator("#confirm-dialog").wait_for(state="visible")
    assert "王建国" in page.locator("#confirm-dialog").inner_text()
    page.get_by_test_id("confirm-ok").click()
    link = first.get_by_test_id("certificate-link")
    link.wait_for()
    number = re.search(r"[YS]\d{21}", link.inner_text()).group(0)
    assert CERT_NUMBER_RE.fullmatch(number)
    assert "已确认" in first.inner_text() and "已确认并颁发证书" in first.inner_text()
    assert section.locator('[data-count="proposed"]').inner_text() == "4"
    assert section.locator('[data-count="confirmed"]').inner_text() == "1"

    # Somebody else rejects 刘洋 meanwhile (through the API): the page still shows version 1.
    stale = row_of(page, "刘洋")
    stale_id = int(stale.get_attribute("data-id"))
    world["hr"]("POST", f"/promotions/{stale_id}/reject", {"version": 1, "reason": "已在其他竞赛中晋升"})

    # Batch: select 李秀英 and 刘洋 and reject both with one reason: one succeeds, one is stale (409).
    row_of(page, "李秀英").locator(".promo-check").check()
    stale.locator(".promo-check").check()
    assert "已选 2 项" in page.locator('[data-role="selected-count"]').inner_text()
    page.get_by_role("button", name="驳回所选").click()
    page.locator("#reject-dialog").wait_for(state="visible")
    page.get_by_test_id("reject-ok").click()  # no reason yet: the dialog says so and stays open
    assert page.locator("#reject-dialog [data-role='error']").inner_text() == "请填写驳回原因。"
    page.locator("#reject-reason").fill("参赛资格复核未通过")
    page.get_by_test_id("reject-ok").click()
    page.get_by_text("批量处理完成").wait_for()
    assert "确认 0 项，驳回 1 项，失败 1 项" in page.locator("#promo-messages").inner_text()
    assert "已驳回" in row_of(page, "李秀英").inner_text()
    assert "参赛资格复核未通过" in row_of(page, "李秀英").inner_text()
    stale_text = stale.inner_text()
    assert "已被他人处理或已更新" in stale_text and "已驳回" in stale_text and "已在其他竞赛中晋升" in stale_text
    assert "no longer proposed" not in stale_text
    assert stale.get_attribute("data-version") == "2"
    page.screenshot(path=str(artefacts / "hr-promotions-decided.png"), full_page=True)
    page.console_errors.clear()  # nothing logged except possibly the deliberate 409

    # The certificate page.
    link.click()
    page.wait_for_url(f"{server.url}/certificates/{number}")
    certificate = page.get_by_test_id("certificate")
    text = certificate.inner_text()
    for expected in ("职业技能等级证书", "王建国", make_id(1), "电工", "二级/技师", "技师", "国网辽宁示范供电公司",
                     number, "职业技能竞赛直接晋升"):
        assert expected in text, expected
    assert page.get_by_test_id("certificate-qr").get_attribute("src").startswith("data:image/svg+xml")
    target = page.get_by_test_id("certificate-qr").get_attribute("data-verify-url")
    assert target == page.get_by_test_id("verify-link").get_attribute("href") == f"{server.url}/verify/{number}"
    assert "照片" not in text  # no empty photo box printed: the product keeps no photographs
    page.screenshot(path=str(artefacts / "certificate.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(artefacts / "certificate-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artefacts / "certificate.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # exactly one A4 page
    page.emulate_media(media="screen")
    assert page.console_errors == []

    # The public verification page, opened by an anonymous visitor from the QR code's URL.
    visitor = page.context.browser.new_context(locale="zh-CN").new_page()
    errors: list[str] = []
    visitor.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    visitor.goto(target)
    assert visitor.get_by_test_id("verify-status").inner_text() == "证书有效"
    assert visitor.get_by_test_id("verify-name").inner_text() == "王*国"
    assert visitor.get_by_test_id("verify-number").inner_text() == number
    content = visitor.content()
    assert make_id(1) not in content and mask_id_number(make_id(1)) not in content and "王建国" not in content
    visitor.screenshot(path=str(artefacts / "certificate-verify.png"), full_page=True)
    assert errors == []
    visitor.goto(f"{server.url}/verify/Y000021000101262999999")
    assert visitor.get_by_test_id("verify-status").inner_text() == "未找到该证书"
    visitor.context.close()
