"""What an ingest request brings: the device behind its bearer token, and its bounded body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from power_portal.auth.throttle import check_token_throttle, record_token_failure
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import read_limited
from power_portal.ingest import service


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("send the device token as 'Authorization: Bearer <token>'")
    return token.strip()


async def token_device(request: Request, db: SessionDep) -> int:
    """The device id of a live token: 401 without one, 429 while this address keeps
    presenting unknown tokens."""
    token = bearer_token(request)
    check_token_throttle(request)
    device_id = await service.device_for_token(db, token)
    if device_id is None:
        record_token_failure(request)
        raise _unauthorised("unknown or revoked device token")
    return device_id


@dataclass(frozen=True)
class IngestBody:
    content_type: str
    data: bytes


async def ingest_body(request: Request, settings: SettingsDep) -> IngestBody:
    """A JSON or CSV body (else 415), read up to the size limit (else 413)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in service.CONTENT_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="Content-Type must be application/json or text/csv",
        )
    return IngestBody(content_type, await read_limited(request, settings.ingest_max_body_bytes))


TokenDevice = Annotated[int, Depends(token_device)]
IngestBodyDep = Annotated[IngestBody, Depends(ingest_body)]
