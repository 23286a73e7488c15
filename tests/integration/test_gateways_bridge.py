"""The MQTT bridge against a real mosquitto and a real PostgreSQL, through the real app.

Gateways are paho clients that talk like the ESP32 firmware; the portal is the
live server with ``PORTAL_MQTT__URL`` pointing at the test's broker. Everything
is checked through the HTTP API (readings, energy, health, pending, bridge status).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.database import sql, url_string
from tests.support.mosquitto import Gateway, Mosquitto, firmware_message
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    free_port,
    login_client,
    wait_until,
)

GATEWAY = "ACV-AABBCCDDEEFF"
ZONE = ZoneInfo("Africa/Johannesburg")
OFFLINE_AFTER = 3.0


METRICS_TOKEN = "metrics-token-for-the-bridge-tests"


def mqtt_settings(db_url: URL, data_dir: Path, broker: Mosquitto, **mqtt: Any) -> Settings:
    data_dir.mkdir(exist_ok=True)
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        metrics={"token": METRICS_TOKEN},
        mqtt={
            "url": broker.url,
            "client_id": f"portal-{uuid.uuid4().hex[:8]}",
            "batch_max_seconds": 0.3,
            "offline_after_seconds": OFFLINE_AFTER,
            "reconnect_min_seconds": 0.2,
            "reconnect_max_seconds": 1.0,
            **mqtt,
        },
    )


@pytest.fixture
def settings(db_url: URL, tmp_path: Path, mosquitto: Mosquitto) -> Settings:
    """The live server of every test here runs the bridge against the test's broker."""
    return mqtt_settings(db_url, tmp_path / "data", mosquitto)


