"""Tenant users over real HTTP (docs/api/tenants.md, "Tenant users"), with row-level security
switched on for real.

The embedded test server runs the portal as the superuser, which passes every policy; here
the test's database is handed to a role that is not one (``portal_owner``, as the deploy/
stack's ``portal``: it owns every table, so only ``FORCE ROW LEVEL SECURITY`` binds it) and
the live server signs in as that role. So every tenant user's request below meets both lines:
the services' checks (404 / 403) and the policies of migration ``0015_tenant_users``.

The world: one site in Johannesburg with a flat tariff; the Grocer holds meter A, the Cafe
meter B, and meter C (shop 3) passes from the Grocer to the Cafe on 2 June at 00:00 local.
Every meter reads 10 kW from 1 to 3 June.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.database import psycopg_conninfo, url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest, login_client
from tests.support.tariffs import flat_tariff

SAST = ZoneInfo("Africa/Johannesburg")
OWNER = "portal_owner"
TENANT_PASSWORD = "tenant password 1"
SPAN = {"start": "2026-06-01", "end": "2026-06-04"}
KW = 10.0

# Hand every object of the portal's schemas to OWNER (REASSIGN OWNED cannot: the superuser
# also owns the system catalogues).
_HAND_OVER = """
DO $owner$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT nspname FROM pg_namespace
                WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO portal_owner', item.nspname);
    END LOOP;
    FOR item IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm')
                  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO portal_owner', item.nspname, item.relname);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO portal_owner', item.signature);
    END LOOP;
END
$owner$
"""


def _as_owner(db_url: URL) -> URL:
    """The database, owned by OWNER (created once per server), and OWNER's URL to it."""
    admin = psycopg_conninfo(db_url.set(database="postgres"))
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER,)).fetchone()
        if exists is None:
            conn.execute(f"CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute(
            pgsql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                pgsql.Identifier(str(db_url.database)), pgsql.Identifier(OWNER)
            )
        )
    with psycopg.connect(**psycopg_conninfo(db_url), autocommit=True) as conn:
        conn.execute(_HAND_OVER)
    return db_url.set(username=OWNER)


@dataclass(frozen=True)
class World:
    url: str
    owner_url: URL
    site_id: int
    meter_a: int  # the Grocer's
    meter_b: int  # the Cafe's
    meter_c: int  # the Grocer's until 2 June 00:00, then the Cafe's
    grocer: int
    cafe: int
    grocer_vm: int  # a virtual meter the Grocer holds: A (holding C through one would show C)
    cafe_vm: int
    admin: httpx.Client
    grocer_user: httpx.Client
    grocer_user_id: int


def _created(response: httpx.Response) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


def _rule() -> dict[str, Any]:
    return {"kind": "pass_through", "apportion": "energy"}


