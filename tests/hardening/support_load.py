"""Helpers for the load and fault tests: simulated meters, an async HTTP driver that
times every request, and the consistency checks run against what was acknowledged.

A meter's cumulative import register is a pure function of the reading's time
(``register_at``), so whatever order batches arrive in, and whatever subset of
them was stored, the energy of the stored rows is known exactly: the register
of the newest stored reading minus that of the oldest.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.database import sql
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
LIVE_START = datetime(2026, 6, 1, tzinfo=UTC)
KWH_PER_MINUTE = 0.05
MINUTE = timedelta(minutes=1)


def register_at(moment: datetime) -> float:
    """The meter's import register (kWh) at ``moment``: it only ever grows."""
    return round((moment - EPOCH) / MINUTE * KWH_PER_MINUTE, 6)


def reading(moment: datetime) -> dict[str, Any]:
    minute = int((moment - EPOCH) / MINUTE)
    return {
        "time": moment.isoformat(),
        "power_kw": 3.0 + minute % 7,
        "voltage_l1_v": 230.0 + minute % 3,
        "energy_import_kwh": register_at(moment),
    }


# ---------------------------------------------------------------- meters and batches


@dataclass
class Batch:
    times: list[datetime]
    outcome: str = "pending"  # acked | refused | lost
    accepted: int | None = None
    duplicates: int | None = None

    def body(self) -> dict[str, Any]:
        return {"measurements": [reading(t) for t in self.times]}


@dataclass
class Meter:
    """One device and what the portal acknowledged of its batches."""

    index: int
    site_id: int
    device_id: int
    token: str
    live_cursor: datetime = LIVE_START
    history_cursor: datetime = LIVE_START
    stored: set[datetime] = field(default_factory=set)  # times acknowledged as stored
    batches: list[Batch] = field(default_factory=list)
    accepted: int = 0  # the sum of the "accepted" counts the portal answered

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def live_batch(self, rows: int) -> Batch:
        """The next ``rows`` minutes of live readings."""
        times = [self.live_cursor + k * MINUTE for k in range(rows)]
        self.live_cursor += rows * MINUTE
        return self._new(times)

    def history_batch(self, rows: int) -> Batch:
        """A replayed offline buffer: the ``rows`` minutes before anything sent so far."""
        self.history_cursor -= rows * MINUTE
        return self._new([self.history_cursor + k * MINUTE for k in range(rows)])

    def overlap_batch(self, rows: int) -> Batch:
        """The last few live minutes again, followed by new ones (a partial re-delivery)."""
        back = min(rows // 2, int((self.live_cursor - LIVE_START) / MINUTE))
        start = self.live_cursor - back * MINUTE
        times = [start + k * MINUTE for k in range(rows)]
        self.live_cursor = max(self.live_cursor, times[-1] + MINUTE)
        return self._new(times)

    def redelivery(self, rng: random.Random) -> Batch | None:
        """An acknowledged batch sent again, whole: every row is a duplicate."""
        acked = [b for b in self.batches if b.outcome == "acked"]
        if not acked:
            return None
        return self._new(list(rng.choice(acked).times))

    def _new(self, times: list[datetime]) -> Batch:
        batch = Batch(times)
        self.batches.append(batch)
        return batch

    def expected(self, batch: Batch) -> tuple[int, int]:
        """(accepted, duplicates) the portal must answer, given what it acknowledged before."""
        unique = set(batch.times)
        new = len(unique - self.stored)
        return new, len(batch.times) - new

    def acknowledge(self, batch: Batch, answer: dict[str, Any]) -> bool:
        """Record a 200; False when its counts are not the expected ones."""
        expected = self.expected(batch)
        batch.outcome = "acked"
        batch.accepted, batch.duplicates = int(answer["accepted"]), int(answer["duplicates"])
        self.stored |= set(batch.times)
        self.accepted += batch.accepted
        return (batch.accepted, batch.duplicates) == expected

    def expected_energy(self) -> float:
        if not self.stored:
            return 0.0
        return register_at(max(self.stored)) - register_at(min(self.stored))


# ---------------------------------------------------------------- timing


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Sample:
    kind: str
    status: int | None  # None: no HTTP answer (connection refused, reset, timeout)
    seconds: float
    ok: bool
    note: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def record(
        self, kind: str, status: int | None, seconds: float, ok: bool, note: str = ""
    ) -> None:
        self.samples.append(Sample(kind, status, seconds, ok, note))

    def stop(self) -> None:
        self.finished = time.monotonic()

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if not s.ok]

    def stats(self, kind: str | None = None) -> dict[str, float]:
        chosen = [s for s in self.samples if kind is None or s.kind == kind]
        if not chosen:
            return {"n": 0}
        ms = [s.seconds * 1000 for s in chosen]
        return {
            "n": len(chosen),
            "per_s": len(chosen) / self.elapsed,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms),
            "errors": sum(1 for s in chosen if not s.ok),
        }

    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.samples})

    def table(self) -> str:
        """A readable per-kind table (printed with ``-s`` and kept in the report)."""
        head = ("n", "req/s", "p50", "p95", "p99", "max")
        lines = [f"{'kind':<16}" + "".join(f"{h:>8}" for h in head) + f"{'err':>5}"]
        for kind in [*self.kinds(), None]:
            s = self.stats(kind)
            lines.append(
                f"{kind or 'all':<16}{s['n']:>8.0f}{s['per_s']:>8.1f}{s['p50_ms']:>8.1f}"
                f"{s['p95_ms']:>8.1f}{s['p99_ms']:>8.1f}{s['max_ms']:>8.1f}{s['errors']:>5.0f}"
            )
        return "\n".join(lines)


