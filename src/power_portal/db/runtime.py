"""Opening the database the settings name: start the embedded server if needed,
migrate (then the TimescaleDB bootstrap, when the server offers it), hand out a
``Database``; undo it all on the way out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from power_portal.db import timescale
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.engine import Database
from power_portal.db.migrate import upgrade_to_head
from power_portal.db.target import DatabaseTarget, resolve_database_target
from power_portal.settings import Settings, TimescaleMode


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[tuple[Database, DatabaseTarget]]:
    target = resolve_database_target(settings)
    embedded: EmbeddedPostgres | None = None
    if target.url is None:
        embedded = EmbeddedPostgres(
            settings.resolved_data_dir,
            settings.embedded_database_name,
            timescale=settings.embedded_timescale is TimescaleMode.AUTO,
        )
        url = await asyncio.to_thread(embedded.start)
    else:
        url = target.url
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        await asyncio.to_thread(timescale.bootstrap, url, settings)  # no-op without it
        database = Database.from_url(url, settings.database)
        try:
            yield database, target
        finally:
            await database.dispose()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
