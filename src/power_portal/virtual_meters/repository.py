"""The SQL of virtual meters: the meters and their terms, and their readings from the rollups.

A reading query takes the meter's device coefficients (``formula.expand``) as two parallel
arrays and joins ``unnest(ids, coefficients)`` to ``monitoring.rollup_15m``: one query per
reading, sum of coefficient * each device's value, no copy of the data. Callers flush the devices'
pending rollup ranges first (``measurements.rollup_queue.flush``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.scope import held_buckets, held_readings
from power_portal.db.models import Base
from power_portal.measurements.fields import SERIES_FIELDS
from power_portal.measurements.repository import bucket_key_sql
from power_portal.measurements.schemas import Interval
from power_portal.sites.models import Device, Site
from power_portal.virtual_meters.formula import Term
from power_portal.virtual_meters.models import VirtualMeter, VirtualMeterTerm


async def save(db: AsyncSession, row: Base) -> None:
    """Add and flush: ids and server defaults are set."""
    db.add(row)
    await db.flush()


async def refresh(db: AsyncSession, row: Base) -> None:
    await db.refresh(row)


async def delete_meter(db: AsyncSession, meter: VirtualMeter) -> None:
    """Delete the meter (its terms go with it: ``ON DELETE CASCADE``)."""
    await db.delete(meter)
    await db.flush()


# ---------------------------------------------------------------- meters and terms


async def get_meter(db: AsyncSession, meter_id: int) -> VirtualMeter | None:
    return await db.get(VirtualMeter, meter_id)


async def list_meters(db: AsyncSession, site_id: int) -> list[VirtualMeter]:
    rows = await db.execute(
        select(VirtualMeter)
        .where(VirtualMeter.site_id == site_id)
        .order_by(VirtualMeter.name, VirtualMeter.id)
    )
    return list(rows.scalars())


async def lock_site(db: AsyncSession, site_id: int) -> None:
    """Hold the site's row until the transaction ends: writes of its virtual meters queue."""
    await db.execute(select(Site.id).where(Site.id == site_id).with_for_update())


async def site_terms(db: AsyncSession, site_id: int) -> dict[int, list[Term]]:
    """The terms of every virtual meter of the site, by meter, in order (a meter without
    terms maps to an empty list)."""
    rows = await db.execute(
        select(
            VirtualMeter.id,
            VirtualMeterTerm.sign,
            VirtualMeterTerm.device_id,
            VirtualMeterTerm.meter_id,
        )
        .outerjoin(VirtualMeterTerm, VirtualMeterTerm.virtual_meter_id == VirtualMeter.id)
        .where(VirtualMeter.site_id == site_id)
        .order_by(VirtualMeter.id, VirtualMeterTerm.position)
    )
    terms: dict[int, list[Term]] = {}
    for meter_id, sign, device_id, term_meter_id in rows:
        entry = terms.setdefault(int(meter_id), [])
        if sign is not None:
            entry.append(Term(int(sign), device_id, term_meter_id))
    return terms


async def replace_terms(db: AsyncSession, meter_id: int, terms: Sequence[Term]) -> None:
    """The meter's terms become ``terms``, numbered in order."""
    await db.execute(delete(VirtualMeterTerm).where(VirtualMeterTerm.virtual_meter_id == meter_id))
    db.add_all(
        VirtualMeterTerm(
            virtual_meter_id=meter_id,
            position=position,
            sign=term.sign,
            device_id=term.device_id,
            meter_id=term.meter_id,
        )
        for position, term in enumerate(terms)
    )
    await db.flush()


class Owned(NamedTuple):
    """A device or virtual meter a term names: its site and name."""

    site_id: int
    name: str


async def devices(db: AsyncSession, device_ids: Sequence[int]) -> dict[int, Owned]:
    rows = await db.execute(
        select(Device.id, Device.site_id, Device.name).where(Device.id.in_(list(device_ids)))
    )
    return {int(i): Owned(int(site_id), name) for i, site_id, name in rows}


async def meters(db: AsyncSession, meter_ids: Sequence[int]) -> dict[int, Owned]:
    rows = await db.execute(
        select(VirtualMeter.id, VirtualMeter.site_id, VirtualMeter.name).where(
            VirtualMeter.id.in_(list(meter_ids))
        )
    )
    return {int(i): Owned(int(site_id), name) for i, site_id, name in rows}


