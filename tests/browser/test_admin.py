"""The admin's console in a real browser: an admin creates an enterprise on /admin/enterprises (a bad
code first, named next to the form), then a judge account of it on /admin/users, finds it with the
search box, switches it off (after confirming): the judge's open session ends and the judge can no
longer sign in on /login; switched back on, the judge signs in again."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import sign_in

ADMIN_PASSWORD = "admin-pass-1"
JUDGE_PASSWORD = "judge-pass-77"


def test_admin_creates_and_switches_off_a_judge_account(server, browser, page, artefacts):
    server.command("create-user", "root", "--role", "admin", "--password-stdin", stdin=f"{ADMIN_PASSWORD}\n")
    server.start()

    page.goto(f"{server.url}/admin/users")
    assert "/login" in page.url and "next=" in page.url
    sign_in(page, "root", ADMIN_PASSWORD)
    page.wait_for_url(f"{server.url}/admin/users")
    expect(page.get_by_test_id("nav-admin")).to_have_text("系统管理")
    expect(page.get_by_test_id("users-table").locator("tbody tr")).to_have_count(1)  # the admin itself

    # 1. An enterprise: the API's field errors are shown next to the form, then it is created.
    page.get_by_test_id("admin-nav-enterprises").click()
    page.wait_for_url(f"{server.url}/admin/enterprises")
    expect(page.get_by_test_id("enterprises-table")).to_contain_text("还没有企业。")
    form = page.get_by_test_id("new-enterprise")
    form.get_by_label("企业代码").fill("GRID")
    form.get_by_label("企业名称").fill("国网示范供电公司")
    form.get_by_label("机构代码").fill("12")
    form.get_by_role("button", name="创建企业").click()
    expect(page.get_by_test_id("new-enterprise-errors")).to_contain_text("机构代码")
    expect(page.locator("#notice")).to_contain_text("操作失败")
    expect(form.get_by_label("机构代码")).to_have_attribute("aria-invalid", "true")
    page.console_errors.clear()  # the browser logs the deliberate 422
    form.get_by_label("机构代码").fill("0000")
    form.get_by_role("button", name="创建企业").click()
    expect(page.locator("#notice")).to_contain_text("已创建企业 国网示范供电公司")
    expect(page.get_by_test_id("new-enterprise-errors")).to_be_empty()
    expect(page.get_by_test_id("enterprises-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("enterprises-table")).to_contain_text("GRID")

    # 2. A judge account of that enterprise.
    page.get_by_test_id("admin-nav-users").click()
    page.wait_for_url(f"{server.url}/admin/users")
    form = page.get_by_test_id("new-user")
    form.get_by_label("用户名").fill("judge7")
    form.get_by_label("显示名称").fill("孙裁判")
    form.get_by_label("角色").select_option("judge")
    form.get_by_label("所属企业").select_option(label="国网示范供电公司 (GRID)")
    form.get_by_label("初始密码").fill(JUDGE_PASSWORD)
    form.get_by_role("button", name="创建账号").click()
    expect(page.locator("#notice")).to_contain_text("已创建账号 judge7")
    table = page.get_by_test_id("users-table")
    row = table.locator('tr[data-username="judge7"]')
    expect(row).to_contain_text("孙裁判")
    expect(row).to_contain_text("裁判")
    expect(row).to_contain_text("国网示范供电公司")
    expect(row.get_by_test_id("user-state")).to_have_text("启用中")
    page.screenshot(path=str(artefacts / "admin-users.png"), full_page=True)

    # The search box and the role filter.
    page.locator("#filter-q").fill("孙")
    page.get_by_test_id("user-filter").get_by_role("button", name="搜索").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    page.locator("#filter-q").fill("")
    page.locator("#filter-role").select_option("admin")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator('tr[data-username="root"]')).to_be_visible()
    page.locator("#filter-role").select_option("")
    expect(table.locator("tbody tr")).to_have_count(2)

    # The judge signs in on a tablet of their own.
    tablet_context = browser.new_context(locale="zh-CN")
    tablet = tablet_context.new_page()
    tablet.goto(f"{server.url}/login")
    sign_in(tablet, "judge7", JUDGE_PASSWORD)
    tablet.wait_for_url(re.compile(r"^(?!.*/login)"))
    expect(tablet.get_by_test_id("signed-in-as")).to_have_text("孙裁判")

    # 3. Switched off, after confirming: the open session ends and signing in is refused.
    row.get_by_test_id("switch-off").click()
    dialog = page.get_by_test_id("off-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("judge7")
    dialog.get_by_role("button", name="确认停用").click()
    expect(page.locator("#notice")).to_contain_text("已停用账号 judge7")
    expect(row.get_by_test_id("user-state")).to_have_text("已停用")
    expect(row.get_by_test_id("switch-on")).to_be_visible()

    tablet.reload()
    expect(tablet.get_by_test_id("signed-in-as")).to_have_count(0)
    tablet.goto(f"{server.url}/login")
    sign_in(tablet, "judge7", JUDGE_PASSWORD)
    expect(tablet.get_by_role("alert")).to_have_text("用户名或密码错误。")
    assert "/login" in tablet.url
    expect(tablet.get_by_test_id("signed-in-as")).to_have_count(0)

    # 4. Switched back on: the judge signs in again.
    row.get_by_test_id("switch-on").click()
    expect(page.locator("#notice")).to_contain_text("已启用账号 judge7")
    expect(row.get_by_test_id("user-state")).to_have_text("启用中")
    tablet.goto(f"{server.url}/login")
    sign_in(tablet, "judge7", JUDGE_PASSWORD)
    expect(tablet.get_by_test_id("signed-in-as")).to_have_text("孙裁判")
    tablet_context.close()

    # The admin cannot switch off their own account: the row offers no such button.
    expect(table.locator('tr[data-username="root"]').get_by_test_id("switch-off")).to_have_count(0)
    assert page.console_errors == []
