"""`event:update` to an event's room (live.md, events.md): sent after commit, public views only."""
from __future__ import annotations

import pytest

from tests.event_fixtures import MEDALS, new_event, scored_contest

# Both databases: the event's live updates, written for both backends.
pytestmark = pytest.mark.backends


def event_client(app, client, event_id):
    from competition.extensions import socketio

    return socketio.test_client(app, namespace="/live", auth={"event_id": event_id, "view": "public"},
                                flask_test_client=client)


def updates(sio):
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == "event:update"]


def test_a_client_of_the_event_room_gets_the_overview_at_once(app, client, admin, backend):
    setup = scored_contest(client, admin, [80, 70], final=False, awards=MEDALS)
    event = new_event(client, setup.organizer)
    client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [setup.contest_id]},
               headers=setup.organizer.headers)
    sio = event_client(app, client, event["id"])
    (first,) = updates(sio)
    assert first["event_id"] == event["id"] and first["overview"][0]["state"] == "running"
    assert first["medal_table"]["rows"] == []


def test_an_event_update_reaches_the_room_when_a_contest_of_the_event_becomes_final(app, client, admin, backend):
    setup = scored_contest(client, admin, [80, 70, 60], final=False, awards=MEDALS)
    event = new_event(client, setup.organizer)
    client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [setup.contest_id]},
               headers=setup.organizer.headers)
    sio = event_client(app, client, event["id"])
    updates(sio)
    setup.lock()
    assert setup.transition("final").status_code == 200
    received = updates(sio)
    assert received, "no event:update after the contest became final"
    last = received[-1]
    assert last["overview"][0]["state"] == "final"
    assert sum(row["total_awards"] for row in last["medal_table"]["rows"]) == 3


def test_no_award_reaches_the_room_before_the_ceremony_reveals_it(app, client, admin, backend):
    setup = scored_contest(client, admin, [80, 70, 60], awards=MEDALS)
    event = new_event(client, setup.organizer)
    client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [setup.contest_id]},
               headers=setup.organizer.headers)
    headers = setup.organizer.headers
    assert client.post(f"{setup.url}/reveal/start", headers=headers).status_code == 200
    sio = event_client(app, client, event["id"])
    (held,) = updates(sio)
    assert held["medal_table"]["rows"] == [] and held["overview"][0]["leader"] is None
    for expected in (["bronze"], ["bronze", "silver"], ["bronze", "silver", "gold"]):
        assert client.post(f"{setup.url}/reveal/next", headers=headers).status_code == 200
        last = updates(sio)[-1]
        shown = sorted(code for row in last["medal_table"]["rows"] for code, n in row["counts"].items() for _ in
                       range(n))
        assert shown == sorted(expected)
    assert last["overview"][0]["leader"]["competitor"]["bib"] == "1"


def test_a_rolled_back_change_sends_nothing(app, client, admin, backend):
    setup = scored_contest(client, admin, [80, 70], final=False, awards=MEDALS)
    event = new_event(client, setup.organizer)
    client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [setup.contest_id]},
               headers=setup.organizer.headers)
    sio = event_client(app, client, event["id"])
    updates(sio)
    response = setup.transition("final")  # modules unlocked: refused, rolled back
    assert response.status_code == 409
    assert updates(sio) == []


def test_an_unknown_event_is_refused(app, client, backend):
    sio = event_client(app, client, 999999)
    assert not sio.is_connected("/live")
