"""Every route names who may call it, and the app enforces it.

Walks the OpenAPI document: an anonymous call to anything not public is 401;
a viewer's write to anything admin-only is 403; a tenant user's call to anything but its
own few routes is 403, and those answer 404 for another tenant's meter or tenant. A second,
static check proves every API route carries an auth dependency, so a new route cannot forget one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.engine import URL
from starlette.routing import BaseRoute

from power_portal.app import create_app
from power_portal.auth.dependencies import get_active_session
from power_portal.settings import Settings
from tests.support.database import url_string
from tests.support.portal import ADMIN_PASSWORD, LiveServer, login_client

# The listed exceptions: reachable without a session.
PUBLIC = {
    ("GET", "/api/health"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/ingest/measurements"),  # device-token auth, tested in test_ingest.py
    ("GET", "/api/branding"),  # the login page shows the brand
    ("GET", "/api/branding/assets/{name}"),  # the logo on the login page
}
# Public pages that are no API operation (not in the OpenAPI document).
PUBLIC_PAGES = {("GET", "/api/docs")}  # the API docs (web/docs.py), like /openapi.json
# Writes a viewer may make: about their own session and password.
VIEWER_WRITES = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("POST", "/api/auth/password"),
    # alerts (issue 18): anyone who sees alerts may acknowledge one and choose their mail
    ("POST", "/api/alerts/{alert_id}/acknowledge"),
    ("PUT", "/api/me/notification-preferences"),
}
# Reads only an admin may make.
ADMIN_READS = {
    ("GET", "/api/users"),
    ("GET", "/api/users/{user_id}"),
    ("GET", "/api/devices/{device_id}/tokens"),
    ("GET", "/api/config"),
    # alerts (issue 18): rules, deliveries and channels are the admin's
    ("GET", "/api/alert-rules"),
    ("GET", "/api/alert-rules/{rule_id}"),
    ("GET", "/api/notifications"),
    ("GET", "/api/notification-channels"),
    # reports (issue 19): schedules and what was sent are the admin's
    ("GET", "/api/report-schedules"),
    ("GET", "/api/report-schedules/{schedule_id}"),
    ("GET", "/api/report-runs"),
    ("GET", "/api/report-runs/{run_id}/files/{file_id}"),
}
# Tenants (issue 17): admin-only to a viewer (a tenant user's walk: at the end).
TENANT_READS = {
    ("GET", "/api/sites/{site_id}/tenants"),
    ("GET", "/api/tenants/{tenant_id}"),
    ("GET", "/api/tenants/{tenant_id}/meters"),
    ("GET", "/api/tenants/{tenant_id}/bill"),
    ("GET", "/api/tenants/{tenant_id}/bill.csv"),
    ("GET", "/api/sites/{site_id}/tenant-bills"),
    ("GET", "/api/sites/{site_id}/reconciliation"),
    # reports (issue 19): the Excel workbooks of the tenants' figures
    ("GET", "/api/tenants/{tenant_id}/bill.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/energy.xlsx"),
    ("GET", "/api/sites/{site_id}/reconciliation.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/bill.pdf"),
}
TENANT_WRITES = {
    ("POST", "/api/sites/{site_id}/tenants"),
    ("PATCH", "/api/tenants/{tenant_id}"),
    ("DELETE", "/api/tenants/{tenant_id}"),
    ("POST", "/api/tenants/{tenant_id}/meters"),
    ("PATCH", "/api/tenant-meters/{assignment_id}"),
    ("DELETE", "/api/tenant-meters/{assignment_id}"),
}
ADMIN_READS |= TENANT_READS
# Reads of the tenants (issue 17): an admin's, and a tenant user's of its own tenant.
NOT_FOR_VIEWERS = {
    ("GET", "/api/me/tenant"),
    ("GET", "/api/tenants/{tenant_id}"),
    ("GET", "/api/tenants/{tenant_id}/bill"),
    ("GET", "/api/tenants/{tenant_id}/bill.csv"),
    ("GET", "/api/tenants/{tenant_id}/bill.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/energy.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/bill.pdf"),
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Outside /api and the OpenAPI document: a scraper's bearer token (PORTAL_METRICS__TOKEN),
# not a session; 404 while no token is set. Tested in test_metrics.py.
TOKEN_PROTECTED = {("GET", "/metrics")}


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in {"GET", *WRITE_METHODS}
    )


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def call(http: httpx.Client, method: str, path: str) -> httpx.Response:
    kwargs: dict[str, Any] = {"json": {}} if method in WRITE_METHODS else {}
    return http.request(method, concrete(path), **kwargs)


def test_public_operations_exist(client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    assert ops >= PUBLIC | VIEWER_WRITES | ADMIN_READS


def test_token_protected_routes_are_not_open_and_not_in_the_api(client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    for method, path in TOKEN_PROTECTED:
        assert (method, path) not in ops
        assert client.request(method, path).status_code == 404  # off by default


def test_anonymous_calls_are_refused(client: httpx.Client) -> None:
    checked = 0
    for method, path in operations(client.get("/openapi.json").json()):
        if (method, path) in PUBLIC:
            continue
        response = call(client, method, path)
        assert response.status_code == 401, (method, path, response.text)
        checked += 1
    assert checked >= 10


def test_viewer_writes_to_admin_routes_are_forbidden(
    client: httpx.Client, viewer_client: httpx.Client
) -> None:
    checked = 0
    for method, path in operations(client.get("/openapi.json").json()):
        if (method, path) in PUBLIC or (method, path) in VIEWER_WRITES:
            continue
        if method in WRITE_METHODS or (method, path) in ADMIN_READS | NOT_FOR_VIEWERS:
            response = call(viewer_client, method, path)
            assert response.status_code == 403, (method, path, response.text)
            checked += 1
        else:
            response = call(viewer_client, method, path)
            assert response.status_code not in (401, 403), (method, path, response.text)
    assert checked >= 6
    # and the viewer is still signed in: nothing above ended the session
    assert viewer_client.get("/api/auth/me").status_code == 200


def _depends_on(dependant: Dependant, target: Callable[..., Any]) -> bool:
    return any(sub.call is target or _depends_on(sub, target) for sub in dependant.dependencies)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (newer FastAPI nests them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from api_routes(nested.routes)


def test_every_api_route_declares_an_auth_dependency(settings: Settings) -> None:
    app = create_app(settings)
    routes = [r for r in api_routes(app.routes) if r.path.startswith("/api")]
    assert len(routes) >= 10
    for route in routes:
        for method in route.methods or ():
            if (method, route.path) in PUBLIC | PUBLIC_PAGES:
                continue
            assert _depends_on(route.dependant, get_active_session), (method, route.path)


# Fleet routes of issue 20 named outright, so that the admin-mode walk is known to reach them
# (admin-only: AdminUser, like every fleet write).
FLEET_ADMIN_WRITES = {
    ("POST", "/api/fleet/customers/{code}/rotate-token"),
    ("POST", "/api/fleet/customers/{code}/revoke-previous-token"),
}


def test_admin_mode_routes_are_guarded_too(db_url: URL, tmp_path: Path) -> None:
    """The fleet routes exist only in admin mode: walk them there."""
    settings = Settings(
        database_url=url_string(db_url),
        data_dir=tmp_path,
        run_mode="admin",
        admin_password=ADMIN_PASSWORD,
    )
    server = LiveServer(settings)
    server.start()
    try:
        with httpx.Client(base_url=server.url) as anonymous:
            ops = operations(anonymous.get("/openapi.json").json())
            fleet_ops = [op for op in ops if op[1].startswith("/api/fleet")]
            assert ("POST", "/api/fleet/customers") in fleet_ops
            assert set(fleet_ops) >= FLEET_ADMIN_WRITES
            for method, path in fleet_ops:
                if (method, path) == ("POST", "/api/fleet/ingest"):
                    continue  # customer-token auth, tested in test_fleet.py
                response = call(anonymous, method, path)
                assert response.status_code == 401, (method, path)
    finally:
        server.stop()


# Routes of issue 16 named outright, so that the walk above is known to reach them: the
# virtual meters (viewer reads, admin writes).
VIRTUAL_METER_READS = {
    ("GET", "/api/sites/{site_id}/virtual-meters"),
    ("GET", "/api/virtual-meters/{meter_id}"),
    ("GET", "/api/virtual-meters/{meter_id}/energy"),
    ("GET", "/api/virtual-meters/{meter_id}/series"),
    ("GET", "/api/virtual-meters/{meter_id}/summary"),
    ("GET", "/api/virtual-meters/{meter_id}/bill"),
    ("GET", "/api/virtual-meters/{meter_id}/bill.csv"),
}
VIRTUAL_METER_WRITES = {
    ("POST", "/api/sites/{site_id}/virtual-meters"),
    ("PUT", "/api/virtual-meters/{meter_id}"),
    ("DELETE", "/api/virtual-meters/{meter_id}"),
}


def test_virtual_meter_routes_are_walked(client: httpx.Client, viewer_client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    virtual = {op for op in ops if "virtual-meters" in op[1]}
    assert virtual == VIRTUAL_METER_READS | VIRTUAL_METER_WRITES, "missing: " + str(
        (VIRTUAL_METER_READS | VIRTUAL_METER_WRITES) ^ virtual
    )
    for method, path in sorted(VIRTUAL_METER_WRITES):
        assert call(viewer_client, method, path).status_code == 403, (method, path)
    for method, path in sorted(VIRTUAL_METER_READS):
        assert call(viewer_client, method, path).status_code not in (401, 403), (method, path)
        assert call(client, method, path).status_code == 401, (method, path)


# The metering tree (issue 16): viewer reads.
METERING_TREE_READS = {
    ("GET", "/api/sites/{site_id}/tree"),
    ("GET", "/api/sites/{site_id}/tree.csv"),
}


def test_metering_tree_routes_are_walked(client: httpx.Client, viewer_client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    assert ops >= METERING_TREE_READS, "missing: " + str(METERING_TREE_READS - ops)
    span = {"start": "2026-06-01", "end": "2026-06-02"}
    for _method, path in sorted(METERING_TREE_READS):
        assert client.get(concrete(path), params=span).status_code == 401, path
        # a viewer may read: the site is missing (404), not forbidden
        assert viewer_client.get(concrete(path), params=span).status_code == 404, path


def test_tenant_routes_are_walked(client: httpx.Client, viewer_client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    assert ops >= TENANT_READS | TENANT_WRITES, "missing: " + str(
        (TENANT_READS | TENANT_WRITES) - ops
    )
    month = {"month": "2026-06"}
    for method, path in sorted(TENANT_READS | TENANT_WRITES):
        kwargs: dict[str, Any] = {"json": {}} if method in WRITE_METHODS else {"params": month}
        assert client.request(method, concrete(path), **kwargs).status_code == 401, path
        assert viewer_client.request(method, concrete(path), **kwargs).status_code == 403, path


# The Excel workbooks (issue 19, docs/api/reports.md "Excel"): each read by whoever reads its
# JSON sibling. A viewer reads the readings and the site's bill; the tenants' figures are the
# admin's (and a tenant user's own: the walk below).
EXCEL_VIEWER_READS = {
    ("GET", "/api/devices/{device_id}/energy.xlsx"),
    ("GET", "/api/sites/{site_id}/energy.xlsx"),
    ("GET", "/api/devices/{device_id}/series.xlsx"),
    ("GET", "/api/sites/{site_id}/bill.xlsx"),
}
EXCEL_ADMIN_READS = {
    ("GET", "/api/tenants/{tenant_id}/energy.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/bill.xlsx"),
    ("GET", "/api/sites/{site_id}/reconciliation.xlsx"),
}


def test_excel_routes_are_walked(client: httpx.Client, viewer_client: httpx.Client) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    excel = {op for op in ops if op[1].endswith(".xlsx")}
    assert excel == EXCEL_VIEWER_READS | EXCEL_ADMIN_READS, "missing: " + str(
        (EXCEL_VIEWER_READS | EXCEL_ADMIN_READS) ^ excel
    )
    assert EXCEL_ADMIN_READS <= ADMIN_READS
    for method, path in sorted(excel):
        params = SERIES_PARAMS if path.endswith("/series.xlsx") else READ_PARAMS
        assert client.get(concrete(path), params=params).status_code == 401, path
        refused = viewer_client.get(concrete(path), params=params).status_code
        if (method, path) in EXCEL_ADMIN_READS:
            assert refused == 403, path
        else:  # a viewer may read: the site or device is missing (404), not forbidden
            assert refused == 404, path


# Tenant users (issue 17, docs/api/tenants.md "Tenant users"): the routes a tenant user may
# call; every other route is 403 to it. Of these, the ones naming a meter or a tenant answer
# 404 for another tenant's, never its data.
TENANT_OWN = {
    ("GET", "/api/auth/me"),
    ("GET", "/api/me/tenant"),
}
TENANT_SCOPED_READS = {
    ("GET", "/api/devices/{device_id}/energy"),
    ("GET", "/api/devices/{device_id}/series"),
    ("GET", "/api/devices/{device_id}/summary"),
    ("GET", "/api/devices/{device_id}/latest"),
    ("GET", "/api/virtual-meters/{meter_id}/energy"),
    ("GET", "/api/virtual-meters/{meter_id}/series"),
    ("GET", "/api/virtual-meters/{meter_id}/summary"),
    ("GET", "/api/tenants/{tenant_id}"),
    ("GET", "/api/tenants/{tenant_id}/bill"),
    ("GET", "/api/tenants/{tenant_id}/bill.csv"),
    # reports (issue 19): the Excel workbooks of a tenant user's meters and tenant
    ("GET", "/api/devices/{device_id}/energy.xlsx"),
    ("GET", "/api/devices/{device_id}/series.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/bill.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/energy.xlsx"),
    ("GET", "/api/tenants/{tenant_id}/bill.pdf"),
}
READ_PARAMS = {"start": "2026-06-01", "end": "2026-06-02", "month": "2026-06"}
SERIES_PARAMS = {"start": "2026-06-01T00:00:00+00:00", "end": "2026-06-02T00:00:00+00:00"}


@pytest.fixture
def tenant_client(live_server: LiveServer, admin_client: httpx.Client) -> Iterator[httpx.Client]:
    """A tenant user of tenant 2; tenant 1 (another tenant of the same site) holds device 1
    and virtual meter 1, the ids every walked path names."""
    site = admin_client.post("/api/sites", json={"name": "Mall", "timezone": "UTC"}).json()["id"]
    device = admin_client.post(
        f"/api/sites/{site}/devices", json={"name": "Shop 1", "serial": "T-1"}
    ).json()["id"]
    meter = admin_client.post(
        f"/api/sites/{site}/virtual-meters",
        json={"name": "Shop 1 again", "terms": [{"sign": 1, "device_id": device}]},
    ).json()["id"]
    rule = {"kind": "pass_through", "apportion": "energy"}
    other, own = (
        admin_client.post(f"/api/sites/{site}/tenants", json={"name": name, "rule": rule}).json()[
            "id"
        ]
        for name in ("Other", "Own")
    )
    assert (device, meter, other, own) == (1, 1, 1, 2)
    for held in ({"device_id": device}, {"virtual_meter_id": meter}):
        assigned = admin_client.post(
            f"/api/tenants/{other}/meters", json={**held, "start": "2026-01-01T00:00:00Z"}
        )
        assert assigned.status_code == 201, assigned.text
    user = {"email": "tenant@example.com", "name": "Own", "password": "tenant password"}
    created = admin_client.post("/api/users", json={**user, "role": "tenant", "tenant_id": own})
    assert created.status_code == 201, created.text
    http = login_client(live_server.url, user["email"], user["password"])
    yield http
    http.close()


def test_tenant_users_are_refused_every_route_but_theirs(
    client: httpx.Client, tenant_client: httpx.Client
) -> None:
    ops = set(operations(client.get("/openapi.json").json()))
    assert ops >= TENANT_OWN | TENANT_SCOPED_READS, "missing: " + str(
        (TENANT_OWN | TENANT_SCOPED_READS) - ops
    )
    refused = 0
    for method, path in sorted(ops):
        if (method, path) in PUBLIC or (method, path) in VIEWER_WRITES:
            continue  # open, or the user's own session and password
        if (method, path) in TENANT_OWN:
            response = tenant_client.get(path)
            assert response.status_code == 200, (method, path, response.text)
        elif (method, path) in TENANT_SCOPED_READS:
            series = path.endswith(("/series", "/series.xlsx"))
            params = SERIES_PARAMS if series else READ_PARAMS
            response = tenant_client.get(concrete(path), params=params)
            assert response.status_code == 404, (method, path, response.text)
            assert "Other" not in response.text
            assert "Shop 1" not in response.text
        else:
            response = call(tenant_client, method, path)
            assert response.status_code == 403, (method, path, response.text)
            refused += 1
    assert refused >= 40
    # its own tenant, by the same routes
    assert tenant_client.get("/api/tenants/2").status_code == 200
    assert tenant_client.get("/api/auth/me").json()["tenant_id"] == 2
