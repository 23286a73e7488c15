"""The collector's spool: readings wait here, in SQLite, until the portal has them.

Rules:

- Every reading is written here first (committed) before anything is sent.
- A reading leaves the queue only when the portal acknowledged it with a 2xx
  (``acknowledge``), or when it is parked (``park``: the portal refused it for
  good, 422) — a crash at any moment therefore re-sends, never loses; the
  portal ignores rows it already has, so re-sending never doubles.
- Drained oldest-first per meter (ids only grow: ``AUTOINCREMENT``).
- Bounded: at most ``max_readings`` queued readings. Past that, the oldest
  readings (of any meter) are deleted in the same transaction that adds the
  new ones, and the drop is logged as an error with counts per meter and the
  time span lost; the running total is kept in the file (``dropped_total``).
  Parked readings are bounded the same way, separately.

One connection, guarded by a lock: the service calls these methods from
worker threads (``asyncio.to_thread``) so a disk sync never blocks the loop.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import structlog

log = structlog.get_logger(__name__)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meter TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS readings_by_meter ON readings (meter, id);
CREATE TABLE IF NOT EXISTS parked (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meter TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    body TEXT NOT NULL,
    parked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
_DELETE_IDS_SQL = "DELETE FROM readings WHERE meter = ? AND id IN (SELECT value FROM json_each(?))"


class SpoolError(RuntimeError):
    """The spool file cannot be opened or used; the message names the file."""


@dataclass(frozen=True)
class NewReading:
    """A reading to queue: its meter, when it was taken (UTC ISO), the ingest row as JSON."""

    meter: str
    taken_at: str
    body: str


@dataclass(frozen=True)
class SpooledReading:
    id: int
    meter: str
    taken_at: str
    body: str


@dataclass(frozen=True)
class DropReport:
    """Readings deleted unsent because the spool was full."""

    dropped: int
    by_meter: dict[str, int] = field(default_factory=dict)
    oldest_taken_at: str | None = None
    newest_taken_at: str | None = None


class Spool:
    def __init__(
        self,
        path: Path,
        max_readings: int,
        *,
        sync: Literal["full", "normal"] = "full",
    ) -> None:
        if max_readings < 1:
            raise ValueError("max_readings must be at least 1")
        self.path = path
        self.max_readings = max_readings
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if sync == 'full' else 'NORMAL'}")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise SpoolError(
                    f"spool {path} was written by a newer collector (schema {version}); "
                    "upgrade this one or move the file away"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._queued: dict[str, int] = {}
            self._parked = 0
            self._reload_counts_locked()
        except sqlite3.Error as exc:
            raise SpoolError(f"cannot open the spool {path}: {exc}") from exc

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction under the lock; on any error rolled back and recounted."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._reload_counts_locked()
                raise

    # ------------------------------------------------------------ writing

    def add(self, readings: Sequence[NewReading]) -> DropReport | None:
        """Queue readings (one transaction); returns what had to be dropped, if anything."""
        if not readings:
            return None
        with self._transaction():
            self._db.executemany(
                "INSERT INTO readings (meter, taken_at, body) VALUES (?, ?, ?)",
                [(r.meter, r.taken_at, r.body) for r in readings],
            )
            for reading in readings:
                self._queued[reading.meter] = self._queued.get(reading.meter, 0) + 1
            report = self._drop_oldest_locked("readings", self.max_readings)
        if report is not None:
            log.error(
                "collector.spool_full_dropped_oldest",
                dropped=report.dropped,
                by_meter=report.by_meter,
                oldest_taken_at=report.oldest_taken_at,
                newest_taken_at=report.newest_taken_at,
                max_readings=self.max_readings,
                spool=str(self.path),
                hint="the portal has not acknowledged readings for a long time; "
                "these readings are lost. Raise spool_max_readings or fix the portal link.",
            )
        return report

    def _drop_oldest_locked(self, table: str, limit: int) -> DropReport | None:
        total = sum(self._queued.values()) if table == "readings" else self._parked
        excess = total - limit
        if excess <= 0:
            return None
        by_meter: dict[str, int] = {}
        oldest: str | None = None
        newest: str | None = None
        victims = f"SELECT id, meter, taken_at FROM {table} ORDER BY id LIMIT ?"  # noqa: S608 - table is ours
        for meter, count, first, last in self._db.execute(
            f"SELECT meter, count(*), min(taken_at), max(taken_at) FROM ({victims}) GROUP BY meter",  # noqa: S608
            (excess,),
        ):
            by_meter[str(meter)] = int(count)
            oldest = str(first) if oldest is None else min(oldest, str(first))
            newest = str(last) if newest is None else max(newest, str(last))
        self._db.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT ?)",  # noqa: S608
            (excess,),
        )
        if table == "readings":
            for meter, count in by_meter.items():
                self._queued[meter] -= count
        else:
            self._parked -= excess
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES ('dropped', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (excess,),
        )
        return DropReport(excess, by_meter, oldest, newest)

    def _reload_counts_locked(self) -> None:
        self._queued = {
            str(meter): int(count)
            for meter, count in self._db.execute(
                "SELECT meter, count(*) FROM readings GROUP BY meter"
            )
        }
        self._parked = int(self._db.execute("SELECT count(*) FROM parked").fetchone()[0])

    # ------------------------------------------------------------ draining

    def oldest(self, meter: str, limit: int) -> list[SpooledReading]:
        """The meter's oldest ``limit`` queued readings, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, taken_at, body FROM readings WHERE meter = ? ORDER BY id LIMIT ?",
                (meter, limit),
            ).fetchall()
        return [SpooledReading(int(i), meter, str(t), str(b)) for i, t, b in rows]

    def acknowledge(self, meter: str, ids: Sequence[int]) -> int:
        """The portal has these readings (2xx): delete them. Returns how many were still queued."""
        if not ids:
            return 0
        with self._lock:
            deleted = self._db.execute(_DELETE_IDS_SQL, (meter, json.dumps(list(ids)))).rowcount
            self._queued[meter] = self._queued.get(meter, 0) - deleted
        return int(deleted)

    def park(self, meter: str, ids: Sequence[int], reason: str) -> int:
        """Move readings the portal refused for good out of the queue, keeping them aside."""
        if not ids:
            return 0
        now = datetime.now(UTC).isoformat()
        id_list = json.dumps(list(ids))
        with self._transaction():
            moved = self._db.execute(
                "INSERT INTO parked (meter, taken_at, body, parked_at, reason) "
                "SELECT meter, taken_at, body, ?, ? FROM readings "
                "WHERE meter = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (now, reason, meter, id_list),
            ).rowcount
            self._db.execute(_DELETE_IDS_SQL, (meter, id_list))
            self._queued[meter] = self._queued.get(meter, 0) - moved
            self._parked += moved
            report = self._drop_oldest_locked("parked", self.max_readings)
        if report is not None:
            log.error(
                "collector.spool_parked_full_dropped_oldest",
                dropped=report.dropped,
                by_meter=report.by_meter,
                spool=str(self.path),
            )
        return int(moved)

    def requeue_parked(self) -> int:
        """Put every parked reading back in the queue (after fixing why it was refused)."""
        with self._transaction():
            moved = self._db.execute(
                "INSERT INTO readings (meter, taken_at, body) "
                "SELECT meter, taken_at, body FROM parked ORDER BY id"
            ).rowcount
            self._db.execute("DELETE FROM parked")
            self._reload_counts_locked()
        return int(moved)

    # ------------------------------------------------------------ state

    def depth(self, meter: str | None = None) -> int:
        """Queued readings (of one meter, or all)."""
        with self._lock:
            if meter is None:
                return sum(self._queued.values())
            return self._queued.get(meter, 0)

    def depths(self) -> dict[str, int]:
        with self._lock:
            return {meter: count for meter, count in self._queued.items() if count}

    def parked_count(self) -> int:
        with self._lock:
            return self._parked

    def parked(self, limit: int = 100) -> list[tuple[str, str, str]]:
        """(meter, taken_at, reason) of the oldest parked readings."""
        with self._lock:
            rows = self._db.execute(
                "SELECT meter, taken_at, reason FROM parked ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [(str(m), str(t), str(r)) for m, t, r in rows]

    def dropped_total(self) -> int:
        """Readings ever dropped because the spool was full (kept across restarts)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = 'dropped'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
