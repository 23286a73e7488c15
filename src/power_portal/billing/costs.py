"""Pure cost maths on the calculator's results: costs per local day, the month so far.

The month's cost: what it has cost so far, and a projection to the month's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from power_portal.billing.schemas import DailyCost, DailyCosts, MonthCost, PeriodCost
from power_portal.tariffs.calculator import Readings, calculate_bill, daily_energy_costs
from power_portal.tariffs.schemas import TariffIn


def local_midnight(day: date, timezone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True)
class MonthSoFar:
    """The local calendar month ``now`` falls in: ``[first, following)``, how much of it has
    passed (in days, at least an hour's worth) and the day after today."""

    first: date
    following: date
    days_elapsed: float
    after_today: date

    @property
    def days_in_month(self) -> int:
        return (self.following - self.first).days


def month_so_far(now: datetime, timezone: str) -> MonthSoFar:
    local_now = now.astimezone(ZoneInfo(timezone))
    first = date(local_now.year, local_now.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    elapsed = (local_now - local_midnight(first, timezone)).total_seconds() / 86400
    return MonthSoFar(first, following, max(elapsed, 1 / 24), local_now.date() + timedelta(days=1))


def daily_costs(tariff: TariffIn, meters: Sequence[Readings], start: date, end: date) -> DailyCosts:
    """Energy charges per local day, by period (raises ``BillError`` like the calculator)."""
    by_day: dict[date, list[PeriodCost]] = {}
    for cost in daily_energy_costs(tariff, meters, start, end):
        by_day.setdefault(cost.day, []).append(
            PeriodCost(
                season=cost.season, period=cost.period, energy_kwh=cost.energy_kwh, cost=cost.cost
            )
        )
    days = [
        DailyCost(
            date=day,
            energy_kwh=round(sum(p.energy_kwh for p in periods), 6),
            cost=round(sum(p.cost for p in periods), 2),
            by_period=periods,
        )
        for day, periods in sorted(by_day.items())
    ]
    return DailyCosts(currency=tariff.currency, timezone=tariff.timezone, days=days)


def month_cost(tariff: TariffIn, meters: Sequence[Readings], month: MonthSoFar) -> MonthCost:
    """The month so far, and projected: energy so far extrapolated to the whole month, plus
    the whole month's fixed charges and the demand so far (raises ``BillError``)."""
    whole = calculate_bill(tariff, meters, month.first, month.following)  # fixed: whole month
    to_date = calculate_bill(tariff, meters, month.first, min(month.after_today, month.following))
    energy_so_far = sum(
        line.amount for line in to_date.lines if line.kind in ("energy", "reactive")
    )
    extrapolated = energy_so_far * (month.days_in_month / month.days_elapsed - 1)
    vat_share = whole.vat / whole.subtotal if whole.subtotal else 0.0
    projected = (whole.subtotal + extrapolated) * (1 + vat_share)
    return MonthCost(
        currency=tariff.currency,
        month=f"{month.first.year:04d}-{month.first.month:02d}",
        days_elapsed=round(month.days_elapsed, 3),
        days_in_month=month.days_in_month,
        to_date_subtotal=to_date.subtotal,
        to_date_total=to_date.total,
        projected_total=round(projected, 2),
    )
