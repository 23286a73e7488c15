"""The recharge maths: a tenant's readings clipped to its instants, shares of the site's
charges (largest remainder on cents), mark-up, admin fee and VAT of a tenant bill.

Pure functions (no database, no FastAPI) on the calculator's types
(``tariffs.calculator.Readings``, ``tariffs.schemas.Bill``). The service gathers the
readings and the rules, calls these, and maps the results to its API schemas.

The flow of a month's tenant bills (docs/api/tenants.md):

1. ``clip_readings`` each meter a tenant held to the instants it held it within the month;
   the opening and closing registers are ``register_at`` those instants; ``used_kwh`` is
   the energy of clipped readings.
2. The site bill: ``calculate_bill(site_tariff, site_readings, start, end)``;
   ``demand_peak_blocks`` finds the 30-minute block of each of its demand lines' peaks.
3. ``share_site_charges`` splits each demand, fixed and reactive line of the site bill
   between the pass-through tenants (by their rule) and the landlord (the rest), exactly
   to the cent (``apportion_cents``).
4. ``tenant_bill`` assembles one tenant's lines: its energy lines (pass-through:
   ``energy_lines`` of the site tariff's bill on its clipped readings over the month; own
   tariff: ``bill_lines`` of its tariff's bill over ``tenant_dates``, so fixed charges
   count the days it was there), its shares, the capped mark-up, the admin fee and VAT.
5. ``reconcile`` compares the utility bill with what the tenants' bills recover.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np

from power_portal.tariffs.calculator import (
    FloatArray,
    IntArray,
    Meters,
    Readings,
    Register,
    _build_days,
    _build_grid,
    _build_tables,
    version_for,
)
from power_portal.tariffs.schemas import Bill, BillLine, TariffIn

LANDLORD: Final = "landlord"
"""The share key of the part no tenant carries (common areas, remainder, vacant meters)."""

ShareKey = int | str
"""A tenant id, or ``LANDLORD``."""

TenantLineKind = Literal["energy", "demand", "fixed", "reactive", "markup", "admin_fee"]
Apportion = Literal["energy", "coincident_demand", "fixed_shares"]
RuleKind = Literal["own_tariff", "pass_through"]

REGISTERS: Final = ("energy_import_kwh", "apparent_energy_kvah", "reactive_energy_import_kvarh")
CENT: Final = Decimal("0.01")
SHARED_KINDS: Final = frozenset({"demand", "fixed", "reactive"})
_COINCIDENT: Final = "coincident_demand"


def to_cents(value: float | Decimal) -> Decimal:
    """Round to cents half up, like the calculator (``tariffs.calculator.cents``)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class RechargeRule:
    """A tenant's recharge rule (the API's ``rule``), as the maths needs it."""

    kind: RuleKind
    apportion: Apportion | None = None  # pass_through only
    fixed_share_percent: float | None = None  # fixed_shares only, 0-100
    markup_percent: float = 0.0
    markup_cap: float | None = None
    admin_fee: float = 0.0


@dataclass(frozen=True)
class TenantBillLine:
    """A line of a tenant bill: the site bill's ``BillLine`` fields, ``kind`` adds
    ``markup`` and ``admin_fee``. ``amount`` is a whole number of cents."""

    kind: TenantLineKind
    description: str
    quantity: float
    unit: str
    rate: float
    amount: float
    season: str | None = None
    period: str | None = None
    version_from: date | None = None
    month: str | None = None


@dataclass(frozen=True)
class TenantBill:
    """A tenant's lines with subtotal (before VAT, mark-up included), VAT and total."""

    lines: list[TenantBillLine]
    subtotal: float
    vat: float
    total: float
    energy_kwh: float


@dataclass(frozen=True)
class PeakBlock:
    """The 30-minute block ``[start, end)`` (epoch seconds) in which the site reached the
    peak of one demand line of its bill; ``register`` is the one the demand was measured
    on (``apparent_energy_kvah`` for kVA when the meters have it, else kWh)."""

    line_index: int  # index of the demand line in the site bill's ``lines``
    start: int
    end: int
    register: str
    site_energy: float  # the site's energy on ``register`` in the block
    site_kwh: float  # the site's kWh in the block


