"""Writing and verifying the hash-chained audit log (api.md, Audit).

`record()` queues an entry on the current session. Just before that session commits, the queued
entries are chained: the single audit_head row is locked (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the write transaction already holds the database lock), each entry gets the next `seq`, the
commit time, and `hash = sha256(canonical JSON of its content + prev_hash)`. Chaining at commit time
keeps the lock short and the chain in commit order. The entries are part of the same transaction as
the change they describe, so neither can land without the other.
"""
from __future__ import annotations

import enum
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from competition.extensions import db
from competition.models import AuditEntry, AuditHead, User

GENESIS_HASH = "0" * 64
HEAD_ID = 1
_PENDING = "audit_pending"
_CHAINED = "audit_chained"
log = logging.getLogger("competition.audit")


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


def _format_at(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, seq: int, at: datetime, actor: str, action: str, target: str,
               contest_id: int | None, before: Any, after: Any, prev_hash: str) -> str:
    content = {
        "seq": seq, "at": _format_at(at), "actor": actor, "action": action, "target": target,
        "contest_id": contest_id, "before": before, "after": after, "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    """Create the chain's head row if it is missing (migrations create it; test databases may not)."""
    if session.get(AuditHead, HEAD_ID) is None:
        session.add(AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
        session.flush()


_heads = AuditHead.__table__.c
_LOCK_HEAD = select(_heads.seq, _heads.hash).where(_heads.id == HEAD_ID).with_for_update()
_UPDATE_HEAD = update(AuditHead.__table__).where(_heads.id == HEAD_ID).values(seq=bindparam("seq"),
                                                                             hash=bindparam("hash"))
_INSERT_ENTRY = insert(AuditEntry.__table__)


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint; the entries are chained when the real transaction commits
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:
        connection.execute(insert(AuditHead.__table__), {"id": HEAD_ID, "seq": 0, "hash": GENESIS_HASH})
    seq, prev_hash = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    at = datetime.now(timezone.utc)
    rows = []
    for item in pending:
        seq += 1
        digest = entry_hash(seq=seq, at=at, actor=item.actor, action=item.action, target=item.target,
                            contest_id=item.contest_id, before=item.before, after=item.after, prev_hash=prev_hash)
        rows.append({"seq": seq, "at": at, "actor_id": item.actor_id, "actor": item.actor, "action": item.action,
                     "target": item.target, "contest_id": item.contest_id, "before": item.before,
                     "after": item.after, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    # Core statements: this runs in every write transaction, and the ORM's unit of work adds nothing.
    connection.execute(_INSERT_ENTRY, rows[0] if len(rows) == 1 else rows)
    connection.execute(_UPDATE_HEAD, {"seq": seq, "hash": prev_hash})
    cached = session.identity_map.get(session.identity_key(AuditHead, HEAD_ID))
    if cached is not None:
        session.expire(cached)
    chained = [{**{k: v for k, v in row.items() if k != "actor_id"}, "at": at.isoformat()} for row in rows]
    session.info.setdefault(_CHAINED, []).extend(chained)


_SAVEPOINTS = "audit_savepoints"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    """Remember how many entries were queued when a savepoint began, to drop the later ones if the
    savepoint rolls back (they describe changes that did not happen)."""
    if transaction.nested:
        session.info.setdefault(_SAVEPOINTS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint_entries(session: Session, previous_transaction) -> None:
    marks = session.info.get(_SAVEPOINTS, {})
    if previous_transaction.nested and id(previous_transaction) in marks:
        del session.info.get(_PENDING, [])[marks.pop(id(previous_transaction)):]


@event.listens_for(Session, "after_commit")
def _log_chained(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for entry in session.info.pop(_CHAINED, []):
        log.info(json.dumps({"audit": entry}, ensure_ascii=False))


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; what was queued before it still stands
    session.info.pop(_PENDING, None)
    session.info.pop(_CHAINED, None)
    session.info.pop(_SAVEPOINTS, None)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None

    def as_dict(self) -> dict:
        if self.ok:
            return {"ok": True, "entries": self.entries}
        return {"ok": False, "entries": self.entries, "first_bad_seq": self.first_bad_seq}


def verify(session: Session) -> VerifyResult:
    """Walk the chain in `seq` order; name the first entry that was edited, inserted or removed."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))
    for entry in rows.scalars():
        recomputed = entry_hash(seq=entry.seq, at=entry.at, actor=entry.actor, action=entry.action,
                                target=entry.target, contest_id=entry.contest_id, before=entry.before,
                                after=entry.after, prev_hash=entry.prev_hash)
        if entry.seq != expected_seq:
            return VerifyResult(False, count, min(entry.seq, expected_seq))
        if entry.prev_hash != prev_hash or entry.hash != recomputed:
            return VerifyResult(False, count, entry.seq)
        expected_seq, prev_hash, count = entry.seq + 1, entry.hash, count + 1
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and (head.seq != count or head.hash != prev_hash):
        return VerifyResult(False, count, count + 1)
    return VerifyResult(True, count)
