"""Ingest throughput: POST /api/ingest/measurements against a raw COPY baseline.

Measured in one run, on one embedded PostgreSQL and one ``portal serve`` process:

- baseline: the same rows, binary-COPY'd straight into ``monitoring.power_measurements``
  for a fresh device, in the same 5,000-row batches, one commit per batch, no rollups;
- HTTP first delivery: 5,000-row JSON batches, sequential, one device, keep-alive client;
  also timed until the portal's rollup worker has rebuilt the rollups for them
  (the rollup log is empty again), reported as "incl. rollups";
- HTTP re-delivery: the same bodies again (every row a duplicate);
- HTTP, 4 devices at once (one thread and one keep-alive client per device).

The first three run --repeats times (default 3), each round on fresh devices; the
median round is reported (every round is in the JSON).

Targets: HTTP first delivery >= 0.5 x the COPY rate; re-delivery >= first delivery.

    .venv/bin/python bench/bench_ingest.py [--batches 20] [--batch-size 5000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table

from common import (
    ZONE,
    BenchTimeoutError,
    PortalServer,
    acuvim_rows,
    bench_database,
    connect,
    console,
    copy_measurements,
    copy_tuples,
    json_batches,
    login,
    make_device,
    make_site,
    percentile,
    pg_settings,
    time_limit,
    verdict,
    warn_if_busy,
    write_results,
)
from power_portal.measurements.parsing import parse_json

NAME = "ingest"
TIME_LIMIT_SECONDS = 180
START = datetime(2025, 3, 1, tzinfo=ZONE)
CONCURRENT_DEVICES = 4


def copy_rate(url: Any, batches: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
    """Rows/s of binary COPY, one commit per batch, on one connection."""
    per_batch = []
    with connect(url) as conn:
        t0 = time.perf_counter()
        for batch in batches:
            b0 = time.perf_counter()
            copy_measurements(conn, batch)
            conn.commit()
            per_batch.append(time.perf_counter() - b0)
        elapsed = time.perf_counter() - t0
    rows = sum(len(b) for b in batches)
    return {"rows": rows, "seconds": round(elapsed, 3), "rows_per_s": round(rows / elapsed)} | (
        batch_stats(per_batch)
    )


def batch_stats(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "batch_p50_ms": round(percentile(ms, 50), 1),
        "batch_p95_ms": round(percentile(ms, 95), 1),
    }


def post_batches(
    base_url: str, token: str, bodies: list[bytes], expect_accepted: bool
) -> tuple[float, list[float]]:
    """POST every body in turn on one keep-alive client; (elapsed s, per-batch s)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    per_batch = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        http.get("/api/health").raise_for_status()  # open the connection first
        t0 = time.perf_counter()
        for body in bodies:
            b0 = time.perf_counter()
            response = http.post("/api/ingest/measurements", content=body)
            per_batch.append(time.perf_counter() - b0)
            if response.status_code != 200:
                raise RuntimeError(f"ingest answered {response.status_code}: {response.text[:300]}")
            result = response.json()
            rows = result["accepted"] + result["duplicates"]
            stored = result["accepted"] if expect_accepted else result["duplicates"]
            if stored != rows:
                raise RuntimeError(f"unexpected ingest result {result}")
        elapsed = time.perf_counter() - t0
    return elapsed, per_batch


def rollups_drained_after(url: Any, device_id: int, timeout: float = 120) -> float:
    """Seconds until no rollup range of the device is pending (the worker caught up)."""
    t0 = time.perf_counter()
    with connect(url, autocommit=True) as conn:
        while conn.execute(
            "SELECT EXISTS (SELECT 1 FROM monitoring.rollup_pending WHERE device_id = %s)",
            (device_id,),
        ).fetchone() == (True,):
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError("the rollup worker did not catch up")
            time.sleep(0.005)
    return time.perf_counter() - t0


def http_rate(
    base_url: str,
    token: str,
    bodies: list[bytes],
    rows: int,
    *,
    first: bool,
    rollups: tuple[Any, int] | None = None,
) -> dict[str, Any]:
    elapsed, per_batch = post_batches(base_url, token, bodies, expect_accepted=first)
    result = {
        "rows": rows,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rows / elapsed),
    } | batch_stats(per_batch)
    if rollups is not None:
        url, device_id = rollups
        lag = rollups_drained_after(url, device_id)
        result |= {
            "rollup_lag_after_last_batch_s": round(lag, 3),
            "rows_per_s_incl_rollups": round(rows / (elapsed + lag)),
        }
    return result


def concurrent_rate(
    base_url: str, jobs: list[tuple[str, list[bytes]]], rows: int
) -> dict[str, Any]:
    """Every device's batches at once, one thread (and connection) per device."""
    errors: list[BaseException] = []
    per_batch: list[float] = []
    start = threading.Barrier(len(jobs) + 1)

    def run(token: str, bodies: list[bytes]) -> None:
        try:
            start.wait()
            _, times = post_batches(base_url, token, bodies, expect_accepted=True)
            per_batch.extend(times)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    start.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return {
        "devices": len(jobs),
        "rows": rows,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rows / elapsed),
    } | batch_stats(per_batch)


