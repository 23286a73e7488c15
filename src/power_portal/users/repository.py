"""User queries: list, find by id or e-mail (optionally locking the row), count, the admins."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth.models import Role, User

BOOTSTRAP_LOCK_KEY = 0x504F5254414C4144  # "PORTALAD"


async def list_all(db: AsyncSession) -> Sequence[User]:
    return (await db.execute(select(User).order_by(User.email))).scalars().all()


async def get(db: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    query = select(User).where(User.id == user_id)
    if for_update:
        query = query.with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


async def get_by_email(db: AsyncSession, email: str) -> User | None:
    return (await db.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def lock_active_admin_ids(db: AsyncSession) -> set[int]:
    """The active admins' ids, their rows locked until the transaction ends (in id order, so
    two callers queue instead of deadlocking)."""
    query = (
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )
    return set((await db.execute(query)).scalars())


async def tenant_exists(db: AsyncSession, tenant_id: int) -> bool:
    """Whether ``app.tenants`` has this id (read by SQL: ``tenants`` sits above this layer)."""
    found = await db.execute(
        text("SELECT EXISTS (SELECT 1 FROM app.tenants WHERE id = :id)"), {"id": tenant_id}
    )
    return bool(found.scalar_one())


async def count(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(User))).scalar_one())


async def lock_bootstrap(db: AsyncSession) -> None:
    """Two processes starting together: one creates the first admin, the other waits."""
    await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BOOTSTRAP_LOCK_KEY})
