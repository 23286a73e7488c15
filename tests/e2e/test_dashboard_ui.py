"""The dashboard and the Sites page in a real Chromium, on the demo data or on sites made here."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.engine import URL

from tests.support.browser import log_in
from tests.support.database import url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    Credentials,
    LiveServer,
    ingest,
)

SCREENSHOT = Path("/tmp/dashboard.png")


def load_demo(db_url: URL, days: int = 30) -> None:
    """`portal demo` against the test's database (the live server reads the same one)."""
    done = subprocess.run(
        [str(PORTAL_BIN), "demo", "--days", str(days)],
        env={**os.environ, "PORTAL_DATABASE_URL": url_string(db_url)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"portal demo failed:\n{done.stdout}\n{done.stderr}"


def points_of(chart: Locator) -> int:
    """The number of data points a chart shows (its `data-points` attribute, once loaded)."""
    expect(chart).to_have_attribute("data-state", re.compile("ready|empty"))
    value = chart.get_attribute("data-points")
    assert value is not None
    return int(value)


def choose_preset(page: Page, label: str) -> None:
    page.get_by_test_id("range-preset").get_by_text(label, exact=True).click()


def choose_option(page: Page, label: str) -> None:
    """Pick an option of the open antd Select (its list items carry a title)."""
    page.locator(f".ant-select-item-option[title='{label}']").click()


def choose_tree_option(page: Page, label: str) -> None:
    """Pick an entry of the open antd TreeSelect (the device picker: the metering tree)."""
    page.locator(f".ant-select-tree-node-content-wrapper[title='{label}']").click()


def download_csv(page: Page, chart: str) -> tuple[str, list[list[str]]]:
    """Click a chart's CSV button; the file's name and rows (header first)."""
    with page.expect_download() as info:
        page.get_by_test_id(f"export-csv-{chart}").click()
    download = info.value
    path = download.path()
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.reader(io.StringIO(text)))


def test_dashboard_shows_the_demo_site_and_follows_the_range(
    live_server: LiveServer, page: Page, db_url: URL
) -> None:
    load_demo(db_url)
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)

    expect(page.get_by_test_id("site-picker")).to_contain_text("Demo shopping centre")
    expect(page.get_by_test_id("device-picker")).to_contain_text(
        re.compile("Site total|All devices")
    )
    for kpi in ("energy-today", "energy-month", "peak-demand", "power-factor"):
        expect(page.get_by_test_id(f"kpi-{kpi}-value")).to_have_text(re.compile(r"\d"))
    expect(page.get_by_test_id("kpi-energy-month")).to_contain_text(re.compile("kWh|MWh"))
    expect(page.get_by_test_id("kpi-peak-demand")).to_contain_text("kVA")
    expect(page.get_by_test_id("kpi-last-reading-value")).to_have_text(re.compile(r"ago|just now"))

    power = page.get_by_test_id("power-chart")
    energy = page.get_by_test_id("energy-chart")
    heatmap = page.get_by_test_id("heatmap")
    assert points_of(power) > 100  # 30-minute buckets over 7 days
    assert points_of(heatmap) > 24
    # the default range is the last 7 days: a bar per day
    assert points_of(energy) == 7
    expect(power.locator("canvas").first).to_be_visible()
    page.wait_for_timeout(500)  # let the charts' entry animation finish
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    choose_preset(page, "Last 30 days")
    expect(energy).to_have_attribute("data-points", "30")
    expect(page).to_have_url(re.compile(r"range=last30"))
    choose_preset(page, "Today")
    expect(energy).to_have_attribute("data-points", "1")
    choose_preset(page, "Last 7 days")
    expect(energy).to_have_attribute("data-points", "7")

    # one device: its own KPIs and an avg line with a min-max band
    page.get_by_test_id("device-picker").click()
    choose_tree_option(page, "HVAC")
    expect(page).to_have_url(re.compile(r"device=\d+"))
    expect(page.get_by_test_id("dashboard-subtitle")).to_contain_text("HVAC")
    assert points_of(power) > 100

    # the previous period overlays the bars; the state survives a reload (it is in the URL)
    page.get_by_test_id("compare-toggle").click()
    expect(page).to_have_url(re.compile(r"compare=1"))
    expect(energy).to_have_attribute("data-state", "ready")
    page.reload()
    expect(page.get_by_test_id("compare-toggle")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("dashboard-subtitle")).to_contain_text("HVAC")
    expect(energy).to_have_attribute("data-points", "7")


