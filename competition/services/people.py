"""People of an enterprise (employees and students) and the grade each holds per occupation.

ID numbers are validated by `competition.domain.identity`; they and phone numbers leave the service
unmasked only for viewers that `access.sees_identity` allows (admin, the person's own hr), and
never go into audit entries unmasked.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from competition import clock
from competition.database import get_by_id
from competition.domain import grades as domain
from competition.domain.identity import (
    ID_TYPES,
    RESIDENT_ID_CARD,
    IdNumberError,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from competition.domain.levels import LEVEL_NAMES
from competition.errors import ServiceError, not_found
from competition.extensions import db
from competition.models import Enterprise, Occupation, Person, PersonGrade, User
from competition.services import audit, grade_schemes, occupations
from competition.services.access import sees_identity

KINDS = ("employee", "student")
KIND_LABELS = {"employee": "职工", "student": "学生"}
PHONE_RE = re.compile(r"\+?\d[\d -]{4,29}", re.ASCII)
PERSON_NO_MAX = 32
NAME_MAX = 200


# --- field checks, shared with the bulk import ---------------------------------------------------

def check_id(id_type: str, id_number: str) -> str:
    """The normalised ID number; `IdNumberError` (a ValueError) with a message otherwise."""
    return validate_id_number(id_type, id_number)


def check_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    phone = phone.strip()
    if not phone:
        return None
    if not PHONE_RE.fullmatch(phone):
        raise ValueError("must be a phone number: digits, optionally with a leading + and spaces or hyphens "
                         "(6 to 31 characters)")
    return phone


def check_text(value: str, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValueError(f"{what} must not be blank")
    if len(value) > limit:
        raise ValueError(f"{what} must have at most {limit} characters")
    return value


@dataclass
class SchemeView:
    """The enterprise's current scheme, looked up by grade code and by grade name."""

    scheme: domain.GradeScheme | None
    version: int | None

    @classmethod
    def of(cls, enterprise_id: int) -> SchemeView:
        row = grade_schemes.current(enterprise_id)
        return cls(grade_schemes.to_domain(row) if row else None, row.version if row else None)

    def grade(self, code: str) -> domain.Grade | None:
        if self.scheme is None:
            return None
        try:
            return self.scheme.get(code)
        except KeyError:
            return None

    def by_code_or_name(self, text: str) -> domain.Grade | None:
        found = self.grade(text)
        if found is not None or self.scheme is None:
            return found
        named = [g for g in self.scheme.grades if g.name == text]
        return named[0] if len(named) == 1 else None


def check_grade(scheme: SchemeView, occupation: Occupation, grade_code: str) -> domain.Grade:
    """The grade `grade_code` of the current scheme, which `occupation` must offer; ValueError otherwise."""
    if scheme.scheme is None:
        raise ValueError("the enterprise has no grade scheme yet; set one up first")
    grade = scheme.grade(grade_code)
    if grade is None:
        raise ValueError(f"grade {grade_code!r} is not in the enterprise's current grade scheme "
                         f"(version {scheme.version}: {', '.join(scheme.scheme.codes())})")
    if grade.national_level is not None and grade.national_level not in occupation.levels:
        raise ValueError(f"occupation {occupation.code} {occupation.name} does not offer national level "
                         f"{grade.national_level} ({LEVEL_NAMES[grade.national_level]}) of grade {grade_code!r}")
    return grade


def _resolve_grades(enterprise_id: int, items: Sequence[Mapping[str, str]]) -> list[tuple[Occupation, str]]:
    """[(occupation, grade_code)] for the API's `grades` list; 422 naming `grades.N.field` otherwise."""
    scheme = SchemeView.of(enterprise_id)
    known = occupations.by_codes(item["occupation_code"] for item in items)
    errors: dict[str, dict[str, list[str]]] = {}
    resolved, seen = [], set()
    for index, item in enumerate(items):
        code = item["occupation_code"]
        occupation = known.get(code)
        if occupation is None:
            errors.setdefault(str(index), {})["occupation_code"] = [f"unknown occupation {code!r}"]
            continue
        if code in seen:
            errors.setdefault(str(index), {})["occupation_code"] = [
                f"occupation {code} is listed twice; a person holds one grade per occupation"]
            continue
        seen.add(code)
        try:
            check_grade(scheme, occupation, item["grade_code"])
        except ValueError as error:
            errors.setdefault(str(index), {})["grade_code"] = [str(error)]
            continue
        resolved.append((occupation, item["grade_code"]))
    if errors:
        first_index, first = next(iter(errors.items()))
        field, messages = next(iter(first.items()))
        raise ServiceError(422, f"grades[{first_index}].{field}: {messages[0]}", errors={"grades": errors})
    return resolved


