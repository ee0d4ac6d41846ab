"""Benchmark 6's deterministic companion: the CPU cost of one accepted mark, counted in machine
instructions by valgrind's callgrind, against one request of the reference insert
(bench/reference_insert_app.py).

    .venv/bin/python bench/mark_instructions.py [--marks 100]

Wall-clock rates on this machine drift by up to 40 % from one stretch of seconds to the next, and
both servers of bench/throughput.py are CPU-bound, so an instruction count is the steady measure of
what that benchmark compares. Both sides run in process through Flask's test client on SQLite: the
project on benchmark 6's contest (50 competitors × 20 aspects, 50 judges, each judge marking one
competitor), the reference on its own database. Each side warms up with 100 requests outside the
count; callgrind then counts only the timed requests. The coalesced board publish runs in the
background in a server and is not counted here (bench/throughput.py includes it). Needs valgrind.

Floor: reference / project >= 0.3, as benchmark 6. The last line is that ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_contest, callgrind_count, in_process_client, instructions, report, sqlite_url  # noqa: E402

TARGET = 0.3
WARM_UP = 100
JUDGES, ASPECTS = 50, 20


def project_side(folder: Path, marks: int) -> None:
    contest = json.loads((folder / "contest.json").read_text())
    client = in_process_client(contest["database_url"])
    url = f"/api/v1/contests/{contest['contest_id']}/marks"

    def mark(n: int) -> None:  # as bench/throughput.py: judge j marks competitor j, values keep changing
        judge, k = n % JUDGES, n // JUDGES
        response = client.put(url, headers={"Authorization": f"Bearer {contest['judge_tokens'][judge]}"}, json={
            "competitor_id": contest["competitor_ids"][judge], "aspect_code": contest["aspect_codes"][k % ASPECTS],
            "value": f"{(k // ASPECTS) % 10}.5"})
        assert response.status_code in (200, 201), response.get_data(as_text=True)

    callgrind_count(mark, marks, warm_up=WARM_UP)


def reference_side(folder: Path, marks: int) -> None:
    os.environ["REFERENCE_DATABASE_URL"] = f"sqlite:///{folder / 'reference.sqlite3'}"
    from reference_insert_app import app

    client = app.test_client()

    def insert(n: int) -> None:
        response = client.put("/marks", json={"competitor_id": n % JUDGES, "aspect_code": f"M{n % ASPECTS:03d}",
                                              "value": "5.5"})
        assert response.status_code == 201, response.get_data(as_text=True)

    callgrind_count(insert, marks, warm_up=WARM_UP)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=100)
    parser.add_argument("--side", choices=("project", "reference"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        (project_side if args.side == "project" else reference_side)(args.folder, args.marks)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install -y valgrind")
    folder = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    contest = build_contest(sqlite_url(folder), folder, competitors=JUDGES, aspects=ASPECTS, judges=JUDGES)
    (folder / "contest.json").write_text(json.dumps({
        "database_url": contest.database_url, "contest_id": contest.contest_id,
        "competitor_ids": contest.competitor_ids, "aspect_codes": contest.aspect_codes,
        "judge_tokens": contest.judge_tokens}))
    project, reference = (instructions(Path(__file__), side, folder, "--marks", args.marks)
                          for side in ("project", "reference"))
    print(json.dumps({"project_per_mark": project, "reference_per_request": reference, "marks": args.marks}))
    ratio = reference / project
    status = report("mark instructions", ratio, TARGET, higher_is_better=True,
                    extra=f" ({project / 1e6:.2f} M instructions per mark, "
                          f"{reference / 1e6:.2f} M per reference insert)")
    print(f"{ratio:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
