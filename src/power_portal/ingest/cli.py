"""``portal demo`` and ``portal import-csv``: bulk work with progress bars."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.db.engine import Database
from power_portal.db.runtime import open_database
from power_portal.logging import configure_logging
from power_portal.measurements import demo, rollup_queue
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import InvalidRowsError, MalformedBodyError, Row, parse_csv
from power_portal.settings import get_settings
from power_portal.sites import service as sites_service
from power_portal.sites.models import Device, Site
from power_portal.sites.schemas import DeviceCreate, SiteCreate

console = Console(stderr=True)
BATCH_ROWS = 5000
DEMO_STEP = timedelta(minutes=5)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _batches(rows: list[Row], size: int = BATCH_ROWS) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# ---------------------------------------------------------------- demo


async def _build_rollups(database: Database, device_ids: list[int]) -> None:
    """Rebuild the rollups the import logged, now, rather than leave it to a portal."""
    with _progress() as progress:
        task = progress.add_task("Building rollups", total=len(device_ids))
        for device_id in device_ids:
            async with database.session() as session:
                await rollup_queue.flush(session, [device_id])
            progress.advance(task)


async def _count_sites(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Site))).scalar_one())


async def _load_demo(database: Database, days: int) -> None:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    start = end - timedelta(days=days)
    gap = (end - timedelta(days=10, hours=-2), end - timedelta(days=10, hours=-8))
    held_back = (end - timedelta(days=20), end - timedelta(days=19))
    async with database.session() as session:
        site = await sites_service.create_site(
            session,
            SiteCreate(
                name=demo.DEMO_SITE_NAME,
                timezone=demo.DEMO_TIMEZONE,
                utility="City Power Johannesburg",
                address="1 Demo Street, Johannesburg",
            ),
        )
        devices = [
            await sites_service.create_device(
                session,
                site.id,
                DeviceCreate(name=profile.name, serial=profile.serial, model="Acuvim II"),
            )
            for profile in demo.DEMO_DEVICES
        ]
    plan: list[tuple[str, int, list[Row]]] = []
    for seed, (profile, device) in enumerate(zip(demo.DEMO_DEVICES, devices, strict=True)):
        rows = list(demo.simulate(profile, start, end, DEMO_STEP, seed))
        if profile.name == "HVAC":  # a gap: the meter was off for six hours
            rows = [r for r in rows if not gap[0] <= r[0] < gap[1]]
        if profile.name == "Production line":  # a day replayed late from the offline buffer
            late = [r for r in rows if held_back[0] <= r[0] < held_back[1]]
            live = [r for r in rows if not held_back[0] <= r[0] < held_back[1]]
            plan.append((f"{profile.name}", device.id, live))
            plan.append((f"{profile.name} (late replay)", device.id, late))
            continue
        plan.append((profile.name, device.id, rows))
    with _progress() as progress:
        total = progress.add_task("Simulating history", total=sum(len(p[2]) for p in plan))
        for label, device_id, rows in plan:
            progress.update(total, description=f"{label:<32}")
            for batch in _batches(rows):
                async with database.session() as session:
                    await store_batch(session, device_id, batch)
                progress.advance(total, len(batch))
    await _build_rollups(database, [device.id for device in devices])
    console.print(
        f"[green]Demo site ready:[/] {demo.DEMO_SITE_NAME} with {len(devices)} meters, "
        f"{days} days of 5-minute readings (with a 6-hour gap and a late replay)."
    )


def demo_command(
    days: Annotated[int, typer.Option(min=1, max=730, help="Days of history.")] = 90,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only when the database has no sites yet.")
    ] = False,
    ask: Annotated[
        bool, typer.Option("--ask", help="Ask first (on a terminal); otherwise just explain.")
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Then keep one demo meter reporting: a simulated Acuvim II polled by the "
            "collector, sending to the running portal at --portal-url (until Ctrl-C).",
        ),
    ] = False,
    portal_url: Annotated[
        str, typer.Option(help="With --live: the running portal to send to.")
    ] = "http://127.0.0.1:8000",
    live_interval: Annotated[
        float, typer.Option(min=1, help="With --live: seconds between readings.")
    ] = 5.0,
) -> None:
    """Create a demo site with three meters and a realistic simulated history."""
    settings = get_settings()
    configure_logging(settings, level="WARNING")  # the progress bar says what happens

    async def main() -> None:
        async with open_database(settings) as (database, _):
            async with database.session() as session:
                sites = await _count_sites(session)
                exists = (
                    await session.execute(select(Site.id).where(Site.name == demo.DEMO_SITE_NAME))
                ).first()
            if exists is not None:
                console.print("The demo site is already loaded.")
                return
            if if_empty and sites > 0:
                return
            if ask:
                if not sys.stdin.isatty():
                    console.print("No sites yet: run [bold]portal demo[/] to load demo data.")
                    return
                if not typer.confirm(
                    f"The portal has no sites yet. Load a demo site ({days} days, 3 meters)?",
                    default=True,
                ):
                    return
            await _load_demo(database, days)

    asyncio.run(main())
    if live:
        from power_portal.collector.cli import run_live_demo_command

        run_live_demo_command(settings, portal_url, live_interval)


# ---------------------------------------------------------------- import-csv


async def _find_device(session: AsyncSession, device: str) -> Device:
    query = select(Device).where(Device.serial == device)
    if device.isdigit():
        query = select(Device).where((Device.id == int(device)) | (Device.serial == device))
    found = (await session.execute(query)).scalars().first()
    if found is None:
        raise typer.BadParameter(f"no device with id or serial {device!r}", param_hint="DEVICE")
    return found


def _chunks(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """(first data line number, header + chunk of lines, size in bytes) from the file."""
    with path.open("rb") as handle:
        header = handle.readline()
        line_number = 2
        while True:
            lines = [handle.readline() for _ in range(BATCH_ROWS)]
            lines = [line for line in lines if line]
            if not lines:
                return
            body = b"".join(lines)
            yield line_number, header + body, len(body)
            line_number += len(lines)


def import_csv_command(
    device: Annotated[str, typer.Argument(help="Device id or serial.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import a CSV history (same columns and rules as the ingest API).

    The whole file is checked first; if any row is invalid nothing is written
    and every problem is listed with its line number.
    """
    settings = get_settings()
    configure_logging(settings, level="WARNING")  # the progress bar says what happens
    size = file.stat().st_size

    async def main() -> None:
        async with open_database(settings) as (database, _):
            async with database.session() as session:
                target = await _find_device(session, device)
            now = datetime.now(UTC)
            problems: list[str] = []
            rows_total = 0
            with _progress() as progress:
                task = progress.add_task("Checking", total=size)
                for first_line, chunk, chunk_size in _chunks(file):
                    try:
                        rows_total += len(parse_csv(chunk, now))
                    except MalformedBodyError as exc:
                        problems.append(f"line {first_line}+: {exc}")
                    except InvalidRowsError as exc:
                        for p in exc.problems:
                            where = f"line {first_line + p.row}" if p.row is not None else "header"
                            problems.append(f"{where}: {p.field or 'row'}: {p.message}")
                    progress.advance(task, chunk_size)
                    if len(problems) >= 20:
                        break
            if problems:
                for problem in problems[:20]:
                    console.print(f"[red]{problem}[/]")
                console.print("[bold red]Nothing was imported.[/]")
                raise typer.Exit(code=1)
            accepted = duplicates = 0
            with _progress() as progress:
                task = progress.add_task(f"Importing into {target.name}", total=rows_total)
                for _, chunk, _ in _chunks(file):
                    rows = parse_csv(chunk, now)
                    async with database.session() as session:
                        result = await store_batch(session, target.id, rows)
                    accepted += result.accepted
                    duplicates += result.duplicates
                    progress.advance(task, len(rows))
            await _build_rollups(database, [target.id])
            console.print(
                f"[green]Imported[/] {accepted} rows into {target.name} "
                f"({duplicates} already stored)."
            )

    asyncio.run(main())
