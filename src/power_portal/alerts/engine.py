"""What a rule watches, read from the rollups, turned into evaluation points.

The evaluator (``evaluator.py``) and the backtest (``service.backtest``) share this: for a
rule, its subjects (a site's supply points, a device, a virtual meter's signed devices; a
site rule of a per-device kind makes one subject per device), and for a subject the points
(``evaluation.Point``) at each 15-minute bucket end of a span, each with its value, whether
it breaches (both ways, for the hysteresis), quiet hours, and the message it would send.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import evaluation as ev
from power_portal.alerts import repository
from power_portal.alerts.repository import DeviceInfo, MeterInfo, SiteInfo
from power_portal.alerts.schemas import (
    PARAMS,
    DailyEnergyAboveBaselineParams,
    DemandAboveParams,
    OutOfHoursLoadParams,
    PeakExceedingParams,
    PhaseUnbalanceParams,
    PowerFactorBelowParams,
    VoltageBandParams,
    Windows,
)
from power_portal.measurements.buckets import local_midnight
from power_portal.tariffs import service as tariffs_service
from power_portal.tariffs.calculator import billed_demand_unit, demand_charges_at
from power_portal.tariffs.schemas import TariffIn
from power_portal.virtual_meters import repository as vm_repository
from power_portal.virtual_meters.formula import expand

BUCKET = timedelta(minutes=15)
PER_DEVICE_KINDS = frozenset({"offline", "gap", "voltage_band", "phase_unbalance"})
CLOCK_KINDS = frozenset({"offline"})
DAILY_KINDS = frozenset({"daily_energy_above_baseline"})
# A subject with no bucket newer than this long ago is not waited for (a dead meter must
# not hold up its site's evaluation).
STALE_AFTER = timedelta(hours=24)


def floor_bucket(moment: datetime) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % int(BUCKET.total_seconds()), UTC)


def windows_of(windows: Windows | dict[str, Any] | None) -> list[ev.Window]:
    if windows is None:
        return []
    parsed = windows if isinstance(windows, Windows) else Windows.model_validate(windows)
    return [
        ev.Window(
            frozenset(w.days), ev.parse_clock(w.start) or datetime.min.time(), ev.parse_clock(w.end)
        )
        for w in parsed.windows
    ]


_PARSED: dict[tuple[str, str], Any] = {}
_SPECS: dict[tuple[int, Any], RuleSpec] = {}


def parsed_params(kind: str, params: dict[str, Any]) -> Any:
    """The kind's params model of ``params`` (stored rules are valid: they were checked when
    saved), parsed once per distinct text and reused by every tick."""
    key = (kind, json.dumps(params, sort_keys=True))
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) > 50_000:
            _PARSED.clear()
        found = _PARSED[key] = PARAMS[kind].model_validate(params)
    return found


def _json(value: Any) -> Any:
    """A JSON column as read: already decoded (an ORM row), or its text (the evaluator's read,
    decoded only when the rule changed)."""
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the evaluator reads it: its columns, its parsed params and quiet hours."""

    id: int
    name: str
    site_id: int | None
    device_id: int | None
    virtual_meter_id: int | None
    kind: str
    severity: str
    for_minutes: int
    params: dict[str, Any]
    quiet_hours: dict[str, Any] | None
    parsed: Any
    quiet: tuple[ev.Window, ...]

    @property
    def direction(self) -> ev.Direction:
        """Which way the watched value breaches: below for the power factor, else above."""
        return "below" if self.kind == "power_factor_below" else "above"

    @classmethod
    def of(cls, rule: Any) -> RuleSpec:
        """From a stored rule (an ``AlertRule`` or a row with its columns); a stored rule
        unchanged since the last tick (same id and ``updated_at``) is not parsed again."""
        key = (rule.id, getattr(rule, "updated_at", None))
        if key[1] is not None and (found := _SPECS.get(key)) is not None:
            return found
        params = _json(rule.params)
        quiet_hours = _json(rule.quiet_hours)
        spec = cls(
            id=rule.id,
            name=rule.name,
            site_id=rule.site_id,
            device_id=rule.device_id,
            virtual_meter_id=rule.virtual_meter_id,
            kind=rule.kind,
            severity=rule.severity,
            for_minutes=rule.for_minutes,
            params=params,
            quiet_hours=quiet_hours,
            parsed=parsed_params(rule.kind, params),
            quiet=tuple(windows_of(quiet_hours)),
        )
        if key[1] is not None:
            if len(_SPECS) > 100_000:
                _SPECS.clear()
            _SPECS[key] = spec
        return spec


