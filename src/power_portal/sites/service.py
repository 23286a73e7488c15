"""Sites, devices and device tokens, the metering tree, and the readings of a site or device
(from measurements).

A site's own figures (energy, summary; its bill in ``billing``) add up ``metered_device_ids``:
its supply points, or all its devices when it has none. Functions flush, never commit: the
request's session commits once (``core.deps.SessionDep``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, FieldError, NotFoundError, found
from power_portal.core.exports import CsvFile
from power_portal.core.request_checks import DateSpan
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.core.xlsx import XlsxFile, local_naive, xlsx_file
from power_portal.measurements import repository as readings
from power_portal.measurements import rollup_queue
from power_portal.measurements.exports import energy_sheet, series_sheet
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.schemas import EnergyResponse, Interval, SeriesResponse, Summary
from power_portal.sites import repository, tree
from power_portal.sites.models import Device, DeviceToken, Site
from power_portal.sites.repository import TokenUse
from power_portal.sites.schemas import (
    DeviceCreate,
    DeviceRef,
    DeviceTokenIssued,
    DeviceTokenRead,
    DeviceUpdate,
    DiscrepancyWarning,
    Metering,
    MeteringTree,
    SeriesQuery,
    SiteCreate,
    SiteUpdate,
    TreeNode,
)
from power_portal.sites.tree import Role, TreeDevice
from power_portal.sites.tree_csv import TreeCsvRow, TreeInterval, tree_csv

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
    """Change a site; a new time zone rebuilds its devices' daily rollups (local days)."""
    site = await get_site(db, site_id)
    changes = data.model_dump(exclude_unset=True)
    await _check_tariff(db, changes.get("tariff_id"))
    old_timezone = site.timezone
    for field, value in changes.items():
        if value is None and field in ("name", "timezone", "discrepancy_percent"):
            raise FieldError(field, "may not be empty")
        setattr(site, field, value)
    await repository.save(db, site)
    if site.timezone != old_timezone:
        device_ids = await repository.device_ids_of_site(db, site_id)
        if device_ids:
            await rollup_queue.recount_days(db, device_ids)
            log.info("sites.timezone_changed", site_id=site_id, devices=len(device_ids))
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


async def _check_tree(
    db: AsyncSession, site_id: int, proposed: TreeDevice, changed: Mapping[str, Any]
) -> None:
    """Refuse (422) a device change that adds a problem to the site's metering tree; the
    ``loc`` is the field that made it: ``role`` when only the role changed, else
    ``parent_id``."""
    before = await repository.tree_devices(db, site_id)
    after = [d for d in before if d.id != proposed.id or not proposed.id] + [proposed]
    problem = tree.first_new_problem(before, after, proposed.id)
    if problem is None:
        return
    role_made_it = "role" in changed and "parent_id" not in changed
    if role_made_it and problem.kind in ("supply_with_parent", "no_supply_above"):
        raise FieldError("role", problem.message)
    raise FieldError("parent_id", problem.message)


async def create_device(db: AsyncSession, site_id: int, data: DeviceCreate) -> Device:
    await get_site(db, site_id)
    proposed = TreeDevice(0, data.name, data.parent_id, data.role)
    await _check_tree(db, site_id, proposed, data.model_dump(exclude_unset=True))
    device = Device(site_id=site_id, **data.model_dump())
    await _save_unique_serial(db, device)
    log.info("devices.created", device_id=device.id, site_id=site_id)
    return await get_device(db, device.id)


async def _check_move(db: AsyncSession, device: Device, site_id: int) -> bool:
    """A device may move to another site only without children (422 naming one). True when
    the new site's time zone differs (its daily rollups are then rebuilt)."""
    try:
        target = await get_site(db, site_id)
    except NotFoundError as exc:
        raise FieldError("site_id", f"no site with id {site_id}") from exc
    child = await repository.first_child(db, device.id)
    if child is not None:
        raise FieldError(
            "site_id",
            f"{device.name} (id {device.id}) still has devices below it, such as "
            f"{child.name} (id {child.id}): give them another parent before moving it",
        )
    return target.timezone != await repository.site_timezone(db, device.site_id)


