"""The rollup log: ingest records ranges, the worker or a reader rebuilds them.

Readers must never see a stale rollup, whoever builds it; nothing queued may be
lost when no worker runs (a crash, a CLI import) or when one runs alongside.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.db.engine import Database
from power_portal.measurements import repository, rollup_queue
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import check_rows
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.schemas import Interval
from power_portal.settings import Settings
from tests.support.database import sql, wait_for_rollups
from tests.support.portal import LiveServer, MeteredDevice, ingest

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 02:00 in Johannesburg


def readings(
    start: datetime, minutes: int, kw: float = 6.0, first_kwh: float = 0.0
) -> list[dict[str, Any]]:
    """One reading a minute at a steady ``kw``: the register climbs kw/60 kWh a minute."""
    return [
        {
            "time": start + timedelta(minutes=m),
            "power_kw": kw,
            "energy_import_kwh": first_kwh + kw * m / 60,
        }
        for m in range(minutes)
    ]


def make_plain_device(db_url: URL) -> int:
    [(site_id,)] = sql(
        db_url,
        "INSERT INTO app.sites (name, timezone) VALUES ('Log', 'Africa/Johannesburg') RETURNING id",
    )
    [(device_id,)] = sql(
        db_url,
        "INSERT INTO app.devices (site_id, name, serial) VALUES (%s, 'M', 'LOG-1') RETURNING id",
        site_id,
    )
    return int(str(device_id))


def pending(db_url: URL) -> int:
    [(count,)] = sql(db_url, "SELECT count(*) FROM monitoring.rollup_pending")
    return int(str(count))


def store_then_drain(db_url: URL, device_ids: list[int]) -> int:
    """Half an hour of readings stored for each device, then one ``drain_all``: the ranges
    it rebuilt."""

    async def run() -> int:
        database = Database.from_url(db_url)
        try:
            for device_id in device_ids:
                rows = check_rows(readings(T0, 30), T0 + timedelta(days=1))
                async with database.session() as db:
                    await store_batch(db, device_id, rows)
            async with database.session() as db:
                return await rollup_queue.drain_all(db)
        finally:
            await database.dispose()

    return asyncio.run(run())


def rollup_totals(db_url: URL, device_id: int) -> tuple[object, object]:
    """A device's rollups summed: (samples, energy_import_kwh)."""
    [(samples, energy)] = sql(
        db_url,
        "SELECT sum(sample_count), sum(energy_import_kwh) FROM monitoring.rollup_15m "
        "WHERE device_id = %s",
        device_id,
    )
    return samples, energy


def test_without_a_worker_the_log_keeps_the_ranges_and_a_reader_builds_them(db_url: URL) -> None:
    """No portal runs: ingest only logs; the first energy query rebuilds, then reads."""
    device_id = make_plain_device(db_url)

    async def scenario() -> tuple[float | None, float | None]:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                rows = check_rows(readings(T0, 120), T0 + timedelta(days=1))
                result = await store_batch(db, device_id, rows)
                assert result.accepted == 120
            assert pending(db_url) == 1
            assert sql(db_url, "SELECT count(*) FROM monitoring.rollup_15m") == [(0,)]
            async with database.session() as db:
                first = await repository.energy(
                    db,
                    SeriesSelection.devices([device_id]),
                    date(2026, 3, 2),
                    date(2026, 3, 3),
                    Interval.DAY,
                    "Africa/Johannesburg",
                )
            # a late row inside the hour: logged, then seen by the next read
            async with database.session() as db:
                late = check_rows(
                    [{"time": T0 + timedelta(minutes=120), "energy_import_kwh": 13.0}],
                    T0 + timedelta(days=1),
                )
                await store_batch(db, device_id, late)
            assert pending(db_url) == 1
            async with database.session() as db:
                second = await repository.energy(
                    db,
                    SeriesSelection.devices([device_id]),
                    date(2026, 3, 2),
                    date(2026, 3, 3),
                    Interval.DAY,
                    "Africa/Johannesburg",
                )
            return first.points[0].energy_import_kwh, second.points[0].energy_import_kwh
        finally:
            await database.dispose()

    first, second = asyncio.run(scenario())
    assert first == pytest.approx(6.0 * 119 / 60)  # 119 one-minute intervals at 6 kW
    assert second == pytest.approx(13.0)
    assert pending(db_url) == 0
    [(samples,)] = sql(db_url, "SELECT sum(sample_count) FROM monitoring.rollup_15m")
    assert samples == 121


