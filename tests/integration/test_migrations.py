"""Migrations on a real PostgreSQL: schemas exist, re-running and racing are harmless."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import current_revision, head_revision, upgrade_to_head
from tests.support.database import psycopg_conninfo

EXPECTED_SCHEMAS = {"identity", "app", "monitoring", "fleet"}


@pytest.fixture
def empty_db(pg_server: EmbeddedPostgres) -> Iterator[URL]:
    """A database with no migrations applied."""
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin = psycopg_conninfo(pg_server.url_for("postgres"))
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield pg_server.url_for(name)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def schemas_in(url: URL) -> set[str]:
    with psycopg.connect(**psycopg_conninfo(url)) as conn:
        rows = conn.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    return {row[0] for row in rows}


def test_upgrade_creates_the_schemas(empty_db: URL) -> None:
    assert not EXPECTED_SCHEMAS & schemas_in(empty_db)
    assert current_revision(empty_db) is None
    upgrade_to_head(empty_db)
    assert schemas_in(empty_db) >= EXPECTED_SCHEMAS
    assert current_revision(empty_db) == head_revision()


def test_upgrade_twice_is_harmless(empty_db: URL) -> None:
    upgrade_to_head(empty_db)
    upgrade_to_head(empty_db)
    assert current_revision(empty_db) == head_revision()


def test_concurrent_upgrades_are_serialised(empty_db: URL) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade_to_head(empty_db)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert current_revision(empty_db) == head_revision()
    with psycopg.connect(**psycopg_conninfo(empty_db)) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(head_revision(),)]


def test_test_databases_are_copies_of_the_migrated_template(db_url: URL) -> None:
    assert schemas_in(db_url) >= EXPECTED_SCHEMAS
    assert current_revision(db_url) == head_revision()


@pytest.mark.filterwarnings("ignore:Did not recognize type .xid8.")
def test_models_and_migrations_agree(db_url: URL) -> None:
    """A model changed without a migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from power_portal.registry import metadata

    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_schemas": True, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_the_registry_alone_knows_every_table() -> None:
    """Alembic sees only what registry.py imports: it must name every domain's models."""
    import subprocess
    import sys

    import power_portal.app  # noqa: F401 - imports every router, hence every model
    from power_portal.db.models import metadata

    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from power_portal.registry import metadata; print(*sorted(metadata.tables))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed == sorted(metadata.tables)
