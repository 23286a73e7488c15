"""Request and read schemas of virtual meters.

A term's shape (one of ``device_id``/``meter_id``, a sign of ±1) is checked by the service,
so that the 422 names the term's field (``terms.N.device_id``) the way the references are.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from power_portal.core.request_checks import RefId
from power_portal.core.schemas import Name, RequestBody

MAX_TERMS = 100


class TermIn(RequestBody):
    sign: int = Field(description="1 (add) or -1 (subtract)", examples=[1, -1])
    device_id: RefId | None = None
    meter_id: RefId | None = Field(default=None, description="another virtual meter of the site")


class VirtualMeterWrite(RequestBody):
    """The body of a create and of a replace (``PUT``): the name and every term, in order."""

    name: Name
    terms: list[TermIn] = Field(max_length=MAX_TERMS)


class TermRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sign: int
    device_id: int | None
    meter_id: int | None
    name: str = Field(description="the device's or virtual meter's name")


class VirtualMeterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    name: str
    terms: list[TermRead]
    formula: str = Field(examples=["Incomer \u2212 Building A \u2212 Chillers"])
    device_coefficients: dict[int, int] = Field(
        description="device id → net coefficient, nested virtual meters expanded"
    )
    created_at: datetime
    updated_at: datetime
