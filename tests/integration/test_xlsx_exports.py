"""The Excel exports over real HTTP (docs/api/reports.md, "Excel"): each workbook holds the
figures of its JSON (or CSV) sibling, cell for cell: numbers as numbers, times as the site's
wall-clock times with the zone in the header, units in the headers, the header row frozen;
and each answers who may not read it, or asks badly, as its sibling does.

The world: a site in Johannesburg (time-of-use tariff), an incomer (supply) over a shop and
a cafe, hourly readings from 1 to 8 June at loads that change by the hour. The Grocer holds
the shop until 3 June 12:00 and a virtual meter (the cafe) from 2 June 06:00; the Deli holds
the shop from 3 June 12:00.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from power_portal.core.xlsx import XLSX_MEDIA_TYPE
from tests.support.portal import LiveServer, MeteredDevice, ingest, login_client
from tests.support.tariffs import eskom_style_tariff

SAST = ZoneInfo("Africa/Johannesburg")
ZONE = "Africa/Johannesburg"
MONTH = "2026-06"
JUNE_1 = datetime(2026, 6, 1, tzinfo=SAST)
MOVE = datetime(2026, 6, 3, 12, tzinfo=SAST)
VIRTUAL_FROM = datetime(2026, 6, 2, 6, tzinfo=SAST)
SPAN: dict[str, Any] = {"start": "2026-06-01", "end": "2026-06-05"}
SERIES: dict[str, Any] = {
    "start": "2026-06-01T00:00:00+02:00",
    "end": "2026-06-02T00:00:00+02:00",
    "fields": ["power_kw", "power_factor"],
}
TENANT_PASSWORD = "tenant password 1"
BASE_KW = {"Shop": 10.0, "Cafe": 4.0}


@dataclass(frozen=True)
class World:
    site_id: int
    devices: dict[str, int]
    virtual_meter_id: int
    grocer: int
    deli: int
    grocer_user: httpx.Client
    deli_user: httpx.Client


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def kw_at(name: str, hour: int) -> float:
    base = BASE_KW.get(name, sum(BASE_KW.values()) + 2.0)  # the incomer: both and 2 kW more
    return base + hour % 4


def send_readings(live_server: LiveServer, name: str, meter: MeteredDevice) -> None:
    """Hourly readings from 31 May 22:00 to 8 June 00:00 (local): the register, the power
    over the hour before, a power factor."""
    first = JUNE_1 - timedelta(hours=2)
    register, rows = 1000.0, []
    for hour in range(24 * 7 + 3):
        register += kw_at(name, hour) if hour else 0.0
        rows.append(
            {
                "time": (first + timedelta(hours=hour)).isoformat(),
                "energy_import_kwh": register,
                "power_kw": kw_at(name, hour),
                "power_factor": 0.9 + (hour % 3) / 100,
            }
        )
    assert ingest(live_server.url, meter.token, rows).json()["accepted"] == len(rows)


def tenant_user(
    live_server: LiveServer, admin: httpx.Client, tenant_id: int, email: str
) -> httpx.Client:
    user = {"email": email, "name": email.split("@")[0], "password": TENANT_PASSWORD}
    ok(admin.post("/api/users", json={**user, "role": "tenant", "tenant_id": tenant_id}))
    return login_client(live_server.url, email, TENANT_PASSWORD)


@pytest.fixture
def world(
    live_server: LiveServer, admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> Iterator[World]:
    incomer = make_device(ZONE)
    meters = {"Incomer": incomer}
    for name in BASE_KW:
        meters[name] = make_device(site_id=incomer.site_id)
    site_id = incomer.site_id
    for name, meter in meters.items():
        ok(admin_client.patch(f"/api/devices/{meter.device_id}", json={"name": name}))
    for name in BASE_KW:
        parent = {"parent_id": incomer.device_id}
        ok(admin_client.patch(f"/api/devices/{meters[name].device_id}", json=parent))
    ok(admin_client.patch(f"/api/devices/{incomer.device_id}", json={"role": "supply"}))
    tariff = ok(admin_client.post("/api/tariffs", json=eskom_style_tariff()))
    ok(admin_client.patch(f"/api/sites/{site_id}", json={"tariff_id": tariff["id"]}))
    for name, meter in meters.items():
        send_readings(live_server, name, meter)
    devices = {name: meter.device_id for name, meter in meters.items()}
    terms = [{"sign": 1, "device_id": devices["Cafe"]}]
    virtual = ok(
        admin_client.post(
            f"/api/sites/{site_id}/virtual-meters", json={"name": "Cafe area", "terms": terms}
        )
    )
    rule = {"kind": "pass_through", "apportion": "energy", "markup_percent": 5.0}
    grocer, deli = (
        ok(admin_client.post(f"/api/sites/{site_id}/tenants", json={"name": n, "rule": rule}))["id"]
        for n in ("Grocer", "Deli")
    )
    held: list[tuple[int, dict[str, int], datetime, datetime | None]] = [
        (grocer, {"device_id": devices["Shop"]}, JUNE_1 - timedelta(days=3), MOVE),
        (grocer, {"virtual_meter_id": virtual["id"]}, VIRTUAL_FROM, None),
        (deli, {"device_id": devices["Shop"]}, MOVE, None),
    ]
    for tenant_id, which, start, end in held:
        assignment: dict[str, Any] = {
            **which,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
        }
        ok(admin_client.post(f"/api/tenants/{tenant_id}/meters", json=assignment))
    grocer_user = tenant_user(live_server, admin_client, grocer, "grocer@example.com")
    deli_user = tenant_user(live_server, admin_client, deli, "deli@example.com")
    yield World(site_id, devices, virtual["id"], grocer, deli, grocer_user, deli_user)
    grocer_user.close()
    deli_user.close()


# ---------------------------------------------------------------- reading a workbook


def workbook(response: httpx.Response, filename: str) -> Workbook:
    """The download, checked as one: its type, its file name, and an .xlsx openpyxl reads."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
    return book


