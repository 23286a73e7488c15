"""Billing's pure parts: the month so far, spreadsheet-safe CSV cells, the bill as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from power_portal.billing.bill_csv import bill_csv
from power_portal.billing.costs import MonthSoFar, month_so_far
from power_portal.core.exports import csv_text
from power_portal.tariffs.schemas import Bill, BillLine


@pytest.mark.parametrize(
    ("now", "timezone", "expected"),
    [
        # mid-month, Johannesburg (UTC+2): 14 days and 12 hours have passed
        (
            datetime(2026, 6, 15, 10, 0, tzinfo=UTC),
            "Africa/Johannesburg",
            MonthSoFar(date(2026, 6, 1), date(2026, 7, 1), 14.5, date(2026, 6, 16)),
        ),
        # UTC evening of 31 January is already February in Auckland (UTC+13): at least an hour
        (
            datetime(2026, 1, 31, 11, 0, tzinfo=UTC),
            "Pacific/Auckland",
            MonthSoFar(date(2026, 2, 1), date(2026, 3, 1), 1 / 24, date(2026, 2, 2)),
        ),
        # December rolls over into January of the next year
        (
            datetime(2026, 12, 31, 0, 0, tzinfo=UTC),
            "UTC",
            MonthSoFar(date(2026, 12, 1), date(2027, 1, 1), 30.0, date(2027, 1, 1)),
        ),
    ],
)
def test_month_so_far(now: datetime, timezone: str, expected: MonthSoFar) -> None:
    assert month_so_far(now, timezone) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Peak", "Peak"),
        ("=1+1", "'=1+1"),
        ("+27 11", "'+27 11"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_text_defuses_formulas(cell: str, expected: str) -> None:
    assert csv_text(cell) == expected


def test_bill_csv_has_a_row_per_line_then_the_totals() -> None:
    line = BillLine(
        kind="energy",
        description="=Peak energy",
        season="High",
        period="Peak",
        quantity=1234.5678,
        unit="kWh",
        rate=3.0,
        amount=3703.7,
        version_from=date(2026, 1, 1),
    )
    bill = Bill(
        currency="ZAR",
        timezone="Africa/Johannesburg",
        start=date(2026, 6, 1),
        end=date(2026, 7, 1),
        lines=[line],
        subtotal=3703.7,
        vat=555.56,
        total=4259.26,
        energy_kwh=1234.5678,
    )
    rows = list(csv.reader(io.StringIO(bill_csv(bill))))
    assert rows == [
        [
            "kind",
            "description",
            "season",
            "period",
            "month",
            "quantity",
            "unit",
            "rate",
            "amount (ZAR)",
        ],
        ["energy", "'=Peak energy", "High", "Peak", "", "1234.568", "kWh", "3.0", "3703.70"],
        [],
        ["subtotal", "", "", "", "", "", "", "", "3703.70"],
        ["VAT", "", "", "", "", "", "", "", "555.56"],
        ["total", "", "", "", "", "", "", "", "4259.26"],
    ]
