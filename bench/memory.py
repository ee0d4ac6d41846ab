"""Benchmark 5, memory per connected spectator: the server worker's resident memory growth per
public-board client, against the bare reference broadcast with the same clients.

    .venv/bin/python bench/memory.py [--clients 2000]

Target: at most 80 KiB per spectator. The last line is the ratio (project / reference) per client.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, gunicorn, raise_open_files, reference_server, sqlite_url  # noqa: E402

TARGET_KIB = 80


async def connect_many(url: str, count: int, auth: dict | None) -> list:
    async def one():
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(url, namespaces=["/live"], transports=["websocket"], auth=auth, wait_timeout=30)
        return client
    clients = []
    for start in range(0, count, 100):
        clients += await asyncio.gather(*[one() for _ in range(start, min(count, start + 100))])
    return clients


def per_client_kib(server, count: int, auth: dict | None) -> float:
    async def run():
        await asyncio.sleep(1)
        before = server.rss_kib()
        clients = await connect_many(server.url, count, auth)
        await asyncio.sleep(3)
        after = server.rss_kib()
        await asyncio.gather(*[c.disconnect() for c in clients], return_exceptions=True)
        return (after - before) / count
    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    args = parser.parse_args()
    raise_open_files()
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    contest = build_contest(sqlite_url(folder), folder, competitors=24, aspects=10)
    with gunicorn("competition.wsgi:app", cwd=Path(__file__).resolve().parents[1], env=contest.env) as server:
        project = per_client_kib(server, args.clients, {"contest_id": contest.contest_id, "view": "public"})
    with reference_server() as reference:
        baseline = per_client_kib(reference, args.clients, None)
    print(json.dumps({"clients": args.clients, "project_kib_per_client": round(project, 1),
                      "reference_kib_per_client": round(baseline, 1)}))
    met = project <= TARGET_KIB
    print(f"memory per spectator: {project:.1f} KiB (target <= {TARGET_KIB} KiB) {'MET' if met else 'MISSED'}; "
          f"reference {baseline:.1f} KiB")
    print(f"{project / baseline:.3f}" if baseline > 0 else "inf")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
