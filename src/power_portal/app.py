"""The FastAPI application factory and its lifespan.

Start-up: refuse unsafe production settings, find or start the database,
apply migrations, open the engine. Shut-down: close the engine and let go of
the embedded server (the last process to do so stops it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from power_portal import __version__
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.engine import Database
from power_portal.db.migrate import upgrade_to_head
from power_portal.db.target import resolve_database_target
from power_portal.logging import configure_logging
from power_portal.settings import (
    ProductionConfigError,
    Settings,
    get_settings,
    production_problems,
)
from power_portal.system.router import router as system_router
from power_portal.web.spa import mount_spa

log = structlog.get_logger(__name__)


def check_production_settings(settings: Settings) -> None:
    target = resolve_database_target(settings)
    problems = production_problems(settings, uses_embedded_database=target.is_embedded)
    if problems:
        raise ProductionConfigError("; ".join(problems))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    check_production_settings(settings)
    target = resolve_database_target(settings)
    embedded: EmbeddedPostgres | None = None
    if target.url is None:
        embedded = EmbeddedPostgres(settings.resolved_data_dir, settings.embedded_database_name)
        url = await asyncio.to_thread(embedded.start)
    else:
        url = target.url
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        database = Database.from_url(url)
        app.state.database = database
        log.info(
            "portal.started",
            version=__version__,
            run_mode=settings.run_mode.value,
            env=settings.env.value,
            database_source=target.source.value,
            database_host=url.host or url.query.get("host"),
            database_name=url.database,
        )
        try:
            yield
        finally:
            await database.dispose()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        log.info("portal.stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="Power Portal",
        version=__version__,
        summary="Power monitoring for Acuvim-metered sites",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.include_router(system_router)
    # Last: the SPA's catch-all must not shadow any API route.
    mount_spa(app, settings.static_dir)
    return app
