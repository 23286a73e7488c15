"""The fleet protocol with two real `portal serve` processes on loopback.

A client stack (its own database) pushes to an admin stack (another database).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL

from power_portal.core.request_checks import DateSpan
from power_portal.core.tokens import token_digest
from power_portal.db.engine import Database
from power_portal.fleet import service
from power_portal.fleet.schemas import BatchType, CustomerCreate
from power_portal.measurements.schemas import Interval
from tests.support.database import psycopg_conninfo, sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    PortalProcess,
    ingest,
    login_client,
)

pytestmark = pytest.mark.slow

T0 = datetime(2026, 9, 1, 8, tzinfo=UTC)


def cli(
    db_url: URL, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env |= {"PORTAL_DATABASE_URL": url_string(db_url), "COLUMNS": "400"}
    env |= extra_env or {}
    return subprocess.run(
        [str(PORTAL_BIN), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def start_admin(
    portal_process: Callable[..., PortalProcess], admin_db: URL, **env: str
) -> PortalProcess:
    """A running admin stack on ``admin_db``."""
    admin = portal_process(
        PORTAL_RUN_MODE="admin",
        PORTAL_DATABASE_URL=url_string(admin_db),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        **env,
    )
    admin.start()
    return admin


def add_customer(admin_db: URL, code: str) -> str:
    result = cli(admin_db, "fleet", "add-customer", code, "--name", code.title())
    assert result.returncode == 0, result.stderr
    match = re.search(r"(ppc_\S+)", result.stdout)
    assert match, result.stdout
    return match.group(1)


def rows(n: int, start: datetime = T0, kwh0: float = 0.0) -> list[dict[str, Any]]:
    return [
        {
            "time": (start + timedelta(minutes=m)).isoformat(),
            "power_kw": 6.0,
            "energy_import_kwh": kwh0 + m * 0.1,
            "apparent_energy_kvah": kwh0 + m * 0.125,
        }
        for m in range(n)
    ]


@dataclass
class Fleet:
    admin: PortalProcess
    client: PortalProcess
    admin_db: URL
    client_db: URL
    token: str
    client_env: dict[str, str]
    make: Callable[..., PortalProcess]

    def admin_http(self) -> httpx.Client:
        return login_client(self.admin.url, ADMIN_EMAIL, ADMIN_PASSWORD)

    def client_http(self) -> httpx.Client:
        return login_client(self.client.url, ADMIN_EMAIL, ADMIN_PASSWORD)

    def push_once(self) -> subprocess.CompletedProcess[str]:
        return cli(
            self.client_db,
            "fleet",
            "push",
            "--once",
            extra_env={k: v for k, v in self.client_env.items() if k != "PORTAL_DATABASE_URL"},
        )

    def admin_count(self) -> int:
        [(n,)] = sql(self.admin_db, "SELECT count(*) FROM fleet.power_measurements")
        assert isinstance(n, int)
        return n

    def client_count(self) -> int:
        [(n,)] = sql(self.client_db, "SELECT count(*) FROM monitoring.power_measurements")
        assert isinstance(n, int)
        return n

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.3)
        raise AssertionError(f"not within {timeout} s:\nclient log:\n{self.client.log()[-3000:]}")


def push_failures(client_db: URL) -> int:
    [(failures,)] = sql(
        client_db,
        "SELECT consecutive_failures FROM app.fleet_push_state WHERE resource = 'measurements'",
    )
    assert isinstance(failures, int)
    return failures


def make_meter(client_http: httpx.Client) -> tuple[int, int, str]:
    site = client_http.post("/api/sites", json={"name": "Plant", "timezone": "UTC"}).json()
    device = client_http.post(
        f"/api/sites/{site['id']}/devices", json={"name": "Main", "serial": "ACV-1"}
    ).json()
    token = client_http.post(f"/api/devices/{device['id']}/tokens", json={}).json()["token"]
    return site["id"], device["id"], token


@pytest.fixture
def fleet(portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]) -> Fleet:
    admin_db, client_db = make_database(), make_database()
    admin = start_admin(portal_process, admin_db)
    token = add_customer(admin_db, "acme")
    client_env = {
        "PORTAL_RUN_MODE": "client",
        "PORTAL_DATABASE_URL": url_string(client_db),
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PORTAL_FLEET__ENABLED": "true",
        "PORTAL_FLEET__ADMIN_URL": admin.url,
        "PORTAL_FLEET__CUSTOMER_TOKEN": token,
        "PORTAL_FLEET__INTERVAL_SECONDS": "0.5",
        "PORTAL_FLEET__BATCH_SIZE": "500",
        "PORTAL_FLEET__BACKOFF_BASE_SECONDS": "0.5",
        "PORTAL_FLEET__BACKOFF_CAP_SECONDS": "2",
    }
    client = portal_process(**client_env)
    client.start()
    return Fleet(admin, client, admin_db, client_db, token, client_env, portal_process)


def test_push_registers_sites_devices_and_measurements(fleet: Fleet) -> None:
    http = fleet.client_http()
    _, device_id, token = make_meter(http)
    assert ingest(fleet.client.url, token, rows(120)).json()["accepted"] == 120
    fleet.wait_for(lambda: fleet.admin_count() == 120)
    admin = fleet.admin_http()
    [customer] = admin.get("/api/fleet/customers").json()
    assert customer["code"] == "acme"
    assert customer["site_count"] == 1
    assert customer["device_count"] == 1
    assert customer["rows_last_24h"] == 120
    assert customer["first_seen_at"] is not None
    [site] = admin.get("/api/fleet/customers/acme/sites").json()
    assert site["name"] == "Plant"
    assert site["devices"][0]["serial"] == "ACV-1"
    energy = admin.get(
        "/api/fleet/customers/acme/energy", params={"start": "2026-09-01", "end": "2026-09-02"}
    ).json()
    assert energy["timezone"] == "UTC"
    assert energy["points"][0]["energy_import_kwh"] == pytest.approx(11.9)
    # every register the meter sent reaches the fleet rollups
    [(kvah,)] = sql(fleet.admin_db, "SELECT sum(apparent_energy_kvah) FROM fleet.rollup_15m")
    assert kvah == pytest.approx(119 * 0.125)
    events = admin.get("/api/fleet/customers/acme/events").json()
    kinds = {e["batch_type"] for e in events}
    assert kinds == {"sites", "devices", "measurements"}
    measured = [e for e in events if e["batch_type"] == "measurements" and e["accepted"]]
    assert measured[0]["client_cursor"]
    assert measured[0]["earliest"] is not None
    # the client reports its push state
    state = {s["resource"]: s for s in http.get("/api/fleet/push-state").json()}
    assert state["measurements"]["rows_pushed"] == 120
    assert state["measurements"]["consecutive_failures"] == 0

    # a row months old, stored late (a replayed buffer), is pushed too and reaches the rollups
    old = datetime(2026, 5, 3, 12, tzinfo=UTC)
    ingest(
        fleet.client.url,
        token,
        [
            {"time": old.isoformat(), "energy_import_kwh": 0.0},
            {"time": (old + timedelta(hours=1)).isoformat(), "energy_import_kwh": 4.0},
        ],
    )
    fleet.wait_for(lambda: fleet.admin_count() == 122)
    may = admin.get(
        "/api/fleet/customers/acme/energy", params={"start": "2026-05-03", "end": "2026-05-04"}
    ).json()
    assert may["points"][0]["energy_import_kwh"] == pytest.approx(4.0)
    assert device_id > 0


def test_re_push_changes_nothing(fleet: Fleet) -> None:
    _, _, token = make_meter(fleet.client_http())
    ingest(fleet.client.url, token, rows(50))
    fleet.wait_for(lambda: fleet.admin_count() == 50)
    # forget the cursor: everything is sent again, and all of it is a duplicate
    sql(
        fleet.client_db,
        "UPDATE app.fleet_push_state SET cursor = NULL WHERE resource = 'measurements'",
    )
    fleet.wait_for(
        lambda: any(
            e["duplicates"] == 50
            for e in fleet.admin_http().get("/api/fleet/customers/acme/events").json()
        )
    )
    assert fleet.admin_count() == 50


def test_protocol_refusals(fleet: Fleet) -> None:
    url = f"{fleet.admin.url}/api/fleet/ingest"
    body: dict[str, list[object]] = {"items": []}
    wrong = httpx.post(
        url, json=body, headers={"X-Customer-Token": "ppc_wrong", "X-Batch-Type": "sites"}
    )
    assert wrong.status_code == 401
    unknown_type = httpx.post(
        url, json=body, headers={"X-Customer-Token": fleet.token, "X-Batch-Type": "users"}
    )
    assert unknown_type.status_code == 400
    assert "X-Batch-Type" in unknown_type.json()["detail"]
    malformed = httpx.post(
        url,
        content=b"{nope",
        headers={
            "X-Customer-Token": fleet.token,
            "X-Batch-Type": "sites",
            "Content-Type": "application/json",
        },
    )
    assert malformed.status_code == 400
    # the known customer's refusals leave an audit row each, the unknown token's none
    # (counted and logged, sampled: tests/integration/test_retention.py)
    refusals = sql(
        fleet.admin_db,
        "SELECT customer_id, status_code FROM fleet.ingest_events WHERE status_code <> 200",
    )
    assert sorted(int(str(status)) for _, status in refusals) == [400, 400]
    assert all(customer is not None for customer, _ in refusals)


def test_a_token_only_touches_its_own_customer(fleet: Fleet) -> None:
    other_token = add_customer(fleet.admin_db, "beta")
    headers = {"X-Customer-Token": other_token, "X-Batch-Type": "measurements"}
    item = {"device_id": 1, "time": T0.isoformat(), "power_kw": 1.0}
    response = httpx.post(
        f"{fleet.admin.url}/api/fleet/ingest", json={"items": [item]}, headers=headers
    )
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": 0}
    by_customer = sql(
        fleet.admin_db,
        """
        SELECT c.code, count(*) FROM fleet.power_measurements m
        JOIN fleet.customers c ON c.id = m.customer_id GROUP BY c.code""",
    )
    assert by_customer == [("beta", 1)]
    # a customer field in the body is ignored: the token decides
    item2 = {
        "device_id": 1,
        "time": (T0 + timedelta(minutes=1)).isoformat(),
        "power_kw": 1.0,
        "customer_id": 1,
    }
    refused = httpx.post(
        f"{fleet.admin.url}/api/fleet/ingest", json={"items": [item2]}, headers=headers
    )
    assert refused.json()["rejected"] == 1


def test_rate_limit_and_body_limit(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    admin_db = make_database()
    admin = start_admin(
        portal_process,
        admin_db,
        PORTAL_FLEET_ADMIN__MAX_BATCHES_PER_MINUTE="2",
        PORTAL_FLEET_ADMIN__MAX_BODY_BYTES="2048",
    )
    token = add_customer(admin_db, "acme")
    url = f"{admin.url}/api/fleet/ingest"
    headers = {"X-Customer-Token": token, "X-Batch-Type": "sites"}
    big = {"items": [{"id": i, "name": "x" * 100, "timezone": "UTC"} for i in range(50)]}
    too_large = httpx.post(url, json=big, headers=headers)
    assert too_large.status_code == 413
    assert httpx.post(url, json={"items": []}, headers=headers).status_code == 200
    limited = httpx.post(url, json={"items": []}, headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_client_halves_batches_on_413_and_backs_off_on_429(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    admin_db, client_db = make_database(), make_database()
    admin = start_admin(
        portal_process,
        admin_db,
        PORTAL_FLEET_ADMIN__MAX_BODY_BYTES="20000",  # about 150 rows
    )
    token = add_customer(admin_db, "acme")
    client = portal_process(
        PORTAL_RUN_MODE="client",
        PORTAL_DATABASE_URL=url_string(client_db),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PORTAL_FLEET__ENABLED="true",
        PORTAL_FLEET__ADMIN_URL=admin.url,
        PORTAL_FLEET__CUSTOMER_TOKEN=token,
        PORTAL_FLEET__INTERVAL_SECONDS="0.5",
        PORTAL_FLEET__BATCH_SIZE="1000",
        PORTAL_FLEET__MAX_BATCHES_PER_TICK="10",
    )
    client.start()
    _, _, device_token = make_meter(login_client(client.url, ADMIN_EMAIL, ADMIN_PASSWORD))
    ingest(client.url, device_token, rows(900))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        [(n,)] = sql(admin_db, "SELECT count(*) FROM fleet.power_measurements")
        if n == 900:
            break
        time.sleep(0.3)
    assert n == 900, client.log()[-2000:]
    assert "fleet.push_batch_halved" in client.log()
    [(size,)] = sql(
        client_db, "SELECT batch_size FROM app.fleet_push_state WHERE resource = 'measurements'"
    )
    assert isinstance(size, int)
    assert size < 1000


def test_admin_down_mid_backlog_then_back(fleet: Fleet) -> None:
    _, _, token = make_meter(fleet.client_http())
    ingest(fleet.client.url, token, rows(200))
    fleet.wait_for(lambda: fleet.admin_count() == 200)
    assert fleet.admin.terminate()
    ingest(fleet.client.url, token, rows(600, start=T0 + timedelta(hours=10), kwh0=100))
    # the client notices and backs off, keeping its cursor
    fleet.wait_for(lambda: push_failures(fleet.client_db) >= 1)
    restarted = fleet.make(
        PORTAL_RUN_MODE="admin",
        PORTAL_DATABASE_URL=url_string(fleet.admin_db),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    restarted.port = fleet.admin.port
    restarted.start()
    fleet.wait_for(lambda: fleet.admin_count() == 800)
    assert fleet.admin_count() == fleet.client_count() == 800  # nothing lost, nothing doubled


def test_client_killed_mid_push_loses_nothing(fleet: Fleet) -> None:
    _, _, token = make_meter(fleet.client_http())
    for k in range(6):
        ingest(fleet.client.url, token, rows(1000, start=T0 + timedelta(days=k), kwh0=1000 * k))
    # mid-backlog: killed once the push has started (not after a guessed pause)
    fleet.wait_for(lambda: fleet.admin_count() > 0)
    fleet.client.kill()
    restarted = fleet.make(**fleet.client_env)
    restarted.start()
    fleet.wait_for(lambda: fleet.admin_count() == 6000, timeout=90)
    assert fleet.client_count() == 6000


def test_a_transaction_held_open_across_a_tick_is_still_pushed(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    """Row A's transaction starts first and commits last; row B commits in between and is
    pushed. The cursor must not move past A."""
    admin_db, client_db = make_database(), make_database()
    admin = start_admin(portal_process, admin_db)
    token = add_customer(admin_db, "acme")
    env = {
        "PORTAL_RUN_MODE": "client",
        "PORTAL_FLEET__ENABLED": "true",
        "PORTAL_FLEET__ADMIN_URL": admin.url,
        "PORTAL_FLEET__CUSTOMER_TOKEN": token,
    }
    client = portal_process(
        PORTAL_DATABASE_URL=url_string(client_db),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PORTAL_RUN_MODE="standalone",
    )
    client.start()  # standalone: no background push; ticks are run by hand below
    _, device_id, device_token = make_meter(login_client(client.url, ADMIN_EMAIL, ADMIN_PASSWORD))
    held = psycopg.connect(**psycopg_conninfo(client_db))
    held.execute(
        "INSERT INTO monitoring.power_measurements (device_id, time, power_kw) VALUES (%s, %s, 1)",
        (device_id, T0),
    )  # open transaction A, with the older xid
    assert (
        ingest(client.url, device_token, rows(1, start=T0 + timedelta(hours=1))).status_code == 200
    )
    first = cli(client_db, "fleet", "push", "--once", extra_env=env)
    assert first.returncode == 0, first.stderr
    # the tick is over and reached the admin stack (the device list arrived): nothing more
    # of this tick is on its way
    assert sql(admin_db, "SELECT count(*) FROM fleet.devices") == [(1,)]
    # B is held back too: it is newer than the oldest running transaction (A)
    assert [r[0] for r in sql(admin_db, "SELECT count(*) FROM fleet.power_measurements")] == [0]
    held.commit()
    held.close()
    second = cli(client_db, "fleet", "push", "--once", extra_env=env)
    assert second.returncode == 0, second.stderr
    times = sql(admin_db, "SELECT time FROM fleet.power_measurements ORDER BY time")
    assert [t[0] for t in times] == [T0, T0 + timedelta(hours=1)]


def test_push_once_fails_loudly_on_a_wrong_token(
    fleet: Fleet,
) -> None:
    env = {k: v for k, v in fleet.client_env.items() if k != "PORTAL_DATABASE_URL"}
    env["PORTAL_FLEET__CUSTOMER_TOKEN"] = "ppc_revoked"
    result = cli(fleet.client_db, "fleet", "push", "--once", extra_env=env)
    assert result.returncode == 1
    assert "fleet.push_unauthorised" in result.stderr
    assert json.dumps("ppc_revoked") not in result.stderr


def metered(minutes: int, kwh_per_minute: float) -> list[dict[str, Any]]:
    """A meter's import register over ``minutes`` from T0: ``kwh_per_minute`` each minute."""
    return [
        {"time": (T0 + timedelta(minutes=m)).isoformat(), "energy_import_kwh": m * kwh_per_minute}
        for m in range(minutes)
    ]


