"""Gateway health, pending gateways and the bridge's state: queries and the bridge's writes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import delete, exists, select, text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, FieldError, NotFoundError
from power_portal.core.time import utcnow
from power_portal.gateways.messages import Heartbeat
from power_portal.gateways.models import GatewayHealth, MqttBridgeState, PendingGateway
from power_portal.gateways.schemas import (
    BridgeStatus,
    ConnectionState,
    GatewayAccept,
    GatewayHealthRead,
    PendingGatewayRead,
)
from power_portal.measurements.models import power_measurements
from power_portal.settings import MqttSettings
from power_portal.sites.models import Device, Site

if TYPE_CHECKING:
    from power_portal.gateways.bridge import GatewayBridge

log = structlog.get_logger(__name__)

BRIDGE_STATE_ID = 1
# A saved bridge state older than this means no process runs the bridge.
STATE_FRESH_SECONDS = 45.0


def connection_state(
    status: str | None, last_seen_at: datetime | None, now: datetime, offline_after: float
) -> ConnectionState:
    """Offline when the gateway said so (or its last will did), silent after the window."""
    if status == "offline":
        return ConnectionState.OFFLINE
    if last_seen_at is None:
        return ConnectionState.NEVER
    if now - last_seen_at > timedelta(seconds=offline_after):
        return ConnectionState.SILENT
    return ConnectionState.ONLINE


# ---------------------------------------------------------------- health (reads)


def _latest_reading() -> Any:
    pm = power_measurements.c
    return (
        select(pm.time.label("latest_at"), pm.power_kw.label("latest_kw"))
        .where(pm.device_id == Device.id)
        .order_by(pm.time.desc())
        .limit(1)
        .lateral("latest")
    )


async def list_health(
    db: AsyncSession,
    offline_after: float,
    *,
    site_id: int | None = None,
    device_id: int | None = None,
) -> list[GatewayHealthRead]:
    """Health of every device that has a gateway (one that has spoken MQTT), by name."""
    latest = _latest_reading()
    query = (
        select(Device, GatewayHealth, latest.c.latest_at, latest.c.latest_kw)
        .outerjoin(GatewayHealth, GatewayHealth.device_id == Device.id)
        .outerjoin(latest, true())
        .order_by(Device.name, Device.id)
    )
    if device_id is not None:
        query = query.where(Device.id == device_id)
    else:
        query = query.where(GatewayHealth.device_id.is_not(None))
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    now = utcnow()
    return [
        _health_read(device, health, latest_at, latest_kw, now, offline_after)
        for device, health, latest_at, latest_kw in await db.execute(query)
    ]


def _health_read(
    device: Device,
    health: GatewayHealth | None,
    latest_at: datetime | None,
    latest_kw: float | None,
    now: datetime,
    offline_after: float,
) -> GatewayHealthRead:
    h = health or GatewayHealth(device_id=device.id, messages_received=0, messages_rejected=0)
    state = connection_state(h.status, h.last_seen_at, now, offline_after)
    return GatewayHealthRead(
        device_id=device.id,
        device_name=device.name,
        serial=device.serial,
        site_id=device.site_id,
        state=state,
        online=state is ConnectionState.ONLINE,
        status=h.status,
        status_at=h.status_at,
        last_seen_at=h.last_seen_at,
        last_telemetry_at=h.last_telemetry_at,
        last_heartbeat_at=h.last_heartbeat_at,
        firmware=h.firmware,
        uptime_seconds=h.uptime_seconds,
        rssi_dbm=h.rssi_dbm,
        modbus_error_rate=h.modbus_error_rate,
        sd_state=h.sd_state,
        messages_received=h.messages_received or 0,
        messages_rejected=h.messages_rejected or 0,
        latest_reading_at=latest_at,
        latest_power_kw=latest_kw,
        offline_after_seconds=offline_after,
    )


async def get_health(db: AsyncSession, device_id: int, offline_after: float) -> GatewayHealthRead:
    found = await list_health(db, offline_after, device_id=device_id)
    if not found:
        raise NotFoundError(f"no device with id {device_id}")
    return found[0]


# ---------------------------------------------------------------- pending gateways


async def list_pending(
    db: AsyncSession, *, include_dismissed: bool = False
) -> list[PendingGatewayRead]:
    known = exists().where(Device.serial == PendingGateway.gateway_id)
    query = select(PendingGateway).where(~known).order_by(PendingGateway.first_seen_at.desc())
    if not include_dismissed:
        query = query.where(PendingGateway.dismissed_at.is_(None))
    return [PendingGatewayRead.model_validate(p) for p in (await db.execute(query)).scalars()]


async def _get_pending(db: AsyncSession, gateway_id: str) -> PendingGateway:
    pending = await db.get(PendingGateway, gateway_id)
    if pending is None:
        raise NotFoundError(f"no pending gateway {gateway_id!r}")
    return pending


async def accept_pending(db: AsyncSession, gateway_id: str, data: GatewayAccept) -> Device:
    """Create the device (serial = gateway id) in the site; its messages are stored from now on."""
    pending = await _get_pending(db, gateway_id)
    if await db.get(Site, data.site_id) is None:
        raise FieldError("site_id", f"no site with id {data.site_id}")
    device = Device(
        site_id=data.site_id, name=data.name, serial=gateway_id, model=data.model or pending.model
    )
    db.add(device)
    try:
        await db.flush()
    except IntegrityError as exc:
        await db.rollback()
        raise ConflictError(f"a device with serial {gateway_id!r} exists already") from exc
    db.add(
        GatewayHealth(
            device_id=device.id, firmware=pending.firmware, last_seen_at=pending.last_seen_at
        )
    )
    await db.delete(pending)
    await db.commit()
    await db.refresh(device)
    log.info("gateways.accepted", gateway_id=gateway_id, device_id=device.id, site_id=data.site_id)
    return device


async def dismiss_pending(db: AsyncSession, gateway_id: str) -> PendingGatewayRead:
    """Hide it from the pending list; its messages are still counted, it can still be accepted."""
    pending = await _get_pending(db, gateway_id)
    if pending.dismissed_at is None:
        pending.dismissed_at = utcnow()
        await db.commit()
        await db.refresh(pending)
        log.info("gateways.dismissed", gateway_id=gateway_id)
    return PendingGatewayRead.model_validate(pending)


# ---------------------------------------------------------------- the bridge's writes


async def device_serials(db: AsyncSession) -> dict[str, tuple[int, datetime]]:
    """serial → (device id, created at) of every device; drops pending entries now devices."""
    await db.execute(
        delete(PendingGateway).where(exists().where(Device.serial == PendingGateway.gateway_id))
    )
    rows = await db.execute(select(Device.serial, Device.id, Device.created_at))
    await db.commit()
    return {serial: (int(device_id), created_at) for serial, device_id, created_at in rows}


@dataclass
class HealthTally:
    """What the bridge heard from one known gateway since its last write."""

    messages: int = 0
    rejected: int = 0
    last_seen_at: datetime | None = None
    last_telemetry_at: datetime | None = None
    heartbeat: Heartbeat | None = None
    heartbeat_at: datetime | None = None
    status: str | None = None
    status_at: datetime | None = None
    firmware: str | None = None  # from devices/register


@dataclass
class PendingTally:
    """What the bridge heard from one unknown gateway since its last write."""

    messages: int = 0
    last_seen_at: datetime | None = None
    last_topic: str | None = None
    registered_at: datetime | None = None
    firmware: str | None = None
    model: str | None = None


_HEALTH_UPSERT = text("""
INSERT INTO app.gateway_health AS h (
    device_id, status, status_at, last_seen_at, last_telemetry_at, last_heartbeat_at,
    firmware, uptime_seconds, rssi_dbm, modbus_error_rate, sd_state,
    messages_received, messages_rejected, updated_at)
