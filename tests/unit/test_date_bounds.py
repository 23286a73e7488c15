"""The supported dates (core.request_checks), row by row: which dates, instants and month or
week labels a request may name, the 422 that names the field otherwise, and that whatever the
reading queries and report periods compute from a supported value exists (no OverflowError)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from power_portal.core.errors import FieldError
from power_portal.core.request_checks import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    SUPPORTED_DATES,
    SupportedDate,
    SupportedDatetime,
    check_dates,
    check_label,
    check_span,
    date_problem,
    label_problem,
)
from power_portal.measurements.buckets import (
    bucket_starts,
    local_midnight,
    local_span,
    next_month,
    series_steps,
    whole_hour_shifts,
)
from power_portal.measurements.schemas import Interval
from power_portal.reports import periods
from power_portal.reports.schemas import SendNow
from power_portal.tenants.schemas import AssignmentUpdate, AssignmentWrite


def offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes))


EARLIEST = date(EARLIEST_YEAR, 1, 1)
LATEST = date(LATEST_YEAR, 12, 31)


@pytest.mark.parametrize(
    ("value", "supported"),
    [
        (date(2026, 6, 1), True),
        (EARLIEST, True),
        (LATEST, True),
        (EARLIEST - timedelta(days=1), False),  # 1899-12-31
        (LATEST + timedelta(days=1), False),  # 2201-01-01
        (date(1, 1, 1), False),
        (date(9999, 12, 1), False),  # the energy start
        (date(9999, 12, 31), False),
        # instants by their own wall-clock year, whatever the offset
        (datetime(2026, 6, 1, 12, tzinfo=UTC), True),
        (datetime(EARLIEST_YEAR, 1, 1, tzinfo=offset(14)), True),  # 1899 in UTC: still fine
        (datetime(LATEST_YEAR, 12, 31, 23, 59, 59, tzinfo=offset(-12)), True),  # 2201 in UTC
        (datetime(LATEST_YEAR, 12, 31, 23, 59, tzinfo=offset(-23, 59)), True),
        (datetime(1, 1, 1, tzinfo=offset(14)), False),  # the series start
        (datetime(9999, 12, 30, tzinfo=UTC), False),  # the series
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), False),
        (datetime(1899, 12, 31, 23, 59, 59, tzinfo=offset(-14)), False),  # 1900 in UTC: refused
        (datetime(2201, 1, 1, tzinfo=offset(14)), False),  # 2200 in UTC: refused
        (datetime(2026, 6, 1), True),  # naive (the query types refuse it before this check)
    ],
)
def test_which_dates_are_supported(value: date, supported: bool) -> None:
    assert date_problem(value) == (None if supported else SUPPORTED_DATES)


@pytest.mark.parametrize(
    ("field", "label", "problem"),
    [
        ("month", "2026-06", None),
        ("month", f"{EARLIEST_YEAR}-01", None),
        ("month", f"{LATEST_YEAR}-12", None),
        ("month", "1899-12", f"a month from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ("month", "2201-01", f"a month from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ("month", "0000-01", f"a month from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ("month", "9999-12", f"a month from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ("week", "2026-W45", None),
        ("week", f"{LATEST_YEAR}-W52", None),
        ("week", "9999-W52", f"a week from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ("week", "0001-W01", f"a week from {EARLIEST_YEAR} to {LATEST_YEAR}"),
        # not a label at all: left to the field's pattern
        ("month", "June", None),
        ("month", "²⁰²⁶-06", None),
        ("month", "", None),
    ],
)
def test_which_labels_are_supported(field: str, label: str, problem: str | None) -> None:
    assert label_problem(field, label) == problem


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"start": date(2026, 6, 1), "end": date(2026, 7, 1)}, None),
        ({"start": date(9999, 12, 1), "end": date(9999, 12, 31)}, "start"),  # the first named
        ({"start": date(2026, 6, 1), "end": date(9999, 12, 31)}, "end"),
        ({"start": datetime(1, 1, 1, tzinfo=offset(14)), "end": None}, "start"),
        ({"since": None, "until": datetime(9999, 1, 1, tzinfo=UTC)}, "until"),
        ({"since": None, "until": None}, None),
    ],
)
def test_a_query_names_the_first_unsupported_field(
    values: dict[str, date | None], field: str | None
) -> None:
    if field is None:
        check_dates(**values)
        return
    with pytest.raises(FieldError) as refused:
        check_dates(**values)
    assert (refused.value.field, refused.value.detail, refused.value.status_code) == (
        field,
        SUPPORTED_DATES,
        422,
    )


@pytest.mark.parametrize(
    ("field", "label", "refused"),
    [("month", "2026-06", False), ("month", "9999-12", True), ("week", "1899-W52", True)],
)
def test_a_label_check_names_its_field(field: str, label: str, refused: bool) -> None:
    if not refused:
        check_label(field, label)
        return
    with pytest.raises(FieldError) as error:
        check_label(field, label)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(2026, 6, 2), date(2026, 6, 1), "end", "must be after start"),
        (date(2026, 6, 1), date(2026, 6, 1), "end", "must be after start"),
        (date(2026, 6, 1), date(2030, 6, 1), "end", "the span may be at most 400 days"),
        (date(2026, 6, 1), date(2026, 6, 2), None, None),
    ],
)
def test_the_span_rules_are_unchanged(
    start: date, end: date, field: str | None, message: str | None
) -> None:
    if field is None:
        check_span(start, end, 400)
        return
    with pytest.raises(FieldError) as refused:
        check_span(start, end, 400)
    assert (refused.value.field, refused.value.detail) == (field, message)


class Body(BaseModel):
    day: SupportedDate | None = None
    at: SupportedDatetime | None = None


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (Body, {"day": "2026-06-01", "at": "2026-06-01T00:00:00Z"}, None),
        (Body, {"day": "9999-12-31"}, "day"),
        (Body, {"at": "0001-01-01T00:00:00+14:00"}, "at"),
        (Body, {"at": "2201-01-01T00:00:00Z"}, "at"),
        (AssignmentWrite, {"device_id": 1, "start": "2026-06-01T00:00:00+02:00"}, None),
        (AssignmentWrite, {"device_id": 1, "start": "0001-01-01T00:00:00+14:00"}, "start"),
        (
            AssignmentWrite,
            {"device_id": 1, "start": "2026-06-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"},
            "end",
        ),
        (AssignmentUpdate, {"end": None}, None),
        (AssignmentUpdate, {"start": "1899-12-31T23:00:00-05:00"}, "start"),
        (SendNow, {"month": "2026-10"}, None),
        (SendNow, {"month": "9999-12"}, "month"),
        (SendNow, {"week": "9999-W52"}, "week"),
        (SendNow, {"month": "2026-13"}, "month"),  # the pattern, as before
    ],
)
def test_a_body_names_the_unsupported_field(
    model: type[BaseModel], body: dict[str, Any], field: str | None
) -> None:
    if field is None:
        model.model_validate(body)
        return
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    [problem] = refused.value.errors()
    assert problem["loc"] == (field,)


# ---------------------------------------------------------------- nothing computed overflows

# Zones at the ends of the offsets: +14 (Kiritimati), -11 (Pago Pago), -12 (Etc/GMT+12),
# half-hour DST (Lord Howe), and UTC.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/GMT+12", "Australia/Lord_Howe", "UTC")
EDGE_SPANS = [
    (EARLIEST, EARLIEST + timedelta(days=1)),
    (EARLIEST, date(EARLIEST_YEAR, 3, 1)),
    (LATEST - timedelta(days=1), LATEST),
    (date(LATEST_YEAR, 11, 15), LATEST),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("start", "end"), EDGE_SPANS)
@pytest.mark.parametrize("interval", list(Interval))
def test_buckets_at_the_ends_of_the_range_exist(
    zone: str, start: date, end: date, interval: Interval
) -> None:
    where = ZoneInfo(zone)
    lo, hi = local_span(start, end, where)
    last = bucket_starts(start, end, interval, where)[-1]
    if interval is Interval.HOUR:
        assert last.astimezone(UTC) + timedelta(hours=1) == hi
    elif interval is Interval.DAY:
        assert local_midnight(last.date() + timedelta(days=1), where).astimezone(UTC) == hi
    else:
        assert local_midnight(next_month(last.date()), where).astimezone(UTC) >= hi
    whole_hour_shifts(start, end, where)
    assert series_steps(lo, hi, 86400)[0] == lo


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (
            datetime(EARLIEST_YEAR, 1, 1, tzinfo=offset(14)),
            datetime(EARLIEST_YEAR, 1, 2, tzinfo=UTC),
        ),
        (
            datetime(LATEST_YEAR, 12, 30, tzinfo=offset(14)),
            datetime(LATEST_YEAR, 12, 31, 23, 59, 59, tzinfo=offset(-12)),
        ),
    ],
)
def test_series_at_the_ends_of_the_range_exist(start: datetime, end: datetime) -> None:
    assert date_problem(start) is None
    assert date_problem(end) is None
    steps = series_steps(start, end.astimezone(UTC), 3600)
    assert steps[0] == start.astimezone(UTC)
    assert steps[-1] + timedelta(hours=1) >= end


@pytest.mark.parametrize(
    "label",
    [f"{EARLIEST_YEAR}-01", f"{LATEST_YEAR}-12", f"{EARLIEST_YEAR}-W01", f"{LATEST_YEAR}-W52"],
)
def test_report_periods_at_the_ends_of_the_range_exist(label: str) -> None:
    period = periods.week_period(label) if "W" in label else periods.month_period(label)
    assert periods.previous(period).end == period.start
    assert periods.year_before(period).start < period.start
    assert periods.month_of(period.end).end > period.end  # the period after
