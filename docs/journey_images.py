"""Copy chosen screenshots of the Chinese role journeys (tests/browser/journeys, issue 21) into
docs/images under the names the guides link, reduced like docs/screenshots.py's (its `compact`).

    make journey-images                      # runs the journeys in Chinese, then this script
    .venv/bin/python docs/journey_images.py [--journeys build/journeys] [--out docs/images]

Each journey saves its steps as build/journeys/<role>-<lang>/NN-<step>.png; FROM_JOURNEYS names the
journey and the step (not the number, which moves when a step is added) of each guide image taken
from them. The other guide images come from docs/screenshots.py, which would overwrite these with its
own: run this after it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FROM_JOURNEYS = {
    "judge-qr-confirm.png": ("judge-qr-zh", "qr-confirm"),
    "judge-contests.png": ("judge-qr-zh", "contests"),
    "judge-worklist.png": ("judge-qr-zh", "measurement"),
    "judge-saved.png": ("judge-qr-zh", "saved"),
    "judge-offline.png": ("judge-qr-zh", "offline-queue"),
    "chief-values.png": ("chief-zh", "reconciliation"),
    "chief-unlock.png": ("chief-zh", "unlock-reason"),
    "organiser-console.png": ("organiser-zh", "new-contest"),
    "organiser-contest-page.png": ("organiser-zh", "draft"),
    "hr-import-done.png": ("hr-zh", "imported"),
    "hr-people.png": ("hr-zh", "people"),
    "hr-promotions.png": ("hr-zh", "promotions"),
    "hr-confirm.png": ("hr-zh", "confirm-dialog"),
    "hr-confirmed.png": ("hr-zh", "confirmed"),
    "hr-certificate.png": ("hr-zh", "certificate"),
}


def step_file(journeys: Path, journey: str, step: str) -> Path:
    found = sorted((journeys / journey).glob(f"[0-9][0-9]-{step}.png"))
    if len(found) != 1:
        raise SystemExit(f"{journeys / journey}: no single screenshot of step {step!r} (run the journeys first)")
    return found[0]


def copy(journeys: Path, out: Path) -> list[str]:
    sys.path.insert(0, str(HERE))
    from screenshots import compact  # docs/screenshots.py

    written = []
    for name, (journey, step) in FROM_JOURNEYS.items():
        (out / name).write_bytes(compact(step_file(journeys, journey, step).read_bytes()))
        written.append(name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=Path, default=ROOT / "build" / "journeys")
    parser.add_argument("--out", type=Path, default=HERE / "images")
    args = parser.parse_args(argv)
    written = copy(args.journeys, args.out)
    total = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{len(written)} images from the journeys; docs/images holds {total / 1024 / 1024:.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
