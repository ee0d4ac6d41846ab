"""`event:update` to the room of an event (live.md, events.md): its overview and medal table.

Services already note on the session what changed (competition.services.boards: touched standings,
transitions, reveal steps; competition.services.events.changed: an event's own settings or contest
list). Before the commit this module copies the contest ids, after it the events those contests belong
to get one `event:update` each, built in a session of its own from the public views only, so it never
shows more than the public boards do (visibility, freeze, blind marking, a running ceremony). Nothing
is sent for a transaction that rolls back. Changes inside `COMPETITION_EVENT_UPDATE_SECONDS` (default
1 s) go out together; with `COMPETITION_LIVE_SYNC` (tests) at once, after the commit.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app
from flask_socketio import ConnectionRefusedError, emit, join_room
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from competition.extensions import db, socketio
from competition.live.rooms import NAMESPACE, event_room
from competition.models import Contest, Event
from competition.services import boards, events

log = logging.getLogger("competition.live")
EXTENSION = "competition.event_updates"
NOTED = "event_updates_contests"


def payload(event_row: Event) -> dict[str, Any]:
    """What an event's screens show: the overview rows and the medal table (JSON values only)."""
    return {"event_id": event_row.id, "name": event_row.name, "overview": events.overview(event_row),
            "medal_table": events.medal_table(event_row)}


class EventUpdates:
    def __init__(self, app: Flask):
        self.app = app
        self.sync = bool(app.config.get("COMPETITION_LIVE_SYNC"))
        self.delay = float(app.config.get("COMPETITION_EVENT_UPDATE_SECONDS", 1.0))
        self._contests: set[int] = set()
        self._events: set[int] = set()
        self._scheduled = False

    def committed(self, contest_ids: set[int], event_ids: set[int]) -> None:
        if self.sync:
            self.send(contest_ids, event_ids)
            return
        self._contests |= contest_ids
        self._events |= event_ids
        if not self._scheduled:
            self._scheduled = True
            socketio.start_background_task(self._later)

    def _later(self) -> None:
        socketio.sleep(self.delay)
        contests, self._contests = self._contests, set()
        event_ids, self._events = self._events, set()
        self._scheduled = False
        self.send(contests, event_ids)

    def send(self, contest_ids: Iterable[int], event_ids: Iterable[int]) -> None:
        with self.app.app_context():
            try:
                ids = set(event_ids)
                contest_ids = list(contest_ids)
                if contest_ids:
                    ids |= set(db.session.scalars(select(Contest.event_id).where(
                        Contest.id.in_(contest_ids), Contest.event_id.is_not(None))))
                rows = [db.session.get(Event, event_id) for event_id in sorted(ids)]
                payloads = [payload(row) for row in rows if row is not None]
            except Exception:
                log.exception("building event updates failed")
                return
            finally:
                db.session.remove()
        for body in payloads:
            try:
                socketio.emit("event:update", body, to=event_room(body["event_id"]), namespace=NAMESPACE)
            except Exception:  # a broken message queue must not break the caller
                log.exception("emitting event:update failed")


def connect_event(event_id: int | None) -> None:
    """A client of an event's public room (`{"event_id", "view": "public"}`): joins the room and gets
    the current overview and medal table at once."""
    row = db.session.get(Event, event_id) if event_id is not None else None
    if row is None:
        raise ConnectionRefusedError("no such event")
    join_room(event_room(row.id))
    emit("event:update", payload(row))


@event.listens_for(Session, "before_commit")
def _note(session: Session) -> None:
    ids = set(session.info.get(boards.TOUCHED, ())) | set(session.info.get(boards.STATES, {}))
    ids |= {step["contest_id"] for step in session.info.get(boards.REVEALS, ())}
    if ids:
        session.info.setdefault(NOTED, set()).update(ids)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    contest_ids = session.info.pop(NOTED, None)
    event_ids = session.info.pop(events.EVENTS_CHANGED, None)
    if not (contest_ids or event_ids):
        return
    updates: EventUpdates | None = current_app.extensions.get(EXTENSION)
    if updates is not None:
        updates.committed(contest_ids or set(), event_ids or set())


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(NOTED, None)
    session.info.pop(events.EVENTS_CHANGED, None)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = EventUpdates(app)