def sheet_of(book: Workbook, title: str) -> Worksheet:
    found = book[title]
    assert isinstance(found, Worksheet)
    return found


def header(sheet: Worksheet) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def body(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def local(text: str) -> datetime:
    """A JSON time as the site's wall-clock time without offset (what the workbook holds)."""
    return datetime.fromisoformat(text).astimezone(SAST).replace(tzinfo=None)


def numbers_are_numbers(rows: list[list[Any]], columns: range) -> None:
    for row in rows:
        for index in columns:
            assert row[index] is None or isinstance(row[index], int | float), row


def energy_rows(found: dict[str, Any]) -> list[list[Any]]:
    return [
        [local(p["start"]), p["energy_import_kwh"], p["energy_export_kwh"]] for p in found["points"]
    ]


# ---------------------------------------------------------------- energy and series


@pytest.mark.parametrize("interval", ["hour", "day", "month"])
def test_device_and_site_energy_are_the_jsons_rows(
    admin_client: httpx.Client, world: World, interval: str
) -> None:
    params = {**SPAN, "interval": interval}
    for path, name in (
        (f"/api/devices/{world.devices['Shop']}", f"energy-device{world.devices['Shop']}"),
        (f"/api/sites/{world.site_id}", f"energy-site{world.site_id}"),
    ):
        found = ok(admin_client.get(f"{path}/energy", params=params))
        response = admin_client.get(f"{path}/energy.xlsx", params=params)
        book = workbook(response, f"{name}-2026-06-01-2026-06-05-{interval}.xlsx")
        assert book.sheetnames == ["Energy"]
        sheet = sheet_of(book, "Energy")
        assert header(sheet) == [
            f"Start ({ZONE})",
            "Energy import (kWh)",
            "Energy export (kWh)",
        ]
        rows = body(sheet)
        assert rows == energy_rows(found)
        numbers_are_numbers(rows, range(1, 3))
        assert any(row[1] for row in rows)  # real figures, not only gaps
        start_format = {"hour": "yyyy-mm-dd hh:mm", "day": "yyyy-mm-dd", "month": "yyyy-mm"}
        assert sheet["A2"].number_format == start_format[interval]
        assert sheet["B2"].number_format == "0.000"


def test_the_series_is_the_jsons_avg_min_max_with_units(
    admin_client: httpx.Client, world: World
) -> None:
    shop = world.devices["Shop"]
    found = ok(admin_client.get(f"/api/devices/{shop}/series", params=SERIES))
    response = admin_client.get(f"/api/devices/{shop}/series.xlsx", params=SERIES)
    sheet = sheet_of(
        workbook(response, f"series-device{shop}-20260601T0000-20260602T0000.xlsx"), "Series"
    )
    assert header(sheet) == [
        f"Time ({ZONE})",
        "Active power avg (kW)",
        "Active power min (kW)",
        "Active power max (kW)",
        "Power factor avg",
        "Power factor min",
        "Power factor max",
    ]
    expected = [
        [
            local(moment),
            *(
                found["series"][field][stat][index]
                for field in ("power_kw", "power_factor")
                for stat in ("avg", "min", "max")
            ),
        ]
        for index, moment in enumerate(found["times"])
    ]
    rows = body(sheet)
    assert rows == expected
    assert len(rows) == len(found["times"]) > 24
    assert sum(1 for row in rows if row[1] is not None) >= 24  # an hour apart: values and gaps
    numbers_are_numbers(rows, range(1, 7))


# ---------------------------------------------------------------- bills


def bill_lines(found: dict[str, Any]) -> list[list[Any]]:
    lines = [
        [
            line["kind"],
            line["description"],
            line["season"],
            line["period"],
            line["month"],
            line["quantity"],
            line["unit"],
            line["rate"],
            line["amount"],
        ]
        for line in found["lines"]
    ]
    totals = [
        [label, *[None] * 7, found[key]]
        for label, key in (("subtotal", "subtotal"), ("VAT", "vat"), ("total", "total"))
    ]
    return [*lines, [None] * 9, *totals]


BILL_HEADER = [
    "Kind",
    "Description",
    "Season",
    "Period",
    "Month",
    "Quantity",
    "Unit",
    "Rate (ZAR per unit)",
    "Amount (ZAR)",
]


def test_the_site_bill_is_the_rows_of_its_csv_with_numbers(
    admin_client: httpx.Client, world: World
) -> None:
    span = {"start": "2026-06-01", "end": "2026-06-08"}
    path = f"/api/sites/{world.site_id}/bill"
    found = ok(admin_client.get(path, params=span))
    response = admin_client.get(f"{path}.xlsx", params=span)
    book = workbook(response, f"bill-site{world.site_id}-2026-06-01-2026-06-08.xlsx")
    sheet = sheet_of(book, "Bill")
    assert header(sheet) == BILL_HEADER
    rows = body(sheet)
    assert rows == bill_lines(found)
    assert {row[0] for row in rows[:-4]} >= {"energy", "demand", "fixed"}
    numbers_are_numbers(rows, range(5, 6))
    numbers_are_numbers(rows, range(7, 9))
    # the CSV's rows, the same figures (its text rounded as it prints them)
    text = list(csv.reader(io.StringIO(admin_client.get(f"{path}.csv", params=span).text)))
    assert len(text) == len(rows) + 1
    for row, printed in zip(rows, text[1:], strict=True):
        if not printed:  # the blank row before the totals
            assert row == [None] * 9
            continue
        assert row[0] == printed[0]
        if printed[-1]:
            assert f"{row[-1]:.2f}" == printed[-1]


def test_a_tenant_bill_has_its_lines_and_its_meters(
    admin_client: httpx.Client, world: World
) -> None:
    for http in (admin_client, world.grocer_user):  # the admin, and the tenant's own user
        path = f"/api/tenants/{world.grocer}/bill"
        found = ok(http.get(path, params={"month": MONTH}))
        response = http.get(f"{path}.xlsx", params={"month": MONTH})
        book = workbook(response, f"bill-tenant{world.grocer}-{MONTH}.xlsx")
        assert book.sheetnames == ["Bill", "Meters"]
        lines = sheet_of(book, "Bill")
        assert header(lines) == BILL_HEADER
        assert body(lines) == bill_lines(found)
        assert "markup" in [row[0] for row in body(lines)]
        meters = sheet_of(book, "Meters")
        assert header(meters) == [
            "Meter",
            "Kind",
            f"From ({ZONE})",
            f"To ({ZONE})",
            "Opening register (kWh)",
            "Closing register (kWh)",
            "Energy (kWh)",
        ]
        kinds = {"device": "device", "virtual_meter": "virtual meter"}
        assert body(meters) == [
            [
                m["name"],
                kinds[m["kind"]],
                local(m["from"]),
                local(m["to"]),
                m["opening_kwh"],
                m["closing_kwh"],
                m["energy_kwh"],
            ]
            for m in found["meters"]
        ]
        shop, cafe = body(meters)
        assert (shop[2], shop[3]) == (datetime(2026, 6, 1), datetime(2026, 6, 3, 12))
        assert (cafe[1], cafe[4]) == ("virtual meter", None)
        assert meters["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_the_reconciliation_has_every_figure_with_units(
    admin_client: httpx.Client, world: World
) -> None:
    path = f"/api/sites/{world.site_id}/reconciliation"
    found = ok(admin_client.get(path, params={"month": MONTH}))
    response = admin_client.get(f"{path}.xlsx", params={"month": MONTH})
    book = workbook(response, f"reconciliation-site{world.site_id}-{MONTH}.xlsx")
    sheet = sheet_of(book, "Reconciliation")
    assert header(sheet) == [
        "Item",
        "Energy (kWh)",
        "Excl. VAT (ZAR)",
        "Incl. VAT (ZAR)",
        "Recovery (%)",
        "Meters",
    ]
    utility, common = found["utility"], found["common_areas"]
    tenants = [
        [f"Tenant: {t['name']}", t["energy_kwh"], t["recovered_subtotal"], t["recovered_total"]]
        for t in found["tenants"]
    ]
    assert sorted(t[0] for t in tenants) == ["Tenant: Deli", "Tenant: Grocer"]
    names = ", ".join(m["name"] for m in common["meters"]) or None
    generation = ", ".join(m["name"] for m in found["generation"]["meters"]) or None
    assert body(sheet) == [
        ["Utility bill", utility["energy_kwh"], utility["subtotal"], utility["total"], None, None],
        *[[*tenant, None, None] for tenant in tenants],
        ["Common areas", common["energy_kwh"], common["cost"], None, None, names],
        ["On-site generation", found["generation"]["energy_kwh"], None, None, None, generation],
        [
            "Unmetered",
            found["unmetered"]["energy_kwh"],
            found["unmetered"]["cost"],
            None,
            None,
            None,
        ],
        ["Landlord share", None, found["landlord_share"]["cost"], None, None, None],
        ["Recovered", None, found["recovered_subtotal"], None, found["recovery_percent"], None],
        ["Difference", None, found["difference"], None, None, None],
    ]
    assert found["recovery_percent"] is not None
    assert sheet["C2"].number_format == "#,##0.00"


# ---------------------------------------------------------------- a tenant's energy


def column(sheet: Worksheet, title: str) -> list[Any]:
    index = header(sheet).index(title)
    return [row[index] for row in body(sheet)]


@pytest.mark.parametrize("interval", ["hour", "day"])
def test_a_tenants_energy_is_each_meter_while_held(
    admin_client: httpx.Client, world: World, interval: str
) -> None:
    """The Grocer's columns are what its own user reads of each meter (row-level security
    gives it only the instants held): the shop until the move, the cafe from 2 June 06:00."""
    params = {**SPAN, "interval": interval}
    path = f"/api/tenants/{world.grocer}/energy.xlsx"
    name = f"energy-tenant{world.grocer}-2026-06-01-2026-06-05-{interval}.xlsx"
    sheet = sheet_of(workbook(admin_client.get(path, params=params), name), "Energy")
    assert header(sheet) == [f"Start ({ZONE})", "Shop (kWh)", "Cafe area (kWh)", "Total (kWh)"]
    own = sheet_of(workbook(world.grocer_user.get(path, params=params), name), "Energy")
    assert body(own) == body(sheet)  # the tenant's own user reads the same

    shop = ok(world.grocer_user.get(f"/api/devices/{world.devices['Shop']}/energy", params=params))
    cafe = ok(
        world.grocer_user.get(f"/api/virtual-meters/{world.virtual_meter_id}/energy", params=params)
    )
    starts = [local(p["start"]) for p in shop["points"]]
    assert column(sheet, f"Start ({ZONE})") == starts
    for title, found in (("Shop (kWh)", shop), ("Cafe area (kWh)", cafe)):
        expected = [p["energy_import_kwh"] for p in found["points"]]
        assert column(sheet, title) == pytest.approx(expected, abs=1e-6), title
    rows = body(sheet)
    numbers_are_numbers(rows, range(1, 4))
    for row in rows:
        parts = [value for value in row[1:3] if value is not None]
        assert row[3] == (pytest.approx(sum(parts), abs=1e-6) if parts else None)
    # clipped: nothing of the shop after the move, nothing of the cafe before it was held
    if interval == "day":
        shop_days = column(sheet, "Shop (kWh)")
        assert shop_days[0] == pytest.approx(sum(kw_at("Shop", h) for h in range(3, 27)))
        assert shop_days[3] is None  # 4 June: the Deli's
        assert column(sheet, "Cafe area (kWh)")[0] is None
    # the Deli: the shop from the move
    deli = admin_client.get(f"/api/tenants/{world.deli}/energy.xlsx", params=params)
    deli_name = f"energy-tenant{world.deli}-2026-06-01-2026-06-05-{interval}.xlsx"
    deli_sheet = sheet_of(workbook(deli, deli_name), "Energy")
    assert header(deli_sheet) == [f"Start ({ZONE})", "Shop (kWh)", "Total (kWh)"]
    everyone = ok(admin_client.get(f"/api/devices/{world.devices['Shop']}/energy", params=params))
    whole = [p["energy_import_kwh"] or 0.0 for p in everyone["points"]]
    held = [
        (a or 0.0) + (b or 0.0)
        for a, b in zip(column(sheet, "Shop (kWh)"), column(deli_sheet, "Shop (kWh)"), strict=True)
    ]
    assert held == pytest.approx(whole, abs=1e-6)  # the move loses nothing, counts nothing twice


# ---------------------------------------------------------------- who may read, and bad asks


def sibling_of(path: str) -> str:
    """The JSON route answering the same refusals: ``…/bill.xlsx`` → ``…/bill``; a tenant's
    energy has none, its tenant (the same check of who reads it) stands in."""
    if "/tenants/" in path and path.endswith("/energy.xlsx"):
        return path.removesuffix("/energy.xlsx")
    return path.removesuffix(".xlsx")


def same_answer(http: httpx.Client, path: str, params: dict[str, Any]) -> httpx.Response:
    """The xlsx route answers an error as its JSON sibling does: status and detail."""
    sibling, response = http.get(sibling_of(path), params=params), http.get(path, params=params)
    assert response.status_code == sibling.status_code >= 400, (path, response.text)
    assert response.json() == sibling.json(), path
    return response


def test_refusals_are_the_jsons(
    client: httpx.Client, viewer_client: httpx.Client, admin_client: httpx.Client, world: World
) -> None:
    shop, incomer = world.devices["Shop"], world.devices["Incomer"]
    energy = {**SPAN, "interval": "day"}
    month = {"month": MONTH}
    routes: list[tuple[str, dict[str, Any]]] = [
        (f"/api/devices/{shop}/energy.xlsx", energy),
        (f"/api/sites/{world.site_id}/energy.xlsx", energy),
        (f"/api/devices/{shop}/series.xlsx", SERIES),
        (f"/api/sites/{world.site_id}/bill.xlsx", SPAN),
        (f"/api/tenants/{world.grocer}/bill.xlsx", month),
        (f"/api/tenants/{world.grocer}/energy.xlsx", energy),
        (f"/api/sites/{world.site_id}/reconciliation.xlsx", month),
    ]
    for path, params in routes:
        assert same_answer(client, path, params).status_code == 401, path
    # a viewer: the readings and the site's bill, not the tenants' figures
    for path, params in routes[:4]:
        assert viewer_client.get(path, params=params).status_code == 200, path
    for path, params in routes[4:]:
        assert same_answer(viewer_client, path, params).status_code == 403, path
    # a tenant user: its own meters and tenant; another's is a 404, the site's a 403
    deli = world.deli_user
    assert deli.get(routes[0][0], params=energy).status_code == 200  # it holds the shop now
    for path, params in [
        (f"/api/devices/{incomer}/energy.xlsx", energy),
        (f"/api/devices/{incomer}/series.xlsx", SERIES),
        (f"/api/tenants/{world.grocer}/bill.xlsx", month),
        (f"/api/tenants/{world.grocer}/energy.xlsx", energy),
    ]:
        refused = same_answer(deli, path, params)
        assert refused.status_code == 404, path
        assert "Grocer" not in refused.text
        assert "Incomer" not in refused.text
    for path, params in (routes[1], routes[3], routes[6]):
        assert same_answer(deli, path, params).status_code == 403, path
    # what does not exist
    for path, params in [
        ("/api/devices/999999/energy.xlsx", energy),
        ("/api/sites/999999/energy.xlsx", energy),
        ("/api/devices/999999/series.xlsx", SERIES),
        ("/api/sites/999999/bill.xlsx", SPAN),
        ("/api/tenants/999999/bill.xlsx", month),
        ("/api/tenants/999999/energy.xlsx", energy),
        ("/api/sites/999999/reconciliation.xlsx", month),
    ]:
        assert same_answer(admin_client, path, params).status_code == 404, path


def problem_field(response: httpx.Response) -> str:
    [problem] = response.json()["detail"]
    return str(problem["loc"][-1])


def test_a_bad_query_is_a_422_naming_the_field(admin_client: httpx.Client, world: World) -> None:
    shop = world.devices["Shop"]
    backwards = {"start": "2026-06-05", "end": "2026-06-01"}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (f"/api/devices/{shop}/energy.xlsx", {**SPAN, "interval": "week"}, "interval"),
        (f"/api/devices/{shop}/energy.xlsx", backwards, "end"),
        (f"/api/sites/{world.site_id}/energy.xlsx", {"end": "2026-06-05"}, "start"),
        (f"/api/devices/{shop}/series.xlsx", {**SERIES, "fields": ["power; DROP"]}, "fields"),
        (f"/api/devices/{shop}/series.xlsx", {**SERIES, "max_points": 1}, "max_points"),
        (
            f"/api/sites/{world.site_id}/bill.xlsx",
            {"start": "2026-06-01", "end": "2027-07-01"},
            "end",
        ),
        (f"/api/tenants/{world.grocer}/bill.xlsx", {"month": "2026-13"}, "month"),
        (f"/api/tenants/{world.grocer}/energy.xlsx", {**SPAN, "interval": "year"}, "interval"),
        (f"/api/tenants/{world.grocer}/energy.xlsx", backwards, "end"),
        (f"/api/sites/{world.site_id}/reconciliation.xlsx", {"month": "9999-12"}, "month"),
        (f"/api/sites/{world.site_id}/reconciliation.xlsx", {}, "month"),
    ]
    for path, params, field in cases:
        if sibling_of(path).endswith(f"/tenants/{world.grocer}"):  # no JSON sibling
            response = admin_client.get(path, params=params)
            assert response.status_code == 422, response.text
        else:
            response = same_answer(admin_client, path, params)
        assert problem_field(response) == field, (path, response.text)


def test_a_bill_without_a_tariff_is_a_409_as_its_json(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> None:
    bare = make_device(ZONE)
    response = same_answer(admin_client, f"/api/sites/{bare.site_id}/bill.xlsx", SPAN)
    assert response.status_code == 409
    assert "tariff" in response.json()["detail"]
    # its energy is there all the same: a workbook of empty buckets
    energy = admin_client.get(
        f"/api/sites/{bare.site_id}/energy.xlsx", params={**SPAN, "interval": "day"}
    )
    name = f"energy-site{bare.site_id}-2026-06-01-2026-06-05-day.xlsx"
    rows = body(sheet_of(workbook(energy, name), "Energy"))
    assert [row[1:] for row in rows] == [[None, None]] * 4
