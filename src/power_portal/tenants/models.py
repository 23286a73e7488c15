"""The tenant tables: a tenant of a site with its recharge rule, and its meters over time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base, Timestamps


class Tenant(Timestamps, Base):
    """A tenant (or department / cost centre) of one site and how it is recharged."""

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("rule_kind IN ('own_tariff', 'pass_through')", name="rule_kind"),
        CheckConstraint(
            "apportion IN ('energy', 'coincident_demand', 'fixed_shares')", name="apportion"
        ),
        Index("ix_tenants_site_id", "site_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    site_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.sites.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    rule_kind: Mapped[str] = mapped_column(String(20))
    tariff_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.tariffs.id", ondelete="RESTRICT")
    )
    apportion: Mapped[str | None] = mapped_column(String(20))
    fixed_share_percent: Mapped[float | None] = mapped_column(Float)
    markup_percent: Mapped[float] = mapped_column(Float, server_default=text("0"))
    markup_cap: Mapped[float | None] = mapped_column(Float)
    admin_fee: Mapped[float] = mapped_column(Float, server_default=text("0"))


class TenantMeter(Timestamps, Base):
    """A device or a virtual meter held by a tenant from ``start_at`` to ``end_at`` (exclusive;
    null: still held)."""

    __tablename__ = "tenant_meters"
    __table_args__ = (
        CheckConstraint("(device_id IS NULL) <> (virtual_meter_id IS NULL)", name="one_ref"),
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="span"),
        Index("ix_tenant_meters_tenant_id", "tenant_id"),
        Index("ix_tenant_meters_device_id", "device_id"),
        Index("ix_tenant_meters_virtual_meter_id", "virtual_meter_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.tenants.id", ondelete="CASCADE")
    )
    device_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="RESTRICT")
    )
    virtual_meter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.virtual_meters.id", ondelete="RESTRICT")
    )
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
