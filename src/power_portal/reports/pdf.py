"""The PDF documents of docs/api/reports.md, rendered with ReportLab: pure, data in, bytes out.

- ``site_bill_pdf``: a site's bill (``tariffs.schemas.Bill``): every line, then the totals;
- ``tenant_bill_pdf``: a tenant's recharge bill (``TenantBill``): its meters with opening
  and closing registers, its lines and totals;
- ``site_report_pdf``: the monthly (weekly) site report (``SiteReport``): key figures, a
  "Data gap" box when readings are missing, energy by time-of-use period, each day, the
  comparisons and the alerts, with vector charts (``charts.py``).

Every document is A4 with the customer's brand (a header band in the primary colour with
the logo and product name), "Page N of M" in the footer, embedded Unicode fonts
(``fonts.py``) and its title and author (the product name) in the metadata.

Numbers are written by ``format_money`` (``12,345.67``), ``format_quantity`` (energy and
other quantities, up to two decimals: ``8,123.4``), ``format_rate`` (two to four decimals:
``2.4567``), ``format_percent`` and ``format_power_factor``: callers (and tests) format an
API value with the same function to find it in the document. Dates and times are local to
the site: ``1 Nov 2026``, ``9 Nov 2026 02:00``.

Importing this module switches ReportLab's ASCII85 stream wrapping off for the process
(``rl_config.useA85 = 0``, see below); a brand's logo is decoded once and cached.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any, Literal, Protocol
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from power_portal.alerts.mail import (
    DEFAULT_PRIMARY_COLOR,
    DEFAULT_SECONDARY_COLOR,
    SEVERITY_COLORS,
    Brand,
)
from power_portal.reports.charts import (
    ChartStyle,
    comparison_chart,
    daily_chart,
    period_chart,
    shows_cost,
)
from power_portal.reports.fonts import FontFamily, font_family
from power_portal.reports.schemas import ReportDay, SiteReport
from power_portal.tariffs.schemas import Bill
from power_portal.tenants.schemas import TenantBill

# fmt: off
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# fmt: on
NONE_TEXT = "—"
EN_DASH = "\u2013"  # between the two ends of a span
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BAND_HEIGHT = 56.0
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 150.0, 36.0
LOGO_MAX_PIXELS = (600, 144)  # four times the drawn size (about 290 dpi): sharp in print
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
CELL_PADDING = 4.0
MIN_FLEX_WIDTH = 40.0
TABLE_FONT_SIZE = 8.0
FOOTER_SIZE = 7.5
TEXT_COLOR = colors.HexColor("#1f1f1f")
MUTED_COLOR = colors.HexColor("#595959")
RULE_COLOR = colors.HexColor("#d9d9d9")
STRIPE_COLOR = colors.HexColor("#f5f5f5")
WARNING_COLOR = colors.HexColor("#cf1322")
WARNING_BACKGROUND = colors.HexColor("#fff1f0")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")

Cell = str | Paragraph
Align = Literal["LEFT", "RIGHT"]

# Binary streams in the PDF (a process-wide ReportLab setting): ReportLab's ASCII85 wrapping,
# meant for 7-bit channels (mail and HTTP carry binary attachments), runs in pure Python
# without the optional rl_accel package; it made a logo cost tens of milliseconds per
# document and grows images by a quarter.
rl_config.useA85 = 0


# ---------------------------------------------------------------- numbers and dates


def _decimals(value: float, least: int, most: int) -> str:
    """``value`` with thousands separators, rounded to ``most`` decimals, trailing zeros
    dropped down to ``least``; never ``-0``."""
    text = f"{value:,.{most}f}"
    if most > least:
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(least, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    if text.startswith("-") and not any(digit in text for digit in "123456789"):
        text = text[1:]
    return text


def format_money(value: float) -> str:
    """Money to the cent: ``12,345.67``, ``0.50``, ``-3.10``."""
    return _decimals(value, 2, 2)


def format_quantity(value: float) -> str:
    """Energy, demand and other quantities: up to two decimals, ``8,123.4``, ``30``, ``0.25``."""
    return _decimals(value, 0, 2)


def format_rate(value: float) -> str:
    """A rate (money per unit): two to four decimals, ``2.4567``, ``1.50``, ``1,500.00``."""
    return _decimals(value, 2, 4)


def format_percent(value: float) -> str:
    """A share in percent, up to two decimals: ``99.3%``."""
    return f"{_decimals(value, 0, 2)}%"


def format_change_percent(value: float) -> str:
    """A change in percent with its sign: ``+3.05%``, ``-12%``, ``0%``."""
    text = format_percent(value)
    return text if text.startswith(("-", "0%")) else f"+{text}"


def format_power_factor(value: float) -> str:
    """A power factor: two to three decimals, ``0.94``, ``0.813``."""
    return _decimals(value, 2, 3)


def format_date(day: date) -> str:
    """``1 Nov 2026``."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def format_period(start: date, end: date) -> str:
    """The local days of ``[start, end)``: ``1 Nov 2026 - 30 Nov 2026`` (an en dash)."""
    last = max(start, end - timedelta(days=1))
    return (
        format_date(start)
        if last == start
        else f"{format_date(start)} {EN_DASH} {format_date(last)}"
    )


