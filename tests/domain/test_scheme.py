"""competition.domain.scheme: build_scheme validation (api.md PUT marking-scheme) and helpers."""

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, strategies as st

from competition.domain.scheme import (
    AspectDef,
    MarkingScheme,
    SchemeError,
    build_scheme,
    scheme_to_dict,
)

ASPECT = "components.0.modules.0.aspects.0"


def aspect(code: str = "A1", type_: str = "measurement", max_mark: Any = "10", **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": f"aspect {code}", "type": type_, "max_mark": max_mark, **extra}


def body(*aspects: dict[str, Any]) -> dict[str, Any]:
    """One component of weight 100 with one module holding ``aspects``."""
    return {
        "components": [
            {
                "code": "P",
                "name": "操作技能",
                "weight": 100,
                "modules": [{"code": "MA", "name": "模块A 安装", "aspects": list(aspects) or [aspect()]}],
            }
        ]
    }


def two_components() -> dict[str, Any]:
    return {
        "components": [
            {
                "code": "T",
                "name": "理论知识",
                "weight": "30",
                "modules": [{"code": "T1", "name": "笔试", "aspects": [aspect("T1.1", max_mark=100)]}],
            },
            {
                "code": "P",
                "name": "操作技能",
                "weight": 70,
                "modules": [
                    {"code": "MA", "name": "模块A", "aspects": [aspect("A1"), aspect("A2", "judgement", "2.00")]},
                    {"code": "MB", "name": "模块B", "aspects": [aspect("B1", "panel", "20", aggregate="median")]},
                ],
            },
        ]
    }


def errors_of(data: Any) -> dict[str, list[str]]:
    with pytest.raises(SchemeError) as info:
        build_scheme(data)
    return info.value.errors


def assert_error(data: Any, path: str, fragment: str) -> None:
    errors = errors_of(data)
    assert path in errors, errors
    assert any(fragment in message for message in errors[path]), errors[path]


# --- a valid scheme, defaults and helpers ----------------------------------------------------


def test_valid_scheme_and_helpers() -> None:
    scheme = build_scheme(two_components())
    assert [c.code for c in scheme.components] == ["T", "P"]
    assert scheme.components[0].weight == Decimal(30)
    assert [(c.code, m.code, a.code) for c, m, a in scheme.aspects()] == [
        ("T", "T1", "T1.1"),
        ("P", "MA", "A1"),
        ("P", "MA", "A2"),
        ("P", "MB", "B1"),
    ]
    assert [m.code for _, m in scheme.modules()] == ["T1", "MA", "MB"]
    assert scheme.aspect("A2").max_mark == Decimal("2.00")
    assert scheme.module_of("B1").code == "MB"
    assert scheme.component_of("B1").code == "P"
    assert scheme.component_of_module("MA").code == "P"
    assert scheme.module("MA").max_mark == Decimal(12)
    assert scheme.component_max("P") == Decimal(32)
    assert scheme.component_max("T") == Decimal(100)
    assert scheme.module_max("MB") == Decimal(20)
    assert scheme.aspect_count == 4
    with pytest.raises(KeyError):
        scheme.aspect("nope")
    with pytest.raises(KeyError):
        scheme.component_max("nope")


def test_judgement_defaults_panel_of_three_and_spread_one() -> None:
    a = build_scheme(body(aspect(type_="judgement"))).aspect("A1")
    assert (a.panel_size, a.aggregate, a.trim, a.max_spread) == (3, None, 0, Decimal(1))


def test_panel_defaults_five_trimmed_trim_one() -> None:
    a = build_scheme(body(aspect(type_="panel"))).aspect("A1")
    assert (a.panel_size, a.aggregate, a.trim, a.max_spread) == (5, "trimmed", 1, None)


def test_measurement_has_panel_size_one() -> None:
    a = build_scheme(body(aspect(type_="measurement"))).aspect("A1")
    assert (a.panel_size, a.aggregate, a.trim, a.max_spread) == (1, None, 0, None)
    assert build_scheme(body(aspect(panel_size=1))).aspect("A1").panel_size == 1


def test_explicit_settings_are_kept() -> None:
    scheme = build_scheme(
        body(
            aspect("J", "judgement", panel_size=5, max_spread="1.5"),
            aspect("P", "panel", panel_size=7, trim=2, max_spread=2),
            aspect("M", "panel", aggregate="mean", panel_size="4"),
            aspect("D", description="  tolerance ±0.5 mm  "),
        )
    )
    assert scheme.aspect("J").panel_size == 5 and scheme.aspect("J").max_spread == Decimal("1.5")
    assert (scheme.aspect("P").panel_size, scheme.aspect("P").trim) == (7, 2)
    assert (scheme.aspect("M").aggregate, scheme.aspect("M").panel_size, scheme.aspect("M").trim) == ("mean", 4, 0)
    assert scheme.aspect("D").description == "tolerance ±0.5 mm"


def test_null_means_not_given() -> None:
    a = build_scheme(body(aspect(type_="panel", panel_size=None, aggregate=None, trim=None))).aspect("A1")
    assert (a.panel_size, a.aggregate, a.trim) == (5, "trimmed", 1)


def test_float_weights_are_exact() -> None:
    data = two_components()
    data["components"][0]["weight"] = 33.33
    data["components"][1]["weight"] = 66.67  # 33.33 + 66.67 is 100.00000000000001 in float
    assert sum(c.weight for c in build_scheme(data).components) == 100


def test_module_may_share_a_code_with_a_component() -> None:
    data = body()
    data["components"][0]["modules"][0]["code"] = "P"
    assert build_scheme(data).module("P").code == "P"


def test_codes_are_ascii_letters_digits_dot_underscore_and_dash() -> None:
    """api.md: codes are 1-32 characters of A-Z a-z 0-9 . _ - (names carry the Chinese)."""
    assert build_scheme(body(aspect("A-1.b_2"))).aspect("A-1.b_2").code == "A-1.b_2"
    for bad in ("模块A-1", "A 1", "A/1", "A" * 33):
        with pytest.raises(SchemeError) as refused:
            build_scheme(body(aspect(bad)))
        assert "components.0.modules.0.aspects.0.code" in str(refused.value)


def test_round_trip_through_dict_and_json() -> None:
    scheme = build_scheme(two_components())
    as_dict = scheme_to_dict(scheme)
    assert build_scheme(json.loads(json.dumps(as_dict))) == scheme
    judgement = as_dict["components"][1]["modules"][0]["aspects"][1]
    assert judgement == {
        "code": "A2",
        "name": "aspect A2",
        "type": "judgement",
        "max_mark": "2.00",
        "panel_size": 3,
        "aggregate": None,
        "trim": None,
        "max_spread": "1",
        "description": "",
    }


aspect_strategy = st.one_of(
    st.builds(aspect, type_=st.just("measurement"), max_mark=st.sampled_from(["0.01", "5", "12.5", "100"])),
    st.builds(
        aspect,
        type_=st.just("judgement"),
        max_mark=st.sampled_from(["1", "2.00", "3.5"]),
        panel_size=st.integers(1, 7),
        max_spread=st.sampled_from(["0", "1", "2.5"]),
    ),
    st.builds(
        aspect,
        type_=st.just("panel"),
        max_mark=st.sampled_from(["10", "9.99"]),
        panel_size=st.integers(5, 9),
        trim=st.integers(1, 2),
    ),
    st.builds(aspect, type_=st.just("panel"), aggregate=st.sampled_from(["mean", "median"])),
)


@given(st.lists(aspect_strategy, min_size=1, max_size=6))
def test_round_trip_property(aspects: list[dict[str, Any]]) -> None:
    for i, a in enumerate(aspects):
        a["code"] = f"A{i}"
    scheme = build_scheme(body(*aspects))
    assert build_scheme(scheme_to_dict(scheme)) == scheme


def test_scheme_is_frozen() -> None:
    scheme = build_scheme(body())
    with pytest.raises(AttributeError):
        scheme.components = ()  # type: ignore[misc]
    assert isinstance(scheme.aspect("A1"), AspectDef)
    assert isinstance(scheme, MarkingScheme)


# --- validation: every rule with its error path --------------------------------------------


def test_body_must_be_an_object() -> None:
    assert_error([], "_schema", "must be an object")


def test_unknown_fields_are_refused_at_every_level() -> None:
    data = body(aspect(colour="red"))
    data["extra"] = 1
    data["components"][0]["extra"] = 1
    data["components"][0]["modules"][0]["extra"] = 1
    errors = errors_of(data)
    for path in ("extra", "components.0.extra", "components.0.modules.0.extra", f"{ASPECT}.colour"):
        assert errors[path] == ["unknown field"]


def test_components_required_list_non_empty() -> None:
    assert_error({}, "components", "required")
    assert_error({"components": "x"}, "components", "must be a list")
    assert_error({"components": []}, "components", "at least one component")
    assert_error({"components": [1]}, "components.0", "must be an object")


def test_empty_modules_and_aspects_refused() -> None:
    data = body()
    data["components"][0]["modules"][0]["aspects"] = []
    assert_error(data, "components.0.modules.0.aspects", "at least one aspect")
    data["components"][0]["modules"] = []
    assert_error(data, "components.0.modules", "at least one module")
    del data["components"][0]["modules"]
    assert_error(data, "components.0.modules", "required")


def test_weights_must_sum_to_100() -> None:
    data = two_components()
    data["components"][1]["weight"] = "69.99"
    assert_error(data, "components", "must sum to 100 (they sum to 99.99)")


def test_weight_rules() -> None:
    for value, message in [(0, "greater than 0"), ("-5", "greater than 0"), ("33.333", "decimal places"),
                           ("abc", "not a decimal number"), (None, "required"), (True, "boolean")]:
        data = body()
        data["components"][0]["weight"] = value
        assert_error(data, "components.0.weight", message)


def test_duplicate_component_codes() -> None:
    data = two_components()
    data["components"][1]["code"] = "T"
    assert_error(data, "components.1.code", "duplicate component code 'T' (first used at components.0.code)")


def test_duplicate_module_codes_across_components() -> None:
    data = two_components()
    data["components"][1]["modules"][1]["code"] = "T1"
    assert_error(data, "components.1.modules.1.code", "duplicate module code 'T1'")


def test_duplicate_aspect_codes_across_modules() -> None:
    data = two_components()
    data["components"][1]["modules"][1]["aspects"][0]["code"] = "T1.1"
    assert_error(data, "components.1.modules.1.aspects.0.code", "duplicate aspect code 'T1.1'")


@pytest.mark.parametrize(
    ("code", "message"),
    [("", "1 to 32 characters"), ("X" * 33, "1 to 32 characters"), ("A 1", "only letters"),
     ("A/1", "only letters"), (7, "must be a string"), (None, "required")],
)
def test_code_rules(code: Any, message: str) -> None:
    for path, data in _at_every_level("code", code):
        assert_error(data, path, message)


def test_code_of_32_characters_is_fine() -> None:
    assert build_scheme(body(aspect("X" * 32))).aspect("X" * 32).max_mark == 10


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "must not be blank"), ("   ", "must not be blank"), ("名" * 201, "at most 200 characters"),
     (3, "must be a string"), (None, "required")],
)
def test_name_rules(name: Any, message: str) -> None:
    for path, data in _at_every_level("name", name):
        assert_error(data, path, message)


