"""The fleet protocol's items and results, and the admin and client read schemas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import RefId, StorableText
from power_portal.core.schemas import RequestBody, Timezone


class _Read(BaseModel):
    """A read schema: built from an ORM row (``model_validate(row)``)."""

    model_config = ConfigDict(from_attributes=True)


class BatchType(StrEnum):
    SITES = "sites"
    DEVICES = "devices"
    MEASUREMENTS = "measurements"


class FleetIngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int


class SiteItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: RefId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200), StorableText]
    timezone: Timezone
    utility: Annotated[str, StringConstraints(max_length=200), StorableText] | None = None


# What a meter is in its site's metering tree (see docs/api/metering-tree.md).
DeviceRole = Literal["supply", "generation", "submeter"]


class DeviceItem(BaseModel):
    """A device as a customer stack pushes it. ``parent_id`` and ``role`` (the metering
    tree) came later: a client that does not send them pushes plain sub-meters."""

    model_config = ConfigDict(extra="ignore")

    id: RefId
    site_id: RefId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200), StorableText]
    serial: Annotated[str, StringConstraints(min_length=1, max_length=100), StorableText]
    model: Annotated[str, StringConstraints(max_length=100), StorableText] | None = None
    parent_id: RefId | None = None
    role: DeviceRole = "submeter"


CustomerCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")
]


def customer_slug(code: str) -> str:
    """The code as a host name and compose project name (``CUSTOMER_SLUG``): lower case,
    ``_`` as ``-`` (``Acme_Plant_3`` → ``acme-plant-3``). deploy/new-customer.sh derives
    it the same way (tests/unit/test_deploy_compose.py holds them together)."""
    return code.lower().replace("_", "-")


class CustomerCreate(RequestBody):
    code: CustomerCode = Field(
        description="2-40 letters, digits, '-' and '_', any case (DEV0001, Acme_Plant_3): "
        "unique whatever its case, looked up whatever its case"
    )
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), StorableText
    ]


TokenUsed = Literal["current", "previous"]


class CustomerRead(_Read):
    id: int
    code: str
    slug: str = Field(description="the code as a host name: lower case, '_' as '-'")
    name: str
    active: bool
    token_last_used_at: datetime | None = Field(
        None, description="when the current token last pushed a batch"
    )
    token_rotated_at: datetime | None = None
    previous_token_expires_at: datetime | None = Field(
        None,
        description="until when the token a rotation replaced is still accepted (null: "
        "there is none; in the past: refused since then)",
    )
    previous_token_accepted: bool = Field(
        False, description="whether the replaced token is accepted now (in its grace)"
    )
    previous_token_last_used_at: datetime | None = Field(
        None, description="when the replaced token last pushed a batch"
    )
    last_token_used: TokenUsed | None = Field(
        None, description="which token the customer's latest accepted batch came with"
    )
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    created_at: datetime
    site_count: int = 0
    device_count: int = 0
    rows_last_24h: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None


class CustomerWithToken(CustomerRead):
    token: str = Field(description="shown this once; the admin stack keeps only its SHA-256")


class IngestEventRead(_Read):
    id: int
    batch_type: str
    status_code: int
    accepted: int
    duplicates: int
    rejected: int
    bytes: int
    client_cursor: str | None
    earliest: datetime | None
    latest: datetime | None
    error: str | None
    received_at: datetime


class FleetDeviceRead(_Read):
    id: int
    site_id: int
    name: str
    serial: str
    model: str | None
    parent_id: int | None = None
    role: str = "submeter"
    last_reading_at: datetime | None = None


class FleetSiteRead(_Read):
    id: int
    name: str
    timezone: str
    utility: str | None
    devices: list[FleetDeviceRead] = []


class PushStateRead(_Read):
    resource: str
    cursor: str | None
    batch_size: int
    consecutive_failures: int
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    rows_pushed: int
