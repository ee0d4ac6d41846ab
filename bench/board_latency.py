"""Benchmark 8, board latency under load: p99 from a mark's acknowledgement to its receipt by 200
public-board spectators while 30 marks/s arrive, minus the same p99 at 1 mark/s, in one run.

    .venv/bin/python bench/board_latency.py [--clients 200] [--rate 30] [--seconds 15] [--rounds 2]
                                             [--database postgresql|sqlite]

One server (gunicorn, gevent worker, one process) and one contest of 30 competitors; the spectators
run in a process of their own (this file with `spectate`), connected for the whole run. The load
alternates between the quiet rate (1 mark/s) and the busy one (30 marks/s), `rounds` times each,
`seconds` each time. Marks are sent on a fixed schedule, each on its own (a slow answer never delays
the next), from ten judges, each mark to the competitor next in turn with a value that changes its
total: the n-th mark of a competitor sets its total to n/10. A mark's receipt by a spectator is the
first update that shows its competitor at that total or a later one (an update may carry several
marks' changes). Acknowledgements and receipts are read from the same monotonic clock
(CLOCK_MONOTONIC is system-wide).

Target: p99 at 30 marks/s minus p99 at 1 mark/s <= 250 ms (live.md's 200 ms coalescing window plus a
margin), and every update delivered: each spectator saw every `seq` from the first to the last, and
every mark. The last line is the difference in ms.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, build_contest, gunicorn, pct, postgres_schema, raise_open_files, sqlite_url  # noqa: E402

TARGET_MS = 250
COMPETITORS = 30
JUDGES = 10
ROOT = Path(__file__).resolve().parents[1]


# --- the spectators (a process of their own) -----------------------------------------------------------

async def spectate(url: str, contest_id: int, clients: int, out: Path) -> None:
    """Connect `clients` spectators, say "ready", record every update each receives (seq, receipt
    time, competitor id and total of each row) until stdin closes, then write them to `out`."""
    import socketio

    receipts: list[list] = [[] for _ in range(clients)]
    snapshots: list[list] = [[] for _ in range(clients)]

    async def spectator(n: int):
        client = socketio.AsyncClient(reconnection=False)

        @client.on("board:snapshot", namespace="/live")
        async def _snapshot(payload):
            snapshots[n] = [(row["competitor"].get("id"), row["total"]) for row in payload["rows"]]

        @client.on("board:update", namespace="/live")
        async def _update(payload):
            receipts[n].append((payload["seq"], time.perf_counter(),
                                [(row["competitor"].get("id"), row["total"]) for row in payload["rows"]]))

        await client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=30,
                             auth={"contest_id": contest_id, "view": "public"})
        return client

    connected = []
    for start in range(0, clients, 100):
        connected += await asyncio.gather(*[spectator(n) for n in range(start, min(clients, start + 100))])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    out.write_text(json.dumps({"snapshots": snapshots, "receipts": receipts}))
    await asyncio.gather(*[c.disconnect() for c in connected], return_exceptions=True)


# --- the judges ----------------------------------------------------------------------------------------

async def send_marks(url: str, contest, rate: float, seconds: float, state: dict, phase: str) -> list[dict]:
    """Marks at `rate` per second for `seconds`, on a fixed schedule; each mark's competitor, phase,
    and acknowledgement time (perf_counter)."""
    sent: list[dict] = []
    marks_url = f"{url}/api/v1/contests/{contest.contest_id}/marks"

    async def one(http, k: int):
        number = state["next"] + k
        competitor = contest.competitor_ids[number % COMPETITORS]
        count = state["counts"][competitor] = state["counts"].get(competitor, 0) + 1
        if count > 100:
            raise SystemExit("more than 100 marks for one competitor: fewer rounds or seconds, please")
        # The n-th mark of a competitor sets its one marked aspect to n/10, which is also its total
        # (ten measurement aspects of 10 points, weight 100): totals only rise, one per mark.
        body = {"competitor_id": competitor, "aspect_code": contest.aspect_codes[0], "value": f"{count / 10:.1f}"}
        headers = {"Authorization": f"Bearer {contest.judge_tokens[number % JUDGES]}"}
        async with http.put(marks_url, json=body, headers=headers) as response:
            await response.read()
            acknowledged = time.perf_counter()
            if response.status >= 300:
                raise SystemExit(f"mark {number} answered {response.status}")
        sent.append({"competitor": competitor, "n": count, "ack": acknowledged, "phase": phase})

    total = int(rate * seconds)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        started = time.perf_counter()
        tasks = []
        for k in range(total):
            delay = started + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(http, k)))
        await asyncio.gather(*tasks)
    state["next"] += total
    return sent


# --- matching marks to receipts ------------------------------------------------------------------------

def delays(marks: list[dict], receipts: list[list], snapshots: list[list]) -> tuple[dict[str, list[float]], int,
                                                                                 list[str]]:
    """Per phase, every (spectator, mark) delay; marks never seen; problems with the seqs received."""
    by_competitor = defaultdict(dict)
    for mark in marks:
        by_competitor[mark["competitor"]][mark["n"]] = mark
    found: dict[str, list[float]] = defaultdict(list)
    missing, problems = 0, []
    all_seqs = sorted({seq for spectator in receipts for seq, _, _ in spectator})
    expected = list(range(all_seqs[0], all_seqs[-1] + 1)) if all_seqs else []
    for n, spectator in enumerate(receipts):
        seqs = [seq for seq, _, _ in spectator]
        if seqs != expected:
            problems.append(f"spectator {n}: {len(seqs)} updates, {len(expected)} published")
        received = {competitor: round(float(total or 0) * 10) for competitor, total in snapshots[n]}
        for _seq, at, rows in spectator:
            for competitor, total in rows:
                if competitor not in by_competitor or total is None:
                    continue
                reached = round(float(total) * 10)  # this competitor's marks up to this one are shown
                for k in range(received.get(competitor, 0) + 1, reached + 1):
                    mark = by_competitor[competitor].get(k)
                    if mark is not None:
                        found[mark["phase"]].append(at - mark["ack"])
                received[competitor] = max(received.get(competitor, 0), reached)
        missing += sum(1 for c, marks_of in by_competitor.items() for k in marks_of if k > received.get(c, 0))
    return found, missing, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--quiet-rate", type=float, default=1)
    parser.add_argument("--seconds", type=float, default=15, help="of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="quiet and busy phases, alternating")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--settle", type=float, default=8, help="seconds to wait for late updates at the end")
    args = parser.parse_args()
    raise_open_files()
    folder = Path(tempfile.mkdtemp(prefix="bench-board-latency-"))
    if args.database == "postgresql":
        with postgres_schema() as url:
            return run(url, folder, args)
    return run(sqlite_url(folder), folder, args)


def run(database_url: str, folder: Path, args) -> int:
    contest = build_contest(database_url, folder, competitors=COMPETITORS, aspects=10, judges=JUDGES)
    out = folder / "receipts.json"
    marks: list[dict] = []
    state = {"next": 0, "counts": {}}
    with gunicorn("competition.wsgi:app", cwd=ROOT, env=contest.env) as server:
        watcher = subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "spectate", server.url,
                                    str(contest.contest_id), str(args.clients), str(out)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if watcher.stdout.readline().strip() != "ready":
            raise SystemExit("spectators did not connect")
        time.sleep(1)
        for _ in range(args.rounds):
            for phase, rate in (("quiet", args.quiet_rate), ("busy", args.rate)):
                marks += asyncio.run(send_marks(server.url, contest, rate, args.seconds, state, phase))
                time.sleep(2)  # let the last updates arrive
        time.sleep(args.settle)  # a server that fell behind delivers the rest before the spectators leave
        watcher.stdin.close()
        watcher.wait(timeout=300)
    recorded = json.loads(out.read_text())
    receipts = recorded["receipts"]
    found, missing, problems = delays(marks, receipts, recorded["snapshots"])
    summary = {"clients": args.clients, "marks": {p: sum(m["phase"] == p for m in marks) for p in ("quiet", "busy")},
               "updates": len({seq for spectator in receipts for seq, _, _ in spectator}),
               "missing_receipts": missing, "seq_problems": problems[:5]}
    for phase in ("quiet", "busy"):
        values = found.get(phase, [])
        summary[phase] = {"receipts": len(values), "p50_ms": round(pct(values, 0.5) * 1000, 1),
                          "p99_ms": round(pct(values, 0.99) * 1000, 1)}
    difference = summary["busy"]["p99_ms"] - summary["quiet"]["p99_ms"]
    summary["difference_ms"] = round(difference, 1)
    delivered = missing == 0 and not problems
    summary["every_update_delivered"] = delivered
    print(json.dumps(summary, ensure_ascii=False))
    print(f"board latency: p99 {summary['busy']['p99_ms']} ms at {args.rate:g} marks/s, {summary['quiet']['p99_ms']} "
          f"ms at {args.quiet_rate:g} mark/s: difference {difference:.1f} ms (target <= {TARGET_MS}) "
          f"{'MET' if difference <= TARGET_MS else 'MISSED'}; every update delivered: {delivered}")
    print(f"{difference:.1f}")
    return 0 if difference <= TARGET_MS and delivered else 1


if __name__ == "__main__" and sys.argv[1:2] == ["spectate"]:
    raise_open_files()
    asyncio.run(spectate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])))
elif __name__ == "__main__":
    sys.exit(main())
