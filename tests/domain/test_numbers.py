"""competition.domain.numbers: exact half-up rounding, decimal parsing and formatting."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from competition.domain.numbers import (
    DecimalFormatError,
    decimal_places,
    format_decimal,
    parse_decimal,
    round_half_up,
)

places = st.integers(min_value=0, max_value=6)


def reference_half_up(x: Decimal, n: int) -> Decimal:
    """The decimal module's own ROUND_HALF_UP, with ample precision."""
    with localcontext() as ctx:
        ctx.prec = 200
        return x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)


# --- round_half_up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "n", "expected"),
    [
        (Decimal("0.125"), 2, "0.13"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("0.5"), 0, "1"),
        (Decimal("1.5"), 0, "2"),
        (Decimal("0.135"), 2, "0.14"),
        (Decimal("88.125"), 2, "88.13"),
        (Decimal("88.124"), 2, "88.12"),
        (Decimal("-2.5"), 0, "-3"),
        (Fraction(1, 8), 2, "0.13"),
        (Fraction(5, 2), 0, "3"),
        (Fraction(14, 9), 2, "1.56"),
        (Fraction(22, 3), 2, "7.33"),
        (7, 2, "7.00"),
    ],
)
def test_half_up_not_half_even(value: Decimal | Fraction | int, n: int, expected: str) -> None:
    assert round_half_up(value, n) == Decimal(expected)
    assert str(round_half_up(value, n)) == expected


def test_python_round_would_be_wrong_here() -> None:
    """The reason this module exists: round() is half-even (and float 0.125 is inexact)."""
    assert round(Decimal("2.5")) == 2
    assert round_half_up(Decimal("2.5"), 0) == 3


def test_round_half_up_refuses_float_and_negative_places() -> None:
    with pytest.raises(TypeError):
        round_half_up(0.125, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        round_half_up(Decimal("1.5"), -1)


def test_round_half_up_ignores_context_precision() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        assert round_half_up(Decimal("123456.785"), 2) == Decimal("123456.79")


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12), places)
def test_round_half_up_matches_decimal_round_half_up(x: Decimal, n: int) -> None:
    assert round_half_up(x, n) == reference_half_up(x, n)


@given(
    st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=10**6),
    places,
)
def test_round_half_up_on_fractions_matches_decimal(x: Fraction, n: int) -> None:
    # Truncating n/d to 100 significant digits cannot move it across a half-way point at <= 6
    # places (a half-way miss is at least 1 / (2·d·10^6)), so ROUND_HALF_UP of it is the reference.
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 100, ROUND_DOWN
        truncated = Decimal(x.numerator) / Decimal(x.denominator)
    assert round_half_up(x, n) == reference_half_up(truncated, n)


@given(st.fractions(min_value=0, max_value=1000, max_denominator=10**4), places)
def test_round_half_up_is_within_half_a_unit(x: Fraction, n: int) -> None:
    rounded = Fraction(round_half_up(x, n))
    unit = Fraction(1, 10**n)
    assert -unit / 2 < rounded - x <= unit / 2


# --- parse_decimal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7.5", Decimal("7.5")),
        (" 7.50 ", Decimal("7.50")),
        (7, Decimal(7)),
        (Decimal("1.25"), Decimal("1.25")),
        (0.1, Decimal("0.1")),  # a JSON float is read through str(), never as binary
        (1e-2, Decimal("0.01")),
        ("1.500", Decimal("1.5")),  # trailing zeros are not decimal places
        ("-0", Decimal(0)),
        ("+3", Decimal(3)),
        (".5", Decimal("0.5")),
        ("1E1", Decimal(10)),
    ],
)
def test_parse_decimal_accepts(value: object, expected: Decimal) -> None:
    assert parse_decimal(value, max_places=2) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "not a decimal number"),
        ("", "not a decimal number"),
        ("1_000", "not a decimal number"),
        ("١٢", "not a decimal number"),  # non-ASCII digits
        ("1.2.3", "not a decimal number"),
        ("NaN", "finite"),
        ("-Infinity", "finite"),
        ("inf", "finite"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        (Decimal("sNaN"), "finite"),
        (True, "boolean"),
        (None, "not NoneType"),
        ([1], "not list"),
        ("1.234", "too many decimal places"),
        ("1e-3", "too many decimal places"),
        ("1" * 13, "too large"),
        ("1e20", "too large"),
        ("9" * 100, "not a decimal number"),
    ],
)
def test_parse_decimal_refuses(value: object, message: str) -> None:
    with pytest.raises(DecimalFormatError, match=message):
        parse_decimal(value, max_places=2)


def test_parse_decimal_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_decimal("x", max_places=2)


def test_parse_decimal_max_places_zero_message() -> None:
    with pytest.raises(DecimalFormatError, match="no decimals allowed"):
        parse_decimal("1.5", max_places=0)
    assert parse_decimal("2.0", max_places=0) == 2


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_parse_decimal_round_trips_strings(x: Decimal) -> None:
    assert parse_decimal(str(x), max_places=2) == x
    assert parse_decimal(format(x, "f"), max_places=2) == x


def test_decimal_places() -> None:
    assert decimal_places(Decimal("1.50")) == 1
    assert decimal_places(Decimal("1.05")) == 2
    assert decimal_places(Decimal("100")) == 0
    assert decimal_places(Decimal("1E+2")) == 0
    assert decimal_places(Decimal("0.000")) == 0


# --- format_decimal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "n", "expected"),
    [
        (Fraction(411, 5), 2, "82.20"),
        (Fraction(14, 9), 2, "1.56"),
        (Decimal(0), 2, "0.00"),
        (Decimal("0.0000001"), 2, "0.00"),
        (Decimal("1E+2"), 1, "100.0"),
        (Decimal("88.125"), 2, "88.13"),
        (Fraction(5, 2), 0, "3"),
    ],
)
def test_format_decimal(value: Decimal | Fraction, n: int, expected: str) -> None:
    assert format_decimal(value, n) == expected
