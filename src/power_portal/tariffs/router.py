from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from pydantic import BaseModel

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId, check_span
from power_portal.core.responses import BODY, CONFLICT, ProblemDetail, not_found
from power_portal.sites import service as sites_service
from power_portal.tariffs import service
from power_portal.tariffs.schemas import (
    Bill,
    DailyCosts,
    MonthCost,
    TariffIn,
    TariffRead,
    TariffSummary,
)
from power_portal.tariffs.validator import validate_tariff

router = APIRouter(prefix="/api", tags=["tariffs"], responses=AUTH_RESPONSES)

TARIFF_404 = not_found("tariff")
MAX_BILL_DAYS = 366
BILL_TOO_LONG = f"a bill covers at most {MAX_BILL_DAYS} days"


class ValidationReport(BaseModel):
    valid: bool
    problems: list[dict[str, object]]


@router.get("/tariffs", response_model=list[TariffSummary], operation_id="listTariffs")
async def list_tariffs(_: ViewerUser, db: SessionDep) -> list[TariffSummary]:
    return await service.list_tariffs(db)


@router.post(
    "/tariffs",
    response_model=TariffRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="createTariff",
    responses=BODY,
)
async def create_tariff(body: TariffIn, _: AdminUser, db: SessionDep) -> TariffRead:
    return service.to_read(await service.create_tariff(db, body))


@router.post(
    "/tariffs/validate",
    response_model=ValidationReport,
    operation_id="validateTariff",
    summary="Check a tariff without saving it (the editor's live validation)",
    responses=BODY,
)
async def validate(body: TariffIn, _: AdminUser) -> ValidationReport:
    problems = [p.as_detail() for p in validate_tariff(body)]
    return ValidationReport(valid=not problems, problems=problems)


@router.get(
    "/tariffs/{tariff_id}",
    response_model=TariffRead,
    operation_id="getTariff",
    responses=TARIFF_404,
)
async def get_tariff(tariff_id: PathId, _: ViewerUser, db: SessionDep) -> TariffRead:
    return service.to_read(await service.get_tariff(db, tariff_id))


@router.put(
    "/tariffs/{tariff_id}",
    response_model=TariffRead,
    operation_id="replaceTariff",
    summary="Replace the tariff and all its versions",
    responses={**TARIFF_404, **BODY},
)
async def replace_tariff(
    tariff_id: PathId, body: TariffIn, _: AdminUser, db: SessionDep
) -> TariffRead:
    return service.to_read(await service.replace_tariff(db, tariff_id, body))


@router.delete(
    "/tariffs/{tariff_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteTariff",
    responses={**TARIFF_404, **CONFLICT},
)
async def delete_tariff(tariff_id: PathId, _: AdminUser, db: SessionDep) -> None:
    await service.delete_tariff(db, tariff_id)


BILL_RESPONSES = {
    **not_found("site"),
    409: {"model": ProblemDetail, "description": "No tariff, or no version for the span"},
}


@router.get(
    "/sites/{site_id}/bill",
    response_model=Bill,
    operation_id="siteBill",
    summary="The site's bill for local dates [start, end) under its tariff",
    responses=BILL_RESPONSES,
)
async def site_bill(
    site_id: PathId,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    _: ViewerUser,
    db: SessionDep,
) -> Bill:
    check_span(start, end, MAX_BILL_DAYS, BILL_TOO_LONG)
    site = await sites_service.get_site(db, site_id)
    return await service.site_bill(db, site, start, end)


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading = + - @ (or tab/CR) gets a '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get(
    "/sites/{site_id}/bill.csv",
    operation_id="siteBillCsv",
    summary="The same bill as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **BILL_RESPONSES},
)
async def site_bill_csv(
    site_id: PathId,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    _: ViewerUser,
    db: SessionDep,
) -> Response:
    check_span(start, end, MAX_BILL_DAYS, BILL_TOO_LONG)
    site = await sites_service.get_site(db, site_id)
    bill = await service.site_bill(db, site, start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "kind",
            "description",
            "season",
            "period",
            "month",
            "quantity",
            "unit",
            "rate",
            f"amount ({bill.currency})",
        ]
    )
    for line in bill.lines:
        writer.writerow(
            [
                line.kind,
                csv_text(line.description),
                csv_text(line.season or ""),
                csv_text(line.period or ""),
                line.month or "",
                f"{line.quantity:.3f}",
                line.unit,
                line.rate,
                f"{line.amount:.2f}",
            ]
        )
    writer.writerow([])
    writer.writerow(["subtotal", "", "", "", "", "", "", "", f"{bill.subtotal:.2f}"])
    writer.writerow(["VAT", "", "", "", "", "", "", "", f"{bill.vat:.2f}"])
    writer.writerow(["total", "", "", "", "", "", "", "", f"{bill.total:.2f}"])
    filename = f"bill-site{site.id}-{start}-{end}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/sites/{site_id}/costs/daily",
    response_model=DailyCosts,
    operation_id="siteDailyCosts",
    summary="Energy charges per local day, by period (before VAT)",
    responses=BILL_RESPONSES,
)
async def site_daily_costs(
    site_id: PathId,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    _: ViewerUser,
    db: SessionDep,
) -> DailyCosts:
    check_span(start, end, MAX_BILL_DAYS, BILL_TOO_LONG)
    site = await sites_service.get_site(db, site_id)
    return await service.site_daily_costs(db, site, start, end)


@router.get(
    "/sites/{site_id}/costs/month",
    response_model=MonthCost,
    operation_id="siteMonthCost",
    summary="This month's cost so far and a projected month-end cost (incl. VAT)",
    responses=BILL_RESPONSES,
)
async def site_month_cost(site_id: PathId, _: ViewerUser, db: SessionDep) -> MonthCost:
    site = await sites_service.get_site(db, site_id)
    return await service.site_month_cost(db, site, datetime.now(UTC))
