"""One rule for every request body: a field the API does not know is refused (422 naming it),
never silently dropped (issue 21). Checked two ways: over HTTP for each domain's writes (a
valid body plus one unknown field, at the top and nested), and over the OpenAPI document for
every JSON request body there is, so that a new route cannot forget it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.app import create_app
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.settings import RunMode, Settings
from tests.support.database import TEMPLATE_DB, psycopg_conninfo, url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, login_client
from tests.support.tariffs import flat_tariff

UNKNOWN = "colour"
# auth/schemas.py's PasswordChange belongs to the auth rewrite under way (issue 21): it takes
# ``core.schemas.RequestBody`` there, and leaves this set.
NOT_YET: set[str] = set()
RULE = {"kind": "pass_through", "apportion": "energy"}


@dataclass(frozen=True)
class Made:
    """What the writes below need to exist."""

    site_id: int
    device_id: int
    user_id: int
    tariff_id: int
    tenant_id: int
    assignment_id: int
    meter_id: int


def _made(admin: httpx.Client) -> Made:
    def created(response: httpx.Response) -> int:
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    site_id = created(admin.post("/api/sites", json={"name": "Strict", "timezone": "UTC"}))
    device_id = created(
        admin.post(f"/api/sites/{site_id}/devices", json={"name": "M1", "serial": "ACV-STRICT"})
    )
    user_id = created(
        admin.post(
            "/api/users",
            json={
                "email": "strict@example.com",
                "name": "Strict",
                "password": "strict-test-password-1",
            },
        )
    )
    tariff_id = created(admin.post("/api/tariffs", json=flat_tariff(0.2)))
    tenant_id = created(
        admin.post(f"/api/sites/{site_id}/tenants", json={"name": "Shop", "rule": RULE})
    )
    assignment_id = created(
        admin.post(
            f"/api/tenants/{tenant_id}/meters",
            json={"device_id": device_id, "start": "2024-01-01T00:00:00Z"},
        )
    )
    meter_id = created(
        admin.post(
            f"/api/sites/{site_id}/virtual-meters",
            json={"name": "V", "terms": [{"sign": 1, "device_id": device_id}]},
        )
    )
    return Made(site_id, device_id, user_id, tariff_id, tenant_id, assignment_id, meter_id)


def _cases(made: Made) -> list[tuple[str, str, dict[str, Any], list[str | int]]]:
    """(method, path, a valid body with one unknown field, where the field is)."""
    tariff = flat_tariff(0.2)
    tariff["versions"][0][UNKNOWN] = "red"
    return [
        ("POST", "/api/auth/login", {"email": ADMIN_EMAIL, "password": "x", UNKNOWN: 1}, []),
        (
            "POST",
            "/api/users",
            {"email": "u2@example.com", "name": "U", "password": "p-test-password-1", UNKNOWN: 1},
            [],
        ),
        ("PATCH", f"/api/users/{made.user_id}", {"name": "U", UNKNOWN: 1}, []),
        ("PATCH", f"/api/users/{made.user_id}", {"is_admin": True}, []),
        (
            "POST",
            f"/api/users/{made.user_id}/password",
            {"password": "p-test-password-2", UNKNOWN: 1},
            [],
        ),
        ("POST", "/api/sites", {"name": "S", "timezone": "UTC", UNKNOWN: 1}, []),
        ("PATCH", f"/api/sites/{made.site_id}", {"name": "S", UNKNOWN: 1}, []),
        (
            "POST",
            f"/api/sites/{made.site_id}/devices",
            {"name": "D", "serial": "ACV-X", UNKNOWN: 1},
            [],
        ),
        ("PATCH", f"/api/devices/{made.device_id}", {"name": "D", UNKNOWN: 1}, []),
        ("POST", f"/api/devices/{made.device_id}/tokens", {"label": "t", UNKNOWN: 1}, []),
        ("POST", "/api/tariffs", tariff, ["versions", 0]),
        ("PUT", f"/api/tariffs/{made.tariff_id}", {**flat_tariff(0.3), UNKNOWN: 1}, []),
        (
            "POST",
            f"/api/sites/{made.site_id}/tenants",
            {"name": "T", "rule": {**RULE, UNKNOWN: 1}},
            ["rule"],
        ),
        ("PATCH", f"/api/tenants/{made.tenant_id}", {"name": "T", UNKNOWN: 1}, []),
        (
            "POST",
            f"/api/tenants/{made.tenant_id}/meters",
            {"device_id": made.device_id, "start": "2025-01-01T00:00:00Z", UNKNOWN: 1},
            [],
        ),
        ("PATCH", f"/api/tenant-meters/{made.assignment_id}", {"end": None, UNKNOWN: 1}, []),
        (
            "POST",
            f"/api/sites/{made.site_id}/virtual-meters",
            {"name": "V2", "terms": [{"sign": 1, "device_id": made.device_id, UNKNOWN: 1}]},
            ["terms", 0],
        ),
        (
            "PUT",
            f"/api/virtual-meters/{made.meter_id}",
            {"name": "V", "terms": [{"sign": 1, "device_id": made.device_id}], UNKNOWN: 1},
            [],
        ),
        (
            "POST",
            "/api/gateways/pending/ACV-AABBCCDDEEFF/accept",
            {"site_id": made.site_id, "name": "G", UNKNOWN: 1},
            [],
        ),
        (
            "PUT",
            "/api/branding",
            {
                "product_name": "P",
                "primary_color": "#112233",
                "secondary_color": "#445566",
                UNKNOWN: 1,
            },
            [],
        ),
        ("PUT", "/api/me/notification-preferences", {"email": True, UNKNOWN: 1}, []),
    ]


CASE_COUNT = 21


@pytest.fixture(scope="module")
def strict(
    pg_server: EmbeddedPostgres, template_url: URL, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, httpx.Client, Made]]:
    """One portal for the module: every case is refused before anything is written."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin_db = psycopg_conninfo(pg_server.url_for("postgres"))
    with psycopg.connect(**admin_db, autocommit=True) as conn:
        conn.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(name), pgsql.Identifier(TEMPLATE_DB)
            )
        )
    data_dir = tmp_path_factory.mktemp("strict")
    server = LiveServer(
        Settings(
            database_url=url_string(pg_server.url_for(name)),
            data_dir=data_dir,
            admin_password=ADMIN_PASSWORD,
        )
    )
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        try:
            yield server, admin, _made(admin)
        finally:
            admin.close()
    finally:
        server.stop()
        with psycopg.connect(**admin_db, autocommit=True) as conn:
            conn.execute(
                pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
            )


