"""Checks several routers make on a request: a bounded body, a sane date span."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from fastapi import HTTPException, Request, status

from power_portal.errors import FieldError


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the body, refusing as soon as it passes the limit (never buffer 2 GB)."""
    too_large = HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, detail=f"the body is over the {limit}-byte limit"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


Moment = TypeVar("Moment", date, datetime)


def check_span(start: Moment, end: Moment, max_days: int, too_long: str | None = None) -> None:
    """``end`` after ``start`` and at most ``max_days`` later, else a 422 naming ``end``."""
    if end <= start:
        raise FieldError("end", "must be after start")
    if (end - start).days > max_days:
        raise FieldError("end", too_long or f"the span may be at most {max_days} days")
