"""The decisions of alert evaluation (docs/api/alerts.md), pure and typed: no database, no clock.

- ``is_breached``: a threshold with hysteresis (fires past ``threshold``, clears only past
  ``clear``);
- ``step``: one alert's state machine ``ok → pending → firing → resolved`` with the rule's
  minimum duration; it says which transition (if any) needs a notification;
- the measures rules watch: the rolling 30-minute demand, phase unbalance, the same-weekday
  baseline, gaps between readings, "this month's peak is about to be exceeded" and what the
  new peak would add to the demand charge;
- weekly windows (quiet hours, working hours) in local time.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Literal

Direction = Literal["above", "below"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Status(StrEnum):
    OK = "ok"
    PENDING = "pending"
    FIRING = "firing"


class Event(StrEnum):
    """A transition that sends a notification."""

    FIRED = "fired"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class AlertState:
    """An alert's state between evaluations: ``since`` is when the condition began to hold
    (pending or firing), None when ok."""

    status: Status = Status.OK
    since: datetime | None = None


@dataclass(frozen=True)
class Step:
    state: AlertState
    event: Event | None


def is_breached(
    value: float | None, threshold: float, clear: float, direction: Direction, active: bool
) -> bool:
    """Whether the condition holds, with hysteresis: an inactive rule becomes active past
    ``threshold``; an active one stays active until the value is back past ``clear``. No
    value (no data) keeps what was."""
    if value is None:
        return active
    if direction == "above":
        return value > threshold if not active else value >= clear
    return value < threshold if not active else value <= clear


def step(state: AlertState, holds: bool, at: datetime, for_minutes: int) -> Step:
    """One evaluation of an alert at ``at``: ``holds`` is the (hysteresis-applied) condition.

    ok → pending when it begins to hold (→ firing at once when ``for_minutes`` is 0);
    pending → firing once it has held ``for_minutes``; pending → ok, silently, when it stops
    before; firing → ok with a "resolved" notification when it stops."""
    duration = timedelta(minutes=for_minutes)
    if not holds:
        if state.status is Status.FIRING:
            return Step(AlertState(), Event.RESOLVED)
        return Step(AlertState(), None)
    since = state.since if state.status is not Status.OK and state.since is not None else at
    if state.status is Status.FIRING:
        return Step(state, None)
    if at - since >= duration:
        return Step(AlertState(Status.FIRING, since), Event.FIRED)
    return Step(AlertState(Status.PENDING, since), None)


# ---------------------------------------------------------------- measures


def rolling_demand(last_two_buckets: Sequence[float | None]) -> float | None:
    """The 30-minute demand (kW from kWh, kVA from kVAh) of the last two 15-minute buckets:
    their energy x 2; None unless both are there."""
    if len(last_two_buckets) != 2 or any(b is None for b in last_two_buckets):
        return None
    return sum(b for b in last_two_buckets if b is not None) * 2


def phase_unbalance_percent(phases: Sequence[float | None]) -> float | None:
    """The largest deviation of a phase from the phases' mean, as a share of the mean (%);
    None without three phases or with a zero mean."""
    values = [p for p in phases if p is not None]
    if len(values) != 3:
        return None
    mean = sum(values) / 3
    if mean == 0:
        return None
    return max(abs(v - mean) for v in values) / mean * 100


def baseline(same_weekday_kwh: Sequence[float | None]) -> float | None:
    """The median of the same weekday's energy over the previous weeks; None with fewer
    than two such days."""
    values = [v for v in same_weekday_kwh if v is not None]
    return statistics.median(values) if len(values) >= 2 else None


def above_baseline(day_kwh: float, baseline_kwh: float | None, percent: float) -> bool:
    return baseline_kwh is not None and day_kwh > baseline_kwh * (1 + percent / 100)


def gaps(times: Sequence[datetime], minutes: int) -> list[tuple[datetime, datetime]]:
    """The stretches between consecutive readings (sorted) at least ``minutes`` apart, as
    (last reading before, first reading after)."""
    longest = timedelta(minutes=minutes)
    return [(a, b) for a, b in itertools.pairwise(times) if b - a >= longest]


def peak_exceeding(current: float | None, month_peak: float | None, margin_percent: float) -> bool:
    """Inside a demand-charge period: the current 30-minute demand is within
    ``margin_percent`` of this month's peak so far, or above it. The first demand of a month
    (no peak yet) is not an alert."""
    if current is None or month_peak is None or month_peak <= 0:
        return False
    return current >= month_peak * (1 - margin_percent / 100)


def added_demand_cost(current: float, month_peak: float, rate_per_unit: float) -> float:
    """What a new peak adds to the month's demand charge: (new - old) x the rate, never negative."""
    return max(0.0, current - month_peak) * rate_per_unit


# ---------------------------------------------------------------- weekly windows


@dataclass(frozen=True)
class Window:
    """Some days of the week, from ``start`` to ``end`` local time (``end`` may be 24:00,
    written as None)."""

    days: frozenset[str]
    start: time
    end: time | None


def in_windows(local: datetime, windows: Sequence[Window]) -> bool:
    """Whether the local moment lies in any of the windows (start inclusive, end exclusive)."""
    day = WEEKDAYS[local.weekday()]
    moment = local.time().replace(tzinfo=None)
    return any(
        day in w.days and w.start <= moment and (w.end is None or moment < w.end) for w in windows
    )
