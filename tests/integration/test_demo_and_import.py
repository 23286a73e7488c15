"""`portal demo` and `portal import-csv` as real processes on a real database."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.demo.data import DEMO_TENANT_USER_EMAIL, move_instant
from tests.support.cli import portal
from tests.support.database import sql
from tests.support.portal import LiveServer, MeteredDevice, login_client

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

    # alerts: the rules, and the demand episodes of the history recorded (resolved, with
    # their events), the threshold set where the history's demand stood 3 % of the time
    rules = {r["name"]: r for r in admin_client.get("/api/alert-rules").json()}
    assert set(rules) >= {"Incomer demand", "Peak about to be exceeded", "Incomer offline"}
    assert rules["Incomer offline"]["device_id"] == devices["Incomer"]["id"]
    history = admin_client.get(
        "/api/alerts", params={"state": "resolved", "rule_id": rules["Incomer demand"]["id"]}
    ).json()
    assert history, "the demo's demand rule found no episode in its history"
    threshold = rules["Incomer demand"]["params"]["threshold"]
    assert all(a["value"] > threshold for a in history)
    detail = admin_client.get(f"/api/alerts/{history[0]['id']}").json()
    assert [e["event"] for e in detail["events"]] == ["fired", "resolved"]

    # reports: the monthly pack's schedule, and last month's run with its files (the mail
    # waits for an SMTP server)
    [schedule] = admin_client.get("/api/report-schedules").json()
    assert schedule["recipients"] == ["facilities@example.com"]
    [run] = admin_client.get("/api/report-runs").json()
    assert run["trigger"] == "schedule"
    assert [d["status"] for d in run["deliveries"]] == ["pending"]
    kinds = sorted(f["filename"].split("-")[0] for f in run["files"])
    assert "report" in kinds, run
    report = admin_client.get(f"/api/report-runs/{run['id']}/files/{run['files'][0]['id']}")
    assert report.content.startswith(b"%PDF-")

    again = portal(db_url, "demo", "--days", "25")
    assert again.returncode == 0
    assert "already loaded" in again.stderr
    assert len(admin_client.get("/api/sites").json()) == 1


JOBURG = ZoneInfo("Africa/Johannesburg")


def cents(amount: float) -> int:
    return round(amount * 100)


def test_demo_tenants_bills_reconciliation_and_tenant_user(
    db_url: URL, admin_client: httpx.Client, live_server: LiveServer
) -> None:
    """The demo's four tenants over a month in which shop 3's meter changed tenant: each
    bill adds up and splits at the move, the reconciliation adds up to the utility bill,
    and the Grocer's tenant user signs in with the printed password and sees only its own."""
    # shop 3 changes tenant on the latest 15th at noon: load its whole month, a day before it
    now = datetime.now(UTC)
    move = move_instant(now)
    local_move = move.astimezone(JOBURG)
    month_start = datetime.combine(local_move.date().replace(day=1), time(0), JOBURG)
    days = max(25, (now - month_start).days + 2)
    result = portal(db_url, "demo", "--days", str(days))
    assert result.returncode == 0, result.stderr
    printed = re.search(rf"{re.escape(DEMO_TENANT_USER_EMAIL)}\s+password:\s+(\S+)", result.stderr)
    assert printed, result.stderr
    [site] = admin_client.get("/api/sites").json()
    devices = {
        d["name"]: d["id"] for d in admin_client.get(f"/api/sites/{site['id']}/devices").json()
    }

    # four tenants, their rules, the Cafe on a second tariff of its own
    tenants = {t["name"]: t for t in admin_client.get(f"/api/sites/{site['id']}/tenants").json()}
    assert set(tenants) == {"Grocer", "Cafe", "Bookshop", "Pharmacy"}
    grocer_rule = tenants["Grocer"]["rule"]
    assert (grocer_rule["kind"], grocer_rule["apportion"]) == ("pass_through", "coincident_demand")
    assert (grocer_rule["markup_percent"], grocer_rule["markup_cap"]) == (5.0, 1000.0)
    cafe_rule = tenants["Cafe"]["rule"]
    assert cafe_rule["kind"] == "own_tariff"
    assert cafe_rule["tariff_id"] not in (None, site["tariff_id"])
    cafe_tariff = admin_client.get(f"/api/tariffs/{cafe_rule['tariff_id']}").json()
    assert cafe_tariff["name"] == "Demo tenant flat rate"

    # meters over time: the Grocer's two; shop 3's meter from the Bookshop to the Pharmacy
    def assignments(name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = admin_client.get(
            f"/api/tenants/{tenants[name]['id']}/meters"
        ).json()
        return found

    assert {a["device_id"] for a in assignments("Grocer")} == {
        devices["Grocer sales floor"],
        devices["Grocer cold rooms"],
    }
    [outgoing] = assignments("Bookshop")
    [incoming] = assignments("Pharmacy")
    assert outgoing["device_id"] == incoming["device_id"] == devices["Pharmacy"]
    assert datetime.fromisoformat(outgoing["end"]) == move
    assert datetime.fromisoformat(incoming["start"]) == move
    assert incoming["end"] is None

    # the month of the move: every tenant's bill, each adding up
    month = f"{local_move.year:04d}-{local_move.month:02d}"
    bills = {
        b["tenant_name"]: b
        for b in admin_client.get(
            f"/api/sites/{site['id']}/tenant-bills", params={"month": month}
        ).json()
    }
    assert set(bills) == set(tenants)
    for name, bill in bills.items():
        one = admin_client.get(f"/api/tenants/{tenants[name]['id']}/bill", params={"month": month})
        assert one.json() == bill
        assert bill["currency"] == "ZAR"
        assert cents(bill["subtotal"]) == sum(cents(line["amount"]) for line in bill["lines"])
        assert cents(bill["total"]) == cents(bill["subtotal"]) + cents(bill["vat"])
        assert bill["vat"] == pytest.approx(0.15 * bill["subtotal"], abs=0.01)
        assert bill["energy_kwh"] == pytest.approx(sum(m["energy_kwh"] for m in bill["meters"]))
        for meter in bill["meters"]:  # registers read at the two instants
            assert meter["closing_kwh"] - meter["opening_kwh"] == pytest.approx(
                meter["energy_kwh"], abs=0.05
            )
    # shop 3's meter split at the move: the Bookshop's closing read is the Pharmacy's opening
    [before] = bills["Bookshop"]["meters"]
    [after] = bills["Pharmacy"]["meters"]
    assert datetime.fromisoformat(before["to"]) == datetime.fromisoformat(after["from"]) == move
    assert before["closing_kwh"] == pytest.approx(after["opening_kwh"])
    assert before["energy_kwh"] > 0
    assert after["energy_kwh"] > 0
    # the Grocer: a share of the demand charge by coincident peak, a mark-up at its cap
    grocer = {line["kind"]: line for line in bills["Grocer"]["lines"]}
    assert "coincident" in grocer["demand"]["description"]
    charges = sum(
        line["amount"]
        for line in bills["Grocer"]["lines"]
        if line["kind"] in ("energy", "demand", "fixed", "reactive")
    )
    assert charges * 0.05 > 1000
    assert grocer["markup"]["amount"] == 1000.0
    assert grocer["admin_fee"]["amount"] == 150.0
    # the Cafe: priced by its own flat rate
    cafe_energy = [line for line in bills["Cafe"]["lines"] if line["kind"] == "energy"]
    assert {line["rate"] for line in cafe_energy} == {2.35}
    assert "demand" not in {line["kind"] for line in bills["Cafe"]["lines"]}

    # the reconciliation: the utility's energy + the rooftop solar's = the tenants + the
    # common areas + the unmetered (the losses: never negative)
    recon = admin_client.get(
        f"/api/sites/{site['id']}/reconciliation", params={"month": month}
    ).json()
    parts = (
        sum(t["energy_kwh"] for t in recon["tenants"])
        + recon["common_areas"]["energy_kwh"]
        + recon["unmetered"]["energy_kwh"]
    )
    assert [m["name"] for m in recon["generation"]["meters"]] == ["Rooftop solar"]
    assert recon["generation"]["energy_kwh"] > 0
    assert parts == pytest.approx(
        recon["utility"]["energy_kwh"] + recon["generation"]["energy_kwh"], abs=0.01
    )
    assert recon["unmetered"]["energy_kwh"] > 0
    assert {t["name"]: t["energy_kwh"] for t in recon["tenants"]} == pytest.approx(
        {name: bill["energy_kwh"] for name, bill in bills.items()}
    )
    assert {m["name"] for m in recon["common_areas"]["meters"]} >= {"Common lighting", "HVAC"}
    assert cents(recon["recovered_subtotal"]) == sum(cents(b["subtotal"]) for b in bills.values())
    assert recon["recovery_percent"] == pytest.approx(
        100 * recon["recovered_subtotal"] / recon["utility"]["subtotal"], abs=0.01
    )
    assert recon["difference"] == pytest.approx(
        recon["utility"]["subtotal"] - recon["recovered_subtotal"], abs=0.01
    )

    # the Grocer's tenant user signs in with the printed password and sees its bill only
    tenant_user = login_client(live_server.url, DEMO_TENANT_USER_EMAIL, printed.group(1))
    me = tenant_user.get("/api/auth/me").json()
    assert (me["role"], me["tenant_id"]) == ("tenant", tenants["Grocer"]["id"])
    own = tenant_user.get(f"/api/tenants/{tenants['Grocer']['id']}/bill", params={"month": month})
    assert own.status_code == 200
    assert own.json() == bills["Grocer"]
    csv_bill = tenant_user.get(
        f"/api/tenants/{tenants['Grocer']['id']}/bill.csv", params={"month": month}
    )
    assert csv_bill.status_code == 200
    assert csv_bill.headers["content-type"].startswith("text/csv")
    assert tenant_user.get("/api/me/tenant").json()["name"] == "Grocer"
    other = tenant_user.get(f"/api/tenants/{tenants['Cafe']['id']}/bill", params={"month": month})
    assert other.status_code == 404
    site_wide = tenant_user.get(f"/api/sites/{site['id']}/reconciliation", params={"month": month})
    assert site_wide.status_code == 403
    tenant_user.close()


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