def zone(name: str) -> ZoneInfo:
    """The time zone ``name``; UTC when it is unknown (a document is still made)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, timezone: str) -> datetime:
    """``moment`` in ``timezone``; a naive ``moment`` is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone(timezone))


def format_datetime(moment: datetime, timezone: str) -> str:
    """``9 Nov 2026 02:00`` in ``timezone``."""
    at = local(moment, timezone)
    return f"{format_date(at.date())} {at:%H:%M}"


def format_span(start: datetime, end: datetime, timezone: str) -> str:
    """``9 Nov 2026 02:00 - 07:00`` (an en dash); both dates when it ends on another day."""
    first, last = local(start, timezone), local(end, timezone)
    end_text = f"{last:%H:%M}" if first.date() == last.date() else format_datetime(end, timezone)
    return f"{format_datetime(start, timezone)} {EN_DASH} {end_text}"


def format_month(month: str) -> str:
    """``2026-11`` → ``November 2026`` (anything else as given)."""
    found = _MONTH.fullmatch(month)
    return f"{MONTHS[int(found[2]) - 1]} {found[1]}" if found else month


def report_label(period: str, label: str) -> str:
    """``November 2026`` for a month ``2026-11``; ``Week 45, 2026`` for ``2026-W45``."""
    found = _WEEK.fullmatch(label)
    if period == "week" and found:
        return f"Week {int(found[2])}, {found[1]}"
    return format_month(label)


def _kwh(value: float) -> str:
    return f"{format_quantity(value)} kWh"


def _money(currency: str | None, value: float) -> str:
    return f"{currency} {format_money(value)}" if currency else format_money(value)


def _optional(value: float | None, formatter: Callable[[float], str]) -> str:
    return NONE_TEXT if value is None else formatter(value)


# ---------------------------------------------------------------- brand


def checked_color(value: str, default: str) -> Color:
    """``value`` when it is ``#rrggbb``, else ``default``."""
    return colors.HexColor(value if _COLOR.fullmatch(value) else default)


def _luminance(color: Color) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red) + 0.7152 * channel(color.green) + 0.0722 * channel(color.blue)
    )


def text_color_on(background: Color) -> Color:
    """White or black, whichever contrasts more with ``background`` (WCAG luminance)."""
    lightness = _luminance(background)
    on_white = 1.05 / (lightness + 0.05)
    on_black = (lightness + 0.05) / 0.05
    return colors.white if on_white >= on_black else colors.black


@dataclass(frozen=True)
class LogoPixels:
    """A decoded logo, shrunk for the header: what ``Image.frombytes`` takes."""

    mode: Literal["RGB", "RGBA"]
    size: tuple[int, int]
    data: bytes


