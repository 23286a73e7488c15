"""The bucket and DST maths of the reading queries (measurements.buckets), row by row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from power_portal.measurements.buckets import (
    SERIES_LADDER,
    bucket_key,
    bucket_starts,
    choose_bucket_seconds,
    local_span,
    next_month,
    series_steps,
    whole_hour_shifts,
)
from power_portal.measurements.models import FLEET, MONITORING
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.schemas import Interval


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "start", "end", "first", "last"),
    [
        # London: BST starts 29 March 2026 at 01:00 UTC, so that day is 23 hours long...
        ("Europe/London", "2026-03-29", "2026-03-30", "2026-03-29T00:00Z", "2026-03-29T23:00Z"),
        # ... and ends 25 October 2026: 25 hours
        ("Europe/London", "2026-10-25", "2026-10-26", "2026-10-24T23:00Z", "2026-10-26T00:00Z"),
        # New York: EDT from 8 March 2026, EST from 1 November 2026
        ("America/New_York", "2026-03-08", "2026-03-09", "2026-03-08T05:00Z", "2026-03-09T04:00Z"),
        ("America/New_York", "2026-11-01", "2026-11-02", "2026-11-01T04:00Z", "2026-11-02T05:00Z"),
        # half-hour offset, no DST
        ("Asia/Kolkata", "2026-01-01", "2026-01-02", "2025-12-31T18:30Z", "2026-01-01T18:30Z"),
        (
            "Africa/Johannesburg",
            "2026-05-01",
            "2026-06-01",
            "2026-04-30T22:00Z",
            "2026-05-31T22:00Z",
        ),
        ("UTC", "2026-02-28", "2026-03-01", "2026-02-28T00:00Z", "2026-03-01T00:00Z"),
    ],
)
def test_local_dates_as_utc_instants(
    zone: str, start: str, end: str, first: str, last: str
) -> None:
    span = local_span(date.fromisoformat(start), date.fromisoformat(end), ZoneInfo(zone))
    assert span == (datetime.fromisoformat(first), datetime.fromisoformat(last))


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("Europe/London", date(2026, 7, 1), 24),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Asia/Kolkata", date(2026, 3, 29), 24),
        ("Africa/Johannesburg", date(2026, 10, 25), 24),
    ],
)
def test_a_local_day_has_as_many_hour_buckets_as_real_hours(
    zone: str, day: date, hours: int
) -> None:
    starts = bucket_starts(day, day + timedelta(days=1), Interval.HOUR, ZoneInfo(zone))
    assert len(starts) == hours
    assert starts[0] == datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
    steps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in pairwise(starts)}
    assert steps == {timedelta(hours=1)}  # real hours, across the change too


@pytest.mark.parametrize(
    ("zone", "day", "local_hours"),
    [
        # the repeated hour (01:00 twice) and the missing one (01:00 skipped)
        ("Europe/London", date(2026, 10, 25), [0, 1, 1, 2, 3]),
        ("Europe/London", date(2026, 3, 29), [0, 2, 3, 4, 5]),
        ("America/New_York", date(2026, 11, 1), [0, 1, 1, 2, 3]),
        ("America/New_York", date(2026, 3, 8), [0, 1, 3, 4, 5]),
        ("Asia/Kolkata", date(2026, 3, 8), [0, 1, 2, 3, 4]),
    ],
)
def test_hour_buckets_name_local_hours_across_a_dst_change(
    zone: str, day: date, local_hours: list[int]
) -> None:
    starts = bucket_starts(day, day + timedelta(days=1), Interval.HOUR, ZoneInfo(zone))
    assert [s.hour for s in starts[:5]] == local_hours
    assert all(s.minute == 0 for s in starts)


@pytest.mark.parametrize(
    ("zone", "start", "end", "interval", "expected"),
    [
        # days start at local midnight, whatever the offset of the day
        ("Europe/London", date(2026, 3, 28), date(2026, 3, 31), Interval.DAY,
         ["2026-03-28T00:00:00+00:00", "2026-03-29T00:00:00+00:00", "2026-03-30T00:00:00+01:00"]),
        ("Asia/Kolkata", date(2026, 1, 31), date(2026, 2, 2), Interval.DAY,
         ["2026-01-31T00:00:00+05:30", "2026-02-01T00:00:00+05:30"]),
        # months start on the 1st, also when the span starts mid-month; December wraps
        ("Africa/Johannesburg", date(2026, 1, 15), date(2026, 3, 10), Interval.MONTH,
         ["2026-01-01T00:00:00+02:00", "2026-02-01T00:00:00+02:00", "2026-03-01T00:00:00+02:00"]),
        ("America/New_York", date(2025, 11, 1), date(2026, 2, 1), Interval.MONTH,
         ["2025-11-01T00:00:00-04:00", "2025-12-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00"]),
        ("UTC", date(2026, 2, 1), date(2026, 2, 1), Interval.DAY, []),
    ],
)  # fmt: skip
def test_day_and_month_bucket_starts(
    zone: str, start: date, end: date, interval: Interval, expected: list[str]
) -> None:
    starts = bucket_starts(start, end, interval, ZoneInfo(zone))
    assert [s.isoformat() for s in starts] == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 3, 1)),
        (date(2026, 12, 15), date(2027, 1, 1)),
        (date(2024, 2, 29), date(2024, 3, 1)),
    ],
)
def test_next_month(day: date, expected: date) -> None:
    assert next_month(day) == expected


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        ("UTC", date(2026, 1, 1), date(2027, 1, 1), True),
        ("Europe/London", date(2026, 1, 1), date(2027, 1, 1), True),  # shifts by a whole hour
        ("Asia/Kolkata", date(2026, 1, 1), date(2027, 1, 1), True),  # +05:30 all year
        ("Africa/Johannesburg", date(2026, 1, 1), date(2027, 1, 1), True),
        # Lord Howe Island shifts by half an hour (+10:30 / +11:00) on 5 April 2026
        ("Australia/Lord_Howe", date(2026, 3, 1), date(2026, 5, 1), False),
        ("Australia/Lord_Howe", date(2026, 5, 1), date(2026, 9, 1), True),
    ],
)
def test_whole_hour_shifts(zone: str, start: date, end: date, expected: bool) -> None:
    assert whole_hour_shifts(start, end, ZoneInfo(zone)) is expected


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("start", "interval", "expected"),
    [
        # the two 01:00s of 25 October 2026 are different hours: keyed by their UTC instant
        (datetime(2026, 10, 25, 1, tzinfo=LONDON), Interval.HOUR, utc(2026, 10, 25, 0)),
        (datetime(2026, 10, 25, 1, fold=1, tzinfo=LONDON), Interval.HOUR, utc(2026, 10, 25, 1)),
        # days and months: the naive local start (what date_trunc AT TIME ZONE gives)
        (datetime(2026, 3, 30, tzinfo=LONDON), Interval.DAY, datetime(2026, 3, 30)),
        (datetime(2026, 6, 1, tzinfo=LONDON), Interval.MONTH, datetime(2026, 6, 1)),
    ],
)
def test_bucket_keys(start: datetime, interval: Interval, expected: datetime) -> None:
    assert bucket_key(start, interval) == expected


@pytest.mark.parametrize(
    ("span", "max_points", "expected"),
    [
        (timedelta(hours=1), 400, 60),
        (timedelta(hours=6, minutes=40), 400, 60),  # exactly 400 minutes
        (timedelta(hours=6, minutes=41), 400, 300),
        (timedelta(days=1), 400, 300),
        (timedelta(days=7), 400, 1800),
        (timedelta(days=31), 400, 3 * 3600),
        (timedelta(days=366), 400, 86400),
        (timedelta(days=3 * 366), 400, 7 * 86400),
        (timedelta(days=3 * 366), 10, SERIES_LADDER[-1]),  # nothing fits: the largest
        (timedelta(days=1), 5000, 60),
    ],
)
def test_series_bucket_grows_with_the_span(span: timedelta, max_points: int, expected: int) -> None:
    assert choose_bucket_seconds(span, max_points) == expected


@pytest.mark.parametrize(
    ("start", "end", "bucket", "expected"),
    [
        # anchored at the start, not at the clock: 10:07 local, every 15 minutes
        (datetime(2026, 5, 1, 10, 7, tzinfo=ZoneInfo("Africa/Johannesburg")),
         datetime(2026, 5, 1, 11, 7, tzinfo=ZoneInfo("Africa/Johannesburg")), 900,
         [utc(2026, 5, 1, 8, 7), utc(2026, 5, 1, 8, 22), utc(2026, 5, 1, 8, 37),
          utc(2026, 5, 1, 8, 52)]),
        # real hours across London's autumn change: the night has five
        (datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 25, 4, tzinfo=UTC), 3600,
         [utc(2026, 10, 24, 23), utc(2026, 10, 25, 0), utc(2026, 10, 25, 1),
          utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)]),
        (utc(2026, 1, 1), utc(2026, 1, 1), 60, []),
    ],
)  # fmt: skip
def test_series_steps(
    start: datetime, end: datetime, bucket: int, expected: list[datetime]
) -> None:
    assert series_steps(start, end, bucket) == expected


@pytest.mark.parametrize(
    ("selection", "tables", "device_ids", "customer_id"),
    [
        (SeriesSelection.devices([3, 1]), MONITORING, (3, 1), None),
        (SeriesSelection.devices([]), MONITORING, (), None),
        (SeriesSelection.fleet_customer(7), FLEET, None, 7),
        (SeriesSelection.whole_fleet(), FLEET, None, None),
    ],
)
def test_series_selections(
    selection: SeriesSelection,
    tables: object,
    device_ids: tuple[int, ...] | None,
    customer_id: int | None,
) -> None:
    assert (selection.tables, selection.device_ids, selection.customer_id) == (
        tables,
        device_ids,
        customer_id,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: SeriesSelection(MONITORING),  # every device of the monitoring tables: no
        lambda: SeriesSelection(MONITORING, device_ids=(1,), customer_id=2),  # no customers
    ],
)
def test_impossible_selections_are_refused(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
