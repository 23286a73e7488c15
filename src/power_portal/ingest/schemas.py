"""What the ingest API answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class IngestAccepted(BaseModel):
    accepted: int = Field(description="rows stored now")
    duplicates: int = Field(description="rows already stored (same device and time)")
