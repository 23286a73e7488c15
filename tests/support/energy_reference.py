"""A deliberately plain reference for the energy rules, to check the SQL against.

Per register: consecutive readings (t0, v0), (t1, v1) give d = v1 - v0, or v1
when the register went backwards (a reset); d is spread evenly over (t0, t1]
and split pro rata at bucket boundaries.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime


def interval_energy(v0: float, v1: float) -> float:
    return v1 - v0 if v1 >= v0 else v1


def energy_by_bucket(
    readings: Iterable[tuple[datetime, float]],
    bucket_of: Callable[[datetime], datetime],
    next_bucket: Callable[[datetime], datetime],
) -> dict[datetime, float]:
    """Energy per bucket; buckets are given by their start and the start of the next."""
    ordered = sorted(readings)
    result: dict[datetime, float] = defaultdict(float)
    for (t0, v0), (t1, v1) in itertools.pairwise(ordered):
        d = interval_energy(v0, v1)
        total = (t1 - t0).total_seconds()
        cursor = t0
        while cursor < t1:
            start = bucket_of(cursor)
            end = min(next_bucket(start), t1)
            result[start] += d * (end - cursor).total_seconds() / total
            cursor = end
    return dict(result)
