"""Prometheus metrics: one registry per app (no process-global state), served at ``/metrics``.

- ingest: rows accepted and duplicates per source (``device``: the meter API,
  ``fleet``: customer stacks pushing to the admin), batches refused by status;
- fleet push (client mode): lag since the last successful push, consecutive
  failures, rows pushed and rows still to push (capped), per resource, read from
  ``app.fleet_push_state`` when scraped;
- HTTP: request latency by route *template* (``/api/devices/{device_id}/energy``,
  never the raw path, so the label set stays bounded), method and status class;
- the database pool, the process (CPU, memory, file descriptors) and the build.

With several uvicorn workers each process has its own registry and a scrape sees
one of them: scale with one worker per container (or scrape each) for exact totals.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import FastAPI, Request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from sqlalchemy import select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from power_portal import __version__
from power_portal.db.engine import Database
from power_portal.fleet.models import PushState
from power_portal.settings import RunMode, Settings

# Routes whose refusals count as rejected ingest batches, and their source label.
INGEST_ROUTES: Final = {"/api/ingest/measurements": "device", "/api/fleet/ingest": "fleet"}
REJECTION_REASONS: Final = {
    400: "malformed",
    401: "unauthorised",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}
ROWS_BEHIND_CAP: Final = 100_000
_ROWS_BEHIND_SQL = text("""
    SELECT count(*) FROM (
        SELECT 1 FROM monitoring.power_measurements
        WHERE (ingest_xid, device_id, time) > (CAST(:xid AS xid8), :device_id, :time)
        LIMIT :cap
    ) behind
""")


def rejection_reason(status: int) -> str:
    if status >= 500:
        return "server_error"
    return REJECTION_REASONS.get(status, "other")


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class PortalMetrics:
    """Every metric of one app, in its own registry."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        Info("portal_build", "The portal's version and run mode", registry=registry).info(
            {"version": __version__, "run_mode": settings.run_mode.value}
        )
        self.rows_accepted = Counter(
            "portal_ingest_rows_accepted",
            "Rows stored by ingest (new rows)",
            ["source"],
            registry=registry,
        )
        self.rows_duplicate = Counter(
            "portal_ingest_rows_duplicate",
            "Rows received again and ignored (already stored)",
            ["source"],
            registry=registry,
        )
        self.rows_rejected = Counter(
            "portal_ingest_rows_rejected",
            "Invalid items skipped inside accepted fleet batches",
            ["source"],
            registry=registry,
        )
        self.batches_rejected = Counter(
            "portal_ingest_rejected_batches",
            "Ingest requests refused, by status and reason",
            ["source", "status", "reason"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "portal_http_request_duration_seconds",
            "HTTP request latency by route template, method and status class",
            ["method", "route", "status_class"],
            registry=registry,
        )
        self.push_lag = Gauge(
            "portal_fleet_push_lag_seconds",
            "Seconds since the last successful push to the admin stack",
            ["resource"],
            registry=registry,
        )
        self.push_last_success = Gauge(
            "portal_fleet_push_last_success_timestamp_seconds",
            "When the last push succeeded (Unix time)",
            ["resource"],
            registry=registry,
        )
        self.push_failures = Gauge(
            "portal_fleet_push_consecutive_failures",
            "Failed pushes in a row",
            ["resource"],
            registry=registry,
        )
        self.push_rows_pushed = Gauge(
            "portal_fleet_push_rows_pushed",
            "Rows acknowledged by the admin stack so far",
            ["resource"],
            registry=registry,
        )
        self.push_rows_behind = Gauge(
            "portal_fleet_push_rows_behind",
            f"Measurement rows stored but not yet pushed (counted up to {ROWS_BEHIND_CAP})",
            registry=registry,
        )
        self.db_pool = Gauge(
            "portal_db_pool_connections",
            "Database pool connections by state",
            ["state"],
            registry=registry,
        )

    # ---------------------------------------------------------------- recording

    def ingested(self, source: str, accepted: int, duplicates: int, rejected: int = 0) -> None:
        self.rows_accepted.labels(source).inc(accepted)
        self.rows_duplicate.labels(source).inc(duplicates)
        if rejected:
            self.rows_rejected.labels(source).inc(rejected)

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_duration.labels(method, route, status_class(status)).observe(seconds)
        source = INGEST_ROUTES.get(route)
        if source is not None and status >= 400:
            self.batches_rejected.labels(source, str(status), rejection_reason(status)).inc()

    # ---------------------------------------------------------------- scraping

    async def refresh(self, database: Database) -> None:
        """Read what lives in the database (push state) and the pool, just before a scrape."""
        self._refresh_pool(database)
        if self.settings.run_mode is RunMode.CLIENT:
            await self._refresh_push_state(database)

    def _refresh_pool(self, database: Database) -> None:
        pool = database.engine.pool
        for state, method in (
            ("size", "size"),
            ("checked_out", "checkedout"),
            ("idle", "checkedin"),
            ("overflow", "overflow"),
        ):
            reader = getattr(pool, method, None)
            if callable(reader):
                self.db_pool.labels(state).set(float(reader()))

    async def _refresh_push_state(self, database: Database) -> None:
        now = datetime.now(UTC)
        async with database.session() as db:
            states = list((await db.execute(select(PushState))).scalars())
            behind: int | None = None
            for state in states:
                if state.resource == "measurements" and state.cursor:
                    cursor: dict[str, Any] = json.loads(state.cursor)
                    behind = int(
                        await db.scalar(
                            _ROWS_BEHIND_SQL,
                            {
                                "xid": cursor["xid"],
                                "device_id": cursor["device_id"],
                                "time": datetime.fromisoformat(cursor["time"]),
                                "cap": ROWS_BEHIND_CAP,
                            },
                        )
                        or 0
                    )
        for gauge in (self.push_lag, self.push_last_success, self.push_failures):
            gauge.clear()
        self.push_rows_pushed.clear()
        for state in states:
            if state.last_success_at is not None:
                self.push_lag.labels(state.resource).set(
                    max(0.0, (now - state.last_success_at).total_seconds())
                )
                self.push_last_success.labels(state.resource).set(state.last_success_at.timestamp())
            self.push_failures.labels(state.resource).set(state.consecutive_failures)
            self.push_rows_pushed.labels(state.resource).set(state.rows_pushed)
        if behind is not None:
            self.push_rows_behind.set(behind)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def metrics_of(app: FastAPI) -> PortalMetrics | None:
    metrics: PortalMetrics | None = getattr(app.state, "metrics", None)
    return metrics


def record_ingest(
    request: Request, source: str, accepted: int, duplicates: int, rejected: int = 0
) -> None:
    """Count an accepted ingest batch's rows (a no-op for an app without metrics)."""
    metrics = metrics_of(request.app)
    if metrics is not None:
        metrics.ingested(source, accepted, duplicates, rejected)


def route_template(scope: Scope) -> str:
    """The matched route's path template; "unmatched" when routing found none."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else "unmatched"


class MetricsMiddleware:
    """Times every HTTP request and labels it by route template and status class."""

    def __init__(self, app: ASGIApp, *, metrics: PortalMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            self.metrics.request_done(
                scope["method"], route_template(scope), status, time.perf_counter() - started
            )
