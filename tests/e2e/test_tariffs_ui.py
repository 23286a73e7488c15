"""Tariffs in a real Chromium: the editor's week grid and live validation, assigning a
tariff to a site, and the site's monthly bill (with its CSV)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import log_in, open_windows_list
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, MeteredDevice, ingest

SAST = ZoneInfo("Africa/Johannesburg")
TEMPLATE_WINDOWS = 21  # the Eskom-style template's periods list


def readings_this_month(now: datetime, kw: float = 50.0) -> list[dict[str, Any]]:
    """Cumulative registers every 15 minutes from the start of this (local) month to now,
    at a steady ``kw`` (at least 8 hours of them; up to a day ahead is accepted)."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = max(now, start + timedelta(hours=8))
    rows: list[dict[str, Any]] = []
    t = start
    while t <= end:
        hours = (t - start).total_seconds() / 3600
        rows.append(
            {
                "time": t.isoformat(),
                "energy_import_kwh": 1000.0 + kw * hours,
                "apparent_energy_kvah": 1000.0 + kw / 0.9 * hours,
            }
        )
        t += timedelta(minutes=15)
    return rows


def paint(page: Page, brush: str, first_cell: str, last_cell: str) -> None:
    """Pick ``brush`` on the palette and drag from one grid cell to another."""
    page.get_by_test_id(f"palette-{brush}").click()
    first = page.get_by_test_id(first_cell)
    first.scroll_into_view_if_needed()
    a = first.bounding_box()
    b = page.get_by_test_id(last_cell).bounding_box()
    assert a is not None
    assert b is not None
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=6)
    page.mouse.up()


