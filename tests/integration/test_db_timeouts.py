"""The timeouts of the app's connections on a real server (``db/engine.py``): a request's
(the connection's defaults) and a long job's (``SET LOCAL`` in ``Database.session()`` and
``transaction()``), and what a statement or lock timeout raises (the app's 503)."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.db.engine import BoundedConnection, Database
from power_portal.settings import FileDatabase
from tests.support.database import psycopg_conninfo

SHOW = (
    "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), "
    "current_setting('idle_in_transaction_session_timeout')"
)


async def _shown(session: AsyncSession) -> tuple[object, ...]:
    return tuple((await session.execute(text(SHOW))).one())


async def _response_timeout(session: AsyncSession) -> float | None:
    raw = await session.connection()
    driver = (await raw.get_raw_connection()).driver_connection
    assert isinstance(driver, BoundedConnection)
    return driver.response_timeout


def test_requests_and_jobs_have_their_own_timeouts(db_url: URL) -> None:
    async def run() -> None:
        database = Database.from_url(
            db_url, FileDatabase(job_statement_timeout_seconds=600, response_timeout_seconds=40)
        )
        try:
            async with database.request_transaction() as request:
                assert await _shown(request) == ("30s", "10s", "1min")
                assert await _response_timeout(request) == 40
            async with database.transaction() as job:
                assert await _shown(job) == ("10min", "0", "0")
                assert await _response_timeout(job) == 610  # its own + the requests' margin
                await job.commit()  # a job's next transaction has them again
                assert await _shown(job) == ("10min", "0", "0")
            # the connection went back with the request's (the pool holds just this one)
            assert database.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
            async with database.request_transaction() as request:
                assert await _shown(request) == ("30s", "10s", "1min")
                assert await _response_timeout(request) == 40
            async with database.session() as bare:
                assert await _shown(bare) == ("10min", "0", "0")  # a bare session is a job's too
        finally:
            await database.dispose()

    asyncio.run(run())


def test_a_slow_statement_and_a_held_lock_fail_fast_as_unavailable(db_url: URL) -> None:
    settings = FileDatabase(statement_timeout_seconds=0.8, lock_timeout_seconds=0.2)

    async def run() -> None:
        database = Database.from_url(db_url, settings)
        try:
            started = time.monotonic()
            with pytest.raises(sa_exc.OperationalError) as slow:
                async with database.request_transaction() as request:
                    await request.execute(text("SELECT pg_sleep(5)"))
            assert isinstance(slow.value.orig, pg_errors.QueryCanceled)
            assert time.monotonic() - started < 3

            with psycopg.connect(**psycopg_conninfo(db_url)) as holder:
                holder.execute("CREATE TABLE app.held (id int)")
                holder.commit()
                holder.execute("LOCK TABLE app.held IN ACCESS EXCLUSIVE MODE")  # held
                started = time.monotonic()
                with pytest.raises(sa_exc.OperationalError) as locked:
                    async with database.request_transaction() as request:
                        await request.execute(text("LOCK TABLE app.held IN SHARE MODE"))
                assert isinstance(locked.value.orig, pg_errors.LockNotAvailable)
                assert time.monotonic() - started < 3
                holder.rollback()
            # a job waits for what it needs (no lock timeout): here, a lock freed at once
            async with database.transaction() as job:
                await job.execute(text("SELECT 1"))
        finally:
            await database.dispose()

    asyncio.run(run())
