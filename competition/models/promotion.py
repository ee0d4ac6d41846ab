"""Direct promotions (竞赛直接晋升) and the certificates they issue (promotion.md).

`Promotion` is one outcome per person of a final contest: computed when the contest becomes final,
then confirmed or rejected by an HR officer of the person's employer. Its `version` guards those
decisions (the ORM's version counter: every UPDATE says `WHERE version = <the version read>`).
`Certificate` is issued in the transaction that confirms a promotion and keeps a snapshot of
everything printed on it, so later changes to the person, the occupation or the grade scheme never
alter an issued certificate. `CertificateSerial` holds the last serial used for each 16-character
number prefix; serials are taken with an atomic upsert, so they never repeat for a prefix.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.extensions import db
from competition.models.base import ExactDecimal, UTCDateTime, created_at, intpk, name200

if TYPE_CHECKING:
    from competition.models.contest import Contest
    from competition.models.enterprise import Enterprise
    from competition.models.person import Person

PROPOSED, NOT_ELIGIBLE, CONFIRMED, REJECTED = "proposed", "not_eligible", "confirmed", "rejected"
STATUSES = (PROPOSED, NOT_ELIGIBLE, CONFIRMED, REJECTED)


class Promotion(db.Model):
    __tablename__ = "promotions"
    __table_args__ = (
        UniqueConstraint("contest_id", "person_id"),
        Index("ix_promotions_person_status", "person_id", "status"),
        Index("ix_promotions_enterprise_status", "enterprise_id", "status"),
    )

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))  # the employer at computation
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id"))
    kind: Mapped[str] = mapped_column(String(16))  # employee | student, at computation
    rank: Mapped[int | None]
    total: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 4))  # rounded to the contest precision
    band: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))  # reason code of a not_eligible outcome
    from_grade: Mapped[str | None] = mapped_column(String(32))
    from_grade_name: Mapped[str | None] = mapped_column(String(200))
    from_level: Mapped[int | None]
    to_grade: Mapped[str | None] = mapped_column(String(32))
    to_grade_name: Mapped[str | None] = mapped_column(String(200))
    to_level: Mapped[int | None]
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)  # the contest's policy as applied
    policy_hash: Mapped[str] = mapped_column(String(64))
    scheme_version: Mapped[int | None]  # None: the 新八级 template (the employer had no scheme)
    version: Mapped[int] = mapped_column(default=1)
    computed_at: Mapped[created_at]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(2000))

    __mapper_args__ = {"version_id_col": version}

    contest: Mapped[Contest] = relationship(lazy="joined")
    person: Mapped[Person] = relationship(lazy="joined")
    certificate: Mapped[Certificate | None] = relationship(back_populates="promotion", uselist=False,
                                                           lazy="selectin")


class Certificate(db.Model):
    """A 职业技能等级证书; every printed field is a snapshot taken at issue."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("prefix", "serial"),)

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(22), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    serial: Mapped[int]
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)  # the issuer
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"), unique=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"))
    person_name: Mapped[name200]
    id_type: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(32))
    occupation_code: Mapped[str] = mapped_column(String(32))
    occupation_name: Mapped[name200]
    occupation_edition: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(200))  # 工种/方向, "--" when none
    level: Mapped[int]
    level_label: Mapped[str] = mapped_column(String(32))  # e.g. 二级/技师
    grade_code: Mapped[str] = mapped_column(String(32))
    grade_name: Mapped[name200]
    scheme_version: Mapped[int | None]
    issuer_name: Mapped[name200]
    issue_date: Mapped[date] = mapped_column(Date)  # in the contest's time zone
    contest_name: Mapped[name200]
    rank: Mapped[int]
    total: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 4))
    basis: Mapped[str] = mapped_column(String(500))  # 职业技能竞赛直接晋升（<contest>，第N名）
    issued_at: Mapped[created_at]
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    promotion: Mapped[Promotion] = relationship(back_populates="certificate")
    enterprise: Mapped[Enterprise] = relationship()


class CertificateSerial(db.Model):
    """The last serial issued for one number prefix (kind, org, province, site, year, level)."""

    __tablename__ = "certificate_serials"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)
