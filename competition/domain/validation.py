"""Validating submitted documents (promotion policies, award schemes): errors collected by dotted path
("bands.1.ranks", "awards.0.top_percent"), so that one 422 names every problem at once."""
from __future__ import annotations

from decimal import Decimal

from competition.domain.numbers import DecimalFormatError, parse_decimal


class FieldErrors(dict[str, list[str]]):
    """Messages by dotted path."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)


def is_int(value: object) -> bool:
    """An integer, and not a boolean (JSON's true is no rank)."""
    return isinstance(value, int) and not isinstance(value, bool)


def rank_range(value: object, path: str, errors: FieldErrors, *, highest: int | None = None) -> tuple[int, int] | None:
    """``[a, b]``, integers with 1 <= a <= b (<= ``highest`` when given)."""
    if (isinstance(value, list) and len(value) == 2 and all(is_int(rank) for rank in value)
            and 1 <= value[0] <= value[1] and (highest is None or value[1] <= highest)):
        return value[0], value[1]
    errors.add(path, "Must be [a, b], integers with 1 <= a <= b.")
    return None


def percent(value: object, path: str, errors: FieldErrors) -> Decimal | None:
    """A share of the ranked, more than 0 and at most 100, with at most two decimals."""
    try:
        share = parse_decimal(value, max_places=2, max_integer_digits=3)
    except DecimalFormatError as exc:
        errors.add(path, f"Must be a number: {exc}.")
        return None
    if not 0 < share <= 100:
        errors.add(path, "Must be more than 0 and at most 100.")
        return None
    return share
