"""Retention: deleting what has served its time, a background task of ``portal serve``.

In one process per database (``db.leadership``; the others stand by), every
``PORTAL_RETENTION__INTERVAL_SECONDS`` (an hour) it deletes

- ``identity.sessions`` past their expiry (``auth.repository.delete_expired_sessions``);
- ``identity.login_attempts`` older than ``LOGIN_ATTEMPTS_DAYS`` (90);
- ``fleet.ingest_events`` older than ``INGEST_EVENTS_DAYS`` (90), customer by customer
  (the admin stack's audit of pushed batches; empty elsewhere).

Each table is deleted in batches of ``BATCH_SIZE`` rows, each batch its own transaction,
so the job never holds many row locks or a long transaction; a batch that fails is retried
on the next run. Each domain says how its rows go (its repository); this composite package
only decides when. ``portal retention run`` runs it once by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import repository as identity
from power_portal.db.engine import Database
from power_portal.db.leadership import LeaderLoop
from power_portal.fleet import repository as fleet
from power_portal.settings import RetentionSettings

log = structlog.get_logger(__name__)

RETENTION_LOCK = (0x5254, 1)  # "RT"
STANDBY_SECONDS = 5.0
RETRY_MAX_SECONDS = 60.0
# A moment between two batches of one table, so other writers get the rows' pages.
BATCH_PAUSE_SECONDS = 0.05


@dataclass(frozen=True)
class Cutoffs:
    """What is old enough to go, as of ``now``."""

    login_attempts: datetime  # attempts made before this
    ingest_events: datetime  # audit rows received before this
    sessions: datetime  # sessions expiring at or before this


def cutoffs(settings: RetentionSettings, now: datetime) -> Cutoffs:
    return Cutoffs(
        login_attempts=now - timedelta(days=settings.login_attempts_days),
        ingest_events=now - timedelta(days=settings.ingest_events_days),
        sessions=now,
    )


@dataclass(frozen=True)
class RetentionReport:
    """Rows deleted by one run (expired sessions go in one statement, uncounted)."""

    login_attempts: int
    ingest_events: int


BatchDelete = Callable[[AsyncSession], Awaitable[int]]


async def _in_batches(
    database: Database, delete_batch: BatchDelete, limit: int, pause: float
) -> int:
    """Run ``delete_batch`` (deleting at most ``limit`` rows), each in its own transaction,
    until a batch deletes fewer than ``limit``; how many went."""
    total = 0
    while True:
        async with database.transaction() as db:
            deleted = await delete_batch(db)
        total += deleted
        if deleted < limit:
            return total
        await asyncio.sleep(pause)


def _old_events(customer_id: int | None, cutoff: datetime, size: int) -> BatchDelete:
    async def delete_batch(db: AsyncSession) -> int:
        return await fleet.delete_ingest_events_before(db, customer_id, cutoff, size)

    return delete_batch


async def run_retention(
    database: Database,
    settings: RetentionSettings,
    now: datetime | None = None,
    *,
    pause: float = BATCH_PAUSE_SECONDS,
) -> RetentionReport:
    """One run: expired sessions, old login attempts, old fleet audit rows."""
    limits = cutoffs(settings, now or datetime.now(UTC))
    size = settings.batch_size
    async with database.transaction() as db:
        await identity.delete_expired_sessions(db, limits.sessions)

    async def old_attempts(db: AsyncSession) -> int:
        return await identity.delete_login_attempts_before(db, limits.login_attempts, size)

    attempts = await _in_batches(database, old_attempts, size, pause)
    async with database.session() as db:
        customers: list[int | None] = [None, *await fleet.customer_ids(db)]
    events = 0
    for customer_id in customers:
        events += await _in_batches(
            database, _old_events(customer_id, limits.ingest_events, size), size, pause
        )
    report = RetentionReport(login_attempts=attempts, ingest_events=events)
    log.info(
        "retention.run",
        login_attempts_deleted=report.login_attempts,
        ingest_events_deleted=report.ingest_events,
        login_attempts_before=limits.login_attempts.isoformat(),
        ingest_events_before=limits.ingest_events.isoformat(),
    )
    return report


class RetentionWorker:
    def __init__(self, database: Database, settings: RetentionSettings) -> None:
        self.database = database
        self.settings = settings
        self._leader = LeaderLoop(
            database,
            RETENTION_LOCK,
            name="retention",
            log=log,
            leading_event="retention.leading",
            error_event="retention.error",
            standby_seconds=STANDBY_SECONDS,
            retry_max_seconds=RETRY_MAX_SECONDS,
        )

    @property
    def leading(self) -> bool:
        return self._leader.leading

    async def run(self) -> None:
        await self._leader.run_every(
            lambda: run_retention(self.database, self.settings), self.settings.interval_seconds
        )


def start_retention(
    database: Database, settings: RetentionSettings
) -> tuple[RetentionWorker, asyncio.Task[None]] | None:
    if not settings.enabled:
        return None
    worker = RetentionWorker(database, settings)
    return worker, asyncio.create_task(worker.run(), name="retention")


async def stop_retention(started: tuple[RetentionWorker, asyncio.Task[None]] | None) -> None:
    if started is None:
        return
    _, task = started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
