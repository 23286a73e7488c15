"""The health check: is the database reachable; this stack's run mode and version, which only
a signed-in caller is told (an anonymous prober learns nothing it could match to a release)."""

from __future__ import annotations

from power_portal import __version__
from power_portal.settings import Settings
from power_portal.system.schemas import Health


def health_report(database_ok: bool, settings: Settings, *, signed_in: bool) -> Health:
    """What ``GET /api/health`` answers (pure: the checks are made by the caller)."""
    return Health(
        status="ok" if database_ok else "degraded",
        database="ok" if database_ok else "unavailable",
        run_mode=settings.run_mode if signed_in else None,
        version=__version__ if signed_in else None,
    )
