"""The alert evaluator and the notification sender, as background tasks of ``portal serve``.

- the evaluator runs in one process per database (``db.leadership`` with its own lock; the
  others stand by): it LISTENs for the rollups' change notifications and ticks on each, and
  on a timer (``PORTAL_ALERTS__TICK_SECONDS``) for the clock-driven rules;
- the sender runs in every process (rows are claimed with SKIP LOCKED): woken at once by a
  tick that queued notifications, and polling for retries and other processes' rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import structlog

from power_portal.alerts.evaluator import Tick, TickResult
from power_portal.alerts.metrics import AlertMetrics
from power_portal.alerts.sender import Composer, Sender
from power_portal.db.engine import Database
from power_portal.db.leadership import LeaderLoop
from power_portal.measurements.rollup_queue import CHANGES_CHANNEL, listen_conninfo
from power_portal.settings import Settings

log = structlog.get_logger(__name__)

EVALUATOR_LOCK = (0x414C, 1)  # "AL"
STANDBY_SECONDS = 5.0
RETRY_MAX_SECONDS = 30.0


class AlertWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        metrics: AlertMetrics | None,
        composers: Mapping[str, Composer] | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.metrics = metrics
        self.sender = Sender(database, settings, metrics, composers)
        self.sender_wake = asyncio.Event()
        self._leader = LeaderLoop(
            database,
            EVALUATOR_LOCK,
            name="alerts",
            log=log,
            leading_event="alerts.evaluator_leading",
            error_event="alerts.evaluator_error",
            standby_seconds=STANDBY_SECONDS,
            retry_max_seconds=RETRY_MAX_SECONDS,
            reset_backoff_on_lead=True,  # once it listens, even if the first tick fails
        )

    @property
    def leading(self) -> bool:
        return self._leader.leading

    async def evaluate_once(self, *, clock: bool = True) -> TickResult:
        """One tick in its own transaction."""
        async with self.database.session() as db:
            result = await Tick(db, datetime.now(UTC)).run(clock=clock)
            await db.commit()  # boundary: the tick's transitions with the notifications they owe
        if self.metrics is not None and result.rules_evaluated:
            self.metrics.rules_evaluated.inc(result.rules_evaluated)
        if result.notifications:
            self.sender_wake.set()
        if result.transitions:
            log.info(
                "alerts.tick",
                transitions=result.transitions,
                notifications=result.notifications,
                changed_devices=result.changed_devices,
            )
        return result

    async def run_evaluator(self) -> None:
        tick = self.settings.alerts.tick_seconds
        conninfo = listen_conninfo(self.database.engine.url)

        @contextlib.asynccontextmanager
        async def listening() -> AsyncIterator[_Evaluation]:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as listener:
                await listener.execute(f"LISTEN {CHANGES_CHANNEL}")
                yield _Evaluation(self, listener, tick)

        await self._leader.run(listening)

    async def run_sender(self) -> None:
        delay = 1.0
        poll = self.settings.alerts.sender_poll_seconds
        while True:
            try:
                if await self.sender.deliver_due():
                    delay = 1.0
                    continue  # more may be due
                self.sender_wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.sender_wake.wait(), timeout=poll)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("alerts.sender_error", error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self.run_evaluator(), name="alerts-evaluator")]
        if self.settings.alerts.send:
            tasks.append(asyncio.create_task(self.run_sender(), name="alerts-sender"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


@dataclass
class _Evaluation:
    """The evaluator's term: a tick on each change notification, and on the clock every
    ``tick_seconds`` for the clock-driven rules."""

    worker: AlertWorker
    listener: psycopg.AsyncConnection[Any]
    tick_seconds: float
    last_clock: float = float("-inf")

    async def tick(self) -> None:
        clock = time.monotonic() - self.last_clock >= self.tick_seconds
        await self.worker.evaluate_once(clock=clock)
        if clock:
            self.last_clock = time.monotonic()

    async def pause(self) -> None:
        wait = max(0.05, self.tick_seconds - (time.monotonic() - self.last_clock))
        async for _ in self.listener.notifies(timeout=wait, stop_after=1):
            pass


def start_alerts(
    database: Database,
    settings: Settings,
    metrics: AlertMetrics | None,
    composers: Mapping[str, Composer] | None = None,
) -> tuple[AlertWorker, asyncio.Task[None]] | None:
    if not settings.alerts.enabled:
        return None
    worker = AlertWorker(database, settings, metrics, composers)
    return worker, asyncio.create_task(worker.run(), name="alerts")


async def stop_alerts(started: tuple[AlertWorker, asyncio.Task[None]] | None) -> None:
    if started is None:
        return
    _, task = started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
