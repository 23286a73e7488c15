"""Building the configuration overview from the settings and the database in use."""

from __future__ import annotations

from sqlalchemy.engine import URL

from power_portal import __version__
from power_portal.config.schemas import (
    AuthOverview,
    ConfigOverview,
    DatabaseOverview,
    FleetOverview,
    MqttOverview,
)
from power_portal.db.target import DatabaseTarget
from power_portal.settings import MqttSettings, RunMode, Settings


def build_overview(settings: Settings, target: DatabaseTarget, url: URL) -> ConfigOverview:
    host = url.host or url.query.get("host")
    return ConfigOverview(
        run_mode=settings.run_mode.value,
        env=settings.env.value,
        version=__version__,
        database=DatabaseOverview(
            source=target.source.value,
            embedded=target.is_embedded,
            host=str(host) if host else None,
            port=url.port,
            name=url.database,
            user=url.username,
        ),
        data_dir=str(settings.resolved_data_dir),
        listen=f"{settings.host}:{settings.port}",
        log_level=settings.log_level,
        grafana_url=settings.grafana_url,
        ingest_max_body_bytes=settings.ingest_max_body_bytes,
        admin_password_set=settings.admin_password is not None,
        fleet=FleetOverview(
            enabled=settings.fleet.enabled,
            admin_url=settings.fleet.admin_url,
            customer_token_set=settings.fleet.customer_token is not None,
            interval_seconds=settings.fleet.interval_seconds,
            batch_size=settings.fleet.batch_size,
            max_batches_per_tick=settings.fleet.max_batches_per_tick,
        ),
        auth=AuthOverview(**settings.auth.model_dump()),
        mqtt=_mqtt_overview(settings.mqtt),
        features={
            "fleet_push": settings.run_mode is RunMode.CLIENT and settings.fleet.enabled,
            "fleet_admin": settings.run_mode is RunMode.ADMIN,
            "grafana": settings.grafana_url is not None,
            "metrics": settings.metrics.enabled,
            "mqtt": settings.mqtt.enabled,
        },
    )


def _mqtt_overview(mqtt: MqttSettings) -> MqttOverview:
    return MqttOverview(
        enabled=mqtt.enabled,
        broker=f"{mqtt.host}:{mqtt.port}" if mqtt.enabled else None,
        tls=mqtt.enabled and mqtt.tls,
        tls_ca_file=str(mqtt.tls_ca_file) if mqtt.tls_ca_file else None,
        tls_client_certificate_set=mqtt.tls_cert_file is not None,
        tls_insecure=mqtt.tls_insecure,
        username=mqtt.username,
        password_set=mqtt.password is not None,
        topic_prefix=mqtt.topic_prefix,
        client_id=mqtt.client_id,
        field_map=str(mqtt.field_map) if mqtt.field_map else "default",
        batch_max_rows=mqtt.batch_max_rows,
        batch_max_seconds=mqtt.batch_max_seconds,
        offline_after_seconds=mqtt.offline_after_seconds,
    )
