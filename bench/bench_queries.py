"""Chart queries over a year of 1-minute data: the rollup path against raw aggregates.

Set-up: one device with a year of 1-minute Acuvim readings (525,600 rows, 2025 in
Africa/Johannesburg), binary-COPY'd into ``monitoring.power_measurements``; the
15-minute rollups are then built once by the app's own
``rollups.rebuild_around`` (one call over the year, or month by month).

Measured (p50/p95 of --runs runs after --warmup runs), in the same run:

- energy by day over the year: GET /api/devices/{id}/energy?interval=day (HTTP, the
  rollup path) and the app's ``repository.energy`` in-process (no HTTP), against a raw
  SQL aggregate straight from ``power_measurements`` (lag() over the registers,
  grouped by local day) run directly on the database;
- series over the year: GET /api/devices/{id}/series (~365 daily points, rollup path)
  against a raw avg/min/max of power_kw by local day;
- live push: a 1-row POST /api/ingest/measurements to the device with a year of
  history against the same push to a device with none (the rollup rebuild's cost
  as history grows).

Targets: a year's energy by day under 50 ms p95, and >= 20x faster than the raw aggregate.

    .venv/bin/python bench/bench_queries.py [--runs 40] [--rebuild one|monthly]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table

from common import (
    TIMEZONE,
    ZONE,
    BenchTimeoutError,
    PortalServer,
    acuvim_rows,
    bench_database,
    connect,
    console,
    copy_measurements,
    copy_tuples,
    latency_summary,
    login,
    make_device,
    make_site,
    pg_settings,
    time_limit,
    timed,
    vacuum_analyze,
    verdict,
    warn_if_busy,
    write_results,
)
from power_portal.db.engine import Database
from power_portal.measurements import repository
from power_portal.measurements.repository import SeriesSelection
from power_portal.measurements.rollups import rebuild_around
from power_portal.measurements.schemas import Interval

NAME = "queries"
TIME_LIMIT_SECONDS = 240
YEAR_START = date(2025, 1, 1)
YEAR_END = date(2026, 1, 1)
LO = datetime(2025, 1, 1, tzinfo=ZONE)
HI = datetime(2026, 1, 1, tzinfo=ZONE)
YEAR_MINUTES = int((HI - LO).total_seconds() // 60)  # 525,600

# A fair, straightforward raw implementation: the energy between two readings is the
# register's increase (a register going backwards is a reset: the new reading counts),
# booked to the local day of the closing reading.
RAW_ENERGY_SQL = """
WITH readings AS (
    SELECT time,
           energy_import_kwh AS imp, lag(energy_import_kwh) OVER w AS imp0,
           energy_export_kwh AS exp, lag(energy_export_kwh) OVER w AS exp0
    FROM monitoring.power_measurements
    WHERE device_id = %(device_id)s AND time >= %(lo)s AND time < %(hi)s
    WINDOW w AS (ORDER BY time)
)
SELECT date_trunc('day', time AT TIME ZONE %(tz)s) AS day,
       sum(CASE WHEN imp < imp0 THEN imp ELSE imp - imp0 END) AS energy_import_kwh,
       sum(CASE WHEN exp < exp0 THEN exp ELSE exp - exp0 END) AS energy_export_kwh
FROM readings
GROUP BY 1
ORDER BY 1
"""

RAW_SERIES_SQL = """
SELECT date_trunc('day', time AT TIME ZONE %(tz)s) AS day,
       avg(power_kw), min(power_kw), max(power_kw)
FROM monitoring.power_measurements
WHERE device_id = %(device_id)s AND time >= %(lo)s AND time < %(hi)s
GROUP BY 1
ORDER BY 1
"""


def month_starts() -> list[datetime]:
    return [datetime(2025, m, 1, tzinfo=ZONE) for m in range(1, 13)] + [HI]


async def build_rollups(db: Database, device_id: int, mode: str) -> list[dict[str, Any]]:
    """The app's rebuild over the year: one call, or one per month. Per-call timings."""
    spans = (
        [(LO, HI - timedelta(minutes=1))]
        if mode == "one"
        else [(a, b - timedelta(minutes=1)) for a, b in pairwise(month_starts())]
    )
    calls = []
    for lo, hi in spans:
        t0 = time.perf_counter()
        async with db.session() as session:
            await rebuild_around(session, device_id, lo.astimezone(UTC), hi.astimezone(UTC))
            await session.commit()
        calls.append(
            {"lo": lo.isoformat(), "hi": hi.isoformat(), "seconds": time.perf_counter() - t0}
        )
    return calls