def test_name_of_200_characters_is_fine() -> None:
    assert build_scheme(body(aspect(name="名" * 200))).aspect("A1").name == "名" * 200


def test_description_limit() -> None:
    assert_error(body(aspect(description="x" * 2001)), f"{ASPECT}.description", "at most 2000 characters")
    assert build_scheme(body(aspect(description="x" * 2000))).aspect("A1").description == "x" * 2000


@pytest.mark.parametrize("type_", ["subjective", "Judgement", "", 1])
def test_bad_type(type_: Any) -> None:
    assert_error(body(aspect(type_=type_)), f"{ASPECT}.type", "must be one of: measurement, judgement, panel")


def test_missing_type() -> None:
    a = aspect()
    del a["type"]
    assert_error(body(a), f"{ASPECT}.type", "required")


@pytest.mark.parametrize(
    ("max_mark", "message"),
    [(0, "greater than 0"), ("0.00", "greater than 0"), (-1, "greater than 0"), ("1.005", "decimal places"),
     ("ten", "not a decimal number"), ("NaN", "finite"), (None, "required")],
)
def test_max_mark_rules(max_mark: Any, message: str) -> None:
    for type_ in ("measurement", "judgement", "panel"):
        assert_error(body(aspect(type_=type_, max_mark=max_mark)), f"{ASPECT}.max_mark", message)


