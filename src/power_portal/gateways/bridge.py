"""The MQTT bridge: gateways' messages in; readings, gateway health and pending gateways out.

Runs in the app's lifespan when ``PORTAL_MQTT__URL`` is set, in stages that each do one job:

- ``election``: one portal process per database leads (an advisory lock); the others stand by;
- ``client``: the connection to the broker, receiving, reconnecting with back-off;
- ``acks``: each message acknowledged to the broker only once what it brought is committed;
- ``routing``: each message by its topic, decoded and checked on its own, into a batch or a
  tally, or held while its gateway is no device (``decisions.route``);
- ``batching``: rows per device until ``batch_max_rows`` or ``batch_max_seconds`` old;
- ``writer``: stores due batches (``store_batch``, one COPY), writes the health and pending
  tallies, reloads the serial → device map, acknowledges what is committed, saves the state
  the other workers show.

The rules they follow are pure functions in ``decisions``.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from fastapi import FastAPI

from power_portal.core.metrics import PortalMetrics, metrics_of
from power_portal.db.engine import Database
from power_portal.gateways.acks import Acknowledgements
from power_portal.gateways.batching import Batches
from power_portal.gateways.client import Receiver
from power_portal.gateways.election import leadership
from power_portal.gateways.fieldmap import FieldMap, load_field_map
from power_portal.gateways.routing import Devices, MessageRouter
from power_portal.gateways.state import BridgeState, Snapshot, Tallies
from power_portal.gateways.writer import Writer
from power_portal.settings import MqttSettings

log = structlog.get_logger(__name__)

STANDBY_POLL_SECONDS = 5.0  # a standby process tries for the lock this often
RESTART_SECONDS = 1.0  # after leading ended (the broker or the database went away)
CLOSE_TIMEOUT_SECONDS = 30


class GatewayBridge:
    """The stages, wired together; they run while this process holds the leader lock."""

    def __init__(
        self,
        settings: MqttSettings,
        database: Database,
        field_map: FieldMap,
        metrics: PortalMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.field_map = field_map
        self.state = BridgeState(field_map=field_map.source)
        self.is_leader = False
        self._has_led = False
        wake = asyncio.Event()
        devices, tallies = Devices(), Tallies()
        self.acks = Acknowledgements(window=settings.receive_maximum)
        self.batches = Batches(settings.batch_max_rows, settings.batch_max_seconds, wake)
        self.router = MessageRouter(
            settings.topic_prefix,
            field_map,
            self.state,
            devices,
            self.batches,
            tallies,
            None if metrics is None else metrics.mqtt_message_rejected,
        )
        self.receiver = Receiver(
            settings,
            self.state,
            self.router.handle,
            self.batches.wait_for_room,
            self.acks,
            wake.set,
        )
        self.writer = Writer(
            database,
            self.state,
            devices,
            self.batches,
            tallies,
            self.router,
            wake,
            self.acks,
            settings.receive_maximum,
            metrics,
        )

    async def run(self) -> None:
        """Forever: become the leader (or stand by), then connect, receive and store."""
        while True:
            led = False
            try:
                led = await self._lead_if_elected()
            except Exception as exc:  # a lost database or a bug: log, wait, try again
                log.error("mqtt.bridge_failed", error=repr(exc))
            await asyncio.sleep(RESTART_SECONDS if led else STANDBY_POLL_SECONDS)

    async def _lead_if_elected(self) -> bool:
        async with leadership(self.database) as lock:
            if lock is None:
                return False
            self.is_leader = self._has_led = True
            log.info(
                "mqtt.bridge_started", broker=self.receiver.broker, field_map=self.state.field_map
            )
            try:
                await self.writer.refresh_devices()
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self.receiver.run(), name="mqtt-receive")
                    tasks.create_task(self.writer.run(), name="mqtt-write")
                    tasks.create_task(lock.keep(), name="mqtt-leader")
            finally:
                self.is_leader = False
                self.state.connected = False
        return True

    async def drain(self) -> None:
        """Before ``run`` is cancelled (a graceful stop): take no more messages, store what
        is batched and acknowledge it on the connection that is still open, so the broker
        does not send it again to the next process. What fails to store stays
        unacknowledged, for the broker."""
        if not self.is_leader or not self.state.connected:
            return
        self.receiver.stop_taking()
        before = self.acks.acknowledged
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.write(force=True), timeout=CLOSE_TIMEOUT_SECONDS)
        confirmed = await self.receiver.confirm()
        log.info(
            "mqtt.drained",
            acknowledged=self.acks.acknowledged - before,
            unacknowledged=self.acks.unacknowledged,
            confirmed=confirmed,
        )

    async def close(self) -> None:
        """After ``run`` was cancelled: store what is still batched, save the counters.

        The connection is closed by now, so nothing more is acknowledged: the broker sends
        the unacknowledged messages again to the next process (their rows are duplicates
        then). After ``drain`` there is nothing left but the counters.
        """
        self.state.connected = False
        if not self._has_led:
            return  # a standby process: nothing received, nothing to save
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.write(force=True), timeout=CLOSE_TIMEOUT_SECONDS)

    def devices_changed(self) -> None:
        """A device was created or accepted here: reload the serial map at once."""
        self.router.devices.changed()
        self.writer.wake()

    def live_snapshot(self) -> Snapshot | None:
        """This process's counters while it leads; None while it stands by."""
        return self.state.snapshot() if self.is_leader else None


async def start_bridge(
    app: FastAPI, settings: MqttSettings, database: Database
) -> asyncio.Task[None] | None:
    """Start the bridge when PORTAL_MQTT__URL is set (a bad field map stops the start-up)."""
    if not settings.enabled:
        return None
    field_map = load_field_map(settings.field_map)
    bridge = GatewayBridge(settings, database, field_map, metrics_of(app))
    app.state.mqtt_bridge = bridge
    return asyncio.create_task(bridge.run(), name="mqtt-bridge")


async def stop_bridge(app: FastAPI, task: asyncio.Task[None] | None) -> None:
    """Store and acknowledge what was received, stop receiving, then save the counters."""
    if task is None:
        return
    await app.state.mqtt_bridge.drain()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await app.state.mqtt_bridge.close()
