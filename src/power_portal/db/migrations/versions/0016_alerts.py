"""Alerts: rules, their states, alerts and their events, the notification outbox, channels
and preferences (issue 18), and what the rollups changed for the evaluator.

- ``app.alert_rules``: a rule watches exactly one subject (site, device or virtual meter);
- ``app.alert_states``: per rule and subject, the state machine;
- ``app.alert_watermarks``: per subject, up to when its data was evaluated;
- ``app.alerts`` / ``app.alert_events``: episodes that fired (kept as history) and their
  transitions;
- ``app.notification_outbox``: notifications owed, written with the transition (unique
  idempotency key), delivered by the sender;
- ``app.smtp_settings`` (one row), ``app.webhooks``, ``app.notification_preferences``;
- ``monitoring.rollup_changes``: per device, the span of buckets rebuilt since the evaluator
  last took it.

Revision ID: 0016_alerts
Revises: 0015_tenant_users
Create Date: 2026-12-03 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_alerts"
down_revision: str | None = "0015_tenant_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now(name: str) -> sa.Column[object]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[1]
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=True),
        sa.Column("device_id", sa.BigInteger(), nullable=True),
        sa.Column("virtual_meter_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False),
        sa.Column("for_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("quiet_hours", postgresql.JSONB(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            "(site_id IS NOT NULL)::int + (device_id IS NOT NULL)::int"
            " + (virtual_meter_id IS NOT NULL)::int = 1",
            name=op.f("ck_alert_rules_one_subject"),
        ),
        sa.CheckConstraint(
            "severity IN ('info', 'warning', 'critical')", name=op.f("ck_alert_rules_severity")
        ),
        sa.CheckConstraint(
            "for_minutes BETWEEN 0 AND 1440", name=op.f("ck_alert_rules_for_minutes")
        ),
        _fk("site_id", "alert_rules", "app.sites", "CASCADE"),
        _fk("device_id", "alert_rules", "app.devices", "CASCADE"),
        _fk("virtual_meter_id", "alert_rules", "app.virtual_meters", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
        schema="app",
    )
    for column in ("site_id", "device_id", "virtual_meter_id"):
        op.create_index(f"ix_alert_rules_{column}", "alert_rules", [column], schema="app")

    op.create_table(
        "alerts",
        _id(),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("rule_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=True),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(10), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gap_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gap_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_note", sa.String(1000), nullable=True),
        _now("created_at"),
        sa.CheckConstraint("state IN ('firing', 'resolved')", name=op.f("ck_alerts_state")),
        _fk("rule_id", "alerts", "app.alert_rules", "SET NULL"),
        _fk("site_id", "alerts", "app.sites", "CASCADE"),
        _fk("acknowledged_by", "alerts", "identity.users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        schema="app",
    )
    op.create_index("ix_alerts_state", "alerts", ["state"], schema="app")
    op.create_index("ix_alerts_site_id_fired_at", "alerts", ["site_id", "fired_at"], schema="app")
    op.create_index("ix_alerts_rule_id", "alerts", ["rule_id"], schema="app")
    op.create_index(
        "ix_alerts_open_gaps",
        "alerts",
        ["subject_id"],
        schema="app",
        postgresql_where=sa.text("kind = 'gap' AND state = 'firing'"),
    )

    op.create_table(
        "alert_states",
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(10), server_default=sa.text("'ok'"), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        _now("updated_at"),
        sa.CheckConstraint(
            "status IN ('ok', 'pending', 'firing')", name=op.f("ck_alert_states_status")
        ),
        _fk("rule_id", "alert_states", "app.alert_rules", "CASCADE"),
        _fk("alert_id", "alert_states", "app.alerts", "SET NULL"),
        sa.PrimaryKeyConstraint(
            "rule_id", "subject_kind", "subject_id", name=op.f("pk_alert_states")
        ),
        schema="app",
    )

    op.create_table(
        "alert_watermarks",
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("evaluated_until", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cadence IN ('bucket', 'day')", name=op.f("ck_alert_watermarks_cadence")
        ),
        sa.PrimaryKeyConstraint(
            "subject_kind", "subject_id", "cadence", name=op.f("pk_alert_watermarks")
        ),
        schema="app",
    )

    op.create_table(
        "alert_events",
        _id(),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_state", sa.String(10), nullable=False),
        sa.Column("to_state", sa.String(10), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        _now("created_at"),
        _fk("alert_id", "alert_events", "app.alerts", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        schema="app",
    )
    op.create_index("ix_alert_events_alert_id", "alert_events", ["alert_id"], schema="app")

    op.create_table(
        "webhooks",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("severities", postgresql.ARRAY(sa.String(10)), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
        schema="app",
    )

    op.create_table(
        "notification_outbox",
        _id(),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("webhook_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(10), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _now("next_attempt_at"),
        _now("created_at"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'dead')", name=op.f("ck_notification_outbox_status")
        ),
        sa.CheckConstraint(
            "channel IN ('email', 'webhook')", name=op.f("ck_notification_outbox_channel")
        ),
        _fk("alert_id", "notification_outbox", "app.alerts", "CASCADE"),
        _fk("event_id", "notification_outbox", "app.alert_events", "CASCADE"),
        _fk("webhook_id", "notification_outbox", "app.webhooks", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_outbox_idempotency_key")),
        schema="app",
    )
    op.create_index(
        "ix_notification_outbox_due",
        "notification_outbox",
        ["next_attempt_at"],
        schema="app",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_notification_outbox_alert_id", "notification_outbox", ["alert_id"], schema="app"
    )

    op.create_table(
        "smtp_settings",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(10), nullable=False),
        sa.Column("username", sa.String(320), nullable=True),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("from_address", sa.String(320), nullable=False),
        sa.Column("from_name", sa.String(200), nullable=True),
        _now("updated_at"),
        sa.CheckConstraint("id = 1", name=op.f("ck_smtp_settings_single_row")),
        sa.CheckConstraint(
            "security IN ('starttls', 'tls', 'none')", name=op.f("ck_smtp_settings_security")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smtp_settings")),
        schema="app",
    )

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("severities", postgresql.ARRAY(sa.String(10)), nullable=False),
        sa.Column("site_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        _now("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity.users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
        schema="app",
    )

    op.create_table(
        "rollup_changes",
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("lo", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hi", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["app.devices.id"],
            name=op.f("fk_rollup_changes_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_rollup_changes")),
        schema="monitoring",
    )


def downgrade() -> None:
    op.drop_table("rollup_changes", schema="monitoring")
    for table in (
        "notification_preferences",
        "smtp_settings",
        "notification_outbox",
        "webhooks",
        "alert_events",
        "alert_watermarks",
        "alert_states",
        "alerts",
        "alert_rules",
    ):
        op.drop_table(table, schema="app")
