"""Prometheus metrics at /metrics: off by default, a bearer token when on, exact counters.

The app has its own registry, so these numbers are this test's app alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

from power_portal import __version__
from power_portal.settings import AlertSettings, Settings
from tests.support.database import sql, url_string
from tests.support.mosquitto import Gateway, Mosquitto, firmware_message
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    MeteredDevice,
    ingest,
    login_client,
    wait_until,
)
from tests.support.smtp import SmtpServer

TOKEN = "metrics-token-0123456789abcdef"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    """This module's app serves metrics (the default app does not: see the first test)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        metrics={"token": TOKEN},
        # quick alert timing for the alert metrics' test; nothing else here raises alerts
        alerts=AlertSettings(
            tick_seconds=0.5, sender_poll_seconds=0.2, retry_base_seconds=0.2, retry_cap_seconds=0.5
        ),
    )


def scrape(base_url: str) -> tuple[str, Samples]:
    response = httpx.get(
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_are_off_by_default(db_url: URL, tmp_path: Path) -> None:
    server = LiveServer(
        Settings(database_url=url_string(db_url), data_dir=tmp_path, admin_password=ADMIN_PASSWORD)
    )
    server.start()
    try:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            response = httpx.get(f"{server.url}/metrics", headers=headers)
            assert response.status_code == 404
            assert "portal_" not in response.text
        assert "/metrics" not in httpx.get(f"{server.url}/openapi.json").json()["paths"]
    finally:
        server.stop()


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", TOKEN]
)
def test_a_missing_or_wrong_token_is_refused(
    live_server: LiveServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = httpx.get(f"{live_server.url}/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "portal_" not in response.text


def test_a_session_is_not_a_metrics_token(admin_client: httpx.Client) -> None:
    assert admin_client.get("/metrics").status_code == 401


def test_ingest_counters_move_by_exactly_the_accepted_and_duplicate_rows(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice]
) -> None:
    meter = make_device()
    _, before = scrape(live_server.url)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    rows = [
        {"time": (start + timedelta(minutes=i)).isoformat(), "power_kw": float(i)}
        for i in range(50)
    ]
    first = ingest(live_server.url, meter.token, rows[:30]).json()
    second = ingest(live_server.url, meter.token, rows[20:]).json()  # 10 again, 20 new
    assert (first["accepted"], first["duplicates"]) == (30, 0)
    assert (second["accepted"], second["duplicates"]) == (20, 10)

    # refusals: a wrong token, a malformed body, an unsupported type
    assert ingest(live_server.url, "not-a-token", rows[:1]).status_code == 401
    malformed = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content=b"{not json",
        headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    unsupported = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content=b"x",
        headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "text/plain"},
    )
    assert unsupported.status_code == 415

    text, after = scrape(live_server.url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("portal_ingest_rows_accepted_total", source="device") == 50
    assert delta("portal_ingest_rows_duplicate_total", source="device") == 10
    rejected = "portal_ingest_rejected_batches_total"
    assert delta(rejected, source="device", status="401", reason="unauthorised") == 1
    assert delta(rejected, source="device", status="400", reason="malformed") == 1
    assert delta(rejected, source="device", status="415", reason="unsupported_media_type") == 1
    assert "portal_build_info" in text


def test_latency_is_labelled_by_route_template_never_the_raw_path(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    meter = make_device()
    for _ in range(3):
        response = admin_client.get(
            f"/api/devices/{meter.device_id}/energy",
            params={"start": "2026-05-01", "end": "2026-05-02"},
        )
        assert response.status_code == 200
    assert admin_client.get("/api/devices/999999/energy?start=2026-05-01&end=2026-05-02").is_error
    text, samples = scrape(live_server.url)
    count = "portal_http_request_duration_seconds_count"
    route = "/api/devices/{device_id}/energy"
    assert value(samples, count, method="GET", route=route, status_class="2xx") == 3
    assert value(samples, count, method="GET", route=route, status_class="4xx") == 1
    assert f'route="/api/devices/{meter.device_id}/energy"' not in text
    assert 'route="/api/devices/999999/energy"' not in text
    # buckets are there for quantiles
    assert any(
        name == "portal_http_request_duration_seconds_bucket" and ("route", route) in labels
        for name, labels in samples
    )
    # process and pool basics
    assert value(samples, "process_resident_memory_bytes") > 0
    assert value(samples, "portal_db_pool_connections", state="size") >= 1


def test_no_secret_in_the_output(live_server: LiveServer, admin_client: httpx.Client) -> None:
    text, _ = scrape(live_server.url)
    assert TOKEN not in text
    assert ADMIN_PASSWORD not in text
    session = admin_client.cookies.get("portal_session")
    assert session
    assert session not in text


@pytest.fixture
def client_mode_server(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    """A client-mode stack whose push is not running (the state is written by the test)."""
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            admin_password=ADMIN_PASSWORD,
            run_mode="client",
            metrics={"token": TOKEN},
        )
    )
    server.start()
    yield server
    server.stop()


def test_push_lag_and_rows_behind_per_resource(client_mode_server: LiveServer, db_url: URL) -> None:
    [(site_id,)] = sql(
        db_url, "INSERT INTO app.sites (name, timezone) VALUES ('S', 'UTC') RETURNING id"
    )
    [(device_id,)] = sql(
        db_url,
        "INSERT INTO app.devices (site_id, name, serial) VALUES (%s, 'D', 'X-1') RETURNING id",
        site_id,
    )
    sql(
        db_url,
        "INSERT INTO monitoring.power_measurements (device_id, time, power_kw) "
        "SELECT %s, t, 1 FROM generate_series(now() - interval '99 minutes', now(), "
        "interval '1 minute') t",
        device_id,
    )
    start_cursor = json.dumps({"xid": "0", "device_id": 0, "time": "1970-01-01T00:00:00+00:00"})
    sql(
        db_url,
        """
        INSERT INTO app.fleet_push_state
            (resource, cursor, batch_size, consecutive_failures, last_success_at, rows_pushed)
        VALUES ('measurements', %s, 5000, 2, now() - interval '120 seconds', 0),
               ('sites', NULL, 5000, 0, now() - interval '30 seconds', 3)
        """,
        start_cursor,
    )
    _, samples = scrape(client_mode_server.url)
    lag = value(samples, "portal_fleet_push_lag_seconds", resource="measurements")
    assert 119 <= lag < 180
    assert value(samples, "portal_fleet_push_lag_seconds", resource="sites") < 90
    assert value(samples, "portal_fleet_push_consecutive_failures", resource="measurements") == 2
    assert value(samples, "portal_fleet_push_rows_pushed", resource="sites") == 3
    assert value(samples, "portal_fleet_push_rows_behind") == 100


def test_fleet_ingest_is_counted_on_the_admin_stack(db_url: URL, tmp_path: Path) -> None:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            admin_password=ADMIN_PASSWORD,
            run_mode="admin",
            metrics={"token": TOKEN},
        )
    )
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        created = admin.post("/api/fleet/customers", json={"code": "acme", "name": "Acme"})
        assert created.status_code == 201, created.text
        token = created.json()["token"]
        admin.close()
        start = datetime(2026, 5, 1, tzinfo=UTC)
        items = [
            {"device_id": 1, "time": (start + timedelta(minutes=i)).isoformat(), "power_kw": 1.0}
            for i in range(5)
        ]

        def push(customer_token: str, batch: list[dict[str, object]]) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/fleet/ingest",
                json={"items": batch},
                headers={"X-Customer-Token": customer_token, "X-Batch-Type": "measurements"},
                timeout=30,
            )

        assert push(token, items).json()["accepted"] == 5
        again = push(token, [*items[:2], {"device_id": "x"}]).json()
        assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 1)
        assert push("wrong-token", items).status_code == 401
        _, samples = scrape(server.url)
        assert value(samples, "portal_ingest_rows_accepted_total", source="fleet") == 5
        assert value(samples, "portal_ingest_rows_duplicate_total", source="fleet") == 2
        assert value(samples, "portal_ingest_rows_rejected_total", source="fleet") == 1
        rejected = "portal_ingest_rejected_batches_total"
        assert value(samples, rejected, source="fleet", status="401", reason="unauthorised") == 1
        assert value(samples, "portal_build_info", version=__version__, run_mode="admin") == 1
    finally:
        server.stop()


