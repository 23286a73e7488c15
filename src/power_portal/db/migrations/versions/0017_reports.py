"""Reports: schedules, runs and their files; the outbox carries a report's mails.

- ``app.report_schedules``: per site (or tenant), what is sent to whom, monthly or weekly;
- ``app.report_runs``: one per period sent (unique per schedule and period when scheduled);
- ``app.report_files``: a run's documents as sent;
- ``app.notification_outbox.report_run_id``: the run a mail belongs to.

Revision ID: 0017_reports
Revises: 0016_alerts
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017_reports"
down_revision: str | None = "0016_alerts"
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
        "report_schedules",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=True),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("day_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("contents", postgresql.ARRAY(sa.String(30)), nullable=False),
        sa.Column("recipients", postgresql.ARRAY(sa.String(320)), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _now("active_since"),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            "cadence IN ('monthly', 'weekly')", name=op.f("ck_report_schedules_cadence")
        ),
        sa.CheckConstraint(
            "(cadence = 'monthly' AND day_of_month BETWEEN 1 AND 28)"
            " OR (cadence = 'weekly' AND weekday BETWEEN 0 AND 6)",
            name=op.f("ck_report_schedules_timing"),
        ),
        _fk("site_id", "report_schedules", "app.sites", "CASCADE"),
        _fk("tenant_id", "report_schedules", "app.tenants", "CASCADE"),
        _fk("created_by", "report_schedules", "identity.users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_schedules")),
        schema="app",
    )
    op.create_index("ix_report_schedules_site_id", "report_schedules", ["site_id"], schema="app")

    op.create_table(
        "report_runs",
        _id(),
        sa.Column("schedule_id", sa.BigInteger(), nullable=True),
        sa.Column("schedule_name", sa.String(200), nullable=True),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=True),
        sa.Column("period", sa.String(5), nullable=False),
        sa.Column("label", sa.String(10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("trigger", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "notes", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        _now("created_at"),
        sa.CheckConstraint("period IN ('month', 'week')", name=op.f("ck_report_runs_period")),
        sa.CheckConstraint(
            "trigger IN ('schedule', 'manual')", name=op.f("ck_report_runs_trigger")
        ),
        _fk("schedule_id", "report_runs", "app.report_schedules", "SET NULL"),
        _fk("site_id", "report_runs", "app.sites", "CASCADE"),
        _fk("tenant_id", "report_runs", "app.tenants", "CASCADE"),
        _fk("requested_by", "report_runs", "identity.users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
        schema="app",
    )
    op.create_index(
        "uq_report_runs_schedule_period",
        "report_runs",
        ["schedule_id", "period_start"],
        unique=True,
        schema="app",
        postgresql_where=sa.text("trigger = 'schedule'"),
    )
    op.create_index("ix_report_runs_site_id", "report_runs", ["site_id", "id"], schema="app")

    op.create_table(
        "report_files",
        _id(),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        _fk("run_id", "report_files", "app.report_runs", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
        schema="app",
    )
    op.create_index("ix_report_files_run_id", "report_files", ["run_id"], schema="app")
    # PDFs and workbooks are compressed already: stored out of line as they are.
    op.execute("ALTER TABLE app.report_files ALTER COLUMN content SET STORAGE EXTERNAL")

    op.add_column(
        "notification_outbox",
        sa.Column("report_run_id", sa.BigInteger(), nullable=True),
        schema="app",
    )
    op.create_foreign_key(
        op.f("fk_notification_outbox_report_run_id_report_runs"),
        "notification_outbox",
        "report_runs",
        ["report_run_id"],
        ["id"],
        source_schema="app",
        referent_schema="app",
        ondelete="CASCADE",
    )
    op.create_index(
        "ix_notification_outbox_report_run_id",
        "notification_outbox",
        ["report_run_id"],
        schema="app",
    )


def downgrade() -> None:
    op.execute("DELETE FROM app.notification_outbox WHERE report_run_id IS NOT NULL")
    op.drop_index(
        "ix_notification_outbox_report_run_id", table_name="notification_outbox", schema="app"
    )
    op.drop_constraint(
        op.f("fk_notification_outbox_report_run_id_report_runs"),
        "notification_outbox",
        schema="app",
        type_="foreignkey",
    )
    op.drop_column("notification_outbox", "report_run_id", schema="app")
    for table in ("report_files", "report_runs", "report_schedules"):
        op.drop_table(table, schema="app")
