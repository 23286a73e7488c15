"""The health report: database reachability, run mode and version."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from power_portal.settings import RunMode


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    run_mode: RunMode
    version: str
