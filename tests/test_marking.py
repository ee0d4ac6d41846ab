"""api.md, Marking; roles.md: every status of PUT /marks, locks, reading marks, progress, analysis."""
from __future__ import annotations

import pytest

from tests.support import assert_error
from tests.world import build_world

# Both databases: concurrency of marks, locking and the constraints on marks.
pytestmark = pytest.mark.backends


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def url(world, suffix="marks"):
    return f"/api/v1/contests/{world.contest_id}/{suffix}"


def standing(client, world, competitor, view="jury"):
    board = client.get(url(world, f"standings?view={view}") if view == "jury" else url(world, "standings"),
                       headers=world.organizer.headers if view == "jury" else {})
    rows = {r["competitor"]["id"]: r for r in board.get_json()["rows"]}
    return rows[world.competitors[competitor]]


# --- accepted marks ---------------------------------------------------------------------------------

def test_new_mark_is_201_and_a_change_is_200(client, world):
    first = world.put(client, "j1", "c1", "A1", "4.50")
    assert first.status_code == 201
    assert first.get_json() == {"mark": {"value": "4.50", "version": 1, "judge_id": world.judges["j1"].id},
                                "aspect": {"code": "A1", "state": "complete", "mark": "4.50"}}
    second = world.put(client, "j1", "c1", "A1", 4)
    assert second.status_code == 200
    assert second.get_json()["mark"] == {"value": "4.00", "version": 2, "judge_id": world.judges["j1"].id}


def test_measurement_is_shared_last_write_wins(client, world):
    world.put(client, "j1", "c1", "A1", "4.50")
    response = world.put(client, "j2", "c1", "A1", "3.25")
    assert response.status_code == 200
    assert response.get_json()["mark"] == {"value": "3.25", "version": 2, "judge_id": world.judges["j2"].id}


def test_judgement_needs_three_values_worked_example_1(client, world):
    states = [world.put(client, j, "c1", "A2", v).get_json()["aspect"] for j, v in (("j1", 2), ("j2", 3), ("j4", 2))]
    assert [s["state"] for s in states] == ["incomplete", "incomplete", "complete"]
    assert states[-1]["mark"] == "1.56"  # 2.00 × 7/3 / 3 = 14/9


def test_judgement_spread_needs_reconciliation_worked_example_2(client, world):
    for judge, value in (("j1", 1), ("j2", 3), ("j4", 2)):
        last = world.put(client, judge, "c1", "A2", value)
    assert last.get_json()["aspect"] == {"code": "A2", "state": "needs_reconciliation", "mark": "0.00"}
    progress = client.get(url(world, "progress"), headers=world.judges["chief"].headers).get_json()
    assert [(r["aspect_code"], len(r["values"])) for r in progress["reconciliation"]] == [("A2", 3)]
    fixed = world.put(client, "j1", "c1", "A2", 2)
    assert fixed.get_json()["aspect"]["state"] == "complete"
    progress = client.get(url(world, "progress"), headers=world.judges["chief"].headers).get_json()
    assert progress["reconciliation"] == []


def test_panel_trimmed_mean(client, world):
    for judge, value in zip(("j1", "j2", "j4", "j5", "chief"), ("7.5", "7.0", "8.0", "6.5", "7.5")):
        last = world.put(client, judge, "c1", "A3", value)
    assert last.get_json()["aspect"] == {"code": "A3", "state": "complete", "mark": "7.33"}  # (7.5+7+7.5)/3


def test_a_judge_cannot_change_another_judges_value(client, world):
    world.put(client, "j1", "c1", "A2", 2)
    world.put(client, "j2", "c1", "A2", 3)
    marks = client.get(url(world), headers=world.judges["chief"].headers).get_json()
    by_judge = {m["judge_id"]: m["value"] for m in marks if m["aspect_code"] == "A2"}
    assert by_judge == {world.judges["j1"].id: "2", world.judges["j2"].id: "3"}


def test_standings_follow_each_mark(client, world):
    world.put(client, "j1", "c1", "A1", "4.50")
    world.put(client, "j1", "c2", "A1", "5")
    assert standing(client, world, "c1")["total"] == "22.50"  # 4.5 of 20 marks, weight 100
    assert standing(client, world, "c2")["rank"] == 1 and standing(client, world, "c1")["rank"] == 2


# --- refusals -----------------------------------------------------------------------------------------

def test_403_not_a_judge_of_the_contest(client, world):
    response = client.put(url(world), json={"competitor_id": world.competitors["c1"], "aspect_code": "A1",
                                            "value": 1}, headers=world.organizer.headers)
    assert_error(response, 403, reason="not_a_judge")


def test_403_not_assigned_to_the_aspect(client, world):
    assert_error(world.put(client, "narrow", "c1", "A1", 1), 403, reason="not_assigned")
    assert world.put(client, "narrow", "c1", "B1", 1).status_code == 201


