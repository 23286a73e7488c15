"""``portal grafana …``: write Grafana's provisioning files; the read-only role's grants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from power_portal.grafana import provisioning
from power_portal.settings import RunMode, get_settings

app = typer.Typer(help="Grafana: provisioning files and grants.", no_args_is_help=True)
console = Console(stderr=True)

ModeOption = Annotated[
    RunMode | None,
    typer.Option("--mode", help="Run mode to provision for (default: PORTAL_RUN_MODE)."),
]


@app.command("provision")
def provision(
    directory: Annotated[
        Path,
        typer.Argument(
            file_okay=False, help="Grafana's provisioning directory (or a folder mounted there)."
        ),
    ],
    mode: ModeOption = None,
    grafana_dir: Annotated[
        str,
        typer.Option(
            help="Where Grafana sees DIRECTORY (the dashboard provider's path points there)."
        ),
    ] = provisioning.DEFAULT_GRAFANA_PROVISIONING_DIR,
    sslmode: Annotated[
        str, typer.Option(help="The datasource's sslmode (disable, require, verify-full).")
    ] = "disable",
) -> None:
    """Write the datasource, the dashboard provider and the dashboards for a run mode."""
    run_mode = mode or get_settings().run_mode
    files = provisioning.provisioning_files(
        run_mode, grafana_provisioning_dir=grafana_dir, sslmode=sslmode
    )
    for relative in provisioning.stale_files(run_mode):
        stale = directory / relative
        if stale.is_file():
            stale.unlink()
            console.print(f"removed {stale} (not a {run_mode.value}-mode dashboard)")
    for path in provisioning.write(directory, files):
        console.print(f"wrote {path}")
    dashboards = ", ".join(d.uid for d in provisioning.provisioned_dashboards(run_mode))
    console.print(
        f"[bold green]Grafana provisioning for {run_mode.value} mode[/] written to {directory}: "
        f"datasource uid {provisioning.DATASOURCE_UID}, dashboards {dashboards}. "
        f"Grafana reads {', '.join(provisioning.ENV_VARS)} from its environment."
    )


@app.command("grants")
def grants(
    role: Annotated[str, typer.Argument(help="Grafana's read-only PostgreSQL role.")],
    mode: ModeOption = None,
) -> None:
    """Print the SQL that lets ROLE read exactly what the dashboards read."""
    try:
        statements = provisioning.grant_statements(role, mode or get_settings().run_mode)
    except ValueError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=2) from exc
    typer.echo("\n".join(statements))
