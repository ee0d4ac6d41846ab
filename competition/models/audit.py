"""The audit log: append-only and hash-chained, one chain per contest plus a system chain (api.md,
Audit; operations.md, "Writes scale out").

An entry belongs to the chain of its contest (`chain` = contest id) or, without a contest, to the
system chain (`chain` = 0). Within its chain an entry has a gapless position `seq` and a `hash` that
covers its content and the previous entry's hash, so an edited, inserted, removed or reordered row
breaks its chain at that point. `AuditHead` holds each chain's last `seq` and `hash`, so a removed
tail shows too. Entries are linked into their chain by competition.services.audit_chain; on
PostgreSQL that happens just after the transaction that wrote them commits (until then `seq`,
`prev_hash` and `hash` are empty), so that no write waits for another on a chain's head.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from competition.extensions import db
from competition.models.base import UTCDateTime, intpk

SYSTEM_CHAIN = 0


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_entries_seq", "seq"),  # finds the entries still to be linked (seq IS NULL)
    )

    id: Mapped[intpk]
    chain: Mapped[int] = mapped_column(Integer)  # the contest's id, or SYSTEM_CHAIN
    seq: Mapped[int | None] = mapped_column(Integer)  # position in the chain, from 1
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(120))
    contest_id: Mapped[int | None]
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    @property
    def chain_name(self) -> str:
        return chain_name(self.chain)


class AuditHead(db.Model):
    """One row per chain: its last linked entry. Locked only while entries are linked to the chain."""

    __tablename__ = "audit_heads"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))


def chain_name(chain: int) -> str:
    return "system" if chain == SYSTEM_CHAIN else f"contest:{chain}"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(_mapper, _connection, target: AuditEntry) -> None:
    raise RuntimeError(f"audit entry {target.id} is append-only")