def bridge(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/api/gateways/bridge")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def connected(http: httpx.Client) -> dict[str, Any]:
    return wait_until(lambda: (b := bridge(http))["connected"] and b, "the bridge is connected")


def site_with_device(admin: httpx.Client, serial: str = GATEWAY) -> tuple[int, int]:
    site = admin.post("/api/sites", json={"name": f"Site {serial}", "timezone": ZONE.key})
    assert site.status_code == 201, site.text
    device = admin.post(
        f"/api/sites/{site.json()['id']}/devices", json={"name": "Main incomer", "serial": serial}
    )
    assert device.status_code == 201, device.text
    return int(site.json()["id"]), int(device.json()["id"])


def latest(http: httpx.Client, device_id: int) -> dict[str, Any] | None:
    response = http.get(f"/api/devices/{device_id}/latest")
    return response.json() if response.status_code == 200 else None


def health(http: httpx.Client, device_id: int) -> dict[str, Any]:
    response = http.get(f"/api/devices/{device_id}/health")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def gateways(mosquitto: Mosquitto) -> Iterator[Callable[..., Gateway]]:
    made: list[Gateway] = []

    def make(gateway_id: str = GATEWAY, **kwargs: Any) -> Gateway:
        gateway = Gateway(mosquitto, gateway_id, **kwargs)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.client.loop_stop()
        gateway.client.disconnect()


def stored_rows(db_url: URL, device_id: int) -> int:
    [(count,)] = sql(
        db_url, "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s", device_id
    )
    assert isinstance(count, int)
    return count


# ---------------------------------------------------------------- telemetry


def test_firmware_telemetry_arrives_as_rows(
    admin_client: httpx.Client, gateways: Callable[..., Gateway], db_url: URL
) -> None:
    _, device_id = site_with_device(admin_client)
    connected(admin_client)
    gateway = gateways()
    now = int(time.time())
    gateway.wait(
        [gateway.telemetry(firmware_message(GATEWAY, now - 120 + 60 * k)) for k in range(3)]
    )
    wait_until(lambda: stored_rows(db_url, device_id) == 3, "the readings are stored")
    reading = latest(admin_client, device_id)
    assert reading is not None
    assert datetime.fromisoformat(reading["time"]) == datetime.fromtimestamp(now, UTC)
    assert reading["power_kw"] == pytest.approx(13.38)  # 13,380 W
    assert reading["voltage_l1_v"] == 230.1
    assert reading["reactive_power_kvar"] == pytest.approx(2.15)
    assert reading["energy_import_kwh"] == 125034.7

    # our own flat schema works on the same topic: one row, or a batch
    gateway.wait(
        [
            gateway.telemetry(
                {"time": datetime.fromtimestamp(now + 60, UTC).isoformat(), "power_kw": 7.5}
            ),
            gateway.telemetry(
                {
                    "measurements": [
                        {
                            "time": datetime.fromtimestamp(now + 120 + k, UTC).isoformat(),
                            "power_kw": 8.0,
                        }
                        for k in range(2)
                    ]
                }
            ),
        ]
    )
    wait_until(lambda: stored_rows(db_url, device_id) == 6, "the flat readings are stored")
    status = wait_until(lambda: (b := bridge(admin_client))["rows_stored"] == 6 and b, "counters")
    assert status["telemetry_messages"] == 5
    assert status["rejected_messages"] == 0
    # the bridge's rows are counted in the Prometheus ingest counters like HTTP ingest's
    metrics = httpx.get(
        f"{admin_client.base_url}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
    ).text
    assert 'portal_ingest_rows_accepted_total{source="mqtt"} 6.0' in metrics
    assert status["field_map"] == "default"
    assert status["broker"].startswith("127.0.0.1:")


def energy_of(http: httpx.Client, device_id: int, day: datetime) -> float:
    response = http.get(
        f"/api/devices/{device_id}/energy",
        params={
            "start": day.date().isoformat(),
            "end": (day + timedelta(days=1)).date().isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    points = response.json()["points"]
    return float(sum(p["energy_import_kwh"] or 0 for p in points))


def test_a_replayed_sd_card_burst_lands_as_late_rows_in_a_few_copies(
    admin_client: httpx.Client, gateways: Callable[..., Gateway], db_url: URL
) -> None:
    """A day of 30-second readings replayed from the SD card: late rows, a handful of COPYs."""
    _, device_id = site_with_device(admin_client)
    connected(admin_client)
    gateway = gateways()
    kw = 60.0  # a flat 60 kW load: the register climbs 0.5 kWh every 30 s
    base = datetime.now(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    day = base - timedelta(days=3)
    t0 = day.timestamp()

    def register(ts: float) -> float:
        return round(100_000.0 + kw * (ts - t0) / 3600, 4)

    # live readings first: the gateway is back online now
    now = int(time.time()) // 60 * 60
    live = [now - 600 + 60 * k for k in range(5)]
    gateway.wait(
        [gateway.telemetry(firmware_message(GATEWAY, ts, e={"imp": register(ts)})) for ts in live]
    )
    wait_until(lambda: stored_rows(db_url, device_id) == 5, "the live readings are stored")
    assert energy_of(admin_client, device_id, day) == 0
    before = bridge(admin_client)

    # then the SD card's backlog for `day`, oldest first, one message per reading
    replay = [t0 + 30 * k for k in range(2880)]
    started = time.monotonic()
    gateway.wait(
        [
            gateway.telemetry(firmware_message(GATEWAY, ts, e={"imp": register(ts)}, rp=1))
            for ts in replay
        ],
        timeout=60,
    )
    wait_until(lambda: stored_rows(db_url, device_id) == 5 + 2880, "the replay is stored", 60)
    elapsed = time.monotonic() - started
    after = wait_until(
        lambda: (b := bridge(admin_client))["rows_stored"] == before["rows_stored"] + 2880 and b,
        "the bridge counted the replay",
    )
    copies = after["batches_stored"] - before["batches_stored"]
    assert 1 <= copies <= 12, f"{copies} store_batch calls for 2,880 messages in {elapsed:.1f} s"
    # a day at 60 kW: 1,440 kWh, in the day's energy (late rows reach the rollups too)
    assert energy_of(admin_client, device_id, day) == pytest.approx(kw * 24, rel=1e-6)
    [(late,)] = sql(
        db_url,
        "SELECT count(*) FROM monitoring.power_measurements "
        "WHERE device_id = %s AND received_at - time > interval '1 day'",
        device_id,
    )
    assert late == 2880


# ---------------------------------------------------------------- health


def known_to_the_bridge(admin: httpx.Client, gateway: Gateway, device_id: int) -> None:
    """Until the bridge routes the gateway's messages as they come.

    A device made through the sites API is learnt by the bridge when its gateway first
    speaks: that message waits (held) for the next look at the devices, seconds later, and
    counts from when it came, so "online" may last only a moment for it. Once it is on
    record, the next message is routed as it comes: online for the whole window.
    """
    gateway.wait([gateway.heartbeat({"fw": "0.0.1-hello"})])
    wait_until(lambda: health(admin, device_id)["firmware"] == "0.0.1-hello", "the first heartbeat")


def test_heartbeats_and_status_update_health_and_the_last_will_marks_it_offline(
    admin_client: httpx.Client, gateways: Callable[..., Gateway]
) -> None:
    _, device_id = site_with_device(admin_client)
    assert health(admin_client, device_id)["state"] == "never"
    connected(admin_client)
    gateway = gateways()
    known_to_the_bridge(admin_client, gateway, device_id)
    gateway.wait(
        [
            gateway.status("online"),
            gateway.heartbeat({"fw": "1.4.2", "up": 3600, "rssi": -67, "mb_err": 0.02, "sd": "ok"}),
        ]
    )
    seen = wait_until(
        lambda: (h := health(admin_client, device_id))["firmware"] == "1.4.2" and h,
        "the heartbeat is recorded",
    )
    assert seen["state"] == "online"
    assert seen["online"] is True
    assert seen["status"] == "online"
    assert (seen["rssi_dbm"], seen["uptime_seconds"], seen["sd_state"]) == (-67, 3600, "ok")
    assert seen["modbus_error_rate"] == pytest.approx(0.02)
    assert seen["offline_after_seconds"] == OFFLINE_AFTER
    listed = admin_client.get("/api/gateways/health").json()
    assert [h["serial"] for h in listed] == [GATEWAY]

    # the gateway drops off the network: the broker publishes its last will (retained)
    gateway.vanish()
    gone = wait_until(
        lambda: (h := health(admin_client, device_id))["status"] == "offline" and h,
        "the last will arrives",
    )
    assert gone["state"] == "offline"
    assert gone["online"] is False


def test_silence_longer_than_the_window_counts_as_offline(
    admin_client: httpx.Client, gateways: Callable[..., Gateway]
) -> None:
    _, device_id = site_with_device(admin_client)
    connected(admin_client)
    gateway = gateways(will=False)
    known_to_the_bridge(admin_client, gateway, device_id)
    gateway.wait([gateway.heartbeat({"fw": "1.4.2"})])
    wait_until(
        lambda: (
            (h := health(admin_client, device_id))["firmware"] == "1.4.2" and h["state"] == "online"
        ),
        "online",
    )
    silent = wait_until(
        lambda: (h := health(admin_client, device_id))["state"] == "silent" and h,
        "silent after the window",
        timeout=OFFLINE_AFTER + 10,
    )
    assert silent["status"] is None
    assert silent["online"] is False


# ---------------------------------------------------------------- unknown gateways


def pending(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = http.get("/api/gateways/pending", params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def test_an_unknown_gateway_waits_as_pending_until_accepted_then_its_data_flows(
    admin_client: httpx.Client,
    viewer_client: httpx.Client,
    gateways: Callable[..., Gateway],
    db_url: URL,
) -> None:
    site = admin_client.post("/api/sites", json={"name": "Plant", "timezone": ZONE.key}).json()
    connected(admin_client)
    newcomer = "ACV-112233445566"
    gateway = gateways(newcomer)
    now = int(time.time())
    gateway.wait(
        [
            gateway.register(fw="1.4.2", model="Acuvim II"),
            *(gateway.telemetry(firmware_message(newcomer, now - 60 + k)) for k in range(3)),
            gateway.heartbeat({"fw": "1.4.2"}),
        ]
    )
    entry = wait_until(
        lambda: (p := pending(viewer_client)) and p[0]["message_count"] == 5 and p[0],
        "the gateway is pending with its messages counted",
    )
    assert entry["gateway_id"] == newcomer
    assert (entry["firmware"], entry["model"]) == ("1.4.2", "Acuvim II")
    assert entry["registered_at"] is not None
    assert entry["dismissed_at"] is None
    # nothing of it is stored
    assert sql(db_url, "SELECT count(*) FROM monitoring.power_measurements") == [(0,)]
    assert sql(db_url, "SELECT count(*) FROM app.devices") == [(0,)]
    assert bridge(admin_client)["unaccepted_messages"] == 5

    # a viewer may look, not decide
    accept = f"/api/gateways/pending/{newcomer}/accept"
    assert viewer_client.post(accept, json={"site_id": site["id"], "name": "x"}).status_code == 403

    # dismissed: out of the list (still counted), still acceptable
    dismissed = admin_client.post(f"/api/gateways/pending/{newcomer}/dismiss")
    assert dismissed.status_code == 200
    assert dismissed.json()["dismissed_at"] is not None
    assert pending(admin_client) == []
    assert [p["gateway_id"] for p in pending(admin_client, include_dismissed=True)] == [newcomer]

    refused = admin_client.post(accept, json={"site_id": 999_999, "name": "Press line"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "site_id"]
    assert (
        admin_client.post(
            "/api/gateways/pending/ACV-NOBODY/accept", json={"site_id": site["id"], "name": "x"}
        ).status_code
        == 404
    )

    accepted = admin_client.post(accept, json={"site_id": site["id"], "name": "Press line"})
    assert accepted.status_code == 201, accepted.text
    device = accepted.json()
    assert (device["serial"], device["site_id"], device["model"]) == (
        newcomer,
        site["id"],
        "Acuvim II",
    )
    assert pending(admin_client, include_dismissed=True) == []
    assert health(admin_client, device["id"])["firmware"] == "1.4.2"

    # from now on its telemetry is stored
    gateway.wait([gateway.telemetry(firmware_message(newcomer, now))])
    reading = wait_until(lambda: latest(admin_client, device["id"]), "its reading is stored")
    assert reading["power_kw"] == pytest.approx(13.38)
    assert stored_rows(db_url, device["id"]) == 1
    assert pending(admin_client, include_dismissed=True) == []


# ---------------------------------------------------------------- what goes wrong


def test_unknown_keys_and_bad_messages_are_counted_and_never_spoil_a_batch(
    admin_client: httpx.Client, gateways: Callable[..., Gateway], db_url: URL
) -> None:
    _, device_id = site_with_device(admin_client)
    connected(admin_client)
    gateway = gateways()
    now = int(time.time()) - 300
    good = [firmware_message(GATEWAY, now + k, thd={"a": 2.5}) for k in range(3)]
    gateway.wait(
        [
            gateway.telemetry(good[0]),
            gateway.telemetry(b"{this is not json"),
            gateway.telemetry(firmware_message(GATEWAY, now + 10, p={"t": "13380"})),
            gateway.telemetry(firmware_message(GATEWAY, now + 86400 * 3)),  # days ahead
            gateway.telemetry(firmware_message("ACV-SOMEONE-ELSE", now + 11)),
            gateway.telemetry(good[1]),
            gateway.heartbeat({"rssi": 12}),
            gateway.publish(f"acuvim/{GATEWAY}/status", "maybe"),
            gateway.telemetry(good[2]),
        ]
    )
    status = wait_until(
        lambda: (
            (b := bridge(admin_client))["rejected_messages"] == 6 and b["rows_stored"] == 3 and b
        ),
        "every message is accounted for",
    )
    assert status["rejects"] == {
        "malformed_json": 1,
        "bad_value": 3,  # a power as text, an impossible RSSI, a status that is neither
        "invalid": 1,
        "wrong_device": 1,
    }
    assert status["unknown_keys"] == {"thd": 3}
    assert status["connected"] is True
    assert stored_rows(db_url, device_id) == 3
    seen = wait_until(
        lambda: (h := health(admin_client, device_id))["messages_rejected"] == 6 and h,
        "the device's counters",
    )
    assert seen["messages_received"] == 9


def test_the_bridge_reconnects_after_a_broker_restart(
    admin_client: httpx.Client, mosquitto: Mosquitto, db_url: URL
) -> None:
    _, device_id = site_with_device(admin_client)
    first = connected(admin_client)
    now = int(time.time()) - 120
    gateway = Gateway(mosquitto, GATEWAY, will=False)
    gateway.wait([gateway.telemetry(firmware_message(GATEWAY, now))])
    gateway.close()
    wait_until(lambda: stored_rows(db_url, device_id) == 1, "the first reading")

    mosquitto.stop()

    def disconnected() -> dict[str, Any] | None:
        status = bridge(admin_client)
        return None if status["connected"] else status

    down = wait_until(disconnected, "it notices")
    assert down["last_error"]
    wait_until(  # a failed attempt while the broker is away
        lambda: bridge(admin_client)["connection_failures"] >= 1, "it fails to reconnect"
    )
    mosquitto.start()
    again = connected(admin_client)
    assert again["connection_failures"] >= 1
    assert again["connected_since"] != first["connected_since"]

    gateway = Gateway(mosquitto, GATEWAY, will=False)
    gateway.wait([gateway.telemetry(firmware_message(GATEWAY, now + 60))])
    gateway.close()
    wait_until(lambda: stored_rows(db_url, device_id) == 2, "the reading after the restart")


def test_one_process_per_database_runs_the_bridge(
    db_url: URL, tmp_path: Path, mosquitto: Mosquitto, admin_client: httpx.Client
) -> None:
    """A second portal on the same database stands by: nothing is received or counted twice."""
    other = LiveServer(mqtt_settings(db_url, tmp_path / "other", mosquitto))
    other.start()
    try:
        connected(admin_client)
        gateway = Gateway(mosquitto, "ACV-UNKNOWN", will=False)
        gateway.wait([gateway.register(fw="1.0"), gateway.heartbeat({"fw": "1.0"})])
        entry = wait_until(
            lambda: (p := pending(admin_client)) and p[0]["message_count"] == 2 and p[0],
            "the gateway is pending with both messages counted",
        )
        # A marker after them (a registration without a gateway id: counted, then rejected),
        # and the other process's view of the bridge: it must show the leader's saved state,
        # the marker counted and the leader's connection. A second bridge there would show its
        # own counters and connection instead (the view of a process that leads is its own).
        gateway.wait([gateway.publish("devices/register", {"fw": "1.0"})])
        gateway.close()
        leading = wait_until(
            lambda: (b := bridge(admin_client))["rejects"] == {"bad_value": 1} and b,
            "the leader counted the marker",
        )
        with httpx.Client(base_url=other.url) as anonymous:
            anonymous.post(
                "/api/auth/login", json={"email": "admin@localhost", "password": ADMIN_PASSWORD}
            )
            seen_there = wait_until(
                lambda: (
                    (b := anonymous.get("/api/gateways/bridge").json())["rejects"]
                    == {"bad_value": 1}
                    and b
                ),
                "the other process shows the leader's state with the marker",
            )
        assert seen_there["messages_received"] == leading["messages_received"] == 3
        assert datetime.fromisoformat(seen_there["connected_since"]) == datetime.fromisoformat(
            leading["connected_since"]
        )
        assert pending(admin_client)[0]["message_count"] == entry["message_count"] == 2
        assert seen_there["running"] is True  # the saved state of the leading process
    finally:
        other.stop()


# ---------------------------------------------------------------- the deployment example


DEPLOY_MOSQUITTO = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
ACL_EXAMPLE = DEPLOY_MOSQUITTO / "acl"
DEPLOY_CONF = DEPLOY_MOSQUITTO / "mosquitto.conf"
PORTAL_PASSWORD = "portal-mqtt-S3cret-9f1c"


def password_file(path: Path, users: dict[str, str]) -> Path:
    for index, (user, password) in enumerate(users.items()):
        flags = ["-b", "-c"] if index == 0 else ["-b"]
        subprocess.run(
            ["/usr/bin/mosquitto_passwd", *flags, str(path), user, password],
            check=True,
            capture_output=True,
            timeout=10,
        )
    return path


def deploy_config(tmp_path: Path, passwd: Path, tls: tuple[Path, Path, Path], port: int) -> str:
    """deploy/mosquitto/mosquitto.conf with this test's files and a free TLS port."""
    _, cert, key = tls
    (tmp_path / "persistence").mkdir()
    text = DEPLOY_CONF.read_text()
    for old, new in {
        "/etc/mosquitto/passwd": str(passwd),
        "/etc/mosquitto/acl": str(ACL_EXAMPLE),
        "/etc/mosquitto/certs/broker.crt": str(cert),
        "/etc/mosquitto/certs/broker.key": str(key),
        "listener 8883\n": f"listener {port} 127.0.0.1\n",
        "/var/lib/mosquitto/": f"{tmp_path / 'persistence'}/",
    }.items():
        assert old in text, f"deploy/mosquitto/mosquitto.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def test_the_deployment_example_per_gateway_credentials_acls_and_tls(
    db_url: URL, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """deploy/mosquitto as shipped: the portal over TLS, each gateway only under its own id."""
    other = "ACV-OTHER"
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    passwd = password_file(
        secrets / "passwd",
        {"portal": PORTAL_PASSWORD, GATEWAY: "gw-one-password", other: "gw-two-password"},
    )
    tls = make_certificates(tmp_path / "tls", "localhost")
    tls_port = free_port()
    broker = Mosquitto(tmp_path / "secure-broker", own_listener=False)
    broker.config = deploy_config(tmp_path, passwd, tls, tls_port).replace(
        "listener 1883 127.0.0.1\n", f"listener {broker.port} 127.0.0.1\n"
    )
    broker.start()
    server = LiveServer(
        mqtt_settings(
            db_url,
            tmp_path / "data",
            broker,
            url=f"mqtts://localhost:{tls_port}",
            tls_ca_file=tls[0],
            username="portal",
            password=PORTAL_PASSWORD,
        )
    )
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        _, device_id = site_with_device(admin)
        _, other_id = site_with_device(admin, other)
        assert connected(admin)["tls"] is True
        now = int(time.time()) - 60
        mine = Gateway(broker, GATEWAY, username=GATEWAY, password="gw-one-password")
        mine.wait(
            [
                mine.telemetry(firmware_message(GATEWAY, now)),
                # into another gateway's topic: the broker drops it (MQTT 3.1.1 cannot say so)
                mine.publish(f"acuvim/{other}/telemetry", firmware_message(other, now)),
                mine.publish(f"acuvim/{other}/status", "offline", retain=True),
                mine.heartbeat({"fw": "1.4.2"}),
            ]
        )
        wait_until(lambda: health(admin, device_id)["firmware"] == "1.4.2", "the heartbeat")
        wait_until(lambda: stored_rows(db_url, device_id) == 1, "its own reading is stored")
        # Markers, published after the broker acknowledged the two it must drop: had it let
        # them through, they would reach the bridge first (one session, QoS 1, in order), and
        # the bridge stores an older batch no later than a newer one and writes tallies in
        # arrival order; so once the markers are in, the dropped ones would be in too.
        mine.wait([mine.telemetry(firmware_message(GATEWAY, now + 30)), mine.status("online")])
        wait_until(lambda: stored_rows(db_url, device_id) == 2, "the marker reading is stored")
        wait_until(lambda: health(admin, device_id)["status"] == "online", "the marker status")
        assert stored_rows(db_url, other_id) == 0
        assert health(admin, other_id)["state"] == "never"
        mine.close()

        with pytest.raises(ConnectionRefusedError):
            Gateway(broker, other, username=other, password="wrong", will=False)
        with pytest.raises(ConnectionRefusedError):
            Gateway(broker, "ACV-ANONYMOUS", will=False)
        status = bridge(admin)
        assert status["rejected_messages"] == 0
        assert PORTAL_PASSWORD not in str(status)
        assert PORTAL_PASSWORD not in admin.get("/api/config").text
        assert admin.get("/api/config").json()["mqtt"]["password_set"] is True
        admin.close()
    finally:
        server.stop()
        broker.stop()
    logged = capfd.readouterr()
    assert "mqtt.connected" in logged.err
    assert PORTAL_PASSWORD not in logged.out + logged.err


def make_certificates(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A throw-away CA and a broker certificate for ``host`` (openssl); (ca, cert, key)."""
    directory.mkdir()
    ca, ca_key = directory / "ca.crt", directory / "ca.key"
    cert, key, csr = directory / "broker.crt", directory / "broker.key", directory / "broker.csr"
    extensions = directory / "san.ext"
    extensions.write_text(f"subjectAltName=DNS:{host}\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    subject = ["-nodes", "-newkey", "rsa:2048", "-subj"]
    openssl("req", "-x509", *subject, "/CN=Test CA", "-days", "2", "-keyout", str(ca_key),
            "-out", str(ca))  # fmt: skip
    openssl("req", *subject, f"/CN={host}", "-keyout", str(key), "-out", str(csr))
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "2", "-extfile", str(extensions),
            "-out", str(cert))  # fmt: skip
    return ca, cert, key


def test_tls_to_the_broker_checks_its_certificate(db_url: URL, tmp_path: Path) -> None:
    """mqtts:// with our CA connects; a wrong host name or an unknown CA does not, unless told."""
    ca, cert, key = make_certificates(tmp_path / "tls", "localhost")
    tls_port = free_port()
    broker = Mosquitto(
        tmp_path / "tls-broker",
        config=(
            f"allow_anonymous true\nlistener {tls_port} 127.0.0.1\ncertfile {cert}\nkeyfile {key}\n"
        ),
    )
    broker.start()

    def bridge_with(name: str, url: str, **tls: Any) -> dict[str, Any]:
        settings = mqtt_settings(db_url, tmp_path / name, broker, url=url, **tls)
        server = LiveServer(settings)
        server.start()
        try:
            admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)

            def settled() -> dict[str, Any] | None:
                status = bridge(admin)
                return status if status["connected"] or status["last_error"] else None

            try:
                return wait_until(settled, f"{name}: connected or refused")
            finally:
                admin.close()
        finally:
            server.stop()

    try:
        verified = bridge_with("verified", f"mqtts://localhost:{tls_port}", tls_ca_file=ca)
        assert verified["connected"] is True
        assert verified["tls"] is True
        unknown_ca = bridge_with("unknown-ca", f"mqtts://localhost:{tls_port}")
        assert unknown_ca["connected"] is False
        assert "certificate verify failed" in unknown_ca["last_error"]
        wrong_host = bridge_with("wrong-host", f"mqtts://127.0.0.1:{tls_port}", tls_ca_file=ca)
        assert wrong_host["connected"] is False
        assert "mismatch" in wrong_host["last_error"] or "match" in wrong_host["last_error"]
        insecure = bridge_with(
            "insecure", f"mqtts://127.0.0.1:{tls_port}", tls_ca_file=ca, tls_insecure=True
        )
        assert insecure["connected"] is True
    finally:
        broker.stop()
