"""The bridge's decisions as pure functions: routing, batching, back-off, saving, online/offline.

Nothing here waits, reads a clock or touches the database or the broker: the stages
(``routing``, ``batching``, ``client``, ``writer``) pass in what they know and act on the
answer. Each rule has a table-driven unit test (``tests/unit/test_gateways_decisions.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from power_portal.gateways.messages import TopicKind
from power_portal.gateways.schemas import ConnectionState

# ---------------------------------------------------------------- routing a message


class Route(StrEnum):
    """What the bridge does with one message."""

    REJECT = "reject"  # not a gateway topic: counted as rejected ("bad_topic")
    REGISTER_KNOWN = "register_known"  # a device's gateway booted: its firmware, last seen
    REGISTER_PENDING = "register_pending"  # an unknown gateway booted: its pending entry
    HOLD = "hold"  # an unknown gateway's message: counted as pending, held for the next look
    TELEMETRY = "telemetry"  # readings into the device's batch
    HEARTBEAT = "heartbeat"  # the gateway's health
    STATUS = "status"  # online / offline


_KNOWN_ROUTES = {
    TopicKind.REGISTER: Route.REGISTER_KNOWN,
    TopicKind.TELEMETRY: Route.TELEMETRY,
    TopicKind.HEARTBEAT: Route.HEARTBEAT,
    TopicKind.STATUS: Route.STATUS,
}


def route(kind: TopicKind | None, device_known: bool) -> Route:
    """The route for a message of topic ``kind`` (None: not ours) from a (non-)device gateway.

    For ``devices/register`` the gateway is the one the payload names.
    """
    if kind is None:
        return Route.REJECT
    if device_known:
        return _KNOWN_ROUTES[kind]
    return Route.REGISTER_PENDING if kind is TopicKind.REGISTER else Route.HOLD


def heard_from(retained: bool) -> bool:
    """A message is a sign of life unless the broker kept it (retained: an old one)."""
    return not retained


MAX_LOGGED_REJECTS = 10
REJECT_LOG_EVERY = 1000


def log_reject(times: int) -> bool:
    """Log the first few rejects of each reason, then one in a thousand."""
    return times <= MAX_LOGGED_REJECTS or times % REJECT_LOG_EVERY == 0


MAX_UNKNOWN_KEYS = 200
OTHER_KEYS = "(other keys)"


def unknown_key_slot(key: str, counted: Mapping[str, int]) -> str:
    """Where an unknown key is counted: its own name, or one shared slot past the cap."""
    if key in counted or len(counted) < MAX_UNKNOWN_KEYS:
        return key
    return OTHER_KEYS


# ---------------------------------------------------------------- batching and acknowledging


# Receiving pauses while this many full batches of rows wait for the database.
BACKPRESSURE_BATCHES = 20


def batch_due(
    rows: int,
    age_seconds: float,
    *,
    max_rows: int,
    max_seconds: float,
    backing_off: bool,
    force: bool,
    flush: bool = False,
) -> bool:
    """Store a device's batch now? When full or old enough, unless it waits after a failure.

    ``flush`` (the unacknowledged messages fill half the window) stores every batch that is
    not backing off, so the broker gets its acknowledgements and sends more; ``force``
    (shutting down) stores everything, whether backing off or not.
    """
    if force:
        return True
    if backing_off:
        return False
    return flush or rows >= max_rows or age_seconds >= max_seconds


def must_pause_receiving(buffered_rows: int, max_rows: int) -> bool:
    """Back-pressure: too many rows wait for the database (it is down, or slow)."""
    return buffered_rows >= BACKPRESSURE_BATCHES * max_rows


def window_filling(unacknowledged: int, receive_maximum: int) -> bool:
    """Half the broker's window (``receive_maximum`` unacknowledged QoS 1 messages) is used:
    store now, so acknowledgements free it before the broker has to stop sending."""
    return unacknowledged >= _half(receive_maximum)


def window_just_filled(unacknowledged: int, receive_maximum: int) -> bool:
    """The message that made half the window used: wake the writer once, on the way up.

    Waking it for every message above the half made it store a few messages per round
    (a transaction, a COPY, the rollup log and its NOTIFY each); once woken it stores
    everything batched, and a message arriving during its round wakes it again after."""
    return unacknowledged == _half(receive_maximum)


def _half(receive_maximum: int) -> int:
    return max(receive_maximum // 2, 1)


STALL_SECONDS = 0.1  # nothing arrived for this long while many messages wait: store them
# ... and this long while a backlog drains: its end (measured: the last few hundred
# messages of a 20,000 backlog waited 0.2 s, a tenth of the drain, at 0.1 s)
DRAIN_STALL_SECONDS = 0.02


def window_stalled(
    unacknowledged: int, receive_maximum: int, idle_seconds: float, draining: bool = False
) -> bool:
    """An eighth of the window waits for acknowledgement and the broker has sent nothing
    for ``STALL_SECONDS``: store now rather than when the batch is a second old. (mosquitto,
    draining a queued backlog, sends only part of what the acknowledgements free at once
    and the rest on its next loop, up to a second later; a live trickle never gets here.)

    ``draining`` (the last store was for half a window: a backlog is coming in): any
    message waiting counts, so the end of a backlog is stored once the broker is quiet,
    not a second later."""
    return unacknowledged >= _stall_floor(receive_maximum, draining) and (
        idle_seconds >= _stall_seconds(draining)
    )


def _stall_floor(receive_maximum: int, draining: bool) -> int:
    """Unacknowledged messages worth storing at once when the broker goes quiet: an eighth
    of the window, or any while a backlog drains."""
    return 1 if draining else max(receive_maximum // 8, 1)


def _stall_seconds(draining: bool) -> float:
    """How long the broker must be quiet to count as stalled: shorter while a backlog
    drains (storing early then costs one round more at most)."""
    return DRAIN_STALL_SECONDS if draining else STALL_SECONDS


def writer_wait(
    tick: float,
    unacknowledged: int,
    receive_maximum: int,
    acknowledged: int = 0,
    draining: bool = False,
) -> float:
    """How long the writer waits unwoken: its tick, or ``STALL_SECONDS`` while enough
    messages wait for acknowledgement that a stalled broker is worth noticing at once;
    not at all while half the window is still used after a round that ``acknowledged``
    some (the messages that came during the round: the wake-up came before it, once).
    A round that acknowledged nothing (its batches back off) never makes it spin."""
    if acknowledged > 0 and window_filling(unacknowledged, receive_maximum):
        return 0.0
    if unacknowledged >= _stall_floor(receive_maximum, draining):
        return min(tick, _stall_seconds(draining))
    return tick


def acknowledge_below(recorded: int, *oldest_held: int | None) -> int:
    """Messages numbered below this are acknowledged: all they brought is committed.

    ``recorded``: the messages received when the last tallies (health, pending gateways)
    were taken for writing; ``oldest_held``: the oldest message still only in memory in each
    place that holds some (a batch waiting or backing off, a held unknown gateway's message).
    """
    return min([recorded, *(number for number in oldest_held if number is not None)])


def writer_tick(batch_max_seconds: float) -> float:
    """How often the writer looks at the batches unwoken: a quarter batch age, 50 ms to 1 s."""
    return min(max(batch_max_seconds / 4, 0.05), 1.0)


# ---------------------------------------------------------------- storing


STORE_RETRY_CAP_SECONDS = 30.0


def store_retry_delay(attempts: int) -> float:
    """Seconds before a batch that failed ``attempts`` times is tried again: 2, 4, 8, ... 30."""
    return min(2.0 ** min(attempts, 16), STORE_RETRY_CAP_SECONDS)


class StoreFailure(StrEnum):
    """What to do with rows the database refused."""

    DROP_DEVICE_GONE = "the device was deleted"  # its rows can never be stored: acknowledged
    # the last try before the process stops: never acknowledged, so the broker sends the
    # messages again to the next process that connects with the bridge's client id
    LEAVE_TO_BROKER = "shutting down"
    RETRY = "retry"  # back into the batch, after a back-off (not acknowledged meanwhile)


def on_store_failure(*, device_gone: bool, shutting_down: bool) -> StoreFailure:
    if device_gone:
        return StoreFailure.DROP_DEVICE_GONE
    if shutting_down:
        return StoreFailure.LEAVE_TO_BROKER
    return StoreFailure.RETRY


# ---------------------------------------------------------------- the connection


JITTER = (0.8, 1.2)  # the range a reconnect pause is multiplied by (random, per pause)


def reconnect_delay(attempt: int, min_seconds: float, max_seconds: float, jitter: float) -> float:
    """The pause before reconnect ``attempt`` (0 right after losing the connection).

    Exponential from ``min_seconds``, capped at ``max_seconds`` (1 s, 2 s, 4 s, ... 60 s by
    default), times ``jitter`` (drawn from ``JITTER``) so many portals do not reconnect at once.
    """
    return min(min_seconds * 2.0 ** min(attempt, 1000), max_seconds) * jitter


# ---------------------------------------------------------------- the devices and the state


DEVICE_REFRESH_SECONDS = 60.0  # the serial map is reloaded this often
DEVICE_MISS_REFRESH_SECONDS = 2.0  # ... and this soon after a message from an unknown gateway


def devices_refresh_due(since_loaded: float, stale: bool, window_filling: bool = False) -> bool:
    """Reload the serial → device map: every minute, or seconds after it went stale.

    Stale while the window fills: at once, since the held messages of an unknown gateway
    hold back the acknowledgement of everything received after them.
    """
    return since_loaded >= DEVICE_REFRESH_SECONDS or (
        stale and (window_filling or since_loaded >= DEVICE_MISS_REFRESH_SECONDS)
    )


STATE_SAVE_SECONDS = 2.0  # a changed state is saved at most this often
STATE_KEEPALIVE_SECONDS = 15.0  # an unchanged one this often (other workers see it is alive)


def state_save_due(since_saved: float, changed: bool) -> bool:
    """Save the bridge's state for the other workers: changed and 2 s old, or 15 s old."""
    return (changed and since_saved >= STATE_SAVE_SECONDS) or since_saved >= STATE_KEEPALIVE_SECONDS


def connection_state(
    status: str | None, last_seen_at: datetime | None, now: datetime, offline_after: float
) -> ConnectionState:
    """Offline when the gateway said so (or its last will did), silent after the window."""
    if status == "offline":
        return ConnectionState.OFFLINE
    if last_seen_at is None:
        return ConnectionState.NEVER
    if now - last_seen_at > timedelta(seconds=offline_after):
        return ConnectionState.SILENT
    return ConnectionState.ONLINE
