"""``collector.toml``: where the portal is, how often to poll, the spool, the meters.

See ``deploy/collector.example.toml`` for a commented example. Device tokens
are ``SecretStr`` (they never print) and may come from the environment
(``token_env``) instead of the file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

DEFAULT_SPOOL_FILE = "collector-spool.sqlite"
MAX_BATCH_SIZE = 10_000  # about 4 MB of JSON, well under the portal's 10 MB body limit


class CollectorConfigError(ValueError):
    """collector.toml is missing, unreadable or invalid; the message says where."""


class _MeterBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    unit_id: int = Field(default=1, ge=1, le=247)
    token: SecretStr | None = None
    token_env: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_token_source(self) -> _MeterBase:
        if (self.token is None) == (self.token_env is None):
            raise ValueError("give the device token as exactly one of 'token' or 'token_env'")
        if self.token is not None and not self.token.get_secret_value().strip():
            raise ValueError("'token' is empty")
        return self

    def resolved_token(self) -> SecretStr:
        """The device token (from the file, or from the environment variable it names)."""
        if self.token is not None:
            return self.token
        assert self.token_env is not None
        value = os.environ.get(self.token_env, "").strip()
        if not value:
            raise CollectorConfigError(
                f"meter {self.name!r}: the environment variable {self.token_env} "
                "(its device token) is not set"
            )
        return SecretStr(value)


class TcpMeter(_MeterBase):
    """A meter reached over Modbus TCP (its Ethernet module, or a TCP gateway)."""

    transport: Literal["tcp"]
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)

    @property
    def link_key(self) -> str:
        """Meters with the same key share one connection (a gateway in front of a bus)."""
        return f"tcp://{self.host}:{self.port}"


class RtuMeter(_MeterBase):
    """A meter on an RS-485 bus read with Modbus RTU through a serial port."""

    transport: Literal["rtu"]
    serial_port: str = Field(min_length=1)
    baudrate: int = Field(default=19200, ge=1200, le=115200)
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1
    bytesize: Literal[7, 8] = 8

    @property
    def link_key(self) -> str:
        return f"rtu://{self.serial_port}"

    @property
    def line_settings(self) -> tuple[int, str, int, int]:
        return self.baudrate, self.parity, self.stopbits, self.bytesize


MeterConfig = Annotated[TcpMeter | RtuMeter, Field(discriminator="transport")]


class CollectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    portal_url: str
    interval_seconds: float = Field(default=60.0, gt=0, le=86_400)
    batch_size: int = Field(default=500, ge=1, le=MAX_BATCH_SIZE)
    # once caught up, at most one POST per meter this often (a backlog goes back to back)
    send_interval_seconds: float = Field(default=1.0, ge=0, le=3600)
    spool_path: Path = Path(DEFAULT_SPOOL_FILE)
    spool_max_readings: int = Field(default=1_000_000, ge=10)
    # "full": every spool commit reaches the disk (survives power loss);
    # "normal": survives a crash of the collector, may lose the last seconds on power loss
    spool_sync: Literal["full", "normal"] = "full"
    modbus_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    modbus_retries: int = Field(default=1, ge=0, le=5)
    retry_initial_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=60.0, gt=0)
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    status_interval_seconds: float = Field(default=60.0, gt=0)
    verify_tls: bool = True
    ca_file: Path | None = None
    meters: list[MeterConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> CollectorConfig:
        parts = urlsplit(self.portal_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"portal_url must be http(s)://host[:port], like https://portal.example.com, "
                f"not {self.portal_url!r}"
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("portal_url must not carry credentials, a query or a fragment")
        if self.retry_max_seconds < self.retry_initial_seconds:
            raise ValueError("retry_max_seconds must be at least retry_initial_seconds")
        names = [meter.name for meter in self.meters]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"meter names must be unique: {', '.join(repeated)}")
        addresses = [(meter.link_key, meter.unit_id) for meter in self.meters]
        for key, unit_id in sorted(set(addresses)):
            if addresses.count((key, unit_id)) > 1:
                raise ValueError(f"two meters use unit id {unit_id} on {key}")
        lines: dict[str, tuple[int, str, int, int]] = {}
        for meter in self.meters:
            if isinstance(meter, RtuMeter):
                known = lines.setdefault(meter.serial_port, meter.line_settings)
                if known != meter.line_settings:
                    raise ValueError(
                        f"meters on {meter.serial_port} share one RS-485 line: baudrate, parity, "
                        f"stopbits and bytesize must be the same (meter {meter.name!r} differs)"
                    )
        return self

    @property
    def base_url(self) -> str:
        return self.portal_url.rstrip("/")


def _format_errors(error: ValidationError) -> str:
    lines = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "(file)"
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def parse_collector_config(data: dict[str, object], base_dir: Path) -> CollectorConfig:
    """Validate a parsed collector.toml; relative paths are relative to ``base_dir``."""
    try:
        config = CollectorConfig.model_validate(data)
    except ValidationError as exc:
        raise CollectorConfigError(f"invalid collector config:\n{_format_errors(exc)}") from exc
    updates: dict[str, object] = {}
    if not config.spool_path.is_absolute():
        updates["spool_path"] = base_dir / config.spool_path
    if config.ca_file is not None and not config.ca_file.is_absolute():
        updates["ca_file"] = base_dir / config.ca_file
    if updates:
        config = config.model_copy(update=updates)
    for meter in config.meters:
        meter.resolved_token()  # a missing token_env variable fails now, not at first send
    return config


def load_collector_config(path: Path) -> CollectorConfig:
    """Read and validate ``path`` (TOML)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise CollectorConfigError(f"{path}: no such file") from exc
    except OSError as exc:
        raise CollectorConfigError(f"{path}: cannot read it ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CollectorConfigError(f"{path}: not valid TOML ({exc})") from exc
    try:
        return parse_collector_config(data, path.resolve().parent)
    except CollectorConfigError as exc:
        raise CollectorConfigError(f"{path}: {exc}") from exc


def config_file_warnings(path: Path, config: CollectorConfig) -> list[str]:
    """Advice about the file itself (tokens in a file others can read)."""
    warnings: list[str] = []
    inline = [meter.name for meter in config.meters if meter.token is not None]
    try:
        mode = path.stat().st_mode
    except OSError:
        return warnings
    if inline and mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(
            f"{path} holds device tokens and other users can read it: chmod 600 {path} "
            "(or move the tokens into environment variables with token_env)"
        )
    return warnings
