"""The TimescaleDB bootstrap and the app on real TimescaleDB, compared with plain PostgreSQL.

Runs where TimescaleDB is installed (``make timescale``) or ``TIMESCALE_TEST_URL`` names a
server; skips with one line otherwise (``tests/support/timescale.py``).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL
from structlog.testing import capture_logs

from power_portal.db import timescale
from power_portal.db.timescale import TimescaleStatus
from power_portal.settings import RunMode
from tests.support.database import psycopg_conninfo, sql, url_string, wait_for_rollups
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    REPO_ROOT,
    LiveServer,
    ingest,
    login_client,
)
from tests.support.tariffs import eskom_style_tariff
from tests.support.timescale import PORTAL_ROLE, timescale_settings

pytestmark = pytest.mark.timescale

# Everything the bootstrap decides, from TimescaleDB's own views.
_CATALOG = """
    SELECT 'ht', hypertable_schema || '.' || hypertable_name,
           owner || ' compression=' || compression_enabled::text
    FROM timescaledb_information.hypertables
    UNION ALL SELECT 'dim', hypertable_schema || '.' || hypertable_name || '.' || column_name,
           time_interval::text FROM timescaledb_information.dimensions
    UNION ALL SELECT 'job', hypertable_schema || '.' || hypertable_name || ' ' || proc_name,
           owner || ' ' || config::text FROM timescaledb_information.jobs
           WHERE hypertable_name IS NOT NULL
    UNION ALL SELECT 'seg', hypertable::text,
           replace(coalesce(segmentby, '') || ' | ' || coalesce(orderby, ''), '"', '')
    FROM timescaledb_information.hypertable_compression_settings
    UNION ALL SELECT 'idx', schemaname || '.' || tablename, indexname FROM pg_indexes
           WHERE schemaname IN ('monitoring', 'fleet') AND tablename = 'power_measurements'
    UNION ALL SELECT 'ext', extname, extversion FROM pg_extension WHERE extname = 'timescaledb'
    ORDER BY 1, 2, 3
