"""Enterprises (employers and schools) with their certificate-number settings (api.md)."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from competition.extensions import db
from competition.models.base import code32, created_at, intpk, name200


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
