"""The group commit's pure decisions: how a group is taken, how its rows and counts map to
its batches, and the token cache's rules (table-driven)."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime, timedelta

import pytest

from power_portal.ingest.group_commit import Pending, take_group
from power_portal.ingest.group_store import GroupBatch, group_params, outcome
from power_portal.ingest.tokens import TOUCH_INTERVAL_SECONDS, TokenCache
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.ingest import IngestResult, count_results, plan_group
from power_portal.measurements.parsing import Row

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def row(minute: int, power: float | None = 1.0, energy: float | None = None) -> Row:
    values: list[float | None] = [None] * len(FIELD_NAMES)
    values[FIELD_NAMES.index("power_kw")] = power
    values[FIELD_NAMES.index("energy_import_kwh")] = energy
    return (T0 + timedelta(minutes=minute), *values)


def pending(sizes: list[int]) -> deque[Pending]:
    loop = asyncio.new_event_loop()
    try:
        return deque(
            Pending(1, "d", [row(i) for i in range(size)], loop.create_future()) for size in sizes
        )
    finally:
        loop.close()


@pytest.mark.parametrize(
    ("sizes", "max_rows", "max_batches", "taken", "left"),
    [
        ([1, 1, 1], 10, 10, 3, 0),  # everything queued fits
        ([1] * 12, 10, 100, 10, 2),  # bounded by rows
        ([1] * 12, 100, 5, 5, 7),  # bounded by batches
        ([50], 10, 10, 1, 0),  # one batch over the bound still goes, alone
        ([3, 50, 1], 10, 10, 1, 2),  # a batch that would pass the bound waits for the next
        ([4, 6, 1], 10, 10, 2, 1),  # exactly the bound
        ([], 10, 10, 0, 0),  # nothing queued
    ],
)
def test_take_group(
    sizes: list[int], max_rows: int, max_batches: int, taken: int, left: int
) -> None:
    queue = pending(sizes)
    first = list(queue)
    group = take_group(queue, max_rows, max_batches)
    assert len(group) == taken
    assert len(queue) == left
    assert group == first[:taken]  # arrival order kept


D1, D2 = 1, 2


@pytest.mark.parametrize(
    ("batches", "inserted", "expected", "written"),
    [
        # one row each, all new
        ([(D1, [row(0)]), (D2, [row(0)])], [(D1, 0), (D2, 0)], [(1, 0), (1, 0)], 2),
        # the same row of one device in two batches: the first batch counts it
        ([(D1, [row(0)]), (D1, [row(0)])], [(D1, 0)], [(1, 0), (0, 1)], 1),
        # already stored before the group: nothing inserted, all duplicates
        ([(D1, [row(0), row(1)]), (D2, [row(1)])], [], [(0, 2), (0, 1)], 3),
        # a repeat inside one batch is a duplicate of that batch
        ([(D1, [row(0), row(0), row(1)])], [(D1, 0), (D1, 1)], [(2, 1)], 2),
        # overlapping batches of one device: each new row counted once, for its first batch
        (
            [(D1, [row(0), row(1)]), (D1, [row(1), row(2)]), (D2, [row(1)])],
            [(D1, 0), (D1, 1), (D1, 2), (D2, 1)],
            [(2, 0), (1, 1), (1, 0)],
            4,
        ),
    ],
)
def test_plan_and_counts(
    batches: list[tuple[int, list[Row]]],
    inserted: list[tuple[int, int]],
    expected: list[tuple[int, int]],
    written: int,
) -> None:
    plan = plan_group(batches)
    assert len(plan.rows) == written
    keys = [(device, T0 + timedelta(minutes=m)) for device, m in inserted]
    assert count_results(plan, keys) == [IngestResult(a, d) for a, d in expected]


def test_plan_masks_are_per_device() -> None:
    plan = plan_group([(D1, [row(0, energy=5.0)]), (D2, [row(0)]), (D1, [row(1)])])
    assert plan.masks[D1] == 1  # energy_import_kwh is the first register
    assert plan.masks[D2] == 0


@pytest.mark.parametrize(
    ("live", "inserted", "expected"),
    [
        ({"a", "b"}, [(D1, 0), (D2, 0)], [IngestResult(1, 0), IngestResult(1, 0)]),
        ({"b"}, [(D2, 0)], [None, IngestResult(1, 0)]),  # a's token revoked
        (set(), [], [None, None]),
        # a revoked: its row does not stop b's copy of it (same device) being stored for b
        ({"b"}, [(D1, 0)], [None, IngestResult(1, 0)]),
    ],
)
def test_outcome_maps_back_to_batches(
    live: set[str], inserted: list[tuple[int, int]], expected: list[IngestResult | None]
) -> None:
    second_device = D1 if inserted == [(D1, 0)] else D2
    batches = [GroupBatch(D1, "a", [row(0)]), GroupBatch(second_device, "b", [row(0)])]
    keys = [(device, T0 + timedelta(minutes=m)) for device, m in inserted]
    assert outcome(batches, live, keys).results == expected


def test_group_params_are_columns() -> None:
    batches = [
        GroupBatch(D1, "a", [row(0, power=2), row(1, power=None)]),
        GroupBatch(D2, "b", [row(0, energy=7.5)]),
    ]
    params = group_params(batches)
    assert params["devices"] == [D1, D1, D2]
    assert params["row_digests"] == ["a", "a", "b"]
    assert params["digests"] == ["a", "b"]
    assert params["power_kw"] == [2.0, None, 1.0]
    assert all(isinstance(v, float) for v in params["power_kw"] if v is not None)
    assert params["batch_masks"] == [0, 1]
    assert all(len(params[name]) == 3 for name in FIELD_NAMES)


@pytest.mark.parametrize(
    ("steps", "device"),
    [
        (["connected", "put"], 7),  # a lookup kept while listening
        (["put"], None),  # not listening: nothing kept, nothing answered
        (["connected", "put", "disconnected"], None),  # the listener dropped: emptied
        (["connected", "put", "disconnected", "connected"], None),  # back: starts empty
        (["connected", "put", "forget"], None),  # a NOTIFY named it
        (["connected", "begin", "forget_other", "finish"], None),  # invalidated mid-lookup
        (["connected", "begin", "finish"], 7),
    ],
)
def test_token_cache(steps: list[str], device: int | None) -> None:
    cache = TokenCache()
    generation = 0
    for step in steps:
        match step:
            case "connected":
                cache.connected()
            case "disconnected":
                cache.disconnected()
            case "put":
                cache.put("d", 7, cache.generation)
            case "forget":
                cache.forget("d")
            case "forget_other":
                cache.forget("other")
            case "begin":
                generation = cache.generation
            case "finish":
                cache.put("d", 7, generation)
    assert cache.device("d") == device


def test_touch_is_due_once_a_minute() -> None:
    cache = TokenCache()
    cache.connected()
    cache.put("d", 7, cache.generation)
    start = cache.entries["d"].touched_at
    assert cache.due_for_touch(["d"], now=start + 1) == []
    assert cache.due_for_touch(["d", "d"], now=start + TOUCH_INTERVAL_SECONDS) == ["d"]
    assert cache.due_for_touch(["d"], now=start + TOUCH_INTERVAL_SECONDS + 1) == []
    assert cache.due_for_touch(["unknown"], now=start + 999) == []
