"""Sites, devices and tokens over the API: counts and last readings on the rows, the unique
serial, the checks' order (401, then 422, then 404) and the one commit per request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.portal import LiveServer, MeteredDevice, ingest

MISSING = 999_999


def _site(client: httpx.Client, name: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/sites", json={"name": name, "timezone": "UTC", **extra})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _device(client: httpx.Client, site_id: object, serial: str) -> httpx.Response:
    return client.post(
        f"/api/sites/{site_id}/devices", json={"name": f"Meter {serial}", "serial": serial}
    )


def test_a_site_counts_its_devices(admin_client: httpx.Client) -> None:
    site = _site(admin_client, "Counted")
    assert site["device_count"] == 0
    for serial in ("CNT-1", "CNT-2"):
        assert _device(admin_client, site["id"], serial).status_code == 201
    assert admin_client.get(f"/api/sites/{site['id']}").json()["device_count"] == 2
    listed = {s["name"]: s["device_count"] for s in admin_client.get("/api/sites").json()}
    assert listed["Counted"] == 2
    renamed = admin_client.patch(f"/api/sites/{site['id']}", json={"name": "Counted too"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["device_count"]) == ("Counted too", 2)


def test_a_device_shows_its_last_reading(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    meter = make_device(timezone="UTC")
    fresh = admin_client.get(f"/api/devices/{meter.device_id}").json()
    assert fresh["last_reading_at"] is None
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    stored = ingest(live_server.url, meter.token, [{"time": moment.isoformat(), "power_kw": 1.5}])
    assert stored.status_code == 200, stored.text
    one = admin_client.get(f"/api/devices/{meter.device_id}").json()
    assert datetime.fromisoformat(one["last_reading_at"]) == moment
    listed = admin_client.get(f"/api/sites/{meter.site_id}/devices").json()
    assert [datetime.fromisoformat(d["last_reading_at"]) for d in listed] == [moment]
    moved = admin_client.patch(f"/api/devices/{meter.device_id}", json={"name": "Renamed"})
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["last_reading_at"]) == moment


def test_a_serial_is_unique_and_the_refusal_leaves_nothing_behind(
    admin_client: httpx.Client,
) -> None:
    site = _site(admin_client, "Serials")
    first = _device(admin_client, site["id"], "UNIQ-1")
    assert first.status_code == 201, first.text
    again = _device(admin_client, site["id"], "UNIQ-1")
    assert again.status_code == 422
    assert again.json()["detail"] == [
        {
            "loc": ["body", "serial"],
            "msg": "another device already has this serial",
            "type": "unique",
        }
    ]
    second = _device(admin_client, site["id"], "UNIQ-2").json()
    clash = admin_client.patch(f"/api/devices/{second['id']}", json={"serial": "UNIQ-1"})
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["type"] == "unique"
    kept = admin_client.get(f"/api/devices/{second['id']}").json()
    assert kept["serial"] == "UNIQ-2"
    assert admin_client.get(f"/api/sites/{site['id']}").json()["device_count"] == 2


def test_updates_are_checked(admin_client: httpx.Client) -> None:
    site = _site(admin_client, "Checked")
    no_tariff = admin_client.patch(f"/api/sites/{site['id']}", json={"tariff_id": MISSING})
    assert no_tariff.status_code == 422
    assert no_tariff.json()["detail"][0]["loc"] == ["body", "tariff_id"]
    emptied = admin_client.patch(f"/api/sites/{site['id']}", json={"name": None})
    assert emptied.status_code == 422
    assert emptied.json()["detail"][0]["msg"] == "may not be empty"
    device = _device(admin_client, site["id"], "CHK-1").json()
    nowhere = admin_client.patch(f"/api/devices/{device['id']}", json={"site_id": MISSING})
    assert nowhere.status_code == 422
    assert nowhere.json()["detail"][0]["msg"] == f"no site with id {MISSING}"
    assert admin_client.get(f"/api/sites/{site['id']}").json()["name"] == "Checked"


def test_a_site_with_devices_is_not_deleted(admin_client: httpx.Client) -> None:
    site = _site(admin_client, "Busy")
    device = _device(admin_client, site["id"], "BUSY-1").json()
    refused = admin_client.delete(f"/api/sites/{site['id']}")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"site {site['id']} still has 1 device(s): move or delete them first"
    )
    assert admin_client.delete(f"/api/devices/{device['id']}").status_code == 204
    assert admin_client.delete(f"/api/sites/{site['id']}").status_code == 204
    gone = admin_client.get(f"/api/sites/{site['id']}")
    assert (gone.status_code, gone.json()["detail"]) == (404, f"no site with id {site['id']}")


def test_tokens_are_issued_listed_and_revoked(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> None:
    meter, other = make_device(), make_device()
    issued = admin_client.post(f"/api/devices/{meter.device_id}/tokens", json={"label": "spare"})
    assert issued.status_code == 201, issued.text
    token = issued.json()
    assert token["token"].startswith(token["prefix"])
    assert (token["label"], token["revoked_at"], token["last_used_at"]) == ("spare", None, None)
    listed = admin_client.get(f"/api/devices/{meter.device_id}/tokens").json()
    assert [t["label"] for t in listed] == [None, "spare"]
    assert all("token" not in t for t in listed)
    wrong = admin_client.delete(f"/api/devices/{other.device_id}/tokens/{token['id']}")
    assert wrong.status_code == 404
    assert wrong.json()["detail"] == f"device {other.device_id} has no token with id {token['id']}"
    revoked = admin_client.delete(f"/api/devices/{meter.device_id}/tokens/{token['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None


def test_checks_come_in_order(
    client: httpx.Client, admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> None:
    """Not signed in (401) before a bad request (422) before a missing row (404)."""
    backwards = {"start": "2026-05-02", "end": "2026-05-01"}
    assert client.get(f"/api/devices/{MISSING}/energy", params=backwards).status_code == 401
    for path in (f"/api/devices/{MISSING}/energy", f"/api/sites/{MISSING}/summary"):
        assert admin_client.get(path, params=backwards).status_code == 422
        found = admin_client.get(path, params={"start": "2026-05-01", "end": "2026-05-02"})
        assert found.status_code == 404
    series = admin_client.get(
        f"/api/devices/{MISSING}/series",
        params={"start": "2026-05-01T00:00:00Z", "end": "2026-05-02T00:00:00Z", "fields": "x"},
    )
    assert series.status_code == 422
    assert series.json()["detail"][0]["loc"] == ["body", "fields"]
    # a body is checked before the row it names is looked for
    invalid = {"timezone": "Not/AZone"}
    assert admin_client.patch(f"/api/sites/{MISSING}", json=invalid).status_code == 422
    assert admin_client.patch(f"/api/sites/{MISSING}", json={"name": "x"}).status_code == 404
    assert admin_client.post(f"/api/sites/{MISSING}/devices", json={}).status_code == 422
    meter = make_device()
    latest = admin_client.get(f"/api/devices/{meter.device_id}/latest")
    assert (latest.status_code, latest.json()["detail"]) == (
        404,
        f"device {meter.device_id} has no readings",
    )