@dataclass(frozen=True)
class Subject:
    """What one alert is about: its kind, id and name, its site, and the devices whose
    energy adds up to it (with their signs)."""

    kind: str
    id: int
    name: str
    site: SiteInfo
    coefficients: dict[int, int]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)


@dataclass
class Catalogue:
    """Sites, devices, virtual meters and tariffs, loaded once per tick."""

    sites: dict[int, SiteInfo]
    devices: dict[int, DeviceInfo]
    meters: dict[int, MeterInfo]
    supply: dict[int, list[int]] = field(default_factory=dict)
    by_site: dict[int, list[DeviceInfo]] = field(default_factory=dict)
    terms: dict[int, dict[int, list[Any]]] = field(default_factory=dict)
    tariffs: dict[int, TariffIn | None] = field(default_factory=dict)
    subject_lists: dict[tuple[Any, ...], list[Subject]] = field(default_factory=dict)

    @classmethod
    async def load(cls, db: AsyncSession) -> Catalogue:
        catalogue = cls(
            await repository.sites(db),
            await repository.devices(db),
            await repository.virtual_meters(db),
        )
        by_site: dict[int, list[DeviceInfo]] = defaultdict(list)
        for device in sorted(catalogue.devices.values(), key=lambda d: d.id):
            by_site[device.site_id].append(device)
        for site_id, members in by_site.items():
            supply = [d.id for d in members if d.role == "supply"]
            catalogue.supply[site_id] = sorted(supply or [d.id for d in members])
        catalogue.by_site = dict(by_site)
        return catalogue

    def site_devices(self, site_id: int) -> list[DeviceInfo]:
        return self.by_site.get(site_id, [])

    async def tariff(self, db: AsyncSession, site: SiteInfo) -> TariffIn | None:
        if site.id not in self.tariffs:
            self.tariffs[site.id] = (
                None
                if site.tariff_id is None
                else TariffIn.model_validate(
                    await tariffs_service.get_tariff(db, site.tariff_id), from_attributes=True
                )
            )
        return self.tariffs[site.id]

    async def subjects(self, db: AsyncSession, rule: RuleSpec) -> list[Subject]:
        """The subjects of a rule (the same for every rule on the same target: kept)."""
        key = (rule.site_id, rule.device_id, rule.virtual_meter_id, rule.kind in PER_DEVICE_KINDS)
        found = self.subject_lists.get(key)
        if found is None:
            found = self.subject_lists[key] = await self._subjects(db, rule)
        return found

    async def _subjects(self, db: AsyncSession, rule: RuleSpec) -> list[Subject]:
        if rule.device_id is not None:
            device = self.devices.get(rule.device_id)
            if device is None:
                return []
            site = self.sites[device.site_id]
            return [Subject("device", device.id, device.name, site, {device.id: 1})]
        if rule.virtual_meter_id is not None:
            meter = self.meters.get(rule.virtual_meter_id)
            if meter is None:
                return []
            if meter.site_id not in self.terms:
                self.terms[meter.site_id] = await vm_repository.site_terms(db, meter.site_id)
            coefficients = expand(meter.id, self.terms[meter.site_id])
            site = self.sites[meter.site_id]
            return [Subject("virtual_meter", meter.id, meter.name, site, coefficients)]
        found = self.sites.get(rule.site_id or 0)
        if found is None:
            return []
        site = found
        if rule.kind in PER_DEVICE_KINDS:
            return [
                Subject("device", d.id, d.name, site, {d.id: 1}) for d in self.site_devices(site.id)
            ]
        return [
            Subject(
                "site", site.id, site.name, site, dict.fromkeys(self.supply.get(site.id, []), 1)
            )
        ]