def amount(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def test_admin_builds_a_tou_tariff_fixes_an_overlap_assigns_it_and_reads_the_bill(
    live_server: LiveServer,
    page: Page,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    meter = make_device(timezone="Africa/Johannesburg")
    now = datetime.now(SAST)
    rows = readings_this_month(now)
    response = ingest(live_server.url, meter.token, rows)
    assert response.json()["accepted"] == len(rows), response.text

    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path="/settings/rates")
    expect(page.get_by_test_id("settings-tabs")).to_contain_text("Rates")
    page.get_by_test_id("tariff-new").click()
    expect(page).to_have_url(f"{live_server.url}/settings/rates/new")

    # Start from the Eskom-style template.
    page.get_by_test_id("tariff-template").click()
    page.get_by_test_id("template-eskom").click()
    page.get_by_test_id("tariff-name").fill("Factory TOU")
    expect(page.get_by_test_id("cell-high-mon-06:00")).to_have_attribute("data-period", "peak")
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "valid")

    # A window added in the list that overlaps: the server's problem shows in place.
    open_windows_list(page, "high")
    page.get_by_test_id("add-window-high").click()
    new = TEMPLATE_WINDOWS
    page.get_by_test_id(f"window-{new}-start").fill("08:00")
    page.get_by_test_id(f"window-{new}-end").fill("10:00")
    cell = page.get_by_test_id("cell-high-mon-08:00")
    expect(cell).to_have_attribute("data-error", "true")
    expect(page.get_by_test_id("cell-high-mon-07:30")).not_to_have_attribute("data-error", "true")
    expect(page.get_by_test_id("grid-problems")).to_contain_text(
        "season high, mon 08:00: covered by peak and peak"
    )
    expect(page.get_by_test_id(f"window-row-{new}")).to_have_attribute("data-error", "true")
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "invalid")

    # Saving anyway: the server refuses (422) and nothing is created.
    page.get_by_test_id("tariff-save").click()
    expect(page.get_by_test_id("tariff-save-error")).to_contain_text("not saved")
    expect(page).to_have_url(f"{live_server.url}/settings/rates/new")
    assert admin_client.get("/api/tariffs").json() == []

    # Fix it: remove the window again.
    page.get_by_test_id(f"window-{new}-remove").click()
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "valid")
    expect(cell).not_to_have_attribute("data-error", "true")
    expect(page.get_by_test_id("grid-problems")).to_have_count(0)

    # Paint low-season Sunday evening 18:00-20:00 as standard.
    paint(page, "standard", "cell-low-sun-18:00", "cell-low-sun-19:30")
    expect(page.get_by_test_id("cell-low-sun-18:00")).to_have_attribute("data-period", "standard")
    expect(page.get_by_test_id("cell-low-sun-19:30")).to_have_attribute("data-period", "standard")
    expect(page.get_by_test_id("cell-low-sun-20:00")).to_have_attribute("data-period", "off-peak")
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "valid")

    page.get_by_test_id("tariff-save").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/settings/rates/\d+$"))
    tariff_id = int(page.url.rsplit("/", 1)[1])
    saved = admin_client.get(f"/api/tariffs/{tariff_id}").json()
    assert saved["name"] == "Factory TOU"
    low_sunday = sorted(
        (p["name"], p["start"], p["end"])
        for p in saved["versions"][0]["periods"]
        if p["season"] == "low" and "sun" in p["days"]
    )
    # the painted run shares Saturday's 18:00-20:00 entry; off-peak now wraps around it
    assert low_sunday == [("off-peak", "20:00", "18:00"), ("standard", "18:00", "20:00")]

    # Assign it to the metered site.
    expect(page.get_by_test_id("assign-site")).to_contain_text("Site 1")
    page.get_by_test_id("assign-tariff").click()
    expect(page.get_by_test_id("assign-tariff")).to_have_text(re.compile("Assigned"))
    assert admin_client.get(f"/api/sites/{meter.site_id}").json()["tariff_id"] == tariff_id
    page.get_by_test_id("bill-preview").click()
    expect(page.get_by_test_id("bill-preview-total")).to_contain_text("ZAR")

    # The Bills page, this month.
    page.get_by_test_id("nav-bills").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/bills"))
    month = now.strftime("%Y-%m")
    page.goto(f"{live_server.url}/bills?site={meter.site_id}&month={month}")
    expect(page.get_by_test_id("bill-site-name")).to_have_text("Site 1")
    total = page.get_by_test_id("bill-total")
    expect(total).to_be_visible()
    assert amount(total.inner_text()) > 0
    expect(page.get_by_test_id("bill-line-energy").first).to_be_visible()
    expect(page.get_by_test_id("bill-brand")).to_have_text("Power Portal")

    first = now.date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    span = {"start": first.isoformat(), "end": following.isoformat()}
    expect(page.get_by_test_id("bill-csv")).to_have_attribute(
        "href", f"/api/sites/{meter.site_id}/bill.csv?start={span['start']}&end={span['end']}"
    )
    bill = admin_client.get(f"/api/sites/{meter.site_id}/bill", params=span).json()
    expect(total).to_have_text(f"{bill['total']:,.2f}")

    # The CSV link downloads the server's CSV of the same bill.
    with page.expect_download() as download_info:
        page.get_by_test_id("bill-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"bill-site{meter.site_id}-")
    with open(download.path(), encoding="utf-8") as handle:
        table = list(csv.reader(io.StringIO(handle.read())))
    assert table[0][0] == "kind"
    assert table[-1][0] == "total"
    assert float(table[-1][-1]) == bill["total"]

    # Print / save as PDF: the app chrome is not printed.
    page.emulate_media(media="print")
    expect(page.get_by_test_id("app-header")).to_be_hidden()
    expect(page.get_by_test_id("bill-print")).to_be_hidden()
    expect(page.get_by_test_id("bill-document")).to_be_visible()
    page.emulate_media(media="screen")

    # The dashboard shows this month's cost so far and a projection for the month.
    page.goto(f"{live_server.url}/?site={meter.site_id}")
    month_cost = admin_client.get(f"/api/sites/{meter.site_id}/costs/month").json()
    assert month_cost["to_date_total"] > 0
    expect(page.get_by_test_id("kpi-cost-month")).to_contain_text(
        f"{month_cost['to_date_total']:,.2f}"
    )
    expect(page.get_by_test_id("kpi-cost-projected")).to_be_visible()


def test_a_site_without_a_tariff_gets_a_friendly_bills_page(
    live_server: LiveServer, page: Page, make_device: Callable[..., MeteredDevice]
) -> None:
    meter = make_device()
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path=f"/bills?site={meter.site_id}")
    expect(page.get_by_test_id("bill-no-tariff")).to_contain_text("This site has no tariff yet")
    page.get_by_test_id("bill-go-to-rates").click()
    expect(page).to_have_url(f"{live_server.url}/settings/rates")
