"""Request and read schemas of sites, devices and device tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from power_portal.core.request_checks import RefId, StorableText
from power_portal.core.schemas import Name, Timezone

OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), StorableText
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), StorableText]
Serial = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$"
    ),
]


class SiteCreate(BaseModel):
    name: Name
    timezone: Timezone
    utility: OptionalText | None = None
    address: OptionalText | None = None
    tariff_id: RefId | None = None


class SiteUpdate(BaseModel):
    name: Name | None = None
    timezone: Timezone | None = None
    utility: OptionalText | None = None
    address: OptionalText | None = None
    tariff_id: RefId | None = None


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    utility: str | None
    address: str | None
    tariff_id: int | None
    device_count: int = 0
    created_at: datetime


class DeviceCreate(BaseModel):
    name: Name
    serial: Serial
    model: ShortText | None = None


class DeviceUpdate(BaseModel):
    name: Name | None = None
    serial: Serial | None = None
    model: ShortText | None = None
    site_id: RefId | None = None


class DeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    name: str
    serial: str
    model: str | None
    created_at: datetime
    last_reading_at: datetime | None = None


class DeviceTokenCreate(BaseModel):
    label: ShortText | None = None


class DeviceTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_id: int
    prefix: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class DeviceTokenIssued(DeviceTokenRead):
    token: str


@dataclass(frozen=True)
class SeriesQuery:
    """What a series request asks for, already checked: known fields, a sane span."""

    start: datetime
    end: datetime
    fields: tuple[str, ...]
    max_points: int
