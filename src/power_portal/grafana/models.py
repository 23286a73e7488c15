"""The embedded dashboards' settings: one row (id 1); absent means "from the environment"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from power_portal.db.models import Base
from power_portal.grafana.provisioning import slugify


@dataclass(frozen=True)
class DashboardLink:
    """A dashboard the Dashboards page embeds: ``/d/<uid>/<slug>``, in a frame ``height`` tall."""

    title: str
    uid: str
    slug: str
    height: int | None = None


class GrafanaSettings(Base):
    __tablename__ = "grafana_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"), {"schema": "app"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    # A same-origin path ("/grafana") or an http(s) URL; null: Grafana is not set up.
    base_url: Mapped[str | None] = mapped_column(String(500))
    # [{"title", "uid", "slug", "height"}], in menu order
    dashboards: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def links(self) -> list[DashboardLink]:
        """The stored dashboards, a missing slug derived from the title."""
        return [
            DashboardLink(
                title=str(stored["title"]),
                uid=str(stored["uid"]),
                slug=stored.get("slug") or slugify(str(stored["title"])),
                height=stored.get("height"),
            )
            for stored in self.dashboards
        ]
