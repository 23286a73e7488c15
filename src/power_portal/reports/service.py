"""Report schedules and runs: what is sent, to whom, when, and what was sent.

A run is made in its caller's transaction: its documents (stored) and one outbox row per
recipient (delivered by the alerts' sender) commit together, so a run either exists whole
with its mails owed, or not at all. A scheduled run is claimed first through the unique
(schedule, period) index: the run and its mails exist once however many processes try.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts.models import OutboxEntry
from power_portal.auth.models import User
from power_portal.core.errors import FieldError, NotFoundError, PortalError, found
from power_portal.core.request_checks import DateSpan
from power_portal.reports import documents, periods, repository
from power_portal.reports.documents import Document
from power_portal.reports.models import ReportFile, ReportRun, ReportSchedule
from power_portal.reports.periods import WEEKDAYS, Period, Timing
from power_portal.reports.schemas import (
    RunDelivery,
    RunFile,
    RunRead,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
    SendNow,
)
from power_portal.settings import Settings
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tenants import service as tenants_service
from power_portal.tenants.models import Tenant
from power_portal.tenants.schemas import Month

log = structlog.get_logger(__name__)

MONTHLY_ONLY = ("tenant_bills", "reconciliation_xlsx")
TENANT_CONTENTS = ("tenant_bills",)
TIMING_FIELDS = ("cadence", "day_of_month", "weekday", "local_time")


# ---------------------------------------------------------------- schedules


def timing_of(schedule: ReportSchedule, timezone: str) -> Timing:
    return Timing(
        cadence="weekly" if schedule.cadence == "weekly" else "monthly",
        day_of_month=schedule.day_of_month,
        weekday=schedule.weekday,
        local_time=schedule.local_time,
        timezone=timezone,
    )


def check_schedule(
    cadence: str,
    day_of_month: int | None,
    weekday: str | None,
    contents: Sequence[str],
    recipients: Sequence[str],
    tenant_id: int | None,
) -> None:
    """422 naming the field for what the schema alone cannot see."""
    if cadence == "monthly" and day_of_month is None:
        raise FieldError("day_of_month", "a monthly schedule needs day_of_month (1-28)")
    if cadence == "weekly" and weekday is None:
        raise FieldError("weekday", "a weekly schedule needs weekday (mon…sun)")
    if len(set(contents)) != len(contents):
        raise FieldError("contents", "each content at most once")
    if len(set(recipients)) != len(recipients):
        raise FieldError("recipients", "each recipient at most once")
    if cadence == "weekly" and any(c in MONTHLY_ONLY for c in contents):
        raise FieldError("contents", "tenant_bills and reconciliation_xlsx are monthly only")
    if tenant_id is not None and any(c not in TENANT_CONTENTS for c in contents):
        raise FieldError("contents", "a tenant's schedule sends only tenant_bills")


async def _checked_subject(
    db: AsyncSession, site_id: int, tenant_id: int | None
) -> tuple[Site, Tenant | None]:
    try:
        site = await sites_service.get_site(db, site_id)
    except NotFoundError as exc:
        raise FieldError("site_id", f"no site with id {site_id}") from exc
    if tenant_id is None:
        return site, None
    try:
        tenant = await tenants_service.get_tenant(db, tenant_id)
    except NotFoundError as exc:
        raise FieldError("tenant_id", f"no tenant with id {tenant_id}") from exc
    if tenant.site_id != site.id:
        raise FieldError("tenant_id", f"tenant {tenant_id} is not a tenant of site {site_id}")
    return site, tenant


async def _read(
    db: AsyncSession, schedules: Sequence[ReportSchedule], now: datetime
) -> list[ScheduleRead]:
    zones = {s.site_id: (await sites_service.get_site(db, s.site_id)).timezone for s in schedules}
    last = await repository.last_runs(db, [s.id for s in schedules])
    return [
        ScheduleRead.model_validate(
            {
                "id": s.id,
                "name": s.name,
                "site_id": s.site_id,
                "tenant_id": s.tenant_id,
                "cadence": s.cadence,
                "day_of_month": s.day_of_month,
                "weekday": WEEKDAYS[s.weekday] if s.weekday is not None else None,
                "local_time": s.local_time,
                "contents": s.contents,
                "recipients": s.recipients,
                "enabled": s.enabled,
                "created_at": s.created_at,
                "next_due_at": periods.next_due_at(timing_of(s, zones[s.site_id]), now)
                if s.enabled
                else None,
                "last_run_at": last.get(s.id),
            }
        )
        for s in schedules
    ]


async def list_schedules(
    db: AsyncSession, site_id: int | None, now: datetime
) -> list[ScheduleRead]:
    return await _read(db, await repository.list_schedules(db, site_id), now)


async def get_schedule(db: AsyncSession, schedule_id: int) -> ReportSchedule:
    return found(await db.get(ReportSchedule, schedule_id), f"report schedule {schedule_id}")


async def read_schedule(db: AsyncSession, schedule_id: int, now: datetime) -> ScheduleRead:
    return (await _read(db, [await get_schedule(db, schedule_id)], now))[0]


async def create_schedule(
    db: AsyncSession, data: ScheduleCreate, user: User | None, now: datetime
) -> ScheduleRead:
    await _checked_subject(db, data.site_id, data.tenant_id)
    check_schedule(
        data.cadence,
        data.day_of_month,
        data.weekday,
        data.contents,
        data.recipients,
        data.tenant_id,
    )
    monthly = data.cadence == "monthly"
    schedule = ReportSchedule(
        name=data.name,
        site_id=data.site_id,
        tenant_id=data.tenant_id,
        cadence=data.cadence,
        day_of_month=data.day_of_month if monthly else None,
        weekday=None if monthly or data.weekday is None else WEEKDAYS.index(data.weekday),
        local_time=data.local_time.replace(second=0, microsecond=0, tzinfo=None),
        contents=list(data.contents),
        recipients=list(data.recipients),
        enabled=data.enabled,
        active_since=now,
        created_by=user.id if user is not None else None,
    )
    db.add(schedule)
    await db.flush()
    await db.refresh(schedule)
    return await read_schedule(db, schedule.id, now)


async def update_schedule(
    db: AsyncSession, schedule_id: int, data: ScheduleUpdate, now: datetime
) -> ScheduleRead:
    schedule = await get_schedule(db, schedule_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "cadence", "local_time", "contents", "recipients", "enabled"):
        if name in changes and changes[name] is None:
            raise FieldError(name, "must not be null")
    cadence = changes.get("cadence", schedule.cadence)
    day = changes.get("day_of_month", schedule.day_of_month)
    weekday_name = changes.get(
        "weekday", WEEKDAYS[schedule.weekday] if schedule.weekday is not None else None
    )
    contents = changes.get("contents", schedule.contents)
    recipients = changes.get("recipients", schedule.recipients)
    check_schedule(cadence, day, weekday_name, contents, recipients, schedule.tenant_id)
    local_time = changes.get("local_time", schedule.local_time)
    before = (schedule.cadence, schedule.day_of_month, schedule.weekday, schedule.local_time)
    monthly = cadence == "monthly"
    schedule.name = changes.get("name", schedule.name)
    schedule.cadence = cadence
    schedule.day_of_month = day if monthly else None
    schedule.weekday = None if monthly or weekday_name is None else WEEKDAYS.index(weekday_name)
    schedule.local_time = local_time.replace(second=0, microsecond=0, tzinfo=None)
    schedule.contents = list(contents)
    schedule.recipients = list(recipients)
    enabled_again = changes.get("enabled") is True and not schedule.enabled
    schedule.enabled = changes.get("enabled", schedule.enabled)
    after = (schedule.cadence, schedule.day_of_month, schedule.weekday, schedule.local_time)
    if before != after or enabled_again:
        schedule.active_since = now  # what fell due under the old timing is not owed
    await db.flush()
    return await read_schedule(db, schedule.id, now)


async def delete_schedule(db: AsyncSession, schedule_id: int) -> None:
    await db.delete(await get_schedule(db, schedule_id))
    await db.flush()


# ---------------------------------------------------------------- runs


def period_to_send(body: SendNow, cadence: str) -> Period:
    """The period a "send now" names: ``month`` or ``week`` (exactly one; the schedule's
    cadence when both are absent is refused)."""
    if (body.month is None) == (body.week is None):
        field = "month" if cadence == "monthly" else "week"
        raise FieldError(field, "give exactly one of month (YYYY-MM) or week (YYYY-Www)")
    if body.month is not None:
        return periods.month_period(body.month)
    assert body.week is not None
    try:
        return periods.week_period(body.week)
    except ValueError as exc:
        raise FieldError("week", f"{body.week} is not a week of that year") from exc


async def _documents(
    db: AsyncSession,
    settings: Settings,
    site: Site,
    tenant: Tenant | None,
    period: Period,
    contents: Sequence[str],
    now: datetime,
) -> tuple[list[Document], list[str]]:
    """The documents of a run, and a note for each one that could not be made."""
    made: list[Document] = []
    notes: list[str] = []
    span = DateSpan(period.start, period.end)
    month = Month(period.label, period.start, period.end)
    for content in contents:
        try:
            if content == "report":
                made.append(await documents.site_report_pdf(db, settings, site, period, now))
            elif content == "bill":
                made.append(await documents.site_bill_pdf(db, settings, site, span, now))
            elif content == "bill_xlsx":
                made.append(await documents.site_bill_xlsx(db, site, span))
            elif content == "reconciliation_xlsx" and period.kind == "month":
                made.append(await documents.reconciliation_xlsx(db, site, month))
            elif content == "tenant_bills" and period.kind == "month":
                if tenant is not None:
                    made.append(await documents.tenant_bill_pdf(db, settings, tenant, month, now))
                else:
                    made.extend(
                        await documents.site_tenant_bill_pdfs(db, settings, site, month, now)
                    )
            else:
                notes.append(f"{content}: only for a month")
        except PortalError as exc:
            notes.append(f"{content}: {exc}")
    return made, notes


async def make_run(
    db: AsyncSession,
    settings: Settings,
    run: ReportRun,
    schedule: ReportSchedule,
    now: datetime,
) -> ReportRun:
    """Fill ``run`` (already added): its documents and one outbox row per recipient."""
    site = await sites_service.get_site(db, run.site_id)
    tenant = (
        await tenants_service.get_tenant(db, run.tenant_id) if run.tenant_id is not None else None
    )
    period = Period(
        "week" if run.period == "week" else "month", run.label, run.period_start, run.period_end
    )
    made, notes = await _documents(db, settings, site, tenant, period, schedule.contents, now)
    run.notes = notes
    for document in made:
        db.add(
            ReportFile(
                run_id=run.id,
                filename=document.filename,
                media_type=document.media_type,
                content=document.content,
                size_bytes=len(document.content),
            )
        )
    for recipient in schedule.recipients:
        db.add(
            OutboxEntry(
                idempotency_key=f"report-{run.id}-{recipient}",
                event="report",
                channel="email",
                recipient=recipient,
                report_run_id=run.id,
            )
        )
    await db.flush()
    log.info(
        "reports.run",
        run=run.id,
        schedule=schedule.id,
        label=run.label,
        trigger=run.trigger,
        files=len(made),
        recipients=len(schedule.recipients),
        notes=len(notes),
    )
    return run


async def send_now(
    db: AsyncSession,
    settings: Settings,
    schedule_id: int,
    body: SendNow,
    user: User,
    now: datetime,
) -> RunRead:
    schedule = await get_schedule(db, schedule_id)
    site = await sites_service.get_site(db, schedule.site_id)
    period = period_to_send(body, schedule.cadence)
    if not periods.has_ended(period, now, site.timezone):
        field = "month" if period.kind == "month" else "week"
        raise FieldError(field, f"{period.label} has not ended yet in {site.timezone}")
    run = ReportRun(
        schedule_id=schedule.id,
        schedule_name=schedule.name,
        site_id=schedule.site_id,
        tenant_id=schedule.tenant_id,
        period=period.kind,
        label=period.label,
        period_start=period.start,
        period_end=period.end,
        trigger="manual",
        requested_by=user.id,
        notes=[],
    )
    db.add(run)
    await db.flush()
    await make_run(db, settings, run, schedule, now)
    await db.refresh(run)
    return (await read_runs(db, [(run, site.name)]))[0]


async def run_due_schedule(
    db: AsyncSession, settings: Settings, schedule: ReportSchedule, period: Period, now: datetime
) -> int | None:
    """The scheduled run of ``period``, made once: None when it already exists."""
    run_id = await repository.claim_scheduled_run(
        db, schedule, period.kind, period.label, period.start, period.end
    )
    if run_id is None:
        return None
    run = await db.get(ReportRun, run_id)
    assert run is not None  # inserted just above
    await make_run(db, settings, run, schedule, now)
    return run_id


async def due_schedules(db: AsyncSession, now: datetime) -> list[tuple[ReportSchedule, Period]]:
    """Each enabled schedule with the period it owes now, if any."""
    schedules = await repository.enabled_schedules(db)
    last = await repository.last_scheduled_starts(db, [s.id for s, _ in schedules])
    owed: list[tuple[ReportSchedule, Period]] = []
    for schedule, zone in schedules:
        period = periods.owed(
            timing_of(schedule, zone), schedule.active_since, now, last.get(schedule.id)
        )
        if period is not None:
            owed.append((schedule, period))
    return owed


async def read_runs(db: AsyncSession, runs: Sequence[tuple[ReportRun, str]]) -> list[RunRead]:
    ids = [run.id for run, _ in runs]
    files: dict[int, list[RunFile]] = {}
    for run_id, file_id, filename, media_type, size in await repository.files_of(db, ids):
        files.setdefault(run_id, []).append(
            RunFile(id=file_id, filename=filename, media_type=media_type, size_bytes=size)
        )
    deliveries: dict[int, list[RunDelivery]] = {}
    for entry in await repository.deliveries_of(db, ids):
        assert entry.report_run_id is not None  # selected by it
        deliveries.setdefault(entry.report_run_id, []).append(
            RunDelivery(
                recipient=entry.recipient,
                status="sent"
                if entry.status == "sent"
                else ("dead" if entry.status == "dead" else "pending"),
                attempts=entry.attempts,
                sent_at=entry.sent_at,
                last_error=entry.last_error,
            )
        )
    emails = await repository.user_emails(
        db, [run.requested_by for run, _ in runs if run.requested_by is not None]
    )
    return [
        RunRead(
            id=run.id,
            schedule_id=run.schedule_id,
            schedule_name=run.schedule_name,
            site_id=run.site_id,
            site_name=site_name,
            tenant_id=run.tenant_id,
            period="week" if run.period == "week" else "month",
            label=run.label,
            start=run.period_start,
            end=run.period_end,
            trigger="manual" if run.trigger == "manual" else "schedule",
            requested_by=emails.get(run.requested_by) if run.requested_by else None,
            created_at=run.created_at,
            notes=list(run.notes),
            files=files.get(run.id, []),
            deliveries=deliveries.get(run.id, []),
        )
        for run, site_name in runs
    ]


async def list_runs(
    db: AsyncSession,
    *,
    site_id: int | None,
    schedule_id: int | None,
    before: int | None,
    limit: int,
) -> list[RunRead]:
    runs = await repository.list_runs(
        db, site_id=site_id, schedule_id=schedule_id, before=before, limit=limit
    )
    return await read_runs(db, runs)


async def run_file(db: AsyncSession, run_id: int, file_id: int) -> ReportFile:
    stored = await db.get(ReportFile, file_id)
    if stored is None or stored.run_id != run_id:
        raise NotFoundError(f"no file {file_id} in report run {run_id}")
    return stored
