"""The alert tables (docs/api/alerts.md).

- ``alert_rules``: what to watch (a site, a device or a virtual meter), its kind, severity,
  parameters, minimum duration and quiet hours;
- ``alert_states``: one row per rule and subject: where the state machine stands
  (``ok``/``pending``/``firing``, since when);
- ``alert_watermarks``: per subject, up to when its data was evaluated;
- ``alerts``: one row per episode that fired, kept after it resolves (the history), with
  copies of the rule's and subject's names so deleting either keeps the story readable;
- ``alert_events``: every transition of an alert (fired, acknowledged, resolved);
- ``notification_outbox``: the notifications a transition owes, written in the same
  transaction as the transition, delivered by the sender (idempotency key per row);
- ``smtp_settings``, ``webhooks``, ``notification_preferences``: the channels and who
  wants what.

What wakes the evaluator, ``monitoring.rollup_changes``, belongs to ``measurements``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base, Timestamps

SEVERITIES = ("info", "warning", "critical")
KINDS = (
    "offline",
    "gap",
    "demand_above",
    "peak_exceeding",
    "power_factor_below",
    "voltage_band",
    "phase_unbalance",
    "daily_energy_above_baseline",
    "out_of_hours_load",
)


class AlertRule(Timestamps, Base):
    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint(
            "(site_id IS NOT NULL)::int + (device_id IS NOT NULL)::int"
            " + (virtual_meter_id IS NOT NULL)::int = 1",
            name="one_subject",
        ),
        CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity"),
        CheckConstraint("for_minutes BETWEEN 0 AND 1440", name="for_minutes"),
        Index("ix_alert_rules_site_id", "site_id"),
        Index("ix_alert_rules_device_id", "device_id"),
        Index("ix_alert_rules_virtual_meter_id", "virtual_meter_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.sites.id", ondelete="CASCADE")
    )
    device_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="CASCADE")
    )
    virtual_meter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.virtual_meters.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    for_minutes: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    quiet_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AlertState(Base):
    """Where one rule stands for one subject (a site rule's offline/gap: one per device)."""

    __tablename__ = "alert_states"
    __table_args__ = (
        CheckConstraint("status IN ('ok', 'pending', 'firing')", name="status"),
        {"schema": "app"},
    )

    rule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.alert_rules.id", ondelete="CASCADE"), primary_key=True
    )
    subject_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'ok'"))
    since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    value: Mapped[float | None] = mapped_column(Double)
    alert_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.alerts.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlertWatermark(Base):
    """Up to when a subject's data was evaluated, shared by every rule on it: per 15-minute
    bucket (``bucket``) or per local day (``day``). Data older than this (a re-delivery) is
    not evaluated again, so nothing is notified twice."""

    __tablename__ = "alert_watermarks"
    __table_args__ = (
        CheckConstraint("cadence IN ('bucket', 'day')", name="cadence"),
        {"schema": "app"},
    )

    subject_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cadence: Mapped[str] = mapped_column(String(10), primary_key=True)
    evaluated_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """One episode of a rule on a subject that fired; kept (history) after it resolves."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("state IN ('firing', 'resolved')", name="state"),
        Index("ix_alerts_state", "state"),
        Index("ix_alerts_site_id_fired_at", "site_id", "fired_at"),
        Index("ix_alerts_rule_id", "rule_id"),
        Index(
            "ix_alerts_open_gaps",
            "subject_id",
            postgresql_where=text("kind = 'gap' AND state = 'firing'"),
        ),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.alert_rules.id", ondelete="SET NULL")
    )
    rule_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    site_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.sites.id", ondelete="CASCADE")
    )
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    subject_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str | None] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gap_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gap_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="SET NULL")
    )
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlertEvent(Base):
    """A transition of an alert: ``fired``, ``acknowledged`` or ``resolved``."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_alert_id", "alert_id"), {"schema": "app"})

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.alerts.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Double)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OutboxEntry(Base):
    """One notification owed to one recipient channel; written with the transition."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
        Index(
            "ix_notification_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_notification_outbox_alert_id", "alert_id"),
        Index("ix_notification_outbox_report_run_id", "report_run_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    alert_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.alerts.id", ondelete="CASCADE")
    )
    event_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.alert_events.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    webhook_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.webhooks.id", ondelete="CASCADE")
    )
    # A report's mail (``reports``): the run whose files it carries.
    report_run_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.report_runs.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SmtpSettingsRow(Base):
    """The SMTP server an admin saved (one row); none: the ``PORTAL_SMTP__*`` defaults."""

    __tablename__ = "smtp_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("security IN ('starttls', 'tls', 'none')", name="security"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    security: Mapped[str] = mapped_column(String(10))
    username: Mapped[str | None] = mapped_column(String(320))
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    from_address: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Webhook(Timestamps, Base):
    __tablename__ = "webhooks"
    __table_args__ = ({"schema": "app"},)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    severities: Mapped[list[str]] = mapped_column(ARRAY(String(10)))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class NotificationPreference(Base):
    """What one user wants by e-mail; no row: the defaults (e-mail on, warning and critical,
    every site)."""

    __tablename__ = "notification_preferences"
    __table_args__ = ({"schema": "app"},)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    severities: Mapped[list[str]] = mapped_column(ARRAY(String(10)))
    site_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
