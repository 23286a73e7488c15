"""The PDF renderers of reports (reports/pdf.py, charts.py, fonts.py): number formats, and
each document rendered from hand-built data and read back with pypdf (text, pages, A4,
metadata, brand, vector charts)."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from power_portal.alerts.mail import Brand
from power_portal.reports import charts, fonts, pdf
from power_portal.reports.pdf import format_money, format_quantity, format_rate
from power_portal.reports.schemas import (
    Comparison,
    Completeness,
    Gap,
    PeakDemand,
    PeriodEnergy,
    PowerFactor,
    ReportAlert,
    ReportDay,
    SiteReport,
)
from power_portal.tariffs.schemas import Bill, BillLine
from power_portal.tenants.schemas import TenantBill, TenantBillLine, TenantBillMeter

SAST = timezone(timedelta(hours=2))
GENERATED = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
A4_POINTS = (595.2756, 841.8898)
PRIMARY = "#123456"
PRIMARY_FILL = ".070588 .203922 .337255 rg"  # #123456 as ReportLab writes a fill colour


# ---------------------------------------------------------------- data


def png(size: tuple[int, int] = (300, 100), mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30)).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def brand(logo: tuple[bytes, str] | None = None, primary: str = PRIMARY) -> Brand:
    return Brand(
        product_name="Acme Energy", primary_color=primary, secondary_color="#13c2c2", logo=logo
    )


def bill_line(index: int, **changes: object) -> BillLine:
    fields: dict[str, object] = {
        "kind": "energy",
        "description": f"Energy charge {index}",
        "season": "High demand",
        "period": "peak",
        "quantity": 1234.56 + index,
        "unit": "kWh",
        "rate": 2.4567,
        "amount": 3033.11 + index * 7.13,
        "version_from": date(2026, 1, 1),
        "month": "2026-11",
    }
    return BillLine.model_validate(fields | changes)


def site_bill(lines: list[BillLine] | None = None) -> Bill:
    lines = (
        lines
        if lines is not None
        else [
            bill_line(0),
            bill_line(1, period="standard", quantity=2500.25, amount=4100.4),
            bill_line(
                2,
                kind="demand",
                description="Network demand",
                quantity=312.4,
                unit="kVA",
                rate=120.5,
                amount=37644.2,
            ),
            bill_line(
                3,
                kind="fixed",
                description="Service charge",
                season=None,
                period=None,
                quantity=30,
                unit="day",
                rate=50,
                amount=1500,
                month=None,
            ),
        ]
    )
    return Bill(currency="ZAR", timezone="Africa/Johannesburg", start=date(2026, 11, 1),
                end=date(2026, 12, 1), lines=lines, subtotal=46278.82, vat=6941.82,
                total=53220.64, energy_kwh=3734.81)  # fmt: skip


def tenant_bill(name: str = "Müller Café") -> TenantBill:
    begin, end = datetime(2026, 5, 31, 22, 0, tzinfo=UTC), datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    meters = [
        TenantBillMeter(
            kind="device",
            id=4,
            name="Shop 1 main",
            from_=begin,
            to=end,
            opening_kwh=10234.56,
            closing_kwh=12345.67,
            energy_kwh=2111.11,
        ),
        TenantBillMeter(
            kind="virtual_meter",
            id=2,
            name="Shop 1 share of aircon",
            from_=begin,
            to=end,
            opening_kwh=None,
            closing_kwh=None,
            energy_kwh=88.2,
        ),
    ]
    lines = [
        TenantBillLine(kind="energy", description="Energy", season="Low", period="standard",
                       quantity=2199.31, unit="kWh", rate=1.8765, amount=4127.01, month="2026-06"),
        TenantBillLine(kind="markup", description="Mark-up 10%", quantity=4127.01, unit="ZAR",
                       rate=0.1, amount=412.7),
        TenantBillLine(kind="admin_fee", description="Admin fee", quantity=1, unit="month",
                       rate=150, amount=150),
    ]  # fmt: skip
    return TenantBill(tenant_id=7, tenant_name=name, site_id=1, month="2026-06", currency="ZAR",
                      start=date(2026, 6, 1), end=date(2026, 7, 1), meters=meters, lines=lines,
                      subtotal=4689.71, vat=703.46, total=5393.17, energy_kwh=2199.31)  # fmt: skip


def gap(device: str = "Incomer") -> Gap:
    return Gap(device_id=3, device_name=device, start=datetime(2026, 11, 9, 2, 0, tzinfo=SAST),
               end=datetime(2026, 11, 9, 7, 0, tzinfo=SAST))  # fmt: skip


def alert(index: int) -> ReportAlert:
    fired = datetime(2026, 11, 1 + index, 8, 15, tzinfo=UTC)
    return ReportAlert(id=index, severity=("critical", "warning", "info")[index % 3],
                       rule_name=f"Demand rule {index}", subject_name="Incomer", fired_at=fired,
                       resolved_at=None if index % 4 == 0 else fired + timedelta(hours=1),
                       message=f"Demand {300 + index} kVA above 300 kVA for 15 min")  # fmt: skip


def report(
    *,
    name: str = "Head office",
    gaps: list[Gap] | None = None,
    with_tariff: bool = True,
    days: int = 30,
    periods: int = 4,
    alerts: int = 3,
    period: str = "month",
    label: str = "2026-11",
) -> SiteReport:
    start = date(2026, 11, 1)
    money = with_tariff
    return SiteReport.model_validate(
        {
            "site_id": 1,
            "site_name": name,
            "timezone": "Africa/Johannesburg",
            "currency": "ZAR" if money else None,
            "period": period,
            "label": label,
            "start": start,
            "end": start + timedelta(days=days),
            "energy_import_kwh": 41234.56,
            "energy_export_kwh": 12.5,
            "subtotal": 98765.43 if money else None,
            "vat": 14814.81 if money else None,
            "total": 113580.24 if money else None,
            "no_cost_reason": None if money else "The site has no tariff.",
            "by_period": [
                PeriodEnergy(
                    season="High",
                    period=f"tou {i}",
                    energy_kwh=1000.25 * (i + 1),
                    amount=2100.5 * (i + 1),
                )
                for i in range(periods if money else 0)
            ],
            "peak_demand": PeakDemand(
                value=312.45,
                unit="kVA" if money else "kW",
                at=datetime(2026, 11, 14, 8, 30, tzinfo=UTC),
            ),
            "power_factor": PowerFactor(average=0.943, minimum=0.81),
            "days": [
                ReportDay(
                    date=start + timedelta(days=i),
                    energy_kwh=1300.5 + i * 11.11,
                    cost=(3120.55 + i * 3.01) if money else None,
                )
                for i in range(days)
            ],
            "comparisons": [
                Comparison(
                    label="Previous month",
                    start=date(2026, 10, 1),
                    end=start,
                    energy_import_kwh=40012.34,
                    total=110200.99 if money else None,
                    peak_demand=305.5,
                    energy_change_percent=3.05,
                ),
                Comparison(
                    label="Same month last year",
                    start=date(2025, 11, 1),
                    end=date(2025, 12, 1),
                    energy_import_kwh=None,
                    total=None,
                    peak_demand=None,
                    energy_change_percent=None,
                ),
            ],
            "completeness": Completeness(
                percent=99.31, expected_buckets=2880, present_buckets=2860, gaps=gaps or []
            ),
            "alerts": [alert(i) for i in range(alerts)],
        }
    )


# ---------------------------------------------------------------- reading back


def reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in reader(content).pages]


def all_text(content: bytes) -> str:
    """The text of every page, each run of white space as one space (a cell may wrap)."""
    return " ".join(" ".join(page_texts(content)).split())


def image_xobjects(content: bytes) -> list[int]:
    """How many image XObjects each page uses."""
    counts = []
    for page in reader(content).pages:
        resources: Any = page["/Resources"].get_object()
        xobjects: Any = resources.get("/XObject")
        objects = xobjects.get_object().values() if xobjects is not None else []
        counts.append(sum(1 for ref in objects if ref.get_object()["/Subtype"] == "/Image"))
    return counts


def page_stream(content: bytes, number: int = 0) -> str:
    stream = reader(content).pages[number].get_contents()
    assert stream is not None
    return stream.get_data().decode("latin-1")


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345.67, "12,345.67"),
        (0, "0.00"),
        (0.5, "0.50"),
        (-3.1, "-3.10"),
        (-0.001, "0.00"),
        (1234567.891, "1,234,567.89"),
        (999.999, "1,000.00"),
        (113580.24, "113,580.24"),
    ],
)
def test_format_money(value: float, expected: str) -> None:
    assert format_money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (8123.4, "8,123.4"),
        (30, "30"),
        (0.25, "0.25"),
        (1234.567, "1,234.57"),
        (0.001, "0"),
        (-0.001, "0"),
        (-12.5, "-12.5"),
        (1_000_000, "1,000,000"),
        (2.999, "3"),
    ],
)
def test_format_quantity(value: float, expected: str) -> None:
    assert format_quantity(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.4567, "2.4567"),
        (1.5, "1.50"),
        (1500, "1,500.00"),
        (0.123456, "0.1235"),
        (0.1, "0.10"),
        (0.12, "0.12"),
        (0.123, "0.123"),
        (0, "0.00"),
    ],
)
def test_format_rate(value: float, expected: str) -> None:
    assert format_rate(value) == expected


@pytest.mark.parametrize(
    ("formatter", "value", "expected"),
    [
        (pdf.format_percent, 99.31, "99.31%"),
        (pdf.format_percent, 100.0, "100%"),
        (pdf.format_change_percent, 3.05, "+3.05%"),
        (pdf.format_change_percent, -12.0, "-12%"),
        (pdf.format_change_percent, 0.0, "0%"),
        (pdf.format_change_percent, -0.001, "0%"),
        (pdf.format_power_factor, 0.94, "0.94"),
        (pdf.format_power_factor, 0.8134, "0.813"),
        (pdf.format_power_factor, 1.0, "1.00"),
    ],
)
def test_other_number_formats(
    formatter: Callable[[float], str], value: float, expected: str
) -> None:
    assert formatter(value) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 1), date(2026, 12, 1), "1 Nov 2026 \u2013 30 Nov 2026"),
        (date(2026, 12, 28), date(2027, 1, 4), "28 Dec 2026 \u2013 3 Jan 2027"),
        (date(2026, 11, 9), date(2026, 11, 10), "9 Nov 2026"),
    ],
)
def test_format_period_shows_the_last_day_not_the_exclusive_end(
    start: date, end: date, expected: str
) -> None:
    assert pdf.format_period(start, end) == expected


@pytest.mark.parametrize(
    ("period", "label", "expected"),
    [
        ("month", "2026-11", "November 2026"),
        ("month", "2027-01", "January 2027"),
        ("week", "2026-W45", "Week 45, 2026"),
        ("week", "2026-W01", "Week 1, 2026"),
        ("month", "odd", "odd"),
    ],
)
def test_report_label(period: str, label: str, expected: str) -> None:
    assert pdf.report_label(period, label) == expected


def test_times_are_shown_in_the_site_zone() -> None:
    moment = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    assert pdf.format_datetime(moment, "Africa/Johannesburg") == "9 Nov 2026 02:00"
    assert pdf.format_datetime(moment.replace(tzinfo=None), "Africa/Johannesburg") == (
        "9 Nov 2026 02:00"
    )  # naive is UTC
    assert pdf.format_datetime(moment, "Not/AZone") == "9 Nov 2026 00:00"
    later = moment + timedelta(hours=5)
    assert pdf.format_span(moment, later, "Africa/Johannesburg") == "9 Nov 2026 02:00 \u2013 07:00"
    assert pdf.format_span(moment, moment + timedelta(days=1), "UTC") == (
        "9 Nov 2026 00:00 \u2013 10 Nov 2026 00:00"
    )


# ---------------------------------------------------------------- brand


@pytest.mark.parametrize(
    ("value", "expected"),
    [("#123456", "#123456"), ("#ABCDEF", "#abcdef"), ("red", "#1677ff"), ("#fff", "#1677ff"),
     ("#12345678", "#1677ff"), ("", "#1677ff")],
)  # fmt: skip
def test_checked_color_falls_back_to_the_default(value: str, expected: str) -> None:
    assert pdf.checked_color(value, "#1677ff") == colors.HexColor(expected)


@pytest.mark.parametrize(
    ("background", "expected"),
    [("#ffff00", colors.black), ("#ffffff", colors.black), ("#13c2c2", colors.black),
     ("#000080", colors.white), ("#000000", colors.white), ("#cf1322", colors.white)],
)  # fmt: skip
def test_header_text_contrasts_with_the_primary_colour(
    background: str, expected: colors.Color
) -> None:
    assert pdf.text_color_on(colors.HexColor(background)) == expected


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 120, 200)).save(buffer, "WEBP")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("logo", "readable"),
    [
        (None, False),
        ((png(), "image/png"), True),
        ((png(mode="RGB"), "image/png"), True),
        ((webp(), "image/webp"), True),
        ((b"\x89PNG\r\n\x1a\nnot really", "image/png"), False),
        ((b"", "image/jpeg"), False),
        ((gif(), "image/gif"), False),
    ],
)
def test_logo_is_decoded_or_skipped(logo: tuple[bytes, str] | None, readable: bool) -> None:
    assert (pdf.logo_image(logo) is not None) is readable


def test_a_large_logo_is_shrunk_before_embedding() -> None:
    image = pdf.logo_image((png((4000, 1000), mode="RGB"), "image/png"))
    assert image is not None
    width, height = image.getSize()
    assert width <= pdf.LOGO_MAX_PIXELS[0]
    assert height <= pdf.LOGO_MAX_PIXELS[1]
    assert abs(width / height - 4.0) < 0.05  # aspect ratio kept


# ---------------------------------------------------------------- fonts


def test_fonts_fall_back_to_reportlabs_vera(tmp_path: Path) -> None:
    missing = fonts.FontFiles("X", "X-Bold", tmp_path / "x.ttf", tmp_path / "xb.ttf")
    assert fonts.choose_font_files((missing, fonts.VERA)) == fonts.VERA
    assert fonts.VERA.exist()
    if fonts.DEJAVU.exist():
        assert fonts.choose_font_files() == fonts.DEJAVU


def test_font_registration_is_cached() -> None:
    assert fonts.font_family() is fonts.font_family()


def test_text_extracts_with_the_vera_fallback_too(monkeypatch: pytest.MonkeyPatch) -> None:
    vera = fonts._register(fonts.VERA)
    monkeypatch.setattr(pdf, "font_family", lambda: vera)
    content = pdf.site_bill_pdf(
        site_bill(), site_name="Müller Café", brand=brand(), generated_at=GENERATED
    )
    text = all_text(content)
    assert "Bill — Müller Café" in text
    assert "1 Nov 2026 \u2013 30 Nov 2026" in text
    names = {str(font["/BaseFont"]) for font in fonts_in_use(content).values()}
    assert names
    assert all("Vera" in name for name in names), names


# ---------------------------------------------------------------- the site bill


def test_site_bill_shows_every_line_and_the_totals() -> None:
    bill = site_bill()
    content = pdf.site_bill_pdf(
        bill, site_name="Head office", brand=brand(), generated_at=GENERATED
    )
    text = all_text(content)
    assert "Bill — Head office" in text
    assert "1 Nov 2026 \u2013 30 Nov 2026" in text
    assert "ZAR" in text
    assert "Africa/Johannesburg" in text
    for line in bill.lines:
        assert line.description in text
        assert f"{format_quantity(line.quantity)} {line.unit}" in text
        assert format_rate(line.rate) in text
        assert format_money(line.amount) in text
    for value in (bill.subtotal, bill.vat, bill.total):
        assert f"ZAR {format_money(value)}" in text
    assert f"{format_quantity(bill.energy_kwh)} kWh" in text
    assert "Generated 1 Dec 2026 07:00 (Africa/Johannesburg) · Page 1 of 1" in text


def test_site_bill_keeps_the_order_of_the_lines() -> None:
    bill = site_bill()
    text = all_text(
        pdf.site_bill_pdf(bill, site_name="Head office", brand=brand(), generated_at=GENERATED)
    )
    positions = [text.index(line.description) for line in bill.lines]
    assert positions == sorted(positions)
    assert text.index("Subtotal") > positions[-1]


def test_pages_are_a4_and_numbered_of_their_count() -> None:
    lines = [bill_line(i, amount=1000 + i * 1.11) for i in range(90)]
    content = pdf.site_bill_pdf(
        site_bill(lines), site_name="Head office", brand=brand(), generated_at=GENERATED
    )
    document = reader(content)
    count = len(document.pages)
    assert count >= 3
    for number, page in enumerate(document.pages, 1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS)
        assert f"Page {number} of {count}" in page.extract_text()
    text = all_text(content)
    for line in lines:
        assert format_money(line.amount) in text
    assert text.count("Amount (ZAR)") == count  # the header row repeats on every page


def test_metadata_has_the_title_and_the_product_as_author() -> None:
    content = pdf.site_bill_pdf(
        site_bill(), site_name="Müller Café", brand=brand(), generated_at=GENERATED
    )
    metadata = reader(content).metadata
    assert metadata is not None
    assert metadata.title == "Bill — Müller Café"
    assert metadata.author == "Acme Energy"


def fonts_in_use(content: bytes) -> dict[str, Any]:
    """Each font some page selects (``/F2+0 8 Tf``): its name in the page's resources → the
    font dictionary."""
    used: dict[str, Any] = {}
    for number, page in enumerate(reader(content).pages):
        resources: Any = page["/Resources"]
        fonts_here = resources["/Font"].get_object()
        for name in set(re.findall(r"(/\S+) [\d.]+ Tf", page_stream(content, number))):
            used[name] = fonts_here[name].get_object()
    return used


def test_every_font_used_is_an_embedded_truetype_subset() -> None:
    content = pdf.site_report_pdf(report(gaps=[gap()]), brand=brand(), generated_at=GENERATED)
    used = fonts_in_use(content)
    assert len(used) == 2  # regular and bold; no stray Helvetica (not embedded)
    for font in used.values():
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # TrueType, embedded
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", str(font["/BaseFont"]))


@pytest.mark.parametrize("name", ["<b>&", "Müller Café", "A & B <Ltd>", "Zoë's <i>shop</i> &amp;"])
def test_names_render_literally(name: str) -> None:
    content = pdf.site_bill_pdf(site_bill(), site_name=name, brand=brand(), generated_at=GENERATED)
    assert f"Bill — {name}" in all_text(content)


def test_a_long_description_wraps_inside_its_cell() -> None:
    long = "Energy " + "very-long-description " * 12 + "end"
    lines = [bill_line(0, description=long)]
    content = pdf.site_bill_pdf(
        site_bill(lines), site_name="Head office", brand=brand(), generated_at=GENERATED
    )
    text = all_text(content)
    assert "end" in text
    assert format_money(lines[0].amount) in text


# ---------------------------------------------------------------- brand on the page


def test_brand_colour_fills_the_header_and_no_image_without_a_logo() -> None:
    content = pdf.site_bill_pdf(
        site_bill(), site_name="Head office", brand=brand(), generated_at=GENERATED
    )
    assert PRIMARY_FILL in page_stream(content)
    assert image_xobjects(content) == [0]


def test_a_bad_colour_falls_back_to_the_default_primary() -> None:
    content = pdf.site_bill_pdf(
        site_bill(), site_name="Head office", brand=brand(primary="javascript:red"),
        generated_at=GENERATED,
    )  # fmt: skip
    stream = page_stream(content)
    assert PRIMARY_FILL not in stream
    assert ".086275 .466667 1 rg" in stream  # #1677ff


@pytest.mark.parametrize("logo", [(png(), "image/png"), (webp(), "image/webp")])
def test_a_logo_is_drawn_on_every_page(logo: tuple[bytes, str]) -> None:
    content = pdf.site_report_pdf(report(alerts=20), brand=brand(logo), generated_at=GENERATED)
    counts = image_xobjects(content)
    assert len(counts) > 1
    assert counts == [1] * len(counts)


def test_clipped_fits_the_room() -> None:
    font = fonts.font_family().regular
    long = "Energy " * 20
    short = pdf.clipped(long, font, 100)
    assert short.endswith("…")
    assert long.startswith(short[:-1])
    assert stringWidth(short, font, pdf.FOOTER_SIZE) <= 100
    assert pdf.clipped("Acme", font, 100) == "Acme"


def test_a_long_product_name_is_clipped_in_the_footer() -> None:
    long = Brand(
        product_name="Energy " * 20, primary_color=PRIMARY, secondary_color=PRIMARY, logo=None
    )
    text = all_text(
        pdf.site_bill_pdf(site_bill(), site_name="S", brand=long, generated_at=GENERATED)
    )
    assert "… Generated 1 Dec 2026 07:00 (Africa/Johannesburg) · Page 1 of 1" in text


def test_an_unreadable_logo_is_left_out() -> None:
    content = pdf.site_bill_pdf(
        site_bill(), site_name="Head office", brand=brand((b"garbage", "image/png")),
        generated_at=GENERATED,
    )  # fmt: skip
    assert image_xobjects(content) == [0]
    assert "Acme Energy" in all_text(content)


# ---------------------------------------------------------------- the tenant bill


def test_tenant_bill_shows_meters_lines_and_totals() -> None:
    bill = tenant_bill()
    content = pdf.tenant_bill_pdf(
        bill, site_name="Mall", timezone="Africa/Johannesburg", brand=brand(),
        generated_at=GENERATED,
    )  # fmt: skip
    text = all_text(content)
    assert "Recharge bill — Müller Café" in text
    assert "June 2026" in text
    assert "1 Jun 2026 \u2013 30 Jun 2026" in text
    assert "Mall" in text
    for meter in bill.meters:
        assert meter.name in text
        assert format_quantity(meter.energy_kwh) in text
    assert format_quantity(10234.56) in text
    assert format_quantity(12345.67) in text
    assert "1 Jun 2026 00:00" in text  # 31 May 22:00 UTC in Johannesburg
    assert "1 Jul 2026 00:00" in text
    assert "Virtual meter" in text
    for line in bill.lines:
        assert line.description in text
        assert format_money(line.amount) in text
        assert format_rate(line.rate) in text
    for value in (bill.subtotal, bill.vat, bill.total):
        assert f"ZAR {format_money(value)}" in text
    assert "Page 1 of 1" in text


def test_tenant_bill_meter_times_follow_the_zone_given() -> None:
    content = pdf.tenant_bill_pdf(
        tenant_bill(), site_name="Mall", timezone="UTC", brand=brand(), generated_at=GENERATED
    )
    text = all_text(content)
    assert "31 May 2026 22:00" in text
    assert "1 Jun 2026 00:00" not in text


# ---------------------------------------------------------------- the site report


def test_report_first_page_has_the_key_figures() -> None:
    data = report()
    content = pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED)
    first = page_texts(content)[0]
    assert "Site report — Head office" in first
    assert "November 2026" in first
    assert "1 Nov 2026 \u2013 30 Nov 2026" in first
    assert f"{format_quantity(data.energy_import_kwh)} kWh" in first
    assert f"{format_quantity(data.energy_export_kwh)} kWh" in first
    assert data.total is not None
    assert f"ZAR {format_money(data.total)}" in first
    assert "312.45 kVA at 14 Nov 2026 10:30" in first
    assert pdf.format_power_factor(0.943) in first
    assert pdf.format_power_factor(0.81) in first
    assert pdf.format_percent(99.31) in first
    assert "Data gap" not in all_text(content)


def test_report_with_a_gap_warns_on_its_first_page() -> None:
    data = report(gaps=[gap("Incomer"), gap("Generator <G1>")])
    first = page_texts(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))[0]
    assert "Data gap" in first
    assert "Incomer" in first
    assert "Generator <G1>" in first
    assert "9 Nov 2026 02:00 \u2013 07:00" in first


def test_many_gaps_run_onto_the_next_page() -> None:
    gaps = [gap(f"Device {i}") for i in range(80)]
    content = pdf.site_report_pdf(report(gaps=gaps), brand=brand(), generated_at=GENERATED)
    text = all_text(content)
    assert "Data gap" in page_texts(content)[0]
    assert all(f"Device {i}" in text for i in range(80))


def test_report_shows_each_period_day_comparison_and_alert() -> None:
    data = report(periods=10, alerts=20, days=31)
    text = all_text(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))
    for row in data.by_period:
        assert format_money(row.amount) in text
        # once in the table, once as the chart's bar label (vector text, not an image)
        assert text.count(format_quantity(row.energy_kwh)) >= 2
    for day in data.days:
        assert pdf.format_date(day.date) in text
        assert format_quantity(day.energy_kwh) in text
        assert day.cost is not None
        assert format_money(day.cost) in text
    assert "Previous month" in text
    assert "1 Oct 2026 \u2013 31 Oct 2026" in text
    assert format_quantity(40012.34) in text
    assert format_money(110200.99) in text
    assert pdf.format_change_percent(3.05) in text
    assert "Same month last year" in text
    for item in data.alerts:
        assert item.rule_name in text
        assert item.message in text
        assert pdf.format_datetime(item.fired_at, data.timezone) in text
    assert "Open" in text
    assert "No alerts this period." not in text


def test_report_without_a_tariff_says_why() -> None:
    data = report(with_tariff=False, alerts=0)
    text = all_text(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))
    assert "The site has no tariff." in text
    assert "Energy per day (kWh)" in text
    assert "Cost per day" not in text
    assert "No time-of-use breakdown: The site has no tariff. " in text
    assert "Cost (" not in text
    assert "No alerts this period." in text
    assert "312.45 kW at" in text


def test_weekly_report_is_labelled_by_its_week() -> None:
    data = report(period="week", label="2026-W45", days=7)
    text = page_texts(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))[0]
    assert "Week 45, 2026" in text
    assert "1 Nov 2026 \u2013 7 Nov 2026" in text


def test_report_with_nothing_in_it_still_renders() -> None:
    data = report(days=0, periods=0, alerts=0).model_copy(
        update={"peak_demand": None, "comparisons": [],
                "power_factor": PowerFactor(average=None, minimum=None),
                "completeness": Completeness(percent=None, expected_buckets=0,
                                             present_buckets=0, gaps=[])}
    )  # fmt: skip
    text = all_text(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))
    assert "No readings expected" in text
    assert "Page 1 of 1" in text


def test_report_has_no_images_without_a_logo() -> None:
    content = pdf.site_report_pdf(report(periods=10), brand=brand(), generated_at=GENERATED)
    assert set(image_xobjects(content)) == {0}


# ---------------------------------------------------------------- charts


def chart_stream(drawing: Drawing) -> tuple[str, bytes]:
    """The drawing alone on a page: its content stream and the PDF."""
    buffer = io.BytesIO()
    renderPDF.drawToFile(drawing, buffer)
    return page_stream(buffer.getvalue()), buffer.getvalue()


STYLE = charts.ChartStyle(
    primary=colors.HexColor(PRIMARY), secondary=colors.HexColor("#13c2c2"), font="Helvetica"
)


def test_daily_chart_draws_one_filled_bar_per_day_in_the_primary_colour() -> None:
    days = report(days=31).days
    drawing = charts.daily_chart(days, style=STYLE, width=500, ticks=format_quantity)
    stream, content = chart_stream(drawing)
    assert stream.count(PRIMARY_FILL) >= 1
    bars = re.findall(r"re f\*?\b", stream)
    assert len(bars) >= len(days)
    assert image_xobjects(content) == [0]


def test_daily_chart_shows_cost_or_energy() -> None:
    with_cost = report().days
    assert charts.daily_bars(with_cost, STYLE).values == [day.cost for day in with_cost]
    without = report(with_tariff=False).days
    assert charts.daily_bars(without, STYLE).values == [day.energy_kwh for day in without]


def test_period_and_comparison_charts_label_their_bars() -> None:
    data = report(periods=3)
    drawing = charts.period_chart(
        data.by_period, style=STYLE, width=500, ticks=format_quantity, labels=format_quantity
    )
    stream, _ = chart_stream(drawing)
    for row in data.by_period:
        assert f"({format_quantity(row.energy_kwh)})" in stream
    comparison = charts.comparison_bars("November 2026", 41234.56, data.comparisons, STYLE)
    assert comparison.labels == ["November 2026", "Previous month"]  # no data: no bar
    assert comparison.colors == [STYLE.primary, STYLE.secondary]


def test_empty_charts_say_no_data() -> None:
    drawing = charts.daily_chart([], style=STYLE, width=300, ticks=format_quantity)
    stream, _ = chart_stream(drawing)
    assert "(No data)" in stream


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], (0.0, 1.0)), ([0.0, 0.0], (0.0, 1.0)), ([10.0], (0.0, 10.8)), ([-5.0, 5.0], (-5.0, 5.8))],
)
def test_value_range(values: list[float], expected: tuple[float, float]) -> None:
    assert charts.value_range(values) == pytest.approx(expected)


# ---------------------------------------------------------------- speed and threads


def best_of(runs: int, render: Callable[[], bytes]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    return min(times)


def test_rendering_is_fast() -> None:
    logo = brand((png(), "image/png"))
    bill = site_bill([bill_line(i) for i in range(12)])
    data = report(days=31, periods=10, alerts=20, gaps=[gap()])
    pdf.site_bill_pdf(bill, site_name="Warm-up", brand=logo, generated_at=GENERATED)
    bill_time = best_of(
        3, lambda: pdf.site_bill_pdf(bill, site_name="S", brand=logo, generated_at=GENERATED)
    )
    report_time = best_of(3, lambda: pdf.site_report_pdf(data, brand=logo, generated_at=GENERATED))
    # Budgets well above the measured times (about 10 ms and 60 ms) so a busy CI passes.
    assert bill_time < 0.1
    assert report_time < 0.5


def test_documents_render_the_same_in_parallel_threads() -> None:
    data = report(periods=10, alerts=20)
    expected = all_text(pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED))
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(
                lambda _: pdf.site_report_pdf(data, brand=brand(), generated_at=GENERATED),
                range(8),
            )
        )
    assert all(all_text(content) == expected for content in results)
