"""Award schemes and the awards a final ranking decides (events.md, Awards).

A scheme is a list of awards, each ``{"code","name","ranks":[a,b]}`` or ``{"code","name",
"top_percent":p,"cumulative"?}``, optionally with ``min_total``. ``validate_awards`` turns the
submitted JSON into a tuple of ``Award`` (or an ``AwardSchemeError`` naming the bad entry, e.g.
``awards.1.ranks``); ``decide_awards`` turns a final ranking into each competitor's award.

Places and consumption. N ranked competitors occupy places 1..N; a competitor at rank r sharing it
with g - 1 others spans places r..r+g-1 (standard competition ranking). Walking the scheme in order:
``ranks:[a,b]`` takes the competitors ranked a..b; ``top_percent:p`` takes the ranks in the next
floor(N x p / 100) places after the places consumed so far, or with ``cumulative`` the ranks in
places 1..floor(N x p / 100) not consumed yet. A tie group whose rank falls inside an award's places
gets that award and consumes every place it spans, so the next award starts after it. ``min_total``
excludes totals below it from that award and every later one; their places stay consumed.
Pure: plain data in, plain data out; exact Decimal arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from competition.domain.numbers import DecimalFormatError, parse_decimal
from competition.domain.validation import FieldErrors, is_int, percent, rank_range

__all__ = [
    "Award",
    "AwardSchemeError",
    "Placed",
    "READY_AWARD_SCHEMES",
    "awards_to_dict",
    "decide_awards",
    "validate_awards",
]

CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,32}", re.ASCII)
NAME_MAX_LENGTH = 200
MAX_AWARDS = 50
_KEYS = frozenset({"code", "name", "ranks", "top_percent", "cumulative", "min_total"})


@dataclass(frozen=True)
class Award:
    code: str
    name: str
    ranks: tuple[int, int] | None = None
    top_percent: Decimal | None = None
    cumulative: bool = False
    min_total: Decimal | None = None


@dataclass(frozen=True)
class Placed:
    """A ranked competitor as awards see it: its id, rank (1-based) and rounded total."""

    id: int
    rank: int
    total: Decimal


class AwardSchemeError(ValueError):
    """An invalid scheme (422). ``errors`` maps a dotted path (``awards.1.ranks``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in errors.items()))
        self.errors = errors


def validate_awards(data: object, path: str = "awards") -> tuple[Award, ...]:
    """Validate a submitted award scheme (a list, possibly empty) and return its awards.

    Every problem is reported at once: unknown keys, a code outside ``A-Z a-z 0-9 . _ -`` (1..32) or
    repeated, a missing or over-long name, both or neither of ``ranks`` and ``top_percent``, ranks
    that are not ``[a, b]`` with 1 <= a <= b or that overlap another award's ranks, a percentage
    outside (0, 100], non-cumulative percentages summing over 100, ``cumulative`` without
    ``top_percent``, a negative ``min_total``.
    """
    errors = FieldErrors()
    if not isinstance(data, list):
        raise AwardSchemeError({path: ["Must be a list of awards."]})
    if len(data) > MAX_AWARDS:
        raise AwardSchemeError({path: [f"At most {MAX_AWARDS} awards."]})
    awards: list[Award] = []
    codes: dict[str, str] = {}
    for index, raw in enumerate(data):
        award = _award(raw, f"{path}.{index}", errors)
        if award is None:
            continue
        if award.code in codes:
            errors.add(f"{path}.{index}.code", f"Repeats the code of {codes[award.code]}.")
        codes.setdefault(award.code, f"{path}.{index}")
        awards.append(award)
    _check_overlaps(data, path, errors)
    _check_percent_sum(data, awards, path, errors)
    if errors:
        raise AwardSchemeError(dict(errors))
    return tuple(awards)


def _award(raw: object, path: str, errors: FieldErrors) -> Award | None:
    if not isinstance(raw, Mapping):
        errors.add(path, "An award must be an object.")
        return None
    before = len(errors)
    for key in sorted(map(str, raw.keys() - _KEYS)):
        errors.add(f"{path}.{key}", "Unknown field.")
    present = {key: value for key, value in raw.items() if key in _KEYS and value is not None}
    code, name = present.get("code"), present.get("name")
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        errors.add(f"{path}.code", "Must be 1 to 32 characters of A-Z a-z 0-9 . _ -.")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        errors.add(f"{path}.name", f"Must be a non-blank text of at most {NAME_MAX_LENGTH} characters.")
    if ("ranks" in present) == ("top_percent" in present):
        errors.add(path, "Exactly one of ranks or top_percent is required.")
    ranks = rank_range(present["ranks"], f"{path}.ranks", errors, highest=1_000_000) if "ranks" in present else None
    share = percent(present["top_percent"], f"{path}.top_percent", errors) if "top_percent" in present else None
    cumulative = present.get("cumulative", False)
    if not isinstance(cumulative, bool):
        errors.add(f"{path}.cumulative", "Must be true or false.")
    elif cumulative and "top_percent" not in present:
        errors.add(f"{path}.cumulative", "Only allowed with top_percent.")
    min_total = _min_total(present["min_total"], f"{path}.min_total", errors) if "min_total" in present else None
    if len(errors) > before:
        return None
    assert isinstance(code, str) and isinstance(name, str)
    return Award(code=code, name=name.strip(), ranks=ranks, top_percent=share, cumulative=cumulative,
                 min_total=min_total)


def _min_total(value: object, path: str, errors: FieldErrors) -> Decimal | None:
    try:
        number = parse_decimal(value, max_places=4)
    except DecimalFormatError as exc:
        errors.add(path, f"Must be a decimal number: {exc}.")
        return None
    if number < 0:
        errors.add(path, "Must be at least 0.")
        return None
    return number


