"""Extreme dates over real HTTP: every date, instant, month or week a route takes outside the
supported years (``core/request_checks.py``: 1900 to 2200) is a 422 naming the field, never a
500 from an ``OverflowError``; the ends of the range and ordinary requests still work.

One portal (admin mode: every route, the fleet's too) on its own database, with a site in
Kiritimati (UTC+14), a metered device, a virtual meter, a tenant holding the device, a report
schedule and a fleet customer, serves every case of the module.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.settings import Settings
from tests.support.database import (
    TEMPLATE_DB,
    psycopg_conninfo,
    url_string,
    wait_for_rollups,
)
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest, login_client

ZONE = "Pacific/Kiritimati"
RANGE = "1900"  # every refusal says where the supported dates begin


@dataclass(frozen=True)
class World:
    ids: dict[str, int | str]
    db_url: URL


@pytest.fixture(scope="module")
def portal(
    pg_server: EmbeddedPostgres, template_url: URL, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, URL]]:
    """A portal in admin mode on a fresh copy of the migrated template, for the module."""
    admin = psycopg_conninfo(pg_server.url_for("postgres"))
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(name), pgsql.Identifier(TEMPLATE_DB)
            )
        )
    db_url = pg_server.url_for(name)
    home = tmp_path_factory.mktemp("extreme-dates")
    with pytest.MonkeyPatch.context() as env:  # as conftest's _isolated_environment does
        for variable in [v for v in os.environ if v.startswith("PORTAL_")]:
            env.delenv(variable)
        env.chdir(home)
        data_dir = Path(home) / "data"
        data_dir.mkdir()
        settings = Settings(
            database_url=url_string(db_url),
            data_dir=data_dir,
            admin_password=ADMIN_PASSWORD,
            run_mode="admin",
        )
        server = LiveServer(settings)
        server.start()
        try:
            yield server, db_url
        finally:
            server.stop()
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(
                    pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        pgsql.Identifier(name)
                    )
                )


@pytest.fixture(scope="module")
def admin(portal: tuple[LiveServer, URL]) -> Iterator[httpx.Client]:
    server, _ = portal
    http = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    yield http
    http.close()


def created(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def world(portal: tuple[LiveServer, URL], admin: httpx.Client) -> World:
    server, db_url = portal
    site = created(admin.post("/api/sites", json={"name": "Atoll", "timezone": ZONE}))["id"]
    device = created(
        admin.post(f"/api/sites/{site}/devices", json={"name": "Incomer", "serial": "XD-1"})
    )["id"]
    token = created(admin.post(f"/api/devices/{device}/tokens", json={}))["token"]
    # a reading every hour of a day, 10 kWh an hour
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
    rows = [
        {"time": (day + timedelta(hours=h)).isoformat(), "energy_import_kwh": 10.0 * h}
        for h in range(25)
    ]
    assert ingest(server.url, token, rows).status_code == 200
    wait_for_rollups(db_url)
    terms = [{"sign": 1, "device_id": device}]
    meter = created(
        admin.post(f"/api/sites/{site}/virtual-meters", json={"name": "Main", "terms": terms})
    )["id"]
    rule = {"kind": "pass_through", "apportion": "energy"}
    tenant = created(admin.post(f"/api/sites/{site}/tenants", json={"name": "Shop", "rule": rule}))[
        "id"
    ]
    held = {"device_id": device, "start": "2026-01-01T00:00:00+14:00"}
    assignment = created(admin.post(f"/api/tenants/{tenant}/meters", json=held))["id"]
    schedule = created(
        admin.post(
            "/api/report-schedules",
            json={
                "name": "Monthly",
                "site_id": site,
                "cadence": "monthly",
                "day_of_month": 3,
                "local_time": "07:00",
                "contents": ["report"],
                "recipients": ["finance@example.com"],
            },
        )
    )["id"]
    customer = created(admin.post("/api/fleet/customers", json={"code": "acme", "name": "Acme"}))[
        "code"
    ]
    ids: dict[str, int | str] = {
        "site": site,
        "device": device,
        "meter": meter,
        "tenant": tenant,
        "assignment": assignment,
        "schedule": schedule,
        "customer": customer,
        "day": day.date().isoformat(),
        "next_day": (day.date() + timedelta(days=1)).isoformat(),
    }
    return World(ids, db_url)


def refused_naming(response: httpx.Response, field: str) -> None:
    """A 422 in the API's one shape whose one problem names ``field`` and the range."""
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"][-1] == field, problem
    assert RANGE in problem["msg"], problem
    assert problem["type"] == "value_error", problem


# ---------------------------------------------------------------- the cases

