"""The bridge's writer: stores due batches, writes the tallies, reloads devices, saves the state.

Runs every tick (a quarter of ``batch_max_seconds``) or when woken (a full batch,
back-pressure, half the broker's window unacknowledged, a device created here). Each write
is its own transaction: the bridge's background work, never a request's; a round's tallies
go in its first store's transaction (a savepoint: a failed health write never holds rows
back), or one of their own when nothing is stored. After each round the messages whose rows
and tallies are committed are acknowledged to the broker (``acks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import structlog
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.metrics import PortalMetrics
from power_portal.core.time import utcnow
from power_portal.db.engine import Database
from power_portal.gateways import service
from power_portal.gateways.acks import Acknowledgements
from power_portal.gateways.batching import Batch, Batches
from power_portal.gateways.decisions import (
    StoreFailure,
    acknowledge_below,
    devices_refresh_due,
    on_store_failure,
    state_save_due,
    window_filling,
    window_stalled,
    writer_tick,
    writer_wait,
)
from power_portal.gateways.routing import Devices, MessageRouter
from power_portal.gateways.state import BridgeState, Tallies
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import Row

log = structlog.get_logger(__name__)

ERROR_CHARS = 300


@dataclass
class Writer:
    """Everything the bridge writes to the database, from its one writer task."""

    database: Database
    state: BridgeState
    devices: Devices
    batches: Batches
    tallies: Tallies
    router: MessageRouter
    wake_event: asyncio.Event  # set: a round at once (else one every tick)
    acks: Acknowledgements
    receive_maximum: int  # the broker's window: unacknowledged messages it may send
    metrics: PortalMetrics | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _state_saved_at: float = field(default=0.0, init=False)
    _state_saved_version: int = field(default=-1, init=False)
    _draining: bool = field(default=False, init=False)  # the last store was for half a window
    _tallies_due: Tallies | None = field(default=None, init=False)  # taken, not yet written

    async def run(self) -> None:
        """Forever: wait for a tick or a wake-up, then write what is due."""
        tick = writer_tick(self.batches.max_seconds)
        acknowledged = 0
        while True:
            wait = writer_wait(
                tick, self.acks.unacknowledged, self.receive_maximum, acknowledged, self._draining
            )
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self.wake_event.wait()
            self.wake_event.clear()
            before = self.acks.acknowledged
            await self.write(force=False)
            acknowledged = self.acks.acknowledged - before

    def wake(self) -> None:
        self.wake_event.set()

    async def write(self, *, force: bool) -> None:
        """One round; ``force`` (stopping): every batch, last tries, and the state saved.

        Then the messages before the oldest one still only in memory (a batch waiting or
        backing off, a held message, tallies taken after this round's) are acknowledged.
        """
        async with self._lock:
            unacknowledged, window = self.acks.unacknowledged, self.receive_maximum
            half = window_filling(unacknowledged, window)
            filling = half or window_stalled(
                unacknowledged, window, time.monotonic() - self.acks.last_arrival, self._draining
            )
            taken = self.batches.take_due(force=force, flush=filling)
            recorded = self.acks.received  # every message so far has its tallies taken now
            self._tallies_due = self.tallies.take() if self.tallies else None
            for device_id, batch in taken:
                await self._store_batch(device_id, batch, give_up=force)
            if taken:  # half a window stored: a backlog comes in (its end is stored at once)
                self._draining = half
            self.batches.release()
            await self._write_tallies()  # unless a store took them
            devices = self.devices
            if devices_refresh_due(time.monotonic() - devices.loaded_at, devices.stale, filling):
                await self.refresh_devices()
            self.acks.acknowledge_below(
                acknowledge_below(
                    recorded, self.batches.oldest_message(), self.router.oldest_held()
                )
            )
            now = time.monotonic()
            changed = self.state.version != self._state_saved_version
            if force or state_save_due(now - self._state_saved_at, changed):
                await self._save_state(now)

    async def _store_batch(self, device_id: int, batch: Batch, *, give_up: bool) -> None:
        """In chunks of ``batch_max_rows``; from a failed chunk on, the rows wait and retry."""
        for index, chunk in enumerate(self.batches.chunks(batch.rows)):
            stored = await self._store(device_id, chunk, batch.attempts, give_up=give_up)
            if stored is None:  # left to the broker: never acknowledged, sent again
                return
            if not stored:
                rest = batch.rows[index * self.batches.max_rows :]
                self.batches.retry_later(device_id, rest, batch.attempts + 1, batch.first_message)
                return

    async def _store(
        self, device_id: int, rows: list[Row], attempts: int, *, give_up: bool
    ) -> bool | None:
        """True when the rows are stored (or dropped for good); False: try again later;
        None: shutting down, left unacknowledged for the broker to send again."""
        state = self.state
        try:
            async with self.database.transaction() as db:  # boundary: one ingest batch
                tallies = self._tallies_due
                if tallies is not None:  # committed with the batch (store_batch commits)
                    await self._record_tallies(db, tallies)
                result = await store_batch(db, device_id, rows)
        except Exception as exc:
            state.store_failures += 1
            state.changed()
            device_gone = isinstance(exc, IntegrityError)
            failure = on_store_failure(device_gone=device_gone, shutting_down=give_up)
            if failure is StoreFailure.RETRY:
                log.warning(
                    "mqtt.store_failed",
                    device_id=device_id,
                    rows=len(rows),
                    attempt=attempts + 1,
                    error=repr(exc)[:ERROR_CHARS],
                )
                return False
            if failure is StoreFailure.LEAVE_TO_BROKER:
                log.warning(
                    "mqtt.rows_left_to_broker",
                    device_id=device_id,
                    rows=len(rows),
                    error=repr(exc)[:ERROR_CHARS],
                )
                return None
            state.rows_dropped += len(rows)
            log.error(
                "mqtt.rows_dropped",
                device_id=device_id,
                rows=len(rows),
                reason=failure.value,
                error=repr(exc)[:ERROR_CHARS],
            )
            if failure is StoreFailure.DROP_DEVICE_GONE:
                self.devices.changed()
                self.wake()
            return True
        if tallies is not None:
            self._tallies_due = None  # committed with the rows
        state.batches_stored += 1
        state.rows_stored += result.accepted
        state.duplicates += result.duplicates
        state.changed()
        if self.metrics is not None:
            self.metrics.ingested("mqtt", result.accepted, result.duplicates)
        return True

    async def _record_tallies(self, db: AsyncSession, tallies: Tallies) -> None:
        """The tallies in a store's transaction, in a savepoint: when they fail, the rows are
        committed all the same and the tallies are lost, as when their own write fails."""
        try:
            async with db.begin_nested():
                await service.record_tallies(db, tallies)
        except Exception as exc:
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise  # the database went away: the store fails and retries
            log.warning("mqtt.health_write_failed", error=repr(exc)[:ERROR_CHARS])

    async def _write_tallies(self) -> None:
        """The round's tallies in a transaction of their own, when no store took them."""
        tallies, self._tallies_due = self._tallies_due, None
        if tallies is None:
            return
        try:
            async with self.database.transaction() as db:  # boundary: the bridge's health write
                await service.record_tallies(db, tallies)
        except Exception as exc:
            log.warning("mqtt.health_write_failed", error=repr(exc)[:ERROR_CHARS])

    async def refresh_devices(self) -> None:
        """Load the serial → device map again, then route what unknown gateways sent meanwhile.

        The held messages are taken after the load, so those that came while it ran are
        routed with it too (taken before, they waited for the look after next, a minute
        later, and were lost when the process was killed meanwhile). When the load fails
        they stay held for the next look.
        """
        started = utcnow()
        try:
            async with self.database.transaction() as db:  # boundary: the bridge's device look
                serials = await service.device_serials(db)
        except Exception as exc:
            log.warning("mqtt.device_refresh_failed", error=repr(exc)[:ERROR_CHARS])
            self.devices.loaded()
            self.devices.stale = True
            return
        self.devices.replace(serials)
        self.devices.loaded()
        self.router.replay(self.router.take_held(), load_started=started)

    async def _save_state(self, now: float) -> None:
        version = self.state.version
        try:
            async with self.database.transaction() as db:  # boundary: the bridge's saved state
                await service.save_bridge_state(db, self.state.snapshot())
        except Exception as exc:
            log.warning("mqtt.state_save_failed", error=repr(exc)[:ERROR_CHARS])
            return
        self._state_saved_at = now
        self._state_saved_version = version
