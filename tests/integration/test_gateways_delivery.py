"""MQTT telemetry is never lost, with real parts: a real ``portal serve`` running the bridge, a
real mosquitto with persistence, gateways publishing numbered firmware telemetry at QoS 1 as
fast as the broker takes it. The portal killed with SIGKILL at random moments and restarted,
the broker restarted mid-stream, the database paused: once the publishers stop and the bridge
drains, every published reading is stored exactly once (count and a digest of the values).

Every wait polls for an event with a bounded timeout (``wait_until``); no fixed sleeps.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import psutil
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.engine import URL

from tests.support.database import sql, url_string
from tests.support.mosquitto import Mosquitto, firmware_message
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PortalProcess,
    login_client,
    wait_until,
)

pytestmark = pytest.mark.slow

GATEWAYS = ("ACV-000000000001", "ACV-000000000002")
PUBLISHER_WINDOW = 500  # QoS 1 messages a publisher has in flight to the broker


# ---------------------------------------------------------------- the publisher


class NumberedPublisher:
    """A gateway sending readings 0 … count-1 at QoS 1 as fast as the broker acknowledges them.

    Reading ``k`` is at ``first_ts + k`` seconds with a total power of ``1000 + k`` W. The
    session is persistent (``clean_session=False``): what the broker has not acknowledged is
    sent again after a reconnect (a broker restart), as the gateway firmware does.
    """

    def __init__(self, broker: Mosquitto, gateway_id: str, count: int, first_ts: int) -> None:
        self.gateway_id = gateway_id
        self.count = count
        self.first_ts = first_ts
        self.acknowledged = 0
        self.published = 0
        self._finish = threading.Event()
        self._lock = threading.Lock()
        self._room = threading.Semaphore(2 * PUBLISHER_WINDOW)
        self._stop = threading.Event()
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"gw-{gateway_id}", clean_session=False
        )
        self.client.max_inflight_messages_set(PUBLISHER_WINDOW)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, 1)
        self.client.on_publish = self._on_publish
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._publish_all, name=f"publish-{gateway_id}")

    def payload(self, k: int) -> bytes:
        message = firmware_message(self.gateway_id, self.first_ts + k, p={"t": 1000.0 + k})
        return json.dumps(message).encode()

    def start(self) -> NumberedPublisher:
        self._thread.start()
        return self

    def _publish_all(self) -> None:
        topic = f"acuvim/{self.gateway_id}/telemetry"
        for k in range(self.count):
            while not self._room.acquire(timeout=0.5):
                if self._stop.is_set():
                    return
            if self._finish.is_set():
                return
            self.client.publish(topic, self.payload(k), qos=1)
            self.published = k + 1

    def finish(self) -> None:
        """Stop publishing new readings: ``count`` becomes what was published."""
        self._finish.set()
        self._thread.join(30)
        self.count = self.published

    def _on_publish(self, *_: object) -> None:
        with self._lock:
            self.acknowledged += 1
        self._room.release()

    @property
    def done(self) -> bool:
        with self._lock:
            return self.acknowledged >= self.count

    def expected(self) -> tuple[int, str]:
        """(count, digest) of what the portal must hold for this gateway."""
        text = ",".join(f"{self.first_ts + k}:{1000 + k}" for k in range(self.count))
        return self.count, hashlib.md5(text.encode()).hexdigest()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        self.client.disconnect()
        self.client.loop_stop()


def stored(db_url: URL, device_id: int) -> tuple[int, str | None]:
    """(count, digest) of a device's stored readings, in the publisher's terms."""
    [(count, digest)] = sql(
        db_url,
        "SELECT count(*), md5(string_agg(extract(epoch FROM time)::bigint || ':' || "
        "round(power_kw * 1000)::bigint, ',' ORDER BY time)) "
        "FROM monitoring.power_measurements WHERE device_id = %s",
        device_id,
    )
    assert isinstance(count, int)
    return count, digest if isinstance(digest, str) else None


def stored_total(db_url: URL) -> int:
    [(count,)] = sql(db_url, "SELECT count(*) FROM monitoring.power_measurements")
    assert isinstance(count, int)
    return count


def rows_reach(db_url: URL, target: int) -> bool:
    return stored_total(db_url) >= target


def missing(db_url: URL, device_id: int, publisher: NumberedPublisher) -> list[int]:
    """The readings (by number) the portal does not hold: for the failure message."""
    rows = sql(
        db_url,
        "SELECT extract(epoch FROM time)::bigint FROM monitoring.power_measurements "
        "WHERE device_id = %s",
        device_id,
    )
    held = {int(ts) - publisher.first_ts for (ts,) in rows if isinstance(ts, int | float)}
    return [k for k in range(publisher.count) if k not in held]


# ---------------------------------------------------------------- the portal


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """mosquitto with persistence: queued messages survive its restart. Room to queue a
    paused portal's telemetry (past ``max_queued_messages`` mosquitto drops it)."""
    mosquitto = Mosquitto(
        tmp_path / "broker",
        config="allow_anonymous true\nmax_queued_messages 2000000\n",
        persistence=True,
    )
    mosquitto.start()
    try:
        yield mosquitto
    finally:
        mosquitto.stop()


