"""The site, device and device-token tables (a device's readings are in ``measurements``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from power_portal.db.models import Base, Timestamps


class Site(Timestamps, Base):
    __tablename__ = "sites"
    __table_args__ = {"schema": "app"}

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    utility: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    # The tariff this site is billed under.
    tariff_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.tariffs.id", ondelete="RESTRICT")
    )
    # A day on which a parent's children add up to more than the parent by over this
    # share (percent) shows a metering-discrepancy warning.
    discrepancy_percent: Mapped[float] = mapped_column(Double, server_default="5")
    # Filled in by the queries of ``sites.repository`` (None on a row loaded any other way).
    device_count: Mapped[int | None] = query_expression()
    # ``supply_points`` when a device has role ``supply``, else ``all_devices`` (ditto).
    metering: Mapped[str | None] = query_expression()


class Device(Timestamps, Base):
    __tablename__ = "devices"
    __table_args__ = (
        Index("ix_devices_site_id", "site_id"),
        Index("uq_devices_serial", "serial", unique=True),
        Index("ix_devices_parent_id", "parent_id"),
        CheckConstraint("role IN ('supply', 'generation', 'submeter')", name="role"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    site_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.sites.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    # The metering tree: the meter upstream of this one (same site), and what the meter is:
    # ``supply`` (on the utility's supply), ``generation`` (solar and the like), ``submeter``.
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="SET NULL")
    )
    role: Mapped[str] = mapped_column(String(20), server_default="submeter")
    # Bit i set: the meter has sent register REGISTER_FIELDS[i] at least once. Rollup
    # rebuilds look only at those registers (a never-sent one would scan all history).
    registers_seen: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    # The time of its newest reading: filled in by the queries of ``sites.repository``.
    last_reading_at: Mapped[datetime | None] = query_expression()


class DeviceToken(Base):
    """A bearer token a meter or gateway uses to ingest; only its SHA-256 is kept."""

    __tablename__ = "device_tokens"
    __table_args__ = (
        Index("uq_device_tokens_sha256", "token_sha256", unique=True),
        Index("ix_device_tokens_device_id", "device_id"),
        {"schema": "app"},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    device_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app.devices.id", ondelete="CASCADE")
    )
    token_sha256: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
