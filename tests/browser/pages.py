"""Steps the browser tests share."""
from __future__ import annotations


def sign_in(page, username: str, password: str) -> None:
    """Fill in the sign-in page the browser is on and submit it."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
