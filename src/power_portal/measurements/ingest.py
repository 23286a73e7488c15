"""Storing a validated batch for one device: COPY, one idempotent INSERT, rollup log.

1. Take the device's ingest lock (a transaction-scoped advisory lock), so
   two batches of one device serialise and rollups never miss a neighbour.
2. Fast path: when nothing is stored yet between the batch's first and last
   time (live data, or a first replay), every row is new: COPY straight into
   the table.
3. Otherwise COPY into a per-connection temporary staging table, then one
   ``INSERT … SELECT … ON CONFLICT (device_id, time) DO NOTHING RETURNING
   time``: rows already stored are duplicates, not errors.
4. The new rows' times are grouped into runs (a gap of more than 6 hours
   starts a new run) and each run is written to the rollup log with the
   registers this device has ever sent (``devices.registers_seen``).
5. Commit: the rows and their log entries appear together or not at all.
   The rollup worker rebuilds the buckets around each run right after, and
   any reader of rollups flushes first (see ``rollup_queue``).

The ingest API's group commit (``ingest/group_store.py``) does the same for many small
batches of many devices in one transaction: ``LOCK_DEVICES_SQL`` (in id order), then one
statement; ``plan_group`` and ``count_results`` give each batch its own counts (a row two
batches of a group bring is counted for the first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS
from power_portal.measurements.parsing import Row, deduplicate
from power_portal.measurements.rollup_queue import enqueue
from power_portal.measurements.rollups import registers_mask_of

log = structlog.get_logger(__name__)

# Namespace for the per-device advisory locks (two-int form: namespace, device id).
DEVICE_LOCK_NAMESPACE = 0x5050  # "PP"
RUN_GAP = timedelta(hours=6)
STAGING = "ingest_staging"
_COLUMNS = ", ".join(FIELD_NAMES)
_STAGING_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (time timestamptz NOT NULL, "
    + ", ".join(f"{name} double precision" for name in FIELD_NAMES)
    + ") ON COMMIT DELETE ROWS"
)
_COPY_SQL = f"COPY {STAGING} (time, {_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["timestamptz", *(["float8"] * len(FIELD_NAMES))]
_COPY_DIRECT_SQL = (
    f"COPY monitoring.power_measurements (device_id, time, {_COLUMNS}) FROM STDIN (FORMAT BINARY)"
)
_COPY_DIRECT_TYPES = ["int8", *_COPY_TYPES]
_ANY_STORED_SQL = text("""
    SELECT EXISTS (SELECT 1 FROM monitoring.power_measurements
                   WHERE device_id = :device_id AND time >= :lo AND time <= :hi)
""")
# Writes the device row only when the batch brings a register never seen before.
_REGISTERS_SQL = text("""
    WITH added AS (
        UPDATE app.devices SET registers_seen = registers_seen | :mask
        WHERE id = :device_id AND registers_seen | :mask <> registers_seen
        RETURNING registers_seen
    )
    SELECT coalesce((SELECT registers_seen FROM added),
                    (SELECT registers_seen FROM app.devices WHERE id = :device_id))
""")
_FIRST_REGISTER = 1 + FIELD_NAMES.index(REGISTER_FIELDS[0])  # column in a Row
_INSERT_SQL = text(f"""
WITH inserted AS (
    INSERT INTO monitoring.power_measurements (device_id, time, {_COLUMNS})
    SELECT :device_id, time, {_COLUMNS} FROM {STAGING}
    ON CONFLICT (device_id, time) DO NOTHING
    RETURNING time
),
marked AS (
    SELECT time,
           CASE WHEN time - lag(time) OVER (ORDER BY time) > interval '6 hours'
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


async def lock_device(db: AsyncSession, device_id: int) -> None:
    await db.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :device_id)"),
        {"ns": DEVICE_LOCK_NAMESPACE, "device_id": device_id},
    )


def runs_of(
    times: list[datetime], gap: timedelta = RUN_GAP
) -> list[tuple[datetime, datetime, int]]:
    """Sorted times grouped into runs: (first, last, count); a gap over ``gap`` splits."""
    runs: list[tuple[datetime, datetime, int]] = []
    for moment in times:
        if runs and moment - runs[-1][1] <= gap:
            first, _, count = runs[-1]
            runs[-1] = (first, moment, count + 1)
        else:
            runs.append((moment, moment, 1))
    return runs


