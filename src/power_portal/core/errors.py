"""Errors a service raises; the app turns them into JSON responses with a ``detail``."""

from __future__ import annotations

import math
from typing import TypeVar

import psycopg
import structlog
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from power_portal.core.replay import note_conflict, replay_kind

log = structlog.get_logger(__name__)

Row = TypeVar("Row")

# Seconds a client is asked to wait when the database cannot be reached.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "the database is unavailable: the request was not completed; retry later"


class PortalError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self, detail: str, headers: dict[str, str] | None = None, *, status_code: int | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        if status_code is not None:  # an error whose status depends on the case
            self.status_code = status_code

    def detail_body(self) -> object:
        """What goes in the response's ``detail`` (a message, or a list of problems)."""
        return self.detail


class NotFoundError(PortalError):
    status_code = status.HTTP_404_NOT_FOUND


def found(row: Row | None, what: str) -> Row:
    """``row``, or a 404 "no {what}" when the lookup found nothing."""
    if row is None:
        raise NotFoundError(f"no {what}")
    return row


class ConflictError(PortalError):
    status_code = status.HTTP_409_CONFLICT


class FieldError(PortalError):
    """A problem with one field of the request body, in FastAPI's 422 shape."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT

    def __init__(self, field: str, message: str, kind: str = "value_error") -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind


def json_safe(value: object) -> object:
    """NaN and infinities as text: a body may carry them (Python's JSON reads ``NaN``),
    a 422 echoes the input back, and JSON has no such numbers (it was a 500)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = json_safe(jsonable_encoder(exc.errors()))
        return JSONResponse({"detail": detail}, status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(FieldError)
    async def _field_error(_: Request, exc: FieldError) -> JSONResponse:
        body = {"detail": [{"loc": ["body", exc.field], "msg": exc.detail, "type": exc.kind}]}
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(PortalError)
    async def _portal_error(_: Request, exc: PortalError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail_body()}, exc.status_code, headers=exc.headers)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        """The database is down, restarting or out of connections: 503, not a 500 traceback.

        psycopg's ``OperationalError`` covers connection loss, admin shutdown and
        "starting up" (raw, from COPY on the driver connection, or wrapped by
        SQLAlchemy); the pool's ``TimeoutError`` means no connection came free.
        A request that fails this way has not been acknowledged: its transaction
        was never committed, or its commit's outcome is unknown and a retry is a
        harmless duplicate. A server that does not answer within the client-side bound
        (``db/engine.py``'s ``DatabaseNotAnswering``) and a statement or lock timeout are
        ``OperationalError`` too: 503.
        """
        if isinstance(exc, sa_exc.DBAPIError) and not (
            exc.connection_invalidated or isinstance(exc.orig, psycopg.OperationalError)
        ):
            raise exc  # an application error (constraint, syntax…): a real 500
        cause = getattr(exc, "orig", None) or exc
        sqlstate = getattr(cause, "sqlstate", None)
        kind = replay_kind(sqlstate)
        if kind is not None and sqlstate is not None:
            # A deadlock or serialization failure: the database is fine, the transaction
            # lost. The replay middleware (core/replay.py) holds this 503 back and runs the
            # request again when it may; otherwise it is sent, and logged there.
            note_conflict(request.scope, sqlstate)
            log.info("database.conflict", kind=kind, method=request.method, path=request.url.path)
        else:
            log.warning(
                "database.unavailable",
                method=request.method,
                path=request.url.path,
                error=type(cause).__name__,
            )
        return JSONResponse(
            {"detail": DATABASE_UNAVAILABLE},
            status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    for kind in (sa_exc.DBAPIError, sa_exc.TimeoutError, psycopg.OperationalError):
        app.add_exception_handler(kind, _database_unavailable)
