"""Every domain's tables in one metadata, for Alembic and the schema checks (an entry point:
it imports every domain, and nothing below the entry points imports it)."""

from power_portal.alerts import models as alerts_models
from power_portal.auth import models as auth_models
from power_portal.branding import models as branding_models
from power_portal.db.models import metadata
from power_portal.fleet import models as fleet_models
from power_portal.gateways import models as gateways_models
from power_portal.grafana import models as grafana_models
from power_portal.measurements import models as measurements_models
from power_portal.reports import models as reports_models
from power_portal.sites import models as sites_models
from power_portal.tariffs import models as tariffs_models
from power_portal.tenants import models as tenants_models
from power_portal.virtual_meters import models as virtual_meters_models

__all__ = [
    "alerts_models",
    "auth_models",
    "branding_models",
    "fleet_models",
    "gateways_models",
    "grafana_models",
    "measurements_models",
    "metadata",
    "reports_models",
    "sites_models",
    "tariffs_models",
    "tenants_models",
    "virtual_meters_models",
]