# The issue's URLs, as written (the device is the world's).
ISSUE = [
    ("/api/devices/{device}/energy?start=9999-12-01&end=9999-12-31&interval=day", "start"),
    ("/api/devices/{device}/energy?start=9999-12-01&end=9999-12-31&interval=month", "start"),
    (
        "/api/devices/{device}/series?start=9999-12-30T00:00:00Z&end=9999-12-31T23:59:59Z",
        "start",
    ),
    (
        "/api/devices/{device}/series?start=0001-01-01T00:00:00%2B14:00"
        "&end=0001-01-02T00:00:00%2B14:00",
        "start",
    ),
]

# Every route over local dates [start, end), with its other parameters.
DATE_ROUTES = [
    "/api/devices/{device}/energy?interval=hour",
    "/api/devices/{device}/energy?interval=day",
    "/api/devices/{device}/energy?interval=month",
    "/api/sites/{site}/energy?interval=month",
    "/api/devices/{device}/energy.xlsx?interval=day",
    "/api/sites/{site}/energy.xlsx?interval=month",
    "/api/devices/{device}/summary",
    "/api/sites/{site}/summary",
    "/api/sites/{site}/tree",
    "/api/sites/{site}/tree.csv?interval=month",
    "/api/sites/{site}/bill",
    "/api/sites/{site}/bill.csv",
    "/api/sites/{site}/bill.xlsx",
    "/api/sites/{site}/bill.pdf",
    "/api/sites/{site}/costs/daily",
    "/api/virtual-meters/{meter}/energy?interval=month",
    "/api/virtual-meters/{meter}/summary",
    "/api/virtual-meters/{meter}/bill",
    "/api/virtual-meters/{meter}/bill.csv",
    "/api/tenants/{tenant}/energy.xlsx?interval=day",
    f"/api/fleet/energy?interval=month&timezone={ZONE}",
    "/api/fleet/customers/{customer}/energy?interval=day",
]
DATE_SPANS = [
    ("start=9999-12-01&end=9999-12-31", "start"),
    ("start=0001-01-01&end=0001-01-31", "start"),
    ("start=1899-12-31&end=1900-01-02", "start"),
    ("start=2200-12-01&end=2201-01-01", "end"),
    ("start=2026-01-01&end=9999-12-31", "end"),  # the bound before the span's length
]

# Every route over instants [start, end).
SERIES_ROUTES = [
    "/api/devices/{device}/series",
    "/api/devices/{device}/series.xlsx",
    "/api/virtual-meters/{meter}/series",
]
SERIES_SPANS = [
    ("start=9999-12-30T00:00:00Z&end=9999-12-31T23:59:59Z", "start"),
    ("start=0001-01-01T00:00:00%2B14:00&end=0001-01-02T00:00:00%2B14:00", "start"),
    ("start=2200-12-31T00:00:00Z&end=2201-01-01T12:00:00Z", "end"),
]

# Every route over a month (and the report's week).
MONTH_ROUTES = [
    "/api/tenants/{tenant}/bill",
    "/api/tenants/{tenant}/bill.csv",
    "/api/tenants/{tenant}/bill.xlsx",
    "/api/tenants/{tenant}/bill.pdf",
    "/api/sites/{site}/tenant-bills",
    "/api/sites/{site}/reconciliation",
    "/api/sites/{site}/reconciliation.xlsx",
    "/api/sites/{site}/report",
    "/api/sites/{site}/report.pdf",
]
MONTHS = ["9999-12", "0001-01", "1899-12", "2201-01"]
WEEK_ROUTES = ["/api/sites/{site}/report", "/api/sites/{site}/report.pdf"]
WEEKS = ["9999-W52", "0001-W01", "1899-W52", "2201-W01"]

QUERY_CASES = [
    *ISSUE,
    *(
        (f"{route}{'&' if '?' in route else '?'}{span}", field)
        for route in DATE_ROUTES
        for span, field in DATE_SPANS
    ),
    *((f"{route}?{span}", field) for route in SERIES_ROUTES for span, field in SERIES_SPANS),
    *((f"{route}?month={month}", "month") for route in MONTH_ROUTES for month in MONTHS),
    *((f"{route}?week={week}", "week") for route in WEEK_ROUTES for week in WEEKS),
    ("/api/alerts?since=0001-01-01T00:00:00%2B14:00", "since"),
    ("/api/alerts?until=9999-12-31T23:59:59Z", "until"),
    ("/api/alerts?since=2026-01-01T00:00:00Z&until=2201-01-01T00:00:00Z", "until"),
]


@pytest.mark.parametrize(("url", "field"), QUERY_CASES)
def test_an_extreme_date_in_a_query_is_a_422_naming_it(
    admin: httpx.Client, world: World, url: str, field: str
) -> None:
    refused_naming(admin.get(url.format(**world.ids)), field)


