"""``SharedTableProperties``: paho's MQTT 5 PUBLISH properties decoded as paho decodes them,
with the lookup tables built once instead of per message."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from paho.mqtt import _packet as paho_packet
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from power_portal.gateways.client import SharedTableProperties

TOPIC = b"acuvim/ACV-1/telemetry"
PAYLOAD = b'{"ts": 1700000000, "v": {"P": 1.5}}'


def publish_packet(properties: Properties | None, packet_id: int = 7) -> bytes:
    """A QoS 1 PUBLISH's variable header and payload (what paho's decoder is given)."""
    packed = properties.pack() if properties is not None else b"\x00"  # type: ignore[no-untyped-call]
    return struct.pack("!H", len(TOPIC)) + TOPIC + struct.pack("!H", packet_id) + packed + PAYLOAD


def properties(**values: Any) -> Properties:
    made = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    for name, value in values.items():
        setattr(made, name, value)
    return made


CASES = [
    pytest.param(None, id="none (what gateways send)"),
    pytest.param(properties(ContentType="application/json"), id="content type"),
    pytest.param(properties(MessageExpiryInterval=30, PayloadFormatIndicator=1), id="numbers"),
    pytest.param(properties(UserProperty=[("site", "a"), ("site", "b")]), id="user pairs"),
    pytest.param(
        properties(
            ResponseTopic="reply/1",
            CorrelationData=b"\x00\x01",
            TopicAlias=3,
            UserProperty=[("k", "v")],
        ),
        id="several",
    ),
]


def decode(packet: bytes, properties_class: type[Properties]) -> Any:
    installed = paho_packet.Properties  # type: ignore[attr-defined]
    paho_packet.Properties = properties_class  # type: ignore[attr-defined]
    try:
        return paho_packet.decode_publish(0x32, packet, MQTTProtocolVersion.MQTTv5)
    finally:
        paho_packet.Properties = installed  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", CASES)
def test_decodes_as_paho_does(sent: Properties | None) -> None:
    packet = publish_packet(sent)
    ours, pahos = decode(packet, SharedTableProperties), decode(packet, Properties)
    assert type(ours.properties) is SharedTableProperties
    assert ours.properties.json() == pahos.properties.json()  # type: ignore[no-untyped-call]
    assert (ours.topic, ours.mid, ours.payload, ours.qos) == (
        pahos.topic,
        pahos.mid,
        pahos.payload,
        pahos.qos,
    )
    if sent is not None:
        assert ours.properties.json() == sent.json()  # type: ignore[no-untyped-call]


def test_the_tables_are_built_once_and_never_changed() -> None:
    first = decode(publish_packet(properties(ContentType="a")), SharedTableProperties)
    second = decode(publish_packet(None), SharedTableProperties)
    assert first.properties.names is second.properties.names
    assert first.properties.properties is second.properties.properties
    assert first.properties.names == Properties(PacketTypes.PUBLISH).names  # type: ignore[no-untyped-call]
    assert not hasattr(second.properties, "ContentType")  # nothing leaks between messages


def test_clear_removes_what_was_set_and_keeps_the_tables() -> None:
    decoded = decode(
        publish_packet(properties(ContentType="a", TopicAlias=2)), SharedTableProperties
    )
    decoded.properties.clear()
    assert decoded.properties.json() == {}
    assert decoded.properties.packetType == PacketTypes.PUBLISH
    decoded.properties.ContentType = "b"  # still checked as paho checks it
    with pytest.raises(Exception, match="must be one of"):
        decoded.properties.NotAProperty = 1


def test_the_bridge_installs_it_for_publish_decoding() -> None:
    assert paho_packet.Properties is SharedTableProperties  # type: ignore[attr-defined]
