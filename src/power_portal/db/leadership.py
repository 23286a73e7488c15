"""Leader election: one portal process per database does a job (a PostgreSQL advisory lock).

The MQTT bridge and the alert evaluator each have a lock of their own; the other processes
stand by and take over when the leader goes. The lock lives on a connection of its own;
closing that connection for good (never back into the pool) releases it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

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