@pytest.fixture
def bridge_portal(
    portal_process: Callable[..., PortalProcess], db_url: URL, tmp_path: Path, broker: Mosquitto
) -> Callable[..., PortalProcess]:
    """Factory: a ``portal serve`` running the bridge against ``broker`` (not started)."""
    client_id = f"portal-{uuid.uuid4().hex[:8]}"

    def make(**env: str) -> PortalProcess:
        return portal_process(
            PORTAL_DATABASE_URL=url_string(db_url),
            PORTAL_DATA_DIR=str(tmp_path / "data"),
            PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
            PORTAL_MQTT__URL=broker.url,
            PORTAL_MQTT__CLIENT_ID=client_id,
            PORTAL_MQTT__RECONNECT_MIN_SECONDS="0.2",
            PORTAL_MQTT__RECONNECT_MAX_SECONDS="1",
            **env,
        )

    return make


def bridge_connected(portal: PortalProcess) -> dict[str, Any]:
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        return wait_until(
            lambda: (b := admin.get("/api/gateways/bridge").json())["connected"] and b,
            "the bridge is connected",
            timeout=30,
        )
    finally:
        admin.close()


def devices_for(portal: PortalProcess, gateway_ids: tuple[str, ...]) -> dict[str, int]:
    """A site with one device per gateway (serial = gateway id), through the API."""
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        site = admin.post("/api/sites", json={"name": "Plant", "timezone": "UTC"})
        assert site.status_code == 201, site.text
        ids = {}
        for gateway_id in gateway_ids:
            device = admin.post(
                f"/api/sites/{site.json()['id']}/devices",
                json={"name": gateway_id, "serial": gateway_id},
            )
            assert device.status_code == 201, device.text
            ids[gateway_id] = int(device.json()["id"])
        return ids
    finally:
        admin.close()


def publishers(
    broker: Mosquitto, count: int, gateways: tuple[str, ...] = GATEWAYS
) -> list[NumberedPublisher]:
    first_ts = int(time.time()) - count - 3600
    return [NumberedPublisher(broker, gateway_id, count, first_ts) for gateway_id in gateways]


def assert_every_reading_once(
    db_url: URL, devices: dict[str, int], sent: list[NumberedPublisher], timeout: float
) -> None:
    """Until every publisher's readings are stored (count and digest), then exactly once."""
    expected = sum(p.count for p in sent)
    wait_until(lambda: stored_total(db_url) >= expected, "every reading is stored", timeout)
    for publisher in sent:
        device_id = devices[publisher.gateway_id]
        gaps = missing(db_url, device_id, publisher)
        assert not gaps, f"{publisher.gateway_id}: {len(gaps)} missing, first {gaps[:20]}"
        assert stored(db_url, device_id) == publisher.expected()
    assert stored_total(db_url) == expected


# ---------------------------------------------------------------- the tests


