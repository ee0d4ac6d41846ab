"""Qualification (选拔赛 → 决赛) and drawing lots (抽签) (events.md)."""
from __future__ import annotations

import pytest

from competition.domain.lots import ALGORITHM, permute
from tests.contest_fixtures import create_contest, ensure_occupation
from tests.event_fixtures import scored_contest
from tests.support import assert_error

# Both databases: the same seed gives the same draw on every backend.
pytestmark = pytest.mark.backends

OTHER_OCCUPATION = {"code": "6-18-01-01", "edition": "2022", "name": "车工", "levels": [5, 4, 3, 2, 1]}


def competitors(client, setup, contest_id):
    rows = client.get(f"/api/v1/contests/{contest_id}/standings?view=jury", headers=setup.organizer.headers)
    return sorted((r["competitor"]["bib"], r["competitor"]["name"]) for r in rows.get_json()["rows"])


def test_qualifiers_enter_the_final_by_rank_with_ties_at_the_cut(client, admin, backend):
    source = scored_contest(client, admin, [70, 90, 80, 80, 60])  # ranks: 2→1, 3 and 4 tie at 2, 1→4
    final = create_contest(client, source.organizer)
    url = f"{source.url}/qualify"
    response = client.post(url, json={"to_contest_id": final["id"], "top": 2}, headers=source.organizer.headers)
    assert response.status_code == 200, response.get_json()
    added = response.get_json()["added"]
    assert [(c["bib"], c["name"]) for c in added] == [("1", "李四"), ("2", "王五"), ("3", "赵六")]
    # again: everyone is there already → 409 and nobody added
    response = client.post(url, json={"to_contest_id": final["id"], "top_percent": 100},
                           headers=source.organizer.headers)
    assert_error(response, 409, field="to_contest_id")
    assert len(competitors(client, source, final["id"])) == 3


def test_qualification_by_percentage(client, admin, backend):
    source = scored_contest(client, admin, [90, 80, 70, 60, 50, 40, 30])
    final = create_contest(client, source.organizer)
    response = client.post(f"{source.url}/qualify", json={"to_contest_id": final["id"], "top_percent": "50"},
                           headers=source.organizer.headers)
    assert [c["bib"] for c in response.get_json()["added"]] == ["1", "2", "3"]  # floor(7 × 50 / 100)


def test_qualification_into_a_running_contest_or_across_occupations_is_refused(client, admin, backend):
    source = scored_contest(client, admin, [90, 80])
    running = scored_contest(client, admin, [50], final=False, organizer=source.organizer)
    response = client.post(f"{source.url}/qualify", json={"to_contest_id": running.contest_id, "top": 1},
                           headers=source.organizer.headers)
    assert_error(response, 409, field="to_contest_id")
    ensure_occupation(client.application, OTHER_OCCUPATION)
    other = create_contest(client, source.organizer, occupation_code=OTHER_OCCUPATION["code"])
    response = client.post(f"{source.url}/qualify", json={"to_contest_id": other["id"], "top": 1},
                           headers=source.organizer.headers)
    assert_error(response, 422, field="to_contest_id")
    team = create_contest(client, source.organizer, team_size=2)
    response = client.post(f"{source.url}/qualify", json={"to_contest_id": team["id"], "top": 1},
                           headers=source.organizer.headers)
    assert_error(response, 422, field="to_contest_id")
    assert competitors(client, source, other["id"]) == [] and competitors(client, source, team["id"]) == []
    response = client.post(f"{source.url}/qualify", json={"to_contest_id": other["id"]},
                           headers=source.organizer.headers)
    assert_error(response, 422, field="top")
    # the source must be final
    draft = create_contest(client, source.organizer)
    response = client.post(f"{running.url}/qualify", json={"to_contest_id": draft["id"], "top": 1},
                           headers=source.organizer.headers)
    assert_error(response, 409)


def audit_entries(client, account, contest_id, action):
    entries = client.get(f"/api/v1/audit?contest_id={contest_id}", headers=account.headers).get_json()
    return [e for e in entries if e["action"] == action]


def test_a_draw_is_recorded_with_its_seed_and_can_be_recomputed(client, admin, backend):
    setup = scored_contest(client, admin, [None] * 6, final=False)
    response = client.post(f"{setup.url}/draw", json={"what": "bib", "seed": "2026-省赛-抽签"},
                           headers=setup.organizer.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["seed"] == "2026-省赛-抽签"
    ids = [c["id"] for c in setup.competitors]
    # the same seed gives the same draw on every backend: this assignment is fixed by the algorithm
    assert [a["bib"] for a in body["assignment"]] == permute("2026-省赛-抽签", ["1", "2", "3", "4", "5", "6"])
    assert [a["competitor_id"] for a in body["assignment"]] == ids
    (entry,) = audit_entries(client, setup.organizer, setup.contest_id, "contest.draw")
    assert entry["after"]["algorithm"] == ALGORITHM
    recomputed = permute(entry["after"]["seed"], entry["before"]["values"])
    assert recomputed == [a["bib"] for a in entry["after"]["assignment"]]
    assert dict(zip(entry["before"]["competitor_ids"], recomputed)) == {a["competitor_id"]: a["bib"]
                                                                       for a in body["assignment"]}
    standings = setup.standings(setup.organizer, view="jury")["rows"]
    assert sorted(r["competitor"]["bib"] for r in standings) == ["1", "2", "3", "4", "5", "6"]


def test_a_draw_without_a_seed_generates_one_and_stations_can_be_drawn(client, admin, backend):
    setup = scored_contest(client, admin, [None] * 3, final=False)
    for n, competitor in enumerate(setup.competitors, start=1):
        client.patch(f"{setup.url}/competitors/{competitor['id']}", json={"station": f"S{n}"},
                     headers=setup.organizer.headers)
    body = client.post(f"{setup.url}/draw", json={"what": "station"}, headers=setup.organizer.headers).get_json()
    assert 1 <= len(body["seed"]) <= 64
    assert [a["station"] for a in body["assignment"]] == permute(body["seed"], ["S1", "S2", "S3"])
    assert [a["bib"] for a in body["assignment"]] == ["1", "2", "3"]


def test_a_draw_after_marks_exist_is_refused_and_changes_nothing(client, admin, backend):
    setup = scored_contest(client, admin, [80, None, None], final=False)
    response = client.post(f"{setup.url}/draw", json={"what": "bib", "seed": "x"}, headers=setup.organizer.headers)
    assert_error(response, 409, field="what")
    rows = setup.standings(setup.organizer, view="jury")["rows"]
    assert {r["competitor"]["id"]: r["competitor"]["bib"] for r in rows} == {
        c["id"]: c["bib"] for c in setup.competitors}
    assert audit_entries(client, setup.organizer, setup.contest_id, "contest.draw") == []
    for bad, field in (({"what": "table"}, "what"), ({"what": "bib", "seed": ""}, "seed"),
                       ({"what": "bib", "seed": "s" * 65}, "seed")):
        assert_error(client.post(f"{setup.url}/draw", json=bad, headers=setup.organizer.headers), 422, field=field)
