"""A tenant's energy per bucket, a column per meter it held, as an Excel workbook
(docs/api/reports.md, "Excel").

Each meter (a device, or a virtual meter: its devices weighed by their coefficients) counts
only while the tenant held it: the 15-minute buckets wholly inside one of its assignments,
as row-level security shows a tenant user its meters (``repository.held_energy``), so a
tenant user reads what the admin reads. A meter held twice in the span is one column; a
bucket it was not held in (or had no data) is empty. The last column adds the meters up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.request_checks import DateSpan
from power_portal.core.xlsx import KWH, CellValue, Column, Sheet, XlsxFile, local_naive, xlsx_file
from power_portal.measurements import rollup_queue
from power_portal.measurements.buckets import bucket_key, bucket_starts, local_span
from power_portal.measurements.exports import bucket_column
from power_portal.measurements.schemas import Interval
from power_portal.sites import service as sites_service
from power_portal.tenants import repository, service
from power_portal.tenants.exports import KIND_LABELS
from power_portal.tenants.models import Tenant
from power_portal.tenants.repository import Holding
from power_portal.tenants.schemas import AssignmentRead
from power_portal.virtual_meters import repository as virtual_meters_repository
from power_portal.virtual_meters.formula import TermsByMeter, expand


@dataclass
class HeldMeter:
    """A meter the tenant held in the span, and when: ``[start, end)`` spans."""

    kind: str
    ref: int
    name: str
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)


def held_meters(
    assignments: Sequence[AssignmentRead], lo: datetime, hi: datetime
) -> list[HeldMeter]:
    """One per meter, in the order first held; each assignment clipped to ``[lo, hi)``."""
    meters: dict[tuple[str, int], HeldMeter] = {}
    for held in sorted(assignments, key=lambda a: (a.start, a.id)):
        ref = held.device_id if held.device_id is not None else held.virtual_meter_id
        key = (held.kind, int(ref or 0))
        meter = meters.setdefault(key, HeldMeter(held.kind, key[1], held.meter_name))
        end = hi if held.end is None else min(held.end, hi)
        meter.spans.append((max(held.start, lo), end))
    return list(meters.values())


def holdings(meters: Sequence[HeldMeter], terms_of: TermsByMeter) -> list[Holding]:
    """What ``repository.held_energy`` reads: column ``i`` is ``meters[i]``."""
    found: list[Holding] = []
    for column, meter in enumerate(meters):
        weighed = {meter.ref: 1} if meter.kind == "device" else expand(meter.ref, terms_of)
        found += [
            Holding(column, device_id, float(coefficient), start, end)
            for device_id, coefficient in weighed.items()
            if coefficient
            for start, end in meter.spans
        ]
    return found


def headers(meters: Sequence[HeldMeter]) -> list[str]:
    """``Shop 1 (kWh)``; a name two meters share says which (``Shop 1 (device 3) (kWh)``)."""
    names = [meter.name for meter in meters]
    return [
        f"{meter.name} ({KIND_LABELS[meter.kind]} {meter.ref}) (kWh)"
        if names.count(meter.name) > 1
        else f"{meter.name} (kWh)"
        for meter in meters
    ]


def _total(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present), 6) if present else None


def energy_sheet(
    meters: Sequence[HeldMeter],
    energy: Mapping[tuple[int, datetime], float | None],
    starts: Sequence[datetime],
    interval: Interval,
    timezone: str,
) -> Sheet:
    """Start, each meter's energy import (kWh), and their total, per bucket."""
    zone = ZoneInfo(timezone)
    columns = [bucket_column(timezone, interval)]
    columns += [Column(header, "number", KWH) for header in headers(meters)]
    columns.append(Column("Total (kWh)", "number", KWH))
    rows: list[list[CellValue]] = []
    for start in starts:
        key = bucket_key(start, interval)
        values = [energy.get((column, key)) for column in range(len(meters))]
        values = [None if value is None else round(value, 6) for value in values]
        rows.append([local_naive(start, zone), *values, _total(values)])
    return Sheet("Energy", columns, rows)


def _filename(tenant: Tenant, start: date, end: date, interval: Interval) -> str:
    return f"energy-tenant{tenant.id}-{start}-{end}-{interval}.xlsx"


async def tenant_energy_xlsx(
    db: AsyncSession, tenant: Tenant, span: DateSpan, interval: Interval
) -> XlsxFile:
    """The tenant's energy per bucket of ``span``, a column per meter it held."""
    site = await sites_service.get_site(db, tenant.site_id)
    zone = ZoneInfo(site.timezone)
    lo, hi = local_span(span.start, span.end, zone)
    of_site = await repository.site_assignments(db, site.id, lo, hi)
    overlapping = [a for a in of_site if a.tenant_id == tenant.id]
    meters = held_meters(await service.read_assignments(db, tenant, overlapping), lo, hi)
    reads = holdings(meters, await virtual_meters_repository.site_terms(db, site.id))
    await rollup_queue.flush(db, sorted({h.device_id for h in reads}))
    energy = await repository.held_energy(db, reads, lo, hi, interval, site.timezone)
    starts = bucket_starts(span.start, span.end, interval, zone)
    sheet = energy_sheet(meters, energy, starts, interval, site.timezone)
    return await xlsx_file(_filename(tenant, span.start, span.end, interval), [sheet])
