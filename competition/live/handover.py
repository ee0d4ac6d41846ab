"""The database hand-over of the live layer (operations.md, "When Redis is down").

`Handover` is the live layer's side. While the queue is down it hands this process's spectators,
every `interval` seconds, the newest update of each view they watch and the contest's state, read
from the database (the other processes' updates no longer arrive through Redis); once more when the
queue is back (updates published while this process was not subscribed never arrive). Clients
ignore an update whose `seq` they have and ask `board:resync` on a gap, so repeats are harmless and
every board converges by `seq` (board-core.js).
"""
from __future__ import annotations

import logging
from typing import Any

from competition.extensions import db
from competition.live.manager import QueueManager
from competition.live.rooms import NAMESPACE, blind_rows, contest_room
from competition.models import Contest
from competition.services import access, boards, marking

log = logging.getLogger("competition.live")


class Handover:
    """This process's spectators while the queue is down (see the module docstring)."""

    def __init__(self, app, manager: QueueManager, interval: float = 2.0):
        self.app = app
        self.manager = manager
        self.interval = interval
        self._sent: dict[str, Any] = {}  # room -> what it was last handed (seq, state, hello)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.manager.server.start_background_task(self._run)

    def _run(self) -> None:
        was_down = False
        while True:
            self.manager.server.sleep(self.interval if was_down else min(self.interval, 0.5))
            try:
                if self.manager.recovered.is_set():
                    self.manager.recovered.clear()
                    republished = self.manager.republish()
                    self.hand_over(force=True)
                    log.info("message queue back: %s unsent updates published again, local boards resumed",
                             republished)
                if self.manager.fault:
                    self.hand_over(force=not was_down)
                    was_down = True
                    self.manager.probe()  # may wait for io_timeout on a hung Redis: after the spectators
                else:
                    was_down = False
            except Exception:  # never let the hand-over die
                log.exception("handing over board updates failed")

    def hand_over(self, force: bool = False) -> int:
        """Send each local room of /live what it may have missed; returns the number of events sent."""
        rooms: dict[int, list[tuple[str, str]]] = {}
        for name, members in list(self.manager.rooms.get(NAMESPACE, {}).items()):
            parsed = contest_room(name) if members else None
            if parsed:
                rooms.setdefault(parsed[0], []).append((name, parsed[1]))
        if force:
            self._sent.clear()
        sent = 0
        if not rooms:
            return sent
        with self.app.app_context():
            try:
                for contest_id, contest_rooms in rooms.items():
                    contest = db.session.get(Contest, contest_id)
                    if contest is None:
                        continue
                    state = boards.state_payload(contest)
                    blind = access.is_blind(contest)
                    for name, kind in contest_rooms:
                        if kind == "judges":
                            hello = {"contest_id": contest_id, "state": state["state"],
                                     "locks": marking.locks_of(contest)}
                            sent += self._send(name, "judge:hello", hello, hello)
                            continue
                        sent += self._send(f"{name}#state", "contest:state", state, state, room=name)
                        if kind == "jury-blind" and not blind:
                            continue
                        view = "jury" if kind == "jury-blind" else kind
                        seq = boards.current_seq(contest_id, view)
                        latest = boards.events_since(contest_id, view, seq - 1) if seq > 0 else None
                        if latest:
                            update = latest[-1]
                            if kind == "jury-blind":
                                update = {**update, "rows": blind_rows(update["rows"])}
                            sent += self._send(name, "board:update", update, seq)
                db.session.rollback()
            finally:
                db.session.remove()
        return sent

    def _send(self, key: str, event: str, payload: dict, marker: Any, room: str | None = None) -> int:
        if self._sent.get(key) == marker:
            return 0
        self.manager.emit(event, payload, namespace=NAMESPACE, room=room or key, ignore_queue=True)
        self._sent[key] = marker
        return 1