# ---------------------------------------------------------------- points of a subject


@dataclass(frozen=True)
class Reading:
    """A subject's figures in one bucket."""

    energy_kwh: float
    apparent_kvah: float
    voltages: tuple[float | None, float | None, float | None] = (None, None, None)
    currents: tuple[float | None, float | None, float | None] = (None, None, None)


def combine(
    buckets: Sequence[repository.Bucket], coefficients: dict[int, int]
) -> dict[datetime, Reading]:
    """The subject's buckets: energy summed with the devices' signs; phases from a single
    device (a subject of several devices has no phases)."""
    single = len(coefficients) == 1
    result: dict[datetime, Reading] = {}
    for bucket in buckets:
        sign = coefficients.get(bucket.device_id)
        if sign is None:
            continue
        seen = result.get(bucket.start)
        energy = sign * bucket.energy_kwh + (seen.energy_kwh if seen else 0.0)
        apparent = sign * bucket.apparent_kvah + (seen.apparent_kvah if seen else 0.0)
        result[bucket.start] = Reading(
            energy,
            apparent,
            bucket.voltages if single else (None, None, None),
            bucket.currents if single else (None, None, None),
        )
    return result


@dataclass(frozen=True)
class Watched:
    """A point with what a notification would say about it (``describe`` makes the text
    from the value, only when a transition needs it: a tick evaluates thousands of points
    and notifies about a few)."""

    point: ev.Point
    describe: Callable[[float | None], str]
    threshold: float | None
    unit: str | None

    @property
    def message(self) -> str:
        return self.describe(self.point.value)


def fixed(text: str) -> Callable[[float | None], str]:
    """A ``describe`` that says the same whatever the value."""
    return lambda _value: text


def demand_unit(params_unit: str, tariff: TariffIn | None) -> str:
    """``kVA`` or ``kW``: as asked, or (``auto``) as the site's tariff bills demand."""
    if params_unit == "kva":
        return "kVA"
    if params_unit == "kw":
        return "kW"
    return billed_demand_unit(tariff)


def _energy(reading: Reading | None, unit: str) -> float | None:
    if reading is None:
        return None
    return reading.apparent_kvah if unit == "kVA" else reading.energy_kwh


def lookback(rule: RuleSpec, end: datetime) -> timedelta:
    """How far before the first point's bucket a rule reads."""
    if rule.kind == "power_factor_below":
        return timedelta(minutes=int(rule.params.get("over_minutes", 60)))
    if rule.kind == "peak_exceeding":
        return timedelta(days=32)
    return 2 * BUCKET


