"""Identity tables: users, their sessions and login attempts."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base, Timestamps


class Role(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"
    TENANT = "tenant"  # sees only its tenant's meters and bills (docs/api/tenants.md)


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email", name="uq_users_email"),
        # e-mails are stored lower-case, so uniqueness is case-insensitive
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("role IN ('admin', 'viewer', 'tenant')", name="role_known"),
        # a tenant user belongs to a tenant, and no other user does
        CheckConstraint("(role = 'tenant') = (tenant_id IS NOT NULL)", name="tenant_role"),
        Index("ix_users_tenant_id", "tenant_id"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_non_negative"),
        {"schema": "identity"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(512))
    role: Mapped[str] = mapped_column(String(16))
    # role ``tenant`` only; deleting the tenant deletes its users (and their sessions)
    tenant_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.tenants.id", ondelete="CASCADE")
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_locked(self) -> bool:
        """Locked out by failed sign-ins right now (``locked_until`` still ahead)."""
        return self.locked_until is not None and self.locked_until > datetime.now(UTC)


class UserSession(Base):
    """A server-side session. The cookie holds a random token; we keep its SHA-256."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_id", "user_id"),
        Index("ix_sessions_expires_at", "expires_at"),
        {"schema": "identity"},
    )

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="CASCADE")
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))


class LoginAttempt(Base):
    """Login attempts that carry information, for audit and the failed-login limits: each
    verified attempt (success, wrong password, wrong current password) and each operator
    unlock. Attempts refused before verification are counted in metrics, not stored."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_at", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip_address", "attempted_at"),
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        {"schema": "identity"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("identity.users.id", ondelete="SET NULL")
    )
    ip_address: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    attempted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
