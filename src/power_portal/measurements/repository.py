"""Reading the time series: energy, series, latest reading and summaries, from the rollups.

Dates and buckets are local to the site's time zone; ``end`` is exclusive (the maths is in
``buckets``). Every chart query reads a 15-minute rollup table (a year is 35,040 rows per
device); only a short series (under a day or so) reads raw rows. A query of the app's own
rollups first flushes its devices' pending rollup ranges (``rollup_queue``). Which series a
query reads is a typed ``SeriesSelection``: this portal's devices, or the admin stack's fleet
tables (one customer's devices, or all of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.scope import held_buckets, held_readings, tenant_of
from power_portal.measurements import rollup_queue
from power_portal.measurements.buckets import (
    DEFAULT_MAX_POINTS,
    ROLLUP_SECONDS,
    bucket_key,
    bucket_starts,
    choose_bucket_seconds,
    local_midnight,
    local_span,
    series_steps,
    whole_hour_shifts,
)
from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS, SERIES_FIELDS
from power_portal.measurements.models import FLEET, MONITORING, SeriesTables
from power_portal.measurements.schemas import (
    EnergyPoint,
    EnergyResponse,
    Interval,
    SeriesResponse,
    SeriesStats,
    Summary,
)

# The longest span a reading query (energy, series, summary) may cover, in days.
MAX_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class SeriesSelection:
    """Which series a query reads: some of this portal's devices, one fleet customer's
    devices, or the whole fleet (``device_ids`` and ``customer_id`` both None)."""

    tables: SeriesTables
    device_ids: tuple[int, ...] | None = None
    customer_id: int | None = None
    # fleet: only these (customer_id, device_id) pairs, e.g. the fleet's supply points
    customer_devices: tuple[tuple[int, int], ...] | None = None

    def __post_init__(self) -> None:
        if self.tables is MONITORING and self.device_ids is None:
            raise ValueError("a monitoring query names its devices")
        customers = self.customer_id is not None or self.customer_devices is not None
        if customers and "customer_id" not in self.tables.keys:
            raise ValueError(f"{self.tables.rollup} has no customers")

    @classmethod
    def devices(cls, device_ids: Iterable[int]) -> SeriesSelection:
        return cls(MONITORING, device_ids=tuple(device_ids))

    @classmethod
    def fleet_customer(cls, customer_id: int) -> SeriesSelection:
        return cls(FLEET, customer_id=customer_id)

    @classmethod
    def whole_fleet(cls) -> SeriesSelection:
        return cls(FLEET)


def _where(selection: SeriesSelection) -> tuple[str, dict[str, object]]:
    """The selection as a condition on the rollup table, with its bound values."""
    conditions: list[str] = []
    params: dict[str, object] = {}
    if selection.device_ids is not None:
        conditions.append("device_id = ANY(:ids)")
        params["ids"] = list(selection.device_ids)
    if selection.customer_id is not None:
        conditions.append("customer_id = :customer_id")
        params["customer_id"] = selection.customer_id
    if selection.customer_devices is not None:
        conditions.append(
            "(customer_id, device_id) IN (SELECT * FROM unnest("
            "CAST(:pair_customers AS bigint[]), CAST(:pair_devices AS bigint[])))"
        )
        params["pair_customers"] = [pair[0] for pair in selection.customer_devices]
        params["pair_devices"] = [pair[1] for pair in selection.customer_devices]
    return " AND ".join(conditions) or "TRUE", params


def bucket_key_sql(interval: Interval, column: str = "bucket_start") -> str:
    """SQL for ``buckets.bucket_key`` of a rollup row's bucket (its ``column``)."""
    if interval is Interval.HOUR:
        # the UTC instant the local hour starts: unique even on the repeated DST hour
        return (
            f"{column} - make_interval(mins => extract(minute FROM {column} AT TIME ZONE :tz)::int)"
        )
    unit = "day" if interval is Interval.DAY else "month"
    return f"date_trunc('{unit}', {column} AT TIME ZONE :tz)"


# ---------------------------------------------------------------- energy


