"""Skill-talent structure (技能人才结构; promotion.md, "Skill-talent structure").

Provincial notices set targets in two ratios: skilled workers as a share of the employed, and
高技能人才 (高级工 and above, national levels 3, 2 and 1) as a share of skilled workers. An
enterprise's figures are taken over its ``employee`` people (students are excluded), each person
counted once at the *highest* national level held in any occupation. "No level" (学徒工, or no
grade at all) is counted in ``none``.

``pending`` is the same figures as they would be if every proposed promotion were confirmed: the
proposal's occupation then holds the proposal's target level, so a person with several proposals
counts at the highest level they would then hold.

Ratios are exact: numerator / denominator rounded half-up to a decimal string with 4 places
("0.3077"), or ``None`` when the denominator is 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from competition.domain.grades import GradeScheme
from competition.domain.levels import NATIONAL_LEVELS, is_national_level
from competition.domain.numbers import round_half_up

__all__ = [
    "EMPLOYEE",
    "HIGH_SKILL_LEVELS",
    "Certificate",
    "Figures",
    "Holding",
    "Person",
    "Proposal",
    "Structure",
    "by_level_dict",
    "figures",
    "highest_level",
    "level_of",
    "ratio",
    "structure",
    "total",
    "with_proposals",
]

EMPLOYEE = "employee"
HIGH_SKILL_LEVELS: tuple[int, ...] = (3, 2, 1)  # 高级工及以上
RATIO_PLACES = 4


@dataclass(frozen=True)
class Holding:
    """A grade a person holds in one occupation, read as a national level (None: no level)."""

    occupation_code: str
    level: int | None


@dataclass(frozen=True)
class Person:
    person_id: int
    kind: str  # employee | student
    holdings: tuple[Holding, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A proposed promotion: confirming it gives `person_id` `to_level` in `occupation_code`."""

    person_id: int
    occupation_code: str
    to_level: int


@dataclass(frozen=True)
class Certificate:
    """A certificate issued to an employee: its calendar year of issue and its national level."""

    year: int
    level: int


def level_of(scheme: GradeScheme, grade_code: str | None) -> int | None:
    """The national level of `grade_code` in `scheme`; None for no grade, a grade without a level or a
    code the scheme does not have."""
    if grade_code is None:
        return None
    try:
        return scheme.get(grade_code).national_level
    except KeyError:
        return None


def highest_level(levels: Iterable[int | None]) -> int | None:
    """The highest national level among `levels` (the smallest number); None when there is none."""
    held = [level for level in levels if level is not None]
    return min(held) if held else None


def ratio(numerator: int, denominator: int) -> str | None:
    """numerator / denominator rounded half-up to 4 places, as a string; None when denominator is 0."""
    if denominator == 0:
        return None
    return str(round_half_up(Fraction(numerator, denominator), RATIO_PLACES))


def by_level_dict(counts: Mapping[Any, int]) -> dict[str, int]:
    """`{"5": n, "4": n, "3": n, "2": n, "1": n}`, lowest level first, every level present."""
    return {str(level): counts.get(level, 0) for level in NATIONAL_LEVELS}


def _check_level(level: int) -> int:
    if not is_national_level(level):
        raise ValueError(f"not a national level: {level!r}")
    return level


@dataclass(frozen=True)
class Figures:
    """People counted, by highest level, and per occupation (people at each level in that occupation)."""

    by_level: Counter[int] = field(default_factory=Counter)  # level -> people
    none: int = 0
    by_occupation: Mapping[str, Counter[int | None]] = field(default_factory=dict)  # code -> {level or None: people}

    @property
    def skilled(self) -> int:
        return sum(self.by_level[level] for level in NATIONAL_LEVELS)

    @property
    def people(self) -> int:
        return self.skilled + self.none

    @property
    def high_skill(self) -> int:
        return sum(self.by_level[level] for level in HIGH_SKILL_LEVELS)

    @property
    def high_skill_ratio(self) -> str | None:
        return ratio(self.high_skill, self.skilled)

    @property
    def skilled_ratio(self) -> str | None:
        return ratio(self.skilled, self.people)

    def __add__(self, other: Figures) -> Figures:
        codes = sorted(set(self.by_occupation) | set(other.by_occupation))
        return Figures(self.by_level + other.by_level, self.none + other.none,
                       {code: self.by_occupation.get(code, Counter()) + other.by_occupation.get(code, Counter())
                        for code in codes})

    def to_dict(self) -> dict[str, Any]:
        return {
            "people": self.people, "skilled": self.skilled, "none": self.none,
            "by_level": by_level_dict(self.by_level), "high_skill": self.high_skill,
            "high_skill_ratio": self.high_skill_ratio, "skilled_ratio": self.skilled_ratio,
            "by_occupation": [_occupation_dict(code, counts) for code, counts in sorted(self.by_occupation.items())],
        }


