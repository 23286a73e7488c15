"""The MQTT client survives uvloop closing its socket's poll: when the broker resets the
connection, uvloop closes the fd's poll handle without a word and keeps it, so every later
add_reader/add_writer on that fd raises. Reproduced with a real TCP reset on uvloop."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

import uvloop

from power_portal.gateways.client import GatedClient


def _poll_is_dead(loop: asyncio.AbstractEventLoop, fd: int) -> bool:
    try:
        loop.add_writer(fd, lambda: None)
    except RuntimeError:
        return True
    loop.remove_writer(fd)
    return False


def test_a_poll_uvloop_closed_on_a_reset_counts_as_a_lost_connection_and_is_dropped() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            with socket.create_connection(server.getsockname()) as sock:
                sock.setblocking(False)
                peer, _ = server.accept()
                gated = GatedClient("127.0.0.1", 1)
                gated._watch(sock.fileno(), lambda: None, False)  # reading, as connected
                peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                peer.close()  # the broker goes away with a reset
                deadline = time.monotonic() + 10
                while not _poll_is_dead(loop, sock.fileno()):
                    assert time.monotonic() < deadline, "uvloop kept the poll alive"
                    await asyncio.sleep(0.01)
                assert not gated._disconnected.done()  # nothing told the client so far

                gated._watch(sock.fileno(), lambda: None, True)  # a PUBACK to write
                assert gated._disconnected.done()
                assert isinstance(gated._disconnected.exception(), RuntimeError)
                assert not _poll_is_dead(loop, sock.fileno())  # a new socket could use it

    uvloop.run(scenario())
