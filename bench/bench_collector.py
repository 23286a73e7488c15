"""Collector throughput: readings/s from simulated Acuvim II meters, against raw Modbus reads.

N simulated meters (``portal simulate-meter --count N``, a separate process, one
Modbus TCP port each) are polled as fast as they answer for a fixed time.
Measured in one run, interleaved for --repeats rounds (median reported):

- baseline: raw pymodbus — one ``AsyncModbusTcpClient`` per meter calling
  ``read_holding_registers`` for the two blocks (0x4000 x 60, 0x4048 x 18) in a
  loop; one reading = those two requests, nothing else;
- collector, portal down: ``Collector`` polling the same meters (decode, JSON row,
  group-committed SQLite spool with ``spool_sync = "full"``), its portal URL a
  closed port: what polling and spooling cost;
- collector, portal up: the same, sending to a real ``portal serve`` (embedded
  PostgreSQL) — readings taken/s, and readings acknowledged by the portal per second.

Sanity: every reading taken is either acknowledged or still in the spool, and the
database holds exactly the acknowledged ones.

Targets: the collector, with the portal down and up, >= 0.5 x the raw read rate.
For scale: one RS-485 bus at 19200 baud carries roughly 5-8 readings/s (182 bytes
on the wire per reading, plus each meter's response time).

    .venv/bin/python bench/bench_collector.py [--meters 10] [--seconds 5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from pydantic import SecretStr
from pymodbus.client import AsyncModbusTcpClient
from rich.table import Table

from common import (
    PORTAL_BIN,
    Device,
    PortalServer,
    bench_database,
    connect,
    console,
    free_port,
    login,
    make_device,
    make_site,
    time_limit,
    verdict,
    warn_if_busy,
    write_results,
)
from power_portal.collector.config import CollectorConfig, TcpMeter
from power_portal.collector.registers import READ_BLOCKS
from power_portal.collector.service import Collector
from power_portal.collector.spool import Spool

NAME = "collector"
TARGET_RATIO = 0.5


def free_port_range(count: int) -> int:
    """A first port of ``count`` consecutive free loopback ports."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20_000, 60_000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


