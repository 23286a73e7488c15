"""``GET /api/health`` (public) and ``GET /metrics`` for Prometheus (not in the OpenAPI document).

``/metrics`` is off (404) unless ``PORTAL_METRICS__TOKEN`` is set; then the scraper sends
``Authorization: Bearer <token>`` (checked in constant time).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST

from power_portal.core.deps import DatabaseDep, SettingsDep
from power_portal.core.metrics import metrics_of
from power_portal.system import service
from power_portal.system.schemas import Health

router = APIRouter(tags=["system"])


@router.get(
    "/api/health",
    summary="Liveness and database reachability (public)",
    responses={503: {"model": Health, "description": "The database cannot be reached"}},
)
async def health(response: Response, database: DatabaseDep, settings: SettingsDep) -> Health:
    result = await service.check_health(database, settings)
    if result.database != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return result


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# Not in the OpenAPI document: a scraper's endpoint, with its own token (not a session).
@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(
    request: Request, settings: SettingsDep, database: DatabaseDep
) -> Response:
    metrics = metrics_of(request.app)
    token = settings.metrics.token
    if metrics is None or token is None or not settings.metrics.enabled:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    if not hmac.compare_digest(_bearer(request).encode(), token.get_secret_value().encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="send the metrics token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await metrics.refresh(database)
    return Response(
        metrics.exposition(),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
