"""Appeals (申诉) against provisional results and their arbitration (仲裁) (scoring.md).

An organiser records an appeal on behalf of a competitor while the appeal window is open; another
organiser action decides it: `dismissed`, or `upheld`, which reopens the modules of the named aspects
for the chief judge to correct (ModuleLock.appeal_id). `version` guards the decision.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from competition.clock import now
from competition.extensions import db
from competition.models.base import UTCDateTime, intpk

DISMISSED, UPHELD = "dismissed", "upheld"
DECISIONS = (DISMISSED, UPHELD)


class Appeal(db.Model):
    __tablename__ = "appeals"

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    aspect_codes: Mapped[list[str]] = mapped_column(JSON)
    grounds: Mapped[str] = mapped_column(String(2000))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(16))  # None (open) | dismissed | upheld
    reason: Mapped[str | None] = mapped_column(String(2000))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
