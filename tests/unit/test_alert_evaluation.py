"""The alert evaluation's decisions (``alerts.evaluation``), table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from power_portal.alerts.evaluation import (
    AlertState,
    Direction,
    Event,
    Status,
    Window,
    above_baseline,
    added_demand_cost,
    baseline,
    gaps,
    in_windows,
    is_breached,
    peak_exceeding,
    phase_unbalance_percent,
    rolling_demand,
    step,
)

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "threshold", "clear", "direction", "active", "expected"),
    [
        (401.0, 400.0, 380.0, "above", False, True),  # crosses
        (400.0, 400.0, 380.0, "above", False, False),  # at the threshold: not past it
        (390.0, 400.0, 380.0, "above", True, True),  # inside the hysteresis band: stays
        (380.0, 400.0, 380.0, "above", True, True),  # at the clear value: still active
        (379.9, 400.0, 380.0, "above", True, False),  # past the clear value: clears
        (390.0, 400.0, 380.0, "above", False, False),  # in the band, not active: not fired
        (None, 400.0, 380.0, "above", True, True),  # no data keeps what was
        (None, 400.0, 380.0, "above", False, False),
        (0.84, 0.85, 0.90, "below", False, True),  # power factor below
        (0.88, 0.85, 0.90, "below", True, True),
        (0.91, 0.85, 0.90, "below", True, False),
    ],
)
def test_thresholds_have_hysteresis(
    value: float | None,
    threshold: float,
    clear: float,
    direction: Direction,
    active: bool,
    expected: bool,
) -> None:
    assert is_breached(value, threshold, clear, direction, active) is expected


M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("state", "holds", "at", "for_minutes", "status", "since", "event"),
    [
        (AlertState(), False, T0, 5, Status.OK, None, None),
        (AlertState(), True, T0, 0, Status.FIRING, T0, Event.FIRED),  # no minimum: at once
        (AlertState(), True, T0, 5, Status.PENDING, T0, None),
        (AlertState(Status.PENDING, T0), True, T0 + 4 * M, 5, Status.PENDING, T0, None),
        (AlertState(Status.PENDING, T0), True, T0 + 5 * M, 5, Status.FIRING, T0, Event.FIRED),
        (AlertState(Status.PENDING, T0), False, T0 + 4 * M, 5, Status.OK, None, None),  # silent
        (AlertState(Status.FIRING, T0), True, T0 + 60 * M, 5, Status.FIRING, T0, None),  # once
        (AlertState(Status.FIRING, T0), False, T0 + 61 * M, 5, Status.OK, None, Event.RESOLVED),
    ],
)
def test_the_state_machine_notifies_once_per_transition(
    state: AlertState,
    holds: bool,
    at: datetime,
    for_minutes: int,
    status: Status,
    since: datetime | None,
    event: Event | None,
) -> None:
    result = step(state, holds, at, for_minutes)
    assert (result.state.status, result.state.since, result.event) == (status, since, event)


def test_a_condition_that_comes_and_goes_fires_and_resolves_exactly_once() -> None:
    """A demand series evaluated every 15 minutes, 400 kVA with a clear at 380, 30 minutes
    minimum: one "fired", one "resolved", and the dip into the band changes nothing."""
    values = [350, 410, 420, 390, 405, 385, 379, 360, 410]
    state, active, events = AlertState(), False, []
    for n, value in enumerate(values):
        active = is_breached(value, 400.0, 380.0, "above", active)
        result = step(state, active, T0 + n * 15 * M, 30)
        state = result.state
        if result.event:
            events.append((n, result.event))
    # active from n=1 to n=5 (385 ≥ 380), fired at n=3 (30 min after n=1), cleared at n=6
    assert events == [(3, Event.FIRED), (6, Event.RESOLVED)]
    assert state.status is Status.PENDING  # the last 410 begins again


@pytest.mark.parametrize(
    ("buckets", "expected"),
    [([100.0, 110.0], 420.0), ([100.0, None], None), ([100.0], None), ([0.0, 0.0], 0.0)],
)
def test_rolling_demand_is_the_last_half_hour_doubled(
    buckets: list[float | None], expected: float | None
) -> None:
    assert rolling_demand(buckets) == expected


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        ([230.0, 230.0, 230.0], 0.0),
        ([230.0, 220.0, 240.0], 10 / 230 * 100),
        ([10.0, 10.0, 40.0], 100.0),  # mean 20: 40 is 20 above
        ([230.0, None, 230.0], None),
        ([0.0, 0.0, 0.0], None),
    ],
)
def test_phase_unbalance(phases: list[float | None], expected: float | None) -> None:
    found = phase_unbalance_percent(phases)
    assert found == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("previous", "day", "percent", "median", "alert"),
    [
        ([100.0, 110.0, 90.0, 100.0], 131.0, 30.0, 100.0, True),
        ([100.0, 110.0, 90.0, 100.0], 130.0, 30.0, 100.0, False),  # exactly +30 %: not above
        ([100.0, None, None, None], 500.0, 30.0, None, False),  # one day is no baseline
        ([100.0, 300.0, None, None], 260.0, 30.0, 200.0, False),
        ([100.0, 300.0, None, None], 261.0, 30.0, 200.0, True),
    ],
)
def test_daily_energy_against_the_same_weekday_median(
    previous: list[float | None], day: float, percent: float, median: float | None, alert: bool
) -> None:
    assert baseline(previous) == median
    assert above_baseline(day, baseline(previous), percent) is alert


def test_gaps_are_the_stretches_between_readings_long_enough() -> None:
    times = [T0 + n * 15 * M for n in (0, 1, 2, 6, 7, 11)]
    assert gaps(times, 60) == [(times[2], times[3]), (times[4], times[5])]
    assert gaps(times, 61) == []
    assert gaps(times[:1], 15) == []


@pytest.mark.parametrize(
    ("current", "peak", "margin", "expected"),
    [
        (380.0, 400.0, 5.0, True),  # within 5 %
        (379.0, 400.0, 5.0, False),
        (420.0, 400.0, 0.0, True),  # above it
        (420.0, None, 5.0, False),  # no peak yet this month
        (None, 400.0, 5.0, False),
    ],
)
def test_this_months_peak_about_to_be_exceeded(
    current: float | None, peak: float | None, margin: float, expected: bool
) -> None:
    assert peak_exceeding(current, peak, margin) is expected


def test_a_new_peak_costs_the_difference_at_the_demand_rate() -> None:
    assert added_demand_cost(420.0, 400.0, 55.5) == pytest.approx(1110.0)
    assert added_demand_cost(390.0, 400.0, 55.5) == 0.0


WORKDAYS = frozenset({"mon", "tue", "wed", "thu", "fri"})


@pytest.mark.parametrize(
    ("local", "windows", "expected"),
    [
        # 2026-07-01 is a Wednesday
        (datetime(2026, 7, 1, 8, 0), [Window(WORKDAYS, time(8), time(17))], True),
        (datetime(2026, 7, 1, 17, 0), [Window(WORKDAYS, time(8), time(17))], False),
        (datetime(2026, 7, 1, 7, 59), [Window(WORKDAYS, time(8), time(17))], False),
        (datetime(2026, 7, 4, 12, 0), [Window(WORKDAYS, time(8), time(17))], False),  # Sat
        (datetime(2026, 7, 4, 23, 59), [Window(frozenset({"sat"}), time(0), None)], True),
        (
            datetime(2026, 7, 5, 9, 0),  # Sunday, in the second window
            [Window(WORKDAYS, time(8), time(17)), Window(frozenset({"sun"}), time(9), time(10))],
            True,
        ),
    ],
)
def test_weekly_windows_in_local_time(
    local: datetime, windows: list[Window], expected: bool
) -> None:
    assert in_windows(local, windows) is expected
