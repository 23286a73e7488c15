"""The collector against simulated Acuvim II meters and a real portal, all on loopback.

The simulated meters (pymodbus servers) and the collector run on an event
loop in a background thread; the test thread stops and restarts the portal
and reads the database. Readings are taken every 0.2 s; the simulated load
is scaled up (tens of MW) so every reading moves the energy register.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import structlog
from pydantic import SecretStr
from pymodbus.constants import ExcCodes
from sqlalchemy.engine import URL
from structlog.testing import capture_logs

from power_portal.collector import service as service_module
from power_portal.collector.config import CollectorConfig, RtuMeter, TcpMeter
from power_portal.collector.service import Collector
from power_portal.collector.simulator import AcuvimModel, SimulatedMeterServer
from power_portal.collector.spool import Spool
from power_portal.settings import Settings
from tests.support.database import sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    LiveServer,
    MeteredDevice,
    PortalProcess,
    free_port,
    login_client,
)

pytestmark = pytest.mark.slow
T = TypeVar("T")
INTERVAL = 0.2
SCALE = 200.0  # ~40 MW: a reading every 0.2 s moves the register by a few kWh


class Harness:
    """Simulated meters and collectors on an event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.meters: list[SimulatedMeterServer] = []
        self._running: list[tuple[asyncio.Event, Any]] = []

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start_meter(
        self, seed: int, *, framer: str = "socket", scale: float = SCALE
    ) -> SimulatedMeterServer:
        meter = SimulatedMeterServer(
            AcuvimModel(time.time(), seed=seed, scale=scale),
            port=0,
            framer="rtu" if framer == "rtu" else "socket",
        )
        self.call(meter.start())
        self.meters.append(meter)
        return meter

    def start_collector(self, config: CollectorConfig, **kwargs: Any) -> Collector:
        async def make() -> tuple[Collector, asyncio.Event]:
            return Collector(config, **kwargs), asyncio.Event()

        collector, stop = self.call(make())
        future = asyncio.run_coroutine_threadsafe(collector.run(stop), self.loop)
        self._running.append((stop, future))
        collector.stop_and_wait = lambda: self._stop(stop, future)  # type: ignore[attr-defined]
        return collector

    def _stop(self, stop: asyncio.Event, future: Any) -> None:
        self.loop.call_soon_threadsafe(stop.set)
        future.result(30)

    def close(self) -> None:
        for stop, future in self._running:
            if not future.done():
                self._stop(stop, future)
        for meter in self.meters:
            self.call(meter.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def harness() -> Iterator[Harness]:
    running = Harness()
    try:
        yield running
    finally:
        running.close()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def make_devices(base_url: str, names: list[str]) -> dict[str, MeteredDevice]:
    http = login_client(base_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    site = http.post("/api/sites", json={"name": "Collector site", "timezone": "UTC"})
    assert site.status_code == 201, site.text
    site_id = int(site.json()["id"])
    devices = {}
    for n, name in enumerate(names):
        device = http.post(
            f"/api/sites/{site_id}/devices",
            json={"name": name, "serial": f"ACV-COLL-{n}", "model": "Acuvim II"},
        )
        assert device.status_code == 201, device.text
        device_id = int(device.json()["id"])
        token = http.post(f"/api/devices/{device_id}/tokens", json={})
        assert token.status_code == 201, token.text
        devices[name] = MeteredDevice(site_id, device_id, token.json()["token"])
    http.close()
    return devices


def config_for(
    portal_url: str,
    spool: Path,
    meters: list[TcpMeter | RtuMeter],
    **overrides: Any,
) -> CollectorConfig:
    settings: dict[str, Any] = {
        "portal_url": portal_url,
        "interval_seconds": INTERVAL,
        "batch_size": 50,
        "spool_path": spool,
        "spool_max_readings": 100_000,
        "spool_sync": "normal",
        "modbus_timeout_seconds": 1.0,
        "modbus_retries": 0,
        "retry_initial_seconds": 0.1,
        "retry_max_seconds": 0.5,
        "http_timeout_seconds": 5,
        "status_interval_seconds": 1,
        "meters": meters,
    }
    return CollectorConfig(**(settings | overrides))


def tcp_meter(name: str, port: int, token: str, unit_id: int = 1) -> TcpMeter:
    return TcpMeter(
        name=name,
        transport="tcp",
        host="127.0.0.1",
        port=port,
        unit_id=unit_id,
        token=SecretStr(token),
    )


def stored(db_url: URL, device_id: int) -> int:
    [(count,)] = sql(
        db_url, "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s", device_id
    )
    assert isinstance(count, int)
    return count


def stored_rows(db_url: URL, device_id: int) -> list[tuple[Any, ...]]:
    return sql(
        db_url,
        "SELECT time, energy_import_kwh, received_at, power_kw, voltage_l1_v, frequency_hz "
        "FROM monitoring.power_measurements WHERE device_id = %s ORDER BY time",
        device_id,
    )


def quiesce(collector: Collector, meters: list[SimulatedMeterServer]) -> None:
    """Stop new readings (the meters answer with an exception code), then drain the spool."""
    for meter in meters:
        meter.fault = ExcCodes.DEVICE_BUSY
    time.sleep(3 * INTERVAL)  # a poll already past the meter finishes and is spooled
    wait_until(lambda: collector.spool.depth() == 0, 30, "the spool drained")


@pytest.mark.timeout(180)
def test_portal_outage_nothing_lost_nothing_doubled_energy_continuous(
    db_url: URL, portal_process: Callable[..., PortalProcess], harness: Harness, tmp_path: Path
) -> None:
    portal = portal_process(
        PORTAL_DATABASE_URL=url_string(db_url), PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    portal.start()
    devices = make_devices(portal.url, ["Incomer", "Chiller"])
    meters = {name: harness.start_meter(seed=n) for n, name in enumerate(devices)}
    spool_path = tmp_path / "spool.sqlite"
    collector = harness.start_collector(
        config_for(
            portal.url,
            spool_path,
            [tcp_meter(name, meters[name].port, devices[name].token) for name in devices],
        )
    )
    wait_until(
        lambda: all(stored(db_url, d.device_id) >= 5 for d in devices.values()),
        30,
        "readings flowing to the portal",
    )

    # The portal goes away: readings pile up in the spool.
    assert portal.terminate(), portal.log()[-2000:]
    down_at = datetime.now(UTC)
    wait_until(lambda: collector.spool.depth("Incomer") >= 10, 30, "readings spooled")
    wait_until(lambda: collector.spool.depth("Chiller") >= 10, 30, "readings spooled")
    assert collector.states["Incomer"].consecutive_send_failures > 0
    assert "portal unreachable" in (collector.states["Incomer"].last_send_error or "")
    assert collector.states["Incomer"].consecutive_poll_failures == 0  # the meters are fine
    rows_before_restart = {name: stored(db_url, d.device_id) for name, d in devices.items()}

    # It comes back: the backlog drains, oldest first, while live readings continue.
    portal.start()
    up_at = datetime.now(UTC)
    wait_until(
        lambda: (
            collector.spool.depth() < 5
            and all(state.portal_ok for state in collector.states.values())
        ),
        30,
        "the backlog drained",
    )
    quiesce(collector, list(meters.values()))
    collector.stop_and_wait()  # type: ignore[attr-defined]

    http = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    today = datetime.now(UTC).date()
    for name, device in devices.items():
        state = collector.states[name]
        rows = stored_rows(db_url, device.device_id)
        # nothing lost, nothing doubled: one stored row per reading taken
        assert len(rows) == state.readings_taken
        assert len({row[0] for row in rows}) == len(rows)
        assert len(rows) > rows_before_restart[name] + 10
        # the stored energy registers are exactly the ones the meter served, in order
        served = [entry.energy_import_tenths / 10 for entry in meters[name].history]
        assert [row[1] for row in rows] == served
        # the outage left no hole: consecutive readings stay about an interval apart
        gaps = [(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(rows)]
        assert max(gaps) < 1.5, max(gaps)
        # readings taken while the portal was down arrived after it came back
        during = [row for row in rows if down_at <= row[0] < up_at]
        assert len(during) >= 10
        assert all(row[2] >= up_at - timedelta(seconds=1) for row in during)
        # all fields decoded into sensible units
        # the power stored is the power the meter served, in kW (float32 registers); a fixed
        # band would depend on the time of day (the simulated load follows the clock)
        served_kw = [entry.power_w / 1000 for entry in meters[name].history]
        assert [row[3] for row in rows] == pytest.approx(served_kw, rel=1e-5)
        assert all(row[3] > 1_000 for row in rows)  # kW, not W or MW
        assert all(220 < row[4] < 240 and 49.8 < row[5] < 50.2 for row in rows)
        # energy across the outage: the portal's energy equals the register delta
        energy = http.get(
            f"/api/devices/{device.device_id}/energy",
            params={
                "start": str(today - timedelta(days=1)),
                "end": str(today + timedelta(days=2)),
                "interval": "day",
            },
        )
        assert energy.status_code == 200, energy.text
        total = sum(p["energy_import_kwh"] or 0.0 for p in energy.json()["points"])
        assert total == pytest.approx(rows[-1][1] - rows[0][1], rel=1e-9, abs=1e-6)
    http.close()
    with Spool(spool_path, 100_000) as spool:  # the spool file agrees: empty, nothing dropped
        assert spool.depth() == 0
        assert spool.dropped_total() == 0
        assert spool.parked_count() == 0


@pytest.mark.timeout(120)
def test_failing_meters_are_reported_and_retried_while_the_others_flow(
    db_url: URL,
    live_server: LiveServer,
    harness: Harness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    devices = make_devices(live_server.url, ["Good", "Closed port", "Busy", "RTU line"])
    good = harness.start_meter(seed=1)
    busy = harness.start_meter(seed=2)
    busy.fault = ExcCodes.DEVICE_BUSY
    rtu = harness.start_meter(seed=3, framer="rtu")
    meters: list[TcpMeter | RtuMeter] = [
        tcp_meter("Good", good.port, devices["Good"].token),
        tcp_meter("Closed port", free_port(), devices["Closed port"].token),
        tcp_meter("Busy", busy.port, devices["Busy"].token),
        RtuMeter(
            name="RTU line",
            transport="rtu",
            serial_port=f"socket://127.0.0.1:{rtu.port}",  # RTU frames over TCP
            token=SecretStr(devices["RTU line"].token),
        ),
    ]
    with capture_logs() as logs:
        monkeypatch.setattr(service_module, "log", structlog.get_logger("collector-test"))
        collector = harness.start_collector(config_for(live_server.url, tmp_path / "s.db", meters))
        wait_until(lambda: stored(db_url, devices["Good"].device_id) >= 10, 30, "good meter")
        wait_until(lambda: stored(db_url, devices["RTU line"].device_id) >= 5, 30, "RTU meter")
        # the RTU line garbles its frames (bad CRC) for a while, then recovers
        rtu.fault = "corrupt"
        wait_until(
            lambda: collector.states["RTU line"].consecutive_poll_failures >= 2, 10, "CRC errors"
        )
        rtu_error = collector.states["RTU line"].last_poll_error
        rtu.fault = None
        wait_until(lambda: collector.states["RTU line"].meter_ok, 10, "RTU line recovered")
        # the busy meter answers again after a while: picked up at its next retry
        closed = collector.states["Closed port"]
        wait_until(lambda: closed.consecutive_poll_failures >= 3, 10, "retries of the closed port")
        busy.fault = None
        wait_until(lambda: stored(db_url, devices["Busy"].device_id) >= 3, 10, "busy recovered")
        collector.log_status()
        collector.stop_and_wait()  # type: ignore[attr-defined]

    assert collector.states["Good"].polls_failed == 0, collector.states["Good"].last_poll_error
    assert closed.readings_taken == 0
    assert "cannot connect to tcp://127.0.0.1:" in (closed.last_poll_error or "")
    assert stored(db_url, devices["Closed port"].device_id) == 0
    assert "bad CRC" in (rtu_error or "")
    failures = {
        event["meter"]: event["error"]
        for event in logs
        if event["event"] == "collector.meter_failed" and event["failures_in_a_row"] == 1
    }
    assert "cannot connect" in failures["Closed port"]
    assert "exception 0x06 (server device busy)" in failures["Busy"]
    assert "registers 0x4000-0x403B" in failures["Busy"]
    assert "Good" not in failures
    recovered = {e["meter"] for e in logs if e["event"] == "collector.meter_recovered"}
    assert recovered == {"Busy", "RTU line"}
    status = {e["meter"]: e for e in logs if e["event"] == "collector.status"}
    assert status["Closed port"]["meter_state"] == "FAILING"
    assert status["Good"]["meter_state"] == "ok"
    assert status["Good"]["spooled"] is not None
    # no device token in any log line
    text = repr(logs)
    assert not any(device.token in text for device in devices.values())


@pytest.mark.timeout(120)
def test_refused_readings_are_parked_not_blocking(
    db_url: URL, live_server: LiveServer, harness: Harness, tmp_path: Path
) -> None:
    """A collector whose clock ran two days ahead: the portal refuses (422) those rows."""
    devices = make_devices(live_server.url, ["Skewed"])
    meter = harness.start_meter(seed=5)
    skew = [timedelta(days=2)]
    collector = harness.start_collector(
        config_for(
            live_server.url,
            tmp_path / "spool.sqlite",
            [tcp_meter("Skewed", meter.port, devices["Skewed"].token)],
        ),
        clock=lambda: datetime.now(UTC) + skew[0],
    )
    wait_until(lambda: collector.states["Skewed"].parked >= 5, 30, "refused readings parked")
    assert stored(db_url, devices["Skewed"].device_id) == 0
    skew[0] = timedelta(0)  # NTP fixed the clock
    # later readings are not blocked behind the refused ones
    wait_until(lambda: stored(db_url, devices["Skewed"].device_id) >= 5, 30, "readings flow")
    parked = collector.spool.parked_count()
    collector.stop_and_wait()  # type: ignore[attr-defined]
    assert collector.states["Skewed"].parked == parked
    [(latest,)] = sql(
        db_url,
        "SELECT max(time) FROM monitoring.power_measurements WHERE device_id = %s",
        devices["Skewed"].device_id,
    )
    assert isinstance(latest, datetime)
    assert latest <= datetime.now(UTC)
    # the refused readings wait in the spool with the portal's reason, until re-queued
    with Spool(tmp_path / "spool.sqlite", 100_000) as spool:
        assert spool.parked_count() == parked
        [(meter_name, _, reason)] = spool.parked(limit=1)
        assert meter_name == "Skewed"
        assert "more than 1 day in the future" in reason
        unsent = spool.depth("Skewed")  # taken just before the stop
        assert spool.requeue_parked() == parked
        assert spool.depth("Skewed") == unsent + parked


def test_check_reads_each_meter_and_tries_each_token(
    live_server: LiveServer, harness: Harness, tmp_path: Path
) -> None:
    devices = make_devices(live_server.url, ["Main"])
    meter = harness.start_meter(seed=1, scale=1)
    config = tmp_path / "collector.toml"
    config.write_text(
        f'portal_url = "{live_server.url}"\n'
        f'[[meters]]\nname = "Main"\ntransport = "tcp"\nhost = "127.0.0.1"\nport = {meter.port}\n'
        f'token = "{devices["Main"].token}"\n'
        f'[[meters]]\nname = "Wrong token"\ntransport = "tcp"\nhost = "127.0.0.1"\n'
        f'port = {free_port()}\ntoken = "ppd_not-a-real-token"\n'
    )
    config.chmod(0o600)
    result = subprocess.run(
        [str(PORTAL_BIN), "collect", "--config", str(config), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "250"},
    )
    assert result.returncode == 1, result.stderr  # the second meter fails
    assert "accepted" in result.stderr
    assert "refused (wrong or revoked)" in result.stderr
    assert "cannot connect" in result.stderr
    assert " kW" in result.stderr
    assert devices["Main"].token not in result.stderr + result.stdout


def _run_demo_live(db_url: URL, portal_url: str, data_dir: Path, seconds: float) -> str:
    """``portal demo --live`` as a real process for a while, then Ctrl-C; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env |= {
        "PORTAL_DATABASE_URL": url_string(db_url),
        "PORTAL_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }
    process = subprocess.Popen(
        [
            str(PORTAL_BIN),
            "demo",
            "--days",
            "2",
            "--live",
            "--portal-url",
            portal_url,
            "--live-interval",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    live = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Live:" in line:
                live.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        # the demo's history is loaded first, however long that takes; then feed for a while
        assert live.wait(timeout=120), "".join(lines)
        time.sleep(seconds)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines)
    assert process.returncode == 0, output
    return output


@pytest.mark.timeout(180)
def test_demo_live_feeds_a_demo_meter_through_the_collector(
    db_url: URL, live_server: LiveServer, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    output = _run_demo_live(db_url, live_server.url, tmp_path / "data", seconds=12)
    assert "Live:" in output
    [(device_id,)] = sql(db_url, "SELECT id FROM app.devices WHERE serial = 'DEMO-INC-0001'")
    rows = [
        (moment, energy)
        for moment, energy in sql(
            db_url,
            "SELECT time, energy_import_kwh FROM monitoring.power_measurements "
            "WHERE device_id = %s ORDER BY time",
            device_id,
        )
        if isinstance(moment, datetime) and isinstance(energy, float)
    ]
    history = [row for row in rows if row[0] < started]
    live = [row for row in rows if row[0] >= started]
    assert len(live) >= 3, output[-3000:]
    # the simulated meter continues the demo meter's registers: no reset, no jump
    assert live[0][1] >= history[-1][1]
    assert live[0][1] - history[-1][1] < 50
    assert all(b[1] >= a[1] for a, b in itertools.pairwise(live))
    # a second run revokes the first run's token: one live token at a time
    _run_demo_live(db_url, live_server.url, tmp_path / "data", seconds=6)
    tokens = sql(
        db_url,
        "SELECT revoked_at IS NULL FROM app.device_tokens WHERE device_id = %s "
        "AND label = 'portal demo --live' ORDER BY id",
        device_id,
    )
    assert [active for (active,) in tokens] == [False, True]
    assert "ppd_" not in output  # the token is never printed


@pytest.mark.timeout(120)
def test_batches_over_the_body_limit_are_halved_until_they_fit(
    db_url: URL, settings: Settings, harness: Harness, tmp_path: Path
) -> None:
    # about four readings per body; the collector's batches of ten get 413
    server = LiveServer(settings.model_copy(update={"ingest_max_body_bytes": 3000}))
    server.start()
    try:
        devices = make_devices(server.url, ["Big"])
        meter = harness.start_meter(seed=6)
        collector = harness.start_collector(
            config_for(
                server.url,
                tmp_path / "spool.sqlite",
                [tcp_meter("Big", meter.port, devices["Big"].token)],
                send_interval_seconds=2.0,
            )
        )
        wait_until(lambda: stored(db_url, devices["Big"].device_id) >= 20, 30, "readings stored")
        quiesce(collector, [meter])
        collector.stop_and_wait()  # type: ignore[attr-defined]
    finally:
        server.stop()
    state = collector.states["Big"]
    assert stored(db_url, devices["Big"].device_id) == state.readings_taken
    assert state.parked == 0
    assert state.batch_size < 50  # halved at least once
