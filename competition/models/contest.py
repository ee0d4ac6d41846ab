"""Contests, their module locks and their judges (scoring.md, api.md Contests)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competition.clock import now
from competition.extensions import db
from competition.models.base import UTCDateTime, created_at, intpk, name200, str_enum

if TYPE_CHECKING:
    from competition.models.occupation import Occupation
    from competition.models.user import User


class ContestState(str, enum.Enum):
    DRAFT = "draft"
    RUNNING = "running"
    PROVISIONAL = "provisional"
    FINAL = "final"


TIERS = ("national_class_1", "national_class_2", "provincial_class_1", "provincial_class_2", "city_class_1",
         "city_class_2", "district", "enterprise", "school")


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[intpk]
    name: Mapped[name200]
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id"))
    tier: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visibility: Mapped[str] = mapped_column(String(16), default="live")  # live | final_only
    freeze_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unfrozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    precision: Mapped[int] = mapped_column(default=2)
    blind: Mapped[bool] = mapped_column(default=False)
    team_size: Mapped[int] = mapped_column(default=1)
    appeal_window_minutes: Mapped[int] = mapped_column(default=0)
    tie_breakers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    promotion_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scheme: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the marking scheme, scheme_to_dict form
    scheme_version: Mapped[int] = mapped_column(default=0)
    state: Mapped[ContestState] = mapped_column(str_enum(ContestState), default=ContestState.DRAFT)
    provisional_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reveal_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reveal_position: Mapped[int | None]  # how many ranked rows are still hidden during a reveal
    awards: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # award scheme (events.md)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    event_position: Mapped[int | None]  # the contest's place in its event's contest_ids
    # Results held for the ceremony: public views show no totals or ranks from final until the last
    # reveal step (live.md, Results ceremony; the rule: services.access.ranks_held)
    ceremony: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    occupation: Mapped[Occupation] = relationship(lazy="joined")
    judges: Mapped[list[ContestJudge]] = relationship(back_populates="contest", cascade="all, delete-orphan")
    locks: Mapped[list[ModuleLock]] = relationship(cascade="all, delete-orphan")

    def frozen_at(self, now: datetime) -> datetime | None:
        """The moment the public view is frozen at, if it is frozen now (scoring.md, Freeze)."""
        if (self.freeze_at is None or self.unfrozen_at is not None or self.state == ContestState.FINAL
                or now < self.freeze_at):
            return None
        return self.freeze_at


class ModuleLock(db.Model):
    """A locked module's values cannot change (scoring.md, Module locks). No row: unlocked."""

    __tablename__ = "module_locks"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    module_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    locked: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(2000))
    appeal_id: Mapped[int | None]  # set while an upheld appeal has the module open for correction


ALL_ASPECTS = "all"


class ContestJudge(db.Model):
    __tablename__ = "contest_judges"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chief: Mapped[bool] = mapped_column(default=False)
    aspects: Mapped[list[str] | str] = mapped_column(JSON)  # aspect codes, or "all"
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))  # for 回避 checks

    contest: Mapped[Contest] = relationship(back_populates="judges")
    user: Mapped[User] = relationship(lazy="joined")

    def assigned_to(self, aspect_code: str) -> bool:
        return self.aspects == ALL_ASPECTS or aspect_code in self.aspects
