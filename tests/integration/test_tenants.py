"""Tenants over the real API: CRUD with the recharge rule and its refusals, meters held over
time, tenant bills (pass-through and own tariff, JSON and CSV), every tenant's bill of a
site's month, and the reconciliation against the utility bill (docs/api/tenants.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.portal import LiveServer, MeteredDevice, ingest
from tests.support.tariffs import eskom_style_tariff, flat_tariff

SAST = ZoneInfo("Africa/Johannesburg")
MONTH = "2026-06"
JUNE_1 = datetime(2026, 6, 1, tzinfo=SAST)
JULY_1 = datetime(2026, 7, 1, tzinfo=SAST)
MOVE = datetime(2026, 6, 15, 12, tzinfo=SAST)
HOURS = (JULY_1 - JUNE_1) / timedelta(hours=1)  # 720
# Constant loads (kW): the supply point carries the sub-meters and 2 kW nobody meters.
LOADS = {"Shop": 10.0, "Cafe": 4.0, "HVAC": 3.0}
UNMETERED_KW = 2.0
INCOMER_KW = sum(LOADS.values()) + UNMETERED_KW


@dataclass(frozen=True)
class Site:
    id: int
    meters: dict[str, MeteredDevice]
    tariff_id: int

    def id_of(self, name: str) -> int:
        return self.meters[name].device_id


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def refused(response: httpx.Response, field: str, *fragments: str) -> None:
    """A 422 whose one problem names ``field`` (``rule.tariff_id`` or ``["rule", ...]``)."""
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert ".".join(str(part) for part in problem["loc"][1:]) == field, problem
    for fragment in fragments:
        assert fragment in problem["msg"], problem["msg"]


def send_month(live_server: LiveServer, meter: MeteredDevice, kw: float) -> None:
    """Register readings every 6 hours from 31 May 18:00 to 1 July 06:00 at a constant load."""
    first = JUNE_1 - timedelta(hours=6)
    rows = [
        {
            "time": (first + timedelta(hours=6 * i)).isoformat(),
            "energy_import_kwh": 500 + kw * 6 * i,
        }
        for i in range(int(HOURS / 6) + 3)
    ]
    response = ingest(live_server.url, meter.token, rows)
    assert response.json()["accepted"] == len(rows), response.text


@pytest.fixture
def site(
    live_server: LiveServer, admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> Site:
    """Incomer (supply) > Shop, Cafe, HVAC; a month of constant loads; a time-of-use tariff."""
    incomer = make_device()
    meters = {"Incomer": incomer}
    for name in LOADS:
        meters[name] = make_device(site_id=incomer.site_id)
    for name, meter in meters.items():
        ok(admin_client.patch(f"/api/devices/{meter.device_id}", json={"name": name}))
    for name in LOADS:
        ok(
            admin_client.patch(
                f"/api/devices/{meters[name].device_id}", json={"parent_id": incomer.device_id}
            )
        )
    ok(admin_client.patch(f"/api/devices/{incomer.device_id}", json={"role": "supply"}))
    tariff = ok(admin_client.post("/api/tariffs", json=eskom_style_tariff()))
    ok(admin_client.patch(f"/api/sites/{incomer.site_id}", json={"tariff_id": tariff["id"]}))
    send_month(live_server, incomer, INCOMER_KW)
    for name, kw in LOADS.items():
        send_month(live_server, meters[name], kw)
    return Site(incomer.site_id, meters, tariff["id"])


def pass_through(apportion: str = "energy", **rule: object) -> dict[str, Any]:
    return {"kind": "pass_through", "apportion": apportion, **rule}


def make_tenant(http: httpx.Client, site_id: int, name: str, rule: dict[str, Any]) -> int:
    created = ok(http.post(f"/api/sites/{site_id}/tenants", json={"name": name, "rule": rule}))
    return int(created["id"])


def assign(
    http: httpx.Client,
    tenant_id: int,
    start: datetime,
    end: datetime | None = None,
    **meter: int,
) -> httpx.Response:
    body = {
        **meter,
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
    }
    return http.post(f"/api/tenants/{tenant_id}/meters", json=body)


def bill(http: httpx.Client, tenant_id: int) -> dict[str, Any]:
    found: dict[str, Any] = ok(http.get(f"/api/tenants/{tenant_id}/bill", params={"month": MONTH}))
    return found


def site_bill(http: httpx.Client, site_id: int) -> dict[str, Any]:
    span = {"start": "2026-06-01", "end": "2026-07-01"}
    found: dict[str, Any] = ok(http.get(f"/api/sites/{site_id}/bill", params=span))
    return found


def cents(value: float) -> int:
    return round(value * 100)


# ---------------------------------------------------------------- CRUD and refusals


def test_tenant_crud_and_the_rule_refusals(admin_client: httpx.Client, site: Site) -> None:
    tenants = f"/api/sites/{site.id}/tenants"
    body = {
        "name": "Grocer",
        "reference": "T-001",
        "contact_email": "Accounts@Grocer.example",
        "rule": pass_through(
            "coincident_demand", markup_percent=5.0, markup_cap=500.0, admin_fee=150.0
        ),
    }
    created = ok(admin_client.post(tenants, json=body))
    assert created["site_id"] == site.id
    assert created["contact_email"] == "accounts@grocer.example"
    assert created["rule"] == {
        "kind": "pass_through",
        "tariff_id": None,
        "apportion": "coincident_demand",
        "fixed_share_percent": None,
        "markup_percent": 5.0,
        "markup_cap": 500.0,
        "admin_fee": 150.0,
    }
    assert ok(admin_client.get(f"/api/tenants/{created['id']}")) == created
    assert [t["id"] for t in ok(admin_client.get(tenants))] == [created["id"]]

    own = {"kind": "own_tariff", "tariff_id": site.tariff_id}
    changed = ok(
        admin_client.patch(
            f"/api/tenants/{created['id']}", json={"name": "Grocer Ltd", "rule": own}
        )
    )
    assert (changed["name"], changed["reference"]) == ("Grocer Ltd", "T-001")
    assert changed["rule"]["kind"] == "own_tariff"
    assert changed["rule"]["tariff_id"] == site.tariff_id
    assert changed["rule"]["apportion"] is None

    def create(rule: dict[str, Any]) -> httpx.Response:
        return admin_client.post(tenants, json={"name": "X", "rule": rule})

    refused(create({"kind": "own_tariff"}), "rule.tariff_id", "tariff_id")
    refused(create({"kind": "own_tariff", "tariff_id": 999_999}), "rule.tariff_id", "999999")
    refused(create(pass_through("fixed_shares")), "rule.fixed_share_percent")
    refused(
        create(pass_through("fixed_shares", fixed_share_percent=120)), "rule.fixed_share_percent"
    )
    refused(create(pass_through(markup_percent=-1)), "rule.markup_percent")
    refused(create(pass_through(admin_fee=-5)), "rule.admin_fee")
    refused(create(pass_through(markup_cap=-5)), "rule.markup_cap")
    refused(
        admin_client.patch(f"/api/tenants/{created['id']}", json={"rule": {"kind": "own_tariff"}}),
        "rule.tariff_id",
    )
    assert [t["id"] for t in ok(admin_client.get(tenants))] == [created["id"]]  # none stored

    assert admin_client.post("/api/sites/999999/tenants", json=body).status_code == 404
    assert admin_client.get("/api/sites/999999/tenants").status_code == 404
    assert admin_client.get("/api/tenants/999999").status_code == 404
    assert admin_client.patch("/api/tenants/999999", json={"name": "Y"}).status_code == 404
    assert admin_client.delete("/api/tenants/999999").status_code == 404
    assert admin_client.delete(f"/api/tenants/{created['id']}").status_code == 204
    assert admin_client.get(f"/api/tenants/{created['id']}").status_code == 404


def test_meters_over_time_and_their_refusals(
    admin_client: httpx.Client, site: Site, make_device: Callable[..., MeteredDevice]
) -> None:
    first = make_tenant(admin_client, site.id, "Grocer", pass_through())
    second = make_tenant(admin_client, site.id, "Baker", pass_through())
    shop = site.id_of("Shop")

    refused(assign(admin_client, first, JUNE_1), "device_id", "exactly one")
    refused(assign(admin_client, first, JUNE_1, device_id=shop, virtual_meter_id=1), "device_id")
    refused(assign(admin_client, first, JUNE_1, device_id=999_999), "device_id", "no device")
    refused(assign(admin_client, first, JUNE_1, virtual_meter_id=999_999), "virtual_meter_id")
    elsewhere = make_device()
    refused(
        assign(admin_client, first, JUNE_1, device_id=elsewhere.device_id),
        "device_id",
        "another site",
    )
    refused(assign(admin_client, first, MOVE, JUNE_1, device_id=shop), "end", "after start")
    refused(assign(admin_client, first, JUNE_1, JUNE_1, device_id=shop), "end")
    naive = {"device_id": shop, "start": "2026-06-01T00:00:00"}
    assert admin_client.post(f"/api/tenants/{first}/meters", json=naive).status_code == 422
    assert assign(admin_client, 999_999, JUNE_1, device_id=shop).status_code == 404

    held = ok(assign(admin_client, first, JUNE_1, device_id=shop))
    assert (held["kind"], held["device_id"], held["meter_name"]) == ("device", shop, "Shop")
    assert datetime.fromisoformat(held["start"]) == JUNE_1
    assert held["end"] is None
    # the other tenant cannot hold it at overlapping times: the message names the holder
    refused(assign(admin_client, second, MOVE, device_id=shop), "start", "Grocer")
    refused(assign(admin_client, first, MOVE, device_id=shop), "start", "this tenant")

    # moving it: end the old assignment at t, start the new one at t
    moved = ok(
        admin_client.patch(f"/api/tenant-meters/{held['id']}", json={"end": MOVE.isoformat()})
    )
    assert datetime.fromisoformat(moved["end"]) == MOVE
    taken = ok(assign(admin_client, second, MOVE, device_id=shop))
    refused(
        admin_client.patch(f"/api/tenant-meters/{held['id']}", json={"end": None}),
        "start",
        "Baker",
    )
    refused(
        admin_client.patch(f"/api/tenant-meters/{held['id']}", json={"end": JUNE_1.isoformat()}),
        "end",
    )
    cafe = ok(assign(admin_client, first, MOVE, device_id=site.id_of("Cafe")))
    listed = ok(admin_client.get(f"/api/tenants/{first}/meters"))
    assert [a["id"] for a in listed] == [cafe["id"], held["id"]]  # newest first

    # a tenant holding meters is not deleted
    conflict = admin_client.delete(f"/api/tenants/{second}")
    assert conflict.status_code == 409, conflict.text
    assert "assignment" in conflict.json()["detail"]
    assert admin_client.delete(f"/api/tenant-meters/{taken['id']}").status_code == 204
    assert admin_client.delete(f"/api/tenant-meters/{taken['id']}").status_code == 404
    assert admin_client.patch("/api/tenant-meters/999999", json={"end": None}).status_code == 404
    assert admin_client.delete(f"/api/tenants/{second}").status_code == 204


# ---------------------------------------------------------------- bills


def test_a_meter_moved_mid_month_is_billed_on_each_side_of_the_move(
    admin_client: httpx.Client, site: Site
) -> None:
    before = make_tenant(admin_client, site.id, "Before", pass_through())
    after = make_tenant(admin_client, site.id, "After", pass_through())
    shop = site.id_of("Shop")
    ok(assign(admin_client, before, JUNE_1 - timedelta(days=40), MOVE, device_id=shop))
    ok(assign(admin_client, after, MOVE, device_id=shop))

    first, second = bill(admin_client, before), bill(admin_client, after)
    month_kwh = LOADS["Shop"] * HOURS
    assert first["energy_kwh"] + second["energy_kwh"] == pytest.approx(month_kwh)
    assert first["energy_kwh"] == pytest.approx(
        LOADS["Shop"] * (MOVE - JUNE_1).total_seconds() / 3600
    )
    [out] = first["meters"]
    [into] = second["meters"]
    assert (out["kind"], out["id"], out["name"]) == ("device", shop, "Shop")
    assert datetime.fromisoformat(out["from"]) == JUNE_1  # clipped to the month
    assert datetime.fromisoformat(out["to"]) == MOVE == datetime.fromisoformat(into["from"])
    assert datetime.fromisoformat(into["to"]) == JULY_1
    assert out["closing_kwh"] == pytest.approx(into["opening_kwh"])
    assert out["closing_kwh"] - out["opening_kwh"] == pytest.approx(out["energy_kwh"])
    assert into["closing_kwh"] - into["opening_kwh"] == pytest.approx(into["energy_kwh"])
    # 500 kWh at 31 May 18:00, then 10 kW: 560 at 1 June 00:00
    assert out["opening_kwh"] == pytest.approx(500 + LOADS["Shop"] * 6)
    energy_kwh = sum(
        line["quantity"] for b in (first, second) for line in b["lines"] if line["kind"] == "energy"
    )
    assert energy_kwh == pytest.approx(month_kwh)


def test_a_pass_through_bill_prices_energy_like_the_site_and_shares_its_charges(
    admin_client: httpx.Client, site: Site
) -> None:
    rule = pass_through(markup_percent=5.0, markup_cap=500.0, admin_fee=150.0)
    grocer = make_tenant(admin_client, site.id, "Grocer", rule)
    ok(assign(admin_client, grocer, JUNE_1, device_id=site.id_of("Shop")))
    found = bill(admin_client, grocer)
    utility = site_bill(admin_client, site.id)
    share = LOADS["Shop"] / INCOMER_KW

    assert (found["tenant_id"], found["tenant_name"], found["site_id"]) == (
        grocer,
        "Grocer",
        site.id,
    )
    assert (found["month"], found["currency"]) == (MONTH, "ZAR")
    assert (found["start"], found["end"]) == ("2026-06-01", "2026-07-01")
    site_energy = {
        (line["season"], line["period"]): line
        for line in utility["lines"]
        if line["kind"] == "energy"
    }
    tenant_energy = [line for line in found["lines"] if line["kind"] == "energy"]
    assert {(line["season"], line["period"]) for line in tenant_energy} == set(site_energy)
    for line in tenant_energy:
        site_line = site_energy[(line["season"], line["period"])]
        assert line["rate"] == site_line["rate"]
        assert line["quantity"] == pytest.approx(site_line["quantity"] * share)
        assert line["amount"] == pytest.approx(round(line["quantity"] * line["rate"], 2))
    # the site's demand and fixed charges, shared by energy: within a cent of the share
    for kind in ("demand", "fixed"):
        site_lines = [line for line in utility["lines"] if line["kind"] == kind]
        tenant_lines = [line for line in found["lines"] if line["kind"] == kind]
        assert len(tenant_lines) == len(site_lines) >= 1, kind
        for mine, theirs in zip(tenant_lines, site_lines, strict=True):
            assert abs(cents(mine["amount"]) - cents(theirs["amount"]) * share) <= 1, kind
    charges = sum(
        line["amount"] for line in found["lines"] if line["kind"] not in ("markup", "admin_fee")
    )
    [markup] = [line for line in found["lines"] if line["kind"] == "markup"]
    [fee] = [line for line in found["lines"] if line["kind"] == "admin_fee"]
    assert markup["amount"] == min(round(charges * 0.05, 2), 500.0)
    assert fee["amount"] == 150.0
    assert cents(found["subtotal"]) == cents(charges) + cents(markup["amount"]) + 15000
    assert cents(found["vat"]) == round(cents(found["subtotal"]) * 0.15)
    assert cents(found["total"]) == cents(found["subtotal"]) + cents(found["vat"])
    assert found["energy_kwh"] == pytest.approx(LOADS["Shop"] * HOURS)


def test_an_own_tariff_bill_is_its_tariff_on_its_meters(
    admin_client: httpx.Client, site: Site
) -> None:
    flat = ok(admin_client.post("/api/tariffs", json=flat_tariff(2.0, "Africa/Johannesburg")))
    rule = {"kind": "own_tariff", "tariff_id": flat["id"], "markup_percent": 10.0, "admin_fee": 20}
    cafe = make_tenant(admin_client, site.id, "Cafe", rule)
    ok(assign(admin_client, cafe, JUNE_1, device_id=site.id_of("Cafe")))
    found = bill(admin_client, cafe)
    kwh = LOADS["Cafe"] * HOURS
    assert found["currency"] == "EUR"
    assert [line["kind"] for line in found["lines"]] == ["energy", "markup", "admin_fee"]
    energy, markup, fee = found["lines"]
    assert (energy["quantity"], energy["rate"]) == (pytest.approx(kwh), 2.0)
    assert energy["amount"] == pytest.approx(round(kwh * 2.0, 2))
    assert markup["amount"] == pytest.approx(round(energy["amount"] * 0.10, 2))
    assert fee["amount"] == 20.0
    assert found["subtotal"] == pytest.approx(energy["amount"] + markup["amount"] + 20.0)
    assert found["vat"] == pytest.approx(round(found["subtotal"] * 0.15, 2))
    # an own-tariff tenant carries none of the site's lines: a pass-through one's share is
    # unchanged by it
    assert not [line for line in found["lines"] if line["kind"] in ("demand", "fixed")]


def test_the_bill_as_csv_and_every_tenant_bill_of_the_site(
    admin_client: httpx.Client, site: Site
) -> None:
    grocer = make_tenant(admin_client, site.id, "Grocer", pass_through(markup_percent=5.0))
    cafe = make_tenant(
        admin_client, site.id, "Cafe", pass_through("fixed_shares", fixed_share_percent=10)
    )
    ok(assign(admin_client, grocer, JUNE_1, device_id=site.id_of("Shop")))
    ok(assign(admin_client, cafe, JUNE_1, device_id=site.id_of("Cafe")))
    one = bill(admin_client, grocer)

    response = admin_client.get(f"/api/tenants/{grocer}/bill.csv", params={"month": MONTH})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert f"bill-tenant{grocer}-{MONTH}.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert (rows[0][0], rows[0][-1]) == ("kind", "amount (ZAR)")
    kinds = [line["kind"] for line in one["lines"]]
    assert [row[0] for row in rows[1 : 1 + len(kinds)]] == kinds
    assert (rows[-1][0], float(rows[-1][-1])) == ("total", one["total"])

    everyone = ok(admin_client.get(f"/api/sites/{site.id}/tenant-bills", params={"month": MONTH}))
    assert {b["tenant_id"] for b in everyone} == {grocer, cafe}
    assert next(b for b in everyone if b["tenant_id"] == grocer) == one
    assert next(b for b in everyone if b["tenant_id"] == cafe) == bill(admin_client, cafe)
    # fixed shares: 10 % of each of the site's demand and fixed lines
    utility = site_bill(admin_client, site.id)
    fixed = [line for line in bill(admin_client, cafe)["lines"] if line["kind"] == "fixed"]
    [site_fixed] = [line for line in utility["lines"] if line["kind"] == "fixed"]
    assert abs(cents(fixed[0]["amount"]) - cents(site_fixed["amount"]) * 0.10) <= 1

    for path in (f"/api/tenants/{grocer}/bill", f"/api/sites/{site.id}/tenant-bills"):
        assert admin_client.get(path).status_code == 422
        for month in ("2026-13", "0000-01", "0001-01", "9999-12"):  # the last has no month after it
            refused = admin_client.get(path, params={"month": month})
            assert refused.status_code == 422, (month, refused.text)
            assert "month" in str(refused.json()["detail"])
    recon = f"/api/sites/{site.id}/reconciliation"
    assert admin_client.get(recon, params={"month": "9999-12"}).status_code == 422
    assert admin_client.get("/api/tenants/999999/bill", params={"month": MONTH}).status_code == 404


def test_the_reconciliation_adds_up_to_the_utility_bill(
    admin_client: httpx.Client, site: Site
) -> None:
    grocer = make_tenant(admin_client, site.id, "Grocer", pass_through(markup_percent=5.0))
    cafe = make_tenant(admin_client, site.id, "Cafe", pass_through("coincident_demand"))
    ok(assign(admin_client, grocer, JUNE_1, device_id=site.id_of("Shop")))
    ok(assign(admin_client, cafe, JUNE_1, device_id=site.id_of("Cafe")))

    found = ok(admin_client.get(f"/api/sites/{site.id}/reconciliation", params={"month": MONTH}))
    utility = site_bill(admin_client, site.id)
    assert (found["site_id"], found["month"], found["currency"]) == (site.id, MONTH, "ZAR")
    assert found["utility"] == {
        "energy_kwh": pytest.approx(INCOMER_KW * HOURS),
        "subtotal": utility["subtotal"],
        "total": utility["total"],
    }
    by_tenant = {t["tenant_id"]: t for t in found["tenants"]}
    assert by_tenant[grocer]["energy_kwh"] == pytest.approx(LOADS["Shop"] * HOURS)
    assert by_tenant[cafe]["energy_kwh"] == pytest.approx(LOADS["Cafe"] * HOURS)
    assert by_tenant[grocer]["recovered_subtotal"] == bill(admin_client, grocer)["subtotal"]
    assert by_tenant[cafe]["recovered_total"] == bill(admin_client, cafe)["total"]
    assert found["common_areas"]["meters"] == [
        {"kind": "device", "id": site.id_of("HVAC"), "name": "HVAC"}
    ]
    assert found["common_areas"]["energy_kwh"] == pytest.approx(LOADS["HVAC"] * HOURS)
    assert found["unmetered"]["energy_kwh"] == pytest.approx(UNMETERED_KW * HOURS)
    assert sum(t["energy_kwh"] for t in found["tenants"]) + found["common_areas"][
        "energy_kwh"
    ] + found["unmetered"]["energy_kwh"] == pytest.approx(found["utility"]["energy_kwh"])
    recovered = sum(t["recovered_subtotal"] for t in found["tenants"])
    assert found["recovered_subtotal"] == pytest.approx(recovered)
    assert found["recovery_percent"] == pytest.approx(
        recovered / utility["subtotal"] * 100, abs=0.01
    )
    assert found["difference"] == pytest.approx(utility["subtotal"] - recovered)
    assert found["landlord_share"]["cost"] == pytest.approx(
        found["common_areas"]["cost"] + found["unmetered"]["cost"]
    )
    # what nobody is billed for (before mark-up) is the landlord's: the costs add up
    charged = sum(
        line["amount"]
        for tenant in (grocer, cafe)
        for line in bill(admin_client, tenant)["lines"]
        if line["kind"] not in ("markup", "admin_fee")
    )
    assert charged + found["landlord_share"]["cost"] == pytest.approx(utility["subtotal"], abs=0.02)


def test_on_site_generation_is_energy_the_utility_did_not_supply(
    live_server: LiveServer, admin_client: httpx.Client, site: Site
) -> None:
    """Solar (a generation meter under the incomer) makes 5 kW all month: the tenants and
    common areas used 19 kW from the incomer and 5 kW from the roof, so the unmetered part is
    7 kW, not 2 (and never negative when the roof makes more than the loads left over)."""
    solar_kw = 5.0
    created = ok(
        admin_client.post(
            f"/api/sites/{site.id}/devices",
            json={
                "name": "Roof solar",
                "serial": "ACV-SOLAR",
                "role": "generation",
                "parent_id": site.id_of("Incomer"),
            },
        )
    )
    token = ok(admin_client.post(f"/api/devices/{created['id']}/tokens", json={}))["token"]
    solar = MeteredDevice(site.id, int(created["id"]), token)
    send_month(live_server, solar, solar_kw)
    grocer = make_tenant(admin_client, site.id, "Grocer", pass_through())
    ok(assign(admin_client, grocer, JUNE_1, device_id=site.id_of("Shop")))

    found = ok(admin_client.get(f"/api/sites/{site.id}/reconciliation", params={"month": MONTH}))
    assert found["generation"]["meters"] == [
        {"kind": "device", "id": solar.device_id, "name": "Roof solar"}
    ]
    assert found["generation"]["energy_kwh"] == pytest.approx(solar_kw * HOURS)
    assert found["utility"]["energy_kwh"] == pytest.approx(INCOMER_KW * HOURS)
    # the Cafe's meter is a common area here (no tenant holds it)
    assert found["common_areas"]["energy_kwh"] == pytest.approx(
        (LOADS["Cafe"] + LOADS["HVAC"]) * HOURS
    )
    assert found["unmetered"]["energy_kwh"] == pytest.approx((UNMETERED_KW + solar_kw) * HOURS)
    used = (
        sum(t["energy_kwh"] for t in found["tenants"])
        + found["common_areas"]["energy_kwh"]
        + found["unmetered"]["energy_kwh"]
    )
    assert used == pytest.approx(found["utility"]["energy_kwh"] + found["generation"]["energy_kwh"])


def test_a_virtual_meter_is_billed_and_held_meters_are_not_deleted_under_a_tenant(
    admin_client: httpx.Client, site: Site
) -> None:
    shop, cafe = site.id_of("Shop"), site.id_of("Cafe")
    terms = [{"sign": 1, "device_id": shop}, {"sign": 1, "device_id": cafe}]
    both = ok(
        admin_client.post(
            f"/api/sites/{site.id}/virtual-meters", json={"name": "Shop and cafe", "terms": terms}
        )
    )
    flat = ok(admin_client.post("/api/tariffs", json=flat_tariff(1.0, "Africa/Johannesburg")))
    rule = {"kind": "own_tariff", "tariff_id": flat["id"]}
    tenant = make_tenant(admin_client, site.id, "Both", rule)
    ok(assign(admin_client, tenant, MOVE, virtual_meter_id=both["id"]))
    found = bill(admin_client, tenant)
    [meter] = found["meters"]
    assert (meter["kind"], meter["id"], meter["name"]) == (
        "virtual_meter",
        both["id"],
        both["name"],
    )
    assert (meter["opening_kwh"], meter["closing_kwh"]) == (None, None)
    held_hours = (JULY_1 - MOVE).total_seconds() / 3600
    kwh = (LOADS["Shop"] + LOADS["Cafe"]) * held_hours
    assert meter["energy_kwh"] == pytest.approx(kwh)
    assert found["energy_kwh"] == pytest.approx(kwh)
    [energy] = [line for line in found["lines"] if line["kind"] == "energy"]
    assert energy["quantity"] == pytest.approx(kwh)

    # what a tenant holds (or held) is not deleted from under its bills: 409, not a 500
    for path in (
        f"/api/virtual-meters/{both['id']}",
        f"/api/tariffs/{flat['id']}",
    ):
        response = admin_client.delete(path)
        assert response.status_code == 409, (path, response.text)
        assert "tenant" in response.json()["detail"]
    ok(assign(admin_client, tenant, JUNE_1, MOVE, device_id=site.id_of("HVAC")))
    response = admin_client.delete(f"/api/devices/{site.id_of('HVAC')}")
    assert response.status_code == 409, response.text
    assert "tenant" in response.json()["detail"]
    assert admin_client.get(f"/api/virtual-meters/{both['id']}").status_code == 200
    # nor moved to another site (its bills read it as a meter of this site)
    elsewhere = ok(
        admin_client.post(
            "/api/sites", json={"name": "Elsewhere", "timezone": "Africa/Johannesburg"}
        )
    )
    response = admin_client.patch(
        f"/api/devices/{site.id_of('HVAC')}", json={"site_id": elsewhere["id"]}
    )
    assert response.status_code == 409, response.text
    assert "Both" in response.json()["detail"]
    assert ok(admin_client.get(f"/api/devices/{site.id_of('HVAC')}"))["site_id"] == site.id


def test_a_pass_through_bill_needs_the_sites_tariff(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> None:
    bare = make_device()  # a site without a tariff
    passing = make_tenant(admin_client, bare.site_id, "Grocer", pass_through())
    flat = ok(admin_client.post("/api/tariffs", json=flat_tariff(1.0, "Africa/Johannesburg")))
    own = make_tenant(
        admin_client, bare.site_id, "Cafe", {"kind": "own_tariff", "tariff_id": flat["id"]}
    )
    month = {"month": MONTH}
    for path in (
        f"/api/tenants/{passing}/bill",
        f"/api/sites/{bare.site_id}/tenant-bills",
        f"/api/sites/{bare.site_id}/reconciliation",
    ):
        response = admin_client.get(path, params=month)
        assert response.status_code == 409, (path, response.text)
        assert "tariff" in response.json()["detail"]
    found = bill(admin_client, own)  # its own tariff: no site tariff needed
    assert (found["energy_kwh"], found["meters"], found["total"]) == (0.0, [], 0.0)
