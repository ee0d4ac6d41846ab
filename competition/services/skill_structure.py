"""Skill-talent structure of enterprises (promotion.md, "Skill-talent structure"), read from the database.

The arithmetic lives in `competition.domain.skill_structure`; this module reads what it needs in a few
queries: each employee's grades, read through the enterprise's current grade scheme (the 新八级
template when the enterprise never set one, as promotions do), the proposed promotions (their target
level, from the scheme version they were computed with), and the certificates the enterprise issued
to employees, by calendar year of issue in Asia/Shanghai. It also keeps the enterprise's high-skill
target (the target line of /hr/structure).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from competition import clock
from competition.domain import skill_structure as domain
from competition.domain.grades import EIGHT_GRADE_TEMPLATE, GradeScheme
from competition.domain.numbers import DecimalFormatError, parse_decimal
from competition.errors import ServiceError
from competition.extensions import db
from competition.models import (
    Certificate,
    Enterprise,
    GradeScheme as GradeSchemeRow,
    Occupation,
    Person,
    PersonGrade,
    Promotion,
)
from competition.models.promotion import PROPOSED
from competition.services import audit, grade_schemes

ISSUE_ZONE = ZoneInfo("Asia/Shanghai")
TARGET_PLACES = 4


def _schemes(enterprise_ids: Sequence[int]) -> dict[int, GradeScheme]:
    """enterprise id -> its current scheme (the 新八级 template when it has none), in one query."""
    latest = (select(GradeSchemeRow.enterprise_id, func.max(GradeSchemeRow.version).label("version"))
              .where(GradeSchemeRow.enterprise_id.in_(enterprise_ids)).group_by(GradeSchemeRow.enterprise_id)
              .subquery())
    rows = db.session.scalars(select(GradeSchemeRow).join(
        latest, (GradeSchemeRow.enterprise_id == latest.c.enterprise_id)
        & (GradeSchemeRow.version == latest.c.version)))
    schemes = {row.enterprise_id: grade_schemes.to_domain(row) for row in rows}
    return {enterprise_id: schemes.get(enterprise_id, EIGHT_GRADE_TEMPLATE) for enterprise_id in enterprise_ids}


def _people(enterprise_ids: Sequence[int]) -> dict[int, list[domain.Person]]:
    """enterprise id -> its employees, each with the levels of their grades (students are not read)."""
    schemes = _schemes(enterprise_ids)
    employees = db.session.execute(
        select(Person.id, Person.enterprise_id).where(Person.enterprise_id.in_(enterprise_ids),
                                                      Person.kind == domain.EMPLOYEE)
        .order_by(Person.id)).all()
    holdings: dict[int, list[domain.Holding]] = {}
    rows = db.session.execute(
        select(PersonGrade.person_id, Person.enterprise_id, Occupation.code, PersonGrade.grade_code)
        .join(Person, Person.id == PersonGrade.person_id).join(Occupation, Occupation.id == PersonGrade.occupation_id)
        .where(Person.enterprise_id.in_(enterprise_ids), Person.kind == domain.EMPLOYEE))
    for person_id, enterprise_id, occupation_code, grade_code in rows:
        level = domain.level_of(schemes[enterprise_id], grade_code)
        holdings.setdefault(person_id, []).append(domain.Holding(occupation_code, level))
    result: dict[int, list[domain.Person]] = {enterprise_id: [] for enterprise_id in enterprise_ids}
    for person_id, enterprise_id in employees:
        result[enterprise_id].append(domain.Person(person_id, domain.EMPLOYEE,
                                                   tuple(holdings.get(person_id, ()))))
    return result


def _proposals(enterprise_ids: Sequence[int], promotion_ids: Iterable[int] | None) -> dict[int, list[domain.Proposal]]:
    """enterprise id (the person's employer now) -> proposed promotions of its people; only those of
    `promotion_ids` when given."""
    query = (select(Promotion.id, Person.enterprise_id, Promotion.person_id, Occupation.code, Promotion.to_level)
             .join(Person, Person.id == Promotion.person_id).join(Occupation, Occupation.id == Promotion.occupation_id)
             .where(Person.enterprise_id.in_(enterprise_ids), Promotion.status == PROPOSED,
                    Promotion.to_level.is_not(None)))
    if promotion_ids is not None:
        query = query.where(Promotion.id.in_(list(promotion_ids)))
    result: dict[int, list[domain.Proposal]] = {enterprise_id: [] for enterprise_id in enterprise_ids}
    for _, enterprise_id, person_id, occupation_code, to_level in db.session.execute(query):
        assert to_level is not None  # the query leaves out the others
        result[enterprise_id].append(domain.Proposal(person_id, occupation_code, to_level))
    return result


def proposed_ids(enterprise_id: int) -> set[int]:
    """The ids of the proposed promotions of the enterprise's people."""
    return set(db.session.scalars(select(Promotion.id).join(Person, Person.id == Promotion.person_id)
                                  .where(Person.enterprise_id == enterprise_id, Promotion.status == PROPOSED)))


def _certificates(enterprise_ids: Sequence[int]) -> dict[int, list[domain.Certificate]]:
    """issuing enterprise id -> certificates issued to employees (the person's kind at computation)."""
    rows = db.session.execute(
        select(Certificate.enterprise_id, Certificate.issued_at, Certificate.level)
        .join(Promotion, Promotion.id == Certificate.promotion_id)
        .where(Certificate.enterprise_id.in_(enterprise_ids), Promotion.kind == domain.EMPLOYEE))
    result: dict[int, list[domain.Certificate]] = {enterprise_id: [] for enterprise_id in enterprise_ids}
    for enterprise_id, issued_at, level in rows:
        result[enterprise_id].append(domain.Certificate(issued_at.astimezone(ISSUE_ZONE).year, level))
    return result


def structures(enterprise_ids: Sequence[int], *,
               promotion_ids: Iterable[int] | None = None) -> dict[int, domain.Structure]:
    """enterprise id -> its skill-talent structure; `pending` counts only `promotion_ids` when given."""
    people = _people(enterprise_ids)
    proposals = _proposals(enterprise_ids, promotion_ids)
    certificates = _certificates(enterprise_ids)
    return {enterprise_id: domain.structure(people[enterprise_id], proposals[enterprise_id],
                                            certificates[enterprise_id])
            for enterprise_id in enterprise_ids}


def of_enterprise(enterprise: Enterprise, *, promotion_ids: Sequence[int] | None = None) -> domain.Structure:
    """One enterprise's structure. With `promotion_ids`, `pending` is the structure if just those
    proposals were confirmed; each must be a proposed promotion of the enterprise's people (422)."""
    if promotion_ids is not None:
        unknown = sorted(set(promotion_ids) - proposed_ids(enterprise.id))
        if unknown:
            raise ServiceError(
                422, f"Not a proposed promotion of this enterprise's people: {', '.join(map(str, unknown))}.",
                errors={"promotion_ids": [f"{pid} is not a proposed promotion of this enterprise" for pid in unknown]})
    return structures([enterprise.id], promotion_ids=promotion_ids)[enterprise.id]


def all_enterprises() -> list[tuple[Enterprise, domain.Structure]]:
    """Every enterprise (by code) with its structure: the bureau's view."""
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.code)))
    found = structures([e.id for e in enterprises])
    return [(enterprise, found[enterprise.id]) for enterprise in enterprises]


