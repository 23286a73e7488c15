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


def overlapping(windows: Sequence[Window]) -> tuple[Window, Window] | None:
    """The first two windows that share a moment of some day, or None."""
    for a, b in itertools.combinations(windows, 2):
        if not a.days & b.days:
            continue
        a_end = a.end or time.max
        b_end = b.end or time.max
        if a.start < b_end and b.start < a_end:
            return a, b
    return None


def parse_clock(text: str) -> time | None:
    """``HH:MM`` as a time; ``24:00`` (the end of the day) as None."""
    if text == "24:00":
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# ---------------------------------------------------------------- more measures


def voltage_out_of_band(
    phases: Sequence[float | None], low: float, high: float, hysteresis: float, active: bool
) -> tuple[bool, float | None]:
    """Whether any phase is outside ``[low, high]`` (an active alert clears only once every
    phase is back inside by ``hysteresis``), and the phase voltage furthest outside (or
    nearest the edge). No phase: no change, no value."""
    values = [p for p in phases if p is not None]
    if not values:
        return active, None
    worst = max(values, key=lambda v: max(low - v, v - high))
    if active:
        return any(v < low + hysteresis or v > high - hysteresis for v in values), worst
    return any(v < low or v > high for v in values), worst


def power_factor(energy_kwh: float | None, apparent_kvah: float | None) -> float | None:
    """The average power factor of a span: active over apparent energy; None without
    apparent energy."""
    if energy_kwh is None or apparent_kvah is None or apparent_kvah <= 0:
        return None
    return min(1.0, abs(energy_kwh) / apparent_kvah)


@dataclass(frozen=True)
class Point:
    """One evaluation at ``at``: the watched value, whether the condition holds for an alert
    that is ok (``breached``) and for one already pending or firing (``still_breached``: the
    hysteresis), and whether ``at`` lies in the rule's quiet hours."""

    at: datetime
    value: float | None
    breached: bool
    still_breached: bool
    quiet: bool = False


def threshold_point(
    at: datetime,
    value: float | None,
    threshold: float,
    clear: float,
    direction: Direction,
    quiet: bool = False,
) -> Point:
    """A point of a threshold rule: ``is_breached`` both ways (no value: no breach)."""
    if value is None:
        return Point(at, None, False, False, quiet)
    return Point(
        at,
        value,
        is_breached(value, threshold, clear, direction, active=False),
        is_breached(value, threshold, clear, direction, active=True),
        quiet,
    )


def advance(state: AlertState, point: Point, for_minutes: int) -> Step:
    """One evaluation: quiet hours change nothing; otherwise ``step`` with the hysteresis
    the state calls for."""
    if point.quiet:
        return Step(state, None)
    holds = point.still_breached if state.status is not Status.OK else point.breached
    return step(state, holds, point.at, for_minutes)


@dataclass(frozen=True)
class Episode:
    started_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    peak_value: float | None


def run(points: Sequence[Point], for_minutes: int, direction: Direction = "above") -> list[Episode]:
    """The episodes a sequence of evaluations makes, with the same state machine as the
    evaluator: the backtest. Episodes that never fired are left out; ``peak_value`` is the
    most extreme value while it held (the lowest for "below" rules)."""
    pick = max if direction == "above" else min
    current = AlertState()
    episodes: list[Episode] = []
    started: datetime | None = None
    fired: datetime | None = None
    peak: float | None = None
    for point in points:
        result = advance(current, point, for_minutes)
        active = result.state.status is not Status.OK
        if active and started is None:
            started, peak = result.state.since, None
        if active and point.value is not None and not point.quiet:
            peak = point.value if peak is None else pick(peak, point.value)
        if result.event is Event.FIRED:
            fired = point.at
        if not active:
            if fired is not None and started is not None:
                episodes.append(Episode(started, fired, point.at, peak))
            started, fired, peak = None, None, None
        current = result.state
    if fired is not None and started is not None:
        episodes.append(Episode(started, fired, None, peak))
    return episodes


def month_peak(block_demands: Sequence[float | None]) -> float | None:
    """The month's billed peak so far: the largest demand of its 30-minute blocks inside the
    demand-charge periods (the caller passes only those); None before the first."""
    values = [d for d in block_demands if d is not None]
    return max(values) if values else None


# ---------------------------------------------------------------- delivery retries


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed delivery: ``base`` doubling each
    time, never more than ``cap`` (30 s, 1 min, 2 min … 1 h by default)."""
    exponent = max(0, attempts - 1)
    seconds = cap_seconds if exponent >= 62 else min(cap_seconds, base_seconds * 2**exponent)
    return timedelta(seconds=seconds)


def gives_up(created_at: datetime, now: datetime, give_up_hours: float) -> bool:
    """Whether a delivery still failing this long after it was queued goes to the dead
    letters."""
    return now - created_at >= timedelta(hours=give_up_hours)
