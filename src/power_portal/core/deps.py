"""Dependencies every router shares: settings, the database, and the request's unit of work.

The one rule for transactions: a request gets one session (``SessionDep``); it commits once
when the handler returns without error and rolls back otherwise. Services and repositories
only ``flush()``. The only other ``commit()`` calls are deliberate boundaries (an ingest
batch, a rollup rebuild, the fleet push, a background worker), each saying so in a comment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.db.engine import Database
from power_portal.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: commit when the handler succeeds, roll back on error.

    Scoped to the handler (``scope="function"``), so the commit happens before the response
    is sent: a client told "stored" is never told so before the commit. The request's
    timeouts apply (``PORTAL_DATABASE__*``: ``db/engine.py``); a deadlock or serialization
    failure re-runs the whole request (``core/replay.py``).
    """
    async with database.request_transaction() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
