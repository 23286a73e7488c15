"""Routes of sites, devices and device tokens, the metering tree, and the readings of a site or
device.

Two routers: ``router`` (tag ``sites``: also the metering tree) and ``readings_router`` (tag
``measurements``: energy, series, latest reading, summary; the data comes from
``measurements``; a tenant user may read its tenant's devices: ``ReadableDeviceDep``). A
site's bill and costs are in ``billing``. Routes with a body take the
path id and let the service load the row, so an invalid body is a 422 before a missing row is
a 404, as FastAPI checks bodies after dependencies.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ReaderUser, ViewerUser
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, CONFLICT, MALFORMED_BODY, ProblemDetail, not_found
from power_portal.core.xlsx import XLSX_RESPONSE, xlsx_response
from power_portal.measurements.schemas import (
    EnergyResponse,
    Interval,
    LatestReading,
    SeriesResponse,
    Summary,
)
from power_portal.sites import service
from power_portal.sites.dependencies import (
    CurrentDeviceDep,
    DeviceDep,
    ReadableDeviceDep,
    ReadableSeriesQueryDep,
    ReadingSpan,
    SiteDep,
)
from power_portal.sites.models import Device, DeviceToken, Site
from power_portal.sites.schemas import (
    DeviceCreate,
    DeviceRead,
    DeviceTokenCreate,
    DeviceTokenIssued,
    DeviceTokenRead,
    DeviceUpdate,
    MeteringTree,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)
from power_portal.sites.tree_csv import TreeInterval

router = APIRouter(prefix="/api", tags=["sites"], responses=AUTH_RESPONSES)
readings_router = APIRouter(prefix="/api", tags=["measurements"], responses=AUTH_RESPONSES)

SITE_404 = not_found("site")
DEVICE_404 = not_found("device")


# ---------------------------------------------------------------- sites


@router.get("/sites", response_model=list[SiteRead])
async def list_sites(_: ViewerUser, db: SessionDep) -> list[Site]:
    return await service.list_sites(db)


@router.post("/sites", response_model=SiteRead, status_code=status.HTTP_201_CREATED, responses=BODY)
async def create_site(body: SiteCreate, _: AdminUser, db: SessionDep) -> Site:
    return await service.create_site(db, body)


@router.get("/sites/{site_id}", response_model=SiteRead, responses=SITE_404)
async def get_site(_: ViewerUser, site: SiteDep) -> Site:
    return site


@router.patch("/sites/{site_id}", response_model=SiteRead, responses={**SITE_404, **BODY})
async def update_site(site_id: PathId, body: SiteUpdate, _: AdminUser, db: SessionDep) -> Site:
    return await service.update_site(db, site_id, body)


@router.delete(
    "/sites/{site_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a site that has no devices",
    responses={**SITE_404, **CONFLICT},
)
async def delete_site(_: AdminUser, site: SiteDep, db: SessionDep) -> None:
    await service.delete_site(db, site)


# ---------------------------------------------------------------- devices


@router.get("/sites/{site_id}/devices", response_model=list[DeviceRead], responses=SITE_404)
async def list_site_devices(_: ViewerUser, site: SiteDep, db: SessionDep) -> list[Device]:
    return await service.list_devices(db, site.id)


@router.post(
    "/sites/{site_id}/devices",
    response_model=DeviceRead,
    status_code=status.HTTP_201_CREATED,
    responses={**SITE_404, **BODY},
)
async def create_device(
    site_id: PathId, body: DeviceCreate, _: AdminUser, db: SessionDep
) -> Device:
    return await service.create_device(db, site_id, body)


@router.get("/devices", response_model=list[DeviceRead])
async def list_devices(_: ViewerUser, db: SessionDep) -> list[Device]:
    return await service.list_devices(db)


@router.get("/devices/{device_id}", response_model=DeviceRead, responses=DEVICE_404)
async def get_device(_: ViewerUser, device: DeviceDep) -> Device:
    return device


@router.patch(
    "/devices/{device_id}",
    response_model=DeviceRead,
    summary="Rename, change serial or model, or move to another site",
    responses={**DEVICE_404, **BODY},
)
async def update_device(
    device_id: PathId, body: DeviceUpdate, _: AdminUser, db: SessionDep
) -> Device:
    return await service.update_device(db, device_id, body)


@router.delete(
    "/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a device with its tokens and all its measurements",
    responses=DEVICE_404,
)
async def delete_device(_: AdminUser, device: DeviceDep, db: SessionDep) -> None:
    await service.delete_device(db, device)


# ---------------------------------------------------------------- the metering tree


@router.get(
    "/sites/{site_id}/tree",
    summary="The metering tree over local dates [start, end): energy, remainders, discrepancies",
    responses=SITE_404,
)
async def metering_tree(
    _: ViewerUser, span: ReadingSpan, site: SiteDep, db: SessionDep
) -> MeteringTree:
    return await service.metering_tree(db, site, span)


@router.get(
    "/sites/{site_id}/tree.csv",
    summary="The metering tree per local day or month as CSV",
    response_class=Response,
    responses={**SITE_404, 200: {"content": {"text/csv": {}}}},
)
async def metering_tree_csv(
    _: ViewerUser, span: ReadingSpan, site: SiteDep, db: SessionDep, interval: TreeInterval = "day"
) -> Response:
    csv_file = await service.metering_tree_csv(db, site, span, interval)
    return Response(
        csv_file.text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_file.filename}"'},
    )


# ---------------------------------------------------------------- tokens


@router.post(
    "/devices/{device_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an ingest token: shown this once, stored only as a SHA-256",
    responses={**DEVICE_404, **MALFORMED_BODY},
)
async def issue_device_token(
    device_id: PathId, _: AdminUser, db: SessionDep, body: DeviceTokenCreate | None = None
) -> DeviceTokenIssued:
    return await service.issue_token(db, device_id, body.label if body else None)


@router.get(
    "/devices/{device_id}/tokens", response_model=list[DeviceTokenRead], responses=DEVICE_404
)
async def list_device_tokens(_: AdminUser, device: DeviceDep, db: SessionDep) -> list[DeviceToken]:
    return await service.list_tokens(db, device)


@router.delete(
    "/devices/{device_id}/tokens/{token_id}",
    response_model=DeviceTokenRead,
    summary="Revoke a token (kept in the list, marked revoked)",
    responses=not_found("token"),
)
async def revoke_device_token(
    device_id: PathId, token_id: PathId, _: AdminUser, db: SessionDep
) -> DeviceToken:
    return await service.revoke_token(db, device_id, token_id)


# ---------------------------------------------------------------- readings


@readings_router.get("/devices/{device_id}/energy", responses=DEVICE_404)
async def device_energy(
    _: ReaderUser,
    span: ReadingSpan,
    device: ReadableDeviceDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> EnergyResponse:
    return await service.device_energy(db, device, span, interval)


@readings_router.get(
    "/sites/{site_id}/energy",
    summary="Energy of the site's supply points (of all its devices when it has none)",
    responses=SITE_404,
)
async def site_energy(
    _: ViewerUser,
    span: ReadingSpan,
    site: SiteDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> EnergyResponse:
    return await service.site_energy(db, site, span, interval)


@readings_router.get(
    "/devices/{device_id}/series",
    summary="avg/min/max per bucket; the bucket grows with the span (a year: ~400 points)",
    responses=DEVICE_404,
)
async def device_series(
    _: ReaderUser, query: ReadableSeriesQueryDep, device: ReadableDeviceDep, db: SessionDep
) -> SeriesResponse:
    return await service.device_series(db, device, query)


@readings_router.get(
    "/devices/{device_id}/energy.xlsx",
    summary="The device's energy as an Excel workbook (the rows of …/energy)",
    response_class=Response,
    responses={**XLSX_RESPONSE, **DEVICE_404},
)
async def device_energy_xlsx(
    _: ReaderUser,
    span: ReadingSpan,
    device: ReadableDeviceDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> Response:
    return xlsx_response(await service.device_energy_xlsx(db, device, span, interval))


@readings_router.get(
    "/sites/{site_id}/energy.xlsx",
    summary="The site's energy as an Excel workbook (the rows of …/energy)",
    response_class=Response,
    responses={**XLSX_RESPONSE, **SITE_404},
)
async def site_energy_xlsx(
    _: ViewerUser,
    span: ReadingSpan,
    site: SiteDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> Response:
    return xlsx_response(await service.site_energy_xlsx(db, site, span, interval))


@readings_router.get(
    "/devices/{device_id}/series.xlsx",
    summary="The series as an Excel workbook: avg/min/max of each field per bucket",
    response_class=Response,
    responses={**XLSX_RESPONSE, **DEVICE_404},
)
async def device_series_xlsx(
    _: ReaderUser, query: ReadableSeriesQueryDep, device: ReadableDeviceDep, db: SessionDep
) -> Response:
    return xlsx_response(await service.device_series_xlsx(db, device, query))


@readings_router.get(
    "/devices/{device_id}/latest",
    response_model=LatestReading,
    summary="The newest stored reading (fields without a value are absent)",
    responses={404: {"model": ProblemDetail}},
)
async def device_latest(
    _: ReaderUser, device: CurrentDeviceDep, db: SessionDep
) -> dict[str, object]:
    return await service.device_latest(db, device)


@readings_router.get(
    "/sites/{site_id}/summary",
    summary="KPIs over a span: energy, peak 30-minute demand, average PF, last reading (of the "
    "site's supply points, or all its devices when it has none)",
    responses=SITE_404,
)
async def site_summary(_: ViewerUser, span: ReadingSpan, site: SiteDep, db: SessionDep) -> Summary:
    return await service.site_summary(db, site, span)


@readings_router.get("/devices/{device_id}/summary", responses=DEVICE_404)
async def device_summary(
    _: ReaderUser, span: ReadingSpan, device: ReadableDeviceDep, db: SessionDep
) -> Summary:
    return await service.device_summary(db, device, span)