def test_csv_export_downloads_exactly_the_charts_data(
    live_server: LiveServer, page: Page, db_url: URL
) -> None:
    load_demo(db_url, days=10)
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path="/?range=last7")
    energy = page.get_by_test_id("energy-chart")
    expect(energy).to_have_attribute("data-points", "7")

    name, rows = download_csv(page, "energy")
    assert name.endswith(".csv")
    assert "energy" in name
    assert rows[0] == ["date", "import_kwh", "export_kwh"]
    assert len(rows) - 1 == points_of(energy) == 7
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[0]) for row in rows[1:])
    assert float(rows[1][1]) > 0

    power = page.get_by_test_id("power-chart")
    _, rows = download_csv(page, "power")
    meters = [
        "Cafe",
        "Common lighting",
        "Grocer cold rooms",
        "Grocer sales floor",
        "HVAC",
        "Incomer",
        "Pharmacy",
        "Rooftop solar",
    ]
    assert rows[0] == ["time", *(f"{name} avg_kw" for name in meters)]
    assert len(rows) - 1 == points_of(power)

    heatmap = page.get_by_test_id("heatmap")
    _, rows = download_csv(page, "heatmap")
    assert rows[0] == ["date", "hour", "energy_kwh"]
    assert len(rows) - 1 == points_of(heatmap)

    # with the comparison on, the previous period's columns come along
    page.get_by_test_id("compare-toggle").click()
    # the previous period has arrived (its total is in the subtitle), not the chart before
    # the toggle took effect (its CSV button turns disabled while the comparison loads)
    expect(page.get_by_text(re.compile(r"· previous \d"))).to_be_visible()
    expect(energy).to_have_attribute("data-state", "ready")
    _, rows = download_csv(page, "energy")
    assert rows[0] == [
        "date",
        "import_kwh",
        "export_kwh",
        "previous_date",
        "previous_import_kwh",
        "previous_export_kwh",
    ]
    assert len(rows) - 1 == 7


def test_admin_creates_a_site_and_a_device_and_issues_a_token_shown_once(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path="/sites")
    expect(page.get_by_test_id("sites-empty")).to_contain_text("portal demo")

    page.get_by_test_id("create-site").click()
    form = page.get_by_test_id("site-form")
    form.get_by_test_id("site-form-name").fill("Head office")
    form.get_by_test_id("site-form-timezone").click()
    page.keyboard.type("Africa/Johannesburg")
    choose_option(page, "Africa/Johannesburg")
    form.get_by_test_id("site-form-utility").fill("City Power")
    page.get_by_test_id("site-form-submit").click()

    # a new site opens on its own page
    expect(page.get_by_test_id("site-title")).to_have_text("Head office")
    expect(page).to_have_url(re.compile(r"/sites/\d+$"))
    expect(page.get_by_test_id("site-details")).to_contain_text("Africa/Johannesburg")
    expect(page.get_by_test_id("devices-empty")).to_be_visible()

    def add_device(name: str, serial: str) -> None:
        page.get_by_test_id("add-device").click()
        device_form = page.get_by_test_id("device-form")
        device_form.get_by_test_id("device-form-name").fill(name)
        device_form.get_by_test_id("device-form-serial").fill(serial)
        device_form.get_by_test_id("device-form-model").fill("Acuvim II")
        page.get_by_test_id("device-form-submit").click()

    add_device("Main incomer", "ACV-000123")
    row = page.get_by_test_id("device-row-ACV-000123")
    expect(row).to_contain_text("Main incomer")
    expect(row.get_by_test_id("reading-age")).to_have_text("no readings")
    expect(row.get_by_test_id("reading-age")).to_have_attribute("data-status", "none")
    expect(page.get_by_test_id("device-form")).to_have_count(0)

    # a duplicate serial is refused on the field, and the dialog stays open
    add_device("Another", "ACV-000123")
    serial_item = page.locator(".ant-form-item", has=page.get_by_test_id("device-form-serial"))
    expect(serial_item.locator(".ant-form-item-explain-error")).to_have_text(
        "another device already has this serial"
    )
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("device-form")).to_have_count(0)

    row.get_by_test_id("device-tokens").click()
    drawer = page.get_by_test_id("tokens-drawer")
    expect(drawer).to_be_visible()
    drawer.get_by_test_id("issue-token").click()
    page.get_by_test_id("issue-token-label").fill("gateway")
    page.get_by_test_id("issue-token-submit").click()

    issued = page.get_by_test_id("issued-token")
    expect(issued).to_be_visible()
    expect(page.get_by_test_id("issued-token-warning")).to_contain_text("will not be shown again")
    token = issued.inner_text().strip()
    assert len(token) > 20
    page.get_by_test_id("copy-token").click()
    expect(page.get_by_test_id("copy-token")).to_contain_text(re.compile("Copied|Copy"))

    # the token works for ingest
    response = ingest(
        live_server.url, token, [{"time": "2026-05-01T10:00:00+02:00", "power_kw": 12.5}]
    )
    assert response.status_code == 200, response.text

    # … and is never shown again: the list has its prefix only
    page.get_by_test_id("issued-token-done").click()
    expect(page.get_by_test_id("issued-token")).to_have_count(0)
    token_rows = drawer.locator("[data-testid^='token-row-']")
    expect(token_rows).to_have_count(1)
    expect(token_rows.first).to_contain_text("gateway")
    expect(token_rows.first.get_by_test_id("token-status-active")).to_be_visible()
    assert token not in page.content()

    # revoke it
    token_rows.first.get_by_test_id("token-revoke").click()
    page.get_by_test_id("token-revoke-confirm").click()
    expect(token_rows.first.get_by_test_id("token-status-revoked")).to_be_visible()
    response = ingest(
        live_server.url, token, [{"time": "2026-05-01T10:05:00+02:00", "power_kw": 12.5}]
    )
    assert response.status_code == 401

    sites = admin_client.get("/api/sites").json()
    assert [(s["name"], s["timezone"], s["utility"], s["device_count"]) for s in sites] == [
        ("Head office", "Africa/Johannesburg", "City Power", 1)
    ]


