"""``GET /api/health`` (public) and ``GET /metrics`` for Prometheus (not in the OpenAPI document).

``/api/health`` tells anyone the status and whether the database answers; the run mode and
the version only a caller with a live session (any role): an anonymous answer leaves them out.

``/metrics`` is off (404) unless ``PORTAL_METRICS__TOKEN`` is set; then the scraper sends
``Authorization: Bearer <token>`` (checked in constant time).
"""

from __future__ import annotations

import hmac

import structlog
from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import exc as sa_exc

from power_portal.auth.dependencies import SESSION_COOKIE, get_active_session
from power_portal.core.deps import DatabaseDep, SettingsDep
from power_portal.core.metrics import metrics_of
from power_portal.db.engine import Database
from power_portal.settings import Settings
from power_portal.system import service
from power_portal.system.schemas import Health

log = structlog.get_logger(__name__)
router = APIRouter(tags=["system"])


@router.get(
    "/api/health",
    summary="Liveness and database reachability (public); run mode and version when signed in",
    response_model_exclude_none=True,
    responses={503: {"model": Health, "description": "The database cannot be reached"}},
)
async def health(
    request: Request, response: Response, database: DatabaseDep, settings: SettingsDep
) -> Health:
    database_ok = await database.ping()
    signed_in = database_ok and await _signed_in(request, database, settings)
    response.headers["Cache-Control"] = "no-store"  # the answer depends on the session cookie
    if not database_ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return service.health_report(database_ok, settings, signed_in=signed_in)


async def _signed_in(request: Request, database: Database, settings: Settings) -> bool:
    """Whether the request carries a live session, checked in a transaction of its own (the
    route takes no request session: with the database down it still answers its 503 body).
    A database that fails in between counts as nobody signed in."""
    if SESSION_COOKIE not in request.cookies:
        return False
    try:
        async with database.transaction() as db:
            await get_active_session(request, db, settings)
    except HTTPException:
        return False
    except (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError):
        log.warning("health.session_check_failed", exc_info=True)
        return False
    return True


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
