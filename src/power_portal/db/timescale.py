"""TimescaleDB bootstrap, run after the migrations: the one place that knows about it.

The switch is ``PORTAL_TIMESCALE``: ``auto`` (default) uses TimescaleDB when the
database server offers it, ``off`` never touches it. "Offers it" is detected,
never assumed: ``SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'``.
Where the extension is absent (a plain PostgreSQL), or installed but not preloaded
(``shared_preload_libraries``; the embedded server with
``PORTAL_EMBEDDED_TIMESCALE=off``), the bootstrap logs one info line and changes
nothing. The embedded server preloads it whenever its files are installed
(``db/embedded.py``, ``make timescale``).

What it changes (only where TimescaleDB is available)
-----------------------------------------------------

- ``CREATE EXTENSION IF NOT EXISTS timescaledb`` when the server has it but
  this database does not (needs a role allowed to create it, and
  ``shared_preload_libraries = 'timescaledb'``; the deploy/ stack's image does
  both). If that fails, one warning line and nothing else changes.
- The raw measurement table becomes a hypertable with 7-day chunks
  (``migrate_data => true`` moves existing rows; ``if_not_exists => true``).
  Standalone and client mode: ``monitoring.power_measurements``; admin mode:
  ``fleet.power_measurements``. Both primary keys lead with the series key and
  include ``time`` — ``(device_id, time)``, ``(customer_id, device_id, time)``
  — as hypertables require; no other unique index exists on them
  (``tests/unit/test_timescale_sql.py`` checks the metadata). No extra
  ``time`` index is created (``create_default_indexes => false``): every query
  filters by the series key first, so the primary key serves them all.
- Compression (the columnstore, ``COMPRESSION_READY = True``): segmented by
  ``device_id`` (fleet: ``customer_id, device_id``), ordered by ``time
  DESC``, with a policy that compresses chunks older than 7 days. The rollup
  rebuild first reads its span and then binds it as constants
  (``measurements/rollups.py``), so a rebuild only decompresses the rows
  around its span: measured on TimescaleDB 2.23 (WASM build, OPERATIONS.md
  "TimescaleDB") with 3 weeks of 5-minute data, a back-fill rebuild inside
  compressed chunks read 64 rows out of the columnstore (29 ms) and a live
  one none (19 ms); when the span came from a CTE the same rebuilds
  decompressed the whole history (175 ms / 1.7 s). An Apache-licensed build
  (``timescaledb.license = 'apache'``) has no compression and gets
  hypertables only.

  Never in client mode: the fleet push reads
  ``monitoring.power_measurements`` in the order rows were *stored*
  (``ingest_xid``), which a compressed chunk cannot index, so every push
  would decompress the whole compressed history. In client mode the
  bootstrap removes a compression policy left from an earlier standalone
  life and warns when compressed chunks exist (OPERATIONS.md shows how to
  decompress them).

What stays as it is
-------------------

- The rollups (``rollup_15m`` and its queue) stay plain tables kept by the
  app, and every query reads them as before. There are **no continuous
  aggregates**, deliberately: a rollup row carries, besides sample count and
  avg/min/max, the energy per register, computed from consecutive readings of
  cumulative registers (``lag`` over the readings, the interval's delta split
  pro rata across the 15-minute buckets it straddles, resets counted from
  zero, the neighbouring readings outside the bucket included). A continuous
  aggregate is a ``GROUP BY time_bucket`` over the rows of one bucket: it
  cannot see the reading before the bucket, so it cannot produce those
  columns. Splitting the rollup into a continuous aggregate for the
  statistics and an app-kept table for the energy would change the tables
  every query and the rebuild write to, and would show the two halves of one
  bucket from different moments (the aggregate lags by its refresh policy,
  the app's energy is exact at commit). The app's own rollups already work
  like continuous aggregates: an invalidation log per ingest, rebuilt for
  exactly the touched buckets, back-fills included.
- Every query, the ingest (COPY and ``INSERT … ON CONFLICT DO NOTHING``), the
  rollup rebuild and the push: the same SQL with or without TimescaleDB, with
  the same results (checked on TimescaleDB 2.23 against the embedded server).
- The tables of the other mode (fleet tables outside admin mode, monitoring
  tables in admin mode) stay plain: they are empty or small there.
- Later migrations keep working: ``ALTER TABLE`` and ``CREATE INDEX`` on a
  hypertable reach its chunks. A new unique index on these tables must include
  ``time`` (hypertables refuse others; the unit test above says so first).

Idempotent: every statement is guarded (``if_not_exists``, ``if_exists``, a
``DO`` block that checks ``compression_enabled`` first), so a second run is a
no-op; concurrent starts take turns on an advisory lock. The statements come
from the pure functions below (unit-tested); ``bootstrap`` runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import structlog
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from power_portal.db.locks import advisory_session_lock
from power_portal.settings import RunMode, Settings, TimescaleMode

log = structlog.get_logger(__name__)

CHUNK_INTERVAL = "7 days"
COMPRESS_AFTER = "7 days"
# On since the rollup rebuild binds its span as constants (see the module docstring).
COMPRESSION_READY = True
# by_range() (the generic create_hypertable) arrived in 2.13; DML on compressed chunks in 2.11.
MIN_VERSION = (2, 13)
# Any constant works; this one spells "POWRTSDB" in ASCII (the migrations use "POWRMIGR").
BOOTSTRAP_LOCK_KEY = 0x504F575254534442

AVAILABLE_SQL = "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
INSTALLED_VERSION_SQL = "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
CREATE_EXTENSION_SQL = "CREATE EXTENSION IF NOT EXISTS timescaledb"
LICENSE_SQL = "SELECT current_setting('timescaledb.license', true)"
# The loader (timescaledb.so) defines this setting only when the server preloaded it;
# unlike shared_preload_libraries itself, any role may read it. NULL: not preloaded.
PRELOADED_SQL = "SELECT current_setting('timescaledb.disable_load', true)"


@dataclass(frozen=True)
class Hypertable:
    """A table to turn into a hypertable, and how to compress it."""

    schema: str
    table: str
    time_column: str
    segment_by: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


MONITORING_MEASUREMENTS = Hypertable("monitoring", "power_measurements", "time", ("device_id",))
FLEET_MEASUREMENTS = Hypertable("fleet", "power_measurements", "time", ("customer_id", "device_id"))


@dataclass(frozen=True)
class Plan:
    """What the bootstrap does in one run mode."""

    hypertables: tuple[Hypertable, ...]
    compress: bool  # compression settings and the 7-day policy
    forbid_compression: bool = False  # client mode: remove a policy, warn of compressed chunks


def plan_for(run_mode: RunMode, *, compression_ready: bool | None = None) -> Plan:
    """Admin mode: the fleet tables; otherwise this stack's own (client mode: no compression)."""
    ready = COMPRESSION_READY if compression_ready is None else compression_ready
    if run_mode is RunMode.ADMIN:
        return Plan((FLEET_MEASUREMENTS,), compress=ready)
    if run_mode is RunMode.CLIENT:
        return Plan((MONITORING_MEASUREMENTS,), compress=False, forbid_compression=True)
    return Plan((MONITORING_MEASUREMENTS,), compress=ready)


