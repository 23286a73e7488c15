"""What routes and the bridge ask of the database: gateway health, pending gateways, bridge state.

The SQL is in ``repository``. Flushes only: the caller's unit of work (a request's session,
or one of the bridge's write transactions) commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, FieldError, NotFoundError, found
from power_portal.core.time import utcnow
from power_portal.gateways import repository
from power_portal.gateways.models import GatewayHealth, GatewayHealthView, PendingGateway
from power_portal.gateways.schemas import BridgeStatus, GatewayAccept
from power_portal.gateways.state import Snapshot, Tallies
from power_portal.settings import MqttSettings
from power_portal.sites import service as sites_service
from power_portal.sites.models import Device

log = structlog.get_logger(__name__)

# A saved bridge state older than this means no process runs the bridge.
STATE_FRESH_SECONDS = 45.0

# ---------------------------------------------------------------- health


async def list_health(
    db: AsyncSession, offline_after: float, *, site_id: int | None = None
) -> list[GatewayHealthView]:
    """Health of every device that has a gateway (one that has spoken MQTT), by name."""
    rows = await repository.health_rows(db, site_id=site_id)
    return _views(rows, offline_after)


async def get_health(db: AsyncSession, device: Device, offline_after: float) -> GatewayHealthView:
    """A device's gateway health (state ``never`` while its gateway has not spoken)."""
    found = _views(await repository.health_rows(db, device_id=device.id), offline_after)
    if not found:  # deleted meanwhile
        raise NotFoundError(f"no device with id {device.id}")
    return found[0]


def _views(rows: Sequence[RowMapping], offline_after: float) -> list[GatewayHealthView]:
    now = utcnow()
    return [
        GatewayHealthView(**row, offline_after_seconds=offline_after, checked_at=now)
        for row in rows
    ]


# ---------------------------------------------------------------- pending gateways


async def list_pending(
    db: AsyncSession, *, include_dismissed: bool = False
) -> list[PendingGateway]:
    return await repository.pending_gateways(db, include_dismissed=include_dismissed)


async def _get_pending(db: AsyncSession, gateway_id: str) -> PendingGateway:
    return found(await repository.get_pending(db, gateway_id), f"pending gateway {gateway_id!r}")


async def accept_pending(db: AsyncSession, gateway_id: str, data: GatewayAccept) -> Device:
    """Create the device (serial = gateway id) in the site; its messages are stored from now on."""
    pending = await _get_pending(db, gateway_id)
    if not await repository.site_exists(db, data.site_id):
        raise FieldError("site_id", f"no site with id {data.site_id}")
    parent_id = await sites_service.place_new_device(
        db, data.site_id, data.name, data.parent_id, data.role
    )
    device = Device(
        site_id=data.site_id,
        name=data.name,
        serial=gateway_id,
        model=data.model or pending.model,
        parent_id=parent_id,
        role=data.role,
    )
    db.add(device)
    try:
        await db.flush()
    except IntegrityError as exc:
        raise ConflictError(f"a device with serial {gateway_id!r} exists already") from exc
    db.add(
        GatewayHealth(
            device_id=device.id, firmware=pending.firmware, last_seen_at=pending.last_seen_at
        )
    )
    await db.delete(pending)
    await db.flush()
    await db.refresh(device)
    log.info("gateways.accepted", gateway_id=gateway_id, device_id=device.id, site_id=data.site_id)
    return device


async def dismiss_pending(db: AsyncSession, gateway_id: str) -> PendingGateway:
    """Hide it from the pending list; its messages are still counted, it can still be accepted."""
    pending = await _get_pending(db, gateway_id)
    if pending.dismissed_at is None:
        pending.dismissed_at = utcnow()
        await db.flush()
        log.info("gateways.dismissed", gateway_id=gateway_id)
    return pending


# ---------------------------------------------------------------- the bridge's reads and writes


async def device_serials(db: AsyncSession) -> dict[str, tuple[int, datetime]]:
    """serial → (device id, created at) of every device; drops pending entries now devices."""
    return await repository.device_serials(db)


async def record_tallies(db: AsyncSession, tallies: Tallies) -> None:
    """Every known gateway's health, every unknown one's pending entry (one statement each)."""
    await repository.add_health(db, list(tallies.health.items()))
    await repository.add_pending(db, list(tallies.pending.items()))


async def save_bridge_state(db: AsyncSession, snapshot: Snapshot) -> None:
    await repository.save_bridge_state(db, snapshot)


async def bridge_status(
    db: AsyncSession, settings: MqttSettings, live: Snapshot | None, *, admin: bool
) -> BridgeStatus:
    """Not ``admin``: without the broker's address, the client id, the field map and the error."""
    status = await _bridge_status(db, settings, live)
    return status if admin else viewer_bridge_status(status)


async def _bridge_status(
    db: AsyncSession, settings: MqttSettings, live: Snapshot | None
) -> BridgeStatus:
    """``live``: this process's bridge, when it leads; else what the leading process saved last."""
    if live is not None:
        return bridge_status_from(live, running=True, settings=settings)
    if not settings.enabled:
        return bridge_status_from(None, running=False, settings=settings)
    saved = await repository.load_bridge_state(db)
    if saved is None:
        return bridge_status_from(None, running=False, settings=settings)
    fresh = utcnow() - saved.updated_at < timedelta(seconds=STATE_FRESH_SECONDS)
    return bridge_status_from(saved.snapshot, running=fresh, settings=settings)


# What only an admin reads of the bridge: where the broker is and how the portal signs in to
# it, the field map file on this server, and the last error (which may name hosts and files).
ADMIN_ONLY_FIELDS = ("broker", "client_id", "field_map", "last_error")


def viewer_bridge_status(status: BridgeStatus) -> BridgeStatus:
    """The bridge as a viewer sees it: its state and counters, the admin-only fields null."""
    return status.model_copy(update=dict.fromkeys(ADMIN_ONLY_FIELDS))


# The bridge's counters, as numbers (0 before the bridge ever ran).
COUNTERS = (
    "connection_failures",
    "messages_received",
    "telemetry_messages",
    "rows_stored",
    "duplicates",
    "batches_stored",
    "unaccepted_messages",
    "rejected_messages",
    "store_failures",
    "rows_dropped",
)


def bridge_status_from(
    snapshot: Snapshot | None, *, running: bool, settings: MqttSettings
) -> BridgeStatus:
    """The API's view: the settings, plus the counters of the bridge (this process's or saved)."""
    saved = snapshot or {}
    return BridgeStatus.model_validate(
        {
            **{name: int(saved.get(name, 0)) for name in COUNTERS},
            "enabled": settings.enabled,
            "running": running,
            "connected": running and bool(saved.get("connected")),
            "broker": f"{settings.host}:{settings.port}" if settings.enabled else None,
            "client_id": settings.client_id,
            "tls": settings.tls,
            "topic_prefix": settings.topic_prefix,
            "field_map": str(saved.get("field_map") or settings.field_map or "default"),
            "connected_since": saved.get("connected_since") if running else None,
            "last_message_at": saved.get("last_message_at"),
            "last_error": saved.get("last_error"),
            "rejects": dict(saved.get("rejects") or {}),
            "unknown_keys": dict(saved.get("unknown_keys") or {}),
            "updated_at": saved.get("updated_at"),
        }
    )
