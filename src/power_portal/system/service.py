"""The health check: is the database reachable; this stack's run mode and version."""

from __future__ import annotations

from power_portal import __version__
from power_portal.db.engine import Database
from power_portal.settings import Settings
from power_portal.system.schemas import Health


async def check_health(database: Database, settings: Settings) -> Health:
    database_ok = await database.ping()
    return Health(
        status="ok" if database_ok else "degraded",
        database="ok" if database_ok else "unavailable",
        run_mode=settings.run_mode,
        version=__version__,
    )