def test_403_conflict_of_interest_even_for_the_chief(app, client, world):
    body = assert_error(world.put(client, "j3", "c3", "A1", 1), 403, reason="conflict_of_interest")
    assert "回避" in body["message"]
    assert world.put(client, "j3", "c1", "A1", 1).status_code == 201
    from competition.extensions import db
    from competition.models import ContestJudge

    with app.app_context():
        seat = db.session.query(ContestJudge).filter_by(user_id=world.judges["chief"].id).one()
        seat.enterprise_id = world.enterprises["E2"]
        db.session.commit()
    assert_error(world.put(client, "chief", "c3", "B1", 1), 403, reason="conflict_of_interest")


def test_409_module_locked(client, world):
    chief = world.judges["chief"].headers
    assert client.post(url(world, "modules/A/lock"), headers=chief).status_code == 200
    body = assert_error(world.put(client, "j1", "c1", "A1", 1), 409, reason="module_locked")
    assert "locked" in body["message"]
    assert world.put(client, "j1", "c1", "B1", 1).status_code == 201


@pytest.mark.parametrize("state", ["draft", "final"])
def test_409_contest_not_running(app, make_user, client, state):
    world = build_world(app, make_user, state=state)
    assert_error(world.put(client, "j1", "c1", "A1", 1), 409, reason="not_taking_marks")


def test_409_stale_expected_version_carries_the_current_mark(client, world):
    world.put(client, "j1", "c1", "A1", "4.50")
    world.put(client, "j2", "c1", "A1", "4.00")
    body = assert_error(world.put(client, "j1", "c1", "A1", "3.00", expected_version=1), 409,
                        reason="stale_version")
    assert body["mark"] == {"value": "4.00", "version": 2, "judge_id": world.judges["j2"].id}
    assert world.put(client, "j1", "c1", "A1", "3.00", expected_version=2).status_code == 200


def test_409_expected_version_on_a_mark_that_does_not_exist(client, world):
    body = assert_error(world.put(client, "j1", "c1", "A1", "3.00", expected_version=1), 409,
                        reason="stale_version")
    assert body["mark"] is None
    assert world.put(client, "j1", "c1", "A1", "3.00", expected_version=0).status_code == 201


def test_409_panel_full(client, world):
    for judge in ("j1", "j2", "j4"):
        world.put(client, judge, "c1", "A2", 2)
    assert_error(world.put(client, "j5", "c1", "A2", 2), 409, reason="panel_full")


@pytest.mark.parametrize("aspect, value, field, reason", [
    ("A1", "5.01", "value", "invalid_value"), ("A1", "-1", "value", "invalid_value"),
    ("A1", "1.234", "value", "invalid_value"), ("A1", "abc", "value", "invalid_value"),
    ("A2", "1.5", "value", "invalid_value"), ("A2", 4, "value", "invalid_value"),
    ("A2", True, "value", "invalid_value"), ("A3", "10.5", "value", "invalid_value"),
    ("ZZ", 1, "aspect_code", "unknown_aspect"),
])
def test_422_values(client, world, aspect, value, field, reason):
    assert_error(world.put(client, "j1", "c1", aspect, value), 422, field=field, reason=reason)


def test_422_unknown_competitor_and_unknown_field(client, world):
    response = client.put(url(world), json={"competitor_id": 999, "aspect_code": "A1", "value": 1},
                          headers=world.judges["j1"].headers)
    assert_error(response, 422, field="competitor_id", reason="unknown_competitor")
    body = assert_error(world.put(client, "j1", "c1", "A1", 1, colour="red"), 422, field="colour")
    assert "reason" not in body  # the body's shape is refused before any marking rule runs


def test_refused_mark_changes_nothing(app, client, world):
    world.put(client, "j1", "c1", "A1", "4.00")
    world.put(client, "j1", "c1", "A1", "9.00")
    world.put(client, "j3", "c3", "A1", "1.00")
    marks = client.get(url(world), headers=world.judges["chief"].headers).get_json()
    assert [(m["competitor_id"], m["value"], m["version"]) for m in marks] == [(world.competitors["c1"], "4.00", 1)]


# --- idempotency ------------------------------------------------------------------------------------------

def test_idempotent_replay_stores_once(app, client, world):
    first = world.put(client, "j1", "c1", "A2", 2, key="tablet-7-0001")
    again = world.put(client, "j1", "c1", "A2", 2, key="tablet-7-0001")
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert_error(world.put(client, "j1", "c1", "A2", 3, key="tablet-7-0001"), 409)
    from competition.extensions import db
    from competition.models import MarkRevision

    with app.app_context():
        assert db.session.query(MarkRevision).count() == 1


# --- locks ------------------------------------------------------------------------------------------------

def test_locks_are_for_the_chief_judge(client, world):
    assert_error(client.post(url(world, "modules/A/lock"), headers=world.judges["j1"].headers), 403,
                 reason="not_chief")
    assert_error(client.post(url(world, "modules/A/lock"), headers=world.organizer.headers), 403,
                 reason="not_chief")
    assert_error(client.post(url(world, "modules/Z/lock"), headers=world.judges["chief"].headers), 404,
                 reason="unknown_module")


