"""Energy from the cumulative registers: attribution, pro rata, resets, late rows, time zones."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.database import sql, wait_for_rollups
from tests.support.energy_reference import energy_by_bucket
from tests.support.portal import LiveServer, MeteredDevice, ingest


def reading(moment: datetime, kwh: float, **extra: float) -> dict[str, Any]:
    return {"time": moment.isoformat(), "energy_import_kwh": kwh, **extra}


def energy(
    http: httpx.Client, device_id: int, start: str, end: str, interval: str
) -> list[dict[str, Any]]:
    response = http.get(
        f"/api/devices/{device_id}/energy",
        params={"start": start, "end": end, "interval": interval},
    )
    assert response.status_code == 200, response.text
    points: list[dict[str, Any]] = response.json()["points"]
    return points


def by_start(points: list[dict[str, Any]]) -> dict[str, float | None]:
    return {p["start"]: p["energy_import_kwh"] for p in points}


@pytest.fixture
def jhb(make_device: Callable[..., MeteredDevice]) -> MeteredDevice:
    return make_device("Africa/Johannesburg")


SAST = ZoneInfo("Africa/Johannesburg")


def test_a_reading_closes_the_interval_before_it(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    ingest(
        live_server.url,
        jhb.token,
        [
            reading(datetime(2026, 6, 1, 6, tzinfo=SAST), 100.0),
            reading(datetime(2026, 6, 1, 7, tzinfo=SAST), 110.0),
        ],
    )
    points = by_start(energy(admin_client, jhb.device_id, "2026-06-01", "2026-06-02", "hour"))
    assert len(points) == 24
    assert points["2026-06-01T06:00:00+02:00"] == pytest.approx(10.0)
    # the 07:00 reading is data in the 07:00 hour, but no energy belongs there yet
    assert points["2026-06-01T07:00:00+02:00"] == 0.0
    assert points["2026-06-01T05:00:00+02:00"] is None  # nothing known: a gap, not a zero


def test_an_interval_across_a_boundary_is_split_pro_rata(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    ingest(
        live_server.url,
        jhb.token,
        [
            reading(datetime(2026, 6, 1, 6, 30, tzinfo=SAST), 0.0),
            reading(datetime(2026, 6, 1, 7, 50, tzinfo=SAST), 8.0),
        ],
    )
    points = by_start(energy(admin_client, jhb.device_id, "2026-06-01", "2026-06-02", "hour"))
    assert points["2026-06-01T06:00:00+02:00"] == pytest.approx(3.0)  # 30 of 80 minutes
    assert points["2026-06-01T07:00:00+02:00"] == pytest.approx(5.0)  # 50 of 80 minutes


def test_a_register_going_backwards_is_a_reset(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    day = datetime(2026, 6, 2, tzinfo=SAST)
    ingest(
        live_server.url,
        jhb.token,
        [
            reading(day + timedelta(hours=1), 5000.0),
            reading(day + timedelta(hours=2), 5010.0),
            reading(day + timedelta(hours=3), 4.0),  # meter reset, then 4 kWh counted from zero
            reading(day + timedelta(hours=4), 9.0),
        ],
    )
    points = energy(admin_client, jhb.device_id, "2026-06-02", "2026-06-03", "day")
    assert points == [
        {
            "start": "2026-06-02T00:00:00+02:00",
            "energy_import_kwh": pytest.approx(19.0),
            "energy_export_kwh": 0.0,
        }
    ]


def test_a_late_row_changes_the_days_energy(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    """A meter replays its offline buffer: a reading arrives long after its neighbours."""
    d1 = datetime(2026, 6, 3, 22, tzinfo=SAST)
    d2 = datetime(2026, 6, 4, 2, tzinfo=SAST)
    ingest(live_server.url, jhb.token, [reading(d1, 0.0), reading(d2, 40.0)])
    before = by_start(energy(admin_client, jhb.device_id, "2026-06-03", "2026-06-05", "day"))
    assert before["2026-06-03T00:00:00+02:00"] == pytest.approx(20.0)  # 2 of 4 hours
    assert before["2026-06-04T00:00:00+02:00"] == pytest.approx(20.0)
    # the replayed reading says almost all of it was used before midnight
    late = ingest(live_server.url, jhb.token, [reading(datetime(2026, 6, 4, 0, tzinfo=SAST), 36.0)])
    assert late.json() == {"accepted": 1, "duplicates": 0}
    after = by_start(energy(admin_client, jhb.device_id, "2026-06-03", "2026-06-05", "day"))
    assert after["2026-06-03T00:00:00+02:00"] == pytest.approx(36.0)
    assert after["2026-06-04T00:00:00+02:00"] == pytest.approx(4.0)


def test_months_late_backfill_reaches_the_month_totals(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    start = datetime(2026, 1, 1, tzinfo=SAST)
    live = [reading(start + timedelta(days=60 + h / 24), 1000.0 + h) for h in range(48)]
    ingest(live_server.url, jhb.token, live)
    replay = [reading(start + timedelta(days=d), 10.0 * d) for d in range(0, 59)]
    assert ingest(live_server.url, jhb.token, replay).json()["accepted"] == 59
    months = by_start(energy(admin_client, jhb.device_id, "2026-01-01", "2026-04-01", "month"))
    total = sum(v for v in months.values() if v is not None)
    # 58 days of 10 kWh, then the step up to 1000 (not a reset: it rose), then 47 kWh
    assert total == pytest.approx(580.0 + (1000.0 - 580.0) + 47.0)
    assert months["2026-01-01T00:00:00+02:00"] == pytest.approx(10.0 * 31)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_arrival_order_gives_the_same_energy(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
    seed: int,
) -> None:
    """Readings every ~7 minutes for 3 days, sent in random batches in random order."""
    rng = random.Random(seed)
    meter = make_device("Asia/Kolkata")
    zone = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 7, 1, tzinfo=zone).astimezone(UTC) - timedelta(hours=2)
    readings: list[tuple[datetime, float]] = []
    moment, value = start, 500.0
    while moment < start + timedelta(days=3):
        readings.append((moment, value))
        moment += timedelta(minutes=rng.choice([1, 5, 7, 13, 30]))
        value += rng.uniform(0, 3)
    shuffled = readings[:]
    rng.shuffle(shuffled)
    for i in range(0, len(shuffled), 97):
        batch = [reading(t, v) for t, v in shuffled[i : i + 97]]
        assert ingest(live_server.url, meter.token, batch).status_code == 200

    def local_day(moment: datetime) -> datetime:
        local = moment.astimezone(zone)
        return datetime(local.year, local.month, local.day, tzinfo=zone)

    expected = energy_by_bucket(
        readings, local_day, lambda d: local_day(d + timedelta(days=1, hours=1))
    )
    points = by_start(energy(admin_client, meter.device_id, "2026-06-30", "2026-07-05", "day"))
    for day_start, kwh in expected.items():
        assert points[day_start.isoformat()] == pytest.approx(kwh, abs=1e-6), day_start


def test_berlin_dst_days_have_23_and_25_hours(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], admin_client: httpx.Client
) -> None:
    meter = make_device("Europe/Berlin")
    rows = []
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        lo = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Berlin"))
        for k in range(0, 26 * 60 + 1, 15):
            moment = lo.astimezone(UTC) + timedelta(minutes=k)
            rows.append(reading(moment, k / 60))  # 1 kWh per hour, steady
    assert ingest(live_server.url, meter.token, rows).status_code == 200
    spring = energy(admin_client, meter.device_id, "2026-03-29", "2026-03-30", "hour")
    autumn = energy(admin_client, meter.device_id, "2026-10-25", "2026-10-26", "hour")
    assert len(spring) == 23
    assert len(autumn) == 25
    # the repeated 02:00 hour appears twice, once per offset
    autumn_starts = [p["start"] for p in autumn]
    assert "2026-10-25T02:00:00+02:00" in autumn_starts
    assert "2026-10-25T02:00:00+01:00" in autumn_starts
    assert all(p["energy_import_kwh"] == pytest.approx(1.0) for p in autumn)
    days = by_start(energy(admin_client, meter.device_id, "2026-10-25", "2026-10-26", "day"))
    assert days["2026-10-25T00:00:00+02:00"] == pytest.approx(25.0)
    spring_day = by_start(energy(admin_client, meter.device_id, "2026-03-29", "2026-03-30", "day"))
    assert spring_day["2026-03-29T00:00:00+01:00"] == pytest.approx(23.0)


def test_kolkata_half_hour_offset_hours_and_days(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], admin_client: httpx.Client
) -> None:
    meter = make_device("Asia/Kolkata")
    zone = ZoneInfo("Asia/Kolkata")
    lo = datetime(2026, 8, 1, tzinfo=zone)
    rows = [reading(lo + timedelta(minutes=15 * k), 2.0 * k) for k in range(-8, 4 * 24 + 9)]
    ingest(live_server.url, meter.token, rows)  # 8 kWh per hour, steady
    hours = energy(admin_client, meter.device_id, "2026-08-01", "2026-08-02", "hour")
    assert len(hours) == 24
    assert hours[0]["start"] == "2026-08-01T00:00:00+05:30"
    assert all(p["energy_import_kwh"] == pytest.approx(8.0) for p in hours)
    day = energy(admin_client, meter.device_id, "2026-08-01", "2026-08-02", "day")
    assert day[0]["energy_import_kwh"] == pytest.approx(192.0)


def test_site_energy_sums_its_devices(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], admin_client: httpx.Client
) -> None:
    a = make_device()
    b = make_device(site_id=a.site_id)
    day = datetime(2026, 6, 10, tzinfo=SAST)
    ingest(
        live_server.url,
        a.token,
        [reading(day + timedelta(hours=1), 0), reading(day + timedelta(hours=2), 3)],
    )
    ingest(
        live_server.url,
        b.token,
        [reading(day + timedelta(hours=1), 0), reading(day + timedelta(hours=2), 4)],
    )
    response = admin_client.get(
        f"/api/sites/{a.site_id}/energy",
        params={"start": "2026-06-10", "end": "2026-06-11", "interval": "day"},
    )
    assert response.json() == {
        "timezone": "Africa/Johannesburg",
        "interval": "day",
        "points": [
            {
                "start": "2026-06-10T00:00:00+02:00",
                "energy_import_kwh": 7.0,
                "energy_export_kwh": 0.0,
            }
        ],
    }


def test_energy_query_validation(admin_client: httpx.Client, jhb: MeteredDevice) -> None:
    backwards = admin_client.get(
        f"/api/devices/{jhb.device_id}/energy", params={"start": "2026-06-02", "end": "2026-06-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"] == ["body", "end"]
    bad_interval = admin_client.get(
        f"/api/devices/{jhb.device_id}/energy",
        params={"start": "2026-06-01", "end": "2026-06-02", "interval": "week"},
    )
    assert bad_interval.status_code == 422
    assert (
        admin_client.get(
            "/api/devices/9999/energy", params={"start": "2026-06-01", "end": "2026-06-02"}
        ).status_code
        == 404
    )


def test_latest_reading(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    assert admin_client.get(f"/api/devices/{jhb.device_id}/latest").status_code == 404
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    ingest(
        live_server.url,
        jhb.token,
        [reading(t, 1.0, power_kw=5.5), reading(t - timedelta(hours=1), 0.5, power_kw=1.0)],
    )
    latest = admin_client.get(f"/api/devices/{jhb.device_id}/latest").json()
    assert latest["power_kw"] == 5.5
    assert latest["energy_import_kwh"] == 1.0
    assert datetime.fromisoformat(latest["time"]) == t
    assert "voltage_l1_v" not in latest


def test_series_picks_a_bucket_from_the_span(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    rows = [
        {
            "time": (t0 + timedelta(minutes=m)).isoformat(),
            "power_kw": 10.0 + (m % 60) / 10,
            "voltage_l1_v": 230.0,
        }
        for m in range(0, 3 * 24 * 60)
    ]
    for i in range(0, len(rows), 2000):
        ingest(live_server.url, jhb.token, rows[i : i + 2000])

    def series(start: datetime, end: datetime) -> dict[str, Any]:
        response = admin_client.get(
            f"/api/devices/{jhb.device_id}/series",
            params={
                "start": start.isoformat(),
                "end": end.isoformat(),
                "fields": ["power_kw", "voltage_l1_v"],
            },
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    short = series(t0, t0 + timedelta(hours=2))
    assert short["source"] == "raw"
    assert short["bucket_seconds"] == 60
    assert len(short["times"]) == 120
    assert short["series"]["power_kw"]["avg"][5] == pytest.approx(10.5)

    long = series(t0, t0 + timedelta(days=365))
    assert long["source"] == "rollup_15m"
    assert len(long["times"]) <= 400
    day_bucket = long["bucket_seconds"]
    assert day_bucket == 86400
    power = long["series"]["power_kw"]
    assert power["min"][0] == pytest.approx(10.0)
    assert power["max"][0] == pytest.approx(15.9)
    assert power["avg"][0] == pytest.approx(12.95)
    assert power["avg"][5] is None  # no data that day: a gap, not a zero
    assert long["series"]["voltage_l1_v"]["avg"][1] == pytest.approx(230.0)

    unknown = admin_client.get(
        f"/api/devices/{jhb.device_id}/series",
        params={
            "start": t0.isoformat(),
            "end": (t0 + timedelta(hours=1)).isoformat(),
            "fields": ["power_kw; DROP TABLE x"],
        },
    )
    assert unknown.status_code == 422


def test_summary_peak_demand_and_power_factor(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client
) -> None:
    t0 = datetime(2026, 6, 5, 8, tzinfo=SAST)
    rows = []
    kwh = 0.0
    for m in range(0, 4 * 60 + 1, 15):
        rows.append(
            reading(
                t0 + timedelta(minutes=m), kwh, power_factor=0.9, apparent_energy_kvah=kwh / 0.9
            )
        )
        kwh += 25.0 if 60 <= m < 90 else 5.0  # 100 kW for one half hour, else 20 kW
    ingest(live_server.url, jhb.token, rows)
    summary = admin_client.get(
        f"/api/sites/{jhb.site_id}/summary", params={"start": "2026-06-05", "end": "2026-06-06"}
    ).json()
    assert summary["peak_demand_kw"] == pytest.approx(100.0)
    assert summary["peak_demand_kva"] == pytest.approx(100.0 / 0.9, rel=1e-3)
    assert summary["peak_demand_at"] == "2026-06-05T09:00:00+02:00"
    assert summary["average_power_factor"] == pytest.approx(0.9)
    assert summary["energy_import_kwh"] == pytest.approx(rows[-1]["energy_import_kwh"])


def test_a_register_first_sent_later_is_rolled_up(
    live_server: LiveServer, jhb: MeteredDevice, admin_client: httpx.Client, db_url: URL
) -> None:
    """Rollups rebuild only the registers a meter has sent; a new one joins at once."""
    t0 = datetime(2026, 6, 8, 8, tzinfo=SAST)
    first = [reading(t0 + timedelta(minutes=15 * k), 10.0 * k) for k in range(9)]
    ingest(live_server.url, jhb.token, first)
    assert sql(db_url, "SELECT registers_seen FROM app.devices WHERE id = %s", jhb.device_id) == [
        (1,)
    ]
    later = [
        reading(t0 + timedelta(minutes=15 * k), 10.0 * k, apparent_energy_kvah=20.0 * k)
        for k in range(9, 17)
    ]
    ingest(live_server.url, jhb.token, later)
    mask = sql(db_url, "SELECT registers_seen FROM app.devices WHERE id = %s", jhb.device_id)
    assert mask == [(1 | 16,)]
    wait_for_rollups(db_url)
    [(kvah,)] = sql(
        db_url,
        "SELECT sum(apparent_energy_kvah) FROM monitoring.rollup_15m WHERE device_id = %s",
        jhb.device_id,
    )
    assert kvah == pytest.approx(20.0 * 7)  # 7 intervals between the 8 apparent readings