def summary_row(table: Table, label: str, stats: dict[str, Any], note: str = "") -> None:
    table.add_row(
        label, f"{stats['p50_ms']:.1f}", f"{stats['p95_ms']:.1f}", str(stats["runs"]), note
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query (>= 30)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rebuild", choices=["one", "monthly"], default="one")
    parser.add_argument("--pushes", type=int, default=30, help="1-row live pushes per device")
    parser.add_argument(
        "--time-limit",
        type=int,
        default=TIME_LIMIT_SECONDS,
        help=f"stop (and clean up) after this many seconds (default {TIME_LIMIT_SECONDS})",
    )
    args = parser.parse_args()
    warn_if_busy()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-queries-", dir="/tmp"))
    runner = asyncio.Runner()
    try:
        with (
            time_limit(args.time_limit),
            bench_database() as url,
            runner,
            PortalServer(url, workdir) as server,
        ):
            admin = login(server.url)
            site = make_site(admin, "Bench site")
            year_device = make_device(admin, site, "ACV-YEAR")
            fresh_device = make_device(admin, site, "ACV-FRESH")
            device_id = year_device.device_id

            with console.status("generating a year of 1-minute readings"):
                t0 = time.perf_counter()
                rows = copy_tuples(acuvim_rows(LO, YEAR_MINUTES, seed=7), device_id)
                generate_s = time.perf_counter() - t0
            with console.status(f"COPY {len(rows):,} rows"):
                t0 = time.perf_counter()
                with connect(url) as conn:
                    copy_measurements(conn, rows)
                    conn.commit()
                copy_s = time.perf_counter() - t0
            del rows

            database = Database.from_url(url)
            with console.status(f"building the rollups ({args.rebuild} rebuild_around)"):
                t0 = time.perf_counter()
                rebuild_calls = runner.run(build_rollups(database, device_id, args.rebuild))
                rebuild_s = time.perf_counter() - t0
            with console.status("VACUUM ANALYZE"):
                vacuum_analyze(url)
            with connect(url) as conn:
                buckets = conn.execute(
                    "SELECT count(*) FROM monitoring.rollup_15m WHERE device_id = %s",
                    (device_id,),
                ).fetchone()[0]

            params = {"device_id": device_id, "lo": LO, "hi": HI, "tz": TIMEZONE}
            energy_query = {
                "start": YEAR_START.isoformat(),
                "end": YEAR_END.isoformat(),
                "interval": "day",
            }
            series_query = {"start": LO.isoformat(), "end": HI.isoformat()}

            def http_energy() -> dict[str, Any]:
                response = admin.get(f"/api/devices/{device_id}/energy", params=energy_query)
                response.raise_for_status()
                return response.json()

            def http_series() -> dict[str, Any]:
                response = admin.get(f"/api/devices/{device_id}/series", params=series_query)
                response.raise_for_status()
                return response.json()

            async def app_energy_async() -> Any:
                async with database.session() as session:
                    return await repository.energy(
                        session,
                        SeriesSelection.devices([device_id]),
                        YEAR_START,
                        YEAR_END,
                        Interval.DAY,
                        TIMEZONE,
                    )

            def app_energy() -> Any:
                return runner.run(app_energy_async())

            results: dict[str, Any] = {}
            with connect(url, autocommit=True) as raw:
                raw.execute("SET statement_timeout = '60s'")

                def raw_energy() -> list[tuple[Any, ...]]:
                    return raw.execute(RAW_ENERGY_SQL, params).fetchall()

                def raw_series() -> list[tuple[Any, ...]]:
                    return raw.execute(RAW_SERIES_SQL, params).fetchall()

                plan = [
                    ("energy_http", "energy by day, HTTP (rollup path)", http_energy),
                    ("energy_app", "energy by day, repository.energy in-process", app_energy),
                    ("energy_raw", "energy by day, raw SQL on power_measurements", raw_energy),
                    (
                        "series_http",
                        "series (power_kw, daily), HTTP (rollup path)",
                        http_series,
                    ),
                    ("series_raw", "power_kw avg/min/max by day, raw SQL", raw_series),
                ]
                labels = {}
                for key, label, fn in plan:
                    labels[key] = label
                    with console.status(f"{label}: {args.runs} runs"):
                        results[key] = latency_summary(timed(fn, args.runs, args.warmup))
                # same answers? (sanity, not timed)
                energy_doc, series_doc = http_energy(), http_series()
                raw_days, raw_series_days = raw_energy(), raw_series()

            with console.status("live 1-row pushes"):
                push = live_pushes(server.url, year_device.token, fresh_device.token, args)
            runner.run(database.dispose())
            settings = pg_settings(url)
            admin.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    checks = sanity(energy_doc, series_doc, raw_days, raw_series_days)
    speed_energy_p50 = results["energy_raw"]["p50_ms"] / results["energy_http"]["p50_ms"]
    speed_energy_p95 = results["energy_raw"]["p95_ms"] / results["energy_http"]["p95_ms"]
    speed_series_p50 = results["series_raw"]["p50_ms"] / results["series_http"]["p50_ms"]
    targets = [
        {
            "name": "energy by day, year, HTTP p95 (ms)",
            "value": results["energy_http"]["p95_ms"],
            "target": "< 50",
            "pass": results["energy_http"]["p95_ms"] < 50,
        },
        {
            "name": "energy by day speed-up vs raw (p50 ratio)",
            "value": round(speed_energy_p50, 2),
            "target": ">= 20",
            "pass": speed_energy_p50 >= 20,
        },
    ]

    setup = Table(title="Set-up: one device, a year of 1-minute data")
    setup.add_column("step")
    setup.add_column("seconds", justify="right")
    setup.add_column("note")
    setup.add_row("generate rows (Python)", f"{generate_s:.1f}", f"{YEAR_MINUTES:,} rows")
    setup.add_row(
        "COPY into power_measurements", f"{copy_s:.1f}", f"{YEAR_MINUTES / copy_s:,.0f} rows/s"
    )
    setup.add_row(
        f"rollups: rebuild_around ({args.rebuild})",
        f"{rebuild_s:.1f}",
        f"{len(rebuild_calls)} call(s), {buckets:,} buckets, "
        f"slowest call {max(c['seconds'] for c in rebuild_calls):.1f} s",
    )
    console.print(setup)

    table = Table(title=f"Year queries: p50/p95 over {args.runs} runs ({args.warmup} warm-up)")
    table.add_column("query")
    table.add_column("p50 ms", justify="right")
    table.add_column("p95 ms", justify="right")
    table.add_column("runs", justify="right")
    table.add_column("note")
    summary_row(
        table, labels["energy_http"], results["energy_http"], f"{len(energy_doc['points'])} points"
    )
    summary_row(table, labels["energy_app"], results["energy_app"], "no HTTP, no auth")
    summary_row(
        table,
        labels["energy_raw"],
        results["energy_raw"],
        f"HTTP is {speed_energy_p50:.1f}x faster (p50), {speed_energy_p95:.1f}x (p95)",
    )
    summary_row(
        table, labels["series_http"], results["series_http"], f"{len(series_doc['times'])} points"
    )
    summary_row(
        table,
        labels["series_raw"],
        results["series_raw"],
        f"HTTP is {speed_series_p50:.1f}x faster (p50)",
    )
    summary_row(table, "live 1-row push, device with a year of history", push["year"])
    summary_row(
        table,
        "live 1-row push, device with no history",
        push["fresh"],
        f"history costs {push['year']['p50_ms'] / push['fresh']['p50_ms']:.1f}x (p50)",
    )
    console.print(table)

    target_table = Table(title="Targets")
    target_table.add_column("measure")
    target_table.add_column("value", justify="right")
    target_table.add_column("target", justify="right")
    target_table.add_column("")
    for t in targets:
        target_table.add_row(t["name"], f"{t['value']:.1f}", t["target"], verdict(t["pass"]))
    console.print(target_table)
    console.print(
        f"sanity: year import {checks['http_year_import_kwh']:,.1f} kWh (HTTP) vs "
        f"{checks['raw_year_import_kwh']:,.1f} kWh (raw); largest daily power_kw avg difference "
        f"{checks['series_max_avg_diff_kw']:.4f} kW; total {time.perf_counter() - started:.0f} s"
    )
    path = write_results(
        NAME,
        {
            "parameters": {
                "rows": YEAR_MINUTES,
                "runs": args.runs,
                "warmup": args.warmup,
                "rebuild_mode": args.rebuild,
                "timezone": TIMEZONE,
                "span": [LO.isoformat(), HI.isoformat()],
            },
            "postgres": settings,
            "setup": {
                "generate_s": round(generate_s, 2),
                "copy_s": round(copy_s, 2),
                "copy_rows_per_s": round(YEAR_MINUTES / copy_s),
                "rebuild_s": round(rebuild_s, 2),
                "rebuild_calls": [{**c, "seconds": round(c["seconds"], 2)} for c in rebuild_calls],
                "rollup_buckets": buckets,
            },
            "results": results,
            "speedups": {
                "energy_p50": round(speed_energy_p50, 2),
                "energy_p95": round(speed_energy_p95, 2),
                "series_p50": round(speed_series_p50, 2),
            },
            "live_push": push,
            "sanity": checks,
            "targets": targets,
            "duration_s": round(time.perf_counter() - started, 1),
        },
    )
    console.print(f"results: {path}")
    return 0


def live_pushes(base_url: str, year_token: str, fresh_token: str, args: Any) -> dict[str, Any]:
    """p50/p95 of 1-row pushes (the next minutes after the year) for both devices."""
    out: dict[str, Any] = {}
    for key, token in (("year", year_token), ("fresh", fresh_token)):
        moments = iter(HI + timedelta(minutes=i) for i in range(args.pushes + args.warmup))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:

            def push(http: httpx.Client = http, moments: Any = moments) -> None:
                row = acuvim_rows(next(moments), 1, seed=7)[0]
                body = {"measurements": [{**row, "time": row["time"].isoformat()}]}
                response = http.post("/api/ingest/measurements", content=json.dumps(body))
                response.raise_for_status()
                if response.json()["accepted"] != 1:
                    raise RuntimeError(f"unexpected push result {response.text}")

            out[key] = latency_summary(timed(push, args.pushes, args.warmup))
    return out


def sanity(
    energy_doc: dict[str, Any],
    series_doc: dict[str, Any],
    raw_days: list[tuple[Any, ...]],
    raw_series_days: list[tuple[Any, ...]],
) -> dict[str, Any]:
    http_import = sum(p["energy_import_kwh"] or 0 for p in energy_doc["points"])
    raw_import = sum(r[1] or 0 for r in raw_days)
    http_avgs = series_doc["series"]["power_kw"]["avg"]
    raw_avgs = [float(r[1]) for r in raw_series_days]
    diffs = [abs(a - b) for a, b in zip(http_avgs, raw_avgs, strict=False) if a is not None]
    return {
        "http_days": len(energy_doc["points"]),
        "raw_days": len(raw_days),
        "http_year_import_kwh": round(http_import, 3),
        "raw_year_import_kwh": round(raw_import, 3),
        "series_points": len(series_doc["times"]),
        "series_bucket_seconds": series_doc["bucket_seconds"],
        "series_source": series_doc["source"],
        "series_max_avg_diff_kw": round(max(diffs) if diffs else float("nan"), 6),
    }


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchTimeoutError as exc:
        console.print(f"[bold red]{exc}[/] (everything it started has been stopped)")
        sys.exit(2)
