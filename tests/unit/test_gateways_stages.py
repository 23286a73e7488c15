"""The bridge's in-memory stages: routing a message into a batch, a tally or the held messages,
and the batches (due, retried, back-pressure). No broker, no database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from power_portal.gateways import service
from power_portal.gateways.acks import Acknowledgements
from power_portal.gateways.batching import Batches
from power_portal.gateways.fieldmap import load_field_map
from power_portal.gateways.routing import Devices, MessageRouter
from power_portal.gateways.state import BridgeState, Tallies
from power_portal.gateways.writer import Writer
from power_portal.measurements.parsing import Row
from tests.support.mosquitto import firmware_message

KNOWN, UNKNOWN = "ACV-KNOWN", "ACV-NEWCOMER"
DEVICE_ID = 7
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


class Stages:
    """A router with its batches, tallies and device map, as the bridge wires them."""

    def __init__(self, max_rows: int = 100) -> None:
        self.wake = asyncio.Event()
        self.state = BridgeState(field_map="default")
        self.devices = Devices()
        self.devices.replace({KNOWN: (DEVICE_ID, LONG_AGO)})
        self.devices.loaded()
        self.tallies = Tallies()
        self.batches = Batches(max_rows, 1.0, self.wake)
        self.router = MessageRouter(
            "acuvim", load_field_map(), self.state, self.devices, self.batches, self.tallies
        )

    def send(
        self,
        gateway: str,
        kind: str,
        payload: object,
        *,
        retained: bool = False,
        number: int | None = None,
    ) -> None:
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        self.router.handle(f"acuvim/{gateway}/{kind}", body, retained, number)

    def batched(self) -> dict[int, int]:
        return {device: len(batch.rows) for device, batch in self.batches.take_due(force=True)}


def reading(gateway: str, seconds_ago: float = 60) -> dict[str, object]:
    return firmware_message(gateway, time.time() - seconds_ago)


def rows(n: int) -> list[Row]:
    return [(LONG_AGO + timedelta(minutes=k), 1.0) for k in range(n)]


def test_a_known_gateways_telemetry_goes_into_its_devices_batch() -> None:
    stages = Stages()
    stages.send(KNOWN, "telemetry", reading(KNOWN) | {"thd": 1})
    tally = stages.tallies.health[DEVICE_ID]
    assert (tally.messages, tally.rejected) == (1, 0)
    assert tally.last_seen_at is not None
    assert tally.last_telemetry_at == tally.last_seen_at
    assert (stages.state.messages_received, stages.state.telemetry_messages) == (1, 1)
    assert stages.state.unknown_keys == {"thd": 1}
    assert stages.batched() == {DEVICE_ID: 1}


def test_a_message_off_our_topics_is_rejected_and_leaves_no_other_trace() -> None:
    stages = Stages()
    stages.router.handle("elsewhere/ACV-KNOWN/telemetry", b"{}", False)
    assert stages.state.rejects == {"bad_topic": 1}
    assert not stages.tallies
    assert stages.batched() == {}


def test_a_bad_message_counts_on_the_device_and_spoils_nothing_else() -> None:
    stages = Stages()
    stages.send(KNOWN, "telemetry", reading(KNOWN))
    stages.send(KNOWN, "heartbeat", {"rssi": 12})
    stages.send(KNOWN, "telemetry", b"{not json")
    assert stages.state.rejects == {"bad_value": 1, "malformed_json": 1}
    assert (
        stages.tallies.health[DEVICE_ID].messages,
        stages.tallies.health[DEVICE_ID].rejected,
    ) == (3, 2)
    assert stages.batched() == {DEVICE_ID: 1}


def test_a_retained_status_is_recorded_but_is_no_sign_of_life() -> None:
    stages = Stages()
    stages.send(KNOWN, "status", "offline", retained=True)
    tally = stages.tallies.health[DEVICE_ID]
    assert (tally.status, tally.messages, tally.last_seen_at) == ("offline", 0, None)


def test_registrations_of_known_and_unknown_gateways() -> None:
    stages = Stages()
    stages.router.handle("devices/register", json.dumps({"dev": KNOWN, "fw": "2.0"}), False)
    stages.router.handle(
        "devices/register", json.dumps({"dev": UNKNOWN, "fw": "1.0", "model": "Acuvim II"}), False
    )
    stages.router.handle("devices/register", json.dumps({"dev": "not an id!"}), False)
    assert stages.tallies.health[DEVICE_ID].firmware == "2.0"
    pending = stages.tallies.pending[UNKNOWN]
    assert (pending.messages, pending.firmware, pending.model) == (1, "1.0", "Acuvim II")
    assert pending.registered_at is not None
    assert pending.last_topic == "devices/register"
    assert stages.state.rejects == {"bad_value": 1}
    assert stages.state.unaccepted_messages == 1


def test_an_unknown_gateway_is_pending_and_its_messages_wait_for_the_next_look() -> None:
    stages = Stages()
    stages.send(UNKNOWN, "telemetry", reading(UNKNOWN))
    stages.send(UNKNOWN, "heartbeat", {"fw": "1.0"})
    assert stages.devices.stale
    assert stages.tallies.pending[UNKNOWN].messages == 2
    assert stages.tallies.pending[UNKNOWN].last_topic == f"acuvim/{UNKNOWN}/heartbeat"
    assert stages.state.unaccepted_messages == 2
    assert stages.batched() == {}

    # accepted in another worker a moment before the messages came: they are routed now
    held = stages.router.take_held()
    stages.devices.replace({KNOWN: (DEVICE_ID, LONG_AGO), UNKNOWN: (8, LONG_AGO)})
    stages.devices.loaded()
    stages.router.replay(held)
    assert stages.batched() == {8: 1}
    assert stages.tallies.health[8].heartbeat is not None
    assert stages.state.messages_received == 2  # routed again, not received again


def test_what_a_gateway_sent_before_it_was_a_device_stays_out() -> None:
    stages = Stages()
    stages.send(UNKNOWN, "telemetry", reading(UNKNOWN))
    held = stages.router.take_held()
    later = datetime.now(UTC) + timedelta(seconds=5)
    stages.devices.replace({UNKNOWN: (8, later)})
    stages.router.replay(held)
    assert stages.batched() == {}
    assert 8 not in stages.tallies.health

    stages = Stages()
    stages.send(UNKNOWN, "telemetry", reading(UNKNOWN))  # no device at the next look either
    held = stages.router.take_held()
    stages.devices.replace({})
    stages.router.replay(held)
    assert stages.batched() == {}


def test_a_full_batch_wakes_the_writer_and_is_due_at_once() -> None:
    stages = Stages(max_rows=3)
    stages.batches.add(DEVICE_ID, rows(2))
    assert not stages.wake.is_set()
    assert stages.batches.take_due(force=False) == []
    stages.batches.add(DEVICE_ID, rows(1))
    assert stages.wake.is_set()
    [(device, batch)] = stages.batches.take_due(force=False)
    assert (device, len(batch.rows), stages.batches.buffered_rows) == (DEVICE_ID, 3, 0)
    assert stages.batches.chunks(rows(7)) == [rows(7)[:3], rows(7)[3:6], rows(7)[6:]]


def test_refused_rows_wait_ahead_of_newer_ones() -> None:
    stages = Stages(max_rows=3)
    stages.batches.add(DEVICE_ID, rows(1))
    stages.batches.retry_later(DEVICE_ID, rows(5)[1:], attempts=1)
    assert stages.batches.buffered_rows == 5
    assert stages.batches.take_due(force=False) == []  # backing off, though full
    [(_, batch)] = stages.batches.take_due(force=True)
    assert batch.rows == rows(5)[1:] + rows(1)
    assert batch.attempts == 1


def test_receiving_waits_while_too_many_rows_wait_for_the_database() -> None:
    async def scenario() -> None:
        stages = Stages(max_rows=1)
        stages.batches.add(DEVICE_ID, rows(19))
        await asyncio.wait_for(stages.batches.wait_for_room(), 1)
        stages.batches.add(DEVICE_ID, rows(1))  # 20 batches' worth
        waiting = asyncio.create_task(stages.batches.wait_for_room())
        await asyncio.sleep(0)
        assert not waiting.done()
        stages.batches.take_due(force=True)
        stages.batches.release()
        await asyncio.wait_for(waiting, 1)

    asyncio.run(scenario())


def test_tallies_are_taken_whole() -> None:
    tallies = Tallies()
    tallies.health_of(1).messages += 1
    tallies.pending_of("x").messages += 1
    taken = tallies.take()
    assert (len(taken.health), len(taken.pending), bool(tallies)) == (1, 1, False)


@pytest.mark.parametrize("payload", [b"online", bytearray(b"online"), "online"])
def test_any_payload_type_is_read(payload: object) -> None:
    stages = Stages()
    stages.router.handle(f"acuvim/{KNOWN}/status", payload, False)
    assert stages.tallies.health[DEVICE_ID].status == "online"


# ---------------------------------------------------------------- acknowledging after commit


def test_acknowledgements_go_out_in_arrival_order_below_the_mark_only() -> None:
    sent: list[tuple[int, int]] = []
    acks = Acknowledgements()
    acks.connected(lambda mid, qos: sent.append((mid, qos)))
    numbers = [acks.arrived(mid, qos) for mid, qos in [(7, 1), (3, 0), (9, 1), (2, 1)]]
    assert numbers == [0, 1, 2, 3]
    assert acks.unacknowledged == 3  # QoS 0 is never acknowledged
    assert acks.acknowledge_below(3) == 2
    assert sent == [(7, 1), (9, 1)]
    assert acks.acknowledge_below(3) == 0  # once only
    assert acks.unacknowledged == 1


def test_a_lost_connections_messages_are_never_acknowledged_on_the_next() -> None:
    sent: list[int] = []
    acks = Acknowledgements()
    acks.connected(lambda mid, _qos: sent.append(mid))
    acks.arrived(1, 1)
    acks.disconnected()  # the broker sends message 1 again, with the same packet id
    assert acks.acknowledge_below(10) == 0
    acks.connected(lambda mid, _qos: sent.append(mid))
    again = acks.arrived(1, 1)
    assert again == 1
    acks.acknowledge_below(again + 1)
    assert sent == [1]
    assert acks.acknowledged == 1


def test_batches_know_their_oldest_message_even_after_a_retry() -> None:
    stages = Stages()
    stages.send(KNOWN, "telemetry", reading(KNOWN, 120), number=4)
    stages.send(KNOWN, "telemetry", reading(KNOWN, 60), number=5)
    assert stages.batches.oldest_message() == 4
    [(device, batch)] = stages.batches.take_due(force=True)
    assert stages.batches.oldest_message() is None
    stages.send(KNOWN, "telemetry", reading(KNOWN, 30), number=6)
    stages.batches.retry_later(device, batch.rows, 1, batch.first_message)
    assert stages.batches.oldest_message() == 4
    assert stages.batches.take_due(force=False, flush=True) == []  # backing off
    stages.send(UNKNOWN, "telemetry", reading(UNKNOWN), number=7)
    assert stages.router.oldest_held() == 7


class FakeDatabase:
    """``transaction()`` without a database: the writer's device look is patched."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield None