"""


def catalog(url: URL) -> list[tuple[object, ...]]:
    return sql(url, _CATALOG)


def rows_of(cat: list[tuple[object, ...]], kind: str) -> dict[object, object]:
    return {row[1]: row[2] for row in cat if row[0] == kind}


EXPECTED_HYPERTABLE = {
    RunMode.STANDALONE: ("monitoring.power_measurements", "device_id"),
    RunMode.CLIENT: ("monitoring.power_measurements", None),
    RunMode.ADMIN: ("fleet.power_measurements", "customer_id,device_id"),
}


@pytest.mark.parametrize("mode", list(RunMode))
def test_bootstrap_as_the_portal_role_in_each_run_mode(
    make_timescale_database: Callable[..., URL], mode: RunMode, tmp_path: Path
) -> None:
    url = make_timescale_database(owner=PORTAL_ROLE)
    assert sql(url, "SELECT current_user, usesuper FROM pg_user WHERE usename = current_user") == [
        (PORTAL_ROLE, False)
    ]
    settings = timescale_settings(url, mode, tmp_path / "data")
    with capture_logs() as logs:
        report = timescale.bootstrap(url, settings)
    assert report.status is TimescaleStatus.ENABLED, report.detail
    assert [e["event"] for e in logs if e["event"].startswith("timescale.")] == [
        "timescale.enabled"
    ]
    table, segment_by = EXPECTED_HYPERTABLE[mode]
    compressed = segment_by is not None
    assert report.compression is compressed
    cat = catalog(url)
    assert rows_of(cat, "ht") == {table: f"{PORTAL_ROLE} compression={str(compressed).lower()}"}
    assert rows_of(cat, "dim") == {f"{table}.time": "7 days"}
    # no default time index: the primary key (series key, time) serves every query
    assert f"{table.split('.')[1]}_time_idx" not in {
        row[2] for row in cat if row[0] == "idx" and row[1] == table
    }
    jobs = {k: v for k, v in rows_of(cat, "job").items() if str(k).startswith(table)}
    if compressed:
        assert rows_of(cat, "seg")[table] == f"{segment_by} | time DESC"
        assert list(jobs) == [f"{table} policy_compression"]
        owner, config = str(jobs[f"{table} policy_compression"]).split(" ", 1)
        assert owner == PORTAL_ROLE
        assert '"compress_after": "7 days"' in config
    else:  # client mode: the push reads by storing transaction; no compression, no policy
        assert str(rows_of(cat, "seg").get(table, " | ")).strip() == "|"
        assert jobs == {}
    # a second run changes nothing
    again = timescale.bootstrap(url, settings)
    assert again.status is TimescaleStatus.ENABLED
    assert catalog(url) == cat


def test_the_compression_job_runs_as_the_portal_role(
    make_timescale_database: Callable[..., URL], tmp_path: Path
) -> None:
    url = make_timescale_database(owner=PORTAL_ROLE)
    timescale.bootstrap(url, timescale_settings(url, RunMode.STANDALONE, tmp_path / "data"))
    site = sql(url, "INSERT INTO app.sites (name, timezone) VALUES ('S', 'UTC') RETURNING id")
    device = sql(
        url,
        "INSERT INTO app.devices (site_id, name, serial) VALUES (%s, 'M', 'SER-1') RETURNING id",
        site[0][0],
    )[0][0]
    sql(
        url,
        "INSERT INTO monitoring.power_measurements (device_id, time, power_kw) "
        "SELECT %s, t, 1.5 FROM generate_series(now() - interval '30 days', now(), "
        "interval '15 minutes') t",
        device,
    )
    count = sql(url, "SELECT count(*) FROM monitoring.power_measurements")
    compress_old_chunks(url)
    compressed: tuple[Any, ...] = sql(
        url,
        "SELECT count(*) FILTER (WHERE is_compressed), count(*) FILTER (WHERE NOT is_compressed) "
        "FROM timescaledb_information.chunks WHERE hypertable_name = 'power_measurements'",
    )[0]
    assert compressed[0] >= 3, compressed  # the old ones …
    assert compressed[1] >= 1, compressed  # … while the newest stays
    assert sql(url, "SELECT count(*) FROM monitoring.power_measurements") == count
    # the job is the portal's, and so is every chunk it wrote (called as the portal above)
    assert sql(
        url,
        "SELECT DISTINCT owner FROM timescaledb_information.jobs "
        "WHERE proc_name = 'policy_compression'",
    ) == [(PORTAL_ROLE,)]
    assert sql(
        url,
        "SELECT DISTINCT c.relowner::regrole::text FROM _timescaledb_catalog.chunk ch "
        "JOIN pg_class c ON c.oid = format('%%I.%%I', ch.schema_name, ch.table_name)::regclass",
    ) == [(PORTAL_ROLE,)]

    # OPERATIONS.md's recompression after a 2.24+ upgrade, as the portal role, statement
    # by statement like psql's \\gexec
    with psycopg.connect(**psycopg_conninfo(url), autocommit=True) as conn:
        for step in conn.execute(RECOMPRESS_SQL).fetchall():
            for statement in step:
                conn.execute(statement)
    assert sql(url, "SELECT count(*) FROM monitoring.power_measurements") == count
    assert sql(
        url,
        "SELECT count(*) FROM timescaledb_information.chunks "
        "WHERE hypertable_name = 'power_measurements' AND is_compressed",
    ) == [(compressed[0],)]


RECOMPRESS_SQL = """
SELECT format('SELECT decompress_chunk(%L)', c), format('SELECT compress_chunk(%L)', c)
FROM (SELECT format('%I.%I', chunk_schema, chunk_name) AS c
      FROM timescaledb_information.chunks
      WHERE hypertable_schema = 'monitoring' AND hypertable_name = 'power_measurements'
        AND is_compressed) compressed
"""


def compress_old_chunks(url: URL, schema: str = "monitoring") -> None:
    """Run the compression policy now, as the URL's role (``CALL run_job``)."""
    job = sql(
        url,
        "SELECT job_id FROM timescaledb_information.jobs "
        "WHERE proc_name = 'policy_compression' AND hypertable_name = 'power_measurements' "
        "AND hypertable_schema = %s",
        schema,
    )
    assert len(job) == 1, job
    # The background scheduler may start the same job meanwhile (its first run is due at
    # once): stop scheduling it, and run it again if the two met on a chunk ("already
    # compressed" fails the run; the next run finds that chunk done).
    sql(url, "SELECT alter_job(%s, scheduled => false)", job[0][0])
    try:
        sql(url, "CALL run_job(%s)", job[0][0])
    except psycopg.errors.DataException as exc:
        if "columnstore policy failure" not in str(exc):
            raise
        sql(url, "CALL run_job(%s)", job[0][0])