# --- reading ----------------------------------------------------------------------------------

def get(enterprise: Enterprise, person_id: int) -> Person:
    person = get_by_id(Person, person_id)
    if person is None or person.enterprise_id != enterprise.id:
        raise not_found("person")
    return person


def search(enterprise: Enterprise, q: str | None, *, viewer: User | None) -> Select[Person]:
    """People of the enterprise matching `q` (person number, name; ID number only for viewers who may
    see ID numbers, so a masked list cannot be probed), ordered by person number."""
    query = select(Person).where(Person.enterprise_id == enterprise.id)
    q = (q or "").strip()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions = [Person.person_no.ilike(pattern, escape="\\"), Person.name.ilike(pattern, escape="\\")]
        if sees_identity(viewer, enterprise.id):
            conditions.append(Person.id_number.ilike(pattern, escape="\\"))
        query = query.where(or_(*conditions))
    return query.order_by(Person.person_no, Person.id)


def page(enterprise: Enterprise, q: str | None, *, viewer: User | None, page: int,
         page_size: int) -> tuple[list[Person], int]:
    query = search(enterprise, q, viewer=viewer)
    total = db.session.scalars(select(func.count()).select_from(query.order_by(None).subquery())).one()
    people = list(db.session.scalars(query.offset((page - 1) * page_size).limit(page_size)))
    return people, total


def grades_dicts(person: Person, scheme: SchemeView) -> list[dict[str, Any]]:
    rows = []
    for held in sorted(person.grades, key=lambda g: g.occupation.code):
        grade = scheme.grade(held.grade_code)
        level = grade.national_level if grade else None
        rows.append({"occupation_code": held.occupation.code, "occupation_name": held.occupation.name,
                     "grade_code": held.grade_code, "grade_name": grade.name if grade else None,
                     "national_level": level, "level_label": LEVEL_NAMES.get(level) if level else None,
                     "appointed_only": grade.appointed_only if grade else False,
                     "since": held.since, "source": held.source})
    return rows


def person_dict(person: Person, *, viewer: User | None, scheme: SchemeView | None = None) -> dict[str, Any]:
    """The API form of a person: ID and phone numbers masked unless the viewer may see them."""
    reveal = sees_identity(viewer, person.enterprise_id)
    scheme = scheme or SchemeView.of(person.enterprise_id)
    return {
        "id": person.id, "enterprise_id": person.enterprise_id, "person_no": person.person_no,
        "name": person.name, "id_type": person.id_type,
        "id_number": person.id_number if reveal else mask_id_number(person.id_number),
        "kind": person.kind,
        "phone": (person.phone if reveal else mask_phone(person.phone)) if person.phone else None,
        "masked": not reveal,
        "grades": grades_dicts(person, scheme),
        "created_at": person.created_at, "updated_at": person.updated_at,
    }


def audit_view(person: Person) -> dict[str, Any]:
    """What an audit entry may say about a person: never the full ID or phone number."""
    return {"person_no": person.person_no, "name": person.name, "kind": person.kind, "id_type": person.id_type,
            "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone) if person.phone else None,
            "grades": {g.occupation.code: g.grade_code for g in person.grades}}


# --- writing ----------------------------------------------------------------------------------

