"""Enterprise grade schemes (promotion.md, "Enterprise grade scheme").

A scheme is an ordered list of grades, lowest first. Each grade maps to a national level (1..5), or
to none for grades below level 5 such as 学徒工, and may be ``appointed_only`` (特级技师, 首席技师:
reached by appointment 评聘, never by competition). Several grades may share one level (技师一档 <
技师二档); a level's *entry grade* is its lowest grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from competition.domain.levels import LEVEL_NAMES, NATIONAL_LEVELS, is_national_level

__all__ = [
    "CODE_MAX_LENGTH",
    "EIGHT_GRADE_TEMPLATE",
    "NAME_MAX_LENGTH",
    "Grade",
    "GradeScheme",
    "GradeSchemeError",
    "removed_grades",
    "validate_grade_scheme",
]

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 200
_GRADE_KEYS = frozenset({"code", "name", "national_level", "appointed_only"})


@dataclass(frozen=True)
class Grade:
    code: str
    name: str
    national_level: int | None
    appointed_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "national_level": self.national_level,
            "appointed_only": self.appointed_only,
        }


@dataclass(frozen=True)
class GradeScheme:
    """An enterprise's grades, lowest first. Build it with ``validate_grade_scheme``."""

    grades: tuple[Grade, ...]

    def __len__(self) -> int:
        return len(self.grades)

    def index(self, code: str) -> int:
        """Position of the grade ``code`` (0 = lowest); ``KeyError`` when the scheme has no such grade."""
        for position, grade in enumerate(self.grades):
            if grade.code == code:
                return position
        raise KeyError(code)

    def get(self, code: str) -> Grade:
        """The grade ``code``; ``KeyError`` when the scheme has no such grade."""
        return self.grades[self.index(code)]

    def codes(self) -> tuple[str, ...]:
        return tuple(grade.code for grade in self.grades)

    def entry_grade(self, level: int) -> Grade:
        """The lowest grade of national ``level``: the target grade of a level action (step 5)."""
        for grade in self.grades:
            if grade.national_level == level:
                return grade
        raise KeyError(f"no grade of national level {level}")

    def to_dicts(self) -> list[dict[str, Any]]:
        """The API/JSON form, lowest first, as accepted back by ``validate_grade_scheme``."""
        return [grade.to_dict() for grade in self.grades]


class GradeSchemeError(ValueError):
    """An invalid scheme (422). ``errors`` is a list of ``{"grade": code | index | None, "message": str}``.

    ``grade`` names the offending grade by its code, or by its 0-based position when it has no usable
    code; it is ``None`` for errors about the scheme as a whole (not a list, a national level missing).
    """

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['grade']}: {e['message']}" for e in errors))
        self.errors = errors


def validate_grade_scheme(grades: object) -> GradeScheme:
    """Check a submitted scheme against every rule of promotion.md and return it as a ``GradeScheme``.

    Shape (checked first, per grade): ``code`` a string of 1..32 characters, ``name`` 1..200
    characters, ``national_level`` an integer 1..5 or null, ``appointed_only`` a boolean (default
    false), no other keys. Then the structure rules, all reported together:
    codes unique; at least one grade for each of the levels 5..1; levels never go down along the
    order; null-level grades only at the bottom; ``appointed_only`` grades only at the top and mapped
    to level 1. Because a target grade is never ``appointed_only`` (step 5), level 1 also needs a
    grade that is not ``appointed_only``.
    """
    if not isinstance(grades, Sequence) or isinstance(grades, (str, bytes)):
        raise GradeSchemeError([_error(None, "grades must be a list, lowest grade first")])
    parsed: list[Grade] = []
    shape_errors: list[dict[str, Any]] = []
    for position, raw in enumerate(grades):
        grade, errors = _parse_grade(position, raw)
        shape_errors.extend(errors)
        if grade is not None:
            parsed.append(grade)
    if shape_errors:
        raise GradeSchemeError(shape_errors)
    structure_errors = _structure_errors(parsed)
    if structure_errors:
        raise GradeSchemeError(structure_errors)
    return GradeScheme(tuple(parsed))


def removed_grades(old: GradeScheme, new: GradeScheme) -> set[str]:
    """Codes of ``old`` missing from ``new``; a held one blocks the change (promotion.md: 409 naming it)."""
    return set(old.codes()) - set(new.codes())


def _error(grade: str | int | None, message: str) -> dict[str, Any]:
    return {"grade": grade, "message": message}


