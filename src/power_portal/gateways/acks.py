"""Acknowledging QoS 1 messages only once what they brought is committed.

The client takes the broker's messages with manual acknowledgement: a PUBACK goes out when
the writer says everything the message brought is stored (or refused and recorded, or
dropped for good), never on receipt. Messages are numbered as they arrive; the writer names
the number below which all is committed (``decisions.acknowledge_below``) and the PUBACKs go
out for those, in the order the PUBLISHes arrived, as MQTT requires.

A new connection starts over: the broker sends what was not acknowledged again (with the
same packet ids), so the ids of a lost connection are never acknowledged on a new one. The
number of unacknowledged messages is bounded by the window (the client's Receive Maximum,
which the broker should honour, and which the client enforces too by pausing its reading
of the socket at the limit until acknowledgements bring it under half), so a slow database
stops the broker instead of filling memory.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

SendAck = Callable[[int, int], object]  # (packet id, QoS): paho's Client.ack


def _nothing() -> None:
    return None


@dataclass
class Acknowledgements:
    """The messages of the current connection that wait for their PUBACK, oldest first."""

    window: int = 65535  # the Receive Maximum: reading pauses at this many unacknowledged
    received: int = 0  # messages numbered so far (every connection): the next one's number
    acknowledged: int = 0  # PUBACKs sent (every connection)
    last_arrival: float = 0.0  # time.monotonic() of the latest message
    _send: SendAck | None = field(default=None, init=False)
    _pause: Callable[[], None] = field(default=_nothing, init=False)
    _resume: Callable[[], None] = field(default=_nothing, init=False)
    _paused: bool = field(default=False, init=False)
    _holding: bool = field(default=False, init=False)  # stopping: paused for good
    _waiting: deque[tuple[int, int, int]] = field(default_factory=deque, init=False)

    def connected(
        self,
        send: SendAck,
        pause: Callable[[], None] = _nothing,
        resume: Callable[[], None] = _nothing,
    ) -> None:
        """A new connection: its messages are acknowledged with ``send``; its reading is
        paused and resumed with ``pause`` and ``resume``."""
        self._waiting.clear()
        self._send, self._pause, self._resume, self._paused = send, pause, resume, False
        self._holding = False

    def disconnected(self) -> None:
        """The connection is gone: the broker sends its unacknowledged messages again."""
        self._waiting.clear()
        self._send, self._pause, self._resume, self._paused = None, _nothing, _nothing, False
        self._holding = False

    def arrived(self, packet_id: int, qos: int) -> int:
        """A message arrived: its number (QoS 0 is never acknowledged, but numbered too)."""
        number = self.received
        self.received += 1
        self.last_arrival = time.monotonic()
        if qos > 0:
            self._waiting.append((number, packet_id, qos))
            if not self._paused and not self._holding and len(self._waiting) >= self.window:
                self._paused = True
                self._pause()
        return number

    def hold(self) -> None:
        """A graceful stop: no message is numbered from now on (the receiver skips them, for
        the broker to send again), so the window no longer pauses reading, and reading
        resumes if it was paused: the broker's answer to the last acknowledgements' round
        trip must be read. The broker stops sending at its window."""
        self._holding = True
        if self._paused:
            self._paused = False
            self._resume()

    @property
    def unacknowledged(self) -> int:
        return len(self._waiting)

    def acknowledge_below(self, number: int) -> int:
        """PUBACK every waiting message numbered below ``number``, oldest first; how many."""
        waiting, send, sent = self._waiting, self._send, 0
        while waiting and waiting[0][0] < number:
            _, packet_id, qos = waiting.popleft()
            if send is not None:
                send(packet_id, qos)
                sent += 1
        self.acknowledged += sent
        if self._paused and not self._holding and len(waiting) <= self.window // 2:
            self._paused = False
            self._resume()
        return sent

    @property
    def reading_paused(self) -> bool:
        return self._paused
