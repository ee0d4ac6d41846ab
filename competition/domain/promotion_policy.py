"""Promotion policies (promotion.md, "Promotion policy"): the data attached to a contest.

``validate_policy`` turns the submitted JSON into a frozen ``Policy`` (or a ``PolicyError`` naming the
bad field, e.g. ``"bands.1.ranks"``); ``policy_to_dict`` turns it back. Pure: plain data in and out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal

from competition.domain.levels import is_national_level
from competition.domain.numbers import DecimalFormatError, parse_decimal
from competition.domain.validation import FieldErrors, is_int, percent, rank_range

KINDS: tuple[str, ...] = ("employee", "student")
ACTIVE = "active"
PROPOSED: Final = "proposed"
NOT_ELIGIBLE: Final = "not_eligible"
# Reason codes of a ``not_eligible`` outcome, in the order the steps can give them.
REASONS: tuple[str, ...] = (
    "not_ranked",
    "kind_not_eligible",
    "below_min_total",
    "already_promoted_this_year",
    "no_band",
    "already_at_level",
    "capped",
    "level_not_offered",
)
IF_HELD = ("next_level", "none")
BAND_NAME_MAX_LENGTH = 200
MAX_RAISE_LEVELS = 5
MAX_RAISE_GRADES = 20


# --------------------------------------------------------------------------------------------------
# Policy data


@dataclass(frozen=True)
class ToLevel:
    """``{"to_level": L, "if_held": "next_level" | "none"}``."""

    level: int
    if_held: Literal["next_level", "none"] = "next_level"


@dataclass(frozen=True)
class RaiseLevels:
    """``{"raise_levels": k}``: k national levels up from the current level."""

    levels: int


@dataclass(frozen=True)
class RaiseGrades:
    """``{"raise_grades": k}``: k steps up the employer's grade list, skipping appointed_only grades."""

    grades: int


Action = ToLevel | RaiseLevels | RaiseGrades


