"""The computation of promotion outcomes (promotion.md, steps 1-6).

``compute_outcomes`` turns a final ranking into exactly one ``Outcome`` per entrant, following the
steps of the spec in order, under a ``Policy`` (competition.domain.promotion_policy, whose names this
module also offers). Everything here is pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from competition.domain.grades import Grade, GradeScheme
from competition.domain.levels import HIGHEST_LEVEL, effective_level
from competition.domain.promotion_policy import (
    ACTIVE,
    KINDS,
    NOT_ELIGIBLE,
    PROPOSED,
    REASONS,
    Action,
    Band,
    Policy,
    PolicyError,
    RaiseGrades,
    RaiseLevels,
    ToLevel,
    policy_to_dict,
    validate_policy,
)

__all__ = [
    "ACTIVE",
    "KINDS",
    "NOT_ELIGIBLE",
    "PROPOSED",
    "REASONS",
    "Action",
    "Band",
    "Entrant",
    "Outcome",
    "Policy",
    "PolicyError",
    "RaiseGrades",
    "RaiseLevels",
    "ToLevel",
    "compute_outcome",
    "compute_outcomes",
    "count_ranked",
    "policy_to_dict",
    "validate_policy",
]


# --------------------------------------------------------------------------------------------------
# Computation


@dataclass(frozen=True)
class Entrant:
    """One person to decide on. In a team event the caller passes one ``Entrant`` per member, each
    with the team's ``competitor_id``, ``rank`` and ``total`` but their own kind, grade and history.

    ``total`` is the rounded total (scoring.md), ``None`` when unranked. ``current_grade_code`` is
    the person's grade in the contest's occupation, a code of ``scheme`` (``None``: no grade).
    ``scheme`` is the person's employer's current grade scheme. ``promoted_this_year``: a competition
    promotion of this person was *confirmed* in the calendar year of the contest's ``ends_at``.
    """

    competitor_id: int
    person_id: int
    kind: str
    status: str
    rank: int | None
    total: Decimal | None
    current_grade_code: str | None
    promoted_this_year: bool
    scheme: GradeScheme


@dataclass(frozen=True)
class Outcome:
    """Step 6. Grades are codes of the entrant's scheme; a level is ``None`` where there is none.
    ``band`` is the matched band's name once step 2 found one, ``to_*`` are set only when proposed."""

    competitor_id: int
    person_id: int
    status: Literal["proposed", "not_eligible"]
    reason: str | None
    band: str | None
    rank: int | None
    from_grade: str | None
    to_grade: str | None
    from_level: int | None
    to_level: int | None


def count_ranked(entrants: Iterable[Entrant]) -> int:
    """N for ``top_percent``: the number of ranked competitors (teams count once, not per member).
    Only right when ``entrants`` holds every ranked competitor of the contest."""
    return len({e.competitor_id for e in entrants if e.status == ACTIVE and e.rank is not None})


def compute_outcomes(entrants: Sequence[Entrant], policy: Policy, *,
                     offered_levels: Collection[int], ranked_count: int) -> list[Outcome]:
    """Exactly one outcome per entrant, in the same order (promotion.md steps 1-6).

    ``offered_levels``: the national levels the contest's occupation offers; ``ranked_count``: N,
    the number of ranked competitors (teams) of the whole contest, see ``count_ranked``.
    """
    return [compute_outcome(entrant, policy, offered_levels=offered_levels, ranked_count=ranked_count)
            for entrant in entrants]


def compute_outcome(entrant: Entrant, policy: Policy, *,
                    offered_levels: Collection[int], ranked_count: int) -> Outcome:
    """The outcome of one entrant; see ``compute_outcomes``. ``KeyError`` when the entrant's
    ``current_grade_code`` is not a grade of their scheme (a held grade is never removed)."""
    scheme = entrant.scheme
    current = scheme.get(entrant.current_grade_code) if entrant.current_grade_code is not None else None

    def not_eligible(reason: str, band: Band | None = None) -> Outcome:
        return _outcome(entrant, current, NOT_ELIGIBLE, reason, band, None)

    reason = _ineligibility(entrant, policy)  # step 1
    if reason is not None:
        return not_eligible(reason)
    assert entrant.rank is not None
    band = next((b for b in policy.bands_for(entrant.kind)
                 if b.contains(entrant.rank, ranked_count)), None)  # step 2
    if band is None:
        return not_eligible("no_band")
    target = _target_grade(band, scheme, current)  # steps 3-5
    if isinstance(target, str):
        return not_eligible(target, band)
    if target.national_level not in offered_levels:
        return not_eligible("level_not_offered", band)
    return _outcome(entrant, current, PROPOSED, None, band, target)


