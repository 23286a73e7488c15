"""A bill as CSV (pure): one row a bill line, then subtotal, VAT and total.

The site's bill and a tenant's (``tenants``) have the same lines and totals: anything shaped
like them is written the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Protocol

from power_portal.core.exports import csv_text

HEADER = ["kind", "description", "season", "period", "month", "quantity", "unit", "rate"]


class CsvLine(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def season(self) -> str | None: ...
    @property
    def period(self) -> str | None: ...
    @property
    def month(self) -> str | None: ...
    @property
    def quantity(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def rate(self) -> float: ...
    @property
    def amount(self) -> float: ...


class CsvBill(Protocol):
    @property
    def currency(self) -> str: ...
    @property
    def lines(self) -> Sequence[CsvLine]: ...
    @property
    def subtotal(self) -> float: ...
    @property
    def vat(self) -> float: ...
    @property
    def total(self) -> float: ...


def bill_csv(bill: CsvBill) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADER, f"amount ({bill.currency})"])
    for line in bill.lines:
        writer.writerow(
            [
                line.kind,
                csv_text(line.description),
                csv_text(line.season or ""),
                csv_text(line.period or ""),
                line.month or "",
                f"{line.quantity:.3f}",
                line.unit,
                line.rate,
                f"{line.amount:.2f}",
            ]
        )
    writer.writerow([])
    blank = [""] * (len(HEADER) - 1)
    for label, amount in (("subtotal", bill.subtotal), ("VAT", bill.vat), ("total", bill.total)):
        writer.writerow([label, *blank, f"{amount:.2f}"])
    return out.getvalue()
