"""Where the database is: the four-way precedence of DESIGN.md.

First match wins:

1. ``PORTAL_DATABASE_URL``;
2. the parts ``PORTAL_DB__HOST/PORT/NAME/USER/PASSWORD`` (``HOST`` decides);
3. the ``[database]`` table of the config file (``url``, or ``host`` and parts);
4. the embedded server in ``PORTAL_DATA_DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import SecretStr
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from power_portal.settings import Settings

DRIVER = "postgresql+psycopg"
_POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}


class DatabaseSource(StrEnum):
    URL = "url"
    PARTS = "parts"
    CONFIG_FILE = "config_file"
    EMBEDDED = "embedded"


class DatabaseConfigError(ValueError):
    """The configured database cannot be used; the message names the setting."""


@dataclass(frozen=True)
class DatabaseTarget:
    source: DatabaseSource
    # None for the embedded server, whose address is known once it runs.
    url: URL | None

    @property
    def is_embedded(self) -> bool:
        return self.source is DatabaseSource.EMBEDDED


def normalise_url(raw: str, *, setting: str) -> URL:
    """Parse a PostgreSQL URL and pin the psycopg 3 driver."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseConfigError(f"{setting} is not a database URL") from exc
    if url.drivername not in _POSTGRES_SCHEMES:
        raise DatabaseConfigError(
            f"{setting} must be a PostgreSQL URL (postgresql://...), not {url.drivername!r}"
        )
    return url.set(drivername=DRIVER)


def _url_from_parts(host: str, port: int, name: str, user: str, password: SecretStr | None) -> URL:
    return URL.create(
        DRIVER,
        username=user,
        password=password.get_secret_value() if password else None,
        host=host,
        port=port,
        database=name,
    )


def resolve_database_target(settings: Settings) -> DatabaseTarget:
    if settings.database_url is not None:
        url = normalise_url(settings.database_url.get_secret_value(), setting="PORTAL_DATABASE_URL")
        return DatabaseTarget(DatabaseSource.URL, url)
    parts = settings.db
    if parts.host:
        url = _url_from_parts(parts.host, parts.port, parts.name, parts.user, parts.password)
        return DatabaseTarget(DatabaseSource.PARTS, url)
    from_file = settings.database
    if from_file.url is not None:
        url = normalise_url(from_file.url.get_secret_value(), setting="[database] url")
        return DatabaseTarget(DatabaseSource.CONFIG_FILE, url)
    if from_file.host:
        url = _url_from_parts(
            from_file.host, from_file.port, from_file.name, from_file.user, from_file.password
        )
        return DatabaseTarget(DatabaseSource.CONFIG_FILE, url)
    return DatabaseTarget(DatabaseSource.EMBEDDED, None)