def create_hypertable_sql(table: Hypertable) -> str:
    return (
        f"SELECT create_hypertable('{table.qualified}', "
        f"by_range('{table.time_column}', INTERVAL '{CHUNK_INTERVAL}'), "
        "create_default_indexes => false, if_not_exists => true, migrate_data => true)"
    )


def enable_compression_sql(table: Hypertable) -> str:
    """Compression settings, applied only while compression is not enabled yet."""
    segment_by = ", ".join(table.segment_by)
    return f"""DO $timescale$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM timescaledb_information.hypertables
        WHERE hypertable_schema = '{table.schema}'
          AND hypertable_name = '{table.table}'
          AND compression_enabled
    ) THEN
        ALTER TABLE {table.qualified} SET (
            timescaledb.compress,
            timescaledb.compress_segmentby = '{segment_by}',
            timescaledb.compress_orderby = '{table.time_column} DESC'
        );
    END IF;
END
$timescale$"""


def add_compression_policy_sql(table: Hypertable) -> str:
    return (
        f"SELECT add_compression_policy('{table.qualified}', "
        f"compress_after => INTERVAL '{COMPRESS_AFTER}', if_not_exists => true)"
    )


def remove_compression_policy_sql(table: Hypertable) -> str:
    return f"SELECT remove_compression_policy('{table.qualified}', if_exists => true)"


def compressed_chunks_sql(table: Hypertable) -> str:
    return (
        "SELECT count(*) FROM timescaledb_information.chunks "
        f"WHERE hypertable_schema = '{table.schema}' AND hypertable_name = '{table.table}' "
        "AND is_compressed"
    )


def bootstrap_statements(plan: Plan, *, compression_available: bool) -> list[str]:
    """Every statement of one bootstrap, in order; each is a no-op when already applied."""
    statements: list[str] = []
    for table in plan.hypertables:
        statements.append(create_hypertable_sql(table))
        if plan.compress and compression_available:
            statements.append(enable_compression_sql(table))
            statements.append(add_compression_policy_sql(table))
        if plan.forbid_compression and compression_available:
            statements.append(remove_compression_policy_sql(table))
    return statements


def parse_version(raw: str) -> tuple[int, int]:
    """``'2.19.3'`` → ``(2, 19)``; anything unreadable → ``(0, 0)``."""
    match = re.match(r"(\d+)\.(\d+)", raw)
    return (int(match[1]), int(match[2])) if match else (0, 0)


