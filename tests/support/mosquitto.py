"""A real mosquitto broker (Debian's package) on a free loopback port, and gateway clients.

- ``mosquitto`` fixture: a broker started in the test's tmp dir with a generated
  config (anonymous, no persistence), stopped afterwards. ``restart()`` keeps the port.
  ``Mosquitto(workdir, persistence=True)`` saves sessions and queued messages in the
  workdir when it stops (SIGTERM) and reloads them when it starts again.
- ``Mosquitto(workdir, config=...)``: the same with extra config lines (password
  file, ACLs), for the deployment examples.
- ``Gateway``: a synchronous paho client that talks like the ESP32 gateway firmware
  (telemetry, heartbeat, retained status with a last will, devices/register).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

MOSQUITTO_BIN = Path("/usr/sbin/mosquitto")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mosquitto:
    workdir: Path
    config: str = "allow_anonymous true\n"
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    # False: ``config`` opens the listeners itself (``listener <port> 127.0.0.1`` among them)
    own_listener: bool = True
    # True: sessions, their queued messages and retained ones survive a restart (saved in
    # ``workdir`` on a clean stop, like Debian's broker with ``persistence true``)
    persistence: bool = False

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "mosquitto.log"

    def start(self, timeout: float = 10) -> None:
        if not MOSQUITTO_BIN.exists():
            pytest.fail("mosquitto not found: install Debian's `mosquitto` (make test does this)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        generated = (
            "log_dest stderr\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            # root: stay root (the broker would switch to the `mosquitto` user, who
            # cannot read pytest's 0700 temp dirs)
            "user root\n"
        )
        if self.own_listener:
            persistence = (
                f"persistence true\npersistence_location {self.workdir}/\n"
                if self.persistence
                else "persistence false\n"
            )
            generated = (
                f"listener {self.port} 127.0.0.1\n{persistence}"
                "max_queued_messages 100000\n" + generated
            )
        conf.write_text(
            self.config + "\n" + generated if not self.own_listener else generated + self.config
        )
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(MOSQUITTO_BIN), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"mosquitto did not listen within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A running broker, anonymous, on a free port of 127.0.0.1; stopped afterwards."""
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


class Gateway:
    """A gateway's MQTT client (paho, synchronous), connected on construction."""

    def __init__(
        self,
        broker: Mosquitto,
        gateway_id: str,
        *,
        prefix: str = "acuvim",
        username: str | None = None,
        password: str | None = None,
        will: bool = True,
    ) -> None:
        self.gateway_id = gateway_id
        self.prefix = prefix
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"gw-{gateway_id}")
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        if username is not None:
            self.client.username_pw_set(username, password)
        if will:
            self.client.will_set(self.topic("status"), "offline", qos=1, retain=True)
        self.refusals: list[str] = []
        self.client.on_connect = self._on_connect
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        deadline = time.monotonic() + 10
        while not self.client.is_connected():
            if self.refusals:
                self.client.loop_stop()
                raise ConnectionRefusedError(f"the broker refused {gateway_id}: {self.refusals}")
            if time.monotonic() > deadline:
                raise TimeoutError("the gateway could not connect")
            time.sleep(0.02)

    def _on_connect(self, _c: object, _u: object, _f: object, reason: Any, _p: object) -> None:
        if reason.is_failure:
            self.refusals.append(str(reason))

    def topic(self, kind: str) -> str:
        return f"{self.prefix}/{self.gateway_id}/{kind}"

    def publish(
        self,
        topic: str,
        payload: bytes | str | dict[str, Any],
        *,
        qos: int = 1,
        retain: bool = False,
    ) -> paho.MQTTMessageInfo:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        return self.client.publish(topic, payload, qos=qos, retain=retain)

    def telemetry(
        self, payload: bytes | str | dict[str, Any], qos: int = 1
    ) -> paho.MQTTMessageInfo:
        return self.publish(self.topic("telemetry"), payload, qos=qos)

    def heartbeat(self, payload: dict[str, Any]) -> paho.MQTTMessageInfo:
        return self.publish(self.topic("heartbeat"), payload, qos=1)

    def status(self, state: str) -> paho.MQTTMessageInfo:
        return self.publish(self.topic("status"), state, qos=1, retain=True)

    def register(self, **info: Any) -> paho.MQTTMessageInfo:
        return self.publish("devices/register", {"dev": self.gateway_id, **info}, qos=1)

    def wait(self, infos: list[paho.MQTTMessageInfo], timeout: float = 30) -> None:
        """Until the broker acknowledged every one of these (QoS 1)."""
        deadline = time.monotonic() + timeout
        for info in infos:
            info.wait_for_publish(max(0.1, deadline - time.monotonic()))
            assert info.is_published(), "the broker did not acknowledge a message in time"

    def vanish(self) -> None:
        """Drop the connection without DISCONNECT: the broker publishes the last will."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def firmware_message(gateway_id: str, ts: float, **overrides: Any) -> dict[str, Any]:
    """A telemetry message like the ESP32 gateway firmware's (powers in W, energies in kWh)."""
    message: dict[str, Any] = {
        "ts": ts,
        "dev": gateway_id,
        "v": {"a": 230.1, "b": 231.4, "c": 229.8, "ab": 399.2, "bc": 400.1, "ca": 398.7},
        "i": {"a": 21.4, "b": 19.9, "c": 20.6, "n": 1.2},
        "p": {"a": 4620.0, "b": 4310.0, "c": 4450.0, "t": 13380.0},
        "q": {"t": 2150.0},
        "s": {"t": 13560.0},
        "pf": 0.987,
        "f": 50.01,
        "e": {"imp": 125034.7, "exp": 3012.4, "qimp": 20110.3, "qexp": 150.2, "s": 140233.9},
    }
    message.update(overrides)
    return message
