"""Competitors of a contest: one person, or a team of two or three (scoring.md, Team events)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.clock import now
from competition.extensions import db
from competition.models.base import UTCDateTime, created_at, intpk

if TYPE_CHECKING:
    from competition.models.person import Person

STATUSES = ("active", "absent", "withdrawn", "disqualified")


class Competitor(db.Model):
    __tablename__ = "competitors"
    __table_args__ = (UniqueConstraint("contest_id", "bib"), UniqueConstraint("contest_id", "marking_no"))

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    bib: Mapped[str] = mapped_column(String(32))  # 参赛号
    station: Mapped[str | None] = mapped_column(String(32))  # 工位
    marking_no: Mapped[str | None] = mapped_column(String(32))  # 加密号, for blind marking
    team_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(2000))
    time_used_seconds: Mapped[int | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    members: Mapped[list[CompetitorMember]] = relationship(
        back_populates="competitor", order_by="CompetitorMember.position", cascade="all, delete-orphan",
        lazy="selectin")

    @property
    def display_name(self) -> str:
        if self.team_name:
            return self.team_name
        return "、".join(m.person.name for m in self.members)


class CompetitorMember(db.Model):
    """A person competing, alone or in a team. A person enters a contest at most once."""

    __tablename__ = "competitor_members"
    __table_args__ = (UniqueConstraint("contest_id", "person_id"),)

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    competitor: Mapped[Competitor] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(lazy="joined")
