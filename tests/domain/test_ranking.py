"""competition.domain.ranking: board order, shared ranks, tie-breakers (scoring.md, Ranking)."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, strategies as st

from competition.domain.numbers import round_half_up
from competition.domain.ranking import (
    RankInput,
    TieBreakerError,
    rank,
    rank_key,
    validate_tie_breakers,
)
from competition.domain.scheme import MarkingScheme, build_scheme
from competition.domain.scoring import COMPLETE, AspectResult, competitor_scores

D = Decimal


def row(
    id_: int,
    total: str | Decimal,
    *,
    status: str = "active",
    components: dict[str, str] | None = None,
    modules: dict[str, str] | None = None,
    time: int | None = None,
    bib: str = "",
) -> RankInput:
    return RankInput(
        id=id_,
        status=status,
        total_rounded=D(total),
        components_rounded={k: D(v) for k, v in (components or {}).items()},
        modules_rounded={k: D(v) for k, v in (modules or {}).items()},
        time_used_seconds=time,
        bib=bib,
    )


def ranks(rows: list[RankInput], tie_breakers: list[dict[str, str]] | None = None) -> list[tuple[int, int | None]]:
    return [(r.id, position) for r, position in rank(rows, tie_breakers or [])]


# --- the worked examples of scoring.md, verbatim ---------------------------------------------


def test_worked_example_5_ties_are_on_rounded_totals() -> None:
    """exact totals 88.125 and 88.12 are NOT tied (88.125 rounds half-up to 88.13); exact totals
    88.124 and 88.12 ARE tied (both show 88.12) and go to the tie-breakers."""
    not_tied = [row(1, round_half_up(Fraction("88.12"), 2)), row(2, round_half_up(Fraction("88.125"), 2))]
    assert not_tied[1].total_rounded == D("88.13")
    assert ranks(not_tied) == [(2, 1), (1, 2)]

    tied = [
        row(1, round_half_up(Fraction("88.124"), 2), time=600),
        row(2, round_half_up(Fraction("88.12"), 2), time=500),
    ]
    assert tied[0].total_rounded == tied[1].total_rounded == D("88.12")
    assert ranks(tied, [{"time_used": "asc"}]) == [(2, 1), (1, 2)]
    assert sorted(ranks(tied)) == [(1, 1), (2, 1)]


def test_worked_example_6_standard_competition_ranking() -> None:
    """totals 90, 85, 85, 80 with no tie-breakers: ranks 1, 2, 2, 4."""
    rows = [row(1, "90"), row(2, "85"), row(3, "85"), row(4, "80")]
    assert [position for _, position in rank(rows, [])] == [1, 2, 2, 4]


# --- ordering and ties -----------------------------------------------------------------------


def test_unranked_statuses_come_last_without_a_rank() -> None:
    rows = [
        row(1, "99", status="disqualified", bib="1"),
        row(2, "50", bib="2"),
        row(3, "70", status="absent", bib="3"),
        row(4, "60", bib="4"),
        row(5, "0", status="withdrawn", bib="5"),
    ]
    assert ranks(rows) == [(4, 1), (2, 2), (1, None), (3, None), (5, None)]


def test_component_then_module_tie_breakers_in_order() -> None:
    rows = [
        row(1, "80", components={"P": "50"}, modules={"MA": "30"}),
        row(2, "80", components={"P": "55"}, modules={"MA": "10"}),
        row(3, "80", components={"P": "50"}, modules={"MA": "31"}),
        row(4, "81", components={"P": "0"}, modules={"MA": "0"}),
    ]
    assert ranks(rows, [{"component": "P"}, {"module": "MA"}]) == [(4, 1), (2, 2), (3, 3), (1, 4)]
    assert ranks(rows, [{"module": "MA"}, {"component": "P"}]) == [(4, 1), (3, 2), (1, 3), (2, 4)]


def test_time_used_ascending_missing_time_last() -> None:
    rows = [row(1, "70", time=None), row(2, "70", time=900), row(3, "70", time=850), row(4, "70", time=None)]
    assert ranks(rows, [{"time_used": "asc"}]) == [(3, 1), (2, 2), (1, 3), (4, 3)]


def test_missing_tie_breaker_score_sorts_last() -> None:
    rows = [row(1, "70"), row(2, "70", components={"P": "0"})]
    assert ranks(rows, [{"component": "P"}]) == [(2, 1), (1, 2)]


def test_still_equal_share_a_rank_ordered_by_bib_then_id() -> None:
    rows = [
        row(7, "60", bib="A10"),
        row(3, "60", bib="A2"),
        row(9, "60", bib="A2"),
        row(1, "75", bib="Z9"),
        row(2, "50", bib="A1"),
    ]
    assert ranks(rows, [{"time_used": "asc"}]) == [(1, 1), (3, 2), (9, 2), (7, 2), (2, 5)]


def test_rank_key_sorts_into_board_order() -> None:
    rows = [row(1, "70", status="absent"), row(2, "70"), row(3, "80"), row(4, "70", time=10)]
    tie_breakers = [{"time_used": "asc"}]
    board = [r.id for r, _ in rank(rows, tie_breakers)]
    assert [r.id for r in sorted(rows, key=lambda r: rank_key(r, tie_breakers))] == board == [3, 4, 2, 1]
    assert rank_key(rows[0], tie_breakers) > rank_key(rows[2], tie_breakers)


def test_rank_of_nobody() -> None:
    assert rank([], []) == []


# --- validate_tie_breakers -------------------------------------------------------------------


def scheme() -> MarkingScheme:
    aspects = [{"code": "A1", "name": "a", "type": "measurement", "max_mark": 10}]
    return build_scheme(
        {"components": [{"code": "P", "name": "p", "weight": 100,
                         "modules": [{"code": "MA", "name": "m", "aspects": aspects}]}]}
    )


def test_valid_tie_breakers() -> None:
    value = [{"component": "P"}, {"module": "MA"}, {"time_used": "asc"}]
    assert validate_tie_breakers(value, scheme()) == value
    assert validate_tie_breakers([], scheme()) == []


def test_tie_breakers_without_a_scheme_check_only_the_shape() -> None:
    assert validate_tie_breakers([{"module": "later"}], None) == [{"module": "later"}]
    with pytest.raises(TieBreakerError):
        validate_tie_breakers([{"module": 1}], None)


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ({"component": "P"}, "tie_breakers", "must be a list"),
        (None, "tie_breakers", "must be a list"),
        (["P"], "tie_breakers.0", "must be one of"),
        ([{}], "tie_breakers.0", "must be one of"),
        ([{"component": "P", "module": "MA"}], "tie_breakers.0", "must be one of"),
        ([{"time_used": "asc"}, {"score": "P"}], "tie_breakers.1", "unknown tie-breaker 'score'"),
        ([{"time_used": "desc"}], "tie_breakers.0", 'time_used must be "asc"'),
        ([{"component": ["P"]}], "tie_breakers.0", "component must be a code"),
        ([{"component": "X"}], "tie_breakers.0", "unknown component code 'X'"),
        ([{"module": "P"}], "tie_breakers.0", "unknown module code 'P'"),
        ([{"component": "MA"}], "tie_breakers.0", "unknown component code 'MA'"),
        ([{"module": "MA"}, {"module": "MA"}], "tie_breakers.1", "repeats an earlier tie-breaker"),
    ],
)
def test_invalid_tie_breakers(value: Any, path: str, message: str) -> None:
    with pytest.raises(TieBreakerError, match=message) as info:
        validate_tie_breakers(value, scheme())
    assert info.value.path == path
    assert isinstance(info.value, ValueError)


# --- properties ------------------------------------------------------------------------------

TIE_BREAKERS = [{"component": "C"}, {"module": "M"}, {"time_used": "asc"}]
small_scores = st.integers(min_value=0, max_value=4).map(D)

rows_strategy = st.lists(
    st.builds(
        RankInput,
        id=st.integers(),
        status=st.sampled_from(["active", "active", "active", "absent", "withdrawn", "disqualified"]),
        total_rounded=small_scores,
        components_rounded=st.fixed_dictionaries({"C": small_scores}),
        modules_rounded=st.fixed_dictionaries({}, optional={"M": small_scores}),
        time_used_seconds=st.none() | st.integers(min_value=0, max_value=3),
        bib=st.sampled_from(["", "A1", "A2", "A10", "7"]),
    ),
    max_size=12,
    unique_by=lambda r: r.id,
)


@given(rows_strategy, st.data())
def test_ranks_do_not_depend_on_input_order(rows: list[RankInput], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows))
    tie_breakers = data.draw(st.sampled_from([[], TIE_BREAKERS, TIE_BREAKERS[::-1]]))
    assert ranks(shuffled, tie_breakers) == ranks(rows, tie_breakers)


@given(rows_strategy)
def test_rank_is_one_plus_those_strictly_ahead(rows: list[RankInput]) -> None:
    def performance(r: RankInput) -> tuple[Any, ...]:
        return rank_key(r, TIE_BREAKERS)[1]

    active = [r for r in rows if r.status == "active"]
    for r, position in rank(rows, TIE_BREAKERS):
        if r.status != "active":
            assert position is None
        else:
            assert position == 1 + sum(performance(other) < performance(r) for other in active)


def pipeline_scheme() -> MarkingScheme:
    def aspects(*codes: str) -> list[dict[str, Any]]:
        return [{"code": c, "name": c, "type": "measurement", "max_mark": 10} for c in codes]

    return build_scheme(
        {
            "components": [
                {"code": "C", "name": "c", "weight": 40,
                 "modules": [{"code": "M", "name": "m", "aspects": aspects("A", "B")}]},
                {"code": "D", "name": "d", "weight": 60,
                 "modules": [{"code": "N", "name": "n", "aspects": aspects("E")}]},
            ]
        }
    )


PIPELINE = pipeline_scheme()
marks_strategy = st.fixed_dictionaries(
    {code: st.fractions(min_value=0, max_value=10, max_denominator=12) for code in ("A", "B", "E")}
)


def to_row(id_: int, marks: dict[str, Fraction], time: int | None) -> RankInput:
    rounded = competitor_scores(PIPELINE, {c: AspectResult(COMPLETE, m) for c, m in marks.items()}).rounded(2)
    return RankInput(id_, "active", rounded.total, rounded.components, rounded.modules, time)


@given(
    st.lists(st.tuples(marks_strategy, st.none() | st.integers(0, 5)), min_size=1, max_size=6),
    st.data(),
)
def test_rank_never_improves_when_only_own_mark_goes_down(
    competitors: list[tuple[dict[str, Fraction], int | None]], data: st.DataObject
) -> None:
    who = data.draw(st.integers(min_value=0, max_value=len(competitors) - 1))
    aspect = data.draw(st.sampled_from(["A", "B", "E"]))
    marks, time = competitors[who]
    lowered = {**marks, aspect: marks[aspect] - data.draw(st.fractions(min_value=0, max_value=marks[aspect]))}
    tie_breakers = data.draw(st.sampled_from([[], TIE_BREAKERS, [{"module": "N"}, {"component": "D"}]]))

    before = [to_row(i, m, t) for i, (m, t) in enumerate(competitors)]
    after = [*before[:who], to_row(who, lowered, time), *before[who + 1 :]]
    rank_before = dict(ranks(before, tie_breakers))[who]
    rank_after = dict(ranks(after, tie_breakers))[who]
    assert rank_before is not None and rank_after is not None
    assert rank_after >= rank_before
