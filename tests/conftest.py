"""Shared fixtures.

Database tests run once on SQLite and once on PostgreSQL (when reachable; with REQUIRE_SERVICES=1 an
unreachable PostgreSQL fails instead of skipping). PostgreSQL tests use a schema of their own per
run, so that several runs on one server never meet.
"""
from __future__ import annotations

import os
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


def service_unavailable(name: str, reason: str):
    """Skip, or fail when the run requires every service (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {reason}", pytrace=False)
    pytest.skip(f"{name} not available: {reason}")


# --- PostgreSQL -----------------------------------------------------------------------------------

def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A new, empty schema on the test server: its URL (search_path set); dropped on leaving.
    Skips, or fails under REQUIRE_SERVICES=1, when PostgreSQL is unreachable."""
    schema = f"ctest_{uuid.uuid4().hex[:10]}"
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
    """The schema of this run's PostgreSQL tests (tables created once, emptied per test)."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh, empty schema of one test's own: for tests that migrate it or start servers on it."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_tables(postgres_url: str) -> str:
    """Create the tables once per run; each test then starts from empty tables."""
    from competition import create_app
    from competition.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": postgres_url, "TESTING": True,
                      "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return postgres_url


def _empty_tables() -> None:
    from competition.extensions import db

    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


# --- the app ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    """Argon2 at its cheapest: the tests sign in hundreds of times; the KDF itself is unchanged."""
    from competition.services import accounts

    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    accounts._DUMMY_HASH = accounts._hasher.hash("not a password")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("_postgres_tables")
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(database_url: str, backend: str, tmp_path: Path):
    from competition import create_app
    from competition.extensions import db
    from competition.services.audit import ensure_head

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "SOCKETIO_ASYNC_MODE": "threading",
        "COMPETITION_REDIS_URL": None,
        "COMPETITION_LIVE_SYNC": True,
        "COMPETITION_LOG_LEVEL": "WARNING",
    })
    with app.app_context():
        if backend == "postgresql":
            _empty_tables()
        else:
            db.create_all()
        ensure_head(db.session)
        db.session.commit()
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
