"""From judges' values to aspect marks, module, component and total scores (scoring.md).

Everything is exact (``Fraction``); rounding to the contest precision happens only when a figure
is published (``CompetitorScores.rounded``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .numbers import DecimalFormatError, parse_decimal, round_half_up
from .scheme import (
    DEFAULT_JUDGEMENT_MAX_SPREAD,
    JUDGEMENT,
    MARK_PLACES,
    MEAN,
    MEDIAN,
    PANEL,
    TRIMMED,
    AspectDef,
    MarkingScheme,
)

__all__ = [
    "COMPLETE",
    "INCOMPLETE",
    "JUDGEMENT_MAX",
    "JUDGEMENT_MIN",
    "NEEDS_RECONCILIATION",
    "AspectResult",
    "CompetitorScores",
    "MarkValueError",
    "RoundedScores",
    "aspect_result",
    "competitor_scores",
    "mean",
    "median",
    "trimmed_mean",
    "validate_value",
]

COMPLETE, INCOMPLETE, NEEDS_RECONCILIATION = "complete", "incomplete", "needs_reconciliation"
JUDGEMENT_MIN, JUDGEMENT_MAX = 0, 3
_ZERO = Fraction(0)


class MarkValueError(ValueError):
    """A judge's value that the aspect does not accept (422); the message says why."""


@dataclass(frozen=True)
class AspectResult:
    """An aspect's state and exact mark; the mark is 0 unless the state is complete."""

    state: str
    mark: Fraction

    @property
    def complete(self) -> bool:
        return self.state == COMPLETE


@dataclass(frozen=True)
class RoundedScores:
    """Published figures: every score rounded half-up to the contest precision."""

    total: Decimal
    components: dict[str, Decimal]
    modules: dict[str, Decimal]


@dataclass(frozen=True)
class CompetitorScores:
    """Exact scores of one competitor. Module and component scores are their own unweighted sums."""

    modules: dict[str, Fraction]
    components: dict[str, Fraction]
    total: Fraction
    complete: bool
    aspects_complete: int

    def rounded(self, places: int) -> RoundedScores:
        """Round every figure half-up to ``places`` (the contest's precision, default 2)."""
        return RoundedScores(
            total=round_half_up(self.total, places),
            components={code: round_half_up(v, places) for code, v in self.components.items()},
            modules={code: round_half_up(v, places) for code, v in self.modules.items()},
        )


def validate_value(aspect: AspectDef, value: object) -> Decimal:
    """Check one judge's raw input (string or JSON number) for ``aspect`` and return it exactly.

    scoring.md, Aspect types: a judgement value is an integer 0, 1, 2 or 3 (``2.0`` is accepted as
    2); a measurement or panel value is a decimal in [0, max_mark] with at most 2 decimals,
    returned with exactly 2 decimals ("7.50").
    """
    is_judgement = aspect.type == JUDGEMENT
    try:
        number = parse_decimal(value, max_places=0 if is_judgement else MARK_PLACES)
    except DecimalFormatError as exc:
        if is_judgement:
            raise MarkValueError(f"a judgement value must be a whole number 0, 1, 2 or 3 ({exc})") from exc
        raise MarkValueError(str(exc)) from exc
    if is_judgement:
        if not JUDGEMENT_MIN <= number <= JUDGEMENT_MAX:
            raise MarkValueError("a judgement value must be 0, 1, 2 or 3")
        return Decimal(int(number))
    if not 0 <= number <= aspect.max_mark:
        raise MarkValueError(f"must be between 0 and {aspect.max_mark:f}")
    return round_half_up(number, MARK_PLACES)


def aspect_result(aspect: AspectDef, values: Sequence[Decimal]) -> AspectResult:
    """The aspect mark from the values entered so far (scoring.md, Aspect types).

    Fewer than ``panel_size`` values: incomplete. Judgement: max_mark × mean / 3, but a spread
    (max − min) above max_spread (default 1) needs reconciliation. Panel: mean, median or trimmed
    mean, with the same spread rule when max_spread is set. Measurement: the one shared value.
    Incomplete and needs_reconciliation marks are 0. More values than ``panel_size`` should not
    happen; if they do, all of them are used.
    """
    if len(values) < aspect.panel_size:
        return AspectResult(INCOMPLETE, _ZERO)
    exact = [Fraction(v) for v in values]
    max_spread = aspect.max_spread
    if aspect.type == JUDGEMENT and max_spread is None:
        max_spread = DEFAULT_JUDGEMENT_MAX_SPREAD
    if max_spread is not None and max(exact) - min(exact) > Fraction(max_spread):
        return AspectResult(NEEDS_RECONCILIATION, _ZERO)
    if aspect.type == JUDGEMENT:
        mark = Fraction(aspect.max_mark) * mean(exact) / JUDGEMENT_MAX
    elif aspect.type == PANEL:
        mark = _aggregate(aspect, exact)
    else:
        mark = mean(exact)
    return AspectResult(COMPLETE, mark)


def competitor_scores(scheme: MarkingScheme, aspect_marks: Mapping[str, AspectResult]) -> CompetitorScores:
    """scoring.md, From aspects to total: module = Σ aspect marks, component = Σ module scores,
    total = Σ component_score / component_max × weight. An aspect missing from ``aspect_marks``
    is incomplete. Unknown aspect codes are a programming error (``KeyError``).
    """
    for code in aspect_marks:
        scheme.aspect(code)
    modules: dict[str, Fraction] = {}
    components: dict[str, Fraction] = {}
    total = _ZERO
    aspects_complete = 0
    for component in scheme.components:
        for module in component.modules:
            results = [aspect_marks.get(a.code) for a in module.aspects]
            done = [r for r in results if r is not None and r.complete]
            aspects_complete += len(done)
            modules[module.code] = sum((r.mark for r in done), _ZERO)
        components[component.code] = sum((modules[m.code] for m in component.modules), _ZERO)
        total += components[component.code] / Fraction(component.max_mark) * Fraction(component.weight)
    return CompetitorScores(
        modules=modules,
        components=components,
        total=total,
        complete=aspects_complete == scheme.aspect_count,
        aspects_complete=aspects_complete,
    )


def mean(values: Sequence[Fraction]) -> Fraction:
    """Arithmetic mean, exact."""
    if len(values) == 1:  # a measurement's one value: no arithmetic (every mark recomputes them all)
        value = values[0]
        return value if type(value) is Fraction else Fraction(value)
    return sum(values, _ZERO) / len(values)


def median(values: Sequence[Fraction]) -> Fraction:
    """Middle value; an even count takes the mean of the two middle values."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def trimmed_mean(values: Sequence[Fraction], trim: int) -> Fraction:
    """Drop the ``trim`` highest and ``trim`` lowest values, mean of the rest (needs len > 2 × trim)."""
    if len(values) <= 2 * trim:
        raise ValueError(f"cannot trim {trim} from each end of {len(values)} values")
    ordered = sorted(values)
    return mean(ordered[trim : len(ordered) - trim])


def _aggregate(aspect: AspectDef, values: Sequence[Fraction]) -> Fraction:
    if aspect.aggregate == MEAN:
        return mean(values)
    if aspect.aggregate == MEDIAN:
        return median(values)
    if aspect.aggregate == TRIMMED:
        return trimmed_mean(values, aspect.trim)
    raise ValueError(f"unknown aggregate {aspect.aggregate!r}")