def test_mqtt_ingest_is_counted_like_http_ingest(
    db_url: URL, tmp_path: Path, mosquitto: Mosquitto
) -> None:
    """Rows the gateway bridge stores land in the same counters, as ``source="mqtt"``: new
    ones as accepted, a message the broker (or the gateway) sends again as duplicates."""
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path,
            admin_password=ADMIN_PASSWORD,
            metrics={"token": TOKEN},
            mqtt={"url": mosquitto.url, "client_id": "metrics-portal", "batch_max_seconds": 0.2},
        )
    )
    server.start()
    gateway_id = "ACV-METRICS"
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        site = admin.post("/api/sites", json={"name": "Plant", "timezone": "UTC"}).json()
        device = admin.post(
            f"/api/sites/{site['id']}/devices", json={"name": "Incomer", "serial": gateway_id}
        )
        assert device.status_code == 201, device.text
        wait_until(lambda: admin.get("/api/gateways/bridge").json()["connected"], "connected")
        admin.close()
        gateway = Gateway(mosquitto, gateway_id, will=False)
        start = int(datetime(2026, 5, 1, tzinfo=UTC).timestamp())
        messages = [firmware_message(gateway_id, start + 60 * i) for i in range(6)]
        gateway.wait([gateway.telemetry(m) for m in messages[:4]])
        name = "portal_ingest_rows_accepted_total"
        wait_until(lambda: value(scrape(server.url)[1], name, source="mqtt") == 4, "4 rows")
        gateway.wait([gateway.telemetry(m) for m in messages[2:]])  # 2 again, 2 new
        gateway.wait([gateway.telemetry(b"{not json")])  # refused: an item, by its reason
        gateway.close()
        rejected = "portal_ingest_rows_rejected_total"

        def settled() -> Samples | None:
            _, samples = scrape(server.url)
            duplicates = value(samples, "portal_ingest_rows_duplicate_total", source="mqtt")
            done = duplicates == 2 and value(samples, name, source="mqtt") == 6
            return samples if done and value(samples, rejected, source="mqtt") == 1 else None

        samples = wait_until(settled, "the new rows, the duplicates and the refusal are counted")
        assert value(samples, name, source="mqtt") == 6
        assert value(samples, name, source="device") == 0
        refusals = [
            labels
            for (metric, labels), count in samples.items()
            if metric == "portal_ingest_rejected_batches_total" and count == 1
        ]
        assert [dict(labels)["source"] for labels in refusals] == ["mqtt"]
        assert dict(refusals[0])["status"] == "-"
        [(stored,)] = sql(db_url, "SELECT count(*) FROM monitoring.power_measurements")
        assert stored == 6
    finally:
        server.stop()