def test_the_worker_builds_rollups_right_after_ingest(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device()
    rows = [dict(r, time=r["time"].isoformat()) for r in readings(T0, 240)]
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    wait_for_rollups(db_url, timeout=10)  # nobody read: the worker did it
    samples, energy = rollup_totals(db_url, meter.device_id)
    assert samples == 240
    assert energy == pytest.approx(6.0 * 239 / 60)


def test_ranges_left_by_a_dead_process_are_built_when_a_portal_starts(
    db_url: URL, settings: Settings
) -> None:
    """Rows and log entries committed, no rollups (the process died): start-up drains."""
    device_id = make_plain_device(db_url)

    async def store() -> None:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                await store_batch(
                    db, device_id, check_rows(readings(T0, 60), T0 + timedelta(days=1))
                )
        finally:
            await database.dispose()

    asyncio.run(store())
    assert pending(db_url) == 1
    server = LiveServer(settings)
    server.start()
    try:
        wait_for_rollups(db_url, timeout=10)
    finally:
        server.stop()
    assert rollup_totals(db_url, device_id)[0] == 60


def test_readers_and_the_worker_racing_on_one_device_agree_with_the_raw_rows(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
    db_url: URL,
) -> None:
    """Batches land while dashboards read: every read is fresh, the end state is exact."""
    meter = make_device()
    errors: list[str] = []
    stop = threading.Event()

    def read_continuously() -> None:
        with httpx.Client(base_url=live_server.url, cookies=admin_client.cookies) as reader:
            while not stop.is_set():
                response = reader.get(
                    f"/api/devices/{meter.device_id}/energy",
                    params={"start": "2026-03-01", "end": "2026-03-10", "interval": "day"},
                )
                if response.status_code != 200:
                    errors.append(response.text)

    readers = [threading.Thread(target=read_continuously) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for hour in range(12):  # 12 batches of an hour each, in order
            start = T0 + timedelta(hours=hour)
            rows = readings(start, 60, first_kwh=6.0 * hour)
            body = [dict(r, time=r["time"].isoformat()) for r in rows]
            assert ingest(live_server.url, meter.token, body).status_code == 200
            # a read right after the acknowledgement sees the batch
            day = admin_client.get(
                f"/api/devices/{meter.device_id}/energy",
                params={"start": "2026-03-02", "end": "2026-03-03", "interval": "day"},
            ).json()
            assert day["points"][0]["energy_import_kwh"] == pytest.approx(
                6.0 * (60 * (hour + 1) - 1) / 60
            )
    finally:
        stop.set()
        for thread in readers:
            thread.join(30)
    assert errors == []
    wait_for_rollups(db_url)
    samples, energy = rollup_totals(db_url, meter.device_id)
    assert samples == 720
    assert energy == pytest.approx(6.0 * 719 / 60)


def test_a_device_whose_rebuild_fails_keeps_its_entries_and_holds_up_no_other(
    db_url: URL,
) -> None:
    """A poisoned range (rows stored before values were bounded) must not stop the log."""
    healthy = make_plain_device(db_url)
    [(poisoned,)] = sql(
        db_url,
        "INSERT INTO app.devices (site_id, name, serial) "
        "SELECT site_id, 'P', 'LOG-2' FROM app.devices WHERE id = %s RETURNING id",
        healthy,
    )
    t1 = T0 + timedelta(minutes=1)
    sql(  # a register jump PostgreSQL cannot subtract: float8 overflow in the rebuild
        db_url,
        "INSERT INTO monitoring.power_measurements (device_id, time, energy_import_kwh) "
        "VALUES (%s, %s, -1e308), (%s, %s, 1e308)",
        poisoned,
        T0,
        poisoned,
        t1,
    )
    sql(
        db_url,
        "INSERT INTO monitoring.rollup_pending (device_id, lo, hi, registers_mask) "
        "VALUES (%s, %s, %s, 1)",
        poisoned,
        T0,
        t1,
    )

    assert store_then_drain(db_url, [healthy]) == 1  # the healthy device's range
    assert rollup_totals(db_url, healthy)[0] == 30
    assert sql(db_url, "SELECT device_id FROM monitoring.rollup_pending") == [(poisoned,)]


def test_a_pass_drains_each_device_once_and_leaves_what_came_meanwhile(db_url: URL) -> None:
    """Entries written during a pass for a device it already drained wait for the next
    pass (the worker waits between passes, so a steady stream is merged into fewer
    rebuilds); the next pass takes them."""
    first = make_plain_device(db_url)
    [(made,)] = sql(
        db_url,
        "INSERT INTO app.devices (site_id, name, serial) "
        "SELECT site_id, 'N', 'LOG-3' FROM app.devices WHERE id = %s RETURNING id",
        first,
    )
    second = int(str(made))
    # When the pass drains the second device (after the first: in id order), a batch of
    # the first device's lands: a trigger writes its entry as an ingest would.
    sql(
        db_url,
        f"""
        CREATE FUNCTION meanwhile_batch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO monitoring.rollup_pending (device_id, lo, hi, registers_mask)
            VALUES ({first}, '{T0.isoformat()}', '{(T0 + timedelta(hours=1)).isoformat()}', 1);
            RETURN NULL;
        END $$;
        CREATE TRIGGER meanwhile AFTER DELETE ON monitoring.rollup_pending
        FOR EACH ROW WHEN (OLD.device_id = {second}) EXECUTE FUNCTION meanwhile_batch();
        """,
    )

    assert store_then_drain(db_url, [first, second]) == 2  # each device once
    assert sql(db_url, "SELECT device_id FROM monitoring.rollup_pending") == [(first,)]
    sql(
        db_url, "DROP TRIGGER meanwhile ON monitoring.rollup_pending; DROP FUNCTION meanwhile_batch"
    )

    assert store_then_drain(db_url, []) == 1  # the next pass
    assert pending(db_url) == 0
    assert rollup_totals(db_url, first)[0] == 30
