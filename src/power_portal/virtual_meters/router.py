"""Routes of virtual meters: their CRUD under a site, and their readings like a device's.

Readings (energy, series, summary, bill, bill CSV) take the same parameters and answer the
same shapes as a device's (``sites``) and a site's bill (``billing``). Routes with a body take
the path id and let the service load the row, so an invalid body is a 422 before a missing
row is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ReaderUser, ViewerUser
from power_portal.billing.router import BillSpan
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, CONFLICT, ProblemDetail, Responses, not_found
from power_portal.measurements.schemas import EnergyResponse, Interval, SeriesResponse, Summary
from power_portal.sites.dependencies import ReadingSpan, SeriesQueryDep, SiteDep
from power_portal.tariffs.schemas import Bill
from power_portal.virtual_meters import service
from power_portal.virtual_meters.dependencies import ReadableVirtualMeterDep, VirtualMeterDep
from power_portal.virtual_meters.schemas import VirtualMeterRead, VirtualMeterWrite
from power_portal.virtual_meters.service import VirtualMeterView

router = APIRouter(prefix="/api", tags=["virtual meters"], responses=AUTH_RESPONSES)

SITE_404 = not_found("site")
METER_404 = not_found("virtual meter")
NO_BILL: Responses = {
    409: {"model": ProblemDetail, "description": "No tariff, or no version for the span"}
}


@router.get(
    "/sites/{site_id}/virtual-meters", response_model=list[VirtualMeterRead], responses=SITE_404
)
async def list_virtual_meters(
    _: ViewerUser, site: SiteDep, db: SessionDep
) -> list[VirtualMeterView]:
    return await service.list_meters(db, site)


@router.post(
    "/sites/{site_id}/virtual-meters",
    response_model=VirtualMeterRead,
    status_code=status.HTTP_201_CREATED,
    summary="A named signed sum of the site's devices and virtual meters",
    responses={**SITE_404, **BODY},
)
async def create_virtual_meter(
    site_id: PathId, body: VirtualMeterWrite, _: AdminUser, db: SessionDep
) -> VirtualMeterView:
    return await service.create_meter(db, site_id, body)


@router.get("/virtual-meters/{meter_id}", response_model=VirtualMeterRead, responses=METER_404)
async def get_virtual_meter(
    _: ViewerUser, meter: VirtualMeterDep, db: SessionDep
) -> VirtualMeterView:
    return await service.read_meter(db, meter)


@router.put(
    "/virtual-meters/{meter_id}",
    response_model=VirtualMeterRead,
    summary="Rename and replace every term",
    responses={**METER_404, **BODY},
)
async def replace_virtual_meter(
    meter_id: PathId, body: VirtualMeterWrite, _: AdminUser, db: SessionDep
) -> VirtualMeterView:
    return await service.replace_meter(db, meter_id, body)


@router.delete(
    "/virtual-meters/{meter_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a virtual meter no other virtual meter uses",
    responses={**METER_404, **CONFLICT},
)
async def delete_virtual_meter(_: AdminUser, meter: VirtualMeterDep, db: SessionDep) -> None:
    await service.delete_meter(db, meter)


# ---------------------------------------------------------------- readings


@router.get(
    "/virtual-meters/{meter_id}/energy",
    summary="Energy per bucket: the signed sum of the meters' (negative when more is taken off)",
    responses=METER_404,
)
async def virtual_meter_energy(
    _: ReaderUser,
    span: ReadingSpan,
    meter: ReadableVirtualMeterDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> EnergyResponse:
    return await service.energy(db, meter, span, interval)


@router.get(
    "/virtual-meters/{meter_id}/series",
    summary="Averages combined with the signs, from the 15-minute rollup; min/max are null",
    responses=METER_404,
)
async def virtual_meter_series(
    _: ReaderUser, query: SeriesQueryDep, meter: ReadableVirtualMeterDep, db: SessionDep
) -> SeriesResponse:
    return await service.series(db, meter, query)


@router.get(
    "/virtual-meters/{meter_id}/summary",
    summary="Energy and the coincident peak 30-minute demand of the combination",
    responses=METER_404,
)
async def virtual_meter_summary(
    _: ReaderUser, span: ReadingSpan, meter: ReadableVirtualMeterDep, db: SessionDep
) -> Summary:
    return await service.summary(db, meter, span)


@router.get(
    "/virtual-meters/{meter_id}/bill",
    summary="The site's tariff applied to the combination for local dates [start, end)",
    responses={**METER_404, **NO_BILL},
)
async def virtual_meter_bill(
    _: ViewerUser, span: BillSpan, meter: VirtualMeterDep, db: SessionDep
) -> Bill:
    return await service.bill(db, meter, span)


@router.get(
    "/virtual-meters/{meter_id}/bill.csv",
    summary="The same bill as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **METER_404, **NO_BILL},
)
async def virtual_meter_bill_csv(
    _: ViewerUser, span: BillSpan, meter: VirtualMeterDep, db: SessionDep
) -> Response:
    bill = await service.bill_file(db, meter, span)
    return Response(
        bill.text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{bill.filename}"'},
    )
