"""Per-device batches of checked rows, due by row count or age; back-pressure on receiving.

A burst of thousands of replayed SD-card messages becomes a few batches, so a few COPYs.
Rows the database refused go back ahead of newer ones and wait (``store_retry_delay``).
Each batch knows the oldest message (by its number, ``acks``) whose rows it holds: no
message from it on is acknowledged while the batch waits.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from power_portal.gateways.decisions import batch_due, must_pause_receiving, store_retry_delay
from power_portal.measurements.parsing import Row


@dataclass
class Batch:
    rows: list[Row] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0  # failed stores so far
    not_before: float = 0.0  # time.monotonic() before which it is not tried again
    first_message: int | None = None  # the number of the oldest message with rows here


class Batches:
    """The rows waiting for the writer, one batch per device."""

    def __init__(self, max_rows: int, max_seconds: float, wake: asyncio.Event) -> None:
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self._wake = wake  # the writer's: set when a batch is full or receiving must pause
        self._batches: dict[int, Batch] = {}
        self.buffered_rows = 0
        self._room = asyncio.Event()
        self._room.set()

    def add(self, device_id: int, rows: list[Row], message: int | None = None) -> None:
        """``rows`` of message number ``message`` into the device's batch."""
        batch = self._batches.get(device_id)
        if batch is None:
            batch = self._batches[device_id] = Batch()
        batch.rows += rows
        batch.first_message = _oldest(batch.first_message, message)
        self.buffered_rows += len(rows)
        if len(batch.rows) >= self.max_rows:
            self._wake.set()
        if must_pause_receiving(self.buffered_rows, self.max_rows):
            self._room.clear()
            self._wake.set()

    async def wait_for_room(self) -> None:
        """Back-pressure: returns at once unless too many rows wait for the database."""
        if not self._room.is_set():
            await self._room.wait()

    def take_due(self, *, force: bool, flush: bool = False) -> list[tuple[int, Batch]]:
        """The batches to store now (all of them when ``force``; all but those backing off
        when ``flush``), out of the waiting ones."""
        now = time.monotonic()
        due = [
            device_id
            for device_id, batch in self._batches.items()
            if batch_due(
                len(batch.rows),
                now - batch.started,
                max_rows=self.max_rows,
                max_seconds=self.max_seconds,
                backing_off=now < batch.not_before,
                force=force,
                flush=flush,
            )
        ]
        taken = [(device_id, self._batches.pop(device_id)) for device_id in due]
        self.buffered_rows -= sum(len(batch.rows) for _, batch in taken)
        return taken

    def chunks(self, rows: list[Row]) -> list[list[Row]]:
        """A batch in store_batch calls of at most ``max_rows`` rows."""
        return [rows[start : start + self.max_rows] for start in range(0, len(rows), self.max_rows)]

    def oldest_message(self) -> int | None:
        """The number of the oldest message whose rows wait here (None: no rows wait)."""
        numbers = [b.first_message for b in self._batches.values() if b.first_message is not None]
        return min(numbers, default=None)

    def retry_later(
        self, device_id: int, rows: list[Row], attempts: int, first_message: int | None = None
    ) -> None:
        """Put rows back (ahead of newer ones), to be tried again after a back-off."""
        newer = self._batches.pop(device_id, None)
        retry = Batch(
            rows=rows + (newer.rows if newer else []),
            attempts=attempts,
            first_message=_oldest(first_message, newer.first_message if newer else None),
        )
        retry.not_before = time.monotonic() + store_retry_delay(attempts)
        self._batches[device_id] = retry
        self.buffered_rows += len(rows)

    def release(self) -> None:
        """After a round of stores: let receiving go on when the rows fit again."""
        if not must_pause_receiving(self.buffered_rows, self.max_rows):
            self._room.set()


def _oldest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)
