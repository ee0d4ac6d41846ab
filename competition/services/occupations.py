"""Occupations of the national classification (promotion.md, Occupations), and loading the shipped
list of real occupations (competition/data/occupations.csv) with `competition occupations load`."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from competition.domain.levels import NATIONAL_LEVELS, is_national_level
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Occupation
from competition.services import audit

CODE_RE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$", re.ASCII)
DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "occupations.csv"


def occupation_dict(occupation: Occupation) -> dict[str, Any]:
    return {"id": occupation.id, "code": occupation.code, "edition": occupation.edition,
            "name": occupation.name, "direction": occupation.direction, "levels": list(occupation.levels)}


def check_code(code: object) -> str | None:
    """The error message for a code not in the `D-DD-DD-DD` format, else None."""
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        return "must have the national classification format D-DD-DD-DD, e.g. 6-31-01-03"
    return None


def normalise_levels(levels: object) -> list[int]:
    """A non-empty set of national levels 1..5, returned highest number (lowest level) first."""
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ValueError("must be a non-empty list of national levels 1..5")
    if not all(is_national_level(level) for level in levels):
        raise ValueError("every level must be an integer 1..5")
    if len(set(levels)) != len(levels):
        raise ValueError("levels must not repeat")
    return [level for level in NATIONAL_LEVELS if level in levels]


def _validated(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    code = data.get("code", "")
    if (message := check_code(code)) is not None:
        errors["code"] = [message]
    try:
        levels = normalise_levels(data.get("levels"))
    except ValueError as error:
        errors["levels"] = [str(error)]
        levels = []
    for field in ("edition", "name"):
        if not str(data.get(field) or "").strip():
            errors[field] = ["must not be blank"]
    if errors:
        raise ServiceError(422, "The occupation is not valid: " + "; ".join(
                           f"{field} {messages[0]}" for field, messages in errors.items()), errors=errors)
    direction = (data.get("direction") or "").strip() or None
    return {"code": code, "edition": data["edition"].strip(), "name": data["name"].strip(),
            "direction": direction, "levels": levels}


def create_occupation(data: Mapping[str, Any]) -> Occupation:
    values = _validated(data)
    if find(values["code"]) is not None:
        raise ServiceError(409, f"Occupation {values['code']} already exists.",
                           errors={"code": ["already exists"]})
    occupation = Occupation(**values)
    db.session.add(occupation)
    db.session.flush()
    audit.record("occupation.create", f"occupation:{occupation.id}", after=occupation_dict(occupation))
    return occupation


def find(code: str) -> Occupation | None:
    return db.session.scalar(select(Occupation).where(Occupation.code == code))


def by_codes(codes: Iterable[str]) -> dict[str, Occupation]:
    codes = set(codes)
    if not codes:
        return {}
    return {o.code: o for o in db.session.scalars(select(Occupation).where(Occupation.code.in_(codes)))}


def all_occupations() -> list[Occupation]:
    return list(db.session.scalars(select(Occupation).order_by(Occupation.code)))


# --- loading a CSV file -------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of `code,edition,name,levels[,direction]`; `levels` is like "5,4,3,2,1". Raises
    ServiceError naming every bad line (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "edition", "name", "levels"} - set(reader.fieldnames or ())
    if missing:
        raise ServiceError(422, f"missing columns: {', '.join(sorted(missing))}")
    rows, errors = [], []
    for line, raw in enumerate(reader, start=2):
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue
        try:
            levels = [int(part) for part in (raw.get("levels") or "").replace(" ", "").split(",") if part]
            row = _validated({"code": (raw.get("code") or "").strip(), "edition": raw.get("edition") or "",
                              "name": raw.get("name") or "", "levels": levels,
                              "direction": raw.get("direction") or ""})
        except (ValueError, ServiceError) as error:
            errors.append(f"line {line}: {getattr(error, 'message', error)}")
            continue
        rows.append(row)
    if errors:
        raise ServiceError(422, "; ".join(errors))
    return rows


def load_rows(rows: list[dict[str, Any]]) -> LoadResult:
    """Upsert by code. Records one audit entry for the whole load when anything changed."""
    existing = by_codes(row["code"] for row in rows)
    created = updated = unchanged = 0
    changes = []
    for row in rows:
        occupation = existing.get(row["code"])
        if occupation is None:
            occupation = Occupation(**row)
            db.session.add(occupation)
            existing[row["code"]] = occupation
            created += 1
            changes.append(row["code"])
            continue
        if all(getattr(occupation, key) == value for key, value in row.items()):
            unchanged += 1
            continue
        for key, value in row.items():
            setattr(occupation, key, value)
        updated += 1
        changes.append(row["code"])
    db.session.flush()
    if changes:
        audit.record("occupation.load", "occupations",
                     after={"created": created, "updated": updated, "codes": changes})
    return LoadResult(created, updated, unchanged)


def load_file(path: Path | str | None = None) -> LoadResult:
    path = Path(path) if path else DEFAULT_FILE
    return load_rows(parse_csv(path.read_text(encoding="utf-8")))
