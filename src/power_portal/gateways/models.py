"""Gateway health, gateways waiting to be accepted, the bridge's last status (schema app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base
from power_portal.gateways.decisions import connection_state
from power_portal.gateways.schemas import ConnectionState


class GatewayHealth(Base):
    """What a device's gateway last said about itself, and when it was last heard."""

    __tablename__ = "gateway_health"
    __table_args__ = {"schema": "app"}

    device_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="CASCADE"), primary_key=True
    )
    # "online" / "offline" from {prefix}/{id}/status (retained; "offline" is the last will)
    status: Mapped[str | None] = mapped_column(String(16))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # when the portal last received a (non-retained) message from the gateway
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_telemetry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    firmware: Mapped[str | None] = mapped_column(String(64))
    uptime_seconds: Mapped[int | None] = mapped_column(BigInteger)
    rssi_dbm: Mapped[int | None] = mapped_column(SmallInteger)
    modbus_error_rate: Mapped[float | None] = mapped_column(Double)
    sd_state: Mapped[str | None] = mapped_column(String(64))
    messages_received: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    messages_rejected: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PendingGateway(Base):
    """A gateway the portal does not know (no device has its id as serial) yet."""

    __tablename__ = "pending_gateways"
    __table_args__ = {"schema": "app"}

    gateway_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # every message it sent (none of its readings are stored)
    message_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    firmware: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    last_topic: Mapped[str | None] = mapped_column(String(200))
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MqttBridgeState(Base):
    """The running bridge's counters (one row), so every worker can show them."""

    __tablename__ = "mqtt_bridge_state"
    __table_args__ = {"schema": "app"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class GatewayHealthView:
    """A device's gateway health as the API shows it: the stored row, its newest reading, and
    the online/offline rule applied at ``checked_at`` (``GatewayHealthRead`` reads it)."""

    device_id: int
    device_name: str
    serial: str
    site_id: int
    status: str | None
    status_at: datetime | None
    last_seen_at: datetime | None
    last_telemetry_at: datetime | None
    last_heartbeat_at: datetime | None
    firmware: str | None
    uptime_seconds: int | None
    rssi_dbm: int | None
    modbus_error_rate: float | None
    sd_state: str | None
    messages_received: int
    messages_rejected: int
    latest_reading_at: datetime | None
    latest_power_kw: float | None
    offline_after_seconds: float
    checked_at: datetime

    @property
    def state(self) -> ConnectionState:
        return connection_state(
            self.status, self.last_seen_at, self.checked_at, self.offline_after_seconds
        )

    @property
    def online(self) -> bool:
        return self.state is ConnectionState.ONLINE
