from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from power_portal.request_checks import StorableText
from power_portal.users.schemas import MAX_PASSWORD_LENGTH


class LoginRequest(BaseModel):
    # Deliberately loose: a malformed e-mail is just wrong credentials, not a hint.
    email: Annotated[str, StringConstraints(min_length=1, max_length=320), StorableText]
    password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class LoggedOutEverywhere(BaseModel):
    sessions_ended: int
