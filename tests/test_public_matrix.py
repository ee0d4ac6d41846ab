"""Every public surface over blind × visibility × freeze × state (issue 24, item 0).

A blind contest in `final_only` once answered 500 on its public standings and broke its board's
updates (public rows of a blind contest carry no competitor id before final, and the board order read
it). For each combination the public standings, the board's snapshot and updates (Socket.IO), the
board page and the results files must answer without error and show only what roles.md and
scoring.md allow:
- no ID number, person number or marking number on any public surface;
- blind before final: no competitor id (judges know competitors by id and marking number);
- final_only before final: no scores and no ranks;
- freeze in the past before final: a mark entered now is invisible (total and progress);
- results files: 404 to the public before final, 200 once final;
- the event overview (events.md; HTTP and its socket room): no leader while ranks are not shown, a
  leader without competitor id in a blind contest before final.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

STATES = ("running", "provisional", "final")


def _secrets(app) -> dict[str, str]:
    from sqlalchemy import select

    from competition.extensions import db
    from competition.models import Competitor, Person

    with app.app_context():
        found = {}
        for person in db.session.scalars(select(Person)):
            found[person.id_number] = "ID number"
            found[person.person_no] = "person number"
        for competitor in db.session.scalars(select(Competitor)):
            found[competitor.marking_no] = "marking number"
        return found


def _move_to(app, contest_id: int, state: str) -> None:
    """The state as its transition leaves it (locks and appeal rules are not this test's concern):
    final rebuilds the standings (the public view unfreezes); every change is announced to boards."""
    from competition import clock
    from competition.extensions import db
    from competition.models import Contest, ContestState
    from competition.services import boards, standings

    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        contest.state = ContestState(state)
        if state == "provisional":
            contest.provisional_at = clock.now()
        if state == "final":
            contest.final_at = clock.now()
            standings.rebuild(contest)
        boards.state_changed(contest)
        db.session.commit()


def _check_rows(rows, *, blind, visibility, frozen, state, where, competitors, marked) -> list[str]:
    problems = []
    before_final = state != "final"
    if len(rows) != len(competitors):
        problems.append(f"{where}: {len(rows)} rows, expected {len(competitors)}")
    for row in rows:
        competitor = row["competitor"]
        if "marking_no" in competitor:
            problems.append(f"{where}: a marking number in a public row")
        if blind and before_final and "id" in competitor:
            problems.append(f"{where}: a competitor id in a blind contest's public row before final")
        if not (blind and before_final) and competitor.get("id") not in competitors.values():
            problems.append(f"{where}: row without its competitor id: {competitor}")
        if visibility == "final_only" and before_final and (row.get("rank") is not None
                                                           or row.get("total") is not None
                                                           or row.get("components") or row.get("modules")):
            problems.append(f"{where}: scores or ranks in final_only before final: {row}")
        if competitor.get("bib") == "1":  # c1: the mark entered during the contest
            shown = row.get("total")
            if frozen and before_final and (shown not in (None, "0.00") or row["aspects_complete"] != 0):
                problems.append(f"{where}: a mark after the freeze is visible: {row}")
            if (not frozen or not before_final) and (visibility == "live" or not before_final) and shown != marked:
                problems.append(f"{where}: c1's total {shown!r}, expected {marked}")
    return problems


def _scan(text: str, secrets: dict[str, str], where: str) -> list[str]:
    return [f"{where}: {kind} {value!r}" for value, kind in secrets.items() if value in text]


@pytest.mark.parametrize("freeze", ["none", "past"])
@pytest.mark.parametrize("visibility", ["live", "final_only"])
@pytest.mark.parametrize("blind", [False, True], ids=["open", "blind"])
def test_public_surfaces_over_the_matrix(app, client, make_user, caplog, blind, visibility, freeze):
    import json

    from competition.extensions import socketio
    from tests.world import build_world

    freeze_at = datetime.now(timezone.utc) - timedelta(minutes=5) if freeze == "past" else None
    world = build_world(app, make_user, blind=blind, visibility=visibility, freeze_at=freeze_at)
    secrets = _secrets(app)
    url = f"/api/v1/contests/{world.contest_id}"
    settings = dict(blind=blind, visibility=visibility, frozen=freeze == "past", competitors=world.competitors)
    caplog.set_level(logging.ERROR, logger="competition")
    auth = {"contest_id": world.contest_id, "view": "public"}
    watcher = socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)
    assert watcher.is_connected("/live")
    event = client.post("/api/v1/events", json={"name": "2026年职业技能大赛", "starts_on": "2026-05-01",
                                                "ends_on": "2026-05-03"}, headers=world.organizer.headers).get_json()
    response = client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [world.contest_id]},
                          headers=world.organizer.headers)
    assert response.status_code == 200, response.get_json()
    assert world.put(client, "j1", "c1", "A1", "5").status_code in (200, 201)
    jury = client.get(f"{url}/standings?view=jury", headers=world.organizer.headers).get_json()
    settings["marked"] = next(r["total"] for r in jury["rows"] if r["competitor"]["bib"] == "1")
    assert settings["marked"] not in (None, "0.00")
    problems: list[str] = []
    for state in STATES:
        if state != "running":
            _move_to(app, world.contest_id, state)
        where = f"{state}"
        response = client.get(f"{url}/standings")
        assert response.status_code == 200, (where, response.get_data(as_text=True))
        body = response.get_json()
        problems += _check_rows(body["rows"], state=state, where=f"{where} standings", **settings)
        problems += _scan(response.get_data(as_text=True), secrets, f"{where} standings")
        fresh = socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)
        snapshots = [e["args"][0] for e in fresh.get_received("/live") if e["name"] == "board:snapshot"]
        assert len(snapshots) == 1, where
        problems += _check_rows(snapshots[0]["rows"], state=state, where=f"{where} snapshot", **settings)
        fresh.disconnect("/live")
        updates = [e["args"][0] for e in watcher.get_received("/live") if e["name"] == "board:update"]
        for update in updates:
            assert update["view"] == "public"
            problems += _check_rows_partial(update["rows"], state=state, where=f"{where} update", **settings)
        problems += _scan(json.dumps(updates + snapshots, ensure_ascii=False), secrets, f"{where} socket")
        problems += _check_event(client, socketio, app, event["id"], world.contest_id, secrets, state=state,
                                 blind=blind, visibility=visibility)
        page = client.get(f"/board/{world.contest_id}")
        assert page.status_code == 200, where
        problems += _scan(page.get_data(as_text=True), secrets, f"{where} board page")
        for name in ("results.csv", "results.xlsx"):
            export = client.get(f"{url}/{name}")
            assert export.status_code == (200 if state == "final" else 404), (where, name, export.status_code)
            if name.endswith(".csv") and state == "final":
                text = export.get_data().decode("utf-8-sig")
                problems += _scan(text, secrets, f"{where} {name}")
                assert "张三" in text
    watcher.disconnect("/live")
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, failures  # e.g. "publishing board updates for contest N failed"
    assert not problems, "\n".join(problems)


def _check_event(client, socketio, app, event_id, contest_id, secrets, *, state, blind, visibility) -> list[str]:
    import json

    problems = []
    response = client.get(f"/api/v1/events/{event_id}/overview")
    assert response.status_code == 200, (state, response.get_data(as_text=True))
    screen = socketio.test_client(app, namespace="/live", auth={"event_id": event_id, "view": "public"},
                                  flask_test_client=client)
    pushed = [e["args"][0] for e in screen.get_received("/live") if e["name"] == "event:update"]
    screen.disconnect("/live")
    assert pushed, state
    text = json.dumps([response.get_json(), pushed], ensure_ascii=False)
    problems += _scan(text, secrets, f"{state} event overview")
    body = response.get_json()
    rows = body if isinstance(body, list) else body.get("contests") or body.get("rows") or []
    assert any(r.get("contest_id") == contest_id for r in rows), body
    for row in (r for r in rows if r.get("contest_id") == contest_id):
        leader = row.get("leader")
        if visibility == "final_only" and state != "final" and leader is not None:
            problems.append(f"{state} event overview: a leader in final_only before final: {leader}")
        if blind and state != "final" and leader and "id" in (leader.get("competitor") or leader):
            problems.append(f"{state} event overview: a competitor id in a blind contest's leader: {leader}")
    return problems


def _check_rows_partial(rows, **settings) -> list[str]:
    """An update carries only the rows that changed: the same rules, without the row count."""
    competitors = settings.pop("competitors")
    problems = _check_rows(rows, competitors=competitors, **settings)
    return [p for p in problems if "rows, expected" not in p]
