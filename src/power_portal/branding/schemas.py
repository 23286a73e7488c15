"""What the brand routes take and answer, and the default brand."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import StorableText
from power_portal.core.schemas import RequestBody

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+$")
_URL = re.compile(r"^https?://[^\s<>\"'\x00]+$")


def _color(value: str) -> str:
    if not _COLOR.fullmatch(value):
        raise ValueError("must be a colour like #1677ff")
    return value.lower()


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address like support@example.com")
    return value


def _url(value: str) -> str:
    if not _URL.fullmatch(value):
        raise ValueError("must be an http(s) URL like https://example.com/support")
    return value


Color = Annotated[str, AfterValidator(_color)]

DEFAULTS = {
    "product_name": "Power Portal",
    "primary_color": "#1677ff",
    "secondary_color": "#13c2c2",
    "theme": "light",
    "tagline": "Energy you can see, costs you can trust.",
    "support_email": None,
    "support_url": None,
}


class BrandingUpdate(RequestBody):
    product_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), StorableText
    ]
    primary_color: Color
    secondary_color: Color
    theme: Literal["light", "dark"] = "light"
    tagline: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), StorableText]
        | None
    ) = None
    support_email: (
        Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)] | None
    ) = None
    support_url: Annotated[str, StringConstraints(max_length=500), AfterValidator(_url)] | None = (
        None
    )


class BrandingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_name: str
    primary_color: str
    secondary_color: str
    theme: Literal["light", "dark"]
    tagline: str | None
    support_email: str | None
    support_url: str | None
    logo_url: str | None = Field(description="absent until a logo is uploaded")
    favicon_url: str | None
