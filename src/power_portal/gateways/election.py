"""Leader election for the bridge: one portal process per database runs it (``db.leadership``
with the bridge's own advisory lock), so gateways' messages are stored once and the broker
sees one client id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from power_portal.db.engine import Database
from power_portal.db.leadership import Leadership
from power_portal.db.leadership import leadership as _leadership
from power_portal.gateways.repository import LEADER_LOCK

__all__ = ["Leadership", "leadership"]


@asynccontextmanager
async def leadership(database: Database) -> AsyncIterator[Leadership | None]:
    """The bridge's lock while the block runs, or None when another process holds it."""
    async with _leadership(database, LEADER_LOCK) as lock:
        yield lock
