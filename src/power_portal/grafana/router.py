from __future__ import annotations

from fastapi import APIRouter

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.responses import BODY
from power_portal.grafana import service
from power_portal.grafana.schemas import GrafanaSettingsRead, GrafanaSettingsUpdate

router = APIRouter(prefix="/api/grafana", tags=["grafana"], responses=AUTH_RESPONSES)


@router.get(
    "/settings",
    response_model=GrafanaSettingsRead,
    operation_id="getGrafanaSettings",
    summary="Where Grafana is served and the dashboards the Dashboards page embeds",
)
async def get_settings(_: ViewerUser, db: SessionDep, settings: SettingsDep) -> GrafanaSettingsRead:
    return await service.get(db, settings)


@router.put(
    "/settings",
    response_model=GrafanaSettingsRead,
    operation_id="updateGrafanaSettings",
    responses=BODY,
)
async def update_settings(
    body: GrafanaSettingsUpdate, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> GrafanaSettingsRead:
    return await service.update(db, settings, body)
