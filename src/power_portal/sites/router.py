from __future__ import annotations

from fastapi import APIRouter, status

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, CONFLICT, MALFORMED_BODY, not_found
from power_portal.sites import service
from power_portal.sites.schemas import (
    DeviceCreate,
    DeviceRead,
    DeviceTokenCreate,
    DeviceTokenIssued,
    DeviceTokenRead,
    DeviceUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)

router = APIRouter(prefix="/api", tags=["sites"], responses=AUTH_RESPONSES)

SITE_404 = not_found("site")
DEVICE_404 = not_found("device")


@router.get("/sites", response_model=list[SiteRead], operation_id="listSites")
async def list_sites(_: ViewerUser, db: SessionDep) -> list[SiteRead]:
    return await service.list_sites(db)


@router.post(
    "/sites",
    response_model=SiteRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="createSite",
    responses=BODY,
)
async def create_site(body: SiteCreate, _: AdminUser, db: SessionDep) -> SiteRead:
    return await service.site_read(db, await service.create_site(db, body))


@router.get("/sites/{site_id}", response_model=SiteRead, operation_id="getSite", responses=SITE_404)
async def get_site(site_id: PathId, _: ViewerUser, db: SessionDep) -> SiteRead:
    return await service.site_read(db, await service.get_site(db, site_id))


@router.patch(
    "/sites/{site_id}",
    response_model=SiteRead,
    operation_id="updateSite",
    responses={**SITE_404, **BODY},
)
async def update_site(site_id: PathId, body: SiteUpdate, _: AdminUser, db: SessionDep) -> SiteRead:
    return await service.site_read(db, await service.update_site(db, site_id, body))


@router.delete(
    "/sites/{site_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteSite",
    summary="Delete a site that has no devices",
    responses={**SITE_404, **CONFLICT},
)
async def delete_site(site_id: PathId, _: AdminUser, db: SessionDep) -> None:
    await service.delete_site(db, site_id)


@router.get(
    "/sites/{site_id}/devices",
    response_model=list[DeviceRead],
    operation_id="listSiteDevices",
    responses=SITE_404,
)
async def list_site_devices(site_id: PathId, _: ViewerUser, db: SessionDep) -> list[DeviceRead]:
    return await service.list_devices(db, site_id)


@router.post(
    "/sites/{site_id}/devices",
    response_model=DeviceRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="createDevice",
    responses={**SITE_404, **BODY},
)
async def create_device(
    site_id: PathId, body: DeviceCreate, _: AdminUser, db: SessionDep
) -> DeviceRead:
    return await service.device_read(db, await service.create_device(db, site_id, body))


@router.get("/devices", response_model=list[DeviceRead], operation_id="listDevices")
async def list_devices(_: ViewerUser, db: SessionDep) -> list[DeviceRead]:
    return await service.list_devices(db)


@router.get(
    "/devices/{device_id}",
    response_model=DeviceRead,
    operation_id="getDevice",
    responses=DEVICE_404,
)
async def get_device(device_id: PathId, _: ViewerUser, db: SessionDep) -> DeviceRead:
    return await service.device_read(db, await service.get_device(db, device_id))


@router.patch(
    "/devices/{device_id}",
    response_model=DeviceRead,
    operation_id="updateDevice",
    summary="Rename, change serial or model, or move to another site",
    responses={**DEVICE_404, **BODY},
)
async def update_device(
    device_id: PathId, body: DeviceUpdate, _: AdminUser, db: SessionDep
) -> DeviceRead:
    return await service.device_read(db, await service.update_device(db, device_id, body))


@router.delete(
    "/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteDevice",
    summary="Delete a device with its tokens and all its measurements",
    responses=DEVICE_404,
)
async def delete_device(device_id: PathId, _: AdminUser, db: SessionDep) -> None:
    await service.delete_device(db, device_id)


@router.post(
    "/devices/{device_id}/tokens",
    response_model=DeviceTokenIssued,
    status_code=status.HTTP_201_CREATED,
    operation_id="issueDeviceToken",
    summary="Issue an ingest token: shown this once, stored only as a SHA-256",
    responses={**DEVICE_404, **MALFORMED_BODY},
)
async def issue_token(
    device_id: PathId, _: AdminUser, db: SessionDep, body: DeviceTokenCreate | None = None
) -> DeviceTokenIssued:
    row, token = await service.issue_token(db, device_id, body.label if body else None)
    return DeviceTokenIssued(**DeviceTokenRead.model_validate(row).model_dump(), token=token)


@router.get(
    "/devices/{device_id}/tokens",
    response_model=list[DeviceTokenRead],
    operation_id="listDeviceTokens",
    responses=DEVICE_404,
)
async def list_tokens(device_id: PathId, _: AdminUser, db: SessionDep) -> list[DeviceTokenRead]:
    return [DeviceTokenRead.model_validate(t) for t in await service.list_tokens(db, device_id)]


@router.delete(
    "/devices/{device_id}/tokens/{token_id}",
    response_model=DeviceTokenRead,
    operation_id="revokeDeviceToken",
    summary="Revoke a token (kept in the list, marked revoked)",
    responses=not_found("token"),
)
async def revoke_token(
    device_id: PathId, token_id: PathId, _: AdminUser, db: SessionDep
) -> DeviceTokenRead:
    return DeviceTokenRead.model_validate(await service.revoke_token(db, device_id, token_id))
