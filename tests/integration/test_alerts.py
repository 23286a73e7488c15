"""Alerts over the real API with real parts (docs/api/alerts.md): rules and their refusals,
readings over HTTP that cross a threshold and the mail a real SMTP server receives, a signed
webhook a real HTTP receiver checks, acknowledgement, resolution, gaps a back-fill closes,
offline meters, the backtest, preferences, and dead letters sent again."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import AlertSettings, Settings
from tests.support.database import sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    MeteredDevice,
    ingest,
    wait_until,
)
from tests.support.smtp import SmtpServer, WebhookReceiver

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    """Fast alert timing, and webhooks allowed to reach the loopback receiver."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        alerts=AlertSettings(
            tick_seconds=0.5,
            sender_poll_seconds=0.2,
            retry_base_seconds=0.2,
            retry_cap_seconds=0.5,
            webhook_allow_cidrs="127.0.0.1/32",
            public_url="http://portal.test",
        ),
    )


def readings(
    start: datetime, minutes: int, kw: float, energy_at_start: float = 1000.0
) -> list[dict[str, Any]]:
    """One reading a minute for ``minutes`` + 1 minutes at a constant ``kw`` load."""
    return [
        {
            "time": (start + timedelta(minutes=i)).isoformat(),
            "energy_import_kwh": energy_at_start + kw * i / 60,
            "power_kw": kw,
            "voltage_l1_v": 230.0,
            "voltage_l2_v": 231.0,
            "voltage_l3_v": 229.0,
        }
        for i in range(minutes + 1)
    ]


def use_smtp(admin: httpx.Client, server: SmtpServer) -> None:
    response = admin.put(
        "/api/notification-channels/smtp",
        json={
            "host": server.host,
            "port": server.port,
            "security": "none",
            "from_address": "alerts@portal.example",
            "from_name": "Portal alerts",
        },
    )
    assert response.status_code == 200, response.text


def demand_rule(device: MeteredDevice, **changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": "Incomer demand",
        "device_id": device.device_id,
        "kind": "demand_above",
        "severity": "critical",
        "params": {"unit": "kw", "threshold": 400, "clear_below": 380},
    }
    rule.update(changes)
    return rule


@pytest.fixture
def device(make_device: Callable[..., MeteredDevice]) -> MeteredDevice:
    return make_device()


def test_rules_are_checked_and_refusals_name_the_field(
    admin_client: httpx.Client, device: MeteredDevice
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (demand_rule(device, params={"unit": "kw"}), "params.threshold"),
        (demand_rule(device, params={"threshold": 400, "clear_below": 500}), "params"),
        (demand_rule(device, site_id=device.site_id), "site_id"),
        (demand_rule(device, device_id=999_999), "device_id"),
        (demand_rule(device, kind="bogus"), "kind"),
        (demand_rule(device, kind="peak_exceeding", params={}), "kind"),
        (
            demand_rule(
                device,
                kind="offline",
                params={"minutes": 15},
                quiet_hours={"windows": [{"days": ["sun"], "start": "00:00", "end": "24:00"}]},
            ),
            "quiet_hours",
        ),
        (
            demand_rule(
                device,
                quiet_hours={
                    "windows": [
                        {"days": ["sat", "sun"], "start": "00:00", "end": "12:00"},
                        {"days": ["sun"], "start": "10:00", "end": "14:00"},
                    ]
                },
            ),
            "quiet_hours.windows",
        ),
    ]
    for body, field in cases:
        response = admin_client.post("/api/alert-rules", json=body)
        assert response.status_code == 422, (field, response.text)
        located = [".".join(str(p) for p in e["loc"][1:]) for e in response.json()["detail"]]
        assert any(loc.startswith(field) for loc in located), (field, located)
    assert admin_client.get("/api/alert-rules").json() == []

    created = admin_client.post("/api/alert-rules", json=demand_rule(device, for_minutes=15))
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["params"] == {"unit": "kw", "threshold": 400.0, "clear_below": 380.0}
    device_name = admin_client.get(f"/api/devices/{device.device_id}").json()["name"]
    assert rule["subject_name"] == device_name
    patched = admin_client.patch(f"/api/alert-rules/{rule['id']}", json={"severity": "warning"})
    assert patched.json()["severity"] == "warning"
    assert admin_client.delete(f"/api/alert-rules/{rule['id']}").status_code == 204
    assert admin_client.get(f"/api/alert-rules/{rule['id']}").status_code == 404


