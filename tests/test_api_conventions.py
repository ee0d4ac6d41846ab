"""api.md, Conventions: error bodies, unknown fields, body limits, tokens, idempotency."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.support import PASSWORD, assert_error


def new_user_body(username="alice", **extra):
    return {"username": username, "password": "s3cret-pass", "role": "organizer", **extra}


def test_400_malformed_json(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert_error(response, 400)


def test_401_anonymous(client):
    assert_error(client.get("/api/v1/users/me"), 401)


def test_401_bad_token(client):
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": "Bearer nope"}), 401)


def test_401_expired_token(app, client, make_user):
    from competition.extensions import db
    from competition.models import ApiToken

    account = make_user("judge")
    with app.app_context():
        token = db.session.query(ApiToken).filter_by(user_id=account.id).one()
        token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    assert_error(client.get("/api/v1/users/me", headers=account.headers), 401)


def test_403_wrong_role(client, make_user):
    organizer = make_user("organizer")
    assert_error(client.post("/api/v1/users", json=new_user_body(), headers=organizer.headers), 403)


def test_404_unknown_path(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404)


def test_409_duplicate_username(client, admin):
    assert client.post("/api/v1/users", json=new_user_body(), headers=admin.headers).status_code == 201
    assert_error(client.post("/api/v1/users", json=new_user_body(), headers=admin.headers), 409)


def test_413_oversized_body(client, admin):
    body = new_user_body(display_name="x" * (1024 * 1024 + 10))
    assert_error(client.post("/api/v1/users", json=body, headers=admin.headers), 413)


def test_422_unknown_field_names_the_field(client, admin):
    body = assert_error(client.post("/api/v1/users", json=new_user_body(colour="red"), headers=admin.headers),
                        422, field="colour")
    assert body["status"] == "Unprocessable Entity"


def test_422_missing_and_too_long(client, admin):
    assert_error(client.post("/api/v1/users", json={"username": "bob"}, headers=admin.headers), 422,
                 field="password")
    body = new_user_body(display_name="名" * 201)
    assert_error(client.post("/api/v1/users", json=body, headers=admin.headers), 422, field="display_name")


def test_422_nothing_changed(app, client, admin):
    from competition.extensions import db
    from competition.models import User

    client.post("/api/v1/users", json=new_user_body(role="wizard"), headers=admin.headers)
    with app.app_context():
        assert db.session.query(User).filter_by(username="alice").count() == 0


def test_token_for_password_and_me(client, make_user):
    account = make_user("organizer")
    response = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"] == {"id": account.id, "username": account.username, "display_name": account.username,
                            "role": "organizer", "enterprise_id": None}
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == account.id


def test_wrong_password_is_401(client, make_user):
    account = make_user("judge")
    assert_error(client.post("/api/v1/auth/token", json={"username": account.username, "password": "wrong"}), 401)
    assert_error(client.post("/api/v1/auth/token", json={"username": "ghost", "password": "wrong"}), 401)


def test_throttling_per_user_with_retry_after(client, make_user):
    account = make_user("judge")
    for _ in range(5):
        assert client.post("/api/v1/auth/token",
                           json={"username": account.username, "password": "wrong"}).status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD})
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # Another user from the same address is not yet throttled.
    other = make_user("judge")
    assert client.post("/api/v1/auth/token",
                       json={"username": other.username, "password": PASSWORD}).status_code == 201


def test_throttling_per_address(app, client, make_user):
    app.config["COMPETITION_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for n in range(3):
        client.post("/api/v1/auth/token", json={"username": f"ghost{n}", "password": "x"})
    account = make_user("judge")
    assert_error(client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD}),
                 429)
    # A different address is unaffected.
    response = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 201


def test_idempotent_replay_returns_first_response(app, client, admin):
    from competition.extensions import db
    from competition.models import User

    headers = {**admin.headers, "Idempotency-Key": "k-1"}
    first = client.post("/api/v1/users", json=new_user_body(), headers=headers)
    again = client.post("/api/v1/users", json=new_user_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.query(User).filter_by(username="alice").count() == 1


def test_idempotency_key_with_other_body_is_409(app, client, admin):
    from competition.extensions import db
    from competition.models import User

    headers = {**admin.headers, "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/users", json=new_user_body(), headers=headers).status_code == 201
    assert_error(client.post("/api/v1/users", json=new_user_body("bob"), headers=headers), 409)
    with app.app_context():
        assert db.session.query(User).filter_by(username="bob").count() == 0


def test_idempotency_keys_are_per_user(client, make_user):
    a, b = make_user("admin"), make_user("admin")
    assert client.post("/api/v1/users", json=new_user_body("u1"),
                       headers={**a.headers, "Idempotency-Key": "same"}).status_code == 201
    assert client.post("/api/v1/users", json=new_user_body("u2"),
                       headers={**b.headers, "Idempotency-Key": "same"}).status_code == 201


def test_failed_request_is_not_remembered(client, admin):
    headers = {**admin.headers, "Idempotency-Key": "k-3"}
    assert client.post("/api/v1/users", json=new_user_body(role="wizard"), headers=headers).status_code == 422
    assert client.post("/api/v1/users", json=new_user_body(), headers=headers).status_code == 201


def test_every_error_is_json_under_api(client):
    response = client.open("/api/v1/users/me", method="DELETE")
    body = assert_error(response, 405)
    assert json.dumps(body)


def test_behind_a_proxy_throttling_sees_each_clients_own_address(database_url, make_user, app):
    """With COMPETITION_PROXY_COUNT=1 (nginx) the address comes from X-Forwarded-For, so one client's
    failures do not lock out everyone behind the same proxy."""
    from competition import create_app

    proxied = create_app({**app.config, "COMPETITION_PROXY_COUNT": 1,
                          "COMPETITION_LOGIN_MAX_FAILURES_PER_ADDRESS": 3})
    client = proxied.test_client()
    for n in range(3):
        client.post("/api/v1/auth/token", json={"username": f"ghost{n}", "password": "x"},
                    headers={"X-Forwarded-For": "203.0.113.7"})
    account = make_user("judge")
    body = {"username": account.username, "password": PASSWORD}
    assert_error(client.post("/api/v1/auth/token", json=body, headers={"X-Forwarded-For": "203.0.113.7"}), 429)
    assert client.post("/api/v1/auth/token", json=body, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 201
