"""Keeping ``monitoring.rollup_15m`` right, for exactly the buckets a write touched.

After new rows land for a device, the rows around them decide what changed:
a new reading at ``t`` changes the interval from the reading before it (``p``)
to the reading after it (``n``). So the buckets from ``p``'s to ``n``'s are
rebuilt from the raw rows, which covers late back-fills as well as live data.

Energy rules (API-CONTRACT "Energy"):

- the energy between two readings of a register belongs to the interval
  between them (a reading at 07:00 closes 06:00-07:00);
- an interval that straddles a bucket boundary is split pro rata by time;
- a register that goes backwards is a meter reset: the interval's energy is
  the new reading (counted up from zero), never negative.

The monitoring rollups are rebuilt by ``rollup_queue`` under a per-device
rollup lock, from ranges logged by committed ingest transactions, so every
row a rebuild should see is committed before it starts. The fleet rollups
are rebuilt the same way by ``fleet/rollup_log.py``, from ``fleet.rollup_pending``,
under a per-(customer, device) fleet rollup lock.

``monitoring.rollup_1d`` (energy per device and *local* day of its site) is
the 15-minute rollup summed by day: every monitoring rebuild recomputes, in
the same transaction, the local days its span touches (``rebuild_daily``), so
the daily rows are right whenever the 15-minute ones are. Whoever changes the
zone a device's days are counted in (a site's time zone, a device moving to
another site) recounts its whole history (``rollup_queue.recount_days``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.measurements.fields import REGISTER_FIELDS, SERIES_FIELDS
from power_portal.measurements.models import (
    FLEET,
    MONITORING,
    ROLLUP_BUCKET_MINUTES,
    SeriesTables,
)

BUCKET = f"interval '{ROLLUP_BUCKET_MINUTES} minutes'"
ORIGIN = "timestamptz '2000-01-01 00:00:00+00'"


def _register_source(index: int, column: str, tables: SeriesTables) -> str:
    """One register's readings from the last one before the span to the first after it."""
    pm = tables.measurements
    return f"""
    SELECT {index} AS reg, m.time, m.{column} AS value
    FROM {pm} m
    WHERE {tables.match("m")} AND m.{column} IS NOT NULL
      AND m.time >= coalesce((SELECT max(x.time) FROM {pm} x
                              WHERE {tables.match("x")} AND x.time < :span_a
                                AND x.{column} IS NOT NULL), :span_a)
      AND m.time <= coalesce((SELECT min(x.time) FROM {pm} x
                              WHERE {tables.match("x")} AND x.time >= :span_b
                                AND x.{column} IS NOT NULL), :span_b)"""


_NO_REGISTERS = (
    "\n    SELECT NULL::int AS reg, NULL::timestamptz AS time, NULL::float8 AS value WHERE false"
)


