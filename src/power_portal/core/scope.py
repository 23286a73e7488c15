"""The tenant scope of a database session: what row-level security sees (docs/api/tenants.md).

A tenant user's request sets ``portal.tenant_id`` for its transaction (``set_config(…, true)``,
i.e. ``SET LOCAL``): the policies of migration ``0015_tenant_users`` then hide every row of
``app.devices``, ``app.virtual_meters``, ``app.tenants``, ``app.tenant_meters`` and the rollups
that is not its tenant's. Every other session leaves it unset and sees every row.

The setting lives as long as the transaction, and a request may commit more than once (the
rollup flush is a deliberate boundary), so the scope is kept in the session's ``info`` and set
again at the start of every transaction the session begins (``after_begin``): a commit in the
middle of a tenant's request never lets the rest of it run unscoped. ``unscoped`` lifts the scope
for system work done on a tenant's behalf (rebuilding rollups from the raw readings), and puts it
back after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

TENANT_SETTING = "portal.tenant_id"
_INFO_KEY = "portal.tenant_id"
_LIFTED_KEY = "portal.tenant_scope_lifted"
_SET_SQL = text("SELECT set_config('portal.tenant_id', :tenant_id, true)")


def tenant_of(db: AsyncSession) -> int | None:
    """The tenant the session is scoped to, or None (every row)."""
    tenant_id = db.info.get(_INFO_KEY)
    return int(tenant_id) if tenant_id is not None else None


async def scope_to_tenant(db: AsyncSession, tenant_id: int) -> None:
    """From now on, every transaction of ``db`` sees only ``tenant_id``'s rows."""
    db.info[_INFO_KEY] = tenant_id
    await db.execute(_SET_SQL, {"tenant_id": str(tenant_id)})


@asynccontextmanager
async def unscoped(db: AsyncSession) -> AsyncIterator[None]:
    """Lift the scope inside the block (system work for a tenant's read), then restore it.

    The block may commit: transactions begun inside it stay unscoped, the first one after it
    is scoped again (``after_begin``). Blocks nest: an inner one (a rollup flush inside a
    route's unscoped read) leaves the lifting and the restoring to the outermost."""
    tenant_id = tenant_of(db)
    if tenant_id is None or db.info.get(_LIFTED_KEY):
        yield
        return
    db.info[_LIFTED_KEY] = True
    await db.execute(_SET_SQL, {"tenant_id": ""})
    try:
        yield
    finally:
        del db.info[_LIFTED_KEY]
        if db.in_transaction():
            await db.execute(_SET_SQL, {"tenant_id": str(tenant_id)})


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    """A scoped session's new transaction starts scoped (the setting died with the last one)."""
    tenant_id = session.info.get(_INFO_KEY)
    if tenant_id is not None and not session.info.get(_LIFTED_KEY):
        connection.execute(_SET_SQL, {"tenant_id": str(tenant_id)})


# ---------------------------------------------------------------- the same rule in the queries

# Row-level security is the second line: a superuser (the embedded development server's
# ``postgres``) bypasses it. The queries a tenant user reaches state the rule themselves, with
# the functions of migration 0015 (which read the same setting), so the service gives a tenant
# only the instants its tenant held the meter whatever role the portal connects as.


def held_buckets(db: AsyncSession, alias: str = "") -> str:
    """`` AND …`` keeping the 15-minute rollup rows (of ``alias``) that lie wholly inside an
    instant span the scoped tenant held their device; ``""`` for an unscoped session."""
    if tenant_of(db) is None or db.info.get(_LIFTED_KEY):
        return ""
    column = f"{alias}." if alias else ""
    return (
        f" AND app.tenant_held_device({column}device_id, {column}bucket_start, "
        f"{column}bucket_start + interval '15 minutes')"
    )


def held_readings(db: AsyncSession, alias: str = "") -> str:
    """`` AND …`` keeping the raw readings (of ``alias``) taken while the scoped tenant held
    their device; ``""`` for an unscoped session."""
    if tenant_of(db) is None or db.info.get(_LIFTED_KEY):
        return ""
    column = f"{alias}." if alias else ""
    return f" AND app.tenant_held_device({column}device_id, {column}time, {column}time)"
