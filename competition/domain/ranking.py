"""Ranking of a contest's competitors (scoring.md, Ranking).

Only ``active`` competitors are ranked, by rounded total (highest first), then by the contest's
tie-breakers; competitors still equal share a rank (standard competition ranking: 1, 2, 2, 4).
Within a shared rank, and among the unranked, rows are ordered by bib then id so a board is stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .scheme import MarkingScheme

__all__ = [
    "RANKED_STATUS",
    "STATUSES",
    "RankInput",
    "TieBreakerError",
    "rank",
    "rank_key",
    "validate_tie_breakers",
]

RANKED_STATUS = "active"
STATUSES = ("active", "absent", "withdrawn", "disqualified")
COMPONENT, MODULE, TIME_USED = "component", "module", "time_used"
TIME_USED_ORDERS = ("asc",)

# First element of a rank key: every ranked row sorts before every unranked one.
_RANKED, _UNRANKED = 0, 1
# A tie-breaker figure is (present, value) so that a missing figure sorts after any present one.
_PRESENT, _MISSING = 0, 1

TieBreaker = Mapping[str, str]


class TieBreakerError(ValueError):
    """Invalid ``tie_breakers`` (422). ``path`` names the bad entry, e.g. ``tie_breakers.1``."""

    def __init__(self, message: str, path: str = "tie_breakers") -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class RankInput:
    """One competitor's published (rounded) figures, as ranking sees them."""

    id: int
    status: str
    total_rounded: Decimal
    components_rounded: Mapping[str, Decimal]
    modules_rounded: Mapping[str, Decimal]
    time_used_seconds: int | None
    bib: str = ""


def validate_tie_breakers(value: object, scheme: MarkingScheme | None) -> list[dict[str, str]]:
    """Check a contest's ``tie_breakers`` and return them as plain dicts.

    Each entry is ``{"component": CODE}``, ``{"module": CODE}`` or ``{"time_used": "asc"}``
    (scoring.md, Ranking 3); codes must exist in ``scheme``. With ``scheme`` None (a contest
    without a scheme yet) only the shape is checked. A repeated entry is refused.
    """
    if not isinstance(value, list):
        raise TieBreakerError("must be a list")
    result: list[dict[str, str]] = []
    for index, entry in enumerate(value):
        path = f"tie_breakers.{index}"
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise TieBreakerError(
                'must be one of {"component": CODE}, {"module": CODE}, {"time_used": "asc"}', path
            )
        ((kind, argument),) = entry.items()
        if kind == TIME_USED:
            if argument not in TIME_USED_ORDERS:
                raise TieBreakerError('time_used must be "asc"', path)
        elif kind in (COMPONENT, MODULE):
            if not isinstance(argument, str):
                raise TieBreakerError(f"{kind} must be a code", path)
            if scheme is not None and argument not in _codes(scheme, kind):
                raise TieBreakerError(f"unknown {kind} code '{argument}'", path)
        else:
            raise TieBreakerError(f"unknown tie-breaker '{kind}' (component, module or time_used)", path)
        tie_breaker = {kind: argument}
        if tie_breaker in result:
            raise TieBreakerError("repeats an earlier tie-breaker", path)
        result.append(tie_breaker)
    return result


def rank_key(row: RankInput, tie_breakers: Sequence[TieBreaker]) -> tuple[Any, ...]:
    """A key whose plain ascending order is the board order.

    Ranked rows: ``(0, performance, order)`` where ``performance`` is the negated rounded total then
    one ``(present, figure)`` pair per tie-breaker (negated where higher is better); two ranked rows
    share a rank exactly when their ``performance`` parts are equal. Unranked rows:
    ``(1, (), order)``. ``order`` is (natural bib order, id): it only fixes the order within a rank.
    """
    order = (_natural(row.bib), row.id)
    if row.status != RANKED_STATUS:
        return (_UNRANKED, (), order)
    performance = (row.total_rounded.copy_negate(), *(_figure(row, tb) for tb in tie_breakers))
    return (_RANKED, performance, order)


