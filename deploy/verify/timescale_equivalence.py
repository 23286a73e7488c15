"""Check the TimescaleDB bootstrap on a real TimescaleDB server, and that the app's
own SQL (ingest, rollups, energy, latest, push) gives the same answers on it as on
plain PostgreSQL (the embedded server, TimescaleDB not preloaded). Run by
``tests/integration/test_timescale_real.py`` on real TimescaleDB; by hand against any
server (TESTING.md).

Usage:
    .venv/bin/python deploy/verify/timescale_equivalence.py URL [--compression] [--no-copy]

URL: postgresql://user:password@host:port/db of an empty database on a server with
TimescaleDB (the compose stack's, the embedded one after ``make timescale``, or the WASM
build in pglite-timescaledb.mjs).
--no-copy: that WASM build's wire server cannot take COPY FROM STDIN, so the ingest's
binary COPY is replaced by multi-row INSERTs, on both databases alike.

The bootstrap as shipped (``COMPRESSION_READY``: hypertables with compression and its
policy), old chunks compressed by hand before a late replay; ``--compression`` forces the
compression plan on should ``COMPRESSION_READY`` ever be false again. The database must
be empty (migrations run here). Exit status 0 when every check passed.
"""

from __future__ import annotations

import asyncio
import math
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from power_portal.db import timescale
from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import upgrade_to_head
from power_portal.db.target import normalise_url
from power_portal.fleet.repository import PushCursor, measurements_after
from power_portal.measurements import ingest as ingest_module
from power_portal.measurements import repository
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.rollup_queue import drain_all
from power_portal.measurements.schemas import Interval
from power_portal.settings import RunMode, Settings


async def insert_rows(db: AsyncSession, sql: str, types: list[str], rows: Any) -> None:
    """Stand-in for the binary COPY: PGlite's wire server cannot take COPY FROM STDIN.
    Used on both databases, so the comparison stays like for like."""
    match = re.match(r"COPY (\S+) \(([^)]*)\) FROM STDIN", sql)
    assert match is not None, sql
    columns = [c.strip() for c in match[2].split(",")]
    rows = list(rows)
    for start in range(0, len(rows), 20):
        chunk = rows[start : start + 20]
        params: dict[str, Any] = {}
        values = []
        for r, row in enumerate(chunk):
            names = [f"r{r}c{c}" for c in range(len(columns))]
            params.update(zip(names, row, strict=True))
            casts = [f"CAST(:{n} AS {t})" for n, t in zip(names, types, strict=True)]
            values.append(f"({', '.join(casts)})")
        statement = text(
            f"INSERT INTO {match[1]} ({', '.join(columns)}) VALUES {', '.join(values)}"  # noqa: S608
        )
        await db.execute(statement, params)


if "--no-copy" in sys.argv[2:]:
    ingest_module.copy_rows = insert_rows

NOW = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
START = NOW - timedelta(days=21)
GAP = (START + timedelta(days=3, hours=10), START + timedelta(days=3, hours=12))
FAILURES: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def reading(device: int, moment: datetime) -> tuple[Any, ...]:
    minutes = (moment - START).total_seconds() / 60
    power = 10 + device + 5 * math.sin(minutes / 180)
    values: dict[str, float | None] = dict.fromkeys(FIELD_NAMES)
    values["power_kw"] = power
    values["voltage_l1_v"] = 230 + math.cos(minutes / 90)
    values["energy_import_kwh"] = 1000 * device + minutes * (10 + device) / 60
    values["apparent_energy_kvah"] = 2000 * device + minutes * (11 + device) / 60
    return (moment, *(values[name] for name in FIELD_NAMES))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


STEP_MINUTES = 5  # readings every 5 minutes (the WASM build runs out of memory with more)


