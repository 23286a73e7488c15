"""Fleet push: draining a backlog from a client stack into the admin stack.

Two ``portal serve`` processes (admin and client), each on its own embedded
PostgreSQL. The client holds a backlog of N rows (COPY'd in); its push loop
drains it to the admin stack in 5,000-row batches. Measured in the same run:

- baseline: the admin stack's direct fleet-ingest rate for the same batches
  (the bench posts them itself, sequentially, as another customer);
- push: rows/s from the start of the drain until the admin holds all N rows;
- the client's peak memory (RSS) while draining, for a small and a large
  backlog: it must stay flat in the backlog size (the push streams by cursor).

Targets: push >= 0.5 x the direct rate; peak memory flat in the backlog size.

    .venv/bin/python bench/bench_fleet.py [--rows 1000000] [--small 200000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
import threading
import time
from datetime import datetime
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
    write_results,
)

NAME = "fleet"
BATCH = 5000
START = datetime(2024, 1, 1, tzinfo=ZONE)


def admin_count(url: Any, customer_code: str) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM fleet.power_measurements m JOIN fleet.customers c "
            "ON c.id = m.customer_id WHERE c.code = %s",
            (customer_code,),
        ).fetchone()
    return int(row[0]) if row else 0


def fleet_bodies(rows: list[dict[str, Any]], device_id: int) -> list[bytes]:
    bodies = []
    for i in range(0, len(rows), BATCH):
        items = [
            {
                "device_id": device_id,
                **{k: v for k, v in r.items() if k != "time"},
                "time": r["time"].isoformat(),
            }
            for r in rows[i : i + BATCH]
        ]
        bodies.append(json.dumps({"items": items}, separators=(",", ":")).encode())
    return bodies


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
        with pusher:
            sampler.start()
            while admin_count(admin_db, code) < before + total:
                if pusher.process is not None and pusher.process.poll() is not None:
                    raise RuntimeError(pusher.log())
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    return {
        "rows": total,
        "seconds": elapsed,
        "rows_per_s": total / elapsed,
        "peak_rss_mb": peak / 1024 / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=200_000)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--time-limit", type=int, default=600)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-fleet-", dir="/tmp"))
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
                for code in ("direct", "small", "large"):
                    response = http.post("/api/fleet/customers", json={"code": code, "name": code})
                    response.raise_for_status()
                    tokens[code] = response.json()["token"]
                # baseline: the same kind of batches posted straight to the admin stack
                rows = acuvim_rows(START, args.baseline_rows, seed=3)
                bodies = fleet_bodies(rows, 1)
                del rows
                with httpx.Client(base_url=admin.url, timeout=120) as direct:
                    headers = {
                        "X-Customer-Token": tokens["direct"],
                        "X-Batch-Type": "measurements",
                        "Content-Type": "application/json",
                    }
                    started = time.perf_counter()
                    for body in bodies:
                        direct.post(
                            "/api/fleet/ingest", content=body, headers=headers
                        ).raise_for_status()
                    direct_seconds = time.perf_counter() - started
                direct_rate = args.baseline_rows / direct_seconds
                small = drain(args.small, workdir, admin, admin_db, tokens["small"], "small")
                large = drain(args.rows, workdir, admin, admin_db, tokens["large"], "large")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ratio = large["rows_per_s"] / direct_rate
    memory_growth = large["peak_rss_mb"] / max(small["peak_rss_mb"], 1)
    table = Table(title="Fleet push: draining a backlog client -> admin")
    for column in ("measure", "rows", "seconds", "rows/s", "client peak RSS"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    table.add_row(
        "admin direct ingest (baseline)",
        f"{args.baseline_rows:,}",
        f"{direct_seconds:.1f}",
        f"{direct_rate:,.0f}",
        "",
    )
    for label, run in (("push, small backlog", small), ("push, large backlog", large)):
        table.add_row(
            label,
            f"{run['rows']:,}",
            f"{run['seconds']:.1f}",
            f"{run['rows_per_s']:,.0f}",
            f"{run['peak_rss_mb']:.0f} MB",
        )
    console.print(table)
    targets = Table(title="Targets")
    for column in ("measure", "value", "target", ""):
        targets.add_column(column)
    targets.add_row("push / direct rate", f"{ratio:.2f}", ">= 0.5", verdict(ratio >= 0.5))
    targets.add_row(
        "peak RSS large / small backlog",
        f"{memory_growth:.2f}",
        "<= 1.25 (flat)",
        verdict(memory_growth <= 1.25),
    )
    console.print(targets)
    path = write_results(
        NAME,
        {
            "direct_rows": args.baseline_rows,
            "direct_rows_per_s": direct_rate,
            "small": small,
            "large": large,
            "ratio": ratio,
            "memory_growth": memory_growth,
        },
    )
    console.print(f"results: {path}")


if __name__ == "__main__":
    main()
