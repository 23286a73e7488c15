"""Faults: each test breaks something under a real portal, then checks the data against
what was acknowledged.

- PostgreSQL stopped mid-ingest: 503 with a JSON ``detail`` and ``Retry-After``,
  in bounded time, never a 500; after the restart every acknowledged batch is
  there and no refused batch is there in part.
- ``kill -9`` of the portal during ingest (several clients) and during a fleet
  push tick (the client, then the admin), with restarts: nothing acknowledged is
  lost, every batch is all-or-nothing, the rollup log left behind is drained at
  start-up, the admin ends with exactly the client's rows.
- The admin stack down for an hour of simulated time (every push timing setting
  divided by the same factor): the client keeps ingesting and backs off up to
  the cap, then everything arrives exactly once.
- A full disk in the data dir for a logo upload (a real, tiny tmpfs): 507, the
  old logo kept.
- Clocks hours ahead or behind: a meter's, and a fleet client stack's.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import random
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from PIL import Image
from pydantic import SecretStr
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from power_portal.core.errors import install_error_handlers
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.engine import Database
from power_portal.fleet import push as push_module
from power_portal.fleet.push import FleetPusher, backoff
from power_portal.ingest import service as ingest_service
from power_portal.measurements.rollup_queue import ROLLUP_LOCK_NAMESPACE
from power_portal.settings import FleetSettings, RunMode, Settings
from tests.hardening.support_fleet import (
    FleetPair,
    accepted_by_admin,
    admin_fingerprint,
    admin_rows,
    admin_session,
    client_fingerprint,
    create_customer,
    fleet_rollup_totals,
    wait_until,
)
from tests.hardening.support_load import (
    MINUTE,
    Batch,
    Meter,
    Recorder,
    assert_rollups_match_raw,
    audit,
    gather_all,
    make_meters,
    post_batch,
    raw_totals,
    rollup_pending,
)
from tests.support.database import psycopg_conninfo, sql, url_string, wait_for_rollups
from tests.support.hardening import scaled
from tests.support.portal import ADMIN_PASSWORD, LiveServer, PortalProcess, free_port, ingest

pytestmark = pytest.mark.slow

# A client must get an answer within this, even while the database is down.
BOUNDED_ANSWER_S = 10.0


def portal_env(db_url: URL) -> dict[str, str]:
    return {"PORTAL_DATABASE_URL": url_string(db_url), "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD}


async def replay(base_url: str, meters: list[Meter]) -> int:
    """Each meter re-sends the batches it got no 200 for (its offline buffer).

    Each must now be taken whole: either all of it is new, or all of it was
    already stored (its commit went through but the answer never came).
    Returns the number of batches that had been stored without an answer.
    """
    stored_unanswered = 0
    async with httpx.AsyncClient(timeout=60) as http:
        for meter in meters:
            for batch in [b for b in meter.batches if b.outcome != "acked"]:
                response, _, error = await post_batch(http, base_url, meter, batch)
                assert response is not None, error
                assert response.status_code == 200, response.text
                answer = response.json()
                assert answer["accepted"] + answer["duplicates"] == len(batch.times)
                assert answer["accepted"] in (0, len(batch.times)), answer
                stored_unanswered += answer["accepted"] == 0
                batch.outcome = "acked"
                meter.stored |= set(batch.times)
                meter.accepted += answer["accepted"]
    return stored_unanswered


# ---------------------------------------------------------------- a. PostgreSQL stopped


def _answer_is_a_clear_503(response: httpx.Response) -> str:
    """'' when the refusal is the promised one, else what is wrong with it."""
    if response.status_code != 503:
        return f"status {response.status_code}: {response.text[:200]}"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"not JSON: {response.text[:200]}"
    if "database" not in str(response.json().get("detail", "")):
        return f"detail does not name the database: {response.text[:200]}"
    if not response.headers.get("Retry-After", "").isdigit():
        return "no Retry-After"
    return ""


@pytest.mark.timeout(scaled(240, 480))
def test_database_stopped_mid_ingest(
    tmp_path: Path,
    portal_process: Callable[..., PortalProcess],
    hardening_report: Callable[..., None],
) -> None:
    outage_s = scaled(4, 20)
    pg = EmbeddedPostgres(tmp_path / "own-pg", database="portal")  # this test's server alone
    db_url = pg.start()
    portal = portal_process(**portal_env(db_url))
    try:
        portal.start()
        meters = make_meters(portal.url, 6)
        phase = ["before"]
        rec = Recorder()
        probes: dict[str, int] = {}
        recovered_meters: set[int] = set()  # meters with a 200 since the restart

        async def feeder(meter: Meter, stop: asyncio.Event) -> None:
            rng = random.Random(meter.index)
            async with httpx.AsyncClient() as http:
                while not stop.is_set():
                    batch = meter.live_batch(rng.randint(5, 60))
                    kind = phase[0]
                    response, seconds, error = await post_batch(
                        http, portal.url, meter, batch, wait_s=30
                    )
                    if response is None:
                        batch.outcome = "lost"
                        rec.record(kind, None, seconds, False, error)
                    elif response.status_code == 200:
                        ok = meter.acknowledge(batch, response.json())
                        rec.record(kind, 200, seconds, ok, "" if ok else "wrong counts")
                        if kind == "after":
                            recovered_meters.add(meter.index)
                    else:
                        batch.outcome = "refused"
                        problem = _answer_is_a_clear_503(response)
                        if phase[0] == "before":  # answered before the stop even began
                            problem = problem or "503 while the database was up"
                        rec.record(kind, response.status_code, seconds, not problem, problem)
                        await asyncio.sleep(0.2)  # a meter waits a moment before its next try

        async def conductor(stop: asyncio.Event) -> None:
            async with httpx.AsyncClient(base_url=portal.url, timeout=30) as http:
                await asyncio.sleep(scaled(2, 5))
                phase[0] = "stopping"
                await asyncio.to_thread(pg.stop)  # pg_ctl stop: connections are cut
                phase[0] = "down"
                health = await http.get("/api/health")
                probes["health_down"] = health.status_code
                assert health.json()["database"] == "unavailable"
                login = await http.post(
                    "/api/auth/login", json={"email": "admin@localhost", "password": "x"}
                )
                probes["login_down"] = login.status_code
                assert not _answer_is_a_clear_503(login), login.text
                await asyncio.sleep(outage_s)
                phase[0] = "restarting"
                assert await asyncio.to_thread(pg.start) == db_url
                phase[0] = "after"
                recovered = time.monotonic()
                while len(recovered_meters) < len(meters):
                    assert time.monotonic() - recovered < 60, "ingest did not recover"
                    await asyncio.sleep(0.1)
                probes["recovery_ms"] = int((time.monotonic() - recovered) * 1000)
                await asyncio.sleep(1)
                probes["health_after"] = (await http.get("/api/health")).status_code
            stop.set()

        async def scenario() -> None:
            stop = asyncio.Event()
            await gather_all(*(feeder(m, stop) for m in meters), conductor(stop))

        asyncio.run(scenario())
        rec.stop()

        failures = rec.failures
        assert not failures, [f"{f.kind} {f.status} {f.note}" for f in failures[:10]]
        refusals = [s for s in rec.samples if s.status == 503]
        assert refusals, "no request met the outage"
        slowest = max(s.seconds for s in rec.samples)
        assert slowest < BOUNDED_ANSWER_S, f"an answer took {slowest:.1f} s"
        assert probes["health_down"] == 503
        assert probes["health_after"] == 200

        # every acknowledged batch is there; no refused batch is there in part
        before_replay = audit(db_url, meters)
        assert before_replay.rows_lost == 0
        assert before_replay.partial_batches == 0
        stored_unanswered = asyncio.run(replay(portal.url, meters))
        after = audit(db_url, meters)
        assert after.rows_lost == 0
        assert after.rows_stored == after.rows_acknowledged
        wait_for_rollups(db_url, timeout=90)  # the worker reconnects with a back-off
        assert_rollups_match_raw(db_url, meters)

        hardening_report(
            outage_s=outage_s,
            batches=len(rec.samples),
            acked_batches=before_replay.acked_batches,
            refused_503=len(refusals),
            status_500=sum(1 for s in rec.samples if s.status == 500),
            slowest_answer_ms=slowest * 1000,
            p95_503_ms=sorted(s.seconds for s in refusals)[int(0.95 * (len(refusals) - 1))] * 1000,
            recovery_ms=probes["recovery_ms"],
            refused_then_replayed=before_replay.refused_batches,
            refused_but_stored_whole=stored_unanswered,
            partial_batches=before_replay.partial_batches,
            rows_acknowledged=after.rows_acknowledged,
            rows_lost=after.rows_lost,
        )
    finally:
        if portal.process is not None and portal.process.poll() is None:
            portal.terminate()
        pg.stop()


def test_database_errors_map_to_503_and_application_errors_stay_500() -> None:
    """The mapping behind the 503s above, error class by error class (no database needed)."""
    app = FastAPI()
    install_error_handlers(app)
    raised: dict[str, Exception] = {
        "lost": sa_exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("gone")),
        "shutdown": psycopg.errors.AdminShutdown("terminating connection"),  # raw, from COPY
        "pool": sa_exc.TimeoutError("QueuePool limit reached"),
        "invalidated": sa_exc.InterfaceError(
            "SELECT 1", {}, Exception("closed"), connection_invalidated=True
        ),
        "constraint": sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
    }

    def failing(error: Exception) -> Callable[[], Awaitable[None]]:
        async def fail() -> None:
            raise error

        return fail

    for name, error in raised.items():
        app.add_api_route(f"/{name}", failing(error))

    async def call_all() -> dict[str, httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
            return {name: await http.get(f"/{name}") for name in raised}

    answers = asyncio.run(call_all())
    for name in ("lost", "shutdown", "pool", "invalidated"):
        assert not _answer_is_a_clear_503(answers[name]), (name, answers[name].text)
    assert answers["constraint"].status_code == 500  # a bug, not an outage


# ---------------------------------------------------------------- b. kill -9 during ingest


@pytest.mark.timeout(scaled(180, 420))
def test_portal_killed_during_ingest(
    db_url: URL,
    portal_process: Callable[..., PortalProcess],
    hardening_report: Callable[..., None],
) -> None:
    portal = portal_process(**portal_env(db_url))
    portal.start()
    meters = make_meters(portal.url, 8)
    kill_after = scaled(40, 300)  # acknowledged batches before the kill
    acks = [0]
    killed: list[float] = []

    # A rollup rebuild "in progress" for meter 0 when the process dies: hold the
    # rollup lock of its device so the worker cannot drain it before the kill.
    stuck = psycopg.connect(**psycopg_conninfo(db_url), autocommit=True)
    stuck.execute("SELECT pg_advisory_lock(%s, %s)", (ROLLUP_LOCK_NAMESPACE, meters[0].device_id))

    async def feeder(meter: Meter) -> None:
        rng = random.Random(meter.index)
        async with httpx.AsyncClient() as http:
            while True:
                batch: Batch = (
                    meter.history_batch(rng.randint(200, 1500))
                    if rng.random() < 0.3
                    else meter.live_batch(rng.randint(5, 200))
                )
                response, _, _ = await post_batch(http, portal.url, meter, batch, wait_s=30)
                if response is None:  # the portal is gone: the meter keeps its buffer
                    batch.outcome = "lost"
                    return
                assert response.status_code == 200, response.text
                assert meter.acknowledge(batch, response.json())
                acks[0] += 1
                if acks[0] == kill_after:
                    killed.append(time.monotonic())
                    await asyncio.to_thread(portal.kill)  # while the others are mid-request

    async def scenario() -> None:
        await gather_all(*(feeder(m) for m in meters))

    try:
        asyncio.run(scenario())
        assert killed, "the portal was never killed"
        left_pending = rollup_pending(db_url)
    finally:
        stuck.close()

    # on the dead process's database: acknowledged whole, everything else all-or-nothing
    at_kill = audit(db_url, meters)
    assert at_kill.rows_lost == 0
    assert at_kill.partial_batches == 0
    assert left_pending >= 1  # at least meter 0's entries outlived the process

    restarted = portal_process(**portal_env(db_url))
    started = time.monotonic()
    restarted.start()
    wait_for_rollups(db_url, timeout=60)  # drained by the new process at start-up
    drained_s = time.monotonic() - started
    assert_rollups_match_raw(db_url)  # (a batch in flight may be stored: not the meters' yet)

    stored_unanswered = asyncio.run(replay(restarted.url, meters))
    final = audit(db_url, meters)
    assert final.rows_lost == 0
    assert final.rows_stored == final.rows_acknowledged
    wait_for_rollups(db_url, timeout=60)
    assert_rollups_match_raw(db_url, meters)

    hardening_report(
        clients=len(meters),
        acked_before_kill=at_kill.acked_batches,
        in_flight_at_kill=at_kill.lost_batches,
        in_flight_but_stored_whole=stored_unanswered,
        partial_batches=at_kill.partial_batches,
        rollup_log_left=left_pending,
        restart_and_drain_s=drained_s,
        rows_acknowledged=final.rows_acknowledged,
        rows_lost=final.rows_lost,
    )


# ---------------------------------------------------------------- fleet helpers


async def post_backlog(base_url: str, meters: list[Meter], rows: int, per_batch: int) -> None:
    """Each meter sends ``rows`` live readings in batches, all meters at once."""

    async def one(meter: Meter, http: httpx.AsyncClient) -> None:
        for _ in range(rows // per_batch):
            batch = meter.live_batch(per_batch)
            response, _, error = await post_batch(http, base_url, meter, batch, wait_s=60)
            assert response is not None, error
            assert response.status_code == 200, response.text
            assert meter.acknowledge(batch, response.json())

    async with httpx.AsyncClient() as http:
        await gather_all(*(one(m, http) for m in meters))


def assert_admin_has_exactly_the_clients_rows(pair: FleetPair, meters: list[Meter]) -> int:
    """Same rows per device (count and a digest of every value), each accepted once;
    the admin's rollups agree. Returns the row count."""
    client = client_fingerprint(pair.client_db)
    assert admin_fingerprint(pair.admin_db, pair.code) == client
    total = sum(rows for rows, _ in client.values())
    assert total == sum(len(m.stored) for m in meters)  # and the client has what it acked
    assert accepted_by_admin(pair.admin_db) == total  # no row counted twice
    raw = raw_totals(pair.client_db)
    rolled = fleet_rollup_totals(pair.admin_db, pair.code)
    assert set(rolled) == set(raw)
    for device_id, (samples, energy) in rolled.items():
        assert samples == raw[device_id].rows
        assert energy == pytest.approx(raw[device_id].energy_kwh, rel=1e-9, abs=1e-6)
    return total


