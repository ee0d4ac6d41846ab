"""Benchmark 7, write scale-out: accepted marks per second on PostgreSQL from two server processes
against one (50 judges over 4 contests), divided by the same ratio for the bare one-row insert
(bench/reference_insert_app.py) measured in the same run; and, sampling `pg_stat_activity` every
20 ms during the project's two-process slices, the share of busy backends (active or idle in a
transaction) that wait on a lock.

    .venv/bin/python bench/write_scale.py [--judges 50] [--contests 4] [--seconds 24] [--slices 3]

All four servers (the project twice, the reference twice, each one gunicorn gevent process) stay up
for the whole run, and the load alternates between the four setups (project on one process, project
on two, reference on one, reference on two), a slice of seconds/slices each at a time, so that the
machine's drift weighs on all alike. On two processes judge n sends to process n mod 2.

Targets (operations.md): scaling ratio >= 0.9 and lock-wait share <= 0.05. The waits are also
counted by the lock waited for (pg_locks), to show what serialises writes. The last line is the ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import POSTGRES_URL, build_contests, gunicorn, postgres_schema, raise_open_files, report  # noqa: E402

RATIO_TARGET = 0.9
LOCK_SHARE_TARGET = 0.05
SAMPLE_SECONDS = 0.02
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


async def load(url_of, bodies, headers, judges: int, seconds: float, counter: list[int]) -> dict:
    """Each judge n sends marks back to back to url_of(n) for `seconds` (after a 1 s warm-up);
    `counter` carries each judge's mark number across slices, so values keep changing."""
    accepted, refused = 0, 0
    deadline = 0.0

    async def judge(n: int, session: aiohttp.ClientSession):
        nonlocal accepted, refused
        url = url_of(n)
        while time.monotonic() < deadline:
            async with session.put(url, json=bodies(n, counter[n]), headers=headers(n)) as response:
                await response.read()
                if response.status < 300:
                    accepted += 1
                else:
                    refused += 1
            counter[n] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        deadline = time.monotonic() + 1
        await asyncio.gather(*[judge(n, session) for n in range(judges)])  # warm-up
        accepted, refused = 0, 0
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*[judge(n, session) for n in range(judges)])
        elapsed = time.monotonic() - started
    return {"accepted": accepted, "refused": refused, "seconds": elapsed}


class LockSampler:
    """Every 20 ms: the busy backends of one application_name, and which of them wait on a lock (and
    on which: pg_locks' lock type and relation)."""

    BUSY = ("SELECT count(*) AS busy, count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting "
            "FROM pg_stat_activity WHERE application_name = %(name)s AND state IN ('active', 'idle in transaction')")
    WAITS = ("SELECT l.locktype, coalesce(l.relation::regclass::text, '') FROM pg_locks l "
             "JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.application_name = %(name)s")

    def __init__(self, name: str):
        self.name = name
        self.busy = self.waiting = self.samples = 0
        self.by_lock: Counter = Counter()
        self._running = False
        self._thread: threading.Thread | None = None

    def __enter__(self):
        import psycopg

        self._connection = psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"),
                                           autocommit=True)
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._running = False
        self._thread.join(5)
        self._connection.close()

    def _run(self):
        while self._running:
            started = time.monotonic()
            busy, waiting = self._connection.execute(self.BUSY, {"name": self.name}).fetchone()
            self.busy, self.waiting, self.samples = self.busy + busy, self.waiting + waiting, self.samples + 1
            if waiting:
                for locktype, relation in self._connection.execute(self.WAITS, {"name": self.name}):
                    self.by_lock[f"{locktype} {relation}".strip()] += 1
            time.sleep(max(0.0, SAMPLE_SECONDS - (time.monotonic() - started)))

    def result(self) -> dict:
        return {"samples": self.samples, "busy": self.busy, "waiting": self.waiting,
                "share": round(self.waiting / self.busy, 4) if self.busy else 0.0,
                "by_lock": dict(self.by_lock.most_common(8))}


def rate(slices: list[dict]) -> dict:
    accepted = sum(s["accepted"] for s in slices)
    seconds = sum(s["seconds"] for s in slices)
    return {"per_second": round(accepted / seconds, 1), "accepted": accepted,
            "refused": sum(s["refused"] for s in slices), "slices": [s["accepted"] for s in slices]}