def _parse_grade(position: int, raw: object) -> tuple[Grade | None, list[dict[str, Any]]]:
    if not isinstance(raw, Mapping):
        return None, [_error(position, "each grade must be an object")]
    code = raw.get("code")
    valid_code = isinstance(code, str) and 0 < len(code) <= CODE_MAX_LENGTH and code.strip() == code
    label: str | int = code if valid_code and isinstance(code, str) else position
    errors = [_error(label, f"unknown field {key!r}") for key in sorted(map(str, raw.keys() - _GRADE_KEYS))]
    if not valid_code:
        errors.append(_error(label, f"code must be a string of 1..{CODE_MAX_LENGTH} characters "
                                    "without surrounding spaces"))
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        errors.append(_error(label, f"name must be a non-blank string of at most {NAME_MAX_LENGTH} "
                                    "characters"))
    level = raw.get("national_level")
    if level is not None and not is_national_level(level):
        errors.append(_error(label, "national_level must be an integer 1..5 or null"))
    appointed_only = raw.get("appointed_only", False)
    if not isinstance(appointed_only, bool):
        errors.append(_error(label, "appointed_only must be true or false"))
    if errors or not isinstance(code, str) or not isinstance(name, str):
        return None, errors
    return Grade(code=code, name=name.strip(), national_level=level, appointed_only=appointed_only), []


def _structure_errors(grades: list[Grade]) -> list[dict[str, Any]]:
    return [
        *_duplicate_codes(grades),
        *_missing_levels(grades),
        *_descending_levels(grades),
        *_unlevelled_above_bottom(grades),
        *_misplaced_appointed(grades),
        *_unreachable_level_1(grades),
    ]


def _duplicate_codes(grades: list[Grade]) -> list[dict[str, Any]]:
    """Codes unique."""
    seen: set[str] = set()
    errors = []
    for grade in grades:
        if grade.code in seen:
            errors.append(_error(grade.code, "duplicate code: grade codes must be unique"))
        seen.add(grade.code)
    return errors


def _missing_levels(grades: list[Grade]) -> list[dict[str, Any]]:
    """At least one grade for each of the levels 5..1 (no grade to name: ``grade`` is None)."""
    present = {grade.national_level for grade in grades}
    return [_error(None, f"no grade for national level {level} ({LEVEL_NAMES[level]})")
            for level in NATIONAL_LEVELS if level not in present]


def _descending_levels(grades: list[Grade]) -> list[dict[str, Any]]:
    """Levels never go down along the order: a higher grade never maps to a lower national level."""
    errors = []
    highest: Grade | None = None
    for grade in grades:
        level = grade.national_level
        if level is None:
            continue
        top = highest.national_level if highest is not None else None  # None exactly when highest is
        if highest is not None and top is not None and level > top:
            errors.append(_error(grade.code, f"national level {level} is lower than level "
                                             f"{top} of {highest.code} below it: "
                                             "levels never go down along the order"))
        elif top is None or level < top:
            highest = grade
    return errors


def _unlevelled_above_bottom(grades: list[Grade]) -> list[dict[str, Any]]:
    """Null-level grades only at the bottom."""
    errors = []
    first_levelled: Grade | None = None
    for grade in grades:
        if grade.national_level is not None:
            first_levelled = first_levelled or grade
        elif first_levelled is not None:
            errors.append(_error(grade.code, "a grade without a national level must be at the bottom "
                                             f"(it comes after {first_levelled.code})"))
    return errors


def _misplaced_appointed(grades: list[Grade]) -> list[dict[str, Any]]:
    """``appointed_only`` grades only at the top, mapped to level 1."""
    errors = []
    for position, grade in enumerate(grades):
        if not grade.appointed_only:
            continue
        if grade.national_level != 1:
            errors.append(_error(grade.code, "an appointed_only grade must map to national level 1"))
        regular_above = [g.code for g in grades[position + 1:] if not g.appointed_only]
        if regular_above:
            errors.append(_error(grade.code, "appointed_only grades must be at the top "
                                             f"(it is below {regular_above[0]})"))
    return errors


def _unreachable_level_1(grades: list[Grade]) -> list[dict[str, Any]]:
    """Level 1 needs an entry grade that competition can reach (step 5: never ``appointed_only``)."""
    level_1 = [grade for grade in grades if grade.national_level == 1]
    if level_1 and all(grade.appointed_only for grade in level_1):
        return [_error(level_1[0].code, "national level 1 needs a grade that is not appointed_only "
                                        "(competition promotions never reach appointed_only grades)")]
    return []


EIGHT_GRADE_TEMPLATE = GradeScheme((
    Grade("apprentice", "学徒工", None),
    Grade("junior", "初级工", 5),
    Grade("intermediate", "中级工", 4),
    Grade("senior", "高级工", 3),
    Grade("technician", "技师", 2),
    Grade("senior_technician", "高级技师", 1),
    Grade("special_technician", "特级技师", 1, appointed_only=True),
    Grade("chief_technician", "首席技师", 1, appointed_only=True),
))
"""The 新八级 ladder offered as a ready-made scheme (promotion.md)."""
