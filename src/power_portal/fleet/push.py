"""Client side of the fleet protocol: push this stack's data to the admin stack.

Each tick sends the full set of sites, then of devices, then up to
``MAX_BATCHES_PER_TICK`` measurement batches read by a cursor over what was
*stored* since the last acknowledged batch — so rows with old timestamps that
arrive late (a meter replaying its offline buffer) are pushed too.

The cursor is ``(ingest_xid, device_id, time)``: rows are read in the order of
the transactions that stored them, and only from transactions older than the
oldest one still running (``pg_snapshot_xmin``). A transaction that commits
after the push moved on therefore has an id the cursor has not reached yet:
nothing is skipped. The cursor advances only after a 2xx, in the transaction
that records the success; a push that dies half-way re-sends, and the admin
stack's ``ON CONFLICT DO NOTHING`` makes that harmless. While the admin stack stores one
batch, the next is read and encoded (read-ahead); the POSTs themselves go one at a time,
in cursor order.

Each step is its own transaction (``Database.transaction()``): a boundary of the push,
not of a request.

Failures back off per resource (exponential from ``BACKOFF_BASE_SECONDS`` to
``BACKOFF_CAP_SECONDS``); ``429`` waits ``Retry-After``; ``413`` halves the batch
size (down to 1) and retries, growing it back after successes; ``401`` is
logged as an error (wrong or revoked token) and retried at the cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.time import utcnow
from power_portal.db.engine import Database
from power_portal.fleet import repository
from power_portal.fleet.encoding import measurements_body
from power_portal.fleet.models import PushState
from power_portal.fleet.repository import PushCursor
from power_portal.fleet.schemas import DeviceItem, SiteItem
from power_portal.settings import FleetSettings

log = structlog.get_logger(__name__)

INGEST_PATH = "/api/fleet/ingest"


@dataclass
class Outcome:
    """What the admin stack answered to one POST (``status`` None: it could not be reached)."""

    ok: bool
    status: int | None = None
    detail: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class _Batch:
    """A measurement batch read and encoded, not yet acknowledged."""

    size: int  # the batch size it was read with (it may hold fewer rows: the last one)
    rows: int
    body: bytes
    cursor: PushCursor  # where the push stands once the admin acknowledged it


async def _cancel(task: asyncio.Task[Any]) -> None:
    """Cancel a read-ahead that is no longer wanted and wait until it has let go."""
    if task.done():
        if not task.cancelled():
            task.exception()  # retrieved: a failed read-ahead is dropped, not logged twice
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def backoff(failures: int, settings: FleetSettings) -> float:
    """Seconds to wait after the n-th failure in a row."""
    delay: float = settings.backoff_base_seconds * 2 ** max(0, failures - 1)
    return min(settings.backoff_cap_seconds, delay)


class FleetPusher:
    """Pushes this stack's sites, devices and measurements to the admin stack, tick by tick."""

    def __init__(self, database: Database, settings: FleetSettings) -> None:
        if not settings.admin_url or settings.customer_token is None:
            raise ValueError(
                "fleet push needs PORTAL_FLEET__ADMIN_URL and PORTAL_FLEET__CUSTOMER_TOKEN"
            )
        self.database = database
        self.settings = settings
        self.client = httpx.AsyncClient(base_url=settings.admin_url, timeout=60)

    async def close(self) -> None:
        await self.client.aclose()

    # ---------------------------------------------------------------- state

    async def _state(self, db: AsyncSession, resource: str) -> PushState:
        state = await repository.push_state(db, resource, lock=True)
        if state is None:
            state = PushState(
                resource=resource,
                batch_size=self.settings.batch_size,
                consecutive_failures=0,
                rows_pushed=0,
                cursor=PushCursor().to_json() if resource == "measurements" else None,
            )
            db.add(state)
            await db.flush()
        return state

    async def _record_failure(self, resource: str, outcome: Outcome) -> None:
        async with self.database.transaction() as db:
            state = await self._state(db, resource)
            state.consecutive_failures += 1
            state.last_attempt_at = utcnow()
            state.last_error = f"{outcome.status or 'network'}: {outcome.detail}"[:1000]
            if outcome.retry_after is not None:
                wait = outcome.retry_after
            elif outcome.status == 401:
                wait = self.settings.backoff_cap_seconds
            else:
                wait = backoff(state.consecutive_failures, self.settings)
            state.next_attempt_at = utcnow() + timedelta(seconds=wait)
        event = "fleet.push_unauthorised" if outcome.status == 401 else "fleet.push_failed"
        logger = log.error if outcome.status == 401 else log.warning
        logger(
            event,
            resource=resource,
            status=outcome.status,
            detail=outcome.detail,
            retry_in_seconds=wait,
        )

    async def _record_success(
        self, resource: str, rows: int, cursor: PushCursor | None = None, size: int = 0
    ) -> int:
        """Record an acknowledged batch (read with batch size ``size``); the size to use next."""
        async with self.database.transaction() as db:
            state = await self._state(db, resource)
            state.consecutive_failures = 0
            state.last_success_at = state.last_attempt_at = utcnow()
            state.last_error = None
            state.next_attempt_at = None
            state.rows_pushed += rows
            if cursor is not None:  # the cursor moves only now, with the record of the success
                state.cursor = cursor.to_json()
                if size < self.settings.batch_size:  # grow back after a 413: double what passed
                    state.batch_size = min(self.settings.batch_size, size * 2)
            return state.batch_size

    # ---------------------------------------------------------------- http

    async def _post(self, batch_type: str, body: bytes | str, cursor: str) -> Outcome:
        """POST ``body`` (``{"items": [...]}``, encoded) as a batch of ``batch_type``."""
        token = self.settings.customer_token
        assert token is not None
        try:
            response = await self.client.post(
                INGEST_PATH,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Customer-Token": token.get_secret_value(),
                    "X-Batch-Type": batch_type,
                    "X-Push-Cursor": cursor,
                },
            )
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return Outcome(True, response.status_code)
        retry_after = None
        if response.status_code == 429:
            header = response.headers.get("Retry-After", "")
            retry_after = float(header) if header.replace(".", "", 1).isdigit() else None
        try:
            detail = str(response.json().get("detail", ""))
        except ValueError:
            detail = response.text[:200]
        return Outcome(False, response.status_code, detail, retry_after)

    # ---------------------------------------------------------------- resources

    async def _due(self, resource: str) -> bool:
        async with self.database.session() as db:
            state = await repository.push_state(db, resource)
        if state is None or state.next_attempt_at is None:
            return True
        now = utcnow()
        # A last attempt "in the future" means the clock was put back since: the deadline
        # was set on the old time and would stall the push for as long as the step.
        clock_went_back = state.last_attempt_at is not None and state.last_attempt_at > now
        return state.next_attempt_at <= now or clock_went_back

    async def _push_full_set(self, resource: str) -> bool:
        """Every site or every device, as the protocol's items."""
        async with self.database.session() as db:
            if resource == "sites":
                rows: Sequence[object] = await repository.all_sites(db)
                fields = list(SiteItem.model_fields)
            else:
                rows = await repository.all_devices(db)
                fields = list(DeviceItem.model_fields)
            items = [{name: getattr(row, name) for name in fields} for row in rows]
        body = json.dumps({"items": items}, default=str)
        outcome = await self._post(resource, body, f"{resource}:{len(items)}")
        if not outcome.ok:
            await self._record_failure(resource, outcome)
            return False
        await self._record_success(resource, len(items))
        return True

    async def _read_batch(self, cursor: PushCursor, batch_size: int) -> _Batch | None:
        """The next ``batch_size`` rows after ``cursor``, encoded (None: nothing to send)."""
        async with self.database.session() as db:
            # (xid, device_id, time, *FIELD_NAMES) tuples, encoded without per-row dicts
            rows = await repository.measurement_rows_after(db, cursor, batch_size)
        if not rows:
            return None
        xid, device_id, moment = rows[-1][:3]
        cursor = PushCursor(xid, device_id, moment)
        return _Batch(batch_size, len(rows), measurements_body(rows), cursor)

    async def _push_measurements(self, max_batches: int) -> bool:
        """Up to ``max_batches`` measurement batches, one POST at a time, in cursor order.

        While the admin stack stores one batch, the next one is read and encoded from
        where this one ends (``next_batch``): the two overlap, the POSTs never do. The
        cursor still moves only after a 2xx, batch by batch; what was read ahead of a
        failure is dropped and read again next time. True when everything due went
        through (or nothing was left), False after a failure."""
        async with self.database.transaction() as db:
            state = await self._state(db, "measurements")
            cursor = PushCursor.from_json(state.cursor)
            batch_size = state.batch_size
        next_batch = asyncio.create_task(self._read_batch(cursor, batch_size))
        sent = 0
        try:
            while sent < max_batches:
                batch = await next_batch
                if batch is None:
                    return True
                if sent + 1 < max_batches:  # read ahead while the admin stores this one
                    next_batch = asyncio.create_task(self._read_batch(batch.cursor, batch_size))
                outcome = await self._post("measurements", batch.body, batch.cursor.to_json())
                if outcome.status == 413 and batch.size > 1:
                    await _cancel(next_batch)
                    batch_size = max(1, batch.size // 2)
                    log.warning("fleet.push_batch_halved", batch_size=batch_size)
                    async with self.database.transaction() as db:
                        state = await self._state(db, "measurements")
                        state.batch_size = batch_size
                    next_batch = asyncio.create_task(self._read_batch(cursor, batch_size))
                    continue
                if not outcome.ok:
                    await self._record_failure("measurements", outcome)
                    return False
                batch_size = await self._record_success(
                    "measurements", batch.rows, batch.cursor, batch.size
                )
                cursor = batch.cursor
                sent += 1
            return True
        finally:
            await _cancel(next_batch)

    async def tick(self) -> bool:
        """One push round; True when everything due went through."""
        ok = True
        for resource in ("sites", "devices"):
            if await self._due(resource):
                ok = await self._push_full_set(resource) and ok
        if not await self._due("measurements"):
            return ok
        return await self._push_measurements(self.settings.max_batches_per_tick) and ok

    async def run_forever(self) -> None:
        log.info(
            "fleet.push_started",
            admin_url=self.settings.admin_url,
            interval_seconds=self.settings.interval_seconds,
        )
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug or the database down: log, keep the loop alive
                log.exception("fleet.push_tick_crashed")
            await asyncio.sleep(self.settings.interval_seconds)
