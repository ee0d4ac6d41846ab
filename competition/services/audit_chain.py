"""Linking audit entries into their chains, and the sequencer that does it on PostgreSQL.

Each contest has a chain of its own and everything else goes to the system chain (models.audit).
Linking an entry means giving it the next `seq` of its chain, the previous entry's hash as
`prev_hash`, and `hash = sha256(canonical JSON of its content + prev_hash)`, under the lock of the
chain's head row, which then records the new last `seq` and `hash`.

Where that happens:
- SQLite has one writer at a time anyway: a transaction links its own entries just before it commits
  (competition.services.audit), as it always did.
- PostgreSQL: a transaction only inserts its entries, unlinked, with the change they describe, so no
  write ever waits for another on a chain's head (operations.md, "Writes scale out"). Right after the
  commit the entries' chains are handed to the `Sequencer`, which links them in a short transaction
  of its own. A serving process runs it in the background: it gathers the commits of a moment (50 ms)
  into one linking transaction, skips a chain whose head another process is linking right now (and
  tries again 20 ms later), and every second looks for entries nobody linked (a process killed between
  its commit and the link). Other processes (commands, tests) link at once, after the commit. Linking
  may commit asynchronously (synchronous_commit off): a link lost in a crash leaves its entries
  unlinked, and the next look links them again.
- Every few seconds the sequencer appends an `audit.anchor` entry to the system chain naming each
  contest chain's head that moved: a contest chain cut back afterwards no longer matches its anchor.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal, Protocol, overload

from flask import Flask
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.engine import Connection

from competition import clock
from competition.extensions import db, socketio
from competition.models import AuditEntry, AuditHead
from competition.models.audit import SYSTEM_CHAIN

GENESIS_HASH = "0" * 64
ANCHOR_ACTIONS = ("audit.anchor", "audit.rechain")  # system entries whose `after.chains` name chain heads
EXTENSION = "competition.audit_sequencer"
log = logging.getLogger("competition.audit")


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


def chain_of(contest_id: int | None) -> int:
    return SYSTEM_CHAIN if contest_id is None else contest_id


_entries = AuditEntry.__table__.c
_heads = AuditHead.__table__.c
_HEAD = select(_heads.seq, _heads.hash).where(_heads.chain == bindparam("chain"))
_LOCK_HEAD = {skip: _HEAD.with_for_update(skip_locked=skip) for skip in (False, True)}  # built once, not per write
_UNLINKED = (select(_entries.id, _entries.at, _entries.actor, _entries.action, _entries.target, _entries.contest_id,
                    _entries.before, _entries.after)
             .where(_entries.chain == bindparam("chain"), _entries.seq.is_(None)).order_by(_entries.id))
_LINK = (update(AuditEntry.__table__).where(_entries.id == bindparam("b_id"))
         .values(seq=bindparam("b_seq"), prev_hash=bindparam("b_prev_hash"), hash=bindparam("b_hash")))
_UPDATE_HEAD = (update(AuditHead.__table__).where(_heads.chain == bindparam("b_chain"))
                .values(seq=bindparam("b_seq"), hash=bindparam("b_hash")))
INSERT_ENTRY = insert(AuditEntry.__table__)


@overload
def lock_head(connection: Connection, chain: int, *, skip_locked: Literal[False] = False) -> tuple[int, str]: ...
@overload
def lock_head(connection: Connection, chain: int, *, skip_locked: bool) -> tuple[int, str] | None: ...
def lock_head(connection: Connection, chain: int, *, skip_locked: bool = False) -> tuple[int, str] | None:
    """The chain's head (last seq, last hash), locked until the transaction ends (created when
    missing). None when `skip_locked` and another transaction holds it."""
    locking = _LOCK_HEAD[skip_locked]
    head = connection.execute(locking, {"chain": chain}).first()
    if head is None:
        _insert_head_if_missing(connection, chain)
        head = connection.execute(locking, {"chain": chain}).first()
    return (head.seq, head.hash) if head is not None else None


def _insert_head_if_missing(connection: Connection, chain: int) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    connection.execute(dialect_insert(AuditHead.__table__).on_conflict_do_nothing(),
                       {"chain": chain, "seq": 0, "hash": GENESIS_HASH})


def chain_rows(rows: list[dict[str, Any]], seq: int, prev_hash: str) -> tuple[int, str]:
    """Give `rows` (entries of one chain, in order) their seq, prev_hash and hash after the head
    (seq, prev_hash); returns the new head."""
    for row in rows:
        seq += 1
        row["seq"], row["prev_hash"] = seq, prev_hash
        prev_hash = row["hash"] = entry_hash(
            seq=seq, at=row["at"], actor=row["actor"], action=row["action"], target=row["target"],
            contest_id=row["contest_id"], before=row["before"], after=row["after"], prev_hash=prev_hash)
    return seq, prev_hash


def append_linked(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert entries already linked (the transaction holds the writer's lock: SQLite)."""
    for chain in sorted({row["chain"] for row in rows}):
        mine = [row for row in rows if row["chain"] == chain]
        seq, prev_hash = lock_head(connection, chain)
        seq, prev_hash = chain_rows(mine, seq, prev_hash)
        connection.execute(_UPDATE_HEAD, {"b_chain": chain, "b_seq": seq, "b_hash": prev_hash})
    connection.execute(INSERT_ENTRY, rows[0] if len(rows) == 1 else rows)