@functools.lru_cache(maxsize=8)
def decode_logo(content: bytes) -> LogoPixels | None:
    """The logo (PNG, JPEG or WebP) shrunk to at most ``LOGO_MAX_PIXELS``, aspect kept;
    None when it cannot be read. Cached: the same brand's logo is decoded once."""
    try:
        with Image.open(io.BytesIO(content), formats=LOGO_FORMATS) as image:
            image.thumbnail(LOGO_MAX_PIXELS)
            alpha = "A" in image.getbands() or "transparency" in image.info
            mode: Literal["RGB", "RGBA"] = "RGBA" if alpha else "RGB"
            pixels = image.convert(mode)
            return LogoPixels(mode=mode, size=pixels.size, data=pixels.tobytes())
    except Exception:  # any undecodable upload: the document goes without the logo
        return None


def logo_image(logo: tuple[bytes, str] | None) -> ImageReader | None:
    """The brand's logo ready to draw (a fresh reader per document); None when there is
    none or it cannot be read."""
    pixels = decode_logo(logo[0]) if logo is not None else None
    if pixels is None:
        return None
    return ImageReader(Image.frombytes(pixels.mode, pixels.size, pixels.data))


@dataclass(frozen=True)
class Theme:
    """A brand made ready to draw: checked colours, the header's text colour, the logo."""

    product_name: str
    primary: Color
    secondary: Color
    on_primary: Color
    logo: ImageReader | None
    fonts: FontFamily

    def chart_style(self) -> ChartStyle:
        return ChartStyle(primary=self.primary, secondary=self.secondary, font=self.fonts.regular)


def theme_of(brand: Brand) -> Theme:
    primary = checked_color(brand.primary_color, DEFAULT_PRIMARY_COLOR)
    return Theme(
        product_name=brand.product_name,
        primary=primary,
        secondary=checked_color(brand.secondary_color, DEFAULT_SECONDARY_COLOR),
        on_primary=text_color_on(primary),
        logo=logo_image(brand.logo),
        fonts=font_family(),
    )


# ---------------------------------------------------------------- styles and tables


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    warning: ParagraphStyle


@functools.cache
def styles(fonts: FontFamily) -> Styles:
    """The paragraph styles in the document's font (made once per font family)."""

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=extra.pop("fontName", fonts.regular),
            fontSize=size,
            leading=size * 1.25,
            textColor=extra.pop("textColor", TEXT_COLOR),
            **extra,
        )

    return Styles(
        title=style("title", 16, fontName=fonts.bold, spaceAfter=4),
        subtitle=style("subtitle", 10, textColor=MUTED_COLOR, spaceAfter=8),
        heading=style("heading", 11.5, fontName=fonts.bold, spaceBefore=12, spaceAfter=5),
        body=style("body", 9),
        cell=style("cell", TABLE_FONT_SIZE),
        warning=style("warning", 9.5, textColor=WARNING_COLOR),
    )


def heading(title: str, theme: Theme, room: float = 90) -> list[Flowable]:
    """A section heading; on a new page unless ``room`` points are left below it (so a
    heading never ends a page, while long tables still start right under it)."""
    return [CondPageBreak(room + 30), text(title, styles(theme.fonts).heading)]


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of ``value`` as written (escaped: names are user input)."""
    return Paragraph(escape(value), style)


@dataclass(frozen=True)
class Column:
    """A table column: ``flex`` > 0 shares the width left over (text that wraps, give its
    cells as Paragraphs); ``flex`` 0 is as wide as its widest text."""

    header: str
    align: Align = "LEFT"
    flex: float = 0.0


def _fitted_width(header: str, cells: Sequence[Cell], font: str, bold: str) -> float:
    widths = [stringWidth(cell, font, TABLE_FONT_SIZE) for cell in cells if isinstance(cell, str)]
    return max([stringWidth(header, bold, TABLE_FONT_SIZE), *widths]) + 2 * CELL_PADDING


def column_widths(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], font: str, bold: str
) -> list[float]:
    """Fitted columns as wide as their widest cell; flexible ones share the rest."""
    fitted = [
        0.0 if column.flex else _fitted_width(column.header, [row[i] for row in rows], font, bold)
        for i, column in enumerate(columns)
    ]
    flex = sum(column.flex for column in columns)
    spare = CONTENT_WIDTH - sum(fitted)
    return [
        max(spare * column.flex / flex, MIN_FLEX_WIDTH) if column.flex else width
        for column, width in zip(columns, fitted, strict=True)
    ]


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    theme: Theme,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A table with a header row in the brand's colour (repeated on each page) and stripes."""
    widths = column_widths(columns, rows, theme.fonts.regular, theme.fonts.bold)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), theme.fonts.regular, TABLE_FONT_SIZE),
        ("FONT", (0, 0), (-1, 0), theme.fonts.bold, TABLE_FONT_SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_COLOR),
        ("BACKGROUND", (0, 0), (-1, 0), theme.primary),
        ("TEXTCOLOR", (0, 0), (-1, 0), theme.on_primary),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_COLOR]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    commands += [
        ("ALIGN", (i, 0), (i, -1), "RIGHT") for i, c in enumerate(columns) if c.align == "RIGHT"
    ]
    header: list[Cell] = [column.header for column in columns]
    data: list[list[Cell]] = [header, *(list(row) for row in rows)]
    return Table(
        data,
        colWidths=widths,
        repeatRows=1,
        hAlign="LEFT",
        style=TableStyle([*commands, *extra]),
    )


