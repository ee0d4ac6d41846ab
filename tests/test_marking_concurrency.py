"""Two judges marking the same measurement aspect at once: one winner and one 409, never a lost
update; concurrent marks for one competitor never lose a standings change (on PostgreSQL the
requests really overlap; on SQLite they serialise)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.world import build_world

# Both databases: real concurrency.
pytestmark = pytest.mark.backends


@pytest.fixture
def world(app, make_user):
    return build_world(app, make_user)


def race(app, calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        client = app.test_client()
        barrier.wait()
        return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("round_", range(3))
def test_same_measurement_with_expected_version_one_wins(app, client, world, round_):
    world.put(client, "j1", "c1", "A1", "1.00")  # version 1
    responses = race(app, [
        lambda c: world.put(c, "j1", "c1", "A1", "4.00", expected_version=1),
        lambda c: world.put(c, "j2", "c1", "A1", "3.00", expected_version=1),
    ])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).get_json()["mark"]
    loser = next(r for r in responses if r.status_code == 409).get_json()
    assert loser["mark"] == winner and winner["version"] == 2
    marks = client.get(f"/api/v1/contests/{world.contest_id}/marks?aspect_code=A1",
                       headers=world.organizer.headers).get_json()
    assert [(m["value"], m["version"]) for m in marks] == [(winner["value"], 2)]


def test_first_entry_race_one_wins(app, client, world):
    responses = race(app, [
        lambda c: world.put(c, "j1", "c2", "A1", "4.00", expected_version=0),
        lambda c: world.put(c, "j2", "c2", "A1", "3.00", expected_version=0),
    ])
    assert sorted(r.status_code for r in responses) == [201, 409]


def test_concurrent_marks_for_one_competitor_all_count(app, client, world):
    from competition.extensions import db
    from competition.models import Contest
    from competition.services import standings

    judges = ("j1", "j2", "j4", "j5", "chief")
    calls = [lambda c, j=j: world.put(c, j, "c1", "A3", "8.00") for j in judges]
    calls += [lambda c: world.put(c, "j1", "c1", "A1", "5"), lambda c: world.put(c, "j2", "c1", "B1", "3")]
    assert all(r.status_code == 201 for r in race(app, calls))
    with app.app_context():
        contest = db.session.get(Contest, world.contest_id)
        cached = {row["competitor"]["id"]: row["total"]
                  for row in standings.board_rows(contest, "jury", standings.options_for(contest, "jury"))}
        standings.rebuild(contest)
        recomputed = {row["competitor"]["id"]: row["total"]
                      for row in standings.board_rows(contest, "jury", standings.options_for(contest, "jury"))}
        db.session.rollback()
    assert cached == recomputed
    assert cached[world.competitors["c1"]] == "80.00"  # (5 + 8 + 3) / 20 × 100
