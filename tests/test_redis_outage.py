"""operations.md, "When Redis is down"; live.md, Guarantees: two real server processes (gunicorn, gevent)
share a PostgreSQL schema and a private `redis-server` as their Socket.IO message queue. The Redis is
killed during marking and started again on the same port:

- marks keep being accepted, and each process keeps updating its own spectators;
- `/readyz` of both processes answers 503 naming the Redis check, the database check stays "ok";
- while Redis is down each process also hands its spectators the updates the other process published,
  read from the database (competition.live.manager), so no board stays behind for the whole outage;
- when Redis is back the processes resubscribe by themselves, cross-process fan-out resumes, and every
  spectator - public and jury, on either process - converges by `seq` to `GET /standings`;
- the same when Redis hangs (SIGSTOP) instead of dying, and then resumes;
- with Redis up, every update reaches every spectator exactly once (no double delivery).

The spectators are python-socketio clients that do what static/js/live/board-core.js does: apply
`board:snapshot` and `board:update` in `seq` order, ignore an update they already have, and ask
`board:resync` with their last `seq` when an update's `prev_seq` is not it."""
from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import service_unavailable
from tests.live_server import LiveServer, free_port, prepared_server
from tests.support import create_account
from tests.world import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

WAIT = 30  # seconds: the bound on every "eventually" below (nothing here asserts a duration)


class PrivateRedis:
    """A redis-server of this test alone, on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path):
        self.binary = shutil.which("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.directory / "redis.log", "ab") as log:  # redis-server keeps its own descriptor
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                client.ping()
                return
            except redis.RedisError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "redis.log").read_text()
                    raise RuntimeError(f"redis-server did not start: {log}") from exc
                time.sleep(0.1)
            finally:
                client.close()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        service_unavailable("redis-server", "the redis-server binary is not on PATH")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = PrivateRedis(directory)
    server.start()
    yield server
    server.kill()


class BoardClient:
    """A spectator (or the jury console) as static/js/live/board-core.js keeps its board."""

    def __init__(self, name: str, url: str, contest_id: int, view: str = "public", token: str | None = None):
        self.name, self.view = name, view
        self.lock = threading.Lock()
        self.seq: int | None = None
        self.rows: dict[int, dict] = {}
        self.deliveries: Counter[int] = Counter()  # board:update seq -> times received
        self.resyncs = 0
        self.client = socketio.Client(reconnection=False)
        self.client.on("board:snapshot", self._snapshot, namespace="/live")
        self.client.on("board:update", self._update, namespace="/live")
        auth = {"contest_id": contest_id, "view": view, **({"token": token} if token else {})}
        self.client.connect(url, namespaces=["/live"], transports=["websocket"], auth=auth, wait_timeout=10)

    def _snapshot(self, payload: dict) -> None:
        with self.lock:
            self.seq = payload["seq"]
            self.rows = {row["competitor"]["id"]: row for row in payload["rows"]}

    def _update(self, payload: dict) -> None:
        with self.lock:
            self.deliveries[payload["seq"]] += 1
            if self.seq is not None and payload["seq"] <= self.seq:
                return  # already have it
            if self.seq is None or payload["prev_seq"] != self.seq:
                self.resyncs += 1
                since = {} if self.seq is None else {"since_seq": self.seq}
            else:
                self.rows.update({row["competitor"]["id"]: row for row in payload["rows"]})
                self.seq = payload["seq"]
                return
        self.client.emit("board:resync", since, namespace="/live")

    def board(self) -> dict:
        with self.lock:
            return {"seq": self.seq, "rows": dict(self.rows)}

    def close(self) -> None:
        self.client.disconnect()


def standings(server: LiveServer, world: World, view: str) -> dict:
    response = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/standings",
                            params={"view": view} if view == "jury" else None,
                            headers=world.organizer.headers if view == "jury" else None, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"seq": body["seq"], "rows": {row["competitor"]["id"]: row for row in body["rows"]}}


def converge(clients: list[BoardClient], server: LiveServer, world: World, what: str) -> None:
    """Wait until every client's board equals GET /standings of its view (seq and rows)."""
    deadline = time.monotonic() + WAIT
    while True:
        expected = {view: standings(server, world, view) for view in ("public", "jury")}
        behind = [c for c in clients if c.board() != expected[c.view]]
        if not behind:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not converged: " + "; ".join(
                f"{c.name} at seq {c.board()['seq']} (standings {expected[c.view]['seq']}, "
                f"{c.resyncs} resyncs)" for c in behind))
        time.sleep(0.1)


def readyz(server: LiveServer) -> tuple[int, dict]:
    response = requests.get(f"{server.url}/readyz", timeout=10)
    return response.status_code, response.json()


def wait_for_readyz(server: LiveServer, status: int) -> dict:
    deadline = time.monotonic() + WAIT
    while True:
        code, body = readyz(server)
        if code == status:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{server.url}/readyz stayed {code} {body}, expected {status}")
        time.sleep(0.2)


class Marks:
    """Judges' marks through the API; each changes a competitor's A1 mark to a new value."""

    def __init__(self, world: World):
        self.world = world
        self.values: dict[str, int] = {}

    def put(self, server: LiveServer, judge: str, competitor: str) -> None:
        value = self.values.get(competitor, 0) % 5 + 1
        self.values[competitor] = value
        response = requests.put(
            f"{server.url}/api/v1/contests/{self.world.contest_id}/marks", timeout=10,
            json={"competitor_id": self.world.competitors[competitor], "aspect_code": "A1", "value": value},
            headers=self.world.judges[judge].headers)
        assert response.status_code in (200, 201), (server.url, response.status_code, response.text)


