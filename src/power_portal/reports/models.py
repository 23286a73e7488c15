"""The report tables (docs/api/reports.md).

- ``report_schedules``: what a site (or one tenant) sends, to whom, monthly or weekly, on
  which day and local time; ``active_since``: periods due before it are never sent (set on
  create and whenever the timing changes or the schedule is enabled again);
- ``report_runs``: one per period sent (unique per schedule and period for scheduled runs:
  what makes a schedule send exactly once), or per "send now";
- ``report_files``: the documents of a run, as they were sent (downloadable again).

A run's mails are rows of ``app.notification_outbox`` (``report_run_id``), delivered by
the alerts' sender.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base, Timestamps


class ReportSchedule(Timestamps, Base):
    __tablename__ = "report_schedules"
    __table_args__ = (
        CheckConstraint("cadence IN ('monthly', 'weekly')", name="cadence"),
        CheckConstraint(
            "(cadence = 'monthly' AND day_of_month BETWEEN 1 AND 28)"
            " OR (cadence = 'weekly' AND weekday BETWEEN 0 AND 6)",
            name="timing",
        ),
        Index("ix_report_schedules_site_id", "site_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app.sites.id", ondelete="CASCADE"))
    tenant_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.tenants.id", ondelete="CASCADE")
    )
    cadence: Mapped[str] = mapped_column(String(10))
    day_of_month: Mapped[int | None] = mapped_column(SmallInteger)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)
    local_time: Mapped[time] = mapped_column(Time)
    contents: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    recipients: Mapped[list[str]] = mapped_column(ARRAY(String(320)))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    active_since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="SET NULL")
    )


class ReportRun(Base):
    __tablename__ = "report_runs"
    __table_args__ = (
        CheckConstraint("period IN ('month', 'week')", name="period"),
        CheckConstraint("trigger IN ('schedule', 'manual')", name="trigger"),
        Index(
            "uq_report_runs_schedule_period",
            "schedule_id",
            "period_start",
            unique=True,
            postgresql_where=text("trigger = 'schedule'"),
        ),
        Index("ix_report_runs_site_id", "site_id", "id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.report_schedules.id", ondelete="SET NULL")
    )
    schedule_name: Mapped[str | None] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app.sites.id", ondelete="CASCADE"))
    tenant_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.tenants.id", ondelete="CASCADE")
    )
    period: Mapped[str] = mapped_column(String(5))
    label: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="SET NULL")
    )
    notes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReportFile(Base):
    __tablename__ = "report_files"
    __table_args__ = (
        Index("ix_report_files_run_id", "run_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.report_runs.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
