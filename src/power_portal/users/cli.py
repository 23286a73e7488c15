"""``portal users …``: manage accounts from the shell (works before anyone can log in)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth.models import Role
from power_portal.auth.schemas import UserRead
from power_portal.core.emails import normalise_email
from power_portal.core.errors import PortalError
from power_portal.db.runtime import open_database
from power_portal.logging import configure_logging
from power_portal.settings import get_settings
from power_portal.users import service
from power_portal.users.schemas import UserCreate

app = typer.Typer(help="Create users, set passwords, list accounts.", no_args_is_help=True)
console = Console()
error_console = Console(stderr=True)
T = TypeVar("T")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = get_settings()
    configure_logging(settings)

    async def main() -> T:
        async with open_database(settings) as (database, _), database.transaction() as session:
            return await work(session)

    try:
        return asyncio.run(main())
    except PortalError as exc:
        error_console.print(f"[bold red]Error:[/] {exc.detail}")
        raise typer.Exit(code=1) from exc


def _email_argument(email: str) -> str:
    """The account's e-mail as it is stored (``core.emails``), or a usage error."""
    try:
        return normalise_email(email)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="EMAIL") from exc


def _password_option(password: str | None) -> str:
    if password is not None:
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    email: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option(help="admin, viewer or tenant.")] = Role.VIEWER,
    tenant_id: Annotated[
        int | None, typer.Option(help="Role tenant only (required there): the user's tenant.")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Omit to be prompted (keeps it out of shell history).")
    ] = None,
) -> None:
    """Create a user."""
    try:
        data = UserCreate(
            email=email,
            name=name,
            role=role,
            tenant_id=tenant_id,
            password=_password_option(password),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        error_console.print(f"[bold red]Error:[/] {first['loc'][0]}: {first['msg']}")
        raise typer.Exit(code=1) from exc
    user = _run(lambda db: service.create_user(db, data, get_settings().auth))
    console.print(f"Created {user.role} [bold]{user.email}[/] (id {user.id})")


@app.command("set-password")
def set_password(
    email: str,
    password: Annotated[
        str | None, typer.Option(help="Omit to be prompted (keeps it out of shell history).")
    ] = None,
) -> None:
    """Set a user's password; also unlocks the account and ends its sessions."""
    email = _email_argument(email)
    new_password = _password_option(password)

    async def work(db: AsyncSession) -> None:
        user = await service.get_user_by_email(db, email)
        if user is None:
            raise PortalError(f"no user with e-mail {email}")
        await service.set_password(db, user, new_password, get_settings().auth)

    _run(work)
    console.print(f"Password set for [bold]{email}[/]")


@app.command("unlock")
def unlock(
    email: str,
    address: Annotated[
        str | None,
        typer.Option(
            help="Also trust this client address for the account (the address you will sign"
            " in from): failed logins by others never refuse it, so an attack cannot undo it."
        ),
    ] = None,
) -> None:
    """Clear the failed-login limits on an account (the break-glass path for a locked-out
    admin; see OPERATIONS.md)."""
    email = _email_argument(email)
    trusted_ip = None
    if address is not None:
        try:
            trusted_ip = str(ipaddress.ip_address(address.strip()))
        except ValueError as exc:
            message = f"not an IP address: {address!r}"
            raise typer.BadParameter(message, param_hint="--address") from exc

    async def work(db: AsyncSession) -> None:
        user = await service.get_user_by_email(db, email)
        if user is None:
            raise PortalError(f"no user with e-mail {email}")
        await service.unlock_user(db, user.id, trusted_ip=trusted_ip)

    _run(work)
    trusted = f"; {trusted_ip} is trusted for it" if trusted_ip else ""
    console.print(f"Unlocked [bold]{email}[/]{trusted}")


@app.command("list")
def list_users() -> None:
    """List every user."""

    async def work(db: AsyncSession) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for user in await service.list_users(db):
            read = UserRead.model_validate(user)
            state = "locked" if read.is_locked else ("active" if read.is_active else "inactive")
            last = read.last_login_at.isoformat(timespec="minutes") if read.last_login_at else "—"
            tenant = str(read.tenant_id) if read.tenant_id is not None else "—"
            rows.append((str(read.id), read.email, read.name, read.role.value, tenant, state, last))
        return rows

    table = Table("id", "e-mail", "name", "role", "tenant", "state", "last login")
    for row in _run(work):
        table.add_row(*row)
    console.print(table)
