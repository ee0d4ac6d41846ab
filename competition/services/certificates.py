"""Certificates (职业技能等级证书): issuing, finding, the public verification view and the data export
for the provincial supervision platform (promotion.md, Certificates; api.md, Promotions and
certificates).

A number is the enterprise's settings (Y/S, organisation, province, site), the 2-digit year of issue,
the level digit and a 6-digit serial; `next_serial` takes serials with one atomic upsert on
`certificate_serials`, so two transactions never get the same serial for a prefix (the row stays
locked until the confirming transaction ends). The issue date is taken in the contest's time zone.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import url_for
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import insert, select

from competition.domain.certificates import (
    MAX_SERIAL,
    certificate_number,
    certificate_prefix,
    is_certificate_number,
    mask_name,
)
from competition.domain.identity import mask_id_number
from competition.domain.levels import level_label
from competition.domain.numbers import format_decimal
from competition.errors import ServiceError, not_found
from competition.extensions import db
from competition.models import (
    Certificate,
    CertificateSerial,
    Contest,
    Enterprise,
    Occupation,
    Person,
    Promotion,
    Role,
    User,
)
from competition.services import zones
from competition.services.access import sees_identity
from competition.services.exports import safe_text

BASIS = "职业技能竞赛直接晋升"
NO_DIRECTION = "--"


def local_date(contest: Contest, moment: datetime) -> date:
    return moment.astimezone(zones.contest_zone(contest)).date()


# --- serials and numbers -----------------------------------------------------------------------------

def next_serial(prefix: str) -> int:
    """The next serial for `prefix`, in one statement: INSERT … ON CONFLICT DO UPDATE … RETURNING.

    Concurrent callers on PostgreSQL queue on the row (the second waits until the first transaction
    ends, then increments the committed value); on SQLite writers are serialised anyway.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]  # same interface
    else:  # pragma: no cover - only the two supported backends
        return _next_serial_locked(prefix)
    table = CertificateSerial.__table__
    statement = upsert(table).values(prefix=prefix, last_serial=1)
    statement = statement.on_conflict_do_update(index_elements=[table.c.prefix],
                                                set_={"last_serial": table.c.last_serial + 1})
    serial: int = db.session.execute(statement.returning(table.c.last_serial)).scalar_one()
    if serial > MAX_SERIAL:
        raise ServiceError(409, f"Every serial of certificate prefix {prefix} is used up "
                           f"({MAX_SERIAL}); change the enterprise's site code.")
    return serial


def _next_serial_locked(prefix: str) -> int:  # pragma: no cover - fallback for other databases
    query = select(CertificateSerial).where(CertificateSerial.prefix == prefix).with_for_update()
    row: CertificateSerial | None = db.session.scalar(query)
    if row is None:
        db.session.execute(insert(CertificateSerial).values(prefix=prefix, last_serial=1))
        return 1
    row.last_serial += 1
    db.session.flush()
    return row.last_serial


def issue(promotion: Promotion, *, user: User | None, now: datetime) -> Certificate:
    """The certificate of a promotion being confirmed (same transaction), with its printed snapshot.

    The grade is exactly the proposal's: its code, name and national level as they were in the scheme
    version the proposal was computed with, and that version (promotion.md: promotions and
    certificates keep the version they used)."""
    contest: Contest = promotion.contest
    person: Person = promotion.person
    enterprise = db.session.get_one(Enterprise, promotion.enterprise_id)
    occupation = db.session.get_one(Occupation, promotion.occupation_id)
    issued_on = local_date(contest, now)
    level, rank = promotion.to_level, promotion.rank
    assert level is not None and rank is not None  # a proposal has both
    prefix = certificate_prefix(enterprise.cert_prefix, enterprise.org_code, enterprise.province_code,
                                enterprise.site_code, issued_on.year, level)
    serial = next_serial(prefix)
    certificate = Certificate(
        number=certificate_number(prefix, serial), prefix=prefix, serial=serial,
        enterprise_id=enterprise.id, person_id=person.id, promotion=promotion, contest_id=contest.id,
        person_name=person.name, id_type=person.id_type, id_number=person.id_number,
        occupation_code=occupation.code, occupation_name=occupation.name, occupation_edition=occupation.edition,
        direction=(occupation.direction or "").strip() or NO_DIRECTION,
        level=level, level_label=level_label(level), grade_code=promotion.to_grade,
        grade_name=promotion.to_grade_name or promotion.to_grade, scheme_version=promotion.scheme_version,
        issuer_name=enterprise.name, issue_date=issued_on,
        contest_name=contest.name, rank=promotion.rank, total=promotion.total,
        basis=basis_text(contest.name, rank), issued_at=now, issued_by=user.id if user else None)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def basis_text(contest_name: str, rank: int) -> str:
    return f"{BASIS}（{contest_name}，第{rank}名）"


# --- finding and showing -----------------------------------------------------------------------------

