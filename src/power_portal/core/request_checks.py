"""Checks several routers make on a request: a bounded body, supported dates and a sane
date span, ids and text PostgreSQL can store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import HTTPException, Path, Query, Request, status
from pydantic import AfterValidator, AwareDatetime, Field

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

# ---------------------------------------------------------------- supported dates

# Every date, instant, month or week a request names lies in these years (inclusive); a date
# outside is a 422 naming its field. Python's dates end at 9999 and begin at year 1, so
# 9999-12-31's next day or month, or 0001-01-01T00:00+14:00 in UTC, was an OverflowError (a
# 500). Far from both ends, whatever is computed from a supported value exists too: the next
# day, month or year, the year or 52 weeks before, a span's or bucket's end, local midnight in
# any zone as UTC, a datetime with any UTC offset (a day at most) as UTC. 1900 is also where
# Excel's dates begin (the exports), and no meter reads before it or after 2200.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
SUPPORTED_DATES = f"must be from {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"


def supported_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def date_problem(value: date) -> str | None:
    """Why a date or datetime is refused (None: supported). A datetime is judged by its own
    wall-clock year, never converted first (the conversion is what overflows)."""
    return None if supported_year(value.year) else SUPPORTED_DATES


def label_problem(field: str, label: str) -> str | None:
    """Why a ``YYYY-MM`` or ``YYYY-Www`` label is refused for its year (None: supported, or
    not a label at all: its pattern says so)."""
    year = label[:4]
    if not year.isdecimal() or supported_year(int(year)):
        return None
    return f"a {field} from {EARLIEST_YEAR} to {LATEST_YEAR}"


def check_dates(**values: date | None) -> None:
    """A 422 naming the first query parameter outside the supported years (None: absent).
    Called by a route's query dependency, so it is refused before a missing row (404)."""
    for field, value in values.items():
        problem = None if value is None else date_problem(value)
        if problem is not None:
            raise FieldError(field, problem)


def check_label(field: str, label: str) -> None:
    """A 422 naming ``field`` when a month or week label's year is not supported."""
    problem = label_problem(field, label)
    if problem is not None:
        raise FieldError(field, problem)


def _supported(value: Moment) -> Moment:
    problem = date_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _supported_month(value: str) -> str:
    problem = label_problem("month", value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _supported_week(value: str) -> str:
    problem = label_problem("week", value)
    if problem is not None:
        raise ValueError(problem)
    return value


# Field types of a body's dates, instants and labels (a query's go through ``check_dates``).
SupportedDate = Annotated[date, AfterValidator(_supported)]
SupportedDatetime = Annotated[AwareDatetime, AfterValidator(_supported)]
SupportedMonth = AfterValidator(_supported_month)  # on a ``YYYY-MM`` string
SupportedWeek = AfterValidator(_supported_week)  # on a ``YYYY-Www`` string


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


_RANGE = f"; {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"
StartDate = Annotated[date, Query(description="first local date (inclusive)" + _RANGE)]
EndDate = Annotated[date, Query(description="last local date (exclusive)" + _RANGE)]


def date_span(max_days: int, too_long: str | None = None) -> Callable[[date, date], DateSpan]:
    """A dependency for routes over local dates: ``start``/``end`` checked once (422 names
    the field). Declare it before the site or device, so a bad span is refused first."""

    def dependency(start: StartDate, end: EndDate) -> DateSpan:
        check_dates(start=start, end=end)
        check_span(start, end, max_days, too_long)
        return DateSpan(start, end)

    return dependency
