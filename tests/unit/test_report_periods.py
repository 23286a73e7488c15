"""Report periods and schedule timing (``reports.periods``), and the report's figures
(``reports.figures``): table-driven."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from power_portal.reports import figures, periods
from power_portal.reports.periods import Period, Timing
from power_portal.reports.repository import Bucket
from power_portal.tariffs.schemas import Bill, BillLine

SAST = ZoneInfo("Africa/Johannesburg")
BERLIN = ZoneInfo("Europe/Berlin")
MONTHLY = Timing("monthly", 3, None, time(7, 0), "Africa/Johannesburg")
WEEKLY_MON = Timing("weekly", None, 0, time(6, 30), "Africa/Johannesburg")
WEEKLY_SUN = Timing("weekly", None, 6, time(23, 0), "Europe/Berlin")


@pytest.mark.parametrize(
    ("label", "start", "end", "title"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "November 2026"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "December 2026"),
        ("2024-02", date(2024, 2, 1), date(2024, 3, 1), "February 2024"),
    ],
)
def test_a_month_label_is_its_local_dates(label: str, start: date, end: date, title: str) -> None:
    period = periods.month_period(label)
    assert (period.kind, period.label, period.start, period.end) == ("month", label, start, end)
    assert period.title == title


@pytest.mark.parametrize(
    ("label", "start", "title"),
    [
        ("2026-W45", date(2026, 11, 2), "Week 45, 2026"),
        ("2026-W01", date(2025, 12, 29), "Week 1, 2026"),  # ISO week 1 starts in December
        ("2020-W53", date(2020, 12, 28), "Week 53, 2020"),
    ],
)
def test_a_week_label_is_monday_to_monday(label: str, start: date, title: str) -> None:
    period = periods.week_period(label)
    assert (period.start, period.end) == (start, start + timedelta(days=7))
    assert period.start.weekday() == 0
    assert period.label == label
    assert period.title == title


def test_a_week_the_year_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError):
        periods.week_period("2027-W53")


@pytest.mark.parametrize(
    ("label", "before", "year_before"),
    [
        ("2026-03", "2026-02", "2025-03"),
        ("2026-01", "2025-12", "2025-01"),
        ("2026-W45", "2026-W44", "2025-W45"),
        ("2026-W01", "2025-W52", "2025-W01"),
    ],
)
def test_the_periods_a_report_compares_with(label: str, before: str, year_before: str) -> None:
    period = periods.month_period(label) if "W" not in label else periods.week_period(label)
    assert periods.previous(period).label == before
    assert periods.year_before(period).label == year_before


@pytest.mark.parametrize(
    ("timing", "now", "latest", "due"),
    [
        # monthly on the 3rd at 07:00 SAST (05:00 UTC)
        (
            MONTHLY,
            datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
            "2026-11",
            datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
        ),
        (
            MONTHLY,
            datetime(2026, 12, 3, 4, 59, tzinfo=UTC),
            "2026-10",
            datetime(2026, 11, 3, 5, 0, tzinfo=UTC),
        ),
        (
            MONTHLY,
            datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
            "2026-11",
            datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
        ),
        (
            MONTHLY,
            datetime(2027, 1, 2, 12, 0, tzinfo=UTC),
            "2026-11",
            datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
        ),
        # weekly on Monday 06:30 SAST: the week before
        (
            WEEKLY_MON,
            datetime(2026, 11, 9, 4, 30, tzinfo=UTC),
            "2026-W45",
            datetime(2026, 11, 9, 4, 30, tzinfo=UTC),
        ),
        (
            WEEKLY_MON,
            datetime(2026, 11, 9, 4, 29, tzinfo=UTC),
            "2026-W44",
            datetime(2026, 11, 2, 4, 30, tzinfo=UTC),
        ),
        # weekly on Sunday 23:00 Berlin (CET, UTC+1): due at the end of the week after
        (
            WEEKLY_SUN,
            datetime(2026, 11, 15, 22, 0, tzinfo=UTC),
            "2026-W45",
            datetime(2026, 11, 15, 22, 0, tzinfo=UTC),
        ),
        (
            WEEKLY_SUN,
            datetime(2026, 11, 15, 21, 59, tzinfo=UTC),
            "2026-W44",
            datetime(2026, 11, 8, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_newest_period_due(timing: Timing, now: datetime, latest: str, due: datetime) -> None:
    period = periods.latest_due(timing, now)
    assert period.label == latest
    assert periods.due_at(timing, period) == due
    assert periods.next_due_at(timing, now) > now
    assert periods.due_at(timing, period) <= now < periods.next_due_at(timing, now)


def test_a_due_moment_follows_summer_time() -> None:
    """07:00 in Berlin is 05:00 UTC in summer and 06:00 UTC in winter."""
    timing = Timing("monthly", 1, None, time(7, 0), "Europe/Berlin")
    assert periods.due_at(timing, periods.month_period("2026-06")) == datetime(
        2026, 7, 1, 5, 0, tzinfo=UTC
    )
    assert periods.due_at(timing, periods.month_period("2026-11")) == datetime(
        2026, 12, 1, 6, 0, tzinfo=UTC
    )


DUE_NOV = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("active_since", "now", "last_sent", "owed"),
    [
        (DUE_NOV - timedelta(days=40), DUE_NOV, None, "2026-11"),  # due just now
        (DUE_NOV - timedelta(days=40), DUE_NOV - timedelta(minutes=1), None, "2026-10"),
        (DUE_NOV - timedelta(days=40), DUE_NOV, date(2026, 11, 1), None),  # sent already
        (DUE_NOV - timedelta(days=40), DUE_NOV, date(2026, 10, 1), "2026-11"),
        (DUE_NOV + timedelta(minutes=1), DUE_NOV + timedelta(days=1), None, None),  # created after
        (DUE_NOV, DUE_NOV + timedelta(days=1), None, None),  # created at the due moment
        # down for three months: only the newest month is owed
        (DUE_NOV - timedelta(days=40), DUE_NOV + timedelta(days=90), date(2026, 10, 1), "2027-02"),
    ],
)
def test_what_a_schedule_owes(
    active_since: datetime, now: datetime, last_sent: date | None, owed: str | None
) -> None:
    period = periods.owed(MONTHLY, active_since, now, last_sent)
    assert (period.label if period else None) == owed


@pytest.mark.parametrize(
    ("label", "now", "ended"),
    [
        ("2026-11", datetime(2026, 11, 30, 21, 59, tzinfo=UTC), False),  # 23:59 SAST
        ("2026-11", datetime(2026, 11, 30, 22, 0, tzinfo=UTC), True),  # midnight SAST
        ("2026-12", datetime(2026, 12, 3, 12, 0, tzinfo=UTC), False),
    ],
)
def test_send_now_needs_a_period_that_has_ended(label: str, now: datetime, ended: bool) -> None:
    assert periods.has_ended(periods.month_period(label), now, "Africa/Johannesburg") is ended


# ---------------------------------------------------------------- figures

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def bucket(
    minutes: int, kwh: float, kvah: float = 0.0, pf: float | None = None, device: int = 1
) -> Bucket:
    return Bucket(device, T0 + timedelta(minutes=minutes), kwh, kvah, pf)


def line(
    kind: Literal["energy", "fixed"],
    season: str | None,
    period: str | None,
    kwh: float,
    amount: float,
) -> BillLine:
    return BillLine(
        kind=kind,
        description=f"{season} {period}",
        season=season,
        period=period,
        quantity=kwh,
        unit="kWh",
        rate=1.0,
        amount=amount,
        version_from=date(2026, 1, 1),
    )


def test_energy_by_period_sums_the_bill_lines_per_season_and_period() -> None:
    bill = Bill(
        currency="ZAR",
        timezone="Africa/Johannesburg",
        start=date(2026, 11, 1),
        end=date(2026, 12, 1),
        lines=[
            line("energy", "low", "peak", 100.0, 120.0),
            line("energy", "low", "off-peak", 300.0, 120.0),
            line("fixed", None, None, 30.0, 750.0),
            line("energy", "low", "peak", 50.5, 60.6),  # a second version of the month
        ],
        subtotal=1050.6,
        vat=157.59,
        total=1208.19,
        energy_kwh=450.5,
    )
    assert [
        (p.season, p.period, p.energy_kwh, p.amount) for p in figures.energy_by_period(bill)
    ] == [
        ("low", "peak", 150.5, 180.6),
        ("low", "off-peak", 300.0, 120.0),
    ]


@pytest.mark.parametrize(
    ("buckets", "unit", "value", "at_minutes"),
    [
        ([], "kW", None, None),
        # two devices in the same bucket add up; a block is two buckets; energy x 2 = kW
        ([bucket(0, 10), bucket(0, 5, device=2), bucket(15, 10)], "kW", 50.0, 0),
        ([bucket(0, 10), bucket(30, 12), bucket(45, 12)], "kW", 48.0, 30),
        ([bucket(0, 10, 30), bucket(30, 20, 21)], "kVA", 60.0, 0),  # kVA picks its own peak
        ([bucket(15, 10), bucket(30, 10)], "kW", 20.0, 0),  # blocks are aligned, not rolling
    ],
)
def test_peak_demand(
    buckets: list[Bucket], unit: str, value: float | None, at_minutes: int | None
) -> None:
    peak = figures.peak_demand(buckets, unit, SAST)  # type: ignore[arg-type]
    if value is None:
        assert peak is None
        return
    assert peak is not None
    assert (peak.value, peak.unit) == (value, unit)
    assert peak.at == T0 + timedelta(minutes=at_minutes or 0)
    assert peak.at.utcoffset() == timedelta(hours=2)  # site time


def test_minimum_power_factor_ignores_buckets_without_one() -> None:
    assert (
        figures.minimum_power_factor(
            [bucket(0, 1, pf=0.91), bucket(15, 1), bucket(30, 1, pf=0.812345)]
        )
        == 0.8123
    )
    assert figures.minimum_power_factor([bucket(0, 1)]) is None


@pytest.mark.parametrize(
    ("present", "hi_minutes", "percent", "gaps"),
    [
        (range(0, 180, 15), 180, 100.0, []),
        # 60 minutes missing (4 buckets) is a gap; 45 minutes is not
        ([0, 15, 90, 105, 120, 135, 150, 165], 180, 66.67, [(30, 90)]),
        ([0, 15, 30, 90, 105, 120, 135, 150, 165], 180, 75.0, []),
        # missing at the start and the end count
        ([60, 75], 180, 16.67, [(0, 60), (90, 180)]),
        ([], 180, 0.0, [(0, 180)]),
        ([], 0, None, []),  # nothing expected yet
    ],
)
def test_completeness(
    present: list[int], hi_minutes: int, percent: float | None, gaps: list[tuple[int, int]]
) -> None:
    found = figures.completeness(
        [bucket(m, 1.0) for m in present],
        {1: "Incomer"},
        T0,
        T0 + timedelta(minutes=hi_minutes),
        SAST,
    )
    assert found.percent == percent
    assert found.present_buckets == len(list(present))
    assert found.expected_buckets == hi_minutes // 15
    assert [
        ((g.start - T0) // timedelta(minutes=1), (g.end - T0) // timedelta(minutes=1))
        for g in found.gaps
    ] == gaps
    assert all(g.device_name == "Incomer" for g in found.gaps)


def test_completeness_counts_every_device() -> None:
    found = figures.completeness(
        [bucket(m, 1.0) for m in range(0, 120, 15)],
        {1: "Incomer", 2: "Shop"},
        T0,
        T0 + timedelta(minutes=120),
        SAST,
    )
    assert (found.expected_buckets, found.present_buckets, found.percent) == (16, 8, 50.0)
    assert [(g.device_name, g.start, g.end) for g in found.gaps] == [
        ("Shop", T0, T0 + timedelta(minutes=120))
    ]


@pytest.mark.parametrize(
    ("current", "before", "change"),
    [
        (110.0, 100.0, 10.0),
        (90.0, 100.0, -10.0),
        (1.0, 0.0, None),
        (None, 5.0, None),
        (5.0, None, None),
        (1.0, 3.0, -66.67),
    ],
)
def test_change_percent(current: float | None, before: float | None, change: float | None) -> None:
    assert figures.change_percent(current, before) == change


def test_a_period_is_hashable_and_equal_by_value() -> None:
    assert Period("month", "2026-11", date(2026, 11, 1), date(2026, 12, 1)) == periods.month_period(
        "2026-11"
    )


@pytest.mark.parametrize(
    ("days", "covered"),
    [
        ([], False),
        ([1.0, None], True),
        ([1.0, None, None], False),
        ([None] * 30 + [5.0], False),
        ([2.0] * 7, True),
    ],
)
def test_a_period_is_compared_only_when_mostly_read(
    days: list[float | None], covered: bool
) -> None:
    assert figures.mostly_covered(days) is covered
