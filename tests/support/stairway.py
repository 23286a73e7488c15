"""The migration stairway: one Alembic step at a time, representative rows, table fingerprints.

A function of the database URL, so the same stairway runs on plain PostgreSQL and on
TimescaleDB (``tests/integration/test_migration_stairway.py``):

- ``revisions()``: the scripts from the first revision to head, in order;
- ``Dataset``: deterministic rows for every table of every revision, inserted by ``seed``
  as soon as a table exists, with plain SQL over the columns it has at that revision;
- ``shape`` and ``fingerprints``: per table, the row count and an md5 of the rows ordered by
  primary key, over a given set of columns (the columns that existed before a step);
- ``differences``: what a step lost or changed, as readable lines;
- ``climb(url, dataset)``: the stairway itself (empty database to head, each revision down
  and up again where it has a downgrade); ``down_and_up`` for one revision (e.g. the last,
  again, after the TimescaleDB bootstrap compressed the chunks);
- ``check_through_the_app``: a ``LiveServer`` at head reads the seeded data right.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from alembic import command
from alembic.script import Script, ScriptDirectory
from psycopg import sql as pgsql
from psycopg.types.json import Jsonb
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from power_portal.auth.dependencies import SESSION_COOKIE
from power_portal.auth.passwords import hash_password_sync
from power_portal.db.migrate import alembic_config
from power_portal.settings import Settings
from tests.support.database import psycopg_conninfo, sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    USER_PASSWORD,
    LiveServer,
    ingest,
    login_client,
)
from tests.support.tariffs import eskom_style_version

SCHEMAS = ("identity", "app", "monitoring", "fleet")

Shape = dict[str, tuple[str, ...]]  # "schema.table" -> its columns, in order
Row = dict[str, object]


# --- revisions and steps ---------------------------------------------------------------------


def revisions() -> list[Script]:
    """Every revision from the first to head, in order (the chain must be linear)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1, f"several heads: {scripts.get_heads()}"
    ordered = list(reversed(list(scripts.walk_revisions("base", "heads"))))
    for before, script in zip([None, *ordered], ordered, strict=False):
        assert script.down_revision == (before.revision if before else None), (
            f"{script.revision} is not a linear step after {before}"
        )
    return ordered