async def points(
    db: AsyncSession,
    catalogue: Catalogue,
    rule: RuleSpec,
    subject: Subject,
    readings: dict[datetime, Reading],
    ends: Sequence[datetime],
) -> list[Watched]:
    """The rule's evaluation at each bucket end of ``ends`` (sorted)."""
    params = rule.parsed
    quiet = rule.quiet
    zone = subject.zone

    def is_quiet(at: datetime) -> bool:
        return bool(quiet) and ev.in_windows((at - timedelta(seconds=1)).astimezone(zone), quiet)

    result: list[Watched] = []
    if isinstance(params, DemandAboveParams):
        unit = demand_unit(params.unit, await catalogue.tariff(db, subject.site))
        clear = params.clear_below if params.clear_below is not None else params.threshold
        threshold = params.threshold

        def describe(value: float | None) -> str:
            if value is None:
                return "no demand figure"
            return f"30-minute demand {value:.1f} {unit}, threshold {threshold:g} {unit}"

        for at in ends:
            value = ev.rolling_demand(
                [
                    _energy(readings.get(at - 2 * BUCKET), unit),
                    _energy(readings.get(at - BUCKET), unit),
                ]
            )
            point = ev.threshold_point(at, value, params.threshold, clear, "above", is_quiet(at))
            result.append(Watched(point, describe, params.threshold, unit))
    elif isinstance(params, OutOfHoursLoadParams):
        working = windows_of(params.schedule)
        clear = params.clear_below_kw if params.clear_below_kw is not None else params.threshold_kw
        limit_kw = params.threshold_kw

        def describe(value: float | None) -> str:
            shown = "no figure" if value is None else f"{value:.1f} kW"
            return f"load outside working hours {shown}, threshold {limit_kw:g} kW"

        for at in ends:
            local = (at - BUCKET).astimezone(zone)
            reading = readings.get(at - BUCKET)
            value = None if reading is None else reading.energy_kwh * 4
            if ev.in_windows(local, working):
                point = ev.Point(at, value, False, False, is_quiet(at))
            else:
                point = ev.threshold_point(
                    at, value, params.threshold_kw, clear, "above", is_quiet(at)
                )
            result.append(Watched(point, describe, params.threshold_kw, "kW"))
    elif isinstance(params, PowerFactorBelowParams):
        window = params.over_minutes // 15
        clear = params.clear_above if params.clear_above is not None else params.threshold
        over, pf_threshold = params.over_minutes, params.threshold

        def describe(value: float | None) -> str:
            shown = "no figure" if value is None else f"{value:.3f}"
            return f"power factor over {over} min {shown}, threshold {pf_threshold:g}"

        for at in ends:
            span = [readings.get(at - BUCKET * (i + 1)) for i in range(window)]
            present = [r for r in span if r is not None]
            value = (
                ev.power_factor(
                    sum(r.energy_kwh for r in present), sum(r.apparent_kvah for r in present)
                )
                if len(present) == window
                else None
            )
            point = ev.threshold_point(at, value, params.threshold, clear, "below", is_quiet(at))
            result.append(Watched(point, describe, params.threshold, None))
    elif isinstance(params, VoltageBandParams):
        low, high = params.low_v, params.high_v

        def describe(value: float | None) -> str:
            shown = "no figure" if value is None else f"{value:.1f} V"
            return f"phase voltage {shown}, band {low:g} to {high:g} V"

        for at in ends:
            reading = readings.get(at - BUCKET)
            phases = reading.voltages if reading else (None, None, None)
            breached, worst = ev.voltage_out_of_band(
                phases, params.low_v, params.high_v, params.hysteresis_v, active=False
            )
            still, _ = ev.voltage_out_of_band(
                phases, params.low_v, params.high_v, params.hysteresis_v, active=True
            )
            if worst is None:
                breached = still = False
            point = ev.Point(at, worst, breached, still, is_quiet(at))
            result.append(Watched(point, describe, params.high_v, "V"))
    elif isinstance(params, PhaseUnbalanceParams):
        clear = (
            params.clear_below_percent
            if params.clear_below_percent is not None
            else params.threshold_percent
        )
        of, share = params.of, params.threshold_percent

        def describe(value: float | None) -> str:
            shown = "no figure" if value is None else f"{value:.1f} %"
            return f"{of} unbalance {shown}, threshold {share:g} %"

        for at in ends:
            reading = readings.get(at - BUCKET)
            phases = (
                (reading.voltages if params.of == "voltage" else reading.currents)
                if reading
                else (None, None, None)
            )
            value = ev.phase_unbalance_percent(phases)
            point = ev.threshold_point(
                at, value, params.threshold_percent, clear, "above", is_quiet(at)
            )
            result.append(Watched(point, describe, params.threshold_percent, "%"))
    elif isinstance(params, PeakExceedingParams):
        result = await _peak_points(db, catalogue, params, subject, readings, ends, is_quiet)
    return result


