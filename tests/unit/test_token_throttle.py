"""The per-client limiter on unknown device/customer tokens, on a fake clock."""

from __future__ import annotations

import pytest

from power_portal.auth import throttle
from power_portal.auth.throttle import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_the_limit_until_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    limiter = FailureThrottle(max_failures=3, window_seconds=60, clock=clock)
    for _ in range(2):
        limiter.record_failure("a")
        clock.now += 10
    assert limiter.retry_after("a") == 0
    limiter.record_failure("a")  # failures at 1000, 1010, 1020
    assert limiter.retry_after("a") == 40  # 1000 + 60 - 1020
    assert limiter.retry_after("b") == 0  # another client is not affected
    clock.now = 1059.5
    assert limiter.retry_after("a") == 1
    clock.now = 1060
    assert limiter.retry_after("a") == 0  # the first failure left the window


def test_a_steady_trickle_below_the_limit_is_never_blocked() -> None:
    clock = Clock()
    limiter = FailureThrottle(max_failures=5, window_seconds=60, clock=clock)
    for _ in range(1000):
        assert limiter.retry_after("a") == 0
        limiter.record_failure("a")
        clock.now += 13  # under 5 a minute


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_TRACKED_CLIENTS", 100)
    limiter = FailureThrottle(max_failures=2, window_seconds=60, clock=Clock())
    for n in range(1000):
        limiter.record_failure(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._failures) == 100
    limiter.record_failure("10.0.3.231")  # the newest are kept
    assert limiter.retry_after("10.0.3.231") > 0
    assert limiter.retry_after("10.0.0.0") == 0  # the oldest were forgotten
