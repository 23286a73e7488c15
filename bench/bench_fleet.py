"""Fleet ingest: the admin stack's direct ingest and the push of a backlog, against a raw COPY.

Two ``portal serve`` processes (admin and client), each on its own embedded
PostgreSQL. Measured in the same run, on the admin stack, in 5,000-row batches
of realistic 1-minute Acuvim readings:

- raw COPY (baseline): the rows binary-COPY'd straight into ``fleet.power_measurements``
  for a fresh device, one commit per batch, no checks, no rollups;
- direct ingest, fresh: ``POST /api/fleet/ingest`` (``X-Batch-Type: measurements``) of the
  same rows for a fresh device, sequentially on one keep-alive client, bodies encoded
  before the clock starts (each batch logs its runs for the fleet rollups; the admin's
  fleet rollup worker rebuilds them meanwhile, in the same process and database);
- direct ingest, replay: the same bodies again (every row a duplicate);
- push: a client stack with a backlog of N rows drains it to the admin stack in
  5,000-row batches; rows/s from the moment the pusher's process is up until the admin
  holds all N rows (the process start is reported beside it, not counted in it), and
  the client's peak memory (RSS), for a small and a large backlog (it must stay flat in
  the backlog size: the push streams by cursor).

COPY and the two direct phases run ``--repeats`` rounds (each on a fresh device,
interleaved so drift hits the baseline too); the median round is reported.

Targets: direct fresh ingest >= 0.5 x raw COPY; push >= 0.7 x the direct rate;
peak memory flat in the backlog size.

    .venv/bin/python bench/bench_fleet.py [--rows 1000000] [--small 200000] [--direct-rows 200000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from rich.table import Table

from common import (
    ZONE,
    PortalServer,
    acuvim_rows,
    bench_database,
    connect,
    console,
    copy_measurements,
    copy_tuples,
    login,
    make_device,
    make_site,
    time_limit,
    verdict,
    warn_if_busy,
    write_results,
)
from power_portal.measurements.fields import FIELD_NAMES

NAME = "fleet"
BATCH = 5000
START = datetime(2024, 1, 1, tzinfo=ZONE)
FLEET_COPY_SQL = (
    "COPY fleet.power_measurements (customer_id, device_id, time, "
    + ", ".join(FIELD_NAMES)
    + ") FROM STDIN (FORMAT BINARY)"
)
FLEET_COPY_TYPES = ["int8", "int8", "timestamptz", *(["float8"] * len(FIELD_NAMES))]


def admin_count(url: Any, customer_code: str) -> int:
    """Rows the admin stack stored for the customer: the sum of its batches' accepted rows
    (each audit row is written in its batch's transaction). Polled every 0.2 s: a count(*)
    over the growing table would itself load the machine more the longer the drain."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(e.accepted), 0) FROM fleet.ingest_events e "
            "JOIN fleet.customers c ON c.id = e.customer_id WHERE c.code = %s",
            (customer_code,),
        ).fetchone()
    return int(row[0]) if row else 0


def customer_id(url: Any, customer_code: str) -> int:
    with connect(url) as conn:
        row = conn.execute("SELECT id FROM fleet.customers WHERE code = %s", (customer_code,))
        found = row.fetchone()
    assert found is not None
    return int(found[0])


def fleet_bodies(rows: list[dict[str, Any]], device_id: int) -> list[bytes]:
    """The push's bodies: ``{"items": [...]}``, each item a reading with its device_id."""
    bodies = []
    for i in range(0, len(rows), BATCH):
        items = [
            {
                "device_id": device_id,
                "time": r["time"].astimezone(UTC).isoformat(),
                **{k: v for k, v in r.items() if k != "time"},
            }
            for r in rows[i : i + BATCH]
        ]
        bodies.append(json.dumps({"items": items}, separators=(",", ":")).encode())
    return bodies


def rate(rows: int, seconds: float, per_batch: list[float]) -> dict[str, Any]:
    ordered = sorted(per_batch)
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "batch_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "batch_max_ms": round(ordered[-1] * 1000, 1),
    }


def copy_rate(
    url: Any, customer: int, rows: list[dict[str, Any]], device_id: int
) -> dict[str, Any]:
    """Rows/s of binary COPY into fleet.power_measurements, one commit per batch."""
    batches = [
        [(customer, *row) for row in copy_tuples(rows[i : i + BATCH], device_id)]
        for i in range(0, len(rows), BATCH)
    ]
    per_batch = []
    with connect(url) as conn:
        t0 = time.perf_counter()
        for batch in batches:
            b0 = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(FLEET_COPY_SQL) as copy:
                copy.set_types(FLEET_COPY_TYPES)
                for row in batch:
                    copy.write_row(row)
            conn.commit()
            per_batch.append(time.perf_counter() - b0)
        elapsed = time.perf_counter() - t0
    return rate(len(rows), elapsed, per_batch)


