"""The MQTT client: connect (TLS when asked), subscribe, receive forever, reconnect with back-off.

MQTT 5 with a persistent session (a fixed client id, ``clean_start=False`` and a Session
Expiry Interval), so the broker keeps QoS 1 telemetry for the portal while it is away. A
message is acknowledged (PUBACK) only once what it brought is committed (``acks``; paho's
manual acknowledgement, reached through aiomqtt's paho client until aiomqtt exposes it):
a process killed at any moment loses nothing, the broker sends again what it had not
acknowledged. The Receive Maximum bounds the messages the broker sends unacknowledged, so
a slow database stops the broker instead of filling memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import aiomqtt
import structlog
from paho.mqtt import _packet as paho_packet
from paho.mqtt import client as paho_client
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from power_portal.core.time import utcnow
from power_portal.gateways.acks import Acknowledgements
from power_portal.gateways.decisions import JITTER, reconnect_delay, window_just_filled
from power_portal.gateways.messages import subscriptions
from power_portal.gateways.state import BridgeState
from power_portal.settings import MqttSettings

log = structlog.get_logger(__name__)

CONNECT_TIMEOUT_SECONDS = 10
# Unsubscribing from a filter never subscribed to: the broker's UNSUBACK comes after it has
# handled every PUBACK sent before, on the same connection (see Receiver.confirm)
CONFIRM_TOPIC = "$portal/acknowledged"
CONFIRM_TIMEOUT_SECONDS = 5

# (topic, payload, retained, the message's number); never raises
OnMessage = Callable[[str, object, bool, int], None]


class SharedTableProperties(Properties):
    """paho's MQTT 5 ``Properties`` with its lookup tables built once.

    paho 2.x builds three tables (27 property definitions) in every ``Properties()``, and
    decodes every MQTT 5 PUBLISH into a new one: the tables are read-only lookups, so
    each instance here shares one set of them. Installed for PUBLISH decoding by
    ``share_property_tables``; behaves exactly as paho's class otherwise (tested).
    """

    _tables: Properties | None = None

    def __init__(self, packetType: int) -> None:  # noqa: N803 - paho's name
        tables = SharedTableProperties._tables
        if tables is None:
            tables = SharedTableProperties._tables = Properties(packetType)  # type: ignore[no-untyped-call]
        object.__setattr__(self, "packetType", packetType)
        object.__setattr__(self, "types", tables.types)
        object.__setattr__(self, "names", tables.names)
        object.__setattr__(self, "properties", tables.properties)

    def clear(self) -> None:
        """Remove every property set (paho's ``clear``, which ``unpack`` calls first, tries
        each of the 27 names in turn): only the attributes that are not the tables."""
        for name in [name for name in vars(self) if name not in _TABLE_ATTRIBUTES]:
            object.__delattr__(self, name)


_TABLE_ATTRIBUTES = frozenset({"packetType", "types", "names", "properties"})


def share_property_tables() -> None:
    """Decode PUBLISH properties into ``SharedTableProperties`` (paho reads the class from
    its ``_packet`` module at each decode)."""
    paho_packet.Properties = SharedTableProperties  # type: ignore[attr-defined]


share_property_tables()


class ReceivedMessage(paho_client.MQTTMessage):
    """paho's ``MQTTMessage`` whose ``info`` is made when first read.

    paho builds an ``MQTTMessageInfo`` (with a ``threading.Condition``) for every message
    it decodes, for its publish tracking; a received message's is never read by the bridge
    (it acknowledges by ``mid``), and building it was a twentieth of a drain's time.
    Installed for PUBLISH decoding by ``make_info_lazy``. ``__init__`` sets what paho's
    does, but ``info``: a test compares every attribute with paho's class.
    """

    __slots__ = ("_info",)

    def __init__(self, mid: int = 0, topic: bytes = b"") -> None:
        self.timestamp = 0.0
        self.state = paho_client.mqtt_ms_invalid
        self.dup = False
        self.mid = mid
        self._topic = topic
        self.payload = b""
        self.qos = 0
        self.retain = False
        self.properties = None
        self._info: paho_client.MQTTMessageInfo | None = None

    @property
    def info(self) -> paho_client.MQTTMessageInfo:
        if self._info is None:
            self._info = paho_client.MQTTMessageInfo(self.mid)
        return self._info

    @info.setter
    def info(self, value: paho_client.MQTTMessageInfo) -> None:
        self._info = value


def make_info_lazy() -> None:
    """Decode PUBLISH packets into ``ReceivedMessage`` (paho reads the class from its
    ``client`` module at each decode)."""
    paho_client.MQTTMessage = ReceivedMessage  # type: ignore[misc]


make_info_lazy()


def tls_context(settings: MqttSettings) -> ssl.SSLContext | None:
    """The broker's TLS: our CA (or the system's), a client certificate, the host check."""
    if not settings.tls:
        return None
    context = ssl.create_default_context(
        cafile=str(settings.tls_ca_file) if settings.tls_ca_file else None
    )
    if settings.tls_cert_file:
        context.load_cert_chain(
            str(settings.tls_cert_file),
            str(settings.tls_key_file) if settings.tls_key_file else None,
        )
    if settings.tls_insecure:
        context.check_hostname = False
    return context


# Queued behind the last message when the connection is lost (``GatedClient.watch_loss``)
CONNECTION_LOST = aiomqtt.Message(
    topic="$portal/connection-lost", payload=b"", qos=0, retain=False, mid=0, properties=None
)


class GatedClient(aiomqtt.Client):
    """aiomqtt's client whose socket reading pauses (``pause_reading``) while the portal has
    as many unacknowledged messages as the window: TCP flow control then holds the broker
    back even where the broker overshoots the Receive Maximum (mosquitto 2.0.11 sends more
    after each PUBACK). Keep-alive still runs: paho drops a connection whose broker was
    not read for two keep-alives, and the broker then sends the unacknowledged ones again.

    ``_on_socket_open`` and ``_on_socket_register_write`` are aiomqtt 2.5's, keeping the
    reader callback to add it again and surviving a poll uvloop closed (``_watch``).
    """

    _reader: Callable[[], None] | None = None
    _reader_fd = -1
    _reading_paused = False

    def _on_socket_open(self, client: Any, userdata: Any, sock: Any) -> None:
        def callback() -> None:
            try:
                while True:
                    client.loop_read()
                    pending = getattr(client._sock, "pending", None)
                    if pending is not None and pending() > 0:
                        continue
                    break
            except Exception as exc:  # a broken connection: aiomqtt sets it as the cause
                self._broken(exc)

        def create_misc_task() -> None:
            self._misc_task = self._loop.create_task(self._misc_loop())

        self._reader, self._reader_fd, self._reading_paused = callback, sock.fileno(), False
        self._loop.call_soon_threadsafe(self._watch, sock.fileno(), callback, False)
        self._loop.call_soon_threadsafe(create_misc_task)

    def _on_socket_register_write(self, client: Any, userdata: Any, sock: Any) -> None:
        def callback() -> None:
            try:
                client.loop_write()
            except Exception as exc:  # a broken connection, as aiomqtt's own callback
                self._broken(exc)

        self._loop.call_soon_threadsafe(self._watch, sock.fileno(), callback, True)

    def _watch(self, fd: int, callback: Callable[[], None], writing: bool) -> None:
        """``add_reader``/``add_writer`` for the socket, surviving uvloop's dead polls.

        When the socket reports an error (POLLERR: the broker went away with a reset),
        uvloop closes the fd's poll handle without telling anyone and keeps it, so every
        later add_reader/add_writer on that fd raises RuntimeError: paho then never reads
        the loss and never writes a PUBACK or a PINGREQ, and the bridge sat "connected"
        for 1.5 keep-alives. A dead poll is dropped (a new socket with the same fd number
        works again) and the connection counts as lost, so the receiver reconnects.
        """
        add = self._loop.add_writer if writing else self._loop.add_reader
        try:
            add(fd, callback)
        except (OSError, ValueError):  # closed meanwhile: paho notices on its own
            return
        except RuntimeError as exc:  # "unable to perform operation on <UVPoll closed=True>"
            self._drop_poll(fd)
            self._broken(exc)

    def _drop_poll(self, fd: int) -> None:
        for remove in (self._loop.remove_reader, self._loop.remove_writer):
            with contextlib.suppress(Exception):
                remove(fd)

    def _broken(self, exc: BaseException) -> None:
        if not self._disconnected.done():
            self._disconnected.set_exception(exc)

    def watch_loss(self) -> None:
        """Once connected: the loss of the connection queues ``CONNECTION_LOST`` behind the
        messages received before it (``next_message`` then raises, as aiomqtt's iterator)."""
        self._disconnected.add_done_callback(lambda _: self._queue.put_nowait(CONNECTION_LOST))

    async def next_message(self) -> aiomqtt.Message:
        """The next message, in order; ``MqttError`` once the connection is lost (after those
        received before). aiomqtt's own iterator makes a task and an ``asyncio.wait`` for
        every message (watching the loss too): a sixth of the bridge's time in a drain."""
        message = await self._queue.get()
        if message is CONNECTION_LOST:
            self._queue.put_nowait(CONNECTION_LOST)  # for whoever asks next
            raise aiomqtt.MqttError(
                "Disconnected during message iteration"
            ) from self._disconnected.exception()
        return message

    def pause_reading(self) -> None:
        if not self._reading_paused and self._reader_fd >= 0:
            self._reading_paused = True
            with contextlib.suppress(Exception):  # a dead poll: found at the next write
                self._loop.remove_reader(self._reader_fd)

    def resume_reading(self) -> None:
        if self._reading_paused and self._reader is not None and self._reader_fd >= 0:
            self._reading_paused = False
            self._watch(self._reader_fd, self._reader, False)


def connect_properties(settings: MqttSettings) -> Properties:
    """MQTT 5 CONNECT properties: how long the broker keeps the session, and the window."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = settings.session_expiry_seconds
    properties.ReceiveMaximum = settings.receive_maximum
    return properties


class Receiver:
    """The connection to the broker; numbers each message (``acks``), hands it to
    ``on_message``, wakes the writer when half the window waits for acknowledgement
    (``full``), then waits for ``room`` (back-pressure) before taking the next."""

    def __init__(
        self,
        settings: MqttSettings,
        state: BridgeState,
        on_message: OnMessage,
        room: Callable[[], Awaitable[None]],
        acks: Acknowledgements,
        full: Callable[[], None],
    ) -> None:
        self.settings = settings
        self.state = state
        self.on_message = on_message
        self.room = room
        self.acks = acks
        self.full = full
        self.taking = True  # False: stopping, messages are left for the broker to send again
        self._client: GatedClient | None = None  # while connected

    @property
    def broker(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    async def _new_client(self) -> GatedClient:
        s = self.settings
        client = GatedClient(
            s.host,
            s.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            identifier=s.client_id,
            protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=False,
            properties=connect_properties(s),
            keepalive=s.keepalive_seconds,
            tls_context=await asyncio.to_thread(tls_context, s) if s.tls else None,
            timeout=CONNECT_TIMEOUT_SECONDS,
        )
        # Before connecting: the session's queued messages come right after the CONNACK.
        # aiomqtt does not expose paho's manual acknowledgement yet (aiomqtt issue 345).
        client._client.manual_ack_set(True)
        return client

    async def run(self) -> None:
        """Forever: connect, subscribe, receive; after a loss wait (``reconnect_delay``), again."""
        s = self.settings
        attempt = 0  # pauses since the last successful connection
        acks = self.acks
        while True:
            try:
                async with await self._new_client() as client:
                    self._client = client
                    client.watch_loss()
                    acks.connected(client._client.ack, client.pause_reading, client.resume_reading)
                    await client.subscribe(subscriptions(s.topic_prefix))
                    self._connected()
                    attempt = 0
                    while True:
                        message = await client.next_message()
                        if not self.taking:  # never numbered, never acknowledged
                            continue
                        number = acks.arrived(message.mid, message.qos)
                        self.on_message(
                            message.topic.value, message.payload, message.retain, number
                        )
                        if window_just_filled(acks.unacknowledged, s.receive_maximum):
                            self.full()
                        await self.room()
            except (aiomqtt.MqttError, ssl.SSLError, OSError) as exc:
                self._disconnected(exc)
            finally:
                self._client = None
                acks.disconnected()
            pause = reconnect_delay(
                attempt,
                s.reconnect_min_seconds,
                s.reconnect_max_seconds,
                random.uniform(*JITTER),  # noqa: S311 - spreading reconnects, not a secret
            )
            attempt += 1
            log.info("mqtt.reconnecting", broker=self.broker, in_seconds=round(pause, 2))
            await asyncio.sleep(pause)

    def stop_taking(self) -> None:
        """A graceful stop: take no more messages (they are never acknowledged: the broker
        sends them again to the next process); the ones taken so far can still be stored
        and acknowledged on this connection."""
        self.taking = False
        self.acks.hold()

    async def confirm(self) -> bool:
        """Until the broker has handled the acknowledgements sent so far: a round trip on the
        same connection (an UNSUBSCRIBE it answers in order). Closing the connection right
        after the PUBACKs could lose them: the socket holds unread messages, so the close
        resets the connection and the broker may drop what it had not read yet."""
        client = self._client
        if client is None:
            return False
        try:
            await client.unsubscribe(CONFIRM_TOPIC, timeout=CONFIRM_TIMEOUT_SECONDS)
        except (aiomqtt.MqttError, OSError) as exc:
            log.warning("mqtt.acknowledgements_unconfirmed", error=str(exc))
            return False
        return True

    def _connected(self) -> None:
        state = self.state
        state.connected = True
        state.connected_since = utcnow()
        state.last_error = None
        state.changed()
        log.info("mqtt.connected", broker=self.broker, topic_prefix=self.settings.topic_prefix)

    def _disconnected(self, exc: BaseException) -> None:
        state = self.state
        if state.connected:
            log.warning("mqtt.disconnected", broker=self.broker, error=str(exc))
        else:
            state.connection_failures += 1
            log.warning("mqtt.connect_failed", broker=self.broker, error=str(exc))
        state.connected = False
        state.connected_since = None
        state.last_error = str(exc) or type(exc).__name__
        state.changed()
