"""The metering tree in a real Chromium: an admin drags meters under the incomer, marks it as
the supply point, sees the site total become the incomer's alone, the unmetered remainder and
the Sankey of the flow, has a refused move explained, and gets a discrepancy warning once a
sub-meter reads more than its parent."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest

SAST = ZoneInfo("Africa/Johannesburg")
SCREENSHOT = Path("/tmp/metering-tree.png")
MINUS = "\u2212"  # the minus sign the formulas are written with


def steady_readings(
    start: datetime, hours: float, kw: float, register_kwh: float = 1000.0
) -> list[dict[str, Any]]:
    """Cumulative import registers every 15 minutes from ``start`` for ``hours`` at ``kw``."""
    rows: list[dict[str, Any]] = []
    for step in range(int(hours * 4) + 1):
        t = start + timedelta(minutes=15 * step)
        rows.append(
            {
                "time": t.isoformat(),
                "energy_import_kwh": register_kwh + kw * step / 4,
                "power_kw": kw,
            }
        )
    return rows


def add_meter(admin: httpx.Client, site_id: int, name: str, serial: str) -> tuple[int, str]:
    device = admin.post(
        f"/api/sites/{site_id}/devices", json={"name": name, "serial": serial, "model": "Acuvim II"}
    )
    assert device.status_code == 201, device.text
    device_id = int(device.json()["id"])
    token = admin.post(f"/api/devices/{device_id}/tokens", json={})
    assert token.status_code == 201, token.text
    return device_id, str(token.json()["token"])


def drag_under(page: Page, device_id: int, parent_id: int) -> None:
    """Drag a meter's name onto another meter, to the right of where it started (rc-tree reads
    a drag that ends further right, on the lower half of a node, as "into it")."""
    name = page.get_by_test_id(f"tree-node-{device_id}").get_by_test_id("tree-node-name")
    target = page.get_by_test_id(f"tree-node-{parent_id}")
    start = name.bounding_box()
    box = target.bounding_box()
    assert start is not None
    assert box is not None
    name.drag_to(
        target,
        source_position={"x": 4, "y": start["height"] / 2},
        target_position={"x": start["x"] + 4 - box["x"] + 80, "y": box["height"] * 0.8},
    )


def choose(page: Page, label: str) -> None:
    """Pick an option of the open antd Select (its list items carry a title), and wait for its
    list to close, so that the next Select's list is the only one shown."""
    page.locator(f".ant-select-item-option[title='{label}']:visible").click()
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def kwh_of(locator: Locator) -> float:
    expect(locator).to_have_attribute("data-kwh", re.compile(r"\d"))
    value = locator.get_attribute("data-kwh")
    assert value is not None
    return float(value)


