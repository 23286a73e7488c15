from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import AwareDatetime

from power_portal.auth.dependencies import AUTH_RESPONSES, ViewerUser
from power_portal.auth.throttle import check_token_throttle, record_token_failure
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.errors import FieldError
from power_portal.core.request_checks import PathId, check_span, read_limited
from power_portal.core.responses import ProblemDetail, Responses, not_found
from power_portal.measurements import queries
from power_portal.measurements.fields import FIELD_NAMES, SERIES_FIELDS
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import (
    InvalidRowsError,
    MalformedBodyError,
    parse_csv,
    parse_json,
)
from power_portal.measurements.schemas import (
    EnergyResponse,
    IngestAccepted,
    Interval,
    LatestReading,
    SeriesResponse,
    Summary,
)
from power_portal.sites import service as sites_service
from power_portal.system.metrics import record_ingest

router = APIRouter(prefix="/api", tags=["measurements"])
ingest_router = APIRouter(prefix="/api/ingest", tags=["ingest"])

MAX_SPAN_DAYS = 3 * 366
INGEST_RESPONSES: Responses = {
    400: {"model": ProblemDetail, "description": "Malformed JSON or CSV"},
    401: {"model": ProblemDetail, "description": "Missing, unknown or revoked device token"},
    413: {"model": ProblemDetail, "description": "Body over the size limit"},
    415: {
        "model": ProblemDetail,
        "description": "Neither application/json nor text/csv, or a compressed body",
    },
    422: {"model": ProblemDetail, "description": "Invalid rows; `loc` names row and field"},
    429: {
        "model": ProblemDetail,
        "description": "Too many unknown tokens from this address: wait Retry-After seconds",
    },
}
_example_row: dict[str, Any] = {"time": "2026-05-01T10:00:00+02:00", "power_kw": 12.5}
INGEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["measurements"],
                    "properties": {
                        "measurements": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["time"],
                                "additionalProperties": False,
                                "properties": {
                                    "time": {"type": "string", "format": "date-time"},
                                    **{f: {"type": ["number", "null"]} for f in FIELD_NAMES},
                                },
                            },
                        }
                    },
                },
                "example": {"measurements": [_example_row]},
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "time,power_kw\n2026-05-01T10:00:00+02:00,12.5\n",
            },
        },
    }
}


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="send the device token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


@ingest_router.post(
    "/measurements",
    response_model=IngestAccepted,
    operation_id="ingestMeasurements",
    summary="Store a batch of readings for the token's device (public, device-token auth)",
    responses=INGEST_RESPONSES,
    openapi_extra=INGEST_BODY,
)
async def ingest_measurements(
    request: Request, db: SessionDep, settings: SettingsDep
) -> IngestAccepted:
    token = _bearer_token(request)
    check_token_throttle(request)
    device_id = await sites_service.device_for_token(db, token)
    if device_id is None:
        record_token_failure(request)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="unknown or revoked device token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/json", "text/csv"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="Content-Type must be application/json or text/csv",
        )
    body = await read_limited(request, settings.ingest_max_body_bytes)
    now = datetime.now().astimezone()
    try:
        rows = parse_json(body, now) if content_type == "application/json" else parse_csv(body, now)
    except MalformedBodyError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    except InvalidRowsError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[problem.as_detail() for problem in exc.problems],
        ) from exc
    if not rows:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="the batch has no rows")
    result = await store_batch(db, device_id, rows)
    record_ingest(request, "device", result.accepted, result.duplicates)
    return IngestAccepted(accepted=result.accepted, duplicates=result.duplicates)


# ---------------------------------------------------------------- queries


StartDate = Annotated[date, Query(description="first local date (inclusive)")]
EndDate = Annotated[date, Query(description="last local date (exclusive)")]
DEVICE_404 = not_found("device")
SITE_404 = not_found("site")


async def _device_zone(db: SessionDep, device_id: int) -> str:
    device = await sites_service.get_device(db, device_id)
    return (await sites_service.get_site(db, device.site_id)).timezone


