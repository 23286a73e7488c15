"""The push pages by the storing transaction's id (``xid8``), as a number.

Selecting the xid as text under its own column name once made ``ORDER BY ingest_xid``
sort by that text: a batch after transaction 9,999 began with transaction 10,000
('10000' < '9999'), the cursor moved past 9,999 and its rows were never pushed. This
runs the push across such a boundary on a cluster of its own (transaction ids are
cluster-wide; a fresh cluster is a few thousand ids below the next power of ten).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.engine import Database
from power_portal.db.migrate import upgrade_to_head
from power_portal.fleet.push import FleetPusher
from power_portal.settings import FleetSettings
from tests.integration.test_fleet import add_customer, make_meter, start_admin
from tests.support.database import psycopg_conninfo, sql, url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, PortalProcess, login_client

pytestmark = pytest.mark.slow

T0 = datetime(2026, 9, 1, 8, tzinfo=UTC)
# the numbers of transactions a fresh cluster's background work may take meanwhile
MARGIN = 50


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[URL]:
    server = EmbeddedPostgres(tmp_path / "pg", database="client")
    url = server.start()
    try:
        upgrade_to_head(url)
        yield url
    finally:
        server.stop()


def current_xid(conn: psycopg.Connection[tuple[int]]) -> int:
    row = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
    assert row is not None
    return row[0]


def burn_until(conn: psycopg.Connection[tuple[int]], xid: int) -> None:
    """Use up transaction ids (one per autocommitted statement) until ``xid`` is next."""
    while current_xid(conn) < xid - 1:
        pass


def store_row(conn: psycopg.Connection[tuple[int]], device_id: int, moment: datetime) -> int:
    """One reading in a transaction of its own; that transaction's id."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO monitoring.power_measurements (device_id, time, power_kw) "
            "VALUES (%s, %s, 1)",
            (device_id, moment),
        )
        return current_xid(conn)


def test_rows_on_both_sides_of_a_power_of_ten_of_transaction_ids_are_all_pushed(
    portal_process: Callable[..., PortalProcess],
    make_database: Callable[[], URL],
    own_cluster: URL,
) -> None:
    admin_db = make_database()
    admin = start_admin(portal_process, admin_db)
    token = add_customer(admin_db, "acme")
    client = portal_process(
        PORTAL_DATABASE_URL=url_string(own_cluster),
        PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PORTAL_RUN_MODE="standalone",  # no background push: the pusher below is the only one
    )
    client.start()
    _, device_id, _ = make_meter(login_client(client.url, ADMIN_EMAIL, ADMIN_PASSWORD))

    with psycopg.connect(**psycopg_conninfo(own_cluster), autocommit=True) as conn:
        boundary = 10 ** len(str(current_xid(conn) + MARGIN))
        burn_until(conn, boundary - MARGIN)
        older = store_row(conn, device_id, T0)
        burn_until(conn, boundary)
        newer = store_row(conn, device_id, T0 + timedelta(minutes=1))
    # the premise: as numbers the older comes first, as text the newer does
    assert older < boundary <= newer, (older, boundary, newer)
    assert str(newer) < str(older)

    async def push_one_row_at_a_time() -> bool:
        settings = FleetSettings(
            enabled=True,
            admin_url=admin.url,
            customer_token=SecretStr(token),
            batch_size=1,
            max_batches_per_tick=10,
        )
        database = Database.from_url(own_cluster)
        pusher = FleetPusher(database, settings)
        try:
            return await pusher.tick()
        finally:
            await pusher.close()
            await database.dispose()

    assert asyncio.run(push_one_row_at_a_time())
    pushed = sql(admin_db, "SELECT time FROM fleet.power_measurements ORDER BY time")
    assert [moment for (moment,) in pushed] == [T0, T0 + timedelta(minutes=1)]