def _check_unique(enterprise_id: int, *, person_no: str | None = None, id_type: str | None = None,
                  id_number: str | None = None, exclude: int | None = None) -> None:
    if person_no is not None:
        query = select(Person.id).where(Person.enterprise_id == enterprise_id, Person.person_no == person_no)
        if exclude is not None:
            query = query.where(Person.id != exclude)
        if db.session.scalar(query) is not None:
            raise ServiceError(409, f"Person number {person_no!r} is already used in this enterprise.",
                               errors={"person_no": ["already used in this enterprise"]})
    if id_number is not None:
        same_id = select(Person.person_no).where(Person.enterprise_id == enterprise_id, Person.id_type == id_type,
                                                 Person.id_number == id_number)
        if exclude is not None:
            same_id = same_id.where(Person.id != exclude)
        other = db.session.scalar(same_id)
        if other is not None:
            raise ServiceError(409, f"This ID number is already registered for person {other}.",
                               errors={"id_number": [f"already registered for person {other}"]})


def _identity(data: Mapping[str, Any], default_type: str) -> tuple[str, str]:
    id_type = data.get("id_type", default_type)
    try:
        return id_type, check_id(id_type, data["id_number"])
    except IdNumberError as error:
        field = "id_type" if id_type not in ID_TYPES else "id_number"
        raise ServiceError(422, f"{field}: {error}", errors={field: [str(error)]}) from None


def _phone(value: str | None) -> str | None:
    try:
        return check_phone(value)
    except ValueError as error:
        raise ServiceError(422, f"phone: {error}", errors={"phone": [str(error)]}) from None


def _text(data: Mapping[str, Any], field: str, limit: int) -> str:
    try:
        return check_text(data[field], limit, field)
    except ValueError as error:
        raise ServiceError(422, str(error), errors={field: [str(error)]}) from None


def _set_grades(person: Person, resolved: list[tuple[Occupation, str]], source: str) -> None:
    """Make the person's grades exactly `resolved`, keeping rows (and their `since`) that do not change."""
    wanted = {occupation.id: (occupation, code) for occupation, code in resolved}
    for grade in list(person.grades):
        if grade.occupation_id not in wanted:
            person.grades.remove(grade)
    have = {held.occupation_id: held for held in person.grades}
    for occupation_id, (occupation, code) in wanted.items():
        held = have.get(occupation_id)
        if held is None:
            person.grades.append(PersonGrade(occupation_id=occupation.id, occupation=occupation, grade_code=code,
                                             source=source))
        elif held.grade_code != code:
            held.grade_code, held.source, held.since = code, source, clock.now()


def create(enterprise: Enterprise, data: Mapping[str, Any]) -> Person:
    person_no = _text(data, "person_no", PERSON_NO_MAX)
    name = _text(data, "name", NAME_MAX)
    id_type, id_number = _identity(data, RESIDENT_ID_CARD)
    phone = _phone(data.get("phone"))
    resolved = _resolve_grades(enterprise.id, data.get("grades") or [])
    _check_unique(enterprise.id, person_no=person_no, id_type=id_type, id_number=id_number)
    person = Person(enterprise_id=enterprise.id, person_no=person_no, name=name, id_type=id_type,
                    id_number=id_number, kind=data["kind"], phone=phone)
    db.session.add(person)
    _set_grades(person, resolved, "hr")
    db.session.flush()
    audit.record("person.create", f"person:{person.id}", after=audit_view(person))
    return person


def update(person: Person, data: Mapping[str, Any]) -> Person:
    """PATCH: change the fields given; `grades`, when given, is the complete list of held grades."""
    before = audit_view(person)
    if "name" in data:
        person.name = _text(data, "name", NAME_MAX)
    if "kind" in data:
        person.kind = data["kind"]
    if "phone" in data:
        person.phone = _phone(data["phone"])
    if "id_number" in data or "id_type" in data:
        if "id_number" not in data:
            raise ServiceError(422, "id_number: give the ID number with its type",
                               errors={"id_number": ["required when id_type changes"]})
        id_type, id_number = _identity(data, person.id_type)
        _check_unique(person.enterprise_id, id_type=id_type, id_number=id_number, exclude=person.id)
        person.id_type, person.id_number = id_type, id_number
    if "grades" in data:
        _set_grades(person, _resolve_grades(person.enterprise_id, data["grades"] or []), "hr")
    db.session.flush()
    after = audit_view(person)
    if after != before:
        audit.record("person.update", f"person:{person.id}", before=before, after=after)
    return person
