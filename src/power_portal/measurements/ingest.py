"""Storing a validated batch for one device: COPY, one idempotent INSERT, rollups.

1. Take the device's ingest lock (a transaction-scoped advisory lock), so
   two batches of one device serialise and rollups never miss a neighbour.
2. COPY the rows (binary) into a per-connection temporary staging table.
3. One ``INSERT … SELECT … ON CONFLICT (device_id, time) DO NOTHING RETURNING
   time``: rows already stored are duplicates, not errors. The returned times
   are grouped into runs (a gap of more than 6 hours starts a new run).
4. Rebuild the rollup buckets around each run (``rollups.rebuild_around``).
5. Commit: the rows and their rollups appear together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.parsing import Row, deduplicate
from power_portal.measurements.rollups import rebuild_around

log = structlog.get_logger(__name__)

# Namespace for the per-device advisory locks (two-int form: namespace, device id).
DEVICE_LOCK_NAMESPACE = 0x5050  # "PP"
RUN_GAP = "6 hours"
STAGING = "ingest_staging"
_COLUMNS = ", ".join(FIELD_NAMES)
_STAGING_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (time timestamptz NOT NULL, "
    + ", ".join(f"{name} double precision" for name in FIELD_NAMES)
    + ") ON COMMIT DELETE ROWS"
)
_COPY_SQL = f"COPY {STAGING} (time, {_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["timestamptz", *(["float8"] * len(FIELD_NAMES))]
_INSERT_SQL = text(f"""
WITH inserted AS (
    INSERT INTO monitoring.power_measurements (device_id, time, {_COLUMNS})
    SELECT :device_id, time, {_COLUMNS} FROM {STAGING}
    ON CONFLICT (device_id, time) DO NOTHING
    RETURNING time
),
marked AS (
    SELECT time,
           CASE WHEN time - lag(time) OVER (ORDER BY time) > interval '{RUN_GAP}'
                THEN 1 ELSE 0 END AS starts_run
    FROM inserted
),
runs AS (
    SELECT time, sum(starts_run) OVER (ORDER BY time) AS run FROM marked
)
SELECT min(time) AS lo, max(time) AS hi, count(*) AS n FROM runs GROUP BY run ORDER BY lo
""")


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    earliest: datetime | None = None
    latest: datetime | None = None


async def lock_device(db: AsyncSession, device_id: int) -> None:
    await db.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :device_id)"),
        {"ns": DEVICE_LOCK_NAMESPACE, "device_id": device_id},
    )


async def store_batch(db: AsyncSession, device_id: int, rows: list[Row]) -> IngestResult:
    """Store validated rows of one device and update its rollups. Commits."""
    if not rows:
        return IngestResult(0, 0)
    unique = deduplicate(rows)
    conn = await db.connection()
    await lock_device(db, device_id)
    # Cheap when it exists; always issued, so a rolled-back first use cannot leave us without it.
    await db.execute(text(_STAGING_DDL))
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    async with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
        copy.set_types(_COPY_TYPES)
        for row in unique:
            await copy.write_row(row)
    runs = (await db.execute(_INSERT_SQL, {"device_id": device_id})).all()
    accepted = 0
    for lo, hi, count in runs:
        await rebuild_around(db, device_id, lo, hi)
        accepted += int(count)
    await db.commit()
    result = IngestResult(
        accepted=accepted,
        duplicates=len(rows) - accepted,
        earliest=runs[0][0] if runs else None,
        latest=runs[-1][1] if runs else None,
    )
    log.info(
        "ingest.batch",
        device_id=device_id,
        rows=len(rows),
        accepted=result.accepted,
        duplicates=result.duplicates,
        runs=len(runs),
    )
    return result
