"""Admin side of the fleet protocol: store what a customer stack pushed.

The customer comes from the token only. Sites and devices are upserted by
``(customer_id, id)``. Measurements go through COPY into a staging table and
one ``INSERT … ON CONFLICT (customer_id, device_id, time) DO NOTHING``, so a
re-pushed batch changes nothing; the fleet rollups around the new rows are
rebuilt in the same transaction. Items that break the rules are counted as
rejected (the rest of the batch is stored).
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.request_checks import MAX_ID
from power_portal.core.time import utcnow
from power_portal.fleet.models import Customer, FleetDevice, FleetSite, IngestEvent
from power_portal.fleet.schemas import BatchType, DeviceItem, FleetIngestResult, SiteItem
from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS
from power_portal.measurements.ingest import copy_rows, runs_of
from power_portal.measurements.parsing import EARLIEST, FUTURE_TOLERANCE, MAX_MAGNITUDE
from power_portal.measurements.rollups import rebuild_fleet_around, registers_mask_of

log = structlog.get_logger(__name__)

# The client stack applied the 1-day "future" rule against its own clock when its
# meter sent the row; judged again by this stack's clock, a row of a client whose
# clock runs ahead would be rejected, and a rejected row is never pushed again.
# So allow for clocks that disagree; a year still keeps out garbage times.
CLOCK_SKEW_ALLOWANCE = timedelta(days=365)

_COLUMNS = ", ".join(FIELD_NAMES)
_STAGING = "fleet_ingest_staging"
_STAGING_DDL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (device_id bigint NOT NULL, "
    "time timestamptz NOT NULL, "
    + ", ".join(f"{name} double precision" for name in FIELD_NAMES)
    + ") ON COMMIT DELETE ROWS"
)
_COPY_SQL = f"COPY {_STAGING} (device_id, time, {_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["int8", "timestamptz", *(["float8"] * len(FIELD_NAMES))]
_INSERT_SQL = text(f"""
    INSERT INTO fleet.power_measurements (customer_id, device_id, time, {_COLUMNS})
    SELECT :customer_id, device_id, time, {_COLUMNS} FROM {_STAGING}
    ON CONFLICT (customer_id, device_id, time) DO NOTHING
    RETURNING device_id, time
""")


# Writes only when the batch brings a register this device never sent before.
_REGISTERS_SQL = text("""
    WITH added AS (
        INSERT INTO fleet.device_registers AS r (customer_id, device_id, registers_seen)
        VALUES (:customer_id, :device_id, :mask)
        ON CONFLICT (customer_id, device_id)
        DO UPDATE SET registers_seen = r.registers_seen | excluded.registers_seen
        WHERE r.registers_seen | excluded.registers_seen <> r.registers_seen
        RETURNING registers_seen
    )
    SELECT coalesce((SELECT registers_seen FROM added),
                    (SELECT registers_seen FROM fleet.device_registers
                     WHERE customer_id = :customer_id AND device_id = :device_id))
""")
# a staging row is (device_id, time, *FIELD_NAMES): the first register's column
_FIRST_REGISTER = 2 + FIELD_NAMES.index(REGISTER_FIELDS[0])


class MalformedBatchError(ValueError):
    pass


@dataclass
class RateLimiter:
    """A token bucket per customer (in this process): ``per_minute`` batches, bursts allowed."""

    per_minute: int
    _buckets: dict[int, tuple[float, float]] | None = None

    def retry_after(self, customer_id: int) -> int:
        """0 when a batch may go now (and takes a token), else seconds to wait."""
        buckets = self._buckets if self._buckets is not None else {}
        self._buckets = buckets
        rate = self.per_minute / 60.0
        now = time.monotonic()
        tokens, stamp = buckets.get(customer_id, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - stamp) * rate)
        if tokens >= 1:
            buckets[customer_id] = (tokens - 1, now)
            return 0
        buckets[customer_id] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))


def parse_items(body: bytes) -> list[Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBatchError(f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise MalformedBatchError("malformed JSON: nested too deeply") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise MalformedBatchError('the body must be a JSON object {"items": [...]}')
    items: list[Any] = document["items"]
    return items


def _finite(value: Any) -> bool:
    """A number within the ingest bounds (NaN, infinities and 10**400 are not)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    )


def _measurement_row(item: Any, now: datetime) -> tuple[Any, ...] | None:
    """A staging row for a valid item, or None (rejected)."""
    if not isinstance(item, dict):
        return None
    device_id = item.get("device_id")
    if not isinstance(device_id, int) or isinstance(device_id, bool):
        return None
    if not 1 <= device_id <= MAX_ID:
        return None
    raw_time = item.get("time")
    if not isinstance(raw_time, str):
        return None
    try:
        moment = datetime.fromisoformat(raw_time)
    except ValueError:
        return None
    if moment.tzinfo is None or moment < EARLIEST:
        return None
    if moment > now + FUTURE_TOLERANCE + CLOCK_SKEW_ALLOWANCE:
        return None
    values: list[float | None] = []
    for name in FIELD_NAMES:
        value = item.get(name)
        if value is not None and not _finite(value):
            return None
        values.append(None if value is None else float(value))
    if all(v is None for v in values):
        return None
    unknown = set(item) - {"device_id", "time", "received_at", *FIELD_NAMES}
    if unknown:
        return None
    return (device_id, moment, *values)


