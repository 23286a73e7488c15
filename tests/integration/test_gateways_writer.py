"""The bridge's writer on a real PostgreSQL (no broker: messages are handed to its router).

A round's tallies go in its first store's transaction, in a savepoint: a health write that
fails loses only the tallies, never the rows; with nothing to store they get a transaction
of their own.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.engine import URL

from power_portal.db.engine import Database
from power_portal.gateways.bridge import GatewayBridge
from power_portal.gateways.fieldmap import load_field_map
from power_portal.gateways.messages import Heartbeat
from power_portal.settings import MqttSettings
from tests.support.database import sql
from tests.support.mosquitto import firmware_message
from tests.support.portal import MeteredDevice

SERIAL = "ACV-000001"  # make_device's first serial


def stored(db_url: URL, device_id: int) -> tuple[int, int | None]:
    """(rows stored, messages in the device's gateway health or None without one)."""
    [(rows, health)] = sql(
        db_url,
        "SELECT (SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s),"
        " (SELECT messages_received FROM app.gateway_health WHERE device_id = %s)",
        device_id,
        device_id,
    )
    return int(str(rows)), None if health is None else int(str(health))


def with_bridge(db_url: URL, steps: Callable[[GatewayBridge], Awaitable[None]]) -> None:
    """Run ``steps`` against a bridge (not connected to any broker) on the test database."""

    async def run() -> None:
        database = Database.from_url(db_url)
        try:
            bridge = GatewayBridge(MqttSettings(), database, load_field_map())
            await bridge.writer.refresh_devices()
            await steps(bridge)
        finally:
            await database.dispose()

    asyncio.run(run())


def send(bridge: GatewayBridge, kind: str, payload: dict[str, Any], number: int) -> None:
    bridge.router.handle(f"acuvim/{SERIAL}/{kind}", json.dumps(payload).encode(), False, number)


def telemetry(bridge: GatewayBridge, count: int, first_number: int = 0) -> None:
    start = time.time() - 3600
    for k in range(count):
        send(bridge, "telemetry", firmware_message(SERIAL, start + k), first_number + k)


def test_rows_and_tallies_of_a_round_are_stored(
    db_url: URL, make_device: Callable[..., MeteredDevice]
) -> None:
    device = make_device()

    async def steps(bridge: GatewayBridge) -> None:
        telemetry(bridge, 3)
        await bridge.writer.write(force=True)
        assert stored(db_url, device.device_id) == (3, 3)
        # nothing to store: the tallies get a transaction of their own
        send(bridge, "heartbeat", {"fw": "1.2.3", "up": 10, "rssi": -60}, 3)
        await bridge.writer.write(force=True)
        assert stored(db_url, device.device_id) == (3, 4)

    with_bridge(db_url, steps)


def test_a_failed_health_write_never_holds_the_rows_back(
    db_url: URL, make_device: Callable[..., MeteredDevice]
) -> None:
    device = make_device()

    async def steps(bridge: GatewayBridge) -> None:
        telemetry(bridge, 2)
        # a value its column cannot hold (smallint): the health write fails
        tally = bridge.writer.tallies.health_of(device.device_id)
        tally.heartbeat = Heartbeat(rssi_dbm=100_000)
        with structlog.testing.capture_logs() as logs:
            await bridge.writer.write(force=True)
        assert stored(db_url, device.device_id) == (2, None)  # rows in, tallies lost
        assert [e["event"] for e in logs if e["log_level"] == "warning"] == [
            "mqtt.health_write_failed"
        ]
        assert bridge.state.rows_stored == 2
        assert bridge.state.store_failures == 0
        # the next round stores and tallies as ever
        telemetry(bridge, 2, first_number=2)
        await bridge.writer.write(force=True)
        assert stored(db_url, device.device_id) == (4, 2)

    with_bridge(db_url, steps)
