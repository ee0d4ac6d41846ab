"""The schema comes from Alembic migrations, and the migrations match the models exactly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

# Both databases: the migrations on each database.
pytestmark = pytest.mark.backends


@pytest.fixture
def empty_database_url(backend, tmp_path, request):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("empty_postgres_url")


def test_upgrade_head_matches_the_models(empty_database_url):
    from flask_migrate import upgrade

    from competition import create_app
    from competition.extensions import db
    from competition.models import AuditHead

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        head = db.session.get(AuditHead, 0)  # the system chain
        assert head.seq == 0 and head.hash == "0" * 64
        db.engine.dispose()


@pytest.mark.parametrize("tampered", [False, True])
def test_existing_audit_entries_are_rechained_per_contest(empty_database_url, tampered):
    """0009: the one chain's entries move, in their order, into their contest's chain or the system
    chain; the old chain is verified first and the system chain's last entry records it, with the
    new contest chains' heads; `audit verify` then passes on the new chains."""
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from competition import create_app
    from competition.extensions import db
    from competition.services import audit
    from competition.services.audit_chain import GENESIS_HASH, entry_hash

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SOCKETIO_ASYNC_MODE": "threading"})
    start = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    contests = [None, 1, 2, 1, None, 2, 1]
    with app.app_context():
        upgrade(revision="0008")
        prev_hash, rows = GENESIS_HASH, []
        for seq, contest_id in enumerate(contests, start=1):
            at = start + timedelta(minutes=seq, microseconds=seq * 7)
            after = {"n": seq}
            digest = entry_hash(seq=seq, at=at, actor="system", action="test.old", target=f"thing:{seq}",
                                contest_id=contest_id, before=None, after=after, prev_hash=prev_hash)
            stored_at = at if empty_database_url.startswith("postgresql") else at.replace(tzinfo=None)
            rows.append({"seq": seq, "at": stored_at,
                         "actor": "system", "action": "test.old", "target": f"thing:{seq}",
                         "contest_id": contest_id, "after": after, "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
        if tampered:
            rows[2]["after"] = {"n": 99}
        old = sa.table("audit_entries", *(sa.column(name) for name in ("seq", "at", "actor", "action", "target",
                                                                         "contest_id", "prev_hash", "hash")),
                       sa.column("after", sa.JSON))
        db.session.execute(old.insert(), rows)
        db.session.execute(sa.text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
                           {"seq": len(rows), "hash": prev_hash})
        db.session.commit()
        upgrade()
        result = audit.verify(db.session)
        assert result.as_dict() == {"ok": True, "entries": len(contests) + 1}
        chains = db.session.execute(sa.text("SELECT chain, seq, target FROM audit_entries ORDER BY chain, seq")).all()
        assert [(c, s, t) for c, s, t in chains if t != "audit"] == [
            (0, 1, "thing:1"), (0, 2, "thing:5"), (1, 1, "thing:2"), (1, 2, "thing:4"), (1, 3, "thing:7"),
            (2, 1, "thing:3"), (2, 2, "thing:6")]
        record = db.session.execute(sa.text("SELECT seq, action, after FROM audit_entries WHERE chain = 0 "
                                            "ORDER BY seq DESC")).first()
        after = record.after if isinstance(record.after, dict) else __import__("json").loads(record.after)
        assert (record.seq, record.action) == (3, "audit.rechain")
        assert after["previous"] == {"entries": 7, "seq": 7, "hash": prev_hash, "verified": not tampered,
                                     "first_bad_seq": 3 if tampered else None}
        assert set(after["chains"]) == {"1", "2"} and after["chains"]["1"]["seq"] == 3
        db.session.remove()
        db.engine.dispose()