@overload
def link_chain(connection: Connection, chain: int, *, skip_locked: Literal[False] = False) -> list[dict[str, Any]]: ...
@overload
def link_chain(connection: Connection, chain: int, *, skip_locked: bool) -> list[dict[str, Any]] | None: ...
def link_chain(connection: Connection, chain: int, *, skip_locked: bool = False) -> list[dict[str, Any]] | None:
    """Link the chain's unlinked entries in id order; the linked entries, or None when skipped."""
    head = lock_head(connection, chain, skip_locked=skip_locked)
    if head is None:
        return None
    rows = [{**row._asdict(), "chain": chain} for row in connection.execute(_UNLINKED, {"chain": chain})]
    if not rows:
        return []
    seq, prev_hash = chain_rows(rows, *head)
    connection.execute(_LINK, [{"b_id": r["id"], "b_seq": r["seq"], "b_prev_hash": r["prev_hash"],
                                "b_hash": r["hash"]} for r in rows])
    connection.execute(_UPDATE_HEAD, {"b_chain": chain, "b_seq": seq, "b_hash": prev_hash})
    return rows


def link(chains: Iterable[int], *, skip_locked: bool = False) -> set[int]:
    """Link the unlinked entries of `chains` in one transaction; the chains skipped (held elsewhere)."""
    skipped, linked = set(), []
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL synchronous_commit = off"))  # a lost link is redone
        for chain in sorted(set(chains)):
            rows = link_chain(connection, chain, skip_locked=skip_locked)
            if rows is None:
                skipped.add(chain)
            else:
                linked += rows
    log_entries(linked)
    return skipped


def link_after_commit(chains: Iterable[int]) -> None:
    """Link a committed transaction's entries at once, without waiting: a chain whose head another
    transaction is linking is left to it or to the next link (its entries stay unlinked meanwhile,
    and `audit verify` links them first). The change is committed already: a failure here is logged,
    never the request's."""
    try:
        link(chains, skip_locked=True)
    except Exception:
        log.exception("linking audit entries failed; the next link or verification links them")


def unlinked_chains(connection: Connection) -> set[int]:
    return set(connection.scalars(select(_entries.chain).where(_entries.seq.is_(None)).distinct()))


def link_all() -> None:
    """Link every entry still unlinked (before a verification, after a crash)."""
    with db.engine.connect() as connection:
        chains = unlinked_chains(connection)
    if chains:
        link(chains)


