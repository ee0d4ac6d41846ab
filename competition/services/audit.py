"""Writing and verifying the hash-chained audit log (api.md, Audit; operations.md, "Writes scale out").

`record()` queues an entry on the current session. Just before that session commits, the queued
entries are written in the same transaction as the change they describe, so neither can land without
the other. Each entry belongs to its contest's chain or to the system chain (models.audit), and
competition.services.audit_chain links it there: on SQLite before the commit (the transaction holds
the only writer's lock anyway), on PostgreSQL just after it, so that writes never wait for one
another on a chain's head.

`verify()` links whatever is still unlinked, then walks every chain: it names the first entry that
was edited, inserted, removed or moved, the chain it is in, and a removed tail (each chain's head
row holds its last seq and hash; the system chain's anchors hold earlier heads of the contest chains).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, overload

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import Row, event, select
from sqlalchemy.orm import Session, SessionTransaction

from competition import clock
from competition.extensions import db
from competition.models import AuditEntry, AuditHead, User
from competition.models.audit import SYSTEM_CHAIN, chain_name
from competition.services import audit_chain
from competition.services.audit_chain import ANCHOR_ACTIONS, GENESIS_HASH, chain_of, entry_hash  # noqa: F401

_PENDING = "audit_pending"
_CHAINED = "audit_chained"
_TO_LINK = "audit_to_link"


@overload
def jsonable(value: dict[Any, Any]) -> dict[str, Any]: ...
@overload
def jsonable(value: Any) -> Any: ...
def jsonable(value: Any) -> Any:
    """Plain JSON values only, so that the hash is the same before and after a database round trip."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (Decimal, Fraction)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audit entries; use Decimal")
    return value


@dataclass
class _Pending:
    actor_id: int | None
    actor: str
    action: str
    target: str
    contest_id: int | None
    before: Any
    after: Any


def _current_actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"


def record(action: str, target: str, *, before: Any = None, after: Any = None,
           contest_id: int | None = None, actor: User | None = None) -> None:
    """Queue one audit entry for the current transaction. `target` names the object, e.g. "contest:3"."""
    actor_id, actor_name = (actor.id, actor.username) if actor else _current_actor()
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append(_Pending(actor_id, actor_name, action, target[:120], contest_id,
                            jsonable(before), jsonable(after)))


def ensure_head(session: Session) -> None:
    """Create the system chain's head row if it is missing (migrations create it; test databases may not)."""
    if session.get(AuditHead, SYSTEM_CHAIN) is None:
        session.add(AuditHead(chain=SYSTEM_CHAIN, seq=0, hash=GENESIS_HASH))
        session.flush()


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint; the entries are written when the real transaction commits
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    connection = session.connection()
    at = clock.now()
    rows = [{"chain": chain_of(item.contest_id), "seq": None, "at": at, "actor_id": item.actor_id,
             "actor": item.actor, "action": item.action, "target": item.target, "contest_id": item.contest_id,
             "before": item.before, "after": item.after, "prev_hash": None, "hash": None} for item in pending]
    if connection.dialect.name == "sqlite":
        audit_chain.append_linked(connection, rows)  # linked now, under the writer's lock
        session.info.setdefault(_CHAINED, []).extend(rows)
        for head in [obj for obj in session.identity_map.values() if isinstance(obj, AuditHead)]:
            session.expire(head)
    else:  # linked right after the commit (audit_chain.Sequencer)
        connection.execute(audit_chain.INSERT_ENTRY, rows[0] if len(rows) == 1 else rows)
        session.info.setdefault(_TO_LINK, set()).update(row["chain"] for row in rows)