SELECT CAST(:device_id AS bigint), :status, :status_at, :last_seen_at, :last_telemetry_at,
       :heartbeat_at, :firmware, :uptime_seconds, :rssi_dbm, :modbus_error_rate, :sd_state,
       :messages, :rejected, now()
WHERE EXISTS (SELECT 1 FROM app.devices WHERE id = CAST(:device_id AS bigint))
ON CONFLICT (device_id) DO UPDATE SET
    status = coalesce(excluded.status, h.status),
    status_at = CASE WHEN excluded.status IS NULL THEN h.status_at ELSE excluded.status_at END,
    last_seen_at = greatest(h.last_seen_at, excluded.last_seen_at),
    last_telemetry_at = greatest(h.last_telemetry_at, excluded.last_telemetry_at),
    last_heartbeat_at = greatest(h.last_heartbeat_at, excluded.last_heartbeat_at),
    firmware = CASE WHEN CAST(:has_heartbeat AS boolean) THEN excluded.firmware
                    ELSE coalesce(excluded.firmware, h.firmware) END,
    uptime_seconds = CASE WHEN CAST(:has_heartbeat AS boolean) THEN excluded.uptime_seconds
                          ELSE h.uptime_seconds END,
    rssi_dbm = CASE WHEN CAST(:has_heartbeat AS boolean) THEN excluded.rssi_dbm ELSE h.rssi_dbm END,
    modbus_error_rate = CASE WHEN CAST(:has_heartbeat AS boolean) THEN excluded.modbus_error_rate
                             ELSE h.modbus_error_rate END,
    sd_state = CASE WHEN CAST(:has_heartbeat AS boolean) THEN excluded.sd_state ELSE h.sd_state END,
    messages_received = h.messages_received + excluded.messages_received,
    messages_rejected = h.messages_rejected + excluded.messages_rejected,
    updated_at = now()
""")

_PENDING_UPSERT = text("""
INSERT INTO app.pending_gateways AS p (
    gateway_id, first_seen_at, last_seen_at, message_count, registered_at, firmware, model,
    last_topic)
SELECT CAST(:gateway_id AS varchar), CAST(:seen_at AS timestamptz),
       CAST(:seen_at AS timestamptz), :messages, :registered_at, :firmware, :model, :last_topic
