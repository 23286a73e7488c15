"""What the reports API takes and gives (docs/api/reports.md)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import RefId, StorableText, SupportedMonth, SupportedWeek
from power_portal.core.schemas import RequestBody
from power_portal.users.schemas import Email

PeriodKind = Literal["month", "week"]
Cadence = Literal["monthly", "weekly"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Content = Literal["report", "bill", "bill_xlsx", "tenant_bills", "reconciliation_xlsx"]
Trigger = Literal["schedule", "manual"]
DeliveryStatus = Literal["pending", "sent", "dead"]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
WEEK_PATTERN = r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"


# ---------------------------------------------------------------- the site report


class PeriodEnergy(BaseModel):
    """One time-of-use period of the bill: its energy and energy charges (before VAT)."""

    season: str | None
    period: str | None
    energy_kwh: float
    amount: float


class PeakDemand(BaseModel):
    value: float
    unit: Literal["kW", "kVA"]
    at: datetime = Field(description="start of the 30-minute window, site time")


class PowerFactor(BaseModel):
    average: float | None
    minimum: float | None = Field(description="the lowest 15-minute average")


class ReportDay(BaseModel):
    date: date
    energy_kwh: float
    cost: float | None = Field(description="energy charges before VAT; null without a tariff")


class Comparison(BaseModel):
    label: str = Field(examples=["Previous month", "Same month last year"])
    start: date
    end: date
    energy_import_kwh: float | None
    total: float | None = Field(description="incl. VAT; null without a tariff or no data")
    peak_demand: float | None
    energy_change_percent: float | None = Field(
        description="this period's import against that one's, in percent"
    )


class Gap(BaseModel):
    device_id: int
    device_name: str
    start: datetime
    end: datetime


class Completeness(BaseModel):
    percent: float | None = Field(description="null when no bucket was expected")
    expected_buckets: int
    present_buckets: int
    gaps: list[Gap] = Field(description="every stretch of an hour or more without readings")


class ReportAlert(BaseModel):
    id: int
    severity: str
    rule_name: str
    subject_name: str
    fired_at: datetime
    resolved_at: datetime | None
    message: str


class SiteReport(BaseModel):
    site_id: int
    site_name: str
    timezone: str
    currency: str | None = Field(description="null without a tariff")
    period: PeriodKind
    label: str = Field(examples=["2026-11", "2026-W45"])
    start: date
    end: date
    energy_import_kwh: float
    energy_export_kwh: float
    subtotal: float | None
    vat: float | None
    total: float | None
    no_cost_reason: str | None = Field(description="why the money fields are null")
    by_period: list[PeriodEnergy]
    peak_demand: PeakDemand | None
    power_factor: PowerFactor
    days: list[ReportDay]
    comparisons: list[Comparison]
    completeness: Completeness
    alerts: list[ReportAlert]


# ---------------------------------------------------------------- schedules

Recipient = Email
ScheduleName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), StorableText
]


class ScheduleFields(RequestBody):
    name: ScheduleName
    site_id: RefId
    tenant_id: RefId | None = None
    cadence: Cadence = "monthly"
    day_of_month: Annotated[int, Field(ge=1, le=28)] | None = Field(
        default=None, description="monthly: 1-28"
    )
    weekday: Weekday | None = Field(default=None, description="weekly")
    local_time: time = Field(default=time(7, 0), description="site time, HH:MM")
    contents: Annotated[list[Content], Field(min_length=1, max_length=5)]
    recipients: Annotated[list[Recipient], Field(min_length=1, max_length=20)]
    enabled: bool = True


class ScheduleCreate(ScheduleFields):
    pass


class ScheduleUpdate(RequestBody):
    name: ScheduleName | None = None
    cadence: Cadence | None = None
    day_of_month: Annotated[int, Field(ge=1, le=28)] | None = None
    weekday: Weekday | None = None
    local_time: time | None = None
    contents: Annotated[list[Content], Field(min_length=1, max_length=5)] | None = None
    recipients: Annotated[list[Recipient], Field(min_length=1, max_length=20)] | None = None
    enabled: bool | None = None


class ScheduleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    site_id: int
    tenant_id: int | None
    cadence: Cadence
    day_of_month: int | None
    weekday: Weekday | None
    local_time: time
    contents: list[Content]
    recipients: list[str]
    enabled: bool
    created_at: datetime
    next_due_at: datetime | None = Field(description="when the next run is due (site time)")
    last_run_at: datetime | None


class SendNow(RequestBody):
    month: Annotated[str, Field(pattern=MONTH_PATTERN), SupportedMonth] | None = None
    week: Annotated[str, Field(pattern=WEEK_PATTERN), SupportedWeek] | None = None


class RunFile(BaseModel):
    id: int
    filename: str
    media_type: str
    size_bytes: int


class RunDelivery(BaseModel):
    recipient: str
    status: DeliveryStatus
    attempts: int
    sent_at: datetime | None
    last_error: str | None


class RunRead(BaseModel):
    id: int
    schedule_id: int | None
    schedule_name: str | None
    site_id: int
    site_name: str
    tenant_id: int | None
    period: PeriodKind
    label: str
    start: date
    end: date
    trigger: Trigger
    requested_by: str | None = Field(description="who pressed send now (e-mail)")
    created_at: datetime
    notes: list[str] = Field(description="documents left out, and why")
    files: list[RunFile]
    deliveries: list[RunDelivery]