def test_deleting_a_site_with_devices_shows_the_conflict(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    site = admin_client.post("/api/sites", json={"name": "Plant", "timezone": "UTC"}).json()
    device = admin_client.post(
        f"/api/sites/{site['id']}/devices", json={"name": "Meter", "serial": "M-1"}
    ).json()
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path=f"/sites/{site['id']}")
    # the page has settled (its device list drawn) before the buttons are used
    expect(page.get_by_test_id(f"device-row-{device['serial']}")).to_be_visible()

    page.get_by_test_id("site-delete").click()
    with page.expect_response(lambda r: r.request.method == "DELETE") as refused:
        page.get_by_test_id("site-delete-confirm").click()
    assert refused.value.status == 409
    expect(page.locator(".ant-message")).to_contain_text("still has 1 device(s)")
    expect(page.get_by_test_id("site-title")).to_have_text("Plant")

    page.get_by_test_id(f"device-row-{device['serial']}").get_by_test_id("device-delete").click()
    page.get_by_test_id("device-delete-confirm").click()
    expect(page.get_by_test_id("devices-empty")).to_be_visible()
    page.get_by_test_id("site-delete").click()
    page.get_by_test_id("site-delete-confirm").click()
    expect(page).to_have_url(f"{live_server.url}/sites")
    expect(page.get_by_test_id("sites-empty")).to_be_visible()
    assert admin_client.get("/api/sites").json() == []


def test_viewer_sees_the_sites_without_admin_buttons(
    live_server: LiveServer, page: Page, admin_client: httpx.Client, viewer: Credentials
) -> None:
    site = admin_client.post(
        "/api/sites", json={"name": "Warehouse", "timezone": "Europe/Berlin"}
    ).json()
    admin_client.post(f"/api/sites/{site['id']}/devices", json={"name": "DB1", "serial": "W-1"})
    log_in(page, live_server.url, viewer.email, viewer.password)

    page.get_by_test_id("nav-sites").click()
    expect(page).to_have_url(f"{live_server.url}/sites")
    row = page.get_by_test_id("site-row-Warehouse")
    expect(row).to_contain_text("Europe/Berlin")
    expect(row.get_by_test_id("site-device-count")).to_have_text("1")
    expect(page.get_by_test_id("create-site")).to_have_count(0)

    row.get_by_test_id("site-link").click()
    expect(page.get_by_test_id("site-title")).to_have_text("Warehouse")
    device_row = page.get_by_test_id("device-row-W-1")
    expect(device_row).to_contain_text("DB1")
    expect(device_row.get_by_test_id("reading-age")).to_have_text("no readings")
    for admin_only in ("site-edit", "site-delete", "add-device", "device-tokens", "device-edit"):
        expect(page.get_by_test_id(admin_only)).to_have_count(0)

    # the dashboard works for a viewer, and says the site has no data yet
    page.get_by_test_id("site-dashboard").click()
    expect(page.get_by_test_id("site-picker")).to_contain_text("Warehouse")
    expect(page.get_by_test_id("power-chart")).to_have_attribute("data-state", "empty")
    expect(page.get_by_test_id("kpi-last-reading-value")).to_have_text("no readings")