_SAVEPOINTS = "audit_savepoints"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """Remember how many entries were queued when a savepoint began, to drop the later ones if the
    savepoint rolls back (they describe changes that did not happen)."""
    if transaction.nested:
        session.info.setdefault(_SAVEPOINTS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint_entries(session: Session, previous_transaction: SessionTransaction) -> None:
    marks = session.info.get(_SAVEPOINTS, {})
    if previous_transaction.nested and id(previous_transaction) in marks:
        del session.info.get(_PENDING, [])[marks.pop(id(previous_transaction)):]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    audit_chain.log_entries(session.info.pop(_CHAINED, []))
    chains = session.info.pop(_TO_LINK, None)
    if chains:
        sequencer = current_app.extensions.get(audit_chain.EXTENSION)
        if sequencer is not None:
            sequencer.committed(chains)
        else:
            audit_chain.link_after_commit(chains)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; what was queued before it still stands
    for key in (_PENDING, _CHAINED, _TO_LINK, _SAVEPOINTS):
        session.info.pop(key, None)


# --- verifying ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    chain: str | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.ok:
            return {"ok": True, "entries": self.entries}
        return {"ok": False, "entries": self.entries, "first_bad_seq": self.first_bad_seq, "chain": self.chain}


class _Broken(Exception):
    def __init__(self, chain: int, seq: int):
        self.chain, self.seq = chain, seq


@dataclass
class _Walk:
    """Where the walk of one chain stands."""
    chain: int
    count: int = 0
    prev_hash: str = GENESIS_HASH
    anchors: dict[int, str] = field(default_factory=dict)  # seq -> hash, from the system chain

    def step(self, entry: Row[Any]) -> None:
        """`entry`: a row of _VERIFIED."""
        expected = self.count + 1
        if entry.seq != expected:
            raise _Broken(self.chain, min(entry.seq, expected))
        recomputed = entry_hash(seq=entry.seq, at=entry.at, actor=entry.actor, action=entry.action,
                                target=entry.target, contest_id=entry.contest_id, before=entry.before,
                                after=entry.after, prev_hash=entry.prev_hash)
        if (chain_of(entry.contest_id) != self.chain or entry.prev_hash != self.prev_hash
                or entry.hash != recomputed or self.anchors.get(entry.seq, entry.hash) != entry.hash):
            raise _Broken(self.chain, entry.seq)
        self.count, self.prev_hash = entry.seq, entry.hash

    def finish(self, head: tuple[int, str] | None) -> None:
        """The chain's head row and its anchors must end where the entries end."""
        if head is None and self.count:
            raise _Broken(self.chain, self.count + 1)
        head_seq, head_hash = head or (0, GENESIS_HASH)
        if head_seq != self.count:
            raise _Broken(self.chain, min(head_seq, self.count) + 1)
        if head_hash != self.prev_hash:
            raise _Broken(self.chain, max(self.count, 1))
        if self.anchors and max(self.anchors) > self.count:
            raise _Broken(self.chain, self.count + 1)


_VERIFIED = (select(AuditEntry.chain, AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                    AuditEntry.target, AuditEntry.contest_id, AuditEntry.before, AuditEntry.after,
                    AuditEntry.prev_hash, AuditEntry.hash)
             .where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.chain, AuditEntry.seq))


def verify(session: Session) -> VerifyResult:
    """Link what is still unlinked, then walk each chain in `seq` order, the system chain first (its
    anchors are checked against the contest chains); name the first bad entry and its chain."""
    if session.get_bind().dialect.name != "sqlite":
        audit_chain.link_all()
    heads = {h.chain: (h.seq, h.hash) for h in session.execute(select(AuditHead.chain, AuditHead.seq, AuditHead.hash))}
    anchors: dict[int, dict[int, str]] = {}
    total, walk = 0, None
    try:
        for entry in session.execute(_VERIFIED.execution_options(yield_per=1000)):
            if walk is None or entry.chain != walk.chain:
                if walk is not None:
                    walk.finish(heads.pop(walk.chain, None))
                walk = _Walk(entry.chain, anchors=anchors.pop(entry.chain, {}))
            walk.step(entry)
            total += 1
            if entry.chain == SYSTEM_CHAIN and entry.action in ANCHOR_ACTIONS:
                for chain, head in ((entry.after or {}).get("chains") or {}).items():
                    anchors.setdefault(int(chain), {})[head["seq"]] = head["hash"]
        if walk is not None:
            walk.finish(heads.pop(walk.chain, None))
        for chain in sorted(set(heads) | set(anchors)):  # chains whose every entry is gone
            _Walk(chain, anchors=anchors.get(chain, {})).finish(heads.get(chain))
    except _Broken as broken:
        return VerifyResult(False, total, broken.seq, chain_name(broken.chain))
    return VerifyResult(True, total)
