"""Enterprises (employers and schools) with their certificate-number settings (api.md) and their
high-skill target."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from competition.extensions import db
from competition.models.base import ExactDecimal, code32, created_at, intpk, name200


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[intpk]
    code: Mapped[code32] = mapped_column(unique=True)
    name: Mapped[name200]
    cert_prefix: Mapped[str] = mapped_column(String(1), default="Y")
    org_code: Mapped[str] = mapped_column(String(4), default="0000")
    province_code: Mapped[str] = mapped_column(String(2), default="21")
    site_code: Mapped[str] = mapped_column(String(6), default="000001")
    created_at: Mapped[created_at]
    # The enterprise's own target for 高技能人才 as a share of skilled workers (promotion.md, Skill-talent
    # structure; the Liaoning notice sets 30 %), drawn as the target line of /hr/structure.
    high_skill_target: Mapped[Decimal] = mapped_column(ExactDecimal(5, 4), default=Decimal("0.3000"),
                                                       server_default="0.3000")
