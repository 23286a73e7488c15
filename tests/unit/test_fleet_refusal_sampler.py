"""The sampling of anonymous fleet refusals' log lines, table by table (fleet/refusals.py)."""

from __future__ import annotations

import pytest

from power_portal.fleet.refusals import LogSampler

# (burst, every, window, [(now, key), ...], [decision, ...]): None = left out of the log,
# an int = logged, with that many of its key left out since the previous logged one
CASES = [
    pytest.param(3, 5, 60.0, [(0, "a")] * 3, [0, 0, 0], id="the burst is logged"),
    pytest.param(
        2,
        3,
        60.0,
        [(0, "a")] * 8,
        [0, 0, None, None, 2, None, None, 2],
        id="after the burst one in every",
    ),
    pytest.param(
        1,
        100,
        60.0,
        [(0, "a"), (1, "a"), (2, "a"), (60, "a")],
        [0, None, None, 2],
        id="a new window logs again, saying what was left out",
    ),
    pytest.param(
        1,
        100,
        60.0,
        [(0, "a"), (1, "a"), (59.9, "a"), (60, "a"), (61, "a")],
        [0, None, None, 2, None],
        id="the window starts at its first refusal",
    ),
    pytest.param(
        1,
        100,
        60.0,
        [(0, "a"), (1, "a"), (2, "b"), (3, "b"), (4, "a")],
        [0, None, 0, None, None],
        id="each key has its own count",
    ),
    pytest.param(
        0, 1, 60.0, [(0, "a")] * 3, [0, 0, 0], id="no burst, every one: everything logged"
    ),
    pytest.param(0, 2, 60.0, [(0, "a")] * 4, [None, 1, None, 1], id="no burst: every second"),
]


@pytest.mark.parametrize(("burst", "every", "window", "events", "expected"), CASES)
def test_decisions(
    burst: int,
    every: int,
    window: float,
    events: list[tuple[float, str]],
    expected: list[int | None],
) -> None:
    sampler = LogSampler(burst=burst, every=every, window_seconds=window)
    assert [sampler.decide(key, now) for now, key in events] == expected


def test_a_flood_logs_a_bounded_number_and_accounts_for_every_refusal() -> None:
    sampler = LogSampler(burst=10, every=100, window_seconds=60)
    decisions = [sampler.decide("unknown_token", n / 1000) for n in range(10_000)]
    logged = [d for d in decisions if d is not None]
    assert len(logged) == 10 + (10_000 - 10) // 100
    # every refusal is either logged or counted in the next logged line
    assert len(logged) + sum(logged) + sampler._windows["unknown_token"].left_out == 10_000