def _build_rebuild_sql(registers_mask: int, tables: SeriesTables = MONITORING) -> str:
    pm = tables.measurements
    register_sources = (
        "\n    UNION ALL".join(
            _register_source(i, column, tables)
            for i, column in enumerate(REGISTER_FIELDS)
            if registers_mask & (1 << i)
        )
        or _NO_REGISTERS
    )
    sample_stats = ",\n        ".join(
        f"avg({f}) AS {f}_avg, min({f}) AS {f}_min, max({f}) AS {f}_max" for f in SERIES_FIELDS
    )
    energy_pivot = ",\n        ".join(
        f"sum(e) FILTER (WHERE reg = {i}) AS {column}" for i, column in enumerate(REGISTER_FIELDS)
    )
    stat_columns = [f"{f}_{s}" for f in SERIES_FIELDS for s in ("avg", "min", "max")]
    insert_columns = ", ".join(["sample_count", *stat_columns, *REGISTER_FIELDS])
    select_columns = ", ".join(
        [
            "coalesce(s.sample_count, 0)",
            *(f"s.{c}" for c in stat_columns),
            *(f"coalesce(e.{c}, 0)" for c in REGISTER_FIELDS),
        ]
    )
    updates = ", ".join(
        f"{c} = excluded.{c}" for c in ["sample_count", *stat_columns, *REGISTER_FIELDS]
    )
    keys = ", ".join(tables.keys)
    key_params = ", ".join(f":{key}" for key in tables.keys)
    return f"""
WITH src AS ({register_sources}
),
pairs AS (
    SELECT reg, lag(time) OVER w AS t0, time AS t1, lag(value) OVER w AS v0, value AS v1
    FROM src
    WINDOW w AS (PARTITION BY reg ORDER BY time)
),
deltas AS (
    SELECT reg, t0, t1,
           CASE WHEN v1 >= v0 THEN v1 - v0 ELSE v1 END AS d,
           extract(epoch FROM t1 - t0) AS seconds,
           date_bin({BUCKET}, t0, {ORIGIN}) AS first_bucket,
           date_bin({BUCKET}, t1 - interval '1 microsecond', {ORIGIN}) AS last_bucket
    FROM pairs
    WHERE t0 IS NOT NULL
),
energy AS (
    SELECT part.bucket, part.reg, sum(part.e) AS e
    FROM (
        -- most intervals lie inside one bucket: all their energy is that bucket's
        SELECT first_bucket AS bucket, reg, d AS e
        FROM deltas
        WHERE first_bucket = last_bucket
        UNION ALL
        -- the others are split pro rata over the buckets they straddle
        SELECT bucket, reg,
               d * extract(epoch FROM least(t1, bucket + {BUCKET}) - greatest(t0, bucket))
               / seconds
        FROM deltas,
             LATERAL generate_series(
                 greatest(first_bucket, :span_a),
                 least(t1 - interval '1 microsecond', :span_b - interval '1 microsecond'),
                 {BUCKET}) AS bucket
        WHERE first_bucket <> last_bucket
    ) AS part
    WHERE part.bucket >= :span_a AND part.bucket < :span_b
    GROUP BY part.bucket, part.reg
),
energy_by_bucket AS (
    SELECT bucket,
        {energy_pivot}
    FROM energy
    GROUP BY bucket
),
samples AS (
    SELECT date_bin({BUCKET}, m.time, {ORIGIN}) AS bucket,
        count(*) AS sample_count,
        {sample_stats}
    FROM {pm} m
    WHERE {tables.match("m")} AND m.time >= :span_a AND m.time < :span_b
    GROUP BY 1
)
INSERT INTO {tables.rollup} ({keys}, bucket_start, {insert_columns})
SELECT {key_params}, coalesce(s.bucket, e.bucket), {select_columns}
FROM samples s
FULL JOIN energy_by_bucket e ON e.bucket = s.bucket
ON CONFLICT ({keys}, bucket_start) DO UPDATE SET {updates}
"""


ALL_REGISTERS = (1 << len(REGISTER_FIELDS)) - 1


def _build_span_sql(tables: SeriesTables) -> str:
    """The buckets to rebuild: from the reading before ``lo``'s to the one after ``hi``'s."""
    pm = tables.measurements
    return f"""
SELECT date_bin({BUCKET}, p, {ORIGIN}) AS span_a,
       date_bin({BUCKET}, n, {ORIGIN}) + {BUCKET} AS span_b
FROM (SELECT
        coalesce((SELECT max(time) FROM {pm}
                  WHERE {tables.match()} AND time < :lo), :lo) AS p,
        coalesce((SELECT min(time) FROM {pm}
                  WHERE {tables.match()} AND time > :hi), :hi) AS n) AS bounds
"""


@lru_cache(maxsize=2 * (ALL_REGISTERS + 1))
def rebuild_sql(registers_mask: int, tables: SeriesTables = MONITORING) -> TextClause:
    """The rebuild statement for the registers a device sends (bit i: REGISTER_FIELDS[i])."""
    return text(_build_rebuild_sql(registers_mask, tables))


@lru_cache(maxsize=2)
def span_sql(tables: SeriesTables = MONITORING) -> TextClause:
    return text(_build_span_sql(tables))


def registers_mask_of(rows: Sequence[Sequence[object]], offset: int) -> int:
    """Which registers have a value in any row (``offset``: column of the first register)."""
    mask = 0
    for i in range(len(REGISTER_FIELDS)):
        if any(row[offset + i] is not None for row in rows):
            mask |= 1 << i
    return mask


