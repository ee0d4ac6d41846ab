"""The organiser's appeals page in a real browser: record an appeal (申诉) in the window and its
arbitration decision (仲裁); an upheld appeal reopens the aspect's module."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.support import PASSWORD


def locks(server, world):
    from competition import create_app
    from competition.extensions import db
    from competition.models import ModuleLock

    app = create_app({"SQLALCHEMY_DATABASE_URI": server.database_url, "COMPETITION_LOG_LEVEL": "WARNING"})
    with app.app_context():
        rows = {lock.module_code: (lock.locked, lock.appeal_id)
                for lock in db.session.query(ModuleLock).filter_by(contest_id=world.contest_id)}
        db.engine.dispose()
    return rows


def test_organiser_records_an_appeal_and_upholds_it(provisional, page, artefacts):
    server, world = provisional
    page.goto(f"{server.url}/contests/{world.contest_id}/appeals")
    page.get_by_label("用户名").fill(world.organizer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if "/appeals" not in page.url:
        page.goto(f"{server.url}/contests/{world.contest_id}/appeals")
    expect(page.get_by_text("申诉受理截止")).to_be_visible()
    expect(page.get_by_test_id("appeals")).to_contain_text("暂无申诉")

    page.locator("#appeal-competitor").select_option(str(world.competitors["c2"]))
    page.locator('input[name="aspect_codes"][value="A1"]').check()
    page.locator("#appeal-grounds").fill("元器件布置评分有误，申请复核")
    page.locator("#appeal-submit").click()
    row = page.locator("#appeal-rows tr").first
    expect(row.locator(".appeal-status")).to_have_text("待仲裁")
    expect(row).to_contain_text("李四")
    appeal_id = int(row.get_attribute("data-appeal-id"))

    row.locator('input[name="reason"]').fill("经复核，评分记录有误")
    row.get_by_role("button", name="申诉成立").click()
    expect(page.locator("#appeal-rows tr").first.locator(".appeal-status")).to_have_text("申诉成立")
    page.screenshot(path=str(artefacts / "appeals-page.png"))

    listed = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/appeals", timeout=10,
                          headers=world.organizer.headers).json()
    assert [(a["id"], a["decision"], a["reason"]) for a in listed] == [(appeal_id, "upheld", "经复核，评分记录有误")]
    assert locks(server, world)["A"] == (False, appeal_id)
    assert page.console_errors == []
