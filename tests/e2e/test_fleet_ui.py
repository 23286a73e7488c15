"""The fleet pages of an admin stack in a real Chromium: customers, tokens, pushes, energy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.browser import log_in
from tests.support.database import url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, login_client

SCREENSHOT = Path("/tmp/fleet.png")
CUSTOMER_SCREENSHOT = Path("/tmp/fleet-customer.png")


@pytest.fixture
def admin_stack(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    """The app in admin mode (the fleet routes exist only there), on the test's database."""
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            admin_password=ADMIN_PASSWORD,
            run_mode="admin",
        )
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def push(base_url: str, token: str, batch_type: str, items: list[dict[str, Any]]) -> httpx.Response:
    """One batch, as a customer stack sends it."""
    return httpx.post(
        f"{base_url}/api/fleet/ingest",
        json={"items": items},
        headers={"X-Customer-Token": token, "X-Batch-Type": batch_type},
        timeout=60,
    )


def readings(hours: int = 2, step_minutes: int = 5) -> list[dict[str, Any]]:
    """A cumulative import register over the last `hours` (UTC), every `step_minutes`."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(hours=hours)
    rows = []
    for n in range(hours * 60 // step_minutes + 1):
        moment = start + timedelta(minutes=n * step_minutes)
        rows.append(
            {
                "device_id": 1,
                "time": moment.isoformat().replace("+00:00", "Z"),
                "energy_import_kwh": 1000.0 + n * 2.5,
            }
        )
    return rows


def add_customer_in_the_ui(page: Page, code: str, name: str) -> str:
    """Add a customer with the dialog; returns the token it shows (once)."""
    page.get_by_test_id("add-customer").first.click()
    form = page.get_by_test_id("create-customer-form")
    form.get_by_test_id("customer-form-code").fill(code)
    form.get_by_test_id("customer-form-name").fill(name)
    page.get_by_test_id("create-customer-submit").click()
    token_text = page.get_by_test_id("customer-token")
    expect(token_text).to_have_text(re.compile(r"^ppc_\S{20,}$"))
    expect(page.get_by_test_id("copy-customer-token")).to_be_visible()
    token = token_text.inner_text().strip()
    page.get_by_test_id("customer-token-done").click()
    expect(page.get_by_test_id("customer-token")).to_have_count(0)
    return token


def test_admin_adds_a_customer_sees_its_pushes_and_rotates_its_token(
    admin_stack: LiveServer, page: Page
) -> None:
    base = admin_stack.url
    log_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    nav_fleet = page.get_by_test_id("nav-fleet")
    expect(nav_fleet).to_be_visible()
    nav_fleet.click()
    expect(page).to_have_url(f"{base}/fleet")
    expect(page.get_by_test_id("customers-empty")).to_contain_text("No customers yet")

    token = add_customer_in_the_ui(page, "acme-mining", "Acme Mining")
    row = page.get_by_test_id("customer-row-acme-mining")
    expect(row).to_contain_text("Acme Mining")
    expect(row.get_by_test_id("customer-last-seen")).to_have_attribute("data-status", "never")
    # the token is not shown again anywhere
    expect(page.get_by_text(token)).to_have_count(0)

    # a duplicate code is refused next to the field
    page.get_by_test_id("add-customer").click()
    form = page.get_by_test_id("create-customer-form")
    form.get_by_test_id("customer-form-code").fill("acme-mining")
    form.get_by_test_id("customer-form-name").fill("Acme again")
    page.get_by_test_id("create-customer-submit").click()
    expect(form).to_contain_text("a customer with code acme-mining already exists")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("create-customer-form")).to_have_count(0)

    # the customer's stack pushes its sites, devices and two hours of readings
    sites = push(base, token, "sites", [{"id": 1, "name": "Plant", "timezone": "UTC"}])
    assert sites.status_code == 200, sites.text
    assert sites.json()["accepted"] == 1
    devices = push(
        base, token, "devices", [{"id": 1, "site_id": 1, "name": "Main", "serial": "ACV-1"}]
    )
    assert devices.status_code == 200, devices.text
    rows = readings()
    measurements = push(base, token, "measurements", rows)
    assert measurements.status_code == 200, measurements.text
    assert measurements.json() == {"accepted": len(rows), "duplicates": 0, "rejected": 0}

    # a second customer that never pushed, for the overview
    admin = login_client(base, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        other = admin.post("/api/fleet/customers", json={"code": "bolt", "name": "Bolt Foods"})
        assert other.status_code == 201, other.text
    finally:
        admin.close()

    page.reload()
    row = page.get_by_test_id("customer-row-acme-mining")
    expect(row.get_by_test_id("customer-last-seen")).to_have_attribute("data-status", "fresh")
    expect(row.get_by_test_id("customer-sites")).to_have_text("1")
    expect(row.get_by_test_id("customer-devices")).to_have_text("1")
    expect(row.get_by_test_id("customer-rows-24h")).to_have_text(str(len(rows)))
    expect(page.get_by_test_id("customer-row-bolt")).to_be_visible()
    expect(page.get_by_test_id("kpi-customers-value")).to_have_text("2")
    expect(page.get_by_test_id("kpi-devices-value")).to_have_text("1")
    fleet_chart = page.get_by_test_id("fleet-energy-chart")
    expect(fleet_chart).to_have_attribute("data-state", "ready")
    expect(fleet_chart).to_have_attribute("data-points", "30")
    page.wait_for_timeout(500)  # let the bars animate in
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # the customer page: sites and devices, energy, the pushes
    row.get_by_test_id("customer-link").click()
    expect(page).to_have_url(f"{base}/fleet/acme-mining")
    expect(page.get_by_test_id("customer-title")).to_have_text("Acme Mining")
    device = page.get_by_test_id("fleet-device-row-ACV-1")
    expect(device).to_contain_text("Plant")
    expect(device).to_contain_text("Main")
    expect(device.get_by_test_id("reading-age")).to_have_attribute("data-status", "fresh")
    events = page.get_by_test_id("ingest-events-table")
    expect(events.locator("tr[data-testid^='ingest-event-']")).to_have_count(3)
    expect(events).to_contain_text("measurements")
    expect(events.get_by_test_id("event-status").first).to_have_text("200")
    expect(events.get_by_test_id("event-accepted").first).to_have_text(str(len(rows)))
    chart = page.get_by_test_id("customer-energy-chart")
    expect(page.get_by_test_id("customer-energy-timezone")).to_contain_text("UTC")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-points", "30")
    page.wait_for_timeout(500)
    page.screenshot(path=str(CUSTOMER_SCREENSHOT), full_page=True)

    # rotate the token: the new one is shown once; the old one works on in its grace
    page.get_by_test_id("customer-rotate").click()
    page.get_by_test_id("customer-rotate-confirm").click()
    new_token = page.get_by_test_id("customer-token").inner_text().strip()
    assert new_token.startswith("ppc_")
    assert new_token != token
    page.get_by_test_id("customer-token-done").click()
    site = [{"id": 1, "name": "Plant", "timezone": "UTC"}]
    assert push(base, token, "sites", site).status_code == 200
    accepted = push(base, new_token, "sites", site)
    assert accepted.status_code == 200, accepted.text
    page.get_by_test_id("customer-refresh").click()
    expect(page.get_by_test_id("customer-token-used")).to_contain_text("the current token")
    expect(page.get_by_test_id("customer-previous-token")).to_contain_text("accepted until")
    # "revoke now": the old token is refused at once
    page.get_by_test_id("customer-revoke").click()
    page.get_by_test_id("customer-revoke-confirm").click()
    expect(page.get_by_test_id("customer-previous-token")).to_contain_text("refused since")
    refused = push(base, token, "sites", site)
    assert refused.status_code == 401, refused.text

    # deactivate: the page says so, and pushes are refused
    page.get_by_test_id("customer-deactivate").click()
    page.get_by_test_id("customer-deactivate-confirm").click()
    expect(page.get_by_test_id("customer-active")).to_have_text("Deactivated")
    assert push(base, new_token, "sites", []).status_code == 401
    page.get_by_test_id("customer-activate").click()
    expect(page.get_by_test_id("customer-active")).to_have_text("Active")


def test_a_standalone_stack_has_no_fleet_nav_entry(live_server: LiveServer, page: Page) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    nav = page.get_by_test_id("nav")
    expect(nav.get_by_test_id("nav-sites")).to_be_visible()
    expect(page.get_by_test_id("health-run-mode")).to_have_text("standalone")
    expect(nav.get_by_test_id("nav-fleet")).to_have_count(0)
    expect(nav).not_to_contain_text("Fleet")
    page.goto(f"{live_server.url}/fleet")
    expect(page.get_by_test_id("wrong-run-mode")).to_be_visible()
