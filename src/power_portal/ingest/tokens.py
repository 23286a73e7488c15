"""Device tokens on the ingest hot path: an in-process cache, and the strict check at commit.

- ``TokenCache``: token digest → device id, so a known token costs no database round trip
  before its batch is queued. Filled on a miss from the database; an entry goes when a
  ``NOTIFY portal_device_tokens`` names its digest (migration 0019's trigger sends one
  whenever a token is revoked, changed or deleted, a device's deletion included, in the
  same transaction). It is used only while its listener is connected: when the LISTEN
  connection drops the cache is emptied and bypassed (every request looks its token up)
  until the listener is back.
- ``live_digests``: the strict check, in the transaction that stores the batches. It
  takes a share lock on each live token row, so a revocation committed before the check
  refuses the batch, and one that comes after it waits for the batch's commit: a batch is
  never stored after its token's revocation was committed, whatever the cache said.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Collection
from dataclasses import dataclass, field

import psycopg
import structlog
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "portal_device_tokens"
MAX_ENTRIES = 100_000
TOUCH_INTERVAL_SECONDS = 60.0  # like sites.service.TOKEN_TOUCH_INTERVAL
POLL_SECONDS = 5.0
RECONNECT_MAX_SECONDS = 30.0

# Share locks in id order (never a deadlock with another group: shared locks do not
# conflict, and a revocation or a touch holds no other lock a group waits for).
_LIVE_SQL = text("""
    SELECT token_sha256 FROM app.device_tokens
    WHERE token_sha256 = ANY(:digests) AND revoked_at IS NULL
    ORDER BY id FOR SHARE
""")
# last_used_at of live tokens, when over a minute old; row locks taken in id order.
_TOUCH_SQL = text("""
    UPDATE app.device_tokens SET last_used_at = now()
    WHERE id IN (
        SELECT id FROM app.device_tokens
        WHERE token_sha256 = ANY(:digests) AND revoked_at IS NULL
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
        ORDER BY id FOR UPDATE
    )
""")


async def live_digests(db: AsyncSession, digests: Collection[str]) -> set[str]:
    """Which of these token digests are live, share-locked until the transaction ends."""
    if not digests:
        return set()
    rows = await db.execute(_LIVE_SQL, {"digests": sorted(set(digests))})
    return {str(digest) for digest in rows.scalars()}


async def touch(db: AsyncSession, digests: Collection[str]) -> None:
    """Note the tokens' use (``last_used_at``) where the stored one is over a minute old."""
    if digests:
        await db.execute(_TOUCH_SQL, {"digests": sorted(set(digests))})


@dataclass
class _Entry:
    device_id: int
    touched_at: float  # monotonic: when this process last noted the token's use


@dataclass
class TokenCache:
    """Token digest → device id, valid only while ``listening`` (see the module's doc)."""

    listening: bool = False
    generation: int = 0  # bumped by every invalidation: a lookup begun before one is not kept
    entries: dict[str, _Entry] = field(default_factory=dict)

    def device(self, digest: str) -> int | None:
        if not self.listening:
            return None
        entry = self.entries.get(digest)
        return None if entry is None else entry.device_id

    def put(self, digest: str, device_id: int, generation: int) -> None:
        """Keep a lookup's answer, unless an invalidation came since it began."""
        if not self.listening or generation != self.generation:
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[digest] = _Entry(device_id, time.monotonic())

    def forget(self, digest: str) -> None:
        self.generation += 1
        self.entries.pop(digest, None)

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()

    def connected(self) -> None:
        self.clear()
        self.listening = True

    def disconnected(self) -> None:
        self.listening = False
        self.clear()

    def due_for_touch(self, digests: Collection[str], now: float | None = None) -> list[str]:
        """The cached tokens whose use this process has not noted for a minute; marks them."""
        moment = time.monotonic() if now is None else now
        due = []
        for digest in set(digests):
            entry = self.entries.get(digest)
            if entry is not None and moment - entry.touched_at >= TOUCH_INTERVAL_SECONDS:
                entry.touched_at = moment
                due.append(digest)
        return due


class TokenListener:
    """Keeps a ``TokenCache`` in step with the database (LISTEN, reconnecting for ever)."""

    def __init__(self, cache: TokenCache, url: URL) -> None:
        self.cache = cache
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.ready = asyncio.Event()  # set while listening (tests wait for it)

    async def run(self) -> None:
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.cache.connected()
                    self.ready.set()
                    delay = 1.0
                    while True:
                        async for notice in conn.notifies(timeout=POLL_SECONDS):
                            self.cache.forget(notice.payload)
                        await conn.execute("SELECT 1")  # a dead connection fails here
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: bypass the cache, retry
                log.warning("ingest.token_listener_error", error=type(exc).__name__)
            finally:
                self.ready.clear()
                self.cache.disconnected()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)


async def stop_task(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