def named(url: str, name: str) -> str:
    return f"{url}&application_name={name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--contests", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=24, help="of load on each of the four setups, in all")
    parser.add_argument("--slices", type=int, default=3, help="turns each setup takes, alternating")
    args = parser.parse_args()
    raise_open_files()
    run_tag = uuid.uuid4().hex[:8]
    project_name, reference_name = f"bench7-project-{run_tag}", f"bench7-reference-{run_tag}"
    folder = Path(tempfile.mkdtemp(prefix="bench-write-scale-"))
    per_contest = -(-args.judges // args.contests)
    with postgres_schema() as url, postgres_schema() as reference_url:
        contests = build_contests(url, folder, count=args.contests, competitors=per_contest, aspects=20,
                                  judges=per_contest)
        # judge n: contest n mod C, its own competitor there
        seats = [(contests[n % args.contests], n // args.contests) for n in range(args.judges)]
        env = {**contests[0].env, "COMPETITION_DATABASE_URL": named(url, project_name)}
        reference_env = {"REFERENCE_DATABASE_URL": named(reference_url, reference_name)}

        def bodies(n, k):
            contest, seat = seats[n]
            return {"competitor_id": contest.competitor_ids[seat], "aspect_code": contest.aspect_codes[k % 20],
                    "value": f"{(k // 20) % 10}.5"}

        def headers(n):
            contest, seat = seats[n]
            return {"Authorization": f"Bearer {contest.judge_tokens[seat]}"}

        def marks_url(server, n):
            return f"{server.url}/api/v1/contests/{seats[n][0].contest_id}/marks"

        results = {"project_one": [], "project_two": [], "reference_one": [], "reference_two": []}
        project_counter, reference_counter = [0] * args.judges, [0] * args.judges
        sampler = LockSampler(project_name)
        reference_sampler = LockSampler(reference_name)
        slice_seconds = args.seconds / args.slices
        with gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as a, \
                gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as b, \
                gunicorn("reference_insert_app:app", cwd=BENCH, env=reference_env) as r1, \
                gunicorn("reference_insert_app:app", cwd=BENCH, env=reference_env) as r2:
            def project(servers):
                return asyncio.run(load(lambda n: marks_url(servers[n % len(servers)], n), bodies, headers,
                                        args.judges, slice_seconds, project_counter))

            def reference(servers):
                return asyncio.run(load(lambda n: f"{servers[n % len(servers)].url}/marks", _reference_body,
                                        lambda n: {}, args.judges, slice_seconds, reference_counter))

            for _ in range(args.slices):
                results["project_one"].append(project([a]))
                with sampler:
                    results["project_two"].append(project([a, b]))
                results["reference_one"].append(reference([r1]))
                with reference_sampler:
                    results["reference_two"].append(reference([r1, r2]))
    rates = {name: rate(slices) for name, slices in results.items()}
    project_scaling = rates["project_two"]["per_second"] / rates["project_one"]["per_second"]
    reference_scaling = rates["reference_two"]["per_second"] / rates["reference_one"]["per_second"]
    ratio = project_scaling / reference_scaling
    locks = sampler.result()
    summary = {**rates, "project_scaling": round(project_scaling, 3), "reference_scaling": round(reference_scaling, 3),
               "ratio": round(ratio, 3), "lock_wait": locks, "reference_lock_wait": reference_sampler.result()}
    print(json.dumps(summary, ensure_ascii=False))
    status = report("write scale-out", ratio, RATIO_TARGET, higher_is_better=True,
                    extra=f" (project {rates['project_one']['per_second']} -> {rates['project_two']['per_second']} "
                          f"marks/s, x{project_scaling:.3f}; bare insert {rates['reference_one']['per_second']} -> "
                          f"{rates['reference_two']['per_second']} rows/s, x{reference_scaling:.3f})")
    status |= report("lock-wait share", locks["share"], LOCK_SHARE_TARGET,
                     extra=f" ({locks['waiting']} of {locks['busy']} busy backends in {locks['samples']} samples)")
    print(f"{ratio:.3f}")
    return status


def _reference_body(n, k):
    return {"competitor_id": n, "aspect_code": f"M{k % 20:03d}", "value": "5.5"}


if __name__ == "__main__":
    sys.exit(main())
