"""Prometheus metrics: one registry per app (no process-global state), served at ``/metrics``.

- ingest: rows accepted and duplicates per source (``device``: the meter API,
  ``fleet``: customer stacks pushing to the admin, ``mqtt``: the gateway bridge, counted
  when its batch commits), batches refused by status, and the refusals of requests without
  a recognised credential by reason (stored nowhere else);
- HTTP: request latency by route *template* (``/api/devices/{device_id}/energy``,
  never the raw path, so the label set stays bounded), method and status class;
- the database pool, requests replayed after a deadlock or serialization failure
  (``core/replay.py``), the process (CPU, memory, file descriptors) and the build.

With several uvicorn workers each process has its own registry and a scrape sees
one of them: scale with one worker per container (or scrape each) for exact totals.

A domain adds its own gauges to ``PortalMetrics.registry`` and, when they are read from
the database, a hook with ``on_scrape`` (the fleet's push state: ``fleet/metrics.py``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from power_portal import __version__
from power_portal.db.engine import Database
from power_portal.settings import Settings

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
# Called just before a scrape, to set gauges from what lives in the database.
ScrapeHook = Callable[[Database], Awaitable[None]]


def rejection_reason(status: int) -> str:
    if status >= 500:
        return "server_error"
    return REJECTION_REASONS.get(status, "other")


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class PortalMetrics:
    """Every metric of one app, in its own registry."""

    def __init__(self, settings: Settings) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        Info("portal_build", "The portal's version and run mode", registry=registry).info(
            {"version": __version__, "run_mode": settings.run_mode.value}
        )
        self.rows_accepted, self.rows_duplicate, self.rows_rejected = (
            self.counter(name, documentation, ["source"])
            for name, documentation in (
                ("portal_ingest_rows_accepted", "Rows stored by ingest (new rows)"),
                (
                    "portal_ingest_rows_duplicate",
                    "Rows received again and ignored (already stored)",
                ),
                (
                    "portal_ingest_rows_rejected",
                    "Items refused one by one: invalid items skipped inside accepted fleet"
                    " batches, MQTT messages the gateway bridge rejected",
                ),
            )
        )
        self.batches_rejected = self.counter(
            "portal_ingest_rejected_batches",
            "Ingest requests refused, by status and reason",
            ["source", "status", "reason"],
        )
        self.login_refusals = self.counter(
            "portal_login_refusals",
            "Sign-ins and password checks refused before verification, by the limit that"
            " refused them (address_locked, address_slowed, account_slowed, busy)",
            ["limit"],
        )
        self.anonymous_refusals = self.counter(
            "portal_ingest_anonymous_refusals",
            "Ingest requests refused before any credential was recognised (no token, an"
            " unknown one, or throttled for guessing): counted and logged sampled, never stored",
            ["source", "reason"],
        )
        self.db_conflicts = self.counter(
            "portal_db_conflicts",
            "Requests whose transaction lost a deadlock or serialization failure, by kind and"
            " what became of the attempt: replayed, exhausted (503 after the last attempt),"
            " not_replayable_committed or not_replayable_body (503 at once)",
            ["kind", "outcome"],
        )
        self.http_duration = Histogram(
            "portal_http_request_duration_seconds",
            "HTTP request latency by route template, method and status class",
            ["method", "route", "status_class"],
            registry=registry,
        )
        self.db_pool = self.gauge(
            "portal_db_pool_connections", "Database pool connections by state", ["state"]
        )
        self._scrape_hooks: list[ScrapeHook] = []

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        return Counter(name, documentation, labels, registry=self.registry)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """A gauge in this app's registry (a domain's too: the fleet's push state)."""
        return Gauge(name, documentation, labels, registry=self.registry)

    # ---------------------------------------------------------------- recording

    def ingested(self, source: str, accepted: int, duplicates: int, rejected: int = 0) -> None:
        self.rows_accepted.labels(source).inc(accepted)
        self.rows_duplicate.labels(source).inc(duplicates)
        if rejected:
            self.rows_rejected.labels(source).inc(rejected)

    def mqtt_message_rejected(self, reason: str) -> None:
        """A message the gateway bridge rejected (bad topic, payload or reading): an item
        refused, and a refusal by its reason (MQTT has no status code: ``status="-"``)."""
        self.rows_rejected.labels("mqtt").inc()
        self.batches_rejected.labels("mqtt", "-", reason).inc()

    def anonymous_refusal(self, source: str, reason: str) -> None:
        self.anonymous_refusals.labels(source, reason).inc()

    def db_conflict(self, kind: str, outcome: str) -> None:
        self.db_conflicts.labels(kind, outcome).inc()

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_duration.labels(method, route, status_class(status)).observe(seconds)
        source = INGEST_ROUTES.get(route)
        if source is not None and status >= 400:
            self.batches_rejected.labels(source, str(status), rejection_reason(status)).inc()

    # ---------------------------------------------------------------- scraping

    def on_scrape(self, hook: ScrapeHook) -> None:
        """Run ``hook`` before every scrape (a domain's gauges read from the database)."""
        self._scrape_hooks.append(hook)

    async def refresh(self, database: Database) -> None:
        """Read the pool, and what the hooks read from the database, just before a scrape."""
        self._refresh_pool(database)
        for hook in self._scrape_hooks:
            await hook(database)

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


def record_anonymous_refusal(request: Request, source: str, reason: str) -> None:
    """Count an ingest request refused without a recognised credential (a no-op for an app
    without metrics)."""
    metrics = metrics_of(request.app)
    if metrics is not None:
        metrics.anonymous_refusal(source, reason)


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
