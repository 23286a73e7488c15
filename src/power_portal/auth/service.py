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

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import passwords
from power_portal.auth.models import LoginAttempt, User, UserSession
from power_portal.auth.schemas import PasswordChange
from power_portal.core.errors import FieldError
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


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    session_token: str | None = None
    csrf_token: str | None = None
    retry_after_seconds: int = 0


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


async def _record_attempt(
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


async def login(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    settings: AuthSettings,
) -> LoginResult:
    """Check credentials and lockout; on success create a session.

    A refusal commits here, deliberately: the route answers 401/429 (which rolls the
    request back), and the failed attempt and lockout must stand all the same.
    """
    email = email.strip().lower()
    now = utcnow()
    user = (
        await db.execute(select(User).where(User.email == email).with_for_update())
    ).scalar_one_or_none()

    if user is not None and user.locked_until is not None and user.locked_until > now:
        await _record_attempt(db, email, user, ip, LoginOutcome.LOCKED)
        await db.commit()
        return LoginResult(
            LoginOutcome.LOCKED, retry_after_seconds=seconds_until(user.locked_until, now)
        )

    if user is None or not user.is_active:
        await passwords.burn_verification_time(password)
        await _record_attempt(db, email, user, ip, LoginOutcome.BAD_CREDENTIALS)
        await db.commit()
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)

    matches, new_hash = await passwords.verify_password(password, user.password_hash)
    if not matches:
        user.failed_attempts += 1
        outcome = LoginOutcome.BAD_CREDENTIALS
        retry_after = 0
        if user.failed_attempts >= settings.lockout_threshold:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_attempts = 0
            outcome = LoginOutcome.LOCKED
            retry_after = seconds_until(user.locked_until, now)
            log.warning("auth.account_locked", user_id=user.id, until=user.locked_until.isoformat())
        await _record_attempt(db, email, user, ip, outcome)
        await db.commit()
        return LoginResult(outcome, retry_after_seconds=retry_after)

    if new_hash is not None:
        user.password_hash = new_hash
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    session_token, csrf_token = await _create_session(db, user, ip, user_agent, now, settings)
    await _record_attempt(db, email, user, ip, LoginOutcome.SUCCESS)
    log.info("auth.login", user_id=user.id)
    return LoginResult(LoginOutcome.SUCCESS, user, session_token, csrf_token)


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
    row = (
        await db.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_sha256 == token_digest(session_token))
        )
    ).one_or_none()
    if row is None:
        return None
    user_session, user = row
    idle_limit = user_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if user_session.expires_at <= now or idle_limit <= now or not user.is_active:
        await db.execute(
            delete(UserSession).where(UserSession.token_sha256 == user_session.token_sha256)
        )
        await db.commit()  # deliberate: the request is refused (401), the expired session goes
        return None
    if now - user_session.last_seen_at >= TOUCH_INTERVAL:
        await db.execute(
            update(UserSession)
            .where(UserSession.token_sha256 == user_session.token_sha256)
            .values(last_seen_at=now)
        )
    return ActiveSession(user_session, user)


async def end_session(db: AsyncSession, session_token: str) -> None:
    await db.execute(
        delete(UserSession).where(UserSession.token_sha256 == token_digest(session_token))
    )


async def end_all_sessions(db: AsyncSession, user_id: int) -> int:
    """Log a user out everywhere; returns how many sessions ended."""
    result = await db.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_expired_sessions(db: AsyncSession) -> None:
    await db.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))


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
    db: AsyncSession,
    user: User,
    data: PasswordChange,
    *,
    keep_session: str,
    settings: AuthSettings,
) -> None:
    matches, _ = await passwords.verify_password(data.current_password, user.password_hash)
    if not matches:
        raise FieldError("current_password", "this is not your current password")
    check_password_policy(data.new_password, settings, "new_password")
    user.password_hash = await passwords.hash_password(data.new_password)
    user.password_changed_at = utcnow()
    # every other session ends; the one making the change stays
    await db.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.token_sha256 != token_digest(keep_session),
        )
    )
