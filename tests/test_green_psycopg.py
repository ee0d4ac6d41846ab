"""psycopg under gevent (competition.database.wait_gevent): in a process gevent has patched, as
gunicorn's gevent worker is, the app swaps psycopg's wait function for one that parks only the waiting
greenlet. The checks run in a child process, because monkey-patching must come before every import:

- the app installs it (PostgreSQL URL, patched process) and leaves psycopg alone otherwise;
- queries still answer right, in a transaction, with errors raised as psycopg's own;
- waiting for the server parks one greenlet, not the process: while three sessions each sleep in
  PostgreSQL, another greenlet keeps running, and all three sleeps overlap;
- a statement timeout and a killed connection surface as errors, never a hang;
- and PostgreSQL engines ping pooled connections on checkout (SQLite ones do not).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.postgres

CHILD = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()

    import json, sys, time
    import gevent
    import psycopg
    from psycopg import waiting

    url = sys.argv[1]
    report = {"before": waiting.wait.__name__}

    from competition import create_app
    from competition.database import wait_gevent
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SOCKETIO_ASYNC_MODE": "gevent"})
    report["after_sqlite_app"] = waiting.wait.__name__
    create_app({"SQLALCHEMY_DATABASE_URI": url, "SOCKETIO_ASYNC_MODE": "gevent"})
    report["after_postgres_app"] = waiting.wait.__name__
    dsn = url.replace("postgresql+psycopg://", "postgresql://")

    with psycopg.connect(dsn) as conn:
        report["answer"] = conn.execute("SELECT %s::int + 1", (41,)).fetchone()[0]
        try:
            conn.execute("SELECT 1/0")
        except psycopg.errors.DivisionByZero:
            report["error"] = "DivisionByZero"
        conn.rollback()

    ticks = []
    def ticker():
        while len(ticks) < 1000:
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    spans = []
    def sleeper():
        with psycopg.connect(dsn) as conn:
            start = time.monotonic()
            conn.execute("SELECT pg_sleep(0.5)")
            spans.append((start, time.monotonic()))

    tick = gevent.spawn(ticker)
    gevent.joinall([gevent.spawn(sleeper) for _ in range(3)], raise_error=True)
    tick.kill()
    first_end = min(end for _, end in spans)
    report["overlapping"] = sum(start < first_end for start, _ in spans)
    report["ticks_while_sleeping"] = sum(min(s for s, _ in spans) < t < first_end for t in ticks)

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET statement_timeout = 200")
        try:
            conn.execute("SELECT pg_sleep(5)")
        except psycopg.errors.QueryCanceled:
            report["timeout"] = "QueryCanceled"

    with psycopg.connect(dsn, autocommit=True) as victim, psycopg.connect(dsn, autocommit=True) as killer:
        pid = victim.info.backend_pid
        def kill_soon():
            gevent.sleep(0.2)
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        gevent.spawn(kill_soon)
        try:
            victim.execute("SELECT pg_sleep(5)")
        except psycopg.OperationalError as error:
            report["killed"] = type(error).__name__
    print(json.dumps(report))
""")


def test_psycopg_waits_park_one_greenlet(postgres_url):
    result = subprocess.run([sys.executable, "-c", CHILD, postgres_url], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["before"] != "wait_gevent"
    assert report["after_sqlite_app"] == report["before"]  # SQLite apps leave psycopg alone
    assert report["after_postgres_app"] == "wait_gevent"
    assert report["answer"] == 42
    assert report["error"] == "DivisionByZero"
    assert report["overlapping"] == 3  # the three sleeps ran side by side, not one after another
    assert report["ticks_while_sleeping"] >= 10  # the other greenlet kept running meanwhile
    assert report["timeout"] == "QueryCanceled"
    assert report["killed"] in {"OperationalError", "AdminShutdown"}


def test_postgresql_engines_test_pooled_connections_on_checkout(postgres_url, tmp_path):
    """Pooled connections die with a PostgreSQL restart (tests/test_pg_restart.py): the engine pings
    each on checkout, also when the URL comes from create_app's overrides rather than the environment.
    SQLite files do not drop connections, so SQLite engines skip the ping."""
    from competition import create_app
    from competition.extensions import db

    postgres = create_app({"SQLALCHEMY_DATABASE_URI": postgres_url, "SOCKETIO_ASYNC_MODE": "threading"})
    sqlite = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                         "SOCKETIO_ASYNC_MODE": "threading"})
    with postgres.app_context():
        assert db.engine.pool._pre_ping is True
        db.engine.dispose()
    with sqlite.app_context():
        assert db.engine.pool._pre_ping is False
