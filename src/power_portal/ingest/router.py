"""The ``/api/ingest`` routes: a meter or gateway posts a batch of readings with its token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from power_portal.auth.throttle import record_token_failure
from power_portal.core.metrics import record_ingest
from power_portal.core.responses import ProblemDetail, Responses
from power_portal.ingest import service
from power_portal.ingest.dependencies import (
    IngestBodyDep,
    TokenDevice,
    database_of,
    ingest_runtime,
    unauthorised,
)
from power_portal.ingest.group_commit import RevokedTokenError
from power_portal.ingest.schemas import IngestAccepted
from power_portal.measurements.fields import FIELD_NAMES

router = APIRouter(prefix="/api/ingest", tags=["ingest"])

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


@router.post(
    "/measurements",
    response_model=IngestAccepted,
    summary="Store a batch of readings for the token's device (public, device-token auth)",
    responses=INGEST_RESPONSES,
    openapi_extra=INGEST_BODY,
)
async def ingest_measurements(
    request: Request, device: TokenDevice, body: IngestBodyDep
) -> Response:
    rows = service.parse_body(body.content_type, body.data)
    database, runtime = database_of(request), ingest_runtime(request)
    try:
        result = await service.store_rows(database, runtime, device.device_id, device.digest, rows)
    except RevokedTokenError as exc:
        record_token_failure(request)
        raise unauthorised("unknown or revoked device token") from exc
    record_ingest(request, "device", result.accepted, result.duplicates)
    # IngestAccepted, written directly (no validation of what we just counted)
    return Response(
        f'{{"accepted":{result.accepted},"duplicates":{result.duplicates}}}',
        media_type="application/json",
    )
