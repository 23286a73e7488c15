"""`portal serve` as a real process on the embedded database: restarts, kills, refusals."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL

from power_portal.db.migrate import head_revision
from tests.support.database import url_string
from tests.support.portal import PORTAL_BIN, PortalProcess

pytestmark = pytest.mark.slow


def postmaster_pid_file(data_dir: Path) -> Path:
    return data_dir / "pgdata" / "postmaster.pid"


def connect_embedded(data_dir: Path) -> psycopg.Connection:
    lines = postmaster_pid_file(data_dir).read_text().splitlines()
    socket_dir = lines[4]
    return psycopg.connect(host=socket_dir, user="postgres", dbname="portal", autocommit=True)


def test_data_survives_kill_and_restart(
    portal_process: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    data_dir = tmp_path / "portal-data"
    first = portal_process(PORTAL_DATA_DIR=str(data_dir))
    first.start()
    assert httpx.get(f"{first.url}/api/health").json()["database"] == "ok"
    with connect_embedded(data_dir) as conn:
        conn.execute("CREATE TABLE app.marker (note text)")
        conn.execute("INSERT INTO app.marker VALUES ('kept')")

    # kill -9: the portal gets no chance to clean up; the database server survives it
    first.kill()
    assert postmaster_pid_file(data_dir).exists()

    second = portal_process(PORTAL_DATA_DIR=str(data_dir))
    second.start()
    with connect_embedded(data_dir) as conn:
        assert conn.execute("SELECT note FROM app.marker").fetchall() == [("kept",)]

    # a clean stop also stops the embedded server (the dead process is not counted)
    assert second.terminate()
    assert not postmaster_pid_file(data_dir).exists(), second.log()

    third = portal_process(PORTAL_DATA_DIR=str(data_dir))
    third.start()
    with connect_embedded(data_dir) as conn:
        assert conn.execute("SELECT note FROM app.marker").fetchall() == [("kept",)]
    assert third.terminate()


def test_two_processes_share_one_embedded_server(
    portal_process: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared-data"
    one = portal_process(PORTAL_DATA_DIR=str(data_dir))
    two = portal_process(PORTAL_DATA_DIR=str(data_dir))
    one.start(wait=False)
    two.start(wait=False)
    one.wait_healthy()
    two.wait_healthy()
    # the first to stop leaves the server to the other
    assert one.terminate()
    assert httpx.get(f"{two.url}/api/health").json()["database"] == "ok"
    assert two.terminate()
    assert not postmaster_pid_file(data_dir).exists()


def test_production_refuses_embedded_database_and_default_password(
    portal_process: Callable[..., PortalProcess],
) -> None:
    proc = portal_process(PORTAL_ENV="production")
    proc.start(wait=False)
    assert proc.process is not None
    assert proc.process.wait(60) == 2
    output = proc.log()
    assert "Refusing to start" in output
    assert "PORTAL_DATABASE_URL" in output
    assert "PORTAL_ADMIN_PASSWORD" in output


def test_production_starts_with_external_database_and_strong_password(
    portal_process: Callable[..., PortalProcess], db_url: URL
) -> None:
    proc = portal_process(
        PORTAL_ENV="production",
        PORTAL_DATABASE_URL=url_string(db_url),
        PORTAL_ADMIN_PASSWORD="a-long-and-unguessable-password",
    )
    proc.start()
    assert httpx.get(f"{proc.url}/api/health").status_code == 200
    # production logs are JSON lines
    assert '"event": "portal.started"' in proc.log()
    assert proc.terminate()


def test_migrate_command(db_url: URL, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(PORTAL_BIN), "migrate"],
        env={"PORTAL_DATABASE_URL": url_string(db_url), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    head = head_revision()
    assert head is not None
    assert head in result.stderr
