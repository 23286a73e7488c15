"""Test helpers that reach the test database directly, outside the app (set-up and checks)."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from sqlalchemy.engine import URL

TEMPLATE_DB = "portal_template"


def url_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def psycopg_conninfo(url: URL) -> dict[str, Any]:
    """Keyword arguments for psycopg.connect from a SQLAlchemy URL."""
    args: dict[str, Any] = {"dbname": url.database, "user": url.username}
    if url.password:
        args["password"] = url.password
    host = url.host or url.query.get("host")
    if host:
        args["host"] = host
    if url.port:
        args["port"] = url.port
    return args


def sql(db_url: URL, statement: str, *params: object) -> list[tuple[object, ...]]:
    """Run one statement on a test database, outside the app (for set-up and checks)."""
    with psycopg.connect(**psycopg_conninfo(db_url), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


PENDING_ROLLUPS = (
    "SELECT (SELECT count(*) FROM monitoring.rollup_pending)"
    " + (SELECT count(*) FROM fleet.rollup_pending)"
)


def wait_for_rollups(db_url: URL, timeout: float = 15) -> None:
    """Until a running portal's rollup workers have drained the rollup logs (its own and, on
    the admin stack, the fleet's)."""
    deadline = time.monotonic() + timeout
    while sql(db_url, PENDING_ROLLUPS) != [(0,)]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"rollup log not drained within {timeout} s")
        time.sleep(0.05)
