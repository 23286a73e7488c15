"""The SQL of sites, devices and device tokens.

A site read here carries its ``device_count`` and ``metering`` and a device its
``last_reading_at`` (query expressions on the models): read schemas take them from the row.
Which devices a site's figures add up is ``metered_device_ids``, the one place that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, case, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, with_expression
from sqlalchemy.sql.selectable import ScalarSelect

from power_portal.db.models import Base
from power_portal.measurements.models import power_measurements
from power_portal.sites.models import Device, DeviceToken, Site
from power_portal.sites.tree import TreeDevice
from power_portal.tariffs.models import Tariff

Model = TypeVar("Model", bound=Base)


async def save(db: AsyncSession, row: Base) -> None:
    """Add and flush: ids and server defaults are set, a unique index may refuse it here."""
    db.add(row)
    await db.flush()


async def refresh(db: AsyncSession, row: Base) -> None:
    """Read back every column of a flushed row (server defaults, columns left unset)."""
    await db.refresh(row)


async def delete(db: AsyncSession, row: Base) -> None:
    await db.delete(row)
    await db.flush()


def _with_expression(
    query: Select[Model], attribute: QueryableAttribute[Any], expression: ScalarSelect[Any]
) -> Select[Model]:
    """``query`` filling in a query-expression attribute, also on rows already in the session."""
    return query.options(with_expression(attribute, expression)).execution_options(
        populate_existing=True
    )


# ---------------------------------------------------------------- sites


SUPPLY = "supply"


def _sites() -> Select[Site]:
    device_count = select(func.count()).where(Device.site_id == Site.id).correlate(Site)
    has_supply = exists().where(Device.site_id == Site.id, Device.role == SUPPLY).correlate(Site)
    metering = select(case((has_supply, "supply_points"), else_="all_devices"))
    query = _with_expression(select(Site), Site.device_count, device_count.scalar_subquery())
    return query.options(with_expression(Site.metering, metering.scalar_subquery()))


async def get_site(db: AsyncSession, site_id: int) -> Site | None:
    return (await db.execute(_sites().where(Site.id == site_id))).scalar_one_or_none()


async def list_sites(db: AsyncSession) -> list[Site]:
    return list((await db.execute(_sites().order_by(Site.name, Site.id))).scalars())


async def site_named(db: AsyncSession, name: str) -> Site | None:
    return (await db.execute(_sites().where(Site.name == name))).scalars().first()


async def count_sites(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(Site))).scalar_one())


async def count_devices(db: AsyncSession, site_id: int) -> int:
    return int(
        (await db.execute(select(func.count()).where(Device.site_id == site_id))).scalar_one()
    )


async def site_timezone(db: AsyncSession, site_id: int) -> str:
    return str((await db.execute(select(Site.timezone).where(Site.id == site_id))).scalar_one())


async def tariff_exists(db: AsyncSession, tariff_id: int) -> bool:
    found = await db.execute(select(Tariff.id).where(Tariff.id == tariff_id))
    return found.first() is not None


# ---------------------------------------------------------------- devices


def _devices() -> Select[Device]:
    measurements = power_measurements.c
    last_reading = select(func.max(measurements.time)).where(measurements.device_id == Device.id)
    return _with_expression(
        select(Device), Device.last_reading_at, last_reading.correlate(Device).scalar_subquery()
    )


async def get_device(db: AsyncSession, device_id: int) -> Device | None:
    return (await db.execute(_devices().where(Device.id == device_id))).scalar_one_or_none()


async def list_devices(db: AsyncSession, site_id: int | None = None) -> list[Device]:
    query = _devices().order_by(Device.name, Device.id)
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    return list((await db.execute(query)).scalars())


async def device_ids_of_site(db: AsyncSession, site_id: int) -> list[int]:
    rows = await db.execute(
        select(Device.id).where(Device.site_id == site_id).order_by(Device.name, Device.id)
    )
    return [int(device_id) for device_id in rows.scalars()]


async def metered_device_ids(db: AsyncSession, site_id: int) -> list[int]:
    """The devices a site's own figures (energy, summary, bill, costs) add up: its supply
    points, or every device of a site that has none."""
    rows = await db.execute(
        select(Device.id)
        .where(
            Device.site_id == site_id,
            (Device.role == SUPPLY)
            | ~exists().where(Device.site_id == site_id, Device.role == SUPPLY),
        )
        .order_by(Device.name, Device.id)
    )
    return [int(device_id) for device_id in rows.scalars()]


async def tree_devices(db: AsyncSession, site_id: int) -> list[TreeDevice]:
    """The site's devices as the metering tree sees them, by id."""
    rows = await db.execute(
        select(Device.id, Device.name, Device.parent_id, Device.role)
        .where(Device.site_id == site_id)
        .order_by(Device.id)
    )
    return [
        TreeDevice(int(i), str(n), None if p is None else int(p), str(r)) for i, n, p, r in rows
    ]


