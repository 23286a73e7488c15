"""What the sign-in routes take and answer: credentials, your own account, password change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from power_portal.auth.models import Role
from power_portal.core.emails import normalise_email
from power_portal.core.request_checks import StorableText
from power_portal.core.schemas import RequestBody

MAX_PASSWORD_LENGTH = 256
# Length beyond the maximum is refused to keep hashing cheap; the minimum is a setting.
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class LoginRequest(RequestBody):
    # Deliberately loose: a malformed e-mail is just wrong credentials, not a hint. Spelled
    # as accounts are (NFKC, lower case); an invisible character is refused (422 on email).
    email: Annotated[
        str,
        StringConstraints(min_length=1, max_length=320),
        StorableText,
        AfterValidator(normalise_email),
    ]
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


class PasswordChange(RequestBody):
    current_password: Password
    new_password: Password