BODY_CASES = [
    (
        "POST",
        "/api/tenants/{tenant}/meters",
        {"device_id": "{device}", "start": "0001-01-01T00:00:00+14:00"},
        "start",
    ),
    (
        "POST",
        "/api/tenants/{tenant}/meters",
        {"device_id": "{device}", "start": "2027-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"},
        "end",
    ),
    ("PATCH", "/api/tenant-meters/{assignment}", {"end": "9999-12-31T23:59:59Z"}, "end"),
    ("PATCH", "/api/tenant-meters/{assignment}", {"start": "1899-12-31T23:00:00-05:00"}, "start"),
    ("POST", "/api/report-schedules/{schedule}/send", {"month": "9999-12"}, "month"),
    ("POST", "/api/report-schedules/{schedule}/send", {"month": "0000-01"}, "month"),
    ("POST", "/api/report-schedules/{schedule}/send", {"week": "9999-W52"}, "week"),
]


@pytest.mark.parametrize(("method", "url", "body", "field"), BODY_CASES)
def test_an_extreme_date_in_a_body_is_a_422_naming_it(
    admin: httpx.Client, world: World, method: str, url: str, body: dict[str, str], field: str
) -> None:
    filled = {
        key: int(world.ids[value[1:-1]]) if value.startswith("{") else value
        for key, value in body.items()
    }
    response = admin.request(method, url.format(**world.ids), json=filled)
    refused_naming(response, field)


# ---------------------------------------------------------------- what still works


def test_ordinary_requests_still_work(admin: httpx.Client, world: World) -> None:
    ids = world.ids
    day = {"start": ids["day"], "end": ids["next_day"]}
    energy = created(admin.get(f"/api/devices/{ids['device']}/energy?interval=day", params=day))
    assert sum(p["energy_import_kwh"] or 0 for p in energy["points"]) > 0
    series = {"start": f"{ids['day']}T00:00:00Z", "end": f"{ids['next_day']}T00:00:00Z"}
    assert created(admin.get(f"/api/devices/{ids['device']}/series", params=series))["times"]
    created(admin.get(f"/api/sites/{ids['site']}/summary", params=day))
    created(admin.get(f"/api/virtual-meters/{ids['meter']}/energy", params=day))
    workbook = admin.get(f"/api/tenants/{ids['tenant']}/energy.xlsx", params=day)
    assert workbook.status_code == 200, workbook.text
    created(admin.get("/api/fleet/energy", params=day))
    created(admin.get("/api/alerts", params={"since": "2026-01-01T00:00:00Z"}))
    changed = created(
        admin.patch(f"/api/tenant-meters/{ids['assignment']}", json={"end": "2200-12-31T00:00Z"})
    )
    assert changed["end"] is not None


@pytest.mark.parametrize(
    ("url", "params"),
    [
        # the ends of the range, in a zone 14 hours ahead: every bucket's end exists
        ("/api/devices/{device}/energy", {"start": "2200-12-01", "end": "2200-12-31"}),
        (
            "/api/devices/{device}/energy",
            {"start": "2200-12-30", "end": "2200-12-31", "interval": "hour"},
        ),
        (
            "/api/devices/{device}/energy",
            {"start": "1900-01-01", "end": "1900-02-01", "interval": "month"},
        ),
        ("/api/sites/{site}/energy.xlsx", {"start": "2200-06-01", "end": "2200-12-31"}),
        ("/api/virtual-meters/{meter}/summary", {"start": "1900-01-01", "end": "1900-01-02"}),
        (
            "/api/devices/{device}/series",
            {"start": "1900-01-01T00:00:00+14:00", "end": "1900-01-02T00:00:00Z"},
        ),
        (
            "/api/devices/{device}/series.xlsx",
            {"start": "2200-12-30T00:00:00+14:00", "end": "2200-12-31T23:59:59-12:00"},
        ),
        (
            "/api/fleet/energy",
            {"start": "2200-12-01", "end": "2200-12-31", "interval": "month", "timezone": ZONE},
        ),
        ("/api/tenants/{tenant}/energy.xlsx", {"start": "1900-01-01", "end": "1900-01-03"}),
    ],
)
def test_the_ends_of_the_range_are_answered(
    admin: httpx.Client, world: World, url: str, params: dict[str, str]
) -> None:
    response = admin.get(url.format(**world.ids), params=params)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/api/devices/{device}/energy", {"start": "2026-06-02", "end": "2026-06-01"}, "after"),
        ("/api/sites/{site}/bill", {"start": "2026-06-01", "end": "2027-07-01"}, "at most 366"),
        (
            "/api/devices/{device}/series",
            {"start": "2026-06-02T00:00:00Z", "end": "2026-06-01T00:00:00Z"},
            "after",
        ),
    ],
)
def test_a_backwards_or_long_span_is_refused_as_before(
    admin: httpx.Client, world: World, url: str, params: dict[str, str], message: str
) -> None:
    response = admin.get(url.format(**world.ids), params=params)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "end"]
    assert message in problem["msg"]
