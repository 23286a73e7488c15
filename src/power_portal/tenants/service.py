"""Tenants: their CRUD with the recharge rule, the meters they hold over time, their bills
and the site's reconciliation (docs/api/tenants.md).

The maths is pure and lives in ``recharge`` (clipping readings to instants, registers at an
instant, shares with largest-remainder cents, mark-up, admin fee); this module gathers what it
needs. Functions flush, never commit: the request's session commits once
(``core.deps.SessionDep``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, FieldError, found
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tenants import repository
from power_portal.tenants.models import Tenant, TenantMeter
from power_portal.tenants.schemas import (
    AssignmentRead,
    AssignmentUpdate,
    AssignmentWrite,
    Rule,
    TenantRead,
    TenantUpdate,
    TenantWrite,
)

log = structlog.get_logger(__name__)


# ---------------------------------------------------------------- tenants


async def get_tenant(db: AsyncSession, tenant_id: int) -> Tenant:
    return found(await repository.get_tenant(db, tenant_id), f"tenant with id {tenant_id}")


def rule_of(tenant: Tenant) -> Rule:
    return Rule(
        kind="own_tariff" if tenant.rule_kind == "own_tariff" else "pass_through",
        tariff_id=tenant.tariff_id,
        apportion=tenant.apportion,
        fixed_share_percent=tenant.fixed_share_percent,
        markup_percent=tenant.markup_percent,
        markup_cap=tenant.markup_cap,
        admin_fee=tenant.admin_fee,
    )


def read_tenant(tenant: Tenant) -> TenantRead:
    return TenantRead(
        id=tenant.id,
        site_id=tenant.site_id,
        name=tenant.name,
        reference=tenant.reference,
        contact_email=tenant.contact_email,
        rule=rule_of(tenant),
        created_at=tenant.created_at,
        updated_at=tenant.updated_at,
    )


def normalised_rule(rule: Rule) -> Rule:
    """The rule with the fields its kind does not use cleared, and a pass-through's
    apportionment ``energy`` when not given; 422 naming the field a kind needs and lacks."""
    if rule.kind == "own_tariff":
        if rule.tariff_id is None:
            raise FieldError("rule.tariff_id", "an own_tariff rule needs the tenant's tariff_id")
        return rule.model_copy(update={"apportion": None, "fixed_share_percent": None})
    apportion = rule.apportion or "energy"
    if apportion == "fixed_shares" and rule.fixed_share_percent is None:
        raise FieldError(
            "rule.fixed_share_percent", "fixed_shares needs fixed_share_percent (0-100)"
        )
    share = rule.fixed_share_percent if apportion == "fixed_shares" else None
    return rule.model_copy(
        update={"tariff_id": None, "apportion": apportion, "fixed_share_percent": share}
    )


async def _apply_rule(db: AsyncSession, tenant: Tenant, rule: Rule) -> None:
    rule = normalised_rule(rule)
    if rule.tariff_id is not None and not await repository.tariff_exists(db, rule.tariff_id):
        raise FieldError("rule.tariff_id", f"no tariff with id {rule.tariff_id}")
    tenant.rule_kind = rule.kind
    tenant.tariff_id = rule.tariff_id
    tenant.apportion = rule.apportion
    tenant.fixed_share_percent = rule.fixed_share_percent
    tenant.markup_percent = rule.markup_percent
    tenant.markup_cap = rule.markup_cap
    tenant.admin_fee = rule.admin_fee


async def list_tenants(db: AsyncSession, site: Site) -> list[TenantRead]:
    return [read_tenant(t) for t in await repository.list_tenants(db, site.id)]


async def create_tenant(db: AsyncSession, site_id: int, data: TenantWrite) -> TenantRead:
    site = await sites_service.get_site(db, site_id)
    tenant = Tenant(
        site_id=site.id, name=data.name, reference=data.reference, contact_email=data.contact_email
    )
    await _apply_rule(db, tenant, data.rule)
    await repository.save(db, tenant)
    await repository.refresh(db, tenant)
    log.info("tenants.created", tenant_id=tenant.id, site_id=site.id)
    return read_tenant(tenant)


async def update_tenant(db: AsyncSession, tenant_id: int, data: TenantUpdate) -> TenantRead:
    tenant = await get_tenant(db, tenant_id)
    given = data.model_fields_set
    if "name" in given:
        if data.name is None:
            raise FieldError("name", "a tenant needs a name")
        tenant.name = data.name
    if "reference" in given:
        tenant.reference = data.reference
    if "contact_email" in given:
        tenant.contact_email = data.contact_email
    if "rule" in given:
        if data.rule is None:
            raise FieldError("rule", "a tenant needs a recharge rule")
        await _apply_rule(db, tenant, data.rule)
    await repository.save(db, tenant)
    await repository.refresh(db, tenant)
    log.info("tenants.updated", tenant_id=tenant.id)
    return read_tenant(tenant)


async def delete_tenant(db: AsyncSession, tenant: Tenant) -> None:
    count = await repository.count_assignments(db, tenant.id)
    if count:
        raise ConflictError(
            f"tenant {tenant.id} ({tenant.name}) has {count} meter assignment(s): "
            "delete them first (DELETE /api/tenant-meters/{id})"
        )
    await repository.delete(db, tenant)
    log.info("tenants.deleted", tenant_id=tenant.id)


# ---------------------------------------------------------------- meters over time


async def get_assignment(db: AsyncSession, assignment_id: int) -> TenantMeter:
    return found(
        await repository.get_assignment(db, assignment_id),
        f"tenant meter assignment with id {assignment_id}",
    )


@dataclass(frozen=True)
class _MeterRef:
    kind: str
    id: int
    name: str


async def _meter_names(
    db: AsyncSession, assignments: list[TenantMeter]
) -> dict[tuple[str, int], str]:
    devices = await repository.devices(db, [a.device_id for a in assignments if a.device_id])
    meters = await repository.virtual_meters(
        db, [a.virtual_meter_id for a in assignments if a.virtual_meter_id]
    )
    names = {("device", i): d.name for i, d in devices.items()}
    names.update({("virtual_meter", i): m.name for i, m in meters.items()})
    return names


def _ref(assignment: TenantMeter) -> tuple[str, int]:
    if assignment.device_id is not None:
        return "device", assignment.device_id
    return "virtual_meter", int(assignment.virtual_meter_id or 0)


def _read_assignment(
    assignment: TenantMeter, names: dict[tuple[str, int], str], zone: ZoneInfo
) -> AssignmentRead:
    kind, ref = _ref(assignment)
    return AssignmentRead(
        id=assignment.id,
        tenant_id=assignment.tenant_id,
        kind="device" if kind == "device" else "virtual_meter",
        device_id=assignment.device_id,
        virtual_meter_id=assignment.virtual_meter_id,
        meter_name=names.get((kind, ref), str(ref)),
        start=assignment.start_at.astimezone(zone),
        end=assignment.end_at.astimezone(zone) if assignment.end_at else None,
        created_at=assignment.created_at,
    )


async def read_assignments(
    db: AsyncSession, tenant: Tenant, assignments: list[TenantMeter]
) -> list[AssignmentRead]:
    site = await sites_service.get_site(db, tenant.site_id)
    zone = ZoneInfo(site.timezone)
    names = await _meter_names(db, assignments)
    return [_read_assignment(a, names, zone) for a in assignments]


async def list_assignments(db: AsyncSession, tenant: Tenant) -> list[AssignmentRead]:
    return await read_assignments(db, tenant, await repository.list_assignments(db, tenant.id))


async def _check_meter(
    db: AsyncSession, site_id: int, device_id: int | None, virtual_meter_id: int | None
) -> None:
    """Exactly one meter, and it is on the tenant's site (422 naming the field)."""
    if (device_id is None) == (virtual_meter_id is None):
        raise FieldError("device_id", "give exactly one of device_id and virtual_meter_id")
    if device_id is not None:
        device = (await repository.devices(db, [device_id])).get(device_id)
        field, what, owner_site, name = (
            "device_id",
            "device",
            device.site_id if device else None,
            device.name if device else "",
        )
        ref = device_id
    else:
        ref = int(virtual_meter_id or 0)
        meter = (await repository.virtual_meters(db, [ref])).get(ref)
        field, what, owner_site, name = (
            "virtual_meter_id",
            "virtual meter",
            meter.site_id if meter else None,
            meter.name if meter else "",
        )
    if owner_site is None:
        raise FieldError(field, f"no {what} with id {ref}")
    if owner_site != site_id:
        raise FieldError(
            field, f"{what} {ref} ({name}) is on another site: a tenant holds meters of its site"
        )


