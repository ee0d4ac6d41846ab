"""Events of many contests and the awards a final contest decides (events.md)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competition.clock import now
from competition.extensions import db
from competition.models.base import ExactDecimal, UTCDateTime, created_at, intpk, name200


class Event(db.Model):
    """A competition of many contests (职业技能大赛, 技术比武). Its contests carry `event_id` and their
    place in the event's `contest_ids` as `event_position`."""

    __tablename__ = "events"

    id: Mapped[intpk]
    name: Mapped[name200]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class ContestAward(db.Model):
    """One award of a final contest to one competitor (decided at final, discarded on reopening)."""

    __tablename__ = "contest_awards"
    __table_args__ = (UniqueConstraint("contest_id", "competitor_id"),)

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    position: Mapped[int]  # the award's index in the contest's scheme
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[name200]
    rank: Mapped[int]
    total: Mapped[Decimal] = mapped_column(ExactDecimal(14, 4))