@dataclass(frozen=True)
class TenantUsage:
    """What a tenant used in the month: its meters' readings clipped to the instants it held
    them (``clip_readings``), for a pass-through tenant's shares."""

    tenant_id: int
    rule: RechargeRule
    readings: Sequence[Readings]


@dataclass(frozen=True)
class LineShares:
    """One apportioned line of the site bill: each key's weight and amount (the amounts add
    up to the line's amount exactly; the landlord is one of the keys)."""

    line_index: int
    weights: dict[ShareKey, float]
    amounts: dict[ShareKey, Decimal]


@dataclass(frozen=True)
class SiteShares:
    """The site bill's demand, fixed and reactive lines shared out; ``lines`` per tenant id
    are ready for ``tenant_bill`` (pass-through tenants only)."""

    shares: list[LineShares]
    lines: dict[int, list[TenantBillLine]] = field(default_factory=dict)


# ---------------------------------------------------------------- readings


def _corrected(times: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray] | None:
    """The finite readings of one register and its reset-corrected cumulative curve,
    exactly as ``tariffs.calculator.Register`` computes it (None: fewer than two)."""
    register = Register.of(times, values)
    if register is None:
        return None
    return register.times, register.cumulative()


def clip_readings(readings: Readings, start_epoch: int, end_epoch: int) -> Readings | None:
    """The meter's readings limited to ``[start_epoch, end_epoch)``, with readings
    interpolated exactly at the two instants (or at the data's own ends inside them).

    Each register is replaced by its reset-corrected cumulative curve (the calculator's
    ``Register.cumulative``, linear between readings), evaluated at ``start``, the readings
    strictly inside and ``end``. So the calculator sees exactly the energy of the span: the
    energy before ``start`` and from ``end`` on belongs to whoever held the meter then,
    nothing is lost or counted twice, across register resets too. The values are
    cumulative energies from the meter's first reading (not the register's face value: use
    ``register_at`` for that). ``sign`` is kept.

    None when the readings do not overlap the span (fewer than two points inside).

    Worked example: readings 100 kWh at 00:00, 160 at 06:00, a reset to 20 at 12:00 and 50
    at 18:00 (cumulative 0, 60, 80, 110). Clipped to [03:00, 15:00): cumulative 30 at
    03:00, 60 at 06:00, 80 at 12:00 and 95 at 15:00: 65 kWh, the rest of the 110 kWh of
    [00:00, 18:00) being 30 before and 15 after.
    """
    times = readings.times
    if times.size == 0:
        return None
    lo, hi = max(int(start_epoch), int(times[0])), min(int(end_epoch), int(times[-1]))
    if hi <= lo:
        return None
    inside = times[(times > lo) & (times < hi)]
    clipped_times = np.concatenate(([lo], inside, [hi])).astype(np.int64)
    at = clipped_times.astype(np.float64)

    def clip(values: FloatArray | None) -> FloatArray | None:
        if values is None:
            return None
        curve = _corrected(times, values)
        if curve is None:
            return np.full(clipped_times.size, np.nan)
        known, cumulative = curve
        return np.interp(at, known.astype(np.float64), cumulative)

    energy = clip(readings.energy_import_kwh)
    assert energy is not None  # the import register is always there
    return Readings(
        times=clipped_times,
        energy_import_kwh=energy,
        apparent_energy_kvah=clip(readings.apparent_energy_kvah),
        reactive_energy_import_kvarh=clip(readings.reactive_energy_import_kvarh),
        sign=readings.sign,
    )


def register_at(
    readings: Readings, epoch: int, register: str = "energy_import_kwh"
) -> float | None:
    """The register's value at an instant (a tenant bill's opening / closing reading): the
    reading before it plus the energy since, interpolated linearly to the reading after it.

    None outside the data (before the first or after the last finite reading).
    Example: 100 kWh at 00:00 and 160 at 06:00 read 130 at 03:00.
    """
    values = getattr(readings, register)
    if values is None:
        return None
    finite = np.isfinite(values)
    times, face = readings.times[finite], values[finite]
    if times.size == 0 or not times[0] <= epoch <= times[-1]:
        return None
    if times.size == 1:
        return float(face[0])
    curve = _corrected(times, face)
    assert curve is not None
    _, cumulative = curve
    before = int(np.searchsorted(times, epoch, side="right")) - 1
    at = float(np.interp(float(epoch), times.astype(np.float64), cumulative))
    return float(face[before] + (at - cumulative[before]))


