"""``portal demo``: a demo shopping centre (a metering tree, virtual meters, a time-of-use
tariff, four tenants and the Grocer's tenant user, whose password it prints once) with a
simulated history, and ``--live``.

``--live`` then keeps one meter reporting through a simulated Acuvim II and the collector.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import httpx
import typer
from rich.console import Console

from power_portal.db.engine import Database
from power_portal.db.runtime import open_database
from power_portal.demo import service
from power_portal.demo.data import (
    DEMO_LIVE_PROFILE,
    DEMO_METERS,
    DEMO_SITE_NAME,
    DEMO_STEP,
    DEMO_TENANT_USER_EMAIL,
    DEMO_TENANTS,
    history_plan,
    meter_rows,
    move_instant,
    simulate_loads,
)
from power_portal.demo.live import LiveDevice, NoDemoSiteError, prepare_live_device, run_live_demo
from power_portal.ingest.cli import BATCH_ROWS, build_rollups, progress
from power_portal.logging import configure_logging
from power_portal.measurements.ingest import store_batch
from power_portal.measurements.load_profile import DEMO_TIMEZONE
from power_portal.measurements.parsing import Row
from power_portal.settings import Settings, get_settings

console = Console(stderr=True)


def _batches(rows: list[Row], size: int = BATCH_ROWS) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


async def _load_demo(database: Database, days: int, settings: Settings) -> None:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    start = end - timedelta(days=days)
    async with database.transaction() as session:
        site = await service.create_demo_site(session, start, end)
        tenant_user = await service.create_demo_tenant_user(session, site, settings.auth)
    device_ids = site.device_ids
    loads = simulate_loads(start, end, DEMO_STEP)
    plan = history_plan(loads)
    with progress() as bar:
        total = bar.add_task("Simulating history", total=sum(len(p.indices) for p in plan))
        for planned in plan:
            bar.update(total, description=f"{planned.label:<32}")
            rows = meter_rows(loads, planned.meter.name, planned.seed, planned.indices)
            device_id = device_ids[planned.meter.name]
            for batch in _batches(rows):
                async with database.session() as session:
                    await store_batch(session, device_id, batch)
                bar.advance(total, len(batch))
    await build_rollups(database, list(device_ids.values()))
    async with database.transaction() as session:
        alerts = await service.create_demo_alerts(
            session, site.site_id, device_ids[DEMO_LIVE_PROFILE.name], end
        )
    async with database.transaction() as session:
        sent = await service.create_demo_reports(session, settings, site.site_id, end)
    move = move_instant(end).astimezone(ZoneInfo(DEMO_TIMEZONE))
    console.print(
        f"[green]Demo site ready:[/] {DEMO_SITE_NAME}, an incomer with {len(DEMO_METERS) - 1} "
        f"meters below it (tenants, common areas, rooftop solar), virtual meters and a "
        f"time-of-use tariff; {days} days of 5-minute readings (with a 6-hour gap and a late "
        f"replay). Tenants: {', '.join(tenant.name for tenant in DEMO_TENANTS)} (shop 3 changed "
        f"tenant on {move:%Y-%m-%d at %H:%M}, local time)."
    )
    console.print(
        f"[green]Alerts:[/] {alerts.rules} rules on the site (demand, peak, offline, gaps, "
        f"unusual days); {alerts.history} episodes of the history recorded on the Alerts page."
    )
    console.print(
        f"[green]Reports:[/] a monthly pack for {service.DEMO_REPORT_RECIPIENT} (site report, "
        f"bill as PDF and Excel, tenant bills, reconciliation); {sent}'s is on the Reports page "
        f"(its mail is sent once an SMTP server is set in Settings → Notifications)."
    )
    if tenant_user is None:
        console.print(f"The user {DEMO_TENANT_USER_EMAIL} exists already: left as it is.")
    else:
        console.print(
            f"[green]Tenant user[/] (sees only the {tenant_user.tenant}'s meters and bills): "
            f"{tenant_user.email}  password: {tenant_user.password}"
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
    """Create a demo shopping centre (an incomer, tenants, common areas, solar) with a
    time-of-use tariff, a realistic simulated history, four tenants on recharge rules and a
    tenant user (its password is printed once)."""
    settings = get_settings()
    configure_logging(settings, level="WARNING")  # the progress bar says what happens

    async def main() -> None:
        async with open_database(settings) as (database, _):
            async with database.session() as session:
                state = await service.demo_state(session)
            if state.loaded:
                console.print("The demo site is already loaded.")
                return
            if if_empty and state.sites > 0:
                return
            if ask:
                if not sys.stdin.isatty():
                    console.print("No sites yet: run [bold]portal demo[/] to load demo data.")
                    return
                if not typer.confirm(
                    f"The portal has no sites yet. Load a demo shopping centre ({days} days, "
                    f"{len(DEMO_METERS)} meters)?",
                    default=True,
                ):
                    return
            await _load_demo(database, days, settings)

    asyncio.run(main())
    if live:
        run_live_demo_command(settings, portal_url, live_interval)


# ---------------------------------------------------------------- demo --live


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)


def run_live_demo_command(settings: Settings, portal_url: str, interval_seconds: float) -> None:
    """``portal demo --live``: issue a token for a demo meter, then feed it until Ctrl-C."""

    async def prepare() -> LiveDevice:
        async with open_database(settings) as (database, _):
            return await prepare_live_device(database)

    try:
        device = asyncio.run(prepare())
    except NoDemoSiteError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    try:
        healthy = httpx.get(f"{portal_url.rstrip('/')}/api/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    if not healthy:
        console.print(
            f"[yellow]No portal answers at {portal_url} yet.[/] Start it (`portal serve`) in "
            "another terminal; until then the readings wait in the spool and arrive when it is up."
        )
    console.print(
        f"[green]Live:[/] a simulated Acuvim II feeds [bold]{device.name}[/] "
        f"every {interval_seconds:g} s through the collector to {portal_url}. "
        "Open the dashboard and pick that meter; Ctrl-C stops."
    )
    configure_logging(settings, level="INFO")

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        await run_live_demo(
            device,
            portal_url,
            interval_seconds,
            settings.resolved_data_dir / "demo-live-spool.sqlite",
            stop,
        )

    asyncio.run(main())
