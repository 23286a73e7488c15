"""Tenant bills and the site's reconciliation: what the recharge maths needs, gathered once
for a site's month (docs/api/tenants.md).

A month's data is read in a few queries whatever the number of tenants: the site's tenants,
their assignments overlapping the month, the virtual meters' terms, and the register
readings of every device involved (``repository.register_readings``: what
``billing.repository.meter_readings`` reads, once per device, as arrays).
Each assignment is clipped to the instants the tenant held its meter
(``recharge.clip_readings``), so a meter moved mid-month is billed on each side of the move,
nothing lost, nothing twice. A pass-through tenant's share of the site's demand and fixed
charges depends on every tenant's (largest-remainder cents), so a single bill computes the
shares of all of them, but runs the calculator only for its own tenant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing import service as billing_service
from power_portal.billing.bill_csv import bill_csv
from power_portal.billing.service import BillUnavailableError
from power_portal.core.exports import CsvFile
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tariffs import service as tariffs_service
from power_portal.tariffs.calculator import BillError, Readings, calculate_bill, calculate_bills
from power_portal.tariffs.schemas import Bill, TariffIn
from power_portal.tenants import recharge, repository
from power_portal.tenants.common_areas import TreeMeter, common_meters
from power_portal.tenants.models import Tenant, TenantMeter
from power_portal.tenants.schemas import (
    CommonAreas,
    CommonMeter,
    Generation,
    LandlordShare,
    Month,
    Reconciliation,
    ReconciliationTenant,
    ReconciliationUtility,
    TenantBill,
    TenantBillLine,
    TenantBillMeter,
    Unmetered,
)
from power_portal.virtual_meters import repository as virtual_meters_repository
from power_portal.virtual_meters.formula import expand


@contextmanager
def _billable() -> Iterator[None]:
    try:
        yield
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _local(epoch: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).astimezone(zone)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class _Held:
    """One assignment clipped to the month: its instants, its readings clipped to them
    (one per device, weighed by the virtual meter's coefficient) and its energy."""

    kind: str
    ref: int
    name: str
    start: int
    end: int
    readings: list[Readings]
    opening_kwh: float | None
    closing_kwh: float | None
    energy_kwh: float


@dataclass
class _MonthData:
    """Everything the month's bills of one site read from the database."""

    site: Site
    month: Month
    zone: ZoneInfo
    lo: int
    hi: int
    tenants: list[Tenant]
    held: dict[int, list[_Held]]
    site_tariff: TariffIn | None
    site_readings: list[Readings]
    readings: dict[int, Readings]
    coefficients: dict[int, dict[int, int]]
    assignments: list[TenantMeter]
    tariffs: dict[int, TariffIn] = field(default_factory=dict)


def _rule(tenant: Tenant) -> recharge.RechargeRule:
    return recharge.RechargeRule(
        kind="own_tariff" if tenant.rule_kind == "own_tariff" else "pass_through",
        apportion=tenant.apportion,  # type: ignore[arg-type]  # the table's check constraint
        fixed_share_percent=tenant.fixed_share_percent,
        markup_percent=tenant.markup_percent,
        markup_cap=tenant.markup_cap,
        admin_fee=tenant.admin_fee,
    )


async def _site_tariff(db: AsyncSession, site: Site) -> TariffIn | None:
    if site.tariff_id is None:
        return None
    return await billing_service.site_tariff(db, site)


async def _gather(
    db: AsyncSession,
    site: Site,
    month: Month,
    tenants: list[Tenant],
    extra_device_ids: Sequence[int] = (),
) -> _MonthData:
    zone = ZoneInfo(site.timezone)
    lo = datetime(month.first.year, month.first.month, 1, tzinfo=zone)
    hi = datetime(month.following.year, month.following.month, 1, tzinfo=zone)
    wanted = {t.id for t in tenants}
    assignments = [
        a for a in await repository.site_assignments(db, site.id, lo, hi) if a.tenant_id in wanted
    ]
    terms_of = await virtual_meters_repository.site_terms(db, site.id)
    coefficients = {meter_id: expand(meter_id, terms_of) for meter_id in terms_of}
    supply_ids = await sites_service.metered_device_ids(db, site)
    device_ids = set(supply_ids) | set(extra_device_ids)
    for assignment in assignments:
        if assignment.device_id is not None:
            device_ids.add(assignment.device_id)
        else:
            meter = coefficients.get(int(assignment.virtual_meter_id or 0), {})
            device_ids |= {d for d, c in meter.items() if c}
    readings = await repository.register_readings(db, sorted(device_ids), lo, hi)
    names = {
        ("device", i): d.name
        for i, d in (
            await repository.devices(db, [a.device_id for a in assignments if a.device_id])
        ).items()
    }
    names.update(
        {
            ("virtual_meter", i): m.name
            for i, m in (
                await repository.virtual_meters(
                    db, [a.virtual_meter_id for a in assignments if a.virtual_meter_id]
                )
            ).items()
        }
    )
    data = _MonthData(
        site=site,
        month=month,
        zone=zone,
        lo=_epoch(lo),
        hi=_epoch(hi),
        tenants=tenants,
        held={t.id: [] for t in tenants},
        site_tariff=await _site_tariff(db, site),
        site_readings=[readings[d] for d in supply_ids if d in readings],
        readings=readings,
        coefficients=coefficients,
        assignments=assignments,
    )
    for assignment in assignments:
        data.held[assignment.tenant_id].append(_clip(data, assignment, names))
    for tenant in tenants:
        tariff_id = tenant.tariff_id
        if tenant.rule_kind == "own_tariff" and tariff_id and tariff_id not in data.tariffs:
            tariff = await tariffs_service.get_tariff(db, tariff_id)
            data.tariffs[tariff_id] = TariffIn.model_validate(tariff, from_attributes=True)
    return data


def _clip(data: _MonthData, assignment: TenantMeter, names: dict[tuple[str, int], str]) -> _Held:
    start = max(_epoch(assignment.start_at), data.lo)
    end = min(_epoch(assignment.end_at), data.hi) if assignment.end_at else data.hi
    if assignment.device_id is not None:
        kind, ref = "device", assignment.device_id
        weighed = {ref: 1}
    else:
        kind, ref = "virtual_meter", int(assignment.virtual_meter_id or 0)
        weighed = {d: c for d, c in data.coefficients.get(ref, {}).items() if c}
    clipped: list[Readings] = []
    energy = 0.0
    for device_id, coefficient in weighed.items():
        raw = data.readings.get(device_id)
        if raw is None:
            continue
        signed = raw if coefficient == 1 else replace(raw, sign=float(coefficient))
        energy += recharge.energy_between(signed, start, end)
        part = recharge.clip_readings(signed, start, end)
        if part is not None:
            clipped.append(part)
    opening = closing = None
    if kind == "device" and ref in data.readings:
        opening = recharge.register_at(data.readings[ref], start)
        closing = recharge.register_at(data.readings[ref], end)
    return _Held(
        kind=kind,
        ref=ref,
        name=names.get((kind, ref), str(ref)),
        start=start,
        end=end,
        readings=clipped,
        opening_kwh=opening,
        closing_kwh=closing,
        energy_kwh=energy,
    )


def _readings_of(data: _MonthData, tenant_id: int) -> list[Readings]:
    return [r for held in data.held[tenant_id] for r in held.readings]


def _energy_of(data: _MonthData, tenant_id: int) -> float:
    return sum(held.energy_kwh for held in data.held[tenant_id])


def _needs_site_bill(tenants: Sequence[Tenant]) -> bool:
    return any(t.rule_kind == "pass_through" for t in tenants)


def _required_site_tariff(data: _MonthData) -> TariffIn:
    if data.site_tariff is None:
        raise BillUnavailableError(
            f"site {data.site.id} has no tariff: a pass-through tenant's energy is priced by "
            f"the site's tariff; assign one with PATCH /api/sites/{data.site.id}"
        )
    return data.site_tariff


@dataclass(frozen=True)
class _SiteCharges:
    bill: Bill
    shares: recharge.SiteShares


def _site_charges(data: _MonthData) -> _SiteCharges:
    """The site bill and its demand, fixed and reactive lines shared out."""
    tariff = _required_site_tariff(data)
    start, end = data.month.first, data.month.following
    with _billable():
        site_bill = calculate_bill(tariff, data.site_readings, start, end)
        coincident = any(t.apportion == "coincident_demand" for t in data.tenants)
        peaks = (
            recharge.demand_peak_blocks(tariff, data.site_readings, site_bill, start, end)
            if coincident
            else []
        )
    usages = [
        recharge.TenantUsage(t.id, _rule(t), _readings_of(data, t.id))
        for t in data.tenants
        if t.rule_kind == "pass_through"
    ]
    shares = recharge.share_site_charges(site_bill, peaks, usages)
    return _SiteCharges(site_bill, shares)


def _site_tariff_bills(data: _MonthData, tenants: Sequence[Tenant]) -> dict[int, Bill]:
    """The site tariff on each pass-through tenant's readings, in one calculator run (its
    calendar and rate tables built once for all)."""
    passing = [t for t in tenants if t.rule_kind == "pass_through"]
    if not passing:
        return {}
    tariff = _required_site_tariff(data)
    readings = [_readings_of(data, t.id) for t in passing]
    with _billable():
        found = calculate_bills(tariff, readings, data.month.first, data.month.following)
    return {tenant.id: bill for tenant, bill in zip(passing, found, strict=True)}


def _bill(
    data: _MonthData,
    tenant: Tenant,
    charges: _SiteCharges | None,
    site_tariff_bill: Bill | None = None,
) -> TenantBill:
    """One tenant's bill of the month (the site's charges already shared when pass-through;
    its readings under the site tariff already billed when given)."""
    rule = _rule(tenant)
    readings = _readings_of(data, tenant.id)
    energy = _energy_of(data, tenant.id)
    held = data.held[tenant.id]
    start, end = data.month.first, data.month.following
    with _billable():
        if tenant.rule_kind == "pass_through":
            tariff = _required_site_tariff(data)
            own = site_tariff_bill or calculate_bill(tariff, readings, start, end)
            shares = charges.shares.lines.get(tenant.id, []) if charges else []
            lines = recharge.energy_lines(own) + shares
        else:
            tariff = data.tariffs[int(tenant.tariff_id or 0)]
            lines = []
            if held:
                first_instant, last_instant = min(h.start for h in held), max(h.end for h in held)
                first, last = recharge.tenant_dates(
                    first_instant, last_instant, tariff.timezone, start, end
                )
                lines = recharge.bill_lines(calculate_bill(tariff, readings, first, last))
        result = recharge.tenant_bill(tariff, rule, lines, energy, start)
    return TenantBill(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        site_id=data.site.id,
        month=data.month.label,
        currency=tariff.currency,
        start=start,
        end=end,
        meters=[
            TenantBillMeter(
                kind="device" if h.kind == "device" else "virtual_meter",
                id=h.ref,
                name=h.name,
                from_=_local(h.start, data.zone),
                to=_local(h.end, data.zone),
                opening_kwh=_rounded(h.opening_kwh, 3),
                closing_kwh=_rounded(h.closing_kwh, 3),
                energy_kwh=round(h.energy_kwh, 6),
            )
            for h in sorted(held, key=lambda h: (h.start, h.kind, h.ref))
        ],
        lines=[
            TenantBillLine(
                kind=line.kind,
                description=line.description,
                season=line.season,
                period=line.period,
                quantity=line.quantity,
                unit=line.unit,
                rate=line.rate,
                amount=line.amount,
                month=line.month,
            )
            for line in result.lines
        ],
        subtotal=result.subtotal,
        vat=result.vat,
        total=result.total,
        energy_kwh=round(result.energy_kwh, 6),
    )


# ---------------------------------------------------------------- the routes' work


async def tenant_bill(db: AsyncSession, tenant: Tenant, month: Month) -> TenantBill:
    """One tenant's bill: its own readings through the calculator; when it is pass-through,
    the shares of every pass-through tenant of the site (they split each line to the cent)."""
    site = await sites_service.get_site(db, tenant.site_id)
    if tenant.rule_kind == "pass_through":
        tenants = await repository.list_tenants(db, site.id)
        data = await _gather(db, site, month, tenants)
        return _bill(data, tenant, _site_charges(data))
    data = await _gather(db, site, month, [tenant])
    return _bill(data, tenant, None)


async def tenant_bill_csv(db: AsyncSession, tenant: Tenant, month: Month) -> CsvFile:
    bill = await tenant_bill(db, tenant, month)
    return CsvFile(f"bill-tenant{tenant.id}-{month.label}.csv", bill_csv(bill))


async def site_tenant_bills(db: AsyncSession, site: Site, month: Month) -> list[TenantBill]:
    """Every tenant's bill of the month, from one read of the data (each meter's readings
    fetched once, the site's charges shared once)."""
    tenants = await repository.list_tenants(db, site.id)
    data = await _gather(db, site, month, tenants)
    charges = _site_charges(data) if _needs_site_bill(tenants) else None
    own = _site_tariff_bills(data, tenants)
    return [_bill(data, tenant, charges, own.get(tenant.id)) for tenant in tenants]


async def reconciliation(db: AsyncSession, site: Site, month: Month) -> Reconciliation:
    """The utility bill against what the tenants' bills recover, the common areas and the
    unmetered remainder (their energy adds up to the site's)."""
    tenants = await repository.list_tenants(db, site.id)
    zone = ZoneInfo(site.timezone)
    lo = datetime(month.first.year, month.first.month, 1, tzinfo=zone)
    hi = datetime(month.following.year, month.following.month, 1, tzinfo=zone)
    assignments = await repository.site_assignments(db, site.id, lo, hi)
    terms_of = await virtual_meters_repository.site_terms(db, site.id)
    devices = await repository.site_devices(db, site.id)
    common = common_meters(
        [TreeMeter(d.id, d.parent_id, d.role) for d in devices],
        {meter_id: expand(meter_id, terms_of) for meter_id in terms_of},
        {a.device_id for a in assignments if a.device_id is not None},
        {a.virtual_meter_id for a in assignments if a.virtual_meter_id is not None},
    )
    common_devices = set(common.device_ids)
    for meter_id in common.virtual_meter_ids:
        common_devices |= set(expand(meter_id, terms_of))
    # on-site generation adds to what the supply points bring in (a site without supply
    # points already adds every device, its generation meters too)
    generation_ids = (
        sorted(d.id for d in devices if d.role == "generation")
        if any(d.role == "supply" for d in devices)
        else []
    )
    data = await _gather(db, site, month, tenants, sorted(common_devices | set(generation_ids)))
    charges = _site_charges(data)
    own = _site_tariff_bills(data, tenants)
    bills = [_bill(data, tenant, charges, own.get(tenant.id)) for tenant in tenants]
    common_kwh = sum(
        recharge.energy_between(data.readings[d], data.lo, data.hi)
        for d in common.device_ids
        if d in data.readings
    )
    for meter_id in common.virtual_meter_ids:
        for device_id, coefficient in expand(meter_id, terms_of).items():
            if coefficient and device_id in data.readings:
                common_kwh += coefficient * recharge.energy_between(
                    data.readings[device_id], data.lo, data.hi
                )
    generation_kwh = sum(
        recharge.energy_between(data.readings[d], data.lo, data.hi)
        for d in generation_ids
        if d in data.readings
    )
    recoveries = [
        recharge.TenantRecovery(b.tenant_id, b.energy_kwh, b.subtotal, b.total) for b in bills
    ]
    result = recharge.reconcile(
        charges.bill, charges.shares, recoveries, common_kwh, generation_kwh
    )
    device_names = {d.id: d.name for d in devices}
    meter_names = {m.id: m.name for m in await repository.site_virtual_meters(db, site.id)}
    names = {t.id: t.name for t in tenants}
    return Reconciliation(
        site_id=site.id,
        month=month.label,
        currency=charges.bill.currency,
        utility=ReconciliationUtility(
            energy_kwh=round(result.utility_energy_kwh, 6),
            subtotal=result.utility_subtotal,
            total=result.utility_total,
        ),
        tenants=[
            ReconciliationTenant(
                tenant_id=r.tenant_id,
                name=names[r.tenant_id],
                energy_kwh=round(r.energy_kwh, 6),
                recovered_subtotal=r.recovered_subtotal,
                recovered_total=r.recovered_total,
            )
            for r in result.tenants
        ],
        common_areas=CommonAreas(
            energy_kwh=round(result.common_energy_kwh, 6),
            cost=result.common_cost,
            meters=[
                CommonMeter(kind="device", id=i, name=device_names[i]) for i in common.device_ids
            ]
            + [
                CommonMeter(kind="virtual_meter", id=i, name=meter_names[i])
                for i in common.virtual_meter_ids
            ],
        ),
        generation=Generation(
            energy_kwh=round(result.generation_energy_kwh, 6),
            meters=[CommonMeter(kind="device", id=i, name=device_names[i]) for i in generation_ids],
        ),
        unmetered=Unmetered(
            energy_kwh=round(result.unmetered_energy_kwh, 6), cost=result.unmetered_cost
        ),
        landlord_share=LandlordShare(cost=result.landlord_cost),
        recovered_subtotal=result.recovered_subtotal,
        recovery_percent=_rounded(result.recovery_percent, 2),
        difference=result.difference,
    )
