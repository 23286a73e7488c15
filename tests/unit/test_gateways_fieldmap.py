"""The MQTT field map, message decoding and the bridge's settings: pure, no broker, no database."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from power_portal.gateways.decisions import connection_state
from power_portal.gateways.fieldmap import (
    DEFAULT_FIELD_MAP_FILE,
    FieldMap,
    FieldMapError,
    FieldRule,
    MessageRejectedError,
    load_field_map,
)
from power_portal.gateways.messages import (
    MAX_PAYLOAD_BYTES,
    GatewayStatus,
    TopicKind,
    decode_telemetry,
    parse_heartbeat,
    parse_register,
    parse_status,
    parse_topic,
    subscriptions,
)
from power_portal.gateways.schemas import ConnectionState
from power_portal.measurements.fields import FIELD_NAMES
from power_portal.settings import MqttSettings
from tests.support.mosquitto import firmware_message

GATEWAY = "ACV-AABBCCDDEEFF"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
TS = int((NOW - timedelta(minutes=5)).timestamp())
DEFAULT = load_field_map()


def column(row: tuple[object, ...], name: str) -> object:
    return row[1 + FIELD_NAMES.index(name)]


def rejected(call: object) -> MessageRejectedError:
    assert callable(call)
    with pytest.raises(MessageRejectedError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------- the default map


def test_the_default_map_reads_every_group_of_the_firmware_message() -> None:
    mapped = DEFAULT.map(firmware_message(GATEWAY, TS, seq=812, rp=1))
    assert mapped.device == GATEWAY
    assert mapped.unknown_keys == []
    [row] = mapped.rows
    assert row["time"] == datetime.fromtimestamp(TS, UTC)
    assert row["voltage_l1_v"] == 230.1
    assert row["voltage_l31_v"] == 398.7
    assert row["current_n_a"] == 1.2
    # powers arrive in W, var, VA: stored in kW, kvar, kVA
    assert math.isclose(row["power_kw"], 13.38)
    assert math.isclose(row["power_l2_kw"], 4.31)
    assert math.isclose(row["reactive_power_kvar"], 2.15)
    assert math.isclose(row["apparent_power_kva"], 13.56)
    assert row["power_factor"] == 0.987
    assert row["frequency_hz"] == 50.01
    # energies arrive in kWh, kvarh, kVAh
    assert row["energy_import_kwh"] == 125034.7
    assert row["reactive_energy_export_kvarh"] == 150.2
    assert row["apparent_energy_kvah"] == 140233.9
    # every ingest field is reachable through the default map
    assert set(row) - {"time"} == set(FIELD_NAMES)


def test_the_shipped_default_file_is_the_default() -> None:
    assert DEFAULT_FIELD_MAP_FILE.is_file()
    assert DEFAULT.source == "default"
    assert DEFAULT.time_path == "ts"
    assert DEFAULT.device_path == "dev"
    assert FieldRule("p.t", "power_kw", 0.001) in DEFAULT.rules


def test_unknown_keys_are_reported_by_path_and_do_not_fail_the_message() -> None:
    message = firmware_message(GATEWAY, TS, thd={"a": 3.1}, heap=20480)
    message["v"]["x"] = 1.0
    mapped = DEFAULT.map(message)
    assert sorted(mapped.unknown_keys) == ["heap", "thd", "v.x"]
    assert mapped.rows[0]["voltage_l1_v"] == 230.1


def test_missing_groups_and_null_values_are_simply_absent() -> None:
    mapped = DEFAULT.map({"ts": TS, "p": {"t": 1500, "a": None}, "i": None})
    assert mapped.rows == [{"time": datetime.fromtimestamp(TS, UTC), "power_kw": 1.5}]
    assert mapped.device is None


@pytest.mark.parametrize(
    ("message", "reason", "where"),
    [
        ({"ts": TS, "p": {"t": "1500"}}, "bad_value", "p.t"),
        ({"ts": TS, "p": {"t": True}}, "bad_value", "p.t"),
        ({"ts": TS, "pf": math.nan}, "bad_value", "pf"),
        ({"ts": TS, "v": 230.0}, "bad_value", "v"),
        ({"ts": "2026-05-01", "pf": 0.9}, "bad_time", "ts"),
        ({"ts": 1e300, "pf": 0.9}, "bad_time", "ts"),
        ({"ts": TS, "dev": 7, "pf": 0.9}, "bad_value", "dev"),
        ({"pf": 0.9}, "no_time", "ts"),
    ],
)
def test_a_value_of_the_wrong_kind_rejects_the_message(
    message: dict[str, object], reason: str, where: str
) -> None:
    error = rejected(lambda: DEFAULT.map(message))
    assert error.reason == reason
    assert where in error.detail


def test_milliseconds_and_rfc3339_times() -> None:
    in_ms = FieldMap(rules=(FieldRule("kw", "power_kw"),), time_path="t", time_unit="ms")
    row = in_ms.map({"t": TS * 1000, "kw": 2}).rows[0]
    assert row["time"] == datetime.fromtimestamp(TS, UTC)
    rfc = FieldMap(rules=(FieldRule("kw", "power_kw"),), time_path="at", time_unit="rfc3339")
    row = rfc.map({"at": "2026-05-01T14:00:00+02:00", "kw": 2}).rows[0]
    assert row["time"] == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert rejected(lambda: rfc.map({"at": "2026-05-01T14:00:00", "kw": 2})).reason == "bad_time"


# ---------------------------------------------------------------- our own flat schema


def test_the_flat_ingest_row_and_batch_are_accepted_too() -> None:
    row = DEFAULT.map({"time": "2026-05-01T10:00:00+02:00", "power_kw": 12.5, "pf": 0.9})
    assert row.rows == [{"time": datetime(2026, 5, 1, 8, 0, tzinfo=UTC), "power_kw": 12.5}]
    assert row.unknown_keys == ["pf"]  # short keys belong to the firmware shape only

    batch = DEFAULT.map(
        {
            "dev": GATEWAY,
            "measurements": [
                {"time": "2026-05-01T10:00:00Z", "power_kw": 1.0},
                {"time": "2026-05-01T10:01:00Z", "power_kw": 2.0, "energy_import_kwh": 7.0},
            ],
        }
    )
    assert batch.device == GATEWAY
    assert [r["power_kw"] for r in batch.rows] == [1.0, 2.0]
    assert batch.rows[1]["energy_import_kwh"] == 7.0


def test_a_list_of_messages_is_one_message_of_many_rows() -> None:
    mapped = DEFAULT.map([firmware_message(GATEWAY, TS), firmware_message(GATEWAY, TS + 60)])
    assert len(mapped.rows) == 2
    error = rejected(
        lambda: DEFAULT.map([firmware_message(GATEWAY, TS), firmware_message("ACV-OTHER", TS)])
    )
    assert error.reason == "wrong_device"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"time": "yesterday", "power_kw": 1.0}, "bad_time"),
        ({"time": "2026-05-01T10:00:00", "power_kw": 1.0}, "bad_time"),
        ({"measurements": {"time": "2026-05-01T10:00:00Z"}}, "bad_value"),
        ({"measurements": [{"power_kw": 1.0}]}, "no_time"),
        ({"measurements": [7]}, "not_an_object"),
        (["not an object"], "not_an_object"),
        ("online", "not_an_object"),
    ],
)
def test_broken_flat_messages_are_rejected(message: object, reason: str) -> None:
    assert rejected(lambda: DEFAULT.map(message)).reason == reason


# ---------------------------------------------------------------- decode + the ingest rules


def telemetry(message: object) -> bytes:
    return json.dumps(message).encode()


def test_decode_telemetry_gives_rows_in_the_ingest_layout() -> None:
    decoded = decode_telemetry(telemetry(firmware_message(GATEWAY, TS)), DEFAULT, GATEWAY, NOW)
    [row] = decoded.rows
    assert row[0] == datetime.fromtimestamp(TS, UTC)
    assert len(row) == 1 + len(FIELD_NAMES)
    assert math.isclose(column(row, "power_kw"), 13.38)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "reason", "says"),
    [
        (b"{not json", "malformed_json", "malformed JSON"),
        (b"", "malformed_json", "malformed JSON"),
        (
            telemetry({"ts": int((NOW + timedelta(days=2)).timestamp()), "pf": 1}),
            "invalid",
            "future",
        ),
        (telemetry({"ts": 900_000_000, "pf": 1}), "invalid", "before 2000"),
        (telemetry({"ts": TS, "seq": 3}), "invalid", "no measured value"),
        (telemetry({"ts": TS, "dev": "ACV-OTHER", "pf": 1}), "wrong_device", "ACV-OTHER"),
        (telemetry([]), "no_rows", "no readings"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), "too_large", "bytes"),
    ],
)
def test_decode_telemetry_applies_the_http_ingest_rules(
    payload: bytes, reason: str, says: str
) -> None:
    error = rejected(lambda: decode_telemetry(payload, DEFAULT, GATEWAY, NOW))
    assert error.reason == reason
    assert says in error.detail


# ---------------------------------------------------------------- field map files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_toml_field_map_replaces_the_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "map.toml",
        """
