"""The metering tree over the real API: parents and roles, what a site's figures add up,
remainders, discrepancy warnings, the refusals, and the daily rollups across time zones."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.database import sql
from tests.support.portal import LiveServer, MeteredDevice, ingest
from tests.support.tariffs import eskom_style_tariff

SAST = ZoneInfo("Africa/Johannesburg")
DAY_1 = "2026-06-10"
DAY_2 = "2026-06-11"
DAY_3 = "2026-06-12"
# kWh per meter on day 1 (01:00-02:00 SAST) and day 2 (the same hour)
DAY_1_KWH = {"Incomer": 100.0, "Board": 70.0, "Shop": 30.0, "Solar": 20.0}
DAY_2_KWH = {"Incomer": 100.0, "Board": 70.0, "Shop": 90.0, "Solar": 20.0}


@dataclass(frozen=True)
class Site:
    id: int
    meters: dict[str, MeteredDevice]

    def id_of(self, name: str) -> int:
        return self.meters[name].device_id


def send(
    live_server: LiveServer, meter: MeteredDevice, moments: list[tuple[datetime, float]]
) -> None:
    rows = [{"time": moment.isoformat(), "energy_import_kwh": kwh} for moment, kwh in moments]
    response = ingest(live_server.url, meter.token, rows)
    assert response.json()["accepted"] == len(rows), response.text


def send_day_1(live_server: LiveServer, site: Site) -> None:
    for name, kwh in DAY_1_KWH.items():
        send(
            live_server,
            site.meters[name],
            [
                (datetime(2026, 6, 10, 1, tzinfo=SAST), 0.0),
                (datetime(2026, 6, 10, 2, tzinfo=SAST), kwh),
            ],
        )


def send_day_2(live_server: LiveServer, site: Site) -> None:
    for name, kwh in DAY_2_KWH.items():
        before = DAY_1_KWH[name]
        send(
            live_server,
            site.meters[name],
            [
                (datetime(2026, 6, 11, 1, tzinfo=SAST), before),
                (datetime(2026, 6, 11, 2, tzinfo=SAST), before + kwh),
            ],
        )


def patch(http: httpx.Client, device_id: int, **body: object) -> httpx.Response:
    return http.patch(f"/api/devices/{device_id}", json=body)


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def refused(response: httpx.Response, field: str, *fragments: str) -> None:
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", field]
    for fragment in fragments:
        assert fragment in problem["msg"]


def tree(http: httpx.Client, site_id: int, start: str, end: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(
        http.get(f"/api/sites/{site_id}/tree", params={"start": start, "end": end})
    )
    return found


def tree_csv(
    http: httpx.Client, site_id: int, start: str, end: str, interval: str
) -> list[dict[str, str]]:
    response = http.get(
        f"/api/sites/{site_id}/tree.csv", params={"start": start, "end": end, "interval": interval}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def site_figures(http: httpx.Client, site_id: int, start: str, end: str) -> dict[str, float]:
    """The site's energy by every site-level route."""
    span = {"start": start, "end": end}
    energy = ok(http.get(f"/api/sites/{site_id}/energy", params={**span, "interval": "month"}))
    summary = ok(http.get(f"/api/sites/{site_id}/summary", params=span))
    bill = ok(http.get(f"/api/sites/{site_id}/bill", params=span))
    daily = ok(http.get(f"/api/sites/{site_id}/costs/daily", params=span))
    bill_csv = http.get(f"/api/sites/{site_id}/bill.csv", params=span)
    assert bill_csv.status_code == 200
    assert ok(http.get(f"/api/sites/{site_id}/costs/month"))["currency"] == "ZAR"
    return {
        "energy": sum(p["energy_import_kwh"] or 0.0 for p in energy["points"]),
        "summary": summary["energy_import_kwh"],
        "bill": bill["energy_kwh"],
        "daily_costs": sum(day["energy_kwh"] for day in daily["days"]),
        "bill_total": bill["total"],
        "bill_csv_total": float(bill_csv.text.strip().splitlines()[-1].split(",")[-1]),
    }


