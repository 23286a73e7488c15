"""An ingest request's work: the device behind a token, then its body parsed and stored.

Two transaction boundaries: a token's use is recorded even when its batch is then refused,
and a batch is stored (with its rollup log) in one transaction of its own (``store_batch``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import PortalError
from power_portal.measurements.ingest import IngestResult, store_batch
from power_portal.measurements.parsing import (
    InvalidRowsError,
    MalformedBodyError,
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


async def store_body(
    db: AsyncSession, device_id: int, content_type: str, body: bytes
) -> IngestResult:
    """Parse a JSON or CSV body (all rows valid, or nothing stored) and store it."""
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
    return await store_batch(db, device_id, rows)
