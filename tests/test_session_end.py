"""Sessions and tokens end when asked (api.md, Conventions: sessions and tokens)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support import PASSWORD, signed_in


def _cookie(browser) -> str:
    return browser.get_cookie("session").value


def _with_cookie(app, value: str):
    copy = app.test_client()
    copy.set_cookie("session", value)
    return copy


def test_a_cookie_saved_before_sign_out_is_refused_after_it(app, make_user):
    organizer = make_user("organizer")
    browser = signed_in(app, organizer.username)
    saved = _cookie(browser)
    assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 200
    assert _with_cookie(app, saved).get("/organize").status_code == 200
    html = browser.get("/organize").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 401
    assert _with_cookie(app, saved).get("/organize").status_code in (302, 401)
    # signing in again starts a new session; the old copy stays dead
    again = signed_in(app, organizer.username)
    assert again.get("/api/v1/users/me").status_code == 200
    assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 401


def test_a_revoked_token_is_401(app, client, make_user):
    user = make_user("judge")
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD,
                                                     "label": "tablet 3"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200  # a use, noted
    listed = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert len(listed) == 2 and {"id", "created_at", "last_used_at", "label"} <= set(listed[-1])
    assert listed[-1]["label"] == "tablet 3" and listed[-1]["last_used_at"] is not None
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401
    assert client.delete("/api/v1/auth/token").status_code == 401  # no token to revoke
    assert len(client.get("/api/v1/auth/tokens", headers=user.headers).get_json()) == 1


def test_tokens_by_id_own_or_admin(app, client, make_user):
    first, second, admin = make_user("judge"), make_user("judge"), make_user("admin")
    (mine,) = client.get("/api/v1/auth/tokens", headers=first.headers).get_json()
    (theirs,) = client.get("/api/v1/auth/tokens", headers=second.headers).get_json()
    assert client.delete(f"/api/v1/auth/tokens/{theirs['id']}", headers=first.headers).status_code == 404
    assert client.get("/api/v1/users/me", headers=second.headers).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{2**40}", headers=first.headers).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{theirs['id']}", headers=admin.headers).status_code == 204
    assert client.get("/api/v1/users/me", headers=second.headers).status_code == 401
    assert client.delete(f"/api/v1/auth/tokens/{mine['id']}", headers=first.headers).status_code == 204
    assert client.get("/api/v1/users/me", headers=first.headers).status_code == 401
    audit = client.get("/api/v1/audit", headers=admin.headers).get_json()
    assert sum(1 for e in audit if e["action"] == "token.revoke") == 2


def test_a_password_change_or_switch_off_revokes_sessions_and_tokens(app, client, make_user):
    admin = make_user("admin")
    for change in ({"password": "another-password-1"}, {"active": False}):
        user = make_user("organizer")
        browser = signed_in(app, user.username)
        saved = _cookie(browser)
        assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 200
        response = client.patch(f"/api/v1/users/{user.id}", json=change, headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        assert client.get("/api/v1/users/me", headers=user.headers).status_code == 401
        assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 401
        if "active" in change:
            client.patch(f"/api/v1/users/{user.id}", json={"active": True}, headers=admin.headers)
            assert _with_cookie(app, saved).get("/api/v1/users/me").status_code == 401  # not revived


def test_tokens_expire_after_thirty_days_unused_and_live_on_while_used(app, client, make_user):
    from competition.extensions import db
    from competition.models import ApiToken

    idle, busy = make_user("judge"), make_user("judge")
    long_ago = datetime.now(timezone.utc) - timedelta(days=29, hours=23)
    with app.app_context():
        for account in (idle, busy):
            token = db.session.query(ApiToken).filter_by(user_id=account.id).one()
            token.created_at = token.used_at = long_ago
            token.expires_at = long_ago + timedelta(days=30)
        db.session.commit()
    assert client.get("/api/v1/users/me", headers=busy.headers).status_code == 200  # used: 30 more days
    with app.app_context():
        for account in (idle, busy):  # two hours later
            token = db.session.query(ApiToken).filter_by(user_id=account.id).one()
            token.expires_at -= timedelta(hours=2)
            if token.used_at:
                token.used_at -= timedelta(hours=2)
        db.session.commit()
    assert client.get("/api/v1/users/me", headers=idle.headers).status_code == 401
    assert client.get("/api/v1/users/me", headers=busy.headers).status_code == 200
