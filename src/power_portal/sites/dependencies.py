"""Path-object dependencies: the site or device a route names, and a reading route's query.

The site or device is loaded once (404 when absent); the query is checked (422) and declared
before the site or device, so a bad request is refused before a missing row.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from power_portal.core.deps import SessionDep
from power_portal.core.errors import FieldError
from power_portal.core.request_checks import DateSpan, PathId, check_span, date_span
from power_portal.measurements.buckets import DEFAULT_MAX_POINTS
from power_portal.measurements.fields import SERIES_FIELDS
from power_portal.measurements.repository import MAX_SPAN_DAYS
from power_portal.sites import service
from power_portal.sites.models import Device, Site
from power_portal.sites.schemas import SeriesQuery


async def get_site(site_id: PathId, db: SessionDep) -> Site:
    return await service.get_site(db, site_id)


async def get_device(device_id: PathId, db: SessionDep) -> Device:
    return await service.get_device(db, device_id)


def series_query(
    start: Annotated[AwareDatetime, Query()],
    end: Annotated[AwareDatetime, Query()],
    fields: Annotated[list[str] | None, Query(description="default: power_kw")] = None,
    max_points: Annotated[int, Query(ge=10, le=5000)] = DEFAULT_MAX_POINTS,
) -> SeriesQuery:
    """Known series fields (422 on ``fields``), then a span of at most MAX_SPAN_DAYS."""
    chosen = tuple(fields or ["power_kw"])
    unknown = [f for f in chosen if f not in SERIES_FIELDS]
    if unknown:
        raise FieldError(
            "fields", f"unknown series {', '.join(unknown)}; choose from {', '.join(SERIES_FIELDS)}"
        )
    check_span(start, end, MAX_SPAN_DAYS)
    return SeriesQuery(start, end, chosen, max_points)


SiteDep = Annotated[Site, Depends(get_site)]
DeviceDep = Annotated[Device, Depends(get_device)]
ReadingSpan = Annotated[DateSpan, Depends(date_span(MAX_SPAN_DAYS))]
SeriesQueryDep = Annotated[SeriesQuery, Depends(series_query)]
