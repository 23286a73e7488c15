"""The fleet on the admin stack: customers and their tokens, what they pushed, and the
protocol of a pushed batch (checks in order, a known customer's refusals recorded, the batch
stored).

A batch's checks run in this order: the customer token (401), the batch type (400), the
customer's rate (429), the body's size and encoding (413/415, ``dependencies.pushed_batch``),
the body's shape (400). Each refusal of a known customer's batch leaves an audit row; a
push without a known token writes nothing (``dependencies``: counted and logged, sampled).
Sites and devices are upserted by ``(customer_id, id)``. Measurements are decoded by
``decoding`` (msgspec, the item rules of ``ingest.measurement_row``) and stored with one
COPY: straight into the table when nothing is stored yet within the batch's range, else
through a staging table with ``ON CONFLICT DO NOTHING``, so a re-pushed batch changes
nothing. The fleet rollups around
the new rows are not rebuilt in the batch's transaction: it logs their runs
(``rollup_log``), the fleet rollup worker rebuilds them right after, and a reader of the
fleet rollups flushes what is still pending first.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from fastapi import status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import FieldError, PortalError, found
from power_portal.core.request_checks import DateSpan
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.fleet import repository, rollup_log
from power_portal.fleet.decoding import (
    DecodedBatch,
    StoredRun,
    decode_measurements,
    new_runs,
    rows_by_device,
    unique_rows,
)
from power_portal.fleet.ingest import (
    MalformedBatchError,
    MeasurementRow,
    RateLimiter,
    parse_items,
    valid_items,
)
from power_portal.fleet.models import Customer, FleetDevice, FleetSite, IngestEvent, PushState
from power_portal.fleet.schemas import (
    BatchType,
    CustomerCreate,
    CustomerRead,
    CustomerWithToken,
    DeviceItem,
    FleetIngestResult,
    SiteItem,
    customer_slug,
)
from power_portal.measurements import repository as readings
from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS
from power_portal.measurements.models import FLEET
from power_portal.measurements.rollups import registers_mask_of
from power_portal.measurements.schemas import EnergyResponse, Interval

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "ppc_"  # noqa: S105 - a public marker that customer tokens start with
UNKNOWN_CUSTOMER = "unknown or deactivated customer token"
REPLACED_TOKEN = "a replaced token, past its grace or revoked"  # noqa: S105 - not a secret
# a measurement row is (device_id, time, *FIELD_NAMES): the first register's column
_FIRST_REGISTER = 2 + FIELD_NAMES.index(REGISTER_FIELDS[0])


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# ---------------------------------------------------------------- customers


async def get_by_code(db: AsyncSession, code: str) -> Customer:
    return found(await repository.customer_by_code(db, code), f"customer with code {code}")


async def overview(db: AsyncSession, customer: Customer) -> Customer:
    """The customer with its overview's figures (sites, devices, rows, the last error)."""
    [loaded] = await repository.customer_overviews(db, customer.id)
    return loaded


async def list_customers(db: AsyncSession) -> Sequence[Customer]:
    return await repository.customer_overviews(db)


async def _with_token(db: AsyncSession, customer: Customer, token: str) -> CustomerWithToken:
    """The customer's overview and the token it was just given (shown this once)."""
    read = CustomerRead.model_validate(await overview(db, customer))
    return CustomerWithToken(**read.model_dump(), token=token)


def _taken(code: str, existing: Customer | None) -> FieldError:
    if existing is not None and existing.code.lower() != code.lower():
        message = f"code {code} would share the host name {existing.slug} with {existing.code}"
    else:
        message = f"a customer with code {existing.code if existing else code} already exists"
    return FieldError("code", message, "unique")


async def create_customer(db: AsyncSession, data: CustomerCreate) -> CustomerWithToken:
    """A new customer; its code is unique whatever its case, and so is its slug."""
    slug = customer_slug(data.code)
    existing = await repository.customer_by_code_or_slug(db, data.code, slug)
    if existing is not None:
        raise _taken(data.code, existing)
    token = new_token()
    customer = Customer(code=data.code, slug=slug, name=data.name, token_sha256=token_digest(token))
    db.add(customer)
    try:
        await db.flush()
    except IntegrityError as exc:  # created meanwhile by another request
        raise _taken(data.code, None) from exc
    log.info("fleet.customer_created", customer_id=customer.id, code=customer.code)
    return await _with_token(db, customer, token)


async def rotate_token(db: AsyncSession, customer: Customer, grace: timedelta) -> CustomerWithToken:
    """A new token, working at once; the one it replaces keeps working for ``grace`` (a
    token replaced earlier and still in its grace is refused from now on)."""
    token = new_token()
    now = utcnow()
    customer.previous_token_sha256 = customer.token_sha256
    customer.previous_token_expires_at = now + grace
    customer.previous_token_last_used_at = customer.token_last_used_at
    customer.token_sha256 = token_digest(token)
    customer.token_last_used_at = None
    customer.token_rotated_at = now
    await db.flush()
    log.info("fleet.token_rotated", customer_id=customer.id, grace_hours=grace / timedelta(hours=1))
    return await _with_token(db, customer, token)