def counted(base_url: str, name: str, **labels: str) -> Samples | None:
    """The samples once ``name{labels}`` is above zero, else None (for ``wait_until``)."""
    _, samples = scrape(base_url)
    return samples if value(samples, name, **labels) > 0 else None


def test_alert_metrics_follow_the_outbox_and_the_alerts_firing(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    """A rule fires while the SMTP server is down: one alert firing, the outbox ages and a
    failure is counted; once the server is back the mail is sent and counted."""
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
    meter = make_device()
    rule = admin_client.post(
        "/api/alert-rules",
        json={
            "name": "Demand",
            "device_id": meter.device_id,
            "kind": "demand_above",
            "severity": "critical",
            "params": {"unit": "kw", "threshold": 400},
        },
    )
    assert rule.status_code == 201, rule.text
    start = datetime(2026, 5, 1, tzinfo=UTC)
    rows = [
        {"time": (start + timedelta(minutes=i)).isoformat(), "energy_import_kwh": 10.0 * i}
        for i in range(46)
    ]
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    samples = wait_until(
        lambda: counted(
            live_server.url, "portal_notifications_total", channel="email", outcome="failed"
        ),
        "a failed delivery is counted",
    )
    assert value(samples, "portal_alerts_firing", severity="critical") == 1
    assert value(samples, "portal_alerts_firing", severity="warning") == 0
    assert value(samples, "portal_outbox_oldest_pending_seconds") > 0
    assert value(samples, "portal_alert_rules_evaluated_total") >= 1

    server.start()
    server.wait_for(1)
    samples = wait_until(
        lambda: counted(
            live_server.url, "portal_notifications_total", channel="email", outcome="sent"
        ),
        "the sent mail is counted",
    )
    assert value(samples, "portal_notifications_total", channel="email", outcome="sent") == 1
    assert value(samples, "portal_outbox_oldest_pending_seconds") == 0
