"""Group commit: concurrent small batches stored in one transaction, each answered after it.

A request with a small batch (``SMALL_BATCH_ROWS`` rows or fewer) is parsed and checked as
before (400/422 before anything is queued), then queued here with its device and token
digest, and waits. One task per process (``GroupCommitter.run``) takes what is queued (up
to ``MAX_GROUP_ROWS`` rows / ``MAX_GROUP_BATCHES`` batches, ``take_group``) and, in one
transaction on one pooled connection:

1. takes the devices' ingest locks, in ascending id order (no deadlocks);
2. checks every batch's token is still live, share-locking it (``tokens.live_digests``):
   a batch whose token was revoked is left out and answered 401;
3. stores the others (``measurements.ingest.store_group``: one COPY, one
   ``INSERT … ON CONFLICT DO NOTHING``, one ``registers_seen`` update, one rollup-log
   write for every device of the group);
4. commits, then answers each request with its own counts.

A client is told "stored" only after the commit that stored its rows. When the group's
transaction fails, no request of it is answered 200: each batch is tried again alone, and
one that fails alone gets the error (503 when the database is away).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import psycopg
import structlog
from sqlalchemy import exc as sa_exc

from power_portal.core.errors import PortalError
from power_portal.db.engine import CONNECT_TIMEOUT_SECONDS, Database
from power_portal.ingest import tokens
from power_portal.ingest.group_store import GroupBatch, store_group
from power_portal.measurements.ingest import IngestResult
from power_portal.measurements.parsing import Row

log = structlog.get_logger(__name__)

SMALL_BATCH_ROWS = 100
MAX_GROUP_ROWS = 4000
MAX_GROUP_BATCHES = 1000


class RevokedTokenError(PortalError):
    """The batch's token was revoked before its group was stored (401)."""

    status_code = 401


@dataclass(eq=False)
class Pending:
    """A queued batch and the request waiting for it."""

    device_id: int
    digest: str
    rows: list[Row]
    future: asyncio.Future[IngestResult] = field(repr=False)


def take_group(
    queue: deque[Pending], max_rows: int = MAX_GROUP_ROWS, max_batches: int = MAX_GROUP_BATCHES
) -> list[Pending]:
    """The next group, in arrival order: at least one batch, then more while the group stays
    within ``max_rows`` rows and ``max_batches`` batches. Taken off ``queue``."""
    group: list[Pending] = []
    rows = 0
    while queue and len(group) < max_batches:
        size = len(queue[0].rows)
        if group and rows + size > max_rows:
            break
        group.append(queue.popleft())
        rows += size
    return group


def database_unavailable(exc: BaseException) -> bool:
    """The database is away (each batch alone would fail the same way): a 503 for all."""
    if isinstance(exc, psycopg.OperationalError | sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and (
        exc.connection_invalidated or isinstance(exc.orig, psycopg.OperationalError)
    )


def _resolve(pending: Pending, result: IngestResult | BaseException) -> None:
    if pending.future.done():  # the request went away
        return
    if isinstance(result, BaseException):
        pending.future.set_exception(result)
    else:
        pending.future.set_result(result)


class GroupCommitter:
    """The per-process queue of small batches and the task that stores them in groups."""

    def __init__(self, database: Database, cache: tokens.TokenCache) -> None:
        self.database = database
        self.cache = cache
        self.queue: deque[Pending] = deque()
        self.wake = asyncio.Event()
        self.groups = 0  # transactions committed (tests and logs)
        self.conninfo = database.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def submit(self, device_id: int, digest: str, rows: list[Row]) -> IngestResult:
        """Queue a validated batch; its counts once the group holding it has committed."""
        future: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        self.queue.append(Pending(device_id, digest, rows, future))
        self.wake.set()
        return await future

    async def run(self) -> None:
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.queue:
                    await self.commit_group(take_group(self.queue))
        finally:
            error = RuntimeError("the portal is shutting down")
            while self.queue:
                _resolve(self.queue.popleft(), error)
            await self._close()

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        """The committer's own connection (opened again after a failure)."""
        if self.conn is None or self.conn.closed:
            self.conn = await psycopg.AsyncConnection.connect(
                self.conninfo,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="power-portal-ingest",
                options="-c timezone=UTC",
            )
        return self.conn

    async def _close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.close()
            self.conn = None

    async def commit_group(self, group: list[Pending]) -> None:
        reused = self.conn is not None and not self.conn.closed
        try:
            try:
                kept, refused = await self._store(group)
            except Exception as exc:
                await self._close()  # a failed connection is not used again
                if not (reused and database_unavailable(exc)):
                    raise
                # an idle connection the server dropped: once more on a new one (a commit
                # whose outcome was lost only turns its rows into duplicates)
                kept, refused = await self._store(group)
        except Exception as exc:
            await self._close()
            if len(group) == 1 or database_unavailable(exc):
                log.warning("ingest.group_failed", batches=len(group), error=type(exc).__name__)
                for pending in group:
                    _resolve(pending, exc)
                return
            log.warning("ingest.group_failed", batches=len(group), error=type(exc).__name__)
            for pending in group:  # each alone: one bad batch cannot fail the others
                await self.commit_group([pending])
            return
        self.groups += 1
        for pending in refused:
            self.cache.forget(pending.digest)
            _resolve(pending, RevokedTokenError("unknown or revoked device token"))
        await self._touch([p.digest for p in kept])

    async def _store(self, group: list[Pending]) -> tuple[list[Pending], list[Pending]]:
        """One transaction for the group (``group_store.store_group`` commits); then each
        request is answered: its counts, or 401 when its token was revoked."""
        conn = await self._connection()
        done = await store_group(conn, [GroupBatch(p.device_id, p.digest, p.rows) for p in group])
        kept: list[Pending] = []
        refused: list[Pending] = []
        for pending, result in zip(group, done.results, strict=True):
            if result is None:
                refused.append(pending)
            else:
                kept.append(pending)
                _resolve(pending, result)
        log.debug(
            "ingest.group",
            batches=len(group),
            refused=len(refused),
            rows=sum(len(p.rows) for p in group),
            accepted=sum(r.accepted for r in done.results if r is not None),
        )
        return kept, refused

    async def _touch(self, digests: list[str]) -> None:
        due = self.cache.due_for_touch(digests)
        if not due:
            return
        try:
            async with self.database.session() as db:
                await tokens.touch(db, due)
                await db.commit()  # boundary: a token's use noted, after its batches' commit
        except Exception as exc:  # only a note: never holds up the next group
            log.warning("ingest.token_touch_failed", error=type(exc).__name__)


@dataclass
class IngestRuntime:
    """What the ingest routes share in one process: the token cache and the committer."""

    cache: tokens.TokenCache
    committer: GroupCommitter
    listener: tokens.TokenListener
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def start_ingest(database: Database) -> IngestRuntime:
    cache = tokens.TokenCache()
    runtime = IngestRuntime(
        cache,
        GroupCommitter(database, cache),
        tokens.TokenListener(cache, database.engine.url),
    )
    runtime.tasks = [
        asyncio.create_task(runtime.listener.run(), name="ingest-token-listener"),
        asyncio.create_task(runtime.committer.run(), name="ingest-group-commit"),
    ]
    return runtime


async def stop_ingest(runtime: IngestRuntime) -> None:
    for task in runtime.tasks:
        task.cancel()
    for task in runtime.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