async def revoke_previous_token(db: AsyncSession, customer: Customer) -> Customer:
    """The token a rotation replaced is refused from now on (a leaked token). Its digest
    stays, so that its pushes are refused against this customer."""
    now = utcnow()
    if customer.previous_token_expires_at is not None:
        customer.previous_token_expires_at = min(customer.previous_token_expires_at, now)
    await db.flush()
    log.info("fleet.previous_token_revoked", customer_id=customer.id)
    return await overview(db, customer)


async def set_active(db: AsyncSession, customer: Customer, active: bool) -> Customer:
    customer.active = active
    await db.flush()
    log.info("fleet.customer_active", customer_id=customer.id, active=active)
    return await overview(db, customer)


async def customer_events(
    db: AsyncSession, customer: Customer, limit: int
) -> Sequence[IngestEvent]:
    return await repository.ingest_events(db, customer.id, limit)


async def customer_sites(db: AsyncSession, customer: Customer) -> Sequence[FleetSite]:
    return await repository.sites_with_devices(db, customer.id)


async def energy(
    db: AsyncSession,
    customer: Customer | None,
    span: DateSpan,
    interval: Interval,
    timezone: str | None,
) -> EnergyResponse:
    """Energy of one customer's sites, or of the whole fleet's (UTC unless ``timezone``):
    per site its supply points, or all its devices when it has none (the pushed tree)."""
    await rollup_log.flush(db, None if customer is None else customer.id)
    devices = await repository.site_total_devices(db, None if customer is None else customer.id)
    if customer is None:
        selection = readings.SeriesSelection(FLEET, customer_devices=tuple(devices))
    else:
        selection = readings.SeriesSelection(
            FLEET, device_ids=tuple(device for _, device in devices), customer_id=customer.id
        )
    return await readings.energy(db, selection, span.start, span.end, interval, timezone or "UTC")


async def push_states(db: AsyncSession) -> Sequence[PushState]:
    """Client mode: where the push of each resource stands."""
    return await repository.push_states(db)


# ---------------------------------------------------------------- a pushed batch


class BatchRefusedError(PortalError):
    """A batch refused by the protocol (its audit row is already written)."""


@dataclass(frozen=True)
class PushedBatch:
    """A batch past the checks that come before its body is parsed."""

    customer: Customer
    batch_type: BatchType
    body: bytes
    cursor: str | None
    token_sha256: str  # the digest of the token it came with


# which of a customer's tokens a request came with; "expired": the replaced one, past its grace
TokenMatch = Literal["current", "previous", "expired"]


async def customer_for_token(db: AsyncSession, token: str) -> tuple[Customer, TokenMatch] | None:
    """The customer a token belongs to (lookup by hash, active or not) and which of its
    tokens it is, else None."""
    digest = token_digest(token)
    customer = await repository.customer_by_token_digest(db, digest)
    if customer is None:
        return None
    if customer.token_sha256 == digest:
        return customer, "current"
    return customer, "previous" if customer.previous_token_accepted else "expired"


async def record_refusal(
    db: AsyncSession,
    customer_id: int,
    batch_type: str,
    status_code: int,
    error: str,
    body_bytes: int = 0,
    cursor: str | None = None,
) -> None:
    """The audit row for a known customer's batch that was refused (its own transaction)."""
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
    await db.commit()  # boundary: a refusal is recorded although the request fails


async def _refuse(
    db: AsyncSession,
    customer_id: int,
    kind: str,
    status_code: int,
    detail: str,
    *,
    error: str | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    cursor: str | None = None,
) -> BatchRefusedError:
    """Record a refusal (``error``, else the ``detail`` the client gets) and hand back the
    error to raise."""
    await record_refusal(db, customer_id, kind, status_code, error or detail, len(body), cursor)
    return BatchRefusedError(detail, headers, status_code=status_code)


def unknown_customer() -> BatchRefusedError:
    """The 401 of a push without a known token (nothing recorded: it names no customer)."""
    return BatchRefusedError(UNKNOWN_CUSTOMER, status_code=status.HTTP_401_UNAUTHORIZED)


