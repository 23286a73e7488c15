"""Billing routes under a site: its bill (JSON, CSV, Excel), daily costs, this month's cost."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from power_portal.auth.dependencies import AUTH_RESPONSES, ViewerUser
from power_portal.billing import service
from power_portal.billing.schemas import DailyCosts, MonthCost
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import DateSpan, date_span
from power_portal.core.responses import ProblemDetail, Responses, not_found
from power_portal.core.time import utcnow
from power_portal.core.xlsx import XLSX_RESPONSE, xlsx_response
from power_portal.sites.dependencies import SiteDep
from power_portal.tariffs.schemas import Bill

BILL_RESPONSES: Responses = {
    **AUTH_RESPONSES,
    **not_found("site"),
    409: {"model": ProblemDetail, "description": "No tariff, or no version for the span"},
}
router = APIRouter(prefix="/api/sites/{site_id}", tags=["tariffs"], responses=BILL_RESPONSES)

MAX_BILL_DAYS = 366
BILL_TOO_LONG = f"a bill covers at most {MAX_BILL_DAYS} days"
BillSpan = Annotated[DateSpan, Depends(date_span(MAX_BILL_DAYS, BILL_TOO_LONG))]


@router.get(
    "/bill",
    summary="The site's bill for local dates [start, end) under its tariff",
)
async def site_bill(_: ViewerUser, span: BillSpan, site: SiteDep, db: SessionDep) -> Bill:
    return await service.site_bill(db, site, span)


@router.get(
    "/bill.csv",
    summary="The same bill as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def site_bill_csv(_: ViewerUser, span: BillSpan, site: SiteDep, db: SessionDep) -> Response:
    bill = await service.site_bill_csv(db, site, span)
    return Response(
        bill.text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{bill.filename}"'},
    )


@router.get(
    "/bill.xlsx",
    summary="The same bill as an Excel workbook (the rows of bill.csv)",
    response_class=Response,
    responses=XLSX_RESPONSE,
)
async def site_bill_xlsx(_: ViewerUser, span: BillSpan, site: SiteDep, db: SessionDep) -> Response:
    return xlsx_response(await service.site_bill_xlsx(db, site, span))


@router.get(
    "/costs/daily",
    summary="Energy charges per local day, by period (before VAT)",
)
async def site_daily_costs(
    _: ViewerUser, span: BillSpan, site: SiteDep, db: SessionDep
) -> DailyCosts:
    return await service.site_daily_costs(db, site, span)


@router.get(
    "/costs/month",
    summary="This month's cost so far and a projected month-end cost (incl. VAT)",
)
async def site_month_cost(_: ViewerUser, site: SiteDep, db: SessionDep) -> MonthCost:
    return await service.site_month_cost(db, site, utcnow())
