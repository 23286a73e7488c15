"""The push's gauges (client mode), per resource: lag since the last successful push,
consecutive failures, rows pushed, and rows still to push (capped); read from
``app.fleet_push_state`` when ``/metrics`` is scraped."""

from __future__ import annotations

from datetime import UTC, datetime

from power_portal.core.metrics import PortalMetrics
from power_portal.db.engine import Database
from power_portal.fleet import repository
from power_portal.fleet.repository import PushCursor
from power_portal.settings import RunMode, Settings

ROWS_BEHIND_CAP = 100_000


class PushMetrics:
    """The gauges, in the app's registry; ``refresh`` sets them from the push state."""

    def __init__(self, metrics: PortalMetrics) -> None:
        self.lag, self.last_success, self.failures, self.rows_pushed = (
            metrics.gauge(name, documentation, ["resource"])
            for name, documentation in (
                (
                    "portal_fleet_push_lag_seconds",
                    "Seconds since the last successful push to the admin stack",
                ),
                (
                    "portal_fleet_push_last_success_timestamp_seconds",
                    "When the last push succeeded (Unix time)",
                ),
                ("portal_fleet_push_consecutive_failures", "Failed pushes in a row"),
                ("portal_fleet_push_rows_pushed", "Rows acknowledged by the admin stack so far"),
            )
        )
        self.rows_behind = metrics.gauge(
            "portal_fleet_push_rows_behind",
            f"Measurement rows stored but not yet pushed (counted up to {ROWS_BEHIND_CAP})",
        )

    async def refresh(self, database: Database) -> None:
        now = datetime.now(UTC)
        behind: int | None = None
        async with database.session() as db:
            states = await repository.push_states(db)
            for state in states:
                if state.resource == "measurements" and state.cursor:
                    cursor = PushCursor.from_json(state.cursor)
                    behind = await repository.rows_behind(db, cursor, ROWS_BEHIND_CAP)
        for gauge in (self.lag, self.last_success, self.failures, self.rows_pushed):
            gauge.clear()
        for state in states:
            if state.last_success_at is not None:
                self.lag.labels(state.resource).set(
                    max(0.0, (now - state.last_success_at).total_seconds())
                )
                self.last_success.labels(state.resource).set(state.last_success_at.timestamp())
            self.failures.labels(state.resource).set(state.consecutive_failures)
            self.rows_pushed.labels(state.resource).set(state.rows_pushed)
        if behind is not None:
            self.rows_behind.set(behind)


def add_push_metrics(metrics: PortalMetrics, settings: Settings) -> None:
    """The push's gauges in every mode (empty unless this stack pushes); read on each
    scrape in client mode."""
    gauges = PushMetrics(metrics)
    if settings.run_mode is RunMode.CLIENT:
        metrics.on_scrape(gauges.refresh)
