"""Enterprises with their certificate-number settings (api.md, Users and enterprises; roles.md)."""
from __future__ import annotations

import pytest

from tests.masterdata import create_enterprise
from tests.support import assert_error

BODY = {"code": "GRID", "name": "国网辽宁电力有限公司", "cert_prefix": "Y", "org_code": "0000",
        "province_code": "21", "site_code": "000001"}


def test_admin_creates_an_enterprise(app, client, admin):
    response = client.post("/api/v1/enterprises", json=BODY, headers=admin.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in BODY} == BODY
    assert isinstance(body["id"], int)
    from competition.extensions import db
    from competition.models import AuditEntry

    with app.app_context():
        entries = db.session.query(AuditEntry).filter_by(action="enterprise.create").all()
        assert [e.target for e in entries] == [f"enterprise:{body['id']}"]
        assert entries[0].after["site_code"] == "000001"


def test_social_evaluation_prefix_is_accepted(client, admin):
    response = client.post("/api/v1/enterprises", json={**BODY, "cert_prefix": "S", "org_code": "1234"},
                           headers=admin.headers)
    assert response.status_code == 201
    assert response.get_json()["cert_prefix"] == "S"


@pytest.mark.parametrize("field,value", [
    ("cert_prefix", "X"), ("cert_prefix", "y"), ("org_code", "123"), ("org_code", "12a4"),
    ("province_code", "2"), ("province_code", "２１"), ("site_code", "12345"), ("site_code", "1234567"),
])
def test_bad_certificate_settings_are_422_naming_the_field(app, client, admin, field, value):
    body = assert_error(client.post("/api/v1/enterprises", json={**BODY, field: value}, headers=admin.headers),
                        422, field=field)
    assert list(body["errors"]) == [field]
    from competition.extensions import db
    from competition.models import Enterprise

    with app.app_context():
        assert db.session.query(Enterprise).count() == 0


@pytest.mark.backends
def test_unknown_field_missing_name_and_long_code_are_422(client, admin):
    assert_error(client.post("/api/v1/enterprises", json={**BODY, "colour": "red"}, headers=admin.headers),
                 422, field="colour")
    assert_error(client.post("/api/v1/enterprises", json={k: v for k, v in BODY.items() if k != "name"},
                             headers=admin.headers), 422, field="name")
    assert_error(client.post("/api/v1/enterprises", json={**BODY, "code": "C" * 33}, headers=admin.headers),
                 422, field="code")
    assert_error(client.post("/api/v1/enterprises", json={**BODY, "name": "名" * 201}, headers=admin.headers),
                 422, field="name")


@pytest.mark.backends
def test_duplicate_code_is_409(client, admin):
    assert client.post("/api/v1/enterprises", json=BODY, headers=admin.headers).status_code == 201
    assert_error(client.post("/api/v1/enterprises", json={**BODY, "name": "另一家"}, headers=admin.headers),
                 409, field="code")


def test_only_admin_creates(client, admin, make_user):
    enterprise_id = create_enterprise(client, admin, "E1")
    for account in (make_user("organizer"), make_user("judge"), make_user("hr", enterprise_id=enterprise_id)):
        assert_error(client.post("/api/v1/enterprises", json=BODY, headers=account.headers), 403)
    assert_error(client.post("/api/v1/enterprises", json=BODY), 401)


def test_list_all_for_admin_and_organizer_own_for_hr(client, admin, make_user):
    a = create_enterprise(client, admin, "A")
    b = create_enterprise(client, admin, "B")
    for account in (admin, make_user("organizer")):
        response = client.get("/api/v1/enterprises", headers=account.headers)
        assert response.status_code == 200
        assert [e["id"] for e in response.get_json()] == [a, b]
    hr = make_user("hr", enterprise_id=b)
    assert [e["code"] for e in client.get("/api/v1/enterprises", headers=hr.headers).get_json()] == ["B"]
    assert_error(client.get("/api/v1/enterprises", headers=make_user("judge").headers), 403)
    assert_error(client.get("/api/v1/enterprises"), 401)


def test_get_one_scoped_for_hr(client, admin, make_user):
    a = create_enterprise(client, admin, "A")
    b = create_enterprise(client, admin, "B")
    hr_a, hr_b = make_user("hr", enterprise_id=a), make_user("hr", enterprise_id=b)
    for account in (admin, make_user("organizer"), hr_a):
        response = client.get(f"/api/v1/enterprises/{a}", headers=account.headers)
        assert response.status_code == 200 and response.get_json()["code"] == "A"
    # Another enterprise's hr cannot tell A from an id that does not exist.
    missing = assert_error(client.get("/api/v1/enterprises/9999", headers=hr_b.headers), 404)
    hidden = assert_error(client.get(f"/api/v1/enterprises/{a}", headers=hr_b.headers), 404)
    assert missing["message"] == hidden["message"]
    assert_error(client.get(f"/api/v1/enterprises/{a}", headers=make_user("judge").headers), 403)
    assert_error(client.get("/api/v1/enterprises/9999", headers=admin.headers), 404)
