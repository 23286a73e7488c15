"""``portal collect`` and ``portal simulate-meter``."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import httpx
import structlog
import typer
from rich.console import Console
from rich.table import Table

from power_portal.collector.config import (
    CollectorConfig,
    CollectorConfigError,
    config_file_warnings,
    load_collector_config,
)
from power_portal.collector.modbus import MeterReadError, make_links, quiet_libraries
from power_portal.collector.sender import INGEST_PATH
from power_portal.collector.service import Collector
from power_portal.collector.simulator import AcuvimModel, EnergyTotals, SimulatedMeterServer
from power_portal.collector.spool import Spool, SpoolError
from power_portal.logging import configure_logging
from power_portal.settings import get_settings

console = Console(stderr=True)
log = structlog.get_logger(__name__)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)


def _load(config_path: Path) -> CollectorConfig:
    try:
        config = load_collector_config(config_path)
    except CollectorConfigError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from exc
    for warning in config_file_warnings(config_path, config):
        console.print(f"[yellow]warning:[/] {warning}")
    return config


# ---------------------------------------------------------------- collect


async def _check(config: CollectorConfig) -> bool:
    """Read every meter once and try every token; print what was found."""
    quiet_libraries()
    links = make_links(config)
    table = Table(title=f"Collector check ({config.base_url})")
    for column in ("meter", "endpoint", "meter answers", "power", "energy import", "token"):
        table.add_column(column)
    all_ok = True
    async with httpx.AsyncClient(
        base_url=config.base_url, timeout=config.http_timeout_seconds, verify=config.verify_tls
    ) as http:
        for meter in config.meters:
            endpoint = f"unit {meter.unit_id} on {meter.link_key}"
            power = energy = ""
            try:
                reading = await links[meter.link_key].read_meter(
                    meter.name, meter.unit_id, datetime.now(UTC)
                )
            except MeterReadError as exc:
                answers = f"[red]no: {exc.detail}[/]"
                all_ok = False
            else:
                answers = "[green]yes[/]"
                values = reading.decoded.values
                power = f"{values.get('power_kw', float('nan')):.3f} kW"
                energy = f"{values.get('energy_import_kwh', float('nan')):.1f} kWh"
            # An empty batch: 401 for a bad token, 422 ("no rows") once the token is accepted.
            token = meter.resolved_token().get_secret_value()
            try:
                response = await http.post(
                    INGEST_PATH,
                    json={"measurements": []},
                    headers={"Authorization": f"Bearer {token}"},
                )
                if response.status_code in (401, 403):
                    ingest_check = "[red]refused (wrong or revoked)[/]"
                    all_ok = False
                elif response.status_code in (404, 405):
                    ingest_check = f"[red]no ingest API at {config.base_url} (portal_url?)[/]"
                    all_ok = False
                elif response.status_code == 422:
                    ingest_check = "[green]accepted[/]"
                else:
                    ingest_check = f"[yellow]HTTP {response.status_code}[/]"
                    all_ok = False
            except httpx.HTTPError as exc:
                ingest_check = f"[red]portal unreachable: {type(exc).__name__}[/]"
                all_ok = False
            table.add_row(meter.name, endpoint, answers, power, energy, ingest_check)
    for link in links.values():
        link.close()
    console.print(table)
    return all_ok


def collect_command(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The collector's TOML file.", dir_okay=False)
    ] = Path("collector.toml"),
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Read each meter once and try each token, print the result, exit."
        ),
    ] = False,
    requeue_parked: Annotated[
        bool,
        typer.Option(
            "--requeue-parked",
            help="Put readings the portal refused (422) back in the queue, then run.",
        ),
    ] = False,
) -> None:
    """Poll Acuvim II meters over Modbus TCP/RTU and send their readings to the portal.

    Runs until Ctrl-C or SIGTERM. Every reading is spooled to a local SQLite
    file first and deleted only once the portal has acknowledged it, so
    readings taken while the portal is unreachable arrive later, in order.
    """
    configure_logging(get_settings())
    collector_config = _load(config)
    if check:
        ok = asyncio.run(_check(collector_config))
        raise typer.Exit(code=0 if ok else 1)
    try:
        spool = Spool(
            collector_config.spool_path,
            collector_config.spool_max_readings,
            sync=collector_config.spool_sync,
        )
    except SpoolError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from exc
    if requeue_parked:
        console.print(f"Re-queued {spool.requeue_parked()} parked readings.")

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        await Collector(collector_config, spool=spool).run(stop)

    try:
        asyncio.run(main())
    finally:
        spool.close()


# ---------------------------------------------------------------- simulate-meter


def simulate_meter_command(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="TCP port (first of --count).")
    ] = 5020,
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    unit: Annotated[int, typer.Option(min=1, max=247, help="Modbus unit id.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed of the load (same seed, same load).")] = 0,
    count: Annotated[
        int, typer.Option(min=1, max=100, help="Meters to simulate, on consecutive ports.")
    ] = 1,
    framer: Annotated[
        str, typer.Option(help="socket (Modbus TCP) or rtu (RTU frames over TCP).")
    ] = "socket",
    scale: Annotated[float, typer.Option(min=0.001, help="Multiply the load by this.")] = 1.0,
    energy_kwh: Annotated[
        float, typer.Option(min=0, help="Starting value of the import energy register.")
    ] = 10_000.0,
) -> None:
    """Run simulated Acuvim II meters (the collector's register map) until Ctrl-C."""
    if framer not in ("socket", "rtu"):
        raise typer.BadParameter("must be socket or rtu", param_hint="--framer")
    framing: Literal["socket", "rtu"] = "rtu" if framer == "rtu" else "socket"
    configure_logging(get_settings(), level="WARNING")
    now = time.time()
    servers = [
        SimulatedMeterServer(
            AcuvimModel(
                now,
                seed=seed + index,
                scale=scale,
                energy=EnergyTotals(
                    import_kwh=energy_kwh,
                    reactive_import_kvarh=energy_kwh * 0.3,
                    apparent_kvah=energy_kwh * 1.05,
                ),
            ),
            host=host,
            port=port + index if port else 0,
            unit_id=unit,
            framer=framing,
        )
        for index in range(count)
    ]

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        try:
            for server in servers:
                await server.start()
        except (OSError, RuntimeError) as exc:
            console.print(f"[bold red]Cannot listen on {host}:{port}: {exc}[/]")
            raise typer.Exit(code=2) from exc
        try:
            for server in servers:
                console.print(
                    f"Simulated Acuvim II on [bold]{host}:{server.port}[/] "
                    f"(unit {unit}, {'RTU over TCP' if framing == 'rtu' else 'Modbus TCP'}, "
                    f"registers 0x4000-0x4059). Ctrl-C stops."
                )
            while not stop.is_set():
                with_timeout = asyncio.create_task(stop.wait())
                await asyncio.wait({with_timeout}, timeout=10)
                with_timeout.cancel()
                for server in servers:
                    server.model.advance_to(time.time())
                    console.print(
                        f"  :{server.port}  {server.model.power_kw:8.2f} kW  "
                        f"import {server.model.import_kwh:12.3f} kWh  reads {server.reads}"
                    )
        finally:
            for server in servers:
                await server.stop()

    asyncio.run(main())