async def first_child(db: AsyncSession, device_id: int) -> Device | None:
    """One device directly below ``device_id`` (by name), or None."""
    rows = await db.execute(
        select(Device).where(Device.parent_id == device_id).order_by(Device.name, Device.id)
    )
    return rows.scalars().first()


class VirtualMeterUse(NamedTuple):
    meter_id: int
    name: str


async def virtual_meter_using(db: AsyncSession, device_id: int) -> VirtualMeterUse | None:
    """A virtual meter with a term naming ``device_id`` (by name), or None."""
    row = (
        await db.execute(
            text("""
                SELECT m.id, m.name FROM app.virtual_meter_terms t
                JOIN app.virtual_meters m ON m.id = t.virtual_meter_id
                WHERE t.device_id = :device_id ORDER BY m.name, m.id LIMIT 1
            """),
            {"device_id": device_id},
        )
    ).one_or_none()
    return None if row is None else VirtualMeterUse(int(row[0]), str(row[1]))


async def tenant_holding(db: AsyncSession, device_id: int) -> str | None:
    """The name of a tenant that holds or held ``device_id`` (the first by name), or None."""
    name = (
        await db.execute(
            text("""
                SELECT t.name FROM app.tenant_meters m JOIN app.tenants t ON t.id = m.tenant_id
                WHERE m.device_id = :device_id ORDER BY t.name, t.id LIMIT 1
            """),
            {"device_id": device_id},
        )
    ).scalar_one_or_none()
    return None if name is None else str(name)


async def device_by_serial(db: AsyncSession, serial: str) -> Device | None:
    return (await db.execute(_devices().where(Device.serial == serial))).scalars().first()


async def device_by_id_or_serial(db: AsyncSession, device: str) -> Device | None:
    """The device whose serial is ``device``, or whose id it is (when it is a number)."""
    condition = Device.serial == device
    if device.isdigit():
        condition = (Device.id == int(device)) | condition
    return (await db.execute(_devices().where(condition))).scalars().first()


# ---------------------------------------------------------------- tokens


class TokenUse(NamedTuple):
    token_id: int
    device_id: int
    last_used_at: datetime | None


async def get_token(db: AsyncSession, token_id: int) -> DeviceToken | None:
    return await db.get(DeviceToken, token_id)


async def list_tokens(db: AsyncSession, device_id: int) -> list[DeviceToken]:
    rows = await db.execute(
        select(DeviceToken).where(DeviceToken.device_id == device_id).order_by(DeviceToken.id)
    )
    return list(rows.scalars())


async def live_token_ids(db: AsyncSession, device_id: int, label: str) -> list[int]:
    """The device's unrevoked tokens issued with ``label``."""
    rows = await db.execute(
        select(DeviceToken.id).where(
            DeviceToken.device_id == device_id,
            DeviceToken.label == label,
            DeviceToken.revoked_at.is_(None),
        )
    )
    return [int(token_id) for token_id in rows.scalars()]


async def live_token(db: AsyncSession, digest: str) -> TokenUse | None:
    """The unrevoked token with this SHA-256."""
    row = (
        await db.execute(
            select(DeviceToken.id, DeviceToken.device_id, DeviceToken.last_used_at).where(
                DeviceToken.token_sha256 == digest, DeviceToken.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    return None if row is None else TokenUse(int(row[0]), int(row[1]), row[2])


async def touch_token(db: AsyncSession, token_id: int, now: datetime) -> None:
    await db.execute(update(DeviceToken).where(DeviceToken.id == token_id).values(last_used_at=now))
