"""Application settings.

Every setting comes from, highest priority first: keyword arguments (tests),
environment variables (``PORTAL_`` prefix, ``__`` for nesting), then the TOML
config file named by ``PORTAL_CONFIG_FILE`` (default ``portal.toml`` in the
working directory, when it exists).

Secrets are typed ``SecretStr`` so they never print; the configuration
overview is built from an allow-list, never from this model directly.
"""

from __future__ import annotations

import os
import tomllib
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_ADMIN_EMAIL = "admin@localhost"
# Passwords we refuse in production: the well-known defaults and their kin.
WEAK_ADMIN_PASSWORDS = frozenset({"admin", "password", "changeme", "portal", "admin123", "secret"})
MIN_PRODUCTION_PASSWORD_LENGTH = 12


class RunMode(StrEnum):
    STANDALONE = "standalone"
    CLIENT = "client"
    ADMIN = "admin"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class TimescaleMode(StrEnum):
    """``PORTAL_TIMESCALE``: use TimescaleDB when the server offers it (``auto``), or never."""

    AUTO = "auto"
    OFF = "off"


class DatabaseParts(BaseModel):
    """A database given as discrete parts (``PORTAL_DB__HOST`` …)."""

    host: str | None = None
    port: int = 5432
    name: str = "portal"
    user: str = "portal"
    password: SecretStr | None = None


class FileDatabase(DatabaseParts):
    """The ``[database]`` table of the config file: a URL, or discrete parts; and how long
    the app waits for the database (``PORTAL_DATABASE__*``, whichever way it is given).

    Server-side, on every request's connection (0 = none): a statement running longer is
    cancelled, a lock awaited longer is given up, a transaction left idle longer is ended.
    Client-side: a server that does not answer at all (frozen, unreachable) is given up
    after ``response_timeout_seconds``; keep it above ``statement_timeout_seconds``. Long
    jobs (rollup rebuilds, the workers, imports, ingest batches, the demo) run without the
    request's timeouts: their own statement timeout is ``job_statement_timeout_seconds``.
    """

    url: SecretStr | None = None
    statement_timeout_seconds: float = Field(default=30.0, ge=0)
    lock_timeout_seconds: float = Field(default=10.0, ge=0)
    idle_in_transaction_timeout_seconds: float = Field(default=60.0, ge=0)
    response_timeout_seconds: float = Field(default=35.0, gt=0)
    connect_timeout_seconds: int = Field(default=5, ge=1)
    job_statement_timeout_seconds: float = Field(default=0.0, ge=0)


class FleetSettings(BaseModel):
    enabled: bool = False
    admin_url: str | None = None
    customer_token: SecretStr | None = None
    interval_seconds: float = Field(default=60.0, gt=0)
    batch_size: int = Field(default=5000, ge=1)
    max_batches_per_tick: int = Field(default=3, ge=1)
    backoff_base_seconds: float = Field(default=60.0, gt=0)
    backoff_cap_seconds: float = Field(default=1800.0, gt=0)


class AuthSettings(BaseModel):
    """Sessions, lockout and token guessing (``PORTAL_AUTH__*``)."""

    session_idle_minutes: int = Field(default=12 * 60, ge=1)
    session_absolute_hours: int = Field(default=7 * 24, ge=1)
    # Failed sign-ins (auth/login_limits.py): per (e-mail, address) a lock that doubles,
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: float = Field(default=5, gt=0)
    lockout_max_minutes: float = Field(default=60, gt=0)
    # per address (any e-mail) and per e-mail from strangers, delays within the window,
    failure_window_minutes: float = Field(default=15, gt=0)
    address_failure_limit: int = Field(default=20, ge=1)
    address_max_delay_seconds: float = Field(default=60, gt=0)
    account_failure_limit: int = Field(default=10, ge=1)
    account_max_delay_seconds: float = Field(default=30, gt=0)
    # an address that signed in (or an operator exempted) is trusted this long,
    trusted_address_days: float = Field(default=30, gt=0)
    # and at most this many Argon2 verifications (64 MiB each) run at once per process;
    # a sign-in that cannot get a slot within the wait is answered 429.
    max_concurrent_verifications: int = Field(default=1, ge=1)
    verification_wait_seconds: float = Field(default=2, ge=0)
    min_password_length: int = Field(default=10, ge=8)
    # Unknown device/customer tokens one client may present per window before 429.
    token_failure_limit: int = Field(default=20, ge=1)
    token_failure_window_seconds: float = Field(default=60, gt=0)

    @property
    def failure_window(self) -> timedelta:
        return timedelta(minutes=self.failure_window_minutes)

    @property
    def trusted_address_period(self) -> timedelta:
        return timedelta(days=self.trusted_address_days)


