"""The virtual-meter tables: a meter of a site and its signed terms (a device or a meter)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base, Timestamps


class VirtualMeter(Timestamps, Base):
    """A named sum/difference of meters of one site, computed at query time."""

    __tablename__ = "virtual_meters"
    __table_args__ = (Index("ix_virtual_meters_site_id", "site_id"), {"schema": "app"})

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    site_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.sites.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))


class VirtualMeterTerm(Base):
    """``sign`` (+1/-1) times a device or another virtual meter, in the order written."""

    __tablename__ = "virtual_meter_terms"
    __table_args__ = (
        CheckConstraint("sign IN (-1, 1)", name="sign"),
        CheckConstraint("(device_id IS NULL) <> (meter_id IS NULL)", name="one_ref"),
        Index("ix_virtual_meter_terms_device_id", "device_id"),
        {"schema": "app"},
    )

    virtual_meter_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.virtual_meters.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    sign: Mapped[int] = mapped_column(SmallInteger)
    device_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="RESTRICT")
    )
    meter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.virtual_meters.id", ondelete="RESTRICT")
    )
