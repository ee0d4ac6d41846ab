"""operations.md, Production and scale-out; live.md, Guarantees: two real server processes (gunicorn,
gevent) sharing PostgreSQL and the real Redis as the Socket.IO message queue. A mark posted to one
process reaches spectators of both, with the same seq."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.conftest import REDIS_URL, service_unavailable
from tests.live_server import prepared_server
from tests.support import create_account
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        service_unavailable("Redis", f"{REDIS_URL}: {exc}")
    return REDIS_URL


class Spectator:
    def __init__(self, url: str, contest_id: int):
        self.updates: list[dict] = []
        self.snapshot: dict | None = None
        self.ready = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("board:snapshot", self._snapshot, namespace="/live")
        self.client.on("board:update", self.updates.append, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["websocket"],
                            auth={"contest_id": contest_id, "view": "public"}, wait_timeout=10)

    def _snapshot(self, payload):
        self.snapshot = payload
        self.ready.set()

    def wait_for(self, seq: int, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for update in self.updates:
                if update["seq"] == seq:
                    return update
            time.sleep(0.05)
        raise AssertionError(f"no update with seq {seq}; got {[u['seq'] for u in self.updates]}")


def test_a_mark_posted_to_process_a_reaches_spectators_of_process_b_with_the_same_seq(
        tmp_path, empty_postgres_url, redis_url):
    from competition import create_app

    channel = f"competition-test-{uuid.uuid4().hex[:8]}"
    env = {"COMPETITION_REDIS_URL": redis_url, "COMPETITION_REDIS_CHANNEL": channel}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    a = prepared_server(tmp_path / "a", empty_postgres_url, **env)
    b = prepared_server(tmp_path / "b", empty_postgres_url, **env)

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_postgres_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw))
    with app.app_context():
        from competition.extensions import db

        db.engine.dispose()
    try:
        a.start()
        b.start()
        on_a, on_b = Spectator(a.url, world.contest_id), Spectator(b.url, world.contest_id)
        assert on_a.ready.wait(10) and on_b.ready.wait(10)
        start_seq = on_a.snapshot["seq"]
        assert on_b.snapshot["seq"] == start_seq

        response = requests.put(f"{a.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                                json={"competitor_id": world.competitors["c1"], "aspect_code": "A1", "value": "4.5"},
                                headers=world.judges["j1"].headers)
        assert response.status_code == 201, response.text
        got_a, got_b = on_a.wait_for(start_seq + 1), on_b.wait_for(start_seq + 1)
        assert got_a == got_b
        assert got_a["rows"][0]["total"] == "22.50"

        # And the other way round: a mark on B reaches A, next in the same sequence.
        response = requests.put(f"{b.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                                json={"competitor_id": world.competitors["c2"], "aspect_code": "A1", "value": "5"},
                                headers=world.judges["j2"].headers)
        assert response.status_code == 201, response.text
        assert on_a.wait_for(start_seq + 2) == on_b.wait_for(start_seq + 2)
        for spectator in (on_a, on_b):
            assert sorted(u["seq"] for u in spectator.updates) == [start_seq + 1, start_seq + 2]
            spectator.client.disconnect()
    finally:
        a.stop()
        b.stop()
