"""Exact decimal helpers (scoring.md: exact arithmetic, rounding always half-up, never float).

Python's ``round()`` rounds half to even and floats are inexact, so neither is used here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "DecimalFormatError",
    "decimal_places",
    "format_decimal",
    "parse_decimal",
    "round_half_up",
]

# A plain decimal literal with ASCII digits; JSON numbers and ``str(float)`` may carry an exponent
# (kept short: a huge exponent is never a mark).
_DECIMAL_LITERAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?", re.ASCII)
_MAX_LITERAL_LENGTH = 64


class DecimalFormatError(ValueError):
    """A value that is not an acceptable decimal number; the message says why."""


def round_half_up(x: Decimal | Fraction | int, places: int) -> Decimal:
    """Round ``x`` exactly to ``places`` decimals, halves away from zero (四舍五入).

    Matches ``Decimal.quantize(..., ROUND_HALF_UP)`` but also takes a ``Fraction`` without ever
    going through ``float``, and does not depend on the decimal context's precision.
    """
    if isinstance(x, (float, bool)) or not isinstance(x, (Decimal, Fraction, int)):
        raise TypeError(f"round_half_up takes Decimal, Fraction or int, not {type(x).__name__}")
    if places < 0:
        raise ValueError("places must be >= 0")
    numerator, denominator = x.as_integer_ratio()  # exact; NaN and Infinity raise here
    digits = (abs(numerator) * 10**places * 2 + denominator) // (denominator * 2)  # floor(|x|·10^p + 1/2)
    sign = "-" if numerator < 0 and digits else ""
    return Decimal(f"{sign}{digits}E-{places}")  # exact whatever the context's precision


def decimal_places(d: Decimal) -> int:
    """Number of decimals ``d`` really needs: trailing zeros do not count ("1.50" has 1)."""
    _sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        raise DecimalFormatError("not a finite number")
    significant = list(digits)
    while exponent < 0 and len(significant) > 1 and significant[-1] == 0:
        significant.pop()
        exponent += 1
    return max(0, -exponent) if any(significant) else 0


def parse_decimal(value: object, *, max_places: int, max_integer_digits: int = 12) -> Decimal:
    """Parse an API input (a string, an int, a Decimal, or a JSON float) into an exact Decimal.

    api.md: marks travel as decimal strings and inputs accept a string or a JSON number. A float is
    read through ``str(value)`` (its shortest repr, "0.1" not 0.1000000000000000055...).
    Refuses non-numbers, NaN/Infinity, more than ``max_places`` decimals and numbers with more than
    ``max_integer_digits`` digits before the point, with a ``DecimalFormatError``.
    """
    if isinstance(value, bool):
        raise DecimalFormatError("must be a number, not a boolean")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DecimalFormatError("must be a finite number (no NaN or Infinity)")
        text = format(value, "f")
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise DecimalFormatError(f"must be a number or a decimal string, not {type(value).__name__}")
    if len(text) > _MAX_LITERAL_LENGTH or not _DECIMAL_LITERAL.fullmatch(text):
        if text.lower().lstrip("+-") in {"nan", "inf", "infinity", "snan"}:
            raise DecimalFormatError("must be a finite number (no NaN or Infinity)")
        raise DecimalFormatError(f"not a decimal number: {text[:_MAX_LITERAL_LENGTH]!r}")
    number = Decimal(text)
    if number.is_zero():
        return Decimal(0)
    if number.adjusted() >= max_integer_digits:
        raise DecimalFormatError(f"too large: at most {max_integer_digits} digits before the point")
    places = decimal_places(number)
    if places > max_places:
        allowed = "no decimals" if max_places == 0 else f"at most {max_places} decimal places"
        raise DecimalFormatError(f"too many decimal places: {allowed} allowed")
    return number


def format_decimal(d: Decimal | Fraction, places: int) -> str:
    """Round half-up to ``places`` and print as fixed-point, e.g. ``format_decimal(x, 2) == "82.20"``."""
    return format(round_half_up(d, places), "f")
