"""The spool stage: one writer commits what every poller read since its last commit (group commit).

Many meters cost one disk sync, not one each. Pollers do not wait for the
disk (unless the writer falls ``MAX_PENDING_READINGS`` behind); senders only
ever read committed readings: the writer wakes a meter's sender once its
readings are in.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import structlog

from power_portal.collector.spool import NewReading, Spool, SpoolError

log = structlog.get_logger(__name__)

MAX_PENDING_READINGS = 10_000  # pollers wait for the spool writer beyond this


class SpoolWriter:
    """Queues readings from the pollers and commits them in batches until closed and drained."""

    def __init__(self, spool: Spool, committed: Callable[[str], None]) -> None:
        self.spool = spool
        self._committed = committed  # called with each meter that has new readings in the spool
        self._pending: list[NewReading] = []
        self._backpressure: list[asyncio.Future[None]] = []
        self._pending_event = asyncio.Event()
        self._closing = False
        self.write_failures = 0

    async def put(self, reading: NewReading) -> None:
        """Queue a reading for the writer's next commit; waits only when the writer is behind.

        The poller does not wait for the disk (a slow sync must not delay the next
        poll); senders only ever see committed readings.
        """
        self._pending.append(reading)
        self._pending_event.set()
        if len(self._pending) >= MAX_PENDING_READINGS:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._backpressure.append(waiter)
            await waiter

    def close(self) -> None:
        """``run`` returns once it has committed what is queued."""
        self._closing = True
        self._pending_event.set()

    async def run(self) -> None:
        """Commit whatever the pollers queued since the last commit, in one transaction."""
        while True:
            await self._pending_event.wait()
            self._pending_event.clear()
            readings, self._pending = self._pending, []
            if readings:
                await self._commit(readings)
                waiters, self._backpressure = self._backpressure, []
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)
            if self._closing and not self._pending:
                return

    async def _commit(self, readings: list[NewReading]) -> None:
        try:
            await asyncio.to_thread(self.spool.add, readings)
        except (sqlite3.Error, SpoolError, OSError) as exc:
            self.write_failures += 1
            log.error(
                "collector.spool_write_failed",
                lost_readings=len(readings),
                spool=str(self.spool.path),
                error=str(exc),
                hint="disk full or the spool file damaged? these readings are lost",
            )
            return
        for meter in {reading.meter for reading in readings}:
            self._committed(meter)