@pytest.fixture
def site(
    live_server: LiveServer, admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> Site:
    """Four meters on one site, named, with a tariff; no tree yet."""
    first = make_device()
    meters = {"Incomer": first}
    for name in ("Board", "Shop", "Solar"):
        meters[name] = make_device(site_id=first.site_id)
    for name, meter in meters.items():
        ok(patch(admin_client, meter.device_id, name=name))
    tariff = ok(admin_client.post("/api/tariffs", json=eskom_style_tariff()))
    ok(admin_client.patch(f"/api/sites/{first.site_id}", json={"tariff_id": tariff["id"]}))
    return Site(first.site_id, meters)


def build_tree(http: httpx.Client, site: Site) -> None:
    """Incomer (supply) > Board > Shop; Incomer > Solar (generation). Parents first, then
    the supply role (a supply point needs every sub-meter below it)."""
    ok(patch(http, site.id_of("Board"), parent_id=site.id_of("Incomer")))
    ok(patch(http, site.id_of("Shop"), parent_id=site.id_of("Board")))
    ok(patch(http, site.id_of("Solar"), parent_id=site.id_of("Incomer"), role="generation"))
    incomer = ok(patch(http, site.id_of("Incomer"), role="supply"))
    assert (incomer["role"], incomer["parent_id"]) == ("supply", None)


def test_site_figures_are_the_supply_points_once_there_is_one(
    live_server: LiveServer, admin_client: httpx.Client, site: Site
) -> None:
    send_day_1(live_server, site)
    assert ok(admin_client.get(f"/api/sites/{site.id}"))["metering"] == "all_devices"
    everything = site_figures(admin_client, site.id, DAY_1, DAY_2)
    all_kwh = sum(DAY_1_KWH.values())
    for route in ("energy", "summary", "bill", "daily_costs"):
        assert everything[route] == pytest.approx(all_kwh), route

    build_tree(admin_client, site)
    read = ok(admin_client.get(f"/api/sites/{site.id}"))
    assert (read["metering"], read["discrepancy_percent"]) == ("supply_points", 5.0)
    assert {s["id"]: s["metering"] for s in ok(admin_client.get("/api/sites"))}[site.id] == (
        "supply_points"
    )
    incomer_only = site_figures(admin_client, site.id, DAY_1, DAY_2)
    for route in ("energy", "summary", "bill", "daily_costs"):
        assert incomer_only[route] == pytest.approx(DAY_1_KWH["Incomer"]), route
    assert incomer_only["bill_total"] < everything["bill_total"]
    assert incomer_only["bill_csv_total"] == incomer_only["bill_total"]
    devices = {d["name"]: d for d in ok(admin_client.get(f"/api/sites/{site.id}/devices"))}
    assert {name: (d["role"], d["parent_id"]) for name, d in devices.items()} == {
        "Incomer": ("supply", None),
        "Board": ("submeter", site.id_of("Incomer")),
        "Shop": ("submeter", site.id_of("Board")),
        "Solar": ("generation", site.id_of("Incomer")),
    }


def test_the_tree_shows_remainders_and_warns_of_discrepancies(
    live_server: LiveServer, admin_client: httpx.Client, viewer_client: httpx.Client, site: Site
) -> None:
    build_tree(admin_client, site)
    send_day_1(live_server, site)
    day_1 = tree(viewer_client, site.id, DAY_1, DAY_2)
    assert (day_1["timezone"], day_1["metering"]) == ("Africa/Johannesburg", "supply_points")
    assert day_1["site_energy_import_kwh"] == pytest.approx(100.0)
    nodes = [
        (
            n["name"],
            n["depth"],
            n["energy_import_kwh"],
            n["children_import_kwh"],
            n["remainder_kwh"],
            n["has_supply_above"],
        )
        for n in day_1["nodes"]
    ]
    # Incomer: 100 - Board 70 + Solar 20 = 50 unmetered; Board: 70 - Shop 30 = 40
    assert nodes == [
        ("Incomer", 0, 100.0, 50.0, 50.0, True),
        ("Board", 1, 70.0, 30.0, 40.0, True),
        ("Shop", 2, 30.0, None, None, True),
        ("Solar", 1, 20.0, None, None, True),
    ]
    assert day_1["nodes"][0]["remainder_percent"] == 50.0
    assert day_1["discrepancies"] == []
    nothing = tree(viewer_client, site.id, "2026-01-01", "2026-01-02")
    assert nothing["site_energy_import_kwh"] is None
    assert [n["energy_import_kwh"] for n in nothing["nodes"]] == [None] * 4

    # day 2: the shop reads 90 kWh below a board that reads 70
    send_day_2(live_server, site)
    both = tree(viewer_client, site.id, DAY_1, DAY_3)
    board = next(n for n in both["nodes"] if n["name"] == "Board")
    assert (board["children_import_kwh"], board["remainder_kwh"]) == (120.0, 20.0)
    assert both["discrepancies"] == [
        {
            "parent_id": site.id_of("Board"),
            "parent_name": "Board",
            "children": [{"id": site.id_of("Shop"), "name": "Shop"}],
            "days": 1,
            "first_day": DAY_2,
            "last_day": DAY_2,
            "parent_kwh": 70.0,
            "children_kwh": 90.0,
            "excess_percent": 28.6,
            "message": "Shop add up to 28.6 % more than Board on 1 day (2026-06-11): "
            "check the CTs and the parent",
        }
    ]
    # a site that allows 30 % has no discrepancy there
    ok(admin_client.patch(f"/api/sites/{site.id}", json={"discrepancy_percent": 30}))
    assert tree(viewer_client, site.id, DAY_1, DAY_3)["discrepancies"] == []

    by_day = tree_csv(viewer_client, site.id, DAY_1, DAY_3, "day")
    assert len(by_day) == 8
    board_days = {r["bucket_start"]: r for r in by_day if r["name"] == "Board"}
    assert {
        day: (r["energy_import_kwh"], r["children_import_kwh"], r["remainder_kwh"])
        for day, r in board_days.items()
    } == {
        DAY_1: ("70", "30", "40"),
        DAY_2: ("70", "90", "-20"),
    }
    shop = next(r for r in by_day if r["name"] == "Shop")
    assert (shop["role"], shop["parent_id"], shop["remainder_kwh"]) == (
        "submeter",
        str(site.id_of("Board")),
        "",
    )
    by_month = tree_csv(viewer_client, site.id, DAY_1, DAY_3, "month")
    assert [(r["bucket_start"], r["name"], r["remainder_kwh"]) for r in by_month] == [
        ("2026-06-01", "Incomer", "100"),
        ("2026-06-01", "Board", "20"),
        ("2026-06-01", "Shop", ""),
        ("2026-06-01", "Solar", ""),
    ]
    empty = tree_csv(viewer_client, site.id, "2026-01-01", "2026-01-02", "day")
    assert {r["energy_import_kwh"] for r in empty} == {""}


def test_tree_changes_that_break_it_are_refused(
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
    site: Site,
    db_url: URL,
) -> None:
    build_tree(admin_client, site)
    other = make_device()  # a device on another site
    incomer, board, shop = (site.id_of(n) for n in ("Incomer", "Board", "Shop"))
    refused(
        patch(admin_client, shop, parent_id=other.device_id),
        "parent_id",
        f"Shop (id {shop})",
        f"device {other.device_id} cannot be its parent",
    )
    refused(patch(admin_client, shop, parent_id=987654), "parent_id", "device 987654")
    refused(
        patch(admin_client, board, parent_id=shop),
        "parent_id",
        f"Board (id {board}) would be below itself",
    )
    refused(patch(admin_client, board, parent_id=board), "parent_id", "below itself")
    refused(
        patch(admin_client, shop, role="supply"),
        "role",
        f"Shop (id {shop}) is a supply point and cannot have a parent",
    )
    refused(
        patch(admin_client, shop, parent_id=None),
        "parent_id",
        f"Shop (id {shop}) has no supply point above it",
    )
    refused(
        admin_client.post(
            f"/api/sites/{site.id}/devices", json={"name": "Loose", "serial": "LOOSE-1"}
        ),
        "parent_id",
        "Loose (new device) has no supply point above it",
    )
    refused(patch(admin_client, shop, role="owner"), "role")
    refused(patch(admin_client, shop, role=None), "role", "may not be empty")
    refused(
        admin_client.patch(f"/api/sites/{site.id}", json={"discrepancy_percent": 0}),
        "discrepancy_percent",
    )
    refused(
        admin_client.patch(f"/api/sites/{site.id}", json={"discrepancy_percent": 1001}),
        "discrepancy_percent",
    )
    # nothing above changed the tree
    devices = {d["id"]: d for d in ok(admin_client.get(f"/api/sites/{site.id}/devices"))}
    assert (devices[shop]["parent_id"], devices[shop]["role"]) == (board, "submeter")

    # a generation meter may be a root; a new sub-meter may go below a supply point
    ok(
        admin_client.post(
            f"/api/sites/{site.id}/devices",
            json={"name": "Roof", "serial": "ROOF-1", "role": "generation"},
        )
    )
    new = ok(
        admin_client.post(
            f"/api/sites/{site.id}/devices",
            json={"name": "Kiosk", "serial": "KIOSK-1", "parent_id": incomer},
        )
    )
    assert (new["parent_id"], new["role"]) == (incomer, "submeter")

    # a device with children cannot move; a leaf moves and loses its parent
    refused(
        patch(admin_client, board, site_id=other.site_id),
        "site_id",
        f"Board (id {board})",
        f"Shop (id {shop})",
    )
    moved = ok(patch(admin_client, new["id"], site_id=other.site_id))
    assert (moved["site_id"], moved["parent_id"]) == (other.site_id, None)

    # a device a virtual meter uses is kept (409 naming it); children of a deleted one are roots
    [(meter_id,)] = sql(
        db_url,
        "INSERT INTO app.virtual_meters (site_id, name) VALUES (%s, 'Building B') RETURNING id",
        site.id,
    )
    sql(
        db_url,
        "INSERT INTO app.virtual_meter_terms (virtual_meter_id, position, sign, device_id) "
        "VALUES (%s, 0, 1, %s)",
        meter_id,
        board,
    )
    in_use = admin_client.delete(f"/api/devices/{board}")
    assert in_use.status_code == 409
    assert f"Board (id {board}) is used by the virtual meter Building B" in in_use.json()["detail"]
    sql(db_url, "DELETE FROM app.virtual_meters WHERE id = %s", meter_id)
    assert admin_client.delete(f"/api/devices/{board}").status_code == 204
    assert ok(admin_client.get(f"/api/devices/{shop}"))["parent_id"] is None


def test_a_missing_site_has_no_tree(admin_client: httpx.Client) -> None:
    span = {"start": DAY_1, "end": DAY_2}
    assert admin_client.get("/api/sites/987654/tree", params=span).status_code == 404
    assert admin_client.get("/api/sites/987654/tree.csv", params=span).status_code == 404
    backwards = admin_client.get("/api/sites/987654/tree", params={"start": DAY_2, "end": DAY_1})
    assert backwards.status_code == 422


def test_local_days_follow_the_site_time_zone(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
    site: Site,
) -> None:
    """Day 1's hour (01:00 SAST) is 19:00 the evening before in New York."""
    build_tree(admin_client, site)
    send_day_1(live_server, site)
    send_day_2(live_server, site)

    # a leaf moved to a site in New York: its energy is on that site's local days
    new_york = make_device("America/New_York")
    shop = site.id_of("Shop")
    ok(patch(admin_client, shop, site_id=new_york.site_id))
    there = tree(admin_client, new_york.site_id, "2026-06-09", "2026-06-10")
    assert {n["id"]: n["energy_import_kwh"] for n in there["nodes"]} == {
        shop: 30.0,
        new_york.device_id: None,
    }

    # the whole site moved to New York: day 1 is 9 June there, day 2 is 10 June
    ok(admin_client.patch(f"/api/sites/{site.id}", json={"timezone": "America/New_York"}))
    june_9 = tree(admin_client, site.id, "2026-06-09", "2026-06-10")
    assert june_9["timezone"] == "America/New_York"
    assert {n["name"]: n["energy_import_kwh"] for n in june_9["nodes"]} == {
        "Incomer": 100.0,
        "Board": 70.0,
        "Solar": 20.0,
    }
    assert tree(admin_client, site.id, "2026-06-11", "2026-06-12")["site_energy_import_kwh"] is None


def pending_gateway(db_url: URL, gateway_id: str) -> None:
    """A gateway the bridge has heard of but nobody accepted yet (as the bridge records it)."""
    sql(
        db_url,
        "INSERT INTO app.pending_gateways (gateway_id, first_seen_at, last_seen_at) "
        "VALUES (%s, now(), now())",
        gateway_id,
    )


def test_an_accepted_gateway_goes_under_the_only_supply_point(
    admin_client: httpx.Client, site: Site, db_url: URL
) -> None:
    build_tree(admin_client, site)
    pending_gateway(db_url, "ACV-TREE-1")
    accepted = ok(
        admin_client.post(
            "/api/gateways/pending/ACV-TREE-1/accept", json={"site_id": site.id, "name": "Kiosk"}
        )
    )
    assert (accepted["parent_id"], accepted["role"]) == (site.id_of("Incomer"), "submeter")
    # with two supply points the new meter must say where it goes
    ok(
        admin_client.post(
            f"/api/sites/{site.id}/devices",
            json={"name": "Second incomer", "serial": "TREE-INC-2", "role": "supply"},
        )
    )
    pending_gateway(db_url, "ACV-TREE-2")
    accept = "/api/gateways/pending/ACV-TREE-2/accept"
    refused(
        admin_client.post(accept, json={"site_id": site.id, "name": "Bakery"}),
        "parent_id",
        "Bakery (new device) has no supply point above it",
    )
    placed = ok(
        admin_client.post(
            accept, json={"site_id": site.id, "name": "Bakery", "parent_id": site.id_of("Board")}
        )
    )
    assert placed["parent_id"] == site.id_of("Board")
    assert sql(db_url, "SELECT count(*) FROM app.pending_gateways") == [(0,)]


def test_a_device_in_a_virtual_meter_stays_on_its_site(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice], site: Site
) -> None:
    shop = site.id_of("Shop")
    ok(
        admin_client.post(
            f"/api/sites/{site.id}/virtual-meters",
            json={"name": "Shop twice", "terms": [{"sign": 1, "device_id": shop}]},
        )
    )
    elsewhere = make_device()
    moved = patch(admin_client, shop, site_id=elsewhere.site_id)
    assert moved.status_code == 409, moved.text
    assert "Shop twice" in moved.json()["detail"]
    assert ok(admin_client.get(f"/api/devices/{shop}"))["site_id"] == site.id