@contextlib.contextmanager
def simulated_meters(count: int, workdir: Path) -> Any:
    first = free_port_range(count)
    log = (workdir / "simulator.log").open("wb")
    process = subprocess.Popen(
        [str(PORTAL_BIN), "simulate-meter", "--port", str(first), "--count", str(count)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    ports = list(range(first, first + count))
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                if process.poll() is not None:
                    raise RuntimeError((workdir / "simulator.log").read_text())
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("the simulated meters did not start")
                time.sleep(0.1)
        yield ports
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def raw_rate(ports: list[int], seconds: float) -> dict[str, float]:
    """Readings/s with bare pymodbus calls (two requests per reading), all meters at once."""
    clients = [
        AsyncModbusTcpClient("127.0.0.1", port=port, timeout=3, retries=0, reconnect_delay=0)
        for port in ports
    ]
    for client in clients:
        if not await client.connect():
            raise RuntimeError("cannot connect to a simulated meter")
    loop = asyncio.get_running_loop()
    readings = 0
    started = loop.time()
    stop_at = started + seconds

    async def poll(client: AsyncModbusTcpClient) -> None:
        nonlocal readings
        while loop.time() < stop_at:
            for address, count in READ_BLOCKS:
                response = await client.read_holding_registers(address, count=count, device_id=1)
                if response.isError():
                    raise RuntimeError(f"meter answered {response}")
            readings += 1

    await asyncio.gather(*(poll(client) for client in clients))
    elapsed = loop.time() - started
    for client in clients:
        client.close()
    return {"readings": readings, "seconds": elapsed, "readings_per_s": readings / elapsed}


async def collector_rate(
    ports: list[int],
    devices: list[Device],
    portal_url: str,
    spool: Path,
    seconds: float,
    batch_size: int,
) -> dict[str, float]:
    config = CollectorConfig(
        portal_url=portal_url,
        interval_seconds=1e-6,  # as fast as the meters answer
        batch_size=batch_size,
        spool_path=spool,
        spool_max_readings=10_000_000,
        spool_sync="full",
        retry_initial_seconds=0.2,
        retry_max_seconds=0.5,
        status_interval_seconds=3600,
        meters=[
            TcpMeter(
                name=f"meter-{n}",
                transport="tcp",
                host="127.0.0.1",
                port=port,
                token=SecretStr(device.token),
            )
            for n, (port, device) in enumerate(zip(ports, devices, strict=True))
        ],
    )
    collector = Collector(config)
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(collector.run(stop))
    await asyncio.sleep(seconds)
    taken_at_stop = sum(s.readings_taken for s in collector.states.values())
    sent_at_stop = sum(s.sent for s in collector.states.values())
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    taken = sum(s.readings_taken for s in collector.states.values())
    sent = sum(s.sent for s in collector.states.values())
    with Spool(spool, 10_000_000) as left:
        spooled = left.depth()
    if sent + spooled != taken:
        raise RuntimeError(f"readings lost: taken {taken}, sent {sent}, still spooled {spooled}")
    return {
        "readings": taken_at_stop,
        "acknowledged": sent_at_stop,
        "seconds": elapsed,
        "readings_per_s": taken_at_stop / elapsed,
        "acknowledged_per_s": sent_at_stop / elapsed,
        "taken_total": taken,
        "sent_total": sent,
        "spooled_at_end": spooled,
        "failed_polls": sum(s.polls_failed for s in collector.states.values()),
    }


def stored_rows(url: Any, device_ids: list[int]) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = ANY(%s)",
            (device_ids,),
        ).fetchone()
    return int(row[0]) if row else 0


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    middle = statistics.median(run["readings_per_s"] for run in runs)
    return min(runs, key=lambda run: abs(run["readings_per_s"] - middle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meters", type=int, default=10, help="simulated meters (default 10)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per phase")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--time-limit", type=int, default=240)
    args = parser.parse_args()
    # The collector's warnings while the portal is down would drown the tables.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    warn_if_busy()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-collector-", dir="/tmp"))
    raw_runs: list[dict[str, float]] = []
    down_runs: list[dict[str, float]] = []
    up_runs: list[dict[str, float]] = []
    try:
        with (
            time_limit(args.time_limit),
            bench_database() as url,
            PortalServer(url, workdir / "portal") as server,
            simulated_meters(args.meters, workdir) as ports,
        ):
            admin = login(server.url)
            site = make_site(admin, "Collector bench")
            devices = [make_device(admin, site, f"ACV-SIM-{n}") for n in range(args.meters)]
            admin.close()
            closed = f"http://127.0.0.1:{free_port()}"
            for repeat in range(1, args.repeats + 1):
                label = f"[{repeat}/{args.repeats}]"
                with console.status(f"{label} raw pymodbus reads, {args.meters} meters"):
                    raw_runs.append(asyncio.run(raw_rate(ports, args.seconds)))
                with console.status(f"{label} collector, portal down (poll + spool)"):
                    down_runs.append(
                        asyncio.run(
                            collector_rate(
                                ports,
                                devices,
                                closed,
                                workdir / f"down-{repeat}.sqlite",
                                args.seconds,
                                args.batch_size,
                            )
                        )
                    )
                with console.status(f"{label} collector, portal up"):
                    up_runs.append(
                        asyncio.run(
                            collector_rate(
                                ports,
                                devices,
                                server.url,
                                workdir / f"up-{repeat}.sqlite",
                                args.seconds,
                                args.batch_size,
                            )
                        )
                    )
            stored = stored_rows(url, [d.device_id for d in devices])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    acknowledged = sum(run["sent_total"] for run in up_runs)
    if stored != acknowledged:
        raise RuntimeError(f"the portal stored {stored} rows, acknowledged {acknowledged}")
    raw, down, up = median_run(raw_runs), median_run(down_runs), median_run(up_runs)
    ratio = up["readings_per_s"] / raw["readings_per_s"]
    table = Table(
        title=f"Collector: {args.meters} simulated meters, {args.seconds:g} s per phase "
        f"(median of {args.repeats} rounds)"
    )
    for column in ("phase", "readings", "readings/s", "acknowledged/s", "vs raw"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    table.add_row(
        "raw pymodbus reads (baseline)",
        f"{raw['readings']:,.0f}",
        f"{raw['readings_per_s']:,.0f}",
        "",
        "1.00x",
    )
    table.add_row(
        "collector, portal down (poll + spool)",
        f"{down['readings']:,.0f}",
        f"{down['readings_per_s']:,.0f}",
        "0",
        f"{down['readings_per_s'] / raw['readings_per_s']:.2f}x",
    )
    table.add_row(
        "collector, portal up (poll + spool + HTTP)",
        f"{up['readings']:,.0f}",
        f"{up['readings_per_s']:,.0f}",
        f"{up['acknowledged_per_s']:,.0f}",
        f"{ratio:.2f}x",
    )
    console.print(table)
    console.print(
        f"sanity: every reading taken was acknowledged or still spooled; the portal stored "
        f"{stored:,} rows = {acknowledged:,} acknowledged"
    )
    targets = Table(title="Targets")
    for column in ("measure", "value", "target", ""):
        targets.add_column(column)
    down_ratio = down["readings_per_s"] / raw["readings_per_s"]
    targets.add_row(
        "collector, poll + spool / raw reads",
        f"{down_ratio:.2f}",
        f">= {TARGET_RATIO}",
        verdict(down_ratio >= TARGET_RATIO),
    )
    targets.add_row(
        "collector, poll + spool + HTTP / raw reads",
        f"{ratio:.2f}",
        f">= {TARGET_RATIO}",
        verdict(ratio >= TARGET_RATIO),
    )
    console.print(targets)
    path = write_results(
        NAME,
        {
            "parameters": vars(args),
            "raw": raw_runs,
            "collector_portal_down": down_runs,
            "collector_portal_up": up_runs,
            "median": {"raw": raw, "portal_down": down, "portal_up": up},
            "ratio_up_vs_raw": ratio,
            "stored_rows": stored,
            "targets": [
                {
                    "name": "collector, poll + spool / raw reads",
                    "value": round(down_ratio, 3),
                    "target": f">= {TARGET_RATIO}",
                    "pass": down_ratio >= TARGET_RATIO,
                },
                {
                    "name": "collector, poll + spool + HTTP / raw reads",
                    "value": round(ratio, 3),
                    "target": f">= {TARGET_RATIO}",
                    "pass": ratio >= TARGET_RATIO,
                },
            ],
            "finished": datetime.now(UTC).isoformat(),
        },
    )
    console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
