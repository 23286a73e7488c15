"""The async engine and session factory the app uses, and how long it waits for the database.

Two timeout profiles (``Timeouts``; the settings are ``PORTAL_DATABASE__*``):

- **requests** (the default of every pooled connection, set when it connects, so a request
  pays no extra round trip): the server cancels a statement after ``statement_timeout``,
  gives up a lock after ``lock_timeout`` and ends a transaction left idle after
  ``idle_in_transaction_session_timeout``; the client gives up a server that does not
  answer at all (frozen, unreachable: no server-side timeout can fire then) after
  ``response`` seconds per answer, closing the connection (psycopg raises
  ``OperationalError``, which the app answers with a 503) so the pool opens a fresh one
  once the server is back;
- **jobs**: ``Database.session()`` and ``Database.transaction()``, the deliberate commit
  boundaries (rollup rebuilds, the alert, report and fleet workers, the gateway writer,
  ingest batches and their COPY, the importer and the demo), lift them with ``SET LOCAL``
  at the start of each transaction: their own statement timeout
  (``job_statement_timeout_seconds``, none by default), no lock or idle timeout, and a
  client-side bound only when they have a statement timeout. A connection goes back to the
  pool with the request profile again (``SET LOCAL`` ends with the transaction; the
  client-side bound is restored on check-in).

Migrations and the TimescaleDB bootstrap use engines of their own (``db/migrate.py``,
``db/timescale.py``) without any of these: they may take as long as they need.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.abc import RV, PQGen
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from power_portal.settings import FileDatabase

CONNECT_TIMEOUT_SECONDS = 5
HEALTH_TIMEOUT_SECONDS = 3.0
_WAIT_INTERVAL = 0.1  # psycopg's own: how often a wait looks up for a cancellation
_JOB_TIMEOUTS_KEY = "portal_job_timeouts"


@dataclass(frozen=True)
class Timeouts:
    """How long a connection waits; seconds, 0 (server side) or None (client side) = none."""

    statement: float
    lock: float
    idle_in_transaction: float
    response: float | None  # client side: the longest wait for any one answer of the server

    def server_settings(self) -> dict[str, str]:
        """The server settings, in milliseconds (PostgreSQL's unit for all three)."""
        return {
            "statement_timeout": _milliseconds(self.statement),
            "lock_timeout": _milliseconds(self.lock),
            "idle_in_transaction_session_timeout": _milliseconds(self.idle_in_transaction),
        }


def _milliseconds(seconds: float) -> str:
    return str(round(seconds * 1000))


def request_timeouts(settings: FileDatabase) -> Timeouts:
    return Timeouts(
        statement=settings.statement_timeout_seconds,
        lock=settings.lock_timeout_seconds,
        idle_in_transaction=settings.idle_in_transaction_timeout_seconds,
        response=settings.response_timeout_seconds,
    )


def job_timeouts(settings: FileDatabase) -> Timeouts:
    """A long job's: its own statement timeout (none by default), no lock or idle timeout;
    the client-side bound keeps the requests' margin over the statement timeout, and there
    is none when the statement timeout is none (a frozen server makes the job wait)."""
    statement = settings.job_statement_timeout_seconds
    margin = max(settings.response_timeout_seconds - settings.statement_timeout_seconds, 1.0)
    return Timeouts(
        statement=statement,
        lock=0,
        idle_in_transaction=0,
        response=statement + margin if statement > 0 else None,
    )


def startup_options(timeouts: Timeouts) -> str:
    """libpq's ``options``: every connection's defaults (and timestamps in UTC)."""
    settings = {"timezone": "UTC", **timeouts.server_settings()}
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def set_local_sql(timeouts: Timeouts) -> str:
    """One statement that sets the server-side timeouts for the current transaction."""
    settings = timeouts.server_settings()
    return "SELECT " + ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in settings.items()
    )


# A bound tighter than the connection's own, for the current task (the health check's).
_bound_override: ContextVar[float | None] = ContextVar("portal_db_bound", default=None)


class DatabaseNotAnswering(psycopg.OperationalError):
    """The server sent no answer within the client-side bound; the connection is closed."""


class BoundedConnection(psycopg.AsyncConnection[Any]):
    """psycopg's connection, waiting at most ``response_timeout`` seconds for any one answer.

    psycopg waits without a limit for a server that accepted a query; a frozen server never
    answers and no server-side timeout fires. Past the bound the connection is closed (its
    state is unknown) and ``DatabaseNotAnswering`` raised: SQLAlchemy sees a closed
    connection and invalidates it, the pool connects afresh on the next checkout.
    """

    response_timeout: float | None = None

    async def wait(
        self,
        gen: PQGen[RV],
        interval: float = _WAIT_INTERVAL,
        timeout: float | None = None,  # noqa: ASYNC109 - psycopg's signature, overridden
    ) -> RV:
        bound = timeout if timeout is not None else _effective_bound(self.response_timeout)
        try:
            return await super().wait(gen, interval, bound)
        except pg_errors._WaitTimeout:  # psycopg's own "wait expired" (an OperationalError)
            if timeout is not None:
                raise  # a caller's own deadline (psycopg's cancel, notifies): theirs to handle
            self.pgconn.finish()
            raise DatabaseNotAnswering(
                f"the database sent no answer within {bound:g} s: connection closed"
            ) from None


