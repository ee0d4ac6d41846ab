"""Managing accounts (api.md, Users and enterprises; roles.md): GET /users and PATCH /users/{id} (admin).

Switching an account off takes effect at once: its bearer tokens and one-time QR sign-in links are
deleted and its browser sessions end with the next request (switching it back on brings none of them
back). A password change revokes the tokens and ends the sessions too. Every change is one audit entry,
without secrets."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.support import PASSWORD, assert_error

NEW_PASSWORD = "a-brand-new-pass"


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def browser_sign_in(app, username: str, password: str = PASSWORD):
    browser = app.test_client()
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    response = browser.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return browser


def token_for(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audit_entries(client, admin, action: str = "user.update") -> list[dict]:
    entries = client.get("/api/v1/audit", headers=admin.headers).get_json()
    return [e for e in entries if e["action"] == action]


@pytest.fixture
def enterprise_id(client, admin) -> int:
    response = client.post("/api/v1/enterprises", json={"code": "GRID", "name": "国网示范供电公司"},
                           headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def people(client, admin, make_user, enterprise_id):
    """A few accounts with display names (besides `admin`)."""
    made = {}
    for username, name, role, enterprise in [("zhang.judge", "张裁判", "judge", enterprise_id),
                                              ("li.judge", "李裁判", "judge", None),
                                              ("Wang_Org", "王组织", "organizer", None),
                                              ("hr.grid", "人力小赵", "hr", enterprise_id)]:
        body = {"username": username, "password": PASSWORD, "display_name": name, "role": role}
        if enterprise is not None:
            body["enterprise_id"] = enterprise
        response = client.post("/api/v1/users", json=body, headers=admin.headers)
        assert response.status_code == 201, response.get_json()
        made[username] = response.get_json()
    return made


# --- the list ------------------------------------------------------------------------------------------

def test_the_list_is_for_admins_only(client, make_user, enterprise_id):
    assert_error(client.get("/api/v1/users"), 401)
    for role, extra in (("organizer", {}), ("judge", {}), ("hr", {"enterprise_id": enterprise_id})):
        assert_error(client.get("/api/v1/users", headers=make_user(role, **extra).headers), 403)


def test_the_list_has_every_account_by_username(client, admin, people, enterprise_id):
    response = client.get("/api/v1/users", headers=admin.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, list)
    usernames = [u["username"] for u in body]
    assert usernames == sorted(usernames) and set(people) | {admin.username} == set(usernames)
    zhang = next(u for u in body if u["username"] == "zhang.judge")
    assert zhang["display_name"] == "张裁判" and zhang["role"] == "judge" and zhang["enterprise_id"] == enterprise_id
    assert zhang["active"] is True and zhang["created_at"] and zhang["id"] == people["zhang.judge"]["id"]
    assert all("password" not in u and "password_hash" not in u for u in body)
    assert json.loads(response.headers["X-Pagination"])["total"] == len(body)


def test_the_list_filters_by_role_and_text(client, admin, people):
    def names(query):
        response = client.get(f"/api/v1/users?{query}", headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        return [u["username"] for u in response.get_json()]

    assert names("role=judge") == ["li.judge", "zhang.judge"]
    assert names("role=hr") == ["hr.grid"]
    assert names("q=JUDGE") == ["li.judge", "zhang.judge"]  # case-insensitive
    assert names("q=wang") == ["Wang_Org"]
    assert names("q=裁判") == ["li.judge", "zhang.judge"]  # the display name
    assert names("role=judge&q=张") == ["zhang.judge"]
    assert names("q=%25") == [] and names("q=_") == ["Wang_Org"]  # LIKE wildcards are plain text
    assert_error(client.get("/api/v1/users?role=wizard", headers=admin.headers), 422, field="role")


def test_the_list_paginates(client, admin, people):
    response = client.get("/api/v1/users?page=2&page_size=2", headers=admin.headers)
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 5


# --- changing an account ------------------------------------------------------------------------------

def test_patch_each_field(app, client, admin, people, enterprise_id):
    user_id = people["li.judge"]["id"]
    url = f"/api/v1/users/{user_id}"
    changed = client.patch(url, json={"display_name": "李四裁判"}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["display_name"] == "李四裁判"
    changed = client.patch(url, json={"enterprise_id": enterprise_id}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["enterprise_id"] == enterprise_id
    changed = client.patch(url, json={"enterprise_id": None}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["enterprise_id"] is None
    changed = client.patch(url, json={"active": False}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    changed = client.patch(url, json={"active": True}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["active"] is True
    changed = client.patch(url, json={"password": NEW_PASSWORD}, headers=admin.headers)
    assert changed.status_code == 200 and "password" not in changed.get_json()
    assert token_for(client, "li.judge", NEW_PASSWORD).status_code == 201
    unchanged = client.patch(url, json={}, headers=admin.headers)
    assert unchanged.status_code == 200 and unchanged.get_json()["display_name"] == "李四裁判"


def test_patch_is_for_admins_only(client, make_user, people):
    url = f"/api/v1/users/{people['li.judge']['id']}"
    assert_error(client.patch(url, json={"active": False}), 401)
    organizer = make_user("organizer")
    assert_error(client.patch(url, json={"active": False}, headers=organizer.headers), 403)
    # nor on one's own account
    judge = make_user("judge")
    assert_error(client.patch(f"/api/v1/users/{judge.id}", json={"password": NEW_PASSWORD},
                              headers=judge.headers), 403)


def test_unknown_user_is_404(client, admin):
    for user_id in (987654, 2**31, 10**15):
        assert_error(client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin.headers), 404)


@pytest.mark.parametrize(("body", "field"), [
    ({"colour": "red"}, "colour"),
    ({"username": "renamed"}, "username"),
    ({"role": "admin"}, "role"),
    ({"display_name": ""}, "display_name"),
    ({"display_name": "   "}, "display_name"),
    ({"display_name": "名" * 201}, "display_name"),
    ({"password": "short"}, "password"),
    ({"password": None}, "password"),
    ({"active": "maybe"}, "active"),
    ({"active": "false"}, "active"),  # JSON booleans only
    ({"active": None}, "active"),
    ({"enterprise_id": 987654}, "enterprise_id"),
    ({"enterprise_id": 0}, "enterprise_id"),
    ({"enterprise_id": "one"}, "enterprise_id"),
    ({"display_name": "新名字", "enterprise_id": 987654}, "enterprise_id"),
])
def test_bad_input_is_422_and_changes_nothing(client, admin, people, body, field):
    user = people["zhang.judge"]
    before = audit_entries(client, admin)
    assert_error(client.patch(f"/api/v1/users/{user['id']}", json=body, headers=admin.headers), 422, field=field)
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=admin.headers).get_json()}
    after = listed["zhang.judge"]
    assert (after["display_name"], after["enterprise_id"], after["active"]) == (
        user["display_name"], user["enterprise_id"], True)
    assert token_for(client, "zhang.judge").status_code == 201  # the password is unchanged
    assert audit_entries(client, admin) == before


def test_an_hr_account_keeps_its_enterprise(client, admin, people):
    assert_error(client.patch(f"/api/v1/users/{people['hr.grid']['id']}", json={"enterprise_id": None},
                              headers=admin.headers), 422, field="enterprise_id")


def test_malformed_json_is_400(client, admin, people):
    response = client.patch(f"/api/v1/users/{people['li.judge']['id']}", data="{nope",
                            content_type="application/json", headers=admin.headers)
    assert_error(response, 400)


def test_an_admin_cannot_switch_off_their_own_account(client, admin):
    assert_error(client.patch(f"/api/v1/users/{admin.id}", json={"active": False}, headers=admin.headers), 409,
                 field="active")
    assert client.get("/api/v1/users/me", headers=admin.headers).status_code == 200


def test_another_admin_can_be_switched_off_but_never_the_last(app, client, admin, make_user):
    other = make_user("admin")
    assert client.patch(f"/api/v1/users/{other.id}", json={"active": False}, headers=admin.headers).status_code == 200
    assert_error(client.get("/api/v1/users/me", headers=other.headers), 401)

    # The last active admin, switched off by anyone but itself (e.g. a script without a signed-in user):
    from competition.errors import ServiceError
    from competition.extensions import db
    from competition.services import accounts

    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            accounts.update_user(accounts.get_user(admin.id), {"active": False})
        assert refused.value.status == 409
        db.session.rollback()
    assert client.get("/api/v1/users/me", headers=admin.headers).status_code == 200


# --- switching off takes effect at once ---------------------------------------------------------------

def test_switching_off_stops_the_bearer_token_at_once(client, admin, people):
    token = token_for(client, "zhang.judge").get_json()["token"]
    assert client.get("/api/v1/users/me", headers=bearer(token)).status_code == 200
    user_id = people["zhang.judge"]["id"]
    assert client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin.headers).status_code == 200
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401)
    assert_error(client.get("/api/v1/judge/contests", headers=bearer(token)), 401)
    assert_error(token_for(client, "zhang.judge"), 401)  # nor can it sign in again


def test_switching_off_ends_the_browser_session(app, client, admin, people):
    browser = browser_sign_in(app, "Wang_Org")
    assert browser.get("/api/v1/users/me").status_code == 200
    assert browser.get("/organize").status_code == 200
    user_id = people["Wang_Org"]["id"]
    assert client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin.headers).status_code == 200
    assert_error(browser.get("/api/v1/users/me"), 401)
    page = browser.get("/organize")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert 'data-testid="signed-in-as"' not in browser.get("/").get_data(as_text=True)



def test_switching_an_account_on_again_does_not_revive_its_old_sessions(app, client, admin, people):
    browser = browser_sign_in(app, "Wang_Org")
    url = f"/api/v1/users/{people['Wang_Org']['id']}"
    assert client.patch(url, json={"active": False}, headers=admin.headers).status_code == 200
    assert client.patch(url, json={"active": True}, headers=admin.headers).status_code == 200
    assert_error(browser.get("/api/v1/users/me"), 401)  # the cookie of before stays dead
    again = browser_sign_in(app, "Wang_Org")
    assert again.get("/api/v1/users/me").get_json()["username"] == "Wang_Org"


def test_a_password_change_ends_the_browser_sessions(app, client, admin, people):
    browser = browser_sign_in(app, "Wang_Org")
    assert browser.get("/api/v1/users/me").status_code == 200
    url = f"/api/v1/users/{people['Wang_Org']['id']}"
    assert client.patch(url, json={"password": NEW_PASSWORD}, headers=admin.headers).status_code == 200
    assert_error(browser.get("/api/v1/users/me"), 401)
    assert browser_sign_in(app, "Wang_Org", NEW_PASSWORD).get("/api/v1/users/me").status_code == 200
    renamed = client.patch(url, json={"display_name": "王组织（改）"}, headers=admin.headers)
    assert renamed.status_code == 200  # other changes leave sessions alone
    fresh = browser_sign_in(app, "Wang_Org", NEW_PASSWORD)
    client.patch(url, json={"display_name": "王组织"}, headers=admin.headers)
    assert fresh.get("/api/v1/users/me").status_code == 200

def test_reactivation_brings_no_old_token_back(app, client, admin, people):
    from competition.extensions import db
    from competition.models import ApiToken, User
    from competition.services import accounts

    api_token = token_for(client, "zhang.judge").get_json()["token"]
    with app.app_context():
        judge = db.session.get(User, people["zhang.judge"]["id"])
        qr_link = accounts.issue_token(judge, purpose="qr", lifetime=timedelta(hours=1))
        db.session.commit()
        assert accounts.one_time_token_user(qr_link, purpose="qr") is not None
    url = f"/api/v1/users/{people['zhang.judge']['id']}"
    assert client.patch(url, json={"active": False}, headers=admin.headers).status_code == 200
    with app.app_context():
        assert db.session.query(ApiToken).filter_by(user_id=people["zhang.judge"]["id"]).count() == 0
    assert client.patch(url, json={"active": True}, headers=admin.headers).status_code == 200
    assert_error(client.get("/api/v1/users/me", headers=bearer(api_token)), 401)
    with app.app_context():
        assert accounts.one_time_token_user(qr_link, purpose="qr") is None
    # The account itself works again, with a new token.
    fresh = token_for(client, "zhang.judge")
    assert fresh.status_code == 201
    assert client.get("/api/v1/users/me", headers=bearer(fresh.get_json()["token"])).status_code == 200


def test_a_password_change_revokes_tokens_and_the_new_password_signs_in(app, client, admin, people):
    token = token_for(client, "li.judge").get_json()["token"]
    url = f"/api/v1/users/{people['li.judge']['id']}"
    assert client.patch(url, json={"password": NEW_PASSWORD}, headers=admin.headers).status_code == 200
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401)
    assert_error(token_for(client, "li.judge", PASSWORD), 401)
    fresh = token_for(client, "li.judge", NEW_PASSWORD)
    assert fresh.status_code == 201
    assert client.get("/api/v1/users/me", headers=bearer(fresh.get_json()["token"])).status_code == 200
    browser_sign_in(app, "li.judge", NEW_PASSWORD)


def test_changes_are_audited_without_secrets(app, client, admin, people, enterprise_id):
    from competition.extensions import db
    from competition.models import User

    user_id = people["li.judge"]["id"]
    url = f"/api/v1/users/{user_id}"
    token_for(client, "li.judge")
    for body in ({"display_name": "李四"}, {"enterprise_id": enterprise_id}, {"active": False}, {"active": True},
                 {"password": NEW_PASSWORD}):
        assert client.patch(url, json=body, headers=admin.headers).status_code == 200
    entries = [e for e in audit_entries(client, admin) if e["target"] == f"user:{user_id}"]
    assert len(entries) == 5
    assert all(e["actor"] == admin.username for e in entries)
    assert entries[0]["before"] == {"display_name": "李裁判"} and entries[0]["after"] == {"display_name": "李四"}
    assert entries[1]["after"] == {"enterprise_id": enterprise_id}
    assert entries[2]["before"] == {"active": True} and entries[2]["after"]["active"] is False
    assert entries[2]["after"]["tokens_revoked"] == 1
    assert entries[3]["after"] == {"active": True}
    assert entries[4]["after"]["password_changed"] is True
    with app.app_context():
        password_hash = db.session.get(User, user_id).password_hash
    everything = json.dumps(client.get("/api/v1/audit", headers=admin.headers).get_json(), ensure_ascii=False)
    assert NEW_PASSWORD not in everything and PASSWORD not in everything and password_hash not in everything
    assert "argon2" not in everything
    # A request that changes nothing writes nothing.
    assert client.patch(url, json={"display_name": "李四"}, headers=admin.headers).status_code == 200
    assert len([e for e in audit_entries(client, admin) if e["target"] == f"user:{user_id}"]) == 5


@pytest.mark.backends
def test_a_judge_who_changes_employer_is_conflicted_with_the_new_one(app, client, admin):
    """roles.md 回避: the judge's enterprise_id decides, as it is now; a final contest keeps its record."""
    from tests.contest_fixtures import new_account, set_state, setup_contest

    setup = setup_contest(client, admin, competitors=2, judges=1, start=True)
    first, second = setup.enterprises  # competitor "1" works for the first, "2" for the second
    judge = new_account(client, admin, "judge", enterprise_id=second)
    done = setup_contest(client, admin, competitors=0, judges=0, organizer=setup.organizer)
    for contest in (setup, done):
        assert client.post(f"{contest.url}/judges", json={"user_id": judge.id, "aspects": "all"},
                           headers=setup.organizer.headers).status_code == 201
    set_state(app, done.contest_id, "final")

    def mark(bib, value):
        body = {"competitor_id": setup.competitor_id(bib), "aspect_code": "A1", "value": value}
        return client.put(f"{setup.url}/marks", json=body, headers=judge.headers)

    assert_error(mark(2, "5"), 403, reason="conflict_of_interest")
    assert mark(1, "5").status_code == 201
    for employer, conflicted, free in ((first, 1, 2), (second, 2, 1)):
        response = client.patch(f"/api/v1/users/{judge.id}", json={"enterprise_id": employer}, headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        assert_error(mark(conflicted, "6"), 403, reason="conflict_of_interest")
        assert mark(free, "7").status_code in (200, 201)
    entries = client.get("/api/v1/audit", headers=admin.headers).get_json()
    moved = [e["after"] for e in entries if e["action"] == "user.update" and e["target"] == f"user:{judge.id}"]
    assert [m["enterprise_id"] for m in moved] == [first, second]
    assert {m["seats_moved"] for m in moved} == {1}  # the running contest's seat, not the final one's
    judges_of_done = client.get(f"{done.url}/judges", headers=setup.organizer.headers).get_json()
    assert [j["enterprise_id"] for j in judges_of_done] == [second]
