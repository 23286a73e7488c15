"""The demo site and a realistic simulated history of its meters (pure: no database here).

The load of each meter follows ``measurements.load_profile``; voltages, currents, power
factor, frequency and the cumulative registers follow from it, the way an Acuvim II would
report them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.load_profile import DEMO_TIMEZONE, LoadProfile, load_kw
from power_portal.measurements.parsing import Row

DEMO_SITE_NAME = "Demo factory"
DEMO_UTILITY = "City Power Johannesburg"
DEMO_ADDRESS = "1 Demo Street, Johannesburg"
DEMO_MODEL = "Acuvim II"
DEMO_STEP = timedelta(minutes=5)
DEMO_DEVICES = (
    # three circuits that add up to the site (none is the incomer, so nothing counts twice)
    LoadProfile("Offices & lighting", "DEMO-ACV-0001", 42.0, 160.0, 25.0, 0.95, 0.05),
    LoadProfile("HVAC", "DEMO-ACV-0002", 6.0, 55.0, 8.0, 0.88, 0.08),
    LoadProfile("Production line", "DEMO-ACV-0003", 3.0, 120.0, 0.0, 0.92, 0.10),
)


def simulate(
    profile: LoadProfile,
    start: datetime,
    end: datetime,
    step: timedelta,
    seed: int,
    timezone: str = DEMO_TIMEZONE,
) -> Iterator[Row]:
    """Readings from ``start`` to ``end`` (exclusive), every ``step``."""
    rng = random.Random(seed)  # noqa: S311 - simulated load, not security
    zone = ZoneInfo(timezone)
    index = {name: i for i, name in enumerate(FIELD_NAMES)}
    hours = step.total_seconds() / 3600
    import_kwh = 10_000.0 * (seed + 1)
    reactive_kvarh = import_kwh * 0.3
    apparent_kvah = import_kwh * 1.05
    moment = start
    while moment < end:
        kw = load_kw(profile, moment.astimezone(zone), rng)
        pf = min(0.999, max(0.5, profile.power_factor + rng.gauss(0, 0.01)))
        kva = kw / pf
        kvar = math.sqrt(max(kva * kva - kw * kw, 0.0))
        volts = [230.0 + rng.gauss(0, 1.5) for _ in range(3)]
        amps = [kw * 1000 / 3 / v / pf for v in volts]
        values: list[float | None] = [None] * len(FIELD_NAMES)
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
        import_kwh += kw * hours
        reactive_kvarh += kvar * hours
        apparent_kvah += kva * hours
        values[index["energy_import_kwh"]] = round(import_kwh, 1)
        values[index["energy_export_kwh"]] = 0.0
        values[index["reactive_energy_import_kvarh"]] = round(reactive_kvarh, 1)
        values[index["reactive_energy_export_kvarh"]] = 0.0
        values[index["apparent_energy_kvah"]] = round(apparent_kvah, 1)
        yield (moment, *values)
        moment += step


def history_plan(
    device_ids: Sequence[int], end: datetime, days: int
) -> list[tuple[str, int, list[Row]]]:
    """The demo's history up to ``end``, as (label, device id, rows) to store in this order.

    The devices are ``DEMO_DEVICES``'s, in order. The HVAC meter was off for six hours ten
    days ago (a gap); a day of the production line, twenty days ago, arrives after the rest
    of its history (a late replay from the offline buffer).
    """
    start = end - timedelta(days=days)
    gap = (end - timedelta(days=10, hours=-2), end - timedelta(days=10, hours=-8))
    held_back = (end - timedelta(days=20), end - timedelta(days=19))
    plan: list[tuple[str, int, list[Row]]] = []
    for seed, (profile, device_id) in enumerate(zip(DEMO_DEVICES, device_ids, strict=True)):
        rows = list(simulate(profile, start, end, DEMO_STEP, seed))
        if profile.name == "HVAC":  # a gap: the meter was off for six hours
            rows = [r for r in rows if not gap[0] <= r[0] < gap[1]]
        if profile.name == "Production line":  # a day replayed late from the offline buffer
            late = [r for r in rows if held_back[0] <= r[0] < held_back[1]]
            live = [r for r in rows if not held_back[0] <= r[0] < held_back[1]]
            plan.append((profile.name, device_id, live))
            plan.append((f"{profile.name} (late replay)", device_id, late))
            continue
        plan.append((profile.name, device_id, rows))
    return plan
