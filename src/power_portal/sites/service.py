"""Sites, devices and device tokens, and the readings of a site or device (from measurements).

Functions flush, never commit: the request's session commits once (``core.deps.SessionDep``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, FieldError, NotFoundError, found
from power_portal.core.request_checks import DateSpan
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.measurements import repository as readings
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.schemas import EnergyResponse, Interval, SeriesResponse, Summary
from power_portal.sites import repository
from power_portal.sites.models import Device, DeviceToken, Site
from power_portal.sites.repository import TokenUse
from power_portal.sites.schemas import (
    DeviceCreate,
    DeviceTokenIssued,
    DeviceTokenRead,
    DeviceUpdate,
    SeriesQuery,
    SiteCreate,
    SiteUpdate,
)

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "ppd_"  # noqa: S105 - a public marker that tokens start with
# Don't write last_used_at on every batch: once a minute is plenty.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


# ---------------------------------------------------------------- sites


async def list_sites(db: AsyncSession) -> list[Site]:
    return await repository.list_sites(db)


async def get_site(db: AsyncSession, site_id: int) -> Site:
    return found(await repository.get_site(db, site_id), f"site with id {site_id}")


async def _check_tariff(db: AsyncSession, tariff_id: int | None) -> None:
    if tariff_id is not None and not await repository.tariff_exists(db, tariff_id):
        raise FieldError("tariff_id", f"no tariff with id {tariff_id}")


async def create_site(db: AsyncSession, data: SiteCreate) -> Site:
    await _check_tariff(db, data.tariff_id)
    site = Site(**data.model_dump())
    await repository.save(db, site)
    log.info("sites.created", site_id=site.id)
    return await get_site(db, site.id)


async def update_site(db: AsyncSession, site_id: int, data: SiteUpdate) -> Site:
    site = await get_site(db, site_id)
    changes = data.model_dump(exclude_unset=True)
    await _check_tariff(db, changes.get("tariff_id"))
    for field, value in changes.items():
        if value is None and field in ("name", "timezone"):
            raise FieldError(field, "may not be empty")
        setattr(site, field, value)
    await repository.save(db, site)
    return await get_site(db, site_id)


async def delete_site(db: AsyncSession, site: Site) -> None:
    devices = await repository.count_devices(db, site.id)
    if devices:
        raise ConflictError(
            f"site {site.id} still has {devices} device(s): move or delete them first"
        )
    await repository.delete(db, site)


# ---------------------------------------------------------------- devices


async def list_devices(db: AsyncSession, site_id: int | None = None) -> list[Device]:
    return await repository.list_devices(db, site_id)


async def get_device(db: AsyncSession, device_id: int) -> Device:
    return found(await repository.get_device(db, device_id), f"device with id {device_id}")


async def _save_unique_serial(db: AsyncSession, device: Device) -> None:
    try:
        await repository.save(db, device)
    except IntegrityError as exc:
        raise FieldError("serial", "another device already has this serial", "unique") from exc


async def create_device(db: AsyncSession, site_id: int, data: DeviceCreate) -> Device:
    await get_site(db, site_id)
    device = Device(site_id=site_id, **data.model_dump())
    await _save_unique_serial(db, device)
    log.info("devices.created", device_id=device.id, site_id=site_id)
    return await get_device(db, device.id)


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
    await _save_unique_serial(db, device)
    return await get_device(db, device_id)


async def delete_device(db: AsyncSession, device: Device) -> None:
    """Delete a device with its tokens, measurements and rollups."""
    await repository.delete(db, device)
    log.info("devices.deleted", device_id=device.id)


# ---------------------------------------------------------------- tokens


async def issue_token(db: AsyncSession, device_id: int, label: str | None) -> DeviceTokenIssued:
    """A new ingest token: the returned value is the only place the token itself appears."""
    await get_device(db, device_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = DeviceToken(
        device_id=device_id,
        token_sha256=token_digest(token),
        prefix=token[:12],
        label=label or None,
    )
    await repository.save(db, row)
    await repository.refresh(db, row)
    log.info("device_tokens.issued", device_id=device_id, token_id=row.id, prefix=row.prefix)
    return DeviceTokenIssued(**DeviceTokenRead.model_validate(row).model_dump(), token=token)


async def list_tokens(db: AsyncSession, device: Device) -> list[DeviceToken]:
    return await repository.list_tokens(db, device.id)


async def revoke_token(db: AsyncSession, device_id: int, token_id: int) -> DeviceToken:
    row = await repository.get_token(db, token_id)
    if row is None or row.device_id != device_id:
        raise NotFoundError(f"device {device_id} has no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await repository.save(db, row)
        log.info("device_tokens.revoked", device_id=device_id, token_id=token_id)
    return row


async def live_token(db: AsyncSession, token: str) -> TokenUse | None:
    """The unrevoked token a device presents (None: unknown or revoked)."""
    return await repository.live_token(db, token_digest(token))


async def note_token_use(db: AsyncSession, use: TokenUse) -> bool:
    """Write the token's ``last_used_at`` when the stored one is over a minute old; True
    when it did."""
    now = utcnow()
    if use.last_used_at is not None and now - use.last_used_at < TOKEN_TOUCH_INTERVAL:
        return False
    await repository.touch_token(db, use.token_id, now)
    return True


# ---------------------------------------------------------------- readings


async def site_energy(
    db: AsyncSession, site: Site, span: DateSpan, interval: Interval
) -> EnergyResponse:
    device_ids = await repository.device_ids_of_site(db, site.id)
    selection = SeriesSelection.devices(device_ids)
    return await readings.energy(db, selection, span.start, span.end, interval, site.timezone)


async def device_energy(
    db: AsyncSession, device: Device, span: DateSpan, interval: Interval
) -> EnergyResponse:
    zone = await repository.site_timezone(db, device.site_id)
    selection = SeriesSelection.devices([device.id])
    return await readings.energy(db, selection, span.start, span.end, interval, zone)


async def device_series(db: AsyncSession, device: Device, query: SeriesQuery) -> SeriesResponse:
    zone = await repository.site_timezone(db, device.site_id)
    return await readings.series(
        db, device.id, query.start, query.end, query.fields, zone, query.max_points
    )


async def device_latest(db: AsyncSession, device: Device) -> dict[str, object]:
    reading = await readings.latest(db, device.id)
    if reading is None:
        raise NotFoundError(f"device {device.id} has no readings")
    return reading


async def site_summary(db: AsyncSession, site: Site, span: DateSpan) -> Summary:
    device_ids = await repository.device_ids_of_site(db, site.id)
    return await readings.summary(db, device_ids, span.start, span.end, site.timezone)


async def device_summary(db: AsyncSession, device: Device, span: DateSpan) -> Summary:
    zone = await repository.site_timezone(db, device.site_id)
    return await readings.summary(db, [device.id], span.start, span.end, zone)
