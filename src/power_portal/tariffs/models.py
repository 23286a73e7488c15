from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from power_portal.db.models import Base


class Tariff(Base):
    __tablename__ = "tariffs"
    __table_args__ = {"schema": "app"}

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    public_holidays: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    versions: Mapped[list[TariffVersionRow]] = relationship(
        back_populates="tariff",
        cascade="all, delete-orphan",
        order_by="TariffVersionRow.effective_from",
        lazy="selectin",
    )


class TariffVersionRow(Base):
    """One effective-dated version; its seasons, windows and charges as a JSON document."""

    __tablename__ = "tariff_versions"
    __table_args__ = (
        Index("ix_tariff_versions_tariff_id", "tariff_id", "effective_from"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tariff_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.tariffs.id", ondelete="CASCADE")
    )
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    vat_percent: Mapped[float] = mapped_column(Double)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tariff: Mapped[Tariff] = relationship(back_populates="versions")
