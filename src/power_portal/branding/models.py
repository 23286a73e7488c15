"""The brand table: one row (id 1) with names, colours and the stored logo and favicon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base

ASSET_URL = "/api/branding/assets/"


class Branding(Base):
    """The portal's brand: a single row (id 1); absent means the defaults."""

    __tablename__ = "branding"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"), {"schema": "app"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    product_name: Mapped[str] = mapped_column(String(80))
    primary_color: Mapped[str] = mapped_column(String(7))
    secondary_color: Mapped[str] = mapped_column(String(7))
    theme: Mapped[str] = mapped_column(String(5))
    tagline: Mapped[str | None] = mapped_column(String(200))
    support_email: Mapped[str | None] = mapped_column(String(320))
    support_url: Mapped[str | None] = mapped_column(String(500))
    logo_file: Mapped[str | None] = mapped_column(String(80))
    favicon_file: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def logo_url(self) -> str | None:
        return f"{ASSET_URL}{self.logo_file}" if self.logo_file else None

    @property
    def favicon_url(self) -> str | None:
        return f"{ASSET_URL}{self.favicon_file}" if self.favicon_file else None