def facts(pairs: Sequence[tuple[str, str]], theme: Theme) -> Table:
    """Labelled facts under a title: ``Period  1 Nov 2026 - 30 Nov 2026``."""
    cell = styles(theme.fonts).cell
    rows = [[label, text(value, cell)] for label, value in pairs]
    return Table(
        rows,
        colWidths=[80, CONTENT_WIDTH - 80],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), theme.fonts.regular, TABLE_FONT_SIZE),
                ("FONT", (0, 0), (0, -1), theme.fonts.bold, TABLE_FONT_SIZE),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED_COLOR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )


def totals(pairs: Sequence[tuple[str, str]], theme: Theme) -> Table:
    """The totals under a bill's lines, right-aligned; the last row (the total) in bold."""
    return Table(
        [list(pair) for pair in pairs],
        hAlign="RIGHT",
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), theme.fonts.regular, 9),
                ("FONT", (0, -1), (-1, -1), theme.fonts.bold, 10),
                ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_COLOR),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, theme.primary),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


# ---------------------------------------------------------------- page frame


@dataclass(frozen=True)
class Page:
    """What every page shows besides the story: the header band and the footer texts."""

    theme: Theme
    kind: str
    generated: str


def _fitted_size(value: str, font: str, size: float, room: float) -> float:
    width = stringWidth(value, font, size)
    return size if width <= room else max(6.0, size * room / width)


def draw_header(canvas: Canvas, page: Page) -> None:
    """The band in the primary colour: the logo (scaled to fit, aspect kept), the product
    name and the kind of document."""
    theme = page.theme
    top = PAGE_HEIGHT - BAND_HEIGHT
    canvas.saveState()
    canvas.setFillColor(theme.primary)
    canvas.rect(0, top, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    x = MARGIN
    if theme.logo is not None:
        pixels_wide, pixels_high = theme.logo.getSize()
        scale = min(LOGO_MAX_WIDTH / pixels_wide, LOGO_MAX_HEIGHT / pixels_high)
        width, height = pixels_wide * scale, pixels_high * scale
        canvas.drawImage(
            theme.logo, x, top + (BAND_HEIGHT - height) / 2, width, height, mask="auto"
        )
        x += width + 10
    canvas.setFillColor(theme.on_primary)
    kind_width = stringWidth(page.kind, theme.fonts.regular, 10)
    room = PAGE_WIDTH - MARGIN - kind_width - 16 - x
    size = _fitted_size(theme.product_name, theme.fonts.bold, 15, room)
    canvas.setFont(theme.fonts.bold, size)
    canvas.drawString(x, top + BAND_HEIGHT / 2 - size * 0.35, theme.product_name)
    canvas.setFont(theme.fonts.regular, 10)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top + BAND_HEIGHT / 2 - 3.5, page.kind)
    canvas.restoreState()


def clipped(value: str, font: str, room: float) -> str:
    """``value`` cut (with an ellipsis) to fit ``room`` points in the footer's font."""
    if stringWidth(value, font, FOOTER_SIZE) <= room:
        return value
    while value and stringWidth(f"{value}…", font, FOOTER_SIZE) > room:
        value = value[:-1]
    return f"{value.rstrip()}…"


