"""competition.domain.medals and .lots: the medal table, qualification cuts, drawing lots (events.md)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from competition.domain.lots import ALGORITHM, bib_labels, cut_rank, permutation, permute
from competition.domain.medals import Won, award_code_order, medal_table

NAMES = {1: "甲厂", 2: "乙厂", 3: "丙厂", 4: "丁厂", 5: "戊厂"}


def test_award_codes_are_ordered_as_first_seen_across_the_contests():
    assert award_code_order([["gold", "silver"], ["first", "gold", "bronze"]]) == [
        "gold", "silver", "first", "bronze"]


def test_the_table_orders_by_the_count_vector_and_equal_vectors_share_a_rank():
    codes = ["gold", "silver", "bronze"]
    won = [Won("gold", [1]), Won("silver", [2]), Won("silver", [2]), Won("silver", [2]),
           Won("gold", [3]), Won("bronze", [3]),
           Won("gold", [4]), Won("bronze", [4]), Won("bronze", [5])]
    rows = medal_table(codes, won, NAMES)
    # 1 gold 1 bronze (丙, 丁: equal, listed by name), 1 gold (甲), 3 silver (乙), 1 bronze (戊)
    assert [(r.rank, r.enterprise_id) for r in rows] == [(1, 4), (1, 3), (3, 1), (4, 2), (5, 5)]
    assert rows[3].counts == {"gold": 0, "silver": 3, "bronze": 0} and rows[3].total_awards == 3


def test_shared_ranks_skip_places():
    won = [Won("gold", [1]), Won("gold", [2]), Won("silver", [3]), Won("bronze", [4])]
    rows = medal_table(["gold", "silver", "bronze"], won, NAMES)
    assert [r.rank for r in rows] == [1, 1, 3, 4]


def test_a_team_award_counts_once_per_member_enterprise():
    # a team of three: two members from 甲厂, one from 乙厂
    rows = medal_table(["first"], [Won("first", [1, 1, 2])], NAMES)
    assert {(r.enterprise_id, r.counts["first"]) for r in rows} == {(1, 1), (2, 1)}
    assert [r.rank for r in rows] == [1, 1]


def test_enterprises_without_an_award_are_not_listed():
    assert medal_table(["gold"], [], NAMES) == []


def test_the_same_seed_gives_the_same_draw():
    assert permute("抽签-2026", list("ABCDEFGHIJ")) == permute("抽签-2026", list("ABCDEFGHIJ"))
    assert permute("seed-a", list(range(20))) != permute("seed-b", list(range(20)))
    assert ALGORITHM == "sha256-ctr-fisher-yates-v1"


def test_the_draw_is_fixed_by_the_algorithm_not_by_the_platform():
    # frozen values: a change of the algorithm must change its name
    assert permutation("seed", 5) == permutation("seed", 5)
    assert sorted(permutation("x", 50)) == list(range(50))
    assert permutation("demo", 6) == FROZEN_DEMO_6


def test_every_permutation_of_three_bibs_appears_over_600_seeded_draws():
    seen = {tuple(permute(f"fair-{i}", ["1", "2", "3"])) for i in range(600)}
    assert seen == set(itertools.permutations(["1", "2", "3"]))


def test_draws_are_roughly_uniform_over_600_seeds():
    counts: dict[tuple[str, ...], int] = {}
    for i in range(600):
        key = tuple(permute(f"fair-{i}", ["1", "2", "3"]))
        counts[key] = counts.get(key, 0) + 1
    assert all(50 <= n <= 150 for n in counts.values()), counts


def test_the_qualification_cut_includes_ties_at_the_cut():
    assert cut_rank(20, top=5) == 5
    assert cut_rank(12, top_percent=Decimal(25)) == 3
    assert cut_rank(7, top_percent=Decimal(50)) == 3
    ranks = [1, 2, 3, 3, 5]
    assert [r for r in ranks if r <= cut_rank(5, top=3)] == [1, 2, 3, 3]
    with pytest.raises(ValueError):
        cut_rank(5)


def test_bibs_are_zero_padded_to_the_width_of_the_count():
    assert bib_labels(3) == ["1", "2", "3"]
    assert bib_labels(12)[:2] == ["01", "02"] and bib_labels(12)[-1] == "12"
    assert bib_labels(0) == []


FROZEN_DEMO_6 = [5, 1, 2, 4, 0, 3]
