"""The admin's day (issue 21), in Chinese and in English: from the landing page to the users page, a new
judge account, its sign-in delay released after the judge mistyped the password too often, the account
switched off (after confirming), then a new enterprise."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

ADMIN_PASSWORD = "admin-pass-1"
JUDGE_PASSWORD = "judge-pass-77"


def token_status(server, username: str, password: str) -> int:
    return requests.post(f"{server.url}/api/v1/auth/token", json={"username": username, "password": password},
                         timeout=10).status_code


def test_admin_journey(server, journeys):
    server.command("create-user", "root", "--role", "admin", "--display-name", "系统管理员", "--password-stdin",
                   stdin=f"{ADMIN_PASSWORD}\n")
    server.start()
    journey = journeys("admin")
    page, t = journey.page, journey.t
    journey.land()
    journey.sign_in("root", ADMIN_PASSWORD)
    page.wait_for_url(f"{server.url}/admin/users")  # an admin lands on the users page
    table = page.get_by_test_id("users-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    journey.step("users")

    form = page.get_by_test_id("new-user")
    form.get_by_label(t("用户名")).fill("judge7")
    form.get_by_label(t("显示名称")).fill("孙裁判")
    form.get_by_label(t("角色")).select_option("judge")
    form.get_by_label(t("初始密码")).fill(JUDGE_PASSWORD)
    journey.step("new-user")
    form.get_by_role("button", name=t("创建账号")).click()
    row = table.locator('tr[data-username="judge7"]')
    expect(row.get_by_test_id("user-state")).to_have_text(t("启用中"))
    journey.step("user-created")

    # The judge mistypes the password until sign-in is delayed; the admin releases the delay.
    statuses = [token_status(server, "judge7", "wrong-password") for _ in range(8)]
    assert statuses[-1] in (401, 429) and token_status(server, "judge7", JUDGE_PASSWORD) == 429
    row.get_by_test_id("unlock").click()
    expect(page.locator("#notice")).to_contain_text(t("已解除 {username} 的登录限制").replace("{username}", "judge7"))
    assert token_status(server, "judge7", JUDGE_PASSWORD) == 201
    journey.step("unlocked")

    row.get_by_test_id("switch-off").click()
    dialog = page.get_by_test_id("off-dialog")
    expect(dialog).to_contain_text("judge7")
    journey.step("switch-off-dialog")
    dialog.get_by_role("button", name=t("确认停用")).click()
    expect(row.get_by_test_id("user-state")).to_have_text(t("已停用"))
    expect(row.get_by_test_id("switch-on")).to_be_visible()
    assert token_status(server, "judge7", JUDGE_PASSWORD) == 401
    journey.step("switched-off")

    page.get_by_test_id("admin-nav-enterprises").click()
    page.wait_for_url(f"{server.url}/admin/enterprises")
    form = page.get_by_test_id("new-enterprise")
    form.get_by_label(t("企业代码"), exact=True).fill("GRID")
    form.get_by_label(t("企业名称"), exact=True).fill("国网示范供电公司")
    form.get_by_role("button", name=t("创建企业")).click()
    expect(page.get_by_test_id("enterprises-table")).to_contain_text("GRID")
    journey.step("enterprises")
