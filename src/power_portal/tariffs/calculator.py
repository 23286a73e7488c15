"""The bill calculator: cumulative register readings + a tariff -> bill lines.

Pure (no database) and vectorised with numpy. The idea:

1. Each register becomes a reset-corrected cumulative curve ``C(t)``: between
   two readings the energy grows linearly (the contract's pro-rata rule), and
   a register that goes backwards restarted from zero. ``np.interp`` evaluates
   it anywhere, so the energy in any span ``[a, b)`` is ``C(b) - C(a)``.
2. The billed span is cut into UTC minutes. Each minute gets its local date
   (tariff version, season, day type with public holidays) and its local
   wall-clock minute, so DST days have 23 or 25 hours and windows stay on the
   wall clock. A lookup table gives its (version, season, period).
3. Energy per minute, summed per (version, season, period) with ``bincount``;
   30-minute blocks for demand; local days and months for fixed charges.

Amounts are rounded to cents per line (half up); VAT is on each version's
part of the subtotal, then rounded.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from power_portal.tariffs.schemas import (
    DAYS,
    Bill,
    BillLine,
    EnergyRate,
    TariffIn,
    TariffVersion,
)
from power_portal.tariffs.validator import window_minutes

FloatArray = npt.NDArray[np.float64]
DemandUnit = Literal["kW", "kVA"]
IntArray = npt.NDArray[np.int64]
MINUTE = 60


def billed_demand_unit(tariff: TariffIn | None) -> DemandUnit:
    """How the tariff bills demand: kVA when any demand charge is per kVA, else kW (no
    tariff: kW)."""
    if tariff is None:
        return "kW"
    units = {charge.unit for version in tariff.versions for charge in version.demand_charges}
    return "kVA" if "kVA" in units else "kW"


HALF_HOUR = 1800


class BillError(ValueError):
    """The bill cannot be computed as asked (e.g. no tariff version covers a date)."""


@dataclass(frozen=True)
class Register:
    """Readings of one cumulative register: epoch seconds (ascending) and values."""

    times: IntArray
    values: FloatArray

    @classmethod
    def of(cls, times: IntArray, values: FloatArray) -> Register | None:
        keep = np.isfinite(values)
        if keep.sum() < 2:
            return None
        return cls(times[keep], values[keep])

    def cumulative(self) -> FloatArray:
        """Reset-corrected cumulative energy at each reading (starts at 0)."""
        steps = np.diff(self.values)
        steps = np.where(steps >= 0, steps, self.values[1:])
        return np.concatenate(([0.0], np.cumsum(steps)))

    def energy_between(self, edges: IntArray) -> FloatArray:
        """Energy in each ``[edges[i], edges[i+1])``."""
        curve = np.interp(
            edges.astype(np.float64), self.times.astype(np.float64), self.cumulative()
        )
        return np.diff(curve)


@dataclass(frozen=True)
class Readings:
    """One meter's cumulative registers; ``sign`` weighs its energy in a sum of
    meters (``-1.0`` for a meter subtracted, as in a virtual meter)."""

    times: IntArray
    energy_import_kwh: FloatArray
    apparent_energy_kvah: FloatArray | None = None
    reactive_energy_import_kvarh: FloatArray | None = None
    sign: float = 1.0

    def register(self, name: str) -> Register | None:
        values = getattr(self, name)
        return None if values is None else Register.of(self.times, values)


@dataclass(frozen=True)
class Meters:
    """One or more meters billed together: their energy adds up minute by minute,
    so a site's demand is the coincident sum of its meters'."""

    readings: tuple[Readings, ...]

    @classmethod
    def of(cls, readings: Readings | Sequence[Readings]) -> Meters:
        return cls((readings,) if isinstance(readings, Readings) else tuple(readings))

    def has(self, name: str) -> bool:
        return any(r.register(name) is not None for r in self.readings)

    def energy_between(self, name: str, edges: IntArray) -> FloatArray | None:
        weighted = [(r.sign, reg) for r in self.readings if (reg := r.register(name)) is not None]
        if not weighted:
            return None
        sign, register = weighted[0]
        total = sign * register.energy_between(edges)
        for sign, register in weighted[1:]:
            total = total + sign * register.energy_between(edges)
        return total


def cents(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- the local calendar


@dataclass
class _Days:
    """One entry per local date of the span."""

    dates: list[date]
    starts: IntArray  # UTC epoch seconds of local midnight
    offsets: IntArray  # UTC offset (s) at local midnight
    transition: IntArray  # epoch second the offset changes that day (or a huge number)
    shift: IntArray  # new offset - old offset (s)
    version: IntArray
    season: IntArray  # index into the version's seasons
    daytype: IntArray  # 0 = mon … 6 = sun, after public holidays
    month_key: IntArray  # year * 12 + month - 1


def _offset(moment: int, zone: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(moment, UTC).astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def _holiday_daytypes(tariff: TariffIn, years: range) -> dict[date, int]:
    rules = tariff.public_holidays
    if rules is None:
        return {}
    import holidays

    treat = DAYS.index(rules.treat_as)
    result = dict.fromkeys(holidays.country_holidays(rules.calendar, years=years), treat)
    for override in rules.overrides:
        if override.treat_as is None:
            result.pop(override.date, None)
        else:
            result[override.date] = DAYS.index(override.treat_as)
    return result


def _version_index(tariff: TariffIn, day: date) -> int:
    for i, version in enumerate(tariff.versions):
        if version.effective_from <= day and (
            version.effective_to is None or day < version.effective_to
        ):
            return i
    raise BillError(f"no tariff version covers {day.isoformat()}")


def _build_days(tariff: TariffIn, start: date, end: date, zone: ZoneInfo) -> _Days:
    count = (end - start).days
    dates = [start + timedelta(days=i) for i in range(count + 1)]  # one extra: the end
    starts = np.array(
        [int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()) for d in dates],
        dtype=np.int64,
    )
    offsets = np.array([_offset(int(s), zone) for s in starts], dtype=np.int64)
    transition = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    shift = np.zeros(count, dtype=np.int64)
    for i in range(count):
        if offsets[i] != offsets[i + 1]:
            lo, hi = int(starts[i]), int(starts[i + 1])  # offset(lo) old, offset(hi) new
            while hi - lo > MINUTE:
                mid = lo + (hi - lo) // 2 // MINUTE * MINUTE
                mid = max(mid, lo + MINUTE)
                if _offset(mid, zone) == offsets[i]:
                    lo = mid
                else:
                    hi = mid
            transition[i] = hi
            shift[i] = offsets[i + 1] - offsets[i]
    holiday_types = _holiday_daytypes(tariff, range(start.year, end.year + 1))
    version = np.empty(count, dtype=np.int64)
    season = np.empty(count, dtype=np.int64)
    daytype = np.empty(count, dtype=np.int64)
    month_key = np.empty(count, dtype=np.int64)
    season_of_month: dict[int, list[int]] = {}
    for i, day in enumerate(dates[:-1]):
        v = _version_index(tariff, day)
        if v not in season_of_month:
            lookup = [0] * 13
            for s, entry in enumerate(tariff.versions[v].seasons):
                for month in entry.months:
                    lookup[month] = s
            season_of_month[v] = lookup
        version[i] = v
        season[i] = season_of_month[v][day.month]
        daytype[i] = holiday_types.get(day, day.weekday())
        month_key[i] = day.year * 12 + day.month - 1
    return _Days(
        dates[:-1], starts, offsets[:-1], transition, shift, version, season, daytype, month_key
    )


# ---------------------------------------------------------------- tariff tables


@dataclass
class _RateKey:
    version: int
    season: str
    period: str
    rate: EnergyRate


@dataclass
class _Tables:
    keys: list[_RateKey]
    # table[version][season, daytype, wall minute] -> index into keys
    table: list[npt.NDArray[np.int32]] = field(default_factory=list)


def _build_tables(tariff: TariffIn) -> _Tables:
    tables = _Tables(keys=[])
    for v, version in enumerate(tariff.versions):
        table = np.full((len(version.seasons), 7, 1440), -1, dtype=np.int32)
        rates = {(r.season, r.period): r for r in version.energy_rates}
        key_of: dict[tuple[str, str], int] = {}
        for s, season in enumerate(version.seasons):
            for period in version.periods:
                if period.season != season.name:
                    continue
                pair = (season.name, period.name)
                if pair not in key_of:
                    key_of[pair] = len(tables.keys)
                    tables.keys.append(_RateKey(v, season.name, period.name, rates[pair]))
                covered = window_minutes(period.start, period.end)
                for day in period.days:
                    table[s, DAYS.index(day), covered] = key_of[pair]
        if (table < 0).any():
            raise BillError("the tariff leaves minutes without a period: validate it first")
        tables.table.append(table)
    return tables


# ---------------------------------------------------------------- the calculation


@dataclass
class _Grid:
    edges: IntArray  # minute edges, UTC epoch seconds (M + 1)
    day: IntArray  # local day index per minute
    wall: IntArray  # local wall-clock minute of day per minute
    key: IntArray  # rate key per minute


def _build_grid(days: _Days, tables: _Tables, lo: int, hi: int) -> _Grid:
    edges = np.arange(lo, hi + 1, MINUTE, dtype=np.int64)
    minutes = edges[:-1]
    day = np.searchsorted(days.starts[: len(days.dates)], minutes, side="right") - 1
    elapsed = minutes - days.starts[day]
    shifted = np.where(minutes >= days.transition[day], days.shift[day], 0)
    wall = ((elapsed + shifted) // MINUTE).clip(0, 1439)
    key = np.empty(minutes.size, dtype=np.int64)
    versions = days.version[day]
    for v, table in enumerate(tables.table):
        mask = versions == v
        if mask.any():
            key[mask] = table[days.season[day[mask]], days.daytype[day[mask]], wall[mask]]
    return _Grid(edges, day, wall, key)


def _money_line(
    kind: str,
    description: str,
    quantity: float,
    unit: str,
    rate: float,
    version_from: date,
    season: str | None = None,
    period: str | None = None,
    month: str | None = None,
) -> BillLine:
    return BillLine(
        kind=kind,
        description=description,
        season=season,
        period=period,
        quantity=round(quantity, 6),
        unit=unit,
        rate=rate,
        amount=float(cents(quantity * rate)),
        version_from=version_from,
        month=month,
    )


def _month_label(month_key: int) -> str:
    return f"{month_key // 12:04d}-{month_key % 12 + 1:02d}"


def _month_days(month_key: int) -> int:
    return calendar.monthrange(month_key // 12, month_key % 12 + 1)[1]


def _energy_lines(
    tariff: TariffIn, tables: _Tables, days: _Days, grid: _Grid, per_minute: FloatArray
) -> list[BillLine]:
    lines: list[BillLine] = []
    months = days.month_key[grid.day]
    month_ids, month_index = np.unique(months, return_inverse=True)
    combined = grid.key * len(month_ids) + month_index
    sums = np.bincount(
        combined, weights=per_minute, minlength=len(tables.keys) * len(month_ids)
    ).reshape(len(tables.keys), len(month_ids))
    day_counts = np.bincount(
        np.searchsorted(month_ids, days.month_key),
        minlength=len(month_ids),
    )
    for k, key in enumerate(tables.keys):
        version = tariff.versions[key.version]
        label = f"Energy {key.season} {key.period}"
        if key.rate.blocks is None:
            quantity = float(sums[k].sum())
            if quantity == 0 and not (grid.key == k).any():
                continue
            lines.append(
                _money_line(
                    "energy",
                    label,
                    quantity,
                    "kWh",
                    key.rate.rate,
                    version.effective_from,
                    key.season,
                    key.period,
                )
            )
            continue
        for m, month_key in enumerate(month_ids):
            energy = float(sums[k, m])
            if energy == 0 and not ((grid.key == k) & (month_index == m)).any():
                continue
            share = day_counts[m] / _month_days(int(month_key))  # pro rata for part months
            lower = 0.0
            for b, block in enumerate(key.rate.blocks):
                upper = np.inf if block.up_to_kwh is None else block.up_to_kwh * share
                in_block = max(0.0, min(energy, upper) - lower)
                if in_block > 0 or b == 0:
                    lines.append(
                        _money_line(
                            "energy",
                            f"{label}, block {b + 1}",
                            in_block,
                            "kWh",
                            block.rate,
                            version.effective_from,
                            key.season,
                            key.period,
                            _month_label(int(month_key)),
                        )
                    )
                lower = upper
                if energy <= upper:
                    break
    return lines


def _demand_lines(
    tariff: TariffIn,
    tables: _Tables,
    days: _Days,
    grid: _Grid,
    meters: Meters,
) -> list[BillLine]:
    lines: list[BillLine] = []
    block_starts = grid.edges[:-1:30]
    block_edges = np.append(block_starts, grid.edges[-1])
    first_minute = np.arange(0, grid.key.size, 30)
    block_keys = grid.key[first_minute]
    block_version = days.version[grid.day[first_minute]]
    block_months = days.month_key[grid.day[first_minute]]
    block_hours = np.diff(block_edges) / 3600.0
    demand_cache: dict[str, FloatArray] = {}

    def demand(unit: str) -> tuple[FloatArray, str]:
        use_apparent = unit == "kVA" and meters.has("apparent_energy_kvah")
        register, measured = (
            ("apparent_energy_kvah", "kVA") if use_apparent else ("energy_import_kwh", "kW")
        )
        if measured not in demand_cache:
            energy = meters.energy_between(register, block_edges)
            if energy is None:
                energy = np.zeros(block_starts.size)
            demand_cache[measured] = energy / np.where(block_hours > 0, block_hours, 1.0)
        return demand_cache[measured], measured

    span_months = np.unique(days.month_key)
    for v, version in enumerate(tariff.versions):
        version_months = np.unique(days.month_key[days.version == v])
        for charge in version.demand_charges:
            values, unit = demand(charge.unit)
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
                in_month = eligible & (block_months == month_key)
                month_days = (days.month_key == month_key) & (days.version == v)
                month_season = version.seasons[int(days.season[month_days][0])].name
                if charge.season is not None and charge.season != month_season:
                    continue
                peak = float(values[in_month].max()) if in_month.any() else 0.0
                lines.append(
                    _money_line(
                        "demand",
                        f"{charge.name} {_month_label(int(month_key))}",
                        peak,
                        unit,
                        charge.rate,
                        version.effective_from,
                        charge.season,
                        ", ".join(charge.periods),
                        _month_label(int(month_key)),
                    )
                )
    return lines


def _fixed_lines(tariff: TariffIn, days: _Days) -> list[BillLine]:
    lines: list[BillLine] = []
    for v, version in enumerate(tariff.versions):
        in_version = days.version == v
        day_count = int(in_version.sum())
        if day_count == 0:
            continue
        months, counts = np.unique(days.month_key[in_version], return_counts=True)
        month_share = float(
            sum(c / _month_days(int(m)) for m, c in zip(months, counts, strict=True))
        )
        for charge in version.fixed_charges:
            quantity = day_count if charge.per == "day" else month_share
            lines.append(
                _money_line(
                    "fixed",
                    charge.name,
                    quantity,
                    charge.per,
                    charge.amount,
                    version.effective_from,
                )
            )
    return lines


def _reactive_lines(
    tariff: TariffIn, days: _Days, grid: _Grid, per_minute: FloatArray, meters: Meters
) -> list[BillLine]:
    lines: list[BillLine] = []
    kvarh = meters.energy_between("reactive_energy_import_kvarh", grid.edges)
    if kvarh is None:
        return lines
    minute_months = days.month_key[grid.day]
    minute_versions = days.version[grid.day]
    for v, version in enumerate(tariff.versions):
        charge = version.reactive_charge
        if charge is None:
            continue
        for month_key in np.unique(minute_months[minute_versions == v]):
            mask = (minute_versions == v) & (minute_months == month_key)
            excess = max(
                0.0, float(kvarh[mask].sum()) - charge.free_share * float(per_minute[mask].sum())
            )
            lines.append(
                _money_line(
                    "reactive",
                    f"{charge.name} {_month_label(int(month_key))}",
                    excess,
                    "kvarh",
                    charge.rate,
                    version.effective_from,
                    month=_month_label(int(month_key)),
                )
            )
    return lines


def calculate_bill(
    tariff: TariffIn, readings: Readings | Sequence[Readings], start: date, end: date
) -> Bill:
    """The bill for local dates ``[start, end)`` (end exclusive), for one meter or several."""
    return calculate_bills(tariff, [readings], start, end)[0]


def calculate_bills(
    tariff: TariffIn,
    bills_readings: Sequence[Readings | Sequence[Readings]],
    start: date,
    end: date,
) -> list[Bill]:
    """One bill per entry of ``bills_readings`` (one meter or several each), all under one
    tariff for the same local dates: the calendar, the rate tables and the minute grid are
    built once (a site's tenants' bills), each bill as ``calculate_bill`` makes it."""
    if end <= start:
        raise BillError("end must be after start")
    zone = ZoneInfo(tariff.timezone)
    days = _build_days(tariff, start, end, zone)
    tables = _build_tables(tariff)
    lo, hi = int(days.starts[0]), int(days.starts[-1])
    grid = _build_grid(days, tables, lo, hi)
    return [
        _bill(tariff, tables, days, grid, Meters.of(readings), start, end)
        for readings in bills_readings
    ]


def _bill(
    tariff: TariffIn,
    tables: _Tables,
    days: _Days,
    grid: _Grid,
    meters: Meters,
    start: date,
    end: date,
) -> Bill:
    per_minute = meters.energy_between("energy_import_kwh", grid.edges)
    if per_minute is None:
        per_minute = np.zeros(grid.key.size)
    lines = _energy_lines(tariff, tables, days, grid, per_minute)
    lines += _demand_lines(tariff, tables, days, grid, meters)
    lines += _fixed_lines(tariff, days)
    lines += _reactive_lines(tariff, days, grid, per_minute, meters)
    by_version: dict[date, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_version[line.version_from] += Decimal(repr(line.amount))
    subtotal = sum(by_version.values(), Decimal(0))
    vat_rates = {v.effective_from: v.vat_percent for v in tariff.versions}
    vat = sum(
        (amount * Decimal(repr(vat_rates[v])) / 100 for v, amount in by_version.items()),
        Decimal(0),
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Bill(
        currency=tariff.currency,
        timezone=tariff.timezone,
        start=start,
        end=end,
        lines=lines,
        subtotal=float(subtotal),
        vat=float(vat),
        total=float(subtotal + vat),
        energy_kwh=round(float(per_minute.sum()), 6),
    )


def version_for(tariff: TariffIn, day: date) -> TariffVersion:
    return tariff.versions[_version_index(tariff, day)]


@dataclass(frozen=True)
class DayCost:
    day: date
    season: str
    period: str
    energy_kwh: float
    cost: float


def daily_energy_costs(
    tariff: TariffIn, readings: Readings | Sequence[Readings], start: date, end: date
) -> list[DayCost]:
    """Energy and energy charge per local day and period (before VAT).

    For a rate with inclining blocks the first block's rate is used: the
    monthly bill places energy in blocks, a day on its own cannot.
    """
    meters = Meters.of(readings)
    zone = ZoneInfo(tariff.timezone)
    days = _build_days(tariff, start, end, zone)
    tables = _build_tables(tariff)
    grid = _build_grid(days, tables, int(days.starts[0]), int(days.starts[-1]))
    per_minute = meters.energy_between("energy_import_kwh", grid.edges)
    if per_minute is None:
        return []
    keys = len(tables.keys)
    sums = np.bincount(
        grid.day * keys + grid.key, weights=per_minute, minlength=len(days.dates) * keys
    ).reshape(len(days.dates), keys)
    present = np.bincount(grid.day * keys + grid.key, minlength=len(days.dates) * keys).reshape(
        len(days.dates), keys
    )
    result: list[DayCost] = []
    for d, day in enumerate(days.dates):
        for k, key in enumerate(tables.keys):
            if present[d, k] == 0:
                continue
            energy = float(sums[d, k])
            result.append(
                DayCost(
                    day,
                    key.season,
                    key.period,
                    round(energy, 6),
                    float(cents(energy * key.rate.rate)),
                )
            )
    return result


@dataclass(frozen=True)
class DemandChargeAt:
    """A demand charge that applies to one moment: its name, unit and rate."""

    name: str
    unit: str
    rate: float


def demand_charges_at(tariff: TariffIn, moments: Sequence[datetime]) -> list[list[DemandChargeAt]]:
    """For each moment (aware), the demand charges whose periods (and season) cover the
    minute it falls in, under the tariff version of its local day: what a 30-minute block
    ending there would be billed on. A moment outside every version covers nothing."""
    if not moments:
        return []
    zone = ZoneInfo(tariff.timezone)
    epochs = [int(m.timestamp()) // MINUTE * MINUTE for m in moments]
    first = datetime.fromtimestamp(min(epochs), UTC).astimezone(zone).date()
    last = datetime.fromtimestamp(max(epochs), UTC).astimezone(zone).date()
    try:
        days = _build_days(tariff, first, last + timedelta(days=1), zone)
    except BillError:
        return [[] for _ in moments]
    tables = _build_tables(tariff)
    result: list[list[DemandChargeAt]] = []
    for epoch in epochs:
        grid = _build_grid(days, tables, epoch, epoch + MINUTE)
        key = tables.keys[int(grid.key[0])]
        version = tariff.versions[key.version]
        result.append(
            [
                DemandChargeAt(charge.name, charge.unit, charge.rate)
                for charge in version.demand_charges
                if key.period in charge.periods
                and (charge.season is None or charge.season == key.season)
            ]
        )
    return result