def test_a_message_that_arrives_while_the_devices_load_is_routed_with_that_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lost 21st reading: a device created over the API (not accepted) is unknown to the
    bridge until its next look at the devices. Its first messages wait (held); the look took
    them *before* loading, so one that came during the load's round trip stayed held until
    the look after next, a minute later, and a kill meanwhile lost it (acknowledged on
    receipt). Taken after the load, it is routed with it."""

    async def scenario() -> None:
        stages = Stages()
        stages.send(UNKNOWN, "telemetry", reading(UNKNOWN, 120), number=0)

        async def device_serials(_db: object) -> dict[str, tuple[int, datetime]]:
            stages.send(UNKNOWN, "telemetry", reading(UNKNOWN, 60), number=1)  # meanwhile
            return {KNOWN: (DEVICE_ID, LONG_AGO), UNKNOWN: (8, LONG_AGO)}

        monkeypatch.setattr(service, "device_serials", device_serials)
        writer = Writer(
            FakeDatabase(),  # type: ignore[arg-type]
            stages.state,
            stages.devices,
            stages.batches,
            stages.tallies,
            stages.router,
            stages.wake,
            Acknowledgements(),
            receive_maximum=100,
        )
        await writer.refresh_devices()
        assert stages.router.oldest_held() is None
        assert stages.batched() == {8: 2}

    asyncio.run(scenario())


def test_reading_pauses_at_the_window_and_resumes_at_half() -> None:
    """The client's own flow control: a broker that overshoots the Receive Maximum (mosquitto
    2.0.11 does after acknowledgements) is not read from until half the window is free."""
    calls: list[str] = []
    acks = Acknowledgements(window=4)
    acks.connected(
        lambda _mid, _qos: None, lambda: calls.append("pause"), lambda: calls.append("resume")
    )
    for mid in range(1, 4):
        acks.arrived(mid, 1)
    assert calls == []
    acks.arrived(4, 1)
    assert (calls, acks.reading_paused) == (["pause"], True)
    acks.arrived(5, 1)  # read before the pause took effect
    acks.acknowledge_below(2)  # 3 left: more than half
    assert calls == ["pause"]
    acks.acknowledge_below(3)  # 2 left: half the window free
    assert (calls, acks.reading_paused) == (["pause", "resume"], False)
    acks.disconnected()
    assert not acks.reading_paused


def test_a_graceful_stop_reads_on_and_still_acknowledges_in_order() -> None:
    """``hold`` (stopping): nothing is numbered any more, so the window never pauses reading
    again, and a paused reading resumes (the broker's answer to the last acknowledgements
    must be read); the messages taken so far are still acknowledged, in order."""
    calls: list[str] = []
    sent: list[int] = []
    acks = Acknowledgements(window=4)
    acks.connected(
        lambda mid, _qos: sent.append(mid),
        lambda: calls.append("pause"),
        lambda: calls.append("resume"),
    )
    for mid in (11, 12, 13, 14):
        acks.arrived(mid, 1)
    assert calls == ["pause"]
    acks.hold()
    assert (calls, acks.reading_paused) == (["pause", "resume"], False)
    assert acks.acknowledge_below(4) == 4
    assert sent == [11, 12, 13, 14]
    for mid in (15, 16, 17, 18, 19):  # only a caller that ignores the stop numbers more
        acks.arrived(mid, 1)
    assert (calls, acks.reading_paused) == (["pause", "resume"], False)
    acks.connected(lambda _mid, _qos: None, lambda: calls.append("pause again"), lambda: None)
    for mid in range(1, 5):
        acks.arrived(mid, 1)
    assert acks.reading_paused  # a new connection starts over
