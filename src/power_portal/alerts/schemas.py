"""Request and read schemas of alerts, rules, notifications and channels (docs/api/alerts.md).

Shapes and ranges are checked here; a rule's ``params`` are checked against its kind's model
by the service (``params_for``), whose 422 names the field (``params.threshold``); what
needs the database (a subject that exists, a tariff on the site) is checked by the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from power_portal.core.request_checks import RefId, StorableText
from power_portal.core.schemas import Name, RequestBody
from power_portal.users.schemas import Email

Severity = Literal["info", "warning", "critical"]
Kind = Literal[
    "offline",
    "gap",
    "demand_above",
    "peak_exceeding",
    "power_factor_below",
    "voltage_band",
    "phase_unbalance",
    "daily_energy_above_baseline",
    "out_of_hours_load",
]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SubjectKind = Literal["site", "device", "virtual_meter"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), StorableText]
ALL_SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")


class WindowIn(RequestBody):
    """Some days of the week from ``start`` to ``end`` (local, ``24:00`` for midnight)."""

    days: list[Day] = Field(min_length=1, max_length=7)
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> WindowIn:
        if self.start == "24:00":
            raise ValueError("start must be before 24:00")
        if self.end <= self.start:
            raise ValueError("end must be after start (use 24:00 for midnight)")
        return self


class Windows(RequestBody):
    """Weekly windows in the site's local time (quiet hours, working hours)."""

    timezone: Literal["site"] = "site"
    windows: list[WindowIn] = Field(min_length=1, max_length=50)


# ---------------------------------------------------------------- parameters per kind


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfflineParams(_Params):
    minutes: int = Field(ge=5, le=10080)


class GapParams(_Params):
    minutes: int = Field(default=60, ge=1, le=10080)


class DemandAboveParams(_Params):
    unit: Literal["kva", "kw", "auto"] = "auto"
    threshold: Positive
    clear_below: NonNegative | None = None

    @model_validator(mode="after")
    def _hysteresis(self) -> DemandAboveParams:
        if self.clear_below is not None and self.clear_below > self.threshold:
            raise ValueError("clear_below must not be above threshold")
        return self


class PeakExceedingParams(_Params):
    margin_percent: float = Field(default=5.0, ge=0, le=50, allow_inf_nan=False)


class PowerFactorBelowParams(_Params):
    threshold: float = Field(gt=0, le=1, allow_inf_nan=False)
    clear_above: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    over_minutes: int = Field(default=60, ge=15, le=1440)

    @model_validator(mode="after")
    def _hysteresis(self) -> PowerFactorBelowParams:
        if self.clear_above is not None and self.clear_above < self.threshold:
            raise ValueError("clear_above must not be below threshold")
        return self


class VoltageBandParams(_Params):
    low_v: Positive
    high_v: Positive
    hysteresis_v: NonNegative = 2.0

    @model_validator(mode="after")
    def _band(self) -> VoltageBandParams:
        if self.high_v <= self.low_v:
            raise ValueError("high_v must be above low_v")
        return self


class PhaseUnbalanceParams(_Params):
    threshold_percent: float = Field(gt=0, le=100, allow_inf_nan=False)
    clear_below_percent: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    of: Literal["voltage", "current"] = "voltage"

    @model_validator(mode="after")
    def _hysteresis(self) -> PhaseUnbalanceParams:
        if self.clear_below_percent is not None and self.clear_below_percent > (
            self.threshold_percent
        ):
            raise ValueError("clear_below_percent must not be above threshold_percent")
        return self


class DailyEnergyAboveBaselineParams(_Params):
    percent: float = Field(default=30.0, gt=0, le=1000, allow_inf_nan=False)
    weeks: int = Field(default=4, ge=2, le=8)


class OutOfHoursLoadParams(_Params):
    schedule: Windows
    threshold_kw: Positive
    clear_below_kw: NonNegative | None = None

    @model_validator(mode="after")
    def _hysteresis(self) -> OutOfHoursLoadParams:
        if self.clear_below_kw is not None and self.clear_below_kw > self.threshold_kw:
            raise ValueError("clear_below_kw must not be above threshold_kw")
        return self


PARAMS: dict[str, type[_Params]] = {
    "offline": OfflineParams,
    "gap": GapParams,
    "demand_above": DemandAboveParams,
    "peak_exceeding": PeakExceedingParams,
    "power_factor_below": PowerFactorBelowParams,
    "voltage_band": VoltageBandParams,
    "phase_unbalance": PhaseUnbalanceParams,
    "daily_energy_above_baseline": DailyEnergyAboveBaselineParams,
    "out_of_hours_load": OutOfHoursLoadParams,
}


# ---------------------------------------------------------------- rules


class RuleWrite(RequestBody):
    """A rule's body (create, and the backtest's rule)."""

    name: Name
    site_id: RefId | None = None
    device_id: RefId | None = None
    virtual_meter_id: RefId | None = None
    kind: Kind
    severity: Severity = "warning"
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict, description="per kind: see the docs")
    for_minutes: int = Field(default=0, ge=0, le=1440)
    quiet_hours: Windows | None = None