def test_unlock_needs_a_reason_and_is_audited(client, world):
    chief = world.judges["chief"].headers
    client.post(url(world, "modules/A/lock"), headers=chief)
    assert_error(client.post(url(world, "modules/A/lock"), headers=chief), 409, reason="already_locked")
    assert_error(client.post(url(world, "modules/A/unlock"), json={}, headers=chief), 422, field="reason")
    assert_error(client.post(url(world, "modules/A/unlock"), json={"reason": "  "}, headers=chief), 422,
                 field="reason", reason="reason_required")
    response = client.post(url(world, "modules/A/unlock"), json={"reason": "A1 读数录错，复核后更正"}, headers=chief)
    assert response.get_json() == {"module_code": "A", "locked": False, "reason": "A1 读数录错，复核后更正"}
    assert world.put(client, "j1", "c1", "A1", 1).status_code == 201
    log = client.get(f"/api/v1/audit?contest_id={world.contest_id}", headers=world.organizer.headers).get_json()
    assert [e["action"] for e in log] == ["module.lock", "module.unlock", "mark.put"]
    assert log[1]["after"]["reason"] == "A1 读数录错，复核后更正"


# --- reading ----------------------------------------------------------------------------------------------

def test_a_judge_sees_only_own_marks(client, world):
    world.put(client, "j1", "c1", "A2", 2)
    world.put(client, "j2", "c1", "A2", 3)
    mine = client.get(url(world), headers=world.judges["j1"].headers).get_json()
    assert [(m["judge_id"], m["value"]) for m in mine] == [(world.judges["j1"].id, "2")]
    everything = client.get(url(world) + "?aspect_code=A2", headers=world.organizer.headers).get_json()
    assert len(everything) == 2


def test_progress_and_judge_analysis_are_for_supervisors(client, world):
    world.put(client, "j1", "c1", "A1", "4")
    for judge, value in (("j1", 1), ("j2", 2), ("j4", 3)):
        world.put(client, judge, "c2", "A2", value)
    assert_error(client.get(url(world, "progress"), headers=world.judges["j1"].headers), 403)
    progress = client.get(url(world, "progress"), headers=world.organizer.headers).get_json()
    c1 = next(c for c in progress["competitors"] if c["competitor"]["id"] == world.competitors["c1"])
    assert c1["modules"]["A"]["complete"] == 1 and c1["modules"]["A"]["total"] == 3
    analysis = client.get(url(world, "judge-analysis"), headers=world.judges["chief"].headers).get_json()
    by_judge = {a["judge_id"]: a for a in analysis}
    assert by_judge[world.judges["j1"].id]["count"] == 2
    assert by_judge[world.judges["j1"].id]["by_type"]["judgement"]["mean_deviation"] == "-1.000"
    assert by_judge[world.judges["j4"].id]["mean_deviation"] == "1.000"


def test_every_mark_is_audited_with_before_and_after(client, world):
    world.put(client, "j1", "c1", "A1", "4.50")
    world.put(client, "j2", "c1", "A1", "4.00")
    log = client.get(f"/api/v1/audit?contest_id={world.contest_id}", headers=world.organizer.headers).get_json()
    assert log[-1]["before"] == {"value": "4.50", "version": 1, "judge_id": world.judges["j1"].id}
    assert log[-1]["after"]["value"] == "4.00"
    assert client.get("/api/v1/audit/verify", headers=world.organizer.headers).get_json()["ok"] is True


def test_provisional_contest_takes_marks_only_in_a_module_an_upheld_appeal_reopened(app, make_user, client):
    """公示: an ordinary unlock by the chief judge does not reopen marking; an upheld appeal does."""
    from competition.extensions import db
    from competition.models import ModuleLock

    world = build_world(app, make_user, state="provisional")
    chief = world.judges["chief"].headers
    client.post(url(world, "modules/A/lock"), headers=chief)
    client.post(url(world, "modules/A/unlock"), json={"reason": "复核"}, headers=chief)
    assert_error(world.put(client, "j1", "c1", "A1", "4"), 409)
    with app.app_context():
        lock = db.session.get(ModuleLock, (world.contest_id, "A"))
        lock.appeal_id = 7
        db.session.commit()
    assert world.put(client, "j1", "c1", "A1", "4").status_code == 201


def test_unlocking_an_unlocked_module_is_refused(client, world):
    chief = world.judges["chief"].headers
    assert_error(client.post(url(world, "modules/A/unlock"), json={"reason": "误操作"}, headers=chief), 409,
                 reason="already_unlocked")


def test_locks_cannot_change_once_final(app, make_user, client):
    final = build_world(app, make_user, state="final")
    assert_error(client.post(url(final, "modules/A/lock"), headers=final.judges["chief"].headers), 409,
                 reason="locks_closed")
