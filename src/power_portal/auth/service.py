"""Login, failed-login limits (auth/login_limits.py) and server-side sessions.

The cookie carries a random session token; the database keeps only its
SHA-256, so a leaked database cannot be replayed as cookies. Each session has
its own CSRF token (double submit: the ``portal_csrf`` cookie must come back in
the ``X-CSRF-Token`` header and match the session's).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth import passwords, repository
from power_portal.auth.login_limits import (
    Limit,
    LoginHistory,
    locked_until,
    refusal,
)
from power_portal.auth.models import User, UserSession
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
    BAD_CURRENT_PASSWORD = "bad_current_password"  # noqa: S105 (an outcome: POST /api/auth/password)
    OPERATOR_UNLOCK = "operator_unlock"  # Settings → Users or ``portal users unlock``


class BadCredentialsError(PortalError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("wrong e-mail or password")


class LoginRefusedError(PortalError):
    """Refused before any verification by a failed-login limit (423 or 429)."""

    MESSAGES = {
        Limit.ADDRESS_LOCKED: "too many failed logins from this address: the account is"
        " locked for it",
        Limit.ADDRESS_SLOWED: "too many failed logins from this address",
        Limit.ACCOUNT_SLOWED: "too many failed logins on this account from new addresses",
        Limit.BUSY: "too many sign-ins at once",
    }

    def __init__(self, limit: Limit, retry_after_seconds: int) -> None:
        self.limit = limit
        self.status_code = 423 if limit is Limit.ADDRESS_LOCKED else 429
        super().__init__(
            f"{self.MESSAGES[limit]}; try again in {_in_words(retry_after_seconds)}",
            headers={"Retry-After": str(retry_after_seconds)},
        )


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"about {minutes} minutes"


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str
    csrf_token: str


def address_key(ip: str | None) -> str:
    """The address attempts are counted by ("unknown" when the server could not tell)."""
    return ip or "unknown"


async def _session_user_id(db: AsyncSession, session_token: str | None) -> int | None:
    """Whose live session the request carries, if any."""
    if not session_token:
        return None
    found = await repository.session_with_user(db, token_digest(session_token))
    if found is None:
        return None
    user_session, user = found
    now = utcnow()
    return user.id if user_session.expires_at > now and user.is_active else None


async def _verify(
    gate: passwords.VerificationGate, password: str, user: User | None
) -> tuple[bool, str | None]:
    """One Argon2 verification in a slot of the gate, against the user's hash or, for an
    unknown or inactive account, a decoy of the same cost (same time, always False)."""
    try:
        async with gate.slot():
            if user is None or not user.is_active:
                await passwords.burn_verification_time(password)
                return False, None
            return await passwords.verify_password(password, user.password_hash)
    except passwords.VerificationsBusyError as busy:
        raise LoginRefusedError(Limit.BUSY, busy.retry_after_seconds) from None


async def _count_failure(
    db: AsyncSession,
    *,
    email: str,
    user: User | None,
    ip: str,
    outcome: LoginOutcome,
    history: LoginHistory,
    trusted: bool,
    now: datetime,
    settings: AuthSettings,
) -> None:
    """Record a failed check and commit it; raise the 423 when it locks this address out
    of the account (the contract's "the fifth failure answers 423")."""
    repository.record_attempt(db, email, user.id if user else None, ip, outcome.value)
    after = history.after_failure(now, trusted=trusted)
    await repository.show_failures(
        db,
        email,
        max(after.pair.failures, after.strangers.failures),
        locked_until(after, settings),
        now,
    )
    await db.commit()  # boundary: the failure counts although the request is refused
    tripped = refusal(after, now, settings, trusted=trusted)
    if tripped is not None and tripped.limit is Limit.ADDRESS_LOCKED:
        log.warning("auth.address_locked", user_id=user.id if user else None, ip=ip)
        raise LoginRefusedError(tripped.limit, tripped.retry_after_seconds)


async def login(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    replaces: str | None,
    settings: AuthSettings,
    gate: passwords.VerificationGate,
) -> SignedIn:
    """Check the failed-login limits, then the password; on success create a session
    (ending ``replaces``, the session cookie that came in).

    Two deliberate boundaries: what the limits need is read and committed first, so the
    expensive verification holds no pooled connection and no row lock; a failure is
    committed at once, so it counts although the route answers 401/423.
    """
    email = email.strip().lower()
    address = address_key(ip)
    now = utcnow()
    user = await repository.user_for_login(db, email)
    history = await repository.login_history(db, email, address, now, settings)
    session_user_id = await _session_user_id(db, replaces)
    await db.commit()  # boundary: the connection goes back before the verification
    trusted = history.trusted_address or (user is not None and session_user_id == user.id)
    refused = refusal(history, now, settings, trusted=trusted)
    if refused is not None:
        raise LoginRefusedError(refused.limit, refused.retry_after_seconds)

    matches, new_hash = await _verify(gate, password, user)
    if not matches or user is None:
        await _count_failure(
            db,
            email=email,
            user=user,
            ip=address,
            outcome=LoginOutcome.BAD_CREDENTIALS,
            history=history,
            trusted=trusted,
            now=now,
            settings=settings,
        )
        raise BadCredentialsError()

    if replaces:
        await end_session(db, replaces)
    now = utcnow()
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = now
    session_token, csrf_token = await _create_session(db, user, ip, user_agent, now, settings)
    repository.record_attempt(db, email, user.id, address, LoginOutcome.SUCCESS.value)
    log.info("auth.login", user_id=user.id)
    return SignedIn(user, session_token, csrf_token)


async def unlock(db: AsyncSession, user: User, *, trusted_ip: str | None = None) -> None:
    """Clear the failed-login limits on ``user`` (every address starts again) and, with
    ``trusted_ip``, trust that address as if the user had just signed in from it: strangers'
    failures then never refuse it, so an attack running on cannot undo the unlock."""
    repository.record_attempt(
        db, user.email, user.id, trusted_ip, LoginOutcome.OPERATOR_UNLOCK.value
    )
    user.failed_attempts = 0
    user.locked_until = None
    log.info("auth.unlocked", user_id=user.id, trusted_ip=trusted_ip)


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
    db: AsyncSession,
    active: ActiveSession,
    data: PasswordChange,
    *,
    ip: str | None,
    settings: AuthSettings,
    gate: passwords.VerificationGate,
) -> None:
    """Change the signed-in user's password. A wrong current password counts like a failed
    login from this address (a stolen session cannot try passwords without limit); the
    session does not make the caller trusted here, its address might."""
    user = active.user
    address = address_key(ip)
    now = utcnow()
    history = await repository.login_history(db, user.email, address, now, settings)
    await db.commit()  # boundary: the connection goes back before the verification
    trusted = history.trusted_address
    refused = refusal(history, now, settings, trusted=trusted)
    if refused is not None:
        raise LoginRefusedError(refused.limit, refused.retry_after_seconds)
    matches, _ = await _verify(gate, data.current_password, user)
    if not matches:
        await _count_failure(
            db,
            email=user.email,
            user=user,
            ip=address,
            outcome=LoginOutcome.BAD_CURRENT_PASSWORD,
            history=history,
            trusted=trusted,
            now=now,
            settings=settings,
        )
        raise FieldError("current_password", "this is not your current password")
    check_password_policy(data.new_password, settings, "new_password")
    user.password_hash = await passwords.hash_password(data.new_password)
    user.password_changed_at = utcnow()
    # every other session ends; the one making the change stays
    await repository.delete_user_sessions(db, user.id, keep=active.session.token_sha256)
