"""Occupations of the national classification (promotion.md, Occupations)."""
from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from competition.extensions import db
from competition.models.base import created_at, intpk, name200


class Occupation(db.Model):
    __tablename__ = "occupations"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)  # D-DD-DD-DD, e.g. 6-31-01-03
    edition: Mapped[str] = mapped_column(String(16))  # classification edition, e.g. "2022"
    name: Mapped[name200]
    direction: Mapped[str | None] = mapped_column(String(200))  # 工种/direction, "--" when none
    levels: Mapped[list[int]] = mapped_column(JSON)  # national levels offered, e.g. [5, 4, 3, 2, 1]
    created_at: Mapped[created_at]
