"""What the bridge's stages share: its counters and connection state, and the tallies to write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from power_portal.core.time import utcnow
from power_portal.gateways.messages import Heartbeat

Snapshot = dict[str, Any]  # the state as saved for the other workers (JSON) and shown by the API


@dataclass
class BridgeState:
    """The running bridge's counters and connection; ``version`` grows with every change."""

    field_map: str
    connected: bool = False
    connected_since: datetime | None = None
    last_message_at: datetime | None = None
    last_error: str | None = None
    connection_failures: int = 0
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
    version: int = 0

    def changed(self) -> None:
        self.version += 1

    def snapshot(self) -> Snapshot:
        return {
            "connected": self.connected,
            "connected_since": self.connected_since,
            "last_message_at": self.last_message_at,
            "last_error": self.last_error,
            "field_map": self.field_map,
            "connection_failures": self.connection_failures,
            "messages_received": self.messages_received,
            "telemetry_messages": self.telemetry_messages,
            "rows_stored": self.rows_stored,
            "duplicates": self.duplicates,
            "batches_stored": self.batches_stored,
            "unaccepted_messages": self.unaccepted_messages,
            "rejected_messages": self.rejected_messages,
            "rejects": dict(self.rejects),
            "unknown_keys": dict(self.unknown_keys),
            "store_failures": self.store_failures,
            "rows_dropped": self.rows_dropped,
            "updated_at": utcnow(),
        }


@dataclass
class Heard:
    """Messages from one gateway since the bridge's last write, and the last one's time."""

    messages: int = 0
    last_seen_at: datetime | None = None

    def seen(self, now: datetime) -> None:
        self.messages += 1
        self.last_seen_at = now


@dataclass
class HealthTally(Heard):
    """What the bridge heard from one known gateway (a device's) since its last write."""

    rejected: int = 0
    last_telemetry_at: datetime | None = None
    heartbeat: Heartbeat | None = None
    heartbeat_at: datetime | None = None
    status: str | None = None
    status_at: datetime | None = None
    firmware: str | None = None  # from devices/register


@dataclass
class PendingTally(Heard):
    """What the bridge heard from one unknown gateway since its last write."""

    last_topic: str | None = None
    registered_at: datetime | None = None
    firmware: str | None = None
    model: str | None = None


@dataclass
class Tallies:
    """Health of known gateways (by device id) and pending entries of unknown ones (by id)."""

    health: dict[int, HealthTally] = field(default_factory=dict)
    pending: dict[str, PendingTally] = field(default_factory=dict)

    def health_of(self, device_id: int) -> HealthTally:
        return self.health.setdefault(device_id, HealthTally())

    def pending_of(self, gateway_id: str) -> PendingTally:
        return self.pending.setdefault(gateway_id, PendingTally())

    def take(self) -> Tallies:
        """Everything tallied so far (to write); the tallies start again empty."""
        taken = Tallies(self.health, self.pending)
        self.health, self.pending = {}, {}
        return taken

    def __bool__(self) -> bool:
        return bool(self.health or self.pending)
