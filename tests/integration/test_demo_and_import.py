"""`portal demo` and `portal import-csv` as real processes on a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.cli import portal
from tests.support.database import sql
from tests.support.portal import MeteredDevice

pytestmark = pytest.mark.slow


def energy_of(client: httpx.Client, path: str, start: date, end: date) -> float:
    """Import energy in ``[start, end)`` of a device or site (``path``), days added up."""
    points = client.get(
        f"{path}/energy", params={"start": str(start), "end": str(end), "interval": "day"}
    ).json()["points"]
    return float(sum(p["energy_import_kwh"] or 0 for p in points))


def test_demo_creates_a_living_site(db_url: URL, admin_client: httpx.Client) -> None:
    result = portal(db_url, "demo", "--days", "25")
    assert result.returncode == 0, result.stderr
    assert "Demo site ready" in result.stderr
    [site] = admin_client.get("/api/sites").json()
    assert site["name"] == "Demo shopping centre"
    assert site["device_count"] == 8
    devices = {d["name"]: d for d in admin_client.get(f"/api/sites/{site['id']}/devices").json()}
    consumers = {
        "Grocer sales floor",
        "Grocer cold rooms",
        "Pharmacy",
        "Cafe",
        "Common lighting",
        "HVAC",
    }
    assert set(devices) == {"Incomer", "Rooftop solar", *consumers}
    # recent: the last reading is minutes old
    last = datetime.fromisoformat(devices["Grocer sales floor"]["last_reading_at"])
    assert datetime.now(UTC) - last < timedelta(minutes=15)

    # the tree: the incomer on the supply, everything else below it, the solar meter generating
    tree = {
        name: (role, parent)
        for name, role, parent in sql(
            db_url,
            "SELECT d.name, d.role, p.name FROM app.devices d "
            "LEFT JOIN app.devices p ON p.id = d.parent_id",
        )
    }
    assert tree == {
        "Incomer": ("supply", None),
        "Rooftop solar": ("generation", "Incomer"),
        **dict.fromkeys(consumers, ("submeter", "Incomer")),
    }
    # virtual meters: the common areas, and the grocer's two meters as one
    meters = {
        m["name"]: m for m in admin_client.get(f"/api/sites/{site['id']}/virtual-meters").json()
    }
    assert {name: m["formula"] for name, m in meters.items()} == {
        "Common areas": "Common lighting + HVAC",
        "Grocer (both meters)": "Grocer sales floor + Grocer cold rooms",
    }
    # a time-of-use tariff, so costs and bills show on first start
    assert site["tariff_id"] is not None
    tariff = admin_client.get(f"/api/tariffs/{site['tariff_id']}").json()
    assert {period["name"] for period in tariff["versions"][0]["periods"]} == {
        "peak",
        "standard",
        "off-peak",
    }

    today = datetime.now(UTC).date()
    first = today - timedelta(days=24)
    bill = admin_client.get(
        f"/api/sites/{site['id']}/bill", params={"start": str(first), "end": str(today)}
    ).json()
    assert bill["currency"] == "ZAR"
    assert bill["total"] > 1000
    assert {line["kind"] for line in bill["lines"]} >= {"energy", "demand", "fixed"}

    # energy adds up: incomer = consumers - solar + a small remainder (losses), 2 to 5 %
    incomer = energy_of(admin_client, f"/api/devices/{devices['Incomer']['id']}", first, today)
    solar = energy_of(admin_client, f"/api/devices/{devices['Rooftop solar']['id']}", first, today)
    used = sum(
        energy_of(admin_client, f"/api/devices/{devices[name]['id']}", first, today)
        for name in consumers
    )
    assert solar > 0.05 * used  # the sun shone
    remainder = incomer - used + solar
    assert 0.02 * incomer < remainder < 0.05 * incomer
    # the site's energy is its supply point's (not the sum of every meter of the tree)
    site_energy = energy_of(admin_client, f"/api/sites/{site['id']}", first, today)
    assert site_energy == pytest.approx(incomer, rel=1e-6)
    common = energy_of(
        admin_client, f"/api/virtual-meters/{meters['Common areas']['id']}", first, today
    )
    assert common == pytest.approx(
        sum(
            energy_of(admin_client, f"/api/devices/{devices[name]['id']}", first, today)
            for name in ("Common lighting", "HVAC")
        )
    )
    # the tree shows the same: the incomer's remainder, and no discrepancy
    view = admin_client.get(
        f"/api/sites/{site['id']}/tree", params={"start": str(first), "end": str(today)}
    ).json()
    assert view["metering"] == "supply_points"
    assert view["site_energy_import_kwh"] == pytest.approx(incomer, rel=1e-6)
    nodes = {node["name"]: node for node in view["nodes"]}
    assert nodes["Incomer"]["depth"] == 0
    assert nodes["Incomer"]["remainder_kwh"] == pytest.approx(remainder, rel=1e-3)
    assert 2 < nodes["Incomer"]["remainder_percent"] < 5
    assert view["discrepancies"] == []

    days = admin_client.get(
        f"/api/sites/{site['id']}/energy",
        params={"start": str(first), "end": str(today), "interval": "day"},
    ).json()["points"]
    assert all(p["energy_import_kwh"] and p["energy_import_kwh"] > 100 for p in days)
    # weekdays use more than Sundays
    by_weekday: dict[int, list[float]] = {}
    for p in days:
        by_weekday.setdefault(datetime.fromisoformat(p["start"]).weekday(), []).append(
            p["energy_import_kwh"]
        )
    assert min(by_weekday[2]) > max(by_weekday[6])

    # the HVAC meter's six-hour gap shows as missing samples in its series
    hvac = devices["HVAC"]["id"]
    end = datetime.now(UTC)
    series = admin_client.get(
        f"/api/devices/{hvac}/series",
        params={
            "start": (end - timedelta(days=11)).isoformat(),
            "end": (end - timedelta(days=9)).isoformat(),
            "max_points": 400,
        },
    ).json()
    gaps = sum(1 for v in series["series"]["power_kw"]["avg"] if v is None)
    assert gaps >= 3

    # the late-replayed day of the cafe is complete: 288 readings
    cafe = devices["Cafe"]["id"]
    [(count,)] = sql(
        db_url,
        "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s "
        "AND time >= now() - interval '20 days 1 hour' AND time < now() - interval '19 days'",
        cafe,
    )
    assert isinstance(count, int)
    assert count >= 288

    again = portal(db_url, "demo", "--days", "25")
    assert again.returncode == 0
    assert "already loaded" in again.stderr
    assert len(admin_client.get("/api/sites").json()) == 1


def test_demo_if_empty_leaves_a_used_portal_alone(
    db_url: URL, make_device: Callable[..., MeteredDevice], admin_client: httpx.Client
) -> None:
    make_device()
    result = portal(db_url, "demo", "--if-empty", "--ask")
    assert result.returncode == 0
    assert [s["name"] for s in admin_client.get("/api/sites").json()] == ["Site 1"]


def test_demo_ask_without_a_terminal_explains(db_url: URL) -> None:
    result = portal(db_url, "demo", "--if-empty", "--ask")
    assert result.returncode == 0
    assert "portal demo" in result.stderr
    assert sql(db_url, "SELECT count(*) FROM app.sites") == [(0,)]


def write_csv(path: Path, rows: int, bad_line: int | None = None) -> Path:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    lines = ["time,power_kw,energy_import_kwh"]
    for i in range(rows):
        line_number = i + 2
        power = "oops" if line_number == bad_line else f"{10 + i % 7}"
        lines.append(f"{(start + timedelta(minutes=i)).isoformat()},{power},{i * 0.25:.2f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_csv(
    db_url: URL,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
    tmp_path: Path,
) -> None:
    meter = make_device("UTC")
    serial = admin_client.get(f"/api/devices/{meter.device_id}").json()["serial"]
    csv_file = write_csv(tmp_path / "history.csv", 12_000)
    result = portal(db_url, "import-csv", serial, str(csv_file))
    assert result.returncode == 0, result.stderr
    assert "Imported 12000 rows" in result.stderr
    energy = admin_client.get(
        f"/api/devices/{meter.device_id}/energy",
        params={"start": "2026-03-01", "end": "2026-03-10", "interval": "day"},
    ).json()["points"]
    total = sum(p["energy_import_kwh"] or 0 for p in energy)
    assert total == pytest.approx(11_999 * 0.25)
    again = portal(db_url, "import-csv", str(meter.device_id), str(csv_file))
    assert "Imported 0 rows" in again.stderr
    assert "12000 already stored" in again.stderr


def test_import_csv_refuses_a_bad_file_whole(
    db_url: URL, make_device: Callable[..., MeteredDevice], tmp_path: Path
) -> None:
    meter = make_device("UTC")
    csv_file = write_csv(tmp_path / "bad.csv", 12_000, bad_line=7001)
    result = portal(db_url, "import-csv", str(meter.device_id), str(csv_file))
    assert result.returncode == 1
    assert "line 7001: power_kw" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert sql(db_url, "SELECT count(*) FROM monitoring.power_measurements") == [(0,)]
    unknown = portal(db_url, "import-csv", "NO-SUCH-METER", str(csv_file))
    assert unknown.returncode == 2
    assert "no device with id or serial" in unknown.stderr
