"""A realistic simulated history for the demo site (pure: no database here).

Load = base load + working-hours load (weekdays 07:00-18:00, ramping), a
lighter Saturday morning, a small evening bump, and noise. Voltages, currents,
power factor, frequency and the cumulative registers follow from it, the way
an Acuvim II would report them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.parsing import Row


@dataclass(frozen=True)
class LoadProfile:
    name: str
    serial: str
    base_kw: float
    working_kw: float
    evening_kw: float
    power_factor: float
    noise: float


DEMO_SITE_NAME = "Demo factory"
DEMO_TIMEZONE = "Africa/Johannesburg"
DEMO_DEVICES = (
    # three circuits that add up to the site (none is the incomer, so nothing counts twice)
    LoadProfile("Offices & lighting", "DEMO-ACV-0001", 42.0, 160.0, 25.0, 0.95, 0.05),
    LoadProfile("HVAC", "DEMO-ACV-0002", 6.0, 55.0, 8.0, 0.88, 0.08),
    LoadProfile("Production line", "DEMO-ACV-0003", 3.0, 120.0, 0.0, 0.92, 0.10),
)


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def load_kw(profile: LoadProfile, local: datetime, rng: random.Random) -> float:
    hour = local.hour + local.minute / 60
    weekday = local.weekday()
    working = 0.0
    if weekday < 5:
        working = _smoothstep((hour - 6.5) / 1.5) * (1 - _smoothstep((hour - 17.0) / 1.5))
    elif weekday == 5:
        working = 0.4 * _smoothstep((hour - 7.5) / 1.0) * (1 - _smoothstep((hour - 12.0) / 1.0))
    evening = math.exp(-(((hour - 19.5) / 1.5) ** 2))
    kw = profile.base_kw + profile.working_kw * working + profile.evening_kw * evening
    return max(0.0, kw * (1 + rng.gauss(0, profile.noise)))


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