async def _check_span_and_overlap(
    db: AsyncSession,
    tenant: Tenant,
    device_id: int | None,
    virtual_meter_id: int | None,
    start: datetime,
    end: datetime | None,
    except_id: int | None,
) -> None:
    if end is not None and end <= start:
        raise FieldError("end", "end must be after start (end is exclusive)")
    clashes = await repository.overlapping(db, device_id, virtual_meter_id, start, end, except_id)
    if clashes:
        other, holder = clashes[0]
        until = other.end_at.isoformat() if other.end_at else "open-ended"
        who = "this tenant" if holder.id == tenant.id else f"tenant {holder.name} (id {holder.id})"
        raise FieldError(
            "start",
            f"the meter is assigned to {who} from {other.start_at.isoformat()} to {until} "
            "at overlapping times: end that assignment first",
        )


async def create_assignment(
    db: AsyncSession, tenant_id: int, data: AssignmentWrite
) -> AssignmentRead:
    tenant = await get_tenant(db, tenant_id)
    await repository.lock_site(db, tenant.site_id)
    await _check_meter(db, tenant.site_id, data.device_id, data.virtual_meter_id)
    await _check_span_and_overlap(
        db, tenant, data.device_id, data.virtual_meter_id, data.start, data.end, None
    )
    assignment = TenantMeter(
        tenant_id=tenant.id,
        device_id=data.device_id,
        virtual_meter_id=data.virtual_meter_id,
        start_at=data.start,
        end_at=data.end,
    )
    await repository.save(db, assignment)
    await repository.refresh(db, assignment)
    log.info("tenants.meter_assigned", tenant_id=tenant.id, assignment_id=assignment.id)
    return (await read_assignments(db, tenant, [assignment]))[0]


async def update_assignment(
    db: AsyncSession, assignment_id: int, data: AssignmentUpdate
) -> AssignmentRead:
    assignment = await get_assignment(db, assignment_id)
    tenant = await get_tenant(db, assignment.tenant_id)
    await repository.lock_site(db, tenant.site_id)
    given = data.model_fields_set
    if "start" in given and data.start is None:
        raise FieldError("start", "an assignment needs a start")
    start = data.start if data.start is not None else assignment.start_at
    end = data.end if "end" in given else assignment.end_at
    await _check_span_and_overlap(
        db, tenant, assignment.device_id, assignment.virtual_meter_id, start, end, assignment.id
    )
    assignment.start_at, assignment.end_at = start, end
    await repository.save(db, assignment)
    await repository.refresh(db, assignment)
    log.info("tenants.meter_assignment_changed", assignment_id=assignment.id)
    return (await read_assignments(db, tenant, [assignment]))[0]


async def delete_assignment(db: AsyncSession, assignment: TenantMeter) -> None:
    await repository.delete(db, assignment)
    log.info("tenants.meter_assignment_deleted", assignment_id=assignment.id)
