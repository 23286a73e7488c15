"""The rollup log: merging its pending ranges before a rebuild, the wait before a drain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import URL

from power_portal.measurements.rollup_queue import (
    SETTLE_MAX_SECONDS,
    SETTLE_SECONDS,
    listen_conninfo,
    merge_ranges,
    settle_seconds,
)

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_overlapping_and_close_ranges_merge_and_their_registers_add_up() -> None:
    ranges = [(at(10), at(12), 0b001), (at(0), at(2), 0b001), (at(1), at(3), 0b100)]
    assert merge_ranges(ranges) == [(at(0), at(3), 0b101), (at(10), at(12), 0b001)]
    # within the gap: one rebuild; beyond it: two
    assert merge_ranges([(at(0), at(1), 1), (at(7), at(8), 1)]) == [(at(0), at(8), 1)]
    assert len(merge_ranges([(at(0), at(1), 1), (at(7.01), at(8), 1)])) == 2


def test_a_range_inside_another_does_not_shrink_it() -> None:
    assert merge_ranges([(at(0), at(10), 1), (at(2), at(3), 2)]) == [(at(0), at(10), 3)]
    assert merge_ranges([]) == []


def test_the_listener_connects_where_the_engine_does() -> None:
    url = URL.create(
        "postgresql+psycopg",
        username="portal",
        password="s3cret",
        database="portal",
        query={"host": "/tmp/socket dir"},
    )
    conninfo = listen_conninfo(url)
    assert conninfo.startswith("postgresql://portal:s3cret@/portal?host=")
    assert "psycopg" not in conninfo


@pytest.mark.parametrize(
    ("last_drain_seconds", "settle"),
    [
        (0.0, SETTLE_SECONDS),  # nothing drained: the least wait
        (0.01, SETTLE_SECONDS),  # a quick drain: 0.09 s would be under the least
        (0.05, 0.45),  # drains at most a tenth of the time: 0.05 s drained, 0.45 s waited
        (0.1, 0.9),
        (0.3, SETTLE_MAX_SECONDS),  # 2.7 s capped: rollups never wait longer
        (5.0, SETTLE_MAX_SECONDS),
    ],
)
def test_the_wait_before_a_drain_grows_with_the_last_drain(
    last_drain_seconds: float, settle: float
) -> None:
    assert settle_seconds(last_drain_seconds) == pytest.approx(settle)
