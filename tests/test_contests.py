"""api.md, Contests: creating and reading contests, settings, competitors and judges."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contest_fixtures import (
    ELECTRICIAN,
    SMALL_SCHEME,
    contest_body,
    create_contest,
    ensure_occupation,
    make_enterprise,
    make_person,
    new_account,
    set_state,
    setup_contest,
)
from tests.support import assert_error

POLICY = {"min_total": "60", "eligible_kinds": ["employee"], "once_per_year": True, "bands": [
    {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}, "cap_level": 1}]}


@pytest.fixture
def organizer(client, admin, app):
    ensure_occupation(app)
    return new_account(client, admin, "organizer")


def audit_actions(client, admin, contest_id):
    entries = client.get(f"/api/v1/audit?contest_id={contest_id}", headers=admin.headers).get_json()
    return [e["action"] for e in entries]


# --- create --------------------------------------------------------------------------------------------

def test_create_contest_with_every_field(client, admin, organizer):
    body = contest_body(tier="provincial_class_1", timezone="Asia/Urumqi", visibility="final_only",
                        freeze_at=(datetime.now(timezone.utc) + timedelta(hours=6)).isoformat(), precision=3,
                        blind=True, team_size=2, appeal_window_minutes=120,
                        tie_breakers=[{"component": "P"}, {"time_used": "asc"}], promotion_policy=POLICY)
    response = client.post("/api/v1/contests", json=body, headers=organizer.headers)
    assert response.status_code == 201, response.get_json()
    contest = response.get_json()
    assert contest["state"] == "draft" and isinstance(contest["id"], int)
    for key in ("tier", "timezone", "visibility", "precision", "blind", "team_size", "appeal_window_minutes",
                "tie_breakers"):
        assert contest[key] == body[key], key
    assert contest["occupation_code"] == ELECTRICIAN["code"] and contest["occupation_name"] == "电工"
    assert contest["promotion_policy"]["bands"][0]["ranks"] == [1, 3]
    assert contest["starts_at"].endswith("+00:00") and contest["scheme"] is None
    assert "contest.create" in audit_actions(client, admin, contest["id"])


def test_create_defaults(client, organizer):
    contest = create_contest(client, organizer)
    assert (contest["timezone"], contest["visibility"], contest["precision"], contest["blind"],
            contest["team_size"], contest["appeal_window_minutes"], contest["tie_breakers"],
            contest["freeze_at"]) == ("Asia/Shanghai", "live", 2, False, 1, 0, [], None)


def test_naive_times_are_read_in_the_contest_time_zone(client, organizer):
    contest = create_contest(client, organizer, starts_at="2026-05-01T08:00:00", ends_at="2026-05-01T17:00:00")
    assert contest["starts_at"] == "2026-05-01T00:00:00+00:00"  # 08:00 in Asia/Shanghai


@pytest.mark.parametrize("overrides, field", [
    ({"occupation_code": "9-99-99-99"}, "occupation_code"),
    ({"tier": "galactic"}, "tier"),
    ({"ends_at": "2020-01-01T00:00:00+00:00"}, "ends_at"),
    ({"visibility": "secret"}, "visibility"),
    ({"precision": 5}, "precision"),
    ({"precision": -1}, "precision"),
    ({"team_size": 4}, "team_size"),
    ({"appeal_window_minutes": -1}, "appeal_window_minutes"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"tie_breakers": [{"time_used": "desc"}]}, "tie_breakers.0"),
    ({"tie_breakers": [{"module": "A"}, {"colour": "red"}]}, "tie_breakers.1"),
    ({"promotion_policy": {"bands": [{"name": "x", "ranks": [3, 1], "action": {"to_level": 2}}]}},
     "promotion_policy.bands.0.ranks"),
    ({"promotion_policy": {"bands": []}}, "promotion_policy.bands"),
    ({"name": "  "}, "name"),
    ({"name": "名" * 201}, "name"),
    ({"colour": "red"}, "colour"),
])
def test_create_validation(client, organizer, overrides, field):
    response = client.post("/api/v1/contests", json=contest_body(**overrides), headers=organizer.headers)
    assert_error(response, 422, field=field)


def test_create_needs_admin_or_organizer(client, admin, make_user, app):
    ensure_occupation(app)
    assert_error(client.post("/api/v1/contests", json=contest_body()), 401)
    for role in ("judge", "hr"):
        account = make_user(role, enterprise_id=make_enterprise(app) if role == "hr" else None)
        assert_error(client.post("/api/v1/contests", json=contest_body(), headers=account.headers), 403)
    assert client.post("/api/v1/contests", json=contest_body(), headers=admin.headers).status_code == 201


# --- read ------------------------------------------------------------------------------------------------

def test_drafts_are_hidden_from_the_public_and_judges(client, admin, make_user):
    setup = setup_contest(client, admin)
    judge = setup.judges[1]
    for headers in ({}, judge.headers, setup.chief.headers):
        assert_error(client.get(setup.url, headers=headers), 404)
        assert setup.contest_id not in [c["id"] for c in client.get("/api/v1/contests", headers=headers).get_json()]
    staff = client.get(setup.url, headers=setup.organizer.headers).get_json()
    assert staff["state"] == "draft" and staff["scheme"]["components"][0]["code"] == "T"
    assert setup.contest_id in [c["id"] for c in client.get("/api/v1/contests", headers=admin.headers).get_json()]


def test_public_sees_public_fields_only(client, admin):
    setup = setup_contest(client, admin, start=True, promotion_policy=POLICY)
    public = client.get(setup.url).get_json()
    assert public["state"] == "running" and public["name"]
    for hidden in ("scheme", "promotion_policy", "scheme_version", "created_at"):
        assert hidden not in public
    assert [c["code"] for c in public["components"]] == ["T", "P"]  # column labels for boards
    assert [c["id"] for c in client.get("/api/v1/contests").get_json()] == [setup.contest_id]
    staff = client.get(setup.url, headers=setup.organizer.headers).get_json()
    assert staff["promotion_policy"]["bands"][0]["name"] == "前3名"


def test_unknown_and_huge_ids_are_404(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=1)
    for url in ("/api/v1/contests/999", "/api/v1/contests/99999999999999999999",
                f"{setup.url}/competitors/99999999999999999999"):
        response = client.get(url, headers=setup.organizer.headers) if "competitors" not in url else \
            client.patch(url, json={"status": "absent"}, headers=setup.organizer.headers)
        assert_error(response, 404)


# --- settings ----------------------------------------------------------------------------------------------

def test_patch_in_draft_changes_anything(client, admin):
    setup = setup_contest(client, admin, competitors=0)
    body = {"name": "新名称", "precision": 1, "tie_breakers": [{"module": "A"}], "promotion_policy": POLICY,
            "team_size": 2, "blind": True}
    response = client.patch(setup.url, json=body, headers=setup.organizer.headers)
    assert response.status_code == 200, response.get_json()
    contest = response.get_json()
    assert (contest["name"], contest["precision"], contest["tie_breakers"], contest["team_size"]) == \
        ("新名称", 1, [{"module": "A"}], 2)
    assert "contest.update" in audit_actions(client, admin, setup.contest_id)


def test_patch_tie_breakers_are_checked_against_the_scheme(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    response = client.patch(setup.url, json={"tie_breakers": [{"module": "Z"}]}, headers=setup.organizer.headers)
    assert_error(response, 422, field="tie_breakers.0")


def test_running_contest_allows_freeze_and_visibility_but_not_draft_only_settings(client, admin):
    setup = setup_contest(client, admin, start=True, competitors=1, judges=1)
    freeze = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(microsecond=0)
    response = client.patch(setup.url, json={"freeze_at": freeze.isoformat(), "visibility": "final_only",
                                             "name": "改名"}, headers=setup.organizer.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["freeze_at"] == freeze.isoformat() and response.get_json()["visibility"] == "final_only"
    for body, field in (({"precision": 3}, "precision"), ({"tie_breakers": [{"time_used": "asc"}]}, "tie_breakers"),
                        ({"promotion_policy": POLICY}, "promotion_policy"), ({"team_size": 2}, "team_size"),
                        ({"blind": True}, "blind")):
        assert_error(client.patch(setup.url, json=body, headers=setup.organizer.headers), 409, field=field,
                     reason="settings_fixed")
    # resending an unchanged draft-only value is fine (a form sends every field)
    assert client.patch(setup.url, json={"precision": 2}, headers=setup.organizer.headers).status_code == 200
    assert_error(client.put(f"{setup.url}/marking-scheme", json=SMALL_SCHEME, headers=setup.organizer.headers), 409,
                 reason="scheme_fixed")


def test_final_contest_settings_are_frozen(client, admin, app):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    set_state(app, setup.contest_id, "final")
    assert_error(client.patch(setup.url, json={"name": "x"}, headers=setup.organizer.headers), 409,
                 reason="contest_final")


def test_team_size_cannot_change_once_competitors_are_entered(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0)
    assert_error(client.patch(setup.url, json={"team_size": 2}, headers=setup.organizer.headers), 409,
                 field="team_size", reason="team_size_fixed")


def test_patch_needs_staff(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=1)
    assert_error(client.patch(setup.url, json={"name": "x"}), 401)
    assert_error(client.patch(setup.url, json={"name": "x"}, headers=setup.chief.headers), 403)


# --- competitors ---------------------------------------------------------------------------------------------

@pytest.mark.backends
def test_add_competitor_and_conflicts(client, admin, app):
    setup = setup_contest(client, admin, competitors=1, judges=0)
    url = f"{setup.url}/competitors"
    person = make_person(app, setup.enterprises[0], "新选手")
    response = client.post(url, json={"person_id": person, "bib": "7", "station": "A-07"},
                           headers=setup.organizer.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["bib"], body["status"], body["station"], body["name"]) == ("7", "active", "A-07", "新选手")
    assert body["members"][0]["person_id"] == person and "id_number" not in str(body)
    other = make_person(app, setup.enterprises[1], "另一人")
    assert_error(client.post(url, json={"person_id": other, "bib": "7"}, headers=setup.organizer.headers), 409,
                 field="bib", reason="entry_conflict")
    assert_error(client.post(url, json={"person_id": person, "bib": "8"}, headers=setup.organizer.headers), 409,
                 field="person_id")
    assert_error(client.post(url, json={"person_id": other, "bib": "9", "marking_no": "M01"},
                             headers=setup.organizer.headers), 409, field="marking_no")
    assert_error(client.post(url, json={"person_id": 424242, "bib": "10"}, headers=setup.organizer.headers), 422,
                 field="person_id")
    assert_error(client.post(url, json={"bib": "10"}, headers=setup.organizer.headers), 422, field="person_id")
    assert_error(client.post(url, json={"person_id": other, "bib": "10", "team_name": "队"},
                             headers=setup.organizer.headers), 422, field="team_name")
    assert_error(client.post(url, json={"person_id": other, "bib": "10", "shoe_size": 42},
                             headers=setup.organizer.headers), 422, field="shoe_size")
    assert_error(client.post(url, json={"person_id": other, "bib": "x" * 33}, headers=setup.organizer.headers),
                 422, field="bib")
    assert "competitor.add" in audit_actions(client, admin, setup.contest_id)


def test_competitor_is_listed_in_the_standings_at_once(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=0, start=True)
    rows = setup.standings()["rows"]
    assert sorted(r["competitor"]["bib"] for r in rows) == ["1", "2"]


def test_team_competitors(client, admin, app):
    setup = setup_contest(client, admin, competitors=1, judges=0, team_size=2)
    assert setup.competitors[0]["name"] == "代表队1" and len(setup.competitors[0]["members"]) == 2
    url = f"{setup.url}/competitors"
    a, b, c = (make_person(app, setup.enterprises[0], n) for n in ("甲", "乙", "丙"))
    assert_error(client.post(url, json={"member_ids": [a], "bib": "2"}, headers=setup.organizer.headers), 422,
                 field="member_ids")
    assert_error(client.post(url, json={"member_ids": [a, a], "bib": "2"}, headers=setup.organizer.headers), 422,
                 field="member_ids")
    assert_error(client.post(url, json={"member_ids": [a, b, c], "bib": "2"}, headers=setup.organizer.headers),
                 422, field="member_ids")
    assert_error(client.post(url, json={"person_id": a, "bib": "2"}, headers=setup.organizer.headers), 422,
                 field="person_id")
    assert_error(client.post(url, json={"member_ids": [a, setup.people[0]], "bib": "2"},
                             headers=setup.organizer.headers), 409, field="member_ids")
    response = client.post(url, json={"member_ids": [a, b], "bib": "2"}, headers=setup.organizer.headers)
    assert response.status_code == 201 and response.get_json()["name"] == "甲、乙"


def test_blind_contest_needs_marking_numbers(client, admin, app):
    setup = setup_contest(client, admin, competitors=1, judges=0, blind=True)
    person = make_person(app, setup.enterprises[0], "盲评")
    assert_error(client.post(f"{setup.url}/competitors", json={"person_id": person, "bib": "2"},
                             headers=setup.organizer.headers), 422, field="marking_no")


def test_competitors_only_in_draft_or_running(client, admin, app):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    person = make_person(app, setup.enterprises[0], "迟到")
    set_state(app, setup.contest_id, "provisional")
    assert_error(client.post(f"{setup.url}/competitors", json={"person_id": person, "bib": "1"},
                             headers=setup.organizer.headers), 409, reason="entries_closed")


def test_list_competitors_access(client, admin, make_user, app):
    setup = setup_contest(client, admin, competitors=2, judges=2, start=True, blind=True)
    url = f"{setup.url}/competitors"
    full = client.get(url, headers=setup.organizer.headers).get_json()
    assert [c["bib"] for c in full] == ["1", "2"] and full[0]["name"] == "张三"
    for judge in setup.judges:  # blind contest: marking numbers only, also for the chief judge
        rows = client.get(url, headers=judge.headers).get_json()
        assert [set(r) for r in rows] == [{"id", "marking_no", "status", "time_used_seconds"}] * 2
    assert_error(client.get(url), 401)
    outsider = make_user("judge")
    assert_error(client.get(url, headers=outsider.headers), 403)


def test_chief_judge_sets_status_with_a_reason(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=2, start=True)
    cid = setup.competitor_id("1")
    url = f"{setup.url}/competitors/{cid}"
    response = client.patch(url, json={"status": "absent", "reason": "未到场", "time_used_seconds": 3600},
                            headers=setup.chief.headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["status_reason"]) == ("absent", "未到场")
    rows = setup.standings(setup.organizer, "jury")["rows"]
    assert rows[-1]["competitor"]["id"] == cid and rows[-1]["rank"] is None and rows[-1]["status"] == "absent"
    entries = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    update = [e for e in entries if e["action"] == "competitor.update"][-1]
    assert update["after"]["reason"] == "未到场" and update["before"]["status"] == "active"
    assert_error(client.patch(url, json={"status": "absent"}, headers=setup.judges[1].headers), 403)
    assert_error(client.patch(url, json={"station": "B-1"}, headers=setup.chief.headers), 403)
    assert client.patch(url, json={"station": "B-1"}, headers=setup.organizer.headers).status_code == 200
    assert_error(client.patch(url, json={"status": "sleeping"}, headers=setup.organizer.headers), 422,
                 field="status")
    assert_error(client.patch(url, json={"time_used_seconds": -5}, headers=setup.organizer.headers), 422,
                 field="time_used_seconds")


def test_competitor_of_another_contest_is_404(client, admin):
    first = setup_contest(client, admin, competitors=1, judges=0)
    second = setup_contest(client, admin, competitors=1, judges=0, organizer=first.organizer)
    response = client.patch(f"{first.url}/competitors/{second.competitors[0]['id']}", json={"status": "absent"},
                            headers=first.organizer.headers)
    assert_error(response, 404)


# --- judges ------------------------------------------------------------------------------------------------

def test_assign_judges(client, admin, make_user, app):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    enterprise = make_enterprise(app)
    judge = new_account(client, admin, "judge", enterprise_id=enterprise)
    url = f"{setup.url}/judges"
    response = client.post(url, json={"user_id": judge.id, "aspects": ["A1", "A2"]}, headers=setup.organizer.headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["user_id"], body["chief"], body["aspects"], body["enterprise_id"]) == \
        (judge.id, False, ["A1", "A2"], enterprise)
    assert_error(client.post(url, json={"user_id": judge.id, "aspects": "all"}, headers=setup.organizer.headers),
                 409, reason="judge_already_assigned")
    other = new_account(client, admin, "judge")
    assert_error(client.post(url, json={"user_id": other.id, "aspects": ["Z9"]}, headers=setup.organizer.headers),
                 422, field="aspects")
    assert_error(client.post(url, json={"user_id": other.id, "aspects": "some"}, headers=setup.organizer.headers),
                 422, field="aspects")
    hr = make_user("hr", enterprise_id=enterprise)
    assert_error(client.post(url, json={"user_id": hr.id, "aspects": "all"}, headers=setup.organizer.headers),
                 422, field="user_id")
    assert_error(client.post(url, json={"user_id": 987654, "aspects": "all"}, headers=setup.organizer.headers),
                 422, field="user_id")
    chief = client.post(url, json={"user_id": other.id, "chief": True, "aspects": "all"},
                        headers=setup.organizer.headers)
    assert chief.status_code == 201 and chief.get_json()["chief"] is True
    assert_error(client.get(url, headers=other.headers), 404)  # a draft is hidden from judges
    assert setup.transition("running").status_code == 200
    listed = client.get(url, headers=other.headers).get_json()  # the chief judge may list them
    assert {j["user_id"] for j in listed} == {judge.id, other.id}
    assert_error(client.get(url, headers=judge.headers), 403)
    response = client.patch(f"{url}/{body['id']}", json={"aspects": "all"}, headers=setup.organizer.headers)
    assert response.status_code == 200 and response.get_json()["aspects"] == "all"
    assert "judge.assign" in audit_actions(client, admin, setup.contest_id)


def test_withdraw_a_judge_keeps_their_marks_and_ends_their_marking(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=2, start=True)
    chief, judge = setup.judges
    url = f"{setup.url}/judges"
    rows = {j["user_id"]: j["id"] for j in client.get(url, headers=setup.organizer.headers).get_json()}
    marks_url = f"{setup.url}/marks"
    body = {"competitor_id": setup.competitor_id(1), "aspect_code": "A1", "value": "7.5"}
    assert client.put(marks_url, json=body, headers=judge.headers).status_code == 201
    total = setup.standings(setup.organizer, "jury")["rows"][0]["total"]

    for account in (judge, chief):  # only organizers withdraw judges, not the chief judge
        assert_error(client.delete(f"{url}/{rows[judge.id]}", headers=account.headers), 403)
    assert_error(client.delete(f"{url}/987654", headers=setup.organizer.headers), 404)
    other = setup_contest(client, admin, competitors=0, judges=1, organizer=setup.organizer)
    other_row = client.get(f"{other.url}/judges", headers=setup.organizer.headers).get_json()[0]["id"]
    assert_error(client.delete(f"{url}/{other_row}", headers=setup.organizer.headers), 404)

    response = client.delete(f"{url}/{rows[judge.id]}", headers=setup.organizer.headers)
    assert response.status_code == 204 and response.get_data() == b"", response.headers
    assert "Content-Type" not in response.headers, response.headers
    assert [j["user_id"] for j in client.get(url, headers=setup.organizer.headers).get_json()] == [chief.id]
    # the value stays in the standings and in the marks; the judge can enter no more
    assert setup.standings(setup.organizer, "jury")["rows"][0]["total"] == total
    stored = client.get(f"{marks_url}?competitor_id={setup.competitor_id(1)}&aspect_code=A1",
                        headers=setup.organizer.headers).get_json()
    assert [(m["judge_id"], m["value"]) for m in stored] == [(judge.id, "7.50")], stored
    assert_error(client.put(marks_url, json=body | {"value": "8"}, headers=judge.headers), 403)
    entries = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    withdrawn = [e for e in entries if e["action"] == "judge.withdraw"]
    assert len(withdrawn) == 1 and withdrawn[0]["target"] == f"contest_judge:{rows[judge.id]}"
    assert withdrawn[0]["before"] == {"user_id": judge.id, "chief": False, "aspects": "all",
                                    "enterprise_id": None, "marks_kept": 1}
    assert_error(client.delete(f"{url}/{rows[judge.id]}", headers=setup.organizer.headers), 404)  # gone

    # a withdrawn chief judge loses the jury's views; the judge can be assigned again
    assert client.get(f"{setup.url}/progress", headers=chief.headers).status_code == 200
    assert client.delete(f"{url}/{rows[chief.id]}", headers=setup.organizer.headers).status_code == 204
    assert_error(client.get(f"{setup.url}/progress", headers=chief.headers), 403)
    again = client.post(url, json={"user_id": judge.id, "aspects": ["A1"]}, headers=setup.organizer.headers)
    assert again.status_code == 201, again.get_json()
    assert client.put(marks_url, json=body | {"value": "8"}, headers=judge.headers).status_code == 200


def test_judges_of_a_final_contest_stay(client, admin, app):
    setup = setup_contest(client, admin, competitors=0, judges=1)
    row = client.get(f"{setup.url}/judges", headers=setup.organizer.headers).get_json()[0]["id"]
    set_state(app, setup.contest_id, "final")
    assert_error(client.delete(f"{setup.url}/judges/{row}", headers=setup.organizer.headers), 409,
                 reason="contest_final")
    assert len(client.get(f"{setup.url}/judges", headers=setup.organizer.headers).get_json()) == 1


def test_aspect_codes_need_a_scheme(client, admin):
    setup = setup_contest(client, admin, scheme=None, competitors=0, judges=0)
    judge = new_account(client, admin, "judge")
    assert_error(client.post(f"{setup.url}/judges", json={"user_id": judge.id, "aspects": ["A1"]},
                             headers=setup.organizer.headers), 422, field="aspects")
    assert client.post(f"{setup.url}/judges", json={"user_id": judge.id, "aspects": "all"},
                       headers=setup.organizer.headers).status_code == 201


def test_new_scheme_must_keep_assigned_aspects(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    judge = new_account(client, admin, "judge")
    client.post(f"{setup.url}/judges", json={"user_id": judge.id, "aspects": ["B2"]}, headers=setup.organizer.headers)
    smaller = {"components": [SMALL_SCHEME["components"][0] | {"weight": "100"}]}
    assert_error(client.put(f"{setup.url}/marking-scheme", json=smaller, headers=setup.organizer.headers), 409,
                 field="judges", reason="scheme_misfit")
