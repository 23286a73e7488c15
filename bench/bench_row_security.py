"""Row-level security: what the policies of migration 0015 cost the sessions they do not limit.

Every session but a tenant user's (an admin's, a viewer's, the ingest, the rollup worker)
passes the policies on ``app.devices``, ``app.virtual_meters``, ``app.tenants``,
``app.tenant_meters`` and the rollups through their first operand, ``(SELECT
app.portal_tenant_id()) IS NULL``, checked per row. Measured in one run, on one database,
as a role that is not a superuser and owns the tables (superusers pass row security
unchecked; an owner only because the policies are forced): the hot rollup reads and the
rollup rebuild's write, in alternating rounds with the policies enabled and disabled
(``ALTER TABLE … ENABLE|DISABLE ROW LEVEL SECURITY``), the median of each.

Data: --devices meters (50) with a year (2025) of 15-minute rollup buckets and daily rows,
written straight into the rollup tables. No portal process: the SQL is what the policies
touch (the ingest's raw readings table has none; ``bench_ingest.py`` and
``bench_tree.py --quick`` under ``PORTAL_BENCH_ROW_SECURITY=on|off`` measure end to end).

Target (issue 17): under ~10 % on every query; more, and the rollups lose their policies.

    .venv/bin/python bench/bench_row_security.py [--rounds 21] [--devices 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

from rich.table import Table

from common import (
    ROW_SECURITY_ENV,
    ROW_SECURITY_TABLES,
    BenchTimeoutError,
    bench_database,
    connect,
    console,
    pg_settings,
    time_limit,
    verdict,
    warn_if_busy,
    write_results,
)

TIME_LIMIT_SECONDS = 300
TARGET_PERCENT = 10.0
DAY = ("'2025-03-01'", "'2025-03-02'")
QUERIES: dict[str, list[str]] = {
    "daily energy of every meter, a year (rollup_1d: the tree)": [
        "SELECT device_id, date_trunc('month', day), sum(energy_import_kwh) "
        "FROM monitoring.rollup_1d WHERE device_id = ANY(%(ids)s) "
        "AND day >= '2025-01-01' AND day < '2026-01-01' GROUP BY 1, 2"
    ],
    "energy per 15 minutes of every meter, a month (rollup_15m)": [
        "SELECT bucket_start, sum(energy_import_kwh) FROM monitoring.rollup_15m "
        "WHERE device_id = ANY(%(ids)s) "
        "AND bucket_start >= '2025-06-01' AND bucket_start < '2025-07-01' GROUP BY 1"
    ],
    "one meter's peak 30-minute demand, a year (rollup_15m)": [
        "SELECT max(demand) FROM (SELECT date_bin('30 minutes', bucket_start, '2025-01-01'), "
        "sum(energy_import_kwh) * 2 AS demand FROM monitoring.rollup_15m "
        "WHERE device_id = 1 AND bucket_start >= '2025-01-01' AND bucket_start < '2026-01-01' "
        "GROUP BY 1) AS halves"
    ],
    "rollup rebuild: delete and insert a day of every meter (rollup_15m)": [
        "DELETE FROM monitoring.rollup_15m WHERE device_id = ANY(%(ids)s) "
        f"AND bucket_start >= {DAY[0]} AND bucket_start < {DAY[1]}",
        "INSERT INTO monitoring.rollup_15m SELECT * FROM bench_day",
    ],
}


def seed(conn: Any, devices: int) -> list[int]:
    conn.execute("INSERT INTO app.sites (name, timezone) VALUES ('Bench', 'Africa/Johannesburg')")
    conn.execute(
        "INSERT INTO app.devices (site_id, name, serial) "
        "SELECT 1, 'Meter ' || g, 'RLS-' || g FROM generate_series(1, %s) AS g",
        (devices,),
    )
    conn.execute(
        """INSERT INTO monitoring.rollup_15m (device_id, bucket_start, sample_count,
                                              energy_import_kwh)
           SELECT d, t, 3, 1.0 + d * 0.01 FROM generate_series(1, %s) AS d,
           generate_series('2025-01-01'::timestamptz, '2025-12-31 23:45', '15 minutes') AS t""",
        (devices,),
    )
    conn.execute(
        """INSERT INTO monitoring.rollup_1d (device_id, day, sample_count, energy_import_kwh)
           SELECT d, t::date, 288, 96.0 FROM generate_series(1, %s) AS d,
           generate_series('2025-01-01'::date, '2025-12-31', '1 day') AS t""",
        (devices,),
    )
    conn.execute(
        "CREATE TABLE bench_day AS SELECT * FROM monitoring.rollup_15m "
        f"WHERE bucket_start >= {DAY[0]} AND bucket_start < {DAY[1]}"
    )
    conn.execute("VACUUM ANALYZE monitoring.rollup_15m")
    conn.execute("VACUUM ANALYZE monitoring.rollup_1d")
    return list(range(1, devices + 1))


def measure(conn: Any, ids: list[int], rounds: int) -> dict[str, dict[str, list[float]]]:
    """ms per query and mode; the order of the modes alternates round by round."""
    times: dict[str, dict[str, list[float]]] = {name: {"on": [], "off": []} for name in QUERIES}
    for round_number in range(rounds):
        for mode in ("on", "off") if round_number % 2 == 0 else ("off", "on"):
            verb = "ENABLE" if mode == "on" else "DISABLE"
            for table in ROW_SECURITY_TABLES:
                conn.execute(f"ALTER TABLE {table} {verb} ROW LEVEL SECURITY")
            for name, statements in QUERIES.items():
                with conn.transaction():
                    started = time.perf_counter()
                    for statement in statements:
                        cursor = conn.execute(statement, {"ids": ids})
                        if cursor.description:
                            cursor.fetchall()
                    times[name][mode].append((time.perf_counter() - started) * 1000)
    for table in ROW_SECURITY_TABLES:
        conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="rounds per mode (default 21)")
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--time-limit", type=int, default=TIME_LIMIT_SECONDS)
    args = parser.parse_args()
    warn_if_busy()
    os.environ[ROW_SECURITY_ENV] = "on"  # a non-superuser owner: the policies apply
    try:
        with time_limit(args.time_limit), bench_database("rls") as url:
            with connect(url, autocommit=True) as conn:
                ids = seed(conn, args.devices)
                times = measure(conn, ids, args.rounds)
            settings = pg_settings(url)
    except BenchTimeoutError as exc:
        console.print(f"[bold red]{exc}[/]")
        return 2
    table = Table(title=f"Unscoped sessions, policies off vs on: median ms of {args.rounds}")
    for column in ("query", "off", "on", "cost", "target", ""):
        table.add_column(column, justify="left" if column == "query" else "right")
    results: dict[str, Any] = {}
    passed = True
    for name, by_mode in times.items():
        off, on = statistics.median(by_mode["off"]), statistics.median(by_mode["on"])
        cost = 100 * (on - off) / off
        ok = cost <= TARGET_PERCENT
        passed &= ok
        results[name] = {"off_ms": off, "on_ms": on, "cost_percent": cost, "rounds": by_mode}
        target = f"<= {TARGET_PERCENT:.0f} %"
        table.add_row(name, f"{off:.2f}", f"{on:.2f}", f"{cost:+.1f} %", target, verdict(ok))
    console.print(table)
    path = write_results(
        "row_security",
        {"devices": args.devices, "rounds": args.rounds, "queries": results, "postgres": settings},
    )
    console.print(f"results: {path}  (every query within the target: {verdict(passed)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
