"""Benchmark 3, mark cost against contest size: the time to accept one mark and update standings
(the whole PUT /marks request, in process) in a contest of 2,000 competitors × 100 aspects, against
one of 20 × 100, every aspect already marked. Both contests are built first, then the marks alternate
between them, so that machine noise cancels.

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
from common import build_contest, in_process_client, report, sqlite_url  # noqa: E402

TARGET = 1.5


class Side:
    """One contest, built in its own database, and a test client of an app on it."""

    def __init__(self, competitors: int, seed: int):
        folder = Path(tempfile.mkdtemp(prefix=f"bench-cost-{competitors}-"))
        started = time.perf_counter()
        self.contest = build_contest(sqlite_url(folder), folder, competitors=competitors, aspects=100,
                                     marks_per_competitor=100)
        self.built = time.perf_counter() - started
        self.client = in_process_client(self.contest.database_url)
        self.headers = {"Authorization": f"Bearer {self.contest.judge_tokens[0]}"}
        self.url = f"/api/v1/contests/{self.contest.contest_id}/marks"
        self.rng = random.Random(seed)
        self.competitors = competitors
        self.times: list[float] = []

    def mark(self, timed: bool) -> None:
        body = {"competitor_id": self.rng.choice(self.contest.competitor_ids),
                "aspect_code": self.rng.choice(self.contest.aspect_codes),
                "value": f"{self.rng.randint(0, 99) / 10:.1f}"}
        began = time.perf_counter()
        response = self.client.put(self.url, json=body, headers=self.headers)
        elapsed = time.perf_counter() - began
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        if timed:
            self.times.append(elapsed)

    def figures(self) -> dict:
        return {"competitors": self.competitors, "aspects": 100, "build_s": round(self.built, 1),
                "median_ms": round(statistics.median(self.times) * 1000, 3),
                "p90_ms": round(sorted(self.times)[int(0.9 * len(self.times))] * 1000, 3)}


def measure(marks: int) -> tuple[dict, dict]:
    """Marks alternate between the two contests, so that both are timed over the same seconds and
    the machine's drift (other processes, CPU frequency) weighs on both alike."""
    small, large = Side(20, 1), Side(2000, 1)
    for n in range(marks + 20):
        for side in (small, large) if n % 2 else (large, small):
            side.mark(timed=n >= 20)  # the first 20 of each are warm-up
    return small.figures(), large.figures()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=300)
    args = parser.parse_args()
    small, large = measure(args.marks)
    print(json.dumps({"small": small, "large": large}))
    ratio = large["median_ms"] / small["median_ms"]
    status = report("mark cost", ratio, TARGET,
                    extra=f" (2000×100: {large['median_ms']} ms, 20×100: {small['median_ms']} ms median)")
    print(f"{ratio:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