time = "t"
time_unit = "ms"
device = "meta.id"
ignore = ["meta.fw"]
[fields]
"P" = { field = "power_kw", scale = 0.001 }
"E.in" = { field = "energy_import_kwh", scale = 0.1 }
""",
    )
    field_map = load_field_map(path)
    assert field_map.source == str(path)
    mapped = field_map.map(
        {"t": TS * 1000, "meta": {"id": GATEWAY, "fw": "2"}, "P": 5000, "E": {"in": 10}}
    )
    assert mapped.device == GATEWAY
    assert mapped.unknown_keys == []
    assert mapped.rows[0]["power_kw"] == 5.0
    assert mapped.rows[0]["energy_import_kwh"] == 1.0


def test_a_json_field_map(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "map.json",
        json.dumps({"time": "ts", "device": None, "fields": {"kw": "power_kw"}}),
    )
    mapped = load_field_map(path).map({"ts": TS, "kw": 3, "dev": "x"})
    assert mapped.rows[0]["power_kw"] == 3.0
    assert mapped.unknown_keys == ["dev"]  # no device key in this map


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("m.toml", '[fields]\n"kw" = "power_watts"\n', "unknown field 'power_watts'"),
        ("m.toml", '[fields]\n"a" = "power_kw"\n"b" = "power_kw"\n', "power_kw is mapped twice"),
        ("m.toml", '[fields]\n"p" = "power_kw"\n"p.a" = "power_l1_kw"\n', "'p.a' goes inside 'p'"),
        (
            "m.toml",
            '[fields]\n"p.a" = "power_l1_kw"\n"p" = "power_kw"\n',
            "mapped twice, or is a group",
        ),
        ("m.toml", '[fields]\n"ts" = "power_kw"\n', "'ts' is mapped twice"),
        ("m.toml", '[fields]\n"kw" = { field = "power_kw", scale = 0 }\n', "non-zero scale"),
        ("m.toml", '[fields]\n"v..a" = "voltage_l1_v"\n', "not a path"),
        ("m.toml", 'tyme = "ts"\n[fields]\n', "tyme"),
        ("m.toml", 'time_unit = "h"\n[fields]\n', "time_unit"),
        ("m.toml", "[fields\n", "not valid TOML"),
        ("m.json", "[1, 2]", "must be an object"),
        ("m.yaml", "fields: {}", ".toml or .json"),
    ],
)
def test_a_broken_field_map_is_refused_naming_the_entry(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    with pytest.raises(FieldMapError, match="m\\.") as caught:
        load_field_map(write(tmp_path, name, text))
    assert says in str(caught.value)


def test_a_missing_field_map_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FieldMapError, match="cannot read"):
        load_field_map(tmp_path / "nope.toml")


# ---------------------------------------------------------------- topics and the other messages


@pytest.mark.parametrize(
    ("topic", "prefix", "expected"),
    [
        ("acuvim/ACV-1/telemetry", "acuvim", (TopicKind.TELEMETRY, "ACV-1")),
        ("acuvim/ACV-1/heartbeat", "acuvim", (TopicKind.HEARTBEAT, "ACV-1")),
        ("acuvim/ACV-1/status", "acuvim", (TopicKind.STATUS, "ACV-1")),
        ("devices/register", "acuvim", (TopicKind.REGISTER, None)),
        ("site/a/ACV-1/telemetry", "site/a", (TopicKind.TELEMETRY, "ACV-1")),
        ("acuvim/ACV-1/telemetry/extra", "acuvim", None),
        ("acuvim/ACV-1/config", "acuvim", None),
        ("acuvim/ACV 1/telemetry", "acuvim", None),
        ("other/ACV-1/telemetry", "acuvim", None),
    ],
)
def test_topics(topic: str, prefix: str, expected: tuple[TopicKind, str | None] | None) -> None:
    parsed = parse_topic(topic, prefix)
    assert (None if parsed is None else (parsed.kind, parsed.gateway_id)) == expected


def test_subscriptions_cover_the_gateway_topics() -> None:
    assert subscriptions("acuvim") == [
        ("acuvim/+/telemetry", 1),
        ("acuvim/+/heartbeat", 0),
        ("acuvim/+/status", 1),
        ("devices/register", 1),
    ]


def test_heartbeat_short_and_long_keys() -> None:
    short = parse_heartbeat(
        b'{"fw": "1.4.2", "up": 3600.5, "rssi": -67.4, "mb_err": 0.02, "sd": "ok"}'
    )
    assert (short.firmware, short.uptime_seconds, short.rssi_dbm) == ("1.4.2", 3600, -67)
    assert (short.modbus_error_rate, short.sd_state) == (0.02, "ok")
    long = parse_heartbeat(b'{"firmware": "2.0", "rssi_dbm": -80, "sd_state": "full"}')
    assert (long.firmware, long.rssi_dbm, long.sd_state, long.uptime_seconds) == (
        "2.0",
        -80,
        "full",
        None,
    )
    for broken in (
        b'{"rssi": 5}',
        b'{"mb_err": 2}',
        b'{"fw": 1}',
        b'{"fw": "1\\u0000"}',
        b"[1]",
        b"nope",
    ):
        rejected(lambda broken=broken: parse_heartbeat(broken))


def test_status_plain_or_json() -> None:
    assert parse_status(b"online") is GatewayStatus.ONLINE
    assert parse_status(b" OFFLINE\n") is GatewayStatus.OFFLINE
    assert parse_status(b'{"status": "offline"}') is GatewayStatus.OFFLINE
    assert parse_status(b'"online"') is GatewayStatus.ONLINE
    for broken in (b"maybe", b"{}", b'{"status": 1}', b""):
        assert rejected(lambda broken=broken: parse_status(broken)).reason in {
            "bad_value",
            "malformed_json",
        }


def test_register() -> None:
    registration = parse_register(b'{"dev": "ACV-NEW", "fw": "1.4.2", "model": "Acuvim II"}')
    assert (registration.gateway_id, registration.firmware, registration.model) == (
        "ACV-NEW",
        "1.4.2",
        "Acuvim II",
    )
    assert parse_register(b'{"id": "ACV-2"}').gateway_id == "ACV-2"
    for broken in (b'{"fw": "1"}', b'{"dev": "no spaces please"}', b'{"dev": 5}'):
        rejected(lambda broken=broken: parse_register(broken))


# ---------------------------------------------------------------- online / offline


def test_connection_state() -> None:
    window = 300.0
    assert connection_state(None, None, NOW, window) is ConnectionState.NEVER
    assert (
        connection_state("online", NOW - timedelta(seconds=299), NOW, window)
        is ConnectionState.ONLINE
    )
    assert (
        connection_state(None, NOW - timedelta(seconds=301), NOW, window) is ConnectionState.SILENT
    )
    # the last will wins over a recent message
    assert connection_state("offline", NOW, NOW, window) is ConnectionState.OFFLINE


# ---------------------------------------------------------------- settings


def test_mqtt_settings_are_off_by_default_and_parse_the_url() -> None:
    assert MqttSettings().enabled is False
    plain = MqttSettings(url="mqtt://broker.internal")
    assert (plain.enabled, plain.host, plain.port, plain.tls) == (
        True,
        "broker.internal",
        1883,
        False,
    )
    secure = MqttSettings(url="mqtts://broker.internal:8884", topic_prefix="/site/a/")
    assert (secure.port, secure.tls, secure.topic_prefix) == (8884, True, "site/a")
    assert MqttSettings(url="  ").enabled is False


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"url": "http://broker"}, "mqtt:// or mqtts://"),
        ({"url": "mqtt://user:pw@broker"}, "PORTAL_MQTT__PASSWORD"),
        ({"url": "mqtt://broker/path"}, "only scheme, host and port"),
        ({"url": "mqtt://broker:99999"}, "port"),
        ({"url": "mqtt://:1883"}, "host"),
        ({"topic_prefix": "acuvim/#"}, "wildcards"),
        ({"batch_max_rows": 0}, "batch_max_rows"),
    ],
)
def test_mqtt_settings_refuse_what_cannot_work(values: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        MqttSettings.model_validate(values)
