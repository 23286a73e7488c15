"""Tariff tables: a tariff and its effective-dated versions (each version's rules as JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Double,
    ForeignKey,
    Identity,
    Index,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from power_portal.db.models import Base, Timestamps


class Tariff(Timestamps, Base):
    __tablename__ = "tariffs"
    __table_args__ = {"schema": "app"}

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    public_holidays: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    versions: Mapped[list[TariffVersionRow]] = relationship(
        back_populates="tariff",
        cascade="all, delete-orphan",
        order_by="TariffVersionRow.effective_from",
        lazy="selectin",
    )
    # How many sites are billed under it: filled in by the query that lists tariffs.
    site_count: Mapped[int | None] = query_expression()

    @property
    def version_count(self) -> int:
        return len(self.versions)


class _InDefinition:
    """A field of the version's JSON ``definition``, read like a column (``row.seasons``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, row: TariffVersionRow | None, owner: type) -> Any:
        if row is None:
            return self
        try:
            return row.definition[self.name]
        except KeyError:  # absent: the schema's default applies, as for a missing attribute
            raise AttributeError(self.name) from None


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

    # The rest of a ``TariffVersion``, so that ``TariffVersion.model_validate(row)`` reads it.
    seasons = _InDefinition()
    periods = _InDefinition()
    energy_rates = _InDefinition()
    fixed_charges = _InDefinition()
    demand_charges = _InDefinition()
    reactive_charge = _InDefinition()
