"""What an ingest request brings: the device behind its bearer token, and its bounded body.

No request session: a known token costs no database round trip (the process's token
cache), and the rows are stored by the group commit or a transaction of their own. Every
dependency here is ``async`` (FastAPI runs a plain ``def`` one in a worker thread, a hop
that costs a one-row batch more than its parsing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from power_portal.auth.throttle import check_token_throttle, record_token_failure
from power_portal.core.request_checks import read_limited
from power_portal.db.engine import Database
from power_portal.ingest import service
from power_portal.ingest.group_commit import IngestRuntime
from power_portal.settings import Settings


def unauthorised(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorised("send the device token as 'Authorization: Bearer <token>'")
    return token.strip()


def ingest_runtime(request: Request) -> IngestRuntime | None:
    """This process's token cache and group commit (None in an app started without them)."""
    runtime: IngestRuntime | None = getattr(request.app.state, "ingest", None)
    return runtime


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@dataclass(frozen=True)
class DeviceToken:
    device_id: int
    digest: str


async def token_device(request: Request) -> DeviceToken:
    """The device of a live token: 401 without one, 429 while this address keeps
    presenting unknown tokens."""
    token = bearer_token(request)
    check_token_throttle(request)
    found = await service.token_device(database_of(request), ingest_runtime(request), token)
    if found is None:
        record_token_failure(request)
        raise unauthorised("unknown or revoked device token")
    return DeviceToken(*found)


@dataclass(frozen=True)
class IngestBody:
    content_type: str
    data: bytes


async def ingest_body(request: Request) -> IngestBody:
    """A JSON or CSV body (else 415), read up to the size limit (else 413)."""
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in service.CONTENT_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="Content-Type must be application/json or text/csv",
        )
    return IngestBody(content_type, await read_limited(request, settings.ingest_max_body_bytes))


TokenDevice = Annotated[DeviceToken, Depends(token_device)]
IngestBodyDep = Annotated[IngestBody, Depends(ingest_body)]
