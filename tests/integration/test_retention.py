"""No anonymous writes without bounds, and retention, on real PostgreSQL over real HTTP.

- 2,000 pushes to an admin stack's ``/api/fleet/ingest`` without a known customer token
  add no row anywhere: they are counted in ``/metrics`` and logged, sampled; a known
  (deactivated) customer's refusal keeps its audit row.
- The retention job deletes old login attempts, old fleet audit rows and expired sessions
  in bounded batches and keeps the recent ones: run directly, by ``portal retention run``,
  and by the worker inside ``portal serve``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

from power_portal.core.tokens import token_digest
from power_portal.db.engine import Database
from power_portal.settings import RetentionSettings, Settings
from power_portal.system.retention import run_retention
from tests.support.database import sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    LiveServer,
    PortalProcess,
    login_client,
    wait_until,
)

METRICS_TOKEN = "metrics-token-0123456789abcdef"
NOW = datetime.now(UTC)


def anonymous_refusals(base_url: str) -> dict[str, float]:
    """``portal_ingest_anonymous_refusals_total{source="fleet"}`` by reason."""
    response = httpx.get(
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "portal_ingest_anonymous_refusals_total":
                assert sample.labels["source"] == "fleet"
                found[sample.labels["reason"]] = sample.value
    return found


def _fields(line: str) -> tuple[int, str]:
    """``left_out`` and ``reason`` of a ``fleet.ingest_refused`` log line (key=value)."""
    left_out = re.search(r"left_out=(\d+)", line)
    reason = re.search(r"reason=(\w+)", line)
    assert left_out, line
    assert reason, line
    return int(left_out.group(1)), reason.group(1)


def row_counts(db_url: URL) -> dict[str, int]:
    """Rows in every table of the schemas a request could write to."""
    tables = sql(
        db_url,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema IN ('identity', 'app', 'fleet', 'monitoring') "
        "AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    counts: dict[str, int] = {}
    for (table,) in tables:
        [(n,)] = sql(db_url, f"SELECT count(*) FROM {table}")
        assert isinstance(n, int)
        counts[str(table)] = n
    return counts


@pytest.mark.slow
def test_2000_anonymous_fleet_ingest_refusals_add_no_rows(
    portal_process: Callable[..., PortalProcess], make_database: Callable[[], URL]
) -> None:
    admin_db = make_database()
    admin = portal_process(
        PORTAL_RUN_MODE="admin",
        PORTAL_DATABASE_URL=url_string(admin_db),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PORTAL_METRICS__TOKEN=METRICS_TOKEN,
        PORTAL_RETENTION__ENABLED="false",
    )
    admin.start()
    url = f"{admin.url}/api/fleet/ingest"
    body = json.dumps({"items": [{"id": 1, "name": "x"}]}).encode()
    # a known customer's refusal carries information: its audit row stays
    http = login_client(admin.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    made = http.post("/api/fleet/customers", json={"code": "acme", "name": "Acme"})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert http.post("/api/fleet/customers/acme/deactivate").status_code == 200
    http.close()
    refused = httpx.post(
        url, content=body, headers={"X-Customer-Token": token, "X-Batch-Type": "sites"}
    )
    assert refused.status_code == 401
    events = sql(
        admin_db,
        "SELECT c.code, e.status_code FROM fleet.ingest_events e "
        "JOIN fleet.customers c ON c.id = e.customer_id",
    )
    assert events == [("acme", 401)]

    before = row_counts(admin_db)
    statuses: dict[int, int] = {}
    with httpx.Client(timeout=30) as http:
        for n in range(2000):
            headers = {"X-Batch-Type": "sites", "Content-Type": "application/json"}
            if n % 2:  # an unknown token (a guess); from the 21st on: throttled
                headers["X-Customer-Token"] = f"ppc_guess_{n}"
            response = http.post(url, content=body, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # missing tokens: 401; unknown ones: 401 until the address has tried 20, then 429
    assert set(statuses) <= {401, 429}
    assert statuses[429] >= 900
    assert row_counts(admin_db) == before
    assert before["fleet.ingest_events"] == 1
    counted = anonymous_refusals(admin.url)
    assert counted["missing_token"] == 1000
    assert counted["unknown_token"] >= 20
    assert counted["unknown_token"] + counted["throttled"] == 1000
    assert counted["throttled"] == statuses[429]
    # logged, sampled per reason: the first 10 a minute, then one in 100, each line saying
    # how many it stands for; never the token
    logged = [
        (reason, left_out)
        for line in admin.log().splitlines()
        if "fleet.ingest_refused" in line
        for left_out, reason in [_fields(line)]
    ]
    missing = [left_out for reason, left_out in logged if reason == "missing_token"]
    assert 10 + 990 // 100 <= len(missing) <= 2 * (10 + 990 // 100)  # a minute may roll over
    assert len(missing) + sum(missing) <= 1000
    assert len(logged) < 100
    assert "ppc_guess" not in admin.log()


# ---------------------------------------------------------------- retention


def retention_run(db_url: URL, **env: str) -> subprocess.CompletedProcess[str]:
    """``portal retention run`` as a real process, with these PORTAL_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    clean |= {"PORTAL_DATABASE_URL": url_string(db_url), "COLUMNS": "400", **env}
    return subprocess.run(
        [str(PORTAL_BIN), "retention", "run"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def seed(db_url: URL) -> None:
    """Login attempts, sessions and fleet audit rows of various ages."""
    [(user_id,)] = sql(
        db_url,
        "INSERT INTO identity.users (email, name, password_hash, role, is_active, "
        "failed_attempts) VALUES ('old@example.com', 'Old', 'x', 'viewer', true, 0) RETURNING id",
    )
    for days in (400, 120, 100, 91, 91, 91, 91, 89, 30, 1, 0):
        sql(
            db_url,
            "INSERT INTO identity.login_attempts (email, user_id, ip_address, outcome, "
            "attempted_at) VALUES ('old@example.com', %s, '192.0.2.1', 'bad_credentials', %s)",
            user_id,
            NOW - timedelta(days=days),
        )
    for name, expires in (("gone1", -2), ("gone2", -0.01), ("kept", 1)):
        sql(
            db_url,
            "INSERT INTO identity.sessions (token_sha256, user_id, csrf_token, last_seen_at, "
            "expires_at) VALUES (%s, %s, 'c', %s, %s)",
            token_digest(name),
            user_id,
            NOW,
            NOW + timedelta(days=expires),
        )
    customers: list[int] = []
    for code in ("acme", "beta"):
        [(customer_id,)] = sql(
            db_url,
            "INSERT INTO fleet.customers (code, slug, name, token_sha256, active) "
            "VALUES (%s, %s, %s, %s, true) RETURNING id",
            code,
            code,
            code.title(),
            token_digest(code),
        )
        assert isinstance(customer_id, int)
        customers.append(customer_id)
    # per owner: days old of each audit row (None: an unknown token's, stored before)
    for owner, ages in ((customers[0], (200, 95, 93, 92, 10)), (customers[1], (91, 2))):
        for days in ages:
            add_event(db_url, owner, days)
    for days in (300, 100, 5):
        add_event(db_url, None, days)


def add_event(db_url: URL, customer_id: int | None, days: float) -> None:
    sql(
        db_url,
        "INSERT INTO fleet.ingest_events (customer_id, batch_type, status_code, accepted, "
        "duplicates, rejected, bytes, received_at) VALUES (%s, 'sites', 200, 0, 0, 0, 0, %s)",
        customer_id,
        NOW - timedelta(days=days),
    )


def remaining(db_url: URL) -> dict[str, list[object]]:
    def ages(statement: str) -> list[object]:
        return [round(float(str(days))) for (days,) in sql(db_url, statement, NOW)]

    return {
        "attempts": ages(
            "SELECT extract(epoch FROM %s - attempted_at) / 86400 FROM identity.login_attempts "
            "ORDER BY attempted_at"
        ),
        "events": ages(
            "SELECT extract(epoch FROM %s - received_at) / 86400 FROM fleet.ingest_events "
            "ORDER BY received_at"
        ),
        "sessions": [
            name
            for name in ("gone1", "gone2", "kept")
            if sql(
                db_url,
                "SELECT 1 FROM identity.sessions WHERE token_sha256 = %s",
                token_digest(name),
            )
        ],
    }


def test_retention_deletes_old_rows_in_batches_and_keeps_recent_ones(db_url: URL) -> None:
    seed(db_url)

    async def main() -> tuple[int, int]:
        database = Database.from_url(db_url)
        try:
            # batches of 2: the 7 old attempts go in 4 transactions, acme's 4 in 3
            settings = RetentionSettings(batch_size=2)
            report = await run_retention(database, settings, NOW, pause=0)
            again = await run_retention(database, settings, NOW, pause=0)
            assert (again.login_attempts, again.ingest_events) == (0, 0)
            return report.login_attempts, report.ingest_events
        finally:
            await database.dispose()

    assert asyncio.run(main()) == (7, 7)
    kept = remaining(db_url)
    assert kept["attempts"] == [89, 30, 1, 0]
    assert kept["events"] == [10, 5, 2]
    assert kept["sessions"] == ["kept"]


def test_portal_retention_run_uses_the_configured_days(db_url: URL) -> None:
    seed(db_url)
    result = retention_run(db_url)
    assert result.returncode == 0, result.stderr
    assert "Deleted 7 login attempt(s) older than 90 days, 7 fleet audit row(s)" in result.stdout
    kept = remaining(db_url)
    assert kept["attempts"] == [89, 30, 1, 0]
    assert kept["sessions"] == ["kept"]
    # shorter, by the environment
    shorter = retention_run(
        db_url,
        PORTAL_RETENTION__LOGIN_ATTEMPTS_DAYS="7",
        PORTAL_RETENTION__INGEST_EVENTS_DAYS="3",
    )
    assert shorter.returncode == 0, shorter.stderr
    assert "Deleted 2 login attempt(s) older than 7 days, 2 fleet audit row(s)" in shorter.stdout
    kept = remaining(db_url)
    assert kept["attempts"] == [1, 0]
    assert kept["events"] == [2]


def test_the_worker_in_portal_serve_runs_it(db_url: URL, tmp_path: Path) -> None:
    seed(db_url)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        retention=RetentionSettings(interval_seconds=0.5),
    )
    server = LiveServer(settings)
    server.start()
    try:
        wait_until(lambda: remaining(db_url)["events"] == [10, 5, 2] or None, "retention ran")
        # rows that grow old later go on a later run
        add_event(db_url, None, 365)
        wait_until(lambda: remaining(db_url)["events"] == [10, 5, 2] or None, "it runs again")
    finally:
        server.stop()
    assert remaining(db_url)["attempts"] == [89, 30, 1, 0]
