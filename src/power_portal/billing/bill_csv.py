"""The bill as CSV (pure): one row a bill line, then subtotal, VAT and total."""

from __future__ import annotations

import csv
import io

from power_portal.core.exports import csv_text
from power_portal.tariffs.schemas import Bill

HEADER = ["kind", "description", "season", "period", "month", "quantity", "unit", "rate"]


def bill_csv(bill: Bill) -> str:
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
