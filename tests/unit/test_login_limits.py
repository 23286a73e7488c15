"""The failed-login limits as pure decisions (auth/login_limits.py), table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from power_portal.auth.login_limits import (
    FailureCount,
    Limit,
    LoginHistory,
    Refusal,
    lock_duration,
    locked_until,
    refusal,
    slowdown,
)
from power_portal.settings import AuthSettings

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SETTINGS = AuthSettings(
    lockout_threshold=5,
    lockout_minutes=5,
    lockout_max_minutes=60,
    address_failure_limit=20,
    address_max_delay_seconds=60,
    account_failure_limit=10,
    account_max_delay_seconds=30,
    failure_window_minutes=15,
)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def history(
    pair: tuple[int, float] = (0, 0),
    address: tuple[int, float] = (0, 0),
    strangers: tuple[int, float] = (0, 0),
    trusted_address: bool = False,
) -> LoginHistory:
    def count(failures: int, seconds_ago: float) -> FailureCount:
        return FailureCount(failures, ago(seconds_ago) if failures else None)

    return LoginHistory(count(*pair), count(*address), count(*strangers), trusted_address)


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(0, 0), (4, 0), (5, 5), (6, 10), (7, 20), (8, 40), (9, 60), (50, 60)],
)
def test_an_address_lock_doubles_up_to_its_cap(failures: int, minutes: float) -> None:
    assert lock_duration(failures, SETTINGS) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(10, 0), (11, 1), (12, 2), (13, 4), (15, 16), (16, 30), (100, 30)],
)
def test_a_slowdown_doubles_from_one_second_up_to_its_cap(failures: int, seconds: float) -> None:
    assert slowdown(failures, 10, 30) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("case", "trusted", "expected"),
    [
        # nothing yet, or too little to matter
        (history(), False, None),
        (history(pair=(4, 1), address=(19, 1), strangers=(10, 1)), False, None),
        # the fifth failure from one address locks it out of the e-mail, for everyone
        (history(pair=(5, 10)), False, (Limit.ADDRESS_LOCKED, 290)),
        (history(pair=(5, 10)), True, (Limit.ADDRESS_LOCKED, 290)),
        (history(pair=(5, 301)), False, None),  # served its five minutes
        (history(pair=(6, 301)), False, (Limit.ADDRESS_LOCKED, 299)),  # the next: ten
        # spraying from one address slows that address down, not trusted callers
        (history(address=(21, 0.5)), False, (Limit.ADDRESS_SLOWED, 1)),
        (history(address=(21, 2)), False, None),
        (history(address=(25, 1)), False, (Limit.ADDRESS_SLOWED, 15)),
        (history(address=(90, 1)), False, (Limit.ADDRESS_SLOWED, 59)),
        (history(address=(90, 1)), True, None),
        # many strangers on one e-mail slow every stranger down, never the owner
        (history(strangers=(11, 0.5)), False, (Limit.ACCOUNT_SLOWED, 1)),
        (history(strangers=(500, 1)), False, (Limit.ACCOUNT_SLOWED, 29)),
        (history(strangers=(500, 31)), False, None),  # slowed, never locked
        (history(strangers=(500, 1)), True, None),
        # the address lock is looked at first
        (
            history(pair=(5, 1), address=(90, 1), strangers=(500, 1)),
            False,
            (Limit.ADDRESS_LOCKED, 299),
        ),
    ],
)
def test_which_limit_refuses_an_attempt(
    case: LoginHistory, trusted: bool, expected: tuple[Limit, int] | None
) -> None:
    refused = refusal(case, NOW, SETTINGS, trusted=trusted)
    assert (None if refused is None else (refused.limit, refused.retry_after_seconds)) == expected


@pytest.mark.parametrize(
    ("limit", "status"),
    [
        (Limit.ADDRESS_LOCKED, 423),
        (Limit.ADDRESS_SLOWED, 429),
        (Limit.ACCOUNT_SLOWED, 429),
        (Limit.BUSY, 429),
    ],
)
def test_a_lock_is_423_and_a_slowdown_429(limit: Limit, status: int) -> None:
    assert Refusal(limit, 1).status_code == status


def test_a_failure_counts_for_strangers_only_from_an_untrusted_caller() -> None:
    before = history(pair=(1, 5), address=(2, 5), strangers=(3, 5))
    stranger = before.after_failure(NOW, trusted=False)
    owner = before.after_failure(NOW, trusted=True)
    assert (stranger.pair.failures, stranger.address.failures, stranger.strangers.failures) == (
        2,
        3,
        4,
    )
    assert owner.strangers == before.strangers
    assert owner.pair == FailureCount(2, NOW)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (history(), None),
        (history(pair=(4, 0)), None),
        (history(pair=(5, 0)), NOW + timedelta(minutes=5)),
        (history(strangers=(11, 0)), NOW + timedelta(minutes=15)),
        (history(pair=(9, 0), strangers=(11, 0)), NOW + timedelta(minutes=60)),
    ],
)
def test_what_settings_users_shows_as_locked_until(
    case: LoginHistory, expected: datetime | None
) -> None:
    assert locked_until(case, SETTINGS) == expected
