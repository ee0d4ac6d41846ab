"""competition.domain.promotion: computing outcomes (promotion.md steps 1-6) and the worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from competition.domain.grades import EIGHT_GRADE_TEMPLATE, Grade, GradeScheme, validate_grade_scheme
from competition.domain.levels import effective_level
from competition.domain.promotion import (
    KINDS,
    REASONS,
    Entrant,
    Outcome,
    Policy,
    PolicyError,
    RaiseGrades,
    RaiseLevels,
    ToLevel,
    compute_outcomes,
    count_ranked,
    policy_to_dict,
    validate_policy,
)

# The policy of promotion.md, exactly as the spec shows it.
SPEC_POLICY = {
    "min_total": "60.00",
    "eligible_kinds": ["employee"],
    "once_per_year": True,
    "bands": [
        {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "next_level"}, "cap_level": 1},
        {"name": "第4-10名", "ranks": [4, 10], "action": {"to_level": 3, "if_held": "next_level"},
         "cap_level": 2},
        {"name": "前30%", "top_percent": 30, "action": {"raise_levels": 1}, "cap_level": 3},
    ],
    "student_bands": [],
}
ALL_LEVELS = (5, 4, 3, 2, 1)

# A scheme with sub-levels inside 技师 (技师一档 < 技师二档) and one appointed grade on top.
SUB_GRADE_SCHEME = validate_grade_scheme([
    {"code": "apprentice", "name": "学徒工", "national_level": None},
    {"code": "junior", "name": "初级工", "national_level": 5},
    {"code": "intermediate", "name": "中级工", "national_level": 4},
    {"code": "senior", "name": "高级工", "national_level": 3},
    {"code": "tech_1", "name": "技师一档", "national_level": 2},
    {"code": "tech_2", "name": "技师二档", "national_level": 2},
    {"code": "senior_tech", "name": "高级技师", "national_level": 1},
    {"code": "special", "name": "特级技师", "national_level": 1, "appointed_only": True},
])

_ids = iter(range(1, 1_000_000))


def entrant(rank: int | None, grade: str | None = None, *, kind: str = "employee", total: str = "80.00",
            status: str = "active", promoted: bool = False, scheme: GradeScheme = EIGHT_GRADE_TEMPLATE,
            competitor_id: int | None = None) -> Entrant:
    person_id = next(_ids)
    return Entrant(competitor_id=competitor_id or person_id, person_id=person_id, kind=kind, status=status,
                   rank=rank, total=Decimal(total), current_grade_code=grade, promoted_this_year=promoted,
                   scheme=scheme)


def outcomes(entrants: list[Entrant], policy: dict | Policy = SPEC_POLICY, *,
             offered: tuple[int, ...] = ALL_LEVELS, n: int = 12) -> list[Outcome]:
    if isinstance(policy, dict):
        policy = validate_policy(policy)
    return compute_outcomes(entrants, policy, offered_levels=offered, ranked_count=n)


def outcome(one: Entrant, policy: dict | Policy = SPEC_POLICY, **kwargs) -> Outcome:
    [result] = outcomes([one], policy, **kwargs)
    return result


def band_policy(*bands: dict, **extra) -> dict:
    return {"bands": list(bands), **extra}


def proposed(result: Outcome) -> tuple[str | None, str | None, int | None]:
    assert result.status == "proposed", result
    assert result.reason is None
    return result.band, result.to_grade, result.to_level


def refused(result: Outcome) -> str | None:
    assert result.status == "not_eligible", result
    assert result.to_grade is None and result.to_level is None
    return result.reason


# --------------------------------------------------------------------------------------------------
# Worked examples (promotion.md): spec policy, N = 12, all employees, no earlier promotion.

def test_worked_example_rank_1_senior_worker_to_technician():
    result = outcome(entrant(1, "senior"))
    assert proposed(result) == ("前3名", "technician", 2)
    assert (result.from_grade, result.from_level, result.rank) == ("senior", 3, 1)


def test_worked_example_rank_2_technician_already_held_goes_to_senior_technician():
    result = outcome(entrant(2, "technician"))
    assert proposed(result) == ("前3名", "senior_technician", 1)
    assert (result.from_grade, result.from_level) == ("technician", 2)


def test_worked_example_rank_3_shared_by_two_both_in_top_3():
    first, second = outcomes([entrant(3, "senior"), entrant(3, "intermediate")])
    assert proposed(first) == ("前3名", "technician", 2)
    assert proposed(second) == ("前3名", "technician", 2)


def test_worked_example_rank_5_intermediate_to_senior_worker():
    result = outcome(entrant(5, "intermediate"))
    assert proposed(result) == ("第4-10名", "senior", 3)
    assert result.from_level == 4


def test_worked_example_rank_6_senior_already_held_next_level_2_allowed_by_cap():
    assert proposed(outcome(entrant(6, "senior"))) == ("第4-10名", "technician", 2)


def test_worked_example_rank_11_no_band_because_top_30_percent_of_12_is_ranks_1_to_3():
    result = outcome(entrant(11, "intermediate"))
    assert refused(result) == "no_band"
    assert result.band is None and result.rank == 11


def test_worked_example_rank_1_with_total_59_99_below_min_total():
    assert refused(outcome(entrant(1, "senior", total="59.99"))) == "below_min_total"


def test_worked_examples_as_one_final_ranking_of_twelve():
    grades = ["senior", "technician", "senior", "intermediate", "intermediate", "senior",
              "junior", None, "apprentice", "junior", "intermediate", "senior"]
    ranks = [1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    field = [entrant(rank, grade) for rank, grade in zip(ranks, grades)]
    results = outcomes(field)
    assert [r.person_id for r in results] == [e.person_id for e in field]
    assert [(r.band, r.to_grade) for r in results] == [
        ("前3名", "technician"), ("前3名", "senior_technician"), ("前3名", "technician"),
        ("前3名", "technician"), ("第4-10名", "senior"), ("第4-10名", "technician"),
        ("第4-10名", "senior"), ("第4-10名", "senior"), ("第4-10名", "senior"), ("第4-10名", "senior"),
        (None, None), (None, None),
    ]
    assert [r.reason for r in results[-2:]] == ["no_band", "no_band"]


# --------------------------------------------------------------------------------------------------
# Step 1: eligibility, in the spec's order.

@pytest.mark.parametrize("status", ["absent", "withdrawn", "disqualified"])
def test_inactive_competitor_is_not_ranked(status):
    assert refused(outcome(entrant(None, "senior", status=status))) == "not_ranked"


def test_not_ranked_comes_before_every_other_reason():
    late = entrant(None, kind="student", total="10.00", status="absent", promoted=True)
    assert refused(outcome(late)) == "not_ranked"


def test_kind_not_eligible_comes_before_below_min_total():
    assert refused(outcome(entrant(1, kind="student", total="10.00"))) == "kind_not_eligible"


def test_below_min_total_comes_before_already_promoted():
    assert refused(outcome(entrant(1, total="59.99", promoted=True))) == "below_min_total"


def test_total_equal_to_min_total_is_eligible():
    assert proposed(outcome(entrant(1, "senior", total="60.00")))[1] == "technician"


def test_once_per_year_refuses_a_person_promoted_this_year():
    assert refused(outcome(entrant(1, "senior", promoted=True))) == "already_promoted_this_year"


def test_without_once_per_year_an_earlier_promotion_does_not_matter():
    policy = {**SPEC_POLICY, "once_per_year": False}
    assert proposed(outcome(entrant(1, "senior", promoted=True), policy))[1] == "technician"


def test_eligible_kinds_excluding_students():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 3}},
                         eligible_kinds=["employee"])
    assert refused(outcome(entrant(1, "intermediate", kind="student"), policy)) == "kind_not_eligible"
    assert proposed(outcome(entrant(1, "intermediate"), policy))[1] == "senior"


def test_students_use_student_bands_when_there_are_some():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}},
                         student_bands=[{"name": "学生前3名", "ranks": [1, 3],
                                         "action": {"to_level": 4, "if_held": "none"}}])
    assert proposed(outcome(entrant(2, "junior", kind="student"), policy)) == ("学生前3名", "intermediate", 4)
    assert proposed(outcome(entrant(2, "junior"), policy)) == ("前3名", "technician", 2)


def test_students_use_bands_when_student_bands_is_empty():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}})
    assert proposed(outcome(entrant(2, "junior", kind="student"), policy)) == ("前3名", "technician", 2)


def test_students_keep_their_rank_in_the_whole_contest():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}},
                         student_bands=[{"name": "学生前3名", "ranks": [1, 3], "action": {"to_level": 4}}])
    # The best student is 5th overall: not in the students' top 3 band.
    assert refused(outcome(entrant(5, kind="student"), policy)) == "no_band"


# --------------------------------------------------------------------------------------------------
# Step 2: bands.

def test_first_matching_band_in_list_order_wins():
    policy = band_policy({"name": "前50%", "top_percent": 50, "action": {"to_level": 4}},
                         {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}})
    assert proposed(outcome(entrant(1), policy, n=10))[0] == "前50%"


def test_shared_rank_10_spanning_places_10_and_11_is_all_in_band_4_to_10():
    field = [entrant(10, "junior"), entrant(10, "junior"), entrant(12, "junior")]
    first, second, third = outcomes(field, n=12)
    assert proposed(first)[0] == proposed(second)[0] == "第4-10名"
    assert refused(third) == "no_band"


@pytest.mark.parametrize(("n", "percent", "last_in"), [(12, 30, 3), (7, 50, 3), (10, 30, 3), (3, 50, 1),
                                                       (1, 50, 0), (20, 100, 20), (3, "33.34", 1)])
def test_top_percent_holds_ranks_up_to_floor_of_n_times_p(n, percent, last_in):
    policy = band_policy({"name": "前p%", "top_percent": percent, "action": {"to_level": 5}})
    for rank in range(1, n + 1):
        result = outcome(entrant(rank), policy, n=n)
        assert (result.status == "proposed") == (rank <= last_in), rank


def test_top_percent_counts_ranked_teams_not_members():
    team = [entrant(1, competitor_id=900), entrant(1, competitor_id=900), entrant(1, competitor_id=900)]
    others = [entrant(rank, competitor_id=900 + rank) for rank in (2, 3, 4)]
    assert count_ranked(team + others + [entrant(None, status="absent")]) == 4
    policy = band_policy({"name": "前50%", "top_percent": 50, "action": {"to_level": 4}})
    results = outcomes(team + others, policy, n=count_ranked(team + others))
    assert [r.status for r in results] == ["proposed"] * 4 + ["not_eligible"] * 2


# --------------------------------------------------------------------------------------------------
# Steps 3-5: target level, caps, target grade.

def test_to_level_from_no_grade():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 4}})
    for grade in (None, "apprentice"):
        result = outcome(entrant(1, grade), policy)
        assert proposed(result) == ("前3名", "intermediate", 4)
        assert result.from_level is None


def test_to_level_if_held_none_already_at_level():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "none"}})
    assert refused(outcome(entrant(1, "technician"), policy)) == "already_at_level"
    assert refused(outcome(entrant(1, "senior_technician"), policy)) == "already_at_level"
    assert proposed(outcome(entrant(1, "senior"), policy))[1] == "technician"


def test_already_at_level_outcome_names_the_band():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "none"}})
    result = outcome(entrant(1, "technician"), policy)
    assert (result.band, result.from_grade, result.from_level) == ("前3名", "technician", 2)


def test_raise_levels_from_no_level_counts_no_level_as_6():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"raise_levels": 2}})
    assert proposed(outcome(entrant(1), policy)) == ("前3名", "intermediate", 4)
    assert proposed(outcome(entrant(1, "senior"), policy)) == ("前3名", "senior_technician", 1)


def test_cap_level_lowers_the_target():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"raise_levels": 3}, "cap_level": 3})
    assert proposed(outcome(entrant(1, "junior"), policy)) == ("前3名", "senior", 3)


def test_capped_when_the_lowered_target_is_not_above_the_current_level():
    # Spec policy, band 第4-10名: a 技师 would go to 1 but the band's cap is 2.
    assert refused(outcome(entrant(6, "technician"))) == "capped"
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"raise_levels": 1}, "cap_level": 3})
    assert refused(outcome(entrant(1, "senior"), policy)) == "capped"


def test_capped_at_level_1_for_a_holder_of_the_top_level():
    assert refused(outcome(entrant(1, "senior_technician"))) == "capped"
    assert refused(outcome(entrant(1, "chief_technician"))) == "capped"


def test_level_not_offered_by_an_occupation_offering_5_to_3_only():
    offered = (5, 4, 3)
    assert refused(outcome(entrant(1, "senior"), offered=offered)) == "level_not_offered"
    assert proposed(outcome(entrant(5, "intermediate"), offered=offered))[1] == "senior"


def test_level_not_offered_below_the_occupations_first_level():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"raise_levels": 1}})
    assert refused(outcome(entrant(1), policy, offered=(4, 3, 2, 1))) == "level_not_offered"


def test_level_action_target_is_the_entry_grade_of_a_sub_levelled_level():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}})
    result = outcome(entrant(1, "senior", scheme=SUB_GRADE_SCHEME), policy)
    assert proposed(result) == ("前3名", "tech_1", 2)


def test_level_action_from_any_sub_grade_of_the_target_level_goes_one_level_up():
    policy = band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}})
    for grade in ("tech_1", "tech_2"):
        assert proposed(outcome(entrant(1, grade, scheme=SUB_GRADE_SCHEME), policy))[1] == "senior_tech"


def raise_grades(k: int, cap_level: int | None = None) -> dict:
    band = {"name": "前3名", "ranks": [1, 3], "action": {"raise_grades": k}}
    return band_policy(band if cap_level is None else {**band, "cap_level": cap_level})


@pytest.mark.parametrize(("grade", "k", "target"), [
    ("tech_1", 1, "tech_2"),       # one step inside the level
    ("senior", 1, "tech_1"),       # the next grade up is the level's entry grade
    ("senior", 2, "tech_2"),
    ("tech_2", 1, "senior_tech"),
    ("tech_1", 5, "senior_tech"),  # steps stop at the highest grade that is not appointed_only
    (None, 1, "junior"),           # from no grade the first step reaches the lowest levelled grade
    ("apprentice", 1, "junior"),   # ... also from a grade without a level
    (None, 3, "senior"),
])
def test_raise_grades_steps_through_sub_grades(grade, k, target):
    result = outcome(entrant(1, grade, scheme=SUB_GRADE_SCHEME), raise_grades(k))
    assert proposed(result)[1] == target
    assert result.to_level == SUB_GRADE_SCHEME.get(target).national_level


def test_raise_grades_skips_appointed_only_grades():
    assert refused(outcome(entrant(1, "senior_tech", scheme=SUB_GRADE_SCHEME), raise_grades(1))) == "capped"
    assert refused(outcome(entrant(1, "special", scheme=SUB_GRADE_SCHEME), raise_grades(2))) == "capped"
    assert proposed(outcome(entrant(1, "technician"), raise_grades(3)))[1] == "senior_technician"


def test_raise_grades_above_cap_level_is_replaced_by_the_highest_grade_of_that_level():
    assert proposed(outcome(entrant(1, "senior", scheme=SUB_GRADE_SCHEME), raise_grades(3, cap_level=2))) \
        == ("前3名", "tech_2", 2)
    assert refused(outcome(entrant(1, "tech_2", scheme=SUB_GRADE_SCHEME), raise_grades(1, cap_level=2))) \
        == "capped"


def test_raise_grades_level_not_offered():
    assert refused(outcome(entrant(1, "senior"), raise_grades(1), offered=(5, 4, 3))) == "level_not_offered"


# --------------------------------------------------------------------------------------------------
# Teams, employers, shape of the result.

def test_team_members_each_get_their_own_outcome_with_the_teams_rank():
    members = [entrant(2, "senior", competitor_id=77), entrant(2, "technician", competitor_id=77),
               entrant(2, "junior", competitor_id=77, kind="student"), entrant(2, competitor_id=77, promoted=True)]
    results = outcomes(members)
    assert {r.competitor_id for r in results} == {77}
    assert [r.rank for r in results] == [2, 2, 2, 2]
    assert [r.to_grade or r.reason for r in results] == [
        "technician", "senior_technician", "kind_not_eligible", "already_promoted_this_year"]


def test_each_person_uses_their_own_employers_scheme():
    results = outcomes([entrant(1, "senior", scheme=SUB_GRADE_SCHEME), entrant(1, "senior")])
    assert [r.to_grade for r in results] == ["tech_1", "technician"]


def test_unknown_current_grade_is_a_programming_error():
    with pytest.raises(KeyError):
        outcome(entrant(1, "no_such_grade"))


def test_no_entrants_no_outcomes():
    assert outcomes([]) == []


def test_validated_actions_are_typed():
    policy = validate_policy(SPEC_POLICY)
    assert policy.bands[0].action == ToLevel(level=2, if_held="next_level")
    assert validate_policy(raise_grades(2)).bands[0].action == RaiseGrades(grades=2)


# --------------------------------------------------------------------------------------------------
# Properties.

@st.composite
def schemes(draw) -> GradeScheme:
    grades = [Grade(f"none{i}", f"学徒{i}", None) for i in range(draw(st.integers(0, 2)))]
    for level in ALL_LEVELS:
        grades += [Grade(f"l{level}_{j}", f"{level}级{j}档", level) for j in range(draw(st.integers(1, 3)))]
    grades += [Grade(f"top{k}", f"特聘{k}", 1, True) for k in range(draw(st.integers(0, 2)))]
    return validate_grade_scheme([grade.to_dict() for grade in grades])


_actions = st.one_of(
    st.builds(lambda level, held: {"to_level": level, "if_held": held},
              st.integers(1, 5), st.sampled_from(["next_level", "none"])),
    st.builds(lambda k: {"raise_levels": k}, st.integers(1, 5)),
    st.builds(lambda k: {"raise_grades": k}, st.integers(1, 8)),
)
_selectors = st.one_of(
    st.lists(st.integers(1, 15), min_size=2, max_size=2).map(lambda r: {"ranks": sorted(r)}),
    st.integers(1, 100).map(lambda p: {"top_percent": p}),
    st.decimals("0.01", "100", places=2).map(lambda p: {"top_percent": str(p)}),
)
_bands = st.lists(st.tuples(_selectors, _actions, st.one_of(st.none(), st.integers(1, 5))), max_size=4)


@st.composite
def policies(draw) -> Policy:
    def as_bands(prefix: str, drawn: list) -> list[dict]:
        return [{"name": f"{prefix}{i}", **selector, "action": action,
                 **({} if cap is None else {"cap_level": cap})}
                for i, (selector, action, cap) in enumerate(drawn)]
    bands = as_bands("b", draw(_bands.filter(bool)))
    return validate_policy({
        "bands": bands,
        "student_bands": as_bands("s", draw(_bands)),
        "eligible_kinds": draw(st.sampled_from([["employee"], ["student"]] + [list(KINDS)] * 3)),
        "once_per_year": draw(st.booleans()),
        "min_total": draw(st.one_of(st.none(), st.decimals("0", "60", places=2).map(str))),
    })


_offered = st.one_of(st.sampled_from([ALL_LEVELS, (5, 4, 3), (4, 3, 2, 1)]), st.sets(st.integers(1, 5)))


@st.composite
def fields(draw) -> list[Entrant]:
    employer_schemes = draw(st.lists(schemes(), min_size=1, max_size=2))
    field = []
    for person_id in range(draw(st.integers(0, 12))):
        scheme = draw(st.sampled_from(employer_schemes))
        status = draw(st.sampled_from(["active"] * 8 + ["absent", "disqualified"]))
        field.append(Entrant(
            competitor_id=draw(st.integers(1, 6)), person_id=person_id,
            kind=draw(st.sampled_from(["employee", "student"])), status=status,
            rank=draw(st.integers(1, 15)) if status == "active" else None,
            total=draw(st.decimals("0", "100", places=2)),
            current_grade_code=draw(st.one_of(st.none(), st.sampled_from(scheme.codes()))),
            promoted_this_year=draw(st.booleans()), scheme=scheme,
        ))
    return field


@settings(max_examples=300, deadline=None)
@given(field=fields(), policy=policies(), offered=_offered, n=st.integers(0, 20))
def test_exactly_one_outcome_per_entrant_and_proposals_always_go_up(field, policy, offered, n):
    results = compute_outcomes(field, policy, offered_levels=offered, ranked_count=n)
    assert [(r.competitor_id, r.person_id) for r in results] == [(e.competitor_id, e.person_id) for e in field]
    bands = {band.name: band for band in policy.bands + policy.student_bands}
    for person, result in zip(field, results):
        scheme = person.scheme
        current = -1 if person.current_grade_code is None else scheme.index(person.current_grade_code)
        assert result.rank == person.rank
        if result.status == "not_eligible":
            assert result.reason in REASONS
            assert result.to_grade is None and result.to_level is None
            continue
        assert result.status == "proposed" and result.reason is None
        target = scheme.get(result.to_grade)
        assert not target.appointed_only
        assert scheme.index(result.to_grade) > current
        assert result.to_level == target.national_level and result.to_level in offered
        assert result.to_level <= effective_level(result.from_level)
        band = bands[result.band]
        if band.cap_level is not None:
            assert result.to_level >= band.cap_level
        if not isinstance(band.action, RaiseGrades):
            assert result.to_level < effective_level(result.from_level)
            assert result.to_grade == scheme.entry_grade(result.to_level).code


# --------------------------------------------------------------------------------------------------
# validate_policy / policy_to_dict

def errors_of(data: object) -> dict[str, list[str]]:
    with pytest.raises(PolicyError) as caught:
        validate_policy(data)
    return caught.value.errors


def with_band(index: int, **changes) -> dict:
    bands = [dict(band) for band in SPEC_POLICY["bands"]]
    bands[index].update(changes)
    bands[index] = {key: value for key, value in bands[index].items() if value is not _DROP}
    return {**SPEC_POLICY, "bands": bands}


_DROP = object()


def test_spec_policy_validates():
    policy = validate_policy(SPEC_POLICY)
    assert policy.min_total == Decimal("60.00")
    assert policy.eligible_kinds == ("employee",)
    assert policy.once_per_year is True
    assert [band.name for band in policy.bands] == ["前3名", "第4-10名", "前30%"]
    assert policy.bands[1].ranks == (4, 10) and policy.bands[1].cap_level == 2
    assert policy.bands[2].top_percent == 30 and policy.bands[2].action == RaiseLevels(levels=1)
    assert policy.student_bands == ()


def test_policy_to_dict_round_trips():
    policy = validate_policy(SPEC_POLICY)
    assert policy_to_dict(policy) == SPEC_POLICY
    assert validate_policy(policy_to_dict(policy)) == policy


def test_policy_to_dict_keeps_fractional_percent_as_a_string():
    policy = validate_policy(band_policy({"name": "前12.5%", "top_percent": "12.5", "action": {"to_level": 3}}))
    assert policy_to_dict(policy)["bands"][0]["top_percent"] == "12.5"
    assert validate_policy(policy_to_dict(policy)) == policy


def test_defaults_of_a_minimal_policy():
    policy = validate_policy(band_policy({"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2}}))
    assert policy.min_total is None
    assert policy.eligible_kinds == ("employee", "student")
    assert policy.once_per_year is False
    assert policy.bands[0].action == ToLevel(level=2, if_held="next_level")
    assert policy.bands[0].cap_level is None


def test_null_counts_as_absent():
    policy = validate_policy({**SPEC_POLICY, "min_total": None, "student_bands": None})
    assert policy.min_total is None and policy.student_bands == ()
    assert validate_policy(with_band(0, cap_level=None)).bands[0].cap_level is None


@pytest.mark.parametrize("ranks", [[0, 3], [3, 1], [1], [1, 2, 3], "1-3", [1.0, 3], [True, 2], [-1, 2], {}])
def test_bad_ranks_name_the_band(ranks):
    assert list(errors_of(with_band(1, ranks=ranks))) == ["bands.1.ranks"]


def test_ranks_of_a_single_place_are_fine():
    assert validate_policy(with_band(1, ranks=[4, 4])).bands[1].ranks == (4, 4)


@pytest.mark.parametrize("percent", [0, -5, 101, "100.01", "abc", True, [30], "NaN"])
def test_bad_top_percent(percent):
    assert list(errors_of(with_band(2, top_percent=percent))) == ["bands.2.top_percent"]


@pytest.mark.parametrize("percent", [100, "0.01", 12.5, "50"])
def test_good_top_percent(percent):
    validate_policy(with_band(2, top_percent=percent))


def test_band_needs_exactly_one_of_ranks_and_top_percent():
    assert "bands.0" in errors_of(with_band(0, top_percent=30))
    assert "bands.0" in errors_of(with_band(0, ranks=_DROP))


@pytest.mark.parametrize(("action", "path"), [
    ({}, "bands.0.action"),
    ({"to_level": 2, "raise_levels": 1}, "bands.0.action"),
    ({"raise_levels": 1, "raise_grades": 1}, "bands.0.action"),
    ({"if_held": "none"}, "bands.0.action"),
    ("to_level 2", "bands.0.action"),
    ({"to_level": 0}, "bands.0.action.to_level"),
    ({"to_level": 6}, "bands.0.action.to_level"),
    ({"to_level": "2"}, "bands.0.action.to_level"),
    ({"to_level": 2, "if_held": "maybe"}, "bands.0.action.if_held"),
    ({"raise_levels": 1, "if_held": "none"}, "bands.0.action.if_held"),
    ({"raise_levels": 0}, "bands.0.action.raise_levels"),
    ({"raise_levels": 6}, "bands.0.action.raise_levels"),
    ({"raise_grades": 0}, "bands.0.action.raise_grades"),
    ({"raise_grades": 1.5}, "bands.0.action.raise_grades"),
    ({"to_level": 2, "extra": 1}, "bands.0.action.extra"),
])
def test_bad_action(action, path):
    assert path in errors_of(with_band(0, action=action))


def test_missing_action():
    assert errors_of(with_band(0, action=_DROP)) == {"bands.0.action": ["Missing data for required field."]}


@pytest.mark.parametrize("cap", [0, 6, "1", True])
def test_bad_cap_level(cap):
    assert list(errors_of(with_band(0, cap_level=cap))) == ["bands.0.cap_level"]


@pytest.mark.parametrize("name", [_DROP, "", "   ", "x" * 201, 3])
def test_bad_band_name(name):
    assert list(errors_of(with_band(0, name=name))) == ["bands.0.name"]


def test_band_name_of_200_characters_is_fine():
    validate_policy(with_band(0, name="名" * 200))


@pytest.mark.parametrize("total", ["abc", "-1", -1, True, "1.00001", [60]])
def test_bad_min_total(total):
    assert list(errors_of({**SPEC_POLICY, "min_total": total})) == ["min_total"]


@pytest.mark.parametrize(("total", "expected"), [("60.00", "60.00"), (60, "60"), (59.5, "59.5"), ("0", "0")])
def test_min_total_accepts_decimal_strings_and_numbers(total, expected):
    assert str(validate_policy({**SPEC_POLICY, "min_total": total}).min_total) == expected


@pytest.mark.parametrize("kinds", [[], ["teacher"], "employee", ["employee", "employee"], [1]])
def test_bad_eligible_kinds(kinds):
    assert list(errors_of({**SPEC_POLICY, "eligible_kinds": kinds})) == ["eligible_kinds"]


def test_bad_once_per_year():
    assert list(errors_of({**SPEC_POLICY, "once_per_year": "yes"})) == ["once_per_year"]


def test_bands_are_required_and_not_empty():
    assert list(errors_of({"min_total": "60"})) == ["bands"]
    assert list(errors_of({"bands": []})) == ["bands"]
    assert list(errors_of({"bands": "前3名"})) == ["bands"]
    assert list(errors_of({"bands": ["前3名"]})) == ["bands.0"]


def test_student_band_errors_name_the_student_band():
    data = {**SPEC_POLICY, "student_bands": [{"name": "学生", "ranks": [2, 1], "action": {"to_level": 4}}]}
    assert list(errors_of(data)) == ["student_bands.0.ranks"]


def test_unknown_keys_are_rejected_at_every_depth():
    data = {**with_band(1, colour="red"), "comment": "x"}
    assert errors_of(data) == {"comment": ["Unknown field."], "bands.1.colour": ["Unknown field."]}


def test_not_an_object():
    assert errors_of([SPEC_POLICY]) == {"_schema": ["A promotion policy must be an object."]}


def test_all_problems_are_reported_together():
    data = {**with_band(0, ranks=[3, 1]), "once_per_year": 1, "min_total": "x"}
    data["bands"][2] = {**data["bands"][2], "cap_level": 9}
    assert set(errors_of(data)) == {"bands.0.ranks", "once_per_year", "min_total", "bands.2.cap_level"}
