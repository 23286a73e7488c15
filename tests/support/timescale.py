"""Real TimescaleDB for the tests marked ``timescale``: a server, fresh migrated databases.

The server is the embedded PostgreSQL with TimescaleDB preloaded (its own temp dir),
when ``make timescale`` installed the extension into ``.venv``'s PostgreSQL; or any
TimescaleDB server named by ``TIMESCALE_TEST_URL`` (a superuser's URL, e.g. the
official ``timescale/timescaledb:2.23.0-pg18`` image in Docker; TESTING.md). Without
either, the fixtures skip with one line saying how to get it.

- ``timescale_server`` (session): the server.
- ``make_timescale_database`` / ``timescale_db_url``: a fresh database per test, copied
  from a template migrated once (like ``db_url``); the bootstrap has not run on it yet.
  ``make_timescale_database(owner=PORTAL_ROLE)`` makes one like production's instead:
  owned by the non-superuser ``portal`` role, the extension created by the superuser,
  migrated by ``portal``; the URL connects as ``portal``.
- ``timescale_settings(url, mode, data_dir)``: ``Settings`` for a portal on it.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres, timescale_installed
from power_portal.db.migrate import upgrade_to_head
from power_portal.db.target import normalise_url
from power_portal.settings import RunMode, Settings
from tests.support.database import psycopg_conninfo, url_string
from tests.support.portal import ADMIN_PASSWORD

EXTERNAL_URL_VARIABLE = "TIMESCALE_TEST_URL"
TEMPLATE = "portal_timescale_template"
PORTAL_ROLE = "portal"
PORTAL_ROLE_PASSWORD = "portal-test-password"  # for a server that checks passwords
SKIP_REASON = (
    "TimescaleDB is not installed in .venv's PostgreSQL: run `make timescale` "
    f"(or set {EXTERNAL_URL_VARIABLE}; TESTING.md)"
)

__all__ = [
    "PORTAL_ROLE",
    "TimescaleServer",
    "make_timescale_database",
    "timescale_available",
    "timescale_db_url",
    "timescale_installed",
    "timescale_server",
    "timescale_settings",
    "timescale_summary",
]


def timescale_available() -> bool:
    """Whether the ``timescale`` tests can run here (installed, or an external server)."""
    return bool(os.environ.get(EXTERNAL_URL_VARIABLE)) or timescale_installed()


@dataclass
class TimescaleServer:
    """A PostgreSQL server with TimescaleDB preloaded, reached as its superuser."""

    superuser_url: URL  # to the maintenance database

    def url_for(self, database: str, *, role: str | None = None) -> URL:
        url = self.superuser_url.set(database=database)
        if role is not None:
            url = url.set(username=role, password=PORTAL_ROLE_PASSWORD)
        return url

    def execute(self, statement: pgsql.Composed | str, database: str | None = None) -> None:
        url = self.superuser_url if database is None else self.url_for(database)
        with psycopg.connect(**psycopg_conninfo(url), autocommit=True) as conn:
            conn.execute(statement)


@pytest.fixture(scope="session")
def timescale_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimescaleServer]:
    external = os.environ.get(EXTERNAL_URL_VARIABLE)
    if external:
        yield TimescaleServer(normalise_url(external, setting=EXTERNAL_URL_VARIABLE))
        return
    if not timescale_installed():
        pytest.skip(SKIP_REASON)
    embedded = EmbeddedPostgres(
        tmp_path_factory.mktemp("tsdb"), database="postgres", timescale=True
    )
    embedded.start()
    try:
        yield TimescaleServer(embedded.url_for("postgres"))
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
def _timescale_template(timescale_server: TimescaleServer) -> str:
    """Migrated once, without the extension; closed to connections so that nothing
    (TimescaleDB's scheduler included) holds it while a test copies it."""
    server = timescale_server
    server.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(TEMPLATE)))
    server.execute(pgsql.SQL("CREATE DATABASE {}").format(_ident(TEMPLATE)))
    upgrade_to_head(server.url_for(TEMPLATE))
    server.execute(
        pgsql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(_ident(TEMPLATE))
    )
    return TEMPLATE


@pytest.fixture
def make_timescale_database(
    timescale_server: TimescaleServer, _timescale_template: str
) -> Iterator[Callable[..., URL]]:
    """Factory: a fresh migrated database on the TimescaleDB server, dropped afterwards."""
    server = timescale_server
    made: list[str] = []

    def make(*, owner: str | None = None) -> URL:
        name = f"tsdb_{uuid.uuid4().hex[:12]}"
        made.append(name)
        if owner is None:
            server.execute(
                pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    _ident(name), _ident(_timescale_template)
                )
            )
            return server.url_for(name)
        _ensure_role(server, owner)
        server.execute(pgsql.SQL("CREATE DATABASE {} OWNER {}").format(_ident(name), _ident(owner)))
        # as deploy/postgres/10-portal-roles.sh: the superuser creates the extension,
        # the portal role owns everything else
        server.execute(
            pgsql.SQL(
                "ALTER SCHEMA public OWNER TO {owner}; "
                "REVOKE ALL ON SCHEMA public FROM PUBLIC; "
                "CREATE EXTENSION IF NOT EXISTS timescaledb"
            ).format(owner=_ident(owner)),
            database=name,
        )
        url = server.url_for(name, role=owner)
        upgrade_to_head(url)
        return url

    yield make
    for name in made:
        server.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(name)))


@pytest.fixture
def timescale_db_url(make_timescale_database: Callable[..., URL]) -> URL:
    """A fresh, fully migrated database on TimescaleDB for this test alone (not bootstrapped)."""
    return make_timescale_database()


def timescale_settings(url: URL, mode: RunMode, data_dir: Path, **overrides: object) -> Settings:
    """Settings for a portal in ``mode`` on ``url`` (the bootstrap runs at its start-up)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "database_url": url_string(url),
        "run_mode": mode,
        "data_dir": data_dir,
        "admin_password": ADMIN_PASSWORD,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _ensure_role(server: TimescaleServer, role: str) -> None:
    with psycopg.connect(**psycopg_conninfo(server.superuser_url), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            return
        conn.execute(
            pgsql.SQL(
                "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE"
            ).format(_ident(role), pgsql.Literal(PORTAL_ROLE_PASSWORD))
        )


def _ident(name: str) -> pgsql.Identifier:
    return pgsql.Identifier(name)


def timescale_summary(reporter: pytest.TerminalReporter) -> None:
    """One line at the end of the run: how many ``timescale`` tests ran for real (CI's log)."""
    outcomes: dict[str, str] = {}
    for outcome in ("failed", "error", "passed", "skipped"):
        for report in reporter.stats.get(outcome, []):
            if isinstance(report, pytest.TestReport) and "timescale" in report.keywords:
                outcomes.setdefault(report.nodeid, outcome)
    if outcomes:
        counts = Counter(outcomes.values())
        reporter.write_line(
            "timescale tests (real TimescaleDB): "
            + ", ".join(f"{counts[o]} {o}" for o in ("passed", "failed", "error", "skipped"))
        )
