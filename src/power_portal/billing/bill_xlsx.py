"""A bill as a spreadsheet sheet (pure): the rows of its CSV (``bill_csv``), numbers as numbers.

One row a bill line, a blank row, then subtotal, VAT and total in the amount column. The
site's bill and a tenant's have the same lines and totals (``bill_csv.CsvBill``).
"""

from __future__ import annotations

from power_portal.billing.bill_csv import CsvBill
from power_portal.core.xlsx import GENERAL, MONEY, CellValue, Column, Sheet

QUANTITY = "#,##0.000"


def bill_columns(currency: str) -> list[Column]:
    return [
        Column("Kind"),
        Column("Description"),
        Column("Season"),
        Column("Period"),
        Column("Month"),
        Column("Quantity", "number", QUANTITY),
        Column("Unit"),
        Column(f"Rate ({currency} per unit)", "number", GENERAL),
        Column(f"Amount ({currency})", "number", MONEY),
    ]


def bill_sheet(bill: CsvBill, title: str = "Bill") -> Sheet:
    columns = bill_columns(bill.currency)
    rows: list[list[CellValue]] = [
        [
            line.kind,
            line.description,
            line.season,
            line.period,
            line.month,
            line.quantity,
            line.unit,
            line.rate,
            line.amount,
        ]
        for line in bill.lines
    ]
    rows.append([])
    blank: list[CellValue] = [None] * (len(columns) - 2)
    for label, amount in (("subtotal", bill.subtotal), ("VAT", bill.vat), ("total", bill.total)):
        rows.append([label, *blank, amount])
    return Sheet(title, columns, rows)