@router.get(
    "/devices/{device_id}/energy",
    response_model=EnergyResponse,
    operation_id="deviceEnergy",
    responses={**AUTH_RESPONSES, **DEVICE_404},
)
async def device_energy(
    device_id: PathId,
    start: StartDate,
    end: EndDate,
    _: ViewerUser,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> EnergyResponse:
    check_span(start, end, MAX_SPAN_DAYS)
    zone = await _device_zone(db, device_id)
    return await queries.energy(db, [device_id], start, end, interval, zone)


@router.get(
    "/sites/{site_id}/energy",
    response_model=EnergyResponse,
    operation_id="siteEnergy",
    summary="Energy of all the site's devices together",
    responses={**AUTH_RESPONSES, **SITE_404},
)
async def site_energy(
    site_id: PathId,
    start: StartDate,
    end: EndDate,
    _: ViewerUser,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> EnergyResponse:
    check_span(start, end, MAX_SPAN_DAYS)
    site = await sites_service.get_site(db, site_id)
    device_ids = [d.id for d in await sites_service.list_devices(db, site_id)]
    return await queries.energy(db, device_ids, start, end, interval, site.timezone)


@router.get(
    "/devices/{device_id}/series",
    response_model=SeriesResponse,
    operation_id="deviceSeries",
    summary="avg/min/max per bucket; the bucket grows with the span (a year: ~400 points)",
    responses={**AUTH_RESPONSES, **DEVICE_404},
)
async def device_series(
    device_id: PathId,
    start: Annotated[AwareDatetime, Query()],
    end: Annotated[AwareDatetime, Query()],
    _: ViewerUser,
    db: SessionDep,
    fields: Annotated[list[str] | None, Query(description="default: power_kw")] = None,
    max_points: Annotated[int, Query(ge=10, le=5000)] = queries.DEFAULT_MAX_POINTS,
) -> SeriesResponse:
    chosen = fields or ["power_kw"]
    unknown = [f for f in chosen if f not in SERIES_FIELDS]
    if unknown:
        raise FieldError(
            "fields", f"unknown series {', '.join(unknown)}; choose from {', '.join(SERIES_FIELDS)}"
        )
    check_span(start, end, MAX_SPAN_DAYS)
    zone = await _device_zone(db, device_id)
    return await queries.series(db, device_id, start, end, chosen, zone, max_points)


@router.get(
    "/devices/{device_id}/latest",
    response_model=LatestReading,
    operation_id="deviceLatest",
    summary="The newest stored reading (fields without a value are absent)",
    responses={**AUTH_RESPONSES, 404: {"model": ProblemDetail}},
)
async def device_latest(device_id: PathId, _: ViewerUser, db: SessionDep) -> dict[str, object]:
    await sites_service.get_device(db, device_id)
    reading = await queries.latest(db, device_id)
    if reading is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"device {device_id} has no readings")
    return reading


@router.get(
    "/sites/{site_id}/summary",
    response_model=Summary,
    operation_id="siteSummary",
    summary="KPIs over a span: energy, peak 30-minute demand, average PF, last reading",
    responses={**AUTH_RESPONSES, **SITE_404},
)
async def site_summary(
    site_id: PathId, start: StartDate, end: EndDate, _: ViewerUser, db: SessionDep
) -> Summary:
    check_span(start, end, MAX_SPAN_DAYS)
    site = await sites_service.get_site(db, site_id)
    device_ids = [d.id for d in await sites_service.list_devices(db, site_id)]
    return await queries.summary(db, device_ids, start, end, site.timezone)


@router.get(
    "/devices/{device_id}/summary",
    response_model=Summary,
    operation_id="deviceSummary",
    responses={**AUTH_RESPONSES, **DEVICE_404},
)
async def device_summary(
    device_id: PathId, start: StartDate, end: EndDate, _: ViewerUser, db: SessionDep
) -> Summary:
    check_span(start, end, MAX_SPAN_DAYS)
    zone = await _device_zone(db, device_id)
    return await queries.summary(db, [device_id], start, end, zone)
