"""``portal fleet …``: customers (admin stack) and one-off pushes (client stack)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from power_portal.core.errors import PortalError
from power_portal.db.runtime import open_database
from power_portal.fleet import service
from power_portal.fleet.push import FleetPusher
from power_portal.fleet.schemas import CustomerCreate, CustomerWithToken
from power_portal.logging import configure_logging
from power_portal.settings import RunMode, get_settings

app = typer.Typer(help="The fleet: customers and pushes.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


def _show_token(issued: CustomerWithToken) -> None:
    out.print(
        f"Customer [bold]{issued.code}[/] token (shown once, store it in the customer stack's"
    )
    out.print("PORTAL_FLEET__CUSTOMER_TOKEN):")
    out.print(issued.token, soft_wrap=True, highlight=False)


def _run_customers(work: str, code: str, name: str | None = None) -> None:
    settings = get_settings()
    configure_logging(settings, level="WARNING")

    async def main() -> CustomerWithToken | None:
        """The new token, if any: shown once the transaction has committed."""
        async with open_database(settings) as (database, _), database.transaction() as db:
            if work == "add":
                return await service.create_customer(
                    db, CustomerCreate(code=code, name=name or code)
                )
            customer = await service.get_by_code(db, code)  # whatever its case
            if work == "rotate":
                return await service.rotate_token(db, customer, settings.fleet_admin.token_grace)
            if work == "revoke":
                await service.revoke_previous_token(db, customer)
                return None
            await service.set_active(db, customer, work == "activate")
            return None

    try:
        issued = asyncio.run(main())
    except PortalError as exc:
        console.print(f"[bold red]Error:[/] {exc.detail}")
        raise typer.Exit(code=1) from exc
    if issued is not None:
        _show_token(issued)
        if work == "rotate":
            hours = settings.fleet_admin.token_grace_hours
            out.print(
                f"The old token keeps working for {hours:g} h "
                f"(portal fleet revoke-previous-token {issued.code} refuses it at once)."
            )
    elif work == "revoke":
        out.print(f"Customer {code}: the previous token is refused from now on.")
    else:
        out.print(f"Customer {code} {'activated' if work == 'activate' else 'deactivated'}.")


@app.command("add-customer")
def add_customer(
    code: str, name: Annotated[str, typer.Option(help="The customer's name.")]
) -> None:
    """Register a customer stack (admin stack); prints its token once."""
    _run_customers("add", code, name)


@app.command("rotate-token")
def rotate_token(code: str) -> None:
    """Give a customer a new token; the old one keeps working for the grace period
    (PORTAL_FLEET_ADMIN__TOKEN_GRACE_HOURS, 24 h by default)."""
    _run_customers("rotate", code)


@app.command("revoke-previous-token")
def revoke_previous_token(code: str) -> None:
    """Refuse the token the last rotation replaced from now on (a leaked token)."""
    _run_customers("revoke", code)


@app.command("deactivate")
def deactivate(code: str) -> None:
    """Refuse a customer's pushes (401) until activated again."""
    _run_customers("deactivate", code)


@app.command("activate")
def activate(code: str) -> None:
    """Accept a deactivated customer's pushes again."""
    _run_customers("activate", code)


@app.command("push")
def push(
    once: Annotated[bool, typer.Option("--once", help="One push tick, then exit.")] = True,
) -> None:
    """Push this stack's data to the admin stack (client mode); exits 1 if the tick failed."""
    settings = get_settings()
    configure_logging(settings)
    if settings.run_mode is not RunMode.CLIENT or not settings.fleet.enabled:
        console.print("Fleet push needs PORTAL_RUN_MODE=client and PORTAL_FLEET__ENABLED=true.")
        raise typer.Exit(code=2)

    async def main() -> bool:
        async with open_database(settings) as (database, _):
            pusher = FleetPusher(database, settings.fleet)
            try:
                return await pusher.tick()
            finally:
                await pusher.close()

    if not asyncio.run(main()):
        console.print("[bold red]The push tick failed[/] (see the log above); it will be retried.")
        raise typer.Exit(code=1)
    console.print("Push tick done.")