def stored_counts(url: Any, device_ids: list[int]) -> dict[int, tuple[int, int]]:
    with connect(url) as conn:
        rows = conn.execute(
            """
            SELECT d.id,
                   (SELECT count(*) FROM monitoring.power_measurements m WHERE m.device_id = d.id),
                   (SELECT count(*) FROM monitoring.rollup_15m r WHERE r.device_id = d.id)
            FROM unnest(%s::bigint[]) AS d(id)
            """,
            (device_ids,),
        ).fetchall()
    return {int(d): (int(m), int(r)) for d, m, r in rows}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (of an odd number of runs; the lower middle otherwise)."""
    ordered = sorted(runs, key=lambda r: r["rows_per_s"])
    return ordered[(len(ordered) - 1) // 2]


def parse_cost(bodies: list[bytes]) -> dict[str, float]:
    """The server's body parsing (power_portal.measurements.parsing.parse_json), in-process."""
    now = datetime.now().astimezone()
    parse_json(bodies[0], now)
    samples = []
    for body in bodies[:5]:
        t0 = time.perf_counter()
        parse_json(body, now)
        samples.append((time.perf_counter() - t0) * 1000)
    return {"parse_json_ms_per_batch": round(statistics.median(samples), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20, help="batches per device (default 20)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="COPY / HTTP / re-delivery rounds, each on fresh devices; medians reported",
    )
    parser.add_argument(
        "--concurrent-batches",
        type=int,
        default=5,
        help="batches per device in the 4-device phase (0 skips it; default 5)",
    )
    parser.add_argument(
        "--time-limit",
        type=int,
        default=TIME_LIMIT_SECONDS,
        help=f"stop (and clean up) after this many seconds (default {TIME_LIMIT_SECONDS})",
    )
    args = parser.parse_args()
    size, n_batches = args.batch_size, args.batches
    n_rows = size * n_batches
    warn_if_busy()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-ingest-", dir="/tmp"))
    try:
        with time_limit(args.time_limit), bench_database() as url:
            with console.status("preparing data"):
                rows = acuvim_rows(START, n_rows, seed=1)
                bodies = json_batches(rows, size)
                concurrent_rows = [
                    acuvim_rows(START, size * args.concurrent_batches, seed=10 + i)
                    for i in range(CONCURRENT_DEVICES if args.concurrent_batches else 0)
                ]
                concurrent_bodies = [json_batches(r, size) for r in concurrent_rows]
                parsing = parse_cost(bodies)
            with PortalServer(url, workdir) as server:
                admin = login(server.url)
                site = make_site(admin, "Bench site")

                def copy_batches(device_id: int) -> list[list[tuple[Any, ...]]]:
                    return [
                        copy_tuples(rows[i : i + size], device_id) for i in range(0, n_rows, size)
                    ]

                copy_runs: list[dict[str, Any]] = []
                first_runs: list[dict[str, Any]] = []
                again_runs: list[dict[str, Any]] = []
                http_devices: list[int] = []
                for repeat in range(1, args.repeats + 1):
                    copy_device = make_device(admin, site, f"ACV-COPY-{repeat}")
                    http_device = make_device(admin, site, f"ACV-HTTP-{repeat}")
                    http_devices.append(http_device.device_id)
                    with console.status(f"[{repeat}/{args.repeats}] raw COPY baseline"):
                        copy_runs.append(copy_rate(url, copy_batches(copy_device.device_id)))
                    with console.status(f"[{repeat}/{args.repeats}] HTTP, {n_batches} x {size}"):
                        first_runs.append(
                            http_rate(
                                server.url,
                                http_device.token,
                                bodies,
                                n_rows,
                                first=True,
                                rollups=(url, http_device.device_id),
                            )
                        )
                    with console.status(f"[{repeat}/{args.repeats}] HTTP re-delivery"):
                        again_runs.append(
                            http_rate(server.url, http_device.token, bodies, n_rows, first=False)
                        )
                concurrent = None
                concurrent_ids: list[int] = []
                if concurrent_rows:
                    devices = [
                        make_device(admin, site, f"ACV-CONC-{i}")
                        for i in range(len(concurrent_rows))
                    ]
                    concurrent_ids = [d.device_id for d in devices]
                    with console.status(f"HTTP ingest, {len(devices)} devices at once"):
                        concurrent = concurrent_rate(
                            server.url,
                            [(d.token, b) for d, b in zip(devices, concurrent_bodies, strict=True)],
                            sum(len(r) for r in concurrent_rows),
                        )
                counts = stored_counts(url, [*http_devices, *concurrent_ids])
                settings = pg_settings(url)
                admin.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    for device_id in http_devices:
        if counts[device_id][0] != n_rows:
            raise RuntimeError(f"device {device_id} stored {counts[device_id][0]} rows")
    copy_baseline = median_run(copy_runs)
    first, again = median_run(first_runs), median_run(again_runs)
    copy_rate_median = copy_baseline["rows_per_s"]
    http_ratio = first["rows_per_s"] / copy_rate_median
    redelivery_ratio = again["rows_per_s"] / first["rows_per_s"]
    targets = [
        {
            "name": "HTTP first delivery / raw COPY",
            "value": round(http_ratio, 3),
            "target": ">= 0.5",
            "pass": http_ratio >= 0.5,
        },
        {
            "name": "re-delivery / first delivery",
            "value": round(redelivery_ratio, 3),
            "target": ">= 1.0",
            "pass": redelivery_ratio >= 1.0,
        },
    ]

    table = Table(
        title=f"Ingest: {n_batches} batches x {size:,} rows = {n_rows:,} rows per device "
        f"(median of {args.repeats} rounds)"
    )
    table.add_column("phase")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_column("all rounds, rows/s", justify="right")
    table.add_column("batch p50 / p95 ms", justify="right")
    table.add_column("vs COPY", justify="right")

    def add(label: str, r: dict[str, Any], runs: list[dict[str, Any]] | None) -> None:
        table.add_row(
            label,
            f"{r['rows']:,}",
            f"{r['seconds']:.2f}",
            f"{r['rows_per_s']:,}",
            " / ".join(f"{x['rows_per_s']:,}" for x in runs) if runs else "",
            f"{r['batch_p50_ms']:.0f} / {r['batch_p95_ms']:.0f}",
            f"{r['rows_per_s'] / copy_rate_median:.2f}x",
        )

    add("raw COPY, binary (baseline)", copy_baseline, copy_runs)
    add("HTTP first delivery", first, first_runs)
    table.add_row(
        "HTTP first delivery, incl. rollups",
        f"{first['rows']:,}",
        f"{first['seconds'] + first['rollup_lag_after_last_batch_s']:.2f}",
        f"{first['rows_per_s_incl_rollups']:,}",
        " / ".join(f"{x['rows_per_s_incl_rollups']:,}" for x in first_runs),
        f"lag {first['rollup_lag_after_last_batch_s'] * 1000:.0f} ms",
        f"{first['rows_per_s_incl_rollups'] / copy_rate_median:.2f}x",
    )
    add("HTTP re-delivery (all duplicates)", again, again_runs)
    if concurrent is not None:
        add(f"HTTP first delivery, {concurrent['devices']} devices at once", concurrent, None)
    console.print(table)

    checks = Table(title="Targets")
    checks.add_column("measure")
    checks.add_column("value", justify="right")
    checks.add_column("target", justify="right")
    checks.add_column("")
    for t in targets:
        checks.add_row(t["name"], f"{t['value']:.2f}", t["target"], verdict(t["pass"]))
    console.print(checks)
    stored_rows, rollups = counts[http_devices[0]]
    console.print(
        f"per HTTP device: {stored_rows:,} rows, {rollups:,} rollup buckets "
        f"(expected ~{n_rows // 15:,}); body {len(bodies[0]) / 1e6:.1f} MB per batch; "
        f"server-side parse_json alone {parsing['parse_json_ms_per_batch']:.0f} ms per batch "
        f"(COPY does a whole batch in {copy_baseline['batch_p50_ms']:.0f} ms)\n"
        f"PostgreSQL {settings.get('server_version')}, shared_buffers "
        f"{settings.get('shared_buffers')}; total {time.perf_counter() - started:.0f} s"
    )
    path = write_results(
        NAME,
        {
            "parameters": {
                "batch_size": size,
                "batches": n_batches,
                "rows": n_rows,
                "repeats": args.repeats,
                "fields_per_row": len(rows[0]) - 1,
                "body_bytes": len(bodies[0]),
                "concurrent_devices": len(concurrent_rows),
                "concurrent_batches_per_device": args.concurrent_batches,
            },
            "postgres": settings,
            "results": {
                "copy_baseline": copy_baseline,
                "http_first_delivery": first,
                "http_redelivery": again,
                "http_concurrent": concurrent,
                "rounds": {"copy": copy_runs, "http_first": first_runs, "http_again": again_runs},
                "server_parse": parsing,
                "stored": {
                    str(k): {"rows": v[0], "rollup_buckets": v[1]} for k, v in counts.items()
                },
            },
            "targets": targets,
            "duration_s": round(time.perf_counter() - started, 1),
        },
    )
    console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchTimeoutError as exc:
        console.print(f"[bold red]{exc}[/] (everything it started has been stopped)")
        sys.exit(2)