def anchor(since: dict[int, int] | None = None) -> dict[int, int]:
    """Append an `audit.anchor` entry to the system chain naming the head of every contest chain
    whose last seq is not `since[chain]`; returns the heads anchored (all of them, for the next call)."""
    since = since or {}
    with db.engine.begin() as connection:
        heads = connection.execute(select(_heads.chain, _heads.seq, _heads.hash)
                                   .where(_heads.chain != SYSTEM_CHAIN, _heads.seq > 0)).all()
        moved = {str(h.chain): {"seq": h.seq, "hash": h.hash} for h in heads if since.get(h.chain) != h.seq}
        if moved:
            row = {"chain": SYSTEM_CHAIN, "at": clock.now(), "actor_id": None, "actor": "system",
                   "action": "audit.anchor", "target": "audit", "contest_id": None, "before": None,
                   "after": {"chains": moved}}
            connection.execute(INSERT_ENTRY, row)
            linked = link_chain(connection, SYSTEM_CHAIN)
    if moved:
        log_entries(linked)
    return {h.chain: h.seq for h in heads}


def log_entries(rows: list[dict[str, Any]]) -> None:
    """operations.md: one JSON line per audit entry, once it is committed and linked."""
    if not rows or not log.isEnabledFor(logging.INFO):
        return
    for row in rows:
        entry = {name: row[name] for name in ("seq", "actor", "action", "target", "contest_id", "before", "after",
                                               "prev_hash", "hash")}
        entry["at"] = row["at"].isoformat()
        entry["chain"] = row["chain"]
        log.info(json.dumps({"audit": entry}, ensure_ascii=False))


class _Event(Protocol):
    """What the Socket.IO server's create_event gives: a threading or a gevent Event."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class Sequencer:
    """Links committed entries into their chains (module docstring). `background`: in a serving
    process, a background task does it shortly after each commit; otherwise each commit links its
    own entries at once."""

    GATHER = 0.05  # seconds: the commits of a moment are linked in one transaction
    RETRY = 0.02  # a chain another process is linking is tried again this much later
    SWEEP = 1.0  # entries nobody linked are looked for at least this often
    ANCHOR = 5.0  # seconds between anchors of the contest chains' heads

    def __init__(self, app: Flask, *, background: bool):
        self.app = app
        self.background = background
        self._pending: set[int] = set()
        self._wakeup: _Event | None = None  # created with the background task
        self._started = False
        self._anchored: dict[int, int] = {}

    def committed(self, chains: set[int]) -> None:
        if not self.background:
            link_after_commit(chains)
            return
        self._pending.update(chains)
        if not self._started:
            self._started = True
            self._wakeup = socketio.server.eio.create_event()
            socketio.start_background_task(self._run)
        assert self._wakeup is not None
        self._wakeup.set()

    def _run(self) -> None:
        next_anchor = time.monotonic() + self.ANCHOR
        assert self._wakeup is not None
        while True:
            woken = self._wakeup.wait(timeout=self.SWEEP)
            self._wakeup.clear()
            if woken:
                socketio.sleep(self.GATHER)
            chains, self._pending = self._pending, set()
            with self.app.app_context():
                try:
                    if not woken:
                        with db.engine.connect() as connection:
                            chains |= unlinked_chains(connection)
                    if chains:
                        self._pending |= link(chains, skip_locked=True)
                    if time.monotonic() >= next_anchor:
                        next_anchor = time.monotonic() + self.ANCHOR
                        self._anchored = anchor(self._anchored)
                except Exception:
                    log.exception("linking audit entries failed; trying again")
                    self._pending |= chains
                    socketio.sleep(1)
            if self._pending:
                socketio.sleep(self.RETRY)
                self._wakeup.set()


def init_app(app: Flask) -> None:
    """A serving process on PostgreSQL links in the background; everything else at each commit."""
    serving = bool(app.config.get("COMPETITION_LIVE_SWEEP")) and not app.config.get("COMPETITION_LIVE_SYNC")
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    app.extensions[EXTENSION] = Sequencer(app, background=serving and postgres)