def test_the_push_carries_the_tree_and_fleet_energy_adds_supply_points(fleet: Fleet) -> None:
    http = fleet.client_http()
    mall = http.post("/api/sites", json={"name": "Mall", "timezone": "UTC"}).json()["id"]
    depot = http.post("/api/sites", json={"name": "Depot", "timezone": "UTC"}).json()["id"]
    rates = {"Incomer": 1.0, "Shop A": 0.4, "Shop B": 0.5, "Solar": 0.2, "Depot meter": 0.3}
    ids: dict[str, int] = {}
    for number, name in enumerate(rates):
        site = depot if name == "Depot meter" else mall
        ids[name] = http.post(
            f"/api/sites/{site}/devices", json={"name": name, "serial": f"TREE-{number}"}
        ).json()["id"]
    # the mall is a tree under its incomer; the depot has no supply point (all its devices add)
    sql(fleet.client_db, "UPDATE app.devices SET role = 'supply' WHERE id = %s", ids["Incomer"])
    sql(
        fleet.client_db,
        "UPDATE app.devices SET parent_id = %s WHERE id = ANY(%s)",
        ids["Incomer"],
        [ids["Shop A"], ids["Shop B"], ids["Solar"]],
    )
    sql(fleet.client_db, "UPDATE app.devices SET role = 'generation' WHERE id = %s", ids["Solar"])
    for name, rate in rates.items():
        token = http.post(f"/api/devices/{ids[name]}/tokens", json={}).json()["token"]
        assert ingest(fleet.client.url, token, metered(61, rate)).status_code == 200
    fleet.wait_for(lambda: fleet.admin_count() == 5 * 61)

    admin = fleet.admin_http()

    def pushed_tree() -> dict[str, tuple[int | None, str]]:
        sites = admin.get("/api/fleet/customers/acme/sites").json()
        return {d["name"]: (d["parent_id"], d["role"]) for s in sites for d in s["devices"]}

    # every tick pushes the full device list: the tree set after the first tick arrives too
    fleet.wait_for(lambda: pushed_tree()["Solar"] == (ids["Incomer"], "generation"))
    assert pushed_tree() == {
        "Incomer": (None, "supply"),
        "Shop A": (ids["Incomer"], "submeter"),
        "Shop B": (ids["Incomer"], "submeter"),
        "Solar": (ids["Incomer"], "generation"),
        "Depot meter": (None, "submeter"),
    }
    day = {"start": "2026-09-01", "end": "2026-09-02"}
    supply_points = 60 * (rates["Incomer"] + rates["Depot meter"])  # 78 kWh, not 144
    [point] = admin.get("/api/fleet/customers/acme/energy", params=day).json()["points"]
    assert point["energy_import_kwh"] == pytest.approx(supply_points)

    # an older client stack sends devices without parent_id/role: accepted as plain sub-meters
    old_token = add_customer(fleet.admin_db, "legacy")
    url = f"{fleet.admin.url}/api/fleet/ingest"
    headers = {"X-Customer-Token": old_token, "X-Batch-Type": "sites"}
    site_item = {"id": 1, "name": "Shop", "timezone": "UTC"}
    assert httpx.post(url, json={"items": [site_item]}, headers=headers).status_code == 200
    old_device = {"id": 1, "site_id": 1, "name": "Main", "serial": "OLD-1", "model": None}
    pushed = httpx.post(
        url,
        json={"items": [old_device]},
        headers={"X-Customer-Token": old_token, "X-Batch-Type": "devices"},
    )
    assert pushed.json() == {"accepted": 1, "duplicates": 0, "rejected": 0}
    legacy_rows = [{"device_id": 1, **row} for row in metered(61, 0.5)]
    measured = httpx.post(
        url,
        json={"items": legacy_rows},
        headers={"X-Customer-Token": old_token, "X-Batch-Type": "measurements"},
    )
    assert measured.json()["accepted"] == 61
    [legacy_site] = admin.get("/api/fleet/customers/legacy/sites").json()
    assert legacy_site["devices"][0]["parent_id"] is None
    assert legacy_site["devices"][0]["role"] == "submeter"
    [legacy] = admin.get("/api/fleet/customers/legacy/energy", params=day).json()["points"]
    assert legacy["energy_import_kwh"] == pytest.approx(30.0)
    # the whole fleet: each customer's sites by their supply points
    [whole] = admin.get("/api/fleet/energy", params=day).json()["points"]
    assert whole["energy_import_kwh"] == pytest.approx(supply_points + 30.0)


