"""Occupations (promotion.md, Occupations) and `competition occupations load`."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.masterdata import ELECTRICIAN, create_enterprise
from tests.support import assert_error

SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "occupations.csv"
PACKAGED_CSV = Path(__file__).resolve().parents[1] / "competition" / "data" / "occupations.csv"


def test_create_and_list(client, admin, make_user):
    response = client.post("/api/v1/occupations", json={**ELECTRICIAN, "direction": "维修电工"},
                           headers=admin.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "6-31-01-03" and body["name"] == "电工" and body["edition"] == "2022"
    assert body["levels"] == [5, 4, 3, 2, 1] and body["direction"] == "维修电工"
    organizer = make_user("organizer")
    second = client.post("/api/v1/occupations",
                         json={"code": "6-18-01-01", "edition": "2022", "name": "车工", "levels": [3, 5, 4]},
                         headers=organizer.headers)
    assert second.status_code == 201 and second.get_json()["levels"] == [5, 4, 3]
    for account in (admin, organizer, make_user("judge")):
        listed = client.get("/api/v1/occupations", headers=account.headers)
        assert listed.status_code == 200
        assert [o["code"] for o in listed.get_json()] == ["6-18-01-01", "6-31-01-03"]
    assert_error(client.get("/api/v1/occupations"), 401)


@pytest.mark.parametrize("code", ["6310103", "6-31-01-3", "06-31-01-03", "6-31-01-03 ", "A-31-01-03",
                                  "6-31-01", "6_31_01_03", "６-31-01-03", ""])
def test_bad_code_format_is_422(client, admin, code):
    assert_error(client.post("/api/v1/occupations", json={**ELECTRICIAN, "code": code}, headers=admin.headers),
                 422, field="code")


@pytest.mark.parametrize("levels", [[], [0], [6], [5, 5], ["5"], [5.0], "5,4", None, [True]])
def test_levels_must_be_a_non_empty_subset_of_1_to_5(client, admin, levels):
    assert_error(client.post("/api/v1/occupations", json={**ELECTRICIAN, "levels": levels},
                             headers=admin.headers), 422, field="levels")


@pytest.mark.backends
def test_blank_name_unknown_field_and_duplicate(client, admin):
    assert_error(client.post("/api/v1/occupations", json={**ELECTRICIAN, "name": "  "}, headers=admin.headers),
                 422, field="name")
    assert_error(client.post("/api/v1/occupations", json={**ELECTRICIAN, "grade": "x"}, headers=admin.headers),
                 422, field="grade")
    assert client.post("/api/v1/occupations", json=ELECTRICIAN, headers=admin.headers).status_code == 201
    assert_error(client.post("/api/v1/occupations", json=ELECTRICIAN, headers=admin.headers), 409, field="code")


def test_only_admin_and_organizer_create(client, admin, make_user):
    enterprise_id = create_enterprise(client, admin)
    for account in (make_user("judge"), make_user("hr", enterprise_id=enterprise_id)):
        assert_error(client.post("/api/v1/occupations", json=ELECTRICIAN, headers=account.headers), 403)
    assert_error(client.post("/api/v1/occupations", json=ELECTRICIAN), 401)


def test_packaged_list_is_the_shared_real_data():
    if not SHARED_CSV.exists():
        pytest.skip("shared/data is not beside this checkout")
    assert PACKAGED_CSV.read_bytes() == SHARED_CSV.read_bytes()


def _cli(app, *args):
    from competition.cli import main

    return app.test_cli_runner().invoke(main, list(args))


def test_cli_load_upserts_by_code(app, tmp_path):
    from competition.extensions import db
    from competition.models import AuditEntry, Occupation

    result = _cli(app, "occupations", "load")
    assert result.exit_code == 0, result.output
    with PACKAGED_CSV.open(encoding="utf-8") as fh:
        shipped = list(csv.DictReader(fh))
    assert f"{len(shipped)} created, 0 updated, 0 unchanged" in result.output
    with app.app_context():
        electrician = db.session.query(Occupation).filter_by(code="6-31-01-03").one()
        assert electrician.name == "电工" and electrician.levels == [5, 4, 3, 2, 1]

    again = _cli(app, "occupations", "load")
    assert f"0 created, 0 updated, {len(shipped)} unchanged" in again.output

    custom = tmp_path / "more.csv"
    custom.write_text("\ufeffcode,edition,name,levels,direction\n"
                      "6-31-01-03,2022,电工,\"5,4,3\",维修电工\n"
                      "6-29-01-01,2022,砌筑工,\"5,4,3,2\",\n", encoding="utf-8")
    result = _cli(app, "occupations", "load", "--file", str(custom))
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated, 0 unchanged" in result.output
    with app.app_context():
        electrician = db.session.query(Occupation).filter_by(code="6-31-01-03").one()
        assert electrician.levels == [5, 4, 3] and electrician.direction == "维修电工"
        assert db.session.query(Occupation).count() == len(shipped) + 1
        assert db.session.query(AuditEntry).filter_by(action="occupation.load").count() == 2


def test_cli_load_rejects_a_bad_file_and_changes_nothing(app, tmp_path):
    from competition.extensions import db
    from competition.models import Occupation

    bad = tmp_path / "bad.csv"
    bad.write_text("code,edition,name,levels\n6-31-01-03,2022,电工,\"5,4\"\n631,2022,坏,\"5\"\n"
                   "6-18-01-01,2022,车工,\"7\"\n", encoding="utf-8")
    result = _cli(app, "occupations", "load", "--file", str(bad))
    assert result.exit_code != 0
    assert "line 3" in result.output and "line 4" in result.output
    with app.app_context():
        assert db.session.query(Occupation).count() == 0
