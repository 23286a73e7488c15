"""Device ingest, exactly as API-CONTRACT "Device ingest" says, over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.database import sql, wait_for_rollups
from tests.support.portal import LiveServer, MeteredDevice, ingest

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def rows(
    n: int, start: datetime = T0, step: timedelta = timedelta(minutes=1)
) -> list[dict[str, Any]]:
    """Readings every ``step``; the register is a function of time, so batches agree."""
    out = []
    for i in range(n):
        moment = start + i * step
        minutes = (moment - T0).total_seconds() / 60
        out.append(
            {
                "time": moment.isoformat(),
                "power_kw": 10.0 + i % 5,
                "voltage_l1_v": 230.0,
                "energy_import_kwh": 1000.0 + minutes * 0.2,
            }
        )
    return out


def stored(db_url: URL, device_id: int) -> int:
    [(count,)] = sql(
        db_url, "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s", device_id
    )
    assert isinstance(count, int)
    return count


@pytest.fixture
def meter(make_device: Callable[..., MeteredDevice]) -> MeteredDevice:
    return make_device()


def test_json_batch_is_stored_and_redelivery_is_all_duplicates(
    live_server: LiveServer, meter: MeteredDevice, db_url: URL
) -> None:
    batch = rows(100)
    first = ingest(live_server.url, meter.token, batch)
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 100, "duplicates": 0}
    again = ingest(live_server.url, meter.token, batch)
    assert again.json() == {"accepted": 0, "duplicates": 100}
    assert stored(db_url, meter.device_id) == 100
    [(received,)] = sql(
        db_url,
        "SELECT count(*) FROM monitoring.power_measurements WHERE received_at IS NOT NULL "
        "AND ingest_xid IS NOT NULL AND device_id = %s",
        meter.device_id,
    )
    assert received == 100


def test_overlapping_batch_counts_only_new_rows(
    live_server: LiveServer, meter: MeteredDevice
) -> None:
    ingest(live_server.url, meter.token, rows(60))
    response = ingest(live_server.url, meter.token, rows(90))
    assert response.json() == {"accepted": 30, "duplicates": 60}


def test_duplicates_inside_one_batch(live_server: LiveServer, meter: MeteredDevice) -> None:
    batch = rows(10)
    same_instant_other_offset = dict(batch[0])
    same_instant_other_offset["time"] = (T0.astimezone(UTC) + timedelta(0)).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00"
    )
    response = ingest(live_server.url, meter.token, [*batch, batch[3], same_instant_other_offset])
    assert response.json() == {"accepted": 10, "duplicates": 2}


def test_csv_batch(live_server: LiveServer, meter: MeteredDevice, db_url: URL) -> None:
    body = (
        "time,power_kw,energy_import_kwh,power_factor\n"
        "2026-05-01T10:00:00+02:00,12.5,100.0,0.95\n"
        "2026-05-01T10:01:00+02:00,13.0,,0.96\n"
        "\n"
        "2026-05-01T08:02:00Z,13.5,100.4,\n"
    )
    response = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content=body,
        headers={
            "Authorization": f"Bearer {meter.token}",
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 3, "duplicates": 0}
    values = sql(
        db_url,
        "SELECT power_kw, energy_import_kwh, power_factor FROM monitoring.power_measurements "
        "WHERE device_id = %s ORDER BY time",
        meter.device_id,
    )
    assert values == [(12.5, 100.0, 0.95), (13.0, None, 0.96), (13.5, 100.4, None)]


def test_all_contract_fields_are_accepted(
    live_server: LiveServer, meter: MeteredDevice, client: httpx.Client
) -> None:
    from power_portal.measurements.fields import FIELD_NAMES

    row: dict[str, Any] = {"time": T0.isoformat()}
    row |= {name: float(i) + 0.5 for i, name in enumerate(FIELD_NAMES)}
    assert ingest(live_server.url, meter.token, [row]).json()["accepted"] == 1


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("bad", "row_index", "field", "fragment"),
    [
        ({"power_kw": "12"}, 1, "power_kw", "must be a number"),
        ({"power_kw": True}, 1, "power_kw", "must be a number"),
        ({"wattage": 5}, 1, "wattage", "unknown field"),
        ({"device_id": 99}, 1, "device_id", "unknown field"),
        ({"time": "2026-05-01T10:00:00"}, 1, "time", "offset"),
        ({"time": "yesterday"}, 1, "time", "offset"),
        ({"time": "1999-12-31T23:59:59Z"}, 1, "time", "before 2000"),
        ({"time": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, 1, "time", "future"),
    ],
)
def test_invalid_row_refuses_the_whole_batch(
    live_server: LiveServer,
    meter: MeteredDevice,
    db_url: URL,
    bad: dict[str, Any],
    row_index: int,
    field: str,
    fragment: str,
) -> None:
    batch = rows(3)
    batch[row_index] = batch[row_index] | bad
    response = ingest(live_server.url, meter.token, batch)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", "measurements", row_index, field]
    assert fragment in problem["msg"]
    assert f"row {row_index}" in problem["msg"]
    assert stored(db_url, meter.device_id) == 0


def test_nan_and_infinity_are_refused(live_server: LiveServer, meter: MeteredDevice) -> None:
    for literal in ("NaN", "Infinity", "1e999"):
        body = f'{{"measurements": [{{"time": "2026-05-01T10:00:00Z", "power_kw": {literal}}}]}}'
        response = httpx.post(
            f"{live_server.url}/api/ingest/measurements",
            content=body,
            headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422), (literal, response.text)
        if response.status_code == 422:
            assert response.json()["detail"][0]["loc"][-1] == "power_kw"


def test_row_without_values_is_refused(live_server: LiveServer, meter: MeteredDevice) -> None:
    response = ingest(live_server.url, meter.token, [{"time": T0.isoformat(), "power_kw": None}])
    assert response.status_code == 422
    assert "no measured value" in response.json()["detail"][0]["msg"]


def test_problems_list_every_bad_row(live_server: LiveServer, meter: MeteredDevice) -> None:
    batch = rows(5)
    batch[0]["power_kw"] = "x"
    batch[4]["frequency_hz"] = "y"
    response = ingest(live_server.url, meter.token, batch)
    locs = [p["loc"] for p in response.json()["detail"]]
    assert locs == [
        ["body", "measurements", 0, "power_kw"],
        ["body", "measurements", 4, "frequency_hz"],
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "fragment"),
    [
        ("{not json", "application/json", 400, "malformed JSON"),
        ('[{"time": "2026-05-01T10:00:00Z"}]', "application/json", 400, "measurements"),
        ('{"rows": []}', "application/json", 400, "measurements"),
        ("", "text/csv", 400, "header"),
        ('time,power_kw\n"2026-05-01T10:00:00Z,1\n', "text/csv", 400, "CSV"),
        ("time,power_kw,power_kw\n2026-05-01T10:00:00Z,1,2\n", "text/csv", 422, "twice"),
        ("time,watts\n2026-05-01T10:00:00Z,1\n", "text/csv", 422, "unknown column"),
        ("time,power_kw\n2026-05-01T10:00:00Z,=cmd|' /C calc'!A0\n", "text/csv", 422, "number"),
        ("power_kw\n1\n", "text/csv", 422, "time"),
        ("<xml/>", "application/xml", 415, "Content-Type"),
        ("x", "text/plain", 415, "Content-Type"),
    ],
)
def test_malformed_bodies(
    live_server: LiveServer,
    meter: MeteredDevice,
    body: str,
    content_type: str,
    status: int,
    fragment: str,
) -> None:
    response = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content=body.encode(),
        headers={"Authorization": f"Bearer {meter.token}", "Content-Type": content_type},
    )
    assert response.status_code == status, response.text
    assert fragment in str(response.json()["detail"])


def test_non_utf8_csv_is_400(live_server: LiveServer, meter: MeteredDevice) -> None:
    response = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content="time,power_kw\n2026-05-01T10:00:00Z,\xff1\n".encode("latin-1"),
        headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_token_problems_are_401(
    live_server: LiveServer, meter: MeteredDevice, admin_client: httpx.Client
) -> None:
    batch = rows(1)
    no_header = httpx.post(
        f"{live_server.url}/api/ingest/measurements", json={"measurements": batch}
    )
    assert no_header.status_code == 401
    assert no_header.headers["WWW-Authenticate"] == "Bearer"
    assert ingest(live_server.url, "ppd_not-a-real-token", batch).status_code == 401
    # a revoked token stops working at once
    [token] = admin_client.get(f"/api/devices/{meter.device_id}/tokens").json()
    revoked = admin_client.delete(f"/api/devices/{meter.device_id}/tokens/{token['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = ingest(live_server.url, meter.token, batch)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_writes_only_its_own_device(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    a = make_device()
    b = make_device(site_id=a.site_id)
    assert ingest(live_server.url, a.token, rows(5)).json()["accepted"] == 5
    assert stored(db_url, a.device_id) == 5
    assert stored(db_url, b.device_id) == 0


def test_body_over_the_limit_is_413(live_server: LiveServer, meter: MeteredDevice) -> None:
    big = b'{"measurements": [' + b" " * (11 * 1024 * 1024) + b"]}"
    response = httpx.post(
        f"{live_server.url}/api/ingest/measurements",
        content=big,
        headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_chunked_body_over_the_limit_is_413(live_server: LiveServer, meter: MeteredDevice) -> None:
    """No Content-Length (chunked): the limit is enforced while streaming."""

    def chunks() -> Iterator[bytes]:
        yield b'{"measurements": ['
        for _ in range(12):
            yield b" " * (1024 * 1024)
        yield b"]}"

    try:
        response = httpx.post(
            f"{live_server.url}/api/ingest/measurements",
            content=chunks(),
            headers={"Authorization": f"Bearer {meter.token}", "Content-Type": "application/json"},
            timeout=60,
        )
    except httpx.HTTPError:
        return  # the server closed the connection mid-upload: also a refusal
    assert response.status_code == 413


def test_token_last_use_is_recorded(
    live_server: LiveServer, meter: MeteredDevice, admin_client: httpx.Client
) -> None:
    [before] = admin_client.get(f"/api/devices/{meter.device_id}/tokens").json()
    assert before["last_used_at"] is None
    assert before["prefix"] == meter.token[:12]
    ingest(live_server.url, meter.token, rows(1))
    [after] = admin_client.get(f"/api/devices/{meter.device_id}/tokens").json()
    assert after["last_used_at"] is not None
    assert "token" not in after


def test_tokens_are_stored_hashed(meter: MeteredDevice, db_url: URL) -> None:
    stored_values = [str(r[0]) for r in sql(db_url, "SELECT token_sha256 FROM app.device_tokens")]
    assert meter.token not in stored_values
    import hashlib

    assert hashlib.sha256(meter.token.encode()).hexdigest() in stored_values


def test_concurrent_overlapping_batches(
    live_server: LiveServer, meter: MeteredDevice, db_url: URL
) -> None:
    batches = [rows(300, start=T0 + timedelta(minutes=100 * k)) for k in range(6)]
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(len(batches))

    def send(batch: list[dict[str, Any]]) -> None:
        barrier.wait()
        results.append(ingest(live_server.url, meter.token, batch).json())

    threads = [threading.Thread(target=send, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    unique_rows = 100 * 5 + 300
    assert sum(r["accepted"] for r in results) == unique_rows
    assert sum(r["duplicates"] for r in results) == 6 * 300 - unique_rows
    assert stored(db_url, meter.device_id) == unique_rows
    # the rollups saw every row: samples and energy match the raw table
    wait_for_rollups(db_url)
    [(samples, energy)] = sql(
        db_url,
        "SELECT sum(sample_count), sum(energy_import_kwh) FROM monitoring.rollup_15m "
        "WHERE device_id = %s",
        meter.device_id,
    )
    assert samples == unique_rows
    assert energy == pytest.approx((unique_rows - 1) * 0.2)


def test_viewer_cannot_issue_tokens(viewer_client: httpx.Client, meter: MeteredDevice) -> None:
    response = viewer_client.post(f"/api/devices/{meter.device_id}/tokens", json={})
    assert response.status_code == 403