async def names_of_users(db: AsyncSession, meter_id: int) -> list[str]:
    """The names of the virtual meters that have ``meter_id`` among their terms."""
    rows = await db.execute(
        select(VirtualMeter.name)
        .join(VirtualMeterTerm, VirtualMeterTerm.virtual_meter_id == VirtualMeter.id)
        .where(VirtualMeterTerm.meter_id == meter_id)
        .distinct()
        .order_by(VirtualMeter.name)
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- readings


# The coefficients as a relation: joined to the rollup, each row weighs its device's values.
_COEFFICIENTS = """
    JOIN unnest(CAST(:ids AS bigint[]), CAST(:coefficients AS double precision[]))
         AS c(device_id, coefficient) ON c.device_id = r.device_id"""


def _params(coefficients: Mapping[int, int], lo: datetime, hi: datetime) -> dict[str, object]:
    return {
        "ids": list(coefficients),
        "coefficients": [float(c) for c in coefficients.values()],
        "lo": lo,
        "hi": hi,
    }


async def energy(
    db: AsyncSession,
    coefficients: Mapping[int, int],
    lo: datetime,
    hi: datetime,
    interval: Interval,
    timezone: str,
) -> dict[datetime, tuple[float, float]]:
    """sum of coefficient * energy (import, export) per local bucket that has any rollup row, keyed
    as ``buckets.bucket_key`` (a UTC instant for an hour, the naive local start otherwise)."""
    query = f"""
        SELECT {bucket_key_sql(interval, "r.bucket_start")} AS bucket,
               sum(c.coefficient * r.energy_import_kwh),
               sum(c.coefficient * r.energy_export_kwh)
        FROM monitoring.rollup_15m r {_COEFFICIENTS}
        WHERE r.device_id = ANY(:ids) AND r.bucket_start >= :lo AND r.bucket_start < :hi
              {held_buckets(db, "r")}
        GROUP BY 1"""
    rows = await db.execute(text(query), _params(coefficients, lo, hi) | {"tz": timezone})
    return {
        (bucket if bucket.tzinfo is None else bucket.astimezone(UTC)): (float(imp), float(exp))
        for bucket, imp, exp in rows
    }


async def series(
    db: AsyncSession,
    coefficients: Mapping[int, int],
    lo: datetime,
    hi: datetime,
    fields: Sequence[str],
    bucket: timedelta,
) -> dict[datetime, tuple[float | None, ...]]:
    """Per series bucket (from ``lo``), sum of coefficient * each device's average of each field;
    ``fields`` are ``measurements.fields.SERIES_FIELDS`` (the route refuses others first)."""
    unknown = set(fields) - set(SERIES_FIELDS)
    if unknown:  # never let a name reach the SQL
        raise ValueError(f"unknown series fields {sorted(unknown)}")
    averages = ", ".join(
        f"sum(r.{f}_avg * r.sample_count) / nullif(sum(r.sample_count) "
        f"FILTER (WHERE r.{f}_avg IS NOT NULL), 0) AS {f}"
        for f in fields
    )
    combined = ", ".join(f"sum(c.coefficient * d.{f})" for f in fields)
    query = f"""
        WITH per_device AS (
            SELECT date_bin(:bucket, r.bucket_start, :lo) AS b, r.device_id, {averages}
            FROM monitoring.rollup_15m r
            WHERE r.device_id = ANY(:ids) AND r.bucket_start >= :lo AND r.bucket_start < :hi
                  {held_buckets(db, "r")}
              AND r.sample_count > 0
            GROUP BY 1, 2
        )
        SELECT d.b, {combined}
        FROM per_device d {_COEFFICIENTS.replace("r.device_id", "d.device_id")}
        GROUP BY 1"""
    rows = await db.execute(text(query), _params(coefficients, lo, hi) | {"bucket": bucket})
    return {row[0].astimezone(UTC): tuple(row[1:]) for row in rows}


@dataclass(frozen=True)
class Totals:
    energy_import_kwh: float
    energy_export_kwh: float


async def totals(
    db: AsyncSession, coefficients: Mapping[int, int], lo: datetime, hi: datetime
) -> Totals:
    row = (
        await db.execute(
            text(f"""
                SELECT coalesce(sum(c.coefficient * r.energy_import_kwh), 0),
                       coalesce(sum(c.coefficient * r.energy_export_kwh), 0)
                FROM monitoring.rollup_15m r {_COEFFICIENTS}
                WHERE r.device_id = ANY(:ids) AND r.bucket_start >= :lo AND r.bucket_start < :hi
                      {held_buckets(db, "r")}
            """),
            _params(coefficients, lo, hi),
        )
    ).one()
    return Totals(float(row[0]), float(row[1]))


class Peak(NamedTuple):
    kw: float
    at: datetime


async def peak_demand(
    db: AsyncSession, coefficients: Mapping[int, int], lo: datetime, hi: datetime
) -> Peak | None:
    """The 30-minute block (two 15-minute buckets) with the highest combined average power:
    coincident, sum of coefficient * energy of the block, times 2 for kW. None without data."""
    row = (
        await db.execute(
            text(f"""
                SELECT date_bin(interval '30 minutes', r.bucket_start,
                                timestamptz '2000-01-01 00:00:00+00') AS block,
                       sum(c.coefficient * r.energy_import_kwh) * 2 AS kw
                FROM monitoring.rollup_15m r {_COEFFICIENTS}
                WHERE r.device_id = ANY(:ids) AND r.bucket_start >= :lo AND r.bucket_start < :hi
                      {held_buckets(db, "r")}
                GROUP BY 1
                ORDER BY kw DESC NULLS LAST LIMIT 1
            """),
            _params(coefficients, lo, hi),
        )
    ).one_or_none()
    if row is None or row.kw is None:
        return None
    return Peak(float(row.kw), row.block)


async def last_reading(db: AsyncSession, device_ids: Sequence[int]) -> datetime | None:
    """The newest reading of any of the devices."""
    moment: datetime | None = (
        await db.execute(
            text(f"""
                SELECT max(last.time) FROM unnest(CAST(:ids AS bigint[])) AS d(id),
                LATERAL (SELECT max(time) AS time FROM monitoring.power_measurements
                         WHERE device_id = d.id{held_readings(db)}) AS last
            """),
            {"ids": list(device_ids)},
        )
    ).scalar_one()
    return moment
