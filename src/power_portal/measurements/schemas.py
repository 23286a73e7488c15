"""The read schemas of the time series: energy points, series, the latest reading, summaries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class EnergyPoint(BaseModel):
    start: datetime
    energy_import_kwh: float | None
    energy_export_kwh: float | None


class EnergyResponse(BaseModel):
    timezone: str
    interval: Interval
    points: list[EnergyPoint]


class SeriesStats(BaseModel):
    avg: list[float | None]
    min: list[float | None]
    max: list[float | None]


class SeriesResponse(BaseModel):
    """Columnar: ``times[i]`` is the start of bucket i of every series."""

    timezone: str
    bucket_seconds: int
    source: str = Field(description="raw or rollup_15m")
    times: list[datetime]
    series: dict[str, SeriesStats]


class LatestReading(BaseModel):
    model_config = {"extra": "allow"}

    time: datetime
    received_at: datetime


class Summary(BaseModel):
    timezone: str
    start: datetime
    end: datetime
    energy_import_kwh: float
    energy_export_kwh: float
    peak_demand_kw: float | None = Field(description="highest 30-minute average active power")
    peak_demand_kva: float | None = Field(description="highest 30-minute average apparent power")
    peak_demand_at: datetime | None
    average_power_factor: float | None
    last_reading_at: datetime | None