class FleetAdminSettings(BaseModel):
    """Admin mode: limits on what customer stacks may push (``PORTAL_FLEET_ADMIN__*``)."""

    max_batches_per_minute: int = Field(default=120, ge=1)
    max_body_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # how long a rotated customer token keeps working beside its successor
    token_grace_hours: float = Field(default=24.0, ge=0)

    @property
    def token_grace(self) -> timedelta:
        return timedelta(hours=self.token_grace_hours)


class MetricsSettings(BaseModel):
    """Prometheus metrics at ``/metrics`` (``PORTAL_METRICS__*``): off (404) until a token is set.

    Scrapers send ``Authorization: Bearer <token>``; use a long random value
    (``openssl rand -hex 32``).
    """

    token: SecretStr | None = None

    @property
    def enabled(self) -> bool:
        return self.token is not None and bool(self.token.get_secret_value())


MQTT_SCHEMES = {"mqtt": (1883, False), "mqtts": (8883, True)}


class MqttSettings(BaseModel):
    """The MQTT bridge for gateways (``PORTAL_MQTT__*``); off while ``url`` is unset."""

    # mqtt://host[:1883] or mqtts://host[:8883]; credentials go in USERNAME/PASSWORD.
    url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    tls_ca_file: Path | None = None  # trust this CA instead of the system's
    tls_cert_file: Path | None = None  # client certificate (mutual TLS)
    tls_key_file: Path | None = None
    tls_insecure: bool = False  # skip the broker's host-name check (never in production)
    topic_prefix: str = "acuvim"
    client_id: str = Field(default="power-portal", min_length=1, max_length=64)
    field_map: Path | None = None  # a JSON or TOML field map; default: the gateway firmware's
    batch_max_rows: int = Field(default=5000, ge=1)
    batch_max_seconds: float = Field(default=1.0, gt=0)
    offline_after_seconds: float = Field(default=300.0, gt=0)
    reconnect_min_seconds: float = Field(default=1.0, gt=0)
    reconnect_max_seconds: float = Field(default=60.0, gt=0)
    keepalive_seconds: int = Field(default=60, ge=5)
    # MQTT 5 Receive Maximum: QoS 1 messages the broker may send before the portal
    # acknowledges them (only once stored); bounds the messages in memory
    receive_maximum: int = Field(default=1000, ge=1, le=65535)
    # how long the broker keeps the portal's session (and queues its telemetry) while away
    session_expiry_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=4294967295)

    @field_validator("url")
    @classmethod
    def _broker_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in MQTT_SCHEMES:
            raise ValueError("must start with mqtt:// or mqtts://")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "must not carry credentials: set PORTAL_MQTT__USERNAME and PORTAL_MQTT__PASSWORD"
            )
        if not parts.hostname:
            raise ValueError("must name the broker's host, like mqtt://broker.internal:1883")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("must be only scheme, host and port, like mqtt://broker:1883")
        try:
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise ValueError("the port must be a number from 1 to 65535") from exc
        return value.strip()

    @field_validator("topic_prefix")
    @classmethod
    def _topic_prefix(cls, value: str) -> str:
        value = value.strip().strip("/")
        if not value or any(c in value for c in "+#\x00"):
            raise ValueError("must be a topic level like 'acuvim', without wildcards")
        return value

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def host(self) -> str:
        return urlsplit(self.url or "").hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url or "")
        return parts.port or MQTT_SCHEMES.get(parts.scheme, (1883, False))[0]

    @property
    def tls(self) -> bool:
        return MQTT_SCHEMES.get(urlsplit(self.url or "").scheme, (1883, False))[1]


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: only for a relay on the same host or network


