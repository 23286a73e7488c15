from __future__ import annotations

from fastapi import APIRouter, Response, status

from power_portal.core.deps import DatabaseDep, SettingsDep
from power_portal.system import service
from power_portal.system.schemas import Health

router = APIRouter(prefix="/api", tags=["system"])


@router.get(
    "/health",
    response_model=Health,
    operation_id="health",
    summary="Liveness and database reachability (public)",
    responses={503: {"model": Health, "description": "The database cannot be reached"}},
)
async def health(response: Response, database: DatabaseDep, settings: SettingsDep) -> Health:
    result = await service.check_health(database, settings)
    if result.database != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return result