def test_readings_published_while_the_portal_is_killed_five_times_are_all_stored_once(
    bridge_portal: Callable[..., PortalProcess], broker: Mosquitto, db_url: URL
) -> None:
    count = int(os.environ.get("PORTAL_TEST_MQTT_READINGS", "20000"))
    portal = bridge_portal()
    portal.start()
    devices = devices_for(portal, GATEWAYS)
    bridge_connected(portal)
    sent = [p.start() for p in publishers(broker, count)]
    rng = random.Random()
    expected = sum(p.count for p in sent)
    try:
        for kill in range(5):
            # a random moment while readings flow into this process: after a random number
            # of further rows is committed (the rows it holds uncommitted then are at risk)
            target = min(stored_total(db_url) + rng.randint(1, 4000), expected - 2000)
            wait_until(partial(rows_reach, db_url, target), f"rows flow before kill {kill}", 30)
            os.kill(portal.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
            portal.process.wait(10)  # type: ignore[union-attr]
            portal = bridge_portal()
            portal.start()
        wait_until(lambda: all(p.done for p in sent), "the broker took every reading", 60)
        assert_every_reading_once(db_url, devices, sent, timeout=90)
    finally:
        for publisher in sent:
            publisher.close()


def test_readings_published_while_the_broker_restarts_are_all_stored_once(
    bridge_portal: Callable[..., PortalProcess], broker: Mosquitto, db_url: URL
) -> None:
    """The broker stopped and started twice mid-stream (persistence on): the portal's session
    and its queued telemetry survive, the publishers send again what it had not taken."""
    count = int(os.environ.get("PORTAL_TEST_MQTT_READINGS", "20000"))
    portal = bridge_portal()
    portal.start()
    devices = devices_for(portal, GATEWAYS)
    bridge_connected(portal)
    sent = [p.start() for p in publishers(broker, count)]
    rng = random.Random()
    expected = sum(p.count for p in sent)
    try:
        for restart in range(2):
            target = min(stored_total(db_url) + rng.randint(1, 6000), expected - 5000)
            wait_until(partial(rows_reach, db_url, target), f"rows flow ({restart})", 30)
            broker.restart()
        wait_until(lambda: all(p.done for p in sent), "the broker took every reading", 60)
        assert_every_reading_once(db_url, devices, sent, timeout=90)
    finally:
        for publisher in sent:
            publisher.close()


def bridge_status(portal: PortalProcess) -> dict[str, Any]:
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        status: dict[str, Any] = admin.get("/api/gateways/bridge").json()
        return status
    finally:
        admin.close()


def test_a_graceful_stop_acknowledges_what_it_stored_so_nothing_comes_again(
    bridge_portal: Callable[..., PortalProcess], broker: Mosquitto, db_url: URL
) -> None:
    """SIGTERM mid-stream: the portal stops taking messages, stores what it took and
    acknowledges it on the connection that is still open, then disconnects. The next
    process gets from the broker only what the first did not store: no duplicates."""
    count = 8000
    portal = bridge_portal()
    portal.start()
    devices = devices_for(portal, GATEWAYS[:1])
    bridge_connected(portal)
    sent = [p.start() for p in publishers(broker, count, GATEWAYS[:1])]
    try:
        wait_until(partial(rows_reach, db_url, 2000), "rows flow", 30)
        assert portal.terminate(), portal.log()[-3000:]
        stored_by_the_first = stored_total(db_url)
        assert stored_by_the_first >= 2000
        portal = bridge_portal()
        portal.start()
        wait_until(lambda: all(p.done for p in sent), "the broker took every reading", 60)
        assert_every_reading_once(db_url, devices, sent, timeout=90)
        # the broker sends what the first process had not acknowledged before anything newer,
        # so every copy it sent again is counted by now
        status = bridge_status(portal)
        assert status["duplicates"] == 0, status
        assert status["rows_stored"] == count - stored_by_the_first
    finally:
        for publisher in sent:
            publisher.close()


def postgres_processes(db_url: URL) -> list[psutil.Process]:
    """The embedded server: its postmaster (``postmaster.pid``) and every process under it."""
    [(data_directory,)] = sql(db_url, "SHOW data_directory")
    pid = int((Path(str(data_directory)) / "postmaster.pid").read_text().split()[0])
    postmaster = psutil.Process(pid)
    return [postmaster, *postmaster.children(recursive=True)]


PAUSE_SECONDS = 30.0
MEMORY_GROWTH_LIMIT = 60 * 1024 * 1024  # bytes the portal may grow while the database sleeps


@pytest.mark.timeout(240)
def test_memory_stays_flat_while_the_database_is_paused_and_everything_arrives_after(
    bridge_portal: Callable[..., PortalProcess], broker: Mosquitto, db_url: URL
) -> None:
    """SIGSTOP on the embedded PostgreSQL for 30 s under full-speed publishers: the broker's
    window bounds what waits in the portal, its memory stays flat while the broker queues
    the rest, and after SIGCONT every reading is stored once."""
    portal = bridge_portal()
    portal.start()
    devices = devices_for(portal, GATEWAYS)
    bridge_connected(portal)
    sent = [p.start() for p in publishers(broker, 1_000_000, GATEWAYS[:1])]
    process = psutil.Process(portal.process.pid)  # type: ignore[union-attr]
    try:
        wait_until(partial(rows_reach, db_url, 5000), "rows flow", 30)
        baseline = process.memory_info().rss
        paused = postgres_processes(db_url)
        for pg in paused:
            with contextlib.suppress(psutil.NoSuchProcess):  # a backend that just ended
                pg.suspend()
        try:
            acknowledged = sum(p.acknowledged for p in sent)
            peak, started = baseline, time.monotonic()

            def slept() -> bool:
                nonlocal peak
                peak = max(peak, process.memory_info().rss)
                return time.monotonic() - started >= PAUSE_SECONDS

            wait_until(slept, "the database slept its 30 s", PAUSE_SECONDS + 10)
            published_meanwhile = sum(p.acknowledged for p in sent) - acknowledged
        finally:
            for pg in paused:
                with contextlib.suppress(psutil.NoSuchProcess):
                    pg.resume()
        assert published_meanwhile > 10_000, "the publishers went on at full speed"
        growth = peak - baseline
        assert growth < MEMORY_GROWTH_LIMIT, f"the portal grew {growth / 2**20:.0f} MiB"
        print(f"paused 30 s: {published_meanwhile} readings published, grew {growth} bytes")
        for publisher in sent:
            publisher.finish()
        wait_until(lambda: all(p.done for p in sent), "the broker took every reading", 60)
        assert_every_reading_once(db_url, devices, sent, timeout=150)
    finally:
        for publisher in sent:
            publisher.close()
