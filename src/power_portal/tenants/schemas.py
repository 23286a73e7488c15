"""Request and read schemas of tenants, their meters over time, their bills and the
reconciliation (docs/api/tenants.md).

Shapes and ranges are checked here (422 naming the field); what needs the database (a tariff
that exists, a meter of the tenant's site, overlapping assignments) is checked by the service,
whose 422 names the field the same way (``rule.tariff_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import RefId, StorableText, SupportedDatetime
from power_portal.core.schemas import Name, RequestBody
from power_portal.users.schemas import Email

RuleKind = Literal["own_tariff", "pass_through"]
Apportion = Literal["energy", "coincident_demand", "fixed_shares"]
MeterKind = Literal["device", "virtual_meter"]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), StorableText]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class Month:
    """A calendar month: its label (``YYYY-MM``) and local dates ``[first, following)``."""

    label: str
    first: date
    following: date


class Rule(RequestBody):
    """How a tenant is recharged (docs/api/tenants.md, "The recharge rule")."""

    model_config = ConfigDict(from_attributes=True)

    kind: RuleKind
    tariff_id: RefId | None = Field(default=None, description="own_tariff only; required there")
    apportion: Apportion | None = Field(
        default=None, description="pass_through only (default: energy)"
    )
    fixed_share_percent: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        default=None, description="fixed_shares only, 0-100"
    )
    markup_percent: Money = 0.0
    markup_cap: Money | None = Field(default=None, description="null: no cap")
    admin_fee: Money = 0.0


class TenantWrite(RequestBody):
    """The body of a create."""

    name: Name
    reference: Reference | None = None
    contact_email: Email | None = None
    rule: Rule


class TenantUpdate(RequestBody):
    """The body of a ``PATCH``: the fields given change; ``rule`` is replaced whole."""

    name: Name | None = None
    reference: Reference | None = None
    contact_email: Email | None = None
    rule: Rule | None = None


class TenantRead(BaseModel):
    id: int
    site_id: int
    name: str
    reference: str | None
    contact_email: str | None
    rule: Rule
    created_at: datetime
    updated_at: datetime


class AssignmentWrite(RequestBody):
    """A meter of the tenant's site held from ``start`` (inclusive) to ``end`` (exclusive;
    null: still held). Exactly one of ``device_id`` / ``virtual_meter_id``."""

    device_id: RefId | None = None
    virtual_meter_id: RefId | None = None
    start: SupportedDatetime
    end: SupportedDatetime | None = None


class AssignmentUpdate(RequestBody):
    """The body of a ``PATCH``: the instants given change (``"end": null`` reopens it)."""

    start: SupportedDatetime | None = None
    end: SupportedDatetime | None = None


class AssignmentRead(BaseModel):
    id: int
    tenant_id: int
    kind: MeterKind
    device_id: int | None
    virtual_meter_id: int | None
    meter_name: str
    start: datetime = Field(description="in the site's time zone")
    end: datetime | None = Field(description="exclusive; null: still held")
    created_at: datetime


class TenantWithMeters(TenantRead):
    """A tenant user's own tenant (``GET /api/me/tenant``) with its meters, newest first."""

    meters: list[AssignmentRead]


class TenantBillMeter(BaseModel):
    """One meter's part of a bill: the instants it counts from and to, its import register
    there (interpolated; null for a virtual meter) and its energy."""

    model_config = ConfigDict(populate_by_name=True)

    kind: MeterKind
    id: int
    name: str
    from_: datetime = Field(alias="from")
    to: datetime
    opening_kwh: float | None
    closing_kwh: float | None
    energy_kwh: float


class TenantBillLine(BaseModel):
    """A site bill's line, or the mark-up or the admin fee."""

    kind: Literal["energy", "demand", "fixed", "reactive", "markup", "admin_fee"]
    description: str
    season: str | None = None
    period: str | None = None
    quantity: float
    unit: str
    rate: float
    amount: float
    month: str | None = None


class TenantBill(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    tenant_id: int
    tenant_name: str
    site_id: int
    month: str = Field(examples=["2026-06"])
    currency: str
    start: date
    end: date
    meters: list[TenantBillMeter]
    lines: list[TenantBillLine]
    subtotal: float
    vat: float
    total: float
    energy_kwh: float


class ReconciliationUtility(BaseModel):
    energy_kwh: float
    subtotal: float
    total: float


class ReconciliationTenant(BaseModel):
    tenant_id: int
    name: str
    energy_kwh: float
    recovered_subtotal: float
    recovered_total: float


class CommonMeter(BaseModel):
    kind: MeterKind
    id: int
    name: str


class CommonAreas(BaseModel):
    energy_kwh: float
    cost: float
    meters: list[CommonMeter]


class Generation(BaseModel):
    """On-site generation (the site's generation meters, e.g. solar): energy the tenants and
    common areas used that the utility did not supply."""

    energy_kwh: float
    meters: list[CommonMeter]


class Unmetered(BaseModel):
    energy_kwh: float
    cost: float


class LandlordShare(BaseModel):
    cost: float


class Reconciliation(BaseModel):
    site_id: int
    month: str
    currency: str
    utility: ReconciliationUtility
    tenants: list[ReconciliationTenant]
    common_areas: CommonAreas
    generation: Generation
    unmetered: Unmetered
    landlord_share: LandlordShare
    recovered_subtotal: float
    recovery_percent: float | None = Field(description="null when the utility bill is zero")
    difference: float = Field(description="the utility subtotal minus the recovered subtotal")