def minutes(lo: datetime, hi: datetime) -> list[datetime]:
    count = int((hi - lo).total_seconds() // 60) // STEP_MINUTES
    return [lo + timedelta(minutes=i * STEP_MINUTES) for i in range(count)]


async def scenario(url: URL, *, compress_old_chunks: bool) -> dict[str, Any]:
    engine = create_async_engine(url, pool_size=1, max_overflow=0, echo=False)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    out: dict[str, Any] = {}
    async with sessions() as db:
        site = (
            await db.execute(
                text(
                    "INSERT INTO app.sites (name, timezone) "
                    "VALUES ('Plant', 'Africa/Johannesburg') RETURNING id"
                )
            )
        ).scalar_one()
        devices = []
        for n in (1, 2):
            devices.append(
                (
                    await db.execute(
                        text(
                            "INSERT INTO app.devices (site_id, name, serial) "
                            "VALUES (:s, :n, :serial) RETURNING id"
                        ),
                        {"s": site, "n": f"M{n}", "serial": f"SER-{n}"},
                    )
                ).scalar_one()
            )
        await db.commit()
        # 21 days of 1-minute readings, one batch per device and day, with a 2-hour gap
        for day in range(21):
            lo = START + timedelta(days=day)
            for n, device in enumerate(devices, start=1):
                rows = [
                    reading(n, m)
                    for m in minutes(lo, lo + timedelta(days=1))
                    if not GAP[0] <= m < GAP[1]
                ]
                await store_batch(db, device, rows)
        await drain_all(db)
        if compress_old_chunks:
            compressed = (
                await db.execute(
                    text(
                        "SELECT count(compress_chunk(c)) FROM show_chunks("
                        "'monitoring.power_measurements', older_than => interval '7 days') c"
                    )
                )
            ).scalar_one()
            await db.commit()
            check(compressed >= 2, f"chunks older than 7 days compressed by hand: {compressed}")
        # a meter replays its buffer: the gap plus an hour it already sent (duplicates),
        # all inside what is now a compressed chunk on TimescaleDB
        replay = [reading(1, m) for m in minutes(GAP[0] - timedelta(hours=1), GAP[1])]
        result = await store_batch(db, devices[0], replay)
        out["replay"] = (result.accepted, result.duplicates)
        await drain_all(db)
        result = await store_batch(db, devices[0], replay)  # again: all duplicates
        out["replay_again"] = (result.accepted, result.duplicates)
        await drain_all(db)
        first, last = START.date(), NOW.date()
        for interval in (Interval.HOUR, Interval.DAY, Interval.MONTH):
            energy = await repository.energy(
                db, SeriesSelection.devices(devices), first, last, interval, "Africa/Johannesburg"
            )
            out[f"energy_{interval.value}"] = [
                (p.start.isoformat(), _r(p.energy_import_kwh), _r(p.energy_export_kwh))
                for p in energy.points
            ]
        out["rollup"] = [
            tuple(round(v, 6) if isinstance(v, float) else v for v in row)
            for row in await db.execute(
                text(
                    "SELECT device_id, bucket_start, sample_count, power_kw_avg, power_kw_max, "
                    "energy_import_kwh, apparent_energy_kvah FROM monitoring.rollup_15m "
                    "ORDER BY device_id, bucket_start"
                )
            )
        ]
        latest = await repository.latest(db, devices[0]) or {}
        latest.pop("received_at", None)  # when it was stored: differs between the two runs
        out["latest"] = latest
        out["raw_count"] = (
            await db.execute(text("SELECT count(*) FROM monitoring.power_measurements"))
        ).scalar_one()
        pushed = await measurements_after(db, PushCursor(), 1000)
        out["push_first_page"] = len(pushed)
        order = [(int(r["xid"]), r["device_id"], r["time"]) for r in pushed]
        out["push_is_ordered"] = order == sorted(order)
        await db.rollback()
    await engine.dispose()
    return out


def catalog(url: URL) -> list[tuple[Any, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = [
            tuple(row)
            for row in conn.exec_driver_sql(
                "SELECT 'ht', hypertable_schema || '.' || hypertable_name, "
                "compression_enabled::text FROM timescaledb_information.hypertables "
                "UNION ALL SELECT 'dim', hypertable_schema || '.' || hypertable_name || '.' || "
                "column_name, time_interval::text FROM timescaledb_information.dimensions "
                "UNION ALL SELECT 'job', hypertable_schema || '.' || hypertable_name || ' ' || "
                "proc_name, config::text FROM timescaledb_information.jobs "
                "WHERE hypertable_name IS NOT NULL "
                "UNION ALL SELECT 'seg', hypertable::text, coalesce(segmentby, '') || ' | ' || "
                "coalesce(orderby, '') "
                "FROM timescaledb_information.hypertable_compression_settings "
                "UNION ALL SELECT 'idx', tablename, indexname FROM pg_indexes "
                "WHERE schemaname IN ('monitoring', 'fleet') "
                "ORDER BY 1, 2, 3"
            )
        ]
    engine.dispose()
    return rows


def settings(url: URL, mode: RunMode) -> Settings:
    return Settings(database_url=url.render_as_string(hide_password=False), run_mode=mode)


def main() -> None:
    tsdb = normalise_url(sys.argv[1], setting="argv[1]")
    ready = True if "--compression" in sys.argv[2:] else None
    plan = timescale.plan_for(RunMode.STANDALONE, compression_ready=ready)
    compressing = plan.compress  # as shipped, or forced on by --compression
    upgrade_to_head(tsdb)
    report = timescale.bootstrap(tsdb, settings(tsdb, RunMode.STANDALONE), plan=plan)
    print("bootstrap:", report.status.value, report.version, report.detail)
    check(report.status is timescale.TimescaleStatus.ENABLED, "standalone bootstrap enabled")
    check(report.compression is compressing, f"compression {'on' if compressing else 'waits'}")
    first = catalog(tsdb)
    for row in first:
        print("   ", row)
    again = timescale.bootstrap(tsdb, settings(tsdb, RunMode.STANDALONE), plan=plan)
    check(again.status is timescale.TimescaleStatus.ENABLED, "second run enabled")
    check(catalog(tsdb) == first, "second run is a no-op (catalogue unchanged)")
    ht = {r[1]: r[2] for r in first if r[0] == "ht"}
    check(
        ht == {"monitoring.power_measurements": str(compressing).lower()},
        f"only the monitoring hypertable: {ht}",
    )
    dims = [r for r in first if r[0] == "dim"]
    check(
        dims == [("dim", "monitoring.power_measurements.time", "7 days")], f"7-day chunks: {dims}"
    )
    idx = sorted(r[2] for r in first if r[0] == "idx" and r[1] == "power_measurements")
    check("power_measurements_time_idx" not in idx, f"no default time index: {idx}")
    seg = [r for r in first if r[0] == "seg"]
    jobs = [r for r in first if r[0] == "job"]
    if compressing:
        check(
            len(seg) == 1 and seg[0][2].replace(chr(34), "").startswith("device_id | time DESC"),
            f"segment/order: {seg}",
        )
        check(
            len(jobs) == 1 and '"compress_after": "7 days"' in jobs[0][2],
            f"compression policy: {jobs}",
        )
    else:
        check(
            all(r[2].strip() == "|" for r in seg) and jobs == [],
            f"no compression settings or policy: {seg} {jobs}",
        )

    with tempfile.TemporaryDirectory() as tmp:
        plain = EmbeddedPostgres(Path(tmp), "portal", timescale=False)
        plain_url = plain.start()
        try:
            upgrade_to_head(plain_url)
            plain_report = timescale.bootstrap(plain_url, settings(plain_url, RunMode.STANDALONE))
            check(
                plain_report.status
                in (timescale.TimescaleStatus.ABSENT, timescale.TimescaleStatus.NOT_PRELOADED),
                f"embedded: plain PostgreSQL ({plain_report.status.value})",
            )
            expected = asyncio.run(scenario(plain_url, compress_old_chunks=False))
        finally:
            plain.stop()
    got = asyncio.run(scenario(tsdb, compress_old_chunks=compressing))
    for key in expected:
        same = expected[key] == got[key]
        check(same, f"same {key} on TimescaleDB as on plain PostgreSQL")
        if not same:
            print("    plain:", str(expected[key])[:400])
            print("    tsdb: ", str(got[key])[:400])
    print("    replay (accepted, duplicates):", got["replay"], "then", got["replay_again"])
    print("    energy points by day:", len(got["energy_day"]), "rollup rows:", len(got["rollup"]))

    admin_plan = timescale.plan_for(RunMode.ADMIN, compression_ready=ready)
    admin = timescale.bootstrap(tsdb, settings(tsdb, RunMode.ADMIN), plan=admin_plan)
    check(admin.status is timescale.TimescaleStatus.ENABLED, "admin bootstrap enabled")
    cat = catalog(tsdb)
    hypertables = {r[1] for r in cat if r[0] == "ht"}
    check("fleet.power_measurements" in hypertables, f"fleet hypertable: {hypertables}")
    if compressing:
        settings_by_table = {r[1]: r[2] for r in cat if r[0] == "seg"}
        check(
            settings_by_table.get("fleet.power_measurements", "")
            .replace(chr(34), "")
            .startswith("customer_id,device_id | time DESC"),
            f"fleet segmented by customer and device: {settings_by_table}",
        )
    client = timescale.bootstrap(tsdb, settings(tsdb, RunMode.CLIENT))
    check(client.status is timescale.TimescaleStatus.ENABLED, "client bootstrap enabled")
    jobs = [r for r in catalog(tsdb) if r[0] == "job"]
    check(
        all("monitoring.power_measurements" not in r[1] for r in jobs),
        f"client mode: no monitoring compression policy: {jobs}",
    )
    if compressing:
        check("compressed chunk" in client.detail, f"client warns: {client.detail}")
    print(f"\n{len(FAILURES)} failed" if FAILURES else "\nall checks passed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