def rank(rows: Iterable[RankInput], tie_breakers: Sequence[TieBreaker]) -> list[tuple[RankInput, int | None]]:
    """Rows in board order with their rank (None for unranked statuses).

    A rank is 1 + the number of ranked competitors strictly ahead (scoring.md, Ranking 4).
    """
    keyed = sorted(((rank_key(row, tie_breakers), row) for row in rows), key=lambda pair: pair[0])
    ranked: list[tuple[RankInput, int | None]] = []
    previous: tuple[Any, ...] | None = None
    current = 0
    for position, ((group, performance, _order), row) in enumerate(keyed, start=1):
        if group == _UNRANKED:
            ranked.append((row, None))
            continue
        if performance != previous:
            current, previous = position, performance
        ranked.append((row, current))
    return ranked


def _figure(row: RankInput, tie_breaker: TieBreaker) -> tuple[int, Decimal | int]:
    """One tie-breaker's sortable figure: higher scores first, less time first, missing last."""
    ((kind, argument),) = tie_breaker.items()
    if kind == TIME_USED:
        seconds = row.time_used_seconds
        return (_MISSING, 0) if seconds is None else (_PRESENT, seconds)
    scores = row.components_rounded if kind == COMPONENT else row.modules_rounded
    score = scores.get(argument)
    return (_MISSING, 0) if score is None else (_PRESENT, score.copy_negate())


def _natural(bib: str) -> tuple[str | int, ...]:
    """Bib sort key with numbers compared as numbers: "A2" before "A10"."""
    parts = re.split(r"(\d+)", bib)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _codes(scheme: MarkingScheme, kind: str) -> set[str]:
    if kind == COMPONENT:
        return {c.code for c in scheme.components}
    return {m.code for _, m in scheme.modules()}


# --- the rank key as text, for storage -----------------------------------------------------------
#
# The database keeps each competitor's key as two strings so that the board is one ORDER BY on an
# index: `perf_key` (equal exactly when two rows share a rank) and `order_key` (the whole board
# order). Both are plain ASCII that sort bytewise exactly as `rank_key` does (store them with the
# "C" collation on PostgreSQL). Figures are rounded decimals with at most 4 places and fewer than
# 13 integer digits; descending figures are stored as their complement to 10**17.

_SCALE = Decimal(10) ** 4
_SPAN = 10**17
_END = "."  # sorts before every digit and hex letter: ends a variable-length part


def _fixed(number: int) -> str:
    if not 0 <= number < _SPAN:
        raise ValueError("figure out of the storable range")
    return f"{number:017d}"


def _descending(value: Decimal) -> str:
    return _fixed(_SPAN - 1 - int((value * _SCALE).to_integral_exact()))


def _encode_figure(kind: str, figure: tuple[int, Decimal | int]) -> str:
    present, value = figure
    if present == _MISSING:
        return "1" + "0" * 17
    if kind == TIME_USED:
        return "0" + _fixed(int(value))
    return "0" + _descending(-Decimal(value))  # rank_key negates scores; undo, then complement


def _encode_bib(bib: str) -> str:
    parts = []
    for part in _natural(bib):
        if isinstance(part, int):
            digits = str(part)
            parts.append(f"1{len(digits):02d}{digits}")
        else:  # text parts, empty ones included: they take part in the tuple comparison
            parts.append("0" + part.encode().hex() + _END)
    return "".join(parts) + _END


def storage_keys(row: RankInput, tie_breakers: Sequence[TieBreaker]) -> tuple[str, str]:
    """(perf_key, order_key) as text that sorts exactly like ``rank_key(row, tie_breakers)``."""
    order = _encode_bib(row.bib) + _fixed(row.id)
    if row.status != RANKED_STATUS:
        return "1", "1" + order
    kinds = [next(iter(tb)) for tb in tie_breakers]
    _group, performance, _order = rank_key(row, tie_breakers)
    total, *figures = performance
    perf = "0" + _descending(-total) + "".join(_encode_figure(k, f) for k, f in zip(kinds, figures))
    return perf, perf + _END + order
