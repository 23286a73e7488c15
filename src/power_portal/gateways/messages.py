"""What the gateways publish, decoded and checked: pure functions, no I/O.

Topics (``prefix`` defaults to ``acuvim``; ``{id}`` is the gateway id, which
is the device's serial in the portal):

- ``{prefix}/{id}/telemetry``: readings, mapped by the field map, then checked
  by the same rules as HTTP ingest (``measurements.parsing.check_rows``);
- ``{prefix}/{id}/heartbeat``: ``{"fw", "up", "rssi", "mb_err", "sd"}``;
- ``{prefix}/{id}/status``: ``online`` / ``offline`` (retained; the last will);
- ``devices/register``: ``{"dev": id, "fw", "model"}`` from a gateway that boots.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from power_portal.gateways.fieldmap import FieldMap, MessageRejectedError
from power_portal.measurements.parsing import InvalidRowsError, Row, check_rows

REGISTER_TOPIC = "devices/register"
MAX_PAYLOAD_BYTES = 1024 * 1024
GATEWAY_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")  # what a device serial may be
MAX_TEXT = 64
_decoder = msgspec.json.Decoder()


class TopicKind(StrEnum):
    TELEMETRY = "telemetry"
    HEARTBEAT = "heartbeat"
    STATUS = "status"
    REGISTER = "register"


@dataclass(frozen=True)
class GatewayTopic:
    kind: TopicKind
    gateway_id: str | None  # None for devices/register (the id is in the payload)


def subscriptions(prefix: str) -> list[tuple[str, int]]:
    """(topic filter, QoS) the bridge subscribes to."""
    return [
        (f"{prefix}/+/{TopicKind.TELEMETRY}", 1),
        (f"{prefix}/+/{TopicKind.HEARTBEAT}", 0),
        (f"{prefix}/+/{TopicKind.STATUS}", 1),
        (REGISTER_TOPIC, 1),
    ]


def parse_topic(topic: str, prefix: str) -> GatewayTopic | None:
    """The kind of message and the gateway it is from; None for a topic that is not ours."""
    if topic == REGISTER_TOPIC:
        return GatewayTopic(TopicKind.REGISTER, None)
    head = prefix + "/"
    if not topic.startswith(head):
        return None
    gateway_id, _, kind = topic[len(head) :].partition("/")
    if not GATEWAY_ID.match(gateway_id):
        return None
    try:
        return GatewayTopic(TopicKind(kind), gateway_id)
    except ValueError:
        return None


def decode_json(payload: bytes) -> Any:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise MessageRejectedError("too_large", f"the message is over {MAX_PAYLOAD_BYTES} bytes")
    try:
        return _decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise MessageRejectedError("malformed_json", f"malformed JSON: {exc}") from exc


# ---------------------------------------------------------------- telemetry


@dataclass(frozen=True)
class Telemetry:
    rows: list[Row]  # ready for store_batch
    unknown_keys: list[str]


def decode_telemetry(
    payload: bytes, field_map: FieldMap, gateway_id: str, now: datetime
) -> Telemetry:
    """Rows from one telemetry message, checked like an HTTP ingest batch (else rejected)."""
    mapped = field_map.map(decode_json(payload))
    if mapped.device is not None and mapped.device != gateway_id:
        raise MessageRejectedError(
            "wrong_device",
            f"the message names gateway {mapped.device!r} but came on {gateway_id!r}'s topic",
        )
    if not mapped.rows:
        raise MessageRejectedError("no_rows", "the message holds no readings")
    try:
        rows = check_rows(mapped.rows, now)
    except InvalidRowsError as exc:
        first = exc.problems[0].as_detail()["msg"]
        raise MessageRejectedError("invalid", first.replace("row 0, ", "", 1)) from exc
    return Telemetry(rows, mapped.unknown_keys)


# ---------------------------------------------------------------- heartbeat


@dataclass(frozen=True)
class Heartbeat:
    firmware: str | None = None
    uptime_seconds: int | None = None
    rssi_dbm: int | None = None
    modbus_error_rate: float | None = None  # failed Modbus polls / all polls, 0..1
    sd_state: str | None = None  # "ok", "full", "absent", "error", ...


# short key (the firmware's) → long key (also accepted)
HEARTBEAT_KEYS = {
    "fw": "firmware",
    "up": "uptime_s",
    "rssi": "rssi_dbm",
    "mb_err": "modbus_error_rate",
    "sd": "sd_state",
}


def _pick(document: dict[str, Any], short: str) -> Any:
    value = document.get(short)
    return document.get(HEARTBEAT_KEYS[short]) if value is None else value


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise MessageRejectedError(
            "bad_value", f"{name} must be text of at most {MAX_TEXT} characters (no NUL)"
        )
    return value.strip() or None


def _real(value: object, name: str, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value) or not lo <= value <= hi:  # type: ignore[arg-type, operator]
        raise MessageRejectedError("bad_value", f"{name} must be a number from {lo:g} to {hi:g}")
    return float(value)  # type: ignore[arg-type]


def parse_heartbeat(payload: bytes) -> Heartbeat:
    document = decode_json(payload)
    if not isinstance(document, dict):
        raise MessageRejectedError("not_an_object", "a heartbeat must be a JSON object")
    uptime = _real(_pick(document, "up"), "up", 0, 10 * 365 * 86400)
    rssi = _real(_pick(document, "rssi"), "rssi", -150, 0)
    return Heartbeat(
        firmware=_text(_pick(document, "fw"), "fw"),
        uptime_seconds=None if uptime is None else int(uptime),
        rssi_dbm=None if rssi is None else round(rssi),
        modbus_error_rate=_real(_pick(document, "mb_err"), "mb_err", 0, 1),
        sd_state=_text(_pick(document, "sd"), "sd"),
    )


# ---------------------------------------------------------------- status


class GatewayStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


def parse_status(payload: bytes) -> GatewayStatus:
    """``online``/``offline``, plain or as JSON (``"online"`` or ``{"status": "online"}``)."""
    text = payload.decode("utf-8", "replace").strip()
    if text.startswith(("{", '"')):
        document = decode_json(payload)
        if isinstance(document, dict):
            document = document.get("status", document.get("state"))
        text = document if isinstance(document, str) else ""
    try:
        return GatewayStatus(text.strip().lower())
    except ValueError as exc:
        raise MessageRejectedError("bad_value", "a status must be 'online' or 'offline'") from exc


# ---------------------------------------------------------------- register


@dataclass(frozen=True)
class Registration:
    gateway_id: str
    firmware: str | None = None
    model: str | None = None


def parse_register(payload: bytes) -> Registration:
    document = decode_json(payload)
    if not isinstance(document, dict):
        raise MessageRejectedError("not_an_object", "a registration must be a JSON object")
    gateway_id = document.get("dev", document.get("id"))
    if not isinstance(gateway_id, str) or not GATEWAY_ID.match(gateway_id):
        raise MessageRejectedError(
            "bad_value", "a registration needs 'dev': the gateway id (letters, digits, . _ : -)"
        )
    return Registration(
        gateway_id=gateway_id,
        firmware=_text(_pick(document, "fw"), "fw"),
        model=_text(document.get("model"), "model"),
    )
