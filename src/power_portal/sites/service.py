"""Sites, devices and device tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ScalarSelect

from power_portal.core.errors import ConflictError, FieldError, NotFoundError
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.measurements.models import power_measurements
from power_portal.sites.models import Device, DeviceToken, Site
from power_portal.sites.schemas import (
    DeviceCreate,
    DeviceRead,
    DeviceUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "ppd_"  # noqa: S105 - a public marker that tokens start with
# Don't write last_used_at on every batch: once a minute is plenty.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


# ---------------------------------------------------------------- sites


async def list_sites(db: AsyncSession) -> list[SiteRead]:
    counts = select(Device.site_id, func.count().label("n")).group_by(Device.site_id).subquery()
    rows = await db.execute(
        select(Site, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.site_id == Site.id)
        .order_by(Site.name, Site.id)
    )
    result = []
    for site, device_count in rows:
        read = SiteRead.model_validate(site)
        read.device_count = int(device_count)
        result.append(read)
    return result


async def get_site(db: AsyncSession, site_id: int) -> Site:
    site = await db.get(Site, site_id)
    if site is None:
        raise NotFoundError(f"no site with id {site_id}")
    return site


async def site_read(db: AsyncSession, site: Site) -> SiteRead:
    read = SiteRead.model_validate(site)
    read.device_count = int(
        (await db.execute(select(func.count()).where(Device.site_id == site.id))).scalar_one()
    )
    return read


async def _check_tariff(db: AsyncSession, tariff_id: int | None) -> None:
    from power_portal.tariffs.models import Tariff

    if tariff_id is not None and await db.get(Tariff, tariff_id) is None:
        raise FieldError("tariff_id", f"no tariff with id {tariff_id}")


async def create_site(db: AsyncSession, data: SiteCreate) -> Site:
    await _check_tariff(db, data.tariff_id)
    site = Site(**data.model_dump())
    db.add(site)
    await db.commit()
    await db.refresh(site)
    log.info("sites.created", site_id=site.id)
    return site


async def update_site(db: AsyncSession, site_id: int, data: SiteUpdate) -> Site:
    site = await get_site(db, site_id)
    changes = data.model_dump(exclude_unset=True)
    await _check_tariff(db, changes.get("tariff_id"))
    for field, value in changes.items():
        if value is None and field in ("name", "timezone"):
            raise FieldError(field, "may not be empty")
        setattr(site, field, value)
    await db.commit()
    await db.refresh(site)
    return site


async def delete_site(db: AsyncSession, site_id: int) -> None:
    site = await get_site(db, site_id)
    has_devices = (
        await db.execute(select(func.count()).where(Device.site_id == site_id))
    ).scalar_one()
    if has_devices:
        raise ConflictError(
            f"site {site_id} still has {has_devices} device(s): move or delete them first"
        )
    await db.delete(site)
    await db.commit()


# ---------------------------------------------------------------- devices


def _last_reading_subquery() -> ScalarSelect[datetime]:
    return (
        select(func.max(power_measurements.c.time))
        .where(power_measurements.c.device_id == Device.id)
        .scalar_subquery()
    )


async def list_devices(db: AsyncSession, site_id: int | None = None) -> list[DeviceRead]:
    query = select(Device, _last_reading_subquery()).order_by(Device.name, Device.id)
    if site_id is not None:
        await get_site(db, site_id)
        query = query.where(Device.site_id == site_id)
    result = []
    for device, last in await db.execute(query):
        read = DeviceRead.model_validate(device)
        read.last_reading_at = last
        result.append(read)
    return result


async def get_device(db: AsyncSession, device_id: int) -> Device:
    device = await db.get(Device, device_id)
    if device is None:
        raise NotFoundError(f"no device with id {device_id}")
    return device


async def device_read(db: AsyncSession, device: Device) -> DeviceRead:
    read = DeviceRead.model_validate(device)
    read.last_reading_at = (
        await db.execute(
            select(func.max(power_measurements.c.time)).where(
                power_measurements.c.device_id == device.id
            )
        )
    ).scalar_one()
    return read


async def _commit_unique_serial(db: AsyncSession) -> None:
    try:
        await db.commit()
    except IntegrityError as exc:
        await db.rollback()
        raise FieldError("serial", "another device already has this serial", "unique") from exc


async def create_device(db: AsyncSession, site_id: int, data: DeviceCreate) -> Device:
    await get_site(db, site_id)
    device = Device(site_id=site_id, **data.model_dump())
    db.add(device)
    await _commit_unique_serial(db)
    await db.refresh(device)
    log.info("devices.created", device_id=device.id, site_id=site_id)
    return device


async def update_device(db: AsyncSession, device_id: int, data: DeviceUpdate) -> Device:
    device = await get_device(db, device_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("site_id") is not None:
        try:
            await get_site(db, changes["site_id"])
        except NotFoundError as exc:
            raise FieldError("site_id", f"no site with id {changes['site_id']}") from exc
    for field, value in changes.items():
        if value is None and field in ("name", "serial", "site_id"):
            raise FieldError(field, "may not be empty")
        setattr(device, field, value)
    await _commit_unique_serial(db)
    await db.refresh(device)
    return device


async def delete_device(db: AsyncSession, device_id: int) -> None:
    """Delete a device with its tokens, measurements and rollups."""
    device = await get_device(db, device_id)
    await db.delete(device)
    await db.commit()
    log.info("devices.deleted", device_id=device_id)


# ---------------------------------------------------------------- tokens


async def issue_token(
    db: AsyncSession, device_id: int, label: str | None
) -> tuple[DeviceToken, str]:
    await get_device(db, device_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = DeviceToken(
        device_id=device_id,
        token_sha256=token_digest(token),
        prefix=token[:12],
        label=label or None,
    )
    db.add(row)
    await db.commit()
    await db.refresh(row)
    log.info("device_tokens.issued", device_id=device_id, token_id=row.id, prefix=row.prefix)
    return row, token


async def list_tokens(db: AsyncSession, device_id: int) -> list[DeviceToken]:
    await get_device(db, device_id)
    rows = await db.execute(
        select(DeviceToken).where(DeviceToken.device_id == device_id).order_by(DeviceToken.id)
    )
    return list(rows.scalars())


async def revoke_token(db: AsyncSession, device_id: int, token_id: int) -> DeviceToken:
    row = await db.get(DeviceToken, token_id)
    if row is None or row.device_id != device_id:
        raise NotFoundError(f"device {device_id} has no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await db.commit()
        await db.refresh(row)
        log.info("device_tokens.revoked", device_id=device_id, token_id=token_id)
    return row


async def device_for_token(db: AsyncSession, token: str) -> int | None:
    """The device a live token belongs to (None: unknown or revoked); notes its use."""
    row = (
        await db.execute(
            select(DeviceToken.id, DeviceToken.device_id, DeviceToken.last_used_at).where(
                DeviceToken.token_sha256 == token_digest(token),
                DeviceToken.revoked_at.is_(None),
            )
        )
    ).one_or_none()
    if row is None:
        return None
    token_id, device_id, last_used = row
    now = utcnow()
    if last_used is None or now - last_used >= TOKEN_TOUCH_INTERVAL:
        await db.execute(
            update(DeviceToken).where(DeviceToken.id == token_id).values(last_used_at=now)
        )
        await db.commit()
    return int(device_id)