async def _days_are_local_to(db: AsyncSession, device_ids: Sequence[int], timezone: str) -> bool:
    """Whether every device's site is in ``timezone``: then ``rollup_1d``'s days (local to
    each device's site) are the caller's local days."""
    differs = await db.execute(
        text("""
            SELECT EXISTS (SELECT 1 FROM app.devices d JOIN app.sites s ON s.id = d.site_id
                           WHERE d.id = ANY(:ids) AND s.timezone <> :tz)
        """),
        {"ids": list(device_ids), "tz": timezone},
    )
    return not differs.scalar_one()


async def energy(
    db: AsyncSession,
    selection: SeriesSelection,
    start: date,
    end: date,
    interval: Interval,
    timezone: str,
) -> EnergyResponse:
    """Energy per local bucket from a rollup table (a site's devices, or the fleet's)."""
    if selection.tables is MONITORING and selection.device_ids is not None:
        await rollup_queue.flush(db, selection.device_ids)
    zone = ZoneInfo(timezone)
    lo, hi = local_span(start, end, zone)
    series_filter, params = _where(selection)
    params |= {"lo": lo, "hi": hi, "tz": timezone}
    table = selection.tables.rollup
    if selection.tables is MONITORING:
        # a tenant user: the 15-minute buckets inside the instants its tenant held the meter
        # (a daily row cannot split at a move-out)
        series_filter += held_buckets(db)
    if (
        interval is not Interval.HOUR
        and tenant_of(db) is None
        and selection.tables is MONITORING
        and selection.device_ids is not None
        and await _days_are_local_to(db, selection.device_ids, timezone)
    ):
        # Whole local days of the devices' own zone: the daily rollup has them summed.
        day = "day::timestamp"
        if interval is Interval.MONTH:
            day = f"date_trunc('month', {day})"
        params |= {"start": start, "end": end}
        query = f"""
            SELECT {day} AS bucket, sum(energy_import_kwh), sum(energy_export_kwh)
            FROM monitoring.rollup_1d
            WHERE {series_filter} AND day >= :start AND day < :end
            GROUP BY 1"""
    elif interval is not Interval.HOUR and whole_hour_shifts(start, end, zone):
        # Sum the 15-minute buckets into local hours first (an index-only scan), then
        # group 24x fewer rows by local day or month.
        key = bucket_key_sql(interval, "hour")
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
        key = bucket_key_sql(interval)
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
        values = by_key.get(bucket_key(bucket_start, interval))
        points.append(
            EnergyPoint(
                start=bucket_start,
                energy_import_kwh=round(values[0], 6) if values else None,
                energy_export_kwh=round(values[1], 6) if values else None,
            )
        )
    return EnergyResponse(timezone=timezone, interval=interval, points=points)


# ---------------------------------------------------------------- daily energy


async def daily_energy(
    db: AsyncSession, device_ids: Sequence[int], start: date, end: date
) -> dict[int, dict[date, tuple[float, float]]]:
    """(energy_import_kwh, energy_export_kwh) per device and local day (of each device's site)
    in ``[start, end)``, from ``rollup_1d``; a day with no data is absent."""
    if not device_ids:
        return {}
    await rollup_queue.flush(db, device_ids)
    # one row per device, its days as arrays of day numbers (integers decode several times
    # faster than dates): 73,000 days of 200 meters decode in a few ms
    rows = await db.execute(
        text("""
            SELECT device_id, array_agg(day - CAST(:start AS date)), array_agg(energy_import_kwh),
                   array_agg(energy_export_kwh)
            FROM monitoring.rollup_1d
            WHERE device_id = ANY(:ids) AND day >= :start AND day < :end
            GROUP BY device_id
        """),
        {"ids": list(device_ids), "start": start, "end": end},
    )
    calendar = [start + timedelta(days=n) for n in range((end - start).days)]
    by_device: dict[int, dict[date, tuple[float, float]]] = {
        int(device_id): {
            calendar[n]: energy
            for n, energy in zip(numbers, zip(imports, exports, strict=True), strict=True)
        }
        for device_id, numbers, imports, exports in rows
    }
    return by_device