WHERE NOT EXISTS (SELECT 1 FROM app.devices WHERE serial = CAST(:gateway_id AS varchar))
ON CONFLICT (gateway_id) DO UPDATE SET
    last_seen_at = greatest(p.last_seen_at, excluded.last_seen_at),
    message_count = p.message_count + excluded.message_count,
    registered_at = coalesce(excluded.registered_at, p.registered_at),
    firmware = coalesce(excluded.firmware, p.firmware),
    model = coalesce(excluded.model, p.model),
    last_topic = coalesce(excluded.last_topic, p.last_topic)
""")


def _health_params(device_id: int, tally: HealthTally) -> dict[str, Any]:
    beat = tally.heartbeat or Heartbeat()
    return {
        "device_id": device_id,
        "status": tally.status,
        "status_at": tally.status_at,
        "last_seen_at": tally.last_seen_at,
        "last_telemetry_at": tally.last_telemetry_at,
        "heartbeat_at": tally.heartbeat_at,
        "has_heartbeat": tally.heartbeat is not None,
        "firmware": beat.firmware if tally.heartbeat is not None else tally.firmware,
        "uptime_seconds": beat.uptime_seconds,
        "rssi_dbm": beat.rssi_dbm,
        "modbus_error_rate": beat.modbus_error_rate,
        "sd_state": beat.sd_state,
        "messages": tally.messages,
        "rejected": tally.rejected,
    }


async def record_tallies(
    db: AsyncSession,
    health: Sequence[tuple[int, HealthTally]],
    pending: Sequence[tuple[str, PendingTally]],
) -> None:
    """One transaction: every known gateway's health, every unknown one's pending entry."""
    if health:
        await db.execute(_HEALTH_UPSERT, [_health_params(d, t) for d, t in health])
    if pending:
        await db.execute(
            _PENDING_UPSERT,
            [
                {
                    "gateway_id": gateway_id,
                    "seen_at": tally.last_seen_at or utcnow(),
                    "messages": tally.messages,
                    "registered_at": tally.registered_at,
                    "firmware": tally.firmware,
                    "model": tally.model,
                    "last_topic": tally.last_topic,
                }
                for gateway_id, tally in pending
            ],
        )
    await db.commit()


async def save_bridge_state(db: AsyncSession, snapshot: dict[str, Any]) -> None:
    await db.execute(
        text("""
            INSERT INTO app.mqtt_bridge_state (id, snapshot, updated_at)
            VALUES (:id, CAST(:snapshot AS jsonb), now())
            ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = now()
        """),
        {"id": BRIDGE_STATE_ID, "snapshot": _json(snapshot)},
    )
    await db.commit()


async def load_bridge_state(db: AsyncSession) -> tuple[dict[str, Any], datetime] | None:
    row = await db.get(MqttBridgeState, BRIDGE_STATE_ID)
    return None if row is None else (row.snapshot, row.updated_at)


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


def bridge_status_from(
    snapshot: dict[str, Any] | None, *, running: bool, settings: MqttSettings
) -> BridgeStatus:
    """The API's view: the settings, plus the counters of the bridge (this process's or saved)."""
    saved = snapshot or {}
    return BridgeStatus(
        enabled=settings.enabled,
        running=running,
        connected=running and bool(saved.get("connected")),
        broker=f"{settings.host}:{settings.port}" if settings.enabled else None,
        tls=settings.tls,
        topic_prefix=settings.topic_prefix,
        field_map=str(saved.get("field_map") or settings.field_map or "default"),
        connected_since=saved.get("connected_since") if running else None,
        last_message_at=saved.get("last_message_at"),
        last_error=saved.get("last_error"),
        connection_failures=int(saved.get("connection_failures", 0)),
        messages_received=int(saved.get("messages_received", 0)),
        telemetry_messages=int(saved.get("telemetry_messages", 0)),
        rows_stored=int(saved.get("rows_stored", 0)),
        duplicates=int(saved.get("duplicates", 0)),
        batches_stored=int(saved.get("batches_stored", 0)),
        unaccepted_messages=int(saved.get("unaccepted_messages", 0)),
        rejected_messages=int(saved.get("rejected_messages", 0)),
        rejects=dict(saved.get("rejects") or {}),
        unknown_keys=dict(saved.get("unknown_keys") or {}),
        store_failures=int(saved.get("store_failures", 0)),
        rows_dropped=int(saved.get("rows_dropped", 0)),
        updated_at=saved.get("updated_at"),
    )


async def bridge_status(
    db: AsyncSession, settings: MqttSettings, bridge: GatewayBridge | None
) -> BridgeStatus:
    """This process's bridge when it leads; else what the leading process saved last."""
    if bridge is not None and bridge.is_leader:
        return bridge.status()
    if not settings.enabled:
        return bridge_status_from(None, running=False, settings=settings)
    saved = await load_bridge_state(db)
    if saved is None:
        return bridge_status_from(None, running=False, settings=settings)
    snapshot, updated_at = saved
    fresh = utcnow() - updated_at < timedelta(seconds=STATE_FRESH_SECONDS)
    return bridge_status_from(snapshot, running=fresh, settings=settings)
