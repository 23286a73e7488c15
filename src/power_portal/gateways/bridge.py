"""The MQTT bridge: gateways' messages in; readings, gateway health and pending gateways out.

Runs in the app's lifespan when ``PORTAL_MQTT__URL`` is set. One portal
process per database runs it (a PostgreSQL advisory lock elects it; the other
workers stand by and take over when it goes), so gateways' messages are
stored once and the broker sees one client id.

- Receiving never waits for the database: each message is decoded, mapped
  (field map) and checked by the HTTP ingest rules *on its own*, so an
  invalid message is counted, logged and dropped and can never spoil the
  rows of others. Valid rows go into the device's batch.
- A writer task stores a device's batch through ``store_batch`` (one COPY)
  when it holds ``batch_max_rows`` rows or is ``batch_max_seconds`` old: a
  burst of thousands of replayed SD-card messages becomes a few COPYs.
- Health (heartbeat, status, last seen) and unknown gateways' message counts
  are tallied in memory and written by the writer every tick, one statement each.
- Gateway ids map to devices by serial (a map reloaded every minute, and within
  seconds after a message from an unknown id). An unknown gateway's messages
  wait for that reload: a device created (or accepted) a moment ago in another
  process gets those sent after its creation; otherwise they are dropped and
  only counted on the gateway's pending entry.
- The connection reconnects with exponential back-off (with jitter); the
  session is persistent (``clean_session=False``, a fixed client id), so the
  broker keeps QoS 1 telemetry for the portal while it is away.

A message is acknowledged to the broker when it is received, before it is
stored: rows still in a batch when the process is killed (not stopped) are
lost; a graceful stop stores them first.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiomqtt
import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from power_portal.core.time import utcnow
from power_portal.db.engine import Database
from power_portal.gateways import service
from power_portal.gateways.fieldmap import FieldMap, MessageRejectedError, load_field_map
from power_portal.gateways.messages import (
    GatewayTopic,
    TopicKind,
    decode_telemetry,
    parse_heartbeat,
    parse_register,
    parse_status,
    parse_topic,
    subscriptions,
)
from power_portal.gateways.schemas import BridgeStatus
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import Row
from power_portal.settings import MqttSettings
from power_portal.system.metrics import PortalMetrics

log = structlog.get_logger(__name__)

# The bridge's advisory lock: (namespace, key); "MQ", 1. Device ingest locks use 0x5050.
LEADER_LOCK = (0x4D51, 1)
STANDBY_POLL_SECONDS = 5.0
LEADER_CHECK_SECONDS = 10.0
DEVICE_REFRESH_SECONDS = 60.0
DEVICE_MISS_REFRESH_SECONDS = 2.0
STATE_SAVE_SECONDS = 2.0
STATE_KEEPALIVE_SECONDS = 15.0
STORE_RETRY_CAP_SECONDS = 30.0
MAX_UNKNOWN_KEYS = 200
OTHER_KEYS = "(other keys)"
# Receiving pauses while this many rows wait for the database (it is down, or slow).
BACKPRESSURE_BATCHES = 20
MAX_HELD_MESSAGES = 1000  # per unknown gateway, until the next look at the devices


@dataclass
class BridgeCounters:
    messages_received: int = 0
    telemetry_messages: int = 0
    rows_stored: int = 0
    duplicates: int = 0
    batches_stored: int = 0
    unaccepted_messages: int = 0
    rejected_messages: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    unknown_keys: Counter[str] = field(default_factory=Counter)
    store_failures: int = 0
    rows_dropped: int = 0
    connection_failures: int = 0


@dataclass
class _Batch:
    rows: list[Row] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0
    not_before: float = 0.0


@dataclass(frozen=True)
class _Held:
    """A message from a gateway that was no device when it arrived."""

    topic: GatewayTopic
    topic_name: str
    body: bytes
    received_at: datetime
    retained: bool


def _payload_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()


class GatewayBridge:
    def __init__(
        self,
        settings: MqttSettings,
        database: Database,
        field_map: FieldMap,
        metrics: PortalMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.database = database
        self.field_map = field_map
        self.counters = BridgeCounters()
        self.is_leader = False
        self._has_led = False
        self.connected = False
        self.connected_since: datetime | None = None
        self.last_message_at: datetime | None = None
        self.last_error: str | None = None
        self._devices: dict[str, int] = {}
        self._devices_created: dict[str, datetime] = {}
        self._devices_loaded_at = 0.0
        self._devices_stale = True
        self._batches: dict[int, _Batch] = {}
        self._buffered_rows = 0
        self._health: dict[int, service.HealthTally] = {}
        self._pending: dict[str, service.PendingTally] = {}
        self._held: dict[str, list[_Held]] = {}
        self._registered_logged: set[str] = set()
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._state_saved_at = 0.0
        self._state_version = 0
        self._state_saved_version = -1
        self._write_lock = asyncio.Lock()

    @property
    def broker(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    # ------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Forever: become the leader (or stand by), then connect, receive and store."""
        while True:
            led = False
            try:
                led = await self._lead_if_elected()
            except Exception as exc:  # a lost database or a bug: log, wait, try again
                log.error("mqtt.bridge_failed", error=repr(exc))
            await asyncio.sleep(1.0 if led else STANDBY_POLL_SECONDS)

    async def close(self) -> None:
        """After ``run`` was cancelled: store what is still batched, save the counters."""
        self.connected = False
        if not self._has_led:
            return  # a standby process: nothing received, nothing to save
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._write(force=True), timeout=30)

    def devices_changed(self) -> None:
        """A device was created or accepted here: reload the serial map at once."""
        self._devices_stale = True
        self._devices_loaded_at = 0.0
        self._wake.set()

    def status(self) -> BridgeStatus:
        return service.bridge_status_from(self.snapshot(), running=True, settings=self.settings)

    def snapshot(self) -> dict[str, Any]:
        c = self.counters
        return {
            "connected": self.connected,
            "connected_since": self.connected_since,
            "last_message_at": self.last_message_at,
            "last_error": self.last_error,
            "field_map": self.field_map.source,
            "connection_failures": c.connection_failures,
            "messages_received": c.messages_received,
            "telemetry_messages": c.telemetry_messages,
            "rows_stored": c.rows_stored,
            "duplicates": c.duplicates,
            "batches_stored": c.batches_stored,
            "unaccepted_messages": c.unaccepted_messages,
            "rejected_messages": c.rejected_messages,
            "rejects": dict(c.rejects),
            "unknown_keys": dict(c.unknown_keys),
            "store_failures": c.store_failures,
            "rows_dropped": c.rows_dropped,
            "updated_at": utcnow(),
        }

    async def _lead_if_elected(self) -> bool:
        async with self.database.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            elected = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:ns, :key)"),
                    {"ns": LEADER_LOCK[0], "key": LEADER_LOCK[1]},
                )
            ).scalar_one()
            if not elected:
                return False
            try:
                self.is_leader = self._has_led = True
                log.info("mqtt.bridge_started", broker=self.broker, field_map=self.field_map.source)
                await self._lead(conn)
            finally:
                self.is_leader = False
                self.connected = False
                # Closing the connection for good releases the lock (never back into the pool).
                await conn.invalidate()
        return True

    async def _lead(self, lock_conn: AsyncConnection) -> None:
        await self._refresh_devices()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._receive_forever(), name="mqtt-receive")
            tasks.create_task(self._write_forever(), name="mqtt-write")
            tasks.create_task(self._hold_leadership(lock_conn), name="mqtt-leader")

    async def _hold_leadership(self, lock_conn: AsyncConnection) -> None:
        while True:
            await asyncio.sleep(LEADER_CHECK_SECONDS)
            await lock_conn.execute(text("SELECT 1"))  # raises when the database went away

    # ------------------------------------------------------------ receiving

    async def _tls_context(self) -> ssl.SSLContext | None:
        s = self.settings
        if not s.tls:
            return None

        def build() -> ssl.SSLContext:
            context = ssl.create_default_context(
                cafile=str(s.tls_ca_file) if s.tls_ca_file else None
            )
            if s.tls_cert_file:
                context.load_cert_chain(
                    str(s.tls_cert_file), str(s.tls_key_file) if s.tls_key_file else None
                )
            if s.tls_insecure:
                context.check_hostname = False
            return context

        return await asyncio.to_thread(build)

    async def _client(self) -> aiomqtt.Client:
        s = self.settings
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            identifier=s.client_id,
            clean_session=False,
            keepalive=s.keepalive_seconds,
            tls_context=await self._tls_context(),
            timeout=10,
        )

    async def _receive_forever(self) -> None:
        s = self.settings
        delay = s.reconnect_min_seconds
        while True:
            try:
                async with await self._client() as client:
                    await client.subscribe(subscriptions(s.topic_prefix))
                    self._connected()
                    delay = s.reconnect_min_seconds
                    async for message in client.messages:
                        self.handle(message.topic.value, message.payload, retained=message.retain)
                        if not self._drained.is_set():
                            await self._drained.wait()
            except (aiomqtt.MqttError, ssl.SSLError, OSError) as exc:
                self._disconnected(exc)
            pause = min(delay, s.reconnect_max_seconds) * random.uniform(0.8, 1.2)  # noqa: S311
            log.info("mqtt.reconnecting", broker=self.broker, in_seconds=round(pause, 2))
            await asyncio.sleep(pause)
            delay = min(delay * 2, s.reconnect_max_seconds)

    def _connected(self) -> None:
        self.connected = True
        self.connected_since = utcnow()
        self.last_error = None
        self._state_version += 1
        log.info("mqtt.connected", broker=self.broker, topic_prefix=self.settings.topic_prefix)

    def _disconnected(self, exc: BaseException) -> None:
        if self.connected:
            log.warning("mqtt.disconnected", broker=self.broker, error=str(exc))
        else:
            self.counters.connection_failures += 1
            log.warning("mqtt.connect_failed", broker=self.broker, error=str(exc))
        self.connected = False
        self.connected_since = None
        self.last_error = str(exc) or type(exc).__name__
        self._state_version += 1

    def handle(self, topic_name: str, payload: object, *, retained: bool = False) -> None:
        """One message: decode, check, batch or tally. Never waits, never raises."""
        now = utcnow()
        self.counters.messages_received += 1
        self.last_message_at = now
        self._state_version += 1
        topic = parse_topic(topic_name, self.settings.topic_prefix)
        if topic is None:
            self._reject("bad_topic", f"not a gateway topic: {topic_name[:200]}", None)
            return
        body = _payload_bytes(payload)
        try:
            if topic.kind is TopicKind.REGISTER:
                self._register(body, now)
            else:
                self._from_gateway(topic, topic_name, body, now, retained)
        except MessageRejectedError as exc:
            self._reject(exc.reason, exc.detail, topic.gateway_id)

    def _from_gateway(
        self, topic: GatewayTopic, topic_name: str, body: bytes, now: datetime, retained: bool
    ) -> None:
        gateway_id = topic.gateway_id
        assert gateway_id is not None
        device_id = self._devices.get(gateway_id)
        if device_id is None:
            self._unaccepted(gateway_id, topic_name, now)
            self._hold(gateway_id, _Held(topic, topic_name, body, now, retained))
            return
        tally = self._health.setdefault(device_id, service.HealthTally())
        if not retained:
            tally.messages += 1
            tally.last_seen_at = now
        try:
            if topic.kind is TopicKind.TELEMETRY:
                self._telemetry(device_id, gateway_id, body, now, tally)
            elif topic.kind is TopicKind.HEARTBEAT:
                tally.heartbeat = parse_heartbeat(body)
                tally.heartbeat_at = now
            else:
                tally.status = parse_status(body).value
                tally.status_at = now
        except MessageRejectedError:
            tally.rejected += 1
            raise

    def _telemetry(
        self,
        device_id: int,
        gateway_id: str,
        body: bytes,
        now: datetime,
        tally: service.HealthTally,
    ) -> None:
        self.counters.telemetry_messages += 1
        telemetry = decode_telemetry(body, self.field_map, gateway_id, now)
        for key in telemetry.unknown_keys:
            self._unknown_key(key, gateway_id)
        batch = self._batches.get(device_id)
        if batch is None:
            batch = self._batches[device_id] = _Batch()
        batch.rows += telemetry.rows
        self._buffered_rows += len(telemetry.rows)
        tally.last_telemetry_at = now
        if len(batch.rows) >= self.settings.batch_max_rows:
            self._wake.set()
        if self._buffered_rows >= BACKPRESSURE_BATCHES * self.settings.batch_max_rows:
            self._drained.clear()
            self._wake.set()

    def _hold(self, gateway_id: str, message: _Held) -> None:
        """An unknown gateway's messages wait for the next look at the devices (seconds).

        A device with its serial, created (or accepted) in another process a moment
        ago, gets them; otherwise they are dropped: nothing is stored for a gateway
        that is not a device (its messages are counted on its pending entry).
        """
        held = self._held.setdefault(gateway_id, [])
        if len(held) < MAX_HELD_MESSAGES:
            held.append(message)

    def _register(self, body: bytes, now: datetime) -> None:
        registration = parse_register(body)
        gateway_id = registration.gateway_id
        device_id = self._devices.get(gateway_id)
        if device_id is not None:
            tally = self._health.setdefault(device_id, service.HealthTally())
            tally.messages += 1
            tally.last_seen_at = now
            tally.firmware = registration.firmware or tally.firmware
            return
        pending = self._unaccepted(gateway_id, "devices/register", now)
        pending.registered_at = now
        pending.firmware = registration.firmware or pending.firmware
        pending.model = registration.model or pending.model
        if gateway_id not in self._registered_logged:
            self._registered_logged.add(gateway_id)
            log.info("mqtt.gateway_registered", gateway_id=gateway_id, firmware=pending.firmware)

    def _unaccepted(self, gateway_id: str, topic_name: str, now: datetime) -> service.PendingTally:
        self.counters.unaccepted_messages += 1
        self._devices_stale = True  # maybe it was accepted in another worker just now
        tally = self._pending.setdefault(gateway_id, service.PendingTally())
        tally.messages += 1
        tally.last_seen_at = now
        tally.last_topic = topic_name[:200]
        return tally

    def _reject(self, reason: str, detail: str, gateway_id: str | None) -> None:
        c = self.counters
        c.rejected_messages += 1
        c.rejects[reason] += 1
        seen = c.rejects[reason]
        if seen <= 10 or seen % 1000 == 0:  # the first few of each kind, then now and then
            log.warning(
                "mqtt.message_rejected",
                reason=reason,
                detail=detail,
                gateway_id=gateway_id,
                times=seen,
            )

    def _unknown_key(self, key: str, gateway_id: str) -> None:
        keys = self.counters.unknown_keys
        if key not in keys:
            if len(keys) >= MAX_UNKNOWN_KEYS:
                key = OTHER_KEYS
            else:
                log.warning("mqtt.unknown_key", key=key, gateway_id=gateway_id)
        keys[key] += 1

    # ------------------------------------------------------------ writing

    async def _write_forever(self) -> None:
        tick = min(max(self.settings.batch_max_seconds / 4, 0.05), 1.0)
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick):
                    await self._wake.wait()
            self._wake.clear()
            await self._write(force=False)

    async def _write(self, *, force: bool) -> None:
        async with self._write_lock:
            await self._store_due_batches(force=force)
            await self._write_tallies()
            now = time.monotonic()
            stale_for = now - self._devices_loaded_at
            if stale_for >= DEVICE_REFRESH_SECONDS or (
                self._devices_stale and stale_for >= DEVICE_MISS_REFRESH_SECONDS
            ):
                await self._refresh_devices()
            if force or self._state_due(now):
                await self._save_state(now)

    async def _store_due_batches(self, *, force: bool) -> None:
        now = time.monotonic()
        s = self.settings
        due = [
            device_id
            for device_id, batch in self._batches.items()
            if force
            or (
                now >= batch.not_before
                and (
                    len(batch.rows) >= s.batch_max_rows
                    or now - batch.started >= s.batch_max_seconds
                )
            )
        ]
        for device_id in due:
            batch = self._batches.pop(device_id)
            self._buffered_rows -= len(batch.rows)
            size = s.batch_max_rows
            for start in range(0, len(batch.rows), size):
                chunk = batch.rows[start : start + size]
                if not await self._store(device_id, chunk, batch.attempts, give_up=force):
                    self._retry_later(device_id, batch.rows[start:], batch.attempts + 1)
                    break
        if self._buffered_rows < BACKPRESSURE_BATCHES * s.batch_max_rows:
            self._drained.set()

    async def _store(
        self, device_id: int, rows: list[Row], attempts: int, *, give_up: bool
    ) -> bool:
        """True when the rows are stored (or dropped for good); False: try again later."""
        try:
            async with self.database.session() as db:
                result = await store_batch(db, device_id, rows)
        except Exception as exc:
            self.counters.store_failures += 1
            self._state_version += 1
            device_gone = isinstance(exc, IntegrityError)
            if device_gone or give_up:
                self.counters.rows_dropped += len(rows)
                log.error(
                    "mqtt.rows_dropped",
                    device_id=device_id,
                    rows=len(rows),
                    reason="the device was deleted" if device_gone else "shutting down",
                    error=repr(exc)[:300],
                )
                if device_gone:
                    self.devices_changed()
                return True
            log.warning(
                "mqtt.store_failed",
                device_id=device_id,
                rows=len(rows),
                attempt=attempts + 1,
                error=repr(exc)[:300],
            )
            return False
        c = self.counters
        c.batches_stored += 1
        c.rows_stored += result.accepted
        c.duplicates += result.duplicates
        self._state_version += 1
        if self.metrics is not None:
            self.metrics.ingested("mqtt", result.accepted, result.duplicates)
        return True

    def _retry_later(self, device_id: int, rows: list[Row], attempts: int) -> None:
        """Put rows back (ahead of newer ones), to be tried again after a back-off."""
        newer = self._batches.pop(device_id, None)
        retry = _Batch(rows=rows + (newer.rows if newer else []), attempts=attempts)
        retry.not_before = time.monotonic() + min(2.0**attempts, STORE_RETRY_CAP_SECONDS)
        self._batches[device_id] = retry
        self._buffered_rows += len(rows)

    async def _write_tallies(self) -> None:
        if not self._health and not self._pending:
            return
        health, self._health = self._health, {}
        pending, self._pending = self._pending, {}
        try:
            async with self.database.session() as db:
                await service.record_tallies(db, list(health.items()), list(pending.items()))
        except Exception as exc:
            log.warning("mqtt.health_write_failed", error=repr(exc)[:300])

    async def _refresh_devices(self) -> None:
        held, self._held = self._held, {}
        try:
            async with self.database.session() as db:
                devices = await service.device_serials(db)
            self._devices = {serial: device_id for serial, (device_id, _) in devices.items()}
            self._devices_created = {serial: created for serial, (_, created) in devices.items()}
        except Exception as exc:
            log.warning("mqtt.device_refresh_failed", error=repr(exc)[:300])
        self._devices_loaded_at = time.monotonic()
        self._devices_stale = False
        for gateway_id, messages in held.items():
            created = self._devices_created.get(gateway_id)
            if created is None:
                continue  # no device: nothing of it is stored
            for m in messages:
                if m.received_at < created:  # what it sent before it was a device stays out
                    continue
                try:
                    self._from_gateway(m.topic, m.topic_name, m.body, m.received_at, m.retained)
                except MessageRejectedError as exc:
                    self._reject(exc.reason, exc.detail, gateway_id)

    def _state_due(self, now: float) -> bool:
        since = now - self._state_saved_at
        changed = self._state_version != self._state_saved_version
        return (changed and since >= STATE_SAVE_SECONDS) or since >= STATE_KEEPALIVE_SECONDS

    async def _save_state(self, now: float) -> None:
        version = self._state_version
        try:
            async with self.database.session() as db:
                await service.save_bridge_state(db, self.snapshot())
        except Exception as exc:
            log.warning("mqtt.state_save_failed", error=repr(exc)[:300])
            return
        self._state_saved_at = now
        self._state_saved_version = version


async def start_bridge(
    app: FastAPI, settings: MqttSettings, database: Database
) -> asyncio.Task[None] | None:
    """Start the bridge when PORTAL_MQTT__URL is set (a bad field map stops the start-up)."""
    if not settings.enabled:
        return None
    field_map = load_field_map(settings.field_map)
    bridge = GatewayBridge(settings, database, field_map, getattr(app.state, "metrics", None))
    app.state.mqtt_bridge = bridge
    return asyncio.create_task(bridge.run(), name="mqtt-bridge")


async def stop_bridge(app: FastAPI, task: asyncio.Task[None] | None) -> None:
    """Stop receiving, then store what is still batched."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await app.state.mqtt_bridge.close()
