"""Alerts when things go wrong, with real parts: a real ``portal serve`` killed with SIGKILL
between the state change and the send (exactly one mail after the restart), an SMTP server
down for a while (the mail arrives once it is back), and a gateway over a real mosquitto
whose meter goes quiet and comes back (its offline alert raises and clears)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import AlertSettings, Settings
from tests.support.database import sql, url_string
from tests.support.mosquitto import Gateway, Mosquitto, firmware_message
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    PortalProcess,
    ingest,
    login_client,
    wait_until,
)
from tests.support.smtp import SmtpServer

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
GATEWAY = "ACV-0A1B2C3D4E5F"


def surge(minutes: int = 45, kw: float = 600.0) -> list[dict[str, Any]]:
    return [
        {
            "time": (START + timedelta(minutes=i)).isoformat(),
            "energy_import_kwh": 1000 + kw * i / 60,
        }
        for i in range(minutes + 1)
    ]


def metered_site(admin: httpx.Client, serial: str = "ACV-000001") -> tuple[int, int, str]:
    site = admin.post("/api/sites", json={"name": "Plant", "timezone": "Africa/Johannesburg"})
    assert site.status_code == 201, site.text
    device = admin.post(
        f"/api/sites/{site.json()['id']}/devices", json={"name": "Incomer", "serial": serial}
    )
    assert device.status_code == 201, device.text
    device_id = int(device.json()["id"])
    token = admin.post(f"/api/devices/{device_id}/tokens", json={})
    assert token.status_code == 201, token.text
    return int(site.json()["id"]), device_id, token.json()["token"]


def demand_rule(admin: httpx.Client, device_id: int) -> None:
    created = admin.post(
        "/api/alert-rules",
        json={
            "name": "Incomer demand",
            "device_id": device_id,
            "kind": "demand_above",
            "severity": "critical",
            "params": {"unit": "kw", "threshold": 400},
        },
    )
    assert created.status_code == 201, created.text


def deliveries(admin: httpx.Client) -> list[dict[str, Any]]:
    response = admin.get("/api/notifications")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_kill_between_the_state_change_and_the_send_still_mails_exactly_once(
    portal_process: Callable[..., PortalProcess],
    db_url: URL,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    environment = {
        "PORTAL_DATABASE_URL": url_string(db_url),
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PORTAL_ALERTS__TICK_SECONDS": "0.5",
        "PORTAL_ALERTS__SENDER_POLL_SECONDS": "0.2",
        # the stack's SMTP relay from the environment (a fleet's default)
        "PORTAL_SMTP__HOST": smtp_server.host,
        "PORTAL_SMTP__PORT": str(smtp_server.port),
        "PORTAL_SMTP__SECURITY": "none",
        "PORTAL_SMTP__FROM_ADDRESS": "alerts@portal.example",
    }
    # The first portal evaluates and queues but does not send: the kill lands after the
    # transition and its notification were committed and before any send.
    first = portal_process(**environment, PORTAL_ALERTS__SEND="false")
    first.start()
    admin = login_client(first.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    _, device_id, token = metered_site(admin)
    demand_rule(admin, device_id)
    assert ingest(first.url, token, surge()).status_code == 200
    (queued,) = wait_until(
        lambda: [d for d in deliveries(admin) if d["status"] == "pending"], "the mail is queued"
    )
    admin.close()
    first.kill()
    assert smtp_server.received == []

    second = portal_process(**environment)
    second.start()
    admin = login_client(second.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    (mail,) = smtp_server.wait_for(1)
    assert mail.message["Subject"].startswith("[critical] Incomer demand: Incomer")
    sent = wait_until(
        lambda: [d for d in deliveries(admin) if d["status"] == "sent"], "the delivery is sent"
    )
    assert [(d["id"], d["attempts"]) for d in sent] == [(queued["id"], 1)]
    # Sent and marked: no process holds it any more, so this one mail is all there will be.
    assert len(smtp_server.received) == 1
    assert [a["state"] for a in admin.get("/api/alerts").json()] == ["firing"]
    admin.close()
    assert second.terminate()


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        alerts=AlertSettings(
            tick_seconds=0.5, sender_poll_seconds=0.2, retry_base_seconds=0.2, retry_cap_seconds=0.5
        ),
    )


def test_an_smtp_server_down_for_a_while_gets_the_mail_once_it_is_back(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server()
    server.stop()
    saved = admin_client.put(
        "/api/notification-channels/smtp",
        json={
            "host": server.host,
            "port": server.port,
            "security": "none",
            "from_address": "alerts@portal.example",
        },
    )
    assert saved.status_code == 200, saved.text
    _, device_id, token = metered_site(admin_client)
    demand_rule(admin_client, device_id)
    assert ingest(live_server.url, token, surge()).status_code == 200
    failing = wait_until(
        lambda: [d for d in deliveries(admin_client) if d["attempts"] >= 2],
        "the sender has failed twice",
    )
    assert failing[0]["status"] == "pending"
    assert failing[0]["last_error"]

    server.start()
    (mail,) = server.wait_for(1)
    assert mail.recipients == (ADMIN_EMAIL,)
    wait_until(
        lambda: [d["status"] for d in deliveries(admin_client)] == ["sent"], "marked as sent"
    )
    assert len(server.received) == 1


@pytest.fixture
def gateway(mosquitto: Mosquitto) -> Iterator[Gateway]:
    client = Gateway(mosquitto, GATEWAY)
    yield client
    client.client.loop_stop()
    client.client.disconnect()


def test_a_meter_behind_an_mqtt_gateway_that_goes_quiet_raises_and_clears_its_alert(
    db_url: URL, tmp_path: Path, mosquitto: Mosquitto, gateway: Gateway
) -> None:
    data_dir = tmp_path / "mqtt-data"
    data_dir.mkdir()
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=data_dir,
            admin_password=ADMIN_PASSWORD,
            mqtt={"url": mosquitto.url, "client_id": f"portal-{uuid.uuid4().hex[:8]}"},
            alerts=AlertSettings(tick_seconds=0.5),
        )
    )
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        site_id, device_id, _ = metered_site(admin, serial=GATEWAY)
        wait_until(lambda: admin.get("/api/gateways/bridge").json()["connected"], "connected")
        # The gateway is alive (heartbeats) but its meter's newest reading is 12 minutes old.
        now = time.time()
        gateway.wait(
            [
                gateway.heartbeat({"fw": "1.4.2"}),
                *(
                    gateway.telemetry(firmware_message(GATEWAY, now - 900 + 60 * k))
                    for k in range(4)
                ),
            ]
        )
        wait_until(
            lambda: (
                sql(
                    db_url,
                    "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s",
                    device_id,
                )
                == [(4,)]
            ),
            "the telemetry is stored",
        )
        rule = admin.post(
            "/api/alert-rules",
            json={
                "name": "Meter offline",
                "site_id": site_id,
                "kind": "offline",
                "params": {"minutes": 10},
            },
        ).json()
        alert = wait_until(
            lambda: admin.get("/api/alerts", params={"rule_id": rule["id"]}).json(),
            "the offline alert",
        )[0]
        assert alert["state"] == "firing"
        assert alert["subject"]["id"] == device_id
        assert "no reading for 12 min" in alert["message"]

        # The meter speaks again through the gateway: the alert clears.
        gateway.wait([gateway.telemetry(firmware_message(GATEWAY, time.time()))])
        resolved = wait_until(
            lambda: (
                (a := admin.get(f"/api/alerts/{alert['id']}").json())["state"] == "resolved" and a
            ),
            "the alert to clear",
        )
        assert [e["event"] for e in resolved["events"]] == ["fired", "resolved"]
        admin.close()
    finally:
        server.stop()
