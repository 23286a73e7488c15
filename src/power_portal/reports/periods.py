"""Report periods and when a schedule owes one: pure functions of dates, times and zones.

- ``Period``: a calendar month (``2026-11``) or an ISO week (``2026-W45``) as local dates
  ``[start, end)``; ``month_period``, ``week_period`` parse a label, ``previous``,
  ``year_before`` give the periods a report compares with;
- ``Timing``: a schedule's cadence, day and local time in the site's zone; ``due_at`` says
  when a period falls due, ``latest_due`` the newest period due by a moment, ``owed`` the
  one a schedule still owes (due after it became active, not sent yet), ``next_due_at``
  the next moment one falls due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["month", "week"]
Cadence = Literal["monthly", "weekly"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    label: str
    start: date
    end: date

    @property
    def title(self) -> str:
        """``November 2026``, ``Week 45, 2026``."""
        if self.kind == "month":
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        year, week, _ = self.start.isocalendar()
        return f"Week {week}, {year}"


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period("month", f"{first:%Y-%m}", first, following)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return Period("week", f"{year}-W{week:02d}", monday, monday + timedelta(days=7))


def month_period(label: str) -> Period:
    """``2026-11`` → November 2026 (the label is checked by the schema's pattern)."""
    year, month = (int(part) for part in label.split("-"))
    return month_of(date(year, month, 1))


def week_period(label: str) -> Period:
    """``2026-W45`` → Monday 2 Nov 2026 to Monday 9 Nov. ``ValueError`` for a week the year
    does not have (``2027-W53``)."""
    year_text, week_text = label.split("-W")
    return week_of(date.fromisocalendar(int(year_text), int(week_text), 1))


def previous(period: Period) -> Period:
    return (
        month_of(period.start - timedelta(days=1))
        if period.kind == "month"
        else week_of(period.start - timedelta(days=7))
    )


def year_before(period: Period) -> Period:
    """The same month a year earlier; for a week, the week 52 weeks earlier (same weekday)."""
    if period.kind == "month":
        return month_of(period.start.replace(year=period.start.year - 1))
    return week_of(period.start - timedelta(weeks=52))


@dataclass(frozen=True)
class Timing:
    """``day_of_month`` (1-28) for monthly, ``weekday`` (0 = Monday) for weekly."""

    cadence: Cadence
    day_of_month: int | None
    weekday: int | None
    local_time: time
    timezone: str


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The local moment as UTC (a time skipped by a DST change is read with the offset
    before it, as ``zoneinfo`` does)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def period_of(timing: Timing, day: date) -> Period:
    return month_of(day) if timing.cadence == "monthly" else week_of(day)


def due_at(timing: Timing, period: Period) -> datetime:
    """When a period is due: the ``day_of_month`` after a month, or the ``weekday`` of the
    week after, at ``local_time``."""
    zone = ZoneInfo(timing.timezone)
    if timing.cadence == "monthly":
        return _at(period.end.replace(day=timing.day_of_month or 1), timing.local_time, zone)
    return _at(period.end + timedelta(days=timing.weekday or 0), timing.local_time, zone)


def latest_due(timing: Timing, now: datetime) -> Period:
    """The newest period whose due moment is at or before ``now``."""
    today = now.astimezone(ZoneInfo(timing.timezone)).date()
    current = period_of(timing, today)
    candidate = previous(current)
    return candidate if due_at(timing, candidate) <= now else previous(candidate)


def owed(
    timing: Timing, active_since: datetime, now: datetime, last_sent_start: date | None
) -> Period | None:
    """The period a schedule must send now: the newest one due, if it fell due after the
    schedule became active and was not sent yet (only the newest: a portal down for three
    months sends the last month once, not three)."""
    period = latest_due(timing, now)
    if due_at(timing, period) <= active_since:
        return None
    if last_sent_start is not None and last_sent_start >= period.start:
        return None
    return period


def next_due_at(timing: Timing, now: datetime) -> datetime:
    """The next moment after ``now`` at which a period falls due."""
    following = latest_due(timing, now)
    while True:
        following = (
            month_of(following.end) if timing.cadence == "monthly" else week_of(following.end)
        )
        moment = due_at(timing, following)
        if moment > now:
            return moment


def has_ended(period: Period, now: datetime, timezone: str) -> bool:
    """True once the period's last local day is over (what "send now" may send)."""
    return now.astimezone(ZoneInfo(timezone)).date() >= period.end
