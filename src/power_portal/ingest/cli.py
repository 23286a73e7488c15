"""``portal import-csv``: a CSV history checked whole, then stored in batches with a progress bar.

``progress`` and ``build_rollups`` serve ``portal demo`` too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
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

from power_portal.db.engine import Database
from power_portal.db.runtime import open_database
from power_portal.logging import configure_logging
from power_portal.measurements import rollup_queue
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.parsing import InvalidRowsError, MalformedBodyError, parse_csv
from power_portal.settings import get_settings
from power_portal.sites import repository as sites_repository
from power_portal.sites.models import Device

console = Console(stderr=True)
BATCH_ROWS = 5000
MAX_LISTED_PROBLEMS = 20


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
    )


async def build_rollups(database: Database, device_ids: Sequence[int]) -> None:
    """Rebuild the rollups the import logged, now, rather than leave it to a portal."""
    with progress() as bar:
        task = bar.add_task("Building rollups", total=len(device_ids))
        for device_id in device_ids:
            async with database.session() as session:
                await rollup_queue.flush(session, [device_id])
            bar.advance(task)


async def _find_device(database: Database, device: str) -> Device:
    async with database.session() as session:
        found = await sites_repository.device_by_id_or_serial(session, device)
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


def _check(file: Path, now: datetime) -> tuple[int, list[str]]:
    """Every chunk parsed: the rows it holds, and the problems found (up to a limit)."""
    problems: list[str] = []
    rows_total = 0
    with progress() as bar:
        task = bar.add_task("Checking", total=file.stat().st_size)
        for first_line, chunk, chunk_size in _chunks(file):
            try:
                rows_total += len(parse_csv(chunk, now))
            except MalformedBodyError as exc:
                problems.append(f"line {first_line}+: {exc}")
            except InvalidRowsError as exc:
                for p in exc.problems:
                    where = f"line {first_line + p.row}" if p.row is not None else "header"
                    problems.append(f"{where}: {p.field or 'row'}: {p.message}")
            bar.advance(task, chunk_size)
            if len(problems) >= MAX_LISTED_PROBLEMS:
                break
    return rows_total, problems[:MAX_LISTED_PROBLEMS]


async def _import(database: Database, target: Device, file: Path, now: datetime, rows: int) -> None:
    accepted = duplicates = 0
    with progress() as bar:
        task = bar.add_task(f"Importing into {target.name}", total=rows)
        for _, chunk, _ in _chunks(file):
            batch = parse_csv(chunk, now)
            async with database.session() as session:
                result = await store_batch(session, target.id, batch)
            accepted += result.accepted
            duplicates += result.duplicates
            bar.advance(task, len(batch))
    await build_rollups(database, [target.id])
    console.print(
        f"[green]Imported[/] {accepted} rows into {target.name} ({duplicates} already stored)."
    )


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

    async def main() -> None:
        async with open_database(settings) as (database, _):
            target = await _find_device(database, device)
            now = datetime.now(UTC)
            rows, problems = _check(file, now)
            if problems:
                for problem in problems:
                    console.print(f"[red]{problem}[/]")
                console.print("[bold red]Nothing was imported.[/]")
                raise typer.Exit(code=1)
            await _import(database, target, file, now, rows)

    asyncio.run(main())
