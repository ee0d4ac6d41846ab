"""Benchmark 4, scale-out: two server processes sharing PostgreSQL and Redis, N public-board
spectators on each, marks posted to the first; mark-to-receipt p99 over all 2N spectators, against
one process (PostgreSQL, no Redis) with N spectators.

    .venv/bin/python bench/scale_out.py [--clients 2000] [--emits 20] [--rounds 3]

All three servers stay up and the measurement alternates between one process and the pair,
`rounds` times each, so that the machine's drift weighs on both alike (one after the other, the
same code gave ratios from 1.08 to 1.69).

Target: p99 ratio (mean of the pair's runs / mean of the single process's) <= 1.5, every update
delivered on both. The last line is the ratio.

Spectators are separate devices, so each server's N spectators run in a process of their own (this
file with --spectate), as in the single-process run: one client process watching 2N sockets would
measure its own serial work rather than the servers'. Receipt times and trigger times are read from
the same monotonic clock (CLOCK_MONOTONIC is system-wide), and a receipt counts from the trigger of
its update, as the shared harness measures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    REDIS_URL,
    build_contest,
    gunicorn,
    pct,
    postgres_schema,
    raise_open_files,
    report,
    start_spectators,
    stop_spectators,
    wait_ready,
)

TARGET = 1.5
ROOT = Path(__file__).resolve().parents[1]


async def trigger(url: str, contest, emits: int, interval: float) -> dict[int, float]:
    """Post `emits` marks to `url`; the trigger time of each update, by its public seq."""
    sent: dict[int, float] = {}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/v1/contests/{contest.contest_id}/standings") as response:
            seq = (await response.json())["seq"]
        for k in range(emits):
            sent[seq + k + 1] = time.perf_counter()
            body = {"competitor_id": contest.competitor_ids[0], "aspect_code": contest.aspect_codes[0],
                    "value": f"{k % 10}"}
            async with http.put(f"{url}/api/v1/contests/{contest.contest_id}/marks", json=body,
                                headers={"Authorization": f"Bearer {contest.judge_tokens[0]}"}) as response:
                await response.read()
                if response.status >= 300:
                    raise SystemExit(f"mark {k} answered {response.status}")
            await asyncio.sleep(interval)
    return sent


def measure(urls: list[str], contest, clients_each: int, emits: int, interval: float) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-spectators-"))
    watchers = []
    for n, url in enumerate(urls):
        out = folder / f"{n}.json"
        watchers.append((url, start_spectators(url, contest.contest_id, clients_each, out), out))
    for url, process, _ in watchers:
        wait_ready(process, url)
    time.sleep(1)
    sent = asyncio.run(trigger(urls[0], contest, emits, interval))
    time.sleep(1)
    delays, received = [], {}
    for url, process, out in watchers:
        receipts = [(seq, at) for seq, at in stop_spectators(process, out) if seq in sent]
        received[url] = len(receipts)
        delays += [at - sent[seq] for seq, at in receipts]
    return {"clients": clients_each * len(urls), "expected": clients_each * emits, "received": received,
            "p50_ms": round(pct(delays, 0.5) * 1000, 1), "p99_ms": round(pct(delays, 0.99) * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--emits", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each setup, alternating")
    args = parser.parse_args()
    raise_open_files()
    results = {"one_process": [], "two_processes": []}
    # Each setup has a database of its own: a process of one would otherwise publish (and consume the
    # sequence numbers of) the other's changes when its sweep finds them unpublished.
    with postgres_schema() as one_url, postgres_schema() as two_url:
        alone = build_contest(one_url, Path(tempfile.mkdtemp(prefix="bench-scale-one-")), competitors=24, aspects=10)
        shared = build_contest(two_url, Path(tempfile.mkdtemp(prefix="bench-scale-two-")), competitors=24, aspects=10)
        env = {**shared.env, "COMPETITION_REDIS_URL": REDIS_URL,
               "COMPETITION_REDIS_CHANNEL": f"bench-{uuid.uuid4().hex[:8]}"}
        with gunicorn("competition.wsgi:app", cwd=ROOT, env=alone.env) as single, \
                gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as a, \
                gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as b:
            for _ in range(args.rounds):
                results["one_process"].append(measure([single.url], alone, args.clients, args.emits,
                                                      args.interval))
                results["two_processes"].append(measure([a.url, b.url], shared, args.clients, args.emits,
                                                        args.interval))
    print(json.dumps(results))
    two, one = results["two_processes"], results["one_process"]
    delivered = all(count == run["expected"] for run in two for count in run["received"].values())
    two_p99 = round(statistics.mean(run["p99_ms"] for run in two), 1)
    one_p99 = round(statistics.mean(run["p99_ms"] for run in one), 1)
    ratio = two_p99 / one_p99
    status = report("scale-out p99", ratio, TARGET,
                    extra=f" (mean of {args.rounds} runs each: 2×{args.clients} on two processes {two_p99} ms "
                          f"{[run['p99_ms'] for run in two]}, {args.clients} on one {one_p99} ms "
                          f"{[run['p99_ms'] for run in one]}; every update delivered on both: {delivered})")
    print(f"{ratio:.3f}")
    return status or (0 if delivered else 1)


if __name__ == "__main__":
    sys.exit(main())