async def rebuild_around(
    db: AsyncSession,
    device_id: int,
    lo: datetime,
    hi: datetime,
    registers_mask: int = ALL_REGISTERS,
) -> None:
    """Rebuild the buckets affected by new rows of one device within ``[lo, hi]``, and the
    local days those buckets fall in."""
    span_a, span_b = await _rebuild(
        db, MONITORING, {"device_id": device_id}, lo, hi, registers_mask
    )
    await rebuild_daily(db, [device_id], span_a, span_b)


async def _rebuild(
    db: AsyncSession,
    tables: SeriesTables,
    key: dict[str, int],
    lo: datetime,
    hi: datetime,
    registers_mask: int,
) -> tuple[datetime, datetime]:
    """Two statements: find the span, then rebuild it with the span bound as constants.

    Bound values (not a CTE's) let the planner see the range: it estimates the
    rows right, and TimescaleDB can exclude (and leave compressed) every chunk
    outside it.
    """
    span = (await db.execute(span_sql(tables), {**key, "lo": lo, "hi": hi})).one()
    await db.execute(
        rebuild_sql(registers_mask, tables), {**key, "span_a": span.span_a, "span_b": span.span_b}
    )
    return span.span_a, span.span_b


async def rebuild_fleet_around(
    db: AsyncSession,
    customer_id: int,
    device_id: int,
    lo: datetime,
    hi: datetime,
    registers_mask: int = ALL_REGISTERS,
) -> None:
    """The same for a device of a customer stack, in the admin stack's fleet tables."""
    await _rebuild(
        db, FLEET, {"customer_id": customer_id, "device_id": device_id}, lo, hi, registers_mask
    )


def _build_daily_sql() -> str:
    sums = ",\n           ".join(f"sum(r.{c}) AS {c}" for c in REGISTER_FIELDS)
    columns = ", ".join(["sample_count", *REGISTER_FIELDS])
    updates = ", ".join(f"{c} = excluded.{c}" for c in ["sample_count", *REGISTER_FIELDS])
    return f"""
WITH device_days AS (
    -- each device's local days (its site's zone) touching [lo, hi)
    SELECT d.id AS device_id, s.timezone AS tz,
           (coalesce(CAST(:lo AS timestamptz), '-infinity') AT TIME ZONE s.timezone)::date
               AS first_day,
           ((coalesce(CAST(:hi AS timestamptz), 'infinity') - interval '1 microsecond')
               AT TIME ZONE s.timezone)::date AS last_day
    FROM app.devices d
    JOIN app.sites s ON s.id = d.site_id
    WHERE d.id = ANY(:ids)
),
spans AS (
    SELECT device_id, tz, first_day, last_day,
           first_day::timestamp AT TIME ZONE tz AS span_a,
           (last_day + 1)::timestamp AT TIME ZONE tz AS span_b
    FROM device_days
),
days AS (
    SELECT r.device_id, (r.bucket_start AT TIME ZONE spans.tz)::date AS day,
           sum(r.sample_count) AS sample_count,
           {sums}
    FROM spans
    JOIN {MONITORING.rollup} r ON r.device_id = spans.device_id
     AND r.bucket_start >= spans.span_a AND r.bucket_start < spans.span_b
    GROUP BY 1, 2
),
gone AS (
    -- days that no longer have any 15-minute bucket
    DELETE FROM monitoring.rollup_1d x
    USING spans
    WHERE x.device_id = spans.device_id
      AND x.day >= spans.first_day AND x.day <= spans.last_day
      AND NOT EXISTS (SELECT 1 FROM days WHERE days.device_id = x.device_id
                                           AND days.day = x.day)
)
INSERT INTO monitoring.rollup_1d (device_id, day, {columns})
SELECT device_id, day, {columns} FROM days
ON CONFLICT (device_id, day) DO UPDATE SET {updates}
"""


@lru_cache(maxsize=1)
def daily_sql() -> TextClause:
    return text(_build_daily_sql())


async def rebuild_daily(
    db: AsyncSession,
    device_ids: Sequence[int],
    lo: datetime | None = None,
    hi: datetime | None = None,
) -> None:
    """Recompute ``monitoring.rollup_1d`` of the devices from ``rollup_15m``, for the local
    days (each device's site zone) touching ``[lo, hi)``; all history when they are None.

    Days whose 15-minute buckets are gone lose their row. One statement.
    """
    if not device_ids:
        return
    await db.execute(daily_sql(), {"ids": list(device_ids), "lo": lo, "hi": hi})
