"""The configuration overview: an explicit allow-list of what an admin may see.

Nothing here is copied from ``Settings`` wholesale, so a new secret setting
cannot leak by default: to appear, a value must be named here on purpose.
Secrets appear only as "is it set" booleans.
"""

from __future__ import annotations

from pydantic import BaseModel


class DatabaseOverview(BaseModel):
    source: str
    embedded: bool
    host: str | None
    port: int | None
    name: str | None
    user: str | None


class FleetOverview(BaseModel):
    enabled: bool
    admin_url: str | None
    customer_token_set: bool
    interval_seconds: float
    batch_size: int
    max_batches_per_tick: int


class AuthOverview(BaseModel):
    session_idle_minutes: int
    session_absolute_hours: int
    lockout_threshold: int
    lockout_minutes: float
    min_password_length: int
    token_failure_limit: int
    token_failure_window_seconds: float


class MqttOverview(BaseModel):
    enabled: bool
    broker: str | None
    tls: bool
    tls_ca_file: str | None
    tls_client_certificate_set: bool
    tls_insecure: bool
    username: str | None
    password_set: bool
    topic_prefix: str
    client_id: str
    field_map: str
    batch_max_rows: int
    batch_max_seconds: float
    offline_after_seconds: float


class ConfigOverview(BaseModel):
    run_mode: str
    env: str
    version: str
    database: DatabaseOverview
    data_dir: str
    listen: str
    log_level: str
    grafana_url: str | None
    ingest_max_body_bytes: int
    admin_password_set: bool
    fleet: FleetOverview
    auth: AuthOverview
    mqtt: MqttOverview
    features: dict[str, bool]