@dataclass(frozen=True)
class Band:
    """A band matches by ``ranks`` (a..b inclusive) or by ``top_percent`` (exactly one is set)."""

    name: str
    action: Action
    ranks: tuple[int, int] | None = None
    top_percent: Decimal | None = None
    cap_level: int | None = None

    def contains(self, rank: int, ranked_count: int) -> bool:
        """Step 2: everyone sharing a rank inside ``ranks`` is in; ``top_percent`` holds ranks
        r <= floor(N x p / 100), N = ``ranked_count``."""
        if self.ranks is not None:
            first, last = self.ranks
            return first <= rank <= last
        assert self.top_percent is not None
        return rank <= int(ranked_count * self.top_percent // 100)


@dataclass(frozen=True)
class Policy:
    bands: tuple[Band, ...]
    student_bands: tuple[Band, ...] = ()
    min_total: Decimal | None = None
    eligible_kinds: tuple[str, ...] = KINDS
    once_per_year: bool = False

    def bands_for(self, kind: str) -> tuple[Band, ...]:
        """Students use ``student_bands`` when that list is not empty, everyone else ``bands``."""
        if kind == "student" and self.student_bands:
            return self.student_bands
        return self.bands


class PolicyError(ValueError):
    """An invalid policy (422). ``errors`` maps a dotted path (``"min_total"``, ``"bands.1.ranks"``,
    ``"bands.0.action"``; ``"_schema"`` for the whole document) to a list of messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in errors.items()))
        self.errors = errors


# --------------------------------------------------------------------------------------------------
# Validation

_UNKNOWN = "Unknown field."
_MISSING = "Missing data for required field."
_POLICY_KEYS = frozenset({"min_total", "eligible_kinds", "once_per_year", "bands", "student_bands"})
_BAND_KEYS = frozenset({"name", "ranks", "top_percent", "action", "cap_level"})
_ACTION_KEYS = frozenset({"to_level", "if_held", "raise_levels", "raise_grades"})


def validate_policy(data: object) -> Policy:
    """Validate a submitted policy document and return it as a ``Policy``.

    Keys: ``bands`` (required, at least one band), ``student_bands`` (default none),
    ``min_total`` (a decimal string or number >= 0; default none), ``eligible_kinds`` (a non-empty
    subset of employee/student; default both), ``once_per_year`` (boolean; default false). A band has
    a ``name`` (1..200 characters), exactly one of ``ranks: [a, b]`` (1 <= a <= b) and
    ``top_percent`` (0 < p <= 100), an ``action`` with exactly one of ``to_level`` (1..5, with
    ``if_held`` "next_level" (default) or "none"), ``raise_levels`` (1..5) or ``raise_grades``
    (1..20), and an optional ``cap_level`` (1..5). Unknown keys are rejected everywhere; a null
    value counts as absent. All problems are reported together in one ``PolicyError``.
    """
    errors = FieldErrors()
    if not isinstance(data, Mapping):
        raise PolicyError({"_schema": ["A promotion policy must be an object."]})
    present = _present(data, _POLICY_KEYS, "", errors)
    min_total = _min_total(present["min_total"], errors) if "min_total" in present else None
    kinds = _eligible_kinds(present.get("eligible_kinds", list(KINDS)), errors)
    once_per_year = present.get("once_per_year", False)
    if not isinstance(once_per_year, bool):
        errors.add("once_per_year", "Must be true or false.")
    bands = _bands(present.get("bands"), "bands", errors, required=True)
    student_bands = _bands(present.get("student_bands", []), "student_bands", errors, required=False)
    if errors:
        raise PolicyError(dict(errors))
    return Policy(bands=bands, student_bands=student_bands, min_total=min_total,
                  eligible_kinds=kinds, once_per_year=once_per_year)


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The JSON form of a policy, accepted back by ``validate_policy`` (decimals as strings)."""
    result: dict[str, Any] = {}
    if policy.min_total is not None:
        result["min_total"] = str(policy.min_total)
    result["eligible_kinds"] = list(policy.eligible_kinds)
    result["once_per_year"] = policy.once_per_year
    result["bands"] = [_band_to_dict(band) for band in policy.bands]
    result["student_bands"] = [_band_to_dict(band) for band in policy.student_bands]
    return result


def _band_to_dict(band: Band) -> dict[str, Any]:
    result: dict[str, Any] = {"name": band.name}
    if band.ranks is not None:
        result["ranks"] = list(band.ranks)
    if band.top_percent is not None:
        integral = band.top_percent == band.top_percent.to_integral_value()
        result["top_percent"] = int(band.top_percent) if integral else str(band.top_percent)
    match band.action:
        case ToLevel(level, if_held):
            result["action"] = {"to_level": level, "if_held": if_held}
        case RaiseLevels(levels):
            result["action"] = {"raise_levels": levels}
        case RaiseGrades(grades):
            result["action"] = {"raise_grades": grades}
    if band.cap_level is not None:
        result["cap_level"] = band.cap_level
    return result


def _present(data: Mapping[str, Any], allowed: frozenset[str], path: str, errors: FieldErrors) -> dict[str, Any]:
    """The non-null entries of ``data``; unknown keys are reported as errors."""
    for key in sorted(map(str, data.keys() - allowed)):
        errors.add(f"{path}{key}", _UNKNOWN)
    return {key: value for key, value in data.items() if key in allowed and value is not None}


def _min_total(value: object, errors: FieldErrors) -> Decimal | None:
    try:
        number = parse_decimal(value, max_places=4)
    except DecimalFormatError as exc:
        errors.add("min_total", f"Must be a decimal number: {exc}.")
        return None
    if number < 0:
        errors.add("min_total", "Must be at least 0.")
    return number


def _eligible_kinds(value: object, errors: FieldErrors) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(kind, str) and kind in KINDS for kind in value)):
        errors.add("eligible_kinds", f"Must be a non-empty list of {', '.join(KINDS)}.")
        return ()
    if len(set(value)) != len(value):
        errors.add("eligible_kinds", "Must not repeat a kind.")
    return tuple(kind for kind in KINDS if kind in value)


