"""The gateways' SQL: health with the latest reading, pending gateways, the bridge's writes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, delete, exists, func, literal, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.time import utcnow
from power_portal.gateways.messages import Heartbeat
from power_portal.gateways.models import GatewayHealth, MqttBridgeState, PendingGateway
from power_portal.gateways.state import HealthTally, PendingTally, Snapshot
from power_portal.measurements.models import power_measurements
from power_portal.sites.models import Device, Site

BRIDGE_STATE_ID = 1
# The bridge's advisory lock: (namespace, key); "MQ", 1. Device ingest locks use 0x5050.
LEADER_LOCK = (0x4D51, 1)

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


async def health_rows(
    db: AsyncSession, *, site_id: int | None = None, device_id: int | None = None
) -> Sequence[RowMapping]:
    """Each device with a gateway (or the one device asked for): its health and newest reading.

    A column per field of ``GatewayHealthView`` but the derived ones; by name, then id.
    """
    h, latest = GatewayHealth, _latest_reading()
    query = (
        select(
            Device.id.label("device_id"),
            Device.name.label("device_name"),
            Device.serial,
            Device.site_id,
            h.status,
            h.status_at,
            h.last_seen_at,
            h.last_telemetry_at,
            h.last_heartbeat_at,
            h.firmware,
            h.uptime_seconds,
            h.rssi_dbm,
            h.modbus_error_rate,
            h.sd_state,
            func.coalesce(h.messages_received, literal(0)).label("messages_received"),
            func.coalesce(h.messages_rejected, literal(0)).label("messages_rejected"),
            latest.c.latest_at.label("latest_reading_at"),
            latest.c.latest_kw.label("latest_power_kw"),
        )
        .outerjoin(h, h.device_id == Device.id)
        .outerjoin(latest, true())
        .order_by(Device.name, Device.id)
    )
    if device_id is not None:
        query = query.where(Device.id == device_id)
    else:
        query = query.where(h.device_id.is_not(None))
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    return (await db.execute(query)).mappings().all()


# ---------------------------------------------------------------- pending gateways


async def pending_gateways(db: AsyncSession, *, include_dismissed: bool) -> list[PendingGateway]:
    """Gateways no device has as serial, newest first."""
    known = exists().where(Device.serial == PendingGateway.gateway_id)
    query = select(PendingGateway).where(~known).order_by(PendingGateway.first_seen_at.desc())
    if not include_dismissed:
        query = query.where(PendingGateway.dismissed_at.is_(None))
    return list((await db.execute(query)).scalars())


async def get_pending(db: AsyncSession, gateway_id: str) -> PendingGateway | None:
    return await db.get(PendingGateway, gateway_id)


async def site_exists(db: AsyncSession, site_id: int) -> bool:
    return await db.get(Site, site_id) is not None


# ---------------------------------------------------------------- the bridge's writes


async def device_serials(db: AsyncSession) -> dict[str, tuple[int, datetime]]:
    """serial → (device id, created at) of every device; drops pending entries now devices."""
    await db.execute(
        delete(PendingGateway).where(exists().where(Device.serial == PendingGateway.gateway_id))
    )
    rows = await db.execute(select(Device.serial, Device.id, Device.created_at))
    return {serial: (int(device_id), created_at) for serial, device_id, created_at in rows}


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


def _pending_params(gateway_id: str, tally: PendingTally) -> dict[str, Any]:
    return {
        "gateway_id": gateway_id,
        "seen_at": tally.last_seen_at or utcnow(),
        "messages": tally.messages,
        "registered_at": tally.registered_at,
        "firmware": tally.firmware,
        "model": tally.model,
        "last_topic": tally.last_topic,
    }


async def add_health(db: AsyncSession, health: Sequence[tuple[int, HealthTally]]) -> None:
    """Add to each device's gateway health (one statement; devices deleted meanwhile skipped)."""
    if health:
        await db.execute(_HEALTH_UPSERT, [_health_params(d, t) for d, t in health])


async def add_pending(db: AsyncSession, pending: Sequence[tuple[str, PendingTally]]) -> None:
    """Add to each unknown gateway's pending entry (skipped when it became a device)."""
    if pending:
        await db.execute(_PENDING_UPSERT, [_pending_params(g, t) for g, t in pending])


def _json(value: Snapshot) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


async def save_bridge_state(db: AsyncSession, snapshot: Snapshot) -> None:
    await db.execute(
        text("""
            INSERT INTO app.mqtt_bridge_state (id, snapshot, updated_at)
            VALUES (:id, CAST(:snapshot AS jsonb), now())
            ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = now()
        """),
        {"id": BRIDGE_STATE_ID, "snapshot": _json(snapshot)},
    )


async def load_bridge_state(db: AsyncSession) -> MqttBridgeState | None:
    return await db.get(MqttBridgeState, BRIDGE_STATE_ID)
