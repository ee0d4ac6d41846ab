"""competition.domain.awards: schemes, their validation and the awards of a final ranking (events.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from competition.domain.awards import (
    READY_AWARD_SCHEMES,
    AwardSchemeError,
    Placed,
    awards_to_dict,
    decide_awards,
    validate_awards,
)

PROVINCIAL = [{"code": "first", "name": "一等奖", "top_percent": 10},
              {"code": "second", "name": "二等奖", "top_percent": 20},
              {"code": "third", "name": "三等奖", "top_percent": 30}]
NATIONAL = [{"code": "gold", "name": "金牌", "ranks": [1, 1]}, {"code": "silver", "name": "银牌", "ranks": [2, 2]},
            {"code": "bronze", "name": "铜牌", "ranks": [3, 3]},
            {"code": "merit", "name": "优胜奖", "top_percent": 50, "cumulative": True}]


def placed(ranks: list[int], totals: list[str] | None = None) -> list[Placed]:
    totals = totals or [str(100 - i) for i in range(len(ranks))]
    return [Placed(id=i + 1, rank=r, total=Decimal(t)) for i, (r, t) in enumerate(zip(ranks, totals))]


def codes(result: dict, count: int) -> list[str | None]:
    return [result[i].code if i in result else None for i in range(1, count + 1)]


def test_ten_twenty_thirty_percent_of_twelve_give_one_two_and_three_places():
    result = decide_awards(placed(list(range(1, 13))), validate_awards(PROVINCIAL))
    assert codes(result, 12) == ["first", "second", "second", "third", "third", "third"] + [None] * 6


def test_a_tie_spanning_a_boundary_shares_the_better_award_and_consumes_its_places():
    # ranks 1, 2, 2, 4 ...: the pair at 2 spans places 2-3 (second), third starts at place 4
    ranks = [1, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert codes(decide_awards(placed(ranks), validate_awards(PROVINCIAL)), 12) == [
        "first", "second", "second", "third", "third", "third"] + [None] * 6
    # a pair at rank 1 spans places 1-2: both first; second takes the next two places 3-4
    ranks = [1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert codes(decide_awards(placed(ranks), validate_awards(PROVINCIAL)), 12) == [
        "first", "first", "second", "second", "third", "third", "third"] + [None] * 5
    # three tied at 3 span places 3-5 although second covers 2-3 only: all three second; third at 6-8
    ranks = [1, 2, 3, 3, 3, 6, 7, 8, 9, 10, 11, 12]
    assert codes(decide_awards(placed(ranks), validate_awards(PROVINCIAL)), 12) == [
        "first", "second", "second", "second", "second", "third", "third", "third"] + [None] * 4


def test_cumulative_merit_is_the_rest_of_the_top_half_after_three_medals_among_fifteen():
    result = decide_awards(placed(list(range(1, 16))), validate_awards(NATIONAL))
    assert codes(result, 15) == ["gold", "silver", "bronze", "merit", "merit", "merit", "merit"] + [None] * 8
    # a non-cumulative 50 % would take the next 7 places instead
    plain = [*NATIONAL[:3], {"code": "merit", "name": "优胜奖", "top_percent": 50}]
    assert codes(decide_awards(placed(list(range(1, 16))), validate_awards(plain)), 15).count("merit") == 7


def test_medal_ties_share_a_medal_and_push_the_next_one_down():
    ranks = [1, 1, 3, 4, 5, 6, 7, 8, 9, 10]
    assert codes(decide_awards(placed(ranks), validate_awards(NATIONAL)), 10) == [
        "gold", "gold", "bronze", "merit", "merit"] + [None] * 5


def test_min_total_excludes_from_that_award_and_every_later_one_without_giving_the_places_away():
    scheme = [{"code": "first", "name": "一等奖", "top_percent": 10},
              {"code": "second", "name": "二等奖", "top_percent": 20, "min_total": "90"},
              {"code": "third", "name": "三等奖", "top_percent": 30}]
    totals = ["99", "95", "89", "88", "87", "86", "85", "84", "83", "82", "81", "80"]
    result = decide_awards(placed(list(range(1, 13)), totals), validate_awards(scheme))
    # place 3 (89) is below 90: no second, and its place is not given to the 4th; nobody below 90
    # gets third either
    assert codes(result, 12) == ["first", "second"] + [None] * 10
    # the min_total does not reach back: a low first-placed competitor keeps first
    totals = ["50", *totals[1:]]
    assert decide_awards(placed(list(range(1, 13)), totals), validate_awards(scheme))[1].code == "first"


def test_each_competitor_gets_at_most_the_first_award_it_qualifies_for():
    scheme = [{"code": "gold", "name": "金牌", "ranks": [1, 1]},
              {"code": "merit", "name": "优胜奖", "top_percent": 50, "cumulative": True}]
    result = decide_awards(placed([1, 2, 3, 4]), validate_awards(scheme))
    assert codes(result, 4) == ["gold", "merit", None, None]


def test_nobody_ranked_means_no_awards():
    assert decide_awards([], validate_awards(PROVINCIAL)) == {}


@pytest.mark.parametrize(("scheme", "path"), [
    ([{"code": "a", "name": "A", "ranks": [1, 2]}, {"code": "b", "name": "B", "ranks": [2, 3]}], "awards.1.ranks"),
    ([{"code": "a", "name": "A", "top_percent": 60}, {"code": "b", "name": "B", "top_percent": 41}],
     "awards.1.top_percent"),
    ([{"code": "a", "name": "A", "top_percent": 101}], "awards.0.top_percent"),
    ([{"code": "a", "name": "A", "top_percent": 0}], "awards.0.top_percent"),
    ([{"code": "a", "name": "A", "ranks": [3, 2]}], "awards.0.ranks"),
    ([{"code": "a", "name": "A", "ranks": [0, 2]}], "awards.0.ranks"),
    ([{"code": "a", "name": "A"}], "awards.0"),
    ([{"code": "a", "name": "A", "ranks": [1, 1], "top_percent": 10}], "awards.0"),
    ([{"code": "a b", "name": "A", "ranks": [1, 1]}], "awards.0.code"),
    ([{"code": "金", "name": "A", "ranks": [1, 1]}], "awards.0.code"),
    ([{"code": "a", "name": "A", "ranks": [1, 1]}, {"code": "a", "name": "B", "ranks": [2, 2]}], "awards.1.code"),
    ([{"code": "a", "name": "A", "ranks": [1, 1], "colour": "gold"}], "awards.0.colour"),
    ([{"code": "a", "name": "", "ranks": [1, 1]}], "awards.0.name"),
    ([{"code": "a", "name": "A", "ranks": [1, 1], "cumulative": True}], "awards.0.cumulative"),
    ([{"code": "a", "name": "A", "ranks": [1, 1], "min_total": "-1"}], "awards.0.min_total"),
    ("gold", "awards"),
])
def test_invalid_schemes_name_the_offending_entry(scheme, path):
    with pytest.raises(AwardSchemeError) as caught:
        validate_awards(scheme)
    assert path in caught.value.errors


def test_cumulative_percentages_do_not_count_towards_the_hundred():
    scheme = [{"code": "a", "name": "A", "top_percent": 60},
              {"code": "b", "name": "B", "top_percent": 80, "cumulative": True}]
    assert len(validate_awards(scheme)) == 2


def test_the_json_form_round_trips():
    for source in (PROVINCIAL, NATIONAL):
        assert awards_to_dict(validate_awards(source)) == source
    awards = validate_awards([{"code": "x", "name": "X", "top_percent": "12.5", "min_total": 60}])
    assert validate_awards(awards_to_dict(awards)) == awards


def test_the_ready_schemes_follow_the_three_forms():
    national = READY_AWARD_SCHEMES["national"][2]
    assert awards_to_dict(national) == NATIONAL
    assert awards_to_dict(READY_AWARD_SCHEMES["provincial"][2]) == PROVINCIAL
    enterprise = READY_AWARD_SCHEMES["enterprise"][2]
    assert [a.ranks for a in enterprise] == [(1, 1), (2, 3), (4, 6)]
    assert [a.name for a in enterprise] == ["一等奖", "二等奖", "三等奖"]


# --- properties over random rankings (hypothesis) -------------------------------------------------------

@st.composite
def rankings(draw):
    """Standard competition ranks of 0..40 competitors with random ties."""
    sizes = draw(st.lists(st.integers(1, 4), max_size=15))
    ranks, place = [], 1
    for size in sizes:
        ranks += [place] * size
        place += size
    return ranks


SCHEMES = [PROVINCIAL, NATIONAL, [{"code": "a", "name": "A", "ranks": [1, 2]},
                                  {"code": "b", "name": "B", "top_percent": 25},
                                  {"code": "c", "name": "C", "top_percent": 60, "cumulative": True}]]


@settings(max_examples=200, deadline=None)
@given(rankings(), st.sampled_from(SCHEMES))
def test_better_ranks_never_get_a_later_award_and_ties_share_one(ranks, scheme):
    awards = validate_awards(scheme)
    order = {a.code: i for i, a in enumerate(awards)}
    result = decide_awards(placed(ranks, ["50"] * len(ranks)), awards)
    given_to = [(rank, order[result[i + 1].code] if i + 1 in result else len(awards))
                for i, rank in enumerate(ranks)]
    for (rank_a, award_a), (rank_b, award_b) in zip(given_to, given_to[1:]):
        if rank_a == rank_b:
            assert award_a == award_b  # a tie shares one award (or none)
        else:
            assert award_a <= award_b  # a better rank never gets a later award


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200))
def test_without_ties_the_percentages_give_exactly_their_floors(count):
    result = decide_awards(placed(list(range(1, count + 1)), ["50"] * count), validate_awards(PROVINCIAL))
    counts = [sum(1 for a in result.values() if a.code == code) for code in ("first", "second", "third")]
    assert counts == [count * 10 // 100, count * 20 // 100, count * 30 // 100]
