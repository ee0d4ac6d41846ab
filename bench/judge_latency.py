"""Benchmark 2, judge latency under load: p99 of PUT /marks with N spectators connected, against
the same with no spectators.

    .venv/bin/python bench/judge_latency.py [--clients 2000] [--emits 60] [--interval 0.5]

Target: ratio (with / without) <= 1.5. The last line is the ratio.

The judge is a tablet, not the device showing the board: marks are timed from this process, and the
N spectators (public board) run in a process of their own (common.spectate), which also checks that
every update reached every spectator. Timing the marks from the process that receives N updates
per mark would measure that process's own event loop, not the server.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    build_contest,
    gunicorn,
    pct,
    raise_open_files,
    report,
    sqlite_url,
    start_spectators,
    stop_spectators,
    wait_ready,
)

TARGET = 1.5


def marks(url: str, contest, emits: int, interval: float, competitor: int) -> list[float]:
    """Send `emits` marks `interval` seconds apart (each changes the board); their latencies in ms."""
    latencies = []
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {contest.judge_tokens[0]}"
        for k in range(emits):
            body = {"competitor_id": contest.competitor_ids[competitor], "aspect_code": contest.aspect_codes[0],
                    "value": str(k % 10)}
            started = time.perf_counter()
            response = http.put(f"{url}/api/v1/contests/{contest.contest_id}/marks", json=body, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 300:
                raise SystemExit(f"mark {k} answered {response.status_code}: {response.text}")
            time.sleep(interval)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--emits", type=int, default=60)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    raise_open_files()
    folder = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    contest = build_contest(sqlite_url(folder), folder, competitors=24, aspects=10)
    results = {}
    with gunicorn("competition.wsgi:app", cwd=Path(__file__).resolve().parents[1], env=contest.env) as server:
        idle = marks(server.url, contest, args.emits, args.interval, competitor=0)
        out = folder / "spectators.json"
        spectators = start_spectators(server.url, contest.contest_id, args.clients, out)
        wait_ready(spectators, server.url)
        time.sleep(1)
        seq = requests.get(f"{server.url}/api/v1/contests/{contest.contest_id}/standings", timeout=30).json()["seq"]
        loaded = marks(server.url, contest, args.emits, args.interval, competitor=1)
        time.sleep(2)
        receipts = [r for r in stop_spectators(spectators, out) if r[0] > seq]
        # Marks that arrive within one coalescing window share an update (live.md allows it): every
        # update published must reach every spectator.
        updates = requests.get(f"{server.url}/api/v1/contests/{contest.contest_id}/standings",
                               timeout=30).json()["seq"] - seq
    for label, values in (("idle", idle), ("loaded", loaded)):
        results[label] = {"marks": len(values), "p50_ms": round(pct(values, 0.5), 1),
                          "p99_ms": round(pct(values, 0.99), 1)}
    results["loaded"].update(spectators=args.clients, updates=updates, receipts=len(receipts),
                             receipts_expected=args.clients * updates)
    print(json.dumps(results))
    ratio = results["loaded"]["p99_ms"] / results["idle"]["p99_ms"]
    delivered = len(receipts) == args.clients * updates
    status = report("judge latency p99", ratio, TARGET,
                    extra=f" (with {args.clients} spectators {results['loaded']['p99_ms']} ms, "
                          f"without {results['idle']['p99_ms']} ms; {len(receipts)} of "
                          f"{args.clients * updates} receipts of {updates} updates)")
    print(f"{ratio:.3f}")
    return status or (0 if delivered else 1)


if __name__ == "__main__":
    sys.exit(main())
