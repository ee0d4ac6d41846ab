"""PostgreSQL restart during marking (issue 9; api.md, Conventions: an unreachable database is a 503
with the JSON error body, never a 500): a real server process (gunicorn, gevent) runs against a PRIVATE
PostgreSQL cluster (initdb into a temporary folder, its own port and socket folder), judges keep
entering marks, and the cluster is stopped (`pg_ctl stop -m immediate`, as a crash) and started again.

- While it is down: API calls answer 503 with the api.md body and a Retry-After, pages answer 503
  HTML, anonymous and signed in; no response of the whole run is a 500 or carries a stack trace;
  `/readyz` is 503 naming the database, `/healthz` stays 200.
- Once it is back: the same process (never restarted) serves again - marks, standings, pages, and
  `/readyz` 200 - because pooled connections that died with the server are replaced
  (pool_pre_ping, and the 503 handler discards an invalidated connection).
- No acknowledged mark is lost: each cell's stored value is the last value acknowledged for it, and
  the audit chain verifies.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import service_unavailable
from tests.live_server import LiveServer, free_port, prepared_server
from tests.support import PASSWORD, create_account
from tests.world import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WAIT = 60  # seconds: the bound on every "eventually" below


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivateCluster:
    """A PostgreSQL cluster of this test alone: trust auth, 127.0.0.1 on a free port, its socket in
    its own folder. As root, the server runs as the `postgres` OS user (it refuses to run as root)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="competition-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/competition"

    def run(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=timeout,
                                cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}\n{result.stderr}\n{self.log_tail()}")
        return result.stdout

    def init(self) -> None:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--locale=C", "--no-sync")
        self.start()
        self.run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "competition")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                 "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
                              capture_output=True, cwd=self.root).returncode == 0

    def log_tail(self, lines: int = 20) -> str:
        path = self.root / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def destroy(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_cluster():
    bindir = _bindir()
    if bindir is None:
        service_unavailable("PostgreSQL server binaries", "initdb was not found (/usr/lib/postgresql/*/bin)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        service_unavailable("runuser", "needed to run PostgreSQL as the postgres user")
    cluster = PrivateCluster(bindir)
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


STACK_TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|sqlalchemy\.exc\.|psycopg\.")


def assert_clean_503(response: requests.Response, kind: str) -> None:
    """503, and a body that says so without internals: the api.md JSON body, or an HTML page."""
    where = f"{response.request.method} {response.url}"
    assert response.status_code == 503, (where, response.status_code, response.text[:500])
    assert not STACK_TRACE.search(response.text), (where, response.text[:2000])
    assert response.headers.get("Retry-After"), where
    if kind == "json":
        assert response.headers["Content-Type"].startswith("application/json"), where
        body = response.json()
        assert body["code"] == 503 and body["status"] == "Service Unavailable" and body["message"], body
    else:
        assert response.headers["Content-Type"].startswith("text/html"), where
        assert "<html" in response.text.lower(), where


class Judges:
    """Judges' tablets entering marks without pause, retrying a refused one with the same
    Idempotency-Key (as the tablet's queue does); every response is kept."""

    def __init__(self, server: LiveServer, world: World, cells: list[tuple[str, str]]):
        self.server, self.world, self.cells = server, world, cells
        self.responses: list[tuple[int, str, str]] = []  # (status, content type, body) of each answer
        self.acknowledged: dict[tuple[str, str], int] = {}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(cell,), daemon=True) for cell in cells]

    def __enter__(self) -> Judges:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _run(self, cell: tuple[str, str]) -> None:
        judge, competitor = cell
        session = requests.Session()
        n = 0
        while not self.stopping.is_set():
            n += 1
            value = n % 10 + 1
            key = f"{judge}-{competitor}-{n}-{uuid.uuid4().hex[:6]}"
            headers = {**self.world.judges[judge].headers, "Idempotency-Key": key}
            body = {"competitor_id": self.world.competitors[competitor], "aspect_code": "A3", "value": value}
            while True:  # until acknowledged: the same key each time
                try:
                    response = session.put(f"{self.server.url}/api/v1/contests/{self.world.contest_id}/marks",
                                           json=body, headers=headers, timeout=15)
                except requests.RequestException as exc:
                    self.responses.append((0, "", repr(exc)))
                    if self.stopping.is_set():
                        return
                    time.sleep(0.2)
                    continue
                self.responses.append((response.status_code, response.headers.get("Content-Type", ""),
                                       response.text))
                if response.status_code in (200, 201):
                    self.acknowledged[cell] = value
                    break
                if response.status_code != 503 or self.stopping.is_set():
                    return  # anything else is a finding; the assertions below name it
                time.sleep(0.2)

    def count(self) -> int:
        return sum(1 for status, _, _ in self.responses if status in (200, 201))


