"""Benchmark 4, scale-out: two server processes sharing PostgreSQL and Redis, N public-board
spectators on each, marks posted to the first; mark-to-receipt p99 over all 2N spectators, against
one process (PostgreSQL, no Redis) with N spectators.

    .venv/bin/python bench/scale_out.py [--clients 2000] [--emits 20]

Target: p99 ratio (two processes / one) <= 1.5, every update delivered on both. The last line is
the ratio. (The shared harness watches one server; this one watches several, measuring the same way:
from the trigger request to each client's receipt.)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (REDIS_URL, build_contest, gunicorn, pct, postgres_schema, raise_open_files,  # noqa: E402
                    report)

TARGET = 1.5
ROOT = Path(__file__).resolve().parents[1]


async def measure(urls: list[str], contest, clients_each: int, emits: int, interval: float) -> dict:
    sent_at = {"t": None}
    delays: list[float] = []
    received = {url: 0 for url in urls}

    async def spectator(url: str):
        client = socketio.AsyncClient(reconnection=False)

        @client.on("board:update", namespace="/live")
        async def _update(_payload):
            if sent_at["t"] is not None:
                received[url] += 1
                delays.append(time.perf_counter() - sent_at["t"])

        await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                             auth={"contest_id": contest.contest_id, "view": "public"})
        return client

    clients = []
    for url in urls:
        for start in range(0, clients_each, 100):
            clients += await asyncio.gather(*[spectator(url) for _ in range(start, min(clients_each, start + 100))])
    await asyncio.sleep(1)
    async with aiohttp.ClientSession() as http:
        for k in range(emits):
            sent_at["t"] = time.perf_counter()
            body = {"competitor_id": contest.competitor_ids[0], "aspect_code": contest.aspect_codes[0],
                    "value": f"{k % 10}"}
            async with http.put(f"{urls[0]}/api/v1/contests/{contest.contest_id}/marks", json=body,
                                headers={"Authorization": f"Bearer {contest.judge_tokens[0]}"}) as response:
                await response.read()
                if response.status >= 300:
                    raise SystemExit(f"mark {k} answered {response.status}")
            await asyncio.sleep(interval)
    await asyncio.sleep(1)
    await asyncio.gather(*[c.disconnect() for c in clients], return_exceptions=True)
    return {"clients": clients_each * len(urls), "expected": clients_each * emits, "received": received,
            "p50_ms": round(pct(delays, 0.5) * 1000, 1), "p99_ms": round(pct(delays, 0.99) * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--emits", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    raise_open_files()
    results = {}
    with postgres_schema() as database_url:
        folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        contest = build_contest(database_url, folder, competitors=24, aspects=10)
        with gunicorn("competition.wsgi:app", cwd=ROOT, env=contest.env) as single:
            results["one_process"] = asyncio.run(measure([single.url], contest, args.clients, args.emits,
                                                         args.interval))
        env = {**contest.env, "COMPETITION_REDIS_URL": REDIS_URL,
               "COMPETITION_REDIS_CHANNEL": f"bench-{uuid.uuid4().hex[:8]}"}
        with gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as a, \
                gunicorn("competition.wsgi:app", cwd=ROOT, env=env) as b:
            results["two_processes"] = asyncio.run(measure([a.url, b.url], contest, args.clients, args.emits,
                                                           args.interval))
    print(json.dumps(results))
    two, one = results["two_processes"], results["one_process"]
    delivered = all(count == two["expected"] for count in two["received"].values())
    ratio = two["p99_ms"] / one["p99_ms"]
    status = report("scale-out p99", ratio, TARGET,
                    extra=f" (2×{args.clients} on two processes {two['p99_ms']} ms, {args.clients} on one "
                          f"{one['p99_ms']} ms; delivered {two['received']} of {two['expected']} each)")
    print(f"{ratio:.3f}")
    return status or (0 if delivered else 1)


if __name__ == "__main__":
    sys.exit(main())
