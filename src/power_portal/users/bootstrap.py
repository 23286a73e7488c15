"""The first start creates ``admin@localhost``.

Its password is ``PORTAL_ADMIN_PASSWORD``; without it (development only:
production refuses to start) a random password is generated and printed once
on the console. It is never logged.
"""

from __future__ import annotations

import sys

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import passwords
from power_portal.auth.models import Role, User
from power_portal.settings import DEFAULT_ADMIN_EMAIL, Settings
from power_portal.users import repository

log = structlog.get_logger(__name__)


def _announce_generated_password(password: str) -> None:
    banner = "=" * 64
    sys.stderr.write(
        f"\n{banner}\n"
        f"  First start: created the admin account\n"
        f"    e-mail:   {DEFAULT_ADMIN_EMAIL}\n"
        f"    password: {password}\n"
        f"  This is shown once. Change it in Settings -> Users, or run\n"
        f"  `portal users set-password {DEFAULT_ADMIN_EMAIL}`.\n"
        f"{banner}\n\n"
    )
    sys.stderr.flush()


async def ensure_initial_admin(db: AsyncSession, settings: Settings) -> bool:
    """Create the first admin when there are no users at all. True if created."""
    # Two processes starting together: one creates, the other sees it done.
    await repository.lock_bootstrap(db)
    if await repository.count(db) > 0:
        await db.rollback()
        return False
    generated = settings.admin_password is None
    password = (
        passwords.generate_password()
        if settings.admin_password is None
        else settings.admin_password.get_secret_value()
    )
    db.add(
        User(
            email=DEFAULT_ADMIN_EMAIL,
            name="Administrator",
            password_hash=await passwords.hash_password(password),
            role=Role.ADMIN.value,
            is_active=True,
            failed_attempts=0,
        )
    )
    await db.flush()
    log.info("users.initial_admin_created", email=DEFAULT_ADMIN_EMAIL, generated=generated)
    if generated:
        _announce_generated_password(password)
    return True
