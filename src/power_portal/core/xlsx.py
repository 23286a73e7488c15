"""What every Excel (.xlsx) export shares: sheets of typed columns written as a workbook.

A sheet is a header row and rows of cells; each column says what its cells hold (text,
numbers, local date-times or dates) and how Excel shows them. The writer makes every sheet
alike (docs/api/reports.md, "Excel"): the header bold and frozen, column widths fitted to the
content, numbers stored as numbers, date-times as Excel date-times (naive: local to the site,
its zone named in the header, ``zone_header``), and text stored as text, never run: a value
starting with ``=`` is written as a string cell (openpyxl would write it as a formula) and
any text a spreadsheet might take for a formula (``= + - @``) is marked quote-prefixed, as if
typed with a leading ``'``. The workbook is written in openpyxl's write-only (streaming) mode.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from power_portal.core.responses import Responses

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A route's OpenAPI ``responses`` entry for its 200 (``response_class=Response``).
XLSX_RESPONSE: Responses = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "An Excel workbook (.xlsx)"}
}

# Number formats (Excel's codes): money to the cent, energy to the watt-hour.
MONEY = "#,##0.00"
KWH = "0.000"
GENERAL = "General"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
MONTH = "yyyy-mm"

MIN_WIDTH = 8
MAX_WIDTH = 60
FROZEN = "A2"  # the header row stays in view
# A sheet title: at most 31 characters, none of these (Excel's rules).
MAX_TITLE = 31
TITLE_FORBIDDEN = frozenset("[]:*?/\\")
FORMULA_LEADS = ("=", "+", "-", "@")

Kind = Literal["text", "number", "datetime", "date"]
CellValue = str | float | int | datetime | date | None

_DEFAULT_FORMATS: dict[Kind, str | None] = {
    "text": None,
    "number": GENERAL,
    "datetime": DATETIME,
    "date": DATE,
}
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class Column:
    """A column: its header (units in it: ``Energy import (kWh)``), what its cells hold and
    Excel's number format for them (None: the kind's default)."""

    header: str
    kind: Kind = "text"
    number_format: str | None = None

    @property
    def format(self) -> str | None:
        return self.number_format or _DEFAULT_FORMATS[self.kind]


@dataclass(frozen=True)
class Sheet:
    """A worksheet: a title (Excel's rules: 1-31 characters, none of ``[]:*?/\\``), its
    columns and its rows (each as long as the columns, or empty: a blank row)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[CellValue]]

    def __post_init__(self) -> None:
        if not 0 < len(self.title) <= MAX_TITLE or TITLE_FORBIDDEN & set(self.title):
            raise ValueError(f"not a sheet title Excel accepts: {self.title!r}")
        if not self.columns:
            raise ValueError(f"sheet {self.title!r} has no columns")


@dataclass(frozen=True)
class XlsxFile:
    """An Excel download: the name the browser saves it under, and its bytes."""

    filename: str
    content: bytes


def zone_header(label: str, timezone: str) -> str:
    """A date-time column's header naming the zone its naive times are local to."""
    return f"{label} ({timezone})"


def unit_header(label: str, unit: str) -> str:
    """A number column's header with its unit (none for a unitless one, e.g. power factor)."""
    return f"{label} ({unit})" if unit else label


def local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    """An instant as the wall-clock time of ``zone`` without an offset (what Excel stores)."""
    return moment.astimezone(zone).replace(tzinfo=None)


# ---------------------------------------------------------------- cells


