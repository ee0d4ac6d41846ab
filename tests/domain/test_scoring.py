"""competition.domain.scoring: values, aspect marks and totals (scoring.md)."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, strategies as st

from competition.domain.numbers import format_decimal
from competition.domain.scheme import AspectDef, MarkingScheme, build_scheme
from competition.domain.scoring import (
    COMPLETE,
    INCOMPLETE,
    NEEDS_RECONCILIATION,
    AspectResult,
    MarkValueError,
    aspect_result,
    competitor_scores,
    mean,
    median,
    trimmed_mean,
    validate_value,
)

D = Decimal


def make_aspect(type_: str, max_mark: str = "10", **settings: Any) -> AspectDef:
    """An aspect built through build_scheme, so the production defaults apply."""
    raw = {"code": "A", "name": "aspect", "type": type_, "max_mark": max_mark, **settings}
    modules = [{"code": "M", "name": "module", "aspects": [raw]}]
    return build_scheme({"components": [{"code": "C", "name": "c", "weight": 100, "modules": modules}]}).aspect("A")


def decimals(*values: str | int) -> list[Decimal]:
    return [D(str(v)) for v in values]


# --- the worked examples of scoring.md, verbatim ---------------------------------------------


def test_worked_example_1_judgement_within_spread() -> None:
    """judgement aspect, max_mark 2.00, values (2, 3, 2): spread 1 ≤ 1, mark = 2.00 × 7/3 / 3 = 14/9 =
    1.5555…; shown as 1.56."""
    result = aspect_result(make_aspect("judgement", "2.00"), decimals(2, 3, 2))
    assert result == AspectResult(COMPLETE, Fraction(14, 9))
    assert format_decimal(result.mark, 2) == "1.56"


def test_worked_example_2_judgement_spread_needs_reconciliation() -> None:
    """judgement aspect, max_mark 2.00, values (1, 3, 2): spread 2 > 1: needs_reconciliation, mark 0."""
    result = aspect_result(make_aspect("judgement", "2.00"), decimals(1, 3, 2))
    assert result == AspectResult(NEEDS_RECONCILIATION, Fraction(0))


def test_worked_example_3_panel_trimmed() -> None:
    """panel aspect, trimmed (trim 2), seven values 7.5, 7.0, 7.5, 7.0, 7.5, 8.0, 6.5: drop 8.0, 7.5, 6.5,
    7.0; mean of 7.5, 7.0, 7.5 = 22/3 = 7.3333…; shown as 7.33."""
    aspect = make_aspect("panel", "10", aggregate="trimmed", trim=2, panel_size=7)
    result = aspect_result(aspect, decimals("7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5"))
    assert result == AspectResult(COMPLETE, Fraction(22, 3))
    assert format_decimal(result.mark, 2) == "7.33"


def test_worked_example_4_weighted_total() -> None:
    """two components, theory weight 30 (max 100, score 81.5) and practical weight 70 (max 50, score 41.25):
    total = 81.5/100×30 + 41.25/50×70 = 24.45 + 57.75 = 82.20."""
    scheme = build_scheme(
        {
            "components": [
                {"code": "theory", "name": "理论知识", "weight": 30, "modules": [
                    {"code": "T", "name": "笔试", "aspects": [
                        {"code": "T1", "name": "试卷", "type": "measurement", "max_mark": 100},
                    ]},
                ]},
                {"code": "practical", "name": "操作技能", "weight": 70, "modules": [
                    {"code": "MA", "name": "模块A 安装", "aspects": [
                        {"code": "A1", "name": "尺寸", "type": "measurement", "max_mark": 30},
                        {"code": "A2", "name": "工艺", "type": "panel", "max_mark": 20},
                    ]},
                ]},
            ]
        }
    )
    marks = {
        "T1": aspect_result(scheme.aspect("T1"), decimals("81.50")),
        "A1": aspect_result(scheme.aspect("A1"), decimals("25.25")),
        "A2": aspect_result(scheme.aspect("A2"), decimals(15, 16, 16, 16, 17)),  # trimmed mean 16
    }
    scores = competitor_scores(scheme, marks)
    assert scores.components == {"theory": Fraction("81.5"), "practical": Fraction("41.25")}
    assert scores.total == Fraction("24.45") + Fraction("57.75") == Fraction("82.20")
    assert format_decimal(scores.total, 2) == "82.20"
    assert scores.complete and scores.aspects_complete == 3


# --- aspect marks ----------------------------------------------------------------------------


def test_judgement_mark_is_max_mark_times_mean_over_three() -> None:
    aspect = make_aspect("judgement", "3.00")
    assert aspect_result(aspect, decimals(3, 3, 3)).mark == 3
    assert aspect_result(aspect, decimals(0, 0, 0)) == AspectResult(COMPLETE, Fraction(0))
    assert aspect_result(aspect, decimals(1, 2, 2)).mark == Fraction(5, 3)


def test_judgement_incomplete_until_every_judge_has_marked() -> None:
    aspect = make_aspect("judgement", "2.00")
    assert aspect_result(aspect, []) == AspectResult(INCOMPLETE, Fraction(0))
    assert aspect_result(aspect, decimals(3, 3)) == AspectResult(INCOMPLETE, Fraction(0))


def test_judgement_custom_panel_and_spread() -> None:
    aspect = make_aspect("judgement", "2.00", panel_size=4, max_spread=2)
    assert aspect_result(aspect, decimals(1, 3, 2)).state == INCOMPLETE
    assert aspect_result(aspect, decimals(1, 3, 2, 2)) == AspectResult(COMPLETE, Fraction(2) * 2 / 3)
    assert aspect_result(aspect, decimals(0, 3, 2, 2)).state == NEEDS_RECONCILIATION
    strict = make_aspect("judgement", "2.00", max_spread=0)
    assert aspect_result(strict, decimals(2, 2, 3)).state == NEEDS_RECONCILIATION


def test_judgement_without_max_spread_uses_default_one() -> None:
    aspect = AspectDef("A", "a", "judgement", D(3), 3, None, 0, None)
    assert aspect_result(aspect, decimals(1, 3, 2)).state == NEEDS_RECONCILIATION
    assert aspect_result(aspect, decimals(2, 3, 2)).state == COMPLETE


def test_panel_aggregates() -> None:
    values = decimals("6.5", "9", "7", "7.5", "8")
    assert aspect_result(make_aspect("panel", aggregate="mean"), values).mark == Fraction("38") / 5
    assert aspect_result(make_aspect("panel", aggregate="median"), values).mark == Fraction("7.5")
    assert aspect_result(make_aspect("panel"), values).mark == Fraction("22.5") / 3  # trimmed, trim 1
    even = make_aspect("panel", aggregate="median", panel_size=4)
    assert aspect_result(even, decimals(1, 2, 4, 9)).mark == 3


def test_panel_incomplete_until_panel_size_values() -> None:
    assert aspect_result(make_aspect("panel"), decimals(1, 2, 3, 4)) == AspectResult(INCOMPLETE, Fraction(0))


def test_panel_spread_rule_only_when_max_spread_set() -> None:
    values = decimals(1, 5, 5, 5, 9)
    assert aspect_result(make_aspect("panel"), values) == AspectResult(COMPLETE, Fraction(5))
    limited = make_aspect("panel", max_spread="8.00")
    assert aspect_result(limited, values).state == COMPLETE
    assert aspect_result(limited, decimals("0.99", 5, 5, 5, 9)) == AspectResult(NEEDS_RECONCILIATION, Fraction(0))


def test_measurement_is_the_shared_value() -> None:
    aspect = make_aspect("measurement", "5")
    assert aspect_result(aspect, []) == AspectResult(INCOMPLETE, Fraction(0))
    assert aspect_result(aspect, decimals("4.75")) == AspectResult(COMPLETE, Fraction("4.75"))


def test_more_values_than_panel_size_are_all_used() -> None:
    assert aspect_result(make_aspect("panel", aggregate="mean"), decimals(1, 2, 3, 4, 5, 9)).mark == 4
    assert aspect_result(make_aspect("judgement", "3"), decimals(2, 2, 2, 3)) == AspectResult(
        COMPLETE, Fraction(9, 4)
    )


def test_aggregate_helpers() -> None:
    assert mean([Fraction(1), Fraction(2)]) == Fraction(3, 2)
    # One value (every measurement aspect) takes a shortcut; it must stay exact and a Fraction.
    assert mean([Fraction(15, 2)]) == Fraction(15, 2)
    assert type(mean([Decimal("7.25")])) is Fraction and mean([Decimal("7.25")]) == Fraction(29, 4)
    assert type(mean([3])) is Fraction and type(mean([1, 2])) is Fraction
    assert median([Fraction(3), Fraction(1), Fraction(2)]) == 2
    assert trimmed_mean([Fraction(v) for v in (10, 1, 2, 3, 0)], 1) == 2
    with pytest.raises(ValueError):
        trimmed_mean([Fraction(1), Fraction(2)], 1)


value_lists = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False), min_size=1, max_size=15
)


@given(value_lists, st.integers(min_value=0, max_value=7))
def test_trimmed_mean_lies_within_the_kept_values(values: list[Decimal], trim: int) -> None:
    exact = [Fraction(v) for v in values]
    if len(exact) <= 2 * trim:
        with pytest.raises(ValueError):
            trimmed_mean(exact, trim)
        return
    kept = sorted(exact)[trim : len(exact) - trim]
    result = trimmed_mean(exact, trim)
    assert min(kept) <= result <= max(kept)
    assert min(exact) <= result <= max(exact)


@given(value_lists.filter(lambda v: len(v) >= 3), st.sampled_from(["mean", "median", "trimmed"]))
def test_panel_marks_lie_within_the_values(values: list[Decimal], aggregate: str) -> None:
    aspect = make_aspect("panel", "100", aggregate=aggregate, panel_size=len(values))
    result = aspect_result(aspect, values)
    assert result.state == COMPLETE
    assert min(values) <= result.mark <= max(values)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=3, max_size=3))
def test_judgement_marks_lie_within_zero_and_max_mark(values: list[int]) -> None:
    result = aspect_result(make_aspect("judgement", "2.50"), [D(v) for v in values])
    assert 0 <= result.mark <= D("2.50")
    assert (result.state == COMPLETE) == (max(values) - min(values) <= 1)


# --- validate_value ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(0, 0), (3, 3), ("2", 2), (2.0, 2), ("1.00", 1), (D(1), 1)])
def test_judgement_values_are_whole_numbers_zero_to_three(raw: object, expected: int) -> None:
    value = validate_value(make_aspect("judgement", "2.00"), raw)
    assert value == expected and str(value) == str(expected)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(4, "0, 1, 2 or 3"), (-1, "0, 1, 2 or 3"), ("2.5", "whole number"), (1.5, "whole number"),
     ("abc", "whole number"), (True, "whole number"), (None, "whole number"), ("NaN", "whole number")],
)
def test_judgement_values_refused(raw: object, message: str) -> None:
    with pytest.raises(MarkValueError, match=message):
        validate_value(make_aspect("judgement", "2.00"), raw)


@pytest.mark.parametrize("type_", ["measurement", "panel"])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0, "0.00"), ("7.5", "7.50"), (7.1, "7.10"), ("10", "10.00"), ("9.99", "9.99"), (D("0.5"), "0.50")],
)
def test_decimal_values_accepted(type_: str, raw: object, expected: str) -> None:
    assert str(validate_value(make_aspect(type_, "10"), raw)) == expected


@pytest.mark.parametrize("type_", ["measurement", "panel"])
@pytest.mark.parametrize(
    ("raw", "message"),
    [("10.01", "between 0 and 10"), ("-0.01", "between 0 and 10"), ("7.125", "too many decimal places"),
     ("seven", "not a decimal number"), ("Infinity", "finite"), (False, "boolean"), ([], "not list")],
)
def test_decimal_values_refused(type_: str, raw: object, message: str) -> None:
    with pytest.raises(MarkValueError, match=message):
        validate_value(make_aspect(type_, "10"), raw)


def test_mark_value_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        validate_value(make_aspect("measurement"), "11")


# --- from aspects to total ---------------------------------------------------------------


def two_component_scheme() -> MarkingScheme:
    return build_scheme(
        {
            "components": [
                {"code": "T", "name": "theory", "weight": 40, "modules": [
                    {"code": "T1", "name": "exam", "aspects": [
                        {"code": "T1.1", "name": "paper", "type": "measurement", "max_mark": 50},
                    ]},
                ]},
                {"code": "P", "name": "practical", "weight": 60, "modules": [
                    {"code": "MA", "name": "A", "aspects": [
                        {"code": "A1", "name": "a1", "type": "measurement", "max_mark": 10},
                        {"code": "A2", "name": "a2", "type": "judgement", "max_mark": 3},
                    ]},
                    {"code": "MB", "name": "B", "aspects": [
                        {"code": "B1", "name": "b1", "type": "panel", "max_mark": 7},
                    ]},
                ]},
            ]
        }
    )


def test_incomplete_aspects_contribute_zero() -> None:
    scheme = two_component_scheme()
    marks = {
        "T1.1": AspectResult(COMPLETE, Fraction(25)),
        "A1": AspectResult(COMPLETE, Fraction(5)),
        "A2": AspectResult(NEEDS_RECONCILIATION, Fraction(0)),
    }
    scores = competitor_scores(scheme, marks)
    assert scores.modules == {"T1": 25, "MA": 5, "MB": 0}
    assert scores.components == {"T": 25, "P": 5}
    assert scores.total == Fraction(25, 50) * 40 + Fraction(5, 20) * 60
    assert not scores.complete
    assert scores.aspects_complete == 2


def test_no_marks_at_all() -> None:
    scores = competitor_scores(two_component_scheme(), {})
    assert scores.total == 0 and scores.aspects_complete == 0 and not scores.complete
    assert scores.modules == {"T1": 0, "MA": 0, "MB": 0}


def test_unknown_aspect_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        competitor_scores(two_component_scheme(), {"ZZ": AspectResult(COMPLETE, Fraction(1))})


def test_rounded_scores() -> None:
    scheme = two_component_scheme()
    marks = {
        "T1.1": AspectResult(COMPLETE, Fraction("33.33")),
        "A1": AspectResult(COMPLETE, Fraction("9.99")),
        "A2": AspectResult(COMPLETE, Fraction(14, 9) * 3 / 2),
        "B1": AspectResult(COMPLETE, Fraction(22, 3)),
    }
    scores = competitor_scores(scheme, marks)
    assert scores.complete and scores.aspects_complete == 4
    rounded = scores.rounded(2)
    assert rounded.modules == {"T1": D("33.33"), "MA": D("12.32"), "MB": D("7.33")}
    assert rounded.components == {"T": D("33.33"), "P": D("19.66")}
    assert rounded.total == D(format_decimal(scores.total, 2))
    assert scores.rounded(0).total == D(format_decimal(scores.total, 0))


@st.composite
def schemes(draw: st.DrawFn) -> MarkingScheme:
    """Random valid schemes whose component weights (in hundredths) sum to exactly 100."""
    count = draw(st.integers(min_value=1, max_value=3))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    weights = [D(b - a) / 100 for a, b in zip(bounds, bounds[1:])]
    max_marks = st.decimals(min_value=D("0.01"), max_value=100, places=2)
    aspect_types = st.sampled_from(["measurement", "judgement", "panel"])
    counter = iter(range(1000))
    components = []
    for c, weight in enumerate(weights):
        modules = []
        for _ in range(draw(st.integers(min_value=1, max_value=2))):
            aspects = [
                {"code": f"A{next(counter)}", "name": "a", "type": draw(aspect_types), "max_mark": str(draw(max_marks))}
                for _ in range(draw(st.integers(min_value=1, max_value=3)))
            ]
            modules.append({"code": f"M{next(counter)}", "name": "m", "aspects": aspects})
        components.append({"code": f"C{c}", "name": "c", "weight": str(weight), "modules": modules})
    return build_scheme({"components": components})


def draw_values(draw: st.DrawFn, aspect: AspectDef) -> list[Decimal]:
    """Values the judges could have entered so far for ``aspect`` (possibly too few)."""
    if aspect.type == "judgement":
        value = st.integers(min_value=0, max_value=3).map(D)
    else:
        value = st.decimals(min_value=0, max_value=aspect.max_mark, places=2)
    count = draw(st.integers(min_value=0, max_value=aspect.panel_size))
    return [draw(value) for _ in range(count)]


@given(st.data())
def test_total_is_between_zero_and_one_hundred(data: st.DataObject) -> None:
    scheme = data.draw(schemes())
    marks = {a.code: aspect_result(a, draw_values(data.draw, a)) for _, _, a in scheme.aspects()}
    scores = competitor_scores(scheme, marks)
    assert 0 <= scores.total <= 100
    for component in scheme.components:
        assert 0 <= scores.components[component.code] <= component.max_mark
    for _, module in scheme.modules():
        assert 0 <= scores.modules[module.code] <= module.max_mark
    assert scores.complete == (scores.aspects_complete == scheme.aspect_count)
    assert scores.complete == all(r.state == COMPLETE for r in marks.values())


@given(st.data())
def test_full_marks_give_exactly_one_hundred(data: st.DataObject) -> None:
    scheme = data.draw(schemes())
    marks = {a.code: AspectResult(COMPLETE, Fraction(a.max_mark)) for _, _, a in scheme.aspects()}
    scores = competitor_scores(scheme, marks)
    assert scores.total == 100 and scores.complete
    assert format_decimal(scores.total, 2) == "100.00"
