"""Queries of the reports: the buckets a report reads, the month's alerts, schedules, runs,
their files and their mails."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts.models import Alert, OutboxEntry
from power_portal.auth.models import User
from power_portal.reports.models import ReportFile, ReportRun, ReportSchedule
from power_portal.sites.models import Device, Site


@dataclass(frozen=True)
class Bucket:
    """One device's 15-minute bucket as a report reads it."""

    device_id: int
    start: datetime
    energy_import_kwh: float
    apparent_energy_kvah: float
    power_factor_avg: float | None


async def buckets(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> list[Bucket]:
    """The devices' 15-minute buckets with readings in ``[lo, hi)``, in time order."""
    if not device_ids:
        return []
    rows = await db.execute(
        text("""
            SELECT device_id, bucket_start, energy_import_kwh, apparent_energy_kvah,
                   power_factor_avg
            FROM monitoring.rollup_15m
            WHERE device_id = ANY(:ids) AND bucket_start >= :lo AND bucket_start < :hi
                  AND sample_count > 0
            ORDER BY bucket_start, device_id
        """),
        {"ids": list(device_ids), "lo": lo, "hi": hi},
    )
    return [Bucket(int(row[0]), row[1], float(row[2]), float(row[3]), row[4]) for row in rows]


async def site_devices(db: AsyncSession, site_id: int) -> dict[int, str]:
    """Every device of the site by id, with its name."""
    rows = await db.execute(
        select(Device.id, Device.name).where(Device.site_id == site_id).order_by(Device.id)
    )
    return {int(device_id): name for device_id, name in rows}


async def alerts_fired(
    db: AsyncSession, site_id: int, lo: datetime, hi: datetime, limit: int
) -> list[Alert]:
    rows = await db.scalars(
        select(Alert)
        .where(Alert.site_id == site_id, Alert.fired_at >= lo, Alert.fired_at < hi)
        .order_by(Alert.fired_at, Alert.id)
        .limit(limit)
    )
    return list(rows)


# ---------------------------------------------------------------- schedules


async def list_schedules(db: AsyncSession, site_id: int | None) -> list[ReportSchedule]:
    query = select(ReportSchedule).order_by(ReportSchedule.id)
    if site_id is not None:
        query = query.where(ReportSchedule.site_id == site_id)
    return list(await db.scalars(query))


async def enabled_schedules(db: AsyncSession) -> list[tuple[ReportSchedule, str]]:
    """Every enabled schedule with its site's time zone."""
    rows = await db.execute(
        select(ReportSchedule, Site.timezone)
        .join(Site, Site.id == ReportSchedule.site_id)
        .where(ReportSchedule.enabled)
        .order_by(ReportSchedule.id)
    )
    return [(schedule, zone) for schedule, zone in rows]


async def last_scheduled_starts(db: AsyncSession, schedule_ids: Sequence[int]) -> dict[int, date]:
    """Per schedule, the start of the newest period it sent on its own."""
    if not schedule_ids:
        return {}
    rows = await db.execute(
        select(ReportRun.schedule_id, func.max(ReportRun.period_start))
        .where(ReportRun.schedule_id.in_(schedule_ids), ReportRun.trigger == "schedule")
        .group_by(ReportRun.schedule_id)
    )
    return {int(schedule_id): start for schedule_id, start in rows if schedule_id}


async def last_runs(db: AsyncSession, schedule_ids: Sequence[int]) -> dict[int, datetime]:
    if not schedule_ids:
        return {}
    rows = await db.execute(
        select(ReportRun.schedule_id, func.max(ReportRun.created_at))
        .where(ReportRun.schedule_id.in_(schedule_ids))
        .group_by(ReportRun.schedule_id)
    )
    return {int(schedule_id): at for schedule_id, at in rows if schedule_id}


async def claim_scheduled_run(
    db: AsyncSession, schedule: ReportSchedule, kind: str, label: str, start: date, end: date
) -> int | None:
    """The new run's id, or None when the period already has its run (another process, or
    an earlier life of this one, made it): the unique index is what sends exactly once."""
    statement = (
        insert(ReportRun)
        .values(
            schedule_id=schedule.id,
            schedule_name=schedule.name,
            site_id=schedule.site_id,
            tenant_id=schedule.tenant_id,
            period=kind,
            label=label,
            period_start=start,
            period_end=end,
            trigger="schedule",
        )
        .on_conflict_do_nothing(
            index_elements=["schedule_id", "period_start"],
            index_where=text("trigger = 'schedule'"),
        )
        .returning(ReportRun.id)
    )
    return (await db.execute(statement)).scalar_one_or_none()


# ---------------------------------------------------------------- runs


async def list_runs(
    db: AsyncSession,
    *,
    site_id: int | None,
    schedule_id: int | None,
    before: int | None,
    limit: int,
) -> list[tuple[ReportRun, str]]:
    query = select(ReportRun, Site.name).join(Site, Site.id == ReportRun.site_id)
    if site_id is not None:
        query = query.where(ReportRun.site_id == site_id)
    if schedule_id is not None:
        query = query.where(ReportRun.schedule_id == schedule_id)
    if before is not None:
        query = query.where(ReportRun.id < before)
    rows = await db.execute(query.order_by(ReportRun.id.desc()).limit(limit))
    return [(run, name) for run, name in rows]


async def files_of(
    db: AsyncSession, run_ids: Sequence[int]
) -> list[tuple[int, int, str, str, int]]:
    """(run id, file id, file name, media type, size) without the contents."""
    if not run_ids:
        return []
    rows = await db.execute(
        select(
            ReportFile.run_id,
            ReportFile.id,
            ReportFile.filename,
            ReportFile.media_type,
            ReportFile.size_bytes,
        )
        .where(ReportFile.run_id.in_(run_ids))
        .order_by(ReportFile.id)
    )
    return [(int(a), int(b), c, d, int(e)) for a, b, c, d, e in rows]


async def run_files(db: AsyncSession, run_id: int) -> list[ReportFile]:
    return list(
        await db.scalars(
            select(ReportFile).where(ReportFile.run_id == run_id).order_by(ReportFile.id)
        )
    )


async def deliveries_of(db: AsyncSession, run_ids: Sequence[int]) -> list[OutboxEntry]:
    if not run_ids:
        return []
    return list(
        await db.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.report_run_id.in_(run_ids))
            .order_by(OutboxEntry.id)
        )
    )


async def user_emails(db: AsyncSession, user_ids: Sequence[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await db.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {int(user_id): email for user_id, email in rows}