def _clean_text(value: str) -> str:
    """Text Excel can store: the control characters XML cannot carry are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _checked(value: CellValue, column: Column) -> CellValue:
    """The value a cell of ``column`` stores; a value of the wrong type is a bug (TypeError).
    A number that is not finite (Excel has none) is an empty cell."""
    if value is None:
        return None
    if column.kind == "text":
        if not isinstance(value, str):
            raise TypeError(f"{column.header}: text expected, got {value!r}")
        return _clean_text(value)
    if column.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{column.header}: a number expected, got {value!r}")
        return value if math.isfinite(value) else None
    if column.kind == "datetime":
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise TypeError(f"{column.header}: a naive local datetime expected, got {value!r}")
        return value
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{column.header}: a date expected, got {value!r}")
    return value


def _checked_rows(sheet: Sheet) -> list[list[CellValue]]:
    """Every row checked, before anything is written: a streamed sheet cannot be abandoned
    half-written."""
    checked: list[list[CellValue]] = []
    for number, row in enumerate(sheet.rows, 2):
        if row and len(row) != len(sheet.columns):
            raise ValueError(
                f"sheet {sheet.title!r}, row {number}: {len(row)} cells for "
                f"{len(sheet.columns)} columns"
            )
        checked.append([_checked(v, c) for v, c in zip(row, sheet.columns, strict=False)])
    return checked


def _cell(sheet: WriteOnlyWorksheet, stored: CellValue, column: Column) -> Cell | None:
    """A checked value (``_checked``) as a cell of ``column``."""
    if stored is None:
        return None
    cell = Cell(sheet, row=1, column=1, value=stored)  # as openpyxl's WriteOnlyCell
    if isinstance(stored, str):
        _as_text(cell, stored)
    elif column.format is not None:
        cell.number_format = column.format
    return cell


def _as_text(cell: Cell, text: str) -> None:
    """A string cell, never a formula (openpyxl takes a leading ``=`` for one)."""
    cell.data_type = "s"
    if text.startswith(FORMULA_LEADS):
        cell.quotePrefix = True


def _header(sheet: WriteOnlyWorksheet, column: Column) -> Cell:
    text = _clean_text(column.header)
    cell = Cell(sheet, row=1, column=1, value=text)
    _as_text(cell, text)
    cell.font = _BOLD
    return cell


# ---------------------------------------------------------------- widths


def _decimals(number_format: str) -> int:
    _, dot, fraction = number_format.partition(".")
    return len(fraction) - len(fraction.lstrip("0")) if dot else 0


def _shown(value: CellValue, column: Column) -> str:
    """About what Excel shows for a cell: what its column's width is fitted to."""
    if value is None:
        return ""
    if isinstance(value, str):
        return max(value.splitlines() or [""], key=len)
    if isinstance(value, datetime | date):
        return column.format or DATETIME
    number_format = column.format or GENERAL
    if number_format == GENERAL:
        return f"{value:.10g}"
    separator = "," if "," in number_format else ""
    return f"{value:{separator}.{_decimals(number_format)}f}"


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[CellValue]]) -> list[int]:
    widths = [math.ceil(len(column.header) * 1.1) for column in columns]
    for row in rows:
        for index, (value, column) in enumerate(zip(row, columns, strict=False)):
            widths[index] = max(widths[index], len(_shown(value, column)))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]


def column_widths(sheet: Sheet) -> list[int]:
    """Each column's width in characters: its longest cell or header (bold: a little
    wider), plus a margin, within ``MIN_WIDTH``-``MAX_WIDTH``."""
    return _widths(sheet.columns, _checked_rows(sheet))


# ---------------------------------------------------------------- the workbook


@dataclass(frozen=True)
class _Ready:
    """A sheet checked whole, ready to stream: its rows' stored values and column widths."""

    sheet: Sheet
    rows: list[list[CellValue]]
    widths: list[int]


def _ready(sheet: Sheet) -> _Ready:
    rows = _checked_rows(sheet)
    return _Ready(sheet, rows, _widths(sheet.columns, rows))


def _write(workbook: Workbook, ready: _Ready) -> None:
    columns = ready.sheet.columns
    out = workbook.create_sheet(ready.sheet.title)
    if not isinstance(out, WriteOnlyWorksheet):  # what a write-only workbook makes
        raise TypeError(f"not a write-only sheet: {out!r}")
    for index, width in enumerate(ready.widths, 1):
        # before the first row: a streamed sheet writes its columns first
        out.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    out.freeze_panes = FROZEN
    out.append([_header(out, column) for column in columns])
    for row in ready.rows:
        out.append([_cell(out, value, column) for value, column in zip(row, columns, strict=False)])


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets, in order, as an .xlsx file; a sheet with a cell of the wrong kind is a
    ``TypeError``, a row of the wrong length a ``ValueError`` (before anything is written)."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    titles = [sheet.title.casefold() for sheet in sheets]
    if len(set(titles)) != len(titles):
        raise ValueError(f"sheet titles repeat: {[sheet.title for sheet in sheets]}")
    ready = [_ready(sheet) for sheet in sheets]
    workbook = Workbook(write_only=True)
    for each in ready:
        _write(workbook, each)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def xlsx_file(filename: str, sheets: Sequence[Sheet]) -> XlsxFile:
    """The workbook as a download, written in a worker thread: a long series is a second or
    two of CPU, which must not hold up the event loop."""
    return XlsxFile(filename, await to_thread.run_sync(workbook_bytes, sheets))


def xlsx_response(file: XlsxFile) -> Response:
    """The download as a route's response: an attachment under its file name."""
    return Response(
        file.content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
