"""Concurrent HR decisions (promotion.md: "serials never repeat for the same prefix, also under concurrent
confirmations"). On PostgreSQL the requests really overlap: each thread has its own test client, its own
session and connection, and a Barrier starts them together."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from competition.domain.certificates import CERT_NUMBER_RE, parse_certificate_number
from tests.promotion_fixtures import promotion_contest

# Both databases: row locks and serial numbers under concurrency.
pytestmark = pytest.mark.backends

EVERYONE = {"bands": [{"name": "前100名", "ranks": [1, 100], "action": {"raise_levels": 1}}]}


def race(app, calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        client = app.test_client()
        barrier.wait()
        return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def certificates_of(app):
    from competition.extensions import db
    from competition.models import Certificate

    with app.app_context():
        return [(c.number, c.prefix, c.serial, c.promotion_id) for c in db.session.query(Certificate)]


def confirm_call(promotion_id: int, version: int, headers: dict):
    return lambda c: c.post(f"/api/v1/promotions/{promotion_id}/confirm", json={"version": version}, headers=headers)


@pytest.mark.parametrize("round_", range(3))
def test_two_confirmations_of_one_proposal_give_one_certificate(app, client, admin, round_):
    """Runs on both backends: on SQLite the writers queue, on PostgreSQL they really overlap."""
    contest = promotion_contest(client, admin, [95, 90, 85])
    row = contest.outcome(1)
    first, second = contest.hr_of(1), contest.hr_of(1)
    responses = race(app, [confirm_call(row["id"], row["version"], first.headers),
                           confirm_call(row["id"], row["version"], second.headers)])
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).get_json()
    loser = next(r for r in responses if r.status_code == 409).get_json()
    assert loser["current"]["status"] == "confirmed" and loser["current"]["version"] == 2
    certificates = certificates_of(app)
    assert [c[0] for c in certificates] == [winner["certificate"]["number"]]
    assert contest.outcome(1)["status"] == "confirmed"


@pytest.mark.backends("postgresql")  # real overlap needs PostgreSQL; SQLite serialises writers
def test_fifty_parallel_confirmations_get_fifty_distinct_serials(app, client, admin):
    contest = promotion_contest(client, admin, [100 - n * 0.5 for n in range(100)], policy=EVERYONE)
    hr = contest.hr_of(1)
    rows = [contest.outcome(bib) for bib in range(1, 101, 2)]  # the 50 people of enterprise A
    assert len(rows) == 50 and all(r["status"] == "proposed" and r["to_level"] == 5 for r in rows)
    calls = [confirm_call(r["id"], r["version"], hr.headers) for r in rows]
    responses = race(app, calls)
    # Fifty at once are more than the connection pool holds; a request that waits past the pool's bound
    # is a 503 with Retry-After (operations.md: bounded waits), never a 500, and a retry then succeeds.
    for _ in range(5):
        waiting = [i for i, r in enumerate(responses) if r.status_code == 503]
        assert all(responses[i].headers.get("Retry-After") for i in waiting)
        if not waiting:
            break
        for i, retried in zip(waiting, race(app, [calls[i] for i in waiting])):
            responses[i] = retried
    assert [r.status_code for r in responses] == [200] * 50, [r.get_json() for r in responses if r.status_code != 200]
    numbers = [r.get_json()["certificate"]["number"] for r in responses]
    assert len(set(numbers)) == 50 and all(CERT_NUMBER_RE.fullmatch(n) for n in numbers)
    certificates = certificates_of(app)
    assert len(certificates) == 50
    assert len({c[1] for c in certificates}) == 1  # one prefix: same enterprise, year and level
    assert sorted(c[2] for c in certificates) == list(range(1, 51))  # distinct, no gaps
    assert sorted(parse_certificate_number(n).serial for n in numbers) == list(range(1, 51))
    assert {c[3] for c in certificates} == {r["id"] for r in rows}
    assert client.get("/api/v1/audit/verify", headers=admin.headers).get_json()["ok"] is True


@pytest.mark.backends("postgresql")  # real overlap needs PostgreSQL
def test_overlapping_batches_in_opposite_orders_decide_each_proposal_once(app, client, admin):
    contest = promotion_contest(client, admin, [100 - n for n in range(20)], policy=EVERYONE)
    hr = contest.hr_of(1)
    rows = [contest.outcome(bib) for bib in range(1, 21, 2)]
    decisions = [{"id": r["id"], "version": r["version"], "action": "confirm"} for r in rows]
    calls = [lambda c, d=d: c.post("/api/v1/promotions/decide", json={"decisions": d}, headers=hr.headers)
             for d in (decisions, list(reversed(decisions)), decisions[3:] + decisions[:3])]
    responses = race(app, calls)
    assert [r.status_code for r in responses] == [200, 200, 200]
    confirmed = sum(r.get_json()["confirmed"] for r in responses)
    failed = [res["status"] for r in responses for res in r.get_json()["results"] if not res["ok"]]
    assert confirmed == 10 and failed == [409] * 20
    assert len(certificates_of(app)) == 10