# ---------------------------------------------------------------- c. kill -9 during a push tick


@pytest.mark.timeout(scaled(300, 600))
def test_killed_during_a_push_tick(
    make_database: Callable[[], URL],
    portal_process: Callable[..., PortalProcess],
    hardening_report: Callable[..., None],
) -> None:
    """The client is killed while it pushes a backlog, then the admin is; both restart."""
    pair = FleetPair(
        portal_process,
        make_database(),
        make_database(),
        push_settings={
            "PORTAL_FLEET__INTERVAL_SECONDS": "0.2",  # ticks back to back
            "PORTAL_FLEET__BATCH_SIZE": str(scaled(200, 1000)),
            "PORTAL_FLEET__MAX_BATCHES_PER_TICK": "3",
            "PORTAL_FLEET__BACKOFF_BASE_SECONDS": "0.5",
            "PORTAL_FLEET__BACKOFF_CAP_SECONDS": "2",
        },
        # this test is about kills, not the admin's rate limit (120 batches a minute)
        admin_settings={"PORTAL_FLEET_ADMIN__MAX_BATCHES_PER_MINUTE": "1000"},
    )
    pair.start_admin()
    client = pair.start_client()
    meters = make_meters(client.url, 10)
    asyncio.run(post_backlog(client.url, meters, scaled(1200, 6000), 300))
    total = sum(len(m.stored) for m in meters)

    wait_until(lambda: admin_rows(pair.admin_db) >= total // 4, 120, "a quarter pushed")
    assert pair.client is not None
    pair.client.kill()
    at_client_kill = admin_rows(pair.admin_db)
    pair.start_client()

    wait_until(lambda: admin_rows(pair.admin_db) >= total * 6 // 10, 120, "60% pushed")
    assert pair.admin is not None
    pair.admin.kill()
    at_admin_kill = admin_rows(pair.admin_db)
    assert at_client_kill < at_admin_kill < total, "the kills did not land mid-backlog"
    pair.start_admin()

    caught_up_s = wait_until(pair.caught_up, scaled(120, 300), "the admin caught up")
    rows = assert_admin_has_exactly_the_clients_rows(pair, meters)
    hardening_report(
        rows_pushed=rows,
        admin_rows_at_client_kill=at_client_kill,
        admin_rows_at_admin_kill=at_admin_kill,
        catch_up_after_restart_s=caught_up_s,
        duplicates_on_admin=admin_rows(pair.admin_db) - rows,
        rows_lost=rows - admin_rows(pair.admin_db),
    )


# ---------------------------------------------------------------- d. the admin down for an hour


HOUR_S = scaled(10, 60)  # real seconds standing for an hour of the client's life


@pytest.mark.timeout(scaled(240, 480))
def test_admin_down_for_an_hour(
    make_database: Callable[[], URL],
    portal_process: Callable[..., PortalProcess],
    hardening_report: Callable[..., None],
) -> None:
    """An hour of simulated time: every push timing setting (interval, back-off base and
    cap; defaults 60 s, 60 s, 1800 s) divided by the same factor, so the client goes
    through the same sequence of attempts and waits as in an hour at the defaults."""
    factor = 3600 / HOUR_S
    defaults = FleetSettings()
    scaled_settings = FleetSettings(
        interval_seconds=defaults.interval_seconds / factor,
        backoff_base_seconds=defaults.backoff_base_seconds / factor,
        backoff_cap_seconds=defaults.backoff_cap_seconds / factor,
    )
    pair = FleetPair(
        portal_process,
        make_database(),
        make_database(),
        push_settings={
            "PORTAL_FLEET__INTERVAL_SECONDS": str(scaled_settings.interval_seconds),
            "PORTAL_FLEET__BACKOFF_BASE_SECONDS": str(scaled_settings.backoff_base_seconds),
            "PORTAL_FLEET__BACKOFF_CAP_SECONDS": str(scaled_settings.backoff_cap_seconds),
        },
    )
    admin = pair.start_admin()
    client = pair.start_client()
    meters = make_meters(client.url, 4)
    asyncio.run(post_backlog(client.url, meters, 100, 50))
    wait_until(pair.caught_up, 60, "the first push")

    assert admin.terminate()
    down_at = time.monotonic()
    # the meters keep sending every (simulated) 5 minutes while the admin is away
    readings_while_down = 0
    for step in range(12):
        asyncio.run(post_backlog(client.url, meters, 5, 5))
        readings_while_down += 5 * len(meters)
        time.sleep(max(0.0, down_at + (step + 1) * HOUR_S / 12 - time.monotonic()))
    with admin_session(client.url) as http:
        states = {s["resource"]: s for s in http.get("/api/fleet/push-state").json()}
    state = states["measurements"]
    failures = state["consecutive_failures"]
    last_wait = (
        datetime.fromisoformat(state["next_attempt_at"])
        - datetime.fromisoformat(state["last_attempt_at"])
    ).total_seconds()
    # 60 + 120 + 240 + 480 + 960 s of back-off, then the cap (1800 s): 6 attempts an hour
    # (7 when the ticks fall just so), never fewer than 5 even if every one waits a tick
    assert 5 <= failures <= 7, state
    assert last_wait == pytest.approx(backoff(failures, scaled_settings), rel=0.05), state
    assert "network" in state["last_error"] or "Connect" in state["last_error"], state
    assert admin_rows(pair.admin_db) < sum(len(m.stored) for m in meters)

    pair.start_admin()
    caught_up_s = wait_until(pair.caught_up, 60, "everything arrived")
    rows = assert_admin_has_exactly_the_clients_rows(pair, meters)
    with admin_session(client.url) as http:
        after = {s["resource"]: s for s in http.get("/api/fleet/push-state").json()}
    assert after["measurements"]["consecutive_failures"] == 0
    hardening_report(
        simulated_hour_s=HOUR_S,
        time_factor=factor,
        push_failures_in_the_hour=failures,
        last_back_off_simulated_s=last_wait * factor,
        rows_ingested_while_down=readings_while_down,
        catch_up_s=caught_up_s,
        catch_up_simulated_s=caught_up_s * factor,  # at most the cap: 1,800 s
        rows_pushed=rows,
        rows_lost=0,
    )


# ---------------------------------------------------------------- e. disk full for a logo


@contextmanager
def tiny_filesystem(path: Path, size_kb: int) -> Iterator[bool]:
    """A real tmpfs of ``size_kb`` mounted on ``path`` (True), when this process may mount."""
    mounted = (
        os.geteuid() == 0
        and shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "portal-test", str(path)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "--lazy", str(path)], check=False)


def fill(path: Path) -> int:
    """Write to ``path`` until the filesystem is full; returns the bytes written."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            written += os.write(fd, b"\0" * 65536)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    return written


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 120), color).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.timeout(120)
def test_disk_full_in_the_data_dir_for_a_logo_upload(
    db_url: URL,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hardening_report: Callable[..., None],
) -> None:
    data_dir = tmp_path / "full-data"
    data_dir.mkdir()
    with tiny_filesystem(data_dir, size_kb=256) as real_filesystem:
        server = LiveServer(
            Settings(
                database_url=url_string(db_url), data_dir=data_dir, admin_password=ADMIN_PASSWORD
            )
        )
        server.start()
        try:
            with admin_session(server.url) as http:

                def upload(data: bytes) -> httpx.Response:
                    return http.post(
                        "/api/branding/logo", files={"file": ("logo.png", data, "image/png")}
                    )

                first = upload(png((200, 30, 60)))
                assert first.status_code == 200, first.text
                old_url = first.json()["logo_url"]
                old_logo = http.get(old_url).content
                filled = 0
                if real_filesystem:
                    filled = fill(data_dir / "filler")
                else:  # no mount allowed here: the same error, raised where the file is written

                    def no_space(self: Path, data: bytes) -> int:
                        raise OSError(errno.ENOSPC, "No space left on device")

                    monkeypatch.setattr(Path, "write_bytes", no_space)
                started = time.perf_counter()
                refused = upload(png((20, 130, 60)))
                refused_ms = (time.perf_counter() - started) * 1000
                assert refused.status_code == 507, refused.text
                assert "No space left" in refused.json()["detail"]
                assert "logo" in refused.json()["detail"]
                # the old logo is kept: still the brand's, still served, byte for byte
                assert http.get("/api/branding").json()["logo_url"] == old_url
                assert http.get(old_url).content == old_logo
                stored = sorted(p.name for p in (data_dir / "uploads" / "branding").iterdir())
                assert stored == [old_url.rsplit("/", 1)[1]]  # no half-written file left

                # space freed: uploads work again, and the old file goes
                monkeypatch.undo()
                (data_dir / "filler").unlink(missing_ok=True)
                again = upload(png((20, 130, 60)))
                assert again.status_code == 200, again.text
                assert http.get(old_url).status_code == 404
        finally:
            server.stop()
    hardening_report(
        filesystem="tmpfs 256 kB" if real_filesystem else "ENOSPC injected",
        bytes_to_fill=filled,
        status=refused.status_code,
        answer_ms=refused_ms,
        old_logo_kept="yes",
        recovered_after_freeing="yes",
    )


# ---------------------------------------------------------------- f. clocks ahead and behind


def _bucket_energy(points: list[dict[str, Any]]) -> dict[datetime, float]:
    return {
        datetime.fromisoformat(p["start"]): p["energy_import_kwh"]
        for p in points
        if p["energy_import_kwh"]
    }


@pytest.mark.timeout(120)
def test_a_meter_clock_hours_ahead_or_behind(
    live_server: LiveServer,
    admin_client: httpx.Client,
    make_device: Callable[..., Any],
    db_url: URL,
    hardening_report: Callable[..., None],
) -> None:
    zone = "Africa/Johannesburg"
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    checked = []
    for offset in (timedelta(hours=3), timedelta(hours=-5)):
        meter = make_device(timezone=zone)
        believed = hour + offset  # the hour the meter thinks it is
        rows: list[dict[str, Any]] = [
            {
                "time": (believed + k * timedelta(minutes=15)).isoformat(),
                "power_kw": 16.0,
                "energy_import_kwh": 1000.0 + k,
            }
            for k in range(5)
        ]
        answer = ingest(live_server.url, meter.token, rows)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"accepted": 5, "duplicates": 0}
        stored = sql(
            db_url,
            "SELECT time FROM monitoring.power_measurements WHERE device_id = %s ORDER BY time",
            meter.device_id,
        )
        assert [t for (t,) in stored] == [datetime.fromisoformat(r["time"]) for r in rows]
        local = believed.astimezone(ZoneInfo(zone)).date()
        energy = admin_client.get(
            f"/api/devices/{meter.device_id}/energy",
            params={
                "start": str(local - timedelta(days=1)),
                "end": str(local + timedelta(days=2)),
                "interval": "hour",
            },
        )
        assert energy.status_code == 200, energy.text
        # 4 kWh between the readings, all of it in the hour the meter stamped
        assert _bucket_energy(energy.json()["points"]) == {believed: pytest.approx(4.0)}
        checked.append(offset)

    # two days ahead is past the 1-day tolerance: the whole batch is refused, naming the row
    meter = make_device(timezone=zone)
    rows = [
        {"time": hour.isoformat(), "power_kw": 1.0},
        {"time": (hour + timedelta(days=2)).isoformat(), "power_kw": 1.0},
    ]
    refused = ingest(live_server.url, meter.token, rows)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["detail"]
    assert problem["loc"] == ["body", "measurements", 1, "time"]
    assert "future" in problem["msg"]
    assert sql(
        db_url,
        "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s",
        meter.device_id,
    ) == [(0,)]
    hardening_report(
        clocks_accepted="+3 h, -5 h",
        energy_in_stamped_hour_kwh=4.0,
        clock_refused="+2 days (422 row 1 time)",
        rows_stored_of_refused_batch=0,
        rows_lost=0,
    )


def pushed_rows(client_db: URL) -> int:
    """Rows the client has had acknowledged by the admin (its push state)."""
    found = sql(
        client_db,
        "SELECT rows_pushed FROM app.fleet_push_state WHERE resource = 'measurements'",
    )
    return int(str(found[0][0])) if found else 0


class _Clock:
    """The client stack's wall clock, off by ``offset`` (its device ingest and its pusher)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def utcnow(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def datetime_class(self) -> type[datetime]:
        clock = self

        class SkewedDatetime(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return datetime.now(tz) + clock.offset

        return SkewedDatetime


@pytest.mark.timeout(180)
def test_a_fleet_client_clock_hours_off(
    live_server: LiveServer,
    make_device: Callable[..., Any],
    db_url: URL,
    make_database: Callable[[], URL],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hardening_report: Callable[..., None],
) -> None:
    """The client stack's clock (the one its device ingest and its pusher read) runs hours
    ahead, then behind, then jumps around between push ticks; the admin's clock is right.
    The push cursor follows what was stored (transaction ids), not wall time: nothing is
    skipped, and a back-off deadline set by a clock that was later put back does not stall
    the push."""
    clock = _Clock()
    monkeypatch.setattr(push_module, "utcnow", clock.utcnow)
    monkeypatch.setattr(ingest_service, "datetime", clock.datetime_class())
    admin_dir = tmp_path / "admin-data"
    admin_dir.mkdir()
    admin_db = make_database()
    admin = LiveServer(
        Settings(
            run_mode=RunMode.ADMIN,
            database_url=url_string(admin_db),
            data_dir=admin_dir,
            admin_password=ADMIN_PASSWORD,
        )
    )
    admin.start()
    steady, fast = make_device(timezone="UTC"), make_device(timezone="UTC")
    true_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    sent: dict[int, int] = {steady.device_id: 0, fast.device_id: 0}
    steady_next = [true_hour - timedelta(days=3)]  # the steady meter's clock is right
    fast_sent = [timedelta(0)]  # how far the fast meter's readings have got

    def send(meter: Any, start: datetime, rows: int) -> None:
        body = [
            {"time": (start + k * MINUTE).isoformat(), "energy_import_kwh": float(k)}
            for k in range(rows)
        ]
        answer = ingest(live_server.url, meter.token, body)
        assert answer.status_code == 200, answer.text
        sent[meter.device_id] += answer.json()["accepted"]

    try:
        token = create_customer(admin.url, "acme")
        settings = FleetSettings(
            enabled=True,
            admin_url=admin.url,
            customer_token=SecretStr(token),
            batch_size=40,
            max_batches_per_tick=2,
        )
        unreachable = settings.model_copy(update={"admin_url": f"http://127.0.0.1:{free_port()}"})

        async def drive() -> dict[str, Any]:
            database = Database.from_url(db_url)
            pusher, cut_off = FleetPusher(database, settings), FleetPusher(database, unreachable)
            figures: dict[str, Any] = {"ticks": 0}
            try:
                # the client runs 3 h ahead; one meter's clock is a further 23 h ahead of
                # the client's (26 h ahead of true time): within the client's 1-day rule
                for offset, fast_ahead in (
                    (timedelta(hours=3), timedelta(hours=26)),
                    (timedelta(hours=-5), timedelta(hours=-4)),
                    (timedelta(days=1), timedelta(hours=40)),
                    (timedelta(days=-1), timedelta(hours=-20)),
                    (timedelta(hours=7), timedelta(hours=12)),
                    (timedelta(0), timedelta(hours=1)),
                ):
                    clock.offset = offset
                    for _ in range(3):
                        send(steady, steady_next[0], 30)
                        steady_next[0] += 30 * MINUTE
                        send(fast, true_hour + fast_ahead + fast_sent[0], 7)
                        fast_sent[0] += 7 * MINUTE
                        await pusher.tick()
                        figures["ticks"] += 1
                # a push fails while the clock is 2 days ahead; then the clock is put right
                clock.offset = timedelta(days=2)
                send(steady, steady_next[0], 30)
                assert not await cut_off.tick()
                clock.offset = timedelta(0)
                ticks_to_catch_up = 0
                while pushed_rows(db_url) < sum(sent.values()):
                    ticks_to_catch_up += 1
                    assert ticks_to_catch_up <= 20, "the push stalled after the clock went back"
                    await pusher.tick()
                figures["ticks_after_clock_put_back"] = ticks_to_catch_up
            finally:
                await pusher.close()
                await cut_off.close()
                await database.dispose()
            return figures

        figures = asyncio.run(drive())
        client = client_fingerprint(db_url)
        assert admin_fingerprint(admin_db, "acme") == client
        assert {d: rows for d, (rows, _) in client.items()} == sent
        assert accepted_by_admin(admin_db) == sum(sent.values())
        [(rejected,)] = sql(admin_db, "SELECT coalesce(sum(rejected), 0) FROM fleet.ingest_events")
        assert rejected == 0
    finally:
        admin.stop()
    hardening_report(
        client_clock_offsets="+3 h, -5 h, +1 d, -1 d, +7 h, 0, +2 d then back",
        meter_stamps_up_to="+40 h",
        push_ticks=figures["ticks"],
        ticks_after_clock_put_back=figures["ticks_after_clock_put_back"],
        rows_pushed=sum(sent.values()),
        rows_lost=0,
    )