class SmtpSettings(BaseModel):
    """The SMTP server alert and report mails go through (``PORTAL_SMTP__*``): the default
    for every stack of a fleet until an admin saves its own in Settings → Notifications."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: SecretStr | None = None
    from_address: str | None = None
    from_name: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def configured(self) -> bool:
        return bool(self.host) and bool(self.from_address)


class AlertSettings(BaseModel):
    """The alert evaluator and the notification sender (``PORTAL_ALERTS__*``)."""

    enabled: bool = True  # evaluate rules (when elected) and send notifications here
    send: bool = True  # false: evaluate and queue, but leave the sending to other processes
    tick_seconds: float = Field(default=30.0, gt=0)  # the clock-driven rules (offline …)
    sender_poll_seconds: float = Field(default=5.0, gt=0)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    retry_give_up_hours: float = Field(default=24.0, gt=0)
    # Comma-separated ranges a webhook may reach although they are private/loopback/…
    webhook_allow_cidrs: str = ""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_max_response_bytes: int = Field(default=64 * 1024, ge=1024)
    # Where the mails' and webhooks' links point (https://portal.example); none: no link.
    public_url: str | None = None


class ReportSettings(BaseModel):
    """The report scheduler (``PORTAL_REPORTS__*``): runs in one process per database."""

    enabled: bool = True  # make the scheduled reports here (when elected)
    tick_seconds: float = Field(default=60.0, gt=0)  # how often due schedules are looked for


class RetentionSettings(BaseModel):
    """Deleting what has served its time (``PORTAL_RETENTION__*``; system/retention.py): one
    process per database, every ``interval_seconds``, in batches of ``batch_size`` rows,
    each its own short transaction."""

    enabled: bool = True  # run the retention job here (when elected)
    interval_seconds: float = Field(default=3600.0, gt=0)  # sessions past expiry go this often
    login_attempts_days: int = Field(default=90, ge=1)  # identity.login_attempts kept
    ingest_events_days: int = Field(default=90, ge=1)  # fleet.ingest_events kept (admin)
    batch_size: int = Field(default=5000, ge=1)


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the config file named by ``PORTAL_CONFIG_FILE`` (or ./portal.toml)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._data = load_config_file(config_file_path())

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


def config_file_path() -> Path | None:
    """The config file to read, or None when there is none."""
    named = os.environ.get("PORTAL_CONFIG_FILE")
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"PORTAL_CONFIG_FILE names {path}, which does not exist")
        return path
    default = Path("portal.toml")
    return default if default.is_file() else None


def load_config_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PORTAL_",
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    run_mode: RunMode = RunMode.STANDALONE
    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"

    database_url: SecretStr | None = None
    db: DatabaseParts = DatabaseParts()
    database: FileDatabase = FileDatabase()
    embedded_database_name: str = "portal"

    admin_password: SecretStr | None = None
    auth: AuthSettings = AuthSettings()
    ingest_max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # TimescaleDB bootstrap after migrations (db/timescale.py): auto = when available.
    timescale: TimescaleMode = TimescaleMode.AUTO
    # The embedded server preloads TimescaleDB when its files are installed (db/embedded.py).
    embedded_timescale: TimescaleMode = TimescaleMode.AUTO
    # Proxies whose X-Forwarded-* headers uvicorn trusts (comma-separated IPs, or *).
    forwarded_allow_ips: str = "127.0.0.1"
    grafana_url: str | None = None
    static_dir: Path | None = None

    fleet: FleetSettings = FleetSettings()
    fleet_admin: FleetAdminSettings = FleetAdminSettings()
    metrics: MetricsSettings = MetricsSettings()
    mqtt: MqttSettings = MqttSettings()
    smtp: SmtpSettings = SmtpSettings()
    alerts: AlertSettings = AlertSettings()
    reports: ReportSettings = ReportSettings()
    retention: RetentionSettings = RetentionSettings()
    # Encrypts stored secrets (SMTP password, webhook secrets); default: a key file made in
    # the data directory on first use (``secret.key``). Any string; it is stretched.
    secret_key: SecretStr | None = None

    @field_validator("log_level")
    @classmethod
    def _upper_log_level(cls, value: str) -> str:
        return value.upper()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()


class ProductionConfigError(RuntimeError):
    """The settings are not safe for production; the message says what to set."""


def production_problems(settings: Settings, *, uses_embedded_database: bool) -> list[str]:
    """Everything that stops these settings from running in production."""
    if not settings.is_production:
        return []
    problems: list[str] = []
    if uses_embedded_database:
        problems.append(
            "production refuses the embedded database: set PORTAL_DATABASE_URL "
            "(or PORTAL_DB__HOST, PORTAL_DB__NAME, PORTAL_DB__USER, PORTAL_DB__PASSWORD)"
        )
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    if password is None:
        problems.append(
            "production refuses the default admin password: set PORTAL_ADMIN_PASSWORD "
            f"to a password of at least {MIN_PRODUCTION_PASSWORD_LENGTH} characters"
        )
    elif password.lower() in WEAK_ADMIN_PASSWORDS or len(password) < MIN_PRODUCTION_PASSWORD_LENGTH:
        problems.append(
            "production refuses a default or weak admin password: set PORTAL_ADMIN_PASSWORD "
            f"to a password of at least {MIN_PRODUCTION_PASSWORD_LENGTH} characters "
            "that is not a well-known default"
        )
    return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
