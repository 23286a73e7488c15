"""A synthetic daily load shape (pure): the demo's history and the simulated meter both use it.

Load = base load + working-hours load (weekdays 07:00-18:00, ramping), a lighter Saturday
morning, a small evening bump, and noise, in the local hours of a time zone.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

# The zone whose local hours shape the demo's load (the demo site is in Johannesburg).
DEMO_TIMEZONE = "Africa/Johannesburg"


@dataclass(frozen=True)
class LoadProfile:
    name: str
    serial: str
    base_kw: float
    working_kw: float
    evening_kw: float
    power_factor: float
    noise: float


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def load_kw(profile: LoadProfile, local: datetime, rng: random.Random) -> float:
    """The active power (kW) of ``profile`` at a local time, with its noise."""
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
