"""The TimescaleDB bootstrap on the embedded PostgreSQL, which has no TimescaleDB:
it must notice, say so in one line, and change nothing."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy.engine import URL
from structlog.testing import capture_logs

from power_portal.db import timescale
from power_portal.db.timescale import TimescaleStatus
from power_portal.settings import RunMode, Settings, TimescaleMode
from tests.support.database import sql, url_string
from tests.support.portal import PORTAL_BIN

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
def test_absent_extension_is_detected_and_nothing_changes(db_url: URL, mode: RunMode) -> None:
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


def test_extension_that_cannot_be_created_changes_nothing(
    db_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that lists the extension but cannot create it (e.g. not preloaded)."""
    monkeypatch.setattr(timescale, "AVAILABLE_SQL", "SELECT 1")
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
    assert "TimescaleDB: absent" in result.stderr
