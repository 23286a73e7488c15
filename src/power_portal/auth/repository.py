"""Identity queries: a user by e-mail (locked for the login), sessions by token digest, and
which meters a tenant user's tenant holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth.models import User, UserSession


async def user_for_login(db: AsyncSession, email: str) -> User | None:
    """The user with this (normalised) e-mail, its row locked: attempts count one at a time."""
    query = select(User).where(User.email == email).with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


async def session_with_user(db: AsyncSession, digest: str) -> tuple[UserSession, User] | None:
    row = (
        await db.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_sha256 == digest)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def touch_session(db: AsyncSession, digest: str, now: datetime) -> None:
    await db.execute(
        update(UserSession).where(UserSession.token_sha256 == digest).values(last_seen_at=now)
    )


async def delete_session(db: AsyncSession, digest: str) -> None:
    await db.execute(delete(UserSession).where(UserSession.token_sha256 == digest))


async def delete_user_sessions(db: AsyncSession, user_id: int, *, keep: str | None = None) -> int:
    """Delete a user's sessions, but the one with digest ``keep``; how many went."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        query = query.where(UserSession.token_sha256 != keep)
    result = await db.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_expired_sessions(db: AsyncSession, now: datetime) -> None:
    await db.execute(delete(UserSession).where(UserSession.expires_at <= now))


# ``app.tenant_meters`` belongs to ``tenants``, a layer above: read by SQL, by its columns.
_TENANT_HOLDS_SQL = text("""
    SELECT EXISTS (
        SELECT 1 FROM app.tenant_meters
        WHERE tenant_id = :tenant_id
          AND (device_id = CAST(:device_id AS bigint)
               OR virtual_meter_id = CAST(:virtual_meter_id AS bigint))
          AND (CAST(:at AS timestamptz) IS NULL
               OR (start_at <= CAST(:at AS timestamptz)
                   AND (end_at IS NULL OR end_at > CAST(:at AS timestamptz))))
    )
""")


async def tenant_holds(
    db: AsyncSession,
    tenant_id: int,
    *,
    device_id: int | None = None,
    virtual_meter_id: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Whether the tenant holds the device or virtual meter at ``at``, or ever (None)."""
    held = await db.execute(
        _TENANT_HOLDS_SQL,
        {
            "tenant_id": tenant_id,
            "device_id": device_id,
            "virtual_meter_id": virtual_meter_id,
            "at": at,
        },
    )
    return bool(held.scalar_one())
