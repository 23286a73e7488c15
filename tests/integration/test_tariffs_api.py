"""Tariffs over the real API: storage, validation errors that point at the place, bills."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.portal import LiveServer, MeteredDevice, ingest
from tests.support.tariffs import SAST, eskom_style_tariff, municipal_block_tariff


def create(admin_client: httpx.Client, document: dict[str, Any]) -> httpx.Response:
    return admin_client.post("/api/tariffs", json=document)


def test_create_read_list_replace(admin_client: httpx.Client) -> None:
    created = create(admin_client, eskom_style_tariff())
    assert created.status_code == 201, created.text
    tariff = created.json()
    assert tariff["name"] == "Eskom-style TOU"
    assert len(tariff["versions"]) == 1
    assert tariff["versions"][0]["effective_from"] == "2025-04-01"
    read = admin_client.get(f"/api/tariffs/{tariff['id']}").json()
    assert read["versions"] == tariff["versions"]
    assert read["public_holidays"] == {"calendar": "ZA", "treat_as": "sun", "overrides": []}
    [summary] = admin_client.get("/api/tariffs").json()
    assert summary == {
        "id": tariff["id"],
        "name": "Eskom-style TOU",
        "currency": "ZAR",
        "timezone": "Africa/Johannesburg",
        "version_count": 1,
        "site_count": 0,
    }
    replacement = municipal_block_tariff()
    replaced = admin_client.put(f"/api/tariffs/{tariff['id']}", json=replacement)
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Municipal residential"
    blocks = replaced.json()["versions"][0]["energy_rates"][0]["blocks"]
    assert [b["up_to_kwh"] for b in blocks] == [50, 350, None]


def overlapping_window() -> dict[str, Any]:
    document = eskom_style_tariff()
    document["versions"][0]["periods"].append(
        {"name": "standard", "season": "high", "days": ["mon"], "start": "06:00", "end": "07:00"}
    )
    return document


@pytest.mark.parametrize(
    ("mutate", "loc_prefix", "message"),
    [
        (
            lambda d: overlapping_window(),
            ["body", "versions", 0, "periods"],
            "season high, mon 06:00: covered by peak and standard",
        ),
        (
            lambda d: d["versions"][0]["periods"].pop(0) and d,
            ["body", "versions", 0, "periods"],
            "season high, mon 06:00: covered by no period",
        ),
        (
            lambda d: d["versions"][0]["energy_rates"].pop(0) and d,
            ["body", "versions", 0, "energy_rates"],
            "season high, period peak has no rate",
        ),
        (
            lambda d: d["versions"][0]["seasons"][0]["months"].append(5) or d,
            ["body", "versions", 0, "seasons"],
            "month 5 is in seasons high and low",
        ),
        (
            lambda d: d["versions"][0]["seasons"][1]["months"].remove(1) or d,
            ["body", "versions", 0, "seasons"],
            "month 1 is in no season",
        ),
        (
            lambda d: d["versions"].append(copy.deepcopy(d["versions"][0])) or d,
            ["body", "versions", 1, "effective_from"],
            "versions overlap",
        ),
        (
            lambda d: d["versions"][0]["demand_charges"][0]["periods"].append("shoulder") or d,
            ["body", "versions", 0, "demand_charges", 0, "periods"],
            "unknown period shoulder",
        ),
        (
            lambda d: d["public_holidays"].update(calendar="XX") or d,
            ["body", "public_holidays", "calendar"],
            "unknown holiday calendar",
        ),
    ],
)
def test_inconsistent_tariffs_are_refused_naming_the_place(
    admin_client: httpx.Client,
    mutate: Callable[[dict[str, Any]], dict[str, Any]],
    loc_prefix: list[Any],
    message: str,
) -> None:
    document = mutate(eskom_style_tariff())
    response = create(admin_client, document)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    matching = [p for p in problems if message in p["msg"]]
    assert matching, problems
    assert matching[0]["loc"][: len(loc_prefix)] == loc_prefix
    assert admin_client.get("/api/tariffs").json() == []  # nothing saved


def test_negative_rate_is_refused_naming_the_field(admin_client: httpx.Client) -> None:
    document = eskom_style_tariff()
    document["versions"][0]["energy_rates"][2]["rate"] = -0.5
    response = create(admin_client, document)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "versions", 0, "energy_rates", 2, "rate"]


def test_validate_endpoint_reports_without_saving(admin_client: httpx.Client) -> None:
    report = admin_client.post("/api/tariffs/validate", json=overlapping_window()).json()
    assert report["valid"] is False
    assert "covered by peak and standard" in report["problems"][0]["msg"]
    ok = admin_client.post("/api/tariffs/validate", json=eskom_style_tariff()).json()
    assert ok == {"valid": True, "problems": []}
    assert admin_client.get("/api/tariffs").json() == []


def test_a_tariff_in_use_cannot_be_deleted(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> None:
    tariff_id = create(admin_client, eskom_style_tariff()).json()["id"]
    meter = make_device()
    bad = admin_client.patch(f"/api/sites/{meter.site_id}", json={"tariff_id": 9999})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "tariff_id"]
    assert (
        admin_client.patch(f"/api/sites/{meter.site_id}", json={"tariff_id": tariff_id}).status_code
        == 200
    )
    refused = admin_client.delete(f"/api/tariffs/{tariff_id}")
    assert refused.status_code == 409
    assert "used by 1 site" in refused.json()["detail"]
    admin_client.patch(f"/api/sites/{meter.site_id}", json={"tariff_id": None})
    assert admin_client.delete(f"/api/tariffs/{tariff_id}").status_code == 204


def test_viewer_reads_tariffs_but_cannot_write(
    admin_client: httpx.Client, viewer_client: httpx.Client
) -> None:
    tariff_id = create(admin_client, eskom_style_tariff()).json()["id"]
    assert viewer_client.get(f"/api/tariffs/{tariff_id}").status_code == 200
    assert (
        viewer_client.put(f"/api/tariffs/{tariff_id}", json=eskom_style_tariff()).status_code == 403
    )


def test_bill_from_ingested_readings_matches_the_worked_example(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    """The hand-computed week of tests/unit/test_tariff_calculator.py, end to end:
    readings through the ingest API (two meters of 60 and 40 kW), the tariff through the
    tariff API, the bill through the bill API: total R 25,012.50."""
    a = make_device()
    b = make_device(site_id=a.site_id)
    start = datetime(2026, 6, 15, tzinfo=SAST)
    for meter, kw in ((a, 60.0), (b, 40.0)):
        rows = []
        for k in range(7 * 96 + 1):
            hours = k / 4
            rows.append(
                {
                    "time": (start + timedelta(hours=hours)).isoformat(),
                    "energy_import_kwh": 100.0 + kw * hours,
                    "apparent_energy_kvah": 100.0 + kw / 0.8 * hours,
                }
            )
        assert ingest(live_server.url, meter.token, rows).json()["accepted"] == len(rows)
    no_tariff = admin_client.get(
        f"/api/sites/{a.site_id}/bill", params={"start": "2026-06-15", "end": "2026-06-22"}
    )
    assert no_tariff.status_code == 409
    assert "no tariff" in no_tariff.json()["detail"]

    tariff_id = create(admin_client, eskom_style_tariff()).json()["id"]
    admin_client.patch(f"/api/sites/{a.site_id}", json={"tariff_id": tariff_id})
    bill = admin_client.get(
        f"/api/sites/{a.site_id}/bill", params={"start": "2026-06-15", "end": "2026-06-22"}
    ).json()
    assert bill["currency"] == "ZAR"
    assert (bill["subtotal"], bill["vat"], bill["total"]) == (21750.0, 3262.5, 25012.5)
    demand = [line for line in bill["lines"] if line["kind"] == "demand"]
    assert demand[0]["quantity"] == pytest.approx(125.0)  # coincident: 75 + 50 kVA

    response = admin_client.get(
        f"/api/sites/{a.site_id}/bill.csv", params={"start": "2026-06-15", "end": "2026-06-22"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    csv_rows = list(csv.reader(io.StringIO(response.text)))
    assert csv_rows[0][0] == "kind"
    assert csv_rows[-1] == ["total", "", "", "", "", "", "", "", "25012.50"]

    uncovered = admin_client.get(
        f"/api/sites/{a.site_id}/bill", params={"start": "2024-01-01", "end": "2024-01-02"}
    )
    assert uncovered.status_code == 409
    assert "no tariff version covers 2024-01-01" in uncovered.json()["detail"]
