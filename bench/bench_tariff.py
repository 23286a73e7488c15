"""The bill calculator over a year of 1-minute readings, against a plain Python loop.

Both bill the same 525,600 readings of one meter (a steady-ish load with a daily
shape) under the Eskom-style TOU tariff of the tests (two seasons, weekday /
Saturday / Sunday windows, ZA public holidays as Sunday, a service charge per
day, network demand per kVA in peak and standard, VAT 15 %).

- the calculator: ``power_portal.tariffs.calculator.calculate_bill`` (numpy);
- the baseline: a straightforward per-interval loop — for each pair of
  consecutive readings, each minute it spans: local time, day type, season,
  period, accumulate energy; 30-minute blocks for demand; then the same
  rounding rules.

They must agree to the cent on every line. Targets: the calculator under
100 ms for the year (p95 of 10 runs) and at least 30x faster than the loop.

    .venv/bin/python bench/bench_tariff.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.tariffs import eskom_style_tariff  # noqa: E402

from power_portal.tariffs.calculator import Readings, calculate_bill  # noqa: E402
from power_portal.tariffs.schemas import DAYS, TariffIn, minutes_of  # noqa: E402

console = Console()
START, END = date(2025, 7, 1), date(2026, 7, 1)
RUNS = 10


def year_of_readings(zone: ZoneInfo) -> Readings:
    t0 = int(datetime(START.year, START.month, START.day, tzinfo=zone).timestamp())
    t1 = int(datetime(END.year, END.month, END.day, tzinfo=zone).timestamp())
    times = np.arange(t0, t1 + 60, 60, dtype=np.int64)
    rng = np.random.default_rng(7)
    hour = ((times - t0) / 3600.0) % 24
    kw = 80 + 60 * np.exp(-(((hour - 12) / 4) ** 2)) + rng.normal(0, 5, times.size)
    kw = np.clip(kw, 0, None)
    kwh = 10_000 + np.concatenate(([0.0], np.cumsum(kw[:-1] / 60)))
    kvah = 12_000 + np.concatenate(([0.0], np.cumsum(kw[:-1] / 0.9 / 60)))
    return Readings(
        times=times, energy_import_kwh=np.round(kwh, 3), apparent_energy_kvah=np.round(kvah, 3)
    )


def cents(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def loop_bill(tariff: TariffIn, readings: Readings) -> dict[str, Decimal]:
    """The plain way: one interval, one minute at a time."""
    import holidays

    zone = ZoneInfo(tariff.timezone)
    version = tariff.versions[0]
    season_of = {m: s.name for s in version.seasons for m in s.months}
    assert tariff.public_holidays is not None
    holiday_set = set(holidays.country_holidays("ZA", years=range(START.year, END.year + 1)))
    rate = {(r.season, r.period): r.rate for r in version.energy_rates}
    energy: dict[tuple[str, str], float] = defaultdict(float)
    block_kvah: dict[int, float] = defaultdict(float)
    block_period: dict[int, tuple[str, str, int]] = {}
    times = readings.times.tolist()
    kwh = readings.energy_import_kwh.tolist()
    assert readings.apparent_energy_kvah is not None
    kvah = readings.apparent_energy_kvah.tolist()
    for i in range(len(times) - 1):
        t0, t1 = times[i], times[i + 1]
        d_kwh = kwh[i + 1] - kwh[i] if kwh[i + 1] >= kwh[i] else kwh[i + 1]
        d_kvah = kvah[i + 1] - kvah[i] if kvah[i + 1] >= kvah[i] else kvah[i + 1]
        moment = t0
        while moment < t1:
            piece_end = min(t1, moment - moment % 60 + 60)
            share = (piece_end - moment) / (t1 - t0)
            local = datetime.fromtimestamp(moment, UTC).astimezone(zone)
            day = local.date()
            if START <= day < END:
                daytype = DAYS[6] if day in holiday_set else DAYS[day.weekday()]
                season = season_of[day.month]
                minute = local.hour * 60 + local.minute
                period = next(
                    p.name
                    for p in version.periods
                    if p.season == season and daytype in p.days and _covers(p.start, p.end, minute)
                )
                energy[(season, period)] += d_kwh * share
                block = (moment - int(readings.times[0])) // 1800
                block_kvah[block] += d_kvah * share
                block_period.setdefault(block, (season, period, day.year * 12 + day.month - 1))
            moment = piece_end
    lines: dict[str, Decimal] = {}
    for (season, period), kwh_total in energy.items():
        lines[f"Energy {season} {period}"] = cents(kwh_total * rate[(season, period)])
    charge = version.demand_charges[0]
    monthly: dict[int, float] = defaultdict(float)
    for block, (_, period, month) in block_period.items():
        if period in charge.periods:
            monthly[month] = max(monthly[month], block_kvah[block] * 2)
    for month, peak in monthly.items():
        lines[f"{charge.name} {month // 12:04d}-{month % 12 + 1:02d}"] = cents(peak * charge.rate)
    days = (END - START).days
    lines["Service charge"] = cents(days * version.fixed_charges[0].amount)
    return lines


def _covers(start: str, end: str, minute: int) -> bool:
    lo, hi = minutes_of(start), minutes_of(end)
    return lo <= minute < hi if lo < hi else (minute >= lo or minute < hi)


def main() -> None:
    tariff = TariffIn.model_validate(eskom_style_tariff())
    zone = ZoneInfo(tariff.timezone)
    readings = year_of_readings(zone)
    console.print(f"{readings.times.size:,} readings, {START} to {END}")
    calculate_bill(tariff, readings, START, END)  # warm-up
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        bill = calculate_bill(tariff, readings, START, END)
        timings.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    reference = loop_bill(tariff, readings)
    loop_ms = (time.perf_counter() - started) * 1000

    ours = {line.description: cents(line.amount) for line in bill.lines}
    disagreements = {
        key: (ours.get(key), value) for key, value in reference.items() if ours.get(key) != value
    }
    p50, p95 = statistics.median(timings), sorted(timings)[int(0.95 * (RUNS - 1))]
    speedup = loop_ms / p50
    table = Table(title="Bill for a year of 1-minute readings")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("calculator p50 / p95", f"{p50:.1f} / {p95:.1f} ms")
    table.add_row("per-interval Python loop", f"{loop_ms:,.0f} ms")
    table.add_row("speed-up (loop / calculator p50)", f"{speedup:.0f}x")
    table.add_row("lines compared", str(len(reference)))
    table.add_row("lines that differ by a cent or more", str(len(disagreements)))
    table.add_row("bill total", f"{bill.currency} {bill.total:,.2f}")
    table.add_row("target: < 100 ms p95", "PASS" if p95 < 100 else "MISS")
    table.add_row("target: >= 30x the loop", "PASS" if speedup >= 30 else "MISS")
    table.add_row("agree to the cent", "PASS" if not disagreements else "MISS")
    console.print(table)
    if disagreements:
        console.print(disagreements)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "tariff.json").write_text(
        json.dumps(
            {
                "readings": int(readings.times.size),
                "calculator_ms": timings,
                "loop_ms": loop_ms,
                "speedup": speedup,
                "lines": len(reference),
                "disagreements": len(disagreements),
                "total": bill.total,
                "measured_at": datetime.now(UTC).isoformat(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