async def update_device(db: AsyncSession, device_id: int, data: DeviceUpdate) -> Device:
    """Change a device. A move to another site clears its parent (unless the change names
    one there); a change of parent or role must leave the tree sound (``tree``)."""
    device = await get_device(db, device_id)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field in ("name", "serial", "site_id", "role"):
            raise FieldError(field, "may not be empty")
    moves = "site_id" in changes and changes["site_id"] != device.site_id
    if moves:
        await _refuse_if_in_virtual_meter(db, device, "moved to another site")
        await _refuse_if_held_by_a_tenant(db, device)
    new_zone = moves and await _check_move(db, device, changes["site_id"])
    if moves:
        changes.setdefault("parent_id", None)
    if moves or "parent_id" in changes or "role" in changes:
        proposed = TreeDevice(
            device.id,
            changes.get("name", device.name),
            changes.get("parent_id", device.parent_id),
            changes.get("role", device.role),
        )
        await _check_tree(db, changes.get("site_id", device.site_id), proposed, changes)
    for field, value in changes.items():
        setattr(device, field, value)
    await _save_unique_serial(db, device)
    if new_zone:
        await rollup_queue.recount_days(db, [device_id])
    return await get_device(db, device_id)


async def _refuse_if_in_virtual_meter(db: AsyncSession, device: Device, what: str) -> None:
    """A virtual meter's terms are meters of its own site: a device one uses can be neither
    deleted nor moved away (409 naming the virtual meter)."""
    user = await repository.virtual_meter_using(db, device.id)
    if user is not None:
        raise ConflictError(
            f"{device.name} (id {device.id}) is used by the virtual meter {user.name} "
            f"(id {user.meter_id}) and cannot be {what}: remove it from the virtual meter first"
        )


async def _refuse_if_held_by_a_tenant(db: AsyncSession, device: Device) -> None:
    """A tenant's meters are meters of its site, and its bills read them: a device a tenant
    holds or held cannot move to another site (409 naming the tenant)."""
    tenant = await repository.tenant_holding(db, device.id)
    if tenant is not None:
        raise ConflictError(
            f"{device.name} (id {device.id}) is or was held by the tenant {tenant} and cannot "
            "be moved to another site: delete its assignments first "
            "(DELETE /api/tenant-meters/{id})"
        )


async def place_new_device(
    db: AsyncSession, site_id: int, name: str, parent_id: int | None, role: Role
) -> int | None:
    """Where a device created outside this module (an accepted gateway) goes in the site's
    tree: the parent asked for, else the site's only supply point for a sub-meter (None
    when it has none or several); 422 when that leaves the tree unsound."""
    if parent_id is None and role == "submeter":
        supplies = [d.id for d in await repository.tree_devices(db, site_id) if d.role == "supply"]
        parent_id = supplies[0] if len(supplies) == 1 else None
    changed = {"parent_id": parent_id, "role": role}
    await _check_tree(db, site_id, TreeDevice(0, name, parent_id, role), changed)
    return parent_id


async def delete_device(db: AsyncSession, device: Device) -> None:
    """Delete a device with its tokens, measurements and rollups; its children become
    roots. A device a virtual meter uses is kept (409 naming the virtual meter)."""
    await _refuse_if_in_virtual_meter(db, device, "deleted")
    device_id, name = device.id, device.name  # a failed flush expires the row
    await rollup_queue.lock_devices(db, [device_id])
    try:
        await repository.delete(db, device)
    except IntegrityError as exc:
        if "tenant_meters" in str(exc.orig):
            raise ConflictError(
                f"{name} (id {device_id}) is or was held by a tenant: delete its "
                "assignments first (DELETE /api/tenant-meters/{id})"
            ) from exc
        if "virtual_meter_terms" not in str(exc.orig):
            raise
        # a virtual meter started using it since the check above
        raise ConflictError(
            f"{name} (id {device_id}) is used by a virtual meter: remove it from the "
            "virtual meter first"
        ) from exc
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


async def metered_device_ids(db: AsyncSession, site: Site) -> list[int]:
    """The devices a site's own figures add up (``repository.metered_device_ids``)."""
    return await repository.metered_device_ids(db, site.id)


