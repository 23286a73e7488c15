"""The migration stairway: every revision, one at a time, on a database full of data.

On plain PostgreSQL and on TimescaleDB with compressed chunks; the steps, rows and checks
are in ``tests/support/stairway.py``. A new migration is covered by adding rows for its
new tables to ``Dataset.seeds`` (the stairway fails naming any table without them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from power_portal.db import timescale
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import current_revision, head_revision
from power_portal.db.timescale import TimescaleStatus
from power_portal.settings import RunMode
from tests.support.database import sql
from tests.support.stairway import (
    Dataset,
    KnownGap,
    StepReport,
    check_through_the_app,
    climb,
    connect,
    differences,
    down_and_up,
    empty_database,
    fingerprints,
    has_downgrade,
    revisions,
    shape,
    unseeded,
)
from tests.support.timescale import TimescaleServer, timescale_settings

KNOWN_GAPS: dict[str, KnownGap] = {
    "0004_tariffs": KnownGap(
        reason=(
            "the downgrade drops app.tariffs but leaves app.sites.tariff_id pointing at the "
            "dropped rows, so upgrading again fails adding fk_sites_tariff_id_tariffs"
        ),
        error="fk_sites_tariff_id_tariffs",
        repair="UPDATE app.sites SET tariff_id = NULL WHERE tariff_id IS NOT NULL",
    ),
}


@pytest.fixture
def empty_db(pg_server: EmbeddedPostgres) -> Iterator[URL]:
    with empty_database(pg_server.url_for("postgres")) as url:
        yield url


@pytest.fixture
def empty_timescale_db(timescale_server: TimescaleServer) -> Iterator[URL]:
    """As production's: the extension created by the superuser before any migration."""
    with empty_database(timescale_server.superuser_url) as url:
        sql(url, "CREATE EXTENSION IF NOT EXISTS timescaledb")
        yield url


def climb_to_head(url: URL, dataset: Dataset) -> list[StepReport]:
    """The stairway, then: at head, every table of the database has rows."""
    reports = climb(url, dataset, known_gaps=KNOWN_GAPS)
    assert [r.revision for r in reports] == [s.revision for s in revisions()]
    assert current_revision(url) == head_revision()
    with connect(url) as conn:
        assert unseeded(conn, dataset) == [], "tables the stairway has no rows for"
        at_head = fingerprints(conn, shape(conn))
    assert [table for table, fp in at_head.items() if fp.rows == 0] == []
    return reports


def test_every_revision_keeps_the_data(empty_db: URL, tmp_path: Path) -> None:
    dataset = Dataset()
    reports = climb_to_head(empty_db, dataset)
    # every revision so far has a downgrade, and each was taken down and up again
    assert [r.revision for r in reports if not r.down_and_up] == []
    check_through_the_app(empty_db, dataset, tmp_path / "data")


@pytest.mark.timescale
def test_every_revision_keeps_the_data_on_timescaledb_with_compressed_chunks(
    empty_timescale_db: URL, tmp_path: Path
) -> None:
    url = empty_timescale_db
    dataset = Dataset()
    reports = climb_to_head(url, dataset)

    report = timescale.bootstrap(url, timescale_settings(url, RunMode.STANDALONE, tmp_path / "ts"))
    assert report.status is TimescaleStatus.ENABLED, report.detail
    assert report.compression
    with connect(url) as conn:
        before = fingerprints(conn, shape(conn))
        conn.execute(
            "SELECT compress_chunk(c, if_not_compressed => true) "
            "FROM show_chunks('monitoring.power_measurements') c"
        )
        compressed = conn.execute(
            "SELECT count(*) FROM timescaledb_information.chunks "
            "WHERE hypertable_schema = 'monitoring' AND hypertable_name = 'power_measurements' "
            "AND is_compressed"
        ).fetchone()
        assert differences(before, fingerprints(conn, shape(conn))) == []
    assert compressed is not None
    assert compressed[0] >= 2, "the two devices' readings lie in two weeks: two chunks"

    last = revisions()[-1]
    if has_downgrade(last):
        down_and_up(url, dataset, last, reports[-1].below, KNOWN_GAPS.get(last.revision))
    check_through_the_app(url, dataset, tmp_path / "data")
