"""Request and read schemas of sites, devices, device tokens and the metering tree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import RefId, StorableText
from power_portal.core.schemas import Name, RequestBody, Timezone
from power_portal.sites.tree import Role

OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), StorableText
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), StorableText]
DiscrepancyPercent = Annotated[
    float,
    Field(
        gt=0,
        le=1000,
        description="a day on which a parent's children add up to more than the parent by "
        "over this share (percent) is a metering discrepancy",
    ),
]
Metering = Literal["supply_points", "all_devices"]
ParentId = Annotated[
    RefId, Field(description="the device directly upstream, on the same site (null: a root)")
]
Serial = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$"
    ),
]


class SiteCreate(RequestBody):
    name: Name
    timezone: Timezone
    utility: OptionalText | None = None
    address: OptionalText | None = None
    tariff_id: RefId | None = None
    discrepancy_percent: DiscrepancyPercent = 5.0


class SiteUpdate(RequestBody):
    name: Name | None = None
    timezone: Timezone | None = None
    utility: OptionalText | None = None
    address: OptionalText | None = None
    tariff_id: RefId | None = None
    discrepancy_percent: DiscrepancyPercent | None = None


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    utility: str | None
    address: str | None
    tariff_id: int | None
    discrepancy_percent: float
    metering: Metering = Field(
        "all_devices",
        description="supply_points: site figures are its supply devices'; all_devices: the "
        "site has no supply device, site figures add up all its devices",
    )
    device_count: int = 0
    created_at: datetime


class DeviceCreate(RequestBody):
    name: Name
    serial: Serial
    model: ShortText | None = None
    parent_id: ParentId | None = None
    role: Role = "submeter"


class DeviceUpdate(RequestBody):
    name: Name | None = None
    serial: Serial | None = None
    model: ShortText | None = None
    site_id: RefId | None = Field(
        None, description="move to another site: clears parent_id unless it is given too"
    )
    parent_id: ParentId | None = None
    role: Role | None = None


class DeviceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    name: str
    serial: str
    model: str | None
    parent_id: int | None = None
    role: Role = "submeter"
    created_at: datetime
    last_reading_at: datetime | None = None


class DeviceTokenCreate(RequestBody):
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


# ---------------------------------------------------------------- the metering tree


class TreeNode(BaseModel):
    id: int
    name: str
    role: Role
    parent_id: int | None
    depth: int
    energy_import_kwh: float | None = Field(description="null: no data in the span")
    energy_export_kwh: float | None
    children_import_kwh: float | None = Field(
        description="Σ submeter children - Σ generation children; null for a leaf"
    )
    remainder_kwh: float | None = Field(
        description="unmetered / losses: energy_import_kwh - children_import_kwh (not clipped)"
    )
    remainder_percent: float | None
    has_supply_above: bool


class DeviceRef(BaseModel):
    id: int
    name: str


class DiscrepancyWarning(BaseModel):
    parent_id: int
    parent_name: str
    children: list[DeviceRef]
    days: int
    first_day: date
    last_day: date
    parent_kwh: float
    children_kwh: float = Field(description="Σ submeter - Σ generation children on those days")
    excess_percent: float | None = Field(description="null when the parent had no energy")
    message: str


class MeteringTree(BaseModel):
    timezone: str
    start: date
    end: date
    metering: Metering
    site_energy_import_kwh: float | None
    nodes: list[TreeNode]
    discrepancies: list[DiscrepancyWarning]
