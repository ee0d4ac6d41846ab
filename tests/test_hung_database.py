"""A hung database (operations.md): PostgreSQL's processes stopped with SIGSTOP, not refused.

A private cluster (initdb into a temporary directory with the Debian binaries, on a free port, as the
`postgres` user when run as root) serves a real server process (gunicorn, gevent). While 30 clients
read the standings and 5 judges mark, every process of the cluster is stopped for 20 s. Every answer
comes within 12 s and is a success or a 503 with Retry-After, never a 500; /healthz answers
throughout; after SIGCONT the same server process serves again by itself, and every acknowledged mark
is stored.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.live_server import LiveServer, free_port

pytestmark = pytest.mark.slow

STOPPED_SECONDS = 20
ANSWER_LIMIT = 12.0


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self, root: Path):
        self.bin = _binaries()
        self.data = root / "pgdata"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            os.chmod(self.data.parent, 0o777)
            for parent in self.data.parents:  # postgres must reach its data directory
                if str(parent) in ("/", "/tmp"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o711)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "log"), "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off",
                  "start")

    def stop(self) -> None:
        self.signal(signal.SIGCONT)
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def signal(self, signum: int) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster(tmp_path):
    if _binaries() is None or shutil.which("pgrep") is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    cluster = Cluster(Path("/tmp") / f"hung-{tmp_path.name}")
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.data.parent, ignore_errors=True)


def _world(url: str):
    from competition import create_app
    from competition.extensions import db
    from tests.support import create_account
    from tests.world import build_world

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_REDIS_URL": None, "COMPETITION_LOG_LEVEL": "WARNING"})
    world = build_world(app, lambda role="admin", **kw: create_account(app, role, **kw))
    with app.app_context():
        db.engine.dispose()
    return world


def test_a_hung_database_answers_503_and_recovers(cluster, tmp_path):
    server = LiveServer(cluster.url, tmp_path)
    server.command("db", "upgrade")
    world = _world(cluster.url)
    server.start()
    url = f"{server.url}/api/v1/contests/{world.contest_id}"
    answers: list[tuple[str, int, float, bool]] = []  # (who, status, seconds, has Retry-After)
    acknowledged: dict[str, set[str]] = {}
    health: list[float] = []
    stop = threading.Event()

    def timed(who, call):
        started = time.monotonic()
        try:
            response = call()
        except requests.RequestException:
            answers.append((who, -1, time.monotonic() - started, False))
            return None
        answers.append((who, response.status_code, time.monotonic() - started, "Retry-After" in response.headers))
        return response

    def reader():
        session = requests.Session()
        while not stop.is_set():
            timed("reader", lambda: session.get(f"{url}/standings", timeout=ANSWER_LIMIT + 3))
            time.sleep(0.2)

    def judge(name):
        session = requests.Session()
        session.headers.update(world.judges[name].headers)
        n = 0
        while not stop.is_set():
            n += 1
            value = f"{n % 10}.{n % 2 * 5}"
            response = timed("judge", lambda value=value: session.put(f"{url}/marks", timeout=ANSWER_LIMIT + 3, json={
                "competitor_id": world.competitors["c1"], "aspect_code": "A3", "value": value}))
            if response is not None and response.status_code in (200, 201):
                acknowledged.setdefault(name, set()).add(value)
            time.sleep(0.3)

    def healthz():
        while not stop.is_set():
            started = time.monotonic()
            try:
                requests.get(f"{server.url}/healthz", timeout=5).raise_for_status()
                health.append(time.monotonic() - started)
            except requests.RequestException:
                health.append(99.0)
            time.sleep(0.5)

    threads = [threading.Thread(target=reader) for _ in range(30)]
    threads += [threading.Thread(target=judge, args=(name,)) for name in ("j1", "j2", "j3", "j4", "j5")]
    threads.append(threading.Thread(target=healthz))
    try:
        for thread in threads:
            thread.start()
        time.sleep(3)
        cluster.signal(signal.SIGSTOP)
        ready_started = time.monotonic()
        ready = requests.get(f"{server.url}/readyz", timeout=10)
        ready_seconds = time.monotonic() - ready_started
        time.sleep(STOPPED_SECONDS - (time.monotonic() - ready_started))
        during = len(answers)
        cluster.signal(signal.SIGCONT)
        time.sleep(2)
        recovered = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and recovered is None:
            response = requests.get(f"{url}/standings", timeout=ANSWER_LIMIT)
            if response.status_code == 200:
                recovered = time.monotonic()
            time.sleep(0.5)
        time.sleep(3)  # marks flow again
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        cluster.signal(signal.SIGCONT)
    server_alive = server.process.poll() is None
    log = server.log_tail(200)
    server.stop()

    assert ready.status_code == 503 and ready_seconds <= 5, (ready.status_code, ready_seconds)
    assert server_alive, log
    bad = [a for a in answers if not (200 <= a[1] < 300 or (a[1] == 503 and a[3]) or a[1] == 409)]
    assert not bad, bad[:20]
    slow = [a for a in answers if a[2] > ANSWER_LIMIT]
    assert not slow, slow[:20]
    assert any(a[1] == 503 for a in answers[:during]), "the hung database was never noticed"
    assert max(health) < 2, health
    assert recovered is not None, log
    late = [a for a in answers[during:] if 200 <= a[1] < 300 and a[0] == "judge"]
    assert late, "no mark was accepted after the database came back"
    assert "Traceback" not in log, log

    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.url)
    with engine.connect() as connection:
        for name, values in acknowledged.items():
            rows = connection.execute(text(
                "SELECT value FROM mark_revisions WHERE judge_id = :judge AND competitor_id = :competitor "
                "AND aspect_code = 'A3'"), {"judge": world.judges[name].id, "competitor": world.competitors["c1"]})
            stored = {Decimal(str(v)).normalize() for (v,) in rows}
            wanted = {Decimal(v).normalize() for v in values}
            assert wanted <= stored, (name, wanted - stored)
    engine.dispose()
