"""The alerts' Prometheus metrics: rules evaluated, alerts firing, notifications by outcome,
and the age of the oldest pending notification (the last two read from the database when
``/metrics`` is scraped)."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Counter

from power_portal.alerts import repository
from power_portal.core.metrics import PortalMetrics
from power_portal.db.engine import Database

OUTCOMES = ("sent", "failed", "retried", "dead")


class AlertMetrics:
    def __init__(self, metrics: PortalMetrics) -> None:
        self.rules_evaluated: Counter = metrics.counter(
            "portal_alert_rules_evaluated", "Rule and subject evaluations by the evaluator"
        )
        self.notifications: Counter = metrics.counter(
            "portal_notifications",
            "Notification deliveries by channel and outcome (sent, failed, retried, dead)",
            ["channel", "outcome"],
        )
        self.firing = metrics.gauge(
            "portal_alerts_firing", "Alerts firing now (acknowledged ones too)", ["severity"]
        )
        self.outbox_age = metrics.gauge(
            "portal_outbox_oldest_pending_seconds",
            "Age of the oldest notification still waiting to be delivered (0: none)",
        )
        metrics.on_scrape(self.refresh)

    def delivered(self, channel: str, outcome: str) -> None:
        self.notifications.labels(channel, outcome).inc()

    async def refresh(self, database: Database) -> None:
        async with database.session() as db:
            counts = await repository.summary_counts(db)
            oldest, _ = await repository.outbox_ages(db)
        by_severity = dict.fromkeys(("info", "warning", "critical"), 0)
        for severity, _acked, count in counts:
            by_severity[severity] = by_severity.get(severity, 0) + count
        for severity, count in by_severity.items():
            self.firing.labels(severity).set(count)
        age = 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
        self.outbox_age.set(max(0.0, age))