def _bands(value: object, path: str, errors: FieldErrors, *, required: bool) -> tuple[Band, ...]:
    if value is None:
        errors.add(path, _MISSING)
        return ()
    if not isinstance(value, list):
        errors.add(path, "Must be a list of bands.")
        return ()
    if required and not value:
        errors.add(path, "At least one band is required.")
    bands = [_band(raw, f"{path}.{index}", errors) for index, raw in enumerate(value)]
    return tuple(band for band in bands if band is not None)


def _band(raw: object, path: str, errors: FieldErrors) -> Band | None:
    if not isinstance(raw, Mapping):
        errors.add(path, "A band must be an object.")
        return None
    before = len(errors)
    present = _present(raw, _BAND_KEYS, f"{path}.", errors)
    name = present.get("name")
    if name is None:
        errors.add(f"{path}.name", _MISSING)
    elif not isinstance(name, str) or not name.strip() or len(name) > BAND_NAME_MAX_LENGTH:
        errors.add(f"{path}.name",
                   f"Must be a non-blank string of at most {BAND_NAME_MAX_LENGTH} characters.")
    if ("ranks" in present) == ("top_percent" in present):
        errors.add(path, "Exactly one of ranks or top_percent is required.")
    ranks = rank_range(present["ranks"], f"{path}.ranks", errors) if "ranks" in present else None
    top_percent = (percent(present["top_percent"], f"{path}.top_percent", errors)
                   if "top_percent" in present else None)
    action = _action(present.get("action"), f"{path}.action", errors)
    cap_level = present.get("cap_level")
    if cap_level is not None and not is_national_level(cap_level):
        errors.add(f"{path}.cap_level", "Must be a national level, an integer 1..5.")
    if len(errors) > before or action is None or not isinstance(name, str):
        return None
    return Band(name=name.strip(), action=action, ranks=ranks, top_percent=top_percent, cap_level=cap_level)


def _action(raw: object, path: str, errors: FieldErrors) -> Action | None:
    if raw is None:
        errors.add(path, _MISSING)
        return None
    if not isinstance(raw, Mapping):
        errors.add(path, "An action must be an object.")
        return None
    before = len(errors)
    present = _present(raw, _ACTION_KEYS, f"{path}.", errors)
    chosen = [key for key in ("to_level", "raise_levels", "raise_grades") if key in present]
    if len(chosen) != 1:
        errors.add(path, "Exactly one of to_level, raise_levels or raise_grades is required.")
        return None
    key, value = chosen[0], present[chosen[0]]
    if_held = present.get("if_held", "next_level")
    if key != "to_level" and "if_held" in present:
        errors.add(f"{path}.if_held", "Only allowed with to_level.")
    elif if_held not in IF_HELD:
        errors.add(f"{path}.if_held", f"Must be one of {', '.join(IF_HELD)}.")
    if key == "to_level" and not is_national_level(value):
        errors.add(f"{path}.to_level", "Must be a national level, an integer 1..5.")
    if key == "raise_levels" and not (is_int(value) and 1 <= value <= MAX_RAISE_LEVELS):
        errors.add(f"{path}.raise_levels", f"Must be an integer 1..{MAX_RAISE_LEVELS}.")
    if key == "raise_grades" and not (is_int(value) and 1 <= value <= MAX_RAISE_GRADES):
        errors.add(f"{path}.raise_grades", f"Must be an integer 1..{MAX_RAISE_GRADES}.")
    if len(errors) > before:
        return None
    if key == "to_level":
        return ToLevel(level=value, if_held=if_held)
    return RaiseLevels(levels=value) if key == "raise_levels" else RaiseGrades(grades=value)
