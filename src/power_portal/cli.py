"""The ``portal`` command line. Later domains add their own sub-commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from power_portal import __version__
from power_portal.settings import ProductionConfigError, TimescaleMode, get_settings

app = typer.Typer(
    name="portal",
    help="Power Portal: power monitoring for Acuvim-metered sites.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def _register_subcommands() -> None:
    from power_portal.collector.cli import collect_command, simulate_meter_command
    from power_portal.demo.cli import demo_command
    from power_portal.fleet.cli import app as fleet_app
    from power_portal.grafana.cli import app as grafana_app
    from power_portal.ingest.cli import import_csv_command
    from power_portal.system.cli import app as retention_app
    from power_portal.users.cli import app as users_app

    app.add_typer(users_app, name="users")
    app.add_typer(fleet_app, name="fleet")
    app.add_typer(grafana_app, name="grafana")
    app.add_typer(retention_app, name="retention")
    app.command("demo")(demo_command)
    app.command("import-csv")(import_csv_command)
    app.command("collect")(collect_command)
    app.command("simulate-meter")(simulate_meter_command)


def _refuse_unsafe_production() -> None:
    from power_portal.app import check_production_settings

    try:
        check_production_settings(get_settings())
    except ProductionConfigError as exc:
        console.print(f"[bold red]Refusing to start:[/] {exc}")
        raise typer.Exit(code=2) from exc


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (PORTAL_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (PORTAL_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the portal: web app, API and background jobs."""
    _refuse_unsafe_production()
    # The options win over the settings; the app reads them back (e.g. App config).
    if host is not None:
        os.environ["PORTAL_HOST"] = host
    if port is not None:
        os.environ["PORTAL_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    uvicorn.run(
        "power_portal.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


@app.command()
def migrate() -> None:
    """Apply database migrations (start-up does this too)."""
    from power_portal.db import timescale
    from power_portal.db.embedded import EmbeddedPostgres
    from power_portal.db.migrate import current_revision, upgrade_to_head
    from power_portal.db.target import resolve_database_target
    from power_portal.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    target = resolve_database_target(settings)
    embedded = None
    if target.url is None:
        embedded = EmbeddedPostgres(
            settings.resolved_data_dir,
            settings.embedded_database_name,
            timescale=settings.embedded_timescale is TimescaleMode.AUTO,
        )
        url = embedded.start()
    else:
        url = target.url
    try:
        upgrade_to_head(url)
        console.print(f"Database is at revision [bold]{current_revision(url)}[/]")
        report = timescale.bootstrap(url, settings)
        console.print(f"TimescaleDB: [bold]{report.status.value}[/] {report.detail}".rstrip())
    finally:
        if embedded is not None:
            embedded.stop()


@app.command()
def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the OpenAPI document (the front end's client is generated from it)."""
    from power_portal.app import create_app

    document = json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


_register_subcommands()