def test_a_reading_over_the_threshold_mails_once_then_acknowledged_it_resolves_quietly(
    live_server: LiveServer,
    admin_client: httpx.Client,
    device: MeteredDevice,
    smtp_server: SmtpServer,
) -> None:
    use_smtp(admin_client, smtp_server)
    rule = admin_client.post("/api/alert-rules", json=demand_rule(device)).json()

    # 600 kW for 45 minutes: the 30-minute demand ending 08:45 is 600 kW.
    stored = ingest(live_server.url, device.token, readings(START, 45, 600.0))
    assert stored.status_code == 200, stored.text
    (mail,) = smtp_server.wait_for(1)
    message = mail.message
    assert message["Subject"].startswith("[critical] Incomer demand: ")
    assert message["Subject"].endswith(" fired")
    assert mail.recipients == (ADMIN_EMAIL,)
    key = message["X-Portal-Delivery"]
    assert key.startswith("alert-")
    assert message["Message-ID"] == f"<{key}@portal.example>"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "600" in text.get_content()
    assert "http://portal.test/alerts/" in text.get_content()

    firing = admin_client.get("/api/alerts", params={"state": "firing"}).json()
    assert len(firing) == 1
    alert = firing[0]
    assert alert["rule_id"] == rule["id"]
    assert alert["value"] == pytest.approx(600.0, rel=1e-6)
    assert alert["subject"]["kind"] == "device"
    assert admin_client.get("/api/alerts/summary").json()["firing"] == 1

    acked = admin_client.post(
        f"/api/alerts/{alert['id']}/acknowledge", json={"note": "load shedding started"}
    )
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged"]["note"] == "load shedding started"
    summary = admin_client.get("/api/alerts/summary").json()
    assert summary["firing"] == 0
    assert summary["acknowledged"] == 1

    # The load drops: the demand ending 09:00 is 300 kW, below the 380 kW clear value.
    quiet = readings(START + timedelta(minutes=46), 29, 0.0, energy_at_start=1450.0)
    assert ingest(live_server.url, device.token, quiet).status_code == 200
    resolved = wait_until(
        lambda: (
            admin_client.get(f"/api/alerts/{alert['id']}").json()["state"] == "resolved"
            and admin_client.get(f"/api/alerts/{alert['id']}").json()
        ),
        "the alert to resolve",
    )
    assert [e["event"] for e in resolved["events"]] == ["fired", "acknowledged", "resolved"]
    assert admin_client.post(f"/api/alerts/{alert['id']}/acknowledge", json={}).status_code == 409
    # The resolution was written with its notifications in one transaction: an acknowledged
    # alert owes none, so the outbox holds the one "fired" mail only.
    deliveries = admin_client.get("/api/notifications").json()
    assert [(d["event"], d["status"]) for d in deliveries] == [("fired", "sent")]
    assert len(smtp_server.received) == 1


