"""The report scheduler, a background task of ``portal serve``: in one process per database
(``db.leadership``; the others stand by), every ``PORTAL_REPORTS__TICK_SECONDS`` it makes
the run each schedule owes (``service.due_schedules``), one transaction per run, and wakes
the sender. A run is claimed through its unique (schedule, period) index, so a period is
sent once even across restarts or with a second scheduler racing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from power_portal.db.engine import Database
from power_portal.db.leadership import LeaderLoop
from power_portal.reports import service
from power_portal.settings import Settings

log = structlog.get_logger(__name__)

SCHEDULER_LOCK = (0x5250, 1)  # "RP"
STANDBY_SECONDS = 5.0
RETRY_MAX_SECONDS = 60.0


class ReportScheduler:
    def __init__(
        self, database: Database, settings: Settings, wake_sender: Callable[[], None]
    ) -> None:
        self.database = database
        self.settings = settings
        self.wake_sender = wake_sender
        self._leader = LeaderLoop(
            database,
            SCHEDULER_LOCK,
            name="reports",
            log=log,
            leading_event="reports.scheduler_leading",
            error_event="reports.scheduler_error",
            standby_seconds=STANDBY_SECONDS,
            retry_max_seconds=RETRY_MAX_SECONDS,
        )

    @property
    def leading(self) -> bool:
        return self._leader.leading

    async def run_due(self, now: datetime | None = None) -> list[int]:
        """Make every run owed now; the ids of the runs made (each committed on its own)."""
        moment = now or datetime.now(UTC)
        async with self.database.session() as db:
            owed = [(s.id, period) for s, period in await service.due_schedules(db, moment)]
            await db.rollback()
        made: list[int] = []
        for schedule_id, period in owed:
            try:
                async with self.database.session() as db:
                    schedule = await service.get_schedule(db, schedule_id)
                    run_id = await service.run_due_schedule(
                        db, self.settings, schedule, period, moment
                    )
                    await db.commit()  # boundary: the run, its files and its mails together
            except Exception as exc:  # nothing committed: tried again on the next tick
                log.warning(
                    "reports.run_failed",
                    schedule=schedule_id,
                    period=period.label,
                    error=type(exc).__name__,
                    detail=str(exc)[:200],
                )
                continue
            if run_id is not None:
                made.append(run_id)
        if made:
            self.wake_sender()
        return made

    async def run(self) -> None:
        await self._leader.run_every(lambda: self.run_due(), self.settings.reports.tick_seconds)


def start_reports(
    database: Database, settings: Settings, wake_sender: Callable[[], None]
) -> tuple[ReportScheduler, asyncio.Task[None]] | None:
    if not settings.reports.enabled:
        return None
    scheduler = ReportScheduler(database, settings, wake_sender)
    return scheduler, asyncio.create_task(scheduler.run(), name="reports")


async def stop_reports(started: tuple[ReportScheduler, asyncio.Task[None]] | None) -> None:
    if started is None:
        return
    _, task = started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
