"""Rollups rebuilt right after the ingest transaction, from an invalidation log.

An ingest transaction stores its rows and, atomically with them, one
``monitoring.rollup_pending`` entry per run of new rows (device, first and
last time, registers the device sends), then ``NOTIFY portal_rollups``. The
rebuild itself happens outside the request:

- the ``RollupWorker`` in every portal process LISTENs, waits a moment for a
  burst to settle (so back-to-back batches of one meter merge into one
  rebuild), and drains the log; it also polls, so entries written by another
  process (``portal import-csv``, a crash before the rebuild) are never left;
- a reader of rollups (energy, series, summary) first flushes the pending
  entries of the devices it reads, so a chart never shows a stale bucket.

Draining one device takes a per-device advisory lock, deletes its entries
and rebuilds the merged ranges in the same transaction: a crash rolls both
back and the entries stay queued; an entry committed meanwhile is not seen
by the DELETE and is drained next time. The same idea as TimescaleDB's
continuous aggregates (invalidation log + refresh + real-time reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta

import psycopg
import structlog
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.scope import unscoped
from power_portal.db.engine import Database
from power_portal.measurements.rollups import rebuild_around, rebuild_daily

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "portal_rollups"
ROLLUP_LOCK_NAMESPACE = 0x5052  # "PR"; the ingest lock is 0x5050
MERGE_GAP = timedelta(hours=6)
SETTLE_SECONDS = 0.2  # the least wait after a notification
SETTLE_MAX_SECONDS = 2.0
DRAIN_SHARE = 0.1  # under a steady stream, the worker drains at most this share of the time
POLL_SECONDS = 5.0
RECONNECT_MAX_SECONDS = 30.0
DEVICES_PER_ROUND = 100

PendingRange = tuple[datetime, datetime, int]  # lo, hi, registers mask

# One round trip: log the ranges and notify (delivered when the transaction commits).
_ENQUEUE_SQL = text("""
    WITH queued AS (
        INSERT INTO monitoring.rollup_pending (device_id, lo, hi, registers_mask)
        SELECT :device_id, r.lo, r.hi, :mask
        FROM unnest(CAST(:los AS timestamptz[]), CAST(:his AS timestamptz[])) AS r(lo, hi)
        RETURNING 1
    )
    SELECT pg_notify(:channel, '') FROM (SELECT 1 FROM queued LIMIT 1) AS any_queued
""")
_TAKE_SQL = text("""
    DELETE FROM monitoring.rollup_pending WHERE device_id = :device_id
    RETURNING lo, hi, registers_mask
""")
# What a rebuild changed, for the alert evaluator: one row per device, widened in place;
# the NOTIFY is delivered when the rebuild commits.
CHANGES_CHANNEL = "portal_rollup_changes"
_CHANGED_SQL = text("""
    WITH changed AS (
        INSERT INTO monitoring.rollup_changes AS c (device_id, lo, hi)
        VALUES (:device_id, :lo, :hi)
        ON CONFLICT (device_id) DO UPDATE
        SET lo = least(c.lo, excluded.lo), hi = greatest(c.hi, excluded.hi)
        RETURNING 1
    )
    SELECT pg_notify(:channel, '') FROM changed
""")
_PENDING_DEVICES_SQL = text("""
    SELECT DISTINCT device_id FROM monitoring.rollup_pending
    WHERE device_id = ANY(:ids)
""")
_ANY_PENDING_DEVICES_SQL = text("""
    SELECT DISTINCT device_id FROM monitoring.rollup_pending
    WHERE device_id <> ALL(:skip) ORDER BY device_id LIMIT :limit
""")


def settle_seconds(last_drain_seconds: float) -> float:
    """How long to wait after a notification before draining: ``SETTLE_SECONDS``, or
    longer after a long drain, so that under a steady stream of batches the worker drains
    at most ``DRAIN_SHARE`` of the time (up to ``SETTLE_MAX_SECONDS``). Each drain rebuilds
    every device with entries, however few rows each brought: draining less often merges
    more batches into each rebuild. Readers flush what is pending first (``flush``), so a
    longer wait never shows a stale bucket."""
    stretched = last_drain_seconds * (1 - DRAIN_SHARE) / DRAIN_SHARE
    return min(max(SETTLE_SECONDS, stretched), SETTLE_MAX_SECONDS)


def merge_ranges(ranges: Iterable[PendingRange], gap: timedelta = MERGE_GAP) -> list[PendingRange]:
    """Overlapping or close (within ``gap``) ranges merged; their register masks OR'ed."""
    merged: list[PendingRange] = []
    for lo, hi, mask in sorted(ranges):
        if merged and lo - merged[-1][1] <= gap:
            first, last, seen = merged[-1]
            merged[-1] = (first, max(last, hi), seen | mask)
        else:
            merged.append((lo, hi, mask))
    return merged


async def enqueue(
    db: AsyncSession, device_id: int, runs: Sequence[tuple[datetime, datetime]], mask: int
) -> None:
    """Record the ranges a batch stored, in the batch's own transaction."""
    if not runs:
        return
    await db.execute(
        _ENQUEUE_SQL,
        {
            "device_id": device_id,
            "mask": mask,
            "channel": NOTIFY_CHANNEL,
            "los": [lo for lo, _ in runs],
            "his": [hi for _, hi in runs],
        },
    )