async def site_energy(
    db: AsyncSession, site: Site, span: DateSpan, interval: Interval
) -> EnergyResponse:
    device_ids = await repository.metered_device_ids(db, site.id)
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


async def site_energy_xlsx(
    db: AsyncSession, site: Site, span: DateSpan, interval: Interval
) -> XlsxFile:
    """``site_energy`` as a workbook (``measurements.exports.energy_sheet``)."""
    energy = await site_energy(db, site, span, interval)
    name = f"energy-site{site.id}-{span.start}-{span.end}-{interval}.xlsx"
    return await xlsx_file(name, [energy_sheet(energy)])


async def device_energy_xlsx(
    db: AsyncSession, device: Device, span: DateSpan, interval: Interval
) -> XlsxFile:
    """``device_energy`` as a workbook (``measurements.exports.energy_sheet``)."""
    energy = await device_energy(db, device, span, interval)
    name = f"energy-device{device.id}-{span.start}-{span.end}-{interval}.xlsx"
    return await xlsx_file(name, [energy_sheet(energy)])


def _stamp(moment: datetime, zone: ZoneInfo) -> str:
    return f"{local_naive(moment, zone):%Y%m%dT%H%M}"


async def device_series_xlsx(db: AsyncSession, device: Device, query: SeriesQuery) -> XlsxFile:
    """``device_series`` as a workbook (``measurements.exports.series_sheet``)."""
    series = await device_series(db, device, query)
    zone = ZoneInfo(series.timezone)
    name = f"series-device{device.id}-{_stamp(query.start, zone)}-{_stamp(query.end, zone)}.xlsx"
    return await xlsx_file(name, [series_sheet(series)])


async def device_latest(db: AsyncSession, device: Device) -> dict[str, object]:
    reading = await readings.latest(db, device.id)
    if reading is None:
        raise NotFoundError(f"device {device.id} has no readings")
    return reading


async def site_summary(db: AsyncSession, site: Site, span: DateSpan) -> Summary:
    device_ids = await repository.metered_device_ids(db, site.id)
    return await readings.summary(db, device_ids, span.start, span.end, site.timezone)


async def device_summary(db: AsyncSession, device: Device, span: DateSpan) -> Summary:
    zone = await repository.site_timezone(db, device.site_id)
    return await readings.summary(db, [device.id], span.start, span.end, zone)