# ---------------------------------------------------------------- ingest over HTTP

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
START = TODAY - timedelta(days=21)
STEP = timedelta(minutes=15)
GAP_DAY = 3  # far inside a compressed chunk (older than 7 days)
GAP = (START + timedelta(days=GAP_DAY, hours=8), START + timedelta(days=GAP_DAY, hours=14))


def cumulative_kwh(moment: datetime) -> float:
    """A meter's import register: power 10 + 5·sin(t/180 min) kW, integrated (not linear)."""
    minutes = (moment - START).total_seconds() / 60
    return (10 * minutes - 900 * math.cos(minutes / 180) + 900) / 60


def reading(moment: datetime) -> dict[str, Any]:
    minutes = (moment - START).total_seconds() / 60
    return {
        "time": moment.isoformat(),
        "energy_import_kwh": cumulative_kwh(moment),
        "power_kw": 10 + 5 * math.sin(minutes / 180),
        "voltage_l1_v": 230 + math.cos(minutes / 90),
    }


def moments(lo: datetime, hi: datetime) -> list[datetime]:
    count = int((hi - lo) / STEP)
    return [lo + i * STEP for i in range(count)]


@contextmanager
def portal_on(url: URL, mode: RunMode, data_dir: Path) -> Iterator[tuple[LiveServer, httpx.Client]]:
    server = LiveServer(timescale_settings(url, mode, data_dir))
    server.start()
    http = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        yield server, http
    finally:
        http.close()
        server.stop()


def get(http: httpx.Client, path: str, **params: str | list[str]) -> Any:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def delivered(server: LiveServer, token: str, rows: list[dict[str, Any]]) -> tuple[int, int]:
    response = ingest(server.url, token, rows)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["accepted"], body["duplicates"]


def what_the_portal_shows(http: httpx.Client, site_id: int, device_id: int) -> dict[str, Any]:
    span = {"start": START.date().isoformat(), "end": TODAY.date().isoformat()}
    gap_day = (START + timedelta(days=GAP_DAY)).date()
    gap_span = {"start": gap_day.isoformat(), "end": (gap_day + timedelta(days=1)).isoformat()}
    latest = get(http, f"/api/devices/{device_id}/latest")
    latest.pop("received_at", None)
    return {
        "day": get(http, f"/api/devices/{device_id}/energy", **span, interval="day"),
        "month": get(http, f"/api/sites/{site_id}/energy", **span, interval="month"),
        "hour": get(http, f"/api/devices/{device_id}/energy", **gap_span, interval="hour"),
        "series": get(
            http,
            f"/api/devices/{device_id}/series",
            start=(GAP[0] - timedelta(hours=2)).isoformat(),
            end=(GAP[1] + timedelta(hours=2)).isoformat(),
            fields=["power_kw", "voltage_l1_v"],
        ),
        "summary": get(http, f"/api/sites/{site_id}/summary", **span),
        "latest": latest,
        "bill": get(http, f"/api/sites/{site_id}/bill", **span),
        "bill_csv": bill_csv(http, site_id, span),
        "daily_costs": get(http, f"/api/sites/{site_id}/costs/daily", **span),
    }


def bill_csv(http: httpx.Client, site_id: int, span: dict[str, str]) -> str:
    response = http.get(f"/api/sites/{site_id}/bill.csv", params=span)
    assert response.status_code == 200, response.text
    return response.text


def month_cost(http: httpx.Client, site_id: int) -> dict[str, Any]:
    """This month's cost; ``days_elapsed`` (now) differs between two runs by seconds."""
    cost: dict[str, Any] = get(http, f"/api/sites/{site_id}/costs/month")
    cost.pop("days_elapsed")
    return cost