def draw_footer(canvas: Canvas, page: Page, number: int, count: int) -> None:
    """A rule, then the product name, when the document was made and ``Page N of M``."""
    theme = page.theme
    canvas.saveState()
    canvas.setStrokeColor(theme.secondary)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, 30, PAGE_WIDTH - MARGIN, 30)
    canvas.setFillColor(MUTED_COLOR)
    canvas.setFont(theme.fonts.regular, FOOTER_SIZE)
    right = f"{page.generated} · Page {number} of {count}"
    room = CONTENT_WIDTH - stringWidth(right, theme.fonts.regular, FOOTER_SIZE) - 12
    canvas.drawString(MARGIN, 19, clipped(theme.product_name, theme.fonts.regular, room))
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 19, right)
    canvas.restoreState()


class NumberedCanvas(Canvas):
    """Keeps each finished page until the end so that its footer can say ``of M``."""

    def __init__(self, filename: str | IO[bytes], *, page: Page, **kwargs: Any) -> None:
        super().__init__(filename, **kwargs)
        self._page = page
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        count = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            draw_footer(self, self._page, number, count)
            super().showPage()
        super().save()


def render(story: list[Flowable], *, page: Page, title: str) -> bytes:
    """The story laid out on A4 pages with the header and footer; the PDF's bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=BAND_HEIGHT + 8 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=page.theme.product_name,
        creator=page.theme.product_name,
        subject=page.kind,
        initialFontName=page.theme.fonts.regular,
    )

    def make_canvas(filename: str | IO[bytes], /, **kwargs: Any) -> Canvas:
        return NumberedCanvas(filename, page=page, **kwargs)

    def on_page(canvas: Canvas, _document: Any) -> None:
        draw_header(canvas, page)

    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=make_canvas)
    return buffer.getvalue()


def _page(brand: Brand, kind: str, generated_at: datetime, timezone: str) -> Page:
    generated = f"Generated {format_datetime(generated_at, timezone)} ({timezone})"
    return Page(theme=theme_of(brand), kind=kind, generated=generated)


# ---------------------------------------------------------------- bills


class Line(Protocol):
    """What a bill line and a tenant bill line have in common."""

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


def line_rows(lines: Sequence[Line], style: ParagraphStyle) -> list[list[Cell]]:
    """One row per line, in the bill's order."""
    return [
        [
            text(line.description, style),
            text(line.season or "", style),
            text(line.period or "", style),
            format_month(line.month) if line.month else "",
            f"{format_quantity(line.quantity)} {line.unit}".strip(),
            format_rate(line.rate),
            format_money(line.amount),
        ]
        for line in lines
    ]


def lines_table(lines: Sequence[Line], currency: str, theme: Theme) -> Table:
    columns = [
        Column("Description", flex=3),
        Column("Season", flex=1.2),
        Column("Period", flex=1.2),
        Column("Month"),
        Column("Quantity", "RIGHT"),
        Column(f"Rate ({currency})", "RIGHT"),
        Column(f"Amount ({currency})", "RIGHT"),
    ]
    return table(columns, line_rows(lines, styles(theme.fonts).cell), theme)


def bill_totals(
    currency: str, subtotal: float, vat: float, total: float, energy_kwh: float, theme: Theme
) -> Table:
    return totals(
        [
            ("Energy on the bill", _kwh(energy_kwh)),
            ("Subtotal", _money(currency, subtotal)),
            ("VAT", _money(currency, vat)),
            ("Total", _money(currency, total)),
        ],
        theme,
    )


def site_bill_pdf(bill: Bill, *, site_name: str, brand: Brand, generated_at: datetime) -> bytes:
    """The site's bill: title, period (local days), currency, time zone, every line in the
    bill's order, then energy, subtotal, VAT and total."""
    page = _page(brand, "Bill", generated_at, bill.timezone)
    look = styles(page.theme.fonts)
    title = f"Bill — {site_name}"
    story: list[Flowable] = [
        text(title, look.title),
        facts(
            [
                ("Period", format_period(bill.start, bill.end)),
                ("Currency", bill.currency),
                ("Time zone", bill.timezone),
            ],
            page.theme,
        ),
        *heading("Charges", page.theme),
        lines_table(bill.lines, bill.currency, page.theme),
        Spacer(1, 8),
        bill_totals(
            bill.currency, bill.subtotal, bill.vat, bill.total, bill.energy_kwh, page.theme
        ),
    ]
    return render(story, page=page, title=title)


