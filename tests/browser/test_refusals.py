"""API refusals worded on the pages, in a real browser against the real server.

The chief judge's console (static/js/jury.js, failure()) and the appeals page (static/js/appeals.js,
failed()) word a refusal from its machine-readable `reason` with the texts the template hands over
(`refusals` in the page's JSON text block), and fall back to the API's message for a reason they do
not know. Provoking a real refusal races with the live updates, so Playwright answers the one API call
under test with a 409 of the API's error shape; everything else goes to the server.
"""
from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.worlds import served_world
from tests.support import PASSWORD


@pytest.fixture
def running(server):
    """A running contest; no module is locked."""
    return server, served_world(server)


class Refuse:
    """A Playwright route handler: answers each POST with the next 409 of `refusals`, lets every other
    request through to the server."""

    def __init__(self, *refusals: tuple[str, str]):
        self.refusals = list(refusals)
        self.answered = 0

    def __call__(self, route, request):
        if request.method != "POST" or not self.refusals:
            route.continue_()
            return
        reason, message = self.refusals.pop(0)
        self.answered += 1
        route.fulfill(status=409, content_type="application/json",
                      body=json.dumps({"code": 409, "status": "Conflict", "message": message, "reason": reason}))


def page_errors(page) -> list[str]:
    """Console errors apart from the browser's own line for the refused (4xx) request."""
    return [e for e in page.console_errors if "Failed to load resource" not in e]


def page_refusals(page, block: str) -> dict[str, str]:
    return json.loads(page.locator(f"#{block}").text_content())["refusals"]


def test_jury_console_words_a_lock_refusal_from_its_reason(running, page):
    server, world = running
    refuse = Refuse(("already_locked", "module A is already locked"),
                    ("lock_service_busy", "The lock service is busy; try again."))
    page.route(f"**/api/v1/contests/{world.contest_id}/modules/A/lock", refuse)
    page.goto(f"{server.url}/login?next=/jury/{world.contest_id}")
    sign_in(page, world.judges["chief"].username, PASSWORD)
    page.wait_for_url(f"{server.url}/jury/{world.contest_id}")
    assert page_refusals(page, "board-text")["already_locked"] == "该模块已经锁定"  # templates/jury.html

    notice = page.locator("#notice")
    button = page.locator('#locks li[data-module="A"] button')
    expect(button).to_have_text("锁定")
    button.click()
    expect(notice).to_have_text("操作失败：该模块已经锁定")
    expect(notice).to_have_class("flash flash-error")
    expect(notice).not_to_contain_text("already locked")

    # A reason the page does not know: the API's message.
    expect(button).to_have_text("锁定")
    button.click()
    expect(notice).to_have_text("操作失败：The lock service is busy; try again.")
    expect(notice).to_have_class("flash flash-error")
    assert refuse.answered == 2

    # The refusals were Playwright's: the server still has module A unlocked.
    progress = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/progress", timeout=10,
                            headers=world.judges["chief"].headers).json()
    assert [m["locked"] for m in progress["modules"] if m["code"] == "A"] == [False]
    assert page_errors(page) == []


def test_appeals_page_words_a_decision_refusal_from_its_reason(provisional, page):
    server, world = provisional
    response = requests.post(f"{server.url}/api/v1/contests/{world.contest_id}/appeals", timeout=10,
                             json={"competitor_id": world.competitors["c2"], "aspect_codes": ["A1"],
                                   "grounds": "元器件布置评分有误，申请复核"}, headers=world.organizer.headers)
    assert response.status_code == 201, response.text
    appeal_id = response.json()["id"]
    refuse = Refuse(("appeal_decided", f"Appeal {appeal_id} is already decided."),
                    ("arbitration_paused", "Arbitration is paused for this contest."))
    page.route(f"**/api/v1/appeals/{appeal_id}/decide", refuse)
    page.goto(f"{server.url}/login?next=/contests/{world.contest_id}/appeals")
    sign_in(page, world.organizer.username, PASSWORD)
    page.wait_for_url(f"{server.url}/contests/{world.contest_id}/appeals")
    assert page_refusals(page, "appeals-text")["appeal_decided"] == "这项申诉已经仲裁过了"  # templates/appeals.html

    notice = page.locator("#notice")
    row = page.locator(f'#appeal-rows tr[data-appeal-id="{appeal_id}"]')
    expect(row.locator(".appeal-status")).to_have_text("待仲裁")
    row.locator('input[name="reason"]').fill("经复核，评分记录有误")
    row.get_by_role("button", name="申诉成立").click()
    expect(notice).to_have_text("操作失败: 这项申诉已经仲裁过了")
    expect(notice).to_have_class("flash flash-error")
    expect(notice).not_to_contain_text("already decided")

    # A reason the page does not know: the API's message.
    row.get_by_role("button", name="驳回").click()
    expect(notice).to_have_text("操作失败: Arbitration is paused for this contest.")
    assert refuse.answered == 2

    # The refusals were Playwright's: the appeal is still open, on the page and on the server.
    expect(row.locator(".appeal-status")).to_have_text("待仲裁")
    listed = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/appeals", timeout=10,
                          headers=world.organizer.headers).json()
    assert [(a["id"], a["decision"]) for a in listed] == [(appeal_id, None)]
    assert page_errors(page) == []


def test_appeals_page_words_a_filing_refusal_from_its_reason(provisional, page):
    server, world = provisional
    refuse = Refuse(("appeal_window_closed", "The appeal window closed at 2026-05-01T10:00:00+00:00."))
    page.route(f"**/api/v1/contests/{world.contest_id}/appeals", refuse)
    page.goto(f"{server.url}/login?next=/contests/{world.contest_id}/appeals")
    sign_in(page, world.organizer.username, PASSWORD)
    page.wait_for_url(f"{server.url}/contests/{world.contest_id}/appeals")
    assert page_refusals(page, "appeals-text")["appeal_window_closed"] == "申诉受理已截止"
    expect(page.get_by_test_id("appeals")).to_contain_text("暂无申诉")

    page.locator("#appeal-competitor").select_option(str(world.competitors["c2"]))
    page.locator('input[name="aspect_codes"][value="A1"]').check()
    page.locator("#appeal-grounds").fill("元器件布置评分有误，申请复核")
    page.locator("#appeal-submit").click()
    notice = page.locator("#notice")
    expect(notice).to_have_text("操作失败: 申诉受理已截止")
    expect(notice).to_have_class("flash flash-error")
    assert refuse.answered == 1
    expect(page.get_by_test_id("appeals")).to_contain_text("暂无申诉")
    assert page_errors(page) == []