def ingest_scenario(url: URL, data_dir: Path, *, compress: bool) -> dict[str, Any]:
    """First delivery of three weeks (a gap on one day), re-delivery, back-fill of the gap."""
    out: dict[str, Any] = {}
    with portal_on(url, RunMode.STANDALONE, data_dir) as (server, http):
        site = http.post("/api/sites", json={"name": "Plant", "timezone": "Africa/Johannesburg"})
        assert site.status_code == 201, site.text
        site_id = site.json()["id"]
        device = http.post(
            f"/api/sites/{site_id}/devices", json={"name": "Main", "serial": "ACV-000001"}
        )
        assert device.status_code == 201, device.text
        device_id = device.json()["id"]
        token = http.post(f"/api/devices/{device_id}/tokens", json={}).json()["token"]
        tariff = http.post("/api/tariffs", json=eskom_style_tariff())
        assert tariff.status_code == 201, tariff.text
        patched = http.patch(f"/api/sites/{site_id}", json={"tariff_id": tariff.json()["id"]})
        assert patched.status_code == 200, patched.text
        first = [0, 0]
        for day in range(21):
            lo = START + timedelta(days=day)
            rows = [
                reading(m) for m in moments(lo, lo + timedelta(days=1)) if not GAP[0] <= m < GAP[1]
            ]
            accepted, duplicates = delivered(server, token, rows)
            first[0] += accepted
            first[1] += duplicates
        out["first"] = tuple(first)
        wait_for_rollups(url)
        if compress:
            compress_old_chunks(url)
            out["compressed_chunks"] = sql(
                url,
                "SELECT count(*) FROM timescaledb_information.chunks "
                "WHERE hypertable_name = 'power_measurements' AND is_compressed",
            )[0][0]
        out["before"] = what_the_portal_shows(http, site_id, device_id)
        # a whole day again: all duplicates
        day2 = START + timedelta(days=2)
        out["redelivery"] = delivered(
            server, token, [reading(m) for m in moments(day2, day2 + timedelta(days=1))]
        )
        # the meter's buffer: an hour already sent (duplicates) and the gap (new, back-dated)
        out["backfill"] = delivered(
            server, token, [reading(m) for m in moments(GAP[0] - timedelta(hours=1), GAP[1])]
        )
        wait_for_rollups(url)
        out["after"] = what_the_portal_shows(http, site_id, device_id)
        out["month_cost"] = month_cost(http, site_id)
        out["raw_count"] = sql(url, "SELECT count(*) FROM monitoring.power_measurements")
        out["rollups"] = sql(
            url,
            "SELECT bucket_start, sample_count, round(power_kw_avg::numeric, 9), "
            "round(energy_import_kwh::numeric, 9) FROM monitoring.rollup_15m ORDER BY 1",
        )
    return out


def energy_by_start(points: dict[str, Any]) -> dict[str, float]:
    return {p["start"]: p["energy_import_kwh"] for p in points["points"]}


def test_ingest_into_compressed_chunks_matches_plain_postgresql(
    db_url: URL, make_timescale_database: Callable[..., URL], tmp_path: Path
) -> None:
    tsdb = make_timescale_database(owner=PORTAL_ROLE)
    plain = ingest_scenario(db_url, tmp_path / "plain", compress=False)
    got = ingest_scenario(tsdb, tmp_path / "tsdb", compress=True)

    assert got["compressed_chunks"] >= 2  # the gap day and the re-delivered day among them
    assert len(got["after"]["daily_costs"]["days"]) == 21  # the bills are not empty
    in_gap = len(moments(*GAP))
    per_day = 24 * 4
    assert got["first"] == (21 * per_day - in_gap, 0)
    assert got["redelivery"] == (0, per_day)  # duplicates counted right, inside compression
    assert got["backfill"] == (in_gap, 4)
    for key in ("first", "redelivery", "backfill", "raw_count", "rollups", "before", "after"):
        assert got[key] == plain[key], key
    for key, value in plain["month_cost"].items():
        if isinstance(value, float):
            assert got["month_cost"][key] == pytest.approx(value, rel=1e-3), key
        else:
            assert got["month_cost"][key] == value, key

    # the back-fill changed the hours around the gap by exactly the new readings' share
    # (every hour of that day now has readings at both ends: its energy is the register's
    # difference) …
    before, after = energy_by_start(got["before"]["hour"]), energy_by_start(got["after"]["hour"])
    changed = {start for start in after if after[start] != pytest.approx(before[start], abs=1e-9)}
    touched = {
        start
        for start in after
        if GAP[0] - STEP < datetime.fromisoformat(start) + timedelta(hours=1)
        and datetime.fromisoformat(start) < GAP[1]
    }
    assert changed
    assert changed <= touched, (changed, touched)
    for start, energy in after.items():
        lo = datetime.fromisoformat(start)
        exact = cumulative_kwh(lo + timedelta(hours=1)) - cumulative_kwh(lo)
        assert energy == pytest.approx(exact, abs=1e-6), start
    # … and left every day's energy unchanged (the gap's day too: same register values at
    # its ends)
    assert energy_by_start(got["after"]["day"]) == pytest.approx(
        energy_by_start(got["before"]["day"]), abs=1e-6
    )


# ---------------------------------------------------------------- the manual check, as a test


def test_the_equivalence_script_passes(timescale_db_url: URL) -> None:
    """``deploy/verify/timescale_equivalence.py`` as shipped (compression on by default)."""
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "deploy" / "verify" / "timescale_equivalence.py"),
            url_string(timescale_db_url),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "FAIL" not in result.stdout
    assert "all checks passed" in result.stdout


