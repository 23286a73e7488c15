"""What the cost routes answer (the bill itself is the calculator's ``tariffs.schemas.Bill``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class PeriodCost(BaseModel):
    season: str
    period: str
    energy_kwh: float
    cost: float


class DailyCost(BaseModel):
    date: date
    energy_kwh: float
    cost: float = Field(description="energy charges before VAT")
    by_period: list[PeriodCost]


class DailyCosts(BaseModel):
    currency: str
    timezone: str
    days: list[DailyCost]


class MonthCost(BaseModel):
    currency: str
    month: str = Field(description="YYYY-MM, local to the tariff")
    days_elapsed: float
    days_in_month: int
    to_date_subtotal: float
    to_date_total: float = Field(description="incl. VAT: what the month has cost so far")
    projected_total: float = Field(
        description="incl. VAT: energy so far extrapolated to the whole month, "
        "plus the whole month's fixed charges and the demand so far"
    )