class TimescaleStatus(StrEnum):
    OFF = "off"  # PORTAL_TIMESCALE=off
    ABSENT = "absent"  # the server does not offer the extension
    NOT_PRELOADED = "not_preloaded"  # offered, but not in shared_preload_libraries
    UNUSABLE = "unusable"  # offered, but cannot be created here, or too old
    FAILED = "failed"  # a statement failed; rolled back, tables unchanged
    ENABLED = "enabled"


@dataclass
class TimescaleReport:
    status: TimescaleStatus
    version: str | None = None
    compression: bool = False
    statements: list[str] = field(default_factory=list)
    detail: str = ""


def bootstrap(url: URL, settings: Settings, *, plan: Plan | None = None) -> TimescaleReport:
    """Apply the plan for this run mode when TimescaleDB is available; log what happened."""
    plan = plan or plan_for(settings.run_mode)
    if settings.timescale is TimescaleMode.OFF:
        log.info("timescale.off", detail="PORTAL_TIMESCALE=off: plain tables, the app's rollups")
        return TimescaleReport(TimescaleStatus.OFF)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, advisory_session_lock(connection, BOOTSTRAP_LOCK_KEY):
            report = _bootstrap(connection, plan)
    finally:
        engine.dispose()
    _log(report, plan)
    return report


def _bootstrap(connection: Connection, plan: Plan) -> TimescaleReport:
    if connection.exec_driver_sql(AVAILABLE_SQL).first() is None:
        connection.rollback()
        return TimescaleReport(
            TimescaleStatus.ABSENT,
            detail="TimescaleDB is not available on this server: plain tables, the app's rollups",
        )
    if connection.exec_driver_sql(PRELOADED_SQL).scalar() is None:
        connection.rollback()
        return TimescaleReport(
            TimescaleStatus.NOT_PRELOADED,
            detail="TimescaleDB is installed on this server but not preloaded "
            "(shared_preload_libraries): plain tables, the app's rollups",
        )
    version = connection.exec_driver_sql(INSTALLED_VERSION_SQL).scalar()
    if version is None:
        try:
            connection.exec_driver_sql(CREATE_EXTENSION_SQL)
            connection.commit()  # boundary: the extension exists before the DDL that uses it
        except DBAPIError as exc:
            connection.rollback()
            return TimescaleReport(
                TimescaleStatus.UNUSABLE,
                detail=f"TimescaleDB is available but could not be created: {_reason(exc)}",
            )
        version = connection.exec_driver_sql(INSTALLED_VERSION_SQL).scalar()
    version = str(version)
    if parse_version(version) < MIN_VERSION:
        connection.rollback()
        return TimescaleReport(
            TimescaleStatus.UNUSABLE,
            version=version,
            detail=f"TimescaleDB {version} is older than {'.'.join(map(str, MIN_VERSION))}",
        )
    license_ = connection.exec_driver_sql(LICENSE_SQL).scalar()
    compression_available = license_ != "apache"
    statements = bootstrap_statements(plan, compression_available=compression_available)
    try:
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.commit()  # boundary: the bootstrap DDL, applied as one
    except DBAPIError as exc:
        connection.rollback()
        return TimescaleReport(
            TimescaleStatus.FAILED,
            version=version,
            detail=f"rolled back, tables unchanged: {_reason(exc)}",
        )
    detail = ""
    if plan.forbid_compression and compression_available:
        for table in plan.hypertables:
            compressed = connection.exec_driver_sql(compressed_chunks_sql(table)).scalar() or 0
            if compressed:
                detail = (
                    f"{table.qualified} has {compressed} compressed chunk(s) from an earlier "
                    "standalone life; the fleet push reads them slowly: decompress them "
                    "(OPERATIONS.md, TimescaleDB)"
                )
        connection.rollback()
    elif plan.compress and not compression_available:
        detail = "Apache-licensed TimescaleDB: hypertables without compression"
    return TimescaleReport(
        TimescaleStatus.ENABLED,
        version=version,
        compression=plan.compress and compression_available,
        statements=statements,
        detail=detail,
    )


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _log(report: TimescaleReport, plan: Plan) -> None:
    if report.status in (TimescaleStatus.ABSENT, TimescaleStatus.NOT_PRELOADED):
        log.info(f"timescale.{report.status.value}", detail=report.detail)
    elif report.status is TimescaleStatus.ENABLED:
        tables = [t.qualified for t in plan.hypertables]
        log.info(
            "timescale.enabled",
            version=report.version,
            hypertables=tables,
            compression=report.compression,
            continuous_aggregates=False,
        )
        if report.detail:
            log.warning("timescale.notice", detail=report.detail)
    else:
        log.warning(f"timescale.{report.status.value}", detail=report.detail)
