"""competition.domain.skill_structure: the skill-talent structure (promotion.md, "Skill-talent structure")."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from competition.domain.grades import EIGHT_GRADE_TEMPLATE
from competition.domain.skill_structure import (
    Certificate,
    Holding,
    Person,
    Proposal,
    figures,
    level_of,
    ratio,
    structure,
    total,
    with_proposals,
)

ELECTRICIAN, TURNER, WELDER = "6-31-01-03", "6-18-01-01", "6-18-02-04"


def employee(pid: int, *holdings: tuple[str, int | None]) -> Person:
    return Person(pid, "employee", tuple(Holding(code, level) for code, level in holdings))


def student(pid: int, *holdings: tuple[str, int | None]) -> Person:
    return Person(pid, "student", tuple(Holding(code, level) for code, level in holdings))


# --- the worked examples of the issue ---------------------------------------------------------------

def test_a_person_with_two_levels_counts_once_at_the_higher():
    """技师 (2) in one occupation and 高级工 (3) in another: one person, at level 2."""
    result = figures([employee(1, (ELECTRICIAN, 2), (TURNER, 3))]).to_dict()
    assert result["by_level"] == {"5": 0, "4": 0, "3": 0, "2": 1, "1": 0}
    assert result["skilled"] == 1 and result["people"] == 1 and result["none"] == 0
    assert result["high_skill"] == 1 and result["high_skill_ratio"] == "1.0000"
    # per occupation the person is at the level held there
    assert result["by_occupation"] == [
        {"occupation_code": TURNER, "by_level": {"5": 0, "4": 0, "3": 1, "2": 0, "1": 0}, "none": 0,
         "skilled": 1, "high_skill": 1, "high_skill_ratio": "1.0000"},
        {"occupation_code": ELECTRICIAN, "by_level": {"5": 0, "4": 0, "3": 0, "2": 1, "1": 0}, "none": 0,
         "skilled": 1, "high_skill": 1, "high_skill_ratio": "1.0000"},
    ]


def test_a_student_is_excluded():
    result = figures([student(1, (ELECTRICIAN, 1)), employee(2, (ELECTRICIAN, 5))]).to_dict()
    assert result["people"] == 1 and result["skilled"] == 1
    assert result["by_level"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 0}
    assert result["high_skill"] == 0 and result["high_skill_ratio"] == "0.0000"
    assert result["by_occupation"][0]["by_level"]["1"] == 0


def test_an_apprentice_without_a_level_is_in_none():
    """学徒工 is a grade without a national level; a person without any grade is in `none` too."""
    apprentice = level_of(EIGHT_GRADE_TEMPLATE, "apprentice")
    assert apprentice is None
    result = figures([employee(1, (ELECTRICIAN, apprentice)), employee(2)]).to_dict()
    assert result["none"] == 2 and result["skilled"] == 0 and result["people"] == 2
    assert result["by_level"] == {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0}
    assert result["by_occupation"] == [{"occupation_code": ELECTRICIAN,
                                        "by_level": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0}, "none": 1,
                                        "skilled": 0, "high_skill": 0, "high_skill_ratio": None}]


def test_a_zero_skilled_enterprise_has_a_null_ratio():
    assert figures([]).to_dict()["high_skill_ratio"] is None
    assert figures([]).to_dict()["skilled_ratio"] is None
    result = figures([employee(1), employee(2, (ELECTRICIAN, None))]).to_dict()
    assert result["skilled"] == 0 and result["high_skill_ratio"] is None and result["skilled_ratio"] == "0.0000"


def test_pending_proposals_move_exactly_the_people_proposed():
    people = [employee(1, (ELECTRICIAN, 4)), employee(2, (ELECTRICIAN, 4)), employee(3, (ELECTRICIAN, 3)),
              employee(4), employee(5, (TURNER, 5))]
    proposals = [Proposal(1, ELECTRICIAN, 3), Proposal(4, ELECTRICIAN, 5)]
    result = structure(people, proposals).to_dict()
    assert result["by_level"] == {"5": 1, "4": 2, "3": 1, "2": 0, "1": 0} and result["none"] == 1
    pending = result["pending"]
    assert pending["by_level"] == {"5": 2, "4": 1, "3": 2, "2": 0, "1": 0} and pending["none"] == 0
    assert pending["people"] == result["people"] == 5
    assert (result["high_skill_ratio"], pending["high_skill_ratio"]) == ("0.2500", "0.4000")
    moved = with_proposals(people, proposals)
    assert [p for p, q in zip(people, moved) if p != q] == [people[0], people[3]]


def test_a_person_with_several_proposals_counts_at_the_highest_they_would_hold():
    people = [employee(1, (ELECTRICIAN, 4), (TURNER, 5))]
    proposals = [Proposal(1, ELECTRICIAN, 3), Proposal(1, TURNER, 2), Proposal(1, WELDER, 4)]
    pending = structure(people, proposals).to_dict()["pending"]
    assert pending["by_level"] == {"5": 0, "4": 0, "3": 0, "2": 1, "1": 0} and pending["people"] == 1
    assert [(o["occupation_code"], o["by_level"]) for o in pending["by_occupation"]] == [
        (TURNER, {"5": 0, "4": 0, "3": 0, "2": 1, "1": 0}),
        (WELDER, {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0}),
        (ELECTRICIAN, {"5": 0, "4": 0, "3": 1, "2": 0, "1": 0})]


def test_a_proposal_of_a_student_or_a_stranger_changes_nothing():
    people = [student(1, (ELECTRICIAN, 5)), employee(2, (ELECTRICIAN, 5))]
    result = structure(people, [Proposal(1, ELECTRICIAN, 3), Proposal(99, ELECTRICIAN, 1)]).to_dict()
    assert result["pending"]["by_level"] == result["by_level"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 0}


def test_ratio_is_rounded_half_up_to_four_places():
    assert ratio(4, 13) == "0.3077"  # the spec's example
    assert ratio(1, 3) == "0.3333" and ratio(2, 3) == "0.6667"
    assert ratio(1, 32) == "0.0313"  # 0.03125: the half goes up
    assert ratio(3, 3) == "1.0000" and ratio(0, 7) == "0.0000" and ratio(0, 0) is None


def test_certificates_per_year_oldest_first():
    certificates = [Certificate(2026, 2), Certificate(2024, 3), Certificate(2026, 2), Certificate(2026, 1)]
    by_year = structure([], (), certificates).to_dict()["by_year"]
    assert by_year == [{"year": 2024, "by_level": {"5": 0, "4": 0, "3": 1, "2": 0, "1": 0}},
                       {"year": 2026, "by_level": {"5": 0, "4": 0, "3": 0, "2": 2, "1": 1}}]


def test_level_of_reads_a_grade_through_the_scheme():
    assert level_of(EIGHT_GRADE_TEMPLATE, "technician") == 2
    assert level_of(EIGHT_GRADE_TEMPLATE, "chief_technician") == 1
    assert level_of(EIGHT_GRADE_TEMPLATE, "no-such-grade") is None
    assert level_of(EIGHT_GRADE_TEMPLATE, None) is None


# --- properties ----------------------------------------------------------------------------------

levels = st.one_of(st.none(), st.integers(1, 5))
occupations = st.sampled_from([ELECTRICIAN, TURNER, WELDER])
people_lists = st.lists(
    st.tuples(st.sampled_from(["employee", "student"]),
              st.dictionaries(occupations, levels, max_size=3)),
    max_size=25,
).map(lambda rows: [Person(n, kind, tuple(Holding(c, lv) for c, lv in held.items()))
                    for n, (kind, held) in enumerate(rows, start=1)])
proposal_lists = st.lists(st.builds(Proposal, st.integers(1, 30), occupations, st.integers(1, 5)), max_size=10)


@settings(deadline=None)  # timing is not what these test; a loaded machine must not fail them
@given(people_lists)
def test_counts_sum_to_the_employees_counted(people):
    result = figures(people).to_dict()
    employees = [p for p in people if p.kind == "employee"]
    assert result["people"] == len(employees)
    assert sum(result["by_level"].values()) == result["skilled"]
    assert result["skilled"] + result["none"] == result["people"]
    assert result["high_skill"] == sum(result["by_level"][k] for k in ("3", "2", "1")) <= result["skilled"]
    for row in result["by_occupation"]:
        holders = [p for p in employees if any(h.occupation_code == row["occupation_code"] for h in p.holdings)]
        assert sum(row["by_level"].values()) + row["none"] == len(holders)


@settings(deadline=None)
@given(people_lists, proposal_lists)
def test_pending_never_lowers_anyone_and_keeps_the_headcount(people, proposals):
    result = structure(people, proposals).to_dict()
    pending = result["pending"]
    assert pending["people"] == result["people"]
    # at or above each level there are at least as many people as before
    for cut in range(1, 6):
        def above(fig, cut=cut):
            return sum(fig["by_level"][str(level)] for level in range(1, cut + 1))
        assert above(pending) >= above(result)
    assert pending["skilled"] >= result["skilled"]
    if not proposals:
        assert {k: v for k, v in pending.items()} == {k: v for k, v in result.items()
                                                      if k not in ("pending", "by_year")}


@settings(deadline=None)
@given(st.lists(st.tuples(people_lists, proposal_lists), max_size=5))
def test_the_total_is_the_sum_of_the_rows(enterprises):
    rows = [structure(people, proposals) for people, proposals in enterprises]
    summed = total(rows).to_dict()
    dicts = [row.to_dict() for row in rows]
    for key in ("people", "skilled", "none", "high_skill"):
        assert summed[key] == sum(d[key] for d in dicts)
        assert summed["pending"][key] == sum(d["pending"][key] for d in dicts)
    for level in ("5", "4", "3", "2", "1"):
        assert summed["by_level"][level] == sum(d["by_level"][level] for d in dicts)
    assert summed["high_skill_ratio"] == ratio(summed["high_skill"], summed["skilled"])
