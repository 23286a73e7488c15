"""Routing one message by its topic: decoded, checked, then into a batch, a tally or held.

Never waits for the database: each message is decoded, mapped (field map) and checked
by the HTTP ingest rules *on its own*, so an invalid message is counted, logged and
dropped and can never spoil the rows of others. Gateway ids map to devices by serial
(``Devices``, reloaded by the writer); an unknown gateway's messages are held until
that reload, then stored when a device with its serial was created before they came.
Each message comes with its number (``acks``); batches and held messages keep the oldest
they hold, so nothing is acknowledged before it is stored or refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from power_portal.core.time import utcnow
from power_portal.gateways.batching import Batches
from power_portal.gateways.decisions import Route, heard_from, log_reject, route, unknown_key_slot
from power_portal.gateways.fieldmap import FieldMap, MessageRejectedError
from power_portal.gateways.messages import (
    REGISTER_TOPIC,
    GatewayTopic,
    Registration,
    TopicKind,
    decode_telemetry,
    parse_heartbeat,
    parse_register,
    parse_status,
    parse_topic,
)
from power_portal.gateways.state import BridgeState, HealthTally, PendingTally, Tallies

log = structlog.get_logger(__name__)

MAX_HELD_MESSAGES = 1000  # per unknown gateway, until the next look at the devices
MAX_TOPIC_CHARS = 200


@dataclass
class Devices:
    """serial → device, as last loaded; stale once an unknown gateway spoke (maybe it was
    accepted in another worker just now)."""

    ids: dict[str, int] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)
    loaded_at: float = 0.0  # time.monotonic(); 0: load at once
    stale: bool = True

    def replace(self, serials: dict[str, tuple[int, datetime]]) -> None:
        self.ids = {serial: device_id for serial, (device_id, _) in serials.items()}
        self.created = {serial: created for serial, (_, created) in serials.items()}

    def loaded(self) -> None:
        self.loaded_at = time.monotonic()
        self.stale = False

    def changed(self) -> None:
        """A device was created or accepted: load the map at once."""
        self.stale = True
        self.loaded_at = 0.0


@dataclass(frozen=True)
class Held:
    """A message from a gateway that was no device when it arrived."""

    topic: GatewayTopic
    topic_name: str
    body: bytes
    received_at: datetime
    retained: bool
    number: int | None = None  # its number as it arrived (``acks``)


def payload_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()


@dataclass
class MessageRouter:
    """Decides, per message, where it goes (``decisions.route``), and puts it there."""

    prefix: str
    field_map: FieldMap
    state: BridgeState
    devices: Devices
    batches: Batches
    tallies: Tallies
    on_reject: Callable[[str], None] | None = None  # a message rejected, for this reason
    _held: dict[str, list[Held]] = field(default_factory=dict, init=False)
    _registered_logged: set[str] = field(default_factory=set, init=False)

    def handle(
        self, topic_name: str, payload: object, retained: bool = False, number: int | None = None
    ) -> None:
        """One message (``number``: as it arrived): decode, check, batch or tally. Never
        waits, never raises."""
        now = utcnow()
        state = self.state
        state.messages_received += 1
        state.last_message_at = now
        state.changed()
        topic = parse_topic(topic_name, self.prefix)
        self._apply(topic, topic_name, payload_bytes(payload), now, retained, number)

    def take_held(self) -> dict[str, list[Held]]:
        """The messages held so far (the devices were just loaded again)."""
        held, self._held = self._held, {}
        return held

    def oldest_held(self) -> int | None:
        """The number of the oldest message held (None: none held)."""
        numbers = [m.number for ms in self._held.values() for m in ms if m.number is not None]
        return min(numbers, default=None)

    def replay(self, held: dict[str, list[Held]], load_started: datetime | None = None) -> None:
        """After a load: what a gateway sent since its device was created is routed now;
        what it sent before, or while no device had its serial, stays out.

        A message that came while the load ran (``load_started`` on), from a gateway the
        load did not find, waits for the next look: its device may have been accepted in
        another worker after the load read the devices.
        """
        for gateway_id, messages in held.items():
            created = self.devices.created.get(gateway_id)
            if created is None:
                late = [m for m in messages if load_started and m.received_at >= load_started]
                if late:
                    self._held.setdefault(gateway_id, []).extend(late)
                    self.devices.stale = True
                continue
            for m in messages:
                if m.received_at >= created:
                    self._apply(m.topic, m.topic_name, m.body, m.received_at, m.retained, m.number)

    # ------------------------------------------------------------ one message

    def _apply(
        self,
        topic: GatewayTopic | None,
        topic_name: str,
        body: bytes,
        now: datetime,
        retained: bool,
        number: int | None = None,
    ) -> None:
        gateway_id = None if topic is None else topic.gateway_id
        try:
            registration = None
            if topic is not None and topic.kind is TopicKind.REGISTER:
                registration = parse_register(body)
                gateway_id = registration.gateway_id
            device_id = None if gateway_id is None else self.devices.ids.get(gateway_id)
            match route(None if topic is None else topic.kind, device_id is not None):
                case Route.REJECT:
                    detail = f"not a gateway topic: {topic_name[:MAX_TOPIC_CHARS]}"
                    raise MessageRejectedError("bad_topic", detail)
                case Route.REGISTER_PENDING:
                    assert registration is not None
                    self._register_pending(registration, now)
                case Route.HOLD:
                    assert topic is not None
                    assert gateway_id is not None
                    self._unaccepted(gateway_id, topic_name, now)
                    held = Held(topic, topic_name, body, now, retained, number)
                    self._hold(gateway_id, held)
                case Route.REGISTER_KNOWN:
                    assert registration is not None
                    assert device_id is not None
                    tally = self.tallies.health_of(device_id)
                    tally.seen(now)
                    tally.firmware = registration.firmware or tally.firmware
                case kind:
                    assert gateway_id is not None
                    assert device_id is not None
                    self._from_device(kind, device_id, gateway_id, body, now, retained, number)
        except MessageRejectedError as exc:
            self._reject(exc, gateway_id)

    def _from_device(
        self,
        kind: Route,
        device_id: int,
        gateway_id: str,
        body: bytes,
        now: datetime,
        retained: bool,
        number: int | None,
    ) -> None:
        tally = self.tallies.health_of(device_id)
        if heard_from(retained):
            tally.seen(now)
        try:
            if kind is Route.TELEMETRY:
                self._telemetry(device_id, gateway_id, body, now, tally, number)
            elif kind is Route.HEARTBEAT:
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
        tally: HealthTally,
        number: int | None,
    ) -> None:
        self.state.telemetry_messages += 1
        telemetry = decode_telemetry(body, self.field_map, gateway_id, now)
        for key in telemetry.unknown_keys:
            self._unknown_key(key, gateway_id)
        self.batches.add(device_id, telemetry.rows, number)
        tally.last_telemetry_at = now

    def _register_pending(self, registration: Registration, now: datetime) -> None:
        gateway_id = registration.gateway_id
        pending = self._unaccepted(gateway_id, REGISTER_TOPIC, now)
        pending.registered_at = now
        pending.firmware = registration.firmware or pending.firmware
        pending.model = registration.model or pending.model
        if gateway_id not in self._registered_logged:
            self._registered_logged.add(gateway_id)
            log.info("mqtt.gateway_registered", gateway_id=gateway_id, firmware=pending.firmware)

    def _unaccepted(self, gateway_id: str, topic_name: str, now: datetime) -> PendingTally:
        self.state.unaccepted_messages += 1
        self.devices.stale = True  # maybe it was accepted in another worker just now
        tally = self.tallies.pending_of(gateway_id)
        tally.seen(now)
        tally.last_topic = topic_name[:MAX_TOPIC_CHARS]
        return tally

    def _hold(self, gateway_id: str, message: Held) -> None:
        """An unknown gateway's messages wait for the next look at the devices (seconds).

        A device with its serial, created (or accepted) in another process a moment
        ago, gets them; otherwise they are dropped: nothing is stored for a gateway
        that is not a device (its messages are counted on its pending entry).
        """
        held = self._held.setdefault(gateway_id, [])
        if len(held) < MAX_HELD_MESSAGES:
            held.append(message)

    def _reject(self, exc: MessageRejectedError, gateway_id: str | None) -> None:
        state = self.state
        state.rejected_messages += 1
        state.rejects[exc.reason] += 1
        if self.on_reject is not None:
            self.on_reject(exc.reason)
        times = state.rejects[exc.reason]
        if log_reject(times):
            log.warning(
                "mqtt.message_rejected",
                reason=exc.reason,
                detail=exc.detail,
                gateway_id=gateway_id,
                times=times,
            )

    def _unknown_key(self, key: str, gateway_id: str) -> None:
        counted = self.state.unknown_keys
        slot = unknown_key_slot(key, counted)
        if slot == key and key not in counted:
            log.warning("mqtt.unknown_key", key=key, gateway_id=gateway_id)
        counted[slot] += 1
