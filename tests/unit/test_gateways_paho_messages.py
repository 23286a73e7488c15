"""How the bridge's client takes messages from paho and aiomqtt (``gateways/client.py``):
paho's message class with a lazy ``info``, and the queue read without aiomqtt's iterator."""

from __future__ import annotations

import asyncio

import aiomqtt
import pytest
from paho.mqtt import client as paho_client

from power_portal.gateways.client import GatedClient, ReceivedMessage

# paho's own class (the bridge installs ReceivedMessage in its place)
PahoMessage: type[paho_client.MQTTMessage] = ReceivedMessage.__bases__[0]


@pytest.mark.parametrize(
    ("mid", "topic"), [(0, b""), (7, b"acuvim/ACV-1/telemetry"), (65535, b"x")]
)
def test_a_received_message_starts_as_pahos_does(mid: int, topic: bytes) -> None:
    ours, pahos = ReceivedMessage(mid, topic), PahoMessage(mid, topic)
    for name in PahoMessage.__slots__:
        if name != "info":
            assert getattr(ours, name) == getattr(pahos, name), name
    assert ours.topic == pahos.topic
    assert (ours.info.mid, ours.info.rc, ours.info.is_published()) == (
        pahos.info.mid,
        pahos.info.rc,
        pahos.info.is_published(),
    )


def test_its_info_is_made_once_when_first_read() -> None:
    message = ReceivedMessage(9, b"t")
    assert message._info is None  # nothing built for a message nobody asks about
    info = message.info
    assert info is message.info
    assert info.mid == 9
    other = paho_client.MQTTMessageInfo(10)
    message.info = other  # paho's publish path sets one
    assert message.info is other


def test_the_bridge_installs_it_for_publish_decoding() -> None:
    assert paho_client.MQTTMessage is ReceivedMessage


def message(mid: int) -> aiomqtt.Message:
    return aiomqtt.Message(
        topic="acuvim/ACV-1/telemetry", payload=b"{}", qos=1, retain=False, mid=mid, properties=None
    )


def test_messages_received_before_a_loss_come_first_then_the_loss() -> None:
    async def run() -> None:
        client = GatedClient("127.0.0.1", 1)  # never connected: its queue is filled here
        client.watch_loss()
        first, second = message(1), message(2)
        client._queue.put_nowait(first)
        client._queue.put_nowait(second)
        client._disconnected.set_exception(aiomqtt.MqttError("gone"))
        assert await client.next_message() is first
        assert await client.next_message() is second
        for _ in range(2):  # and for whoever asks again
            with pytest.raises(aiomqtt.MqttError) as raised:
                await client.next_message()
            assert isinstance(raised.value.__cause__, aiomqtt.MqttError)

    asyncio.run(run())


def test_a_waiting_reader_wakes_for_a_message_and_for_the_loss() -> None:
    async def run() -> None:
        client = GatedClient("127.0.0.1", 1)
        client.watch_loss()
        waiting = asyncio.create_task(client.next_message())
        await asyncio.sleep(0)  # it waits on the empty queue
        arrived = message(3)
        client._queue.put_nowait(arrived)
        assert await waiting is arrived
        waiting = asyncio.create_task(client.next_message())
        await asyncio.sleep(0)
        client._disconnected.set_result(None)  # a clean disconnect
        with pytest.raises(aiomqtt.MqttError):
            await waiting

    asyncio.run(run())
