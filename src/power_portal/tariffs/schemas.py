"""The tariff document of API-CONTRACT "Tariffs and bills".

Shape checks live here (types, ranges, names); the consistency rules (every
minute of every day covered exactly once, rates for every season/period,
months covered once, versions not overlapping) live in ``validator.py`` so
their messages can name season, day and minute.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from power_portal.core.request_checks import StorableText
from power_portal.core.schemas import RequestBody, Timezone

_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


class Day(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


DAYS: tuple[Day, ...] = tuple(Day)


def _wall_time(value: str) -> str:
    if not _TIME.fullmatch(value):
        raise ValueError("must be a local time HH:MM between 00:00 and 24:00")
    return value


def minutes_of(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


WallTime = Annotated[str, AfterValidator(_wall_time)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), StorableText
]
# Bounded so that a bill (rate times energy up to 1e12) stays a finite number.
MAX_MONEY = 1e9
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]


class HolidayOverride(RequestBody):
    date: date
    treat_as: Day | None = Field(
        default=None, description="bill this date as this day type; null: an ordinary day"
    )


class PublicHolidays(RequestBody):
    calendar: Annotated[str, StringConstraints(min_length=2, max_length=10), StorableText] = Field(
        description="a country code of the `holidays` library, e.g. ZA"
    )
    treat_as: Literal[Day.SAT, Day.SUN] = Day.SUN
    overrides: list[HolidayOverride] = []


class Season(RequestBody):
    name: Name
    months: list[Annotated[int, Field(ge=1, le=12)]] = Field(min_length=1)


class Period(RequestBody):
    """A time-of-use window: on ``days`` of ``season``, from ``start`` to ``end`` (may wrap)."""

    name: Name
    season: Name
    days: list[Day] = Field(min_length=1)
    start: WallTime
    end: WallTime


class EnergyBlock(RequestBody):
    up_to_kwh: Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)] | None = Field(
        description="upper edge of this block per month (kWh); null for the last block"
    )
    rate: Money


class EnergyRate(RequestBody):
    season: Name
    period: Name
    rate: Money = Field(description="per kWh, before VAT; the first block's rate with blocks")
    blocks: list[EnergyBlock] | None = Field(
        default=None,
        description="inclining blocks per calendar month (pro rata for part months)",
    )


class FixedCharge(RequestBody):
    name: Name
    amount: Money
    per: Literal["day", "month"]


class DemandCharge(RequestBody):
    name: Name
    rate: Money
    unit: Literal["kVA", "kW"]
    periods: list[Name] = Field(min_length=1)
    season: Name | None = None


class ReactiveCharge(RequestBody):
    name: Name = "Reactive energy"
    rate: Money = Field(description="per kvarh above the free share")
    free_share: Annotated[float, Field(ge=0, le=10)] = Field(
        default=0.3, description="kvarh up to this share of kWh in a month are free"
    )


class TariffVersion(RequestBody):
    effective_from: date
    effective_to: date | None = None
    vat_percent: Annotated[float, Field(ge=0, le=100)]
    seasons: list[Season] = Field(min_length=1)
    periods: list[Period] = Field(min_length=1)
    energy_rates: list[EnergyRate] = Field(min_length=1)
    fixed_charges: list[FixedCharge] = []
    demand_charges: list[DemandCharge] = []
    reactive_charge: ReactiveCharge | None = None


class TariffIn(RequestBody):
    name: Name
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    timezone: Timezone
    public_holidays: PublicHolidays | None = None
    versions: list[TariffVersion] = Field(min_length=1)


class TariffRead(TariffIn):
    # A stored tariff: ``TariffRead.model_validate(tariff_row)`` (versions' JSON read as fields).
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime


class TariffSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    currency: str
    timezone: str
    version_count: int
    site_count: int


class ValidationReport(BaseModel):
    valid: bool
    problems: list[dict[str, object]]


class BillLine(BaseModel):
    kind: Literal["energy", "demand", "fixed", "reactive"]
    description: str
    season: str | None = None
    period: str | None = None
    quantity: float
    unit: str
    rate: float
    amount: float
    version_from: date
    month: str | None = Field(default=None, description="YYYY-MM for monthly lines")


class Bill(BaseModel):
    currency: str
    timezone: str
    start: date
    end: date
    lines: list[BillLine]
    subtotal: float
    vat: float
    total: float
    energy_kwh: float = Field(description="all energy on the bill, for a quick check")
