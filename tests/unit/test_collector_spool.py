"""The collector's SQLite spool: bounded, oldest-first, acknowledged-only deletion, durable."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from power_portal.collector import spool as spool_module
from power_portal.collector.spool import NewReading, Spool, SpooledReading, SpoolError
from power_portal.measurements.fields import FIELD_NAMES


def reading(meter: str, n: int) -> NewReading:
    taken_at = f"2026-05-01T08:{n // 60:02d}:{n % 60:02d}+00:00"
    return NewReading(meter, taken_at, json.dumps({"time": taken_at, "power_kw": float(n)}))


def powers(rows: list[SpooledReading]) -> list[float]:
    return [json.loads(row.body)["power_kw"] for row in rows]


def test_drained_oldest_first_per_meter(tmp_path: Path) -> None:
    with Spool(tmp_path / "spool.sqlite", 1000) as spool:
        spool.add([reading("A", 0), reading("B", 0), reading("A", 1)])
        spool.add([reading("B", 1), reading("A", 2)])
        assert powers(spool.oldest("A", 10)) == [0.0, 1.0, 2.0]
        assert powers(spool.oldest("A", 2)) == [0.0, 1.0]
        assert powers(spool.oldest("B", 10)) == [0.0, 1.0]
        assert spool.oldest("C", 10) == []
        assert spool.depth() == 5
        assert spool.depths() == {"A": 3, "B": 2}


def test_only_acknowledged_readings_leave(tmp_path: Path) -> None:
    with Spool(tmp_path / "spool.sqlite", 1000) as spool:
        spool.add([reading("A", n) for n in range(5)])
        batch = spool.oldest("A", 3)
        # nothing is deleted by reading a batch, nor by a failed send (no call at all)
        assert spool.depth("A") == 5
        assert powers(spool.oldest("A", 3)) == [0.0, 1.0, 2.0]
        assert spool.acknowledge("A", [row.id for row in batch]) == 3
        assert powers(spool.oldest("A", 10)) == [3.0, 4.0]
        # acknowledging twice, or another meter's ids, deletes nothing more
        assert spool.acknowledge("A", [row.id for row in batch]) == 0
        assert spool.acknowledge("B", [row.id for row in spool.oldest("A", 10)]) == 0
        assert spool.depth("A") == 2


def test_bounded_oldest_dropped_and_reported_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Spool(tmp_path / "spool.sqlite", 10) as spool:
        spool.add([reading("A", n) for n in range(6)])
        spool.add([reading("B", n) for n in range(4)])
        assert spool.depth() == 10
        with capture_logs() as logs:
            # a fresh logger: one cached by an earlier test would bypass the capture
            monkeypatch.setattr(spool_module, "log", structlog.get_logger("spool-test"))
            report = spool.add([reading("B", n) for n in range(4, 7)])  # 3 over the limit
        assert report is not None
        assert report.dropped == 3
        assert report.by_meter == {"A": 3}  # the oldest, whichever meter they belong to
        assert (report.oldest_taken_at, report.newest_taken_at) == (
            "2026-05-01T08:00:00+00:00",
            "2026-05-01T08:00:02+00:00",
        )
        [event] = [e for e in logs if e["event"] == "collector.spool_full_dropped_oldest"]
        assert event["log_level"] == "error"
        assert event["dropped"] == 3
        assert event["by_meter"] == {"A": 3}
        assert spool.depth() == 10
        assert powers(spool.oldest("A", 10)) == [3.0, 4.0, 5.0]
        assert powers(spool.oldest("B", 10)) == [float(n) for n in range(7)]
        assert spool.dropped_total() == 3
        # one big add past the limit keeps only the newest readings
        report = spool.add([reading("C", n) for n in range(25)])
        assert report is not None
        assert report.dropped == 25
        assert spool.depths() == {"C": 10}
        assert powers(spool.oldest("C", 10)) == [float(n) for n in range(15, 25)]
        assert spool.dropped_total() == 28


def test_no_drop_below_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Spool(tmp_path / "spool.sqlite", 10) as spool, capture_logs() as logs:
        monkeypatch.setattr(spool_module, "log", structlog.get_logger("spool-test"))
        assert spool.add([reading("A", n) for n in range(10)]) is None
    assert logs == []


def test_survives_reopen_and_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    with Spool(path, 100) as spool:
        spool.add([reading("A", n) for n in range(4)])
        spool.acknowledge("A", [spool.oldest("A", 1)[0].id])
        spool.add([reading("B", n) for n in range(110)])  # 113 queued: drops the 13 oldest
    # a process that commits then dies without closing anything
    child = multiprocessing.get_context("fork").Process(target=_add_and_die, args=(path,))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    with Spool(path, 100) as spool:
        assert spool.dropped_total() == 13 + 4
        assert spool.depths() == {"B": 96, "D": 4}
        assert powers(spool.oldest("B", 1)) == [14.0]
        # ids keep growing after a reopen: a new reading still drains after the old ones
        spool.add([reading("B", 999)])
        assert powers(spool.oldest("B", 200))[-1] == 999.0
        assert powers(spool.oldest("B", 1)) == [15.0]
        assert powers(spool.oldest("D", 10)) == [0.0, 1.0, 2.0, 3.0]


def _add_and_die(path: Path) -> None:
    spool = Spool(path, 100)
    spool.add([reading("D", n) for n in range(4)])  # committed; drops the 4 oldest
    os.kill(os.getpid(), signal.SIGKILL)


def test_parked_readings_leave_the_queue_and_can_come_back(tmp_path: Path) -> None:
    with Spool(tmp_path / "spool.sqlite", 100) as spool:
        spool.add([reading("A", n) for n in range(5)])
        bad = [row.id for row in spool.oldest("A", 5)][1:3]
        assert spool.park("A", bad, "422 refused: row 1, time: is before 2000-01-01") == 2
        assert powers(spool.oldest("A", 10)) == [0.0, 3.0, 4.0]
        assert spool.parked_count() == 2
        assert spool.parked() == [
            ("A", "2026-05-01T08:00:01+00:00", "422 refused: row 1, time: is before 2000-01-01"),
            ("A", "2026-05-01T08:00:02+00:00", "422 refused: row 1, time: is before 2000-01-01"),
        ]
        spool.acknowledge("A", [row.id for row in spool.oldest("A", 10)])
        assert spool.requeue_parked() == 2
        assert spool.parked_count() == 0
        assert powers(spool.oldest("A", 10)) == [1.0, 2.0]


def test_parked_readings_are_bounded_too(tmp_path: Path) -> None:
    with Spool(tmp_path / "spool.sqlite", 10) as spool:
        for round_ in range(3):
            spool.add([reading("A", round_ * 10 + n) for n in range(6)])
            spool.park("A", [row.id for row in spool.oldest("A", 6)], "refused")
        assert spool.parked_count() == 10
        assert spool.dropped_total() == 8


def test_a_spool_from_a_newer_collector_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    Spool(path, 10).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(SpoolError, match="newer collector"):
        Spool(path, 10)


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(SpoolError, match=str(path)):
        Spool(path, 10)


def test_disk_footprint_per_reading(tmp_path: Path) -> None:
    """What deploy/collector.example.toml promises: under 1 kB a reading, every field set."""
    row: dict[str, object] = {"time": "2026-05-01T08:00:00.123456+00:00"}
    row |= dict.fromkeys(FIELD_NAMES, 12345.6789)
    body = json.dumps(row, separators=(",", ":"))
    path = tmp_path / "spool.sqlite"
    with Spool(path, 100_000, sync="normal") as spool:
        for _ in range(10):
            spool.add([NewReading("Main incomer", str(row["time"]), body) for _ in range(1000)])
    bytes_per_reading = path.stat().st_size / 10_000  # the WAL is merged on close
    assert 600 < bytes_per_reading < 1000
