"""The admin's console (/admin/users, /admin/enterprises): who may open it, the navigation link to it,
and what each page hands to its plain-JS module (configuration and texts)."""
from __future__ import annotations

import json
import re

import pytest

from tests.support import PASSWORD, signed_in

PAGES = ("/admin/users", "/admin/enterprises")


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the pages do not depend on the database


def block(html: str, block_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{block_id}"[^>]*>(.*?)</script>', html, re.S)
    assert found, block_id
    return json.loads(found.group(1))


@pytest.fixture
def enterprise_id(client, admin) -> int:
    response = client.post("/api/v1/enterprises", json={"code": "GRID", "name": "国网示范供电公司"},
                           headers=admin.headers)
    return response.get_json()["id"]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (*PAGES, "/admin"):
        response = client.get(path)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "/login" in location and "next=" in location and "admin" in location


def test_other_roles_are_refused(app, make_user, enterprise_id):
    for role, extra in (("organizer", {}), ("judge", {}), ("hr", {"enterprise_id": enterprise_id})):
        browser = signed_in(app, make_user(role, **extra).username)
        for path in (*PAGES, "/admin"):
            assert browser.get(path).status_code == 403, (role, path)


def test_signing_in_comes_back_to_the_page(app, admin):
    browser = app.test_client()
    html = browser.get("/login?next=/admin/users").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = browser.post("/login", data={"username": admin.username, "password": PASSWORD,
                                            "csrf_token": token, "next": "/admin/users"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")


def test_the_nav_link_is_for_admins_only(app, client, admin, make_user, enterprise_id):
    link = 'href="/admin/users" data-testid="nav-admin"'
    assert link not in client.get("/").get_data(as_text=True)
    html = signed_in(app, admin.username).get("/").get_data(as_text=True)
    assert link in html and "系统管理" in html
    assert html.index('data-testid="nav-organize"') < html.index('data-testid="nav-admin"')
    for role, extra in (("organizer", {}), ("judge", {}), ("hr", {"enterprise_id": enterprise_id})):
        assert link not in signed_in(app, make_user(role, **extra).username).get("/").get_data(as_text=True)


def test_the_users_page_renders_its_config_and_texts(app, admin):
    browser = signed_in(app, admin.username)
    assert browser.get("/admin").headers["Location"].endswith("/admin/users")
    response = browser.get("/admin/users")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    config = block(html, "admin-config")
    assert config["me"] == admin.id and config["roles"] == ["admin", "organizer", "judge", "hr"]
    text = block(html, "admin-text")
    assert text["roleNames"] == {"admin": "系统管理员", "organizer": "竞赛组织者", "judge": "裁判", "hr": "人力资源"}
    assert "{username}" in text["confirmOff"] and "{username}" in text["passwordReset"]
    assert 'id="new-user"' in html and 'id="user-filter"' in html and 'id="off-dialog"' in html
    assert 'id="password-dialog"' in html and "新建账号" in html
    assert 'src="/static/js/admin/users.js"' in html and 'href="/admin/enterprises"' in html
    english = browser.get("/admin/users", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert block(english, "admin-text")["roleNames"]["organizer"] == "Organiser"


def test_the_enterprises_page_renders_its_form(app, admin):
    html = signed_in(app, admin.username).get("/admin/enterprises").get_data(as_text=True)
    assert block(html, "admin-config") == {}
    text = block(html, "admin-text")
    assert set(text["fields"]) == {"code", "name", "cert_prefix", "org_code", "province_code", "site_code"}
    for field in text["fields"]:
        assert f'name="{field}"' in html, field
    assert 'id="new-enterprise"' in html and "新建企业" in html
    assert 'src="/static/js/admin/enterprises.js"' in html and 'href="/admin/users"' in html


def test_the_pages_have_no_inline_script(app, admin):
    browser = signed_in(app, admin.username)
    for path in PAGES:
        html = browser.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/json"' in tag or ('type="module"' in tag and "src=" in tag), tag
        assert not re.search(r"\son[a-z]+=", html), path
