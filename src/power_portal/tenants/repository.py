"""The SQL of tenants: tenants, their meter assignments, and the readings a month's bills need.

``register_readings`` reads what ``billing.repository.meter_readings`` reads (each device's
registers over the span, one reading either side), for every device of a site's tenant bills
in one query, aggregated into one array per register and device: a site of 200 tenants reads
some 600,000 readings, and rows one by one would cost seconds in Python alone. Virtual meters'
terms come from ``virtual_meters.repository.site_terms``. ``held_energy`` reads a tenant's
energy per bucket from the 15-minute rollups, each meter clipped to the instants it was held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing import repository as billing_repository
from power_portal.db.models import Base
from power_portal.measurements.repository import bucket_key_sql
from power_portal.measurements.schemas import Interval
from power_portal.sites.models import Device, Site
from power_portal.tariffs.calculator import Readings
from power_portal.tariffs.models import Tariff
from power_portal.tenants.models import Tenant, TenantMeter
from power_portal.virtual_meters.models import VirtualMeter


async def save(db: AsyncSession, row: Base) -> None:
    """Add and flush: ids and server defaults are set."""
    db.add(row)
    await db.flush()


async def refresh(db: AsyncSession, row: Base) -> None:
    await db.refresh(row)


async def delete(db: AsyncSession, row: Base) -> None:
    await db.delete(row)
    await db.flush()


async def lock_site(db: AsyncSession, site_id: int) -> None:
    """Hold the site's row until the transaction ends: assignments of its meters are written
    one request at a time, so two overlapping ones cannot both pass the check."""
    await db.execute(select(Site.id).where(Site.id == site_id).with_for_update())


# ---------------------------------------------------------------- tenants


async def get_tenant(db: AsyncSession, tenant_id: int) -> Tenant | None:
    return await db.get(Tenant, tenant_id)


async def list_tenants(db: AsyncSession, site_id: int) -> list[Tenant]:
    rows = await db.execute(
        select(Tenant).where(Tenant.site_id == site_id).order_by(Tenant.name, Tenant.id)
    )
    return list(rows.scalars())


async def tenants_by_id(db: AsyncSession, tenant_ids: Sequence[int]) -> dict[int, Tenant]:
    if not tenant_ids:
        return {}
    rows = await db.execute(select(Tenant).where(Tenant.id.in_(list(tenant_ids))))
    return {tenant.id: tenant for tenant in rows.scalars()}


async def tariff_exists(db: AsyncSession, tariff_id: int) -> bool:
    return await db.scalar(select(Tariff.id).where(Tariff.id == tariff_id)) is not None


async def count_assignments(db: AsyncSession, tenant_id: int) -> int:
    count = await db.scalar(
        select(func.count()).select_from(TenantMeter).where(TenantMeter.tenant_id == tenant_id)
    )
    return int(count or 0)


# ---------------------------------------------------------------- assignments


async def get_assignment(db: AsyncSession, assignment_id: int) -> TenantMeter | None:
    return await db.get(TenantMeter, assignment_id)


async def list_assignments(db: AsyncSession, tenant_id: int) -> list[TenantMeter]:
    """The tenant's assignments, newest first."""
    rows = await db.execute(
        select(TenantMeter)
        .where(TenantMeter.tenant_id == tenant_id)
        .order_by(TenantMeter.start_at.desc(), TenantMeter.id.desc())
    )
    return list(rows.scalars())


async def site_assignments(
    db: AsyncSession, site_id: int, lo: datetime, hi: datetime
) -> list[TenantMeter]:
    """Every assignment of the site's tenants that overlaps ``[lo, hi)``, by start."""
    rows = await db.execute(
        select(TenantMeter)
        .join(Tenant, Tenant.id == TenantMeter.tenant_id)
        .where(
            Tenant.site_id == site_id,
            TenantMeter.start_at < hi,
            or_(TenantMeter.end_at.is_(None), TenantMeter.end_at > lo),
        )
        .order_by(TenantMeter.start_at, TenantMeter.id)
    )
    return list(rows.scalars())