def find(number: str) -> Certificate | None:
    if not is_certificate_number(number):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def find_for(number: str, user: User) -> Certificate:
    """A certificate for its full view: admin and the issuing enterprise's hr. Another enterprise's hr
    gets 404 like an unknown number (roles.md); any other role 403."""
    if user.role not in (Role.ADMIN, Role.HR):
        raise ServiceError(403, "Only admins and the issuing enterprise's HR officers may see certificates.")
    certificate = find(number)
    if certificate is None or (user.role is Role.HR and user.enterprise_id != certificate.enterprise_id):
        raise not_found("certificate", reason="no_such_certificate")
    return certificate


def shown_id_number(viewer: User | None, certificate: Certificate) -> str:
    """The one place that decides how a certificate's ID number is shown: in full to admin and the
    issuing enterprise's hr, masked to anyone else."""
    if sees_identity(viewer, certificate.enterprise_id):
        return certificate.id_number
    return mask_id_number(certificate.id_number)


def verify_url(number: str) -> str:
    """The public verification page's absolute URL (what the QR code holds)."""
    return url_for("certificate_pages.verify", number=number, _external=True)


def total_text(certificate: Certificate) -> str | None:
    if certificate.total is None:
        return None
    precision = certificate.promotion.contest.precision if certificate.promotion else 2
    return format_decimal(certificate.total, precision)


def certificate_dict(certificate: Certificate, viewer: User | None) -> dict[str, Any]:
    """The full certificate (GET /certificates/{number}; the confirm answer)."""
    return {
        "number": certificate.number, "person_id": certificate.person_id, "person_name": certificate.person_name,
        "id_type": certificate.id_type, "id_number": shown_id_number(viewer, certificate),
        "occupation_code": certificate.occupation_code, "occupation_name": certificate.occupation_name,
        "occupation_edition": certificate.occupation_edition, "direction": certificate.direction,
        "level": certificate.level, "level_label": certificate.level_label, "grade_code": certificate.grade_code,
        "grade_name": certificate.grade_name, "scheme_version": certificate.scheme_version,
        "enterprise_id": certificate.enterprise_id, "issuer": certificate.issuer_name,
        "issue_date": certificate.issue_date.isoformat(), "basis": certificate.basis,
        "contest_id": certificate.contest_id, "contest_name": certificate.contest_name,
        "rank": certificate.rank, "total": total_text(certificate), "promotion_id": certificate.promotion_id,
        "issued_at": certificate.issued_at, "verify_url": verify_url(certificate.number),
    }


def public_dict(certificate: Certificate) -> dict[str, Any]:
    """What anyone may see (GET /verify/{number}): nothing about the person beyond the masked name."""
    return {
        "valid": True, "number": certificate.number, "name": mask_name(certificate.person_name),
        "occupation_code": certificate.occupation_code, "occupation_name": certificate.occupation_name,
        "level": certificate.level, "level_label": certificate.level_label, "issuer": certificate.issuer_name,
        "issue_date": certificate.issue_date.isoformat(),
    }


def of_enterprise(enterprise_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.enterprise_id == enterprise_id)
                                   .order_by(Certificate.issue_date, Certificate.number)))


# --- the export for the provincial supervision platform ---------------------------------------------

EXPORT_COLUMNS = ("姓名", "证件类型", "证件号码", "职业编码", "职业名称", "职业分类版本", "工种/方向", "等级",
                  "企业等级", "证书编号", "发证日期", "发证单位", "竞赛名称", "名次", "总分")


def export_rows(certificates: Iterable[Certificate], viewer: User | None) -> list[list[Any]]:
    """One row per certificate: text, the rank as an integer and the total as an exact decimal rounded
    to its contest's precision (None where there is none), so that spreadsheets can sum and sort."""
    return [[c.person_name, c.id_type, shown_id_number(viewer, c), c.occupation_code, c.occupation_name,
             c.occupation_edition, c.direction, c.level_label, c.grade_name, c.number, c.issue_date.isoformat(),
             c.issuer_name, c.contest_name, c.rank, None if (total := total_text(c)) is None else Decimal(total)]
            for c in certificates]


def _csv_cell(value: Any) -> Any:
    """A CSV cell: text as itself (never run as a formula), numbers plain, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return format(value, "f") if isinstance(value, Decimal) else value


def to_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list[Any]], title: str = "证书") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(EXPORT_COLUMNS)
    header_fill = PatternFill("solid", fgColor="F3E3C3")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for row_index, row in enumerate(rows, start=2):
        for col_index, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_index, column=col_index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
            elif isinstance(value, Decimal):  # a number Excel sums, shown with its contest's places
                places = -int(value.as_tuple().exponent)
                cell.number_format = "0." + "0" * places if places > 0 else "0"
    sheet.freeze_panes = "A2"
    widths = (10, 12, 22, 13, 16, 12, 12, 14, 12, 26, 12, 24, 30, 6, 8)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
