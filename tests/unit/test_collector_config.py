"""collector.toml and the collector's pure sending rules."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from power_portal.collector.config import (
    CollectorConfigError,
    RtuMeter,
    TcpMeter,
    config_file_warnings,
    load_collector_config,
)
from power_portal.collector.decisions import backoff_seconds
from power_portal.collector.modbus import Reading
from power_portal.collector.poller import ingest_row
from power_portal.collector.registers import DecodedReading
from power_portal.collector.sender import ingest_body, refused_row_indexes
from power_portal.collector.spool import SpooledReading

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "deploy" / "collector.example.toml"
SECRET = "ppd_secret-token-value-123"

MINIMAL = f"""
portal_url = "http://127.0.0.1:8000"

[[meters]]
name = "Main"
transport = "tcp"
host = "10.0.0.5"
token = "{SECRET}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "collector.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_the_example_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HVAC_METER_TOKEN", "ppd_hvac")
    monkeypatch.setenv("PRODUCTION_METER_TOKEN", "ppd_production")
    config = load_collector_config(EXAMPLE)
    assert [m.name for m in config.meters] == ["Main incomer", "HVAC", "Production line"]
    main, hvac, line = config.meters
    assert isinstance(main, TcpMeter)
    assert main.link_key == "tcp://192.168.1.50:502"
    assert isinstance(hvac, RtuMeter)
    assert isinstance(line, RtuMeter)
    assert hvac.link_key == line.link_key == "rtu:///dev/ttyUSB0"  # one bus, one link
    assert hvac.resolved_token().get_secret_value() == "ppd_hvac"
    assert config.spool_path == EXAMPLE.parent / "collector-spool.sqlite"


def test_defaults_and_relative_spool(tmp_path: Path) -> None:
    config = load_collector_config(write(tmp_path, MINIMAL))
    assert config.interval_seconds == 60
    assert config.batch_size == 500
    assert config.spool_path == tmp_path / "collector-spool.sqlite"
    [meter] = config.meters
    assert isinstance(meter, TcpMeter)
    assert (meter.port, meter.unit_id) == (502, 1)


def test_tokens_never_print(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = load_collector_config(write(tmp_path, MINIMAL))
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("config %s %r", config, config.meters)
    assert SECRET not in repr(config)
    assert SECRET not in str(config.meters)
    assert SECRET not in config.model_dump_json()
    assert SECRET not in caplog.text
    assert config.meters[0].resolved_token().get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('portal_url = "ftp://x"\n' + MINIMAL.split("\n", 2)[2], "portal_url must be http(s)"),
        (
            MINIMAL.replace('host = "10.0.0.5"', 'host = "10.0.0.5"\nport = 70000'),
            "meters.0.tcp.port",
        ),
        (MINIMAL.replace(f'token = "{SECRET}"', ""), "exactly one of 'token' or 'token_env'"),
        (MINIMAL.replace('transport = "tcp"', 'transport = "udp"'), "meters.0"),
        (MINIMAL + "\nsurprise = 1\n", "surprise: Extra inputs are not permitted"),
        (MINIMAL.replace("[[meters]]", "interval_seconds = 0\n[[meters]]"), "interval_seconds"),
        (
            MINIMAL + MINIMAL.split("\n", 2)[2].replace('portal_url = "http://127.0.0.1:8000"', ""),
            "meter names must be unique: Main",
        ),
        (
            MINIMAL
            + '\n[[meters]]\nname = "Other"\ntransport = "tcp"\nhost = "10.0.0.5"\ntoken = "x"\n',
            "two meters use unit id 1 on tcp://10.0.0.5:502",
        ),
        (
            'portal_url = "http://p"\n'
            '[[meters]]\nname = "A"\ntransport = "rtu"\nserial_port = "/dev/ttyUSB0"\n'
            'token = "a"\nunit_id = 1\nbaudrate = 9600\n'
            '[[meters]]\nname = "B"\ntransport = "rtu"\nserial_port = "/dev/ttyUSB0"\n'
            'token = "b"\nunit_id = 2\nbaudrate = 19200\n',
            "share one RS-485 line",
        ),
        ("portal_url = [", "not valid TOML"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CollectorConfigError) as caught:
        load_collector_config(write(tmp_path, text))
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_missing_token_variable_fails_at_load(tmp_path: Path) -> None:
    text = MINIMAL.replace(f'token = "{SECRET}"', 'token_env = "NOT_SET_ANYWHERE_42"')
    with pytest.raises(CollectorConfigError, match="NOT_SET_ANYWHERE_42"):
        load_collector_config(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CollectorConfigError, match="no such file"):
        load_collector_config(tmp_path / "nope.toml")


def test_world_readable_tokens_are_flagged(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    config = load_collector_config(path)
    assert config_file_warnings(path, config) == []
    path.chmod(0o644)
    [warning] = config_file_warnings(path, config)
    assert "chmod 600" in warning


# ---------------------------------------------------------------- sending rules


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_seconds(n, 1.0, 60.0) for n in range(9)] == [
        0.0,
        1.0,
        2.0,
        4.0,
        8.0,
        16.0,
        32.0,
        60.0,
        60.0,
    ]
    assert backoff_seconds(10_000, 0.5, 5.0) == 5.0


def test_refused_rows_come_from_the_422_detail() -> None:
    detail = [
        {"loc": ["body", "measurements", 3, "time"], "msg": "row 3, time: …"},
        {"loc": ["body", "measurements", 7, "power_kw"], "msg": "…"},
        {"loc": ["body", "measurements", 99, "power_kw"], "msg": "out of the batch"},
        {"loc": ["body", "measurements"], "msg": "no row"},
        "not a problem object",
    ]
    assert refused_row_indexes(detail, 10) == {3, 7}
    assert refused_row_indexes("the batch has no rows", 10) == set()
    assert refused_row_indexes(None, 10) == set()


def test_rows_and_bodies_follow_the_ingest_contract() -> None:
    reading = Reading(
        "Main",
        datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=UTC),
        DecodedReading({"power_kw": 12.5, "energy_import_kwh": 10234.7}),
    )
    assert ingest_row(reading) == {
        "time": "2026-05-01T08:00:00.123456+00:00",
        "power_kw": 12.5,
        "energy_import_kwh": 10234.7,
    }
    body = ingest_body(
        [
            SpooledReading(1, "Main", "t1", '{"time":"2026-05-01T08:00:00+00:00","power_kw":1.0}'),
            SpooledReading(2, "Main", "t2", '{"time":"2026-05-01T08:01:00+00:00","power_kw":2.0}'),
        ]
    )
    assert body == (
        b'{"measurements":[{"time":"2026-05-01T08:00:00+00:00","power_kw":1.0},'
        b'{"time":"2026-05-01T08:01:00+00:00","power_kw":2.0}]}'
    )
