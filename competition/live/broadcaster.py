"""The one broadcaster: it sends only after the transaction that caused a change has committed.

Services note changes on the session (competition.services.boards: touch, state_changed,
lock_changed). When the session commits, `contest:state` and `module:lock` events go out at once, and
each touched contest is handed to a background task that publishes the board updates in a
transaction of its own (boards.publish: seq assigned under the view's lock) and emits each update
once per view room. The judge's request only adds an id to a set, so it never waits for the fan-out.

When the background task publishes:
- a change made by an HTTP request wakes it only once that request's answer is on the wire (the WSGI
  server closes the response), so thousands of sends never compete with the judge's answer;
- the first change after a quiet spell goes out after a short settling wait (`settle`, 5 ms), which
  gathers changes committed at the same moment;
- while the board is busy, publishes are spaced by a coalescing window (bursts of marks become one
  update), 50 ms from the start of one round of publishing to the start of the next, widened while
  publishing is costly (a burst of marks on a large board) up to live.md's 200 ms. Measured from the
  start, a slow round (a busy process answers each of its queries late) is never followed by a whole
  window more: under 30 marks/s a mark reached spectators a round plus a window after it, about once
  a second (issue 26).

With `COMPETITION_LIVE_SYNC` (tests) the publish happens right after the commit, in the same thread.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from flask import Flask, after_this_request, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from competition import clock
from competition.extensions import db, socketio
from competition.live.manager import LocalManager
from competition.live.rooms import NAMESPACE, blind_rows, room
from competition.models import Contest
from competition.services import access, boards

log = logging.getLogger("competition.live")
EXTENSION = "competition.broadcaster"
HEAP = "competition.heap"
MAX_WINDOW = 0.2  # live.md: changes inside a window of at most 200 ms may be coalesced
FREEZE_CHECK_SECONDS = 1.0  # freezes are looked for at most this often (and at least every sweep)


def coalescing_window(base: float, publishing: float) -> float:
    """The wait before the next publish. Under a burst of marks, publishing may take at most about a
    fifth of the process: the window grows to four times the last publish's database work, never
    beyond live.md's 200 ms. (The sends are not counted: they yield to requests, manager.LocalManager.)"""
    return min(MAX_WINDOW, max(base, 4 * publishing))


def publish_delay(since_last_round: float, settle: float, window: float) -> float:
    """How long a woken publisher waits: at least `settle`, and until `window` has passed since its
    last round of publishing began."""
    return max(settle, window - since_last_round)


def _answering_http_request() -> bool:
    """Inside an HTTP request whose answer is still to be sent. Socket.IO event handlers run in a
    request context too (Flask-SocketIO sets request.sid), but send no HTTP answer."""
    return has_request_context() and not hasattr(request, "sid")