@pytest.fixture
def world(db_url: URL, tmp_path: Path) -> Iterator[World]:
    owner_url = _as_owner(db_url)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = Settings(
        database_url=url_string(owner_url), data_dir=data_dir, admin_password=ADMIN_PASSWORD
    )
    server = LiveServer(settings)
    server.start()
    admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    clients = [admin]
    try:
        tariff = _created(admin.post("/api/tariffs", json=flat_tariff(2.0, "Africa/Johannesburg")))
        site = _created(
            admin.post(
                "/api/sites",
                json={"name": "Mall", "timezone": "Africa/Johannesburg", "tariff_id": tariff["id"]},
            )
        )["id"]
        meters = []
        for name in ("A", "B", "C"):
            device = _created(
                admin.post(f"/api/sites/{site}/devices", json={"name": name, "serial": f"S-{name}"})
            )["id"]
            token = _created(admin.post(f"/api/devices/{device}/tokens", json={}))["token"]
            meters.append((device, token))
        start = datetime(2026, 6, 1, tzinfo=SAST)
        rows = [
            {
                "time": (start + timedelta(minutes=15 * k)).isoformat(),
                "power_kw": KW,
                "energy_import_kwh": 1000.0 + KW * k / 4,
            }
            for k in range(3 * 96 + 1)
        ]
        for _, token in meters:
            assert ingest(server.url, token, rows).status_code == 200
        (a, _), (b, _), (c, _) = meters
        grocer = _created(
            admin.post(f"/api/sites/{site}/tenants", json={"name": "Grocer", "rule": _rule()})
        )["id"]
        cafe = _created(
            admin.post(f"/api/sites/{site}/tenants", json={"name": "Cafe", "rule": _rule()})
        )["id"]
        move = datetime(2026, 6, 2, tzinfo=SAST).isoformat()
        since = datetime(2026, 5, 1, tzinfo=SAST).isoformat()
        grocer_vm = _created(
            admin.post(
                f"/api/sites/{site}/virtual-meters",
                json={
                    "name": "Grocer A",
                    "terms": [{"sign": 1, "device_id": a}],
                },
            )
        )["id"]
        cafe_vm = _created(
            admin.post(
                f"/api/sites/{site}/virtual-meters",
                json={"name": "Cafe B", "terms": [{"sign": 1, "device_id": b}]},
            )
        )["id"]
        for tenant, meter, begin, end in (
            (grocer, {"device_id": a}, since, None),
            (grocer, {"device_id": c}, since, move),
            (grocer, {"virtual_meter_id": grocer_vm}, since, None),
            (cafe, {"device_id": b}, since, None),
            (cafe, {"device_id": c}, move, None),
            (cafe, {"virtual_meter_id": cafe_vm}, since, None),
        ):
            _created(
                admin.post(
                    f"/api/tenants/{tenant}/meters", json={**meter, "start": begin, "end": end}
                )
            )
        user = _created(
            admin.post(
                "/api/users",
                json={
                    "email": "grocer@example.com",
                    "name": "Grocer accounts",
                    "password": TENANT_PASSWORD,
                    "role": "tenant",
                    "tenant_id": grocer,
                },
            )
        )
        grocer_user = login_client(server.url, "grocer@example.com", TENANT_PASSWORD)
        clients.append(grocer_user)
        yield World(
            server.url,
            owner_url,
            site,
            a,
            b,
            c,
            grocer,
            cafe,
            grocer_vm,
            cafe_vm,
            admin,
            grocer_user,
            user["id"],
        )
    finally:
        for http in clients:
            http.close()
        server.stop()


def _energy(http: httpx.Client, path: str) -> httpx.Response:
    return http.get(path, params={**SPAN, "interval": "day"})


def _daily_kwh(response: httpx.Response) -> list[float]:
    assert response.status_code == 200, response.text
    body = response.json()
    return [round(point["energy_import_kwh"] or 0.0, 3) for point in body["points"]]


# ---------------------------------------------------------------- the users API


