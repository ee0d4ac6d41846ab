"""The live boards' durable sequence and event log (live.md, Guarantees).

Services call `touch(contest_id)` when standings change and `state_changed(contest)` on transitions,
freeze and unfreeze; both only note the fact on the session. After the transaction commits, the live
layer's broadcaster calls `publish(contest_id)`, which in a transaction of its own locks each view's
sequence row, builds the rows that changed since the last update *under that lock*, assigns the next
`seq`, and appends the update to the event log. So each view's sequence increases by exactly one per
update, the same on every process, and a later `seq` never carries an older state of a row.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.exc import OperationalError

from competition import clock
from competition.extensions import db
from competition.models import BoardEvent, BoardPublished, BoardView, Contest, ContestState, Standing
from competition.models.board import VIEWS
from competition.services import standings

TOUCHED = "boards_touched"
STATES = "boards_states"
KEEP_EVENTS = 2000  # updates held per view for resuming clients; older gaps get a snapshot


def touch(contest_id: int) -> None:
    """Note that a contest's standings changed in this transaction (published after commit)."""
    db.session.info.setdefault(TOUCHED, set()).add(contest_id)


def state_changed(contest: Contest) -> None:
    """Note a transition, freeze or unfreeze: clients get `contest:state` after commit."""
    db.session.info.setdefault(STATES, {})[contest.id] = state_payload(contest)
    touch(contest.id)


LOCKS = "boards_locks"
REVEALS = "boards_reveals"


def reveal_step(payload: dict[str, Any]) -> None:
    """Note a results-ceremony step: public boards get `reveal:step` after commit."""
    db.session.info.setdefault(REVEALS, []).append(payload)


def lock_changed(contest_id: int, module_code: str, locked: bool) -> None:
    """Note a module lock or unlock: judges' tablets and the jury console show it live."""
    db.session.info.setdefault(LOCKS, []).append(
        {"contest_id": contest_id, "module_code": module_code, "locked": locked})


def state_payload(contest: Contest, now: datetime | None = None) -> dict[str, Any]:
    return {"contest_id": contest.id, "state": contest.state.value, "frozen": is_frozen(contest, now)}


def is_frozen(contest: Contest, now: datetime | None = None) -> bool:
    return contest.frozen_at(now or clock.now()) is not None


def freezing_between(since: datetime, until: datetime) -> list[Contest]:
    """Contests whose public view froze in (since, until] and is frozen now (scoring.md, Freeze)."""
    contests = db.session.scalars(select(Contest).where(
        Contest.freeze_at > since, Contest.freeze_at <= until, Contest.unfrozen_at.is_(None),
        Contest.state.in_([ContestState.RUNNING, ContestState.PROVISIONAL])))
    return [contest for contest in contests if contest.frozen_at(until) is not None]


def dirty_contests() -> set[int]:
    """Contests with a standings row changed since the boards last published it."""
    return set(db.session.scalars(
        select(Standing.contest_id).outerjoin(BoardPublished, BoardPublished.standing_id == Standing.id)
        .where(or_(BoardPublished.standing_id.is_(None), BoardPublished.version != Standing.version)).distinct()))


def ensure_views(contest_id: int) -> None:
    existing = set(db.session.scalars(select(BoardView.view).where(BoardView.contest_id == contest_id)))
    for view in VIEWS:
        if view not in existing:
            db.session.add(BoardView(contest_id=contest_id, view=view, seq=0))
    db.session.flush()


def current_seq(contest_id: int, view: str) -> int:
    return db.session.scalar(select(BoardView.seq).where(BoardView.contest_id == contest_id,
                                                         BoardView.view == view)) or 0


class Busy(Exception):
    """Another process is publishing this contest's board right now (publish(wait=False))."""


def _lock_view(contest_id: int, view: str, *, wait: bool = True) -> BoardView:
    query = select(BoardView).where(BoardView.contest_id == contest_id, BoardView.view == view)
    try:
        board = db.session.scalar(query.with_for_update(nowait=not wait))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Busy(contest_id) from error
        raise
    if board is None:
        board = BoardView(contest_id=contest_id, view=view, seq=0)
        db.session.add(board)
        db.session.flush()
    return board


