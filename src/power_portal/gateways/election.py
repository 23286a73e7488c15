"""Leader election: one portal process per database runs the bridge (a PostgreSQL advisory lock).

The others stand by and take over when it goes, so gateways' messages are stored once and
the broker sees one client id. The lock lives on a connection of its own; closing that
connection for good (never back into the pool) releases it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection

from power_portal.db.engine import Database
from power_portal.gateways import repository

LEADER_CHECK_SECONDS = 10.0


class Leadership:
    """The lock, held: ``keep`` raises when its connection (and with it the lock) is lost."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def keep(self) -> None:
        while True:
            await asyncio.sleep(LEADER_CHECK_SECONDS)
            await repository.check_connection(self._conn)


@asynccontextmanager
async def leadership(database: Database) -> AsyncIterator[Leadership | None]:
    """The lock while the block runs, or None when another process holds it."""
    async with database.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        if not await repository.try_leader_lock(conn):
            yield None
            return
        try:
            yield Leadership(conn)
        finally:
            await conn.invalidate()
