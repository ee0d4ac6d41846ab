"""Shared fixtures.

Database tests run on SQLite. A test or module marked `@pytest.mark.backends` runs once on SQLite and
once on PostgreSQL, `@pytest.mark.backends("postgresql")` on PostgreSQL alone: the tests where the
backend matters (concurrency, locking, constraints, migrations, transactions, text handling, crash and
restart, exports of database types, and a broad API smoke). PostgreSQL is used when reachable; with
REQUIRE_SERVICES=1 an unreachable PostgreSQL fails instead of skipping.

The schema is made once per run (per xdist worker): SQLite tests get a copy of a template file made
then, PostgreSQL tests this worker's schema emptied by `_PostgresReset`. Schema names carry the xdist
worker and a random part, so that parallel workers and parallel runs on one server never meet.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("COMPETITION_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COMPETITION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BACKENDS = ("sqlite", "postgresql")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def service_unavailable(name: str, reason: str):
    """Skip, or fail when the run requires every service (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {reason}", pytrace=False)
    pytest.skip(f"{name} not available: {reason}")


def unique_name(prefix: str) -> str:
    """A name no other worker or run uses (databases, schemas, channels)."""
    return f"{prefix}_{WORKER}_{uuid.uuid4().hex[:10]}".lower()


# --- which backends a test runs on ----------------------------------------------------------------

def pytest_generate_tests(metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is None or "backend" not in metafunc.fixturenames:
        return
    names = marker.args or BACKENDS
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: unknown backends {sorted(unknown)}")
    metafunc.parametrize("backend", [
        pytest.param(name, marks=pytest.mark.postgres) if name == "postgresql" else name for name in names
    ], indirect=True)


@pytest.fixture
def backend(request) -> str:
    """"sqlite", or the backend of this parametrisation of a test marked `backends`."""
    return getattr(request, "param", "sqlite")


# --- PostgreSQL -----------------------------------------------------------------------------------

def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A new, empty schema on the test server: its URL (search_path set); dropped on leaving.
    Skips, or fails under REQUIRE_SERVICES=1, when PostgreSQL is unreachable."""
    schema = unique_name("ctest")
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        engine.dispose()
        service_unavailable("PostgreSQL", f"{POSTGRES_URL}: {type(exc).__name__}: {exc}")
    try:
        yield _with_search_path(POSTGRES_URL, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This run's (this worker's) own schema on the PostgreSQL test server (`_postgres_tables` fills it)."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh, empty schema of one test's own: for tests that migrate it or start servers on it."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_tables(postgres_url: str) -> Iterator[_PostgresReset]:
    """This worker's schema with the tables and the audit head, made once, and what empties it again for
    each test (`database_url`)."""
    _build_schema(postgres_url)
    reset = _PostgresReset(postgres_url)
    yield reset
    reset.close()


class _PostgresReset:
    """Back to the state `_build_schema` left: every table emptied, every sequence restarted, the audit
    head in place; one statement over one connection kept open by the worker.

    Measured on this machine (2 cores, busy): connecting costs 65-110 ms (a backend forked, the session
    settings of competition.database), the statement 15-55 ms. So the connection is kept, where a
    connection per reset (two, with the audit head's ORM session) made a reset cost 200-450 ms.
    DELETE, not TRUNCATE: on tables of a few rows it takes milliseconds where TRUNCATE (new files for the
    tables and their indexes) takes 60 ms on a quiet machine and close to a second on a busy one. A
    template database copied per test (CREATE DATABASE … TEMPLATE, STRATEGY WAL_LOG) costs 190-370 ms
    and its DROP 1-3.5 s (PostgreSQL 15 forces a checkpoint for it); FILE_COPY 1.5-5 s."""

    def __init__(self, url: str) -> None:
        from competition.extensions import db
        from competition.models import AuditHead
        from competition.models.audit import SYSTEM_CHAIN
        from competition.services.audit_chain import GENESIS_HASH

        self.url = url
        # pre_ping: a connection the server dropped meanwhile is replaced, not a failed reset.
        self.engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        with self.engine.connect() as conn:
            sequences = conn.execute(sa.text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = current_schema()")).scalars().all()
        statements = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
        statements += [f"SELECT setval('\"{name}\"', 1, false)" for name in sequences]
        self.emptying = "; ".join(statements)
        self.head = sa.insert(AuditHead.__table__).values(chain=SYSTEM_CHAIN, seq=0, hash=GENESIS_HASH)

    def __call__(self) -> str:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self.emptying)
            conn.execute(self.head)
        return self.url

    def close(self) -> None:
        self.engine.dispose()


# --- SQLite ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with the tables and the audit head, made once per worker; each test copies it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    _build_schema(f"sqlite:///{path}")
    return path


def _build_schema(url: str) -> None:
    from competition import create_app
    from competition.extensions import db
    from competition.services.audit import ensure_head

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_REDIS_URL": None, "COMPETITION_LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        ensure_head(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


# --- the app ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    """Argon2 at its cheapest: the tests sign in hundreds of times; the KDF itself is unchanged."""
    from competition.services import accounts

    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    accounts._DUMMY_HASH = accounts._hasher.hash("not a password")


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request) -> str:
    """The test's own database with the tables and the audit head (copied from the template)."""
    if backend == "postgresql":
        return request.getfixturevalue("_postgres_tables")()
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, backend: str, tmp_path: Path):
    from competition import create_app
    from competition.extensions import db

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "SOCKETIO_ASYNC_MODE": "threading",
        "COMPETITION_REDIS_URL": None,
        "COMPETITION_LIVE_SYNC": True,
        "COMPETITION_LOG_LEVEL": "WARNING",
    })
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An application context for calling services directly."""
    with app.app_context():
        yield


from tests.support import *  # noqa: E402,F401,F403  (helper fixtures: make_user, auth, …)
