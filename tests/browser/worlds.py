"""The contests browser tests run against: the shared test contest (tests/world.py) written into the
database a test server (tests/live_server.py) serves, before the server starts."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone


@contextmanager
def world_in(database_url: str, **options) -> Iterator[tuple]:
    """Build the contest (`options` go to build_world) and yield `(app, world)` inside an app context,
    for changes of a test's own; on leaving, the app's connections are closed, so the server is alone
    on the database."""
    from competition import create_app
    from competition.extensions import db
    from tests.support import create_account
    from tests.world import build_world

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw), **options)
    with app.app_context():
        try:
            yield app, world
        finally:
            db.engine.dispose()


def served_world(server, **options):
    """The contest in `server`'s database, and the server started."""
    with world_in(server.database_url, **options) as (_app, world):
        pass
    server.start()
    return world


def make_provisional(world, appeal_window_minutes: int = 120) -> None:
    """Inside world_in: every module locked, the contest provisional, its appeal window open."""
    from competition.extensions import db
    from competition.models import Contest, ContestState, ModuleLock
    from competition.services import standings

    contest = db.session.get(Contest, world.contest_id)
    for _, module in standings.scheme_of(contest).modules():
        db.session.add(ModuleLock(contest_id=contest.id, module_code=module.code, locked=True))
    contest.state, contest.appeal_window_minutes = ContestState.PROVISIONAL, appeal_window_minutes
    contest.provisional_at = datetime.now(timezone.utc)
    db.session.commit()
