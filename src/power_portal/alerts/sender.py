"""The sender: delivers what the outbox holds, once, and keeps trying what failed.

Each round claims the due rows (``FOR UPDATE SKIP LOCKED``: several processes can send
side by side and never take the same row), delivers each, records the outcome and commits.
A kill between a delivery and its commit leaves the row pending, so it is delivered again
after a restart: its idempotency key (the e-mail's ``Message-ID`` and ``X-Portal-Delivery``,
the webhook's ``X-Portal-Delivery``) lets the receiver drop the repeat. A failure waits
``retry_delay`` (30 s doubling to 1 h) and, still failing after a day, goes to the dead
letters (``POST /api/notifications/{id}/retry`` sends it again).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import evaluation as ev
from power_portal.alerts import repository, service
from power_portal.alerts.mail import Brand, Notice, SmtpConfig, build_message, render_notice
from power_portal.alerts.mail import send_message as send_mail
from power_portal.alerts.metrics import AlertMetrics
from power_portal.alerts.models import Alert, AlertEvent, OutboxEntry, Webhook
from power_portal.alerts.webhooks import WebhookPolicy, post_webhook
from power_portal.core.secrets import SecretUnreadable
from power_portal.db.engine import Database
from power_portal.settings import Settings
from power_portal.sites.models import Site

log = structlog.get_logger(__name__)

BATCH = 10

# Makes the mail of an outbox row that is not an alert's (``event`` names the kind, e.g. a
# report's run): None when what it carries is gone. Given by the layer above (the app), so
# the sender delivers other domains' mails without knowing them.
Composer = Callable[[AsyncSession, OutboxEntry, SmtpConfig, Brand], Awaitable[EmailMessage | None]]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    permanent: bool = False


def alert_url(settings: Settings, alert_id: int) -> str | None:
    base = settings.alerts.public_url
    return f"{base.rstrip('/')}/alerts/{alert_id}" if base else None


def local_time(at: datetime, site: Site | None) -> str:
    zone = ZoneInfo(site.timezone) if site is not None else UTC
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def webhook_payload(
    entry: OutboxEntry, alert: Alert, event: AlertEvent, site: Site | None, url: str | None
) -> bytes:
    """The JSON a webhook receives (docs/api/alerts.md, "Webhooks")."""
    zone = ZoneInfo(site.timezone) if site is not None else UTC
    body = {
        "id": entry.idempotency_key,
        "event": event.event,
        "at": event.at.astimezone(zone).isoformat(),
        "alert": {
            "id": alert.id,
            "rule": {"id": alert.rule_id, "name": alert.rule_name, "kind": alert.kind},
            "severity": alert.severity,
            "state": alert.state,
            "subject": {
                "kind": alert.subject_kind,
                "id": alert.subject_id,
                "name": alert.subject_name,
            },
            "site": None if site is None else {"id": site.id, "name": site.name},
            "value": alert.value if event.value is None else event.value,
            "threshold": alert.threshold,
            "unit": alert.unit,
            "message": event.message,
            "url": url,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


class Sender:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        metrics: AlertMetrics | None = None,
        composers: Mapping[str, Composer] | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.metrics = metrics
        self.composers = dict(composers or {})
        self.policy = WebhookPolicy.from_settings(settings)

    async def deliver_due(self, now: datetime | None = None) -> int:
        """One round: deliver up to a batch of due rows; returns how many were tried."""
        async with self.database.session() as db:
            entries = await repository.claim_due(db, now or datetime.now(UTC), BATCH)
            if not entries:
                await db.rollback()
                return 0
            smtp: SmtpConfig | None = None
            smtp_problem: str | None = None
            try:
                smtp = await service.smtp_config(db, self.settings)
            except SecretUnreadable as exc:
                smtp_problem = str(exc)
            look = await service.brand(db, self.settings)
            for entry in entries:
                outcome = await self._deliver(db, entry, smtp, smtp_problem, look)
                self._record(entry, outcome)
            await db.commit()  # boundary: the round's outcomes (each row's status and retry)
            return len(entries)

    def _record(self, entry: OutboxEntry, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        entry.attempts += 1
        if outcome.ok:
            entry.status, entry.sent_at, entry.last_error = "sent", now, None
            result = "sent"
        elif outcome.permanent or ev.gives_up(
            entry.created_at, now, self.settings.alerts.retry_give_up_hours
        ):
            entry.status, entry.last_error = "dead", outcome.detail[:2000]
            result = "dead"
        else:
            entry.last_error = outcome.detail[:2000]
            entry.next_attempt_at = now + ev.retry_delay(
                entry.attempts,
                self.settings.alerts.retry_base_seconds,
                self.settings.alerts.retry_cap_seconds,
            )
            result = "retried"
        if not outcome.ok and self.metrics is not None:
            self.metrics.delivered(entry.channel, "failed")
        if self.metrics is not None:
            self.metrics.delivered(entry.channel, result)
        log.info(
            "alerts.delivery",
            delivery=entry.idempotency_key,
            channel=entry.channel,
            outcome=result,
            attempts=entry.attempts,
            detail=None if outcome.ok else outcome.detail[:200],
        )

    async def _deliver(
        self,
        db: AsyncSession,
        entry: OutboxEntry,
        smtp: SmtpConfig | None,
        smtp_problem: str | None,
        look: Brand,
    ) -> Outcome:
        if entry.alert_id is None and entry.channel == "email":
            return await self._deliver_composed(db, entry, smtp, smtp_problem, look)
        alert = await db.get(Alert, entry.alert_id) if entry.alert_id is not None else None
        event = await db.get(AlertEvent, entry.event_id) if entry.event_id is not None else None
        if alert is None or event is None:
            return Outcome(False, "the alert is gone", permanent=True)
        site = await db.get(Site, alert.site_id) if alert.site_id is not None else None
        url = alert_url(self.settings, alert.id)
        if entry.channel == "email":
            if smtp is None:
                return Outcome(False, smtp_problem or "no SMTP server is set")
            notice = Notice(
                event="fired" if event.event == "fired" else "resolved",
                severity=alert.severity,
                rule_name=alert.rule_name,
                subject_name=alert.subject_name,
                site_name=site.name if site is not None else None,
                value=event.value,
                threshold=alert.threshold,
                unit=alert.unit,
                message=event.message,
                at_local=local_time(event.at, site),
                url=url,
            )
            subject, text, html = render_notice(notice, look)
            message = build_message(
                smtp,
                to=[entry.recipient],
                subject=subject,
                text=text,
                html=html,
                brand=look,
                message_id=entry.idempotency_key,
            )
            answer = await send_mail(smtp, message)
            return Outcome(answer.ok, answer.detail, answer.permanent)
        webhook = await db.get(Webhook, entry.webhook_id) if entry.webhook_id else None
        if webhook is None or not webhook.enabled:
            return Outcome(False, "the webhook was deleted or disabled", permanent=True)
        try:
            secret = service.secret_box_for(self.settings).decrypt(webhook.secret_encrypted)
        except SecretUnreadable as exc:
            return Outcome(False, str(exc))
        sent = await post_webhook(
            webhook.url,
            webhook_payload(entry, alert, event, site, url),
            secret=secret,
            delivery_key=entry.idempotency_key,
            policy=self.policy,
        )
        return Outcome(sent.ok, sent.detail, sent.refused)

    async def _deliver_composed(
        self,
        db: AsyncSession,
        entry: OutboxEntry,
        smtp: SmtpConfig | None,
        smtp_problem: str | None,
        look: Brand,
    ) -> Outcome:
        """A mail another domain composes (a report's run): kept pending while this process
        has no composer for it (another process may)."""
        composer = self.composers.get(entry.event)
        if composer is None:
            return Outcome(False, f"nothing here can compose a {entry.event!r} mail")
        if smtp is None:
            return Outcome(False, smtp_problem or "no SMTP server is set")
        message = await composer(db, entry, smtp, look)
        if message is None:
            return Outcome(False, f"the {entry.event} is gone", permanent=True)
        answer = await send_mail(smtp, message)
        return Outcome(answer.ok, answer.detail, answer.permanent)
