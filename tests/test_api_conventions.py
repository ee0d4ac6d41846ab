"""api.md, Conventions: error bodies, unknown fields, body limits, tokens, idempotency."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import PASSWORD, assert_error

# Both databases: idempotency, overlong text and constraint errors.
pytestmark = pytest.mark.backends


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


# --- never a 500 for bad input (api.md, Conventions) --------------------------------------------------------
# These run with PROPAGATE_EXCEPTIONS off, as in production: a fault is the 500 a client would get (with
# the api.md body), not an exception raised into the test.

HUGE = 2**70  # beyond the database's integers (ids are 1 .. 2**31 - 1)


@pytest.fixture
def served(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_400_json_nested_too_deeply_or_with_an_overlong_integer(served, client):
    """The json module raises RecursionError for a very deep document and a plain ValueError for an
    integer of more than 4,300 digits; both are malformed JSON, for anyone, on any endpoint."""
    deep = "[" * 50000 + "]" * 50000
    assert_error(client.post("/api/v1/auth/token", data=deep, content_type="application/json"), 400)
    just_parseable = '{"username": ' + "[" * 900 + "]" * 900 + ', "password": "x"}'
    assert_error(client.post("/api/v1/auth/token", data=just_parseable, content_type="application/json"), 400)
    overlong = '{"username": ' + "1" * 5000 + ', "password": "x"}'
    assert_error(client.post("/api/v1/auth/token", data=overlong, content_type="application/json"), 400)
    # Flask's own Request.get_json reads through the same provider: a ValueError there is its 400 too.
    for body in (deep, just_parseable, overlong):
        with pytest.raises(ValueError):
            served.json.loads(body)
    assert served.json.loads('{"a": [[[1]]]}') == {"a": [[[1]]]}


@pytest.mark.parametrize(("field", "value"), [
    ("starts_at", "0001-01-01T00:00:00"),  # naive: read in Asia/Shanghai, before year 1 in UTC
    ("starts_at", "0001-01-01T00:00:00+14:00"),
    ("ends_at", "9999-12-31T23:59:59-12:00"),  # after year 9999 in UTC
    ("ends_at", "9999-12-31T23:59:59+14:00"),  # representable, but its next calendar year is not
    ("freeze_at", "0001-01-01T00:00:00"),
    ("freeze_at", "9999-12-31T23:59:59"),
])
def test_422_contest_times_beyond_the_calendar(served, client, admin, field, value):
    from tests.contest_fixtures import contest_body, setup_contest

    setup = setup_contest(client, admin, scheme=None, competitors=0, judges=0)
    headers = setup.organizer.headers
    assert_error(client.post("/api/v1/contests", json=contest_body(**{field: value}), headers=headers), 422,
                 field=field)
    assert_error(client.patch(setup.url, json={field: value}, headers=headers), 422, field=field)
    contest = client.get(setup.url, headers=headers).get_json()
    assert contest[field] is None or contest[field].startswith("20")  # nothing changed


def test_422_ids_beyond_the_database_integers_in_a_body(served, client, admin, make_user):
    from tests.world import build_world

    world = build_world(served, make_user)
    marks = f"/api/v1/contests/{world.contest_id}/marks"
    judge = world.judges["j1"].headers
    assert_error(client.put(marks, json={"competitor_id": HUGE, "aspect_code": "A1", "value": "1"}, headers=judge),
                 422, field="competitor_id")
    body = {"competitor_id": world.competitors["c1"], "aspect_code": "A1", "value": "1", "expected_version": HUGE}
    assert_error(client.put(marks, json=body, headers=judge), 422, field="expected_version")
    assert_error(client.post("/api/v1/users", json=new_user_body(role="hr", enterprise_id=HUGE),
                             headers=admin.headers), 422, field="enterprise_id")
    # A float the size of 1e308 is a whole number to a lenient integer field: bounded all the same.
    body = json.dumps(new_user_body(role="hr"))[:-1] + ', "enterprise_id": 1e308}'
    assert_error(client.post("/api/v1/users", data=body, content_type="application/json", headers=admin.headers),
                 422, field="enterprise_id")
    # The bounds are in the OpenAPI document.
    spec = client.get("/api/v1/openapi.json").get_json()
    mark_in = spec["components"]["schemas"]["MarkIn"]["properties"]["competitor_id"]
    assert (mark_in["minimum"], mark_in["maximum"]) == (1, 2**31 - 1)


def test_ids_beyond_the_database_integers_in_a_query(served, client, admin, make_user):
    from tests.contest_fixtures import make_enterprise
    from tests.world import build_world

    world = build_world(served, make_user)
    huge = "99999999999999999999"
    response = client.get(f"/api/v1/contests/{world.contest_id}/marks?competitor_id={huge}",
                          headers=world.organizer.headers)
    assert_error(response, 422, field="competitor_id")
    enterprise = make_enterprise(served)
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/grade-scheme?version={huge}", headers=admin.headers),
                 422, field="version")
    assert_error(client.get(f"/api/v1/users?page={huge}", headers=admin.headers), 422, field="page")
    assert_error(client.get(f"/api/v1/enterprises/{enterprise}/people?page={huge}", headers=admin.headers), 422,
                 field="page")
    assert client.get(f"/api/v1/users?page={2**31 - 1}", headers=admin.headers).get_json() == []
    # The pages: an unknown version is 404 (as a well-formed unknown one), a page past the end is empty.
    from tests.support import signed_in

    hr = signed_in(served, make_user("hr", enterprise_id=enterprise).username)
    assert hr.get(f"/hr/grade-scheme?version={huge}").status_code == 404
    assert hr.get(f"/hr/people?page={huge}").status_code == 200


def test_422_overlong_digit_string_in_a_marking_scheme(served, client, admin):
    """int() refuses more than 4,300 digits with a ValueError: in JSON and in a spreadsheet cell alike,
    such a number is simply out of range."""
    import io

    from openpyxl import Workbook

    from tests.contest_fixtures import SMALL_SCHEME, setup_contest

    setup = setup_contest(client, admin, scheme=None, competitors=0, judges=0)
    scheme = json.loads(json.dumps(SMALL_SCHEME))
    scheme["components"][1]["modules"][1]["aspects"][1]["panel_size"] = "9" * 5000
    response = client.put(f"{setup.url}/marking-scheme", json=scheme, headers=setup.organizer.headers)
    assert_error(response, 422, field="components.1.modules.1.aspects.1.panel_size")

    workbook = Workbook()
    workbook.active.append(["component", "component_name", "weight", "module", "module_name", "aspect",
                            "aspect_name", "type", "max_mark", "panel_size"])
    workbook.active.append(["C", "综合", "9" * 5000, "M", "模块M", "M1", "成绩", "panel", "9" * 5000, "9" * 5000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(f"{setup.url}/marking-scheme/import", data={"file": (io.BytesIO(buffer.getvalue()),
                                                                                 "scheme.xlsx")},
                           headers=setup.organizer.headers, content_type="multipart/form-data")
    assert_error(response, 422)