def test_a_tenant_user_needs_an_existing_tenant_and_only_a_tenant_user_has_one(
    admin_client: httpx.Client,
) -> None:
    site = _created(admin_client.post("/api/sites", json={"name": "S", "timezone": "UTC"}))["id"]
    tenant = _created(
        admin_client.post(f"/api/sites/{site}/tenants", json={"name": "T", "rule": _rule()})
    )["id"]
    base = {"email": "t@example.com", "name": "T", "password": TENANT_PASSWORD}
    for body, message in (
        ({**base, "role": "tenant"}, "needs the tenant_id"),
        ({**base, "role": "tenant", "tenant_id": 999_999}, "no tenant with id 999999"),
        ({**base, "role": "viewer", "tenant_id": tenant}, "only a tenant user"),
        ({**base, "role": "admin", "tenant_id": tenant}, "only a tenant user"),
    ):
        response = admin_client.post("/api/users", json=body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()["detail"][0]
        assert problem["loc"][-1] == "tenant_id", problem
        assert message in problem["msg"], problem
    created = _created(
        admin_client.post("/api/users", json={**base, "role": "tenant", "tenant_id": tenant})
    )
    assert (created["role"], created["tenant_id"]) == ("tenant", tenant)
    listed = {user["email"]: user for user in admin_client.get("/api/users").json()}
    assert listed["t@example.com"]["tenant_id"] == tenant
    assert listed[ADMIN_EMAIL]["tenant_id"] is None
    # a tenant user made a viewer loses its tenant; a viewer cannot be given one
    changed = admin_client.patch(f"/api/users/{created['id']}", json={"role": "viewer"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["tenant_id"] is None
    refused = admin_client.patch(f"/api/users/{created['id']}", json={"tenant_id": tenant})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "tenant_id"
    back = admin_client.patch(
        f"/api/users/{created['id']}", json={"role": "tenant", "tenant_id": tenant}
    )
    assert back.status_code == 200, back.text
    assert back.json()["tenant_id"] == tenant
    # deleting the tenant deletes its users
    assert admin_client.delete(f"/api/tenants/{tenant}").status_code == 204
    assert admin_client.get(f"/api/users/{created['id']}").status_code == 404


# ---------------------------------------------------------------- what a tenant user sees


def test_a_tenant_user_signs_in_and_sees_its_tenant_and_meters(world: World) -> None:
    me = world.grocer_user.get("/api/auth/me")
    assert me.status_code == 200, me.text
    assert (me.json()["role"], me.json()["tenant_id"]) == ("tenant", world.grocer)
    mine = world.grocer_user.get("/api/me/tenant")
    assert mine.status_code == 200, mine.text
    assert mine.json()["id"] == world.grocer
    held = {(m["device_id"], m["virtual_meter_id"]) for m in mine.json()["meters"]}
    assert held == {(world.meter_a, None), (world.meter_c, None), (None, world.grocer_vm)}
    assert world.grocer_user.get(f"/api/tenants/{world.grocer}").status_code == 200
    assert world.admin.get("/api/me/tenant").status_code == 403  # not a tenant user


def test_a_tenant_user_reads_its_meters_and_only_while_it_held_them(world: World) -> None:
    day = 24 * KW
    # its own meter: what the admin sees
    own = _daily_kwh(_energy(world.grocer_user, f"/api/devices/{world.meter_a}/energy"))
    assert own == _daily_kwh(_energy(world.admin, f"/api/devices/{world.meter_a}/energy"))
    assert own == [day, day, day]
    # shop 3: the Grocer's on 1 June only; the days after are the Cafe's and not shown
    admin_c = _daily_kwh(_energy(world.admin, f"/api/devices/{world.meter_c}/energy"))
    assert admin_c == [day, day, day]
    grocer_c = _energy(world.grocer_user, f"/api/devices/{world.meter_c}/energy").json()
    assert {
        p["start"][:10]: round(p["energy_import_kwh"] or 0.0, 3) for p in grocer_c["points"]
    } == {"2026-06-01": day, "2026-06-02": 0.0, "2026-06-03": 0.0}
    # its virtual meter (A)
    vm = _energy(world.grocer_user, f"/api/virtual-meters/{world.grocer_vm}/energy")
    assert vm.status_code == 200, vm.text
    assert sum(p["energy_import_kwh"] or 0.0 for p in vm.json()["points"]) == pytest.approx(3 * day)
    for path in ("summary", "series"):
        params = (
            SPAN
            if path == "summary"
            else {"start": "2026-06-01T00:00:00+02:00", "end": "2026-06-02T00:00:00+02:00"}
        )
        response = world.grocer_user.get(f"/api/devices/{world.meter_a}/{path}", params=params)
        assert response.status_code == 200, (path, response.text)
    # shop 3's series across the move: from the rollups, the Grocer's side only (an admin's
    # short span reads the raw readings; a tenant user's never does: the raw table has no
    # policy)
    across = {"start": "2026-06-01T23:00:00+02:00", "end": "2026-06-02T01:00:00+02:00"}
    admin_series = world.admin.get(f"/api/devices/{world.meter_c}/series", params=across).json()
    assert admin_series["source"] == "raw"
    move = datetime(2026, 6, 2, tzinfo=SAST)
    admin_seen = zip(admin_series["times"], admin_series["series"]["power_kw"]["avg"], strict=True)
    assert any(datetime.fromisoformat(t) >= move and v == KW for t, v in admin_seen)
    series = world.grocer_user.get(f"/api/devices/{world.meter_c}/series", params=across)
    assert series.status_code == 200, series.text
    assert series.json()["source"] == "rollup_15m"
    seen = dict(
        zip(series.json()["times"], series.json()["series"]["power_kw"]["avg"], strict=True)
    )
    move = datetime(2026, 6, 2, tzinfo=SAST)
    assert seen
    for moment, value in seen.items():
        assert value == (KW if datetime.fromisoformat(moment) < move else None), (moment, value)
    too_short = {"start": "2026-06-01T10:00:00+02:00", "end": "2026-06-01T10:10:00+02:00"}
    short = world.grocer_user.get(f"/api/devices/{world.meter_a}/series", params=too_short)
    assert short.status_code == 422
    assert world.grocer_user.get(f"/api/devices/{world.meter_a}/latest").status_code == 200
    # the newest reading of shop 3 is the Cafe's now
    assert world.grocer_user.get(f"/api/devices/{world.meter_c}/latest").status_code == 404


def test_another_tenants_meter_bill_and_tenant_are_404(world: World) -> None:
    for path in (
        f"/api/devices/{world.meter_b}/energy",
        f"/api/devices/{world.meter_b}/summary",
        f"/api/devices/{world.meter_b}/latest",
        f"/api/virtual-meters/{world.cafe_vm}/energy",
        f"/api/virtual-meters/{world.cafe_vm}/summary",
        f"/api/tenants/{world.cafe}",
        f"/api/tenants/{world.cafe}/bill?month=2026-06",
        f"/api/tenants/{world.cafe}/bill.csv?month=2026-06",
    ):
        response = world.grocer_user.get(path, params=SPAN if "bill" not in path else None)
        assert response.status_code == 404, (path, response.text)
        assert "Cafe" not in response.text
    series = world.grocer_user.get(
        f"/api/devices/{world.meter_b}/series",
        params={"start": "2026-06-01T00:00:00+02:00", "end": "2026-06-02T00:00:00+02:00"},
    )
    assert series.status_code == 404
    # its own bill: as the admin sees it
    own = world.grocer_user.get(f"/api/tenants/{world.grocer}/bill", params={"month": "2026-06"})
    admin_view = world.admin.get(f"/api/tenants/{world.grocer}/bill", params={"month": "2026-06"})
    assert own.status_code == admin_view.status_code == 200, own.text
    assert own.json() == admin_view.json()


def test_a_tenant_user_is_refused_the_site_and_everything_else(world: World) -> None:
    site = world.site_id
    for method, path in (
        ("GET", "/api/sites"),
        ("GET", f"/api/sites/{site}"),
        ("GET", f"/api/sites/{site}/energy"),
        ("GET", f"/api/sites/{site}/summary"),
        ("GET", f"/api/sites/{site}/tree"),
        ("GET", f"/api/sites/{site}/bill"),
        ("GET", f"/api/sites/{site}/tenants"),
        ("GET", f"/api/sites/{site}/tenant-bills?month=2026-06"),
        ("GET", f"/api/sites/{site}/reconciliation?month=2026-06"),
        ("GET", "/api/devices"),
        ("GET", f"/api/devices/{world.meter_a}"),
        ("GET", f"/api/virtual-meters/{world.grocer_vm}"),
        ("GET", f"/api/virtual-meters/{world.grocer_vm}/bill"),
        ("GET", "/api/tariffs"),
        ("GET", "/api/users"),
        ("GET", f"/api/tenants/{world.grocer}/meters"),
        ("POST", f"/api/tenants/{world.grocer}/meters"),
        ("PATCH", f"/api/tenants/{world.grocer}"),
    ):
        kwargs: dict[str, Any] = {"json": {}} if method != "GET" else {"params": SPAN}
        response = world.grocer_user.request(method, path, **kwargs)
        assert response.status_code == 403, (method, path, response.text)
    assert world.grocer_user.get("/api/auth/me").status_code == 200  # still signed in


# ---------------------------------------------------------------- row-level security


def _scoped_rows(owner_url: URL, tenant_id: int | None, query: str) -> list[tuple[Any, ...]]:
    """``query`` as the portal's own role, in a transaction scoped to ``tenant_id`` (or not),
    with no service in between."""
    with psycopg.connect(**psycopg_conninfo(owner_url)) as conn:
        if tenant_id is not None:
            conn.execute("SELECT set_config('portal.tenant_id', %s, true)", (str(tenant_id),))
        rows = conn.execute(query).fetchall()
        conn.rollback()
        return rows


def test_row_level_security_hides_other_tenants_rows_without_the_services(world: World) -> None:
    def ids(tenant: int | None, query: str) -> set[Any]:
        return {row[0] for row in _scoped_rows(world.owner_url, tenant, query)}

    everything = {world.meter_a, world.meter_b, world.meter_c}
    assert ids(None, "SELECT id FROM app.devices") == everything
    assert ids(world.grocer, "SELECT id FROM app.devices") == {world.meter_a, world.meter_c}
    assert ids(world.cafe, "SELECT id FROM app.devices") == {world.meter_b, world.meter_c}
    assert ids(world.grocer, "SELECT id FROM app.tenants") == {world.grocer}
    assert ids(world.grocer, "SELECT tenant_id FROM app.tenant_meters") == {world.grocer}
    assert ids(world.grocer, "SELECT id FROM app.virtual_meters") == {world.grocer_vm}
    assert ids(None, "SELECT device_id FROM monitoring.rollup_1d") == everything
    assert ids(world.grocer, "SELECT device_id FROM monitoring.rollup_15m") == {
        world.meter_a,
        world.meter_c,
    }
    # shop 3's buckets: the Grocer's before the move, the Cafe's from it
    move = datetime(2026, 6, 2, tzinfo=SAST)
    bounds = "SELECT min(bucket_start), max(bucket_start) FROM monitoring.rollup_15m "
    c_only = f"WHERE device_id = {world.meter_c}"
    [(_, grocer_last)] = _scoped_rows(world.owner_url, world.grocer, bounds + c_only)
    [(cafe_first, _)] = _scoped_rows(world.owner_url, world.cafe, bounds + c_only)
    assert grocer_last == move - timedelta(minutes=15)
    assert cafe_first == move
    days = "SELECT day FROM monitoring.rollup_1d " + c_only
    grocer_days = {row[0].isoformat() for row in _scoped_rows(world.owner_url, world.grocer, days)}
    assert grocer_days == {"2026-06-01"}
    # a scoped session writes none of these tables
    with psycopg.connect(**psycopg_conninfo(world.owner_url)) as conn:
        conn.execute("SELECT set_config('portal.tenant_id', %s, true)", (str(world.grocer),))
        updated = conn.execute("UPDATE app.devices SET name = 'mine' RETURNING id").fetchall()
        assert updated == []
        conn.rollback()
    # the policies bind the owner too (FORCE), on every table a tenant reads
    forced = _scoped_rows(
        world.owner_url,
        None,
        "SELECT relnamespace::regnamespace || '.' || relname FROM pg_class "
        "WHERE relrowsecurity AND relforcerowsecurity",
    )
    assert {row[0] for row in forced} == {
        "app.devices",
        "app.virtual_meters",
        "app.tenants",
        "app.tenant_meters",
        "monitoring.rollup_15m",
        "monitoring.rollup_1d",
    }


def test_other_roles_and_the_ingest_see_every_row(world: World) -> None:
    """Unscoped sessions (an admin's, the ingest's, the rollup worker's) are not limited."""
    b_energy = _daily_kwh(_energy(world.admin, f"/api/devices/{world.meter_b}/energy"))
    assert b_energy == [24 * KW] * 3
    site = world.admin.get(f"/api/sites/{world.site_id}/energy", params=SPAN)
    assert site.status_code == 200
