"""Errors a service raises; the app turns them into JSON responses with a ``detail``."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse


class PortalError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers

    def detail_body(self) -> object:
        """What goes in the response's ``detail`` (a message, or a list of problems)."""
        return self.detail


class NotFoundError(PortalError):
    status_code = status.HTTP_404_NOT_FOUND


class ConflictError(PortalError):
    status_code = status.HTTP_409_CONFLICT


class FieldError(PortalError):
    """A problem with one field of the request body, in FastAPI's 422 shape."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT

    def __init__(self, field: str, message: str, kind: str = "value_error") -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FieldError)
    async def _field_error(_: Request, exc: FieldError) -> JSONResponse:
        body = {"detail": [{"loc": ["body", exc.field], "msg": exc.detail, "type": exc.kind}]}
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(PortalError)
    async def _portal_error(_: Request, exc: PortalError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail_body()}, exc.status_code, headers=exc.headers)