def post_rate(base_url: str, token: str, bodies: list[bytes], fresh: bool) -> dict[str, Any]:
    """POST every body in turn on one keep-alive client; every row new, or every row a
    duplicate (checked)."""
    headers = {
        "X-Customer-Token": token,
        "X-Batch-Type": "measurements",
        "Content-Type": "application/json",
    }
    per_batch = []
    rows = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        http.get("/api/health").raise_for_status()  # open the connection first
        t0 = time.perf_counter()
        for body in bodies:
            b0 = time.perf_counter()
            response = http.post("/api/fleet/ingest", content=body)
            response.raise_for_status()
            per_batch.append(time.perf_counter() - b0)
            result = response.json()
            n = result["accepted"] + result["duplicates"]
            rows += n
            assert result["rejected"] == 0, result
            assert result["accepted" if fresh else "duplicates"] == n, result
        elapsed = time.perf_counter() - t0
    return rate(rows, elapsed, per_batch)


def drain(
    total: int, workdir: Path, admin: PortalServer, admin_db: Any, token: str, code: str
) -> dict[str, float]:
    """A client stack with ``total`` rows of backlog; push until the admin has them all."""
    with bench_database("client") as client_db:
        client = PortalServer(
            client_db,
            workdir / f"client-{total}",
            extra_env={
                "PORTAL_RUN_MODE": "client",
                "PORTAL_FLEET__ENABLED": "false",
            },
        )
        with client:
            http = login(client.url)
            site = make_site(http, "Backlog site")
            device = make_device(http, site, f"ACV-{total}")
        rows = acuvim_rows(START, total, seed=3)
        with connect(client_db) as conn:
            copy_measurements(conn, copy_tuples(rows, device.device_id))
            conn.commit()
        del rows
        pusher = PortalServer(
            client_db,
            workdir / f"push-{total}",
            extra_env={
                "PORTAL_RUN_MODE": "client",
                "PORTAL_FLEET__ENABLED": "true",
                "PORTAL_FLEET__ADMIN_URL": admin.url,
                "PORTAL_FLEET__CUSTOMER_TOKEN": token,
                "PORTAL_FLEET__INTERVAL_SECONDS": "0.05",
                "PORTAL_FLEET__BATCH_SIZE": str(BATCH),
                "PORTAL_FLEET__MAX_BATCHES_PER_TICK": "100000",
            },
        )
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                if pusher.process is not None and pusher.process.poll() is None:
                    with contextlib.suppress(psutil.Error):
                        peak = max(peak, psutil.Process(pusher.process.pid).memory_info().rss)
                time.sleep(0.1)

        before = admin_count(admin_db, code)
        started = time.perf_counter()
        sampler = threading.Thread(target=sample, daemon=True)
        with pusher:  # back once the pusher's /api/health answers: it is pushing by then
            ready = time.perf_counter()
            pushed_before_ready = admin_count(admin_db, code) - before
            sampler.start()
            while admin_count(admin_db, code) < before + total:
                if pusher.process is not None and pusher.process.poll() is not None:
                    raise RuntimeError(pusher.log())
                time.sleep(0.2)
            finished = time.perf_counter()
        done.set()
        sampler.join()
    # The rate of the drain itself: the rows the admin received from the moment the
    # pusher's process was up to the last one. The process start (imports, migrations
    # check, about 2-4 s here) is reported with it, not counted in it.
    drained = total - pushed_before_ready
    return {
        "rows": total,
        "seconds": round(finished - ready, 3),
        "rows_per_s": round(drained / (finished - ready)),
        "rows_before_ready": pushed_before_ready,
        "seconds_incl_start": round(finished - started, 3),
        "rows_per_s_incl_start": round(total / (finished - started)),
        "peak_rss_mb": round(peak / 1024 / 1024, 1),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (the lower middle of an even number)."""
    return sorted(runs, key=lambda r: r["rows_per_s"])[(len(runs) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="large backlog to push")
    parser.add_argument("--small", type=int, default=200_000, help="small backlog to push")
    parser.add_argument(
        "--direct-rows", type=int, default=200_000, help="rows per COPY / direct-ingest round"
    )
    parser.add_argument("--repeats", type=int, default=3, help="COPY / direct rounds")
    parser.add_argument("--no-push", action="store_true", help="skip the two push drains")
    parser.add_argument("--time-limit", type=int, default=900)
    args = parser.parse_args()
    warn_if_busy()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-fleet-", dir="/tmp"))
    copy_runs: list[dict[str, Any]] = []
    fresh_runs: list[dict[str, Any]] = []
    replay_runs: list[dict[str, Any]] = []
    small = large = None
    push_error = None
    try:
        with time_limit(args.time_limit), bench_database("admin") as admin_db:
            admin = PortalServer(
                admin_db,
                workdir / "admin",
                extra_env={
                    "PORTAL_RUN_MODE": "admin",
                    "PORTAL_FLEET_ADMIN__MAX_BATCHES_PER_MINUTE": "100000",
                },
            )
            with admin:
                http = login(admin.url)
                tokens = {}
                for code in ("raw", "direct", "small", "large"):
                    response = http.post("/api/fleet/customers", json={"code": code, "name": code})
                    response.raise_for_status()
                    tokens[code] = response.json()["token"]
                raw_customer = customer_id(admin_db, "raw")
                rows = acuvim_rows(START, args.direct_rows, seed=3)
                for repeat in range(1, args.repeats + 1):
                    device_id = repeat  # a fresh device each round
                    bodies = fleet_bodies(rows, device_id)
                    with console.status(f"[{repeat}/{args.repeats}] raw COPY"):
                        copy_runs.append(copy_rate(admin_db, raw_customer, rows, device_id))
                    with console.status(f"[{repeat}/{args.repeats}] direct ingest, fresh"):
                        fresh_runs.append(post_rate(admin.url, tokens["direct"], bodies, True))
                    with console.status(f"[{repeat}/{args.repeats}] direct ingest, replay"):
                        replay_runs.append(post_rate(admin.url, tokens["direct"], bodies, False))
                del rows
                try:
                    if not args.no_push:
                        with console.status("push, small backlog"):
                            small = drain(
                                args.small, workdir, admin, admin_db, tokens["small"], "small"
                            )
                        with console.status("push, large backlog"):
                            large = drain(
                                args.rows, workdir, admin, admin_db, tokens["large"], "large"
                            )
                except RuntimeError as exc:  # the direct figures still stand: report them
                    push_error = str(exc)
                    small = large = None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    copy_run, fresh, replay = median_run(copy_runs), median_run(fresh_runs), median_run(replay_runs)
    copy_per_s = copy_run["rows_per_s"]
    table = Table(title=f"Fleet ingest on the admin stack ({BATCH:,}-row batches)")
    for column in ("measure", "rows", "seconds", "rows/s", "vs COPY", "batch p50", "peak RSS"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    measures: list[tuple[str, dict[str, Any] | None]] = [
        ("raw COPY into fleet.power_measurements", copy_run),
        ("direct ingest (HTTP), fresh rows", fresh),
        ("direct ingest (HTTP), replay (duplicates)", replay),
        ("push end to end, small backlog", small),
        ("push end to end, large backlog", large),
    ]
    if large is not None:
        measures.append(
            (
                "  the same, incl. the pusher's process start",
                {
                    "rows": large["rows"],
                    "seconds": large["seconds_incl_start"],
                    "rows_per_s": large["rows_per_s_incl_start"],
                },
            )
        )
    for label, run in measures:
        if run is None:
            continue
        table.add_row(
            label,
            f"{run['rows']:,}",
            f"{run['seconds']:.1f}",
            f"{run['rows_per_s']:,.0f}",
            f"{run['rows_per_s'] / copy_per_s:.2f}x",
            f"{run['batch_p50_ms']:.0f} ms" if "batch_p50_ms" in run else "",
            f"{run['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in run else "",
        )
    console.print(table)
    direct_ratio = fresh["rows_per_s"] / copy_per_s
    replay_ratio = replay["rows_per_s"] / copy_per_s
    targets = Table(title="Targets")
    for column in ("measure", "value", "target", ""):
        targets.add_column(column)
    targets.add_row(
        "direct fresh / raw COPY", f"{direct_ratio:.2f}", ">= 0.5", verdict(direct_ratio >= 0.5)
    )
    targets.add_row("direct replay / raw COPY", f"{replay_ratio:.2f}", "(reported)", "")
    results: dict[str, Any] = {
        "batch_rows": BATCH,
        "copy": copy_run,
        "direct_fresh": fresh,
        "direct_replay": replay,
        "direct_over_copy": round(direct_ratio, 3),
        "replay_over_copy": round(replay_ratio, 3),
        "rounds": {"copy": copy_runs, "direct_fresh": fresh_runs, "direct_replay": replay_runs},
    }
    if small is not None and large is not None:
        push_ratio = large["rows_per_s"] / fresh["rows_per_s"]
        memory_growth = large["peak_rss_mb"] / max(small["peak_rss_mb"], 1)
        targets.add_row(
            "push (large) / direct fresh", f"{push_ratio:.2f}", ">= 0.7", verdict(push_ratio >= 0.7)
        )
        targets.add_row(
            "push (large) / raw COPY", f"{large['rows_per_s'] / copy_per_s:.2f}", "(reported)", ""
        )
        targets.add_row(
            "peak RSS large / small backlog",
            f"{memory_growth:.2f}",
            "<= 1.25 (flat)",
            verdict(memory_growth <= 1.25),
        )
        results |= {
            "small": small,
            "large": large,
            "push_over_direct": round(push_ratio, 3),
            "push_over_copy": round(large["rows_per_s"] / copy_per_s, 3),
            "memory_growth": round(memory_growth, 3),
        }
    console.print(targets)
    if push_error is not None:
        results["push_error"] = push_error
    console.print(f"results: {write_results(NAME, results)}")
    if push_error is not None:
        raise SystemExit(f"the push was not measured:\n{push_error}")


if __name__ == "__main__":
    main()