@pytest.mark.parametrize("case", range(CASE_COUNT))
def test_an_unknown_field_is_refused_naming_it(
    strict: tuple[LiveServer, httpx.Client, Made], case: int
) -> None:
    server, admin, made = strict
    cases = _cases(made)
    assert len(cases) == CASE_COUNT
    method, path, body, where = cases[case]
    field = UNKNOWN if UNKNOWN in str(body) else next(iter(body))
    if path == "/api/auth/login":
        with httpx.Client(base_url=server.url) as anonymous:
            response = anonymous.request(method, path, json=body)
    else:
        response = admin.request(method, path, json=body)
    assert response.status_code == 422, (method, path, response.text)
    errors = [{k: e[k] for k in ("loc", "msg", "type")} for e in response.json()["detail"]]
    assert errors == [
        {
            "loc": ["body", *where, field],
            "msg": "Extra inputs are not permitted",
            "type": "extra_forbidden",
        }
    ], errors


def _reach(node: Any, components: dict[str, Any], reached: set[str]) -> None:
    """Add to ``reached`` every component schema ``node`` refers to, however deep."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in reached:
                reached.add(name)
                _reach(components[name], components, reached)
        for value in node.values():
            _reach(value, components, reached)
    elif isinstance(node, list):
        for value in node:
            _reach(value, components, reached)


def test_every_json_request_body_refuses_unknown_fields(settings: Settings) -> None:
    """Walk the OpenAPI document: every object schema a JSON request body reaches says
    ``additionalProperties: false`` (the shared ``core.schemas.RequestBody``)."""
    for mode in (RunMode.STANDALONE, RunMode.ADMIN):
        document = create_app(settings.model_copy(update={"run_mode": mode})).openapi()
        components = document["components"]["schemas"]
        reached: set[str] = set()
        bodies = 0
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                content = operation.get("requestBody", {}).get("content", {})
                if "application/json" in content:
                    bodies += 1
                    _reach(content["application/json"]["schema"], components, reached)
                    assert path, method
        assert bodies >= 30
        loose = [
            name
            for name in sorted(reached)
            if components[name].get("type") == "object"
            and components[name].get("additionalProperties") is not False
        ]
        assert set(loose) <= NOT_YET, (
            f"request bodies that ignore unknown fields ({mode.value}): {loose}"
        )