def _outcome(entrant: Entrant, current: Grade | None, status: Literal["proposed", "not_eligible"],
             reason: str | None, band: Band | None, target: Grade | None) -> Outcome:
    return Outcome(
        competitor_id=entrant.competitor_id,
        person_id=entrant.person_id,
        status=status,
        reason=reason,
        band=band.name if band else None,
        rank=entrant.rank,
        from_grade=current.code if current else None,
        to_grade=target.code if target else None,
        from_level=current.national_level if current else None,
        to_level=target.national_level if target else None,
    )


def _ineligibility(entrant: Entrant, policy: Policy) -> str | None:
    """Step 1, in the spec's order."""
    if entrant.status != ACTIVE or entrant.rank is None:
        return "not_ranked"
    if entrant.kind not in policy.eligible_kinds:
        return "kind_not_eligible"
    if policy.min_total is not None and (entrant.total is None or entrant.total < policy.min_total):
        return "below_min_total"
    if policy.once_per_year and entrant.promoted_this_year:
        return "already_promoted_this_year"
    return None


def _target_grade(band: Band, scheme: GradeScheme, current: Grade | None) -> Grade | str:
    """Steps 3-5 up to the occupation check: the target grade, or the reason code
    ``already_at_level`` / ``capped``."""
    if isinstance(band.action, RaiseGrades):
        target = _raise_grades(scheme, current, band.action.grades, band.cap_level)
        return target if _position(scheme, target) > _position(scheme, current) else "capped"
    current_level = effective_level(current.national_level if current else None)
    level = _target_level(band.action, current_level)
    if level is None:
        return "already_at_level"
    if band.cap_level is not None:  # step 4: lowered to cap_level, then to level 1
        level = max(level, band.cap_level)
    level = max(level, HIGHEST_LEVEL)
    return scheme.entry_grade(level) if level < current_level else "capped"


def _target_level(action: ToLevel | RaiseLevels, current: int) -> int | None:
    """Step 3 for level actions; ``current`` is 1..5 or NO_LEVEL. ``None`` means ``already_at_level``."""
    if isinstance(action, RaiseLevels):
        return current - action.levels
    if current > action.level:
        return action.level
    return current - 1 if action.if_held == "next_level" else None


def _position(scheme: GradeScheme, grade: Grade | None) -> int:
    """Index of ``grade`` in ``scheme``; -1 for no grade (below every grade)."""
    return -1 if grade is None else scheme.index(grade.code)


def _raise_grades(scheme: GradeScheme, current: Grade | None, steps: int, cap_level: int | None) -> Grade:
    """Steps 3-4 for ``raise_grades``: from no grade (or a grade without a level) the first step
    reaches the lowest grade that has a national level; each further step goes to the next grade up
    that is not ``appointed_only``, stopping at the highest such grade; a grade above ``cap_level``
    is replaced by the highest grade of level ``cap_level``."""
    grades = scheme.grades
    climbable = [i for i, grade in enumerate(grades) if not grade.appointed_only]
    if current is None or current.national_level is None:
        position = next(i for i, grade in enumerate(grades) if grade.national_level is not None)
        steps -= 1
    else:
        position = scheme.index(current.code)
    for _ in range(steps):
        above = [i for i in climbable if i > position]
        if not above:
            break
        position = above[0]
    if cap_level is not None and effective_level(grades[position].national_level) < cap_level:
        position = max(i for i in climbable if grades[i].national_level == cap_level)
    return grades[position]

