"""Time-series tables (SQLAlchemy Core: they are read and written in bulk SQL).

``power_measurements`` holds what meters sent, keyed ``(device_id, time)``.
``received_at`` is when it was stored; ``ingest_xid`` is the id of the
transaction that stored it: a reader that wants "everything stored since my
cursor" (the fleet push) pages by it, and ignores transactions that may still
commit (``pg_snapshot_xmin``), so a slow transaction can never be skipped.

``rollup_15m`` holds, per device and 15-minute bucket (UTC-aligned, so local
hours, days and months of every zone with whole or half-hour offsets are whole
buckets), the sample count, avg/min/max of the charted quantities and the
energy per register, split pro rata from the cumulative registers.

``rollup_pending`` is the rollups' invalidation log: an ingest transaction
records the time ranges it stored (with the rows, atomically) and a
background worker rebuilds those buckets right after; a reader flushes its
devices' pending ranges before it reads a rollup, so it never sees stale ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    text,
)
from sqlalchemy.types import UserDefinedType

from power_portal.db.models import metadata
from power_portal.measurements.fields import FIELD_NAMES, REGISTER_FIELDS, SERIES_FIELDS

ROLLUP_BUCKET_MINUTES = 15


@dataclass(frozen=True)
class SeriesTables:
    """Where a series lives: its raw table, its rollup table and the columns keying one series.

    Two instances: ``MONITORING`` (this portal's meters) and ``FLEET`` (the admin stack's copy
    of its customers' meters, ``fleet/models.py``); the SQL builders take one of them.
    """

    measurements: str
    rollup: str
    keys: tuple[str, ...]

    def match(self, alias: str = "") -> str:
        """``key = :key`` for every key column (bound parameters named after the columns)."""
        prefix = f"{alias}." if alias else ""
        return " AND ".join(f"{prefix}{key} = :{key}" for key in self.keys)


MONITORING = SeriesTables("monitoring.power_measurements", "monitoring.rollup_15m", ("device_id",))
FLEET = SeriesTables("fleet.power_measurements", "fleet.rollup_15m", ("customer_id", "device_id"))


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (``xid8``)."""

    cache_ok = True

    def get_col_spec(self, **_: object) -> str:
        return "XID8"


def _device_id() -> Column[int]:
    """The series key: a device, whose rows go with it."""
    return Column(
        "device_id", BigInteger, ForeignKey("app.devices.id", ondelete="CASCADE"), nullable=False
    )


power_measurements = Table(
    "power_measurements",
    metadata,
    _device_id(),
    Column("time", DateTime(timezone=True), nullable=False),
    *(Column(name, Double) for name in FIELD_NAMES),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("ingest_xid", Xid8, nullable=False, server_default=text("pg_current_xact_id()")),
    PrimaryKeyConstraint("device_id", "time", name="pk_power_measurements"),
    schema="monitoring",
)

rollup_15m = Table(
    "rollup_15m",
    metadata,
    _device_id(),
    Column("bucket_start", DateTime(timezone=True), nullable=False),
    Column("sample_count", Integer, nullable=False, server_default=text("0")),
    *(Column(f"{name}_{stat}", Double) for name in SERIES_FIELDS for stat in ("avg", "min", "max")),
    *(Column(name, Double, nullable=False, server_default=text("0")) for name in REGISTER_FIELDS),
    PrimaryKeyConstraint("device_id", "bucket_start", name="pk_rollup_15m"),
    schema="monitoring",
)

# Energy per device and local day of its site (``rollups``: kept with ``rollup_15m``), so a
# view of every meter over a year reads 365 rows per meter instead of 35,040.
rollup_1d = Table(
    "rollup_1d",
    metadata,
    _device_id(),
    Column("day", Date, nullable=False),
    Column("sample_count", Integer, nullable=False, server_default=text("0")),
    *(Column(name, Double, nullable=False, server_default=text("0")) for name in REGISTER_FIELDS),
    PrimaryKeyConstraint("device_id", "day", name="pk_rollup_1d"),
    schema="monitoring",
)

Index(
    "ix_power_measurements_received_at", power_measurements.c.received_at, postgresql_using="brin"
)
# Energy queries read only these columns: an index-only scan over a year of buckets.
Index(
    "ix_rollup_15m_energy",
    rollup_15m.c.device_id,
    rollup_15m.c.bucket_start,
    postgresql_include=["energy_import_kwh", "energy_export_kwh"],
)
# "Rows stored since my cursor": (transaction, device, time) is a total order.
Index(
    "ix_power_measurements_ingest_xid",
    power_measurements.c.ingest_xid,
    power_measurements.c.device_id,
    power_measurements.c.time,
)

rollup_pending = Table(
    "rollup_pending",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _device_id(),
    Column("lo", DateTime(timezone=True), nullable=False),
    Column("hi", DateTime(timezone=True), nullable=False),
    Column("registers_mask", Integer, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    schema="monitoring",
)
Index("ix_rollup_pending_device", rollup_pending.c.device_id)

# What the rollup rebuilds changed, for whoever watches the buckets (the alert evaluator):
# per device, the span rebuilt since the watcher last took it (one row per device, widened
# in place, so it stays bounded however long nobody takes it).
rollup_changes = Table(
    "rollup_changes",
    metadata,
    Column(
        "device_id",
        BigInteger,
        ForeignKey("app.devices.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("lo", DateTime(timezone=True), nullable=False),
    Column("hi", DateTime(timezone=True), nullable=False),
    schema="monitoring",
)
