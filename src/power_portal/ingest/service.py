"""An ingest request's work: the device behind a token, then its body parsed and stored.

A token is looked up in this process's cache (``tokens.TokenCache``) and, on a miss, in the
database, where its use is recorded (committed even when its batch is then refused). The body
is parsed and checked whole (400/422 before anything is stored). Then:

- a small batch (``group_commit.SMALL_BATCH_ROWS`` rows or fewer) is queued for the group
  commit and answered after the transaction that stored it with others committed;
- a larger one is stored in a transaction of its own (``store_batch``), after the same
  strict check of its token (share-locked until the commit).

Either way the token is checked in the transaction that stores the rows: a batch is never
stored after its token's revocation was committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import PortalError
from power_portal.core.tokens import token_digest
from power_portal.db.engine import Database
from power_portal.ingest import tokens
from power_portal.ingest.group_commit import SMALL_BATCH_ROWS, IngestRuntime, RevokedTokenError
from power_portal.measurements.ingest import IngestResult, store_batch
from power_portal.measurements.parsing import (
    InvalidRowsError,
    MalformedBodyError,
    Row,
    parse_csv,
    parse_json,
)
from power_portal.sites import service as sites_service

JSON = "application/json"
CSV = "text/csv"
CONTENT_TYPES = (JSON, CSV)


class MalformedBatchError(PortalError):
    """The body is not JSON or CSV of the expected shape (400)."""


class InvalidBatchError(PortalError):
    """The batch breaks the rules (422): a message, or every problem with its row and field."""

    status_code = 422

    def __init__(self, detail: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems

    def detail_body(self) -> object:
        return self.problems if self.problems is not None else self.detail


async def device_for_token(db: AsyncSession, token: str) -> int | None:
    """The device a live token belongs to (None: unknown or revoked); notes its use."""
    use = await sites_service.live_token(db, token)
    if use is None:
        return None
    if await sites_service.note_token_use(db, use):
        await db.commit()  # boundary: a token's use is recorded even when its batch is refused
    return use.device_id


async def token_device(
    database: Database, runtime: IngestRuntime | None, token: str
) -> tuple[int, str] | None:
    """(device id, token digest) of a live token, from the cache when it holds it."""
    digest = token_digest(token)
    cache = runtime.cache if runtime is not None else None
    generation = 0
    if cache is not None:
        device_id = cache.device(digest)
        if device_id is not None:
            return device_id, digest
        generation = cache.generation
    async with database.session() as db:
        found = await device_for_token(db, token)
    if found is None:
        return None
    if cache is not None:
        cache.put(digest, found, generation)
    return found, digest


def parse_body(content_type: str, body: bytes) -> list[Row]:
    """A JSON or CSV body's rows, all valid (else 400/422 naming every problem)."""
    now = datetime.now().astimezone()
    try:
        rows = parse_json(body, now) if content_type == JSON else parse_csv(body, now)
    except MalformedBodyError as exc:
        raise MalformedBatchError(str(exc)) from exc
    except InvalidRowsError as exc:
        problems = [problem.as_detail() for problem in exc.problems]
        raise InvalidBatchError(str(exc), problems) from exc
    if not rows:
        raise InvalidBatchError("the batch has no rows")
    return rows


async def store_rows(
    database: Database, runtime: IngestRuntime | None, device_id: int, digest: str, rows: list[Row]
) -> IngestResult:
    """Store a device's validated rows: group commit for a small batch, else alone; 401
    (``RevokedTokenError``) when its token was revoked before the rows' transaction."""
    if runtime is not None and len(rows) <= SMALL_BATCH_ROWS:
        return await runtime.committer.submit(device_id, digest, rows)
    async with database.session() as db:
        if digest not in await tokens.live_digests(db, [digest]):
            if runtime is not None:
                runtime.cache.forget(digest)
            raise RevokedTokenError("unknown or revoked device token")
        return await store_batch(db, device_id, rows)