def test_max_mark_two_decimals_is_fine() -> None:
    assert build_scheme(body(aspect(max_mark="0.01"))).aspect("A1").max_mark == Decimal("0.01")


def test_trimmed_panel_needs_more_than_twice_trim() -> None:
    assert_error(body(aspect(type_="panel", panel_size=2)), f"{ASPECT}.trim", "panel_size must be more than 2")
    assert_error(body(aspect(type_="panel", panel_size=4, trim=2)), f"{ASPECT}.trim", "more than 4 (it is 4)")
    assert build_scheme(body(aspect(type_="panel", panel_size=3))).aspect("A1").trim == 1
    assert build_scheme(body(aspect(type_="panel", panel_size=5, trim=2))).aspect("A1").trim == 2


def test_trim_rules() -> None:
    assert_error(body(aspect(type_="panel", trim=0)), f"{ASPECT}.trim", "between 1 and")
    assert_error(body(aspect(type_="panel", trim="one")), f"{ASPECT}.trim", "whole number")
    assert_error(body(aspect(type_="panel", aggregate="mean", trim=1)), f"{ASPECT}.trim", "only to aggregate 'trimmed'")


def test_bad_aggregate() -> None:
    assert_error(body(aspect(type_="panel", aggregate="mode")), f"{ASPECT}.aggregate", "mean, median, trimmed")


