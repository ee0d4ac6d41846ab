"""Property-based API testing with schemathesis against /api/v1/openapi.json (the Flask app over WSGI).

A database with the full demo contest (competition.demo.load()), on SQLite and on PostgreSQL (which
cannot store NUL: api.md wants a 422 on every backend); every operation gets a bounded number of
generated requests, each sent once per role (anonymous, admin, organizer, judge, chief judge, hr).
Generated text draws NUL and unpaired surrogates besides any other character (a surrogate goes into
JSON bodies as its \\u escape; where it cannot be put on the wire at all, in a URL, the example is
dropped). Checks: no 5xx (`not_a_server_error`) and every response matches the documented schema
(`response_schema_conformance`).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

ROLES = ("anonymous", "admin", "organizer", "judge", "chief", "hr")


HOSTILE = "\x00\ud800\udbff\udc00\udfff"


@pytest.fixture(autouse=True)
def _hostile_alphabet(monkeypatch):
    """Every generated text may hold NUL and unpaired surrogates (schemathesis leaves surrogates out)."""
    from functools import lru_cache

    from hypothesis import strategies as st
    from schemathesis.generation.jsonschema import context

    plain = context._characters

    @lru_cache
    def hostile(allow_x00, codec, max_codepoint, exclude_characters):
        chosen = plain(allow_x00, codec, max_codepoint, exclude_characters)
        if codec != "utf-8" or (max_codepoint is not None and max_codepoint < 0xDFFF):
            return chosen  # headers and the like: kept as they are
        return st.one_of(st.sampled_from(HOSTILE), chosen)

    monkeypatch.setattr(context, "_characters", hostile)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory):
    if request.param == "postgresql":
        from tests.conftest import fresh_postgres_schema

        with fresh_postgres_schema() as url:
            yield url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'demo.sqlite3'}"


@pytest.fixture(scope="module")
def demo_app(database):
    from sqlalchemy import select

    from competition import create_app, demo
    from competition.extensions import db
    from competition.models import ContestJudge, Role, User
    from competition.services import accounts
    from competition.services.audit import ensure_head

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "test-secret",
                      "SOCKETIO_ASYNC_MODE": "threading", "COMPETITION_REDIS_URL": None,
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "ERROR"})
    with app.app_context():
        db.create_all()
        ensure_head(db.session)
        demo.load()
        db.session.commit()
        chief_ids = set(db.session.scalars(select(ContestJudge.user_id).where(ContestJudge.chief.is_(True))))

        def first(role: Role, *, chief: bool = False) -> User:
            users = db.session.scalars(select(User).where(User.role == role).order_by(User.id))
            return next(u for u in users if role != Role.JUDGE or (u.id in chief_ids) == chief)

        users = {"admin": first(Role.ADMIN), "organizer": first(Role.ORGANIZER), "judge": first(Role.JUDGE),
                 "chief": first(Role.JUDGE, chief=True), "hr": first(Role.HR)}
        app.config["TEST_TOKENS"] = {role: accounts.issue_token(user) for role, user in users.items()}
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Operations whose failure is known and too large to fix here: "METHOD /path" -> reason (xfail).
KNOWN: dict[str, str] = {}


def test_api_never_errors_and_matches_its_schema(demo_app):
    from hypothesis import given, reject

    api_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    tokens = demo_app.config["TEST_TOKENS"]
    failures: dict[str, str] = {}
    count = 0
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Changing an account may switch off, or change the password of, the very accounts whose tokens the
    # other operations use, which revokes those tokens: it runs last.
    operations.sort(key=lambda op: op.method.upper() == "PATCH" and op.path.endswith("/users/{user_id}"))
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        count += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for role in ROLES:
                headers = {"Authorization": f"Bearer {tokens[role]}"} if role != "anonymous" else {}
                try:
                    response = case.call(headers=headers)
                except UnicodeEncodeError:
                    reject()  # a surrogate in a URL or form: no client can send it
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as error:  # noqa: BLE001 - collected per operation
            failures[label] = f"{type(error).__name__}: {str(error)[:1500]}"
    assert count > 50
    unexpected = {label: text for label, text in failures.items() if label not in KNOWN}
    assert not unexpected, "\n\n".join(f"{label}:\n{text}" for label, text in unexpected.items())
    if failures:
        pytest.xfail("; ".join(f"{label}: {KNOWN[label]}" for label in failures))