def test_redis_outage_marks_accepted_spectators_updated_and_converge_after(tmp_path, empty_postgres_url,
                                                                           private_redis):
    from competition import create_app

    env = {"COMPETITION_REDIS_URL": private_redis.url,
           "COMPETITION_REDIS_CHANNEL": f"competition-test-{uuid.uuid4().hex[:8]}"}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    a = prepared_server(tmp_path / "a", empty_postgres_url, **env)
    b = prepared_server(tmp_path / "b", empty_postgres_url, **env)
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_postgres_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw), extra_competitors=3)
    with app.app_context():
        from competition.extensions import db

        db.engine.dispose()
    clients: list[BoardClient] = []
    try:
        a.start(timeout=120)  # a bound for a loaded machine (importing the app), not a figure
        b.start(timeout=120)
        for server, name in ((a, "a"), (b, "b")):
            for view in ("public", "jury"):
                clients.append(BoardClient(f"{view}@{name}", server.url, world.contest_id, view,
                                           world.organizer.token if view == "jury" else None))
        on_a = [c for c in clients if c.name.endswith("@a")]
        on_b = [c for c in clients if c.name.endswith("@b")]
        marks = Marks(world)
        converge(clients, a, world, "after connecting")
        start = {c.name: c.board()["seq"] for c in clients}

        # Redis up: a mark on either process reaches every spectator once, through the queue.
        marks.put(a, "j1", "c1")
        converge(clients, a, world, "redis up, mark on a")
        marks.put(b, "j2", "c2")
        converge(clients, b, world, "redis up, mark on b")
        for client in clients:
            received = client.deliveries
            assert sorted(received) == [start[client.name] + 1, start[client.name] + 2], (client.name, received)
            assert set(received.values()) == {1}, f"{client.name} got an update twice: {received}"
            assert client.resyncs == 0, client.name
        assert readyz(a) == readyz(b) == (200, {"status": "ready", "checks": {"database": "ok", "redis": "ok"}})

        # Redis dies.
        private_redis.kill()
        for server in (a, b):
            body = wait_for_readyz(server, 503)
            assert body["status"] == "not ready" and body["checks"]["database"] == "ok", body
            assert body["checks"]["redis"].startswith("error"), body

        # Marks keep being accepted, and each process updates its own spectators.
        for competitor in ("c1", "c3", "c4"):
            marks.put(a, "j1", competitor)
        converge(on_a, a, world, "redis down, marks on a, spectators of a")
        for competitor in ("c2", "c5", "c6"):
            marks.put(b, "j2", competitor)
        converge(on_b, b, world, "redis down, marks on b, spectators of b")
        # The spectators of a did not get b's updates through the queue; a hands them over from the
        # database while the queue is down.
        converge(on_a, a, world, "redis down, marks on b, spectators of a")
        for server in (a, b):
            code, body = readyz(server)
            assert code == 503 and body["checks"]["redis"].startswith("error"), body
        assert "message queue unavailable" in a.log_tail(400) and "message queue unavailable" in b.log_tail(400)

        # One more mark on each process, then Redis comes back (same port).
        marks.put(a, "j1", "c2")
        marks.put(b, "j2", "c1")
        private_redis.start()
        for server in (a, b):
            assert wait_for_readyz(server, 200)["checks"] == {"database": "ok", "redis": "ok"}
        converge(clients, a, world, "redis back, before any new mark")

        # Cross-process fan-out works again: /readyz 200 means each process has resubscribed (and the
        # database hand-over has stopped), so a mark on one process reaches the other's spectators as a
        # board:update with its seq, through the queue.
        time.sleep(1)  # let the hand-over's last pass after recovery finish
        for server, judge, competitor, others in ((a, "j1", "c5", on_b), (b, "j2", "c6", on_a)):
            before = standings(server, world, "public")["seq"]
            marks.put(server, judge, competitor)
            converge(clients, server, world, f"redis back, mark on {server.url}")
            for client in others:
                seq = client.board()["seq"]
                assert client.deliveries[seq] >= 1, (client.name, seq, client.deliveries)
            assert [c for c in others if c.view == "public"][0].board()["seq"] == before + 1
        converge(clients, a, world, "redis back, marks on a and b")
        converge(clients, b, world, "redis back, marks on a and b (seen from b)")

        # A Redis that hangs instead of dying (SIGSTOP: connections open, no answers): the same, and
        # nothing waits on it for long (short timeouts, publishing skipped while it is down).
        private_redis.process.send_signal(signal.SIGSTOP)
        try:
            for server in (a, b):
                body = wait_for_readyz(server, 503)
                assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("error"), body
            marks.put(a, "j1", "c3")
            marks.put(a, "j1", "c4")
            converge(on_a, a, world, "redis hung, marks on a, spectators of a")
            marks.put(b, "j2", "c3")
            converge(on_b, b, world, "redis hung, mark on b, spectators of b")
            converge(on_a, a, world, "redis hung, mark on b, spectators of a")
        finally:
            private_redis.process.send_signal(signal.SIGCONT)
        for server in (a, b):
            assert wait_for_readyz(server, 200)["checks"] == {"database": "ok", "redis": "ok"}
        marks.put(b, "j2", "c4")
        converge(clients, b, world, "redis resumed, mark on b")
        for client in clients:
            assert client.client.connected, f"{client.name} lost its connection"
    finally:
        for client in clients:
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
        a.stop()
        b.stop()
