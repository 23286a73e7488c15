"""Gateways over MQTT in a real Chromium: a gateway publishes through the real mosquitto,
shows up as pending, an admin accepts it into a site, its readings and health appear,
and the offline badge follows a (short) silence."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.browser import log_in
from tests.support.database import url_string
from tests.support.mosquitto import Gateway, Mosquitto, firmware_message
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer

GATEWAY = "ACV-112233445566"
OFFLINE_AFTER = 4.0


@pytest.fixture
def settings(db_url: URL, tmp_path: Path, mosquitto: Mosquitto) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        mqtt={
            "url": mosquitto.url,
            "client_id": f"portal-e2e-{uuid.uuid4().hex[:8]}",
            "batch_max_seconds": 0.3,
            "offline_after_seconds": OFFLINE_AFTER,
        },
    )


def wait_for_api(admin: httpx.Client, path: str, check: object, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + 20
    while not check(admin.get(path).json()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


def test_a_gateway_is_accepted_into_a_site_then_reports_and_goes_offline(
    live_server: LiveServer,
    page: Page,
    admin_client: httpx.Client,
    mosquitto: Mosquitto,
    tmp_path: Path,
) -> None:
    base = live_server.url
    site = admin_client.post(
        "/api/sites", json={"name": "Plant", "timezone": "Africa/Johannesburg"}
    )
    assert site.status_code == 201, site.text
    wait_for_api(admin_client, "/api/gateways/bridge", lambda b: b["connected"], "connected")

    # a gateway nobody knows boots, registers and sends a reading
    gateway = Gateway(mosquitto, GATEWAY, will=False)
    try:
        gateway.wait(
            [
                gateway.register(fw="1.4.2", model="Acuvim II"),
                gateway.telemetry(firmware_message(GATEWAY, int(time.time()) - 60)),
            ]
        )
        wait_for_api(
            admin_client,
            "/api/gateways/pending",
            lambda p: len(p) == 1 and p[0]["message_count"] == 2,
            "the gateway is pending",
        )

        log_in(page, base, ADMIN_EMAIL, ADMIN_PASSWORD, path="/sites")
        expect(page.get_by_test_id("bridge-status")).to_have_attribute("data-state", "connected")
        row = page.get_by_test_id(f"pending-gateway-{GATEWAY}")
        expect(row).to_contain_text("Acuvim II")
        expect(row.get_by_test_id("pending-gateway-messages")).to_have_text("2")
        page.screenshot(path=str(tmp_path / "pending.png"), full_page=True)

        # accept it into the site (the only site is preselected)
        row.get_by_test_id("pending-gateway-accept").click()
        form = page.get_by_test_id("accept-gateway-form")
        form.get_by_test_id("accept-gateway-name").fill("Press line")
        page.get_by_test_id("accept-gateway-submit").click()
        expect(page.get_by_text("Press line is now a device of Plant")).to_be_visible()
        expect(page.get_by_test_id("pending-gateways-empty")).to_be_visible()
        expect(
            page.get_by_test_id("site-row-Plant").get_by_test_id("site-device-count")
        ).to_have_text("1")

        # from now on it reports: a heartbeat and a reading
        gateway.wait(
            [
                gateway.heartbeat(
                    {"fw": "1.4.2", "up": 7200, "rssi": -61, "mb_err": 0.0, "sd": "ok"}
                ),
                gateway.telemetry(firmware_message(GATEWAY, int(time.time()))),
            ]
        )
        wait_for_api(
            admin_client,
            "/api/gateways/health",
            lambda h: len(h) == 1 and h[0]["latest_power_kw"] is not None,
            "its reading is stored",
        )
        page.get_by_test_id("site-link").click()
        device = page.get_by_test_id(f"device-row-{GATEWAY}")
        expect(device).to_contain_text("Press line")
        expect(device.get_by_test_id("gateway-connection")).to_have_attribute(
            "data-state", "online"
        )
        expect(device.get_by_test_id("gateway-power")).to_have_text("13.4 kW")
        expect(device.get_by_test_id("gateway-firmware")).to_have_text("1.4.2")
        expect(device.get_by_test_id("gateway-signal")).to_have_text("-61 dBm")
        expect(device.get_by_test_id("reading-age")).to_have_text(re.compile("just now|min ago"))
        page.screenshot(path=str(tmp_path / "online.png"), full_page=True)

        # then silence: after OFFLINE_AFTER seconds the badge says so, without a reload
        expect(device.get_by_test_id("gateway-connection")).to_have_attribute(
            "data-state", "silent", timeout=(OFFLINE_AFTER + 15) * 1000
        )
        expect(device.get_by_test_id("gateway-connection")).to_have_text("Offline")
    finally:
        gateway.close()
