"""User management: create, change role, deactivate, unlock, reset password.

The rule that keeps a portal usable: there is always at least one active
admin. Demoting, deactivating or deleting the last one is refused (409). The
check locks the admin rows, so two admins demoting each other at the same
moment cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import passwords
from power_portal.auth import service as auth_service
from power_portal.auth.models import Role, User
from power_portal.auth.service import check_password_policy, end_all_sessions
from power_portal.core.errors import ConflictError, FieldError, found
from power_portal.core.time import utcnow
from power_portal.settings import AuthSettings
from power_portal.users import repository
from power_portal.users.schemas import UserCreate, UserUpdate

log = structlog.get_logger(__name__)

LAST_ADMIN = "there must always be at least one active admin: make another user admin first"


async def list_users(db: AsyncSession) -> Sequence[User]:
    return await repository.list_all(db)


async def get_user(db: AsyncSession, user_id: int, *, for_update: bool = False) -> User:
    return found(
        await repository.get(db, user_id, for_update=for_update), f"user with id {user_id}"
    )


async def get_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await repository.get_by_email(db, email.strip().lower())


async def checked_tenant(db: AsyncSession, role: Role, tenant_id: int | None) -> int | None:
    """The tenant of a user with ``role``: required (and existing) for a tenant user, refused
    for any other role; 422 naming ``tenant_id``."""
    if role != Role.TENANT:
        if tenant_id is not None:
            raise FieldError("tenant_id", f"only a tenant user has a tenant, not role {role}")
        return None
    if tenant_id is None:
        raise FieldError("tenant_id", "a tenant user needs the tenant_id of its tenant", "missing")
    if not await repository.tenant_exists(db, tenant_id):
        raise FieldError("tenant_id", f"no tenant with id {tenant_id}")
    return tenant_id


async def create_user(db: AsyncSession, data: UserCreate, settings: AuthSettings) -> User:
    tenant_id = await checked_tenant(db, data.role, data.tenant_id)
    check_password_policy(data.password, settings)
    if await get_user_by_email(db, data.email) is not None:
        raise FieldError("email", "a user with this e-mail already exists", "unique")
    user = User(
        email=data.email,
        name=data.name,
        password_hash=await passwords.hash_password(data.password),
        role=data.role.value,
        tenant_id=tenant_id,
        is_active=True,
        failed_attempts=0,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as exc:  # a concurrent create of the same e-mail
        raise FieldError("email", "a user with this e-mail already exists", "unique") from exc
    await db.refresh(user)
    log.info("users.created", user_id=user.id, role=user.role)
    return user


async def _refuse_losing_last_admin(db: AsyncSession, user: User) -> None:
    admins = await repository.lock_active_admin_ids(db)
    if admins == {user.id}:
        raise ConflictError(LAST_ADMIN)


async def update_user(db: AsyncSession, user_id: int, data: UserUpdate) -> User:
    if data.role is not None or data.is_active is False:
        # A change that may take an admin away locks the admins first, then the user: two
        # admins demoting each other at once queue on the same rows in the same order (the
        # second then finds itself the last admin: 409) instead of each holding the row the
        # other wants (a deadlock, 503).
        await repository.lock_active_admin_ids(db)
    user = await get_user(db, user_id, for_update=True)
    stops_being_admin = (
        user.role == Role.ADMIN
        and user.is_active
        and ((data.role is not None and data.role != Role.ADMIN) or data.is_active is False)
    )
    if stops_being_admin:
        await _refuse_losing_last_admin(db, user)
    if data.role is not None or data.tenant_id is not None:
        role = data.role or Role(user.role)
        keeps_tenant = data.tenant_id is None and data.role in (None, Role.TENANT)
        tenant_id = user.tenant_id if keeps_tenant else data.tenant_id
        user.tenant_id = await checked_tenant(db, role, tenant_id)
        user.role = role.value  # read again by every request: its sessions follow at once
    if data.name is not None:
        user.name = data.name
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            await end_all_sessions(db, user.id)
    await db.flush()
    await db.refresh(user)
    log.info("users.updated", user_id=user.id, changes=data.model_dump(exclude_none=True))
    return user


async def delete_user(db: AsyncSession, user_id: int, acting_user: User) -> None:
    if user_id == acting_user.id:
        raise ConflictError("you cannot delete your own account; ask another admin")
    await repository.lock_active_admin_ids(db)  # before the user's row: see update_user
    user = await get_user(db, user_id, for_update=True)
    if user.role == Role.ADMIN and user.is_active:
        await _refuse_losing_last_admin(db, user)
    await db.delete(user)
    await db.flush()
    log.info("users.deleted", user_id=user_id)


async def unlock_user(db: AsyncSession, user_id: int, *, trusted_ip: str | None = None) -> User:
    """Clear the failed-login limits on a user; with ``trusted_ip``, also trust that address
    (``portal users unlock --address``: the break-glass path an attack cannot undo)."""
    user = await get_user(db, user_id, for_update=True)
    await auth_service.unlock(db, user, trusted_ip=trusted_ip)
    await db.flush()
    await db.refresh(user)
    log.info("users.unlocked", user_id=user_id)
    return user


async def set_password(
    db: AsyncSession, user: User, password: str, settings: AuthSettings, *, field: str = "password"
) -> None:
    """Set a new password and end the user's sessions."""
    check_password_policy(password, settings, field)
    user.password_hash = await passwords.hash_password(password)
    user.password_changed_at = utcnow()
    await auth_service.unlock(db, user)
    await end_all_sessions(db, user.id)
    await db.flush()
    log.info("users.password_set", user_id=user.id)


async def reset_password(
    db: AsyncSession, user_id: int, password: str, settings: AuthSettings
) -> User:
    user = await get_user(db, user_id, for_update=True)
    await set_password(db, user, password, settings)
    await db.refresh(user)
    return user
