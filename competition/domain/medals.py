"""The medal table of an event (events.md, Medal table).

Each enterprise's count per award code over the event's public final contests. A team's award counts
once for each distinct enterprise among its members. Rows are ordered by the vector of counts in
award-code order (more of the first code first, then the second, ...); equal vectors share a rank
(1, 2, 2, 4) and are listed by enterprise name. Enterprises without an award are not listed.
Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["MedalRow", "Won", "award_code_order", "medal_table"]


@dataclass(frozen=True)
class Won:
    """One award won by one competitor: its code and the enterprises of the competitor's members."""

    code: str
    enterprise_ids: Collection[int]


@dataclass(frozen=True)
class MedalRow:
    rank: int
    enterprise_id: int
    name: str
    counts: dict[str, int]
    total_awards: int


def award_code_order(schemes: Iterable[Sequence[str]]) -> list[str]:
    """Award codes in the order first seen, walking the contests in order and each scheme in its own."""
    order: list[str] = []
    for codes in schemes:
        for code in codes:
            if code not in order:
                order.append(code)
    return order


def medal_table(codes: Sequence[str], won: Iterable[Won], names: Mapping[int, str]) -> list[MedalRow]:
    """The table's rows, best first. ``names`` maps every enterprise id in ``won`` to its name."""
    counts: dict[int, dict[str, int]] = {}
    for award in won:
        for enterprise_id in set(award.enterprise_ids):
            row = counts.setdefault(enterprise_id, dict.fromkeys(codes, 0))
            row[award.code] = row.get(award.code, 0) + 1

    def vector(enterprise_id: int) -> tuple[int, ...]:
        return tuple(counts[enterprise_id].get(code, 0) for code in codes)

    ordered = sorted(counts, key=lambda e: (tuple(-n for n in vector(e)), names[e], e))
    rows: list[MedalRow] = []
    previous: tuple[int, ...] | None = None
    rank = 0
    for position, enterprise_id in enumerate(ordered, start=1):
        if vector(enterprise_id) != previous:
            rank, previous = position, vector(enterprise_id)
        row_counts = {code: counts[enterprise_id].get(code, 0) for code in codes}
        rows.append(MedalRow(rank=rank, enterprise_id=enterprise_id, name=names[enterprise_id],
                             counts=row_counts, total_awards=sum(row_counts.values())))
    return rows
