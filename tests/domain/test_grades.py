"""competition.domain.grades and levels: enterprise grade schemes (promotion.md, "Enterprise grade scheme")."""

from __future__ import annotations

import pytest

from competition.domain.grades import (
    EIGHT_GRADE_TEMPLATE,
    Grade,
    GradeScheme,
    GradeSchemeError,
    removed_grades,
    validate_grade_scheme,
)
from competition.domain.levels import NO_LEVEL, effective_level, is_national_level, level_label


def g(code: str, level: int | None, appointed_only: bool = False, name: str | None = None) -> dict:
    return {"code": code, "name": name or code, "national_level": level, "appointed_only": appointed_only}


BASIC = [g("l5", 5), g("l4", 4), g("l3", 3), g("l2", 2), g("l1", 1)]


def errors_of(grades: object) -> list[dict]:
    with pytest.raises(GradeSchemeError) as caught:
        validate_grade_scheme(grades)
    return caught.value.errors


def named(grades: object) -> set:
    return {error["grade"] for error in errors_of(grades)}


# --------------------------------------------------------------------------------------------------
# levels

def test_level_labels():
    assert [level_label(level) for level in (5, 4, 3, 2, 1)] == [
        "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]


@pytest.mark.parametrize("value", [0, 6, None, True, "2", 2.0])
def test_not_a_level(value):
    assert not is_national_level(value)
    with pytest.raises(ValueError):
        level_label(value)


def test_no_level_counts_as_below_level_5():
    assert effective_level(None) == NO_LEVEL == 6
    assert effective_level(5) == 5


# --------------------------------------------------------------------------------------------------
# the 新八级 template

def test_eight_grade_template_is_the_spec_ladder():
    assert [(grade.name, grade.national_level, grade.appointed_only) for grade in EIGHT_GRADE_TEMPLATE.grades] == [
        ("学徒工", None, False), ("初级工", 5, False), ("中级工", 4, False), ("高级工", 3, False),
        ("技师", 2, False), ("高级技师", 1, False), ("特级技师", 1, True), ("首席技师", 1, True),
    ]
    assert EIGHT_GRADE_TEMPLATE.codes() == (
        "apprentice", "junior", "intermediate", "senior", "technician", "senior_technician",
        "special_technician", "chief_technician")


def test_eight_grade_template_validates():
    assert validate_grade_scheme(EIGHT_GRADE_TEMPLATE.to_dicts()) == EIGHT_GRADE_TEMPLATE


def test_scheme_lookups():
    scheme = EIGHT_GRADE_TEMPLATE
    assert scheme.index("apprentice") == 0 and scheme.index("chief_technician") == 7
    assert scheme.get("technician") == Grade("technician", "技师", 2)
    assert [scheme.entry_grade(level).code for level in (5, 4, 3, 2, 1)] == [
        "junior", "intermediate", "senior", "technician", "senior_technician"]
    assert len(scheme) == 8
    with pytest.raises(KeyError):
        scheme.index("nope")


def test_entry_grade_is_the_lowest_grade_of_a_level_with_sub_levels():
    scheme = validate_grade_scheme([g("l5", 5), g("l4", 4), g("l3", 3), g("tech_1", 2, name="技师一档"),
                                    g("tech_2", 2, name="技师二档"), g("l1", 1)])
    assert scheme.entry_grade(2).code == "tech_1"
    assert scheme.index("tech_1") < scheme.index("tech_2")


# --------------------------------------------------------------------------------------------------
# validation rules, each naming the offending grade

def test_smallest_valid_scheme_is_one_grade_per_level():
    assert validate_grade_scheme(BASIC).codes() == ("l5", "l4", "l3", "l2", "l1")


def test_appointed_only_defaults_to_false():
    scheme = validate_grade_scheme([{"code": grade["code"], "name": grade["name"],
                                     "national_level": grade["national_level"]} for grade in BASIC])
    assert not any(grade.appointed_only for grade in scheme.grades)


def test_duplicate_codes_are_named():
    errors = errors_of(BASIC + [g("l1", 1)])
    assert errors == [{"grade": "l1", "message": "duplicate code: grade codes must be unique"}]


@pytest.mark.parametrize("missing", [5, 4, 3, 2, 1])
def test_each_level_5_to_1_needs_a_grade(missing):
    grades = [grade for grade in BASIC if grade["national_level"] != missing]
    [error] = errors_of(grades)
    assert error["grade"] is None
    assert f"national level {missing}" in error["message"] and level_label(missing) in error["message"]


def test_empty_scheme_misses_every_level():
    assert len(errors_of([])) == 5


def test_levels_never_go_down_along_the_order():
    grades = [g("l5", 5), g("l3", 3), g("l4", 4), g("l2", 2), g("l1", 1)]
    [error] = errors_of(grades)
    assert error["grade"] == "l4" and "never go down" in error["message"]


def test_a_later_grade_below_an_earlier_higher_one_is_named():
    grades = [g("l5", 5), g("l4", 4), g("l3", 3), g("l2", 2), g("l1", 1), g("back", 3)]
    assert named(grades) == {"back"}


def test_null_level_grades_only_at_the_bottom():
    assert named([g("l5", 5), g("apprentice", None), *BASIC[1:]]) == {"apprentice"}
    assert validate_grade_scheme([g("a1", None), g("a2", None), *BASIC]).grades[1].national_level is None


def test_appointed_only_grades_only_at_the_top():
    grades = [*BASIC, g("special", 1, True), g("l1_plus", 1)]
    [error] = errors_of(grades)
    assert error["grade"] == "special" and "at the top" in error["message"]


def test_appointed_only_grades_map_to_level_1():
    grades = [g("l5", 5), g("l4", 4), g("l3", 3), g("l2", 2), g("l1", 1)]
    assert named([*grades[:4], g("appointed_2", 2, True), grades[4]]) == {"appointed_2"}
    assert named([*grades, g("appointed_none", None, True)]) == {"appointed_none"}


def test_level_1_needs_a_grade_competition_can_reach():
    grades = [*BASIC[:4], g("special", 1, True), g("chief", 1, True)]
    [error] = errors_of(grades)
    assert error["grade"] == "special" and "appointed_only" in error["message"]


@pytest.mark.parametrize(("grade", "problem"), [
    ({"name": "x", "national_level": 5}, "code"),
    ({"code": "", "name": "x", "national_level": 5}, "code"),
    ({"code": "x" * 33, "name": "x", "national_level": 5}, "code"),
    ({"code": " l5", "name": "x", "national_level": 5}, "code"),
    ({"code": 5, "name": "x", "national_level": 5}, "code"),
    ({"code": "l5", "national_level": 5}, "name"),
    ({"code": "l5", "name": "", "national_level": 5}, "name"),
    ({"code": "l5", "name": "  ", "national_level": 5}, "name"),
    ({"code": "l5", "name": "x" * 201, "national_level": 5}, "name"),
    ({"code": "l5", "name": "x", "national_level": 0}, "national_level"),
    ({"code": "l5", "name": "x", "national_level": 6}, "national_level"),
    ({"code": "l5", "name": "x", "national_level": "5"}, "national_level"),
    ({"code": "l5", "name": "x", "national_level": True}, "national_level"),
    ({"code": "l5", "name": "x", "national_level": 5, "appointed_only": "no"}, "appointed_only"),
    ({"code": "l5", "name": "x", "national_level": 5, "colour": "red"}, "colour"),
])
def test_shape_errors_name_the_grade(grade, problem):
    [error] = errors_of([grade, *BASIC[1:]])
    assert error["grade"] == (grade["code"] if problem not in ("code",) else 0)
    assert problem in error["message"]


def test_shape_limits_are_inclusive():
    scheme = validate_grade_scheme([g("c" * 32, 5, name="名" * 200), *BASIC[1:]])
    assert scheme.grades[0].code == "c" * 32


def test_not_a_list():
    not_a_list = [{"grade": None, "message": "grades must be a list, lowest grade first"}]
    assert errors_of({"grades": BASIC}) == not_a_list
    assert errors_of("l5,l4") == not_a_list


def test_a_grade_that_is_not_an_object_is_named_by_position():
    assert errors_of([*BASIC, "l0"]) == [{"grade": 5, "message": "each grade must be an object"}]


def test_every_structure_problem_is_reported():
    grades = [g("l5", 5), g("top", 1, True), g("l5", 4), g("low", None), g("l2", 2)]
    messages = {(error["grade"], error["message"].split(" ")[0]) for error in errors_of(grades)}
    assert ("l5", "duplicate") in messages
    assert (None, "no") in messages  # levels 3 and 1 missing
    assert ("low", "a") in messages  # null level above the bottom
    assert ("top", "appointed_only") in messages  # below regular grades


def test_scheme_error_message_is_readable():
    with pytest.raises(GradeSchemeError, match="l4: national level 4"):
        validate_grade_scheme([g("l5", 5), g("l3", 3), g("l4", 4), g("l2", 2), g("l1", 1)])


# --------------------------------------------------------------------------------------------------
# removed grades (a held grade cannot be deleted: 409 naming it)

def test_removed_grades():
    new = validate_grade_scheme([g(grade.code, grade.national_level, grade.appointed_only, grade.name)
                                 for grade in EIGHT_GRADE_TEMPLATE.grades if grade.code != "apprentice"]
                                + [g("master", 1, True)])
    assert removed_grades(EIGHT_GRADE_TEMPLATE, new) == {"apprentice"}
    assert removed_grades(new, EIGHT_GRADE_TEMPLATE) == {"master"}
    assert removed_grades(EIGHT_GRADE_TEMPLATE, EIGHT_GRADE_TEMPLATE) == set()


def test_scheme_is_immutable():
    with pytest.raises(AttributeError):
        EIGHT_GRADE_TEMPLATE.grades = ()  # type: ignore[misc]
    assert isinstance(EIGHT_GRADE_TEMPLATE, GradeScheme)
