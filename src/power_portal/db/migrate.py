"""Alembic migrations, applied at start-up and by ``portal migrate``.

Two processes starting at once are serialised by a PostgreSQL advisory lock
held for the whole upgrade, so the second finds the schema already current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from power_portal.db.locks import advisory_session_lock

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works; this one spells "POWRMIGR" in ASCII.
MIGRATION_LOCK_KEY = 0x504F57524D494752


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_head(url: URL) -> None:
    """Bring the database to the newest revision (idempotent, safe in parallel)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, advisory_session_lock(connection, MIGRATION_LOCK_KEY):
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()  # boundary: the migrations, applied as one
    finally:
        engine.dispose()


def current_revision(url: URL) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