def _check_overlaps(data: list[Any], path: str, errors: FieldErrors) -> None:
    """Ranks of two awards must not overlap; the later entry is named."""
    seen: list[tuple[int, int, int]] = []
    for index, raw in enumerate(data):
        ranks = raw.get("ranks") if isinstance(raw, Mapping) else None
        if not (isinstance(ranks, list) and len(ranks) == 2 and all(is_int(r) for r in ranks)):
            continue
        first, last = ranks
        for other, (a, b) in ((i, (a, b)) for i, a, b in seen):
            if first <= b and a <= last:
                errors.add(f"{path}.{index}.ranks", f"Overlaps the ranks of {path}.{other}.")
                break
        seen.append((index, first, last))


def _check_percent_sum(data: list[Any], awards: list[Award], path: str, errors: FieldErrors) -> None:
    """Non-cumulative percentages may not sum over 100; the entry that passes 100 is named."""
    total = Decimal(0)
    for index, raw in enumerate(data):
        if not isinstance(raw, Mapping) or raw.get("cumulative") is True or raw.get("top_percent") is None:
            continue
        try:
            total += parse_decimal(raw["top_percent"], max_places=2, max_integer_digits=3)
        except DecimalFormatError:
            continue
        if total > 100:
            errors.add(f"{path}.{index}.top_percent",
                       f"Percentages of non-cumulative awards sum to {total}, over 100.")
            return


def awards_to_dict(awards: Sequence[Award]) -> list[dict[str, Any]]:
    """The JSON form, accepted back by ``validate_awards`` (decimals as strings)."""
    result = []
    for award in awards:
        entry: dict[str, Any] = {"code": award.code, "name": award.name}
        if award.ranks is not None:
            entry["ranks"] = list(award.ranks)
        if award.top_percent is not None:
            integral = award.top_percent == award.top_percent.to_integral_value()
            entry["top_percent"] = int(award.top_percent) if integral else str(award.top_percent)
            if award.cumulative:
                entry["cumulative"] = True
        if award.min_total is not None:
            entry["min_total"] = str(award.min_total)
        result.append(entry)
    return result


def _places(count: int, percent: Decimal) -> int:
    """floor(N x p / 100), exactly."""
    return int((count * percent) // 100)


def decide_awards(placed: Sequence[Placed], awards: Sequence[Award]) -> dict[int, Award]:
    """Each ranked competitor's award (competitor id → award); the unawarded are absent.

    ``placed`` holds the ranked competitors only (N = len(placed)), with ranks as the standings give
    them (1, 2, 2, 4, ...).
    """
    count = len(placed)
    span = _spans(placed)  # rank → last place its tie group occupies
    by_rank: dict[int, list[Placed]] = {}
    for row in placed:
        by_rank.setdefault(row.rank, []).append(row)
    result: dict[int, Award] = {}
    consumed = 0  # the last place consumed so far
    threshold: Decimal | None = None  # min_total in force: the highest seen so far
    for award in awards:
        if award.min_total is not None:
            threshold = award.min_total if threshold is None else max(threshold, award.min_total)
        first, last = _window(award, consumed, count)
        if award.ranks is not None:
            consumed = max(consumed, min(last, count))
        for rank in sorted(r for r in by_rank if first <= r <= last):
            consumed = max(consumed, span[rank])
            for row in by_rank[rank]:
                if row.id in result or (threshold is not None and row.total < threshold):
                    continue
                result[row.id] = award
        if award.ranks is None:
            consumed = max(consumed, min(last, count))
    return result


def _window(award: Award, consumed: int, count: int) -> tuple[int, int]:
    """The places an award takes, given the last place consumed before it."""
    if award.ranks is not None:
        return award.ranks
    assert award.top_percent is not None
    places = _places(count, award.top_percent)
    if award.cumulative:
        return consumed + 1, places
    return consumed + 1, consumed + places


def _spans(placed: Sequence[Placed]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for row in placed:
        sizes[row.rank] = sizes.get(row.rank, 0) + 1
    return {rank: rank + size - 1 for rank, size in sizes.items()}


def _scheme(*entries: dict[str, Any]) -> tuple[Award, ...]:
    return validate_awards(list(entries))


# Ready schemes (events.md): id → (title_zh, title_en, awards).
READY_AWARD_SCHEMES: dict[str, tuple[str, str, tuple[Award, ...]]] = {
    "national": ("全国技能大赛：金银铜牌 + 优胜奖（前50%）", "National: gold, silver, bronze + merit (top half)",
                 _scheme({"code": "gold", "name": "金牌", "ranks": [1, 1]},
                         {"code": "silver", "name": "银牌", "ranks": [2, 2]},
                         {"code": "bronze", "name": "铜牌", "ranks": [3, 3]},
                         {"code": "merit", "name": "优胜奖", "top_percent": 50, "cumulative": True})),
    "provincial": ("省级竞赛：一/二/三等奖 10%/20%/30%", "Provincial: 1st/2nd/3rd prize 10/20/30 %",
                   _scheme({"code": "first", "name": "一等奖", "top_percent": 10},
                           {"code": "second", "name": "二等奖", "top_percent": 20},
                           {"code": "third", "name": "三等奖", "top_percent": 30})),
    "enterprise": ("企业技术比武：一等奖第1名，二等奖第2-3名，三等奖第4-6名",
                   "Enterprise: 1st prize rank 1, 2nd ranks 2-3, 3rd ranks 4-6",
                   _scheme({"code": "first", "name": "一等奖", "ranks": [1, 1]},
                           {"code": "second", "name": "二等奖", "ranks": [2, 3]},
                           {"code": "third", "name": "三等奖", "ranks": [4, 6]})),
}