async def copy_rows(db: AsyncSession, sql: str, types: list[str], rows: Iterable[Row]) -> None:
    """Binary COPY on the session's own connection (inside its transaction)."""
    conn = await db.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    async with driver.cursor() as cursor, cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            await copy.write_row(row)


async def store_batch(db: AsyncSession, device_id: int, rows: list[Row]) -> IngestResult:
    """Store validated rows of one device and log them for the rollups. Commits: the
    batch is its own transaction (with whatever the session did before it)."""
    if not rows:
        return IngestResult(0, 0)
    unique = sorted(deduplicate(rows), key=lambda row: row[0])
    await lock_device(db, device_id)
    registers = int(
        (
            await db.execute(
                _REGISTERS_SQL,
                {"device_id": device_id, "mask": registers_mask_of(unique, _FIRST_REGISTER)},
            )
        ).scalar_one()
    )
    lo, hi = unique[0][0], unique[-1][0]
    overlaps = (
        await db.execute(_ANY_STORED_SQL, {"device_id": device_id, "lo": lo, "hi": hi})
    ).scalar_one()
    if not overlaps:
        await copy_rows(db, _COPY_DIRECT_SQL, _COPY_DIRECT_TYPES, [(device_id, *r) for r in unique])
        runs = runs_of([row[0] for row in unique])
    else:
        # Cheap when it exists; always issued, so a rolled-back first use cannot lose it.
        await db.execute(text(_STAGING_DDL))
        await copy_rows(db, _COPY_SQL, _COPY_TYPES, unique)
        runs = [
            (r.lo, r.hi, int(r.n)) for r in await db.execute(_INSERT_SQL, {"device_id": device_id})
        ]
    await enqueue(db, device_id, [(run_lo, run_hi) for run_lo, run_hi, _ in runs], registers)
    accepted = sum(count for _, _, count in runs)
    await db.commit()  # boundary: an ingest batch is stored, with its rollup log, or not at all
    result = IngestResult(accepted=accepted, duplicates=len(rows) - accepted)
    log.info(
        "ingest.batch",
        device_id=device_id,
        rows=len(rows),
        accepted=result.accepted,
        duplicates=result.duplicates,
        runs=len(runs),
        fast_path=not overlaps,
    )
    return result


# ---------------------------------------------------------------- group commit

LOCK_DEVICES_SQL = """
    SELECT pg_advisory_xact_lock(CAST(%(ns)s AS int), CAST(id AS int))
    FROM unnest(CAST(%(ids)s AS bigint[])) AS d(id) ORDER BY id
"""

Key = tuple[int, datetime]  # device id, time


@dataclass(frozen=True)
class GroupPlan:
    """What a group of batches writes, and how the stored rows map back to its batches."""

    rows: list[Row]  # (device_id, time, *FIELD_NAMES): one per (device, time)
    owners: dict[Key, int]  # (device, time) -> the batch it is counted for (the first)
    sizes: list[int]  # the rows each batch brought, its own repeats included
    masks: dict[int, int]  # device -> the registers its rows in the group bring


def plan_group(batches: Sequence[tuple[int, Sequence[Row]]]) -> GroupPlan:
    """The rows to write for batches (device id, validated rows), in order: the first row
    for each (device, time) is written and counted for its batch; a later one (in the
    same batch or another) is a duplicate."""
    rows: list[Row] = []
    owners: dict[Key, int] = {}
    masks: dict[int, int] = {}
    for index, (device_id, batch) in enumerate(batches):
        for row in batch:
            key = (device_id, row[0])
            if key not in owners:
                owners[key] = index
                rows.append((device_id, *row))
        masks[device_id] = masks.get(device_id, 0) | registers_mask_of(batch, _FIRST_REGISTER)
    return GroupPlan(rows, owners, [len(batch) for _, batch in batches], masks)


def count_results(plan: GroupPlan, inserted: Iterable[Key]) -> list[IngestResult]:
    """Each batch's counts: its rows the INSERT stored; the rest of its rows are duplicates."""
    accepted = [0] * len(plan.sizes)
    for key in inserted:
        accepted[plan.owners[key]] += 1
    return [IngestResult(n, size - n) for n, size in zip(accepted, plan.sizes, strict=True)]