def energy_between(
    readings: Readings, start_epoch: int, end_epoch: int, register: str = "energy_import_kwh"
) -> float:
    """The energy of ``[start_epoch, end_epoch)`` on one register, times ``sign``; 0 when
    the register has fewer than two readings. The calculator's own rule (linear between
    readings, a register going backwards restarted from zero, nothing outside the data)."""
    found = readings.register(register)
    if found is None or end_epoch <= start_epoch:
        return 0.0
    edges = np.array([start_epoch, end_epoch], dtype=np.int64)
    return readings.sign * float(found.energy_between(edges)[0])


def tenant_dates(
    start_epoch: int, end_epoch: int, timezone: str, month_start: date, month_end: date
) -> tuple[date, date]:
    """The local dates ``[first, last)`` a tenant's bill under its own tariff covers, for
    the fixed charges' days: from the local date of its first instant to the day after the
    local date of its last (end exclusive), within the month.

    Example: a tenant moving out at 2026-06-15 12:00 +02:00 is billed 1-15 June
    (``date(2026, 6, 1), date(2026, 6, 16)``): 15 of June's 30 days.
    """
    zone = ZoneInfo(timezone)
    first = datetime.fromtimestamp(start_epoch, UTC).astimezone(zone).date()
    last = datetime.fromtimestamp(end_epoch - 1, UTC).astimezone(zone).date()
    first = min(max(first, month_start), month_end)
    following = min(max(last + timedelta(days=1), month_start), month_end)
    return first, max(first, following)


# ---------------------------------------------------------------- shares


def _tie_order(key: ShareKey) -> tuple[int, int, str]:
    """Landlord first, then tenant ids ascending (then any other names)."""
    if key == LANDLORD:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


def _weight(value: float) -> float:
    """A weight as a finite number ≥ 0 (NaN and negative count as 0)."""
    return float(value) if math.isfinite(value) and value > 0 else 0.0


