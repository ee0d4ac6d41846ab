"""The schema comes from Alembic migrations, and the migrations match the models exactly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


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
        head = db.session.get(AuditHead, 1)
        assert head.seq == 0 and head.hash == "0" * 64
        db.engine.dispose()
