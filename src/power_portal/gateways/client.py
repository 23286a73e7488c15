"""The MQTT client: connect (TLS when asked), subscribe, receive forever, reconnect with back-off.

The session is persistent (``clean_session=False``, a fixed client id), so the broker keeps
QoS 1 telemetry for the portal while it is away. A message is acknowledged when it is
received, before it is stored: rows still batched when the process is killed (not stopped)
are lost; a graceful stop stores them first.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Awaitable, Callable

import aiomqtt
import structlog

from power_portal.core.time import utcnow
from power_portal.gateways.decisions import JITTER, reconnect_delay
from power_portal.gateways.messages import subscriptions
from power_portal.gateways.state import BridgeState
from power_portal.settings import MqttSettings

log = structlog.get_logger(__name__)

CONNECT_TIMEOUT_SECONDS = 10

OnMessage = Callable[[str, object, bool], None]  # (topic, payload, retained); never raises


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


class Receiver:
    """The connection to the broker; hands each message to ``on_message``, then waits for
    ``room`` (back-pressure) before taking the next."""

    def __init__(
        self,
        settings: MqttSettings,
        state: BridgeState,
        on_message: OnMessage,
        room: Callable[[], Awaitable[None]],
    ) -> None:
        self.settings = settings
        self.state = state
        self.on_message = on_message
        self.room = room

    @property
    def broker(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    async def _client(self) -> aiomqtt.Client:
        s = self.settings
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            identifier=s.client_id,
            clean_session=False,
            keepalive=s.keepalive_seconds,
            tls_context=await asyncio.to_thread(tls_context, s) if s.tls else None,
            timeout=CONNECT_TIMEOUT_SECONDS,
        )

    async def run(self) -> None:
        """Forever: connect, subscribe, receive; after a loss wait (``reconnect_delay``), again."""
        s = self.settings
        attempt = 0  # pauses since the last successful connection
        while True:
            try:
                async with await self._client() as client:
                    await client.subscribe(subscriptions(s.topic_prefix))
                    self._connected()
                    attempt = 0
                    async for message in client.messages:
                        self.on_message(message.topic.value, message.payload, message.retain)
                        await self.room()
            except (aiomqtt.MqttError, ssl.SSLError, OSError) as exc:
                self._disconnected(exc)
            pause = reconnect_delay(
                attempt,
                s.reconnect_min_seconds,
                s.reconnect_max_seconds,
                random.uniform(*JITTER),  # noqa: S311 - spreading reconnects, not a secret
            )
            attempt += 1
            log.info("mqtt.reconnecting", broker=self.broker, in_seconds=round(pause, 2))
            await asyncio.sleep(pause)

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
