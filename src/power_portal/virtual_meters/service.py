"""Virtual meters: their checks and CRUD, and their readings, energy to bill.

A meter is read as ``{device_id: coefficient}`` (``formula.expand``): its energy, series and
demand are sum of coefficient * each device's, in one query over the 15-minute rollups; its bill
is the site's tariff applied to the devices' registers, each weighed by its coefficient
(``tariffs.calculator.Readings.sign``), minute by minute. The bucket zone is the site's.
Functions flush, never commit: the request's session commits once (``core.deps.SessionDep``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing import repository as billing_repository
from power_portal.billing import service as billing_service
from power_portal.billing.bill_csv import bill_csv
from power_portal.billing.service import BillUnavailableError
from power_portal.core.errors import ConflictError, FieldError, found
from power_portal.core.exports import CsvFile
from power_portal.core.request_checks import DateSpan
from power_portal.measurements import rollup_queue
from power_portal.measurements.buckets import (
    ROLLUP_SECONDS,
    bucket_key,
    bucket_starts,
    choose_bucket_seconds,
    local_midnight,
    local_span,
    series_steps,
)
from power_portal.measurements.schemas import (
    EnergyPoint,
    EnergyResponse,
    Interval,
    SeriesResponse,
    SeriesStats,
    Summary,
)
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.sites.schemas import SeriesQuery
from power_portal.tariffs.calculator import BillError, Readings, calculate_bill
from power_portal.tariffs.schemas import Bill
from power_portal.virtual_meters import repository
from power_portal.virtual_meters.formula import (
    Term,
    TermsByMeter,
    cycle_problem,
    expand,
    formula_text,
    shape_problem,
)
from power_portal.virtual_meters.models import VirtualMeter
from power_portal.virtual_meters.schemas import VirtualMeterWrite

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TermView:
    sign: int
    device_id: int | None
    meter_id: int | None
    name: str


@dataclass(frozen=True)
class VirtualMeterView:
    """A virtual meter as read: its terms with their names, its formula and coefficients."""

    id: int
    site_id: int
    name: str
    terms: list[TermView]
    formula: str
    device_coefficients: dict[int, int]
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- reading the meters


async def get_meter(db: AsyncSession, meter_id: int) -> VirtualMeter:
    return found(await repository.get_meter(db, meter_id), f"virtual meter with id {meter_id}")


async def _views(
    db: AsyncSession, site_id: int, meters: Sequence[VirtualMeter]
) -> list[VirtualMeterView]:
    terms_of = await repository.site_terms(db, site_id)
    meter_names = {m.id: m.name for m in await repository.list_meters(db, site_id)}
    device_ids = {t.device_id for m in meters for t in terms_of.get(m.id, ()) if t.device_id}
    devices = await repository.devices(db, sorted(device_ids))
    views = []
    for meter in meters:
        terms = [
            TermView(
                term.sign,
                term.device_id,
                term.meter_id,
                devices[term.device_id].name
                if term.device_id is not None
                else meter_names[int(term.meter_id or 0)],
            )
            for term in terms_of.get(meter.id, ())
        ]
        views.append(
            VirtualMeterView(
                id=meter.id,
                site_id=meter.site_id,
                name=meter.name,
                terms=terms,
                formula=formula_text([(t.sign, t.name) for t in terms]),
                device_coefficients=expand(meter.id, terms_of),
                created_at=meter.created_at,
                updated_at=meter.updated_at,
            )
        )
    return views


async def read_meter(db: AsyncSession, meter: VirtualMeter) -> VirtualMeterView:
    return (await _views(db, meter.site_id, [meter]))[0]


async def list_meters(db: AsyncSession, site: Site) -> list[VirtualMeterView]:
    return await _views(db, site.id, await repository.list_meters(db, site.id))


# ---------------------------------------------------------------- writing them


def _terms(data: VirtualMeterWrite) -> list[Term]:
    """The body's terms, their shape checked (422 naming the term's field)."""
    terms = [Term(t.sign, t.device_id, t.meter_id) for t in data.terms]
    problem = shape_problem(terms)
    if problem is not None:
        raise FieldError(problem.field, problem.message)
    return terms


async def _check_references(
    db: AsyncSession, site_id: int, meter_id: int | None, terms: Sequence[Term]
) -> None:
    """Every device and meter exists on the site, and no meter leads back to this one.

    The site's virtual meters are written one request at a time (a lock on the site's row
    until the commit), so two changes that would close a loop together cannot both pass."""
    await repository.lock_site(db, site_id)
    devices = await repository.devices(db, [t.device_id for t in terms if t.device_id])
    meters = await repository.meters(db, [t.meter_id for t in terms if t.meter_id])
    for position, term in enumerate(terms):
        if term.device_id is not None:
            field, what, owner = "device_id", "device", devices.get(term.device_id)
            ref = term.device_id
        else:
            field, what, owner = "meter_id", "virtual meter", meters.get(term.meter_id or 0)
            ref = term.meter_id or 0
            if ref == meter_id:
                raise FieldError(
                    f"terms.{position}.{field}", "a virtual meter cannot refer to itself"
                )
        if owner is None:
            raise FieldError(f"terms.{position}.{field}", f"no {what} with id {ref}")
        if owner.site_id != site_id:
            raise FieldError(
                f"terms.{position}.{field}",
                f"{what} {ref} ({owner.name}) is on another site: "
                "a virtual meter adds up meters of its own site",
            )
    terms_of = await repository.site_terms(db, site_id)
    loop = cycle_problem(meter_id, terms, terms_of)
    if loop is not None:
        position, path = loop
        names = await _meter_names(db, path)
        chain = " \u2192 ".join(names.get(i, str(i)) for i in path)
        raise FieldError(
            f"terms.{position}.meter_id",
            f"{names.get(path[1], path[1])} refers back to this virtual meter ({chain})",
        )


async def _meter_names(db: AsyncSession, meter_ids: Sequence[int]) -> dict[int, str]:
    return {i: owned.name for i, owned in (await repository.meters(db, meter_ids)).items()}


async def create_meter(db: AsyncSession, site_id: int, data: VirtualMeterWrite) -> VirtualMeterView:
    terms = _terms(data)
    site = await sites_service.get_site(db, site_id)
    await _check_references(db, site.id, None, terms)
    meter = VirtualMeter(site_id=site.id, name=data.name)
    await repository.save(db, meter)
    await repository.replace_terms(db, meter.id, terms)
    await repository.refresh(db, meter)
    log.info("virtual_meters.created", virtual_meter_id=meter.id, site_id=site.id)
    return await read_meter(db, meter)


async def replace_meter(
    db: AsyncSession, meter_id: int, data: VirtualMeterWrite
) -> VirtualMeterView:
    terms = _terms(data)
    meter = await get_meter(db, meter_id)
    await _check_references(db, meter.site_id, meter.id, terms)
    meter.name = data.name
    await repository.save(db, meter)
    await repository.replace_terms(db, meter.id, terms)
    await repository.refresh(db, meter)
    log.info("virtual_meters.replaced", virtual_meter_id=meter.id)
    return await read_meter(db, meter)


async def delete_meter(db: AsyncSession, meter: VirtualMeter) -> None:
    users = await repository.names_of_users(db, meter.id)
    if users:
        raise ConflictError(
            f"virtual meter {meter.id} ({meter.name}) is used by {', '.join(users)}: "
            "change or delete those first"
        )
    meter_id, name = meter.id, meter.name  # the failed flush expires the row
    try:
        await repository.delete_meter(db, meter)
    except IntegrityError as exc:
        if "tenant_meters" not in str(exc.orig):
            raise
        raise ConflictError(
            f"virtual meter {meter_id} ({name}) is or was held by a tenant: delete its "
            "assignments first (DELETE /api/tenant-meters/{id})"
        ) from exc
    log.info("virtual_meters.deleted", virtual_meter_id=meter.id)


# ---------------------------------------------------------------- readings


@dataclass(frozen=True)
class _Reading:
    """What every reading of a meter needs: its site and its device coefficients."""

    site: Site
    coefficients: dict[int, int]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)


async def _reading(db: AsyncSession, meter: VirtualMeter) -> _Reading:
    terms_of: TermsByMeter = await repository.site_terms(db, meter.site_id)
    coefficients = expand(meter.id, terms_of)
    await rollup_queue.flush(db, list(coefficients))
    return _Reading(await sites_service.get_site(db, meter.site_id), coefficients)


async def energy(
    db: AsyncSession, meter: VirtualMeter, span: DateSpan, interval: Interval
) -> EnergyResponse:
    """sum of coefficient * each device's energy per local bucket; ``null`` where no device has
    data, a negative value where the meters subtracted used more."""
    reading = await _reading(db, meter)
    lo, hi = local_span(span.start, span.end, reading.zone)
    by_key = await repository.energy(
        db, reading.coefficients, lo, hi, interval, reading.site.timezone
    )
    points = []
    for start in bucket_starts(span.start, span.end, interval, reading.zone):
        values = by_key.get(bucket_key(start, interval))
        points.append(
            EnergyPoint(
                start=start,
                energy_import_kwh=round(values[0], 6) if values else None,
                energy_export_kwh=round(values[1], 6) if values else None,
            )
        )
    return EnergyResponse(timezone=reading.site.timezone, interval=interval, points=points)


async def series(db: AsyncSession, meter: VirtualMeter, query: SeriesQuery) -> SeriesResponse:
    """The devices' averages combined with their coefficients, always from the 15-minute
    rollup (so at least 15-minute buckets); ``min``/``max`` are ``null``: a min of a
    difference is not the difference of the mins."""
    reading = await _reading(db, meter)
    bucket = max(choose_bucket_seconds(query.end - query.start, query.max_points), ROLLUP_SECONDS)
    rows = await repository.series(
        db, reading.coefficients, query.start, query.end, query.fields, timedelta(seconds=bucket)
    )
    times = []
    columns = {f: SeriesStats(avg=[], min=[], max=[]) for f in query.fields}
    for moment in series_steps(query.start, query.end, bucket):
        times.append(moment.astimezone(reading.zone))
        values = rows.get(moment)
        for index, field in enumerate(query.fields):
            value = values[index] if values else None
            columns[field].avg.append(None if value is None else round(float(value), 6))
            columns[field].min.append(None)
            columns[field].max.append(None)
    return SeriesResponse(
        timezone=reading.site.timezone,
        bucket_seconds=bucket,
        source="rollup_15m",
        times=times,
        series=columns,
    )


async def summary(db: AsyncSession, meter: VirtualMeter, span: DateSpan) -> Summary:
    """Energy and the coincident peak 30-minute demand of the combination; no power factor
    and no kVA demand (neither combines by adding and subtracting)."""
    reading = await _reading(db, meter)
    zone = reading.zone
    lo, hi = local_span(span.start, span.end, zone)
    totals = await repository.totals(db, reading.coefficients, lo, hi)
    peak = await repository.peak_demand(db, reading.coefficients, lo, hi)
    last = await repository.last_reading(db, list(reading.coefficients))
    return Summary(
        timezone=reading.site.timezone,
        start=local_midnight(span.start, zone),
        end=local_midnight(span.end, zone),
        energy_import_kwh=round(totals.energy_import_kwh, 6),
        energy_export_kwh=round(totals.energy_export_kwh, 6),
        peak_demand_kw=round(peak.kw, 3) if peak else None,
        peak_demand_kva=None,
        peak_demand_at=peak.at.astimezone(zone) if peak else None,
        average_power_factor=None,
        last_reading_at=last.astimezone(zone) if last else None,
    )


# ---------------------------------------------------------------- the bill


async def bill(db: AsyncSession, meter: VirtualMeter, span: DateSpan) -> Bill:
    """The site's tariff applied to the combination, minute by minute: each device's
    registers weighed by its coefficient, so demand is the combination's, coincident."""
    site = await sites_service.get_site(db, meter.site_id)
    tariff = await billing_service.site_tariff(db, site)
    coefficients = expand(meter.id, await repository.site_terms(db, site.id))
    zone = ZoneInfo(tariff.timezone)
    lo, hi = local_midnight(span.start, zone), local_midnight(span.end, zone)
    weighed = [device_id for device_id, coefficient in coefficients.items() if coefficient]
    readings = await billing_repository.meter_readings(db, weighed, lo, hi)
    meters: list[Readings] = [
        replace(readings[device_id], sign=float(coefficients[device_id]))
        for device_id in weighed
        if device_id in readings
    ]
    try:
        return calculate_bill(tariff, meters, span.start, span.end)
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc


async def bill_file(db: AsyncSession, meter: VirtualMeter, span: DateSpan) -> CsvFile:
    text = bill_csv(await bill(db, meter, span))
    return CsvFile(f"bill-virtual-meter{meter.id}-{span.start}-{span.end}.csv", text)
