"""The demo shopping centre and a realistic simulated history of its meters (pure: no
database here).

The centre is a metering tree (docs/api/metering-tree.md): an incomer on the utility's
supply, below it the tenants' sub-meters (the grocer has two), the common areas (lighting,
HVAC) and a rooftop solar meter (role ``generation``). Four tenants are recharged by their
meters (docs/api/tenants.md): the Grocer passes the site's tariff through with the demand
charge shared by coincident peak and a capped mark-up, the Cafe has a tariff of its own, and
on the most recent 15th at noon the Bookshop moved out of shop 3 and the Pharmacy moved in
(the shop's meter changed tenant at that instant). The consumers' loads follow
``measurements.load_profile``; the solar meter follows the sun of Johannesburg with a
cloudiness per day; the incomer measures what the centre takes from the grid:

    incomer = (sum of consumers - solar) * (1 + losses),   losses 2.5 % to 4.5 % with the load

so every bucket's remainder (incomer - consumers + solar) is a plausible 2 to 5 % "unmetered /
losses", never negative. The solar meter's generation is its ``energy_import_kwh`` register
(its CTs face the inverter's output), and a zero-export controller keeps it under the
centre's load, so the incomer never exports. Voltages, currents, power factor, frequency and
the cumulative registers follow from the loads, the way an Acuvim II would report them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.load_profile import DEMO_TIMEZONE, LoadProfile, load_kw
from power_portal.measurements.parsing import Row

DEMO_SITE_NAME = "Demo shopping centre"
DEMO_UTILITY = "City Power Johannesburg"
DEMO_ADDRESS = "1 Demo Street, Johannesburg"
DEMO_MODEL = "Acuvim II"
DEMO_STEP = timedelta(minutes=5)
DEMO_TARIFF_NAME = "Demo time-of-use (Eskom-style)"
DEMO_TENANT_TARIFF_NAME = "Demo tenant flat rate"

Role = Literal["supply", "generation", "submeter"]
INCOMER = "Incomer"
SOLAR = "Rooftop solar"
SOLAR_PEAK_KW = 40.0
# losses (cables, transformer) grow with the load: this share at no load, twice it at full
LOSS_SHARE = 0.025
LOSS_FULL_LOAD_KW = 200.0
# a zero-export controller curtails the inverter to this share of the centre's load
ZERO_EXPORT_SHARE = 0.9


@dataclass(frozen=True)
class DemoMeter:
    """One meter of the demo tree: ``profile`` for a consumer, None for the incomer and the
    solar meter (their readings follow from the others')."""

    name: str
    serial: str
    role: Role
    parent: str | None
    profile: LoadProfile | None = None


def _consumer(name: str, serial: str, *load: float) -> DemoMeter:
    return DemoMeter(name, serial, "submeter", INCOMER, LoadProfile(name, serial, *load))


# In creation order (a parent before its children). Loads: base kW, working-hours kW,
# evening kW, power factor, noise.
DEMO_METERS: tuple[DemoMeter, ...] = (
    DemoMeter(INCOMER, "DEMO-INC-0001", "supply", None),
    _consumer("Grocer sales floor", "DEMO-ACV-0001", 12.0, 38.0, 10.0, 0.93, 0.05),
    _consumer("Grocer cold rooms", "DEMO-ACV-0002", 22.0, 8.0, 0.0, 0.84, 0.06),
    _consumer("Pharmacy", "DEMO-ACV-0003", 2.5, 9.0, 1.5, 0.95, 0.06),
    _consumer("Cafe", "DEMO-ACV-0004", 3.0, 14.0, 6.0, 0.96, 0.10),
    _consumer("Common lighting", "DEMO-ACV-0005", 6.0, 4.0, 12.0, 0.97, 0.03),
    _consumer("HVAC", "DEMO-ACV-0006", 8.0, 45.0, 6.0, 0.88, 0.08),
    DemoMeter(SOLAR, "DEMO-PV-0001", "generation", INCOMER),
)
DEMO_CONSUMERS: tuple[LoadProfile, ...] = tuple(
    meter.profile for meter in DEMO_METERS if meter.profile is not None
)
# `portal demo --live` keeps the incomer reporting (the site's totals are its supply point's):
# the consumers' loads added up, with the losses, as one load shape (no solar at night or day)
DEMO_LIVE_PROFILE = LoadProfile(
    INCOMER,
    DEMO_METERS[0].serial,
    round(sum(p.base_kw for p in DEMO_CONSUMERS) * (1 + LOSS_SHARE), 1),
    round(sum(p.working_kw for p in DEMO_CONSUMERS) * (1 + 2 * LOSS_SHARE) * 0.75, 1),
    round(sum(p.evening_kw for p in DEMO_CONSUMERS) * (1 + LOSS_SHARE), 1),
    0.9,
    0.03,
)
# named signed sums of meters: (name, [(sign, meter name), ...])
DEMO_VIRTUAL_METERS: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = (
    ("Common areas", ((1, "Common lighting"), (1, "HVAC"))),
    ("Grocer (both meters)", ((1, "Grocer sales floor"), (1, "Grocer cold rooms"))),
)


# ---------------------------------------------------------------- loads


def _sun_hours(day: date) -> tuple[float, float]:
    """Local sunrise and sunset (hours) in Johannesburg, near enough: 10.6 h of daylight at
    the June solstice, 13.6 h at the December one, around a solar noon at 12:05."""
    solstice = date(day.year, 12, 21)
    angle = 2 * math.pi * (day - solstice).days / 365.25
    half_day = 6.05 + 0.75 * math.cos(angle)
    return 12.08 - half_day, 12.08 + half_day


def solar_kw(local: datetime, clearness: float, rng: random.Random) -> float:
    """The solar meter's output at a local time on a day of ``clearness`` (0..1)."""
    sunrise, sunset = _sun_hours(local.date())
    hour = local.hour + local.minute / 60
    if not sunrise < hour < sunset:
        return 0.0
    elevation = math.sin(math.pi * (hour - sunrise) / (sunset - sunrise))
    passing_clouds = 1.0 if clearness > 0.9 else 1 - (1 - clearness) * rng.random()
    return float(SOLAR_PEAK_KW * elevation**1.3 * clearness * passing_clouds)


def _clearness(day: date, seed: int) -> float:
    """How sunny a day is: mostly clear, some cloudy days (the same for the same day)."""
    rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311 - weather, not security
    return rng.uniform(0.92, 1.0) if rng.random() < 0.7 else rng.uniform(0.3, 0.85)


def losses_share(net_kw: float) -> float:
    """The share of what the consumers take that is lost on the way from the incomer."""
    return LOSS_SHARE * (1 + min(1.0, max(0.0, net_kw) / LOSS_FULL_LOAD_KW))


@dataclass(frozen=True)
class SiteLoads:
    """Active and reactive power (kW, kvar) of every meter at every step of the history."""

    moments: list[datetime]
    kw: dict[str, list[float]]
    kvar: dict[str, list[float]]


def simulate_loads(
    start: datetime, end: datetime, step: timedelta, seed: int = 0, timezone: str = DEMO_TIMEZONE
) -> SiteLoads:
    """The loads of the whole tree from ``start`` to ``end`` (exclusive), every ``step``."""
    zone = ZoneInfo(timezone)
    moments: list[datetime] = []
    moment = start
    while moment < end:
        moments.append(moment)
        moment += step
    kw: dict[str, list[float]] = {meter.name: [] for meter in DEMO_METERS}
    kvar: dict[str, list[float]] = {meter.name: [] for meter in DEMO_METERS}
    rngs = {
        profile.name: random.Random(seed * 100 + n)  # noqa: S311 - simulated load
        for n, profile in enumerate(DEMO_CONSUMERS)
    }
    sky = random.Random(seed * 100 + 99)  # noqa: S311 - simulated clouds
    for moment in moments:
        local = moment.astimezone(zone)
        consumers_kw = consumers_kvar = 0.0
        for profile in DEMO_CONSUMERS:
            rng = rngs[profile.name]
            p = load_kw(profile, local, rng)
            pf = min(0.999, max(0.5, profile.power_factor + rng.gauss(0, 0.01)))
            q = p * math.tan(math.acos(pf))
            kw[profile.name].append(p)
            kvar[profile.name].append(q)
            consumers_kw += p
            consumers_kvar += q
        solar = solar_kw(local, _clearness(local.date(), seed), sky)
        solar = min(solar, ZERO_EXPORT_SHARE * consumers_kw)
        kw[SOLAR].append(solar)
        kvar[SOLAR].append(0.0)
        net = consumers_kw - solar
        share = losses_share(net)
        kw[INCOMER].append(net * (1 + share))
        kvar[INCOMER].append(consumers_kvar * (1 + share))
    return SiteLoads(moments, kw, kvar)


# ---------------------------------------------------------------- readings


def meter_rows(
    loads: SiteLoads, meter_name: str, seed: int, indices: Sequence[int] | None = None
) -> list[Row]:
    """The readings of one meter from its loads (at ``indices`` of the steps, or all); its
    registers count every step, also those left out (a meter that was off kept counting)."""
    rng = random.Random(seed)  # noqa: S311 - simulated readings, not security
    index = {name: i for i, name in enumerate(FIELD_NAMES)}
    moments = loads.moments
    hours = (moments[1] - moments[0]).total_seconds() / 3600 if len(moments) > 1 else 1 / 12
    wanted = set(range(len(moments)) if indices is None else indices)
    import_kwh = 10_000.0 * (seed + 1)
    reactive_kvarh = import_kwh * 0.3
    apparent_kvah = import_kwh * 1.05
    rows: list[Row] = []
    for i, moment in enumerate(moments):
        kw, kvar = loads.kw[meter_name][i], loads.kvar[meter_name][i]
        kva = math.hypot(kw, kvar)
        import_kwh += kw * hours
        reactive_kvarh += kvar * hours
        apparent_kvah += kva * hours
        volts = [230.0 + rng.gauss(0, 1.5) for _ in range(3)]
        if i not in wanted:
            continue
        pf = kw / kva if kva > 0 else 1.0
        values: list[Any] = [None] * len(FIELD_NAMES)
        amps = [kva * 1000 / 3 / v for v in volts]
        for phase, (v, a) in enumerate(zip(volts, amps, strict=True), start=1):
            values[index[f"voltage_l{phase}_v"]] = round(v, 2)
            values[index[f"current_l{phase}_a"]] = round(a, 2)
            values[index[f"power_l{phase}_kw"]] = round(kw / 3, 3)
        line = math.sqrt(3)
        values[index["voltage_l12_v"]] = round((volts[0] + volts[1]) / 2 * line, 2)
        values[index["voltage_l23_v"]] = round((volts[1] + volts[2]) / 2 * line, 2)
        values[index["voltage_l31_v"]] = round((volts[2] + volts[0]) / 2 * line, 2)
        values[index["current_n_a"]] = round(abs(rng.gauss(0, 0.03)) * max(amps), 2)
        values[index["power_kw"]] = round(kw, 3)
        values[index["reactive_power_kvar"]] = round(kvar, 3)
        values[index["apparent_power_kva"]] = round(kva, 3)
        values[index["power_factor"]] = round(pf, 3)
        values[index["frequency_hz"]] = round(50.0 + rng.gauss(0, 0.02), 3)
        values[index["energy_import_kwh"]] = round(import_kwh, 1)
        values[index["energy_export_kwh"]] = 0.0
        values[index["reactive_energy_import_kvarh"]] = round(reactive_kvarh, 1)
        values[index["reactive_energy_export_kvarh"]] = 0.0
        values[index["apparent_energy_kvah"]] = round(apparent_kvah, 1)
        rows.append((moment, *values))
    return rows


@dataclass(frozen=True)
class PlannedRows:
    """Readings of one meter to store, in the order planned: ``indices`` of the steps."""

    label: str
    meter: DemoMeter
    seed: int
    indices: list[int]


def history_plan(loads: SiteLoads) -> list[PlannedRows]:
    """The demo's history, as readings to store in this order (``DEMO_METERS``' order).

    The HVAC meter was off for six hours ten days before the end (a gap; the incomer
    still saw the load); a day of the cafe's, twenty days before the end, arrives after the
    rest of its history (a late replay from the meter's offline buffer).
    """
    if not loads.moments:
        return []
    end = loads.moments[-1] + DEMO_STEP
    gap = (end - timedelta(days=10, hours=-2), end - timedelta(days=10, hours=-8))
    held_back = (end - timedelta(days=20), end - timedelta(days=19))
    steps = list(enumerate(loads.moments))
    plan: list[PlannedRows] = []
    for seed, meter in enumerate(DEMO_METERS):
        if meter.name == "HVAC":
            kept = [i for i, moment in steps if not gap[0] <= moment < gap[1]]
            plan.append(PlannedRows(meter.name, meter, seed, kept))
        elif meter.name == "Cafe":
            late = [i for i, moment in steps if held_back[0] <= moment < held_back[1]]
            live = [i for i, moment in steps if not held_back[0] <= moment < held_back[1]]
            plan.append(PlannedRows(meter.name, meter, seed, live))
            plan.append(PlannedRows(f"{meter.name} (late replay)", meter, seed, late))
        else:
            plan.append(PlannedRows(meter.name, meter, seed, [i for i, _ in steps]))
    return plan


# ---------------------------------------------------------------- the tariff


def demo_tariff() -> dict[str, Any]:
    """A time-of-use tariff in the style of Eskom's (high season June to August; weekday
    peaks in the mornings and evenings), with a daily charge, a demand charge and reactive
    energy: the tariff document of ``tariffs.schemas.TariffIn``."""
    weekdays = ["mon", "tue", "wed", "thu", "fri"]

    def period(name: str, season: str, days: list[str], start: str, end: str) -> dict[str, Any]:
        return {"name": name, "season": season, "days": days, "start": start, "end": end}

    periods = [
        period("peak", "high", weekdays, "06:00", "09:00"),
        period("peak", "high", weekdays, "17:00", "19:00"),
        period("standard", "high", weekdays, "09:00", "17:00"),
        period("standard", "high", weekdays, "19:00", "22:00"),
        period("off-peak", "high", weekdays, "22:00", "06:00"),
        period("peak", "low", weekdays, "07:00", "10:00"),
        period("peak", "low", weekdays, "18:00", "20:00"),
        period("standard", "low", weekdays, "06:00", "07:00"),
        period("standard", "low", weekdays, "10:00", "18:00"),
        period("standard", "low", weekdays, "20:00", "22:00"),
        period("off-peak", "low", weekdays, "22:00", "06:00"),
    ]
    for season in ("high", "low"):
        periods += [
            period("standard", season, ["sat"], "07:00", "12:00"),
            period("standard", season, ["sat"], "18:00", "20:00"),
            period("off-peak", season, ["sat"], "12:00", "18:00"),
            period("off-peak", season, ["sat"], "20:00", "07:00"),
            period("off-peak", season, ["sun"], "00:00", "24:00"),
        ]
    rates = {
        ("high", "peak"): 5.52,
        ("high", "standard"): 1.67,
        ("high", "off-peak"): 0.91,
        ("low", "peak"): 1.81,
        ("low", "standard"): 1.25,
        ("low", "off-peak"): 0.79,
    }
    version = {
        "effective_from": "2020-01-01",
        "vat_percent": 15,
        "seasons": [
            {"name": "high", "months": [6, 7, 8]},
            {"name": "low", "months": [1, 2, 3, 4, 5, 9, 10, 11, 12]},
        ],
        "periods": periods,
        "energy_rates": [
            {"season": season, "period": name, "rate": rate}
            for (season, name), rate in rates.items()
        ],
        "fixed_charges": [{"name": "Service and administration", "amount": 95.0, "per": "day"}],
        "demand_charges": [
            {
                "name": "Network demand",
                "rate": 62.0,
                "unit": "kVA",
                "periods": ["peak", "standard"],
                "season": None,
            }
        ],
        "reactive_charge": {"name": "Reactive energy", "rate": 0.25, "free_share": 0.3},
    }
    return {
        "name": DEMO_TARIFF_NAME,
        "currency": "ZAR",
        "timezone": DEMO_TIMEZONE,
        "public_holidays": {"calendar": "ZA", "treat_as": "sun"},
        "versions": [version],
    }


def demo_tenant_tariff() -> dict[str, Any]:
    """The Cafe's own tariff (a flat rate every hour of the year, a monthly meter and billing
    charge, no demand charge): the tariff document of ``tariffs.schemas.TariffIn``."""
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    version = {
        "effective_from": "2020-01-01",
        "vat_percent": 15,
        "seasons": [{"name": "all year", "months": list(range(1, 13))}],
        "periods": [
            {
                "name": "anytime",
                "season": "all year",
                "days": every_day,
                "start": "00:00",
                "end": "24:00",
            }
        ],
        "energy_rates": [{"season": "all year", "period": "anytime", "rate": 2.35}],
        "fixed_charges": [{"name": "Meter reading and billing", "amount": 180.0, "per": "month"}],
    }
    return {
        "name": DEMO_TENANT_TARIFF_NAME,
        "currency": "ZAR",
        "timezone": DEMO_TIMEZONE,
        "versions": [version],
    }


# ---------------------------------------------------------------- the tenants

Lease = Literal["whole", "until_move", "from_move"]
# the day of the month and the local time at which shop 3 changed tenant
MOVE_DAY = 15
MOVE_TIME = time(12, 0)


@dataclass(frozen=True)
class DemoTenant:
    """A tenant of the demo centre: its rule (``rule`` of docs/api/tenants.md; an
    ``own_tariff`` rule gets the id of ``demo_tenant_tariff`` when created), the meters it
    holds and when: the ``whole`` history, ``until_move`` or ``from_move``."""

    name: str
    reference: str
    contact_email: str
    rule: dict[str, Any]
    meters: tuple[str, ...]
    lease: Lease = "whole"


def _pass_through(
    apportion: str, markup_percent: float, markup_cap: float | None, admin_fee: float
) -> dict[str, Any]:
    return {
        "kind": "pass_through",
        "apportion": apportion,
        "fixed_share_percent": None,
        "tariff_id": None,
        "markup_percent": markup_percent,
        "markup_cap": markup_cap,
        "admin_fee": admin_fee,
    }


GROCER = "Grocer"
OUTGOING_TENANT = "Bookshop"
INCOMING_TENANT = "Pharmacy"
SHOP_3_METER = "Pharmacy"
DEMO_TENANTS: tuple[DemoTenant, ...] = (
    DemoTenant(
        GROCER,
        "T-001",
        "accounts@grocer.example",
        _pass_through("coincident_demand", 5.0, 1000.0, 150.0),
        ("Grocer sales floor", "Grocer cold rooms"),
    ),
    DemoTenant(
        "Cafe",
        "T-002",
        "owner@cafe.example",
        {
            "kind": "own_tariff",
            "apportion": None,
            "fixed_share_percent": None,
            "tariff_id": None,
            "markup_percent": 0.0,
            "markup_cap": None,
            "admin_fee": 0.0,
        },
        ("Cafe",),
    ),
    DemoTenant(
        OUTGOING_TENANT,
        "T-003",
        "books@bookshop.example",
        _pass_through("energy", 10.0, None, 100.0),
        (SHOP_3_METER,),
        "until_move",
    ),
    DemoTenant(
        INCOMING_TENANT,
        "T-004",
        "finance@pharmacy.example",
        _pass_through("energy", 0.0, None, 100.0),
        (SHOP_3_METER,),
        "from_move",
    ),
)
# the demo's tenant user (role ``tenant``): the Grocer's; `portal demo` prints its password
DEMO_TENANT_USER_EMAIL = "grocer@demo.example"
DEMO_TENANT_USER_NAME = "Grocer accounts"
DEMO_TENANT_USER_TENANT = GROCER


def move_instant(end: datetime, timezone: str = DEMO_TIMEZONE) -> datetime:
    """When shop 3 changed tenant: the most recent 15th at noon (local) before ``end``."""
    local = end.astimezone(ZoneInfo(timezone))
    year, month = local.year, local.month
    while True:
        moment = datetime.combine(date(year, month, MOVE_DAY), MOVE_TIME, ZoneInfo(timezone))
        if moment < end:
            return moment
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


@dataclass(frozen=True)
class MeterLease:
    """A meter held by a tenant from ``start`` to ``end`` (exclusive; None: still held)."""

    tenant: str
    meter: str
    start: datetime
    end: datetime | None


def demo_leases(
    history_start: datetime, history_end: datetime, timezone: str = DEMO_TIMEZONE
) -> list[MeterLease]:
    """Which tenant held which meter when: every lease starts on the 1st of the month (local
    midnight) of the history's start, or of the move if the history starts after it; the
    outgoing tenant's lease of shop 3 ends at the move, the incoming one's starts there."""
    zone = ZoneInfo(timezone)
    move = move_instant(history_end, timezone)
    first = min(history_start, move).astimezone(zone)
    leases_start = datetime.combine(first.date().replace(day=1), time(0), zone)
    spans: dict[Lease, tuple[datetime, datetime | None]] = {
        "whole": (leases_start, None),
        "until_move": (leases_start, move),
        "from_move": (move, None),
    }
    return [
        MeterLease(tenant.name, meter, *spans[tenant.lease])
        for tenant in DEMO_TENANTS
        for meter in tenant.meters
    ]
