"""The daily rollup: energy per device and local day, always the 15-minute rollup summed by day.

Every way rows arrive (live ingest, a back-fill into the middle, a re-delivery, a meter reset,
``portal import-csv``) goes through the rollup log's rebuild, which must leave
``monitoring.rollup_1d`` equal to ``rollup_15m`` summed per local day of the site's zone,
DST days (23 and 25 hours) and half-hour zones included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.db.engine import Database
from power_portal.measurements import repository, rollup_queue, rollups
from power_portal.measurements.schemas import Interval
from tests.support.cli import portal
from tests.support.database import sql, wait_for_rollups
from tests.support.portal import LiveServer, MeteredDevice, ingest

SAST = ZoneInfo("Africa/Johannesburg")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")

# rollup_1d against rollup_15m summed per local day of the device's site, both ways round.
MISMATCHES_SQL = """
    WITH expected AS (
        SELECT r.device_id, (r.bucket_start AT TIME ZONE s.timezone)::date AS day,
               sum(r.sample_count) AS sample_count,
               sum(r.energy_import_kwh) AS imp, sum(r.energy_export_kwh) AS exp,
               sum(r.reactive_energy_import_kvarh) AS rimp,
               sum(r.reactive_energy_export_kvarh) AS rexp,
               sum(r.apparent_energy_kvah) AS kvah
        FROM monitoring.rollup_15m r
        JOIN app.devices d ON d.id = r.device_id
        JOIN app.sites s ON s.id = d.site_id
        WHERE r.device_id = %s
        GROUP BY 1, 2
    ),
    daily AS (SELECT * FROM monitoring.rollup_1d WHERE device_id = %s)
    SELECT coalesce(e.day, d.day), e.imp, d.energy_import_kwh
    FROM expected e
    FULL JOIN daily d ON d.device_id = e.device_id AND d.day = e.day
    WHERE e.day IS NULL OR d.day IS NULL
       OR e.sample_count <> d.sample_count
       OR abs(e.imp - d.energy_import_kwh) > 1e-9
       OR abs(e.exp - d.energy_export_kwh) > 1e-9
       OR abs(e.rimp - d.reactive_energy_import_kvarh) > 1e-9
       OR abs(e.rexp - d.reactive_energy_export_kvarh) > 1e-9
       OR abs(e.kvah - d.apparent_energy_kvah) > 1e-9
