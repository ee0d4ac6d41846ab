"""Database engine behaviour that the ORM does not give us by default.

SQLite (the embedded default) gets, on every connection: WAL journal, foreign keys, a busy timeout.
Its transactions are begun by us rather than by the sqlite3 module, so that a request that will
write takes the write lock up front (BEGIN IMMEDIATE) instead of upgrading a read lock later, which
is what makes two concurrent writers deadlock in SQLite. Reads keep a plain deferred BEGIN so that
spectators never queue behind judges.

Ids: `MAX_ID` is the largest id the database's integer keys hold; `get_by_id` looks a row up by an id
from a URL or a body and answers None for one beyond it (unknown, where the query would overflow).
"""
from __future__ import annotations

import select
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic
from typing import TypeVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

from competition.extensions import db

MAX_ID = 2**31 - 1

_Row = TypeVar("_Row")


def get_by_id(model: type[_Row], ident: int) -> _Row | None:
    """The `model` row with primary key `ident`, or None (also for an id beyond the database's)."""
    return db.session.get(model, ident) if 0 < ident <= MAX_ID else None

WRITE_OPTION = "competition_write"  # a connection that writes even while its request only reads


@contextmanager
def writing() -> Iterator:
    """A short write transaction on a connection of its own (committed on leaving), for the rare write
    a read request makes (noting a token's use): on SQLite it queues for the writer like any write."""
    with db.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
        yield connection


SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# SQLite's own lock wait (busy_timeout) happens inside C and cannot yield to other greenlets, so a
# writer waiting for a writer that is itself waiting (say, reading its request body) would stall the
# whole gevent worker. Writers of one process therefore queue here first: under gunicorn's gevent
# worker `threading` is patched and this lock yields; across processes busy_timeout still applies.
_sqlite_writer = threading.Lock()
_HOLDS_WRITER = "competition_holds_sqlite_writer"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_on_connect(dbapi_connection, _record) -> None:
    """Server-side bounds on PostgreSQL: a statement runs at most 5 s, a lock is waited for at most
    5 s (both answer 503: errors.py). A database that does not answer at all is wait_gevent's."""
    if isinstance(dbapi_connection, sqlite3.Connection) or not hasattr(dbapi_connection, "pgconn"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET statement_timeout = 5000")
    dbapi_connection.execute("SET lock_timeout = 5000")
    dbapi_connection.autocommit = autocommit


# What a connection cut by wait_gevent (or dropped by a stopped server) says when used again: such a
# connection is a disconnect, to be replaced, whatever psycopg's own status of it still is.
_CUT = ("did not answer within", "another command is already in progress", "in transaction status ACTIVE",
        "connection socket closed", "consuming input failed", "server closed the connection")


def end_session_quietly(_exc=None) -> None:
    """teardown_appcontext, run before Flask-SQLAlchemy's: end the session, and when its rollback fails
    (the database stopped answering after the answer was ready) drop its connections without another
    word to the database, instead of turning a finished request into a 500."""
    try:
        db.session.remove()
    except Exception as error:  # noqa: BLE001 - the answer is made; the pool replaces the connection
        import logging

        logging.getLogger("competition.errors").warning("ending a session failed: %s", error)
        try:
            db.session.invalidate()
        except Exception:  # noqa: BLE001
            pass
        db.session.registry.clear()


@event.listens_for(Engine, "handle_error")
def _cut_is_a_disconnect(context) -> None:
    if context.dialect.name == "postgresql" and any(m in str(context.original_exception) for m in _CUT):
        context.is_disconnect = True


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    reading = (has_request_context() and request.method in READ_ONLY_METHODS
               and not connection.get_execution_options().get(WRITE_OPTION))
    if reading:
        connection.exec_driver_sql("BEGIN")
        return
    if not connection.info.get(_HOLDS_WRITER):
        if not _sqlite_writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        connection.info[_HOLDS_WRITER] = True
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except Exception:
        _release(connection.info)
        raise


def _release(info: dict) -> None:
    if info.pop(_HOLDS_WRITER, False):
        _sqlite_writer.release()


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_on_end(connection) -> None:
    if connection.dialect.name == "sqlite":
        _release(connection.info)


@event.listens_for(Pool, "checkin")
def _sqlite_on_checkin(_dbapi_connection, record) -> None:
    if record is not None:
        _release(record.info)  # a connection returned without commit or rollback events


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


# --- psycopg under gevent ------------------------------------------------------------------------------
#
# psycopg 3 cooperates with gevent by waiting on the connection's socket through the patched
# `select.poll`, which builds a poll object and a watcher per fd on every round trip: about a quarter
# of a PostgreSQL mark's CPU in the throughput benchmark. This wait function asks the kernel first
# (the original, unpatched poll with a zero timeout, one system call) and parks the greenlet on a single
# io watcher only when the socket is not ready yet. Installed by `green_psycopg` in gevent processes.

def wait_gevent(gen, fileno: int, interval: float = 0.0, timeout: float | None = None):
    """`psycopg.waiting.wait` for gevent: same contract (psycopg's generator protocol, `interval` to
    wake up and let psycopg check for interruptions, `timeout` raising `_WaitTimeout`). It runs on
    every round trip, so what it needs from psycopg and gevent was looked up once, by `green_psycopg`."""
    errors, (ready_none, ready_r, ready_w) = _psycopg_errors, _READY
    if interval is None:
        raise ValueError("indefinite wait not supported")
    deadline = monotonic() + timeout if timeout is not None else None
    silent_since = monotonic()
    try:
        state = next(gen)
        poller = _original_poll()
        poller.register(fileno, _POLL_MASK[state])
        while True:
            events = poller.poll(0)
            if not events:
                wait_for = interval if deadline is None else max(0.0, min(interval, deadline - monotonic()))
                if wait_for > 0:
                    try:
                        _GREEN_WAIT[state](fileno, timeout=wait_for, timeout_exc=_Expired)
                    except _Expired:
                        pass
                    events = poller.poll(0)
                if not events and monotonic() - silent_since > ANSWER_SECONDS:
                    _cut(fileno)
                    raise errors.OperationalError(f"the database did not answer within {ANSWER_SECONDS:g} s")
            else:
                silent_since = monotonic()
            ready = ready_none
            if events:
                mask = events[0][1]
                ready = (ready_r if mask & select.POLLIN else 0) | (ready_w if mask & select.POLLOUT else 0)
                if not ready and mask & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                    raise errors.OperationalError("connection socket closed")
            new_state = gen.send(ready)
            if new_state != state:
                state = new_state
                poller.modify(fileno, _POLL_MASK[state])
            if deadline is not None and monotonic() >= deadline:
                raise errors._WaitTimeout("wait timeout expired")
    except StopIteration as done:
        return done.value


class _Expired(Exception):
    pass


# A database that stops answering (its processes stopped, not refused: operations.md): no round trip
# waits longer than this. The socket is then shut down, so the connection fails at once from now on
# (a rollback does not wait again) and the pool replaces it (pre-ping); the request answers 503.
ANSWER_SECONDS = 5.0


def _cut(fileno: int) -> None:
    import socket

    try:
        sock = socket.socket(fileno=fileno)
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.detach()  # the descriptor stays psycopg's


_POLL_MASK: dict = {}
_GREEN_WAIT: dict = {}
_READY: tuple = ()
_psycopg_errors = None
_original_poll = None


def green_psycopg() -> bool:
    """Use `wait_gevent` for psycopg's waits when gevent has patched `select` (gunicorn's gevent worker)."""
    global _original_poll, _psycopg_errors, _READY
    try:
        from gevent import monkey, socket as green_socket
        from psycopg import errors, waiting
    except ImportError:  # pragma: no cover - both are installed with the project
        return False
    if not monkey.is_module_patched("select"):
        return False
    from psycopg.waiting import READY_NONE, READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

    _original_poll = monkey.get_original("select", "poll")
    _psycopg_errors, _READY = errors, (READY_NONE, READY_R, READY_W)
    _POLL_MASK.update({WAIT_R: select.POLLIN, WAIT_W: select.POLLOUT, WAIT_RW: select.POLLIN | select.POLLOUT})
    _GREEN_WAIT.update({WAIT_R: green_socket.wait_read, WAIT_W: green_socket.wait_write,
                        WAIT_RW: green_socket.wait_readwrite})
    waiting.wait = wait_gevent
    return True
