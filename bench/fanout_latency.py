"""Benchmark 1, fan-out: mark-to-receipt latency for N public-board clients, against the bare
Flask-SocketIO broadcast (../shared/bench/reference_app.py) at the same N and payload size.

    .venv/bin/python bench/fanout_latency.py [--clients 2000] [--emits 20] [--rounds 3]

Both servers stay up and the shared harness runs against each in turn, `rounds` times (each run
connects the clients anew and triggers `emits` updates), so that the machine's drift, which moves
a single run's p99 by a third, weighs on both alike.

Target: p99 ratio (mean of the project's runs / mean of the reference's) <= 1.3 and every update
delivered. The last line is the ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, gunicorn, raise_open_files, reference_server, report, run_harness, sqlite_url  # noqa: E402

TARGET = 1.3


def update_size(url: str, contest: object, mark) -> int:
    """Bytes of one real board:update, so the reference broadcasts the same size."""
    received = []
    client = socketio.Client(reconnection=False)
    client.on("board:update", received.append, namespace="/live")
    client.connect(url, namespaces=["/live"], transports=["websocket"],
                   auth={"contest_id": contest.contest_id, "view": "public"})
    mark("7")
    for _ in range(50):
        if received:
            break
        client.sleep(0.1)
    client.disconnect()
    return len(json.dumps(received[0], ensure_ascii=False).encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--emits", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3, help="runs against each side, alternating")
    args = parser.parse_args()
    raise_open_files()
    folder = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    contest = build_contest(sqlite_url(folder), folder, competitors=24, aspects=10)
    body = json.dumps({"competitor_id": contest.competitor_ids[0], "aspect_code": contest.aspect_codes[0],
                       "value": "{v}"})
    load = ["--clients", str(args.clients), "--emits", str(args.emits), "--interval", str(args.interval)]
    project, baseline = [], []
    with gunicorn("competition.wsgi:app", cwd=Path(__file__).resolve().parents[1], env=contest.env) as server, \
            reference_server() as reference:
        import requests

        def mark(value):
            requests.put(f"{server.url}/api/v1/contests/{contest.contest_id}/marks", timeout=10,
                         headers={"Authorization": f"Bearer {contest.judge_tokens[0]}"},
                         json={"competitor_id": contest.competitor_ids[0], "aspect_code": contest.aspect_codes[0],
                               "value": value}).raise_for_status()

        size = update_size(server.url, contest, mark)
        for _ in range(args.rounds):
            project.append(run_harness(
                "--url", server.url, *load, "--auth", json.dumps({"contest_id": contest.contest_id, "view": "public"}),
                "--trigger", f"PUT {server.url}/api/v1/contests/{contest.contest_id}/marks",
                "--header", f"Authorization: Bearer {contest.judge_tokens[0]}", "--body", body))
            baseline.append(run_harness("--url", reference.url, *load,
                                        "--trigger", f"POST {reference.url}/emit?bytes={size}"))
    print(json.dumps({"payload_bytes": size, "project": project, "reference": baseline}))
    p99 = {side: round(statistics.mean(run["delivery_p99_ms"] for run in runs), 1)
           for side, runs in (("project", project), ("reference", baseline))}
    p50 = {side: round(statistics.mean(run["delivery_p50_ms"] for run in runs), 1)
           for side, runs in (("project", project), ("reference", baseline))}
    received, expected = sum(run["received"] for run in project), sum(run["expected"] for run in project)
    ratio = p99["project"] / p99["reference"]
    status = report("fan-out p99", ratio, TARGET,
                    extra=f" (mean of {args.rounds} runs each: project p50/p99 {p50['project']}/{p99['project']} ms, "
                          f"reference {p50['reference']}/{p99['reference']} ms; runs' p99 "
                          f"{[run['delivery_p99_ms'] for run in project]} against "
                          f"{[run['delivery_p99_ms'] for run in baseline]}; delivered {received}/{expected})")
    print(f"{ratio:.3f}")
    return status or (0 if received == expected else 1)


if __name__ == "__main__":
    sys.exit(main())
