"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from power_portal.auth import models as auth_models
from power_portal.branding import models as branding_models
from power_portal.db.models import metadata
from power_portal.fleet import models as fleet_models
from power_portal.grafana import models as grafana_models
from power_portal.measurements import models as measurements_models
from power_portal.mqtt import models as mqtt_models
from power_portal.sites import models as sites_models
from power_portal.tariffs import models as tariffs_models
from power_portal.users import models as users_models

__all__ = [
    "auth_models",
    "branding_models",
    "fleet_models",
    "grafana_models",
    "measurements_models",
    "metadata",
    "mqtt_models",
    "sites_models",
    "tariffs_models",
    "users_models",
]
