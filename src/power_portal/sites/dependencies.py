"""Path-object dependencies: the site or device a route names, and a reading route's query.

The site or device is loaded once (404 when absent); the query is checked (422) and declared
before the site or device, so a bad request is refused before a missing row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from power_portal.auth.dependencies import ReaderUser, check_tenant_reads_meter
from power_portal.core.deps import SessionDep
from power_portal.core.errors import FieldError
from power_portal.core.request_checks import (
    DateSpan,
    PathId,
    check_dates,
    check_span,
    date_span,
)
from power_portal.measurements.buckets import DEFAULT_MAX_POINTS, ROLLUP_SECONDS
from power_portal.measurements.fields import SERIES_FIELDS
from power_portal.measurements.repository import MAX_SPAN_DAYS
from power_portal.sites import service
from power_portal.sites.models import Device, Site
from power_portal.sites.schemas import SeriesQuery


async def get_site(site_id: PathId, db: SessionDep) -> Site:
    return await service.get_site(db, site_id)


async def get_device(device_id: PathId, db: SessionDep) -> Device:
    return await service.get_device(db, device_id)


async def get_readable_device(device_id: PathId, reader: ReaderUser, db: SessionDep) -> Device:
    """The device of a reading route. A tenant user: only a device its tenant holds or held
    (else 404); row-level security limits its readings to the instants held."""
    await check_tenant_reads_meter(db, reader, device_id=device_id)
    return await service.get_device(db, device_id)


async def get_current_device(device_id: PathId, reader: ReaderUser, db: SessionDep) -> Device:
    """The device of a route that reads its newest values: a tenant user only while its tenant
    holds it (the newest reading of a meter it gave up is the next tenant's)."""
    await check_tenant_reads_meter(db, reader, device_id=device_id, now=True)
    return await service.get_device(db, device_id)


def series_query(
    start: Annotated[AwareDatetime, Query()],
    end: Annotated[AwareDatetime, Query()],
    fields: Annotated[list[str] | None, Query(description="default: power_kw")] = None,
    max_points: Annotated[int, Query(ge=10, le=5000)] = DEFAULT_MAX_POINTS,
) -> SeriesQuery:
    """Known series fields (422 on ``fields``), supported instants, then a span of at most
    MAX_SPAN_DAYS."""
    chosen = tuple(fields or ["power_kw"])
    unknown = [f for f in chosen if f not in SERIES_FIELDS]
    if unknown:
        raise FieldError(
            "fields", f"unknown series {', '.join(unknown)}; choose from {', '.join(SERIES_FIELDS)}"
        )
    check_dates(start=start, end=end)
    check_span(start, end, MAX_SPAN_DAYS)
    return SeriesQuery(start, end, chosen, max_points)


def readable_series_query(
    query: Annotated[SeriesQuery, Depends(series_query)], reader: ReaderUser
) -> SeriesQuery:
    """A tenant user's series come from the 15-minute rollups, whose row-level security limits
    them to the instants its tenant held the meter (the raw readings' hypertable has no
    policy: migration 0015): its buckets are 15 minutes or more, and a shorter span is 422."""
    if reader.tenant_id is None:
        return query
    quarter_hours = int((query.end - query.start).total_seconds() // ROLLUP_SECONDS)
    if quarter_hours < 1:
        raise FieldError("end", "a tenant user's series spans at least 15 minutes")
    return replace(query, max_points=min(query.max_points, quarter_hours))


SiteDep = Annotated[Site, Depends(get_site)]
DeviceDep = Annotated[Device, Depends(get_device)]
ReadableDeviceDep = Annotated[Device, Depends(get_readable_device)]
CurrentDeviceDep = Annotated[Device, Depends(get_current_device)]
ReadingSpan = Annotated[DateSpan, Depends(date_span(MAX_SPAN_DAYS))]
SeriesQueryDep = Annotated[SeriesQuery, Depends(series_query)]
ReadableSeriesQueryDep = Annotated[SeriesQuery, Depends(readable_series_query)]
