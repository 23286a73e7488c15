"""The fleet's queries: customers and their overview, pushed sites, devices and
measurements (admin stack), and what the push reads and where it stands (client stack)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg.rows import tuple_row
from sqlalchemy import case, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, with_expression

from power_portal.core.time import utcnow
from power_portal.fleet.decoding import StoredRun
from power_portal.fleet.models import (
    Customer,
    FleetDevice,
    FleetSite,
    IngestEvent,
    PushState,
    fleet_power_measurements,
)
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.ingest import copy_rows
from power_portal.sites.models import Device, Site

# ---------------------------------------------------------------- customers


async def customer_by_code(db: AsyncSession, code: str) -> Customer | None:
    """The customer whatever the case ``code`` is written in (``uq_customers_code_lower``)."""
    query = select(Customer).where(func.lower(Customer.code) == code.lower())
    return (await db.execute(query)).scalar_one_or_none()


async def customer_by_code_or_slug(db: AsyncSession, code: str, slug: str) -> Customer | None:
    """A customer whose code is ``code`` whatever its case, or whose slug is ``slug``."""
    query = select(Customer).where(
        or_(func.lower(Customer.code) == code.lower(), Customer.slug == slug)
    )
    return (await db.execute(query)).scalars().first()


async def customer_by_token_digest(db: AsyncSession, digest: str) -> Customer | None:
    """The customer whose current token, or the token a rotation replaced (in its grace or
    not: the caller decides), has this digest."""
    query = select(Customer).where(
        or_(Customer.token_sha256 == digest, Customer.previous_token_sha256 == digest)
    )
    return (await db.execute(query)).scalars().first()


async def record_token_use(
    db: AsyncSession, customer_id: int, digest: str, moment: datetime
) -> None:
    """Whichever of the customer's tokens has this digest *now* was used at ``moment`` (a
    rotation committed while the batch was in flight makes the same token the previous
    one: the row decides, not what the request saw)."""
    await db.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(
            token_last_used_at=case(
                (Customer.token_sha256 == digest, moment), else_=Customer.token_last_used_at
            ),
            previous_token_last_used_at=case(
                (Customer.previous_token_sha256 == digest, moment),
                else_=Customer.previous_token_last_used_at,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def _latest_event(column: Any) -> Any:
    """``column`` of the customer's latest batch (a correlated subquery)."""
    return (
        select(column)
        .where(IngestEvent.customer_id == Customer.id)
        .order_by(IngestEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def customer_overviews(
    db: AsyncSession, customer_id: int | None = None
) -> Sequence[Customer]:
    """Customers by code, with the overview's figures filled in (one customer, or all)."""
    since = utcnow() - timedelta(hours=24)
    # Rows stored in the last 24 h = rows accepted by the batches of the last 24 h (each
    # batch's audit row is written in the batch's transaction). Read from the audit rows,
    # not the measurements: with TimescaleDB those are compressed after 7 days, and a
    # received_at filter would decompress the customer's whole history on every call.
    rows_last_24h = (
        select(func.coalesce(func.sum(IngestEvent.accepted), 0))
        .where(
            IngestEvent.customer_id == Customer.id,
            IngestEvent.batch_type == "measurements",
            IngestEvent.received_at >= since,
        )
        .scalar_subquery()
    )
    query = (
        select(Customer)
        .options(
            with_expression(
                Customer.site_count,
                select(func.count()).where(FleetSite.customer_id == Customer.id).scalar_subquery(),
            ),
            with_expression(
                Customer.device_count,
                select(func.count())
                .where(FleetDevice.customer_id == Customer.id)
                .scalar_subquery(),
            ),
            with_expression(Customer.rows_last_24h, rows_last_24h),
            # the latest batch's error only: a later clean batch clears it
            with_expression(Customer.last_error, _latest_event(IngestEvent.error)),
            with_expression(
                Customer.last_error_at,
                _latest_event(
                    case((IngestEvent.error.is_not(None), IngestEvent.received_at), else_=None)
                ),
            ),
        )
        .order_by(Customer.code)
        .execution_options(populate_existing=True)
    )
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    return (await db.execute(query)).scalars().all()


async def ingest_events(db: AsyncSession, customer_id: int, limit: int) -> Sequence[IngestEvent]:
    """The customer's latest batches, newest first."""
    query = (
        select(IngestEvent)
        .where(IngestEvent.customer_id == customer_id)
        .order_by(IngestEvent.id.desc())
        .limit(limit)
    )
    return (await db.execute(query)).scalars().all()


async def customer_ids(db: AsyncSession) -> list[int]:
    """Every customer's id (retention goes through the audit rows customer by customer)."""
    return list((await db.execute(select(Customer.id).order_by(Customer.id))).scalars())


async def delete_ingest_events_before(
    db: AsyncSession, customer_id: int | None, cutoff: datetime, limit: int
) -> int:
    """Delete up to ``limit`` of a customer's audit rows received before ``cutoff`` (None:
    the rows of unknown tokens stored before those were no longer kept); how many went.
    One customer at a time, along ``ix_ingest_events_customer_received``."""
    owner = (
        IngestEvent.customer_id.is_(None)
        if customer_id is None
        else IngestEvent.customer_id == customer_id
    )
    doomed = (
        select(IngestEvent.id)
        .where(owner, IngestEvent.received_at < cutoff)
        .order_by(IngestEvent.received_at)
        .limit(limit)
    )
    result = await db.execute(
        delete(IngestEvent)
        .where(IngestEvent.id.in_(doomed.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def sites_with_devices(db: AsyncSession, customer_id: int) -> Sequence[FleetSite]:
    """The customer's sites with their devices and each device's newest reading, in one query."""
    newest_reading = (
        select(func.max(fleet_power_measurements.c.time))
        .where(
            fleet_power_measurements.c.customer_id == FleetDevice.customer_id,
            fleet_power_measurements.c.device_id == FleetDevice.id,
        )
        .scalar_subquery()
    )
    query = (
        select(FleetSite)
        .where(FleetSite.customer_id == customer_id)
        .options(
            joinedload(FleetSite.devices).with_expression(
                FleetDevice.last_reading_at, newest_reading
            )
        )
        .order_by(FleetSite.id)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(query)).unique().scalars().all()


# Per site, the devices whose sum is the site's total: its supply points, or every device of
# a site without any. A device with data that the device list has not named yet (no site
# known) counts too, as it did before the push carried the tree.
_SITE_TOTAL_DEVICES_SQL = text("""
    SELECT customer_id, id FROM fleet.devices
    WHERE CAST(:customer_id AS bigint) IS NULL OR customer_id = :customer_id
    UNION
    SELECT customer_id, device_id FROM fleet.device_registers
    WHERE CAST(:customer_id AS bigint) IS NULL OR customer_id = :customer_id
    EXCEPT
    SELECT d.customer_id, d.id FROM fleet.devices d
    WHERE (CAST(:customer_id AS bigint) IS NULL OR d.customer_id = :customer_id)
      AND d.role <> 'supply'
      AND EXISTS (
          SELECT 1 FROM fleet.devices s
          WHERE s.customer_id = d.customer_id AND s.site_id = d.site_id AND s.role = 'supply'
      )
    ORDER BY 1, 2
""")


async def site_total_devices(
    db: AsyncSession, customer_id: int | None = None
) -> list[tuple[int, int]]:
    """(customer_id, device_id) of the devices that make up site totals: per site the supply
    points (all its devices when it has none); one customer's, or the whole fleet's."""
    rows = await db.execute(_SITE_TOTAL_DEVICES_SQL, {"customer_id": customer_id})
    return [(int(customer), int(device)) for customer, device in rows]


# ---------------------------------------------------------------- a pushed batch (admin)


async def upsert_pushed(
    db: AsyncSession,
    model: type[FleetSite] | type[FleetDevice],
    customer_id: int,
    rows: Sequence[dict[str, Any]],
) -> None:
    """Insert or update the customer's sites or devices (one row per id)."""
    if not rows:
        return
    statement = insert(model).values([{"customer_id": customer_id, **row} for row in rows])
    updated = {name: statement.excluded[name] for name in rows[0] if name != "id"}
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["customer_id", "id"], set_={**updated, "updated_at": utcnow()}
        )
    )


_COLUMNS = ", ".join(FIELD_NAMES)
_STAGING = "fleet_ingest_staging"
_STAGING_DDL = text(
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (device_id bigint NOT NULL, "
    "time timestamptz NOT NULL, "
    + ", ".join(f"{name} double precision" for name in FIELD_NAMES)
    + ") ON COMMIT DELETE ROWS"
)
_COPY_SQL = f"COPY {_STAGING} (device_id, time, {_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = ["int8", "timestamptz", *(["float8"] * len(FIELD_NAMES))]
_COPY_DIRECT_SQL = (
    f"COPY fleet.power_measurements (customer_id, device_id, time, {_COLUMNS}) "
    "FROM STDIN (FORMAT BINARY)"
)
_COPY_DIRECT_TYPES = ["int8", *_COPY_TYPES]
# The devices' ingest locks, in device order (two batches never wait on each other in a
# cycle); the lock is taken after the sort (a volatile function in the select list).
_LOCK_SQL = text("""
    SELECT pg_advisory_xact_lock(hashtextextended('fleet:' || :customer_id || ':' || d, 0))
    FROM unnest(CAST(:device_ids AS bigint[])) AS d ORDER BY d
""")
_ANY_STORED_SQL = text("""
    SELECT EXISTS (
        SELECT 1
        FROM unnest(CAST(:device_ids AS bigint[]), CAST(:los AS timestamptz[]),
                    CAST(:his AS timestamptz[])) AS r(device_id, lo, hi)
        WHERE EXISTS (SELECT 1 FROM fleet.power_measurements m
                      WHERE m.customer_id = :customer_id AND m.device_id = r.device_id
                        AND m.time >= r.lo AND m.time <= r.hi)
    )
""")
# The rows not stored yet, and per device the runs of them (a gap of more than 6 hours
# starts a new run): the new rows themselves never travel back.
_INSERT_SQL = text(f"""
WITH inserted AS (
    INSERT INTO fleet.power_measurements (customer_id, device_id, time, {_COLUMNS})
    SELECT :customer_id, device_id, time, {_COLUMNS} FROM {_STAGING}
    ON CONFLICT (customer_id, device_id, time) DO NOTHING
    RETURNING device_id, time
),
marked AS (
    SELECT device_id, time,
           CASE WHEN time - lag(time) OVER w > interval '6 hours' THEN 1 ELSE 0 END
               AS starts_run
    FROM inserted
    WINDOW w AS (PARTITION BY device_id ORDER BY time)
),
runs AS (
    SELECT device_id, time,
           sum(starts_run) OVER (PARTITION BY device_id ORDER BY time) AS run
    FROM marked
)
SELECT device_id, min(time) AS lo, max(time) AS hi, count(*) AS n
FROM runs GROUP BY device_id, run ORDER BY device_id, lo
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


async def lock_devices(db: AsyncSession, customer_id: int, device_ids: Iterable[int]) -> None:
    """Take the customer's devices' ingest locks until the transaction ends."""
    params = {"customer_id": customer_id, "device_ids": sorted(set(device_ids))}
    await db.execute(_LOCK_SQL, params)


async def any_stored(
    db: AsyncSession, customer_id: int, spans: Sequence[tuple[int, datetime, datetime]]
) -> bool:
    """Whether any row is stored for a device within its span ``(device_id, lo, hi)``."""
    params = {
        "customer_id": customer_id,
        "device_ids": [device_id for device_id, _, _ in spans],
        "los": [lo for _, lo, _ in spans],
        "his": [hi for _, _, hi in spans],
    }
    return bool((await db.execute(_ANY_STORED_SQL, params)).scalar_one())


async def copy_measurements(
    db: AsyncSession, customer_id: int, rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY rows ``(device_id, time, *FIELD_NAMES)`` straight into the table: for rows
    none of which is stored yet (the caller holds the devices' locks and checked)."""
    await copy_rows(db, _COPY_DIRECT_SQL, _COPY_DIRECT_TYPES, ((customer_id, *r) for r in rows))


async def insert_new_measurements(
    db: AsyncSession, customer_id: int, rows: Iterable[tuple[Any, ...]]
) -> list[StoredRun]:
    """Store rows ``(device_id, time, *FIELD_NAMES)`` not stored yet (the others are
    duplicates); the runs of the new ones."""
    # Cheap when it exists; always issued, so a rolled-back first use cannot lose it.
    await db.execute(_STAGING_DDL)
    await copy_rows(db, _COPY_SQL, _COPY_TYPES, rows)
    runs = await db.execute(_INSERT_SQL, {"customer_id": customer_id})
    return [StoredRun(int(r.device_id), r.lo, r.hi, int(r.n)) for r in runs]


async def add_registers(db: AsyncSession, customer_id: int, device_id: int, mask: int) -> int:
    """Every register the device has sent so far, this batch's ``mask`` included."""
    params = {"customer_id": customer_id, "device_id": device_id, "mask": mask}
    return int((await db.execute(_REGISTERS_SQL, params)).scalar_one())


# ---------------------------------------------------------------- the push (client)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PushCursor:
    """Where the measurement push stands: the last row acknowledged, in stored order."""

    xid: str = "0"
    device_id: int = 0
    time: datetime = _EPOCH

    @classmethod
    def from_json(cls, stored: str | None) -> PushCursor:
        if not stored:
            return cls()
        data = json.loads(stored)
        return cls(data["xid"], data["device_id"], datetime.fromisoformat(data["time"]))

    def to_json(self) -> str:
        return json.dumps(
            {"xid": self.xid, "device_id": self.device_id, "time": self.time.isoformat()}
        )

    def params(self) -> dict[str, object]:
        return {"xid": self.xid, "device_id": self.device_id, "time": self.time}


# Rows are read in the order of the transactions that stored them.
_AFTER_CURSOR = "(ingest_xid, device_id, time) > (CAST(:xid AS xid8), :device_id, :time)"
_READ_SQL = text(f"""
    SELECT ingest_xid::text AS xid, device_id, time, {_COLUMNS}
    FROM monitoring.power_measurements
    WHERE {_AFTER_CURSOR}
      AND ingest_xid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY ingest_xid, device_id, time
    LIMIT :limit
""")
# The same read for the driver itself (the push's hot path: tuples, binary, no row objects).
# The xid is selected as text *named* ``xid``: an output column named ``ingest_xid`` would be
# what ``ORDER BY ingest_xid`` sorts by — as text ('10000' < '9999': a batch would skip the
# rows of an older transaction for good) and with a sort of every row behind the cursor.
_READ_ROWS_SQL = f"""
    SELECT m.ingest_xid::text AS xid, m.device_id, m.time, {_COLUMNS}
    FROM monitoring.power_measurements AS m
    WHERE (m.ingest_xid, m.device_id, m.time)
          > (CAST(%(xid)s AS xid8), %(device_id)s, %(time)s)
      AND m.ingest_xid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY m.ingest_xid, m.device_id, m.time
    LIMIT %(limit)s
"""
_ROWS_BEHIND_SQL = text(f"""
    SELECT count(*) FROM (
        SELECT 1 FROM monitoring.power_measurements WHERE {_AFTER_CURSOR} LIMIT :cap
    ) behind
""")


async def all_sites(db: AsyncSession) -> Sequence[Site]:
    return (await db.execute(select(Site).order_by(Site.id))).scalars().all()


async def all_devices(db: AsyncSession) -> Sequence[Device]:
    return (await db.execute(select(Device).order_by(Device.id))).scalars().all()


async def measurements_after(
    db: AsyncSession, cursor: PushCursor, limit: int
) -> Sequence[dict[str, Any]]:
    """The next rows to push: stored after ``cursor`` by transactions older than the
    oldest one still running (one that commits later has an id the cursor has not
    reached yet, so nothing is skipped)."""
    rows = await db.execute(_READ_SQL, {**cursor.params(), "limit": limit})
    return [dict(row) for row in rows.mappings()]


async def measurement_rows_after(
    db: AsyncSession, cursor: PushCursor, limit: int
) -> list[tuple[Any, ...]]:
    """``measurements_after`` as plain tuples ``(xid, device_id, time, *FIELD_NAMES)``,
    read on the session's own connection (inside its transaction) in binary."""
    conn = await db.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    async with driver.cursor(binary=True, row_factory=tuple_row) as rows:
        await rows.execute(_READ_ROWS_SQL, {**cursor.params(), "limit": limit})
        found: list[tuple[Any, ...]] = await rows.fetchall()
    return found


async def rows_behind(db: AsyncSession, cursor: PushCursor, cap: int) -> int:
    """Measurement rows stored after ``cursor``, counted up to ``cap``."""
    return int(await db.scalar(_ROWS_BEHIND_SQL, {**cursor.params(), "cap": cap}) or 0)


async def push_states(db: AsyncSession) -> Sequence[PushState]:
    return (await db.execute(select(PushState).order_by(PushState.resource))).scalars().all()


async def push_state(db: AsyncSession, resource: str, *, lock: bool = False) -> PushState | None:
    return await db.get(PushState, resource, with_for_update=lock)