def meters_table(bill: TenantBill, timezone: str, theme: Theme) -> Table:
    cell = styles(theme.fonts).cell
    columns = [
        Column("Meter", flex=1),
        Column("Kind"),
        Column("From"),
        Column("To"),
        Column("Opening (kWh)", "RIGHT"),
        Column("Closing (kWh)", "RIGHT"),
        Column("Energy (kWh)", "RIGHT"),
    ]
    rows: list[list[Cell]] = [
        [
            text(meter.name, cell),
            "Virtual meter" if meter.kind == "virtual_meter" else "Device",
            format_datetime(meter.from_, timezone),
            format_datetime(meter.to, timezone),
            _optional(meter.opening_kwh, format_quantity),
            _optional(meter.closing_kwh, format_quantity),
            format_quantity(meter.energy_kwh),
        ]
        for meter in bill.meters
    ]
    return table(columns, rows, theme)


def tenant_bill_pdf(
    bill: TenantBill, *, site_name: str, timezone: str, brand: Brand, generated_at: datetime
) -> bytes:
    """A tenant's recharge bill: its meters (opening and closing registers in local time),
    its lines in order, then energy, subtotal, VAT and total."""
    page = _page(brand, "Recharge bill", generated_at, timezone)
    look = styles(page.theme.fonts)
    title = f"Recharge bill — {bill.tenant_name}"
    story: list[Flowable] = [
        text(title, look.title),
        facts(
            [
                ("Site", site_name),
                ("Month", format_month(bill.month)),
                ("Period", format_period(bill.start, bill.end)),
                ("Currency", bill.currency),
                ("Time zone", timezone),
            ],
            page.theme,
        ),
        *heading("Meters", page.theme),
    ]
    if bill.meters:
        story.append(meters_table(bill, timezone, page.theme))
    else:
        story.append(text("No meters.", look.body))
    story += [
        *heading("Charges", page.theme),
        lines_table(bill.lines, bill.currency, page.theme),
        Spacer(1, 8),
        bill_totals(
            bill.currency, bill.subtotal, bill.vat, bill.total, bill.energy_kwh, page.theme
        ),
    ]
    return render(story, page=page, title=title)


# ---------------------------------------------------------------- the site report


def key_figure_pairs(report: SiteReport) -> list[tuple[str, str]]:
    """The first page's figures, each as (label, text)."""
    currency = report.currency
    if report.total is not None:
        money = _money(currency, report.total)
    else:
        money = report.no_cost_reason or "Not available"
    peak = report.peak_demand
    peak_text = (
        f"{format_quantity(peak.value)} {peak.unit} at {format_datetime(peak.at, report.timezone)}"
        if peak is not None
        else "No data"
    )
    factor = report.power_factor
    done = report.completeness
    completeness = (
        f"{format_percent(done.percent)} ({format_quantity(done.present_buckets)} of "
        f"{format_quantity(done.expected_buckets)} 15-minute readings)"
        if done.percent is not None
        else "No readings expected"
    )
    pairs = [
        ("Energy import", _kwh(report.energy_import_kwh)),
        ("Energy export", _kwh(report.energy_export_kwh)),
        ("Total incl. VAT", money),
    ]
    if report.subtotal is not None and report.vat is not None:
        pairs += [
            ("Subtotal", _money(currency, report.subtotal)),
            ("VAT", _money(currency, report.vat)),
        ]
    return [
        *pairs,
        ("Peak demand", peak_text),
        ("Power factor, average", _optional(factor.average, format_power_factor)),
        ("Power factor, minimum", _optional(factor.minimum, format_power_factor)),
        ("Data completeness", completeness),
    ]


