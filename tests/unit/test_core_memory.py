"""The garbage collector's tuning while the app runs (``core/memory.py``)."""

from __future__ import annotations

import gc
import weakref

from power_portal.core.memory import GC_THRESHOLDS, tuned_garbage_collector


def test_start_up_is_frozen_and_the_collector_runs_less_often_until_the_app_stops() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with tuned_garbage_collector():
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] > before[0]
        assert gc.get_freeze_count() > 0  # what existed when it started
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0  # collectable again: a test process starts many apps


def test_a_cycle_made_while_it_runs_is_still_collected() -> None:
    class Node:
        other: object = None

    with tuned_garbage_collector():
        first, second = Node(), Node()
        first.other, second.other = second, first
        gone = weakref.ref(first)
        del first, second  # only the cycle holds them now
        gc.collect()
        assert gone() is None
