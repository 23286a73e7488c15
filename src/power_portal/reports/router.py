"""Routes of reports (docs/api/reports.md): the PDF documents (a site's bill, a tenant's
bill, the site report and its JSON), the schedules with "send now" (admin), and the runs
with their files (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status
from fastapi.responses import Response

from power_portal.auth.dependencies import (
    AUTH_RESPONSES,
    AdminOrTenantUser,
    AdminUser,
    ViewerUser,
)
from power_portal.billing.router import BILL_RESPONSES, BillSpan
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import MAX_ID, PathId
from power_portal.core.responses import BODY, Responses, not_found
from power_portal.core.time import utcnow
from power_portal.reports import documents, service
from power_portal.reports.dependencies import PeriodDep, wake_sender
from power_portal.reports.documents import Document
from power_portal.reports.report import site_report
from power_portal.reports.schemas import (
    RunRead,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
    SendNow,
    SiteReport,
)
from power_portal.sites.dependencies import SiteDep
from power_portal.tenants.dependencies import MonthDep, TenantDep

router = APIRouter(prefix="/api", tags=["reports"], responses=AUTH_RESPONSES)

PDF_RESPONSE: Responses = {200: {"content": {"application/pdf": {}}}}
SITE_404 = not_found("site")
SCHEDULE_404 = not_found("report schedule")
FILE_404 = not_found("file")
Before = Annotated[int | None, Query(ge=1, le=MAX_ID, description="ids below this")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _file(document: Document, disposition: str = "attachment") -> Response:
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{document.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


# ---------------------------------------------------------------- documents


@router.get(
    "/sites/{site_id}/bill.pdf",
    summary="The site's bill as PDF (the lines and totals of GET …/bill)",
    response_class=Response,
    responses={**PDF_RESPONSE, **BILL_RESPONSES},
)
async def site_bill_pdf(
    _: ViewerUser, span: BillSpan, site: SiteDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _file(await documents.site_bill_pdf(db, settings, site, span, utcnow()))


@router.get(
    "/tenants/{tenant_id}/bill.pdf",
    summary="The tenant's recharge bill of a month as PDF, with its meters' registers",
    response_class=Response,
    responses={**PDF_RESPONSE, **not_found("tenant"), **BILL_RESPONSES},
)
async def tenant_bill_pdf(
    _: AdminOrTenantUser,
    month: MonthDep,
    tenant: TenantDep,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    return _file(await documents.tenant_bill_pdf(db, settings, tenant, month, utcnow()))


@router.get(
    "/sites/{site_id}/report",
    summary="The site report of a month (?month=) or an ISO week (?week=)",
    responses=SITE_404,
)
async def site_report_json(
    _: ViewerUser, period: PeriodDep, site: SiteDep, db: SessionDep
) -> SiteReport:
    return await site_report(db, site, period, utcnow())


@router.get(
    "/sites/{site_id}/report.pdf",
    summary="The site report as PDF",
    response_class=Response,
    responses={**PDF_RESPONSE, **SITE_404},
)
async def site_report_pdf(
    _: ViewerUser, period: PeriodDep, site: SiteDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _file(await documents.site_report_pdf(db, settings, site, period, utcnow()))


# ---------------------------------------------------------------- schedules


@router.get("/report-schedules")
async def list_report_schedules(
    _: AdminUser,
    db: SessionDep,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ScheduleRead]:
    return await service.list_schedules(db, site_id, utcnow())


@router.post("/report-schedules", status_code=status.HTTP_201_CREATED, responses=BODY)
async def create_report_schedule(
    body: ScheduleCreate, user: AdminUser, db: SessionDep
) -> ScheduleRead:
    return await service.create_schedule(db, body, user, utcnow())


@router.get("/report-schedules/{schedule_id}", responses=SCHEDULE_404)
async def get_report_schedule(schedule_id: PathId, _: AdminUser, db: SessionDep) -> ScheduleRead:
    return await service.read_schedule(db, schedule_id, utcnow())


@router.patch("/report-schedules/{schedule_id}", responses={**SCHEDULE_404, **BODY})
async def update_report_schedule(
    schedule_id: PathId, body: ScheduleUpdate, _: AdminUser, db: SessionDep
) -> ScheduleRead:
    return await service.update_schedule(db, schedule_id, body, utcnow())


@router.delete(
    "/report-schedules/{schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=SCHEDULE_404,
    summary="Delete a schedule (what it sent stays in the runs)",
)
async def delete_report_schedule(schedule_id: PathId, _: AdminUser, db: SessionDep) -> None:
    await service.delete_schedule(db, schedule_id)


@router.post(
    "/report-schedules/{schedule_id}/send",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send now: make the documents of a past month (or week) and mail them",
    responses={**SCHEDULE_404, **BODY},
)
async def send_report_now(
    schedule_id: PathId,
    body: SendNow,
    user: AdminUser,
    db: SessionDep,
    settings: SettingsDep,
    request: Request,
    background: BackgroundTasks,
) -> RunRead:
    run = await service.send_now(db, settings, schedule_id, body, user, utcnow())
    background.add_task(wake_sender, request)
    return run


# ---------------------------------------------------------------- runs


@router.get("/report-runs", summary="What was sent, newest first")
async def list_report_runs(
    _: AdminUser,
    db: SessionDep,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    schedule_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    before: Before = None,
    limit: Limit = 100,
) -> list[RunRead]:
    return await service.list_runs(
        db, site_id=site_id, schedule_id=schedule_id, before=before, limit=limit
    )


@router.get(
    "/report-runs/{run_id}/files/{file_id}",
    summary="A file of a run, as it was sent",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **FILE_404},
)
async def get_report_file(
    run_id: PathId, file_id: PathId, _: AdminUser, db: SessionDep
) -> Response:
    stored = await service.run_file(db, run_id, file_id)
    return _file(Document(stored.filename, stored.media_type, stored.content))
