"""National skill levels (promotion.md, "National levels").

Level 5 五级/初级工 is the lowest and level 1 一级/高级技师 the highest: a *smaller* number is a
*higher* level. "No level" (学徒工, or a person with no grade yet) counts as below level 5 and is
written as ``NO_LEVEL`` (6) wherever levels are compared or stepped.
"""

from __future__ import annotations

__all__ = [
    "HIGHEST_LEVEL",
    "LEVEL_NAMES",
    "LOWEST_LEVEL",
    "NATIONAL_LEVELS",
    "NO_LEVEL",
    "effective_level",
    "is_national_level",
    "level_label",
]

HIGHEST_LEVEL = 1
LOWEST_LEVEL = 5
NO_LEVEL = 6

# Lowest first, the order of a grade scheme.
NATIONAL_LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)

LEVEL_NAMES: dict[int, str] = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}


def is_national_level(value: object) -> bool:
    """True for an ``int`` 1..5 (a ``bool`` is not a level)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in LEVEL_NAMES


def level_label(level: int) -> str:
    """The label printed on certificates, e.g. ``level_label(2) == "二级/技师"``."""
    if not is_national_level(level):
        raise ValueError(f"not a national level: {level!r}")
    return LEVEL_NAMES[level]


def effective_level(level: int | None) -> int:
    """The level used for comparisons: the level itself, or ``NO_LEVEL`` (6) when there is none."""
    return NO_LEVEL if level is None else level
