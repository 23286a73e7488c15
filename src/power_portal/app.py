"""The FastAPI application factory and its lifespan.

Start-up: refuse unsafe production settings, find or start the database,
apply migrations, open the engine. Shut-down: close the engine and let go of
the embedded server (the last process to do so stops it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from power_portal import __version__
from power_portal.alerts.metrics import AlertMetrics
from power_portal.alerts.router import router as alerts_router
from power_portal.alerts.worker import AlertWorker, start_alerts, stop_alerts
from power_portal.auth.passwords import VerificationGate
from power_portal.auth.router import router as auth_router
from power_portal.auth.throttle import FailureThrottle
from power_portal.billing.router import router as billing_router
from power_portal.branding.router import router as branding_router
from power_portal.config.router import router as config_router
from power_portal.core.errors import install_error_handlers
from power_portal.core.memory import tuned_garbage_collector
from power_portal.core.metrics import MetricsMiddleware, PortalMetrics
from power_portal.core.replay import ReplayMiddleware
from power_portal.core.responses import operation_id
from power_portal.db.engine import Database
from power_portal.db.runtime import open_database
from power_portal.db.target import resolve_database_target
from power_portal.fleet.ingest import RateLimiter
from power_portal.fleet.metrics import add_push_metrics
from power_portal.fleet.push import FleetPusher
from power_portal.fleet.refusals import LogSampler
from power_portal.fleet.rollup_log import start_fleet_worker
from power_portal.fleet.router import ingest_router as fleet_ingest_router
from power_portal.fleet.router import push_state_router
from power_portal.fleet.router import router as fleet_router
from power_portal.gateways.bridge import start_bridge, stop_bridge
from power_portal.gateways.router import router as mqtt_router
from power_portal.grafana.router import router as grafana_router
from power_portal.grafana.service import frame_origins as grafana_frame_origins
from power_portal.ingest.group_commit import start_ingest, stop_ingest
from power_portal.ingest.router import router as ingest_router
from power_portal.logging import configure_logging
from power_portal.measurements.rollup_queue import start_worker, stop_worker
from power_portal.reports import mailer as reports_mailer
from power_portal.reports.router import router as reports_router
from power_portal.reports.worker import start_reports, stop_reports
from power_portal.settings import (
    ProductionConfigError,
    RunMode,
    Settings,
    get_settings,
    production_problems,
)
from power_portal.sites.router import readings_router
from power_portal.sites.router import router as sites_router
from power_portal.system.retention import start_retention, stop_retention
from power_portal.system.router import router as system_router
from power_portal.tariffs.router import router as tariffs_router
from power_portal.tenants.router import router as tenants_router
from power_portal.users.bootstrap import ensure_initial_admin
from power_portal.users.router import router as users_router
from power_portal.virtual_meters.router import router as virtual_meters_router
from power_portal.web.docs import mount_docs
from power_portal.web.security import SecurityHeadersMiddleware
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
    async with open_database(settings) as (database, target):
        app.state.database = database
        app.state.database_target = target
        async with database.transaction() as session:
            await ensure_initial_admin(session, settings)
        rollup_task = start_worker(database)
        fleet_rollup_task = (
            start_fleet_worker(database) if settings.run_mode is RunMode.ADMIN else None
        )
        app.state.ingest = start_ingest(database)
        pusher_task = await _start_fleet_push(app, settings, database)
        bridge_task = await start_bridge(app, settings.mqtt, database)
        alerts = start_alerts(
            database, settings, app.state.alert_metrics, {"report": reports_mailer.compose}
        )
        app.state.alert_worker = alerts[0] if alerts else None
        reports = start_reports(database, settings, _sender_wake(alerts))
        app.state.report_scheduler = reports[0] if reports else None
        retention = start_retention(database, settings.retention)
        url = database.engine.url
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
            with tuned_garbage_collector():
                yield
        finally:
            await stop_retention(retention)
            await stop_reports(reports)
            await stop_alerts(alerts)
            await stop_bridge(app, bridge_task)
            await stop_worker(rollup_task)
            if fleet_rollup_task is not None:
                await stop_worker(fleet_rollup_task)
            await stop_ingest(app.state.ingest)
            if pusher_task is not None:
                pusher_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pusher_task
                await app.state.fleet_pusher.close()
    log.info("portal.stopped")


def _sender_wake(alerts: tuple[AlertWorker, object] | None) -> Callable[[], None]:
    """Wakes this process's notification sender (nothing to wake when it is off)."""
    if alerts is None:
        return lambda: None
    return alerts[0].sender_wake.set


async def _start_fleet_push(
    app: FastAPI, settings: Settings, database: Database
) -> asyncio.Task[None] | None:
    if settings.run_mode is not RunMode.CLIENT or not settings.fleet.enabled:
        return None
    pusher = FleetPusher(database, settings.fleet)
    app.state.fleet_pusher = pusher
    return asyncio.create_task(pusher.run_forever(), name="fleet-push")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="Power Portal",
        version=__version__,
        summary="Power monitoring for Acuvim-metered sites",
        lifespan=lifespan,
        docs_url=None,  # web.docs serves /api/docs from this server (no CDN)
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.verification_gate = VerificationGate(
        settings.auth.max_concurrent_verifications, settings.auth.verification_wait_seconds
    )
    app.state.token_throttle = FailureThrottle(
        settings.auth.token_failure_limit, settings.auth.token_failure_window_seconds
    )
    install_error_handlers(app)
    admin = settings.run_mode is RunMode.ADMIN
    if admin:
        app.state.fleet_rate_limiter = RateLimiter(settings.fleet_admin.max_batches_per_minute)
        app.state.fleet_refusal_log = LogSampler()  # anonymous refusals: logged, sampled
    # The ingest routes first: routes are matched in order, and a gateway's one-row batch
    # no longer tries the UI's hundreds of routes before its own (measured: bench/README.md).
    routers = [
        ingest_router,
        *([fleet_ingest_router] if admin else []),
        system_router,  # /metrics: 404 unless PORTAL_METRICS__TOKEN is set
        auth_router,
        users_router,
        sites_router,
        readings_router,
        tariffs_router,
        billing_router,
        virtual_meters_router,
        tenants_router,
        alerts_router,
        reports_router,
        branding_router,
        config_router,
        mqtt_router,
        grafana_router,
        *([fleet_router] if admin else []),
        push_state_router,  # empty unless this stack pushes (client mode)
    ]
    for router in routers:
        app.include_router(router)
    app.state.metrics = PortalMetrics(settings)
    add_push_metrics(app.state.metrics, settings)
    app.state.alert_metrics = AlertMetrics(app.state.metrics)
    # Innermost: a request that lost a deadlock runs again, before anything is sent or timed.
    app.add_middleware(ReplayMiddleware, metrics=app.state.metrics)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        SecurityHeadersMiddleware,
        hsts=settings.is_production,
        frame_origins=grafana_frame_origins(settings),
    )
    mount_docs(app)
    # Last: the SPA's catch-all must not shadow any API route.
    mount_spa(app, settings.static_dir)
    return app