def key_figures(report: SiteReport, theme: Theme) -> Table:
    """The key figures in two columns of (label, value)."""
    cell = styles(theme.fonts).cell
    pairs = key_figure_pairs(report)
    cells: list[list[Cell]] = [[text(label, cell), text(value, cell)] for label, value in pairs]
    if len(cells) % 2:
        cells.append(["", ""])
    half = len(cells) // 2
    rows = [[*left, *right] for left, right in zip(cells[:half], cells[half:], strict=True)]
    label_width, value_width = 92.0, CONTENT_WIDTH / 2 - 92.0
    return Table(
        rows,
        colWidths=[label_width, value_width, label_width, value_width],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), theme.fonts.regular, TABLE_FONT_SIZE),
                ("BACKGROUND", (0, 0), (0, -1), STRIPE_COLOR),
                ("BACKGROUND", (2, 0), (2, -1), STRIPE_COLOR),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE_COLOR),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE_COLOR),
                ("LINEBEFORE", (2, 0), (2, -1), 0.8, theme.primary),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )


def gap_box(report: SiteReport, theme: Theme) -> Table:
    """The warning that readings are missing: one row per gap (device, local start to end);
    it may run onto the next page."""
    look = styles(theme.fonts)
    intro = Paragraph(
        "<b>Data gap:</b> readings are missing for the times below, so the figures of this "
        "report may be too low.",
        look.warning,
    )
    rows: list[list[Cell]] = [[intro, ""]]
    rows += [
        [
            text(gap.device_name, look.cell),
            format_span(gap.start, gap.end, report.timezone),
        ]
        for gap in report.completeness.gaps
    ]
    return Table(
        rows,
        colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55],
        repeatRows=1,
        hAlign="LEFT",
        style=TableStyle(
            [
                ("SPAN", (0, 0), (1, 0)),
                ("BOX", (0, 0), (-1, -1), 1.2, WARNING_COLOR),
                ("BACKGROUND", (0, 0), (-1, -1), WARNING_BACKGROUND),
                ("FONT", (0, 0), (-1, -1), theme.fonts.regular, TABLE_FONT_SIZE),
                ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_COLOR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
            ]
        ),
    )


def period_section(report: SiteReport, theme: Theme) -> list[Flowable]:
    look = styles(theme.fonts)
    story = heading("Energy by time-of-use period", theme)
    if not report.by_period:
        reason = (report.no_cost_reason or "the site has no tariff for this period").rstrip(".")
        return [*story, text(f"No time-of-use breakdown: {reason}.", look.body)]
    unit = f" ({report.currency})" if report.currency else ""
    columns = [
        Column("Season", flex=1),
        Column("Period", flex=1),
        Column("Energy (kWh)", "RIGHT"),
        Column(f"Energy charges{unit}", "RIGHT"),
    ]
    rows: list[list[Cell]] = [
        [
            text(row.season or NONE_TEXT, look.cell),
            text(row.period or NONE_TEXT, look.cell),
            format_quantity(row.energy_kwh),
            format_money(row.amount),
        ]
        for row in report.by_period
    ]
    chart = period_chart(
        report.by_period,
        style=theme.chart_style(),
        width=CONTENT_WIDTH,
        ticks=format_quantity,
        labels=format_quantity,
    )
    return [*story, table(columns, rows, theme), Spacer(1, 6), chart]


def day_row(day: ReportDay, with_cost: bool) -> list[Cell]:
    row: list[Cell] = [format_date(day.date), format_quantity(day.energy_kwh)]
    return [*row, _optional(day.cost, format_money)] if with_cost else row


def days_section(report: SiteReport, theme: Theme) -> list[Flowable]:
    look = styles(theme.fonts)
    with_cost = shows_cost(report.days)
    unit = f" ({report.currency})" if report.currency else ""
    title = f"Cost per day{unit}, before VAT" if with_cost else "Energy per day (kWh)"
    if not report.days:
        return [*heading(title, theme), text("No days.", look.body)]
    any_cost = any(day.cost is not None for day in report.days)
    columns = [Column("Date", flex=1), Column("Energy (kWh)", "RIGHT")]
    columns += [Column(f"Cost{unit}", "RIGHT")] if any_cost else []
    rows = [day_row(day, any_cost) for day in report.days]
    chart = daily_chart(
        report.days, style=theme.chart_style(), width=CONTENT_WIDTH, ticks=format_quantity
    )
    return [*heading(title, theme, chart.height), chart, Spacer(1, 6), table(columns, rows, theme)]