async def energy_totals(
    db: AsyncSession, device_ids: Sequence[int], start: date, end: date
) -> dict[int, tuple[float, float]]:
    """(energy_import_kwh, energy_export_kwh) per device over local days ``[start, end)``,
    from ``rollup_1d``; a device with no data there is absent."""
    if not device_ids:
        return {}
    await rollup_queue.flush(db, device_ids)
    rows = await db.execute(
        text("""
            SELECT device_id, sum(energy_import_kwh), sum(energy_export_kwh)
            FROM monitoring.rollup_1d
            WHERE device_id = ANY(:ids) AND day >= :start AND day < :end
            GROUP BY device_id
        """),
        {"ids": list(device_ids), "start": start, "end": end},
    )
    return {int(device_id): (float(imp), float(exp)) for device_id, imp, exp in rows}


async def daily_group_import(
    db: AsyncSession, groups: Mapping[int, int], start: date, end: date
) -> dict[int, dict[date, float]]:
    """Σ energy_import_kwh per group and local day in ``[start, end)`` (``groups``: device
    id → group id), added up by the database; call ``energy_totals`` or ``daily_energy``
    of the devices first (they flush the rollup queue)."""
    if not groups:
        return {}
    rows = await db.execute(
        text("""
            SELECT g.group_id, r.day - CAST(:start AS date), sum(r.energy_import_kwh)
            FROM monitoring.rollup_1d r
            JOIN unnest(CAST(:ids AS bigint[]), CAST(:groups AS bigint[]))
                 AS g(device_id, group_id) ON g.device_id = r.device_id
            WHERE r.day >= :start AND r.day < :end
            GROUP BY 1, 2
        """),
        {"ids": list(groups), "groups": list(groups.values()), "start": start, "end": end},
    )
    by_group: dict[int, dict[date, float]] = {}
    for group_id, day_number, kwh in rows:
        by_group.setdefault(int(group_id), {})[start + timedelta(days=day_number)] = float(kwh)
    return by_group


async def devices_with_import_on(
    db: AsyncSession, device_ids: Sequence[int], days: Sequence[date]
) -> set[int]:
    """Which of the devices imported energy on any of the local days."""
    if not device_ids or not days:
        return set()
    rows = await db.execute(
        text("""
            SELECT DISTINCT device_id FROM monitoring.rollup_1d
            WHERE device_id = ANY(:ids) AND day = ANY(:days) AND energy_import_kwh > 0
        """),
        {"ids": list(device_ids), "days": list(days)},
    )
    return {int(device_id) for device_id in rows.scalars()}


# ---------------------------------------------------------------- series


async def series(
    db: AsyncSession,
    device_id: int,
    start: datetime,
    end: datetime,
    fields: Sequence[str],
    timezone: str,
    max_points: int = DEFAULT_MAX_POINTS,
) -> SeriesResponse:
    """avg/min/max of ``fields`` per bucket; the bucket grows with the span."""
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:  # the route refuses these first; never let a name reach the SQL
        raise ValueError(f"unknown series fields {sorted(unknown)}")
    bucket = choose_bucket_seconds(end - start, max_points)
    params = {"device_id": device_id, "lo": start, "hi": end, "bucket": timedelta(seconds=bucket)}
    if bucket < ROLLUP_SECONDS:
        source = "raw"
        stats = ", ".join(f"avg({f}), min({f}), max({f})" for f in fields)
        query = f"""
            SELECT date_bin(:bucket, time, :lo) AS b, {stats}
            FROM monitoring.power_measurements
            WHERE device_id = :device_id AND time >= :lo AND time < :hi{held_readings(db)}
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
              AND sample_count > 0{held_buckets(db)}
            GROUP BY 1 ORDER BY 1"""
    rows = {row[0].astimezone(UTC): row[1:] for row in await db.execute(text(query), params)}
    zone = ZoneInfo(timezone)
    times: list[datetime] = []
    columns: dict[str, SeriesStats] = {f: SeriesStats(avg=[], min=[], max=[]) for f in fields}
    for moment in series_steps(start, end, bucket):
        times.append(moment.astimezone(zone))
        values = rows.get(moment)
        for i, field in enumerate(fields):
            stat = columns[field]
            for j, target in enumerate((stat.avg, stat.min, stat.max)):
                value = values[3 * i + j] if values else None
                target.append(None if value is None else round(float(value), 6))
    return SeriesResponse(
        timezone=timezone, bucket_seconds=bucket, source=source, times=times, series=columns
    )


# ---------------------------------------------------------------- latest


