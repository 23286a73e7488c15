"""What the reports' routes share: the period a query names, and waking the sender."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from power_portal.core.errors import FieldError
from power_portal.core.request_checks import check_label
from power_portal.reports import periods
from power_portal.reports.periods import Period
from power_portal.reports.schemas import MONTH_PATTERN, WEEK_PATTERN


def report_period(
    month: Annotated[
        str | None, Query(pattern=MONTH_PATTERN, examples=["2026-11"], description="YYYY-MM")
    ] = None,
    week: Annotated[
        str | None,
        Query(pattern=WEEK_PATTERN, examples=["2026-W45"], description="an ISO week"),
    ] = None,
) -> Period:
    """``?month=`` or ``?week=`` (exactly one), checked (422 names the field)."""
    if (month is None) == (week is None):
        raise FieldError("month", "give exactly one of month (YYYY-MM) or week (YYYY-Www)")
    field, label = ("month", month) if month is not None else ("week", week)
    assert label is not None
    check_label(field, label)  # the period, the one after and a year before must exist
    if month is not None:
        return periods.month_period(month)
    try:
        return periods.week_period(label)
    except ValueError as exc:
        raise FieldError("week", f"{label} is not a week of that year") from exc


PeriodDep = Annotated[Period, Depends(report_period)]


def wake_sender(request: Request) -> None:
    """Tell this process's sender that mails are owed (after the commit: a background
    task); other processes find them on their next poll."""
    worker = getattr(request.app.state, "alert_worker", None)
    if worker is not None:
        worker.sender_wake.set()