def _effective_bound(own: float | None) -> float | None:
    override = _bound_override.get()
    if override is None:
        return own
    return override if own is None else min(own, override)


def _connector(response_timeout: float | None) -> Any:
    async def connect(*args: Any, **kwargs: Any) -> BoundedConnection:
        conn = await BoundedConnection.connect(*args, **kwargs)
        conn.response_timeout = response_timeout
        return conn

    return connect


def make_engine(
    url: URL,
    *,
    pool_size: int = 10,
    timeouts: Timeouts | None = None,
    connect_timeout: int = CONNECT_TIMEOUT_SECONDS,
) -> AsyncEngine:
    timeouts = timeouts or request_timeouts(FileDatabase())
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        # waiting for a free connection: as long as for an answer
        pool_timeout=timeouts.response or 30.0,
        connect_args={
            "connect_timeout": connect_timeout,
            "application_name": "power-portal",
            # Every timestamp in and out of the database is UTC; local time is the app's job.
            "options": startup_options(timeouts),
            "async_creator_fn": _connector(timeouts.response),
        },
    )
    event.listen(engine.sync_engine, "commit", _note_commit)

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _restore_bound(dbapi_connection: Any, _record: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if isinstance(driver, BoundedConnection):
            driver.response_timeout = timeouts.response

    return engine


class _JobSession(Session):
    """A session of a long job: its transactions start with the job's timeouts."""


@event.listens_for(_JobSession, "after_begin")
def _apply_job_timeouts(
    session: Session, _transaction: SessionTransaction, connection: Connection
) -> None:
    timeouts: Timeouts | None = session.info.get(_JOB_TIMEOUTS_KEY)
    if timeouts is None:
        return
    driver = connection.connection.driver_connection
    if isinstance(driver, BoundedConnection):
        driver.response_timeout = timeouts.response
    connection.exec_driver_sql(set_local_sql(timeouts))


# ---------------------------------------------------------------- commits of one request


@dataclass
class CommitWatch:
    """Whether any transaction on the app's engines committed (or began to) while watched."""

    committed: bool = False


_commit_watch: ContextVar[CommitWatch | None] = ContextVar("portal_commit_watch", default=None)


@contextmanager
def watching_commits() -> Iterator[CommitWatch]:
    """Watch the commits of the current task (a request: the replay middleware asks)."""
    watch = CommitWatch()
    token = _commit_watch.set(watch)
    try:
        yield watch
    finally:
        _commit_watch.reset(token)


def _note_commit(_connection: object) -> None:
    """SQLAlchemy's ``commit`` event, fired before the COMMIT goes out: a commit that then
    fails counts too (its outcome may be unknown)."""
    watch = _commit_watch.get()
    if watch is not None:
        watch.committed = True


# ---------------------------------------------------------------- the database


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]  # the jobs' (``session``, ``transaction``)
    request_sessionmaker: async_sessionmaker[AsyncSession]  # the requests' unit of work

    @classmethod
    def from_url(cls, url: URL, settings: FileDatabase | None = None) -> Database:
        settings = settings or FileDatabase()
        engine = make_engine(
            url,
            timeouts=request_timeouts(settings),
            connect_timeout=settings.connect_timeout_seconds,
        )
        jobs = async_sessionmaker(
            engine,
            expire_on_commit=False,
            sync_session_class=_JobSession,
            info={_JOB_TIMEOUTS_KEY: job_timeouts(settings)},
        )
        return cls(engine, jobs, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A bare session: whoever opens it decides when to commit (a deliberate boundary).

        A long job's: the job's timeouts, not the request's."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends without error, rolls back otherwise.

        A long job's: the job's timeouts, not the request's."""
        async with self.sessionmaker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()  # boundary: the unit of work itself

    @asynccontextmanager
    async def request_transaction(self) -> AsyncIterator[AsyncSession]:
        """A request's unit of work (``core/deps.py``): like ``transaction``, with the
        request's timeouts (the connection's own: no extra round trip)."""
        async with self.request_sessionmaker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()  # boundary: the request's unit of work

    async def ping(self) -> bool:
        """True when a trivial query answers within the health timeout."""
        token = _bound_override.set(HEALTH_TIMEOUT_SECONDS)
        try:
            # the bound closes a connection that does not answer; the outer timeout only
            # guards the connect (psycopg's connect_timeout) and anything else left
            async with asyncio.timeout(2 * HEALTH_TIMEOUT_SECONDS), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "unavailable"; the reason is logged by callers
            return False
        finally:
            _bound_override.reset(token)
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
