"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from power_portal.auth import models as auth_models
from power_portal.db.models import metadata
from power_portal.users import models as users_models

__all__ = ["auth_models", "metadata", "users_models"]
