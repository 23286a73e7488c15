"""The Excel writer (core.xlsx): typed cells, text never run as a formula, bold frozen header,
widths fitted to the content, and the sheets of the exports built on it (pure)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from power_portal.billing.bill_xlsx import bill_sheet
from power_portal.core.xlsx import (
    DATE,
    DATETIME,
    KWH,
    MAX_WIDTH,
    MIN_WIDTH,
    MONEY,
    CellValue,
    Column,
    Sheet,
    column_widths,
    local_naive,
    unit_header,
    workbook_bytes,
    zone_header,
)
from power_portal.measurements.exports import energy_sheet, series_header, series_sheet
from power_portal.measurements.schemas import (
    EnergyPoint,
    EnergyResponse,
    Interval,
    SeriesResponse,
    SeriesStats,
)
from power_portal.tariffs.schemas import Bill, BillLine
from power_portal.tenants.energy import HeldMeter, headers, held_meters
from power_portal.tenants.schemas import AssignmentRead

SAST = ZoneInfo("Africa/Johannesburg")


def one_sheet(sheet: Sheet) -> Worksheet:
    book = load_workbook(io.BytesIO(workbook_bytes([sheet])))
    found = book[sheet.title]
    assert isinstance(found, Worksheet)
    return found


def single_cell(column: Column, value: CellValue) -> Any:
    """The one data cell of a sheet of one column and one row, read back."""
    return one_sheet(Sheet("S", [column], [[value]]))["A2"]


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("column", "value", "stored", "data_type", "number_format"),
    [
        (Column("t"), "plain", "plain", "s", "General"),
        (Column("n", "number", MONEY), 1234.5, 1234.5, "n", MONEY),
        (Column("n", "number", KWH), 7, 7, "n", KWH),
        (Column("n", "number"), 0.1, 0.1, "n", "General"),
        (Column("n", "number", KWH), -2.000001, -2.000001, "n", KWH),
        (
            Column("d", "datetime"),
            datetime(2026, 6, 1, 13, 45),
            datetime(2026, 6, 1, 13, 45),
            "d",
            DATETIME,
        ),
        (Column("d", "date"), date(2026, 6, 1), datetime(2026, 6, 1), "d", DATE),
        (
            Column("d", "datetime", "yyyy-mm"),
            datetime(2026, 6, 1),
            datetime(2026, 6, 1),
            "d",
            "yyyy-mm",
        ),
    ],
)
def test_a_cell_stores_its_value_as_its_kind(
    column: Column, value: CellValue, stored: object, data_type: str, number_format: str
) -> None:
    cell = single_cell(column, value)
    assert cell.value == stored
    assert type(cell.value) is type(stored)
    assert cell.data_type == data_type
    assert cell.number_format == number_format


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ('=HYPERLINK("http://evil","x")', True),
        ("=1+1", True),
        ("+27 11 555 0000", True),
        ("-5", True),
        ("@SUM(A1)", True),
        ("Shop = 1", False),
        ("plain", False),
    ],
)
def test_text_is_stored_as_text_never_as_a_formula(value: str, quoted: bool) -> None:
    cell = single_cell(Column("t"), value)
    assert (cell.value, cell.data_type) == (value, "s")
    assert bool(cell.quotePrefix) is quoted


def test_no_formula_reaches_the_file() -> None:
    sheet = Sheet("S", [Column("=header"), Column("n", "number")], [["=1+1", 2.0]])
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([sheet]))) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "=1+1" in xml


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (Column("t"), None),
        (Column("n", "number"), None),
        (Column("n", "number"), float("nan")),
        (Column("n", "number"), float("inf")),
        (Column("d", "datetime"), None),
    ],
)
def test_no_value_is_an_empty_cell(column: Column, value: CellValue) -> None:
    assert single_cell(column, value).value is None


def test_control_characters_xml_cannot_carry_are_dropped() -> None:
    assert single_cell(Column("t"), "Shop\x01 1\x1f").value == "Shop 1"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (Column("t"), 5),
        (Column("n", "number"), "5"),
        (Column("n", "number"), True),
        (Column("d", "datetime"), datetime(2026, 6, 1, tzinfo=UTC)),
        (Column("d", "datetime"), date(2026, 6, 1)),
        (Column("d", "date"), datetime(2026, 6, 1)),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(column: Column, value: Any) -> None:
    with pytest.raises(TypeError, match=column.header):
        workbook_bytes([Sheet("S", [column], [[value]])])


# ---------------------------------------------------------------- sheets


def test_every_sheet_has_a_bold_frozen_header_and_keeps_its_order() -> None:
    columns = [Column("Name"), Column("Energy (kWh)", "number", KWH)]
    sheets = [Sheet("First", columns, [["a", 1.0]]), Sheet("Second", columns, [])]
    book = load_workbook(io.BytesIO(workbook_bytes(sheets)))
    assert book.sheetnames == ["First", "Second"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert [cell.value for cell in sheet[1]] == ["Name", "Energy (kWh)"]
        assert all(cell.font.b for cell in sheet[1])
    assert book["First"]["B2"].font.b is not True


def test_a_blank_row_is_allowed_and_a_short_row_is_refused() -> None:
    columns = [Column("a"), Column("b", "number")]
    found = one_sheet(Sheet("S", columns, [["x", 1], [], ["total", 2]]))
    assert [[cell.value for cell in row] for row in found.iter_rows(min_row=2)] == [
        ["x", 1],
        [None, None],
        ["total", 2],
    ]
    with pytest.raises(ValueError, match="row 3"):
        workbook_bytes([Sheet("S", columns, [["x", 1], ["y"]])])


@pytest.mark.parametrize("title", ["", "x" * 32, "a/b", "a[1]", "what?", "a:b", "a*", "a\\b"])
def test_a_title_excel_refuses_is_refused(title: str) -> None:
    with pytest.raises(ValueError, match="sheet title"):
        Sheet(title, [Column("a")], [])


def test_a_workbook_needs_sheets_with_columns_and_distinct_titles() -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        workbook_bytes([])
    with pytest.raises(ValueError, match="no columns"):
        Sheet("S", [], [])
    with pytest.raises(ValueError, match="repeat"):
        workbook_bytes([Sheet("Bill", [Column("a")], []), Sheet("bill", [Column("a")], [])])


@pytest.mark.parametrize(
    ("column", "values", "width"),
    [
        (Column("a"), ["x"], MIN_WIDTH),  # short: the minimum
        (Column("a"), ["x" * 200], MAX_WIDTH),  # long: the maximum
        (
            Column("a"),
            ["first line\nand a longer second line"],
            len("and a longer second line") + 2,
        ),
        (Column("Description"), ["Energy"], 13 + 2),  # the header (bold: 10 % wider)
        (Column("a", "number", MONEY), [1234567.891], len("1,234,567.89") + 2),
        (Column("a", "number", KWH), [12345.6789], len("12345.679") + 2),
        (Column("a", "number"), [1 / 3], len("0.3333333333") + 2),
        (Column("a", "datetime"), [datetime(2026, 6, 1)], len(DATETIME) + 2),
        (Column("a", "date"), [date(2026, 6, 1)], len(DATE) + 2),
        (Column("a", "number"), [None], MIN_WIDTH),
    ],
)
def test_widths_fit_the_content_within_bounds(
    column: Column, values: list[CellValue], width: int
) -> None:
    assert column_widths(Sheet("S", [column], [[v] for v in values])) == [width]


def test_widths_reach_the_file() -> None:
    sheet = Sheet("S", [Column("a"), Column("b")], [["x" * 30, "y"]])
    found = one_sheet(sheet)
    assert found.column_dimensions["A"].width == 32
    assert found.column_dimensions["B"].width == MIN_WIDTH


def test_a_long_sheet_is_written() -> None:
    """A year of hours (the streaming writer): every row back, in order."""
    start = datetime(2026, 1, 1)
    rows: list[list[CellValue]] = [
        [start + timedelta(hours=h), h * 0.25, None] for h in range(24 * 365)
    ]
    columns = [Column("t", "datetime"), Column("a", "number", KWH), Column("b", "number", KWH)]
    found = one_sheet(Sheet("S", columns, rows))
    assert found.max_row == len(rows) + 1
    assert found.cell(len(rows) + 1, 1).value == rows[-1][0]
    assert found.cell(len(rows) + 1, 2).value == rows[-1][1]


# ---------------------------------------------------------------- headers and times


@pytest.mark.parametrize(
    ("label", "unit", "header"),
    [
        ("Energy import", "kWh", "Energy import (kWh)"),
        ("Power factor avg", "", "Power factor avg"),
    ],
)
def test_unit_header(label: str, unit: str, header: str) -> None:
    assert unit_header(label, unit) == header


def test_a_time_is_the_sites_wall_clock_without_offset() -> None:
    assert zone_header("Start", "Africa/Johannesburg") == "Start (Africa/Johannesburg)"
    moment = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert local_naive(moment, SAST) == datetime(2026, 6, 2, 0, 30)
    berlin = ZoneInfo("Europe/Berlin")
    assert local_naive(datetime(2026, 1, 1, tzinfo=UTC), berlin) == datetime(2026, 1, 1, 1)


# ---------------------------------------------------------------- the exports' sheets


def test_the_energy_sheet_is_the_jsons_rows() -> None:
    points = [
        EnergyPoint(
            start=datetime(2026, 6, 1, tzinfo=SAST), energy_import_kwh=12.5, energy_export_kwh=0.0
        ),
        EnergyPoint(
            start=datetime(2026, 6, 2, tzinfo=SAST), energy_import_kwh=None, energy_export_kwh=None
        ),
    ]
    sheet = energy_sheet(
        EnergyResponse(timezone="Africa/Johannesburg", interval=Interval.DAY, points=points)
    )
    assert [c.header for c in sheet.columns] == [
        "Start (Africa/Johannesburg)",
        "Energy import (kWh)",
        "Energy export (kWh)",
    ]
    assert sheet.columns[0].format == DATE
    assert sheet.rows == [[datetime(2026, 6, 1), 12.5, 0.0], [datetime(2026, 6, 2), None, None]]


def test_the_series_sheet_has_avg_min_max_of_each_field_with_units() -> None:
    times = [datetime(2026, 6, 1, 10, tzinfo=UTC), datetime(2026, 6, 1, 10, 15, tzinfo=UTC)]
    series = SeriesResponse(
        timezone="Africa/Johannesburg",
        bucket_seconds=900,
        source="rollup_15m",
        times=times,
        series={
            "power_kw": SeriesStats(avg=[1.0, None], min=[0.5, None], max=[1.5, None]),
            "power_factor": SeriesStats(avg=[0.9, 0.8], min=[0.85, 0.7], max=[0.95, 0.9]),
        },
    )
    sheet = series_sheet(series)
    assert [c.header for c in sheet.columns] == [
        "Time (Africa/Johannesburg)",
        "Active power avg (kW)",
        "Active power min (kW)",
        "Active power max (kW)",
        "Power factor avg",
        "Power factor min",
        "Power factor max",
    ]
    assert sheet.rows[0] == [datetime(2026, 6, 1, 12), 1.0, 0.5, 1.5, 0.9, 0.85, 0.95]
    assert sheet.rows[1] == [datetime(2026, 6, 1, 12, 15), None, None, None, 0.8, 0.7, 0.9]
    assert series_header("voltage_l1_v", "max") == "Voltage L1-N max (V)"


def test_the_bill_sheet_is_the_csvs_rows() -> None:
    line = BillLine(
        kind="energy",
        description="=Peak",
        season="high",
        period="peak",
        quantity=10.5,
        unit="kWh",
        rate=2.25,
        amount=23.63,
        version_from=date(2026, 1, 1),
    )
    bill = Bill(
        currency="ZAR",
        timezone="UTC",
        start=date(2026, 6, 1),
        end=date(2026, 7, 1),
        lines=[line],
        subtotal=23.63,
        vat=3.54,
        total=27.17,
        energy_kwh=10.5,
    )
    sheet = bill_sheet(bill)
    assert [c.header for c in sheet.columns][-2:] == ["Rate (ZAR per unit)", "Amount (ZAR)"]
    assert sheet.rows == [
        ["energy", "=Peak", "high", "peak", None, 10.5, "kWh", 2.25, 23.63],
        [],
        ["subtotal", *[None] * 7, 23.63],
        ["VAT", *[None] * 7, 3.54],
        ["total", *[None] * 7, 27.17],
    ]
    workbook_bytes([sheet])  # every cell of its kind


def _held(
    ident: int, kind: str, ref: int, name: str, start: datetime, end: datetime | None
) -> AssignmentRead:
    return AssignmentRead(
        id=ident,
        tenant_id=1,
        kind="device" if kind == "device" else "virtual_meter",
        device_id=ref if kind == "device" else None,
        virtual_meter_id=ref if kind != "device" else None,
        meter_name=name,
        start=start,
        end=end,
        created_at=start,
    )


def test_a_tenants_meters_are_clipped_to_the_span_one_column_each() -> None:
    lo, hi = datetime(2026, 6, 1, tzinfo=SAST), datetime(2026, 7, 1, tzinfo=SAST)
    move, back = datetime(2026, 6, 10, tzinfo=SAST), datetime(2026, 6, 20, tzinfo=SAST)
    assignments = [
        _held(3, "device", 7, "Shop", back, None),
        _held(1, "device", 7, "Shop", lo - timedelta(days=9), move),
        _held(2, "virtual_meter", 4, "Shop", move, hi + timedelta(days=3)),
    ]
    meters = held_meters(assignments, lo, hi)
    assert meters == [
        HeldMeter("device", 7, "Shop", [(lo, move), (back, hi)]),
        HeldMeter("virtual_meter", 4, "Shop", [(move, hi)]),
    ]
    assert headers(meters) == ["Shop (device 7) (kWh)", "Shop (virtual meter 4) (kWh)"]
    assert headers(meters[:1]) == ["Shop (kWh)"]