def comparisons_section(report: SiteReport, theme: Theme) -> list[Flowable]:
    look = styles(theme.fonts)
    story = heading("Comparisons", theme)
    unit = report.peak_demand.unit if report.peak_demand is not None else "kW"
    currency = f" ({report.currency})" if report.currency else ""
    columns = [
        Column("Period", flex=1),
        Column("Dates"),
        Column("Energy import (kWh)", "RIGHT"),
        Column(f"Total{currency}", "RIGHT"),
        Column(f"Peak demand ({unit})", "RIGHT"),
        Column("Change", "RIGHT"),
    ]
    this_label = report_label(report.period, report.label)
    rows: list[list[Cell]] = [
        [
            text(this_label, look.cell),
            format_period(report.start, report.end),
            format_quantity(report.energy_import_kwh),
            _optional(report.total, format_money),
            _optional(report.peak_demand.value if report.peak_demand else None, format_quantity),
            NONE_TEXT,
        ]
    ]
    rows += [
        [
            text(row.label, look.cell),
            format_period(row.start, row.end),
            _optional(row.energy_import_kwh, format_quantity),
            _optional(row.total, format_money),
            _optional(row.peak_demand, format_quantity),
            _optional(row.energy_change_percent, format_change_percent),
        ]
        for row in report.comparisons
    ]
    chart = comparison_chart(
        this_label,
        report.energy_import_kwh,
        report.comparisons,
        style=theme.chart_style(),
        width=CONTENT_WIDTH * 0.7,
        ticks=format_quantity,
        labels=format_quantity,
    )
    chart.hAlign = "LEFT"
    return [*story, table(columns, rows, theme), Spacer(1, 6), chart]


def alerts_section(report: SiteReport, theme: Theme) -> list[Flowable]:
    look = styles(theme.fonts)
    story = heading("Alerts of the period", theme)
    if not report.alerts:
        return [*story, text("No alerts this period.", look.body)]
    columns = [
        Column("Severity"),
        Column("Rule", flex=1.2),
        Column("Subject", flex=1),
        Column("Fired"),
        Column("Resolved"),
        Column("Message", flex=2),
    ]
    rows: list[list[Cell]] = [
        [
            alert.severity,
            text(alert.rule_name, look.cell),
            text(alert.subject_name, look.cell),
            format_datetime(alert.fired_at, report.timezone),
            format_datetime(alert.resolved_at, report.timezone) if alert.resolved_at else "Open",
            text(alert.message, look.cell),
        ]
        for alert in report.alerts
    ]
    severity_colors = [
        ("TEXTCOLOR", (0, i), (0, i), colors.HexColor(SEVERITY_COLORS[alert.severity]))
        for i, alert in enumerate(report.alerts, 1)
        if alert.severity in SEVERITY_COLORS
    ]
    return [*story, table(columns, rows, theme, extra=severity_colors)]


def site_report_pdf(report: SiteReport, *, brand: Brand, generated_at: datetime) -> bytes:
    """The site report: key figures (and the data-gap warning) first, then energy by period,
    each day, the comparisons and the alerts."""
    page = _page(brand, "Site report", generated_at, report.timezone)
    theme = page.theme
    look = styles(theme.fonts)
    title = f"Site report — {report.site_name}"
    label = report_label(report.period, report.label)
    story: list[Flowable] = [
        text(title, look.title),
        text(
            f"{label} · {format_period(report.start, report.end)} · {report.timezone}"
            + (f" · {report.currency}" if report.currency else ""),
            look.subtitle,
        ),
        key_figures(report, theme),
    ]
    if report.completeness.gaps:
        story += [Spacer(1, 8), gap_box(report, theme)]
    story += period_section(report, theme)
    story += days_section(report, theme)
    story += comparisons_section(report, theme)
    story += alerts_section(report, theme)
    return render(story, page=page, title=f"{title}, {label}")
