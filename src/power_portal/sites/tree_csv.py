"""The metering tree as CSV (pure): one row per bucket (local day or month) and device."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from power_portal.core.exports import csv_text
from power_portal.sites.tree import TreeDevice

TreeInterval = Literal["day", "month"]
HEADER = [
    "bucket_start",
    "device_id",
    "name",
    "role",
    "parent_id",
    "energy_import_kwh",
    "children_import_kwh",
    "remainder_kwh",
]


@dataclass(frozen=True)
class TreeCsvRow:
    """One device in one bucket; None: no data (an empty cell)."""

    bucket_start: date
    device: TreeDevice
    energy_import_kwh: float | None
    children_import_kwh: float | None
    remainder_kwh: float | None


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def tree_csv(rows: Sequence[TreeCsvRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            [
                row.bucket_start.isoformat(),
                row.device.id,
                csv_text(row.device.name),
                row.device.role,
                "" if row.device.parent_id is None else row.device.parent_id,
                _number(row.energy_import_kwh),
                _number(row.children_import_kwh),
                _number(row.remainder_kwh),
            ]
        )
    return out.getvalue()
