"""Crash safety: a real server process (gunicorn, gevent) takes 1,000 marks from 20 concurrent judge
clients and is killed with SIGKILL twice meanwhile. Clients retry with the same Idempotency-Key until
acknowledged. Afterwards: every acknowledged mark is stored exactly once (revisions per cell are exactly
the values sent, in order), standings equal a full recomputation, and the audit chain verifies.
On SQLite and on a freshly migrated PostgreSQL schema."""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.live_server import prepared_server
from tests.support import create_account
from tests.world import build_world

pytestmark = pytest.mark.slow

# 1,000 marks in all: 20 concurrent clients of 50 marks each, on both databases. On SQLite the
# writers of the (single) gevent worker queue on the cooperative writer lock of competition.database
# instead of stalling the worker inside SQLite's busy handler.
SHAPE = {"sqlite": (20, 50), "postgresql": (20, 50)}


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += _descendants(child) + [child]
    return found


def kill_hard(server) -> None:
    """SIGKILL the gunicorn master and its workers (a killed master leaves its worker holding the port)."""
    pids = _descendants(server.process.pid)
    server.kill()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise AssertionError(f"workers {pids} survived SIGKILL")
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_marks_survive_sigkill_exactly_once(database, tmp_path, request):
    from sqlalchemy import select

    from competition import create_app
    from competition.extensions import db
    from competition.models import Contest, MarkRevision
    from competition.services import standings

    clients, per_client = SHAPE[database]
    url = request.getfixturevalue("empty_postgres_url") if database == "postgresql" else None
    server = prepared_server(tmp_path, url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": server.database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw), extra_competitors=7)
    with app.app_context():
        db.engine.dispose()
    # 20 cells of the panel aspect A3 (max 10), each owned by one client: (judge, competitor)
    cells = [(judge, competitor) for competitor in sorted(world.competitors) for judge in ("j1", "j2", "j4", "j5")
             ][:clients]
    assert len(cells) == clients

    sent: dict[tuple[str, str], list[Decimal]] = {cell: [] for cell in cells}
    refused: list[str] = []
    stop_at = time.monotonic() + 600  # a bound for a loaded machine, not a performance figure
    stopping = threading.Event()  # the test failed: clients stop, so nothing outlives it

    def client(cell):
        judge, competitor = cell
        session = requests.Session()
        headers = dict(world.judges[judge].headers)
        for n in range(per_client):
            value = n % 10 + 1  # consecutive values always differ
            headers["Idempotency-Key"] = f"{judge}-{competitor}-{n}-{uuid.uuid4().hex[:6]}"
            body = {"competitor_id": world.competitors[competitor], "aspect_code": "A3", "value": value}
            while True:
                if time.monotonic() > stop_at or stopping.is_set():
                    refused.append(f"{cell}: gave up at mark {n}")
                    return
                try:
                    response = session.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks", json=body,
                                           headers=headers, timeout=5)
                except requests.RequestException:
                    time.sleep(0.1)
                    continue
                if response.status_code in (200, 201):
                    sent[cell].append(Decimal(value))
                    break
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    refused.append(f"{cell} mark {n}: {response.status_code} {response.text[:200]}")
                    return
                time.sleep(0.1)  # 5xx (e.g. 503 while the database is busy): retry with the same key

    threads = [threading.Thread(target=client, args=(cell,)) for cell in cells]
    try:
        # Starting can take long on a loaded machine (importing the app); the timeout is only a bound.
        server.start(timeout=120)
        for thread in threads:
            thread.start()
        for kill_after in (250, 600):
            while sum(len(v) for v in sent.values()) < kill_after and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            kill_hard(server)
            time.sleep(0.5)
            server.start(timeout=120)
        for thread in threads:
            thread.join(timeout=600)
        assert not refused, refused
        assert sum(len(v) for v in sent.values()) == clients * per_client == 1000

        with app.app_context():
            for (judge, competitor), values in sent.items():
                stored = list(db.session.scalars(
                    select(MarkRevision.value).where(MarkRevision.contest_id == world.contest_id,
                                                     MarkRevision.competitor_id == world.competitors[competitor],
                                                     MarkRevision.aspect_code == "A3",
                                                     MarkRevision.judge_id == world.judges[judge].id)
                    .order_by(MarkRevision.id)))
                assert [Decimal(v) for v in stored] == values, (judge, competitor)
            contest = db.session.get(Contest, world.contest_id)
            options = standings.options_for(contest, "jury")
            cached = standings.board_rows(contest, "jury", options)
            standings.rebuild(contest)
            assert standings.board_rows(contest, "jury", options) == cached
            db.session.rollback()
            db.engine.dispose()
        assert "audit chain ok" in server.command("audit", "verify")
    finally:
        stopping.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=30)
        server.stop()
