"""Standings caches and the live boards' durable sequence and event log (live.md).

`Standing` holds one competitor's published figures for one view ("jury" or "public"), kept current
in the transaction that changes a mark, with a precomputed sortable rank key; `BoardPublished` what
the boards last sent of it. `BoardView` holds each
view's sequence number; `BoardEvent` is the append-only log of updates that clients resume from.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competition.clock import now
from competition.extensions import db
from competition.models.base import ExactDecimal, UTCDateTime, intpk

VIEWS = ("jury", "public")
# Bytewise order on every backend (PostgreSQL's default collation would ignore the "." separators).
SORT_KEY = String(600).with_variant(String(600, collation="C"), "postgresql")


class Standing(db.Model):
    __tablename__ = "standings"
    __table_args__ = (
        UniqueConstraint("competitor_id", "view"),
        Index("ix_standings_board", "contest_id", "view", "order_key"),
    )

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    competitor_id: Mapped[int] = mapped_column(ForeignKey("competitors.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(8))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(14, 4), default=Decimal(0))  # rounded
    components: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # rounded, as strings
    modules: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    aspects_complete: Mapped[int] = mapped_column(default=0)
    ranked: Mapped[bool] = mapped_column(default=True)
    # competition.domain.ranking.storage_keys: equal perf_keys share a rank; order_key is board order.
    perf_key: Mapped[str] = mapped_column(SORT_KEY, default="")
    order_key: Mapped[str] = mapped_column(SORT_KEY, default="")
    # Raised by every change of the row (in the transaction that changes it); the board publisher
    # records in BoardPublished which version it last published, and never writes this row.
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class BoardPublished(db.Model):
    """What the live boards last published of a standings row: written only by the publisher (under
    its view's lock), so that publishing never takes a lock a mark holds, nor a mark one of its."""

    __tablename__ = "board_published"

    standing_id: Mapped[int] = mapped_column(ForeignKey("standings.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int | None]
    version: Mapped[int]


class BoardView(db.Model):
    __tablename__ = "board_views"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    view: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)


class BoardEvent(db.Model):
    __tablename__ = "board_events"
    __table_args__ = (UniqueConstraint("contest_id", "view", "seq"),)

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int]
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
