"""Virtual meters over the real API: CRUD and every refusal (422 naming the term, 404, 409),
and readings equal to their formula over the devices' readings (energy per bucket, series,
summary, bill), with the readings sent through the real HTTP ingest."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.portal import LiveServer, MeteredDevice, ingest
from tests.support.tariffs import flat_tariff

MISSING = 999_999
MINUS = "\u2212"
SAST = ZoneInfo("Africa/Johannesburg")


def _site(http: httpx.Client, name: str = "Campus") -> int:
    response = http.post("/api/sites", json={"name": name, "timezone": "Africa/Johannesburg"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _device(http: httpx.Client, site_id: int, name: str) -> int:
    serial = f"VM-{name.replace(' ', '-')}-{site_id}"
    response = http.post(f"/api/sites/{site_id}/devices", json={"name": name, "serial": serial})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _create(http: httpx.Client, site_id: int, name: str, terms: list[dict[str, int]]) -> Any:
    response = http.post(
        f"/api/sites/{site_id}/virtual-meters", json={"name": name, "terms": terms}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _refusal(response: httpx.Response) -> tuple[int, list[str | int], str]:
    problem = response.json()["detail"][0]
    return response.status_code, problem["loc"], problem["msg"]


# ---------------------------------------------------------------- CRUD


def test_a_virtual_meter_is_created_read_replaced_and_deleted(
    admin_client: httpx.Client, viewer_client: httpx.Client
) -> None:
    site = _site(admin_client)
    incomer = _device(admin_client, site, "Incomer")
    building_a = _device(admin_client, site, "Building A")
    chiller = _device(admin_client, site, "Chiller 1")
    chillers = _create(admin_client, site, "Chillers", [{"sign": 1, "device_id": chiller}])
    body = {
        "name": "Building B",
        "terms": [
            {"sign": 1, "device_id": incomer},
            {"sign": -1, "device_id": building_a},
            {"sign": -1, "meter_id": chillers["id"]},
        ],
    }
    created = admin_client.post(f"/api/sites/{site}/virtual-meters", json=body)
    assert created.status_code == 201, created.text
    meter = created.json()
    assert meter["site_id"] == site
    assert meter["name"] == "Building B"
    assert meter["formula"] == f"Incomer {MINUS} Building A {MINUS} Chillers"
    assert meter["device_coefficients"] == {str(incomer): 1, str(building_a): -1, str(chiller): -1}
    assert meter["terms"] == [
        {"sign": 1, "device_id": incomer, "meter_id": None, "name": "Incomer"},
        {"sign": -1, "device_id": building_a, "meter_id": None, "name": "Building A"},
        {"sign": -1, "device_id": None, "meter_id": chillers["id"], "name": "Chillers"},
    ]

    # a viewer reads, one and the list (by name)
    one = viewer_client.get(f"/api/virtual-meters/{meter['id']}")
    assert one.status_code == 200
    assert one.json() == meter
    listed = viewer_client.get(f"/api/sites/{site}/virtual-meters")
    assert [m["name"] for m in listed.json()] == ["Building B", "Chillers"]
    assert viewer_client.post(f"/api/sites/{site}/virtual-meters", json=body).status_code == 403

    # replacing the terms of the nested meter changes the outer one's coefficients
    replaced = admin_client.put(
        f"/api/virtual-meters/{chillers['id']}",
        json={
            "name": "Chillers and pumps",
            "terms": [{"sign": 1, "device_id": chiller}, {"sign": 1, "device_id": building_a}],
        },
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["formula"] == "Chiller 1 + Building A"
    outer = admin_client.get(f"/api/virtual-meters/{meter['id']}").json()
    assert outer["formula"] == f"Incomer {MINUS} Building A {MINUS} Chillers and pumps"
    # Building A subtracted twice; nothing else changed
    assert outer["device_coefficients"] == {
        str(incomer): 1,
        str(building_a): -2,
        str(chiller): -1,
    }

    # in use: the nested meter stays
    in_use = admin_client.delete(f"/api/virtual-meters/{chillers['id']}")
    assert in_use.status_code == 409
    assert "used by Building B" in in_use.json()["detail"]
    assert admin_client.get(f"/api/virtual-meters/{chillers['id']}").status_code == 200
    assert admin_client.delete(f"/api/virtual-meters/{meter['id']}").status_code == 204
    assert admin_client.delete(f"/api/virtual-meters/{chillers['id']}").status_code == 204
    gone = admin_client.get(f"/api/virtual-meters/{meter['id']}")
    assert (gone.status_code, gone.json()["detail"]) == (
        404,
        f"no virtual meter with id {meter['id']}",
    )
    assert admin_client.get(f"/api/sites/{site}/virtual-meters").json() == []


def test_missing_rows_are_404(admin_client: httpx.Client) -> None:
    site = _site(admin_client)
    device = _device(admin_client, site, "Meter")
    body = {"name": "V", "terms": [{"sign": 1, "device_id": device}]}
    missing_site = admin_client.post(f"/api/sites/{MISSING}/virtual-meters", json=body)
    assert (missing_site.status_code, missing_site.json()["detail"]) == (
        404,
        f"no site with id {MISSING}",
    )
    assert admin_client.get(f"/api/sites/{MISSING}/virtual-meters").status_code == 404
    for method in ("GET", "DELETE"):
        assert admin_client.request(method, f"/api/virtual-meters/{MISSING}").status_code == 404
    assert admin_client.put(f"/api/virtual-meters/{MISSING}", json=body).status_code == 404
    for reading in ("energy", "summary", "bill", "bill.csv"):
        response = admin_client.get(
            f"/api/virtual-meters/{MISSING}/{reading}",
            params={"start": "2026-06-01", "end": "2026-06-02"},
        )
        assert response.status_code == 404, reading
    series = admin_client.get(
        f"/api/virtual-meters/{MISSING}/series",
        params={"start": "2026-06-01T00:00:00Z", "end": "2026-06-02T00:00:00Z"},
    )
    assert series.status_code == 404
    # a bad body is refused before a missing row is looked for
    empty = admin_client.put(f"/api/virtual-meters/{MISSING}", json={"name": "V", "terms": []})
    assert empty.status_code == 422


@pytest.fixture
def campus(admin_client: httpx.Client) -> dict[str, int]:
    """A site with two devices and a chain of meters (inner ← middle ← outer), and a second
    site with a device and a meter of its own."""
    site = _site(admin_client, "Campus")
    a = _device(admin_client, site, "A")
    b = _device(admin_client, site, "B")
    inner = _create(admin_client, site, "Inner", [{"sign": 1, "device_id": a}])["id"]
    middle = _create(admin_client, site, "Middle", [{"sign": -1, "meter_id": inner}])["id"]
    outer = _create(
        admin_client, site, "Outer", [{"sign": 1, "device_id": b}, {"sign": 1, "meter_id": middle}]
    )["id"]
    other_site = _site(admin_client, "Elsewhere")
    far = _device(admin_client, other_site, "Far")
    far_meter = _create(admin_client, other_site, "Far meter", [{"sign": 1, "device_id": far}])
    return {
        "site": site,
        "a": a,
        "b": b,
        "inner": inner,
        "middle": middle,
        "outer": outer,
        "far": far,
        "far_meter": far_meter["id"],
    }


# (terms built from the campus ids, the field named, words in the message)
REFUSALS: list[tuple[str, Callable[[dict[str, int]], list[dict[str, int]]], str, str]] = [
    ("no terms", lambda c: [], "terms", "at least one term"),
    (
        "neither reference",
        lambda c: [{"sign": 1, "device_id": c["a"]}, {"sign": 1}],
        "terms.1.device_id",
        "name a device_id or a meter_id",
    ),
    (
        "both references",
        lambda c: [{"sign": 1, "device_id": c["a"], "meter_id": c["inner"]}],
        "terms.0.meter_id",
        "not both",
    ),
    (
        "unknown device",
        lambda c: [{"sign": 1, "device_id": c["a"]}, {"sign": -1, "device_id": MISSING}],
        "terms.1.device_id",
        f"no device with id {MISSING}",
    ),
    (
        "device of another site",
        lambda c: [{"sign": 1, "device_id": c["far"]}],
        "terms.0.device_id",
        "(Far) is on another site",
    ),
    (
        "unknown meter",
        lambda c: [{"sign": 1, "meter_id": MISSING}],
        "terms.0.meter_id",
        f"no virtual meter with id {MISSING}",
    ),
    (
        "meter of another site",
        lambda c: [{"sign": 1, "device_id": c["a"]}, {"sign": 1, "meter_id": c["far_meter"]}],
        "terms.1.meter_id",
        "(Far meter) is on another site",
    ),
    ("sign 2", lambda c: [{"sign": 2, "device_id": c["a"]}], "terms.0.sign", "must be 1 or -1"),
    ("sign 0", lambda c: [{"sign": 0, "device_id": c["a"]}], "terms.0.sign", "must be 1 or -1"),
]


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [refusal[1:] for refusal in REFUSALS],
    ids=[refusal[0] for refusal in REFUSALS],
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_terms_are_refused_naming_the_term(
    admin_client: httpx.Client,
    campus: dict[str, int],
    terms: Callable[[dict[str, int]], list[dict[str, int]]],
    field: str,
    message: str,
    method: str,
) -> None:
    path = (
        f"/api/sites/{campus['site']}/virtual-meters"
        if method == "POST"
        else f"/api/virtual-meters/{campus['outer']}"
    )
    before = admin_client.get(f"/api/sites/{campus['site']}/virtual-meters").json()
    response = admin_client.request(method, path, json={"name": "New", "terms": terms(campus)})
    status, loc, msg = _refusal(response)
    assert (status, loc) == (422, ["body", field]), response.text
    assert message in msg
    # nothing was stored
    assert admin_client.get(f"/api/sites/{campus['site']}/virtual-meters").json() == before


def test_a_meter_cannot_refer_to_itself_directly_or_through_others(
    admin_client: httpx.Client, campus: dict[str, int]
) -> None:
    itself = admin_client.put(
        f"/api/virtual-meters/{campus['inner']}",
        json={"name": "Inner", "terms": [{"sign": 1, "meter_id": campus["inner"]}]},
    )
    assert _refusal(itself) == (
        422,
        ["body", "terms.0.meter_id"],
        "a virtual meter cannot refer to itself",
    )
    # Inner ← Middle ← Outer: Inner may not take in Outer (nor Middle)
    through = admin_client.put(
        f"/api/virtual-meters/{campus['inner']}",
        json={
            "name": "Inner",
            "terms": [
                {"sign": 1, "device_id": campus["a"]},
                {"sign": -1, "meter_id": campus["outer"]},
            ],
        },
    )
    status, loc, msg = _refusal(through)
    assert (status, loc) == (422, ["body", "terms.1.meter_id"])
    assert msg == "Outer refers back to this virtual meter (Inner → Outer → Middle → Inner)"
    direct = admin_client.put(
        f"/api/virtual-meters/{campus['inner']}",
        json={"name": "Inner", "terms": [{"sign": 1, "meter_id": campus["middle"]}]},
    )
    assert _refusal(direct)[:2] == (422, ["body", "terms.0.meter_id"])
    # the other way round is fine: Outer may take in Inner again
    fine = admin_client.put(
        f"/api/virtual-meters/{campus['outer']}",
        json={"name": "Outer", "terms": [{"sign": 1, "meter_id": campus["inner"]}]},
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["device_coefficients"] == {str(campus["a"]): 1}
    kept = admin_client.get(f"/api/virtual-meters/{campus['inner']}").json()
    assert kept["device_coefficients"] == {str(campus["a"]): 1}


def test_a_device_a_virtual_meter_uses_is_not_deleted(
    admin_client: httpx.Client, campus: dict[str, int]
) -> None:
    refused = admin_client.delete(f"/api/devices/{campus['a']}")
    assert refused.status_code == 409
    assert "Inner" in refused.json()["detail"]


# ---------------------------------------------------------------- readings


def _points(http: httpx.Client, path: str, start: str, end: str, interval: str) -> list[Any]:
    response = http.get(f"{path}/energy", params={"start": start, "end": end, "interval": interval})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "Africa/Johannesburg"
    assert body["interval"] == interval
    points: list[Any] = body["points"]
    return points


def _combine(
    parts: list[tuple[int, list[Any]]], field: str = "energy_import_kwh"
) -> list[float | None]:
    """The sum of coefficient * value per bucket: a gap where every part has one, else gaps as 0."""
    combined: list[float | None] = []
    for index in range(len(parts[0][1])):
        values = [(c, points[index][field]) for c, points in parts]
        if all(v is None for _, v in values):
            combined.append(None)
        else:
            combined.append(sum(c * (v or 0.0) for c, v in values))
    return combined


def _random_readings(
    rng: random.Random, start: datetime, days: int, kw: float
) -> list[dict[str, Any]]:
    """Readings every few minutes, with gaps, and a register that rises by a varying load."""
    rows = []
    moment, register = start, rng.uniform(0, 5000)
    while moment < start + timedelta(days=days):
        if rng.random() > 0.05:  # a few missed readings
            load = kw * rng.uniform(0.2, 1.8)
            rows.append(
                {
                    "time": moment.isoformat(),
                    "energy_import_kwh": round(register, 4),
                    "energy_export_kwh": round(register / 10, 4),
                    "power_kw": round(load, 4),
                }
            )
        step = rng.choice([1, 5, 7, 13, 30])
        register += kw * rng.uniform(0.2, 1.8) * step / 60
        moment += timedelta(minutes=step)
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_a_virtual_meter_equals_its_formula_in_every_bucket(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
    seed: int,
) -> None:
    """A - B + C, and a nested meter (A - B + C) - C = A - B: per hour, day and month, the
    virtual meter's energy is the signed sum of the devices' energy (device C starts a day
    later, so some buckets have only some devices)."""
    rng = random.Random(seed)
    a = make_device("Africa/Johannesburg")
    b = make_device(site_id=a.site_id)
    c = make_device(site_id=a.site_id)
    start = datetime(2026, 6, 30, 21, tzinfo=SAST)
    for meter, kw, late in ((a, 50.0, 0), (b, 20.0, 0), (c, 10.0, 1)):
        rows = _random_readings(rng, start + timedelta(days=late), 3 - late, kw)
        rng.shuffle(rows)
        for i in range(0, len(rows), 200):
            assert ingest(live_server.url, meter.token, rows[i : i + 200]).status_code == 200
    terms = [
        {"sign": 1, "device_id": a.device_id},
        {"sign": -1, "device_id": b.device_id},
        {"sign": 1, "device_id": c.device_id},
    ]
    combo = _create(admin_client, a.site_id, "A - B + C", terms)
    names = [admin_client.get(f"/api/devices/{m.device_id}").json()["name"] for m in (a, b, c)]
    assert combo["formula"] == f"{names[0]} {MINUS} {names[1]} + {names[2]}"
    nested = _create(
        admin_client,
        a.site_id,
        "A - B",
        [{"sign": 1, "meter_id": combo["id"]}, {"sign": -1, "device_id": c.device_id}],
    )
    assert nested["device_coefficients"] == {
        str(a.device_id): 1,
        str(b.device_id): -1,
        str(c.device_id): 0,
    }
    for interval, begin, end in (
        ("hour", "2026-07-01", "2026-07-04"),
        ("day", "2026-06-29", "2026-07-05"),
        ("month", "2026-06-01", "2026-08-01"),
    ):
        devices = {
            m.device_id: _points(admin_client, f"/api/devices/{m.device_id}", begin, end, interval)
            for m in (a, b, c)
        }
        for meter, coefficients in (
            (combo, {a.device_id: 1, b.device_id: -1, c.device_id: 1}),
            (nested, {a.device_id: 1, b.device_id: -1, c.device_id: 0}),
        ):
            points = _points(
                admin_client, f"/api/virtual-meters/{meter['id']}", begin, end, interval
            )
            assert [p["start"] for p in points] == [p["start"] for p in devices[a.device_id]]
            for field in ("energy_import_kwh", "energy_export_kwh"):
                expected = _combine([(k, devices[d]) for d, k in coefficients.items()], field)
                actual = [p[field] for p in points]
                assert actual == [
                    None if e is None else pytest.approx(e, abs=1e-5) for e in expected
                ], (interval, meter["name"], field)
            assert any(p["energy_import_kwh"] is not None for p in points)


def test_series_and_summary_combine_the_devices(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    """Steady loads A 100 kW, B 30 kW, C 10 kW over a day, except one half hour when A draws
    200 kW and B 150 kW at the same time: the combination A - B + C peaks at 80 kW
    (coincident), not at the half hour A peaks (60 kW then)."""
    a = make_device("Africa/Johannesburg")
    b = make_device(site_id=a.site_id)
    c = make_device(site_id=a.site_id)
    start = datetime(2026, 6, 1, tzinfo=SAST)
    spike = (start + timedelta(hours=10), start + timedelta(hours=10, minutes=30))
    for meter, kw, peak_kw in ((a, 100.0, 200.0), (b, 30.0, 150.0), (c, 10.0, 10.0)):
        rows, register = [], 0.0
        for k in range(24 * 12 + 1):
            moment = start + timedelta(minutes=5 * k)
            load = peak_kw if spike[0] < moment <= spike[1] else kw
            register += load * 5 / 60 if k else 0.0
            rows.append(
                {
                    "time": moment.isoformat(),
                    "energy_import_kwh": register,
                    "power_kw": peak_kw if spike[0] <= moment < spike[1] else kw,
                    "power_factor": 0.9,
                }
            )
        assert ingest(live_server.url, meter.token, rows).status_code == 200
    terms = [
        {"sign": 1, "device_id": a.device_id},
        {"sign": -1, "device_id": b.device_id},
        {"sign": 1, "device_id": c.device_id},
    ]
    combo = _create(admin_client, a.site_id, "A - B + C", terms)

    summary = admin_client.get(
        f"/api/virtual-meters/{combo['id']}/summary",
        params={"start": "2026-06-01", "end": "2026-06-02"},
    )
    assert summary.status_code == 200, summary.text
    body = summary.json()
    # 23.5 h at 80 kW and half an hour at 60 kW
    assert body["energy_import_kwh"] == pytest.approx(23.5 * 80 + 0.5 * 60)
    assert body["peak_demand_kw"] == pytest.approx(80.0)
    assert body["average_power_factor"] is None
    assert body["peak_demand_kva"] is None
    assert body["timezone"] == "Africa/Johannesburg"
    assert datetime.fromisoformat(body["last_reading_at"]) == start + timedelta(days=1)
    device_summary = admin_client.get(
        f"/api/devices/{a.device_id}/summary", params={"start": "2026-06-01", "end": "2026-06-02"}
    ).json()
    assert device_summary["peak_demand_kw"] == pytest.approx(200.0)

    # four days: long enough for the devices' series to read the rollup too (900 s buckets)
    params = {
        "start": start.isoformat(),
        "end": (start + timedelta(days=4)).isoformat(),
        "fields": ["power_kw", "power_factor"],
    }
    series = admin_client.get(f"/api/virtual-meters/{combo['id']}/series", params=params)
    assert series.status_code == 200, series.text
    combined = series.json()
    assert (combined["bucket_seconds"], combined["source"]) == (900, "rollup_15m")
    device_series = {
        m.device_id: admin_client.get(f"/api/devices/{m.device_id}/series", params=params).json()
        for m in (a, b, c)
    }
    assert device_series[a.device_id]["bucket_seconds"] == 900
    assert combined["times"] == device_series[a.device_id]["times"]
    for field in ("power_kw", "power_factor"):
        parts = [
            (k, [{field: v} for v in device_series[d]["series"][field]["avg"]])
            for d, k in ((a.device_id, 1), (b.device_id, -1), (c.device_id, 1))
        ]
        expected = _combine(parts, field)
        assert combined["series"][field]["avg"] == [
            None if e is None else pytest.approx(e, abs=1e-5) for e in expected
        ]
        assert any(e is not None for e in expected)
        assert set(combined["series"][field]["min"]) == {None}
        assert set(combined["series"][field]["max"]) == {None}

    # a short span still reads the rollup: 15-minute buckets
    short = admin_client.get(
        f"/api/virtual-meters/{combo['id']}/series",
        params={
            "start": spike[0].isoformat(),
            "end": (spike[0] + timedelta(hours=1)).isoformat(),
        },
    ).json()
    assert (short["bucket_seconds"], short["source"]) == (900, "rollup_15m")
    assert short["series"]["power_kw"]["avg"] == [
        pytest.approx(60.0),
        pytest.approx(60.0),
        pytest.approx(80.0),
        pytest.approx(80.0),
    ]


def test_the_bill_is_the_sites_tariff_applied_to_the_combination(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    """A flat 2.00 per kWh: the bill of A - B is 2 * (A's energy - B's)."""
    a = make_device("Africa/Johannesburg")
    b = make_device(site_id=a.site_id)
    start = datetime(2026, 6, 1, tzinfo=SAST)
    for meter, kw in ((a, 60.0), (b, 25.0)):
        rows = [
            {
                "time": (start + timedelta(minutes=15 * k)).isoformat(),
                "energy_import_kwh": 1000.0 + kw * k / 4,
            }
            for k in range(2 * 96 + 1)
        ]
        assert ingest(live_server.url, meter.token, rows).status_code == 200
    meter = _create(
        admin_client,
        a.site_id,
        "A - B",
        [{"sign": 1, "device_id": a.device_id}, {"sign": -1, "device_id": b.device_id}],
    )
    span = {"start": "2026-06-01", "end": "2026-06-03"}
    no_tariff = admin_client.get(f"/api/virtual-meters/{meter['id']}/bill", params=span)
    assert no_tariff.status_code == 409
    assert "no tariff" in no_tariff.json()["detail"]

    tariff = admin_client.post(
        "/api/tariffs", json=flat_tariff(2.0, timezone="Africa/Johannesburg", vat=0)
    )
    assert tariff.status_code == 201, tariff.text
    admin_client.patch(f"/api/sites/{a.site_id}", json={"tariff_id": tariff.json()["id"]})
    bill = admin_client.get(f"/api/virtual-meters/{meter['id']}/bill", params=span)
    assert bill.status_code == 200, bill.text
    energy_lines = [line for line in bill.json()["lines"] if line["kind"] == "energy"]
    assert sum(line["quantity"] for line in energy_lines) == pytest.approx(48 * (60 - 25))
    assert bill.json()["total"] == pytest.approx(2.0 * 48 * 35)
    site_bill = admin_client.get(f"/api/sites/{a.site_id}/bill", params=span).json()
    assert site_bill["total"] == pytest.approx(2.0 * 48 * 85)  # the site: A + B

    as_csv = admin_client.get(f"/api/virtual-meters/{meter['id']}/bill.csv", params=span)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert (
        f"bill-virtual-meter{meter['id']}-2026-06-01-2026-06-03.csv"
        in (as_csv.headers["content-disposition"])
    )
    csv_rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert csv_rows[-1][0] == "total"
    assert float(csv_rows[-1][-1]) == pytest.approx(2.0 * 48 * 35)
