"""The gateways API's shapes: health, pending gateways, accepting one, the bridge's status."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import RefId, StorableText
from power_portal.core.schemas import Name, RequestBody
from power_portal.sites.tree import Role


class ConnectionState(StrEnum):
    """How a gateway is doing, as the Sites page shows it."""

    ONLINE = "online"  # heard from within the offline-after window
    OFFLINE = "offline"  # said so, or the broker published its last will
    SILENT = "silent"  # nothing heard for longer than the offline-after window
    NEVER = "never"  # no message from it yet


class GatewayHealthRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    device_id: int
    device_name: str
    serial: str = Field(description="The gateway id (the device's serial)")
    site_id: int
    state: ConnectionState
    online: bool = Field(description="state is online")
    status: str | None = Field(description="The last status message: online or offline")
    status_at: datetime | None
    last_seen_at: datetime | None = Field(description="When any message last arrived from it")
    last_telemetry_at: datetime | None
    last_heartbeat_at: datetime | None
    firmware: str | None
    uptime_seconds: int | None
    rssi_dbm: int | None = Field(description="Wi-Fi signal, dBm (-50 strong, -80 weak)")
    modbus_error_rate: float | None = Field(description="Share of failed Modbus polls, 0 to 1")
    sd_state: str | None
    messages_received: int
    messages_rejected: int
    latest_reading_at: datetime | None = Field(description="The newest stored reading's time")
    latest_power_kw: float | None
    offline_after_seconds: float = Field(description="Silence after which it counts as offline")


class PendingGatewayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gateway_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    message_count: int = Field(description="Messages it sent so far (none of them stored)")
    registered_at: datetime | None = Field(description="When it last sent devices/register")
    firmware: str | None
    model: str | None
    last_topic: str | None
    dismissed_at: datetime | None


class GatewayAccept(RequestBody):
    site_id: RefId
    name: Annotated[Name, StorableText]
    model: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), StorableText]
        | None
    ) = None
    # Where it goes in the site's metering tree: without a parent, a sub-meter goes under
    # the site's only supply point (a site with several names one).
    parent_id: RefId | None = None
    role: Role = "submeter"


ADMINS_ONLY = "Admins only: null for a viewer"


class BridgeStatus(BaseModel):
    """The bridge's state and counters for anyone who reads; where the broker is, how the
    portal signs in to it and what went wrong last (``broker``, ``client_id``, ``field_map``,
    ``last_error``) for admins only: null for a viewer."""

    enabled: bool = Field(description="PORTAL_MQTT__URL is set")
    running: bool = Field(description="A portal process runs the bridge (one per database)")
    connected: bool
    broker: str | None = Field(
        default=None, description=f"host:port (never credentials); null while off. {ADMINS_ONLY}"
    )
    client_id: str | None = Field(
        default=None, description=f"The bridge's MQTT client id. {ADMINS_ONLY}"
    )
    tls: bool
    topic_prefix: str
    field_map: str | None = Field(
        default=None, description=f"'default', or the field map file in use. {ADMINS_ONLY}"
    )
    connected_since: datetime | None
    last_message_at: datetime | None
    last_error: str | None = Field(default=None, description=ADMINS_ONLY)
    connection_failures: int
    messages_received: int
    telemetry_messages: int
    rows_stored: int = Field(description="Readings stored (new rows)")
    duplicates: int = Field(description="Readings the database already had")
    batches_stored: int = Field(description="store_batch calls (one COPY each)")
    unaccepted_messages: int = Field(description="Messages from gateways not accepted yet")
    rejected_messages: int
    rejects: dict[str, int] = Field(description="Rejected messages by reason")
    unknown_keys: dict[str, int] = Field(description="Keys the field map does not know, counted")
    store_failures: int
    rows_dropped: int
    updated_at: datetime | None
