"""Alerts in a real Chromium, end to end: an admin creates a demand rule in Settings → Alerts
and sees its backtest find yesterday's surge on the chart before saving; readings that cross
it arrive over HTTP; the header's bell counts it; the mail is in a real SMTP server; the admin
acknowledges it on the Alerts page (the bell clears); the load drops and it resolves into the
history.

Readings of a 200 kW plant whose register the test writes: yesterday one 45-minute surge to
600 kW (the backtest's one episode), today 600 kW for the last 45 minutes (the live alert),
then nothing for half an hour (the 30-minute demand drops to 300 kW, under the 380 kW clear
value, then to 0).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import URL

from power_portal.settings import AlertSettings, Settings
from tests.support.browser import log_in
from tests.support.database import url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest, wait_until
from tests.support.smtp import SmtpServer

SCREENSHOT = Path("/tmp/alerts.png")


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        alerts=AlertSettings(tick_seconds=0.5, sender_poll_seconds=0.2),
    )


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def register_rows(start: datetime, loads_kw: list[float], energy: float) -> list[dict[str, Any]]:
    """One reading a minute from ``start``, the register advancing at each minute's load."""
    rows = []
    for minute, kw in enumerate(loads_kw):
        rows.append(
            {"time": (start + timedelta(minutes=minute)).isoformat(), "energy_import_kwh": energy}
        )
        energy += kw / 60
    return rows


def choose(page: Page, test_id: str, label: str) -> None:
    page.get_by_test_id(test_id).click()
    page.locator(f".ant-select-item-option[title='{label}']:visible").click()
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def test_a_demand_rule_from_backtest_to_mail_to_acknowledged_to_resolved(
    live_server: LiveServer,
    admin_client: httpx.Client,
    page: Page,
    smtp_server: SmtpServer,
) -> None:
    site = ok(
        admin_client.post("/api/sites", json={"name": "Plant", "timezone": "Africa/Johannesburg"})
    )
    device = ok(
        admin_client.post(
            f"/api/sites/{site['id']}/devices", json={"name": "Incomer", "serial": "ACV-E2E-1"}
        )
    )
    token = ok(admin_client.post(f"/api/devices/{device['id']}/tokens", json={}))["token"]
    ok(
        admin_client.put(
            "/api/notification-channels/smtp",
            json={
                "host": smtp_server.host,
                "port": smtp_server.port,
                "security": "none",
                "from_address": "alerts@portal.example",
                "from_name": "Plant alerts",
            },
        )
    )
    now = datetime.now(UTC)
    newest = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 15)
    yesterday = newest - timedelta(days=1, hours=3)
    history = register_rows(yesterday, [200.0] * 60 + [600.0] * 45 + [200.0] * 61, 10_000.0)
    assert ok(ingest(live_server.url, token, history))["accepted"] == len(history)

    # Settings → Alerts: a demand rule on the site, its backtest before saving.
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/alerts")
    page.get_by_test_id("new-alert-rule").click()
    page.get_by_test_id("rule-name").fill("Plant demand")
    choose(page, "rule-site", "Plant")
    page.get_by_test_id("rule-param-threshold").fill("400")
    page.get_by_test_id("rule-param-clear_below").fill("380")
    page.get_by_test_id("rule-backtest").click()
    summary = page.get_by_test_id("backtest-summary")
    expect(summary).to_have_attribute("data-fired", "1")
    expect(summary).to_contain_text("would have fired once")
    expect(page.get_by_test_id("backtest-chart")).to_be_visible()
    page.get_by_test_id("rule-form-submit").click()
    expect(page.get_by_test_id("rule-form-modal")).to_have_count(0)
    expect(page.get_by_test_id("alert-rules-table")).to_contain_text("Plant demand")
    [rule] = ok(admin_client.get("/api/alert-rules"))
    assert rule["params"] == {"unit": "auto", "threshold": 400.0, "clear_below": 380.0}

    # Readings cross it: 45 minutes at 600 kW, ending half an hour ago.
    energy = history[-1]["energy_import_kwh"] + 1000.0
    surge = register_rows(newest - timedelta(minutes=75), [600.0] * 46, energy)
    assert ok(ingest(live_server.url, token, surge))["accepted"] == len(surge)
    badge = page.get_by_test_id("alerts-badge")
    expect(badge).to_have_attribute("data-count", "1", timeout=30_000)
    (mail,) = smtp_server.wait_for(1)
    assert mail.message["Subject"] == "[warning] Plant demand: Plant fired"
    plain = mail.message.get_body(preferencelist=("plain",))
    assert plain is not None
    assert "600" in plain.get_content()

    # The Alerts page: acknowledge it with a note; the bell clears.
    badge.click()
    expect(page).to_have_url(f"{live_server.url}/alerts")
    [alert] = ok(admin_client.get("/api/alerts", params={"state": "firing"}))
    expect(page.get_by_test_id(f"alert-row-{alert['id']}")).to_contain_text("Plant demand")
    page.get_by_test_id(f"acknowledge-{alert['id']}").click()
    page.get_by_test_id("acknowledge-note").fill("Compressor 2 stopped")
    page.get_by_test_id("acknowledge-submit").click()
    expect(page.get_by_test_id("acknowledge-modal")).to_have_count(0)
    expect(badge).to_have_attribute("data-count", "0")
    page.get_by_test_id("alerts-tab-acknowledged").click()
    expect(page.get_by_test_id(f"alert-row-{alert['id']}")).to_contain_text("Compressor 2 stopped")

    # The load drops: it resolves, and the history shows it.
    quiet = register_rows(
        newest - timedelta(minutes=29), [0.0] * 30, surge[-1]["energy_import_kwh"]
    )
    assert ok(ingest(live_server.url, token, quiet))["accepted"] == len(quiet)
    wait_until(
        lambda: ok(admin_client.get(f"/api/alerts/{alert['id']}"))["state"] == "resolved",
        "the alert to resolve",
        timeout=30,
    )
    page.get_by_test_id("alerts-tab-history").click()
    row = page.get_by_test_id(f"alert-row-{alert['id']}")
    expect(row).to_contain_text("Resolved")
    row.click()
    expect(page.get_by_test_id("alert-state")).to_have_attribute("data-state", "Resolved")
    expect(page.get_by_test_id("alert-events")).to_contain_text("acknowledged")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