def _occupation_dict(code: str, counts: Counter[int | None]) -> dict[str, Any]:
    skilled = sum(counts[level] for level in NATIONAL_LEVELS)
    high_skill = sum(counts[level] for level in HIGH_SKILL_LEVELS)
    return {"occupation_code": code, "by_level": by_level_dict(counts), "none": counts.get(None, 0),
            "skilled": skilled, "high_skill": high_skill, "high_skill_ratio": ratio(high_skill, skilled)}


def figures(people: Iterable[Person]) -> Figures:
    """The figures over the employees among `people` (students excluded), each counted once."""
    by_level: Counter[int] = Counter()
    none = 0
    by_occupation: dict[str, Counter[int | None]] = {}
    for person in people:
        if person.kind != EMPLOYEE:
            continue
        level = highest_level(holding.level for holding in person.holdings)
        if level is None:
            none += 1
        else:
            by_level[_check_level(level)] += 1
        for code, held in _per_occupation(person.holdings).items():
            by_occupation.setdefault(code, Counter())[held] += 1
    return Figures(by_level, none, dict(sorted(by_occupation.items())))


def _per_occupation(holdings: Iterable[Holding]) -> dict[str, int | None]:
    """The level held in each occupation (one grade per occupation; the highest if given twice)."""
    held: dict[str, int | None] = {}
    for holding in holdings:
        if holding.occupation_code in held:
            held[holding.occupation_code] = highest_level((held[holding.occupation_code], holding.level))
        else:
            held[holding.occupation_code] = holding.level
    return held


def with_proposals(people: Iterable[Person], proposals: Iterable[Proposal]) -> list[Person]:
    """`people` as they would be with every one of `proposals` confirmed: each proposal's occupation holds
    the proposal's level (or the level already held there, when that is higher). Proposals of people not
    in `people` change nothing."""
    targets: dict[int, dict[str, int]] = {}
    for proposal in proposals:
        wanted = targets.setdefault(proposal.person_id, {})
        level = _check_level(proposal.to_level)
        wanted[proposal.occupation_code] = min(level, wanted.get(proposal.occupation_code, level))
    result = []
    for person in people:
        targeted = targets.get(person.person_id)
        if not targeted:
            result.append(person)
            continue
        held = _per_occupation(person.holdings)
        for code, level in targeted.items():
            held[code] = highest_level((held.get(code), level))
        result.append(Person(person.person_id, person.kind,
                             tuple(Holding(code, level) for code, level in sorted(held.items()))))
    return result


@dataclass(frozen=True)
class Structure:
    """An enterprise's figures now, if every proposal were confirmed, and its certificates per year."""

    current: Figures
    pending: Figures
    by_year: Counter[tuple[int, int]]  # (year, level) -> certificates

    def __add__(self, other: Structure) -> Structure:
        return Structure(self.current + other.current, self.pending + other.pending, self.by_year + other.by_year)

    def to_dict(self) -> dict[str, Any]:
        years = sorted({year for year, _ in self.by_year})
        return {**self.current.to_dict(), "pending": self.pending.to_dict(),
                "by_year": [{"year": year, "by_level": by_level_dict(
                    {level: self.by_year[(year, level)] for level in NATIONAL_LEVELS})} for year in years]}


def structure(people: Sequence[Person], proposals: Iterable[Proposal] = (),
              certificates: Iterable[Certificate] = ()) -> Structure:
    """The skill-talent structure of one enterprise."""
    by_year: Counter[tuple[int, int]] = Counter()
    for certificate in certificates:
        by_year[(certificate.year, _check_level(certificate.level))] += 1
    return Structure(figures(people), figures(with_proposals(people, proposals)), by_year)


def total(structures: Iterable[Structure]) -> Structure:
    """The figures of several enterprises summed (ratios recomputed from the sums)."""
    result = Structure(Figures(), Figures(), Counter())
    for item in structures:
        result = result + item
    return result
