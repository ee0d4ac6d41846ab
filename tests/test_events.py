"""Events, their contests, the public overview and the medal table (events.md)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from tests.contest_fixtures import (
    WORLDSKILLS_SCHEME,
    create_contest,
    ensure_occupation,
    iso,
    make_enterprise,
    make_person,
    new_account,
    setup_contest,
)
from tests.event_fixtures import MEDALS, PROVINCIAL, new_event, scored_contest
from tests.support import assert_error

# Both databases: events and their contests, written for both backends.
pytestmark = pytest.mark.backends


def test_events_are_created_by_organisers_and_read_by_anyone(client, admin, backend):
    organizer = new_account(client, admin, "organizer")
    body = {"name": "省职业技能大赛", "starts_on": "2026-05-03", "ends_on": "2026-05-01"}
    assert_error(client.post("/api/v1/events", json=body, headers=organizer.headers), 422, field="ends_on")
    assert_error(client.post("/api/v1/events", json={**body, "ends_on": "2026-05-04"}), 401)
    assert client.get("/api/v1/events").get_json() == []
    event = new_event(client, organizer)
    assert event["contest_ids"] == [] and event["starts_on"] == "2026-05-01"
    response = client.patch(f"/api/v1/events/{event['id']}", json={"name": "改名"}, headers=organizer.headers)
    assert response.status_code == 200 and response.get_json()["name"] == "改名"
    assert client.get(f"/api/v1/events/{event['id']}").get_json()["name"] == "改名"
    assert_error(client.get("/api/v1/events/999999"), 404)


def test_contests_are_attached_in_order_and_belong_to_one_event(client, admin, backend):
    ensure_occupation(client.application)
    organizer = new_account(client, admin, "organizer")
    first, second = new_event(client, organizer), new_event(client, organizer, "另一赛事")
    a, b = create_contest(client, organizer), create_contest(client, organizer)
    url = f"/api/v1/events/{first['id']}/contests"
    response = client.put(url, json={"contest_ids": [b["id"], a["id"]]}, headers=organizer.headers)
    assert response.status_code == 200 and response.get_json()["contest_ids"] == [b["id"], a["id"]]
    assert client.get(f"/api/v1/contests/{a['id']}", headers=organizer.headers).get_json()["event_id"] == first["id"]
    response = client.put(f"/api/v1/events/{second['id']}/contests", json={"contest_ids": [a["id"]]},
                          headers=organizer.headers)
    assert_error(response, 409, field="contest_ids")
    assert client.get(f"/api/v1/events/{second['id']}").get_json()["contest_ids"] == []
    assert_error(client.put(url, json={"contest_ids": [a["id"], 999999]}, headers=organizer.headers), 422,
                 field="contest_ids")
    # a contest joins an event by its own event_id too, last in the list
    c = create_contest(client, organizer, event_id=first["id"])
    assert client.get(f"/api/v1/events/{first['id']}").get_json()["contest_ids"] == [b["id"], a["id"], c["id"]]
    assert_error(client.post("/api/v1/contests", json={**_body(), "event_id": 999999}, headers=organizer.headers),
                 422, field="event_id")


def _body():
    from tests.contest_fixtures import contest_body

    return contest_body()


def test_event_id_changes_only_while_draft_or_running(client, admin, backend):
    setup = scored_contest(client, admin, [90, 80])
    event = new_event(client, setup.organizer)
    response = client.patch(setup.url, json={"event_id": event["id"]}, headers=setup.organizer.headers)
    assert_error(response, 409)
    # PUT attaches contests in any state
    response = client.put(f"/api/v1/events/{event['id']}/contests", json={"contest_ids": [setup.contest_id]},
                          headers=setup.organizer.headers)
    assert response.status_code == 200


def attach(client, organizer, event_id, *contest_ids):
    response = client.put(f"/api/v1/events/{event_id}/contests", json={"contest_ids": list(contest_ids)},
                          headers=organizer.headers)
    assert response.status_code == 200, response.get_json()


def test_the_overview_shows_state_progress_and_leader_as_the_public_views_do(client, admin, backend):
    running = scored_contest(client, admin, [70, 90, None, None], final=False)  # 2 of 4 marks entered
    organizer = running.organizer
    hidden = scored_contest(client, admin, [70, 90], final=False, visibility="final_only", organizer=organizer)
    final = scored_contest(client, admin, [80, 80, 60], organizer=organizer)
    draft = create_contest(client, organizer)
    event = new_event(client, organizer)
    attach(client, organizer, event["id"], running.contest_id, hidden.contest_id, final.contest_id, draft["id"])
    rows = client.get(f"/api/v1/events/{event['id']}/overview").get_json()
    assert [r["contest_id"] for r in rows] == [running.contest_id, hidden.contest_id, final.contest_id, draft["id"]]
    assert [r["state"] for r in rows] == ["running", "running", "final", "draft"]
    assert [r["progress"] for r in rows] == ["0.50", "1.00", "1.00", "0.00"]
    assert rows[0]["leader"]["competitor"]["bib"] == "2" and rows[0]["leader"]["total"] == "90.00"
    assert rows[1]["leader"] is None  # final_only before final shows no ranks
    assert rows[2]["leader"]["competitor"]["bib"] == "1"  # the first rank-1 row by bib
    assert rows[3]["leader"] is None and rows[3]["occupation_code"] == running.occupation_code


def test_the_overview_is_as_of_the_freeze(client, admin, backend):
    now = datetime.now(timezone.utc)
    setup = scored_contest(client, admin, [70, 60], final=False, freeze_at=iso(now - timedelta(minutes=30)))
    event = new_event(client, setup.organizer)
    attach(client, setup.organizer, event["id"], setup.contest_id)
    before = client.get(f"/api/v1/events/{event['id']}/overview").get_json()[0]
    setup.store("2", {"M1": 99})  # after the freeze: not public
    after = client.get(f"/api/v1/events/{event['id']}/overview").get_json()[0]
    assert after["leader"] == before["leader"] and before["leader"]["competitor"]["bib"] == "1"


def test_the_overview_of_a_blind_contest_carries_no_competitor_id(client, admin, backend):
    now = datetime.now(timezone.utc)
    setup = scored_contest(client, admin, [70, 60], final=False, blind=True,
                           freeze_at=iso(now + timedelta(hours=1)))
    event = new_event(client, setup.organizer)
    attach(client, setup.organizer, event["id"], setup.contest_id)
    leader = client.get(f"/api/v1/events/{event['id']}/overview").get_json()[0]["leader"]
    assert "id" not in leader["competitor"] and leader["competitor"]["bib"] == "1"


def test_the_medal_table_orders_by_counts_and_counts_a_team_once_per_member_enterprise(client, admin, backend):
    app = client.application
    first = scored_contest(client, admin, [90, 80, 70, 60], awards=MEDALS)  # enterprises alternate: A, B, A, B
    a, b = first.enterprises
    organizer = first.organizer
    # a team event: one team of members from A and C, one from B only
    c = make_enterprise(app, "丙厂")
    team = setup_contest(client, admin, scheme=WORLDSKILLS_SCHEME, competitors=0, judges=1, team_size=2,
                         organizer=organizer, awards=MEDALS)
    for bib, members in (("1", [make_person(app, a, "甲一"), make_person(app, c, "丙一")]),
                         ("2", [make_person(app, b, "乙一"), make_person(app, b, "乙二")])):
        response = client.post(f"{team.url}/competitors", json={"bib": bib, "member_ids": members,
                                                                "team_name": f"队{bib}"},
                               headers=organizer.headers)
        assert response.status_code == 201, response.get_json()
        team.competitors.append(response.get_json())
    assert team.transition("running").status_code == 200
    team.store("1", {"M1": 95})
    team.store("2", {"M1": 85})
    team.lock()
    assert team.transition("final").status_code == 200
    pending = scored_contest(client, admin, [99], final=False, awards=PROVINCIAL, organizer=organizer)
    event = new_event(client, organizer)
    attach(client, organizer, event["id"], first.contest_id, team.contest_id, pending.contest_id)
    table = client.get(f"/api/v1/events/{event['id']}/medal-table").get_json()
    assert table["award_codes"] == ["gold", "silver", "bronze", "first", "second", "third"]
    summary = [(r["rank"], r["enterprise"]["id"], r["counts"]["gold"], r["counts"]["silver"], r["counts"]["bronze"],
                r["total_awards"]) for r in table["rows"]]
    # A: gold (first) + bronze (first) + gold (team 1) = 2 gold 1 bronze; B: silver + silver (team 2);
    # C: gold (team 1, its member) = 1 gold
    assert summary == [(1, a, 2, 0, 1, 3), (2, c, 1, 0, 0, 1), (3, b, 0, 2, 0, 2)]
    workbook = load_workbook(io.BytesIO(client.get(f"/api/v1/events/{event['id']}/medal-table.xlsx").data))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:5] == ["名次", "单位", "金牌", "银牌", "铜牌"]
    assert [cell.value for cell in sheet[2]][:3] == [1, table["rows"][0]["enterprise"]["name"], 2]


def test_equal_count_vectors_share_a_rank_listed_by_name(client, admin, backend):
    contest = scored_contest(client, admin, [90, 90], awards=MEDALS)  # two golds, one per enterprise
    event = new_event(client, contest.organizer)
    attach(client, contest.organizer, event["id"], contest.contest_id)
    rows = client.get(f"/api/v1/events/{event['id']}/medal-table").get_json()["rows"]
    assert [r["rank"] for r in rows] == [1, 1]
    assert [r["enterprise"]["name"] for r in rows] == sorted(r["enterprise"]["name"] for r in rows)
