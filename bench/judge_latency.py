"""Benchmark 2, judge latency under load: p99 of PUT /marks with N spectators connected, against
the same with no spectators.

    .venv/bin/python bench/judge_latency.py [--clients 2000] [--emits 60]

Target: ratio (with / without) <= 1.5. The last line is the ratio.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, gunicorn, raise_open_files, report, run_harness, sqlite_url  # noqa: E402

TARGET = 1.5


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
        for label, clients in (("idle", 0), ("loaded", args.clients)):
            body = json.dumps({"competitor_id": contest.competitor_ids[1 if clients else 0],
                               "aspect_code": contest.aspect_codes[0], "value": "{v}"})
            results[label] = run_harness(
                "--url", server.url, "--clients", str(clients), "--emits", str(args.emits),
                "--interval", str(args.interval),
                "--auth", json.dumps({"contest_id": contest.contest_id, "view": "public"}),
                "--trigger", f"PUT {server.url}/api/v1/contests/{contest.contest_id}/marks",
                "--header", f"Authorization: Bearer {contest.judge_tokens[0]}", "--body", body)
    print(json.dumps(results))
    ratio = results["loaded"]["trigger_p99_ms"] / results["idle"]["trigger_p99_ms"]
    status = report("judge latency p99", ratio, TARGET,
                    extra=f" (with {args.clients} spectators {results['loaded']['trigger_p99_ms']} ms, "
                          f"without {results['idle']['trigger_p99_ms']} ms)")
    print(f"{ratio:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
