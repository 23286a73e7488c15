"""Tenant recharging in a real Chromium: an admin creates a tenant with a pass-through rule,
assigns two meters (one moving to another tenant mid-month), reads the tenant's bill with its
opening and closing registers, and sees the reconciliation add up to the utility bill; the
tenant user signs in to its portal, sees only its own bill, and another tenant's bill is "not
found" (the API answers 404).

June 2026 in Johannesburg, readings every 6 hours: Incomer (supply) 25 kW over Shop A 10 kW and
Shop B 5 kW. Grocer holds Shop A all month and Shop B until 16 June 00:00, when Shop B moves to
Bakery: Grocer 7,200 + 1,800 = 9,000 kWh, Bakery 1,800 kWh, the unmetered rest 7,200 kWh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest, login_client
from tests.support.tariffs import flat_tariff

SAST = ZoneInfo("Africa/Johannesburg")
MONTH = "2026-06"
JUNE_1 = datetime(2026, 6, 1, tzinfo=SAST)
HOURS = 30 * 24
SCREENSHOT = Path("/tmp/tenants.png")
PORTAL_SCREENSHOT = Path("/tmp/tenant-portal.png")
TENANT_PASSWORD = "tenant-test-password-1"


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def add_meter(admin: httpx.Client, site_id: int, name: str, kw: float, base_url: str) -> int:
    """A meter with a month of 6-hourly register readings at a constant load (31 May 18:00 to
    1 July 06:00): its register is 500 kWh at the first reading."""
    device = ok(
        admin.post(
            f"/api/sites/{site_id}/devices",
            json={"name": name, "serial": f"ACV-{name.replace(' ', '-')}", "model": "Acuvim II"},
        )
    )
    token = ok(admin.post(f"/api/devices/{device['id']}/tokens", json={}))["token"]
    first = JUNE_1 - timedelta(hours=6)
    rows = [
        {
            "time": (first + timedelta(hours=6 * i)).isoformat(),
            "energy_import_kwh": 500 + kw * 6 * i,
        }
        for i in range(HOURS // 6 + 3)
    ]
    assert ingest(base_url, token, rows).json()["accepted"] == len(rows)
    return int(device["id"])


def choose(page: Page, label: str) -> None:
    """Pick an option of the open antd Select and wait for its list to close."""
    page.locator(f".ant-select-item-option[title='{label}']:visible").click()
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def assign_in_ui(page: Page, meter: str, start: str) -> None:
    page.get_by_test_id("assign-meter").click()
    page.get_by_test_id("assign-meter-meter").click()
    choose(page, meter)
    page.get_by_test_id("assign-meter-start").fill(start)
    page.get_by_test_id("assign-meter-submit").click()
    expect(page.get_by_test_id("assign-meter-form")).to_have_count(0)


def test_admin_recharges_tenants_and_a_tenant_sees_only_its_own_bill(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    site_id = ok(
        admin_client.post("/api/sites", json={"name": "Centre", "timezone": "Africa/Johannesburg"})
    )["id"]
    incomer = add_meter(admin_client, site_id, "Incomer", 25.0, live_server.url)
    shop_a = add_meter(admin_client, site_id, "Shop A", 10.0, live_server.url)
    shop_b = add_meter(admin_client, site_id, "Shop B", 5.0, live_server.url)
    for shop in (shop_a, shop_b):
        ok(admin_client.patch(f"/api/devices/{shop}", json={"parent_id": incomer}))
    ok(admin_client.patch(f"/api/devices/{incomer}", json={"role": "supply"}))
    tariff = flat_tariff(2.0, timezone="Africa/Johannesburg")
    tariff["versions"][0]["fixed_charges"] = [
        {"name": "Basic charge", "amount": 900.0, "per": "month"}
    ]
    tariff_id = ok(admin_client.post("/api/tariffs", json=tariff))["id"]
    ok(admin_client.patch(f"/api/sites/{site_id}", json={"tariff_id": tariff_id}))

    # The admin adds Grocer with a pass-through rule (the site's fixed charge shared by energy).
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path=f"/tenants?site={site_id}")
    expect(page.get_by_test_id("tenants-empty")).to_be_visible()
    page.get_by_test_id("tenant-create").click()
    page.get_by_test_id("tenant-name").fill("Grocer")
    page.get_by_test_id("tenant-reference").fill("T-001")
    expect(page.get_by_test_id("tenant-rule-kind-pass_through")).to_be_visible()
    page.get_by_test_id("tenant-form-submit").click()
    expect(page.get_by_test_id("tenant-rule")).to_have_text("Pass-through · by energy")
    (grocer,) = admin_client.get(f"/api/sites/{site_id}/tenants").json()
    assert grocer["rule"]["kind"] == "pass_through"
    assert grocer["rule"]["apportion"] == "energy"

    # Grocer's meters: Shop A and Shop B from 1 June; Shop B moves out on 16 June at 00:00.
    page.get_by_test_id(f"tenant-open-{grocer['id']}").click()
    meters_card = page.get_by_test_id(f"tenant-meters-{grocer['id']}")
    assign_in_ui(page, "Shop A", "2026-06-01T00:00")
    assign_in_ui(page, "Shop B", "2026-06-01T00:00")
    expect(meters_card.get_by_test_id("assignment-meter")).to_have_count(2)
    held = {
        a["device_id"]: a for a in admin_client.get(f"/api/tenants/{grocer['id']}/meters").json()
    }
    assert datetime.fromisoformat(held[shop_b]["start"]) == JUNE_1
    page.get_by_test_id(f"assignment-end-{held[shop_b]['id']}").click()
    page.get_by_test_id("end-assignment-end").fill("2026-06-16T00:00")
    page.get_by_test_id("end-assignment-submit").click()
    expect(page.get_by_test_id("end-assignment-form")).to_have_count(0)
    moved_out = datetime(2026, 6, 16, tzinfo=SAST)
    ended = admin_client.get(f"/api/tenants/{grocer['id']}/meters").json()
    assert {a["device_id"]: a["end"] for a in ended}[shop_b] is not None
    assert datetime.fromisoformat({a["device_id"]: a["end"] for a in ended}[shop_b]) == moved_out

    # Bakery takes Shop B over at that instant (through the API).
    bakery = ok(
        admin_client.post(
            f"/api/sites/{site_id}/tenants",
            json={"name": "Bakery", "rule": {"kind": "pass_through", "apportion": "energy"}},
        )
    )
    ok(
        admin_client.post(
            f"/api/tenants/{bakery['id']}/meters",
            json={"device_id": shop_b, "start": moved_out.isoformat()},
        )
    )

    # The month's bills: Grocer 9,000 kWh, Bakery 1,800 kWh.
    page.get_by_test_id("tenants-tab-bills").click()
    page.goto(f"{live_server.url}/tenants?site={site_id}&tab=bills&month={MONTH}")
    expect(page.get_by_test_id(f"tenant-bills-row-{bakery['id']}")).to_be_visible()
    page.get_by_test_id(f"tenant-bill-open-{grocer['id']}").click()
    document = page.get_by_test_id("tenant-bill-document")
    expect(document.get_by_test_id("tenant-bill-name")).to_have_text("Grocer")
    expect(document.get_by_test_id("tenant-bill-energy")).to_have_attribute("data-kwh", "9000")
    shop_b_row = document.get_by_test_id(f"tenant-bill-meter-device-{shop_b}")
    expect(shop_b_row.get_by_test_id("meter-opening")).to_have_attribute("data-kwh", "530")
    expect(shop_b_row.get_by_test_id("meter-closing")).to_have_attribute("data-kwh", "2330")
    expect(shop_b_row.get_by_test_id("meter-energy")).to_have_attribute("data-kwh", "1800")
    grocer_bill = ok(admin_client.get(f"/api/tenants/{grocer['id']}/bill", params={"month": MONTH}))
    expect(document.get_by_test_id("tenant-bill-total")).to_have_text(
        f"{grocer_bill['total']:,.2f}"
    )
    expect(document.get_by_test_id("tenant-bill-line-fixed")).to_be_visible()
    expect(page.get_by_test_id("tenant-bill-csv")).to_have_attribute(
        "href", f"/api/tenants/{grocer['id']}/bill.csv?month={MONTH}"
    )

    # The reconciliation adds up to the utility bill, to the cent.
    page.goto(f"{live_server.url}/tenants?site={site_id}&tab=reconciliation&month={MONTH}")
    reconciliation = page.get_by_test_id("reconciliation")
    expect(reconciliation).to_have_attribute("data-adds-up", "true")
    rec = ok(admin_client.get(f"/api/sites/{site_id}/reconciliation", params={"month": MONTH}))
    utility = rec["utility"]["subtotal"]
    assert round(rec["recovered_subtotal"] + rec["landlord_share"]["cost"], 2) == utility
    assert rec["utility"]["energy_kwh"] == 18000
    assert rec["unmetered"]["energy_kwh"] == 7200
    expect(reconciliation.get_by_test_id("reconciliation-sum")).to_have_text(f"{utility:,.2f}")
    expect(reconciliation.get_by_test_id("reconciliation-check")).to_have_text(
        "the utility bill, to the cent"
    )
    chart = reconciliation.get_by_test_id("reconciliation-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-points", "4")  # Grocer, Bakery, common areas, unmetered
    expect(chart.locator("canvas")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The admin gives Grocer an account (Settings → Users, role Tenant); its user signs in:
    # its portal, its bill, nothing of Bakery's.
    page.goto(f"{live_server.url}/settings/users")
    page.get_by_test_id("create-user").click()
    form = page.get_by_test_id("create-user-form")
    form.get_by_test_id("user-form-email").fill("grocer@example.com")
    form.get_by_test_id("user-form-name").fill("Grocer accounts")
    form.get_by_test_id("user-form-password").fill(TENANT_PASSWORD)
    form.get_by_test_id("user-form-confirm").fill(TENANT_PASSWORD)
    form.get_by_test_id("user-form-role").get_by_text("Tenant").click()
    form.get_by_test_id("user-form-tenant").click()
    choose(page, "Grocer")
    page.get_by_test_id("create-user-submit").click()
    expect(page.get_by_test_id("user-row-grocer@example.com")).to_contain_text("Tenant")
    (account,) = [u for u in admin_client.get("/api/users").json() if u["role"] == "tenant"]
    assert account["tenant_id"] == grocer["id"]
    page.context.clear_cookies()
    log_in(page, live_server.url, "grocer@example.com", TENANT_PASSWORD, path=f"/?month={MONTH}")
    expect(page.get_by_test_id("tenant-portal")).to_be_visible()
    expect(page.get_by_test_id("portal-tenant-name")).to_have_text("Grocer")
    expect(page.get_by_test_id("nav")).to_have_count(0)
    expect(page.get_by_test_id("portal-meter-name")).to_have_count(2)
    own = page.get_by_test_id("tenant-bill-document")
    expect(own).to_have_attribute("data-tenant", str(grocer["id"]))
    expect(own.get_by_test_id("tenant-bill-energy")).to_have_attribute("data-kwh", "9000")
    # June's energy per day: Shop B counts only while Grocer held it (to 16 June)
    energy = page.get_by_test_id("portal-energy-chart")
    expect(energy).to_have_attribute("data-state", "ready")
    expect(energy).to_have_attribute("data-points", "30")
    page.screenshot(path=str(PORTAL_SCREENSHOT), full_page=True)
    expect(page.get_by_test_id("portal-energy-total")).to_have_attribute("data-kwh", "9000")

    with page.expect_response(lambda r: f"/api/tenants/{bakery['id']}/bill?" in r.url) as answer:
        page.goto(f"{live_server.url}/tenants/{bakery['id']}/bill?month={MONTH}")
    assert answer.value.status == 404
    expect(page.get_by_test_id("tenant-bill-not-found")).to_contain_text("not found")
    expect(page.get_by_test_id("tenant-bill-document")).to_have_count(0)

    page.goto(f"{live_server.url}/sites")
    expect(page.get_by_test_id("portal-not-available")).to_be_visible()
    tenant_http = login_client(live_server.url, "grocer@example.com", TENANT_PASSWORD)
    try:
        other = tenant_http.get(f"/api/tenants/{bakery['id']}/bill", params={"month": MONTH})
        assert other.status_code == 404, other.text
        assert tenant_http.get("/api/sites").status_code == 403
    finally:
        tenant_http.close()
