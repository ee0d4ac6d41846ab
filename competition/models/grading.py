"""Enterprise grade schemes, versioned (promotion.md, Enterprise grade scheme).

Every change makes a new version; old versions stay readable, and promotions and certificates keep
the version they used. A person's grade is held as a grade *code*, which stays meaningful across
versions.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.clock import now
from competition.extensions import db
from competition.models.base import UTCDateTime, intpk, name200


class GradeScheme(db.Model):
    __tablename__ = "grade_schemes"
    __table_args__ = (UniqueConstraint("enterprise_id", "version"),)

    id: Mapped[intpk]
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    grades: Mapped[list[Grade]] = relationship(order_by="Grade.position", cascade="all, delete-orphan",
                                               lazy="selectin")


class Grade(db.Model):
    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("scheme_id", "code"), UniqueConstraint("scheme_id", "position"))

    id: Mapped[intpk]
    scheme_id: Mapped[int] = mapped_column(ForeignKey("grade_schemes.id", ondelete="CASCADE"))
    position: Mapped[int]  # 0 = lowest
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[name200]
    national_level: Mapped[int | None]
    appointed_only: Mapped[bool] = mapped_column(default=False)