# --- as JSON -----------------------------------------------------------------------------------------

def occupation_names(structures_: Iterable[domain.Structure]) -> dict[str, str]:
    codes = set()
    for item in structures_:
        codes |= set(item.current.by_occupation) | set(item.pending.by_occupation)
    if not codes:
        return {}
    return dict(db.session.execute(select(Occupation.code, Occupation.name).where(Occupation.code.in_(codes))).all())


def _named(figures: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    for row in figures["by_occupation"]:
        row["occupation_name"] = names.get(row["occupation_code"], "")
    return figures


def figures_dict(structure: domain.Structure, names: dict[str, str]) -> dict[str, Any]:
    result = structure.to_dict()
    _named(result, names)
    _named(result["pending"], names)
    return result


def target_text(enterprise: Enterprise) -> str:
    return str(Decimal(enterprise.high_skill_target).quantize(Decimal(1).scaleb(-TARGET_PLACES)))


def enterprise_dict(enterprise: Enterprise, structure: domain.Structure, *, as_of: datetime | None = None,
                    names: dict[str, str] | None = None) -> dict[str, Any]:
    """GET /enterprises/{id}/skill-structure: the figures with `as_of`, the enterprise and its target."""
    names = occupation_names([structure]) if names is None else names
    return {"as_of": as_of or clock.now(),
            "enterprise": {"id": enterprise.id, "code": enterprise.code, "name": enterprise.name},
            "high_skill_target": target_text(enterprise), **figures_dict(structure, names)}


def overview_dict(rows: list[tuple[Enterprise, domain.Structure]]) -> dict[str, Any]:
    """GET /skill-structure: one row per enterprise and the total (figures summed, ratios recomputed)."""
    as_of = clock.now()
    total = domain.total(structure for _, structure in rows)
    names = occupation_names([total])
    return {"as_of": as_of,
            "rows": [enterprise_dict(enterprise, structure, as_of=as_of, names=names)
                     for enterprise, structure in rows],
            "total": figures_dict(total, names)}


# --- the target --------------------------------------------------------------------------------------

def set_target(enterprise: Enterprise, value: object) -> Enterprise:
    """Set the enterprise's high-skill target: a share 0..1 with at most 4 decimals ("0.35")."""
    try:
        number = parse_decimal(value, max_places=TARGET_PLACES, max_integer_digits=1)
    except DecimalFormatError:
        number = None
    if number is None or not Decimal(0) <= number <= Decimal(1):
        raise ServiceError(422, "The target is a share between 0 and 1 with at most 4 decimals, e.g. \"0.30\".",
                           errors={"high_skill_target": ["a decimal 0..1 with at most 4 places"]})
    before = target_text(enterprise)
    enterprise.high_skill_target = number.quantize(Decimal(1).scaleb(-TARGET_PLACES))
    after = target_text(enterprise)
    if after != before:
        db.session.flush()
        audit.record("enterprise.skill_target", f"enterprise:{enterprise.id}",
                     before={"high_skill_target": before}, after={"high_skill_target": after})
    return enterprise
