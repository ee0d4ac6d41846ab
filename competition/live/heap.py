"""Garbage-collector pauses of a serving process with thousands of spectators.

Each connected spectator keeps a few hundred objects alive (its socket, engine.io session, writer
greenlet, websocket state). Python's full collections walk every tracked object, so with 2,000
spectators one takes 300–600 ms, and a judge's mark that arrives meanwhile waits that long
(docs/benchmarks.md, benchmark 2). The objects of connected clients are long-lived, so the tender
moves what has survived into the permanent generation every few seconds (`gc.freeze`), which
automatic collections skip; cycles that were frozen and died since are reclaimed by a full
collection at most every `full_seconds`, run when the boards have been quiet (no change to publish
for a sweep interval), not while a judge waits. Boards that are never quiet that long (a contest
marked around the clock) get one anyway once it is `overdue_seconds` late, so that garbage cycles do
not pile up without bound.
"""
from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger("competition.live")


class HeapTender:
    def __init__(self, *, freeze_seconds: float = 5.0, full_seconds: float = 900.0, overdue_seconds: float = 3600.0,
                 clock=time.monotonic):
        self.freeze_seconds = freeze_seconds
        self.full_seconds = full_seconds
        self.overdue_seconds = overdue_seconds
        self.clock = clock
        self.last_full = clock()
        self.collections = 0

    def freeze(self) -> None:
        """Move every object that is alive now out of the automatic collections' way."""
        gc.freeze()

    def quiet(self) -> bool:
        """Called when nothing changed for a while: the time for a full collection, if one is due."""
        if self.clock() - self.last_full < self.full_seconds:
            return False
        self._collect("while quiet")
        return True

    def overdue(self) -> bool:
        """Called between freezes: a full collection even though the boards are busy, when one is
        `overdue_seconds` late."""
        if self.clock() - self.last_full < self.full_seconds + self.overdue_seconds:
            return False
        self._collect("overdue, boards busy")
        return True

    def _collect(self, why: str) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        collected = gc.collect()
        gc.freeze()
        self.last_full = self.clock()
        self.collections += 1
        log.info("full garbage collection (%s): %d objects freed in %.0f ms", why, collected,
                 (time.perf_counter() - started) * 1000)

    def run(self, sleep) -> None:
        while True:
            sleep(self.freeze_seconds)
            if not self.overdue():
                self.freeze()