def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def signed_in(server: LiveServer, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{server.url}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{server.url}/login", timeout=10, allow_redirects=False,
                            data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return session


def test_postgres_restart_during_marking_fails_cleanly_and_recovers(tmp_path, private_cluster):
    from sqlalchemy import select

    from competition import create_app
    from competition.extensions import db
    from competition.models import Mark

    server = prepared_server(tmp_path, private_cluster.url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": private_cluster.url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw))
    with app.app_context():
        db.engine.dispose()
    cells = [(judge, competitor) for competitor in ("c1", "c2") for judge in ("j1", "j2")]
    base = server.url
    contest = world.contest_id
    jury = world.judges["chief"]
    try:
        server.start(timeout=120)  # a bound for a loaded machine (importing the app), not a figure
        pid = server.process.pid
        chief_pages = signed_in(server, jury.username)
        for response in (requests.get(f"{base}/api/v1/contests/{contest}/standings", timeout=10),
                         requests.get(f"{base}/board/{contest}", timeout=10),
                         chief_pages.get(f"{base}/jury/{contest}", timeout=10)):
            assert response.status_code == 200, (response.url, response.status_code)

        with Judges(server, world, cells) as judges:
            wait_until(lambda: judges.count() >= 20, "marks before the stop")
            private_cluster.stop("immediate")  # while the judges are marking

            # Down: every kind of request fails cleanly.
            assert_clean_503(requests.put(f"{base}/api/v1/contests/{contest}/marks", timeout=15,
                                          json={"competitor_id": world.competitors["c3"], "aspect_code": "A1",
                                                "value": 3}, headers=world.judges["j1"].headers), "json")
            assert_clean_503(requests.get(f"{base}/api/v1/contests/{contest}/standings", timeout=15), "json")
            assert_clean_503(requests.get(f"{base}/api/v1/contests/{contest}/standings?view=jury", timeout=15,
                                          headers=world.organizer.headers), "json")
            assert_clean_503(requests.get(f"{base}/board/{contest}", timeout=15), "html")
            assert_clean_503(requests.get(f"{base}/contests", timeout=15), "html")
            assert_clean_503(chief_pages.get(f"{base}/jury/{contest}", timeout=15), "html")
            ready = requests.get(f"{base}/readyz", timeout=15)
            assert ready.status_code == 503 and ready.json()["status"] == "not ready", ready.text
            assert ready.json()["checks"]["database"].startswith("error"), ready.text
            assert requests.get(f"{base}/healthz", timeout=15).status_code == 200
            wait_until(lambda: any(status == 503 for status, _, _ in judges.responses),
                       "a judge's mark refused with 503")
            acknowledged_while_down = judges.count()
            time.sleep(2)  # the judges keep retrying against the stopped database
            assert judges.count() == acknowledged_while_down, "a mark was acknowledged with the database down"

            private_cluster.start()
            # Back: the same process serves again, without a restart.
            wait_until(lambda: judges.count() >= acknowledged_while_down + 20, "marks after the restart")
        assert server.process.poll() is None and server.process.pid == pid
        for response in (requests.get(f"{base}/api/v1/contests/{contest}/standings", timeout=10),
                         requests.get(f"{base}/board/{contest}", timeout=10),
                         requests.get(f"{base}/contests", timeout=10),
                         chief_pages.get(f"{base}/jury/{contest}", timeout=10),
                         requests.get(f"{base}/readyz", timeout=10)):
            assert response.status_code == 200, (response.url, response.status_code, response.text[:300])

        statuses = sorted({status for status, _, _ in judges.responses})
        assert set(statuses) <= {200, 201, 503}, statuses  # 0 would be a failed connection or a timeout
        for status, content_type, text in judges.responses:
            assert not STACK_TRACE.search(text), text[:2000]
            if status == 503:
                assert content_type.startswith("application/json") and json.loads(text)["code"] == 503, text

        with app.app_context():
            for (judge, competitor), value in judges.acknowledged.items():
                stored = db.session.scalar(select(Mark.value).where(
                    Mark.contest_id == contest, Mark.competitor_id == world.competitors[competitor],
                    Mark.aspect_code == "A3", Mark.judge_id == world.judges[judge].id))
                assert stored is not None and float(stored) == value, (judge, competitor, stored, value)
            db.session.rollback()
            db.engine.dispose()
        assert "audit chain ok" in server.command("audit", "verify")
    finally:
        server.stop()