def apportion_cents(
    total: float | Decimal, weights: Mapping[ShareKey, float]
) -> dict[ShareKey, Decimal]:
    """Split an amount (rounded to cents) over the keys in proportion to their weights by
    the largest-remainder method: every key gets the floor of its exact quota in cents, and
    the residue cents go one each to the largest fractional parts, ties to ``LANDLORD``
    first, then by key (tenant id) ascending. The parts add up to the amount exactly.

    Weights must be ≥ 0; they are normalised by their sum (all zero: everything to the
    first key in tie order). A negative amount is split as its opposite, negated.

    Example: 100.00 over landlord 1/3, tenant 1 1/3, tenant 2 1/3: quotas 3333⅓ cents
    each, floors 3333 (9999), one residue cent, all fractions equal → the landlord:
    33.34, 33.33, 33.33.
    """
    cents_total = int(to_cents(total).scaleb(2))
    negative, cents_total = cents_total < 0, abs(cents_total)
    keys = sorted(weights, key=_tie_order)
    if not keys:
        raise ValueError("no shares to apportion over")
    exact = {key: Fraction(_weight(weights[key])) for key in keys}
    weight_sum = sum(exact.values(), Fraction(0))
    parts = dict.fromkeys(keys, 0)
    if weight_sum == 0:
        parts[keys[0]] = cents_total
    else:
        quotas = {key: cents_total * exact[key] / weight_sum for key in keys}
        parts = {key: quota.numerator // quota.denominator for key, quota in quotas.items()}
        residue = cents_total - sum(parts.values())
        # sorted() is stable: equal fractional parts keep the landlord-then-id order
        ranked = sorted(keys, key=lambda key: parts[key] - quotas[key])
        for key in ranked[:residue]:
            parts[key] += 1
    sign = -1 if negative else 1
    return {key: Decimal(sign * parts[key]).scaleb(-2) for key in weights}


def with_landlord(tenant_weights: Mapping[int, float]) -> dict[ShareKey, float]:
    """The tenants' weights plus the landlord's remainder ``1 - Σ``. Tenants' weights over
    1 in total (e.g. fixed shares stated as 60 % and 70 %) are scaled down to 1 (the
    landlord gets 0): tenants never carry more than the site's line. Negative weights
    (a tenant exporting) count as 0."""
    tenants = {key: _weight(value) for key, value in tenant_weights.items()}
    carried = sum(tenants.values())
    if carried > 1:
        tenants = {key: value / carried for key, value in tenants.items()}
        landlord = 0.0
    else:
        landlord = 1.0 - carried
    result: dict[ShareKey, float] = {LANDLORD: landlord}
    for key, value in tenants.items():
        result[key] = value
    return result


def energy_weights(tenant_kwh: Mapping[int, float], site_kwh: float) -> dict[int, float]:
    """``energy`` apportionment: tenant kWh / site kWh (0 when the site used nothing)."""
    if not site_kwh > 0:
        return dict.fromkeys(tenant_kwh, 0.0)
    return {key: kwh / site_kwh for key, kwh in tenant_kwh.items()}


def fixed_weights(fixed_share_percent: Mapping[int, float]) -> dict[int, float]:
    """``fixed_shares`` apportionment: the stated percent / 100."""
    return {key: percent / 100.0 for key, percent in fixed_share_percent.items()}


def demand_peak_blocks(
    tariff: TariffIn, site_readings: Sequence[Readings], site_bill: Bill, start: date, end: date
) -> list[PeakBlock]:
    """The 30-minute block of each demand line's peak on the site bill (same order as the
    demand lines), found as the calculator does (eligible periods, season, month, kVA on
    the apparent register when the meters have it); the first block on a tie."""
    meters = Meters.of(site_readings)
    demand_lines = [i for i, line in enumerate(site_bill.lines) if line.kind == "demand"]
    if not demand_lines:
        return []
    # The calculator's own calendar, tables and minute grid, so the blocks are its blocks.
    days = _build_days(tariff, start, end, ZoneInfo(tariff.timezone))
    tables = _build_tables(tariff)
    grid = _build_grid(days, tables, int(days.starts[0]), int(days.starts[-1]))
    block_starts = grid.edges[:-1:30]
    block_edges = np.append(block_starts, grid.edges[-1])
    first_minute = np.arange(0, grid.key.size, 30)
    block_keys = grid.key[first_minute]
    block_version = days.version[grid.day[first_minute]]
    block_months = days.month_key[grid.day[first_minute]]
    energy_cache: dict[str, FloatArray] = {}

    def block_energy(register: str) -> FloatArray:
        if register not in energy_cache:
            energy = meters.energy_between(register, block_edges)
            energy_cache[register] = np.zeros(block_starts.size) if energy is None else energy
        return energy_cache[register]

    peaks: list[PeakBlock] = []
    span_months = np.unique(days.month_key)
    for v, version in enumerate(tariff.versions):
        version_months = np.unique(days.month_key[days.version == v])
        for charge in version.demand_charges:
            use_apparent = charge.unit == "kVA" and meters.has("apparent_energy_kvah")
            register = "apparent_energy_kvah" if use_apparent else "energy_import_kwh"
            eligible_keys = [
                k
                for k, key in enumerate(tables.keys)
                if key.version == v
                and key.period in charge.periods
                and (charge.season is None or key.season == charge.season)
            ]
            eligible = (block_version == v) & np.isin(block_keys, eligible_keys)
            for month_key in version_months:
                if month_key not in span_months:
                    continue
                month_days = (days.month_key == month_key) & (days.version == v)
                month_season = version.seasons[int(days.season[month_days][0])].name
                if charge.season is not None and charge.season != month_season:
                    continue
                candidates = np.flatnonzero(eligible & (block_months == month_key))
                line_index = demand_lines[len(peaks)]
                if candidates.size == 0:
                    peaks.append(PeakBlock(line_index, 0, 0, register, 0.0, 0.0))
                    continue
                # equal-length blocks: the largest energy is the largest demand
                hours = np.diff(block_edges)[candidates] / 3600.0
                demand = block_energy(register)[candidates] / hours
                block = int(candidates[int(np.argmax(demand))])
                peaks.append(
                    PeakBlock(
                        line_index,
                        int(block_edges[block]),
                        int(block_edges[block + 1]),
                        register,
                        float(block_energy(register)[block]),
                        float(block_energy("energy_import_kwh")[block]),
                    )
                )
    if len(peaks) != len(demand_lines):
        raise ValueError("the site bill's demand lines are not this tariff's for this span")
    return peaks


def coincident_weights(
    block: PeakBlock, tenant_readings: Mapping[int, Sequence[Readings]]
) -> dict[int, float]:
    """``coincident_demand`` apportionment of one demand line: the tenant's energy in the
    site's peak block / the site's (the ratio of their 30-minute demands), on the block's
    register; a tenant whose meters lack that register (kVA billed, no apparent register)
    is weighed by kWh in the block instead (tenant kWh / ``block.site_kwh``). See
    ``share_site_charges`` for the worked example."""
    weights: dict[int, float] = {}
    for tenant_id, readings in tenant_readings.items():
        register, site = block.register, block.site_energy
        if register != "energy_import_kwh" and any(r.register(register) is None for r in readings):
            register, site = "energy_import_kwh", block.site_kwh
        if not site > 0 or block.end <= block.start:
            weights[tenant_id] = 0.0
            continue
        used = sum(energy_between(r, block.start, block.end, register) for r in readings)
        weights[tenant_id] = used / site
    return weights


def used_kwh(readings: Sequence[Readings]) -> float:
    """The energy of clipped readings (``clip_readings``): all of it, signs applied."""
    return sum(
        (energy_between(r, int(r.times[0]), int(r.times[-1])) for r in readings if r.times.size),
        0.0,
    )


def share_site_charges(
    site_bill: Bill,
    peaks: Sequence[PeakBlock],
    tenants: Sequence[TenantUsage],
) -> SiteShares:
    """Split each demand, fixed and reactive line of the site bill between the pass-through
    tenants and the landlord, each tenant by its rule's ``apportion``:

    - ``energy``: every line by tenant kWh / site kWh;
    - ``coincident_demand``: each demand line by the tenant's demand in the block of that
      line's site peak / the site's peak (``peaks``: ``demand_peak_blocks``; a demand line
      without its block falls back to energy); fixed and reactive lines by energy;
    - ``fixed_shares``: every line by ``fixed_share_percent``.

    Own-tariff tenants carry none of the site's lines (their part stays the landlord's).
    The landlord gets ``1 - Σ`` tenants (``with_landlord``); ``apportion_cents`` makes the
    parts add up to each line to the cent.

    Worked example (coincident demand): the site peaks at 200 kVA in the 10:00-10:30 block
    (Network demand 200 kVA x 45.00 = 9,000.00). In that block tenant 1 draws 50 kVA,
    tenant 2 draws 30 kVA: shares 25 % and 15 %, the landlord 60 % →
    2,250.00, 1,350.00 and 5,400.00, which add up to 9,000.00.
    """
    site_kwh = site_bill.energy_kwh
    sharing = [t for t in tenants if t.rule.kind == "pass_through"]
    by_energy = energy_weights({t.tenant_id: used_kwh(t.readings) for t in sharing}, site_kwh)
    peak_of = {peak.line_index: peak for peak in peaks}
    result = SiteShares(shares=[], lines={t.tenant_id: [] for t in sharing})
    for index, line in enumerate(site_bill.lines):
        if line.kind not in SHARED_KINDS:
            continue
        peak = peak_of.get(index) if line.kind == "demand" else None
        coincident = (
            coincident_weights(
                peak,
                {t.tenant_id: t.readings for t in sharing if t.rule.apportion == _COINCIDENT},
            )
            if peak is not None
            else {}
        )
        tenant_weights: dict[int, float] = {}
        bases: dict[int, str] = {}
        for tenant in sharing:
            tid, apportion = tenant.tenant_id, tenant.rule.apportion
            if apportion == "fixed_shares":
                tenant_weights[tid] = (tenant.rule.fixed_share_percent or 0.0) / 100.0
                bases[tid] = "fixed share"
            elif apportion == _COINCIDENT and peak is not None:
                tenant_weights[tid] = coincident.get(tid, 0.0)
                bases[tid] = "coincident demand"
            else:
                tenant_weights[tid] = by_energy[tid]
                bases[tid] = "energy"
        weights = with_landlord(tenant_weights)
        amounts = apportion_cents(line.amount, weights)
        result.shares.append(LineShares(index, weights, amounts))
        for tid in tenant_weights:
            weight = weights[tid]
            result.lines[tid].append(
                TenantBillLine(
                    kind=line.kind,
                    description=(
                        f"{line.description} (share by {bases[tid]}: {weight * 100:.1f} %)"
                    ),
                    quantity=round(line.quantity * weight, 6),
                    unit=line.unit,
                    rate=line.rate,
                    amount=float(amounts[tid]),
                    season=line.season,
                    period=line.period,
                    version_from=line.version_from,
                    month=line.month,
                )
            )
    return result


# ---------------------------------------------------------------- a tenant's bill


def markup(subtotal: float | Decimal, percent: float, cap: float | None) -> Decimal:
    """The administration mark-up: ``percent`` of the subtotal, rounded to cents half up,
    at most ``cap`` (None: no cap).

    Worked example: subtotal 12,345.67 at 5 % = 617.2835 → 617.28; with a cap of 500.00 →
    500.00.
    """
    base = subtotal if isinstance(subtotal, Decimal) else Decimal(repr(float(subtotal)))
    if base <= 0 or not percent > 0:
        return Decimal("0.00")
    amount = to_cents(base * Decimal(repr(float(percent))) / 100)
    return amount if cap is None else min(amount, to_cents(cap))


def markup_description(percent: float, cap: float | None, capped: bool) -> str:
    """``Administration mark-up 5 %`` and, when the cap applied, ``(capped at 500.00)``."""
    text = f"Administration mark-up {percent:g} %"
    return f"{text} (capped at {cap:.2f})" if capped and cap is not None else text


def _tenant_line(line: BillLine) -> TenantBillLine:
    return TenantBillLine(
        kind=line.kind,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        rate=line.rate,
        amount=line.amount,
        season=line.season,
        period=line.period,
        version_from=line.version_from,
        month=line.month,
    )


def energy_lines(bill: Bill) -> list[TenantBillLine]:
    """A pass-through tenant's energy lines: the energy lines of the site tariff's bill on
    the tenant's clipped readings."""
    return [_tenant_line(line) for line in bill.lines if line.kind == "energy"]


def bill_lines(bill: Bill) -> list[TenantBillLine]:
    """An own-tariff tenant's lines: every line of its tariff's bill on its readings."""
    return [_tenant_line(line) for line in bill.lines]


def tenant_bill(
    tariff: TariffIn,
    rule: RechargeRule,
    charge_lines: Sequence[TenantBillLine],
    energy_kwh: float,
    start: date,
) -> TenantBill:
    """A tenant's bill: ``charge_lines`` (its energy lines, then its shares of the site's
    lines, or its own tariff's whole bill), the mark-up on their subtotal (capped), the
    admin fee, and VAT.

    VAT is the tariff's (the site's for pass-through, the tenant's own otherwise) on the
    subtotal as the calculator does it: each line's amount at the VAT of its tariff version
    (``version_from``; mark-up and admin fee at the version covering ``start``), summed,
    then rounded to cents half up.

    Worked example (a capped mark-up): lines 9,000.00 + 3,000.00 = 12,000.00; mark-up 5 %
    = 600.00, capped at 500.00; admin fee 150.00; subtotal 12,650.00; VAT 15 % = 1,897.50;
    total 14,547.50.
    """
    lines = list(charge_lines)
    charges = sum((Decimal(repr(line.amount)) for line in lines), Decimal(0))
    own_version = version_for(tariff, start).effective_from
    if rule.markup_percent > 0:
        amount = markup(charges, rule.markup_percent, rule.markup_cap)
        uncapped = markup(charges, rule.markup_percent, None)
        lines.append(
            TenantBillLine(
                kind="markup",
                description=markup_description(
                    rule.markup_percent, rule.markup_cap, amount < uncapped
                ),
                quantity=float(charges),
                unit=tariff.currency,
                rate=rule.markup_percent / 100.0,
                amount=float(amount),
                version_from=own_version,
            )
        )
    if rule.admin_fee > 0:
        lines.append(
            TenantBillLine(
                kind="admin_fee",
                description="Administration fee",
                quantity=1.0,
                unit="bill",
                rate=rule.admin_fee,
                amount=float(to_cents(rule.admin_fee)),
                version_from=own_version,
            )
        )
    by_version: dict[date, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_version[line.version_from or own_version] += Decimal(repr(line.amount))
    subtotal = sum(by_version.values(), Decimal(0))
    vat_rates = {v.effective_from: v.vat_percent for v in tariff.versions}
    vat = sum(
        (
            amount * Decimal(repr(vat_rates.get(version, vat_rates[own_version]))) / 100
            for version, amount in by_version.items()
        ),
        Decimal(0),
    ).quantize(CENT, rounding=ROUND_HALF_UP)
    return TenantBill(
        lines=lines,
        subtotal=float(subtotal),
        vat=float(vat),
        total=float(subtotal + vat),
        energy_kwh=round(energy_kwh, 6),
    )


# ---------------------------------------------------------------- reconciliation


@dataclass(frozen=True)
class TenantRecovery:
    tenant_id: int
    energy_kwh: float
    recovered_subtotal: float
    recovered_total: float


@dataclass(frozen=True)
class Reconciliation:
    """The reconciliation's numbers (docs/api/tenants.md "Reconciliation")."""

    utility_energy_kwh: float
    utility_subtotal: float
    utility_total: float
    tenants: list[TenantRecovery]
    common_energy_kwh: float
    common_cost: float
    generation_energy_kwh: float
    unmetered_energy_kwh: float
    unmetered_cost: float
    landlord_cost: float
    recovered_subtotal: float
    recovery_percent: float | None  # None when the utility subtotal is 0
    difference: float


def reconcile(
    site_bill: Bill,
    shares: SiteShares,
    tenants: Sequence[TenantRecovery],
    common_energy_kwh: float,
    generation_energy_kwh: float = 0.0,
) -> Reconciliation:
    """Utility bill vs the tenants' bills + common areas + the unmetered remainder.

    - unmetered kWh = site kWh + on-site generation - Σ tenants - common areas (so the
      energies add up: what the tenants and common areas use comes from the supply points
      and from the site's own generation, e.g. solar behind the incomer);
    - common areas' and unmetered cost = their kWh at the site bill's average energy price
      (energy lines' amount / site kWh), rounded to cents, plus the landlord's share of the
      apportioned lines split between them by energy (largest remainder);
    - landlord cost = common areas + unmetered cost (the landlord's share of the
      apportioned lines includes what own-tariff tenants would have carried: they pay
      their own tariff instead);
    - recovered subtotal = Σ tenants' subtotals (mark-up and admin fee included, before
      VAT); recovery percent = recovered / utility subtotal x 100;
      difference = utility subtotal - recovered subtotal.
    """
    site_kwh = site_bill.energy_kwh
    tenants_kwh = sum((t.energy_kwh for t in tenants), 0.0)
    unmetered_kwh = site_kwh + generation_energy_kwh - tenants_kwh - common_energy_kwh
    energy_amount = sum(
        (Decimal(repr(line.amount)) for line in site_bill.lines if line.kind == "energy"),
        Decimal(0),
    )
    price = energy_amount / Decimal(repr(site_kwh)) if site_kwh > 0 else Decimal(0)
    landlord_part = sum(
        (share.amounts.get(LANDLORD, Decimal(0)) for share in shares.shares), Decimal(0)
    )
    split = (
        apportion_cents(
            landlord_part,
            {"common": _weight(common_energy_kwh), "unmetered": _weight(unmetered_kwh)},
        )
        if _weight(common_energy_kwh) + _weight(unmetered_kwh) > 0
        else {"common": Decimal(0), "unmetered": to_cents(landlord_part)}
    )
    common_cost = to_cents(Decimal(repr(common_energy_kwh)) * price) + split["common"]
    unmetered_cost = to_cents(Decimal(repr(unmetered_kwh)) * price) + split["unmetered"]
    recovered = sum((Decimal(repr(t.recovered_subtotal)) for t in tenants), Decimal(0))
    utility_subtotal = Decimal(repr(site_bill.subtotal))
    return Reconciliation(
        utility_energy_kwh=site_kwh,
        utility_subtotal=site_bill.subtotal,
        utility_total=site_bill.total,
        tenants=list(tenants),
        common_energy_kwh=round(common_energy_kwh, 6),
        common_cost=float(common_cost),
        generation_energy_kwh=round(generation_energy_kwh, 6),
        unmetered_energy_kwh=round(unmetered_kwh, 6),
        unmetered_cost=float(unmetered_cost),
        landlord_cost=float(common_cost + unmetered_cost),
        recovered_subtotal=float(recovered),
        recovery_percent=(
            round(float(recovered / utility_subtotal * 100), 2) if utility_subtotal else None
        ),
        difference=float(utility_subtotal - recovered),
    )
