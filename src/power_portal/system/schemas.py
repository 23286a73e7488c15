"""The health report: database reachability for anyone; run mode and version for the signed-in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from power_portal.settings import RunMode


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    run_mode: RunMode | None = Field(
        default=None, description="Signed-in callers only: left out of an anonymous answer"
    )
    version: str | None = Field(
        default=None, description="Signed-in callers only: left out of an anonymous answer"
    )