async def timed(
    http: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> tuple[httpx.Response | None, float, str]:
    """One request: (response or None, seconds, error name when there was no answer)."""
    started = time.perf_counter()
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        return None, time.perf_counter() - started, type(exc).__name__
    return response, time.perf_counter() - started, ""


async def post_batch(
    http: httpx.AsyncClient, base_url: str, meter: Meter, batch: Batch, wait_s: float = 30
) -> tuple[httpx.Response | None, float, str]:
    """Post one batch; ``wait_s`` bounds the answer (a hang shows as ReadTimeout)."""
    return await timed(
        http,
        "POST",
        f"{base_url}/api/ingest/measurements",
        json=batch.body(),
        headers=meter.headers,
        timeout=wait_s,
    )


# ---------------------------------------------------------------- setting up


def make_meters(base_url: str, count: int, devices_per_site: int = 4) -> list[Meter]:
    """``count`` devices on sites of ``devices_per_site``, each with an ingest token."""
    meters: list[Meter] = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        login = http.post("/api/auth/login", json=credentials)
        assert login.status_code == 200, login.text
        http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
        site_id = 0
        for index in range(count):
            if index % devices_per_site == 0:
                site = http.post("/api/sites", json={"name": f"Plant {index}", "timezone": "UTC"})
                assert site.status_code == 201, site.text
                site_id = int(site.json()["id"])
            device = http.post(
                f"/api/sites/{site_id}/devices",
                json={"name": f"Meter {index}", "serial": f"LOAD-{index:04d}"},
            )
            assert device.status_code == 201, device.text
            device_id = int(device.json()["id"])
            token = http.post(f"/api/devices/{device_id}/tokens", json={})
            assert token.status_code == 201, token.text
            meters.append(Meter(index, site_id, device_id, token.json()["token"]))
    return meters


# ---------------------------------------------------------------- consistency


def stored_times(db_url: URL) -> dict[int, set[datetime]]:
    found: dict[int, set[datetime]] = defaultdict(set)
    query = "SELECT device_id, time FROM monitoring.power_measurements"
    for device_id, moment in sql(db_url, query):
        assert isinstance(device_id, int)
        assert isinstance(moment, datetime)
        found[device_id].add(moment)
    return found


@dataclass(frozen=True)
class Audit:
    """What the acknowledged batches say against what the database holds."""

    acked_batches: int
    refused_batches: int
    lost_batches: int  # no HTTP answer (the portal died)
    rows_acknowledged: int
    rows_stored: int
    rows_lost: int  # acknowledged but not stored
    partial_batches: int  # batches neither wholly stored nor wholly absent


def audit(db_url: URL, meters: Iterable[Meter]) -> Audit:
    """Every acknowledged batch stored whole; every other batch all or nothing."""
    stored = stored_times(db_url)
    acked = refused = lost = partial = rows_lost = rows_ack = 0
    for meter in meters:
        have = stored.get(meter.device_id, set())
        for batch in meter.batches:
            present = sum(1 for t in set(batch.times) if t in have)
            if batch.outcome == "acked":
                acked += 1
            else:
                refused += batch.outcome == "refused"
                lost += batch.outcome == "lost"
                partial += present not in (0, len(set(batch.times)))
        rows_ack += len(meter.stored)
        rows_lost += len(meter.stored - have)
    return Audit(
        acked_batches=acked,
        refused_batches=refused,
        lost_batches=lost,
        rows_acknowledged=rows_ack,
        rows_stored=sum(len(v) for v in stored.values()),
        rows_lost=rows_lost,
        partial_batches=partial,
    )


_RAW_SQL = """
    WITH r AS (
        SELECT device_id, energy_import_kwh AS v,
               lag(energy_import_kwh) OVER (PARTITION BY device_id ORDER BY time) AS p
        FROM monitoring.power_measurements
    )
    SELECT device_id, count(*),
           coalesce(sum(CASE WHEN p IS NULL OR v IS NULL THEN 0
                             WHEN v >= p THEN v - p ELSE v END), 0)
    FROM r GROUP BY device_id
"""
_ROLLUP_SQL = """
    SELECT device_id, sum(sample_count), sum(energy_import_kwh)
    FROM monitoring.rollup_15m GROUP BY device_id
"""


@dataclass(frozen=True)
class DeviceTotals:
    rows: int
    energy_kwh: float


def _totals(db_url: URL, query: str) -> dict[int, DeviceTotals]:
    found: dict[int, DeviceTotals] = {}
    for device_id, rows, energy in sql(db_url, query):
        assert isinstance(device_id, int)
        found[device_id] = DeviceTotals(int(str(rows)), float(str(energy)))
    return found


def raw_totals(db_url: URL) -> dict[int, DeviceTotals]:
    return _totals(db_url, _RAW_SQL)


def rollup_totals(db_url: URL) -> dict[int, DeviceTotals]:
    return _totals(db_url, _ROLLUP_SQL)


def assert_rollups_match_raw(db_url: URL, meters: Iterable[Meter] | None = None) -> int:
    """Rollup sample counts and energy equal the raw rows' (and the meters' registers).

    Returns the number of devices checked.
    """
    raw, rolled = raw_totals(db_url), rollup_totals(db_url)
    assert set(rolled) == set(raw), (sorted(raw), sorted(rolled))
    for device_id, totals in raw.items():
        assert rolled[device_id].rows == totals.rows, device_id
        assert rolled[device_id].energy_kwh == pytest.approx(totals.energy_kwh, rel=1e-9, abs=1e-6)
    for meter in meters or ():
        if meter.stored:
            assert raw[meter.device_id].energy_kwh == pytest.approx(
                meter.expected_energy(), rel=1e-9, abs=1e-6
            ), meter.device_id
    return len(raw)


def rollup_pending(db_url: URL) -> int:
    [(n,)] = sql(db_url, "SELECT count(*) FROM monitoring.rollup_pending")
    assert isinstance(n, int)
    return n


async def gather_all(*tasks: Any) -> None:
    """Run coroutines together; the first failure cancels the rest and is raised."""
    async with asyncio.TaskGroup() as group:
        for task in tasks:
            group.create_task(task)
