"""The configuration overview route (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser
from power_portal.config.schemas import ConfigOverview
from power_portal.config.service import build_overview
from power_portal.core.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/config", tags=["config"], responses=AUTH_RESPONSES)


@router.get(
    "",
    summary="The configuration overview (no secret value ever appears in it)",
)
async def get_config(
    request: Request, _: AdminUser, settings: SettingsDep, database: DatabaseDep
) -> ConfigOverview:
    return build_overview(settings, request.app.state.database_target, database.engine.url)