def test_admin_builds_the_tree_marks_the_supply_and_sees_remainder_sankey_and_discrepancy(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    site = admin_client.post("/api/sites", json={"name": "Mall", "timezone": "Africa/Johannesburg"})
    assert site.status_code == 201, site.text
    site_id = int(site.json()["id"])
    incomer, incomer_token = add_meter(admin_client, site_id, "Incomer", "ACV-INC-1")
    shop_a, shop_a_token = add_meter(admin_client, site_id, "Shop A", "ACV-SHA-1")
    shop_b, shop_b_token = add_meter(admin_client, site_id, "Shop B", "ACV-SHB-1")

    # Today, local time: 100 kWh through the incomer, 40 and 25 kWh through the shops.
    midnight = datetime.now(SAST).replace(hour=0, minute=0, second=0, microsecond=0)
    for token, kw in ((incomer_token, 25.0), (shop_a_token, 10.0), (shop_b_token, 6.25)):
        rows = steady_readings(midnight, 4, kw)
        assert ingest(live_server.url, token, rows).json()["accepted"] == len(rows)

    today = midnight.date()
    span = {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    before = admin_client.get(f"/api/sites/{site_id}/tree", params=span).json()
    energy = {n["id"]: n["energy_import_kwh"] for n in before["nodes"]}
    assert energy[incomer] == 100.0, before
    assert before["metering"] == "all_devices"
    assert before["site_energy_import_kwh"] == 165.0

    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path=f"/sites/{site_id}")
    section = page.get_by_test_id("metering-tree-section")
    expect(section.get_by_test_id("metering-all-devices")).to_contain_text(
        "this site has no supply point: totals add all devices", ignore_case=True
    )
    total = section.get_by_test_id("tree-site-total")
    expect(total).to_have_attribute("data-kwh", "165")
    expect(section.get_by_test_id(f"tree-energy-{incomer}")).to_have_text("100.0 kWh")
    expect(section.get_by_test_id("sankey-chart")).to_have_attribute("data-state", "empty")

    # Drag both shops under the incomer.
    drag_under(page, shop_a, incomer)
    expect(page.get_by_test_id("device-row-ACV-SHA-1")).to_contain_text("Incomer")
    drag_under(page, shop_b, incomer)
    expect(page.get_by_test_id("device-row-ACV-SHB-1")).to_contain_text("Incomer")
    assert admin_client.get(f"/api/devices/{shop_b}").json()["parent_id"] == incomer
    expect(section.get_by_test_id(f"tree-remainder-{incomer}")).to_contain_text(
        "unmetered 35.0 kWh"
    )

    # Mark the incomer as the supply point: the site total is now the incomer's alone.
    section.get_by_test_id(f"tree-role-{incomer}").click()
    choose(page, "Supply point")
    expect(section.get_by_test_id(f"tree-node-{incomer}").get_by_test_id("role-tag")).to_have_text(
        "Supply"
    )
    expect(section.get_by_test_id("metering-all-devices")).to_have_count(0)
    expect(total).to_have_attribute("data-kwh", "100")
    expect(page.get_by_test_id("site-metering")).to_have_text("supply points")
    assert admin_client.get(f"/api/sites/{site_id}").json()["metering"] == "supply_points"

    # The Sankey: incomer → both shops and its unmetered remainder.
    chart = section.get_by_test_id("sankey-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart.locator("canvas")).to_have_count(1)
    section.get_by_test_id("sankey-flows-toggle").click()
    expect(section.get_by_test_id(f"flow-device-{incomer}-remainder-{incomer}")).to_contain_text(
        re.compile(r"Unmetered / losses \(Incomer\)\s*35\.0")
    )
    expect(section.get_by_test_id(f"flow-device-{incomer}-device-{shop_a}")).to_contain_text("40.0")

    # A sub-meter cannot leave the supply point's tree: the API's refusal is shown.
    shop_b_name = section.get_by_test_id(f"tree-node-{shop_b}").get_by_test_id("tree-node-name")
    shop_b_name.drag_to(section.get_by_test_id("tree-root-drop"))
    expect(section.get_by_test_id("tree-problem")).to_contain_text("Shop B")
    assert admin_client.get(f"/api/devices/{shop_b}").json()["parent_id"] == incomer

    # A virtual meter for what the shops do not use: Incomer minus Shop A minus Shop B.
    page.get_by_test_id("virtual-meter-create").click()
    form = page.get_by_test_id("virtual-meter-form")
    form.get_by_test_id("virtual-meter-name").fill("Common areas")
    page.get_by_test_id("virtual-meter-add-term").click()
    for index, (sign, meter) in enumerate((("+", "Incomer"), (MINUS, "Shop A"), (MINUS, "Shop B"))):
        form.get_by_test_id(f"virtual-meter-term-{index}-sign").click()
        choose(page, sign)
        form.get_by_test_id(f"virtual-meter-term-{index}-meter").click()
        choose(page, meter)
    expect(form.get_by_test_id("virtual-meter-preview")).to_have_text(
        f"= Incomer {MINUS} Shop A {MINUS} Shop B"
    )
    page.get_by_test_id("virtual-meter-form-submit").click()
    expect(page.get_by_test_id("virtual-meter-formula")).to_have_text(
        f"= Incomer {MINUS} Shop A {MINUS} Shop B"
    )
    (meter,) = admin_client.get(f"/api/sites/{site_id}/virtual-meters").json()

    # The dashboard's picker shows the tree and the virtual meter, whose energy it shows.
    page.get_by_test_id("site-dashboard").click()
    page.get_by_test_id("device-picker").click()
    # the site total, the incomer with both shops below it, and the virtual meters group
    expect(page.locator(".ant-select-tree-treenode:visible")).to_have_count(6)
    page.locator(".ant-select-tree-node-content-wrapper[title='Common areas']").click()
    expect(page).to_have_url(re.compile(rf"device=vm%3A{meter['id']}|device=vm:{meter['id']}"))
    expect(page.get_by_test_id("dashboard-subtitle")).to_contain_text("Common areas")
    expect(page.get_by_test_id("kpi-energy-today-value")).to_have_text("35.0")
    page.goto(f"{live_server.url}/sites/{site_id}")

    # Shop A reads 200 kWh more while the incomer reads nothing: a discrepancy.
    later = steady_readings(midnight + timedelta(hours=4, minutes=15), 4, 50.0, 1040.0)
    assert ingest(live_server.url, shop_a_token, later).json()["accepted"] == len(later)
    section.get_by_test_id("tree-refresh").click()
    warning = section.get_by_test_id("discrepancy-warning")
    expect(warning).to_contain_text("Shop A")
    expect(warning).to_contain_text("Incomer")
    expect(section.get_by_test_id(f"tree-remainder-{incomer}")).to_contain_text("unmetered -")
    assert kwh_of(section.get_by_test_id(f"tree-energy-{shop_a}")) > 200
    page.screenshot(path=str(SCREENSHOT), full_page=True)
