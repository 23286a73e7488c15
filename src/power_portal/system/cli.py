"""``portal retention …``: run the retention job once (``portal serve`` runs it hourly)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from power_portal.db.runtime import open_database
from power_portal.logging import configure_logging
from power_portal.settings import get_settings
from power_portal.system.retention import RetentionReport, run_retention

app = typer.Typer(
    help="Retention: delete old audit rows and expired sessions.", no_args_is_help=True
)
out = Console()


@app.command("run")
def run() -> None:
    """Delete expired sessions, and login attempts and fleet audit rows older than
    PORTAL_RETENTION__LOGIN_ATTEMPTS_DAYS / __INGEST_EVENTS_DAYS (90), once."""
    settings = get_settings()
    configure_logging(settings, level="WARNING")

    async def main() -> RetentionReport:
        async with open_database(settings) as (database, _):
            return await run_retention(database, settings.retention)

    report = asyncio.run(main())
    out.print(
        f"Deleted {report.login_attempts} login attempt(s) older than "
        f"{settings.retention.login_attempts_days} days, {report.ingest_events} fleet audit "
        f"row(s) older than {settings.retention.ingest_events_days} days, and the expired "
        "sessions."
    )