# ---------------------------------------------------------------- the metering tree


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _percent(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return round(part / whole * 100.0, 2)


def _metering(site: Site) -> Metering:
    return "supply_points" if site.metering == "supply_points" else "all_devices"


def _import_by_day(
    daily: Mapping[int, Mapping[date, tuple[float, float]]],
) -> dict[int, dict[date, float]]:
    return {device_id: {d: e[0] for d, e in days.items()} for device_id, days in daily.items()}


def _tree_nodes(
    devices: Sequence[TreeDevice], totals: Mapping[int, tuple[float, float]]
) -> list[TreeNode]:
    imports = {d.id: totals[d.id][0] if d.id in totals else None for d in devices}
    balances = tree.balances(devices, imports)
    supply_above = tree.has_supply_above(devices)
    nodes = []
    for device, depth in tree.tree_order(devices):
        balance = balances.get(device.id, tree.Balance(None, None))
        exported = totals.get(device.id)
        nodes.append(
            TreeNode(
                id=device.id,
                name=device.name,
                role=device.role,
                parent_id=device.parent_id,
                depth=depth,
                energy_import_kwh=_rounded(imports[device.id]),
                energy_export_kwh=_rounded(exported[1]) if exported else None,
                children_import_kwh=_rounded(balance.children_import_kwh),
                remainder_kwh=_rounded(balance.remainder_kwh),
                remainder_percent=_percent(balance.remainder_kwh, imports[device.id]),
                has_supply_above=supply_above[device.id],
            )
        )
    return nodes


def _warning(found: tree.Discrepancy) -> DiscrepancyWarning:
    return DiscrepancyWarning(
        parent_id=found.parent.id,
        parent_name=found.parent.name,
        children=[DeviceRef(id=child.id, name=child.name) for child in found.children],
        days=len(found.days),
        first_day=found.days[0],
        last_day=found.days[-1],
        parent_kwh=round(found.parent_kwh, 6),
        children_kwh=round(found.children_kwh, 6),
        excess_percent=found.excess_percent,
        message=found.message,
    )


async def _discrepancies(
    db: AsyncSession, devices: Sequence[TreeDevice], span: DateSpan, percent: float
) -> list[tree.Discrepancy]:
    """The discrepancy warnings: the database adds up each parent's children per day (a few
    thousand rows for a year, whatever the number of meters), the decision is ``tree``'s."""
    consuming = {d.id: d.parent_id for d in devices if d.parent_id and d.role != "generation"}
    generating = {d.id: d.parent_id for d in devices if d.parent_id and d.role == "generation"}
    consumed = await readings.daily_group_import(db, consuming, span.start, span.end)
    generated = await readings.daily_group_import(db, generating, span.start, span.end)
    child_sums: dict[int, dict[date, tuple[float, float]]] = {}
    for parent_id in consumed.keys() | generated.keys():
        drawn, fed = consumed.get(parent_id, {}), generated.get(parent_id, {})
        child_sums[parent_id] = {
            day: (drawn.get(day, 0.0), fed.get(day, 0.0)) for day in drawn.keys() | fed.keys()
        }
    parent_ids = sorted(set(consuming.values()) | set(generating.values()))
    parent_days = _import_by_day(await readings.daily_energy(db, parent_ids, span.start, span.end))
    warnings = []
    for days in tree.discrepancy_days(devices, parent_days, child_sums, percent):
        children = tree.consuming_children(devices, days.parent.id)
        named = await readings.devices_with_import_on(
            db, [child.id for child in children], days.days
        )
        warnings.append(tree.warning_of(days, (c for c in children if c.id in named)))
    return warnings


async def metering_tree(db: AsyncSession, site: Site, span: DateSpan) -> MeteringTree:
    """The site's meters in tree order with their energy over local dates ``[start, end)``,
    each parent's remainder, and the discrepancy warnings (from the daily rollups)."""
    devices = await repository.tree_devices(db, site.id)
    totals = await readings.energy_totals(db, [d.id for d in devices], span.start, span.end)
    metered = await repository.metered_device_ids(db, site.id)
    metered_totals = [totals[i][0] for i in metered if i in totals]
    discrepancies = await _discrepancies(db, devices, span, site.discrepancy_percent)
    return MeteringTree(
        timezone=site.timezone,
        start=span.start,
        end=span.end,
        metering=_metering(site),
        site_energy_import_kwh=_rounded(sum(metered_totals)) if metered_totals else None,
        nodes=_tree_nodes(devices, totals),
        discrepancies=[_warning(found) for found in discrepancies],
    )


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _bucket_starts(span: DateSpan, interval: TreeInterval) -> list[date]:
    days = [span.start + timedelta(days=n) for n in range((span.end - span.start).days)]
    return days if interval == "day" else sorted({_month_of(day) for day in days})


async def metering_tree_csv(
    db: AsyncSession, site: Site, span: DateSpan, interval: TreeInterval
) -> CsvFile:
    """The tree per local day or month, one row per device and bucket (``tree_csv``)."""
    devices = await repository.tree_devices(db, site.id)
    daily = await readings.daily_energy(db, [d.id for d in devices], span.start, span.end)
    bucket_of = (lambda day: day) if interval == "day" else _month_of
    totals = tree.bucket_totals(_import_by_day(daily), bucket_of)
    order = tree.tree_order(devices)
    rows: list[TreeCsvRow] = []
    for bucket in _bucket_starts(span, interval):
        energy = totals.get(bucket, {})
        balances = tree.balances(devices, energy)
        for device, _depth in order:
            balance = balances.get(device.id, tree.Balance(None, None))
            rows.append(
                TreeCsvRow(
                    bucket,
                    device,
                    _rounded(energy.get(device.id)),
                    _rounded(balance.children_import_kwh),
                    _rounded(balance.remainder_kwh),
                )
            )
    return CsvFile(f"tree-site{site.id}-{span.start}-{span.end}-{interval}.csv", tree_csv(rows))
