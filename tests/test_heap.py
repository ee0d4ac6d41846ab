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
