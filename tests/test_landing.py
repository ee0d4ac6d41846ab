"""Sign-in lands each role on its own page (live.md, Pages), and a wrong password keeps the form."""
from __future__ import annotations

import re

import pytest

from tests.contest_fixtures import setup_contest
from tests.support import PASSWORD, signed_in


def _sign_in(app, username: str, password: str = PASSWORD, *, from_page: str = "/login", next_page=None):
    browser = app.test_client()
    html = browser.get(from_page).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    data = {"username": username, "password": password, "csrf_token": token}
    if next_page is not None:
        data["next"] = next_page
    return browser, browser.post("/login", data=data)


@pytest.mark.parametrize("role, home", [("organizer", "/organize"), ("admin", "/admin/users")])
def test_staff_land_on_their_console(app, make_user, role, home):
    account = make_user(role)
    browser, response = _sign_in(app, account.username)
    assert response.status_code == 302 and response.headers["Location"] == home
    assert browser.get(home).status_code == 200


def test_hr_lands_on_hr(app, make_user):
    from tests.contest_fixtures import make_enterprise

    account = make_user("hr", enterprise_id=make_enterprise(app))
    browser, response = _sign_in(app, account.username)
    assert response.status_code == 302 and response.headers["Location"] == "/hr"
    assert browser.get("/hr").status_code in (200, 302)


def test_judges_land_on_the_tablet_and_a_chief_on_the_jury_console(client, admin):
    world = setup_contest(client, admin, start=True)
    chief, judge = world.judges[0], world.judges[1]
    _, response = _sign_in(client.application, chief.username)
    assert response.headers["Location"] == f"/jury/{world.contest_id}"
    _, response = _sign_in(client.application, judge.username)
    assert response.headers["Location"] == "/judge"


def test_an_explicit_next_page_still_wins(app, make_user):
    account = make_user("organizer")
    _, response = _sign_in(app, account.username, next_page="/contests")
    assert response.headers["Location"] == "/contests"


def test_a_wrong_password_on_the_tablet_keeps_the_judge_on_the_tablet_sign_in(app, make_user):
    account = make_user("judge")
    _, response = _sign_in(app, account.username, "wrong-password", from_page="/judge", next_page="/judge")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'id="judge-login-form"' in html and f'value="{account.username}"' in html
    assert "用户名或密码错误" in html


def test_a_wrong_password_keeps_the_username_on_the_generic_sign_in(app, make_user):
    account = make_user("organizer")
    _, response = _sign_in(app, account.username, "wrong-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and 'id="judge-login-form"' not in html
    assert f'value="{account.username}"' in html


def test_signed_in_helper_still_signs_in(app, make_user):
    assert signed_in(app, make_user("organizer").username).get("/organize").status_code == 200
