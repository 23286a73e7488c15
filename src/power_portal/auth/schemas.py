"""What the sign-in routes take and answer: credentials, your own account, password change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from power_portal.auth.models import Role
from power_portal.core.request_checks import StorableText

MAX_PASSWORD_LENGTH = 256
# Length beyond the maximum is refused to keep hashing cheap; the minimum is a setting.
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class LoginRequest(BaseModel):
    # Deliberately loose: a malformed e-mail is just wrong credentials, not a hint.
    email: Annotated[str, StringConstraints(min_length=1, max_length=320), StorableText]
    password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class LoggedOutEverywhere(BaseModel):
    sessions_ended: int


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    tenant_id: int | None = None  # role ``tenant`` only: the tenant whose meters it sees
    is_active: bool
    is_locked: bool = False
    locked_until: datetime | None
    failed_attempts: int
    last_login_at: datetime | None
    created_at: datetime


class PasswordChange(BaseModel):
    current_password: Password
    new_password: Password
