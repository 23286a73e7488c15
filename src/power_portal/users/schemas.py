"""What the user administration routes take: a new user, changes, a password reset."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from power_portal.auth.models import Role
from power_portal.auth.schemas import Password
from power_portal.core.emails import normalise_email
from power_portal.core.request_checks import StorableText
from power_portal.core.schemas import Name, RequestBody

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _normalise_email(value: str) -> str:
    """One spelling per address (``core.emails``: NFKC, lower case, no invisible characters),
    shaped like one: a local part, one ``@``, a domain."""
    value = normalise_email(value)
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address like name@example.com")
    return value


Email = Annotated[
    str, StringConstraints(max_length=320), AfterValidator(_normalise_email), StorableText
]


class UserCreate(RequestBody):
    email: Email
    name: Name
    password: Password
    role: Role = Role.VIEWER
    tenant_id: int | None = Field(
        default=None, ge=1, description="role tenant only (required there): the user's tenant"
    )


class UserUpdate(RequestBody):
    """Fields to change; absent fields stay as they are."""

    name: Name | None = None
    role: Role | None = None
    tenant_id: int | None = Field(
        default=None, ge=1, description="with role tenant: the user's tenant"
    )
    is_active: bool | None = None


class PasswordReset(RequestBody):
    password: Password