async def overlapping(
    db: AsyncSession,
    device_id: int | None,
    virtual_meter_id: int | None,
    start: datetime,
    end: datetime | None,
    except_id: int | None,
) -> list[tuple[TenantMeter, Tenant]]:
    """The assignments of the same meter whose span overlaps ``[start, end)`` (``end`` null:
    open), with their tenants; ``except_id`` (the assignment being changed) left out."""
    query = (
        select(TenantMeter, Tenant)
        .join(Tenant, Tenant.id == TenantMeter.tenant_id)
        .where(
            TenantMeter.device_id == device_id
            if device_id is not None
            else TenantMeter.virtual_meter_id == virtual_meter_id,
            or_(TenantMeter.end_at.is_(None), TenantMeter.end_at > start),
        )
        .order_by(TenantMeter.start_at, TenantMeter.id)
    )
    if end is not None:
        query = query.where(TenantMeter.start_at < end)
    if except_id is not None:
        query = query.where(TenantMeter.id != except_id)
    rows = await db.execute(query)
    return [(assignment, tenant) for assignment, tenant in rows]


# ---------------------------------------------------------------- meters


async def devices(db: AsyncSession, device_ids: Sequence[int]) -> dict[int, Device]:
    if not device_ids:
        return {}
    rows = await db.execute(select(Device).where(Device.id.in_(list(device_ids))))
    return {device.id: device for device in rows.scalars()}


async def virtual_meters(db: AsyncSession, meter_ids: Sequence[int]) -> dict[int, VirtualMeter]:
    if not meter_ids:
        return {}
    rows = await db.execute(select(VirtualMeter).where(VirtualMeter.id.in_(list(meter_ids))))
    return {meter.id: meter for meter in rows.scalars()}


async def site_devices(db: AsyncSession, site_id: int) -> list[Device]:
    rows = await db.execute(select(Device).where(Device.site_id == site_id).order_by(Device.id))
    return list(rows.scalars())


async def site_virtual_meters(db: AsyncSession, site_id: int) -> list[VirtualMeter]:
    rows = await db.execute(
        select(VirtualMeter).where(VirtualMeter.site_id == site_id).order_by(VirtualMeter.id)
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- readings


async def register_readings(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> dict[int, Readings]:
    """Each device's register readings for ``[lo, hi]``, plus one either side, by device id;
    a device with fewer than two readings there is left out (as ``meter_readings``)."""
    return await billing_repository.meter_readings(db, device_ids, lo, hi)


@dataclass(frozen=True)
class Holding:
    """A device read for one column of a tenant's energy: weighed by ``coefficient`` (a
    virtual meter's), only over ``[start, end)``, the instants the tenant held the meter."""

    column: int
    device_id: int
    coefficient: float
    start: datetime
    end: datetime


async def held_energy(
    db: AsyncSession,
    holdings: Sequence[Holding],
    lo: datetime,
    hi: datetime,
    interval: Interval,
    timezone: str,
) -> dict[tuple[int, datetime], float | None]:
    """Energy import per column and local bucket from the 15-minute rollups: the sum of
    coefficient * each device's, of the buckets wholly inside a held span (as row-level
    security gives a tenant user its meters), keyed like ``buckets.bucket_key``."""
    if not holdings:
        return {}
    query = f"""
        SELECT h.col, {bucket_key_sql(interval, "r.bucket_start")} AS bucket,
               sum(h.coefficient * r.energy_import_kwh)
        FROM monitoring.rollup_15m r
        JOIN unnest(CAST(:cols AS integer[]), CAST(:ids AS bigint[]),
                    CAST(:coefficients AS double precision[]),
                    CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]))
             AS h(col, device_id, coefficient, start_at, end_at)
          ON h.device_id = r.device_id AND r.bucket_start >= h.start_at
             AND r.bucket_start + interval '15 minutes' <= h.end_at
        WHERE r.device_id = ANY(:ids) AND r.bucket_start >= :lo AND r.bucket_start < :hi
        GROUP BY 1, 2"""  # noqa: S608 - the bucket SQL is ours; every value is bound
    params = {
        "cols": [h.column for h in holdings],
        "ids": [h.device_id for h in holdings],
        "coefficients": [h.coefficient for h in holdings],
        "starts": [h.start for h in holdings],
        "ends": [h.end for h in holdings],
        "lo": lo,
        "hi": hi,
        "tz": timezone,
    }
    rows = await db.execute(text(query), params)
    return {
        (int(col), bucket if bucket.tzinfo is None else bucket.astimezone(UTC)): (
            None if kwh is None else float(kwh)
        )
        for col, bucket, kwh in rows
    }
