"""operations.md, "Writes scale out": a board publisher never waits on another process's publish of
the same contest (it would hold a busy backend on a lock); it skips, and publishes a window later."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_background_publish_skips_a_contest_another_process_is_publishing(app, client, make_user, backend):
    from competition.extensions import db
    from competition.live.broadcaster import EXTENSION
    from tests.world import build_world

    world = build_world(app, make_user)
    broadcaster = app.extensions[EXTENSION]
    broadcaster.committed = lambda *args, **kwargs: None  # leave the change unpublished
    assert world.put(client, "j1", "c1", "A1", "4.00").status_code == 201
    with app.app_context():
        holder = db.engine.connect()
        holder.execute(sa.text("SELECT seq FROM board_views WHERE contest_id = :c FOR UPDATE"),
                       {"c": world.contest_id}).all()
    try:
        started = time.monotonic()
        assert broadcaster.flush(world.contest_id, wait=False) is None  # another "process" is publishing
        assert time.monotonic() - started < 2
    finally:
        holder.rollback()
        holder.close()
    with app.app_context():
        from competition.services import boards

        assert boards.dirty_contests() == {world.contest_id}
    assert broadcaster.flush(world.contest_id, wait=False) is True
    with app.app_context():
        assert boards.dirty_contests() == set()
    standings = client.get(f"/api/v1/contests/{world.contest_id}/standings", headers=world.organizer.headers)
    assert standings.get_json()["seq"] >= 2
