"""The /api/gateways routes (health, pending gateways, the bridge) and /api/devices/{id}/health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.auth.models import Role
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import MAX_ID
from power_portal.core.responses import BODY, CONFLICT, not_found
from power_portal.gateways import service
from power_portal.gateways.dependencies import LiveSnapshot, devices_changed_after
from power_portal.gateways.messages import GATEWAY_ID
from power_portal.gateways.models import GatewayHealthView, PendingGateway
from power_portal.gateways.schemas import (
    BridgeStatus,
    GatewayAccept,
    GatewayHealthRead,
    PendingGatewayRead,
)
from power_portal.sites.dependencies import DeviceDep
from power_portal.sites.models import Device
from power_portal.sites.schemas import DeviceRead

router = APIRouter(prefix="/api", tags=["gateways"], responses=AUTH_RESPONSES)

PENDING_404 = not_found("pending gateway")
GatewayId = Annotated[
    str, Path(pattern=GATEWAY_ID.pattern, description="The gateway id (its device's serial)")
]


@router.get(
    "/gateways/health",
    response_model=list[GatewayHealthRead],
    summary="Health of every device that has an MQTT gateway (online, last seen, signal, ...)",
)
async def list_gateway_health(
    _: ViewerUser,
    db: SessionDep,
    settings: SettingsDep,
    site_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="only this site's devices")
    ] = None,
) -> list[GatewayHealthView]:
    return await service.list_health(db, settings.mqtt.offline_after_seconds, site_id=site_id)


@router.get(
    "/devices/{device_id}/health",
    response_model=GatewayHealthRead,
    summary="A device's gateway health (state 'never' when its gateway has not spoken yet)",
    responses=not_found("device"),
)
async def get_device_health(
    _: ViewerUser, device: DeviceDep, db: SessionDep, settings: SettingsDep
) -> GatewayHealthView:
    return await service.get_health(db, device, settings.mqtt.offline_after_seconds)


@router.get(
    "/gateways/pending",
    response_model=list[PendingGatewayRead],
    summary="Gateways that published but are no device yet (newest first)",
)
async def list_pending_gateways(
    _: ViewerUser, db: SessionDep, include_dismissed: bool = False
) -> list[PendingGateway]:
    return await service.list_pending(db, include_dismissed=include_dismissed)


@router.post(
    "/gateways/pending/{gateway_id}/accept",
    response_model=DeviceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Make the gateway a device of a site (serial = gateway id); its data flows from now",
    responses={**PENDING_404, **CONFLICT, **BODY},
    dependencies=[Depends(devices_changed_after)],
)
async def accept_pending_gateway(
    gateway_id: GatewayId, body: GatewayAccept, _: AdminUser, db: SessionDep
) -> Device:
    return await service.accept_pending(db, gateway_id, body)


@router.post(
    "/gateways/pending/{gateway_id}/dismiss",
    response_model=PendingGatewayRead,
    summary="Hide a pending gateway (still counted; it can still be accepted)",
    responses=PENDING_404,
)
async def dismiss_pending_gateway(
    gateway_id: GatewayId, _: AdminUser, db: SessionDep
) -> PendingGateway:
    return await service.dismiss_pending(db, gateway_id)


@router.get(
    "/gateways/bridge",
    summary="The MQTT bridge: connected, messages, rows stored, rejects, unknown keys "
    "(the broker's address, client id, field map and last error: admins only)",
)
async def get_bridge_status(
    user: ViewerUser, db: SessionDep, settings: SettingsDep, live: LiveSnapshot
) -> BridgeStatus:
    return await service.bridge_status(db, settings.mqtt, live, admin=user.role == Role.ADMIN)
