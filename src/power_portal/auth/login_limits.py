"""When a sign-in may be tried: the failed-login limits, as pure decisions.

Failures are counted from ``identity.login_attempts`` by the e-mail *as typed* (normalised),
never by whether an account exists, so an unknown e-mail goes through exactly the same
counting, answers and timing as a real one. Three counters, three rules:

- **per (e-mail, address)**: ``lockout_threshold`` failures from one address lock that
  address out of that e-mail (``423`` with ``Retry-After``, even for the right password) for
  ``lockout_minutes``, doubling with every further failure up to ``lockout_max_minutes``.
  The count starts again after a success from that address (or an operator's unlock).
- **per address**: more than ``address_failure_limit`` failures from one address in the
  window, whatever the e-mails (password spraying), slow that address down: ``429`` until a
  delay doubling from one second, at most ``address_max_delay_seconds``, has passed since its
  last failure.
- **per e-mail, from strangers**: more than ``account_failure_limit`` failures in the window
  from addresses that never signed in to it slow every *stranger* down the same way (``429``,
  at most ``account_max_delay_seconds``): slowed, never locked.

A *trusted* caller — an address that signed in to this e-mail within
``trusted_address_days`` (or that an operator exempted with ``portal users unlock
--address``), or a browser holding a valid session of the account — is exempt from the
address and stranger rules, so strangers can never lock the owner out; only its own
address's failures count against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from power_portal.settings import AuthSettings


class Limit(StrEnum):
    """Which rule refused an attempt (the Prometheus label and the log's reason)."""

    ADDRESS_LOCKED = "address_locked"  # per (e-mail, address): 423
    ADDRESS_SLOWED = "address_slowed"  # per address: 429
    ACCOUNT_SLOWED = "account_slowed"  # per e-mail, strangers only: 429
    BUSY = "busy"  # too many verifications running: 429


@dataclass(frozen=True)
class FailureCount:
    """Recent failures under one rule: how many, and when the last one was."""

    failures: int = 0
    last_failure_at: datetime | None = None

    def plus_one(self, at: datetime) -> FailureCount:
        return FailureCount(self.failures + 1, at)


@dataclass(frozen=True)
class LoginHistory:
    """What the attempt log says about one (e-mail, address) just now."""

    pair: FailureCount  # this e-mail from this address, since its last success
    address: FailureCount  # this address, any e-mail, within the window
    strangers: FailureCount  # this e-mail, from untrusted addresses, within the window
    trusted_address: bool  # this address signed in to this e-mail lately

    def after_failure(self, at: datetime, *, trusted: bool) -> LoginHistory:
        """The history once this attempt's failure is counted."""
        return replace(
            self,
            pair=self.pair.plus_one(at),
            address=self.address.plus_one(at),
            strangers=self.strangers if trusted else self.strangers.plus_one(at),
        )


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    retry_after_seconds: int

    @property
    def status_code(self) -> int:
        return 423 if self.limit is Limit.ADDRESS_LOCKED else 429


def lock_duration(failures: int, settings: AuthSettings) -> timedelta:
    """How long ``failures`` from one address lock it out of one e-mail (zero below the
    threshold): ``lockout_minutes`` at the threshold, doubling after, capped."""
    if failures < settings.lockout_threshold:
        return timedelta(0)
    doublings = min(failures - settings.lockout_threshold, 30)
    minutes = min(settings.lockout_minutes * 2**doublings, settings.lockout_max_minutes)
    return timedelta(minutes=minutes)


def slowdown(failures: int, limit: int, max_delay_seconds: float) -> timedelta:
    """The wait after the last failure once more than ``limit`` failures came in the window:
    one second for the first one over, doubling after, capped."""
    if failures <= limit:
        return timedelta(0)
    doublings = min(failures - limit - 1, 30)
    return timedelta(seconds=min(2.0**doublings, max_delay_seconds))


def _wait(count: FailureCount, duration: timedelta, now: datetime) -> int:
    """Whole seconds still to wait (0: free to try)."""
    if count.last_failure_at is None or duration <= timedelta(0):
        return 0
    remaining = (count.last_failure_at + duration - now).total_seconds()
    return max(1, math.ceil(remaining)) if remaining > 0 else 0


def refusal(
    history: LoginHistory, now: datetime, settings: AuthSettings, *, trusted: bool
) -> Refusal | None:
    """The rule that refuses an attempt now, or None when it may be verified.

    ``trusted`` is ``history.trusted_address`` or a valid session of the account."""
    locked = _wait(history.pair, lock_duration(history.pair.failures, settings), now)
    if locked:
        return Refusal(Limit.ADDRESS_LOCKED, locked)
    if trusted:
        return None
    address_delay = slowdown(
        history.address.failures,
        settings.address_failure_limit,
        settings.address_max_delay_seconds,
    )
    waited = _wait(history.address, address_delay, now)
    if waited:
        return Refusal(Limit.ADDRESS_SLOWED, waited)
    account_delay = slowdown(
        history.strangers.failures,
        settings.account_failure_limit,
        settings.account_max_delay_seconds,
    )
    waited = _wait(history.strangers, account_delay, now)
    if waited:
        return Refusal(Limit.ACCOUNT_SLOWED, waited)
    return None


def locked_until(history: LoginHistory, settings: AuthSettings) -> datetime | None:
    """What Settings → Users shows as "locked until" after a failure: the end of the
    failing address's lock, or while strangers stay over their limit, the end of the
    window, whichever is later; None when neither applies."""
    ends = []
    if history.pair.last_failure_at is not None:
        lock = lock_duration(history.pair.failures, settings)
        if lock > timedelta(0):
            ends.append(history.pair.last_failure_at + lock)
    if (
        history.strangers.failures > settings.account_failure_limit
        and history.strangers.last_failure_at is not None
    ):
        ends.append(history.strangers.last_failure_at + settings.failure_window)
    return max(ends, default=None)