def test_webhooks_are_signed_and_cannot_be_aimed_inside(
    live_server: LiveServer,
    admin_client: httpx.Client,
    device: MeteredDevice,
    webhook_receiver: WebhookReceiver,
) -> None:
    for inside in ("http://10.0.0.8/hook", "http://169.254.169.254/latest", "http://[::1]/x"):
        refused = admin_client.post(
            "/api/notification-channels/webhooks", json={"name": "x", "url": inside}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"][-1] == "url"
    created = admin_client.post(
        "/api/notification-channels/webhooks",
        json={"name": "Ops", "url": webhook_receiver.url(), "severities": ["critical"]},
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    listed = admin_client.get("/api/notification-channels").json()
    assert "secret" not in listed["webhooks"][0]
    assert secret not in str(listed)

    admin_client.post("/api/alert-rules", json=demand_rule(device))
    assert ingest(live_server.url, device.token, readings(START, 45, 600.0)).status_code == 200
    (request,) = webhook_receiver.wait_for(1)
    stamp = request.headers["x-portal-timestamp"]
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["x-portal-signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(stamp) - time.time()) < 300
    payload = httpx.Response(200, content=request.body).json()
    assert payload["event"] == "fired"
    assert payload["id"] == request.headers["x-portal-delivery"]
    assert payload["alert"]["severity"] == "critical"
    assert payload["alert"]["value"] == pytest.approx(600.0)
    assert payload["alert"]["url"].startswith("http://portal.test/alerts/")

    rotated = admin_client.post(
        f"/api/notification-channels/webhooks/{created.json()['id']}/rotate-secret"
    ).json()["secret"]
    assert rotated != secret
    tested = admin_client.post(
        f"/api/notification-channels/webhooks/{created.json()['id']}/test"
    ).json()
    assert tested["ok"] is True
    assert tested["status"] == 200
    (_, test_request) = webhook_receiver.wait_for(2)
    stamp = test_request.headers["x-portal-timestamp"]
    again = hmac.new(rotated.encode(), f"{stamp}.".encode() + test_request.body, hashlib.sha256)
    assert test_request.headers["x-portal-signature"] == "sha256=" + again.hexdigest()


def test_a_gap_fires_and_the_back_fill_that_closes_it_resolves_it(
    live_server: LiveServer, admin_client: httpx.Client, device: MeteredDevice
) -> None:
    rule = admin_client.post(
        "/api/alert-rules",
        json={
            "name": "Data gaps",
            "device_id": device.device_id,
            "kind": "gap",
            "params": {"minutes": 30},
        },
    ).json()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    before, after = now - timedelta(hours=3), now - timedelta(hours=1)
    assert ingest(live_server.url, device.token, readings(before, 10, 5.0)).status_code == 200
    assert ingest(live_server.url, device.token, readings(after, 10, 5.0)).status_code == 200
    gap = wait_until(
        lambda: admin_client.get("/api/alerts", params={"rule_id": rule["id"]}).json(),
        "the gap alert",
    )[0]
    assert gap["state"] == "firing"
    assert gap["value"] == pytest.approx(110.0)  # 08:10 → 10:00 in minutes

    # The meter's buffer arrives: the gap is filled, the alert resolves.
    backlog = readings(before + timedelta(minutes=11), 108, 5.0, energy_at_start=1000.9)
    assert ingest(live_server.url, device.token, backlog).status_code == 200
    wait_until(
        lambda: admin_client.get(f"/api/alerts/{gap['id']}").json()["state"] == "resolved",
        "the back-fill to resolve the gap",
    )


def test_an_offline_meter_fires_on_the_clock_and_clears_on_its_next_reading(
    live_server: LiveServer, admin_client: httpx.Client, device: MeteredDevice
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    stale = readings(now - timedelta(minutes=20), 2, 5.0)
    assert ingest(live_server.url, device.token, stale).status_code == 200
    rule = admin_client.post(
        "/api/alert-rules",
        json={
            "name": "Meter offline",
            "site_id": device.site_id,
            "kind": "offline",
            "severity": "warning",
            "params": {"minutes": 10},
        },
    ).json()
    alert = wait_until(
        lambda: admin_client.get("/api/alerts", params={"rule_id": rule["id"]}).json(),
        "the offline alert",
    )[0]
    assert alert["subject"] == {
        "kind": "device",
        "id": device.device_id,
        "name": alert["subject"]["name"],
    }
    assert alert["value"] >= 17
    fresh = [{"time": datetime.now(UTC).isoformat(), "energy_import_kwh": 1002.0}]
    assert ingest(live_server.url, device.token, fresh).status_code == 200
    wait_until(
        lambda: admin_client.get(f"/api/alerts/{alert['id']}").json()["state"] == "resolved",
        "the next reading to clear the offline alert",
    )


def test_the_backtest_replays_the_stored_data_without_saving(
    live_server: LiveServer, admin_client: httpx.Client, device: MeteredDevice
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # Two hours at 200 kW with a 45-minute burst at 600 kW in the middle.
    first = now - timedelta(hours=3)
    rows = readings(first, 60, 200.0)
    rows += readings(
        first + timedelta(minutes=61), 44, 600.0, energy_at_start=1000 + 200 + 600 / 60
    )
    energy = rows[-1]["energy_import_kwh"]
    rows += readings(first + timedelta(minutes=106), 60, 200.0, energy_at_start=energy + 200 / 60)
    assert ingest(live_server.url, device.token, rows).status_code == 200
    answer = admin_client.post(
        "/api/alert-rules/backtest", json={"rule": demand_rule(device), "days": 1}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["fired"] == 1
    (episode,) = result["episodes"]
    assert episode["resolved_at"] is not None
    assert episode["peak_value"] == pytest.approx(600.0, rel=0.01)
    series = result["series"]
    assert series["threshold"] == 400
    assert series["clear"] == 380
    assert len(series["times"]) == len(series["values"]) == 96
    assert max(v for v in series["values"] if v is not None) == pytest.approx(600.0, rel=0.01)
    assert admin_client.get("/api/alert-rules").json() == []


def test_preferences_choose_who_is_mailed(
    live_server: LiveServer,
    admin_client: httpx.Client,
    device: MeteredDevice,
    viewer_client: httpx.Client,
    smtp_server: SmtpServer,
) -> None:
    assert viewer_client.get("/api/me/notification-preferences").json() == {
        "email": True,
        "severities": ["warning", "critical"],
        "site_ids": None,
    }
    bad = viewer_client.put("/api/me/notification-preferences", json={"site_ids": [999_999]})
    assert bad.status_code == 422
    # The admin wants nothing by mail; the viewer wants critical alerts of this site.
    off = admin_client.put("/api/me/notification-preferences", json={"email": False})
    assert off.status_code == 200, off.text
    mine = viewer_client.put(
        "/api/me/notification-preferences",
        json={"severities": ["critical"], "site_ids": [device.site_id]},
    )
    assert mine.status_code == 200, mine.text
    use_smtp(admin_client, smtp_server)
    admin_client.post("/api/alert-rules", json=demand_rule(device))
    assert ingest(live_server.url, device.token, readings(START, 45, 600.0)).status_code == 200
    (mail,) = smtp_server.wait_for(1)
    viewer_email = viewer_client.get("/api/auth/me").json()["email"]
    assert mail.recipients == (viewer_email,)
    deliveries = admin_client.get("/api/notifications").json()
    assert [d["recipient"] for d in deliveries] == [viewer_email]


def test_a_mail_the_server_refuses_for_a_day_is_a_dead_letter_until_sent_again(
    live_server: LiveServer,
    admin_client: httpx.Client,
    device: MeteredDevice,
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(refused_recipients=frozenset({ADMIN_EMAIL}))
    use_smtp(admin_client, server)
    admin_client.post("/api/alert-rules", json=demand_rule(device))
    assert ingest(live_server.url, device.token, readings(START, 45, 600.0)).status_code == 200
    dead = wait_until(
        lambda: admin_client.get("/api/notifications", params={"status": "dead"}).json(),
        "the refused mail to become a dead letter",
    )[0]
    assert dead["attempts"] >= 1
    assert "550" in dead["last_error"] or "refused" in dead["last_error"].lower()

    good = make_smtp_server()
    use_smtp(admin_client, good)
    retried = admin_client.post(f"/api/notifications/{dead['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    (mail,) = good.wait_for(1)
    assert mail.recipients == (ADMIN_EMAIL,)
    assert mail.message["X-Portal-Delivery"].startswith("alert-")
    wait_until(
        lambda: admin_client.get("/api/notifications").json()[0]["status"] == "sent",
        "the retried delivery to be marked sent",
    )
    assert admin_client.post(f"/api/notifications/{dead['id']}/retry").status_code == 409


def test_the_smtp_password_is_write_only_and_stored_encrypted(
    admin_client: httpx.Client, db_url: URL, smtp_server: SmtpServer
) -> None:
    secret = "relay-password-8c1f9d"
    saved = admin_client.put(
        "/api/notification-channels/smtp",
        json={
            "host": smtp_server.host,
            "port": smtp_server.port,
            "security": "none",
            "username": "portal",
            "password": secret,
            "from_address": "alerts@portal.example",
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["password_set"] is True
    assert saved.json()["source"] == "app"
    listed = admin_client.get("/api/notification-channels")
    assert secret not in saved.text
    assert secret not in listed.text
    [(stored,)] = sql(db_url, "SELECT password_encrypted FROM app.smtp_settings")
    assert isinstance(stored, str)
    assert secret not in stored
    # Saving again without a password keeps it; clear_password forgets it.
    kept = admin_client.put(
        "/api/notification-channels/smtp",
        json={
            "host": smtp_server.host,
            "port": smtp_server.port,
            "security": "none",
            "username": "portal",
            "from_address": "alerts@portal.example",
        },
    )
    assert kept.json()["password_set"] is True
    cleared = admin_client.put(
        "/api/notification-channels/smtp",
        json={
            "host": smtp_server.host,
            "port": smtp_server.port,
            "security": "none",
            "from_address": "alerts@portal.example",
            "clear_password": True,
        },
    )
    assert cleared.json()["password_set"] is False
    # The test button reports the relay's own answer.
    tested = admin_client.post(
        "/api/notification-channels/smtp/test", json={"to": "ops@example.com"}
    ).json()
    assert tested["ok"] is True
    assert tested["detail"].startswith("250")
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == ("ops@example.com",)


def test_a_buffer_replayed_after_newer_readings_alerts_once_for_what_happened_in_it(
    live_server: LiveServer,
    admin_client: httpx.Client,
    device: MeteredDevice,
    smtp_server: SmtpServer,
    db_url: URL,
) -> None:
    """A gateway reconnects and sends its live readings first, then the buffer from while it
    was away: a surge inside the buffer becomes one alert, fired and resolved (two mails);
    more late data over the same span sends nothing again."""
    use_smtp(admin_client, smtp_server)
    admin_client.post("/api/alert-rules", json=demand_rule(device))
    loads = [600.0 if 60 <= minute < 105 else 100.0 for minute in range(361)]
    register = [1000.0]
    for kw in loads[:-1]:
        register.append(register[-1] + kw / 60)

    def rows(first: int, last: int) -> list[dict[str, Any]]:
        return [
            {
                "time": (START + timedelta(minutes=m)).isoformat(),
                "energy_import_kwh": register[m],
            }
            for m in range(first, last + 1)
        ]

    assert ingest(live_server.url, device.token, rows(240, 300)).status_code == 200  # live
    wait_until(
        lambda: (
            sql(db_url, "SELECT evaluated_until FROM app.alert_watermarks")
            == [(START + timedelta(minutes=300),)]
        ),
        "the live readings are evaluated",
    )
    assert ingest(live_server.url, device.token, rows(0, 239)).status_code == 200  # buffer
    late = wait_until(
        lambda: [a for a in admin_client.get("/api/alerts").json() if a["state"] == "resolved"],
        "the surge in the buffer to be found",
    )
    assert len(late) == 1
    # 600 kW from 09:00 to 09:45: the 30-minute demand is 350 kW at 09:15 (one bucket at
    # 100 kW), 600 kW at 09:30 and 09:45, 350 kW at 10:00 (under the 380 kW clear value)
    assert datetime.fromisoformat(late[0]["started_at"]) == START + timedelta(minutes=90)
    assert datetime.fromisoformat(late[0]["resolved_at"]) == START + timedelta(minutes=120)
    assert late[0]["value"] == pytest.approx(600.0)
    assert late[0]["message"].endswith("(found in data that arrived late)")
    fired, resolved = smtp_server.wait_for(2)
    assert fired.message["Subject"].endswith(" fired")
    assert resolved.message["Subject"].endswith(" resolved")

    # One more late reading inside the surge: the span is evaluated again, nothing is new.
    extra = {
        "time": (START + timedelta(minutes=70, seconds=30)).isoformat(),
        "energy_import_kwh": (register[70] + register[71]) / 2,
    }
    assert ingest(live_server.url, device.token, [extra]).status_code == 200
    # Then a live surge: its mail comes after whatever the late reading caused.
    surge = [
        {
            "time": (START + timedelta(minutes=301 + m)).isoformat(),
            "energy_import_kwh": register[300] + 10 * (m + 1),
        }
        for m in range(45)
    ]
    assert ingest(live_server.url, device.token, surge).status_code == 200
    mails = smtp_server.wait_for(3)
    assert [m.message["Subject"].rsplit(" ", 1)[1] for m in mails] == [
        "fired",
        "resolved",
        "fired",
    ]
    states = sorted(a["state"] for a in admin_client.get("/api/alerts").json())
    assert states == ["firing", "resolved"]
