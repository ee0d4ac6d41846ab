"""Enterprise grade schemes, versioned (promotion.md, Enterprise grade scheme).

The rules themselves live in `competition.domain.grades`; this module stores schemes as versions,
refuses to drop a grade that someone of the enterprise holds, and converts between the stored rows
and the domain's `GradeScheme`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from competition.domain import grades as domain
from competition.domain.levels import LEVEL_NAMES
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import Enterprise, Grade, GradeScheme, Person, PersonGrade, User
from competition.services import audit


def current(enterprise_id: int) -> GradeScheme | None:
    """The enterprise's latest scheme version, or None when it has none yet."""
    return db.session.scalar(select(GradeScheme).where(GradeScheme.enterprise_id == enterprise_id)
                             .order_by(GradeScheme.version.desc()).limit(1))


def version(enterprise_id: int, number: int) -> GradeScheme | None:
    return db.session.scalar(select(GradeScheme).where(GradeScheme.enterprise_id == enterprise_id,
                                                       GradeScheme.version == number))


def versions(enterprise_id: int) -> list[int]:
    return list(db.session.scalars(select(GradeScheme.version).where(GradeScheme.enterprise_id == enterprise_id)
                                   .order_by(GradeScheme.version)))


def to_domain(scheme: GradeScheme) -> domain.GradeScheme:
    return domain.GradeScheme(tuple(domain.Grade(g.code, g.name, g.national_level, g.appointed_only)
                                    for g in scheme.grades))


def grade_dict(grade: Grade | domain.Grade) -> dict[str, Any]:
    level = grade.national_level
    return {"code": grade.code, "name": grade.name, "national_level": level,
            "level_label": LEVEL_NAMES.get(level) if level is not None else None,
            "appointed_only": grade.appointed_only}


def scheme_dict(scheme: GradeScheme) -> dict[str, Any]:
    return {"enterprise_id": scheme.enterprise_id, "version": scheme.version,
            "created_at": scheme.created_at, "grades": [grade_dict(g) for g in scheme.grades]}


def template() -> list[dict[str, Any]]:
    """The 新八级 ladder, lowest first, in the form PUT accepts back."""
    return domain.EIGHT_GRADE_TEMPLATE.to_dicts()


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        grade = error["grade"]
        if grade is None:
            parts.append(error["message"])
        elif isinstance(grade, int):
            parts.append(f"grade #{grade + 1} (index {grade}): {error['message']}")
        else:
            parts.append(f"grade {grade}: {error['message']}")
    return "The grade scheme is not valid: " + "; ".join(parts)


def held_codes(enterprise_id: int, codes: set[str]) -> dict[str, int]:
    """How many people of the enterprise hold each of `codes` (in any occupation)."""
    if not codes:
        return {}
    rows = db.session.execute(
        select(PersonGrade.grade_code, func.count(func.distinct(PersonGrade.person_id)))
        .join(Person, Person.id == PersonGrade.person_id)
        .where(Person.enterprise_id == enterprise_id, PersonGrade.grade_code.in_(codes))
        .group_by(PersonGrade.grade_code))
    return {code: count for code, count in rows}


def replace(enterprise: Enterprise, grades: object, *, user: User | None = None) -> GradeScheme:
    """Store `grades` (lowest first) as the enterprise's new scheme version.

    422 naming every offending grade (`errors = {"grades": [{"grade", "message"}, ...]}`); 409 naming
    the grades that would be removed while someone holds them. Submitting the current scheme again
    changes nothing and returns the current version.
    """
    try:
        new = domain.validate_grade_scheme(grades)
    except domain.GradeSchemeError as error:
        raise ServiceError(422, _describe(error.errors), errors={"grades": error.errors}) from None
    old_row = current(enterprise.id)
    before: dict[str, Any] | None = None
    if old_row is not None:
        old = to_domain(old_row)
        if old == new:
            return old_row
        held = held_codes(enterprise.id, domain.removed_grades(old, new))
        if held:
            names = ", ".join(f"{code} ({old.get(code).name}, held by {count})" for code, count in sorted(held.items()))
            raise ServiceError(409, f"Grades held by people of this enterprise cannot be removed: {names}.",
                               errors={"grades": [{"grade": code, "message": f"held by {count} people"}
                                                  for code, count in sorted(held.items())]})
        before = {"version": old_row.version, "grades": old.to_dicts()}
    number = (old_row.version if old_row is not None else 0) + 1
    scheme = GradeScheme(enterprise_id=enterprise.id, version=number, created_by=user.id if user else None)
    scheme.grades = [Grade(position=position, code=g.code, name=g.name, national_level=g.national_level,
                           appointed_only=g.appointed_only) for position, g in enumerate(new.grades)]
    db.session.add(scheme)
    db.session.flush()
    audit.record("grade_scheme.update", f"enterprise:{enterprise.id}",
                 before=before,
                 after={"version": number, "grades": new.to_dicts()})
    return scheme
