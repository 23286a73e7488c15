"""Session-level advisory locks that serialise start-up work (migrations, the TimescaleDB
bootstrap) across every process sharing a database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


@contextmanager
def advisory_session_lock(connection: Connection, key: int) -> Iterator[None]:
    """Hold the advisory lock ``key`` for the block; whatever the block left open is rolled
    back before the lock is released."""
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    connection.commit()  # boundary: the lock belongs to the session, not to a transaction
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()  # boundary: the unlock is done before the connection goes
