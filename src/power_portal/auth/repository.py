"""Identity queries: a user by e-mail (locked for the login), sessions by token digest, and
which meters a tenant user's tenant holds."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.auth.login_limits import FailureCount, LoginHistory
from power_portal.auth.models import LoginAttempt, User, UserSession
from power_portal.settings import AuthSettings


async def user_for_login(db: AsyncSession, email: str) -> User | None:
    """The user with this (normalised) e-mail. Not locked: the verification that follows
    holds no connection and no row lock (auth/service.py)."""
    query = select(User).where(User.email == email)
    return (await db.execute(query)).scalar_one_or_none()


FAILURE_OUTCOMES = ("bad_credentials", "bad_current_password")
TRUSTING_OUTCOMES = ("success", "operator_unlock")
# How far back one address's failures on one e-mail count towards its (doubling) lock.
PAIR_MEMORY = timedelta(hours=24)

# One round trip, the same statement whether the e-mail has an account or not.
_LOGIN_HISTORY_SQL = text("""
    WITH marks AS (
        SELECT
            (SELECT max(attempted_at) FROM identity.login_attempts
             WHERE email = :email AND outcome = 'operator_unlock') AS unlocked_at,
            (SELECT max(attempted_at) FROM identity.login_attempts
             WHERE email = :email AND ip_address = :ip AND outcome = 'success') AS succeeded_at
    ),
    trusted AS (
        SELECT DISTINCT ip_address FROM identity.login_attempts
        WHERE email = :email AND outcome = ANY(:trusting) AND ip_address IS NOT NULL
          AND attempted_at > :trusted_since
    ),
    failures AS (
        SELECT f.ip_address, f.attempted_at, t.ip_address IS NOT NULL AS from_trusted
        FROM identity.login_attempts f
        LEFT JOIN trusted t ON t.ip_address = f.ip_address
        WHERE f.email = :email AND f.outcome = ANY(:failing) AND f.attempted_at > :pair_since
    ),
    counted AS (
        SELECT
            count(*) FILTER (WHERE f.ip_address = :ip AND f.attempted_at
                > greatest(m.unlocked_at, m.succeeded_at, :pair_since)) AS pair_failures,
            max(f.attempted_at) FILTER (WHERE f.ip_address = :ip AND f.attempted_at
                > greatest(m.unlocked_at, m.succeeded_at, :pair_since)) AS pair_last,
            count(*) FILTER (WHERE NOT f.from_trusted AND f.attempted_at
                > greatest(m.unlocked_at, :window_since)) AS stranger_failures,
            max(f.attempted_at) FILTER (WHERE NOT f.from_trusted AND f.attempted_at
                > greatest(m.unlocked_at, :window_since)) AS stranger_last
        FROM marks m LEFT JOIN failures f ON true
    )
    SELECT
        c.pair_failures, c.pair_last, c.stranger_failures, c.stranger_last,
        EXISTS (SELECT 1 FROM trusted WHERE ip_address = :ip) AS trusted_address,
        a.address_failures, a.address_last
    FROM counted c, LATERAL (
        SELECT count(*) AS address_failures, max(attempted_at) AS address_last
        FROM identity.login_attempts
        WHERE ip_address = :ip AND outcome = ANY(:failing) AND attempted_at > :window_since
    ) a
""")


async def login_history(
    db: AsyncSession, email: str, ip: str, now: datetime, settings: AuthSettings
) -> LoginHistory:
    """What the attempt log says about ``email`` from ``ip`` at ``now``."""
    row = (
        await db.execute(
            _LOGIN_HISTORY_SQL,
            {
                "email": email,
                "ip": ip,
                "failing": list(FAILURE_OUTCOMES),
                "trusting": list(TRUSTING_OUTCOMES),
                "pair_since": now - PAIR_MEMORY,
                "window_since": now - settings.failure_window,
                "trusted_since": now - settings.trusted_address_period,
            },
        )
    ).one()
    return LoginHistory(
        pair=FailureCount(int(row.pair_failures), row.pair_last),
        address=FailureCount(int(row.address_failures), row.address_last),
        strangers=FailureCount(int(row.stranger_failures), row.stranger_last),
        trusted_address=bool(row.trusted_address),
    )


def record_attempt(
    db: AsyncSession, email: str, user_id: int | None, ip: str | None, outcome: str
) -> None:
    db.add(LoginAttempt(email=email[:320], user_id=user_id, ip_address=ip, outcome=outcome))


async def show_failures(
    db: AsyncSession, email: str, failures: int, locked_until: datetime | None, now: datetime
) -> None:
    """Show on the account how failed sign-ins stand (Settings → Users): a later lock end
    wins over an earlier one that still runs. The same statement runs for an e-mail
    without an account, where it changes nothing (the same work, the same time)."""
    await db.execute(
        _SHOW_FAILURES_SQL,
        {"email": email, "failures": failures, "until": locked_until, "now": now},
    )


_SHOW_FAILURES_SQL = text("""
    UPDATE identity.users
    SET failed_attempts = :failures,
        locked_until = CASE
            WHEN locked_until > :now THEN greatest(locked_until, :until)
            ELSE :until
        END
    WHERE email = :email
""")


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


# ---------------------------------------------------------------- retention (system/retention.py)

_DELETE_LOGIN_ATTEMPTS_SQL = text("""
    DELETE FROM identity.login_attempts
    WHERE id IN (
        SELECT id FROM identity.login_attempts
        WHERE attempted_at < :cutoff
        ORDER BY attempted_at
        LIMIT :limit
    )
""")


async def delete_login_attempts_before(db: AsyncSession, cutoff: datetime, limit: int) -> int:
    """Delete up to ``limit`` login attempts made before ``cutoff``, oldest first (along
    ``ix_login_attempts_at``); how many went."""
    result = await db.execute(_DELETE_LOGIN_ATTEMPTS_SQL, {"cutoff": cutoff, "limit": limit})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
