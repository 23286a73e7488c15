"""Admin-mode tables (schema ``fleet``) and the client's push state (schema ``app``).

Every fleet table leads with ``customer_id`` and every fleet query filters by it,
so the tables can later be distributed by customer (see DESIGN.md "Scale path").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, query_expression, relationship

from power_portal.core.time import utcnow
from power_portal.db.models import Base, metadata
from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS, SERIES_FIELDS


def _customer_ref() -> ForeignKey:
    """Every fleet row belongs to a customer and goes when the customer goes."""
    return ForeignKey("fleet.customers.id", ondelete="CASCADE")


class Customer(Base):
    """A customer stack. A reference table on Citus (see OPERATIONS.md "Fleet on Citus"):
    its unique code, slug and token digests are looked up without a customer id."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("uq_customers_slug", "slug", unique=True),
        Index("uq_customers_token_sha256", "token_sha256", unique=True),
        Index("uq_customers_previous_token_sha256", "previous_token_sha256", unique=True),
        {"schema": "fleet"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    # the code as a host name (lower case, ``_`` as ``-``): see ``schemas.customer_slug``
    slug: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64))
    token_last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the token a rotation replaced: accepted until ``previous_token_expires_at`` (the grace),
    # its digest kept after that so that a late push is refused against this customer
    previous_token_sha256: Mapped[str | None] = mapped_column(String(64))
    previous_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_token_last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # The overview's figures: columns the repository's overview query adds (None otherwise).
    site_count: Mapped[int] = query_expression()
    device_count: Mapped[int] = query_expression()
    rows_last_24h: Mapped[int] = query_expression()
    last_error: Mapped[str | None] = query_expression()
    last_error_at: Mapped[datetime | None] = query_expression()

    @property
    def last_token_used(self) -> str | None:
        """Which token the latest accepted batch came with: "current", "previous" or None."""
        current, previous = self.token_last_used_at, self.previous_token_last_used_at
        if previous is not None and (current is None or previous > current):
            return "previous"
        return "current" if current is not None else None

    @property
    def previous_token_accepted(self) -> bool:
        """Whether the token the last rotation replaced is still accepted (in its grace)."""
        expires = self.previous_token_expires_at
        return expires is not None and expires > utcnow()


# codes as operators write them (``DEV0001``), unique whatever their case
Index("uq_customers_code_lower", func.lower(Customer.code), unique=True)


class _PushedRow:
    """A row a customer stack pushed, keyed by (customer, the client stack's own id)."""

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[object, ...]:
        name = f"pk_fleet_{cls.__tablename__}"  # type: ignore[attr-defined]
        return (PrimaryKeyConstraint("customer_id", "id", name=name), {"schema": "fleet"})

    customer_id: Mapped[int] = mapped_column(BigInteger, _customer_ref(), sort_order=-2)
    id: Mapped[int] = mapped_column(BigInteger, sort_order=-1)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class FleetDevice(_PushedRow, Base):
    __tablename__ = "devices"

    site_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    # the metering tree as the customer's stack has it (see sites.models.Device)
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20), server_default="submeter")
    # when the newest measurement was taken: a column the repository's query adds
    last_reading_at: Mapped[datetime | None] = query_expression()


class FleetSite(_PushedRow, Base):
    __tablename__ = "sites"

    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    utility: Mapped[str | None] = mapped_column(String(200))
    # no foreign key (devices may arrive before their site): joined on (customer_id, site_id)
    devices: Mapped[list[FleetDevice]] = relationship(
        primaryjoin="and_(FleetSite.customer_id == foreign(FleetDevice.customer_id), "
        "FleetSite.id == foreign(FleetDevice.site_id))",
        order_by=FleetDevice.id,
        viewonly=True,
        lazy="raise",
    )


class DeviceRegisters(Base):
    """Which energy registers a customer's device has sent (bit i: REGISTER_FIELDS[i]).

    Kept apart from ``devices`` because measurements may arrive before the device list.
    """

    __tablename__ = "device_registers"
    __table_args__ = (
        PrimaryKeyConstraint("customer_id", "device_id", name="pk_fleet_device_registers"),
        {"schema": "fleet"},
    )

    customer_id: Mapped[int] = mapped_column(BigInteger, _customer_ref())
    device_id: Mapped[int] = mapped_column(BigInteger)
    registers_seen: Mapped[int] = mapped_column(Integer, default=0)


class IngestEvent(Base):
    """One row per fleet batch, whatever its outcome (the audit trail)."""

    __tablename__ = "ingest_events"
    __table_args__ = (
        Index("ix_ingest_events_customer_received", "customer_id", "received_at"),
        {"schema": "fleet"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(BigInteger, _customer_ref())
    batch_type: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    client_cursor: Mapped[str | None] = mapped_column(String(200))
    earliest: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    latest: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class PushState(Base):
    """Client side: where each pushed resource stands."""

    __tablename__ = "fleet_push_state"
    __table_args__ = {"schema": "app"}

    resource: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(200))
    batch_size: Mapped[int] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows_pushed: Mapped[int] = mapped_column(BigInteger, default=0)


def _series_table(name: str, time_column: str, *columns: Column[Any]) -> Table:
    """A time series per customer device: keyed by (customer_id, device_id, ``time_column``)."""
    return Table(
        name,
        metadata,
        Column("customer_id", BigInteger, _customer_ref(), nullable=False),
        Column("device_id", BigInteger, nullable=False),
        Column(time_column, DateTime(timezone=True), nullable=False),
        *columns,
        PrimaryKeyConstraint("customer_id", "device_id", time_column, name=f"pk_fleet_{name}"),
        schema="fleet",
    )


fleet_power_measurements = _series_table(
    "power_measurements",
    "time",
    *(Column(name, Double) for name in FIELD_NAMES),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)
# "rows received in the last 24 h" per customer, for the fleet overview
Index(
    "ix_fleet_power_measurements_received",
    fleet_power_measurements.c.customer_id,
    fleet_power_measurements.c.received_at,
)

fleet_rollup_15m = _series_table(
    "rollup_15m",
    "bucket_start",
    Column("sample_count", Integer, nullable=False, server_default=text("0")),
    *(Column(f"{name}_{stat}", Double) for name in SERIES_FIELDS for stat in ("avg", "min", "max")),
    *(Column(name, Double, nullable=False, server_default=text("0")) for name in REGISTER_FIELDS),
)

# The fleet rollups' invalidation log (``rollup_log``): a batch records the ranges it stored,
# with its rows; the admin stack's fleet rollup worker rebuilds them right after, and a reader
# of the fleet rollups flushes first. Keyed by customer like every fleet table.
fleet_rollup_pending = Table(
    "rollup_pending",
    metadata,
    Column("customer_id", BigInteger, _customer_ref(), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("device_id", BigInteger, nullable=False),
    Column("lo", DateTime(timezone=True), nullable=False),
    Column("hi", DateTime(timezone=True), nullable=False),
    Column("registers_mask", Integer, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("customer_id", "id", name="pk_fleet_rollup_pending"),
    schema="fleet",
)
Index(
    "ix_fleet_rollup_pending_device",
    fleet_rollup_pending.c.customer_id,
    fleet_rollup_pending.c.device_id,
)
