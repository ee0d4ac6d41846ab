"""api.md, POST /contests/{id}/transition and /unfreeze; scoring.md, Module locks and provisional results."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contest_fixtures import SMALL_FULL_MARKS, set_state, setup_contest
from tests.support import assert_error

# Both databases: state transitions in transactions.
pytestmark = pytest.mark.backends


def state_of(client, setup) -> dict:
    return client.get(setup.url, headers=setup.organizer.headers).get_json()


def complete_everyone(setup) -> None:
    for competitor in setup.competitors:
        setup.store(competitor["bib"], SMALL_FULL_MARKS)


def test_draft_to_running_needs_a_scheme(client, admin):
    setup = setup_contest(client, admin, scheme=None, competitors=1, judges=0)
    body = assert_error(setup.transition("running"), 409, field="marking_scheme", reason="scheme_missing")
    assert "scheme" in body["message"]
    assert state_of(client, setup)["state"] == "draft"


def test_draft_to_running(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=1)
    response = setup.transition("running")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "running"


@pytest.mark.parametrize("to", ["provisional", "final", "running_again"])
def test_draft_cannot_skip_ahead(client, admin, to):
    setup = setup_contest(client, admin, competitors=1, judges=0)
    assert_error(setup.transition(to, reason="试一试"), 409, reason="transition_not_allowed")


def test_unknown_target_is_422(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0)
    assert_error(setup.transition("paused"), 422, field="to")


def test_running_to_running_is_409(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0, start=True)
    assert_error(setup.transition("running"), 409, reason="transition_not_allowed")


def test_provisional_needs_every_module_locked(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True)
    body = assert_error(setup.transition("provisional"), 409, field="unlocked_modules", reason="modules_unlocked")
    assert body["errors"]["unlocked_modules"] == ["T1", "A", "B"]
    setup.lock(["T1", "A"])
    assert assert_error(setup.transition("provisional"), 409)["errors"]["unlocked_modules"] == ["B"]
    setup.lock(["B"])
    response = setup.transition("provisional")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "provisional" and response.get_json()["provisional_at"]


def test_final_refused_lists_unlocked_modules_and_incomplete_competitors(client, admin):
    setup = setup_contest(client, admin, competitors=3, judges=3, start=True)
    setup.store("1", SMALL_FULL_MARKS)
    setup.store("2", {"T1.1": 50, "A1": 5})  # partly marked
    setup.lock(["T1", "A"])
    body = assert_error(setup.transition("final"), 409, reason="not_ready_for_final")
    assert body["errors"]["unlocked_modules"] == ["B"]
    assert body["errors"]["incomplete_competitors"] == [
        {"id": setup.competitor_id("2"), "bib": "2"}, {"id": setup.competitor_id("3"), "bib": "3"}]
    assert state_of(client, setup)["state"] == "running"


def test_final_with_everything_locked_and_complete(client, admin):
    setup = setup_contest(client, admin, competitors=3, judges=3, start=True)
    complete_everyone(setup)
    setup.lock()
    response = setup.transition("final")
    assert response.status_code == 200, response.get_json()
    contest = response.get_json()
    assert contest["state"] == "final" and contest["final_at"]
    assert_error(setup.transition("final"), 409)
    assert_error(setup.transition("provisional"), 409)
    assert_error(setup.transition("running"), 409)


def test_only_active_competitors_must_be_complete(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=3, start=True)
    setup.store("1", SMALL_FULL_MARKS)
    response = client.patch(f"{setup.url}/competitors/{setup.competitor_id('2')}",
                            json={"status": "withdrawn", "reason": "身体不适"}, headers=setup.chief.headers)
    assert response.status_code == 200
    setup.lock()
    assert setup.transition("final").status_code == 200


def test_running_to_final_directly_needs_no_appeal_window(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True, appeal_window_minutes=120)
    complete_everyone(setup)
    setup.lock()
    body = assert_error(setup.transition("final"), 409, reason="provisional_first")
    assert "provisional" in body["message"]
    assert setup.transition("provisional").status_code == 200


def test_provisional_to_final_waits_for_the_appeal_window(client, admin, app):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True, appeal_window_minutes=120)
    complete_everyone(setup)
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    body = assert_error(setup.transition("final"), 409, field="appeal_window_closes_at",
                        reason="not_ready_for_final")
    assert body["errors"]["appeal_window_closes_at"] == state_of(client, setup)["appeal_window_closes_at"]
    set_state(app, setup.contest_id, "provisional",
              provisional_at=datetime.now(timezone.utc) - timedelta(minutes=121))
    response = setup.transition("final")
    assert response.status_code == 200, response.get_json()


def test_provisional_without_window_may_go_final_at_once(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True)
    complete_everyone(setup)
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    assert setup.transition("final").status_code == 200


def test_open_appeals_block_final(client, admin, monkeypatch):
    from competition.services import lifecycle

    setup = setup_contest(client, admin, competitors=1, judges=3, start=True)
    complete_everyone(setup)
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    monkeypatch.setattr(lifecycle, "open_appeals", lambda contest: [{"id": 1}])
    assert_error(setup.transition("final"), 409, field="open_appeals")


def test_reopen_needs_a_reason(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3, start=True)
    complete_everyone(setup)
    setup.lock()
    assert setup.transition("final").status_code == 200
    assert_error(setup.transition("running_again"), 422, field="reason")
    assert_error(setup.transition("running_again", reason="   "), 422, field="reason", reason="reason_required")
    response = setup.transition("running_again", reason="成绩录入错误，需更正")
    assert response.status_code == 200, response.get_json()
    contest = response.get_json()
    assert contest["state"] == "running" and contest["final_at"] is None
    entries = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    reopen = [e for e in entries if e["action"] == "contest.transition"][-1]
    assert reopen["before"] == {"state": "final"}
    assert reopen["after"]["state"] == "running" and reopen["after"]["reason"] == "成绩录入错误，需更正"


def test_reopen_from_provisional(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0, start=True)
    setup.lock()
    assert setup.transition("provisional").status_code == 200
    response = setup.transition("running_again", reason="申诉成立")
    assert response.status_code == 200 and response.get_json()["provisional_at"] is None


def test_reopen_refused_once_a_promotion_is_confirmed(client, admin, monkeypatch):
    from competition.services import lifecycle

    setup = setup_contest(client, admin, competitors=1, judges=3, start=True)
    complete_everyone(setup)
    setup.lock()
    assert setup.transition("final").status_code == 200
    monkeypatch.setattr(lifecycle, "confirmed_promotions", lambda contest: 1)
    assert_error(setup.transition("running_again", reason="更正"), 409, reason="promotions_confirmed")
    assert state_of(client, setup)["state"] == "final"


def test_every_transition_is_audited(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=3)
    assert setup.transition("running").status_code == 200
    complete_everyone(setup)
    setup.lock()
    for to, reason in (("provisional", None), ("final", None), ("running_again", "更正")):
        assert setup.transition(to, reason).status_code == 200
    entries = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    moves = [(e["before"]["state"], e["after"]["state"]) for e in entries if e["action"] == "contest.transition"]
    assert moves == [("draft", "running"), ("running", "provisional"), ("provisional", "final"),
                     ("final", "running")]
    assert client.get("/api/v1/audit/verify", headers=admin.headers).get_json()["ok"] is True


def test_transition_is_for_organizers(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=1)
    assert_error(client.post(f"{setup.url}/transition", json={"to": "running"}), 401)
    assert_error(setup.transition("running", account=setup.chief), 403)
    assert setup.transition("running", account=admin).status_code == 200


def test_refused_transition_changes_nothing(client, admin):
    setup = setup_contest(client, admin, competitors=2, judges=3, start=True)
    setup.lock()
    before = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    assert_error(setup.transition("final"), 409)
    after = client.get(f"/api/v1/audit?contest_id={setup.contest_id}", headers=admin.headers).get_json()
    assert len(after) == len(before)


# --- unfreeze ----------------------------------------------------------------------------------------------

def test_unfreeze(client, admin):
    setup = setup_contest(client, admin, competitors=1, judges=0, start=True,
                          freeze_at=(datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat())
    assert client.get(setup.url).get_json()["frozen"] is True
    assert_error(client.post(f"{setup.url}/unfreeze"), 401)
    response = client.post(f"{setup.url}/unfreeze", headers=setup.organizer.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["frozen"] is False and response.get_json()["unfrozen_at"]
    assert_error(client.post(f"{setup.url}/unfreeze", headers=setup.organizer.headers), 409, reason="not_frozen")
    # a new freeze time applies again
    freeze = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    response = client.patch(setup.url, json={"freeze_at": freeze}, headers=setup.organizer.headers)
    assert response.get_json()["frozen"] is True


def test_unfreeze_without_freeze_is_409(client, admin):
    setup = setup_contest(client, admin, competitors=0, judges=0, start=True)
    assert_error(client.post(f"{setup.url}/unfreeze", headers=setup.organizer.headers), 409, reason="not_frozen")
