"""Login, lockout and server-side sessions.

The cookie carries a random session token; the database keeps only its
SHA-256, so a leaked database cannot be replayed as cookies. Each session has
its own CSRF token (double submit: the ``portal_csrf`` cookie must come back in
the ``X-CSRF-Token`` header and match the session's).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NoReturn

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import passwords, repository
from power_portal.auth.models import LoginAttempt, User, UserSession
from power_portal.auth.schemas import PasswordChange
from power_portal.core.errors import FieldError, PortalError
from power_portal.core.time import utcnow
from power_portal.core.tokens import token_digest
from power_portal.settings import AuthSettings

log = structlog.get_logger(__name__)

# Touch last_seen_at at most this often, so reads stay reads.
TOUCH_INTERVAL = timedelta(seconds=60)


class LoginOutcome(StrEnum):
    SUCCESS = "success"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


class BadCredentialsError(PortalError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("wrong e-mail or password")


class AccountLockedError(PortalError):
    status_code = 423

    def __init__(self, retry_after_seconds: int) -> None:
        minutes = max(1, round(retry_after_seconds / 60))
        super().__init__(
            f"too many failed logins: the account is locked; try again in about "
            f"{minutes} minute{'s' if minutes != 1 else ''}",
            headers={"Retry-After": str(retry_after_seconds)},
        )


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str
    csrf_token: str


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _record_attempt(
    db: AsyncSession, email: str, user: User | None, ip: str | None, outcome: LoginOutcome
) -> None:
    db.add(
        LoginAttempt(
            email=email[:320],
            user_id=user.id if user else None,
            ip_address=ip,
            outcome=outcome.value,
        )
    )


async def _refuse(
    db: AsyncSession,
    email: str,
    user: User | None,
    ip: str | None,
    locked_until: datetime | None = None,
    now: datetime | None = None,
) -> NoReturn:
    """Record the refused attempt, keep it (and any lockout), and refuse: 423 or 401."""
    outcome = LoginOutcome.BAD_CREDENTIALS if locked_until is None else LoginOutcome.LOCKED
    _record_attempt(db, email, user, ip, outcome)
    await db.commit()  # boundary: the refusal and any lockout stand although the request fails
    if locked_until is None:
        raise BadCredentialsError()
    raise AccountLockedError(seconds_until(locked_until, now or utcnow()))


async def login(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    replaces: str | None,
    settings: AuthSettings,
) -> SignedIn:
    """Check credentials and lockout; on success create a session (ending ``replaces``,
    the session cookie that came in: a login always starts a new session).

    A refusal commits here, deliberately: the route answers 401/423 (which rolls the
    request back), and the failed attempt and lockout must stand all the same.
    """
    if replaces:
        await end_session(db, replaces)
    email = email.strip().lower()
    now = utcnow()
    user = await repository.user_for_login(db, email)

    if user is not None and user.locked_until is not None and user.locked_until > now:
        await _refuse(db, email, user, ip, user.locked_until, now)

    if user is None or not user.is_active:
        await passwords.burn_verification_time(password)
        await _refuse(db, email, user, ip)

    matches, new_hash = await passwords.verify_password(password, user.password_hash)
    if not matches:
        user.failed_attempts += 1
        if user.failed_attempts < settings.lockout_threshold:
            await _refuse(db, email, user, ip)
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        user.failed_attempts = 0
        log.warning("auth.account_locked", user_id=user.id, until=user.locked_until.isoformat())
        await _refuse(db, email, user, ip, user.locked_until, now)

    if new_hash is not None:
        user.password_hash = new_hash
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    session_token, csrf_token = await _create_session(db, user, ip, user_agent, now, settings)
    _record_attempt(db, email, user, ip, LoginOutcome.SUCCESS)
    log.info("auth.login", user_id=user.id)
    return SignedIn(user, session_token, csrf_token)


async def _create_session(
    db: AsyncSession,
    user: User,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
    settings: AuthSettings,
) -> tuple[str, str]:
    session_token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            token_sha256=token_digest(session_token),
            user_id=user.id,
            csrf_token=csrf_token,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip_address=ip,
            user_agent=(user_agent or "")[:400] or None,
        )
    )
    return session_token, csrf_token


@dataclass(frozen=True)
class ActiveSession:
    session: UserSession
    user: User


async def resolve_session(
    db: AsyncSession, session_token: str, settings: AuthSettings
) -> ActiveSession | None:
    """The live session for a cookie value, or None (unknown, expired, idle, inactive user)."""
    now = utcnow()
    found = await repository.session_with_user(db, token_digest(session_token))
    if found is None:
        return None
    user_session, user = found
    idle_limit = user_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if user_session.expires_at <= now or idle_limit <= now or not user.is_active:
        await repository.delete_session(db, user_session.token_sha256)
        await db.commit()  # boundary: the request is refused (401), the dead session goes
        return None
    if now - user_session.last_seen_at >= TOUCH_INTERVAL:
        await repository.touch_session(db, user_session.token_sha256, now)
    return ActiveSession(user_session, user)


async def end_session(db: AsyncSession, session_token: str) -> None:
    await repository.delete_session(db, token_digest(session_token))


async def sign_out(db: AsyncSession, active: ActiveSession) -> None:
    """End the session the request came with."""
    await repository.delete_session(db, active.session.token_sha256)


async def end_all_sessions(db: AsyncSession, user_id: int) -> int:
    """Log a user out everywhere; returns how many sessions ended."""
    return await repository.delete_user_sessions(db, user_id)


async def purge_expired_sessions(db: AsyncSession) -> None:
    await repository.delete_expired_sessions(db, utcnow())


def check_password_policy(password: str, settings: AuthSettings, field: str = "password") -> None:
    if len(password) < settings.min_password_length:
        raise FieldError(
            field,
            f"must be at least {settings.min_password_length} characters long",
            "string_too_short",
        )
    if password.strip() == "":
        raise FieldError(field, "must not be blank")


async def change_own_password(
    db: AsyncSession, active: ActiveSession, data: PasswordChange, settings: AuthSettings
) -> None:
    user = active.user
    matches, _ = await passwords.verify_password(data.current_password, user.password_hash)
    if not matches:
        raise FieldError("current_password", "this is not your current password")
    check_password_policy(data.new_password, settings, "new_password")
    user.password_hash = await passwords.hash_password(data.new_password)
    user.password_changed_at = utcnow()
    # every other session ends; the one making the change stays
    await repository.delete_user_sessions(db, user.id, keep=active.session.token_sha256)
