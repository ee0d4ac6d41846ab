"""Benchmark 3, mark cost against contest size: the time to accept one mark and update standings
(the whole PUT /marks request, in process) in a contest of 2,000 competitors × 100 aspects, against
one of 20 × 100, every aspect already marked.

    .venv/bin/python bench/mark_cost.py [--marks 300]

Target: ratio of medians (large / small) <= 1.5 — accepting a mark must not grow with the contest.
The last line is the ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, report, sqlite_url  # noqa: E402

TARGET = 1.5


def measure(competitors: int, marks: int, seed: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-cost-{competitors}-"))
    started = time.perf_counter()
    contest = build_contest(sqlite_url(folder), folder, competitors=competitors, aspects=100,
                            marks_per_competitor=100)
    built = time.perf_counter() - started
    from competition import create_app
    from competition.live.broadcaster import EXTENSION

    app = create_app({"SQLALCHEMY_DATABASE_URI": contest.database_url, "SOCKETIO_ASYNC_MODE": "threading",
                      "COMPETITION_LOG_LEVEL": "WARNING"})
    # The coalesced publish runs in the background in a server; here only the request is timed.
    app.extensions[EXTENSION].committed = lambda *args: None
    client = app.test_client()
    headers = {"Authorization": f"Bearer {contest.judge_tokens[0]}"}
    rng = random.Random(seed)
    times = []
    for n in range(marks + 20):
        body = {"competitor_id": rng.choice(contest.competitor_ids), "aspect_code": rng.choice(contest.aspect_codes),
                "value": f"{rng.randint(0, 99) / 10:.1f}"}
        began = time.perf_counter()
        response = client.put(f"/api/v1/contests/{contest.contest_id}/marks", json=body, headers=headers)
        elapsed = time.perf_counter() - began
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        if n >= 20:  # warm-up excluded
            times.append(elapsed)
    return {"competitors": competitors, "aspects": 100, "build_s": round(built, 1),
            "median_ms": round(statistics.median(times) * 1000, 3),
            "p90_ms": round(sorted(times)[int(0.9 * len(times))] * 1000, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=300)
    args = parser.parse_args()
    small = measure(20, args.marks, 1)
    large = measure(2000, args.marks, 1)
    print(json.dumps({"small": small, "large": large}))
    ratio = large["median_ms"] / small["median_ms"]
    status = report("mark cost", ratio, TARGET,
                    extra=f" (2000×100: {large['median_ms']} ms, 20×100: {small['median_ms']} ms median)")
    print(f"{ratio:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
