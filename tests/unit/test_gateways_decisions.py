"""The bridge's decisions, table by table: routing, batching, back-off, saving, online/offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from power_portal.gateways.decisions import (
    OTHER_KEYS,
    Route,
    StoreFailure,
    acknowledge_below,
    batch_due,
    connection_state,
    devices_refresh_due,
    heard_from,
    log_reject,
    must_pause_receiving,
    on_store_failure,
    reconnect_delay,
    route,
    state_save_due,
    store_retry_delay,
    unknown_key_slot,
    window_filling,
    window_just_filled,
    window_stalled,
    writer_tick,
    writer_wait,
)
from power_portal.gateways.messages import TopicKind
from power_portal.gateways.schemas import ConnectionState

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

# ---------------------------------------------------------------- routing a message


@pytest.mark.parametrize(
    ("kind", "device_known", "expected"),
    [
        (None, False, Route.REJECT),
        (None, True, Route.REJECT),
        (TopicKind.TELEMETRY, True, Route.TELEMETRY),
        (TopicKind.HEARTBEAT, True, Route.HEARTBEAT),
        (TopicKind.STATUS, True, Route.STATUS),
        (TopicKind.REGISTER, True, Route.REGISTER_KNOWN),
        (TopicKind.TELEMETRY, False, Route.HOLD),
        (TopicKind.HEARTBEAT, False, Route.HOLD),
        (TopicKind.STATUS, False, Route.HOLD),
        (TopicKind.REGISTER, False, Route.REGISTER_PENDING),
    ],
)
def test_route(kind: TopicKind | None, device_known: bool, expected: Route) -> None:
    assert route(kind, device_known) is expected


@pytest.mark.parametrize(("retained", "expected"), [(False, True), (True, False)])
def test_a_retained_message_is_no_sign_of_life(retained: bool, expected: bool) -> None:
    assert heard_from(retained) is expected


@pytest.mark.parametrize(
    ("times", "logged"),
    [(1, True), (10, True), (11, False), (999, False), (1000, True), (1001, False), (2000, True)],
)
def test_rejects_are_logged_the_first_few_times_then_now_and_then(times: int, logged: bool) -> None:
    assert log_reject(times) is logged


FULL = {f"key{n}": 1 for n in range(200)}


@pytest.mark.parametrize(
    ("key", "counted", "slot"),
    [
        ("thd", {}, "thd"),
        ("thd", {"thd": 3}, "thd"),
        ("thd", {f"key{n}": 1 for n in range(199)}, "thd"),
        ("thd", FULL, OTHER_KEYS),
        ("key7", FULL, "key7"),
    ],
)
def test_unknown_keys_are_counted_by_name_up_to_a_cap(
    key: str, counted: dict[str, int], slot: str
) -> None:
    assert unknown_key_slot(key, counted) == slot


# ---------------------------------------------------------------- batching


@pytest.mark.parametrize(
    ("rows", "age", "backing_off", "force", "flush", "due"),
    [
        (1, 0.0, False, False, False, False),  # young and small: wait
        (4999, 0.99, False, False, False, False),
        (5000, 0.0, False, False, False, True),  # full
        (7000, 0.0, False, False, False, True),
        (1, 1.0, False, False, False, True),  # old enough
        (1, 30.0, False, False, False, True),
        (5000, 30.0, True, False, False, False),  # failed lately: waits out its back-off
        (1, 0.0, True, True, False, True),  # stopping: everything, now
        (1, 0.0, False, True, False, True),
        (1, 0.0, False, False, True, True),  # the broker's window fills: store, acknowledge
        (1, 0.0, True, False, True, False),  # ... but not what backs off
    ],
)
def test_batch_due(
    rows: int, age: float, backing_off: bool, force: bool, flush: bool, due: bool
) -> None:
    assert (
        batch_due(
            rows,
            age,
            max_rows=5000,
            max_seconds=1.0,
            backing_off=backing_off,
            force=force,
            flush=flush,
        )
        is due
    )


@pytest.mark.parametrize(
    ("unacknowledged", "receive_maximum", "filling"),
    [
        (0, 1000, False),
        (499, 1000, False),
        (500, 1000, True),
        (1000, 1000, True),
        (0, 1, False),
        (1, 1, True),
        (1, 3, True),
        (0, 3, False),
    ],
)
def test_window_filling(unacknowledged: int, receive_maximum: int, filling: bool) -> None:
    assert window_filling(unacknowledged, receive_maximum) is filling


@pytest.mark.parametrize(
    ("recorded", "oldest_held", "below"),
    [
        (10, (), 10),  # nothing waits in memory: all whose tallies were taken
        (10, (None, None), 10),
        (10, (4, None), 4),  # a batch holds message 4's rows: 0-3 only
        (10, (7, 3), 3),  # ... and a held message 3
        (10, (12,), 10),  # rows of a later message wait; tallies taken up to 10
        (0, (), 0),
    ],
)
def test_acknowledge_below(recorded: int, oldest_held: tuple[int | None, ...], below: int) -> None:
    assert acknowledge_below(recorded, *oldest_held) == below


@pytest.mark.parametrize(
    ("buffered", "max_rows", "pause"),
    [(0, 5000, False), (99_999, 5000, False), (100_000, 5000, True), (20, 1, True), (19, 1, False)],
)
def test_receiving_pauses_while_twenty_batches_wait(
    buffered: int, max_rows: int, pause: bool
) -> None:
    assert must_pause_receiving(buffered, max_rows) is pause


@pytest.mark.parametrize(
    ("batch_max_seconds", "tick"),
    [(1.0, 0.25), (0.3, 0.075), (0.1, 0.05), (0.01, 0.05), (4.0, 1.0), (60.0, 1.0)],
)
def test_writer_tick(batch_max_seconds: float, tick: float) -> None:
    assert writer_tick(batch_max_seconds) == pytest.approx(tick)


# ---------------------------------------------------------------- storing


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 30.0), (6, 30.0), (10_000, 30.0)],
)
def test_store_retry_delay(attempts: int, delay: float) -> None:
    assert store_retry_delay(attempts) == delay


@pytest.mark.parametrize(
    ("device_gone", "shutting_down", "outcome"),
    [
        (False, False, StoreFailure.RETRY),
        (False, True, StoreFailure.LEAVE_TO_BROKER),
        (True, False, StoreFailure.DROP_DEVICE_GONE),
        (True, True, StoreFailure.DROP_DEVICE_GONE),
    ],
)
def test_on_store_failure(device_gone: bool, shutting_down: bool, outcome: StoreFailure) -> None:
    assert on_store_failure(device_gone=device_gone, shutting_down=shutting_down) is outcome


# ---------------------------------------------------------------- the connection


@pytest.mark.parametrize(
    ("attempt", "jitter", "delay"),
    [
        (0, 1.0, 1.0),
        (1, 1.0, 2.0),
        (2, 1.0, 4.0),
        (5, 1.0, 32.0),
        (6, 1.0, 60.0),  # capped
        (7, 1.0, 60.0),
        (10_000, 1.0, 60.0),  # never overflows
        (0, 0.8, 0.8),  # jitter scales the pause, also at the cap
        (3, 1.2, 9.6),
        (9, 0.8, 48.0),
        (9, 1.2, 72.0),
    ],
)
def test_reconnect_delay_default_settings(attempt: int, jitter: float, delay: float) -> None:
    assert reconnect_delay(attempt, 1.0, 60.0, jitter) == pytest.approx(delay)


@pytest.mark.parametrize(
    ("attempt", "min_seconds", "max_seconds", "delay"),
    [(0, 0.2, 1.0, 0.2), (1, 0.2, 1.0, 0.4), (3, 0.2, 1.0, 1.0), (0, 5.0, 2.0, 2.0)],
)
def test_reconnect_delay_other_settings(
    attempt: int, min_seconds: float, max_seconds: float, delay: float
) -> None:
    assert reconnect_delay(attempt, min_seconds, max_seconds, 1.0) == pytest.approx(delay)


# ---------------------------------------------------------------- the devices and the state


@pytest.mark.parametrize(
    ("since_loaded", "stale", "filling", "due"),
    [
        (0.0, False, False, False),
        (59.9, False, False, False),
        (60.0, False, False, True),
        (1.9, True, False, False),
        (2.0, True, False, True),
        (1e9, True, False, True),  # never loaded (loaded_at 0)
        (0.0, True, True, True),  # held messages hold back a filling window: look now
        (0.0, False, True, False),
    ],
)
def test_devices_refresh_due(since_loaded: float, stale: bool, filling: bool, due: bool) -> None:
    assert devices_refresh_due(since_loaded, stale, filling) is due


@pytest.mark.parametrize(
    ("since_saved", "changed", "due"),
    [
        (1.9, True, False),
        (2.0, True, True),
        (2.0, False, False),
        (14.9, False, False),
        (15.0, False, True),
    ],
)
def test_state_save_due(since_saved: float, changed: bool, due: bool) -> None:
    assert state_save_due(since_saved, changed) is due


WINDOW = 300.0


@pytest.mark.parametrize(
    ("status", "last_seen_ago", "expected"),
    [
        (None, None, ConnectionState.NEVER),
        ("online", None, ConnectionState.NEVER),
        ("offline", None, ConnectionState.OFFLINE),  # its last will, before anything else
        ("offline", 0.0, ConnectionState.OFFLINE),  # said so: offline, however recent
        (None, 0.0, ConnectionState.ONLINE),
        ("online", 299.0, ConnectionState.ONLINE),
        ("online", 300.0, ConnectionState.ONLINE),  # silent only *after* the window
        (None, 301.0, ConnectionState.SILENT),
        ("online", 3600.0, ConnectionState.SILENT),
    ],
)
def test_online_offline_rule(
    status: str | None, last_seen_ago: float | None, expected: ConnectionState
) -> None:
    last_seen = None if last_seen_ago is None else NOW - timedelta(seconds=last_seen_ago)
    assert connection_state(status, last_seen, NOW, WINDOW) is expected


@pytest.mark.parametrize(
    ("unacknowledged", "receive_maximum", "idle_seconds", "stalled"),
    [
        (0, 5000, 10.0, False),  # nothing waits
        (624, 5000, 10.0, False),  # a live trickle: under an eighth of the window
        (625, 5000, 0.05, False),  # messages still coming
        (625, 5000, 0.1, True),  # an eighth waits and the broker went quiet
        (4999, 5000, 0.5, True),
        (1, 1, 0.1, True),
    ],
)
def test_window_stalled(
    unacknowledged: int, receive_maximum: int, idle_seconds: float, stalled: bool
) -> None:
    assert window_stalled(unacknowledged, receive_maximum, idle_seconds) is stalled


@pytest.mark.parametrize(
    ("unacknowledged", "idle_seconds", "draining", "stalled"),
    [
        (88, 0.02, True, True),  # the end of a backlog: stored once the broker is quiet
        (1, 0.02, True, True),
        (0, 5.0, True, False),  # nothing waits
        (88, 0.01, True, False),  # still coming
        (88, 0.1, False, False),  # a live trickle: batched for batch_max_seconds
        (625, 0.05, False, False),  # not draining: quiet for 0.1 s
        (625, 0.1, False, True),
    ],
)
def test_window_stalled_at_the_end_of_a_backlog(
    unacknowledged: int, idle_seconds: float, draining: bool, stalled: bool
) -> None:
    assert window_stalled(unacknowledged, 5000, idle_seconds, draining) is stalled


@pytest.mark.parametrize(
    ("tick", "unacknowledged", "receive_maximum", "acknowledged", "wait"),
    [
        (0.25, 0, 5000, 0, 0.25),
        (0.25, 624, 5000, 0, 0.25),
        (0.25, 625, 5000, 0, 0.1),  # enough waits: look for a stall at once
        (0.05, 5000, 5000, 0, 0.05),  # never slower than the tick
        # half the window filled again during a round that acknowledged: at once
        (0.25, 2500, 5000, 1, 0.0),
        (0.25, 5000, 5000, 2500, 0.0),
        (0.25, 2499, 5000, 2500, 0.1),  # under half: the usual wait
        (0.25, 100, 5000, 2500, 0.25),
        # the round acknowledged nothing (its batches back off): no spinning
        (0.25, 5000, 5000, 0, 0.1),
        (0.25, 1, 1, 1, 0.0),
    ],
)
def test_writer_wait(
    tick: float, unacknowledged: int, receive_maximum: int, acknowledged: int, wait: float
) -> None:
    assert writer_wait(tick, unacknowledged, receive_maximum, acknowledged) == wait


@pytest.mark.parametrize(
    ("unacknowledged", "draining", "wait"),
    [
        (88, True, 0.02),  # the end of a backlog: looked at once the broker may be quiet
        (1, True, 0.02),
        (625, False, 0.1),  # an eighth waits, no backlog: the usual stall look
        (0, True, 0.25),
        (88, False, 0.25),  # a trickle: the tick
    ],
)
def test_writer_wait_at_the_end_of_a_backlog(
    unacknowledged: int, draining: bool, wait: float
) -> None:
    assert writer_wait(0.25, unacknowledged, 5000, 0, draining) == wait


@pytest.mark.parametrize(
    ("unacknowledged", "receive_maximum", "wake"),
    [
        (499, 1000, False),
        (500, 1000, True),  # the message that made half the window used
        (501, 1000, False),  # above it: the writer was woken once already
        (1000, 1000, False),
        (1, 1, True),
        (1, 3, True),
        (0, 1, False),
    ],
)
def test_window_just_filled(unacknowledged: int, receive_maximum: int, wake: bool) -> None:
    assert window_just_filled(unacknowledged, receive_maximum) is wake
