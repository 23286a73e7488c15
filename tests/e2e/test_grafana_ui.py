"""The Dashboards page and Settings → Grafana, in a real Chromium.

No Grafana runs here: the frame's content is the portal's "Grafana is not reachable"
404 page (never the web app nested in itself). The page fixture fails a test on any
console error other than "Failed to load resource", so a CSP violation by the frame
fails it too.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, Credentials, LiveServer

KIOSK_SRC = "/grafana/d/power-overview/power-overview?kiosk&theme={theme}"


def test_without_grafana_the_page_explains_the_setup(live_server: LiveServer, page: Page) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_test_id("nav-dashboards").click()
    expect(page).to_have_url(f"{live_server.url}/dashboards")
    setup = page.get_by_test_id("grafana-setup")
    expect(setup).to_contain_text("Grafana is not set up yet")
    expect(setup).to_contain_text("portal grafana provision /etc/grafana/provisioning")
    expect(page.locator("iframe")).to_have_count(0)
    page.get_by_test_id("grafana-setup-link").click()
    expect(page).to_have_url(f"{live_server.url}/settings/grafana")
    expect(page.get_by_role("tab", name="Grafana")).to_have_attribute("aria-selected", "true")


def test_admin_configures_a_dashboard_and_the_page_frames_it_in_the_brand_theme(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/grafana")
    expect(page.get_by_test_id("grafana-unsaved")).to_be_visible()
    page.get_by_test_id("grafana-use-provisioned").click()
    expect(page.get_by_test_id("grafana-base-url")).to_have_value("/grafana")
    expect(page.get_by_test_id("grafana-dashboard-uid-0")).to_have_value("power-overview")
    page.get_by_test_id("grafana-save").click()
    expect(page.get_by_text("Grafana settings saved")).to_be_visible()
    expect(page.get_by_test_id("grafana-unsaved")).to_have_count(0)
    saved = admin_client.get("/api/grafana/settings").json()
    assert saved["configured"] is True
    assert [d["uid"] for d in saved["dashboards"]] == ["power-overview"]

    page.get_by_test_id("nav-dashboards").click()
    frame = page.get_by_test_id("grafana-frame")
    expect(frame).to_have_attribute("src", KIOSK_SRC.format(theme="light"))
    expect(frame).to_have_attribute("title", "Power overview")
    # same origin: the frame's document is this portal's (here its 404 page, no Grafana runs)
    resolved = frame.evaluate("f => new URL(f.src, location.href).origin")
    assert resolved == live_server.url
    expect(page.frame_locator("[data-testid='grafana-frame']").locator("h1")).to_have_text(
        "Grafana is not reachable at this address"
    )
    expect(page.get_by_test_id("grafana-setup")).to_have_count(0)

    # the brand goes dark: so does the dashboard
    branding = admin_client.get("/api/branding").json()
    dark = {
        key: branding[key]
        for key in (
            "product_name",
            "primary_color",
            "secondary_color",
            "tagline",
            "support_email",
            "support_url",
        )
    } | {"theme": "dark"}
    assert admin_client.put("/api/branding", json=dark).status_code == 200
    page.reload()
    expect(page.get_by_test_id("grafana-frame")).to_have_attribute(
        "src", KIOSK_SRC.format(theme="dark")
    )
    expect(page.get_by_test_id("grafana-open")).to_have_attribute(
        "href", "/grafana/d/power-overview/power-overview?theme=dark"
    )


def test_a_viewer_sees_the_dashboards_but_not_settings_grafana(
    live_server: LiveServer, page: Page, viewer: Credentials, admin_client: httpx.Client
) -> None:
    saved = admin_client.put(
        "/api/grafana/settings",
        json={
            "base_url": "/grafana",
            "dashboards": [
                {"title": "Power overview", "uid": "power-overview"},
                {"title": "Plant floor", "uid": "plant-floor", "height": 700},
            ],
        },
    )
    assert saved.status_code == 200, saved.text
    log_in(page, live_server.url, viewer.email, viewer.password, "/dashboards")
    expect(page.get_by_test_id("grafana-frame")).to_have_attribute(
        "src", KIOSK_SRC.format(theme="light")
    )
    page.get_by_test_id("grafana-dashboard-picker").get_by_text("Plant floor").click()
    expect(page.get_by_test_id("grafana-frame")).to_have_attribute(
        "src", "/grafana/d/plant-floor/plant-floor?kiosk&theme=light"
    )
    expect(page).to_have_url(f"{live_server.url}/dashboards?dashboard=plant-floor")

    expect(page.get_by_test_id("nav-settings-grafana")).to_have_count(0)
    page.goto(f"{live_server.url}/settings/grafana")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("grafana-form")).to_have_count(0)
