"""The fleet rollups, rebuilt right after the fleet ingest transaction, from an invalidation log.

The same design as this portal's own rollups (``measurements/rollup_queue.py``), over the
fleet tables: a pushed measurements batch stores its rows and, atomically with them, one
``fleet.rollup_pending`` entry per run of new rows (customer, device, first and last time,
the registers the device has sent), then ``NOTIFY portal_fleet_rollups``. The rebuild
(``rebuild_fleet_around`` into ``fleet.rollup_15m``) happens outside the batch:

- the fleet rollup worker of every admin-stack process LISTENs, lets a burst settle and
  drains the log; it also polls, so entries left by another process or a crash before
  the rebuild are never lost;
- a reader of the fleet rollups (``service.energy``) first flushes the pending entries
  of the customers it reads, so it never shows a stale bucket.

Draining one device takes its fleet rollup lock (an advisory lock on
``(customer_id, device_id)`` in a namespace of its own, not the ingest lock: a batch
never waits for a rebuild), deletes its entries and rebuilds their merged ranges in
the same transaction: a crash rolls both back and the entries stay queued; an entry
committed meanwhile is not seen by the DELETE and is drained next time.

Grafana's fleet dashboard reads ``fleet.rollup_15m`` as the read-only role and cannot
flush: it sees what the worker has rebuilt (a fraction of a second behind a push), as its
power overview does with this portal's rollups.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.db.engine import Database
from power_portal.measurements.rollup_queue import DEVICES_PER_ROUND, merge_ranges, start_worker
from power_portal.measurements.rollups import rebuild_fleet_around

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "portal_fleet_rollups"
# the fleet rollup lock's key: a hash of this and the (customer, device); the ingest
# lock hashes ``fleet:customer:device`` (``repository.lock_devices``)
LOCK_NAMESPACE = "fleet-rollup:"

FleetRun = tuple[int, datetime, datetime, int]  # device_id, lo, hi, registers mask
FleetDevice = tuple[int, int]  # customer_id, device_id

# One round trip: log the runs and notify (delivered when the transaction commits).
_ENQUEUE_SQL = text("""
    WITH queued AS (
        INSERT INTO fleet.rollup_pending (customer_id, device_id, lo, hi, registers_mask)
        SELECT :customer_id, r.device_id, r.lo, r.hi, r.mask
        FROM unnest(CAST(:device_ids AS bigint[]), CAST(:los AS timestamptz[]),
                    CAST(:his AS timestamptz[]), CAST(:masks AS int[]))
             AS r(device_id, lo, hi, mask)
        RETURNING 1
    )
    SELECT pg_notify(:channel, '') FROM (SELECT 1 FROM queued LIMIT 1) AS any_queued
""")
_LOCK_SQL = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(:ns || :customer_id || ':' || :device_id, 0))"
)
_TAKE_SQL = text("""
    DELETE FROM fleet.rollup_pending WHERE customer_id = :customer_id AND device_id = :device_id
    RETURNING lo, hi, registers_mask
""")
_PENDING_OF_SQL = text("""
    SELECT DISTINCT customer_id, device_id FROM fleet.rollup_pending
    WHERE CAST(:customer_id AS bigint) IS NULL OR customer_id = :customer_id
    ORDER BY customer_id, device_id
""")
_ANY_PENDING_SQL = text("""
    SELECT DISTINCT customer_id, device_id FROM fleet.rollup_pending
    WHERE (customer_id, device_id) NOT IN (
        SELECT * FROM unnest(CAST(:skip_customers AS bigint[]), CAST(:skip_devices AS bigint[])))
    LIMIT :limit
""")


def enqueue_params(customer_id: int, runs: Sequence[FleetRun]) -> dict[str, object]:
    """The bound values of one batch's log entries (one per run)."""
    return {
        "customer_id": customer_id,
        "device_ids": [device_id for device_id, _, _, _ in runs],
        "los": [lo for _, lo, _, _ in runs],
        "his": [hi for _, _, hi, _ in runs],
        "masks": [mask for _, _, _, mask in runs],
        "channel": NOTIFY_CHANNEL,
    }


async def enqueue(db: AsyncSession, customer_id: int, runs: Sequence[FleetRun]) -> None:
    """Record the runs a batch stored, in the batch's own transaction."""
    if runs:
        await db.execute(_ENQUEUE_SQL, enqueue_params(customer_id, runs))


async def drain_device(db: AsyncSession, customer_id: int, device_id: int) -> int:
    """Rebuild every pending range of one fleet device; commits. Returns the ranges rebuilt."""
    key = {"customer_id": customer_id, "device_id": device_id}
    await db.execute(_LOCK_SQL, {**key, "ns": LOCK_NAMESPACE})
    taken = [(r.lo, r.hi, int(r.registers_mask)) for r in await db.execute(_TAKE_SQL, key)]
    ranges = merge_ranges(taken)
    for lo, hi, mask in ranges:
        await rebuild_fleet_around(db, customer_id, device_id, lo, hi, mask)
    await db.commit()  # boundary: a device's fleet rollups and its taken log entries, together
    return len(ranges)


async def flush(db: AsyncSession, customer_id: int | None) -> None:
    """Before reading fleet rollups: rebuild whatever is still pending for one customer, or
    for the whole fleet (``None``). Nothing to do, one indexed query, when the worker keeps up.
    """
    pending = (await db.execute(_PENDING_OF_SQL, {"customer_id": customer_id})).all()
    for customer, device in pending:
        await drain_device(db, int(customer), int(device))


async def drain_all(db: AsyncSession) -> int:
    """One pass over the fleet log: every device with entries, each once, round by round
    (as ``measurements.rollup_queue.drain_all``). Returns the ranges rebuilt.

    A device whose rebuild fails keeps its entries and is skipped until the next call."""
    rebuilt = 0
    passed: list[FleetDevice] = []  # drained (or failed) in this pass
    while True:
        params = {
            "skip_customers": [customer for customer, _ in passed],
            "skip_devices": [device for _, device in passed],
            "limit": DEVICES_PER_ROUND,
        }
        devices = [(int(c), int(d)) for c, d in await db.execute(_ANY_PENDING_SQL, params)]
        await db.commit()  # boundary: end the read; each device's rebuild is its own transaction
        if not devices:
            return rebuilt
        for customer_id, device_id in devices:
            passed.append((customer_id, device_id))
            try:
                rebuilt += await drain_device(db, customer_id, device_id)
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise  # the database went away: the worker retries the whole log
                await db.rollback()
                log.error(
                    "fleet.rollups_device_failed",
                    customer_id=customer_id,
                    device_id=device_id,
                    error=type(exc.orig).__name__,
                    detail=str(exc.orig).splitlines()[0] if exc.orig else "",
                )


def start_fleet_worker(database: Database) -> asyncio.Task[None]:
    """The admin stack's fleet rollup worker (LISTEN ``portal_fleet_rollups`` + poll)."""
    return start_worker(database, NOTIFY_CHANNEL, drain_all, name="fleet-rollup-worker")
