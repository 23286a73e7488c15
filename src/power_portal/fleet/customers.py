"""Customers of the admin stack and their push tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import FieldError, NotFoundError
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.fleet.models import (
    Customer,
    FleetDevice,
    FleetSite,
    IngestEvent,
)
from power_portal.fleet.schemas import CustomerCreate, CustomerRead

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "ppc_"  # noqa: S105 - a public marker that customer tokens start with


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_customer(db: AsyncSession, data: CustomerCreate) -> tuple[Customer, str]:
    token = new_token()
    customer = Customer(code=data.code, name=data.name, token_sha256=token_digest(token))
    db.add(customer)
    try:
        await db.commit()
    except IntegrityError as exc:
        await db.rollback()
        raise FieldError(
            "code", f"a customer with code {data.code} already exists", "unique"
        ) from exc
    await db.refresh(customer)
    log.info("fleet.customer_created", customer_id=customer.id, code=customer.code)
    return customer, token


async def get_by_code(db: AsyncSession, code: str) -> Customer:
    customer = (
        await db.execute(select(Customer).where(Customer.code == code))
    ).scalar_one_or_none()
    if customer is None:
        raise NotFoundError(f"no customer with code {code}")
    return customer


async def customer_for_token(db: AsyncSession, token: str) -> Customer | None:
    """The customer a token belongs to (lookup by hash, active or not), else None."""
    return (
        await db.execute(select(Customer).where(Customer.token_sha256 == token_digest(token)))
    ).scalar_one_or_none()


async def rotate_token(db: AsyncSession, code: str) -> tuple[Customer, str]:
    customer = await get_by_code(db, code)
    token = new_token()
    customer.token_sha256 = token_digest(token)
    await db.commit()
    await db.refresh(customer)
    log.info("fleet.token_rotated", customer_id=customer.id)
    return customer, token


async def set_active(db: AsyncSession, code: str, active: bool) -> Customer:
    customer = await get_by_code(db, code)
    customer.active = active
    await db.commit()
    await db.refresh(customer)
    log.info("fleet.customer_active", customer_id=customer.id, active=active)
    return customer


async def describe(db: AsyncSession, customer: Customer) -> CustomerRead:
    since = utcnow() - timedelta(hours=24)
    sites = (
        await db.execute(select(func.count()).where(FleetSite.customer_id == customer.id))
    ).scalar_one()
    devices = (
        await db.execute(select(func.count()).where(FleetDevice.customer_id == customer.id))
    ).scalar_one()
    # Rows stored in the last 24 h = rows accepted by the batches of the last 24 h (each
    # batch's audit row is written in the batch's transaction). Read from the audit rows,
    # not the measurements: with TimescaleDB those are compressed after 7 days, and a
    # received_at filter would decompress the customer's whole history on every call.
    rows = (
        await db.execute(
            select(func.coalesce(func.sum(IngestEvent.accepted), 0)).where(
                IngestEvent.customer_id == customer.id,
                IngestEvent.batch_type == "measurements",
                IngestEvent.received_at >= since,
            )
        )
    ).scalar_one()
    # the latest batch's error only: a later clean batch clears it
    last_error = (
        await db.execute(
            select(IngestEvent.error, IngestEvent.received_at)
            .where(IngestEvent.customer_id == customer.id)
            .order_by(IngestEvent.id.desc())
            .limit(1)
        )
    ).one_or_none()
    if last_error is not None and last_error[0] is None:
        last_error = None
    return CustomerRead(
        id=customer.id,
        code=customer.code,
        name=customer.name,
        active=customer.active,
        first_seen_at=customer.first_seen_at,
        last_seen_at=customer.last_seen_at,
        created_at=customer.created_at,
        site_count=int(sites),
        device_count=int(devices),
        rows_last_24h=int(rows),
        last_error=last_error[0] if last_error else None,
        last_error_at=last_error[1] if last_error else None,
    )


async def list_customers(db: AsyncSession) -> list[CustomerRead]:
    customers = (await db.execute(select(Customer).order_by(Customer.code))).scalars().all()
    return [await describe(db, customer) for customer in customers]
