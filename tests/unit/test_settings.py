"""Settings sources and the database precedence of DESIGN.md, branch by branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from power_portal.db.embedded import write_timescale_conf
from power_portal.db.target import (
    DRIVER,
    DatabaseConfigError,
    DatabaseSource,
    resolve_database_target,
)
from power_portal.settings import (
    Environment,
    RunMode,
    Settings,
    TimescaleMode,
    production_problems,
)

CONFIG_WITH_URL = """
[database]
url = "postgresql://file_user:file_pw@file-host:5433/file_db"
"""

CONFIG_WITH_PARTS = """
run_mode = "admin"
[database]
host = "parts-in-file"
name = "from_file"
user = "u"
password = "p"
"""


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(text)
    monkeypatch.setenv("PORTAL_CONFIG_FILE", str(path))
    return path


def test_defaults() -> None:
    settings = Settings()
    assert settings.run_mode is RunMode.STANDALONE
    assert settings.env is Environment.DEVELOPMENT
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == Path("var")
    assert settings.fleet.enabled is False
    assert settings.fleet.max_batches_per_tick == 3
    assert settings.fleet.backoff_base_seconds == 60
    assert settings.fleet.backoff_cap_seconds == 1800


def test_environment_with_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_RUN_MODE", "client")
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_FLEET__ENABLED", "true")
    monkeypatch.setenv("PORTAL_FLEET__ADMIN_URL", "https://admin.example")
    monkeypatch.setenv("PORTAL_FLEET__CUSTOMER_TOKEN", "tok-secret")
    monkeypatch.setenv("PORTAL_FLEET__BATCH_SIZE", "250")
    settings = Settings()
    assert settings.run_mode is RunMode.CLIENT
    assert settings.is_production
    assert settings.fleet.enabled
    assert settings.fleet.admin_url == "https://admin.example"
    assert settings.fleet.batch_size == 250
    assert settings.fleet.customer_token is not None
    assert "tok-secret" not in repr(settings)
    assert settings.fleet.customer_token.get_secret_value() == "tok-secret"


def test_invalid_run_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_RUN_MODE", "cluster")
    with pytest.raises(ValueError, match="run_mode"):
        Settings()


def test_branch_1_database_url_wins_over_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, CONFIG_WITH_URL)
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgres://a:b@url-host:5999/url_db")
    monkeypatch.setenv("PORTAL_DB__HOST", "parts-host")
    target = resolve_database_target(Settings())
    assert target.source is DatabaseSource.URL
    assert target.url is not None
    assert target.url.drivername == DRIVER
    assert (target.url.host, target.url.port, target.url.database) == ("url-host", 5999, "url_db")
    assert target.url.password == "b"


def test_branch_2_parts_win_over_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, CONFIG_WITH_URL)
    monkeypatch.setenv("PORTAL_DB__HOST", "parts-host")
    monkeypatch.setenv("PORTAL_DB__PORT", "6543")
    monkeypatch.setenv("PORTAL_DB__NAME", "parts_db")
    monkeypatch.setenv("PORTAL_DB__USER", "parts_user")
    monkeypatch.setenv("PORTAL_DB__PASSWORD", "p@ss/word")
    target = resolve_database_target(Settings())
    assert target.source is DatabaseSource.PARTS
    assert target.url is not None
    assert target.url.host == "parts-host"
    assert target.url.port == 6543
    assert target.url.database == "parts_db"
    assert target.url.username == "parts_user"
    # Special characters survive: the URL is built from parts, not by formatting a string.
    assert target.url.password == "p@ss/word"


def test_branch_3_config_file_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, CONFIG_WITH_URL)
    target = resolve_database_target(Settings())
    assert target.source is DatabaseSource.CONFIG_FILE
    assert target.url is not None
    assert (target.url.host, target.url.port, target.url.database) == ("file-host", 5433, "file_db")


def test_branch_3_config_file_parts_and_other_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, CONFIG_WITH_PARTS)
    settings = Settings()
    assert settings.run_mode is RunMode.ADMIN  # the file feeds every setting
    target = resolve_database_target(settings)
    assert target.source is DatabaseSource.CONFIG_FILE
    assert target.url is not None
    assert (target.url.host, target.url.database, target.url.username) == (
        "parts-in-file",
        "from_file",
        "u",
    )


def test_environment_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, CONFIG_WITH_PARTS)
    monkeypatch.setenv("PORTAL_RUN_MODE", "client")
    assert Settings().run_mode is RunMode.CLIENT


def test_portal_toml_in_working_directory_is_read(tmp_path: Path) -> None:
    # The autouse fixture made tmp_path the working directory.
    (tmp_path / "portal.toml").write_text(CONFIG_WITH_URL)
    assert resolve_database_target(Settings()).source is DatabaseSource.CONFIG_FILE


def test_missing_named_config_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_CONFIG_FILE", "/nonexistent/portal.toml")
    with pytest.raises(FileNotFoundError, match="PORTAL_CONFIG_FILE"):
        Settings()


def test_branch_4_embedded_when_nothing_is_configured() -> None:
    target = resolve_database_target(Settings())
    assert target.source is DatabaseSource.EMBEDDED
    assert target.is_embedded
    assert target.url is None


def test_non_postgres_url_is_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "mysql://u:p@h/db")
    with pytest.raises(DatabaseConfigError, match="PORTAL_DATABASE_URL"):
        resolve_database_target(Settings())


def test_garbage_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "not a url")
    with pytest.raises(DatabaseConfigError, match="PORTAL_DATABASE_URL"):
        resolve_database_target(Settings())


def test_development_has_no_production_problems() -> None:
    assert production_problems(Settings(), uses_embedded_database=True) == []


def test_production_refuses_embedded_database_and_default_password() -> None:
    settings = Settings(env="production")
    problems = production_problems(settings, uses_embedded_database=True)
    assert len(problems) == 2
    assert "PORTAL_DATABASE_URL" in problems[0]
    assert "PORTAL_ADMIN_PASSWORD" in problems[1]


@pytest.mark.parametrize("password", ["admin", "Password", "changeme", "short-pw"])
def test_production_refuses_weak_admin_passwords(password: str) -> None:
    settings = Settings(env="production", admin_password=password)
    problems = production_problems(settings, uses_embedded_database=False)
    assert len(problems) == 1
    assert "PORTAL_ADMIN_PASSWORD" in problems[0]


def test_production_accepts_external_database_and_strong_password() -> None:
    settings = Settings(env="production", admin_password="correct-horse-battery-staple")
    assert production_problems(settings, uses_embedded_database=False) == []


def test_the_embedded_server_preloads_timescale_unless_switched_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings().embedded_timescale is TimescaleMode.AUTO
    monkeypatch.setenv("PORTAL_EMBEDDED_TIMESCALE", "off")
    assert Settings().embedded_timescale is TimescaleMode.OFF
    # the cluster's settings: nothing without TimescaleDB, then on, then off again
    (tmp_path / "postgresql.conf").write_text("max_connections = 100\n")
    write_timescale_conf(tmp_path, preload=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["postgresql.conf"]
    write_timescale_conf(tmp_path, preload=True)
    write_timescale_conf(tmp_path, preload=True)
    conf = (tmp_path / "postgresql.conf").read_text()
    assert conf.count("include_if_exists = 'portal_timescale.conf'") == 1
    assert (
        "shared_preload_libraries = 'timescaledb'"
        in (tmp_path / "portal_timescale.conf").read_text()
    )
    write_timescale_conf(tmp_path, preload=False)
    assert "shared_preload_libraries" not in (tmp_path / "portal_timescale.conf").read_text()
