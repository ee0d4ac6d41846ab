"""Benchmark 6, throughput: sustained accepted marks per second from 50 concurrent judges, on SQLite
and on PostgreSQL, each against a bare Flask + SQLAlchemy endpoint inserting one row
(bench/reference_insert_app.py) under the same load.

    .venv/bin/python bench/throughput.py [--judges 50] [--seconds 15] [--slices 3] [--backends sqlite,postgresql]

Both servers run through the whole benchmark and the load alternates between them, a slice of
seconds/slices at a time, so that the machine's drift weighs on both alike.

Reported rather than targeted (operations.md: a mark is validated, audited, ranked and broadcast, the
bare insert none of these): the run fails only below 0.3 on a backend. Whether writes scale with
processes is benchmark 7 (bench/write_scale.py). The last line is the lowest ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, gunicorn, postgres_schema, raise_open_files, report, sqlite_url  # noqa: E402

TARGET = 0.3  # a floor, not a target (operations.md, benchmark 6)
BENCH = Path(__file__).resolve().parent


async def load(url: str, bodies, headers, seconds: float, judges: int, counter: list[int]) -> dict:
    """Each judge sends marks back to back for `seconds` (after a 1 s warm-up); accepted per second.
    `counter` carries each judge's mark number across slices, so values keep changing."""
    accepted, refused = 0, 0
    deadline = 0.0

    async def judge(n: int, session: aiohttp.ClientSession):
        nonlocal accepted, refused
        while time.monotonic() < deadline:
            async with session.put(url, json=bodies(n, counter[n]), headers=headers(n)) as response:
                await response.read()
                if response.status < 300:
                    accepted += 1
                else:
                    refused += 1
            counter[n] += 1

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.monotonic() + 1
        await asyncio.gather(*[judge(n, session) for n in range(judges)])  # warm-up
        accepted, refused = 0, 0
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*[judge(n, session) for n in range(judges)])
        elapsed = time.monotonic() - started
    return {"accepted": accepted, "refused": refused, "seconds": elapsed}


def total(slices: list[dict]) -> dict:
    accepted = sum(s["accepted"] for s in slices)
    seconds = sum(s["seconds"] for s in slices)
    return {"per_second": round(accepted / seconds, 1), "accepted": accepted,
            "refused": sum(s["refused"] for s in slices), "slices": [s["accepted"] for s in slices]}


def run_backend(name: str, database_url: str, folder: Path, judges: int, seconds: float, slices: int) -> dict:
    """Both servers stay up; the load alternates between them in `slices` turns each, so that the
    machine's drift over the run weighs on both alike."""
    contest = build_contest(database_url, folder, competitors=judges, aspects=20, judges=judges)
    root = BENCH.parent
    reference_url = database_url if name == "postgresql" else f"sqlite:///{folder / 'reference.sqlite3'}"
    project_counter, reference_counter = [0] * judges, [0] * judges
    project, reference = [], []
    with gunicorn("competition.wsgi:app", cwd=root, env=contest.env) as server, \
            gunicorn("reference_insert_app:app", cwd=BENCH, env={"REFERENCE_DATABASE_URL": reference_url}) as ref:
        for _ in range(slices):
            project.append(asyncio.run(load(
                f"{server.url}/api/v1/contests/{contest.contest_id}/marks",
                lambda n, k: {"competitor_id": contest.competitor_ids[n], "aspect_code": contest.aspect_codes[k % 20],
                              "value": f"{(k // 20) % 10}.5"},
                lambda n: {"Authorization": f"Bearer {contest.judge_tokens[n]}"},
                seconds / slices, judges, project_counter)))
            reference.append(asyncio.run(load(
                f"{ref.url}/marks", lambda n, k: {"competitor_id": n, "aspect_code": f"M{k % 20:03d}", "value": "5.5"},
                lambda n: {}, seconds / slices, judges, reference_counter)))
    project_total, reference_total = total(project), total(reference)
    return {"project": project_total, "reference": reference_total,
            "ratio": round(project_total["per_second"] / reference_total["per_second"], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15, help="of load on each side, in all")
    parser.add_argument("--slices", type=int, default=3, help="turns each side takes, alternating")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    raise_open_files()
    results = {}
    for name in args.backends.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"bench-throughput-{name}-"))
        if name == "postgresql":
            with postgres_schema() as url:
                results[name] = run_backend(name, url, folder, args.judges, args.seconds, args.slices)
        else:
            results[name] = run_backend(name, sqlite_url(folder), folder, args.judges, args.seconds, args.slices)
    print(json.dumps(results))
    status = 0
    for name, result in results.items():
        status |= report(f"throughput {name}", result["ratio"], TARGET, higher_is_better=True,
                         extra=f" ({result['project']['per_second']} vs {result['reference']['per_second']} marks/s)")
    lowest = min(r["ratio"] for r in results.values())
    print(f"{lowest:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
