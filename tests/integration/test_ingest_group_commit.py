"""Small batches under the group commit, over real HTTP on a real PostgreSQL.

Concurrent one-row batches of many devices are stored once with each request's own counts;
duplicates across concurrent requests are counted once; a revoked token is refused by the
very next batch (the strict check in the storing transaction, even with no NOTIFY) and
dropped from the cache by the NOTIFY, a new token works without a restart; a real
``portal serve`` killed with SIGKILL mid-stream has stored every batch it answered 200.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from power_portal.core.tokens import token_digest
from power_portal.ingest.group_commit import IngestRuntime
from tests.support.database import sql, url_string, wait_for_rollups
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    MeteredDevice,
    PortalProcess,
    ingest,
    login_client,
)

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def reading(second: int, power: float = 1.5) -> dict[str, Any]:
    return {
        "time": (T0 + timedelta(seconds=second)).isoformat(),
        "power_kw": power,
        "energy_import_kwh": 100 + second / 3600,
    }


def runtime_of(server: LiveServer) -> IngestRuntime:
    assert server._server is not None
    app = server._server.config.app
    assert isinstance(app, FastAPI)
    runtime: IngestRuntime = app.state.ingest
    return runtime


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def counts(db_url: URL) -> dict[int, int]:
    rows = sql(
        db_url,
        "SELECT device_id, count(*) FROM monitoring.power_measurements GROUP BY device_id",
    )
    return {int(str(d)): int(str(n)) for d, n in rows}


async def post_all(
    base_url: str, posts: list[tuple[str, list[dict[str, Any]]]]
) -> list[httpx.Response]:
    """Every (token, rows) posted at once, one connection each."""
    limits = httpx.Limits(max_connections=len(posts))
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        return await asyncio.gather(
            *(
                http.post(
                    "/api/ingest/measurements",
                    json={"measurements": rows},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for token, rows in posts
            )
        )


def test_concurrent_one_row_batches_of_many_devices(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    devices = [make_device() for _ in range(12)]
    posts = [(d.token, [reading(i)]) for i in range(10) for d in devices]
    groups_before = runtime_of(live_server).committer.groups
    answers = asyncio.run(post_all(live_server.url, posts))
    assert [a.status_code for a in answers] == [200] * len(posts)
    assert all(a.json() == {"accepted": 1, "duplicates": 0} for a in answers)
    assert counts(db_url) == {d.device_id: 10 for d in devices}
    # fewer transactions than batches: they were grouped
    assert runtime_of(live_server).committer.groups - groups_before < len(posts)
    # each device's registers and its rollup log: the rollups match the readings
    [(seen,)] = sql(
        db_url,
        "SELECT count(*) FROM app.devices WHERE registers_seen & 1 = 1 AND id = ANY(%s)",
        [d.device_id for d in devices],
    )
    assert seen == len(devices)
    wait_for_rollups(db_url)
    [(buckets,)] = sql(
        db_url,
        "SELECT count(DISTINCT device_id) FROM monitoring.rollup_15m WHERE device_id = ANY(%s)",
        [d.device_id for d in devices],
    )
    assert buckets == len(devices)


def test_duplicates_across_concurrent_requests(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device()
    other = make_device()
    # 30 requests of one device, overlapping: seconds 0-9 each sent three times, in
    # batches of two; and the other device's copies of the same instants
    posts = [(meter.token, [reading(i % 10), reading((i + 1) % 10)]) for i in range(30)]
    posts += [(other.token, [reading(i)]) for i in range(10)]
    answers = asyncio.run(post_all(live_server.url, posts))
    assert [a.status_code for a in answers] == [200] * len(posts)
    bodies = [a.json() for a in answers]
    assert all(
        b["accepted"] + b["duplicates"] == len(rows)
        for b, (_, rows) in zip(bodies, posts, strict=True)
    )
    assert sum(b["accepted"] for b in bodies[:30]) == 10  # each instant counted once
    assert sum(b["accepted"] for b in bodies[30:]) == 10
    assert counts(db_url) == {meter.device_id: 10, other.device_id: 10}


def test_a_revoked_token_is_refused_at_once_and_a_new_one_works(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
    db_url: URL,
) -> None:
    meter = make_device()
    runtime = runtime_of(live_server)
    wait_until(lambda: runtime.cache.listening, 10, "the token listener")
    assert ingest(live_server.url, meter.token, [reading(0)]).status_code == 200
    digest = token_digest(meter.token)
    assert runtime.cache.device(digest) == meter.device_id  # cached

    tokens = admin_client.get(f"/api/devices/{meter.device_id}/tokens").json()
    revoked = admin_client.delete(f"/api/devices/{meter.device_id}/tokens/{tokens[0]['id']}")
    assert revoked.status_code in (200, 204), revoked.text
    # the very next batch is refused, whether or not the NOTIFY has arrived yet
    refused = ingest(live_server.url, meter.token, [reading(1)])
    assert refused.status_code == 401, refused.text
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    # the NOTIFY dropped it from the cache
    wait_until(lambda: runtime.cache.device(digest) is None, 10, "the NOTIFY")
    assert ingest(live_server.url, meter.token, [reading(2)]).status_code == 401

    # a new token works at once, no restart
    fresh = admin_client.post(f"/api/devices/{meter.device_id}/tokens", json={}).json()["token"]
    answer = ingest(live_server.url, fresh, [reading(3)])
    assert answer.status_code == 200, answer.text
    assert counts(db_url) == {meter.device_id: 2}


def test_the_strict_check_refuses_a_revocation_the_cache_never_heard_of(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    """A revocation that sends no NOTIFY (the trigger switched off): the cache still holds
    the token, and the storing transaction refuses the batch all the same."""
    meter = make_device()
    small, large = [reading(0)], [reading(i) for i in range(1, 300)]
    runtime = runtime_of(live_server)
    wait_until(lambda: runtime.cache.listening, 10, "the token listener")
    assert ingest(live_server.url, meter.token, small).status_code == 200
    sql(db_url, "ALTER TABLE app.device_tokens DISABLE TRIGGER device_tokens_notify")
    try:
        sql(
            db_url,
            "UPDATE app.device_tokens SET revoked_at = now() WHERE device_id = %s",
            meter.device_id,
        )
    finally:
        sql(db_url, "ALTER TABLE app.device_tokens ENABLE TRIGGER device_tokens_notify")
    assert runtime.cache.device(token_digest(meter.token)) == meter.device_id  # stale
    assert ingest(live_server.url, meter.token, [reading(500)]).status_code == 401
    # the group dropped it; a large batch (stored alone) is refused the same way
    assert ingest(live_server.url, meter.token, large).status_code == 401
    assert counts(db_url) == {meter.device_id: 1}


def test_deleting_a_device_drops_its_token(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    admin_client: httpx.Client,
) -> None:
    meter = make_device()
    runtime = runtime_of(live_server)
    wait_until(lambda: runtime.cache.listening, 10, "the token listener")
    assert ingest(live_server.url, meter.token, [reading(0)]).status_code == 200
    assert admin_client.delete(f"/api/devices/{meter.device_id}").status_code in (200, 204)
    wait_until(lambda: runtime.cache.device(token_digest(meter.token)) is None, 10, "NOTIFY")
    assert ingest(live_server.url, meter.token, [reading(1)]).status_code == 401


def test_a_dropped_committer_connection_is_replaced(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    meter = make_device()
    assert ingest(live_server.url, meter.token, [reading(0)]).status_code == 200
    [(killed,)] = sql(
        db_url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'power-portal-ingest' AND datname = current_database()",
    )
    assert killed == 1
    answer = ingest(live_server.url, meter.token, [reading(1)])
    assert answer.status_code == 200, answer.text
    assert counts(db_url) == {meter.device_id: 2}


async def stream_until_killed(
    base_url: str, devices: list[MeteredDevice], clients: int, acked: list[tuple[int, int]]
) -> int:
    """Clients post one-row batches with unique times until the portal is gone."""
    counter = 0
    failures = 0

    async def client() -> None:
        nonlocal counter, failures
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            while True:
                counter += 1
                second = counter
                device = devices[second % len(devices)]
                try:
                    answer = await http.post(
                        "/api/ingest/measurements",
                        json={"measurements": [reading(second)]},
                        headers={"Authorization": f"Bearer {device.token}"},
                    )
                except httpx.HTTPError:
                    return
                if answer.status_code == 200:
                    assert answer.json() == {"accepted": 1, "duplicates": 0}
                    acked.append((device.device_id, second))
                else:
                    failures += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return failures


@pytest.mark.timeout(180)
def test_kill_9_during_small_batches_loses_nothing_acknowledged(
    db_url: URL, portal_process: Callable[..., PortalProcess]
) -> None:
    portal = portal_process(
        PORTAL_DATABASE_URL=url_string(db_url), PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    portal.start()
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    site = admin.post("/api/sites", json={"name": "Site", "timezone": "UTC"}).json()["id"]
    devices = []
    for n in range(8):
        device = admin.post(
            f"/api/sites/{site}/devices", json={"name": f"M{n}", "serial": f"K9-{n}"}
        ).json()["id"]
        token = admin.post(f"/api/devices/{device}/tokens", json={}).json()["token"]
        devices.append(MeteredDevice(site, device, token))
    admin.close()

    acked: list[tuple[int, int]] = []

    async def run() -> None:
        stream = asyncio.create_task(stream_until_killed(portal.url, devices, 24, acked))
        deadline = time.monotonic() + 60
        while len(acked) < 300:  # well under way
            assert time.monotonic() < deadline, "the stream never got going"
            assert not stream.done(), stream
            await asyncio.sleep(0.01)
        await asyncio.to_thread(portal.kill)
        await stream

    asyncio.run(run())
    assert len(acked) >= 300
    rows = sql(
        db_url,
        "SELECT device_id, CAST(extract(epoch FROM time - %s) AS int) "
        "FROM monitoring.power_measurements",
        T0,
    )
    stored = {(int(str(device_id)), int(str(second))) for device_id, second in rows}
    missing = [key for key in acked if key not in stored]
    assert missing == []  # every batch answered 200 is stored
    per_device = Counter(device_id for device_id, _ in stored)
    assert all(per_device[d] >= n for d, n in Counter(d for d, _ in acked).items())
