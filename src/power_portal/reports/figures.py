"""The site report's figures from what was read: pure functions, table-tested.

- ``energy_by_period``: the bill's energy lines summed per season and time-of-use period;
- ``peak_demand``: the highest 30-minute demand of the devices together (two 15-minute
  buckets, blocks aligned as ``measurements.repository.summary`` aligns them);
- ``minimum_power_factor``: the lowest 15-minute average of any device;
- ``completeness``: buckets with readings against those expected, and the gaps;
- ``change_percent``: one figure against another; ``mostly_covered``: whether a period had
  data enough to compare with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from power_portal.reports.repository import Bucket
from power_portal.reports.schemas import Completeness, Gap, PeakDemand, PeriodEnergy
from power_portal.tariffs.schemas import Bill

BUCKET = timedelta(minutes=15)
BLOCK = timedelta(minutes=30)
GAP_MIN_BUCKETS = 4  # an hour
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def energy_by_period(bill: Bill) -> list[PeriodEnergy]:
    """Per (season, period) in the order the bill first shows them: kWh and amount."""
    energy: dict[tuple[str | None, str | None], float] = defaultdict(float)
    amount: dict[tuple[str | None, str | None], float] = defaultdict(float)
    for line in bill.lines:
        if line.kind != "energy":
            continue
        key = (line.season, line.period)
        energy[key] += line.quantity
        amount[key] += line.amount
    return [
        PeriodEnergy(
            season=season,
            period=period,
            energy_kwh=round(energy[(season, period)], 3),
            amount=round(amount[(season, period)], 2),
        )
        for season, period in energy
    ]


def block_of(moment: datetime) -> datetime:
    """The 30-minute block a bucket belongs to (``date_bin`` from 2000-01-01 UTC)."""
    blocks = (moment - _EPOCH) // BLOCK
    return _EPOCH + blocks * BLOCK


def peak_demand(
    buckets: Iterable[Bucket], unit: Literal["kW", "kVA"], zone: ZoneInfo
) -> PeakDemand | None:
    """The highest 30-minute demand (kW from kWh, kVA from kVAh: energy x 2) and when its
    block began (the earliest of equal blocks); None without buckets."""
    blocks: dict[datetime, float] = defaultdict(float)
    for bucket in buckets:
        energy = bucket.apparent_energy_kvah if unit == "kVA" else bucket.energy_import_kwh
        blocks[block_of(bucket.start)] += energy * 2
    if not blocks:
        return None
    at, value = max(sorted(blocks.items()), key=lambda item: item[1])
    return PeakDemand(value=round(value, 3), unit=unit, at=at.astimezone(zone))


def minimum_power_factor(buckets: Iterable[Bucket]) -> float | None:
    values = [b.power_factor_avg for b in buckets if b.power_factor_avg is not None]
    return round(min(values), 4) if values else None


def completeness(
    buckets: Iterable[Bucket],
    devices: Mapping[int, str],
    lo: datetime,
    hi: datetime,
    zone: ZoneInfo,
) -> Completeness:
    """Buckets with readings of each device in ``[lo, hi)`` against every bucket there, and
    each device's stretches of ``GAP_MIN_BUCKETS`` or more without (site time)."""
    expected_each = (hi - lo) // BUCKET if hi > lo else 0  # whole buckets only
    present: dict[int, set[datetime]] = {device_id: set() for device_id in devices}
    for bucket in buckets:
        if bucket.device_id in present and lo <= bucket.start < hi:
            present[bucket.device_id].add(bucket.start)
    gaps: list[Gap] = []
    for device_id, starts in present.items():
        gaps.extend(
            Gap(
                device_id=device_id,
                device_name=devices[device_id],
                start=start.astimezone(zone),
                end=end.astimezone(zone),
            )
            for start, end in missing_runs(sorted(starts), lo, hi)
        )
    gaps.sort(key=lambda gap: (gap.start, gap.device_id))
    expected = expected_each * len(devices)
    found = sum(len(starts) for starts in present.values())
    return Completeness(
        percent=round(100 * found / expected, 2) if expected else None,
        expected_buckets=expected,
        present_buckets=found,
        gaps=gaps,
    )


def missing_runs(
    starts: Sequence[datetime], lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans of at least ``GAP_MIN_BUCKETS`` buckets in ``[lo, hi)`` that ``starts``
    (sorted bucket starts) leaves out."""
    runs: list[tuple[datetime, datetime]] = []
    cursor = lo
    for start in [*starts, hi]:
        if start - cursor >= GAP_MIN_BUCKETS * BUCKET:
            runs.append((cursor, start))
        cursor = max(cursor, start + BUCKET)
    return runs


def mostly_covered(daily_energy: Sequence[float | None]) -> bool:
    """True when at least half the days have energy: a period read only on a day or two
    compares as nothing, not as a change of thousands of percent."""
    read = sum(1 for energy in daily_energy if energy is not None)
    return bool(daily_energy) and read * 2 >= len(daily_energy)


def change_percent(current: float | None, before: float | None) -> float | None:
    """``current`` against ``before`` in percent (None when either is missing or before is
    zero)."""
    if current is None or before is None or before == 0:
        return None
    return round((current - before) / before * 100, 2)
