"""Energy, series, latest reading and summaries — read from the rollups.

Dates and buckets are local to the site's time zone; ``end`` is exclusive.
Every chart query reads ``rollup_15m`` (a year is 35,040 rows per device);
only a short series (under a day or so) reads raw rows. A query of the app's
own rollups first flushes its devices' pending rollup ranges (``rollup_queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.measurements import rollup_queue
from power_portal.measurements.fields import FIELD_NAMES, SERIES_FIELDS
from power_portal.measurements.schemas import (
    EnergyPoint,
    EnergyResponse,
    Interval,
    SeriesResponse,
    SeriesStats,
    Summary,
)

DEFAULT_MAX_POINTS = 400
# Bucket sizes a series may use, smallest first (seconds).
SERIES_LADDER = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
ROLLUP_SECONDS = 900
MONITORING_ROLLUPS = "monitoring.rollup_15m"


# ---------------------------------------------------------------- time helpers


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def local_span(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) local dates as UTC instants."""
    return (
        local_midnight(start, zone).astimezone(UTC),
        local_midnight(end, zone).astimezone(UTC),
    )


def bucket_starts(start: date, end: date, interval: Interval, zone: ZoneInfo) -> list[datetime]:
    """Every bucket start in [start, end), as aware local datetimes."""
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
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return starts


def _whole_hour_shifts(start: date, end: date, zone: ZoneInfo) -> bool:
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


def _bucket_key_sql(interval: Interval) -> str:
    if interval is Interval.HOUR:
        # the UTC instant the local hour starts: unique even on the repeated DST hour
        return (
            "bucket_start - make_interval(mins => "
            "extract(minute FROM bucket_start AT TIME ZONE :tz)::int)"
        )
    unit = "day" if interval is Interval.DAY else "month"
    return f"date_trunc('{unit}', bucket_start AT TIME ZONE :tz)"


def _key_of(start: datetime, interval: Interval) -> datetime:
    """The SQL key for a local bucket start (UTC instant for hours, naive local otherwise)."""
    if interval is Interval.HOUR:
        return start.astimezone(UTC)
    return start.replace(tzinfo=None)


# ---------------------------------------------------------------- energy


async def energy(
    db: AsyncSession,
    device_ids: list[int],
    start: date,
    end: date,
    interval: Interval,
    timezone: str,
    *,
    table: str = MONITORING_ROLLUPS,
    series_filter: str = "device_id = ANY(:ids)",
    filter_params: dict[str, object] | None = None,
) -> EnergyResponse:
    """Energy per local bucket from a rollup table (the site's, or the fleet's)."""
    if table == MONITORING_ROLLUPS:
        await rollup_queue.flush(db, device_ids)
    zone = ZoneInfo(timezone)
    lo, hi = local_span(start, end, zone)
    params: dict[str, object] = {"ids": device_ids, "lo": lo, "hi": hi, "tz": timezone}
    params |= filter_params or {}
    if interval is not Interval.HOUR and _whole_hour_shifts(start, end, zone):
        # Sum the 15-minute buckets into local hours first (an index-only scan), then
        # group 24x fewer rows by local day or month.
        key = _bucket_key_sql(interval).replace("bucket_start", "hour")
        query = f"""
            WITH hourly AS (
                SELECT date_bin(interval '1 hour', bucket_start, :lo) AS hour,
                       sum(energy_import_kwh) AS imp, sum(energy_export_kwh) AS exp
                FROM {table}
                WHERE {series_filter} AND bucket_start >= :lo AND bucket_start < :hi
                GROUP BY 1
            )
            SELECT {key} AS bucket, sum(imp), sum(exp) FROM hourly GROUP BY 1"""
    else:
        key = _bucket_key_sql(interval)
        query = f"""
            SELECT {key} AS bucket, sum(energy_import_kwh), sum(energy_export_kwh)
            FROM {table}
            WHERE {series_filter} AND bucket_start >= :lo AND bucket_start < :hi
            GROUP BY 1"""
    rows = await db.execute(text(query), params)
    by_key: dict[datetime, tuple[float, float]] = {
        (bucket if bucket.tzinfo is None else bucket.astimezone(UTC)): (imp, exp)
        for bucket, imp, exp in rows
    }
    points = []
    for bucket_start in bucket_starts(start, end, interval, zone):
        values = by_key.get(_key_of(bucket_start, interval))
        points.append(
            EnergyPoint(
                start=bucket_start,
                energy_import_kwh=round(values[0], 6) if values else None,
                energy_export_kwh=round(values[1], 6) if values else None,
            )
        )
    return EnergyResponse(timezone=timezone, interval=interval, points=points)


# ---------------------------------------------------------------- series


def choose_bucket_seconds(span: timedelta, max_points: int) -> int:
    seconds = span.total_seconds()
    for bucket in SERIES_LADDER:
        if seconds / bucket <= max_points:
            return bucket
    return SERIES_LADDER[-1]


