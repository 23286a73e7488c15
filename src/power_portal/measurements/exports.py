"""Readings as spreadsheet sheets (pure): energy per bucket, and a series' avg/min/max.

The rows are the JSON's (``EnergyResponse``, ``SeriesResponse``) cell for cell; times are the
site's wall-clock times (``core.xlsx.local_naive``), its zone named in the header.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from power_portal.core.xlsx import (
    DATE,
    DATETIME,
    KWH,
    MONTH,
    CellValue,
    Column,
    Sheet,
    local_naive,
    unit_header,
    zone_header,
)
from power_portal.measurements.fields import FIELDS
from power_portal.measurements.schemas import EnergyResponse, Interval, SeriesResponse

# How a bucket's start is shown: an hour with its time, a day or a month without.
BUCKET_FORMATS = {Interval.HOUR: DATETIME, Interval.DAY: DATE, Interval.MONTH: MONTH}
SERIES_FORMAT = "0.000"
STATS = ("avg", "min", "max")
_FIELDS = {field.name: field for field in FIELDS}


def bucket_column(timezone: str, interval: Interval) -> Column:
    """The first column of an energy sheet: each bucket's local start."""
    return Column(zone_header("Start", timezone), "datetime", BUCKET_FORMATS[interval])


def energy_sheet(energy: EnergyResponse) -> Sheet:
    """Start, energy import and export (kWh) per bucket; empty where the JSON has null."""
    zone = ZoneInfo(energy.timezone)
    columns = [
        bucket_column(energy.timezone, energy.interval),
        Column("Energy import (kWh)", "number", KWH),
        Column("Energy export (kWh)", "number", KWH),
    ]
    rows = [
        [local_naive(point.start, zone), point.energy_import_kwh, point.energy_export_kwh]
        for point in energy.points
    ]
    return Sheet("Energy", columns, rows)


def series_header(field: str, stat: str) -> str:
    """``Active power avg (kW)``; a unitless field has none (``Power factor min``)."""
    known = _FIELDS[field]
    return unit_header(f"{known.label} {stat}", known.unit)


def series_sheet(series: SeriesResponse) -> Sheet:
    """Time, then each field's avg, min and max per bucket, in the order asked for."""
    zone = ZoneInfo(series.timezone)
    fields = list(series.series)
    columns = [Column(zone_header("Time", series.timezone), "datetime", DATETIME)]
    columns += [
        Column(series_header(field, stat), "number", SERIES_FORMAT)
        for field in fields
        for stat in STATS
    ]
    rows: list[list[CellValue]] = []
    for index, moment in enumerate(series.times):
        row: list[CellValue] = [local_naive(moment, zone)]
        for field in fields:
            stats = series.series[field]
            row += [stats.avg[index], stats.min[index], stats.max[index]]
        rows.append(row)
    return Sheet("Series", columns, rows)