async def store_sites(db: AsyncSession, customer: Customer, items: list[Any]) -> FleetIngestResult:
    valid: list[SiteItem] = []
    for item in items:
        try:
            valid.append(SiteItem.model_validate(item))
        except ValidationError:
            continue
    # One row per id (the last wins): an upsert may not touch a row twice.
    unique = list({site.id: site for site in valid}.values())
    if unique:
        statement = insert(FleetSite).values(
            [{"customer_id": customer.id, **site.model_dump()} for site in unique]
        )
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=["customer_id", "id"],
                set_={
                    "name": statement.excluded.name,
                    "timezone": statement.excluded.timezone,
                    "utility": statement.excluded.utility,
                    "updated_at": utcnow(),
                },
            )
        )
    return FleetIngestResult(
        accepted=len(unique), duplicates=len(valid) - len(unique), rejected=len(items) - len(valid)
    )


async def store_devices(
    db: AsyncSession, customer: Customer, items: list[Any]
) -> FleetIngestResult:
    valid: list[DeviceItem] = []
    for item in items:
        try:
            valid.append(DeviceItem.model_validate(item))
        except ValidationError:
            continue
    unique = list({device.id: device for device in valid}.values())
    if unique:
        statement = insert(FleetDevice).values(
            [{"customer_id": customer.id, **device.model_dump()} for device in unique]
        )
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=["customer_id", "id"],
                set_={
                    "site_id": statement.excluded.site_id,
                    "name": statement.excluded.name,
                    "serial": statement.excluded.serial,
                    "model": statement.excluded.model,
                    "updated_at": utcnow(),
                },
            )
        )
    return FleetIngestResult(
        accepted=len(unique), duplicates=len(valid) - len(unique), rejected=len(items) - len(valid)
    )


async def store_measurements(
    db: AsyncSession, customer: Customer, items: list[Any]
) -> tuple[FleetIngestResult, datetime | None, datetime | None]:
    now = utcnow()
    rows: dict[tuple[int, datetime], tuple[Any, ...]] = {}
    rejected = 0
    for item in items:
        row = _measurement_row(item, now)
        if row is None:
            rejected += 1
            continue
        rows.setdefault((row[0], row[1]), row)
    if not rows:
        return FleetIngestResult(accepted=0, duplicates=0, rejected=rejected), None, None
    device_ids = sorted({device_id for device_id, _ in rows})
    for device_id in device_ids:  # in order: two batches never wait on each other in a cycle
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"fleet:{customer.id}:{device_id}"},
        )
    await db.execute(text(_STAGING_DDL))
    await copy_rows(db, _COPY_SQL, _COPY_TYPES, rows.values())
    inserted = (await db.execute(_INSERT_SQL, {"customer_id": customer.id})).all()
    by_device: dict[int, list[datetime]] = defaultdict(list)
    for device_id, moment in inserted:
        by_device[device_id].append(moment)
    for device_id, moments in sorted(by_device.items()):
        device_rows = [row for key, row in rows.items() if key[0] == device_id]
        batch_mask = registers_mask_of(device_rows, _FIRST_REGISTER)
        registers = (
            await db.execute(
                _REGISTERS_SQL,
                {"customer_id": customer.id, "device_id": device_id, "mask": batch_mask},
            )
        ).scalar_one()
        for lo, hi, _ in runs_of(sorted(moments)):
            await rebuild_fleet_around(db, customer.id, device_id, lo, hi, int(registers))
    times = [moment for _, moment in rows]
    accepted = len(inserted)
    # a row already stored, or the same instant twice in this batch, is a duplicate
    result = FleetIngestResult(
        accepted=accepted, duplicates=len(items) - rejected - accepted, rejected=rejected
    )
    return result, min(times), max(times)


async def ingest_batch(
    db: AsyncSession,
    customer: Customer,
    batch_type: BatchType,
    items: list[Any],
    *,
    body_bytes: int,
    cursor: str | None,
) -> FleetIngestResult:
    """Store one batch and its audit row; commits."""
    earliest = latest = None
    if batch_type is BatchType.SITES:
        result = await store_sites(db, customer, items)
    elif batch_type is BatchType.DEVICES:
        result = await store_devices(db, customer, items)
    else:
        result, earliest, latest = await store_measurements(db, customer, items)
    now = utcnow()
    customer.first_seen_at = customer.first_seen_at or now
    customer.last_seen_at = now
    db.add(
        IngestEvent(
            customer_id=customer.id,
            batch_type=batch_type.value,
            status_code=200,
            accepted=result.accepted,
            duplicates=result.duplicates,
            rejected=result.rejected,
            bytes=body_bytes,
            client_cursor=cursor[:200] if cursor else None,
            earliest=earliest,
            latest=latest,
            error=f"{result.rejected} item(s) rejected" if result.rejected else None,
        )
    )
    await db.commit()
    log.info(
        "fleet.batch",
        customer_id=customer.id,
        batch_type=batch_type.value,
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=result.rejected,
    )
    return result


async def record_refusal(
    db: AsyncSession,
    customer_id: int | None,
    batch_type: str,
    status_code: int,
    error: str,
    body_bytes: int = 0,
    cursor: str | None = None,
) -> None:
    """The audit row for a batch that was refused (its own transaction)."""
    await db.rollback()
    db.add(
        IngestEvent(
            customer_id=customer_id,
            batch_type=batch_type[:20] or "unknown",
            status_code=status_code,
            accepted=0,
            duplicates=0,
            rejected=0,
            bytes=body_bytes,
            client_cursor=cursor[:200] if cursor else None,
            error=error[:1000],
        )
    )
    await db.commit()