@pytest.mark.parametrize(
    ("panel_size", "message"),
    [(0, "between 1 and 50"), (51, "between 1 and 50"), (True, "whole number"), (2.5, "whole number"),
     ("3.0", "whole number"), (-1, "between 1 and 50")],
)
def test_panel_size_rules(panel_size: Any, message: str) -> None:
    for type_ in ("judgement", "panel"):
        assert_error(body(aspect(type_=type_, panel_size=panel_size)), f"{ASPECT}.panel_size", message)


def test_measurement_panel_size_must_be_one() -> None:
    assert_error(body(aspect(panel_size=2)), f"{ASPECT}.panel_size", "panel_size must be 1")
    assert_error(body(aspect(panel_size=True)), f"{ASPECT}.panel_size", "panel_size must be 1")


@pytest.mark.parametrize(
    ("type_", "field", "value"),
    [("measurement", "aggregate", "mean"), ("measurement", "trim", 1), ("measurement", "max_spread", 1),
     ("judgement", "aggregate", "mean"), ("judgement", "trim", 1)],
)
def test_settings_that_do_not_apply_are_refused(type_: str, field: str, value: Any) -> None:
    assert_error(body(aspect(type_=type_, **{field: value})), f"{ASPECT}.{field}", f"not used by {type_} aspects")


@pytest.mark.parametrize(("value", "message"), [("-1", "must not be negative"), ("0.125", "decimal places"),
                                                ("x", "not a decimal number")])
def test_max_spread_rules(value: str, message: str) -> None:
    for type_ in ("judgement", "panel"):
        assert_error(body(aspect(type_=type_, max_spread=value)), f"{ASPECT}.max_spread", message)


def test_zero_max_spread_is_allowed() -> None:
    assert build_scheme(body(aspect(type_="panel", max_spread=0))).aspect("A1").max_spread == 0


def test_all_errors_are_reported_together() -> None:
    data = two_components()
    data["components"][0]["name"] = ""
    data["components"][1]["modules"][0]["aspects"][1]["max_mark"] = "-2"
    data["components"][1]["modules"][1]["aspects"][0]["aggregate"] = "mode"
    errors = errors_of(data)
    assert set(errors) == {
        "components.0.name",
        "components.1.modules.0.aspects.1.max_mark",
        "components.1.modules.1.aspects.0.aggregate",
    }


def test_weight_sum_is_checked_even_when_something_else_is_wrong() -> None:
    data = two_components()
    data["components"][0]["weight"] = 20
    data["components"][0]["name"] = ""
    assert set(errors_of(data)) == {"components", "components.0.name"}


def test_scheme_error_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="components: must list at least one component"):
        build_scheme({"components": []})


def _at_every_level(field: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(path, body)`` pairs with ``field`` set to ``value`` on the component, module and aspect."""
    cases = []
    for path in ("components.0", "components.0.modules.0", ASPECT):
        data = copy.deepcopy(body())
        node: Any = data
        for part in path.split("."):
            node = node[int(part)] if part.isdigit() else node[part]
        node[field] = value
        cases.append((f"{path}.{field}", data))
    return cases