_published = BoardPublished.__table__.c
_PUBLISHED_OF = select(_published.standing_id, _published.hash, _published.rank, _published.version).where(
    _published.contest_id == bindparam("contest_id"))


def _record_published(rows: list[dict[str, Any]]) -> None:
    """Upsert the publisher's own bookkeeping (BoardPublished): marks never write these rows."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    statement = dialect_insert(BoardPublished.__table__)
    statement = statement.on_conflict_do_update(index_elements=["standing_id"], set_={
        name: statement.excluded[name] for name in ("hash", "rank", "version")})
    connection.execute(statement, rows)


LOCK_NOT_AVAILABLE = "55P03"


def publish(contest_id: int, *, wait: bool = True) -> list[dict[str, Any]]:
    """Publish what changed since the last update, one update per view that changed; the caller
    commits and then sends the returned `board:update` payloads. With `wait=False`, raise Busy
    rather than wait while another process publishes this contest (it holds the views' locks): the
    background publisher then tries again a window later, and no publisher waits on another's lock."""
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        return []
    updates = []
    people = standings.identities(contest_id)
    published = []  # what each standings row now stands published as
    before = None
    for view in VIEWS:
        board = _lock_view(contest_id, view, wait=wait)
        if before is None:  # read under the first view's lock: another publisher of this contest is done
            before = {r.standing_id: r for r in db.session.connection().execute(_PUBLISHED_OF,
                                                                                {"contest_id": contest_id})}
        changed = []
        for standing, row in standings.view_rows(contest, view, standings.options_for(contest, view), people):
            digest = standings.row_hash(row)
            last = before.get(standing.id)
            if last is None or digest != last.hash:
                changed.append(row)
                published.append({"standing_id": standing.id, "contest_id": contest_id, "hash": digest,
                                  "rank": row["rank"], "version": standing.version})
            elif last.version != standing.version:
                published.append({"standing_id": standing.id, "contest_id": contest_id, "hash": digest,
                                  "rank": last.rank, "version": standing.version})
        if not changed:
            continue
        prev_seq, board.seq = board.seq, board.seq + 1
        db.session.add(BoardEvent(contest_id=contest_id, view=view, seq=board.seq, rows=changed))
        if board.seq % 100 == 0:
            db.session.execute(delete(BoardEvent).where(BoardEvent.contest_id == contest_id,
                                                        BoardEvent.view == view,
                                                        BoardEvent.seq <= board.seq - KEEP_EVENTS))
        updates.append({"contest_id": contest_id, "view": view, "seq": board.seq, "prev_seq": prev_seq,
                        "rows": changed})
    if published:
        _record_published(sorted(published, key=lambda p: p["standing_id"]))
    db.session.flush()
    return updates


def events_since(contest_id: int, view: str, since_seq: int) -> list[dict[str, Any]] | None:
    """The updates after `since_seq`, or None when they are no longer all held (send a snapshot)."""
    current = current_seq(contest_id, view)
    if since_seq > current or since_seq < 0:
        return None
    if since_seq == current:
        return []
    events = db.session.scalars(select(BoardEvent).where(BoardEvent.contest_id == contest_id,
                                                         BoardEvent.view == view,
                                                         BoardEvent.seq > since_seq)
                                .order_by(BoardEvent.seq)).all()
    if len(events) != current - since_seq or events[0].seq != since_seq + 1:
        return None
    return [{"contest_id": contest_id, "view": view, "seq": e.seq, "prev_seq": e.seq - 1, "rows": e.rows}
            for e in events]


def snapshot(contest: Contest, view: str, options: standings.BoardOptions) -> dict[str, Any]:
    """The whole board of a view, as `board:snapshot` and GET /standings carry it."""
    return {"contest_id": contest.id, "view": view, "seq": current_seq(contest.id, view),
            "state": contest.state.value, "frozen": is_frozen(contest),
            "rows": standings.board_rows(contest, view, options)}
