"""Checks several routers make on a request: a bounded body, a sane date span, ids and
text PostgreSQL can store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import HTTPException, Path, Query, Request, status
from pydantic import AfterValidator, Field

from power_portal.core.errors import FieldError

# Row ids are bigint: a bigger number would reach PostgreSQL and fail there (a 500).
MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters (\\u0000)")
    return value


# Every text field that reaches the database: PostgreSQL text cannot hold NUL.
StorableText = AfterValidator(_storable_text)


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the body, refusing as soon as it passes the limit (never buffer 2 GB).

    A compressed body (``Content-Encoding`` other than identity) is refused with 415,
    never inflated: a 10 MB gzip bomb stays 10 MB.
    """
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Content-Encoding {encoding[:40]!r} is not supported: send the body "
            "uncompressed",
        )
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


@dataclass(frozen=True)
class DateSpan:
    """Local dates ``[start, end)``, already checked."""

    start: date
    end: date


StartDate = Annotated[date, Query(description="first local date (inclusive)")]
EndDate = Annotated[date, Query(description="last local date (exclusive)")]


def date_span(max_days: int, too_long: str | None = None) -> Callable[[date, date], DateSpan]:
    """A dependency for routes over local dates: ``start``/``end`` checked once (422 names
    ``end``). Declare it before the site or device, so a bad span is refused first."""

    def dependency(start: StartDate, end: EndDate) -> DateSpan:
        check_span(start, end, max_days, too_long)
        return DateSpan(start, end)

    return dependency
