"""The heap tender keeps full garbage collections off judges' requests (competition.live.heap)."""
from __future__ import annotations

import gc

import pytest

from competition.live.heap import HeapTender


@pytest.fixture(autouse=True)
def _thawed():
    yield
    gc.unfreeze()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_freezing_moves_the_living_objects_out_of_automatic_collections():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    HeapTender().freeze()
    assert gc.get_freeze_count() > 0


def test_a_full_collection_runs_only_when_due_and_reclaims_frozen_cycles():
    clock = Clock()
    tender = HeapTender(full_seconds=900, clock=clock)

    class Node:
        pass

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return a

    alive = cycle()
    tender.freeze()
    del alive  # a cycle that died after it was frozen: automatic collections never see it
    assert sum(isinstance(o, Node) for o in gc.get_objects()) == 0  # frozen objects are not listed
    gc.collect()
    gc.unfreeze()
    assert sum(isinstance(o, Node) for o in gc.get_objects()) == 2  # still there: collect() skipped it
    tender.freeze()

    clock.now += 899
    assert tender.quiet() is False and tender.collections == 0
    clock.now += 2
    assert tender.quiet() is True and tender.collections == 1
    gc.unfreeze()
    assert sum(isinstance(o, Node) for o in gc.get_objects()) == 0  # the full collection reclaimed it
    assert tender.quiet() is False  # not due again until another full_seconds


def test_boards_that_are_never_quiet_still_get_a_full_collection_once_it_is_overdue():
    clock = Clock()
    tender = HeapTender(full_seconds=900, overdue_seconds=3600, clock=clock)
    clock.now += 900 + 3599  # due for an hour, but the boards were never quiet
    assert tender.overdue() is False and tender.collections == 0
    clock.now += 2
    assert tender.overdue() is True and tender.collections == 1
    assert gc.get_freeze_count() > 0  # what survived is frozen again
    assert tender.overdue() is False and tender.quiet() is False  # the clock starts over


def test_the_tenders_loop_collects_an_overdue_heap_between_freezes():
    clock = Clock()
    tender = HeapTender(freeze_seconds=5, full_seconds=900, overdue_seconds=3600, clock=clock)
    rounds = []

    def sleep(seconds):
        if len(rounds) == 3:
            raise StopIteration
        rounds.append(seconds)
        clock.now += 2000  # each round: 2,000 s of busy boards

    with pytest.raises(StopIteration):
        tender.run(sleep)
    assert rounds == [5, 5, 5]
    assert tender.collections == 1  # after round 3 (6,000 s > 900 + 3,600), not before