async def _peak_points(
    db: AsyncSession,
    catalogue: Catalogue,
    params: PeakExceedingParams,
    subject: Subject,
    readings: dict[datetime, Reading],
    ends: Sequence[datetime],
    is_quiet: Any,
) -> list[Watched]:
    tariff = await catalogue.tariff(db, subject.site)
    if tariff is None:
        return [
            Watched(ev.Point(at, None, False, False), fixed("no tariff"), None, None) for at in ends
        ]
    unit = demand_unit("auto", tariff)
    zone = subject.zone
    # Aligned 30-minute blocks (ending on :00 and :30) of the months the points fall in.
    first_month = ends[0].astimezone(zone).replace(day=1, hour=0, minute=0, second=0)
    block_ends: list[datetime] = []
    at = floor_bucket(first_month.astimezone(UTC)) + 2 * BUCKET
    while at <= ends[-1]:
        if at.minute in (0, 30):
            block_ends.append(at)
        at += BUCKET
    moments = [
        *(b - timedelta(minutes=1) for b in block_ends),
        *(e - timedelta(minutes=1) for e in ends),
    ]
    charges = demand_charges_at(tariff, moments)
    block_charges = dict(zip(block_ends, charges[: len(block_ends)], strict=True))
    point_charges = charges[len(block_ends) :]

    def demand(end: datetime) -> float | None:
        return ev.rolling_demand(
            [
                _energy(readings.get(end - 2 * BUCKET), unit),
                _energy(readings.get(end - BUCKET), unit),
            ]
        )

    result: list[Watched] = []
    for end, applying in zip(ends, point_charges, strict=True):
        current = demand(end)
        local_month = end.astimezone(zone).strftime("%Y-%m")
        names = {c.name for c in applying}
        earlier = [
            demand(b)
            for b, covered in block_charges.items()
            if b < end - BUCKET
            and b.astimezone(zone).strftime("%Y-%m") == local_month
            and names & {c.name for c in covered}
        ]
        peak = ev.month_peak(earlier)
        breached = bool(applying) and ev.peak_exceeding(current, peak, params.margin_percent)
        rate = sum(c.rate for c in applying)
        if current is None or peak is None or not applying:
            text = "outside the demand-charge periods" if not applying else "no peak yet this month"
        else:
            added = ev.added_demand_cost(current, peak, rate)
            text = (
                f"30-minute demand {current:.1f} {unit} against this month's peak "
                f"{peak:.1f} {unit}: a new peak adds {tariff.currency} {added:,.2f} "
                f"to the month's demand charges"
                if current > peak
                else f"30-minute demand {current:.1f} {unit} within {params.margin_percent:g} % "
                f"of this month's peak {peak:.1f} {unit}; every {unit} above it costs "
                f"{tariff.currency} {rate:,.2f}"
            )
        result.append(
            Watched(
                ev.Point(end, current, breached, breached, is_quiet(end)), fixed(text), peak, unit
            )
        )
    return result


# ---------------------------------------------------------------- daily baseline


async def daily_points(
    db: AsyncSession,
    rule: RuleSpec,
    subject: Subject,
    days: Sequence[date],
) -> list[Watched]:
    """The baseline rule at the end of each completed local day of ``days``."""
    params: DailyEnergyAboveBaselineParams = rule.parsed
    if not days:
        return []
    first = days[0] - timedelta(weeks=params.weeks)
    daily = await repository.daily_import(db, list(subject.coefficients), first, days[-1])
    zone = subject.zone

    def energy(day: date) -> float | None:
        present = [
            sign * daily[(device_id, day)]
            for device_id, sign in subject.coefficients.items()
            if (device_id, day) in daily
        ]
        return sum(present) if present else None

    result: list[Watched] = []
    for day in days:
        value = energy(day)
        base = ev.baseline([energy(day - timedelta(weeks=w)) for w in range(1, params.weeks + 1)])
        breached = value is not None and ev.above_baseline(value, base, params.percent)
        at = local_midnight(day + timedelta(days=1), zone)
        if value is None or base is None:
            text = "no baseline yet"
        else:
            text = (
                f"{day.isoformat()}: {value:.1f} kWh against a baseline of {base:.1f} kWh "
                f"(median of the same weekday, {params.weeks} weeks; +{params.percent:g} % allowed)"
            )
        threshold = None if base is None else base * (1 + params.percent / 100)
        result.append(
            Watched(ev.Point(at, value, breached, breached), fixed(text), threshold, "kWh")
        )
    return result