# ---------------------------------------------------------------- fleet push into compression


def run_portal(db: URL, mode: RunMode, *args: str, **env: str) -> str:
    """``portal …`` as a process of a stack in ``mode`` on ``db``; its output."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    clean |= {"PORTAL_DATABASE_URL": url_string(db), "PORTAL_RUN_MODE": mode, "COLUMNS": "400"}
    result = subprocess.run(
        [str(PORTAL_BIN), *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def fleet_push_once(client_db: URL, admin_url: str, token: str) -> None:
    """One ``portal fleet push --once`` from the client stack's database."""
    run_portal(
        client_db,
        RunMode.CLIENT,
        "fleet",
        "push",
        "--once",
        PORTAL_FLEET__ENABLED="true",
        PORTAL_FLEET__ADMIN_URL=admin_url,
        PORTAL_FLEET__CUSTOMER_TOKEN=token,
        PORTAL_FLEET__BATCH_SIZE="5000",
        PORTAL_FLEET__MAX_BATCHES_PER_TICK="50",
    )


_ROLLUPS = (
    "SELECT device_id, bucket_start, sample_count, round(power_kw_avg::numeric, 9), "
    "round(energy_import_kwh::numeric, 9) FROM {table} ORDER BY 1, 2"
)


def test_fleet_push_into_a_compressed_admin_store(
    db_url: URL, make_timescale_database: Callable[..., URL], tmp_path: Path
) -> None:
    """A client stack (plain PostgreSQL) pushes to an admin stack on TimescaleDB; the admin's
    old chunks are compressed, then the client back-fills and re-delivers and pushes again:
    the admin ends with exactly the client's readings and rollups."""
    admin_db = make_timescale_database(owner=PORTAL_ROLE)
    with (
        portal_on(admin_db, RunMode.ADMIN, tmp_path / "admin") as (admin, _),
        portal_on(db_url, RunMode.CLIENT, tmp_path / "client") as (client, http),
    ):
        added = run_portal(
            admin_db, RunMode.ADMIN, "fleet", "add-customer", "acme", "--name", "Acme"
        )
        match = re.search(r"(ppc_\S+)", added)
        assert match, added
        token = match.group(1)
        site = http.post("/api/sites", json={"name": "Plant", "timezone": "UTC"}).json()
        device = http.post(
            f"/api/sites/{site['id']}/devices", json={"name": "Main", "serial": "ACV-1"}
        ).json()
        device_token = http.post(f"/api/devices/{device['id']}/tokens", json={}).json()["token"]
        for day in range(21):
            lo = START + timedelta(days=day)
            rows = [
                reading(m) for m in moments(lo, lo + timedelta(days=1)) if not GAP[0] <= m < GAP[1]
            ]
            delivered(client, device_token, rows)
        fleet_push_once(db_url, admin.url, token)
        count = "SELECT count(*) FROM {}"
        client_rows = sql(db_url, count.format("monitoring.power_measurements"))
        assert sql(admin_db, count.format("fleet.power_measurements")) == client_rows

        compress_old_chunks(admin_db, "fleet")
        compressed = sql(
            admin_db,
            "SELECT count(*) FROM timescaledb_information.chunks "
            "WHERE hypertable_schema = 'fleet' AND hypertable_name = 'power_measurements' "
            "AND is_compressed",
        )[0][0]
        assert isinstance(compressed, int)
        assert compressed >= 2

        day2 = START + timedelta(days=2)
        assert delivered(
            client, device_token, [reading(m) for m in moments(day2, day2 + timedelta(days=1))]
        ) == (0, 96)
        in_gap = len(moments(*GAP))
        assert delivered(
            client, device_token, [reading(m) for m in moments(GAP[0] - timedelta(hours=1), GAP[1])]
        ) == (in_gap, 4)
        fleet_push_once(db_url, admin.url, token)
        client_rows = sql(db_url, count.format("monitoring.power_measurements"))
        assert sql(admin_db, count.format("fleet.power_measurements")) == client_rows
        wait_for_rollups(db_url)
        client_rollups = sql(db_url, _ROLLUPS.format(table="monitoring.rollup_15m"))
        deadline = time.monotonic() + 60
        while (admin_rollups := sql(admin_db, _ROLLUPS.format(table="fleet.rollup_15m"))) != (
            client_rollups
        ) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert admin_rollups == client_rollups