class Broadcaster:
    def __init__(self, app: Flask):
        self.app = app
        self.sync = bool(app.config.get("COMPETITION_LIVE_SYNC"))
        self.window = float(app.config.get("COMPETITION_LIVE_COALESCE_SECONDS", 0.05))
        self.settle = float(app.config.get("COMPETITION_LIVE_SETTLE_SECONDS", 0.005))
        self.busy_window = self.window  # widened while publishing is costly (see _run)
        self._last_round = float("-inf")  # when the last round of publishing began (monotonic)
        self.sweep_seconds = float(app.config.get("COMPETITION_LIVE_SWEEP_SECONDS", 2.0))
        self._pending: set[int] = set()
        self._wakeup = None
        self._started = False
        self._publishing = 0.0  # seconds of database work in the last round of publishing
        self._freezes_seen_until: datetime | None = None  # freeze moments up to here are announced
        self._next_freeze_check = 0.0  # monotonic

    # -- after commit -------------------------------------------------------------------------------------

    def committed(self, touched: set[int], states: dict[int, dict], locks: list[dict],
                  reveals: list[dict]) -> None:
        for payload in states.values():
            for view in ("public", "jury", "jury-blind", "judges"):
                self.emit("contest:state", payload, room(payload["contest_id"], view))
        for payload in locks:
            for view in ("jury", "jury-blind", "judges"):
                self.emit("module:lock", payload, room(payload["contest_id"], view))
        if touched and self.sync:
            for contest_id in touched:
                self.flush(contest_id)
        elif touched:
            self._pending.update(touched)
            self._start()
            if _answering_http_request():
                after_this_request(self._wake_once_answered)
            else:
                self._wakeup.set()
        for payload in reveals:  # after the board shows the revealed row
            self.emit("reveal:step", payload, room(payload["contest_id"], "public"))

    def _wake_once_answered(self, response):
        """after_this_request: wake the publisher when the server has sent the answer and closes it.
        Should a wake ever be lost, the contest stays pending and the next sweep (every
        `sweep_seconds`) publishes it."""
        response.call_on_close(self._wakeup.set)
        return response

    # -- the background publisher -------------------------------------------------------------------------

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self._wakeup = socketio.server.eio.create_event()
        socketio.start_background_task(self._run)

    def _run(self) -> None:
        self._freezes_seen_until = clock.now()  # clients that connect later get `frozen`
        while True:
            woken = self._wakeup.wait(timeout=self.sweep_seconds)
            self._wakeup.clear()
            if woken:
                # A quiet board publishes after the settling wait; a busy one a coalescing window after
                # its last round ended, and changes that come meanwhile go out together.
                socketio.sleep(publish_delay(time.monotonic() - self._last_round, self.settle,
                                             self.busy_window))
            else:
                self._pending.update(self._dirty_contests())
                tender = self.app.extensions.get(HEAP)
                if tender is not None and not self._pending:
                    tender.quiet()  # nothing changed for a sweep interval: a full collection may run now
            self._publishing = 0.0
            pending, self._pending = self._pending, set()
            if pending:
                self._last_round = time.monotonic()
            refused = False
            for contest_id in pending:
                outcome = self.flush(contest_id, wait=False)
                if outcome is not True:
                    self._pending.add(contest_id)
                    refused = refused or outcome is False
            self.busy_window = coalescing_window(self.window, self._publishing)
            if time.monotonic() >= self._next_freeze_check:  # after the round: never holds up a publish
                self._next_freeze_check = time.monotonic() + FREEZE_CHECK_SECONDS
                self.announce_freezes(clock.now())
            if self._pending:
                # the database refused: try again shortly; another process was publishing: a window on
                socketio.sleep(1 if refused else self.busy_window)
                self._wakeup.set()

    def _dirty_contests(self) -> set[int]:
        """Contests whose standings changed but were never published: a process died between its
        commit and its publish, or another process without a shared message queue took the mark."""
        with self.app.app_context():
            try:
                return boards.dirty_contests()
            except Exception:
                log.exception("looking for unpublished standings failed")
                return set()
            finally:
                db.session.remove()

    def flush(self, contest_id: int, *, wait: bool = True) -> bool | None:
        """Publish and send a contest's pending board updates. False when it must be retried; None
        (with `wait=False`) when another process is publishing the contest right now."""
        started = time.monotonic()
        with self.app.app_context():
            try:
                updates = boards.publish(contest_id, wait=wait)
                contest = db.session.get(Contest, contest_id)
                blind = bool(contest and access.is_blind(contest))
                db.session.commit()
            except boards.Busy:
                db.session.rollback()
                return None
            except Exception:
                db.session.rollback()
                log.exception("publishing board updates for contest %s failed", contest_id)
                return False
            finally:
                db.session.remove()
                self._publishing += time.monotonic() - started
        for update in updates:
            self.emit("board:update", update, room(contest_id, update["view"]))
            if update["view"] == "jury" and blind:
                self.emit("board:update", {**update, "rows": blind_rows(update["rows"])},
                          room(contest_id, "jury-blind"))
        return True

    def announce_freezes(self, now: datetime) -> None:
        """live.md: `contest:state` on freeze. A freeze starts by the clock, with no request to note it:
        each process tells its own clients of the freezes whose moment passed since it last looked
        (the others do the same for theirs, so this send does not go through the message queue).
        A client that connects later gets `frozen` in its snapshot."""
        since, self._freezes_seen_until = self._freezes_seen_until, now
        if since is None:
            return
        with self.app.app_context():
            try:
                payloads = [boards.state_payload(contest, now) for contest in boards.freezing_between(since, now)]
            except Exception:
                log.exception("looking for contests that froze failed")
                self._freezes_seen_until = since  # look again next time
                return
            finally:
                db.session.remove()
        for payload in payloads:
            for view in ("public", "jury", "jury-blind", "judges"):
                self.emit("contest:state", payload, room(payload["contest_id"], view), local=True)

    def emit(self, name: str, payload: dict[str, Any], to: str, *, local: bool = False) -> None:
        try:
            if local:  # this process's clients only (manager.LocalManager's delivery)
                LocalManager.emit(socketio.server.manager, name, payload, NAMESPACE, to=to)
            else:
                socketio.emit(name, payload, to=to, namespace=NAMESPACE)
        except Exception:  # a broken message queue must not break the caller
            log.exception("emitting %s to %s failed", name, to)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: nothing is committed yet
    touched = session.info.pop(boards.TOUCHED, None)
    states = session.info.pop(boards.STATES, None)
    locks = session.info.pop(boards.LOCKS, None)
    reveals = session.info.pop(boards.REVEALS, None)
    if not (touched or states or locks or reveals):
        return
    broadcaster: Broadcaster | None = current_app.extensions.get(EXTENSION)
    if broadcaster is not None:
        broadcaster.committed(touched or set(), states or {}, locks or [], reveals or [])


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for key in (boards.TOUCHED, boards.STATES, boards.LOCKS, boards.REVEALS):
        session.info.pop(key, None)


def init_app(app: Flask) -> None:
    broadcaster = Broadcaster(app)
    app.extensions[EXTENSION] = broadcaster
    if not broadcaster.sync and app.config.get("COMPETITION_LIVE_SWEEP"):
        broadcaster._start()  # the sweep also publishes what other processes left unpublished
