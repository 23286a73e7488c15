"""Merging the rollup log's pending ranges before a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import URL

from power_portal.measurements.rollup_queue import listen_conninfo, merge_ranges

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
