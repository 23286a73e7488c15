"""Leader election: one portal process per database does a job (a PostgreSQL advisory lock).

The MQTT bridge and the alert evaluator each have a lock of their own; the other processes
stand by and take over when the leader goes. The lock lives on a connection of its own;
closing that connection for good (never back into the pool) releases it.

``LeaderLoop`` is the loop the background workers (retention, the report scheduler, the
alert evaluator) lead with: take the lock, tick while it holds, stand by while another
process has it, retry with backoff after any error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import KW_ONLY, dataclass, field
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from structlog.typing import FilteringBoundLogger

from power_portal.db.engine import Database

LEADER_CHECK_SECONDS = 10.0


class Leadership:
    """The lock, held: ``keep`` raises when its connection (and with it the lock) is lost."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def keep(self) -> None:
        while True:
            await asyncio.sleep(LEADER_CHECK_SECONDS)
            await self._conn.execute(text("SELECT 1"))


@asynccontextmanager
async def leadership(database: Database, lock: tuple[int, int]) -> AsyncIterator[Leadership | None]:
    """The lock ``(namespace, key)`` while the block runs, or None when another process
    holds it."""
    namespace, key = lock
    async with database.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        taken = await conn.execute(
            text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": namespace, "key": key}
        )
        if not taken.scalar_one():
            yield None
            return
        try:
            yield Leadership(conn)
        finally:
            await conn.invalidate()


class Term(Protocol):
    """What a leader does while it leads: a tick of work, then a pause before the next."""

    async def tick(self) -> None: ...

    async def pause(self) -> None: ...


@dataclass(frozen=True)
class Every:
    """The plain term: ``work``, then ``seconds`` of sleep, over and over."""

    work: Callable[[], Awaitable[object]]
    seconds: float

    async def tick(self) -> None:
        await self.work()

    async def pause(self) -> None:
        await asyncio.sleep(self.seconds)


@dataclass(eq=False)
class LeaderLoop:
    """Lead forever with the lock ``lock``; ``leading`` says whether this process leads now.

    ``run`` takes the lock (another process has it: ``standby_seconds`` of sleep, then again),
    logs ``leading_event`` and runs a term (``term()``, entered once per leadership) tick,
    pause, tick... A lost lock, or any error of the database or of the work, ends the term
    and logs ``error_event``; the next try follows 1 s later, doubling up to
    ``retry_max_seconds``, back to 1 s after a tick that went through (or, with
    ``reset_backoff_on_lead``, as soon as the term is entered). Cancelling ``run`` stops it,
    the lock released."""

    database: Database
    lock: tuple[int, int]
    _: KW_ONLY
    name: str  # the lock keeper's task is "<name>-leadership"
    log: FilteringBoundLogger  # the worker's own
    leading_event: str
    error_event: str
    standby_seconds: float
    retry_max_seconds: float
    reset_backoff_on_lead: bool = False
    leading: bool = field(default=False, init=False)

    async def run(self, term: Callable[[], AbstractAsyncContextManager[Term]]) -> None:
        delay = 1.0
        while True:
            try:
                async with leadership(self.database, self.lock) as lead:
                    if lead is None:
                        await asyncio.sleep(self.standby_seconds)
                        continue
                    self.leading = True
                    keeper = asyncio.create_task(lead.keep(), name=f"{self.name}-leadership")
                    try:
                        async with term() as work:
                            self.log.info(self.leading_event)
                            if self.reset_backoff_on_lead:
                                delay = 1.0
                            while True:
                                if keeper.done():
                                    keeper.result()  # the lock's connection is gone: raise
                                await work.tick()
                                delay = 1.0
                                await work.pause()
                    finally:
                        self.leading = False
                        keeper.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await keeper
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away, the work failed: retry
                self.log.warning(self.error_event, error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max_seconds)

    async def run_every(self, work: Callable[[], Awaitable[object]], seconds: float) -> None:
        """``run`` with the plain term: ``work`` every ``seconds``."""
        await self.run(lambda: contextlib.nullcontext(Every(work, seconds)))
