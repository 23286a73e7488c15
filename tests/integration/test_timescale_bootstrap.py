"""The TimescaleDB bootstrap where TimescaleDB cannot be used: it must notice, say so in
one info line, and change nothing; and the embedded server's preload switch.

The session's ``pg_server`` never preloads TimescaleDB, even where ``make timescale``
installed it; each test makes the situation it checks itself (absent, installed but not
preloaded, offered but not creatable), so they pass with and without TimescaleDB here.
The bootstrap on real TimescaleDB: ``test_timescale_real.py``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from structlog.testing import capture_logs

from power_portal.db import timescale
from power_portal.db.embedded import timescale_installed
from power_portal.db.timescale import TimescaleStatus
from power_portal.settings import RunMode, Settings, TimescaleMode
from tests.support.database import sql, url_string
from tests.support.portal import PORTAL_BIN
from tests.support.timescale import SKIP_REASON

# As if the server had no TimescaleDB files (whether or not `make timescale` ran here).
_ABSENT_SQL = "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb_not_here'"

# Everything the bootstrap could change: relations and their kinds, indexes,
# extensions, TimescaleDB's catalog schemas.
_SNAPSHOT = """
    SELECT 'rel', n.nspname || '.' || c.relname || ':' || c.relkind::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND NOT starts_with(n.nspname, 'pg_temp')
    UNION ALL SELECT 'ext', extname || ' ' || extversion FROM pg_extension
    UNION ALL SELECT 'schema', nspname FROM pg_namespace
    ORDER BY 1, 2
"""


def snapshot(db_url: URL) -> list[tuple[object, ...]]:
    return sql(db_url, _SNAPSHOT)


def _settings(db_url: URL, mode: RunMode, switch: TimescaleMode = TimescaleMode.AUTO) -> Settings:
    return Settings(database_url=url_string(db_url), run_mode=mode, timescale=switch)


@pytest.mark.parametrize("mode", list(RunMode))
def test_absent_extension_is_detected_and_nothing_changes(
    db_url: URL, mode: RunMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timescale, "AVAILABLE_SQL", _ABSENT_SQL)
    assert sql(db_url, timescale.AVAILABLE_SQL) == []  # the premise: no TimescaleDB here
    before = snapshot(db_url)
    with capture_logs() as logs:
        report = timescale.bootstrap(db_url, _settings(db_url, mode))
    assert report.status is TimescaleStatus.ABSENT
    assert report.statements == []
    assert snapshot(db_url) == before
    events = [entry for entry in logs if entry["event"].startswith("timescale.")]
    assert [entry["event"] for entry in events] == ["timescale.absent"]
    assert "app's rollups" in events[0]["detail"]
    # twice is the same
    assert timescale.bootstrap(db_url, _settings(db_url, mode)).status is TimescaleStatus.ABSENT
    assert snapshot(db_url) == before


def test_switched_off_does_not_even_connect() -> None:
    nowhere = URL.create("postgresql+psycopg", host="127.0.0.1", port=1, database="none")
    settings = Settings(database_url=url_string(nowhere), timescale=TimescaleMode.OFF)
    assert timescale.bootstrap(nowhere, settings).status is TimescaleStatus.OFF


@pytest.mark.parametrize("mode", list(RunMode))
def test_installed_but_not_preloaded_is_one_info_line(
    db_url: URL, mode: RunMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offered (as where `make timescale` ran) but not in shared_preload_libraries, like
    the embedded server with PORTAL_EMBEDDED_TIMESCALE=off: no warning, nothing changes."""
    monkeypatch.setattr(timescale, "AVAILABLE_SQL", "SELECT 1")
    assert sql(db_url, timescale.PRELOADED_SQL) == [(None,)]  # the premise: not preloaded
    before = snapshot(db_url)
    with capture_logs() as logs:
        report = timescale.bootstrap(db_url, _settings(db_url, mode))
    assert report.status is TimescaleStatus.NOT_PRELOADED
    assert "shared_preload_libraries" in report.detail
    assert snapshot(db_url) == before
    events = [(e["event"], e["log_level"]) for e in logs if e["event"].startswith("timescale.")]
    assert events == [("timescale.not_preloaded", "info")]


def test_extension_that_cannot_be_created_changes_nothing(
    db_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that lists the extension, seems to have loaded it, but cannot create it."""
    monkeypatch.setattr(timescale, "AVAILABLE_SQL", "SELECT 1")
    monkeypatch.setattr(timescale, "PRELOADED_SQL", "SELECT 'off'")
    before = snapshot(db_url)
    with capture_logs() as logs:
        report = timescale.bootstrap(db_url, _settings(db_url, RunMode.STANDALONE))
    assert report.status is TimescaleStatus.UNUSABLE
    assert "could not be created" in report.detail
    assert snapshot(db_url) == before
    assert [e["event"] for e in logs if e["event"].startswith("timescale.")] == [
        "timescale.unusable"
    ]


def test_portal_migrate_reports_it(db_url: URL) -> None:
    env = {**os.environ, "PORTAL_DATABASE_URL": url_string(db_url)}
    result = subprocess.run(
        [str(PORTAL_BIN), "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    status = "not_preloaded" if timescale_installed() else "absent"
    assert f"TimescaleDB: {status}" in result.stderr
    assert "warning" not in result.stderr


def portal_migrate(data_dir: Path, **env: str) -> str:
    """``portal migrate`` on the embedded server in ``data_dir``; its TimescaleDB line."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    result = subprocess.run(
        [str(PORTAL_BIN), "migrate"],
        env={**clean, "PORTAL_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr  # timescale.unusable above all
    lines = [line for line in result.stderr.splitlines() if line.startswith("TimescaleDB: ")]
    assert len(lines) == 1, result.stderr
    return lines[0].split()[1]


def test_embedded_server_without_timescale_is_quiet(tmp_path: Path) -> None:
    """Switched off (or not installed): plain tables, and no warning either way."""
    status = portal_migrate(tmp_path / "data", PORTAL_EMBEDDED_TIMESCALE="off")
    assert status == ("not_preloaded" if timescale_installed() else "absent")


@pytest.mark.timescale
@pytest.mark.skipif(not timescale_installed(), reason=SKIP_REASON)
def test_embedded_server_preloads_timescale_when_installed(tmp_path: Path) -> None:
    """`make run`'s server gets the production shape; the switch works on an existing cluster."""
    data_dir = tmp_path / "data"
    assert portal_migrate(data_dir) == "enabled"  # a fresh cluster
    conf = (data_dir / "pgdata" / "portal_timescale.conf").read_text()
    assert "shared_preload_libraries = 'timescaledb'" in conf
    assert "timescaledb.telemetry_level = off" in conf
    assert portal_migrate(data_dir, PORTAL_EMBEDDED_TIMESCALE="off") == "not_preloaded"
    assert portal_migrate(data_dir) == "enabled"  # and back, on the stopped cluster