class RuleUpdate(RequestBody):
    """A partial update: the fields given replace the rule's (the subject stays)."""

    name: Name | None = None
    severity: Severity | None = None
    enabled: bool | None = None
    params: dict[str, Any] | None = None
    for_minutes: int | None = Field(default=None, ge=0, le=1440)
    quiet_hours: Windows | None = None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    site_id: int | None
    device_id: int | None
    virtual_meter_id: int | None
    kind: Kind
    severity: Severity
    enabled: bool
    params: dict[str, Any]
    for_minutes: int
    quiet_hours: Windows | None
    created_at: datetime
    updated_at: datetime
    firing: int = Field(default=0, description="alerts of this rule firing now")
    subject_name: str = Field(
        default="", description="the site's, device's or virtual meter's name"
    )


class BacktestRequest(RequestBody):
    rule: RuleWrite
    days: int = Field(default=30, ge=1, le=90)


class Episode(BaseModel):
    started_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    peak_value: float | None
    subject_name: str


class BacktestSeries(BaseModel):
    times: list[datetime]
    values: list[float | None]
    threshold: float | None
    clear: float | None
    unit: str | None


class BacktestResult(BaseModel):
    fired: int
    episodes: list[Episode]
    series: BacktestSeries


# ---------------------------------------------------------------- alerts


class Subject(BaseModel):
    kind: SubjectKind
    id: int
    name: str


class Acknowledgement(BaseModel):
    by_user_id: int | None
    by_name: str
    at: datetime
    note: str | None


class AlertRead(BaseModel):
    id: int
    rule_id: int | None
    rule_name: str
    kind: Kind
    severity: Severity
    subject: Subject
    site_id: int | None
    state: Literal["firing", "resolved"]
    value: float | None
    threshold: float | None
    unit: str | None
    message: str
    started_at: datetime
    fired_at: datetime
    resolved_at: datetime | None
    acknowledged: Acknowledgement | None


class AlertEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    at: datetime
    from_state: str = Field(serialization_alias="from")
    to_state: str = Field(serialization_alias="to")
    value: float | None
    message: str


class AlertDetail(AlertRead):
    events: list[AlertEventRead]


class AlertSummary(BaseModel):
    firing: int = Field(description="firing and not acknowledged: the header badge")
    acknowledged: int
    by_severity: dict[Severity, int]


class AcknowledgeRequest(RequestBody):
    note: Note | None = None


AlertStateFilter = Literal["firing", "acknowledged", "resolved"]


class AlertFilters(BaseModel):
    """The list's query (the router builds it from the query string)."""

    state: AlertStateFilter | None = None
    site_id: int | None = None
    severity: Severity | None = None
    rule_id: int | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    before: int | None = None
    limit: int = 100


# ---------------------------------------------------------------- notifications


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Literal["email", "webhook"]
    recipient: str
    alert_id: int | None
    event: str
    status: Literal["pending", "sent", "dead"]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None


class PreferencesWrite(RequestBody):
    email: bool = True
    severities: list[Severity] = Field(
        default_factory=lambda: list[Severity](("warning", "critical"))
    )
    site_ids: list[RefId] | None = Field(default=None, description="null: every site")


class PreferencesRead(PreferencesWrite):
    pass


# ---------------------------------------------------------------- channels

SmtpSecurityName = Literal["starttls", "tls", "none"]
Host = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), StorableText
]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=500), StorableText]


class SmtpWrite(RequestBody):
    host: Host
    port: int = Field(default=587, ge=1, le=65535)
    security: SmtpSecurityName = "starttls"
    username: Annotated[str, StringConstraints(max_length=320), StorableText] | None = None
    password: Secret | None = Field(
        default=None, description="write-only; omit or null to keep the stored one"
    )
    clear_password: bool = Field(default=False, description="true: forget the stored password")
    from_address: Email
    from_name: Name | None = None


class SmtpRead(BaseModel):
    source: Literal["environment", "app", "none"]
    host: str | None
    port: int
    security: SmtpSecurityName
    username: str | None
    password_set: bool
    from_address: str | None
    from_name: str | None


class SmtpTestRequest(RequestBody):
    to: Email


class TestResult(BaseModel):
    ok: bool
    detail: str
    status: int | None = None


WebhookUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000), StorableText
]


class WebhookWrite(RequestBody):
    name: Name
    url: WebhookUrl
    severities: list[Severity] = Field(
        default_factory=lambda: list[Severity](ALL_SEVERITIES), min_length=1, max_length=3
    )
    enabled: bool = True


class WebhookUpdate(RequestBody):
    name: Name | None = None
    url: WebhookUrl | None = None
    severities: list[Severity] | None = Field(default=None, min_length=1, max_length=3)
    enabled: bool | None = None


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    url: str
    severities: list[Severity]
    enabled: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="shown once: sign-check deliveries with it")


class Channels(BaseModel):
    smtp: SmtpRead
    webhooks: list[WebhookRead]
