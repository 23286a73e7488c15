"""Helpers for the fleet fault tests: two stacks, and what each one holds, compared exactly."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import URL

from tests.support.database import sql, url_string, wait_for_rollups
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, PortalProcess

# One line per device: how many rows, and a digest of every (time, value) pair in order,
# so "the same rows" means the same rows, not just the same count.
_DIGEST = """
    SELECT device_id, count(*),
           md5(string_agg(extract(epoch FROM time)::text || '|' || coalesce(power_kw::text, '')
                          || '|' || coalesce(energy_import_kwh::text, ''), ',' ORDER BY time))
    FROM {table} {where} GROUP BY device_id ORDER BY device_id
"""

Fingerprint = dict[int, tuple[int, str]]


def _fingerprint(db_url: URL, table: str, where: str = "", *params: object) -> Fingerprint:
    found: Fingerprint = {}
    for device_id, rows, digest in sql(db_url, _DIGEST.format(table=table, where=where), *params):
        assert isinstance(device_id, int)
        assert isinstance(rows, int)
        found[device_id] = (rows, str(digest))
    return found


def client_fingerprint(client_db: URL) -> Fingerprint:
    return _fingerprint(client_db, "monitoring.power_measurements")


def admin_fingerprint(admin_db: URL, code: str) -> Fingerprint:
    return _fingerprint(
        admin_db,
        "fleet.power_measurements",
        "WHERE customer_id = (SELECT id FROM fleet.customers WHERE code = %s)",
        code,
    )


def admin_rows(admin_db: URL) -> int:
    [(n,)] = sql(admin_db, "SELECT count(*) FROM fleet.power_measurements")
    assert isinstance(n, int)
    return n


def accepted_by_admin(admin_db: URL) -> int:
    """Rows the admin counted as new over all measurement batches (a re-push adds 0)."""
    [(n,)] = sql(
        admin_db,
        "SELECT coalesce(sum(accepted), 0) FROM fleet.ingest_events "
        "WHERE batch_type = 'measurements' AND status_code = 200",
    )
    return int(str(n))


@contextmanager
def admin_session(base_url: str) -> Iterator[httpx.Client]:
    """A client signed in as the first admin, sending the CSRF header."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        login = http.post("/api/auth/login", json=credentials)
        assert login.status_code == 200, login.text
        http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
        yield http


def create_customer(admin_url: str, code: str) -> str:
    """A customer on the admin stack (through its API); returns the push token."""
    with admin_session(admin_url) as http:
        made = http.post("/api/fleet/customers", json={"code": code, "name": code.title()})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert isinstance(token, str)
        return token


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll until ``condition``; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)
    return time.monotonic() - started


@dataclass
class FleetPair:
    """An admin stack and a client stack pushing to it, each a real ``portal serve``."""

    make: Callable[..., PortalProcess]
    admin_db: URL
    client_db: URL
    code: str = "acme"
    push_settings: dict[str, str] = field(default_factory=dict)
    admin_settings: dict[str, str] = field(default_factory=dict)
    admin: PortalProcess | None = None
    client: PortalProcess | None = None
    token: str = ""

    def admin_env(self) -> dict[str, str]:
        return {
            "PORTAL_RUN_MODE": "admin",
            "PORTAL_DATABASE_URL": url_string(self.admin_db),
            "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
            **self.admin_settings,
        }

    def client_env(self) -> dict[str, str]:
        assert self.admin is not None
        return {
            "PORTAL_RUN_MODE": "client",
            "PORTAL_DATABASE_URL": url_string(self.client_db),
            "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PORTAL_FLEET__ENABLED": "true",
            "PORTAL_FLEET__ADMIN_URL": self.admin.url,
            "PORTAL_FLEET__CUSTOMER_TOKEN": self.token,
            **self.push_settings,
        }

    def start_admin(self) -> PortalProcess:
        port = self.admin.port if self.admin is not None else None
        self.admin = self.make(**self.admin_env())
        if port is not None:
            self.admin.port = port  # the client knows the admin by its address
        self.admin.start()
        if not self.token:
            self.token = create_customer(self.admin.url, self.code)
        return self.admin

    def start_client(self) -> PortalProcess:
        port = self.client.port if self.client is not None else None
        self.client = self.make(**self.client_env())
        if port is not None:
            self.client.port = port
        self.client.start()
        return self.client

    def caught_up(self) -> bool:
        return admin_fingerprint(self.admin_db, self.code) == client_fingerprint(self.client_db)


def fleet_rollup_totals(admin_db: URL, code: str) -> dict[int, tuple[int, float]]:
    """Per device: the admin's fleet rollups' sample count and import energy, once its
    fleet rollup worker has drained the fleet's rollup log (the admin is running)."""
    wait_for_rollups(admin_db, timeout=60)
    found: dict[int, tuple[int, float]] = {}
    for device_id, rows, energy in sql(
        admin_db,
        """SELECT device_id, sum(sample_count), sum(energy_import_kwh) FROM fleet.rollup_15m
           WHERE customer_id = (SELECT id FROM fleet.customers WHERE code = %s)
           GROUP BY device_id""",
        code,
    ):
        assert isinstance(device_id, int)
        found[device_id] = (int(str(rows)), float(str(energy)))
    return found
