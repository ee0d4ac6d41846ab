"""operations.md, "Writes scale out": one audit chain per contest plus a system chain. A changed,
removed or reordered entry of a contest's chain, in its middle or at its tail, is found by
`audit verify` with the entry and its chain named; writes in one contest never wait for another
contest's open transaction (PostgreSQL); existing entries are rechained by the migration."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

CONTEST = 7  # the chain of a contest id: entries need no contest row to belong to it


def write_entries(app, n_contest: int = 5, n_system: int = 2) -> None:
    """Entries 1..n_contest in contest 7's chain, each in a transaction of its own, with system
    entries in between."""
    from competition.extensions import db
    from competition.services import audit

    with app.app_context():
        for k in range(1, n_contest + 1):
            audit.record("test.contest", f"thing:{k}", contest_id=CONTEST, after={"k": k})
            if k <= n_system:
                audit.record("test.system", f"thing:{k}", after={"k": k})
            db.session.commit()


def tamper(app, *statements: str) -> None:
    from competition.extensions import db

    with app.app_context():
        for statement in statements:
            db.session.execute(sa.text(statement))
        db.session.commit()


IN_CHAIN = f"chain = {CONTEST} AND"


@pytest.mark.parametrize("statements, bad_seq", [
    ([f"UPDATE audit_entries SET after = '{{\"k\": 99}}' WHERE {IN_CHAIN} seq = 3"], 3),  # middle, changed
    ([f"UPDATE audit_entries SET actor = 'mallory' WHERE {IN_CHAIN} seq = 5"], 5),  # tail, changed
    ([f"DELETE FROM audit_entries WHERE {IN_CHAIN} seq = 2"], 2),  # middle, removed
    ([f"DELETE FROM audit_entries WHERE {IN_CHAIN} seq = 5"], 5),  # tail, removed
    ([f"DELETE FROM audit_entries WHERE {IN_CHAIN} seq >= 4"], 4),  # tail of two, removed
    ([f"UPDATE audit_entries SET seq = 100 WHERE {IN_CHAIN} seq = 2",  # two swapped
      f"UPDATE audit_entries SET seq = 2 WHERE {IN_CHAIN} seq = 3",
      f"UPDATE audit_entries SET seq = 3 WHERE {IN_CHAIN} seq = 100"], 2),
    ([f"UPDATE audit_entries SET contest_id = 8 WHERE {IN_CHAIN} seq = 5"], 5),  # claimed by another contest
], ids=["middle-changed", "tail-changed", "middle-removed", "tail-removed", "two-removed", "swapped", "moved"])
def test_tampering_in_a_contest_chain_is_found(app, client, admin, statements, bad_seq):
    write_entries(app)
    assert client.get("/api/v1/audit/verify", headers=admin.headers).get_json()["ok"] is True
    tamper(app, *statements)
    body = client.get("/api/v1/audit/verify", headers=admin.headers).get_json()
    assert body["ok"] is False
    assert (body["chain"], body["first_bad_seq"]) == (f"contest:{CONTEST}", bad_seq)


def test_a_cut_tail_with_its_head_rewritten_is_found_by_the_anchor(app, client, admin):
    """The head row alone cannot tell a cut tail whose head was rewritten to match; the system
    chain's anchor of the contest chain's head can."""
    from competition.extensions import db
    from competition.services import audit_chain

    write_entries(app)
    with app.app_context():
        audit_chain.anchor()
        fourth = db.session.execute(sa.text(f"SELECT hash FROM audit_entries WHERE {IN_CHAIN} seq = 4")).scalar()
    tamper(app, f"DELETE FROM audit_entries WHERE {IN_CHAIN} seq = 5",
           f"UPDATE audit_heads SET seq = 4, hash = '{fourth}' WHERE chain = {CONTEST}")
    body = client.get("/api/v1/audit/verify", headers=admin.headers).get_json()
    assert (body["ok"], body["chain"], body["first_bad_seq"]) == (False, f"contest:{CONTEST}", 5)


def test_chains_are_readable_per_contest(app, client, admin):
    write_entries(app, n_contest=3, n_system=3)
    entries = client.get(f"/api/v1/audit?contest_id={CONTEST}", headers=admin.headers).get_json()
    assert [(e["seq"], e["chain"], e["after"]["k"]) for e in entries] == [
        (1, f"contest:{CONTEST}", 1), (2, f"contest:{CONTEST}", 2), (3, f"contest:{CONTEST}", 3)]
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(entries, entries[1:]))
    everything = client.get("/api/v1/audit", headers=admin.headers).get_json()
    system = [e for e in everything if e["chain"] == "system"]
    assert [e["seq"] for e in system] == list(range(1, len(system) + 1))
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    body = client.get("/api/v1/audit/verify", headers=admin.headers).get_json()
    assert body == {"ok": True, "entries": len(everything)}


# --- PostgreSQL: one contest's open transaction holds up no other write ---------------------------------

def second_contest(app, world) -> tuple[int, dict[str, int]]:
    """Contest B: the same scheme, judges j1 and j2, the same three people as competitors."""
    from competition.extensions import db
    from competition.models import Competitor, CompetitorMember, Contest, ContestJudge, ContestState
    from competition.services import boards, standings

    with app.app_context():
        first = db.session.get(Contest, world.contest_id)
        contest = Contest(name="第二场", occupation_id=first.occupation_id, tier="enterprise",
                          starts_at=first.starts_at,
                          ends_at=first.ends_at, precision=2, scheme=first.scheme, scheme_version=1, tie_breakers=[],
                          state=ContestState.RUNNING)
        db.session.add(contest)
        db.session.flush()
        competitors = {}
        for n, key in enumerate(("c1", "c2", "c3")):
            competitor = Competitor(contest_id=contest.id, bib=str(n + 1))
            db.session.add(competitor)
            db.session.flush()
            db.session.add(CompetitorMember(contest_id=contest.id, competitor_id=competitor.id,
                                            person_id=world.people[key]))
            competitors[key] = competitor.id
        for name in ("j1", "j2"):
            db.session.add(ContestJudge(contest_id=contest.id, user_id=world.judges[name].id, aspects="all"))
        db.session.flush()
        standings.rebuild(contest)
        boards.ensure_views(contest.id)
        db.session.flush()
        boards.publish(contest.id)
        db.session.commit()
        return contest.id, competitors


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_open_transaction_in_one_contest_holds_up_no_other_write(app, client, make_user, backend):
    """A judge's mark in contest A is paused inside its transaction (after its audit entry is written,
    just before it commits), and another connection holds every chain's head row as a linker would.
    Meanwhile marks in contest B, and in contest A for another competitor (whose board is published
    meanwhile, in these tests' synchronous mode), are accepted promptly:
    with a 3 s lock timeout on every connection, any wait on a lock would fail them."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from competition.extensions import db
    from competition.services import boards
    from tests.world import build_world

    world = build_world(app, make_user)
    b_id, b_competitors = second_contest(app, world)

    def put(client_, contest_id, competitor_id, value):
        return client_.put(f"/api/v1/contests/{contest_id}/marks", headers=world.judges["j1"].headers,
                           json={"competitor_id": competitor_id, "aspect_code": "A1", "value": value})

    assert put(client, world.contest_id, world.competitors["c3"], "1.00").status_code == 201  # heads exist
    assert put(client, b_id, b_competitors["c3"], "1.00").status_code == 201
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _lock_timeout(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
            dbapi_connection.commit()
        db.engine.dispose()

    inside, release = threading.Event(), threading.Event()
    paused = threading.current_thread  # replaced by the pausing thread below

    @event.listens_for(Session, "before_commit")
    def _pause(session):
        if threading.current_thread() is paused and world.contest_id in session.info.get(boards.TOUCHED, ()):
            inside.set()
            release.wait(30)

    answers = {}

    def paused_mark():
        answers["paused"] = put(app.test_client(), world.contest_id, world.competitors["c1"], "2.00")

    thread = threading.Thread(target=paused_mark)
    paused = thread
    holder = None
    try:
        thread.start()
        assert inside.wait(30), "the paused mark never reached its commit"
        with app.app_context():
            holder = db.engine.connect()
            holder.execute(sa.text("SELECT chain FROM audit_heads ORDER BY chain FOR UPDATE")).all()
        started = time.monotonic()
        answers["other contest"] = [put(client, b_id, b_competitors[key], f"{n}.50")
                                    for n, key in enumerate(("c1", "c2", "c1"), start=1)]
        answers["other competitor"] = [put(client, world.contest_id, world.competitors["c2"], "3.00")]
        elapsed = time.monotonic() - started
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        release.set()
        thread.join(30)
        event.remove(Session, "before_commit", _pause)
    assert [r.status_code for r in answers["other contest"]] == [201, 201, 200]
    assert [r.status_code for r in answers["other competitor"]] == [201]
    assert elapsed < 3, elapsed  # no lock waited for (a 3 s lock timeout would have failed it anyway)
    assert answers["paused"].status_code == 201
    body = client.get("/api/v1/audit/verify", headers=world.organizer.headers).get_json()
    assert body["ok"] is True
    entries = client.get(f"/api/v1/audit?contest_id={world.contest_id}", headers=world.organizer.headers).get_json()
    assert sum(e["action"] == "mark.put" for e in entries) == 3


@pytest.mark.slow
@pytest.mark.postgres
def test_a_serving_process_links_and_anchors_entries_in_the_background(tmp_path, empty_postgres_url):
    """`competition serve` on PostgreSQL: a mark's entry is written unlinked with the mark, and the
    process's sequencer links it into the contest's chain and, a few seconds later, anchors that
    chain's head in the system chain, with no verification or other request to prompt it."""
    import requests

    from competition import create_app
    from competition.extensions import db
    from competition.services import audit
    from tests.live_server import prepared_server
    from tests.support import create_account
    from tests.world import build_world

    server = prepared_server(tmp_path, empty_postgres_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": server.database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw))
    server.start()
    try:
        for value in ("1.00", "2.00", "3.00"):
            response = requests.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks",
                                    headers=world.judges["j1"].headers, timeout=30,
                                    json={"competitor_id": world.competitors["c1"], "aspect_code": "A1",
                                          "value": value})
            assert response.status_code in (200, 201), response.text
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a performance figure
        with app.app_context():
            while True:
                linked = db.session.execute(sa.text(
                    "SELECT count(*) FILTER (WHERE seq IS NOT NULL), count(*) FROM audit_entries "
                    "WHERE chain = :c AND action = 'mark.put'"), {"c": world.contest_id}).one()
                anchors = db.session.execute(sa.text(
                    "SELECT after FROM audit_entries WHERE chain = 0 AND action = 'audit.anchor' AND seq IS NOT NULL"
                )).scalars().all()
                head = db.session.execute(sa.text("SELECT seq, hash FROM audit_heads WHERE chain = :c"),
                                          {"c": world.contest_id}).one_or_none()
                db.session.commit()
                anchored = [a for a in anchors if head is not None and
                            (a if isinstance(a, dict) else __import__("json").loads(a))["chains"].get(
                                str(world.contest_id)) == {"seq": head.seq, "hash": head.hash}]
                if tuple(linked) == (3, 3) and anchored:
                    break
                assert time.monotonic() < deadline, (tuple(linked), anchors, server.log_tail())
                time.sleep(0.2)
    finally:
        server.stop()
    with app.app_context():
        assert audit.verify(db.session).ok
        db.engine.dispose()
