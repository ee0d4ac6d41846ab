"""Marks and their revisions (api.md, Marking).

A mark is one judge's value for one aspect of one competitor; a measurement aspect has one shared
value (slot 0) that any assigned judge may replace. Every stored value is also appended to
mark_revisions, which is what the public view of a frozen contest is rebuilt from.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competition.clock import now
from competition.extensions import db
from competition.models.base import ExactDecimal, UTCDateTime, intpk

SHARED_SLOT = 0


class Mark(db.Model):
    __tablename__ = "marks"
    __table_args__ = (
        UniqueConstraint("competitor_id", "aspect_code", "slot"),
        Index("ix_marks_contest_aspect", "contest_id", "aspect_code"),
    )

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    aspect_code: Mapped[str] = mapped_column(String(32))
    slot: Mapped[int]  # the judge's user id, or SHARED_SLOT for a measurement
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # who stored the value
    value: Mapped[Decimal] = mapped_column(ExactDecimal(12, 4))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MarkRevision(db.Model):
    __tablename__ = "mark_revisions"
    __table_args__ = (Index("ix_mark_revisions_competitor_at", "competitor_id", "at"),)

    id: Mapped[intpk]
    mark_id: Mapped[int] = mapped_column(ForeignKey("marks.id", ondelete="CASCADE"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    aspect_code: Mapped[str] = mapped_column(String(32))
    slot: Mapped[int]
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal(12, 4))
    version: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    appeal_id: Mapped[int | None]  # set when the change corrects an upheld appeal
