"""Database engine behaviour that the ORM does not give us by default.

SQLite (the embedded default) gets, on every connection: WAL journal, foreign keys, a busy timeout.
Its transactions are begun by us rather than by the sqlite3 module, so that a request that will
write takes the write lock up front (BEGIN IMMEDIATE) instead of upgrading a read lock later, which
is what makes two concurrent writers deadlock in SQLite. Reads keep a plain deferred BEGIN so that
spectators never queue behind judges.
"""
from __future__ import annotations

import sqlite3
import threading

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

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


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in READ_ONLY_METHODS
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