# ---------------------------------------------------------------- codes as operators write them


def push_sites(admin_url: str, token: str) -> httpx.Response:
    """One empty batch of sites on ``token`` (200 when the token is accepted)."""
    return httpx.post(
        f"{admin_url}/api/fleet/ingest",
        json={"items": []},
        headers={"X-Customer-Token": token, "X-Batch-Type": "sites"},
    )


def test_customer_codes_as_operators_write_them(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    admin_db = make_database()
    admin = start_admin(portal_process, admin_db)
    http = login_client(admin.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    tokens: dict[str, str] = {}
    for code in ("DEV0001", "Acme_Plant_3"):
        created = http.post("/api/fleet/customers", json={"code": code, "name": code})
        assert created.status_code == 201, created.text
        assert created.json()["code"] == code  # kept as written
        tokens[code] = created.json()["token"]
    tokens["dev-0002"] = add_customer(admin_db, "dev-0002")  # and by the CLI
    slugs = {c["code"]: c["slug"] for c in http.get("/api/fleet/customers").json()}
    assert slugs == {"Acme_Plant_3": "acme-plant-3", "DEV0001": "dev0001", "dev-0002": "dev-0002"}

    # taken whatever the case, by the API and by the CLI; a code sharing a host name too
    for taken in ("dev0001", "DEV0001", "Acme-Plant-3"):
        refused = http.post("/api/fleet/customers", json={"code": taken, "name": "x"})
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["detail"]
        assert error["loc"] == ["body", "code"]
        assert error["type"] == "unique"
    again = cli(admin_db, "fleet", "add-customer", "Dev0001", "--name", "Again")
    assert again.returncode == 1
    assert "already exists" in again.stdout + again.stderr
    for bad in ("-dev", "dev 1", "dév1", "x"):
        assert http.post("/api/fleet/customers", json={"code": bad, "name": "x"}).status_code == 422

    # pushed to, and looked up by any case in every route
    for n, (code, token) in enumerate(sorted(tokens.items())):
        item = {
            "device_id": 1,
            "time": (T0 + timedelta(minutes=n)).isoformat(),
            "energy_import_kwh": 1.0,
        }
        pushed = httpx.post(
            f"{admin.url}/api/fleet/ingest",
            json={"items": [item]},
            headers={"X-Customer-Token": token, "X-Batch-Type": "measurements"},
        )
        assert pushed.json()["accepted"] == 1, (code, pushed.text)
        for spelled in (code, code.lower(), code.upper(), code.swapcase()):
            assert http.get(f"/api/fleet/customers/{spelled}").json()["code"] == code
            events = http.get(f"/api/fleet/customers/{spelled}/events").json()
            assert [e["accepted"] for e in events] == [1]
            assert http.get(f"/api/fleet/customers/{spelled}/sites").status_code == 200
            energy = http.get(
                f"/api/fleet/customers/{spelled}/energy",
                params={"start": "2026-09-01", "end": "2026-09-02"},
            )
            assert energy.status_code == 200
    # a month with no data is null, as for devices and sites (docs/api/fleet.md)
    months = http.get(
        "/api/fleet/customers/dev0001/energy",
        params={"start": "2026-08-01", "end": "2026-10-01", "interval": "month"},
    ).json()["points"]
    assert [(p["start"][:7], p["energy_import_kwh"]) for p in months] == [
        ("2026-08", None),
        ("2026-09", 0.0),
    ]
    listed = http.get("/api/fleet/customers").json()
    assert [c["code"] for c in listed] == ["Acme_Plant_3", "DEV0001", "dev-0002"]
    assert all(c["rows_last_24h"] == 1 for c in listed)
    # every CLI command finds a customer whatever the case
    assert cli(admin_db, "fleet", "deactivate", "acme_plant_3").returncode == 0
    assert push_sites(admin.url, tokens["Acme_Plant_3"]).status_code == 401
    assert cli(admin_db, "fleet", "activate", "ACME_PLANT_3").returncode == 0
    assert push_sites(admin.url, tokens["Acme_Plant_3"]).status_code == 200
    rotated = cli(admin_db, "fleet", "rotate-token", "dev0001")
    assert rotated.returncode == 0, rotated.stderr
    assert "DEV0001" in rotated.stdout
    assert cli(admin_db, "fleet", "revoke-previous-token", "Dev0001").returncode == 0
    assert push_sites(admin.url, tokens["DEV0001"]).status_code == 401
    assert cli(admin_db, "fleet", "rotate-token", "nobody").returncode == 1


# ---------------------------------------------------------------- token rotation with a grace


def rotate(admin_db: URL, code: str, grace_hours: float) -> str:
    """``portal fleet rotate-token`` with this grace; the new token."""
    result = cli(
        admin_db,
        "fleet",
        "rotate-token",
        code,
        extra_env={"PORTAL_FLEET_ADMIN__TOKEN_GRACE_HOURS": str(grace_hours)},
    )
    assert result.returncode == 0, result.stderr
    match = re.search(r"(ppc_\S+)", result.stdout)
    assert match, result.stdout
    return match.group(1)


def test_token_rotation_with_a_grace_period(fleet: Fleet) -> None:
    admin = fleet.admin_http()
    _, _, device_token = make_meter(fleet.client_http())
    ingest(fleet.client.url, device_token, rows(10))
    fleet.wait_for(lambda: fleet.admin_count() == 10)
    old = fleet.token

    def customer() -> dict[str, Any]:
        response = admin.get("/api/fleet/customers/ACME")
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    assert customer()["last_token_used"] == "current"
    new = rotate(fleet.admin_db, "acme", 24)
    rotated = customer()
    assert rotated["token_rotated_at"] is not None
    assert rotated["previous_token_expires_at"] > rotated["token_rotated_at"]
    # the client, not restarted, keeps pushing on the old token
    ingest(fleet.client.url, device_token, rows(10, start=T0 + timedelta(hours=1), kwh0=10))
    fleet.wait_for(lambda: fleet.admin_count() == 20)
    rotated_at = datetime.fromisoformat(rotated["token_rotated_at"])
    fleet.wait_for(
        lambda: datetime.fromisoformat(customer()["previous_token_last_used_at"]) > rotated_at
    )
    assert customer()["last_token_used"] == "previous"
    assert customer()["token_last_used_at"] is None  # the new one: not yet
    # restarted with the new token in its env, it switches to it
    assert fleet.client.terminate()
    fleet.client = fleet.make(**(fleet.client_env | {"PORTAL_FLEET__CUSTOMER_TOKEN": new}))
    fleet.client.start()
    ingest(fleet.client.url, device_token, rows(10, start=T0 + timedelta(hours=2), kwh0=20))
    fleet.wait_for(lambda: fleet.admin_count() == 30)
    fleet.wait_for(lambda: customer()["last_token_used"] == "current")
    assert datetime.fromisoformat(customer()["token_last_used_at"]) > rotated_at
    # the old token still works (in its grace) until "revoke now" refuses it at once
    assert push_sites(fleet.admin.url, old).status_code == 200
    revoked = admin.post("/api/fleet/customers/Acme/revoke-previous-token")
    assert revoked.status_code == 200, revoked.text
    assert push_sites(fleet.admin.url, old).status_code == 401
    assert push_sites(fleet.admin.url, new).status_code == 200
    # the refusal is the customer's: its page shows it
    events = admin.get("/api/fleet/customers/acme/events", params={"limit": 500}).json()
    refusals = [e for e in events if e["status_code"] == 401]
    assert len(refusals) == 1
    assert "replaced token" in refusals[0]["error"]

    # a short grace: the replaced token works at once after the rotation, then is refused
    # once the grace is over, the client pushing on it too
    newest = rotate(fleet.admin_db, "acme", 0.002)  # 7.2 s
    assert push_sites(fleet.admin.url, new).status_code == 200
    assert push_sites(fleet.admin.url, newest).status_code == 200
    fleet.wait_for(lambda: push_sites(fleet.admin.url, new).status_code == 401, timeout=60)
    ingest(fleet.client.url, device_token, rows(10, start=T0 + timedelta(hours=3), kwh0=30))
    fleet.wait_for(lambda: push_failures(fleet.client_db) >= 1)
    assert fleet.admin_count() == 30
    # tokens are stored and logged only as digests
    stored = sql(fleet.admin_db, "SELECT c::text FROM fleet.customers c")
    logs = fleet.admin.log() + fleet.client.log()
    for token in (old, new, newest):
        assert token not in str(stored)
        assert token not in logs


# ---------------------------------------------------------------- the admin's ingest path


def readings_of(device_id: int, minutes: range, kwh0: float) -> list[dict[str, Any]]:
    """A meter's minutes from T0: power, a voltage and an import register that resets once."""
    return [
        {
            "device_id": device_id,
            "time": (T0 + timedelta(minutes=m)).isoformat(),
            "power_kw": 5.0 + (m % 7),
            "voltage_l1_v": 230.0 + (m % 3) / 10,
            "energy_import_kwh": kwh0 + m * 0.1 if m < 500 else (m - 500) * 0.1,
        }
        for m in minutes
    ]


def stored(db_url: URL, code: str, table: str) -> list[dict[str, Any]]:
    """A customer's rows of a fleet table (without customer_id and received_at), in key order."""
    key = {"rollup_15m": "bucket_start", "power_measurements": "time"}.get(table, "device_id")
    rows = sql(
        db_url,
        f"SELECT to_jsonb(t) - 'customer_id' - 'received_at' FROM fleet.{table} t "
        f"JOIN fleet.customers c ON c.id = t.customer_id WHERE c.code = %s "
        f"ORDER BY t.device_id, t.{key}",
        code,
    )
    return [row[0] for row in rows]  # type: ignore[misc]


def test_a_backlog_in_overlapping_pieces_stores_and_rolls_up_as_one_batch(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    """The admin's ingest: COPY straight in when nothing is stored in a batch's range,
    else only what is new; either way the counts, the audit rows and the fleet rollups are
    those of the whole backlog sent in one batch."""
    admin_db = make_database()
    admin = start_admin(portal_process, admin_db)
    tokens = {code: add_customer(admin_db, code) for code in ("whole", "pieces")}

    def push(code: str, items: list[Any]) -> dict[str, int]:
        response = httpx.post(
            f"{admin.url}/api/fleet/ingest",
            content=json.dumps({"items": items}),  # NaN written as Python writes it
            headers={
                "X-Customer-Token": tokens[code],
                "X-Batch-Type": "measurements",
                "Content-Type": "application/json",
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text
        result: dict[str, int] = response.json()
        return result

    # two meters; the second one is silent for 8 hours (two runs of rows)
    first = readings_of(1, range(0, 600), 100.0)
    second = readings_of(2, range(0, 200), 7.0) + readings_of(2, range(680, 900), 9.0)
    everything = first + second
    assert push("whole", everything[::-1]) == {
        "accepted": len(everything),
        "duplicates": 0,
        "rejected": 0,
    }

    middle = first[200:300]
    invalid = [
        {**first[0], "power_kw": "12"},
        {**first[0], "time": "2026-09-01T08:00:00"},
        {**first[0], "colour": "red"},
    ]
    # NaN as JSON writes it in Python (a literal msgspec does not read): rejected all the same
    with_nan = [*invalid[1:], {**first[0], "power_kw": float("nan")}]
    batches = [
        # nothing stored yet in its range: straight in
        (middle, {"accepted": 100, "duplicates": 0, "rejected": 0}),
        # around and over the middle (a back-fill), one instant twice, bad items
        (
            first + second[:200] + [{**first[10], "power_kw": 99.0}] + invalid,
            {"accepted": 700, "duplicates": 101, "rejected": 3},
        ),
        # the same again: nothing new
        (
            first + second[:200] + with_nan,
            {"accepted": 0, "duplicates": 800, "rejected": 3},
        ),
        # the second meter's later run, backwards: nothing stored in its range
        (second[200:][::-1], {"accepted": 220, "duplicates": 0, "rejected": 0}),
    ]
    for items, expected in batches:
        assert push("pieces", items) == expected
    # a reader of the fleet rollups flushes the customer's pending ranges before it reads:
    # right after the pushes returned, whether the fleet rollup worker got there or not
    http = login_client(admin.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        for code in ("whole", "pieces"):
            response = http.get(
                f"/api/fleet/customers/{code}/energy",
                params={"start": "2026-09-01", "end": "2026-09-02"},
            )
            assert response.status_code == 200, response.text
    finally:
        http.close()
    assert pending_fleet_rollups(admin_db) == 0
    for table in ("power_measurements", "rollup_15m", "device_registers"):
        assert stored(admin_db, "pieces", table) == stored(admin_db, "whole", table), table
    assert len(stored(admin_db, "pieces", "rollup_15m")) > 0
    # the first batch's instant 10 kept its first value
    [(kw,)] = sql(
        admin_db,
        "SELECT power_kw FROM fleet.power_measurements m JOIN fleet.customers c "
        "ON c.id = m.customer_id WHERE c.code = 'pieces' AND m.device_id = 1 AND m.time = %s",
        T0 + timedelta(minutes=10),
    )
    assert kw == first[10]["power_kw"]
    audit = sql(
        admin_db,
        "SELECT e.accepted, e.duplicates, e.rejected, e.earliest, e.latest, e.error "
        "FROM fleet.ingest_events e JOIN fleet.customers c ON c.id = e.customer_id "
        "WHERE c.code = 'pieces' ORDER BY e.id",
    )
    t = [T0 + timedelta(minutes=m) for m in (0, 199, 200, 299, 599, 680, 899)]
    assert audit == [
        (100, 0, 0, t[2], t[3], None),
        (700, 101, 3, t[0], t[4], "3 item(s) rejected"),
        (0, 800, 3, t[0], t[4], "3 item(s) rejected"),
        (220, 0, 0, t[5], t[6], None),
    ]


def pending_fleet_rollups(db_url: URL) -> int:
    [(count,)] = sql(db_url, "SELECT count(*) FROM fleet.rollup_pending")
    return int(str(count))


def test_a_crash_between_ingest_and_rebuild_loses_nothing(db_url: URL) -> None:
    """A pushed batch's transaction stores its rows and logs their runs; the fleet rollups
    are rebuilt afterwards. With no fleet rollup worker running (the admin crashed right
    after the batch committed) nothing is lost: the first reader rebuilds them first."""
    site = {"id": 1, "name": "Plant", "timezone": "UTC"}
    device = {"id": 1, "site_id": 1, "name": "Main", "serial": "CR-1", "role": "supply"}
    # two runs of rows (8 hours apart) and a reset of the register
    readings = readings_of(1, range(0, 120), 50.0) + readings_of(1, range(600, 660), 0.0)
    batches = [
        (BatchType.SITES, [site]),
        (BatchType.DEVICES, [device]),
        (BatchType.MEASUREMENTS, readings[::-1]),
    ]

    async def scenario() -> dict[str, Any]:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                created = await service.create_customer(
                    db, CustomerCreate(code="crash", name="Crash")
                )
                await db.commit()
            for kind, items in batches:
                async with database.session() as db:
                    customer = await service.get_by_code(db, "crash")
                    await service.receive_batch(
                        db,
                        service.PushedBatch(
                            customer,
                            kind,
                            json.dumps({"items": items}).encode(),
                            None,
                            token_digest(created.token),
                        ),
                    )
            # committed: the rows and their log entries, no rollup yet
            assert pending_fleet_rollups(db_url) == 2
            assert sql(db_url, "SELECT count(*) FROM fleet.rollup_15m") == [(0,)]
            async with database.session() as db:
                customer = await service.get_by_code(db, "crash")
                span = DateSpan(date(2026, 9, 1), date(2026, 9, 2))
                energy = await service.energy(db, customer, span, Interval.DAY, None)
            return energy.model_dump()
        finally:
            await database.dispose()

    energy = asyncio.run(scenario())
    # 119 minutes at 0.1 kWh; across the gap the register went back (61.9 -> 10.0): a
    # reset, counted up from zero (10.0); then 59 more minutes
    [point] = energy["points"]
    assert point["energy_import_kwh"] == pytest.approx(11.9 + 10.0 + 5.9)
    assert pending_fleet_rollups(db_url) == 0
    [(samples,)] = sql(db_url, "SELECT sum(sample_count) FROM fleet.rollup_15m")
    assert samples == 180