def has_downgrade(script: Script) -> bool:
    """False when ``downgrade()`` is missing or only ``pass``/``...``/``raise``."""
    downgrade = getattr(script.module, "downgrade", None)
    if downgrade is None:
        return False
    tree = ast.parse(textwrap.dedent(inspect.getsource(downgrade)))
    body = [
        node
        for node in tree.body[0].body  # type: ignore[attr-defined]
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    return any(not isinstance(node, ast.Pass | ast.Raise) for node in body)


def step(url: URL, direction: Literal["up", "down"], target: str) -> None:
    """``alembic upgrade|downgrade target`` on the database, as ``upgrade_to_head`` runs it."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if direction == "up":
                command.upgrade(config, target)
            else:
                command.downgrade(config, target)
            connection.commit()  # boundary: one migration step, applied as one
    finally:
        engine.dispose()


@contextmanager
def connect(url: URL) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """A connection reading timestamps in UTC (the fingerprints' text form depends on it)."""
    with psycopg.connect(**psycopg_conninfo(url), autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        yield conn


# --- shapes and fingerprints -----------------------------------------------------------------


def shape(conn: psycopg.Connection[tuple[Any, ...]]) -> Shape:
    """The portal's tables (base tables of its schemas) and their columns."""
    rows = conn.execute(
        """
        SELECT c.table_schema || '.' || c.table_name, c.column_name
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema = ANY(%s)
        ORDER BY 1, c.ordinal_position
        """,
        (list(SCHEMAS),),
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return {table: tuple(columns) for table, columns in tables.items()}


def primary_key(conn: psycopg.Connection[tuple[Any, ...]], table: str) -> list[str]:
    rows = conn.execute(
        """
        SELECT a.attname
        FROM pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = %s::regclass AND i.indisprimary
        ORDER BY k.n
        """,
        (table,),
    ).fetchall()
    return [row[0] for row in rows]


def _qualified(table: str) -> pgsql.Composable:
    schema, name = table.split(".")
    return pgsql.Identifier(schema, name)


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    md5: str
    columns: tuple[str, ...]


def fingerprints(conn: psycopg.Connection[tuple[Any, ...]], over: Shape) -> dict[str, Fingerprint]:
    """Per table of ``over``: row count and md5 of its rows (those columns) by primary key.

    A table or column of ``over`` the database no longer has is left out (``differences``
    reports it)."""
    now = shape(conn)
    result: dict[str, Fingerprint] = {}
    for table, wanted in over.items():
        if table not in now:
            continue
        columns = tuple(c for c in wanted if c in now[table])
        order = primary_key(conn, table) or list(columns)
        query = pgsql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(ROW({cols})::text, E'\\n' "
            "ORDER BY {order}), '')) FROM {table}"
        ).format(
            cols=pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
            order=pgsql.SQL(", ").join(pgsql.Identifier(c) for c in order),
            table=_qualified(table),
        )
        found = conn.execute(query).fetchone()
        assert found is not None
        result[table] = Fingerprint(int(found[0]), str(found[1]), columns)
    return result


def differences(before: Mapping[str, Fingerprint], after: Mapping[str, Fingerprint]) -> list[str]:
    """What went missing or changed between two fingerprints over the same columns."""
    lines: list[str] = []
    for table, was in before.items():
        if table not in after:
            lines.append(f"{table}: table gone ({was.rows} rows)")
            continue
        now = after[table]
        lost = sorted(set(was.columns) - set(now.columns))
        if lost:
            lines.append(f"{table}: columns gone: {lost}")
        elif now.rows != was.rows:
            lines.append(f"{table}: {was.rows} rows before, {now.rows} after")
        elif now.md5 != was.md5:
            lines.append(f"{table}: same {was.rows} rows, different content")
    return lines


def shape_changes(before: Shape, after: Shape) -> list[str]:
    """Tables and columns ``after`` lacks or adds, as lines."""
    lines = [f"{t}: table gone" for t in before if t not in after]
    lines += [f"{t}: new table" for t in after if t not in before]
    for table in set(before) & set(after):
        gone = [c for c in before[table] if c not in after[table]]
        new = [c for c in after[table] if c not in before[table]]
        if gone:
            lines.append(f"{table}: columns gone {gone}")
        if new:
            lines.append(f"{table}: new columns {new}")
    return sorted(lines)


# --- the data --------------------------------------------------------------------------------


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TableSeed:
    """Rows for one table; columns a revision's table lacks are left out when inserting."""

    table: str
    rows: tuple[Row, ...]
    # columns a migration fills (checked by the test), not the seed
    computed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """An update joining rows once the table it refers to exists (and is seeded)."""

    name: str
    requires: tuple[str, ...]
    statement: str


def _meter_day(
    first: datetime, count: int, import_delta: Sequence[float], export_delta: float | None
) -> list[tuple[datetime, float, float | None, float]]:
    """(time, import register, export register, power kW) every 15 minutes."""
    readings = []
    imp, exp = 1000.0, 50.0
    for i in range(count):
        if i:
            imp += import_delta[i - 1]
            exp += export_delta or 0.0
        power = 4 * import_delta[i - 1] if i else 2.0
        readings.append(
            (first + timedelta(minutes=15 * i), imp, exp if export_delta else None, power)
        )
    return readings


def _daily(rollups: Sequence[Row], zone: ZoneInfo) -> tuple[Row, ...]:
    """The 15-minute rollup's rows added up per device and local day of its site."""
    registers = (
        "energy_import_kwh",
        "energy_export_kwh",
        "reactive_energy_import_kvarh",
        "reactive_energy_export_kvarh",
        "apparent_energy_kvah",
    )
    counts: dict[tuple[int, date], int] = {}
    sums: dict[tuple[int, date], dict[str, float]] = {}
    for rollup in rollups:
        bucket_start = rollup["bucket_start"]
        assert isinstance(bucket_start, datetime)
        key = (int(str(rollup["device_id"])), bucket_start.astimezone(zone).date())
        counts[key] = counts.get(key, 0) + int(str(rollup["sample_count"]))
        day = sums.setdefault(key, dict.fromkeys(registers, 0.0))
        for register in registers:
            day[register] += float(str(rollup[register]))
    return tuple(
        {"device_id": key[0], "day": key[1], "sample_count": counts[key]} | sums[key]
        for key in counts
    )


@dataclass
class Dataset:
    """Deterministic representative rows for every table of every revision.

    Every column is given explicitly (no ``now()`` defaults), so rows seeded again after a
    downgrade dropped their table fingerprint exactly as before. Identity columns get
    explicit ids and their sequences are moved past them.
    """

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    admin_hash: str = field(default_factory=lambda: hash_password_sync(ADMIN_PASSWORD))
    viewer_hash: str = field(default_factory=lambda: hash_password_sync(USER_PASSWORD))

    # the viewer's live session (cookie value) and a device's ingest token
    session_token: str = "stairway-session-token-0123456789abcdef"
    session_csrf: str = "stairway-csrf-token-0123456789abcdef"
    device_token: str = "ppd_stairway_device_token_1"

    # device 1 (site 1, Johannesburg, UTC+2): the local day 2026-06-01, every 15 minutes,
    # import and export registers; rollups seeded in full
    day_1: date = date(2026, 6, 1)
    start_1: datetime = datetime(2026, 5, 31, 22, 0, tzinfo=UTC)
    # device 2 (site 1): the local day 2026-05-04 (another week: another TimescaleDB chunk),
    # import only; rollups seeded up to reading 80, the rest waiting in rollup_pending
    day_2: date = date(2026, 5, 4)
    start_2: datetime = datetime(2026, 5, 3, 22, 0, tzinfo=UTC)
    pending_from: int = 81

    @property
    def deltas_1(self) -> list[float]:
        return [0.5 + (i % 8) * 0.125 for i in range(1, 97)]

    @property
    def deltas_2(self) -> list[float]:
        return [0.25] * 96

    def readings(self, device_id: int) -> list[tuple[datetime, float, float | None, float]]:
        if device_id == 1:
            return _meter_day(self.start_1, 97, self.deltas_1, 0.0625)
        return _meter_day(self.start_2, 97, self.deltas_2, None)

    # what the app must report at head
    @property
    def expected_energy(self) -> dict[int, tuple[date, float, float | None]]:
        """device -> (local day, import kWh, export kWh) of its seeded readings."""
        return {
            1: (self.day_1, sum(self.deltas_1), 96 * 0.0625),
            2: (self.day_2, sum(self.deltas_2), None),
        }

    # 0005 fills devices.registers_seen from the readings: bit i = REGISTER_FIELDS[i] sent
    expected_registers_seen: Mapping[int, int] = field(
        default_factory=lambda: {1: 0b11, 2: 0b01, 3: 0}
    )

    def seeds(self) -> list[TableSeed]:
        """In dependency order."""
        t0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
        now = self.now
        measurements: list[Row] = []
        rollups: list[Row] = []
        for device_id in (1, 2):
            readings = self.readings(device_id)
            for i, (moment, imp, exp, power) in enumerate(readings):
                measurements.append(
                    {
                        "device_id": device_id,
                        "time": moment,
                        "voltage_l1_v": 230.0 + (i % 5) * 0.5,
                        "current_l1_a": power * 1000 / 230 / 3,
                        "power_kw": power,
                        "power_factor": 0.95,
                        "frequency_hz": 50.0 - (i % 3) * 0.01,
                        "energy_import_kwh": imp,
                        "energy_export_kwh": exp,
                        "received_at": moment + timedelta(seconds=30),
                        "ingest_xid": str(100 + device_id),
                    }
                )
                last = device_id == 2 and i == self.pending_from - 1
                if device_id == 2 and i >= self.pending_from:
                    continue
                following = readings[i + 1] if i + 1 < len(readings) and not last else None
                rollups.append(
                    {
                        "device_id": device_id,
                        "bucket_start": moment,
                        "sample_count": 1,
                        "power_kw_avg": power,
                        "power_kw_min": power,
                        "power_kw_max": power,
                        "voltage_l1_v_avg": 230.0 + (i % 5) * 0.5,
                        "voltage_l1_v_min": 230.0 + (i % 5) * 0.5,
                        "voltage_l1_v_max": 230.0 + (i % 5) * 0.5,
                        "power_factor_avg": 0.95,
                        "power_factor_min": 0.95,
                        "power_factor_max": 0.95,
                        "frequency_hz_avg": 50.0 - (i % 3) * 0.01,
                        "frequency_hz_min": 50.0 - (i % 3) * 0.01,
                        "frequency_hz_max": 50.0 - (i % 3) * 0.01,
                        "energy_import_kwh": following[1] - imp if following else 0.0,
                        "energy_export_kwh": (
                            following[2] - exp
                            if following and exp is not None and following[2]
                            else 0.0
                        ),
                        "reactive_energy_import_kvarh": 0.0,
                        "reactive_energy_export_kvarh": 0.0,
                        "apparent_energy_kvah": 0.0,
                    }
                )
        readings_2 = self.readings(2)
        fleet_times = [
            datetime(2026, 6, 2, 0, 0, tzinfo=UTC) + timedelta(minutes=15 * i) for i in range(8)
        ]
        version_a = eskom_style_version("2025-04-01", "2026-01-01")
        version_b = eskom_style_version("2026-01-01", None, scale=1.1)

        def definition(version: dict[str, Any]) -> Jsonb:
            return Jsonb(
                {
                    k: v
                    for k, v in version.items()
                    if k not in ("effective_from", "effective_to", "vat_percent")
                }
            )

        def user(id_: int, email: str, name: str, hash_: str, role: str, active: bool) -> Row:
            return {
                "id": id_,
                "email": email,
                "name": name,
                "password_hash": hash_,
                "role": role,
                "is_active": active,
                "failed_attempts": 0 if active else 2,
                "locked_until": None,
                "last_login_at": t0 + timedelta(days=id_),
                "password_changed_at": t0,
                "created_at": t0,
                "updated_at": t0 + timedelta(hours=id_),
            }

        return [
            TableSeed(
                "identity.users",
                (
                    user(1, ADMIN_EMAIL, "Ada Admin", self.admin_hash, "admin", True),
                    user(2, "viewer@example.com", "Vera Viewer", self.viewer_hash, "viewer", True),
                    user(3, "former@example.com", "Fred Former", self.viewer_hash, "viewer", False),
                ),
            ),
            TableSeed(
                "identity.login_attempts",
                tuple(
                    {
                        "id": i,
                        "email": email,
                        "user_id": user_id,
                        "ip_address": "192.0.2.7",
                        "outcome": outcome,
                        "attempted_at": t0 + timedelta(minutes=i),
                    }
                    for i, (email, user_id, outcome) in enumerate(
                        [
                            (ADMIN_EMAIL, 1, "success"),
                            ("former@example.com", 3, "bad_password"),
                            ("nobody@example.com", None, "unknown_user"),
                        ],
                        start=1,
                    )
                ),
            ),
            TableSeed(
                "identity.sessions",
                (
                    {
                        "token_sha256": digest(self.session_token),
                        "user_id": 2,
                        "csrf_token": self.session_csrf,
                        "created_at": now,
                        "last_seen_at": now,
                        "expires_at": now + timedelta(hours=12),
                        "ip_address": "192.0.2.8",
                        "user_agent": "stairway/1.0",
                    },
                ),
            ),
            TableSeed(
                "app.sites",
                (
                    {
                        "id": 1,
                        "name": "Head office",
                        "timezone": "Africa/Johannesburg",
                        "utility": "City Power",
                        "address": "1 Main Road, Johannesburg",
                        "tariff_id": None,  # linked once app.tariffs exists
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "name": "Warehouse",
                        "timezone": "Europe/London",
                        "utility": None,
                        "address": None,
                        "tariff_id": None,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.devices",
                tuple(
                    {
                        "id": id_,
                        "site_id": site_id,
                        "name": name,
                        "serial": f"ACV-{id_:06d}",
                        "model": model,
                        "created_at": t0,
                        "updated_at": t0,
                    }
                    for id_, site_id, name, model in [
                        (1, 1, "Main meter", "Acuvim II"),
                        (2, 1, "Solar meter", "Acuvim II"),
                        (3, 2, "Spare meter", None),
                    ]
                ),
                computed=("registers_seen",),
            ),
            TableSeed(
                "app.device_tokens",
                (
                    {
                        "id": 1,
                        "device_id": 1,
                        "token_sha256": digest(self.device_token),
                        "prefix": self.device_token[:8],
                        "label": "collector",
                        "created_at": t0,
                        "last_used_at": t0 + timedelta(days=60),
                        "revoked_at": None,
                    },
                    {
                        "id": 2,
                        "device_id": 2,
                        "token_sha256": digest("ppd_stairway_revoked"),
                        "prefix": "ppd_stai",
                        "label": None,
                        "created_at": t0,
                        "last_used_at": None,
                        "revoked_at": t0 + timedelta(days=1),
                    },
                ),
            ),
            TableSeed("monitoring.power_measurements", tuple(measurements)),
            TableSeed("monitoring.rollup_15m", tuple(rollups)),
            # 0013 fills the daily rollup from the 15-minute one (these are its rows)
            TableSeed("monitoring.rollup_1d", _daily(rollups, ZoneInfo("Africa/Johannesburg"))),
            TableSeed(
                "app.virtual_meters",
                (
                    {
                        "id": 1,
                        "site_id": 1,
                        "name": "Consumption",
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.virtual_meter_terms",
                (
                    {
                        "virtual_meter_id": 1,
                        "position": 0,
                        "sign": 1,
                        "device_id": 1,
                        "meter_id": None,
                    },
                    {
                        "virtual_meter_id": 1,
                        "position": 1,
                        "sign": 1,
                        "device_id": 2,
                        "meter_id": None,
                    },
                ),
            ),
            TableSeed(
                "app.tariffs",
                (
                    {
                        "id": 1,
                        "name": "Eskom-style TOU",
                        "currency": "ZAR",
                        "timezone": "Africa/Johannesburg",
                        "public_holidays": Jsonb({"calendar": "ZA", "treat_as": "sun"}),
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "name": "Spare flat rate",
                        "currency": "GBP",
                        "timezone": "Europe/London",
                        "public_holidays": None,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.tariff_versions",
                (
                    {
                        "id": 1,
                        "tariff_id": 1,
                        "effective_from": date(2025, 4, 1),
                        "effective_to": date(2026, 1, 1),
                        "vat_percent": 15.0,
                        "definition": definition(version_a),
                    },
                    {
                        "id": 2,
                        "tariff_id": 1,
                        "effective_from": date(2026, 1, 1),
                        "effective_to": None,
                        "vat_percent": 15.0,
                        "definition": definition(version_b),
                    },
                    {
                        "id": 3,
                        "tariff_id": 2,
                        "effective_from": date(2025, 1, 1),
                        "effective_to": None,
                        "vat_percent": 20.0,
                        "definition": definition(version_a),
                    },
                ),
            ),
            TableSeed(
                "app.branding",
                (
                    {
                        "id": 1,
                        "product_name": "Stairway Power",
                        "primary_color": "#123456",
                        "secondary_color": "#abcdef",
                        "theme": "dark",
                        "tagline": "Every step kept",
                        "support_email": "support@example.com",
                        "support_url": "https://example.com/support",
                        "logo_file": None,
                        "favicon_file": None,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.fleet_push_state",
                (
                    {
                        "resource": "measurements",
                        "cursor": "12345:6",
                        "batch_size": 5000,
                        "consecutive_failures": 1,
                        "last_success_at": t0,
                        "last_attempt_at": t0 + timedelta(minutes=5),
                        "last_error": "admin answered 503",
                        "next_attempt_at": t0 + timedelta(minutes=6),
                        "rows_pushed": 123456,
                    },
                ),
            ),
            TableSeed(
                "fleet.customers",
                (
                    {
                        "id": 1,
                        "code": "acme",
                        "name": "Acme Mining",
                        "token_sha256": digest("ppc_stairway_acme"),
                        "active": True,
                        "first_seen_at": t0,
                        "last_seen_at": t0 + timedelta(days=61),
                        "created_at": t0,
                    },
                    {
                        "id": 2,
                        "code": "globex",
                        "name": "Globex",
                        "token_sha256": digest("ppc_stairway_globex"),
                        "active": False,
                        "first_seen_at": None,
                        "last_seen_at": None,
                        "created_at": t0,
                    },
                ),
            ),
            TableSeed(
                "fleet.sites",
                (
                    {
                        "customer_id": 1,
                        "id": 10,
                        "name": "Acme plant",
                        "timezone": "Africa/Johannesburg",
                        "utility": "Eskom",
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "fleet.devices",
                (
                    {
                        "customer_id": 1,
                        "id": 100,
                        "site_id": 10,
                        "name": "Acme main",
                        "serial": "ACM-000100",
                        "model": "Acuvim II",
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "fleet.power_measurements",
                tuple(
                    {
                        "customer_id": 1,
                        "device_id": 100,
                        "time": moment,
                        "power_kw": 4.0,
                        "energy_import_kwh": 500.0 + i,
                        "received_at": moment + timedelta(minutes=1),
                    }
                    for i, moment in enumerate(fleet_times)
                ),
            ),
            TableSeed(
                "fleet.rollup_15m",
                tuple(
                    {
                        "customer_id": 1,
                        "device_id": 100,
                        "bucket_start": moment,
                        "sample_count": 1,
                        "power_kw_avg": 4.0,
                        "power_kw_min": 4.0,
                        "power_kw_max": 4.0,
                        "energy_import_kwh": 1.0 if i < len(fleet_times) - 1 else 0.0,
                        "energy_export_kwh": 0.0,
                        "reactive_energy_import_kvarh": 0.0,
                        "reactive_energy_export_kvarh": 0.0,
                        "apparent_energy_kvah": 0.0,
                    }
                    for i, moment in enumerate(fleet_times)
                ),
            ),
            TableSeed(
                "fleet.ingest_events",
                (
                    {
                        "id": 1,
                        "customer_id": 1,
                        "batch_type": "measurements",
                        "status_code": 200,
                        "accepted": 8,
                        "duplicates": 0,
                        "rejected": 0,
                        "bytes": 2048,
                        "client_cursor": "12345:6",
                        "earliest": fleet_times[0],
                        "latest": fleet_times[-1],
                        "error": None,
                        "received_at": fleet_times[-1] + timedelta(minutes=1),
                    },
                    {
                        "id": 2,
                        "customer_id": None,
                        "batch_type": "inventory",
                        "status_code": 401,
                        "accepted": 0,
                        "duplicates": 0,
                        "rejected": 0,
                        "bytes": 100,
                        "client_cursor": None,
                        "earliest": None,
                        "latest": None,
                        "error": "unknown customer token",
                        "received_at": fleet_times[-1] + timedelta(minutes=2),
                    },
                ),
            ),
            TableSeed(
                "fleet.device_registers",
                ({"customer_id": 1, "device_id": 100, "registers_seen": 1},),
            ),
            TableSeed(
                "fleet.rollup_pending",
                (
                    # the seeded fleet rollups' range, logged again: a rebuild changes nothing
                    {
                        "customer_id": 1,
                        "id": 1,
                        "device_id": 100,
                        "lo": fleet_times[0],
                        "hi": fleet_times[-1],
                        "registers_mask": 1,
                        "queued_at": fleet_times[-1] + timedelta(minutes=1),
                    },
                ),
            ),
            TableSeed(
                "monitoring.rollup_pending",
                (
                    {
                        "id": 1,
                        "device_id": 2,
                        "lo": readings_2[self.pending_from][0],
                        "hi": readings_2[-1][0],
                        "registers_mask": 1,
                        "queued_at": readings_2[-1][0] + timedelta(seconds=31),
                    },
                ),
            ),
            TableSeed(
                "app.gateway_health",
                (
                    {
                        "device_id": 1,
                        "status": "online",
                        "status_at": t0,
                        "last_seen_at": t0 + timedelta(minutes=1),
                        "last_telemetry_at": t0 + timedelta(minutes=1),
                        "last_heartbeat_at": t0,
                        "firmware": "1.4.2",
                        "uptime_seconds": 86400,
                        "rssi_dbm": -67,
                        "modbus_error_rate": 0.002,
                        "sd_state": "ok",
                        "messages_received": 1440,
                        "messages_rejected": 3,
                        "updated_at": t0 + timedelta(minutes=1),
                    },
                ),
            ),
            TableSeed(
                "app.pending_gateways",
                (
                    {
                        "gateway_id": "gw-unknown-7",
                        "first_seen_at": t0,
                        "last_seen_at": t0 + timedelta(hours=1),
                        "message_count": 42,
                        "registered_at": t0 + timedelta(minutes=1),
                        "firmware": "1.4.0",
                        "model": "ESP32-ACV",
                        "last_topic": "gateways/gw-unknown-7/telemetry",
                        "dismissed_at": None,
                    },
                ),
            ),
            TableSeed(
                "app.mqtt_bridge_state",
                (
                    {
                        "id": 1,
                        "snapshot": Jsonb({"gateways": {"gw-1": {"online": True}}}),
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.tenants",
                (
                    {
                        "id": 1,
                        "site_id": 1,
                        "name": "Grocer",
                        "reference": "T-001",
                        "contact_email": "accounts@grocer.example",
                        "rule_kind": "pass_through",
                        "tariff_id": None,
                        "apportion": "coincident_demand",
                        "fixed_share_percent": None,
                        "markup_percent": 5.0,
                        "markup_cap": 500.0,
                        "admin_fee": 150.0,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "site_id": 1,
                        "name": "Cafe",
                        "reference": None,
                        "contact_email": None,
                        "rule_kind": "own_tariff",
                        "tariff_id": 1,
                        "apportion": None,
                        "fixed_share_percent": None,
                        "markup_percent": 0.0,
                        "markup_cap": None,
                        "admin_fee": 0.0,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.tenant_meters",
                (
                    {
                        "id": 1,
                        "tenant_id": 1,
                        "device_id": 2,
                        "virtual_meter_id": None,
                        "start_at": t0,
                        "end_at": t0 + timedelta(days=30),
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "tenant_id": 2,
                        "device_id": 2,
                        "virtual_meter_id": None,
                        "start_at": t0 + timedelta(days=30),
                        "end_at": None,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.alert_rules",
                (
                    {
                        "id": 1,
                        "name": "Incomer demand",
                        "site_id": None,
                        "device_id": 1,
                        "virtual_meter_id": None,
                        "kind": "demand_above",
                        "severity": "critical",
                        "enabled": True,
                        "params": Jsonb({"unit": "kw", "threshold": 400.0, "clear_below": 380.0}),
                        "for_minutes": 5,
                        "quiet_hours": Jsonb(
                            {
                                "timezone": "site",
                                "windows": [{"days": ["sun"], "start": "00:00", "end": "24:00"}],
                            }
                        ),
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "name": "Meters offline",
                        "site_id": 1,
                        "device_id": None,
                        "virtual_meter_id": None,
                        "kind": "offline",
                        "severity": "warning",
                        "enabled": True,
                        "params": Jsonb({"minutes": 30}),
                        "for_minutes": 0,
                        "quiet_hours": None,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.alerts",
                (
                    {
                        "id": 1,
                        "rule_id": 1,
                        "rule_name": "Incomer demand",
                        "kind": "demand_above",
                        "severity": "critical",
                        "site_id": 1,
                        "subject_kind": "device",
                        "subject_id": 1,
                        "subject_name": "Incomer",
                        "state": "resolved",
                        "value": 412.5,
                        "threshold": 400.0,
                        "unit": "kW",
                        "message": "30-minute demand 412.5 kW, threshold 400 kW",
                        "started_at": t0,
                        "fired_at": t0 + timedelta(minutes=5),
                        "resolved_at": t0 + timedelta(hours=1),
                        "gap_start": None,
                        "gap_end": None,
                        "acknowledged_by": 1,
                        "acknowledged_by_name": "Ada Admin",
                        "acknowledged_at": t0 + timedelta(minutes=10),
                        "acknowledged_note": "load shedding",
                        "created_at": t0,
                    },
                    {
                        "id": 2,
                        "rule_id": 2,
                        "rule_name": "Meters offline",
                        "kind": "offline",
                        "severity": "warning",
                        "site_id": 1,
                        "subject_kind": "device",
                        "subject_id": 2,
                        "subject_name": "Shop",
                        "state": "firing",
                        "value": 45.0,
                        "threshold": 30.0,
                        "unit": "min",
                        "message": "no reading for 45 min",
                        "started_at": t0,
                        "fired_at": t0,
                        "resolved_at": None,
                        "gap_start": None,
                        "gap_end": None,
                        "acknowledged_by": None,
                        "acknowledged_by_name": None,
                        "acknowledged_at": None,
                        "acknowledged_note": None,
                        "created_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.alert_states",
                (
                    {
                        "rule_id": 1,
                        "subject_kind": "device",
                        "subject_id": 1,
                        "status": "ok",
                        "since": None,
                        "value": 120.0,
                        "alert_id": None,
                        "updated_at": t0,
                    },
                    {
                        "rule_id": 2,
                        "subject_kind": "device",
                        "subject_id": 2,
                        "status": "firing",
                        "since": t0,
                        "value": 45.0,
                        "alert_id": 2,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.alert_watermarks",
                (
                    {
                        "subject_kind": "device",
                        "subject_id": 1,
                        "cadence": "bucket",
                        "evaluated_until": t0 + timedelta(hours=2),
                    },
                ),
            ),
            TableSeed(
                "app.alert_events",
                (
                    {
                        "id": 1,
                        "alert_id": 1,
                        "event": "fired",
                        "at": t0 + timedelta(minutes=5),
                        "from_state": "pending",
                        "to_state": "firing",
                        "value": 412.5,
                        "message": "30-minute demand 412.5 kW, threshold 400 kW",
                        "created_at": t0,
                    },
                    {
                        "id": 2,
                        "alert_id": 1,
                        "event": "resolved",
                        "at": t0 + timedelta(hours=1),
                        "from_state": "firing",
                        "to_state": "resolved",
                        "value": 120.0,
                        "message": "30-minute demand 120.0 kW, threshold 400 kW",
                        "created_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.webhooks",
                (
                    {
                        "id": 1,
                        "name": "Ops",
                        "url": "https://hooks.example.com/portal",
                        "severities": ["warning", "critical"],
                        "secret_encrypted": "gAAAAA-not-a-real-token",
                        "enabled": True,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.notification_outbox",
                (
                    {
                        "id": 1,
                        "idempotency_key": "alert-1-1-email-1",
                        "alert_id": 1,
                        "event_id": 1,
                        "event": "fired",
                        "channel": "email",
                        "recipient": ADMIN_EMAIL,
                        "webhook_id": None,
                        "status": "sent",
                        "attempts": 1,
                        "last_error": None,
                        "next_attempt_at": t0,
                        "created_at": t0,
                        "sent_at": t0 + timedelta(seconds=2),
                    },
                    {
                        "id": 2,
                        "idempotency_key": "alert-1-1-webhook-1",
                        "alert_id": 1,
                        "event_id": 1,
                        "event": "fired",
                        "channel": "webhook",
                        "recipient": "Ops",
                        "webhook_id": 1,
                        "status": "dead",
                        "attempts": 12,
                        "last_error": "503 Service Unavailable",
                        "next_attempt_at": t0 + timedelta(days=1),
                        "created_at": t0,
                        "sent_at": None,
                    },
                ),
            ),
            TableSeed(
                "app.smtp_settings",
                (
                    {
                        "id": 1,
                        "host": "smtp.example.com",
                        "port": 587,
                        "security": "starttls",
                        "username": "portal",
                        "password_encrypted": "gAAAAA-not-a-real-token",
                        "from_address": "alerts@example.com",
                        "from_name": "Portal alerts",
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.notification_preferences",
                (
                    {
                        "user_id": 2,
                        "email": True,
                        "severities": ["critical"],
                        "site_ids": [1],
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "monitoring.rollup_changes",
                ({"device_id": 1, "lo": t0, "hi": t0 + timedelta(hours=1)},),
            ),
            TableSeed(
                "app.report_schedules",
                (
                    {
                        "id": 1,
                        "name": "Monthly pack",
                        "site_id": 1,
                        "tenant_id": None,
                        "cadence": "monthly",
                        "day_of_month": 3,
                        "weekday": None,
                        "local_time": time(7, 0),
                        "contents": ["report", "bill"],
                        "recipients": ["finance@example.com"],
                        "enabled": True,
                        "active_since": t0,
                        "created_by": 1,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                    {
                        "id": 2,
                        "name": "Grocer's bill",
                        "site_id": 1,
                        "tenant_id": 1,
                        "cadence": "weekly",
                        "day_of_month": None,
                        "weekday": 0,
                        "local_time": time(6, 30),
                        "contents": ["tenant_bills"],
                        "recipients": ["accounts@grocer.example"],
                        "enabled": False,
                        "active_since": t0,
                        "created_by": None,
                        "created_at": t0,
                        "updated_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.report_runs",
                (
                    {
                        "id": 1,
                        "schedule_id": 1,
                        "schedule_name": "Monthly pack",
                        "site_id": 1,
                        "tenant_id": None,
                        "period": "month",
                        "label": "2026-03",
                        "period_start": date(2026, 3, 1),
                        "period_end": date(2026, 4, 1),
                        "trigger": "schedule",
                        "requested_by": None,
                        "notes": ["bill: site 1 has no tariff"],
                        "created_at": t0,
                    },
                ),
            ),
            TableSeed(
                "app.report_files",
                (
                    {
                        "id": 1,
                        "run_id": 1,
                        "filename": "report-site1-2026-03.pdf",
                        "media_type": "application/pdf",
                        "content": b"%PDF-1.4 not a real report",
                        "size_bytes": 26,
                    },
                ),
            ),
            TableSeed(
                "app.grafana_settings",
                (
                    {
                        "id": 1,
                        "base_url": "https://grafana.example.com/grafana/",
                        "dashboards": Jsonb([{"uid": "power-overview", "title": "Power overview"}]),
                        "updated_at": t0,
                    },
                ),
            ),
        ]

    def links(self) -> list[Link]:
        return [
            Link(
                "site 1 bills by tariff 1",
                ("app.sites", "app.tariffs"),
                "UPDATE app.sites SET tariff_id = 1 WHERE id = 1 AND tariff_id IS NULL "
                "AND EXISTS (SELECT 1 FROM app.tariffs WHERE id = 1)",
            )
        ]


def seed(conn: psycopg.Connection[tuple[Any, ...]], dataset: Dataset) -> list[str]:
    """Insert the rows of every table that exists and is still empty; the tables seeded.

    Only the columns the table has at this revision are written; a column the table has
    and the seed does not name fails here (a new table or column needs its rows below),
    except the ones a migration fills (``computed``)."""
    tables = shape(conn)
    seeded: list[str] = []
    for table_seed in dataset.seeds():
        columns = tables.get(table_seed.table)
        if columns is None:
            continue
        count = conn.execute(
            pgsql.SQL("SELECT count(*) FROM {}").format(_qualified(table_seed.table))
        ).fetchone()
        if count is None or count[0]:
            continue
        named = set().union(*(row.keys() for row in table_seed.rows))
        unnamed = _varying_defaults(conn, table_seed.table) - named - set(table_seed.computed)
        assert not unnamed, (
            f"{table_seed.table}: no seed value for {sorted(unnamed)}, whose default varies "
            "(add them to tests/support/stairway.py Dataset.seeds)"
        )
        written = [c for c in columns if c in named]
        statement = pgsql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            _qualified(table_seed.table),
            pgsql.SQL(", ").join(pgsql.Identifier(c) for c in written),
            pgsql.SQL(", ").join(pgsql.Placeholder() * len(written)),
        )
        with conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(
                statement, [[row.get(c) for c in written] for row in table_seed.rows]
            )
            _advance_identities(conn, table_seed.table)
        seeded.append(table_seed.table)
    for link in dataset.links():
        if all(t in tables for t in link.requires):
            conn.execute(link.statement)
    return seeded


def _varying_defaults(conn: psycopg.Connection[tuple[Any, ...]], table: str) -> set[str]:
    """Columns whose default differs from one insert to the next (identity, ``now()``...).

    A seed names them all, so rows seeded again after a downgrade are the same rows."""
    schema, name = table.split(".")
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s "
        "AND (is_identity = 'YES' OR column_default LIKE '%%(%%')",
        (schema, name),
    ).fetchall()
    return {row[0] for row in rows}


def _advance_identities(conn: psycopg.Connection[tuple[Any, ...]], table: str) -> None:
    """Identity sequences past the explicit ids, so the app's next insert gets a new one."""
    schema, name = table.split(".")
    for (column,) in conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s AND is_identity = 'YES'",
        (schema, name),
    ).fetchall():
        conn.execute(
            pgsql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, {c}), max({col})) FROM {tbl}"
            ).format(
                t=pgsql.Literal(table),
                c=pgsql.Literal(column),
                col=pgsql.Identifier(column),
                tbl=_qualified(table),
            )
        )


def unseeded(conn: psycopg.Connection[tuple[Any, ...]], dataset: Dataset) -> list[str]:
    """Tables of the database the dataset has no rows for."""
    known = {s.table for s in dataset.seeds()}
    return sorted(set(shape(conn)) - known)


def transformation_problems(
    conn: psycopg.Connection[tuple[Any, ...]], dataset: Dataset
) -> list[str]:
    """The data migrations documented to transform rows, checked explicitly.

    0005_rollup_performance fills ``app.devices.registers_seen`` from the readings."""
    if "registers_seen" not in shape(conn).get("app.devices", ()):
        return []
    found = dict(conn.execute("SELECT id, registers_seen FROM app.devices").fetchall())
    expected = dict(dataset.expected_registers_seen)
    return [] if found == expected else [f"app.devices.registers_seen {found} != {expected}"]


@dataclass(frozen=True)
class KnownGap:
    """A downgrade whose re-upgrade fails on the data it leaves; ``repair`` is run between.

    The stairway asserts the re-upgrade fails with ``error`` in its message first, so the
    entry has to go once the migration is fixed."""

    reason: str
    error: str
    repair: str


@dataclass
class StepReport:
    revision: str
    below: Shape  # the schema before the step (what a downgrade must restore)
    seeded: list[str]
    down_and_up: bool
    reseeded: list[str] = field(default_factory=list)


class StairwayError(AssertionError):
    """A step lost or changed data, or left the schema other than expected."""


def _expect(problems: list[str], when: str) -> None:
    if problems:
        raise StairwayError(f"{when}:\n  " + "\n  ".join(problems))


def climb(
    url: URL, dataset: Dataset, *, known_gaps: Mapping[str, KnownGap] | None = None
) -> list[StepReport]:
    """From an empty database to head one revision at a time, seeding and checking.

    At each revision: upgrade; every row of the tables that existed before equal (new columns
    allowed); the documented transformations right; the new tables seeded. Where the revision
    has a downgrade, ``down_and_up``."""
    known_gaps = known_gaps or {}
    reports: list[StepReport] = []
    for script in revisions():
        revision = script.revision
        with connect(url) as conn:
            below = shape(conn)
            kept = fingerprints(conn, below)
        step(url, "up", revision)
        with connect(url) as conn:
            _expect(differences(kept, fingerprints(conn, below)), f"upgrade to {revision}")
            _expect(transformation_problems(conn, dataset), f"upgrade to {revision}")
            seeded = seed(conn, dataset)
        report = StepReport(revision, below, seeded, has_downgrade(script))
        reports.append(report)
        if report.down_and_up:
            report.reseeded = down_and_up(url, dataset, script, below, known_gaps.get(revision))
    return reports


def down_and_up(
    url: URL, dataset: Dataset, script: Script, below: Shape, gap: KnownGap | None = None
) -> list[str]:
    """Down one revision from ``script`` (the database is at it) and up again; the tables
    seeded again.

    Down: the schema exactly ``below`` (the schema before the revision), the rows of those
    tables and columns equal. Up: the schema as before the downgrade, the tables the
    downgrade dropped seeded again, and every table fingerprinted as before the downgrade."""
    revision = script.revision
    with connect(url) as conn:
        at = shape(conn)
        full = fingerprints(conn, at)
        kept = fingerprints(conn, below)
    step(url, "down", script.down_revision or "base")  # type: ignore[arg-type]
    with connect(url) as conn:
        _expect(shape_changes(below, shape(conn)), f"downgrade from {revision}: schema")
        _expect(differences(kept, fingerprints(conn, below)), f"downgrade from {revision}")
    if gap is not None:
        try:
            step(url, "up", revision)
        except Exception as exc:  # the failure the gap describes; the step rolled back
            if gap.error not in str(exc):
                raise
        else:
            raise StairwayError(f"{revision}: known gap no longer happens ({gap.reason})")
        with connect(url) as conn:
            conn.execute(gap.repair)
    step(url, "up", revision)
    with connect(url) as conn:
        _expect(shape_changes(at, shape(conn)), f"upgrade to {revision} again: schema")
        reseeded = seed(conn, dataset)
        _expect(differences(full, fingerprints(conn, at)), f"upgrade to {revision} again")
        _expect(transformation_problems(conn, dataset), f"upgrade to {revision} again")
    return reseeded


@contextmanager
def empty_database(maintenance: URL) -> Iterator[URL]:
    """A database with no migration applied on the server of ``maintenance`` (a URL to its
    maintenance database, as a role allowed to create databases), dropped afterwards."""
    name = f"stairway_{uuid.uuid4().hex[:12]}"
    admin = psycopg_conninfo(maintenance)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    try:
        yield maintenance.set(database=name)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(
                pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
            )


def check_through_the_app(url: URL, dataset: Dataset, data_dir: Path) -> None:
    """The seeded data as the app at head reads it: sign-ins, lists, energy, the rollup queue."""
    data_dir.mkdir(exist_ok=True)
    settings = Settings(database_url=url_string(url), data_dir=data_dir, admin_password="unused-1")
    server = LiveServer(settings)
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)  # the seeded hash
        try:
            _check_lists(admin)
            _check_energy(admin, dataset)
            # device 2's queued rebuild was drained by reading its energy
            assert sql(url, "SELECT count(*) FROM monitoring.rollup_pending") == [(0,)]
            # the seeded token still authenticates; its reading is already stored
            again = ingest(
                server.url,
                dataset.device_token,
                [{"time": "2026-06-01T00:15:00+02:00", "energy_import_kwh": 1000.5}],
            )
            assert again.status_code == 200, again.text
            assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1), again.text
        finally:
            admin.close()
        with httpx.Client(base_url=server.url, timeout=30) as viewer:
            viewer.cookies.set(SESSION_COOKIE, dataset.session_token)
            me = viewer.get("/api/auth/me")
            assert me.status_code == 200, me.text
            assert me.json()["email"] == "viewer@example.com"
    finally:
        server.stop()


def _get(http: httpx.Client, path: str, **params: object) -> Any:
    response = http.get(path, params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    return response.json()


def _check_lists(admin: httpx.Client) -> None:
    sites = {s["id"]: s for s in _get(admin, "/api/sites")}
    assert {i: (s["name"], s["timezone"], s["tariff_id"]) for i, s in sites.items()} == {
        1: ("Head office", "Africa/Johannesburg", 1),
        2: ("Warehouse", "Europe/London", None),
    }
    devices = {d["id"]: (d["site_id"], d["serial"]) for d in _get(admin, "/api/devices")}
    assert devices == {1: (1, "ACV-000001"), 2: (1, "ACV-000002"), 3: (2, "ACV-000003")}
    tariffs = {
        t["id"]: (t["name"], t["version_count"], t["site_count"])
        for t in _get(admin, "/api/tariffs")
    }
    assert tariffs == {1: ("Eskom-style TOU", 2, 1), 2: ("Spare flat rate", 1, 0)}
    tariff = _get(admin, "/api/tariffs/1")
    assert [v["effective_from"] for v in tariff["versions"]] == ["2025-04-01", "2026-01-01"]
    users = {u["email"]: (u["role"], u["is_active"]) for u in _get(admin, "/api/users")}
    assert users == {
        ADMIN_EMAIL: ("admin", True),
        "viewer@example.com": ("viewer", True),
        "former@example.com": ("viewer", False),
    }
    assert _get(admin, "/api/branding")["product_name"] == "Stairway Power"


def _check_energy(admin: httpx.Client, dataset: Dataset) -> None:
    for device_id, (day, imp, exp) in dataset.expected_energy.items():
        points = _get(
            admin,
            f"/api/devices/{device_id}/energy",
            start=day.isoformat(),
            end=(day + timedelta(days=1)).isoformat(),
            interval="day",
        )["points"]
        assert len(points) == 1, points
        assert points[0]["energy_import_kwh"] == pytest.approx(imp, abs=1e-9), device_id
        if exp is not None:
            assert points[0]["energy_export_kwh"] == pytest.approx(exp, abs=1e-9), device_id
