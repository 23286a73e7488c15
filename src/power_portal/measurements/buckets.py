"""Bucket and DST maths of the reading queries (pure): local dates as UTC instants, bucket starts.

Dates and buckets are local to a time zone and ``end`` is exclusive. A local day is not always
24 hours (23 or 25 on a DST change), a local hour may repeat (the autumn change) or be missing
(the spring one), and some zones are offset by half an hour (Asia/Kolkata): the rollups'
15-minute UTC buckets make every local hour, day and month of such zones a whole number of
buckets, and these functions say which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from power_portal.measurements.models import ROLLUP_BUCKET_MINUTES
from power_portal.measurements.schemas import Interval

DEFAULT_MAX_POINTS = 400
# Bucket sizes a series may use, smallest first (seconds).
SERIES_LADDER = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
ROLLUP_SECONDS = ROLLUP_BUCKET_MINUTES * 60


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def local_span(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) local dates as UTC instants."""
    return (
        local_midnight(start, zone).astimezone(UTC),
        local_midnight(end, zone).astimezone(UTC),
    )


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def bucket_starts(start: date, end: date, interval: Interval, zone: ZoneInfo) -> list[datetime]:
    """Every bucket start in [start, end), as aware local datetimes.

    Hours are real hours (a DST day has 23 or 25 of them); days and months start at local
    midnight; a month bucket starts on the 1st even when ``start`` is later in the month.
    """
    starts: list[datetime] = []
    if interval is Interval.HOUR:
        lo, hi = local_span(start, end, zone)
        moment = lo
        while moment < hi:
            starts.append(moment.astimezone(zone))
            moment += timedelta(hours=1)
    elif interval is Interval.DAY:
        day = start
        while day < end:
            starts.append(local_midnight(day, zone))
            day += timedelta(days=1)
    else:
        month = date(start.year, start.month, 1)
        while month < end:
            starts.append(local_midnight(month, zone))
            month = next_month(month)
    return starts


def whole_hour_shifts(start: date, end: date, zone: ZoneInfo) -> bool:
    """True when every UTC offset in the span differs from the first by whole hours,
    so local hours are whole UTC-aligned hours from the span's start."""
    first = local_midnight(start, zone).utcoffset()
    day = start
    while day <= end:
        offset = local_midnight(day, zone).utcoffset()
        if first is None or offset is None or (offset - first).total_seconds() % 3600:
            return False
        day += timedelta(days=7)
    return True


def bucket_key(start: datetime, interval: Interval) -> datetime:
    """How the SQL names a local bucket: the UTC instant for an hour (unique even on the
    repeated DST hour), the naive local start for a day or month."""
    if interval is Interval.HOUR:
        return start.astimezone(UTC)
    return start.replace(tzinfo=None)


def choose_bucket_seconds(span: timedelta, max_points: int) -> int:
    """The smallest bucket of the ladder that keeps ``span`` within ``max_points``."""
    seconds = span.total_seconds()
    for bucket in SERIES_LADDER:
        if seconds / bucket <= max_points:
            return bucket
    return SERIES_LADDER[-1]


def series_steps(start: datetime, end: datetime, bucket_seconds: int) -> list[datetime]:
    """The UTC start of every series bucket from ``start`` to before ``end``."""
    step = timedelta(seconds=bucket_seconds)
    moment = start.astimezone(UTC)
    steps: list[datetime] = []
    while moment < end:
        steps.append(moment)
        moment += step
    return steps