async def latest(db: AsyncSession, device_id: int) -> dict[str, object] | None:
    """The newest stored reading, without the fields it has no value for."""
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


async def latest_registers(db: AsyncSession, device_id: int) -> tuple[float, ...] | None:
    """The cumulative registers (``REGISTER_FIELDS`` order, 0 for no value) of the newest
    reading that has an import register; None when there is none."""
    row = (
        await db.execute(
            text(f"""
                SELECT {", ".join(REGISTER_FIELDS)}
                FROM monitoring.power_measurements
                WHERE device_id = :device_id AND energy_import_kwh IS NOT NULL
                ORDER BY time DESC LIMIT 1
            """),
            {"device_id": device_id},
        )
    ).first()
    if row is None:
        return None
    return tuple(float(value or 0.0) for value in row)


# ---------------------------------------------------------------- summary


@dataclass(frozen=True)
class _Peak:
    kw: float | None
    kva: float | None
    at: datetime | None


async def summary(
    db: AsyncSession, device_ids: Sequence[int], start: date, end: date, timezone: str
) -> Summary:
    """KPIs of the devices together over local dates: energy, peak 30-minute demand, average
    power factor, the last reading."""
    await rollup_queue.flush(db, device_ids)
    zone = ZoneInfo(timezone)
    lo, hi = local_span(start, end, zone)
    params = {"ids": list(device_ids), "lo": lo, "hi": hi}
    held = held_buckets(db)
    if not held and await _days_are_local_to(db, device_ids, timezone):
        energy_sql = """
            SELECT coalesce(sum(energy_import_kwh), 0), coalesce(sum(energy_export_kwh), 0)
            FROM monitoring.rollup_1d
            WHERE device_id = ANY(:ids) AND day >= :start AND day < :end"""
    else:
        energy_sql = f"""
            SELECT coalesce(sum(energy_import_kwh), 0), coalesce(sum(energy_export_kwh), 0)
            FROM monitoring.rollup_15m
            WHERE device_id = ANY(:ids) AND bucket_start >= :lo AND bucket_start < :hi{held}"""
    totals = (await db.execute(text(energy_sql), params | {"start": start, "end": end})).one()
    # Demand: 30-minute blocks (two 15-minute buckets), summed over the devices; one pass
    # finds the kW peak's block, the highest kVA of any block and the average power factor.
    peak_row = (
        await db.execute(
            text(f"""
                SELECT block, kw, max(kva) OVER () AS kva_peak,
                       sum(pf_weighted) OVER () / nullif(sum(pf_samples) OVER (), 0) AS pf
                FROM (
                    SELECT date_bin(interval '30 minutes', bucket_start,
                                    timestamptz '2000-01-01 00:00:00+00') AS block,
                           sum(energy_import_kwh) * 2 AS kw,
                           sum(apparent_energy_kvah) * 2 AS kva,
                           sum(power_factor_avg * sample_count) AS pf_weighted,
                           sum(sample_count) FILTER (WHERE power_factor_avg IS NOT NULL)
                               AS pf_samples
                    FROM monitoring.rollup_15m
                    WHERE device_id = ANY(:ids) AND bucket_start >= :lo AND bucket_start < :hi
                          {held}
                    GROUP BY 1
                ) blocks
                ORDER BY kw DESC NULLS LAST LIMIT 1
            """),
            params,
        )
    ).one_or_none()
    power_factor = peak_row.pf if peak_row is not None else None
    peak = _Peak(None, None, None)
    if peak_row is not None and peak_row.kw is not None:
        peak = _Peak(
            round(float(peak_row.kw), 3),
            round(float(peak_row.kva_peak), 3) if peak_row.kva_peak else None,
            peak_row.block.astimezone(zone),
        )
    last = (
        await db.execute(
            text(f"""
                SELECT max(last.time) FROM unnest(CAST(:ids AS bigint[])) AS d(id),
                LATERAL (SELECT max(time) AS time FROM monitoring.power_measurements
                         WHERE device_id = d.id{held_readings(db)}) AS last
            """),
            {"ids": list(device_ids)},
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
        average_power_factor=round(float(power_factor), 4) if power_factor is not None else None,
        last_reading_at=last.astimezone(zone) if last else None,
    )