async def series(
    db: AsyncSession,
    device_id: int,
    start: datetime,
    end: datetime,
    fields: list[str],
    timezone: str,
    max_points: int = DEFAULT_MAX_POINTS,
) -> SeriesResponse:
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:  # the router refuses these first; never let a name reach the SQL
        raise ValueError(f"unknown series fields {sorted(unknown)}")
    bucket = choose_bucket_seconds(end - start, max_points)
    params = {"device_id": device_id, "lo": start, "hi": end, "bucket": timedelta(seconds=bucket)}
    if bucket < ROLLUP_SECONDS:
        source = "raw"
        stats = ", ".join(f"avg({f}), min({f}), max({f})" for f in fields)
        query = f"""
            SELECT date_bin(:bucket, time, :lo) AS b, {stats}
            FROM monitoring.power_measurements
            WHERE device_id = :device_id AND time >= :lo AND time < :hi
            GROUP BY 1 ORDER BY 1"""
    else:
        await rollup_queue.flush(db, [device_id])
        source = "rollup_15m"
        stats = ", ".join(
            f"sum({f}_avg * sample_count) / nullif(sum(sample_count) "
            f"FILTER (WHERE {f}_avg IS NOT NULL), 0), min({f}_min), max({f}_max)"
            for f in fields
        )
        query = f"""
            SELECT date_bin(:bucket, bucket_start, :lo) AS b, {stats}
            FROM monitoring.rollup_15m
            WHERE device_id = :device_id AND bucket_start >= :lo AND bucket_start < :hi
              AND sample_count > 0
            GROUP BY 1 ORDER BY 1"""
    rows = {row[0].astimezone(UTC): row[1:] for row in await db.execute(text(query), params)}
    zone = ZoneInfo(timezone)
    times: list[datetime] = []
    columns: dict[str, SeriesStats] = {f: SeriesStats(avg=[], min=[], max=[]) for f in fields}
    step = timedelta(seconds=bucket)
    moment = start.astimezone(UTC)
    while moment < end:
        times.append(moment.astimezone(zone))
        values = rows.get(moment)
        for i, field in enumerate(fields):
            stat = columns[field]
            for j, target in enumerate((stat.avg, stat.min, stat.max)):
                value = values[3 * i + j] if values else None
                target.append(None if value is None else round(float(value), 6))
        moment += step
    return SeriesResponse(
        timezone=timezone, bucket_seconds=bucket, source=source, times=times, series=columns
    )


# ---------------------------------------------------------------- latest


async def latest(db: AsyncSession, device_id: int) -> dict[str, object] | None:
    row = (
        await db.execute(
            text(f"""
                SELECT time, received_at, {", ".join(FIELD_NAMES)}
                FROM monitoring.power_measurements
                WHERE device_id = :device_id ORDER BY time DESC LIMIT 1
            """),
            {"device_id": device_id},
        )
    ).one_or_none()
    if row is None:
        return None
    reading = dict(row._mapping)
    return {k: v for k, v in reading.items() if v is not None}


# ---------------------------------------------------------------- summary


@dataclass(frozen=True)
class _Peak:
    kw: float | None
    kva: float | None
    at: datetime | None


async def summary(
    db: AsyncSession, device_ids: list[int], start: date, end: date, timezone: str
) -> Summary:
    await rollup_queue.flush(db, device_ids)
    zone = ZoneInfo(timezone)
    lo, hi = local_span(start, end, zone)
    params = {"ids": device_ids, "lo": lo, "hi": hi}
    totals = (
        await db.execute(
            text("""
                SELECT coalesce(sum(energy_import_kwh), 0), coalesce(sum(energy_export_kwh), 0),
                       sum(power_factor_avg * sample_count) / nullif(
                           sum(sample_count) FILTER (WHERE power_factor_avg IS NOT NULL), 0)
                FROM monitoring.rollup_15m
                WHERE device_id = ANY(:ids) AND bucket_start >= :lo AND bucket_start < :hi
            """),
            params,
        )
    ).one()
    # Demand: 30-minute blocks (two 15-minute buckets), summed over the devices; one pass
    # finds the kW peak's block and the highest kVA of any block.
    peak_row = (
        await db.execute(
            text("""
                SELECT block, kw, max(kva) OVER () AS kva_peak FROM (
                    SELECT date_bin(interval '30 minutes', bucket_start,
                                    timestamptz '2000-01-01 00:00:00+00') AS block,
                           sum(energy_import_kwh) * 2 AS kw,
                           sum(apparent_energy_kvah) * 2 AS kva
                    FROM monitoring.rollup_15m
                    WHERE device_id = ANY(:ids) AND bucket_start >= :lo AND bucket_start < :hi
                    GROUP BY 1
                ) blocks
                ORDER BY kw DESC NULLS LAST LIMIT 1
            """),
            params,
        )
    ).one_or_none()
    peak = _Peak(None, None, None)
    if peak_row is not None and peak_row.kw is not None:
        peak = _Peak(
            round(float(peak_row.kw), 3),
            round(float(peak_row.kva_peak), 3) if peak_row.kva_peak else None,
            peak_row.block.astimezone(zone),
        )
    last = (
        await db.execute(
            text("""
                SELECT max(last.time) FROM unnest(CAST(:ids AS bigint[])) AS d(id),
                LATERAL (SELECT max(time) AS time FROM monitoring.power_measurements
                         WHERE device_id = d.id) AS last
            """),
            {"ids": device_ids},
        )
    ).scalar_one()
    return Summary(
        timezone=timezone,
        start=local_midnight(start, zone),
        end=local_midnight(end, zone),
        energy_import_kwh=round(float(totals[0]), 6),
        energy_export_kwh=round(float(totals[1]), 6),
        peak_demand_kw=peak.kw,
        peak_demand_kva=peak.kva,
        peak_demand_at=peak.at,
        average_power_factor=round(float(totals[2]), 4) if totals[2] is not None else None,
        last_reading_at=last.astimezone(zone) if last else None,
    )