"""


def assert_daily_matches(db_url: URL, device_id: int) -> None:
    wait_for_rollups(db_url)
    assert sql(db_url, MISMATCHES_SQL, device_id, device_id) == []


def daily(db_url: URL, device_id: int) -> dict[date, float]:
    rows = sql(
        db_url,
        "SELECT day, energy_import_kwh FROM monitoring.rollup_1d WHERE device_id = %s",
        device_id,
    )
    return {day: float(str(kwh)) for day, kwh in rows if isinstance(day, date)}


def steady(start: datetime, hours: float, kwh_per_hour: float, first_kwh: float = 0.0,
           step_minutes: int = 15) -> list[dict[str, Any]]:  # fmt: skip
    """Readings every ``step_minutes`` of a register climbing steadily."""
    steps = int(hours * 60 / step_minutes)
    return [
        {
            "time": (start + timedelta(minutes=step_minutes * k)).astimezone(UTC).isoformat(),
            "energy_import_kwh": first_kwh + kwh_per_hour * step_minutes * k / 60,
            "energy_export_kwh": 0.1 * k,
            "apparent_energy_kvah": 1.1 * (first_kwh + kwh_per_hour * step_minutes * k / 60),
            "power_kw": kwh_per_hour,
            "power_factor": 0.9,
        }
        for k in range(steps + 1)
    ]


def test_live_ingest_fills_the_local_days(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device("Africa/Johannesburg")
    # three local days at 2 kWh/h, sent in several batches as a meter would
    start = datetime(2026, 6, 1, tzinfo=SAST)
    rows = steady(start, 72, 2.0)
    for k in range(0, len(rows), 50):
        assert ingest(live_server.url, meter.token, rows[k : k + 50]).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    days = daily(db_url, meter.device_id)
    assert days == {
        date(2026, 6, 4): 0.0,  # the last reading, at midnight, closes 3 June
        date(2026, 6, 1): pytest.approx(48.0),
        date(2026, 6, 2): pytest.approx(48.0),
        date(2026, 6, 3): pytest.approx(48.0),
    }


def test_a_backfill_into_the_middle_and_a_redelivery(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device("Africa/Johannesburg")
    start = datetime(2026, 6, 1, tzinfo=SAST)
    rows = steady(start, 5 * 24, 1.0)
    per_day = 24 * 4
    # missing: from noon on 3 June to noon on 4 June, save the readings at both noons
    first, last = 2 * per_day + per_day // 2, 3 * per_day + per_day // 2
    sent = rows[: first + 1] + rows[last:]
    assert ingest(live_server.url, meter.token, sent).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    before = daily(db_url, meter.device_id)
    # the gap's 24 kWh are spread pro rata: 12 on each side of midnight
    assert before[date(2026, 6, 3)] == pytest.approx(24.0)
    assert before[date(2026, 6, 4)] == pytest.approx(24.0)
    # the back-fill says 20 kWh went before midnight and 4 after
    late = []
    for k in range(first + 1, last):
        quarter = k - first
        kwh = 60.0 + (20.0 * quarter / 48 if quarter <= 48 else 20.0 + 4.0 * (quarter - 48) / 48)
        late.append(dict(rows[k], energy_import_kwh=kwh))
    assert ingest(live_server.url, meter.token, late).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    after = daily(db_url, meter.device_id)
    assert after[date(2026, 6, 3)] == pytest.approx(12.0 + 20.0)
    assert after[date(2026, 6, 4)] == pytest.approx(4.0 + 12.0)
    assert after[date(2026, 6, 2)] == pytest.approx(24.0)
    assert sum(after.values()) == pytest.approx(5 * 24.0)
    # the days' buckets were re-counted: 96 readings each, not 49 and 48
    samples = sql(
        db_url,
        "SELECT day, sample_count FROM monitoring.rollup_1d WHERE device_id = %s "
        "AND day IN ('2026-06-03', '2026-06-04') ORDER BY day",
        meter.device_id,
    )
    assert [count for _, count in samples] == [per_day, per_day]
    # a re-delivery of everything changes nothing
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    assert daily(db_url, meter.device_id) == after


def test_a_meter_reset_counts_from_zero(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device("Africa/Johannesburg")
    start = datetime(2026, 6, 1, tzinfo=SAST)
    first = steady(start, 30, 1.0, first_kwh=5000.0)  # to 06:00 on day 2
    after_reset = steady(start + timedelta(hours=30, minutes=15), 18 - 0.25, 1.0, first_kwh=0.25)
    assert ingest(live_server.url, meter.token, first + after_reset).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    days = daily(db_url, meter.device_id)
    assert days[date(2026, 6, 1)] == pytest.approx(24.0)
    assert days[date(2026, 6, 2)] == pytest.approx(24.0)  # the reset is not -5030 kWh


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (BERLIN, date(2026, 3, 29), 23),  # spring forward
        (BERLIN, date(2026, 10, 25), 25),  # fall back
        (KOLKATA, date(2026, 8, 1), 24),  # +05:30: local midnight is not a UTC hour
    ],
)
def test_local_days_of_dst_and_half_hour_zones(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    db_url: URL,
    zone: ZoneInfo,
    day: date,
    hours: int,
) -> None:
    meter = make_device(str(zone))
    lo = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    # 1 kWh per real hour from a day before to a day after
    rows = steady(lo - timedelta(days=1), 24 + hours + 24, 1.0)
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    assert_daily_matches(db_url, meter.device_id)
    days = daily(db_url, meter.device_id)
    assert days[day] == pytest.approx(float(hours))
    assert days[day - timedelta(days=1)] == pytest.approx(24.0)
    assert days[day + timedelta(days=1)] == pytest.approx(24.0)
    assert days[day + timedelta(days=2)] == 0.0  # the closing reading at midnight
    assert len(days) == 4


def test_daily_energy_reads_the_days_of_a_span(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    a = make_device("Africa/Johannesburg")
    b = make_device("Asia/Kolkata")
    rows_a = steady(datetime(2026, 6, 1, tzinfo=SAST), 48, 1.0)
    rows_b = steady(datetime(2026, 6, 2, tzinfo=KOLKATA), 24, 3.0)
    # nobody waits for the worker: daily_energy flushes what is pending
    assert ingest(live_server.url, a.token, rows_a).status_code == 200
    assert ingest(live_server.url, b.token, rows_b).status_code == 200

    async def read() -> dict[int, dict[date, tuple[float, float]]]:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                return await repository.daily_energy(
                    db, [a.device_id, b.device_id], date(2026, 6, 2), date(2026, 6, 10)
                )
        finally:
            await database.dispose()

    found = asyncio.run(read())
    assert set(found) == {a.device_id, b.device_id}
    assert found[a.device_id] == {  # 1 June is before the span
        date(2026, 6, 2): pytest.approx((24.0, 9.6)),
        date(2026, 6, 3): (0.0, 0.0),  # only the closing reading at midnight
    }
    assert found[b.device_id] == {
        date(2026, 6, 2): pytest.approx((72.0, 9.6)),
        date(2026, 6, 3): (0.0, 0.0),
    }


def test_rebuild_daily_repairs_every_day_and_drops_empty_ones(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    """What a change of a site's zone needs: the device's whole history recounted."""
    meter = make_device("Africa/Johannesburg")
    assert (
        ingest(
            live_server.url, meter.token, steady(datetime(2026, 6, 1, tzinfo=SAST), 48, 1.0)
        ).status_code
        == 200
    )
    wait_for_rollups(db_url)
    sql(db_url, "UPDATE app.sites SET timezone = 'Asia/Kolkata' WHERE id = %s", meter.site_id)
    sql(
        db_url,
        "INSERT INTO monitoring.rollup_1d (device_id, day, energy_import_kwh) VALUES (%s, %s, 9)",
        meter.device_id,
        date(2020, 1, 1),
    )

    async def rebuild(lo: datetime | None, hi: datetime | None) -> None:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                if lo is None and hi is None:
                    await rollup_queue.recount_days(db, [meter.device_id])
                else:
                    await rollups.rebuild_daily(db, [meter.device_id], lo, hi)
                await db.commit()
        finally:
            await database.dispose()

    # a bounded rebuild touches only its days
    asyncio.run(rebuild(datetime(2019, 12, 31, 12, tzinfo=UTC), datetime(2020, 1, 2, tzinfo=UTC)))
    assert date(2020, 1, 1) not in daily(db_url, meter.device_id)
    assert daily(db_url, meter.device_id)[date(2026, 6, 1)] == pytest.approx(24.0)
    asyncio.run(rebuild(None, None))
    assert_daily_matches(db_url, meter.device_id)
    days = daily(db_url, meter.device_id)
    # Johannesburg's midnight is 03:30 in Kolkata: the days shift by 3.5 hours
    assert days == {
        date(2026, 6, 1): pytest.approx(24.0 - 3.5),
        date(2026, 6, 2): pytest.approx(24.0),
        date(2026, 6, 3): pytest.approx(3.5),
    }


def test_import_csv_keeps_the_days(
    db_url: URL,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
    tmp_path: Path,
) -> None:
    meter = make_device("Europe/Berlin")
    start = datetime(2026, 3, 28, tzinfo=BERLIN).astimezone(UTC)  # over the spring change
    lines = ["time,power_kw,energy_import_kwh"]
    for minute in range(0, 3 * 24 * 60, 5):
        lines.append(f"{(start + timedelta(minutes=minute)).isoformat()},6,{minute / 10:.4f}")
    csv_file = tmp_path / "history.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    result = portal(db_url, "import-csv", str(meter.device_id), str(csv_file))
    assert result.returncode == 0, result.stderr
    assert_daily_matches(db_url, meter.device_id)
    days = daily(db_url, meter.device_id)
    assert days[date(2026, 3, 28)] == pytest.approx(24 * 6.0)
    assert days[date(2026, 3, 29)] == pytest.approx(23 * 6.0)
    points = admin_client.get(
        f"/api/devices/{meter.device_id}/energy",
        params={"start": "2026-03-28", "end": "2026-03-31", "interval": "day"},
    ).json()["points"]
    assert [p["energy_import_kwh"] for p in points[:2]] == [
        pytest.approx(24 * 6.0),
        pytest.approx(23 * 6.0),
    ]


def test_day_and_month_reads_use_the_daily_rollup_only_in_the_sites_zone(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    """Energy by day or month and the summary's energy read ``rollup_1d`` when the zone asked
    for is the devices' own; another zone falls back to the 15-minute buckets."""
    meter = make_device("Asia/Kolkata")
    rows = steady(datetime(2026, 6, 1, tzinfo=KOLKATA), 48, 2.0)
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    wait_for_rollups(db_url)
    # mark one daily row, so a read that uses the daily rollup shows it
    sql(
        db_url,
        "UPDATE monitoring.rollup_1d SET energy_import_kwh = 1000 WHERE device_id = %s "
        "AND day = '2026-06-02'",
        meter.device_id,
    )
    selection = repository.SeriesSelection.devices([meter.device_id])
    june = (date(2026, 6, 1), date(2026, 7, 1))

    async def read(zone: str) -> tuple[list[float | None], list[float | None], float]:
        database = Database.from_url(db_url)
        try:
            async with database.session() as db:
                days = await repository.energy(db, selection, *june, Interval.DAY, zone)
                months = await repository.energy(db, selection, *june, Interval.MONTH, zone)
                summary = await repository.summary(db, [meter.device_id], *june, zone)
        finally:
            await database.dispose()
        return (
            [p.energy_import_kwh for p in days.points[:3]],
            [p.energy_import_kwh for p in months.points],
            summary.energy_import_kwh,
        )

    days, months, total = asyncio.run(read("Asia/Kolkata"))
    assert days == [pytest.approx(48.0), 1000.0, 0.0]
    assert months == [pytest.approx(1048.0)]
    assert total == pytest.approx(1048.0)
    # Johannesburg is 3.5 hours behind (the first 7 kWh fall on 31 May there): its days
    # come from the 15-minute buckets
    days, months, total = asyncio.run(read("Africa/Johannesburg"))
    assert days == [pytest.approx(48.0), pytest.approx(41.0), None]
    assert months == [pytest.approx(89.0)]
    assert total == pytest.approx(89.0)