async def drain_device(db: AsyncSession, device_id: int) -> int:
    """Rebuild every pending range of one device; commits. Returns the ranges rebuilt."""
    await db.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :device_id)"),
        {"ns": ROLLUP_LOCK_NAMESPACE, "device_id": device_id},
    )
    taken = [
        (r.lo, r.hi, int(r.registers_mask))
        for r in await db.execute(_TAKE_SQL, {"device_id": device_id})
    ]
    ranges = merge_ranges(taken)
    for lo, hi, mask in ranges:
        await rebuild_around(db, device_id, lo, hi, mask)
    if ranges:
        await db.execute(
            _CHANGED_SQL,
            {
                "device_id": device_id,
                "lo": min(lo for lo, _, _ in ranges),
                "hi": max(hi for _, hi, _ in ranges),
                "channel": CHANGES_CHANNEL,
            },
        )
    await db.commit()  # boundary: a device's rollup rebuild and its taken log entries, together
    return len(ranges)


async def recount_days(db: AsyncSession, device_ids: Sequence[int]) -> None:
    """Recount the devices' whole daily rollup (``rollup_1d``), in the caller's transaction.

    For whoever changes the zone a device's days are counted in: a site's time zone, a
    device moved to another site. It takes the devices' rollup locks (in id order, so two
    callers never deadlock), so a rebuild running meanwhile cannot write days of the old
    zone after this; the caller commits (which releases them).
    """
    if not device_ids:
        return
    await lock_devices(db, device_ids)
    await rebuild_daily(db, device_ids)


async def lock_devices(db: AsyncSession, device_ids: Sequence[int]) -> None:
    """Take the devices' rollup locks (in id order, so two callers never deadlock) until the
    transaction ends: no rebuild of theirs runs meanwhile. For whoever rewrites or deletes a
    device's rollups (deleting a device cascades to them: without the lock a rebuild holding
    some of its rows and the delete each wait for the other)."""
    await db.execute(
        text("""
            SELECT pg_advisory_xact_lock(CAST(:ns AS int), CAST(id AS int))
            FROM unnest(CAST(:ids AS bigint[])) AS d(id) ORDER BY id
        """),
        {"ns": ROLLUP_LOCK_NAMESPACE, "ids": sorted(set(device_ids))},
    )


async def flush(db: AsyncSession, device_ids: Sequence[int]) -> None:
    """Before reading rollups: rebuild whatever is still pending for these devices."""
    if not device_ids:
        return
    pending = list((await db.execute(_PENDING_DEVICES_SQL, {"ids": list(device_ids)})).scalars())
    # A tenant user's read rebuilds the rollups whole (system work): unscoped, as the worker.
    async with unscoped(db):
        for device_id in pending:
            await drain_device(db, int(device_id))


async def drain_all(db: AsyncSession) -> int:
    """One pass over the log: every device with entries, each once, round by round.
    Returns the ranges rebuilt.

    Entries written meanwhile for a device already drained wait for the next pass: under a
    steady stream of batches a pass ends, and the worker waits before the next one
    (``settle_seconds``), so each rebuild takes in more batches. A device whose rebuild
    fails keeps its entries (nothing is lost) and is skipped until the next call, so it
    cannot hold up every other device.
    """
    rebuilt = 0
    passed: list[int] = []  # drained (or failed) in this pass
    while True:
        devices = list(
            (
                await db.execute(
                    _ANY_PENDING_DEVICES_SQL, {"skip": passed, "limit": DEVICES_PER_ROUND}
                )
            ).scalars()
        )
        await db.commit()  # boundary: end the read; each device's rebuild is its own transaction
        if not devices:
            return rebuilt
        for device_id in map(int, devices):
            passed.append(device_id)
            try:
                rebuilt += await drain_device(db, device_id)
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise  # the database went away: the worker retries the whole log
                await db.rollback()
                log.error(
                    "rollups.device_failed",
                    device_id=device_id,
                    error=type(exc.orig).__name__,
                    detail=str(exc.orig).splitlines()[0] if exc.orig else "",
                )


def listen_conninfo(url: URL) -> str:
    """A libpq URI for the LISTEN connection (same server, user and database)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


DrainLog = Callable[[AsyncSession], Awaitable[int]]


class RollupWorker:
    """Drains a rollup log right after ingest transactions commit (LISTEN + poll).

    By default this portal's own log (``monitoring.rollup_pending`` on ``portal_rollups``);
    the admin stack runs a second one over the fleet's (``fleet/rollup_log.py``)."""

    def __init__(
        self, database: Database, channel: str = NOTIFY_CHANNEL, drain_log: DrainLog | None = None
    ) -> None:
        self.database = database
        self.conninfo = listen_conninfo(database.engine.url)
        self.channel = channel
        self.drain_log: DrainLog = drain_log or drain_all
        self.last_drain_seconds = 0.0

    async def drain(self) -> int:
        started = time.monotonic()
        async with self.database.session() as db:
            rebuilt = await self.drain_log(db)
        self.last_drain_seconds = time.monotonic() - started
        if rebuilt:
            log.debug("rollups.drained", channel=self.channel, ranges=rebuilt)
        return rebuilt

    async def run(self) -> None:
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as listener:
                    await listener.execute(f"LISTEN {self.channel}")
                    delay = 1.0
                    await self.drain()  # whatever was left before this process started
                    while True:
                        notified = False
                        async for _ in listener.notifies(timeout=POLL_SECONDS, stop_after=1):
                            notified = True
                        if notified:
                            # let a burst of batches merge
                            await asyncio.sleep(settle_seconds(self.last_drain_seconds))
                        await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: retry, never die
                log.warning(
                    "rollups.worker_error",
                    channel=self.channel,
                    error=type(exc).__name__,
                    retry_in_s=delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)


def start_worker(
    database: Database,
    channel: str = NOTIFY_CHANNEL,
    drain_log: DrainLog | None = None,
    name: str = "rollup-worker",
) -> asyncio.Task[None]:
    worker = RollupWorker(database, channel, drain_log)
    return asyncio.create_task(worker.run(), name=name)


async def stop_worker(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