async def admit_batch(
    db: AsyncSession,
    customer: Customer,
    kind: str,
    limiter: RateLimiter,
    match: TokenMatch = "current",
) -> tuple[Customer, BatchType]:
    """The checks before the body is read, for the customer a token named: an active
    customer, its current token or the one it replaced within its grace, a known batch
    type, the customer's rate."""
    if not customer.active or match == "expired":
        # a deactivated customer's refusals, or a replaced token's after its grace, are
        # recorded against the customer, so its page shows them (the same 401 as an
        # unknown token's)
        error = REPLACED_TOKEN if match == "expired" else UNKNOWN_CUSTOMER
        raise await _refuse(
            db, customer.id, kind, status.HTTP_401_UNAUTHORIZED, UNKNOWN_CUSTOMER, error=error
        )
    try:
        batch_type = BatchType(kind)
    except ValueError:
        raise await _refuse(
            db,
            customer.id,
            kind,
            status.HTTP_400_BAD_REQUEST,
            f"X-Batch-Type must be sites, devices or measurements, not {kind!r}",
            error=f"unknown batch type {kind!r}",
        ) from None
    wait = limiter.retry_after(customer.id)
    if wait:
        raise await _refuse(
            db,
            customer.id,
            kind,
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many batches: retry in {wait} s",
            error=f"rate limited for {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return customer, batch_type


async def receive_batch(db: AsyncSession, batch: PushedBatch) -> FleetIngestResult:
    """Parse the body (400 when it is not ``{"items": [...]}``) and store the batch."""
    customer, kind = batch.customer, batch.batch_type.value
    try:
        if batch.batch_type is BatchType.MEASUREMENTS:
            decoded = decode_measurements(batch.body, utcnow())
        else:
            items = parse_items(batch.body)
    except MalformedBatchError as exc:
        raise await _refuse(
            db, customer.id, kind, 400, str(exc), body=batch.body, cursor=batch.cursor
        ) from exc
    earliest = latest = None
    if batch.batch_type is BatchType.SITES:
        result = await _store_pushed(db, customer, FleetSite, valid_items(items, SiteItem), items)
    elif batch.batch_type is BatchType.DEVICES:
        devices = valid_items(items, DeviceItem)
        result = await _store_pushed(db, customer, FleetDevice, devices, items)
    else:
        result, earliest, latest = await _store_measurements(db, customer, decoded)
    now = utcnow()
    customer.first_seen_at = customer.first_seen_at or now
    customer.last_seen_at = now
    await repository.record_token_use(db, customer.id, batch.token_sha256, now)
    db.add(
        IngestEvent(
            customer_id=customer.id,
            batch_type=kind,
            status_code=200,
            **result.model_dump(),
            bytes=len(batch.body),
            client_cursor=batch.cursor[:200] if batch.cursor else None,
            earliest=earliest,
            latest=latest,
            error=f"{result.rejected} item(s) rejected" if result.rejected else None,
        )
    )
    await db.commit()  # boundary: the batch, its rollup log entries and its audit row, or nothing
    log.info("fleet.batch", customer_id=customer.id, batch_type=kind, **result.model_dump())
    return result


async def _store_pushed(
    db: AsyncSession,
    customer: Customer,
    model: type[FleetSite] | type[FleetDevice],
    valid: Sequence[SiteItem | DeviceItem],
    items: list[Any],
) -> FleetIngestResult:
    # One row per id (the last wins): an upsert may not touch a row twice.
    unique = list({item.id: item for item in valid}.values())
    await repository.upsert_pushed(db, model, customer.id, [item.model_dump() for item in unique])
    return FleetIngestResult(
        accepted=len(unique), duplicates=len(valid) - len(unique), rejected=len(items) - len(valid)
    )


async def _store_measurements(
    db: AsyncSession, customer: Customer, decoded: DecodedBatch
) -> tuple[FleetIngestResult, datetime | None, datetime | None]:
    """Store the batch's valid rows (one COPY) under the devices' ingest locks, and log the
    runs of new ones for the fleet rollup worker (``rollup_log``).

    When nothing is stored yet within any device's span of the batch (a backlog pushed
    the first time, live data), every row is new: COPY straight into the table.
    Otherwise COPY into a staging table and insert what is not stored yet."""
    rows = unique_rows(decoded.rows)
    if not rows:
        return FleetIngestResult(accepted=0, duplicates=0, rejected=decoded.rejected), None, None
    by_device = rows_by_device(rows)
    spans = [(device, group[0][1], group[-1][1]) for device, group in by_device.items()]
    await repository.lock_devices(db, customer.id, by_device)
    if await repository.any_stored(db, customer.id, spans):
        runs = await repository.insert_new_measurements(db, customer.id, rows)
    else:
        await repository.copy_measurements(db, customer.id, rows)
        runs = new_runs(by_device)
    await _log_rollups(db, customer.id, by_device, runs)
    accepted = sum(run.rows for run in runs)
    # a row already stored, or the same instant twice in this batch, is a duplicate
    result = FleetIngestResult(
        accepted=accepted,
        duplicates=decoded.items - decoded.rejected - accepted,
        rejected=decoded.rejected,
    )
    return result, min(span[1] for span in spans), max(span[2] for span in spans)


async def _log_rollups(
    db: AsyncSession,
    customer_id: int,
    by_device: dict[int, list[MeasurementRow]],
    runs: Sequence[StoredRun],
) -> None:
    """Log each run of new rows for the fleet rollups, with the registers each device has
    sent so far (this batch's included): one statement and a NOTIFY."""
    registers: dict[int, int] = {}
    for run in runs:
        if run.device_id not in registers:
            batch_mask = registers_mask_of(by_device[run.device_id], _FIRST_REGISTER)
            registers[run.device_id] = await repository.add_registers(
                db, customer_id, run.device_id, batch_mask
            )
    await rollup_log.enqueue(
        db,
        customer_id,
        [(run.device_id, run.lo, run.hi, registers[run.device_id]) for run in runs],
    )
