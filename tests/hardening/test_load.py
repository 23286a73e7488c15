"""Load: a bounded, mixed load on a real ``portal serve`` over loopback, then an audit.

Twenty meters post live readings (1 to 10 rows), replayed offline buffers (500 to 2,000
rows, older than anything sent so far), partial re-deliveries (half old, half
new) and whole re-deliveries (all duplicates); viewers read energy, site energy,
series, summaries and latest readings; a user logs in again and again. Every
request must get its expected status, every ingest answer its exact
``accepted``/``duplicates`` counts; at the end the stored rows equal what was
acknowledged, device by device, and the rollups agree with the raw rows.

Short form ``scaled(20, 180)`` seconds; figures per request kind are reported.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.hardening.support_load import (
    LIVE_START,
    Meter,
    Recorder,
    assert_rollups_match_raw,
    audit,
    gather_all,
    make_meters,
    post_batch,
    timed,
)
from tests.support.database import url_string, wait_for_rollups
from tests.support.hardening import scaled
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, PortalProcess

pytestmark = pytest.mark.slow

DEVICES = 20
VIEWERS = 3
SECONDS = scaled(20, 180)
VIEWER_EMAIL = "load-viewer@example.com"
VIEWER_PASSWORD = "viewer-load-password-1"


async def device_user(
    base_url: str, http: httpx.AsyncClient, meter: Meter, stop_at: float, rec: Recorder
) -> None:
    rng = random.Random(meter.index)
    while time.monotonic() < stop_at:
        draw = rng.random()
        batch = None
        if draw < 0.10:
            kind, batch = "redelivery", meter.redelivery(rng)
        elif draw < 0.20:
            kind, batch = "ingest_overlap", meter.overlap_batch(rng.randint(4, 20))
        elif draw < 0.30:
            kind, batch = "ingest_large", meter.history_batch(rng.choice((500, 1000, 2000)))
        if batch is None:
            kind, batch = "ingest_small", meter.live_batch(rng.randint(1, 10))
        response, seconds, error = await post_batch(http, base_url, meter, batch, wait_s=60)
        if response is not None and response.status_code == 200:
            ok = meter.acknowledge(batch, response.json())
            note = "" if ok else f"counts {response.json()} != {meter.expected(batch)}"
        else:
            batch.outcome = "refused" if response is not None else "lost"
            ok, note = False, error or f"{response.status_code if response else ''}"
        rec.record(kind, response.status_code if response else None, seconds, ok, note)


async def viewer_user(
    base_url: str, meters: list[Meter], number: int, stop_at: float, rec: Recorder
) -> None:
    rng = random.Random(1000 + number)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        login = await http.post(
            "/api/auth/login", json={"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD}
        )
        assert login.status_code == 200, login.text
        while time.monotonic() < stop_at:
            meter = rng.choice(meters)
            day = LIVE_START.date()
            choices: list[tuple[str, str, dict[str, str]]] = [
                (
                    "energy",
                    f"/api/devices/{meter.device_id}/energy",
                    {"start": str(day - timedelta(days=30)), "end": str(day + timedelta(days=30))},
                ),
                (
                    "site_energy",
                    f"/api/sites/{meter.site_id}/energy",
                    {
                        "start": str(day - timedelta(days=1)),
                        "end": str(day + timedelta(days=2)),
                        "interval": "hour",
                    },
                ),
                (
                    "series",
                    f"/api/devices/{meter.device_id}/series",
                    {
                        "start": LIVE_START.isoformat(),
                        "end": (LIVE_START + timedelta(days=rng.choice((1, 7)))).isoformat(),
                    },
                ),
                (
                    "summary",
                    f"/api/sites/{meter.site_id}/summary",
                    {"start": str(day - timedelta(days=30)), "end": str(day + timedelta(days=30))},
                ),
            ]
            if meter.stored:
                choices.append(("latest", f"/api/devices/{meter.device_id}/latest", {}))
            kind, path, params = rng.choice(choices)
            response, seconds, error = await timed(http, "GET", path, params=params)
            ok = response is not None and response.status_code == 200
            note = error if response is None else ("" if ok else response.text[:200])
            rec.record(kind, response.status_code if response else None, seconds, ok, note)
            await asyncio.sleep(0.02)


async def login_user(base_url: str, stop_at: float, rec: Recorder) -> None:
    while time.monotonic() < stop_at:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            body = {"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD}
            response, seconds, error = await timed(http, "POST", "/api/auth/login", json=body)
            ok = response is not None and response.status_code == 200
            if ok:
                me = await http.get("/api/auth/me")
                ok = me.status_code == 200 and me.json()["email"] == VIEWER_EMAIL
            note = error if response is None else ("" if ok else response.text[:200])
            rec.record("login", response.status_code if response else None, seconds, ok, note)
        await asyncio.sleep(0.2)


async def run_load(base_url: str, meters: list[Meter], seconds: float) -> Recorder:
    rec = Recorder()
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=DEVICES * 2, max_keepalive_connections=DEVICES * 2)
    async with httpx.AsyncClient(limits=limits) as http:
        await gather_all(
            *(device_user(base_url, http, meter, stop_at, rec) for meter in meters),
            *(viewer_user(base_url, meters, n, stop_at, rec) for n in range(VIEWERS)),
            login_user(base_url, stop_at, rec),
        )
    rec.stop()
    return rec


def create_viewer(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
        made = http.post(
            "/api/users",
            json={
                "email": VIEWER_EMAIL,
                "name": "Load Viewer",
                "password": VIEWER_PASSWORD,
                "role": "viewer",
            },
        )
        assert made.status_code == 201, made.text


@pytest.mark.timeout(SECONDS + 240)
def test_mixed_load_loses_nothing(
    portal_process: Callable[..., PortalProcess],
    db_url: URL,
    hardening_report: Callable[..., None],
) -> None:
    portal = portal_process(
        PORTAL_DATABASE_URL=url_string(db_url), PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    portal.start()
    meters = make_meters(portal.url, DEVICES)
    create_viewer(portal.url)

    rec = asyncio.run(run_load(portal.url, meters, SECONDS))
    print("\n" + rec.table())

    failures = rec.failures
    assert not failures, [f"{f.kind} {f.status} {f.note}" for f in failures[:10]]

    # no row lost: what is stored is exactly what was acknowledged, device by device
    result = audit(db_url, meters)
    assert result.rows_lost == 0
    assert result.rows_stored == result.rows_acknowledged
    assert sum(m.accepted for m in meters) == result.rows_stored  # accepted counts add up

    # the rollups (once the worker has drained its log) agree with the raw rows
    settle_started = time.monotonic()
    wait_for_rollups(db_url, timeout=120)
    rollup_settle_s = time.monotonic() - settle_started
    assert assert_rollups_match_raw(db_url, meters) == DEVICES

    # and so does the energy API (month buckets over the whole span)
    with httpx.Client(base_url=portal.url, timeout=60) as http:
        http.post("/api/auth/login", json={"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD})
        for meter in meters:
            points = http.get(
                f"/api/devices/{meter.device_id}/energy",
                params={"start": "2026-01-01", "end": "2027-01-01", "interval": "month"},
            ).json()["points"]
            total = sum(p["energy_import_kwh"] or 0 for p in points)
            assert total == pytest.approx(meter.expected_energy(), rel=1e-9, abs=1e-6)

    overall = rec.stats()
    ingest = [s for s in rec.samples if s.kind.startswith("ingest") or s.kind == "redelivery"]
    figures: dict[str, object] = {
        "seconds": round(rec.elapsed, 1),
        "devices": DEVICES,
        "requests": int(overall["n"]),
        "req_per_s": overall["per_s"],
        "rows_acknowledged": result.rows_acknowledged,
        "rows_per_s": result.rows_acknowledged / rec.elapsed,
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "p99_ms": overall["p99_ms"],
        "error_rate": f"{overall['errors'] / overall['n']:.2%}",
        "ingest_batches": len(ingest),
    }
    for kind in rec.kinds():
        stats = rec.stats(kind)
        figures[f"{kind}_n"] = int(stats["n"])
        figures[f"{kind}_p50/p95/p99_ms"] = (
            f"{stats['p50_ms']:.0f}/{stats['p95_ms']:.0f}/{stats['p99_ms']:.0f}"
        )
    figures["rollup_settle_s"] = round(rollup_settle_s, 1)
    figures["rows_lost"] = result.rows_lost
    hardening_report(**figures)
