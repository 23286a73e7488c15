from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from power_portal.request_checks import StorableText
from power_portal.users.models import Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_PASSWORD_LENGTH = 256


def _normalise_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address like name@example.com")
    return value


Email = Annotated[
    str, StringConstraints(max_length=320), AfterValidator(_normalise_email), StorableText
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), StorableText
]
# Length beyond the maximum is refused to keep hashing cheap; the minimum is a setting.
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    is_locked: bool = False
    locked_until: datetime | None
    failed_attempts: int
    last_login_at: datetime | None
    created_at: datetime


class UserCreate(BaseModel):
    email: Email
    name: Name
    password: Password
    role: Role = Role.VIEWER


class UserUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None


class PasswordReset(BaseModel):
    password: Password


class PasswordChange(BaseModel):
    current_password: Password
    new_password: Password


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(examples=[["body", "email"]])
    msg: str
    type: str


class ProblemDetail(BaseModel):
    detail: str | list[FieldProblem]
