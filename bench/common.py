"""Shared parts of the benchmarks: servers started exactly as in production (gunicorn, gevent
worker, one process), a contest built straight into the database, and the shared client harness
(../shared/bench/fanout.py) run as a subprocess so that its numbers are the reference's numbers.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = Path(os.environ.get("COMPETITION_SHARED_BENCH", ROOT.parent / "shared" / "bench")).resolve()
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("COMPETITION_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COMPETITION_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def rss_kib(self) -> int:
        """Resident memory of the gunicorn worker (the child of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        pid = int(children[0]) if children else self.process.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_healthy(url: str, process: subprocess.Popen, log: Path, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url + path, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")


@contextmanager
def gunicorn(app: str, *, cwd: Path, env: dict[str, str] | None = None, health: str = "/healthz"):
    """gunicorn -k gevent -w 1 with raised worker connections, as `competition serve` runs."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-server-", suffix=".log")[1])
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", app, "--worker-class", "gevent", "--workers", "1",
         "--worker-connections", "10000", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
         "--log-level", "warning", "--timeout", "120"],
        cwd=cwd, env={**os.environ, **(env or {})}, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_healthy(server.url, process, log, health)
        yield server
    finally:
        server.stop()


@contextmanager
def reference_server(env: dict[str, str] | None = None):
    """The bare Flask-SocketIO broadcast of ../shared/bench/reference_app.py."""
    with gunicorn("reference_app:app", cwd=SHARED_BENCH, env=env, health="/socket.io/?EIO=4&transport=polling") as s:
        yield s


@dataclass
class BenchContest:
    database_url: str
    contest_id: int
    competitor_ids: list[int]
    aspect_codes: list[str]
    judge_tokens: list[str]
    env: dict[str, str]


def project_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    return {"COMPETITION_DATABASE_URL": database_url, "COMPETITION_INSTANCE_PATH": str(instance),
            "COMPETITION_SECRET_KEY": "bench-secret", "COMPETITION_LOG_LEVEL": "WARNING", **extra}


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'bench.sqlite3'}"


@contextmanager
def postgres_schema():
    import sqlalchemy as sa

    schema = f"cbench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def build_contest(database_url: str, instance: Path, *, competitors: int, aspects: int, judges: int = 1,
                  marks_per_competitor: int = 0, **env_extra: str) -> BenchContest:
    """A running contest of `competitors` × `aspects` measurement aspects (max 10), made through the
    migrations and bulk inserts; standings and boards built by the real services."""
    return build_contests(database_url, instance, count=1, competitors=competitors, aspects=aspects, judges=judges,
                          marks_per_competitor=marks_per_competitor, **env_extra)[0]


def build_contests(database_url: str, instance: Path, *, count: int, competitors: int, aspects: int,
                   judges: int = 1, marks_per_competitor: int = 0, **env_extra: str) -> list[BenchContest]:
    """`count` running contests as build_contest makes one, in one database, each with judges of its own."""
    env = project_env(database_url, instance, **env_extra)
    subprocess.run([PYTHON, "-m", "competition", "db", "upgrade"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    os.environ.update({k: v for k, v in env.items() if k.startswith("COMPETITION_INSTANCE")})
    from competition import create_app
    from competition.extensions import db
    from competition.models import Enterprise, Occupation

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LIVE_SYNC": True, "COMPETITION_LOG_LEVEL": "WARNING"})
    with app.app_context():
        enterprise = Enterprise(code="BENCH", name="基准测试单位", site_code="000001")
        occupation = Occupation(code="6-31-01-03", edition="2022", name="电工", levels=[5, 4, 3, 2, 1])
        db.session.add_all([enterprise, occupation])
        db.session.flush()
        made = [_make_contest(n, enterprise.id, occupation.id, competitors=competitors, aspects=aspects,
                              judges=judges, marks_per_competitor=marks_per_competitor) for n in range(count)]
        db.engine.dispose()
    return [BenchContest(database_url, contest_id, competitor_ids, codes, tokens, env)
            for contest_id, competitor_ids, codes, tokens in made]


def _make_contest(number: int, enterprise_id: int, occupation_id: int, *, competitors: int, aspects: int,
                  judges: int, marks_per_competitor: int) -> tuple[int, list[int], list[str], list[str]]:
    from competition.extensions import db
    from competition.models import Competitor, CompetitorMember, Contest, ContestJudge, ContestState, Mark, Person, Role
    from competition.services import accounts, boards, standings

    codes = [f"M{n:03d}" for n in range(aspects)]
    scheme = {"components": [{"code": "P", "name": "操作技能", "weight": "100", "modules": [
        {"code": f"MOD{m}", "name": f"模块{m}", "aspects": [
            {"code": code, "name": f"评分项{code}", "type": "measurement", "max_mark": "10"}
            for code in codes[m * 10:(m + 1) * 10]]}
        for m in range((aspects + 9) // 10)]}]}
    now = datetime.now(timezone.utc)
    contest = Contest(name=f"基准测试竞赛{number + 1}", occupation_id=occupation_id, tier="enterprise",
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=10), scheme=scheme,
                      scheme_version=1, state=ContestState.RUNNING, tie_breakers=[])
    db.session.add(contest)
    db.session.flush()
    tag = f"{number:02d}" if number else ""  # the first contest's people and judges keep their old names
    people = [{"enterprise_id": enterprise_id, "person_no": f"B{tag}{n:05d}", "name": f"选手{n}",
               "id_type": "护照", "id_number": f"E{tag}{n:08d}", "kind": "employee"} for n in range(competitors)]
    db.session.execute(Person.__table__.insert(), people)
    person_ids = list(db.session.scalars(db.select(Person.id).where(Person.person_no.in_(
        [p["person_no"] for p in people])).order_by(Person.id)))
    db.session.execute(Competitor.__table__.insert(),
                       [{"contest_id": contest.id, "bib": str(n + 1), "status": "active",
                         "created_at": now, "updated_at": now} for n in range(competitors)])
    competitor_ids = list(db.session.scalars(db.select(Competitor.id).where(Competitor.contest_id == contest.id)
                                             .order_by(Competitor.id)))
    db.session.execute(CompetitorMember.__table__.insert(),
                       [{"contest_id": contest.id, "competitor_id": c, "person_id": p, "position": 0}
                        for c, p in zip(competitor_ids, person_ids)])
    tokens, judge_ids = [], []
    for n in range(judges):
        judge = accounts.create_user(username=f"bench_judge{tag}{n}", password="bench-password", role=Role.JUDGE)
        db.session.add(ContestJudge(contest_id=contest.id, user_id=judge.id, chief=n == 0, aspects="all"))
        tokens.append(accounts.issue_token(judge))
        judge_ids.append(judge.id)
    if marks_per_competitor:
        rows = [{"contest_id": contest.id, "competitor_id": c, "aspect_code": code, "slot": 0,
                 "judge_id": judge_ids[0], "value": "5.00", "version": 1, "updated_at": now}
                for c in competitor_ids for code in codes[:marks_per_competitor]]
        for start in range(0, len(rows), 20000):
            db.session.execute(Mark.__table__.insert(), rows[start:start + 20000])
    db.session.flush()
    standings.rebuild(contest)
    boards.ensure_views(contest.id)
    db.session.flush()
    boards.publish(contest.id)
    db.session.commit()
    return contest.id, competitor_ids, codes, tokens


def in_process_client(database_url: str):
    """A Flask test client of the project on `database_url`, for timing or counting a request in
    process. What a server does in the background after the commit is left out (the board publish and
    the event rooms' update, each coalesced; in process they would start a thread per update, counted
    or timed by how long the run takes): only the request is measured."""
    from competition import create_app
    from competition.live import broadcaster, event_updates

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LOG_LEVEL": "WARNING"})
    for extension in (broadcaster.EXTENSION, event_updates.EXTENSION):
        app.extensions[extension].committed = lambda *args: None
    return app.test_client()


def callgrind_count(request, count: int, *, warm_up: int = 100) -> None:
    """Warm up, then have callgrind count exactly the `count` timed calls of `request(n)` (this process
    runs under `valgrind --instr-atstart=no`; callgrind_control switches counting on and off)."""
    for n in range(warm_up):
        request(n)
    control = ["callgrind_control", "--instr=on", str(os.getpid())]
    subprocess.run(control, check=True, capture_output=True)
    for n in range(warm_up, warm_up + count):
        request(n)
    subprocess.run(control[:1] + ["--instr=off", str(os.getpid())], check=True, capture_output=True)


def instructions(script: Path, side: str, folder: Path, count_flag: str, count: int) -> int:
    """Run `script --side side` under callgrind; the instructions it counted per timed call."""
    import re

    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={folder / side}.callgrind",
         PYTHON, str(script), "--side", side, "--folder", str(folder), count_flag, str(count)],
        capture_output=True, text=True, timeout=1800)
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"{side} side failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return int(found.group(1)) // count


def run_harness(*args: str, timeout: float = 900) -> dict:
    """The shared fan-out harness; returns its JSON line."""
    result = subprocess.run([PYTHON, str(SHARED_BENCH / "fanout.py"), *args], capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"harness failed: {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def raise_open_files() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def report(name: str, ratio: float, target: float, *, higher_is_better: bool = False, extra: str = "") -> int:
    met = ratio >= target if higher_is_better else ratio <= target
    sign = ">=" if higher_is_better else "<="
    print(f"{name}: ratio {ratio:.3f} (target {sign} {target}) {'MET' if met else 'MISSED'}{extra}")
    return 0 if met else 1


# --- spectators in a process of their own ------------------------------------------------------------
# Spectators are separate devices: a benchmark that also times requests (a judge's marks) must not
# time them from the process that is busy receiving thousands of updates, or it measures its own
# event loop. Receipt times use time.perf_counter (CLOCK_MONOTONIC, the same clock in every process).

async def spectate(url: str, contest_id: int, clients: int, out: Path) -> None:
    """Connect `clients` public-board spectators, say "ready", record (seq, receipt time) of every
    update until stdin closes, then write them to `out`."""
    import asyncio

    import socketio

    receipts: list[tuple[int, float]] = []

    async def spectator():
        client = socketio.AsyncClient(reconnection=False)

        @client.on("board:update", namespace="/live")
        async def _update(payload):
            receipts.append((payload["seq"], time.perf_counter()))

        await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                             auth={"contest_id": contest_id, "view": "public"})
        return client

    connected = []
    for start in range(0, clients, 100):
        connected += await asyncio.gather(*[spectator() for _ in range(start, min(clients, start + 100))])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    out.write_text(json.dumps(receipts))
    await asyncio.gather(*[c.disconnect() for c in connected], return_exceptions=True)



def start_spectators(url: str, contest_id: int, clients: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "spectate", url, str(contest_id), str(clients),
                             str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def wait_ready(process: subprocess.Popen, url: str) -> None:
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"spectators of {url} did not connect")


def stop_spectators(process: subprocess.Popen, out: Path) -> list[tuple[int, float]]:
    """Disconnect; every (seq, receipt time) the spectators saw."""
    process.stdin.close()
    process.wait(timeout=120)
    return [tuple(r) for r in json.loads(out.read_text())]


if __name__ == "__main__" and sys.argv[1:2] == ["spectate"]:
    import asyncio

    raise_open_files()
    asyncio.run(spectate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])))
