"""Grafana settings routes: where Grafana is served and which dashboards are embedded."""

from __future__ import annotations

from fastapi import APIRouter

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.responses import BODY
from power_portal.grafana import service
from power_portal.grafana.schemas import GrafanaSettingsRead, GrafanaSettingsUpdate
from power_portal.grafana.service import GrafanaView

router = APIRouter(prefix="/api/grafana", tags=["grafana"], responses=AUTH_RESPONSES)


@router.get(
    "/settings",
    response_model=GrafanaSettingsRead,
    summary="Where Grafana is served and the dashboards the Dashboards page embeds",
)
async def get_grafana_settings(_: ViewerUser, db: SessionDep, settings: SettingsDep) -> GrafanaView:
    return await service.get(db, settings)


@router.put("/settings", response_model=GrafanaSettingsRead, responses=BODY)
async def update_grafana_settings(
    body: GrafanaSettingsUpdate, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> GrafanaView:
    return await service.update(db, settings, body)
