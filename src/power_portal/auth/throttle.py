"""Slowing down token guessing: too many unknown tokens from one client → 429.

Device tokens (``ppd_…``) and customer tokens (``ppc_…``) are looked up by
hash. A client (by IP address, as uvicorn resolved it behind a trusted proxy)
that presents ``max_failures`` unknown tokens within ``window_seconds`` gets
``429`` with ``Retry-After`` for every further token lookup until the oldest of
those failures leaves the window; nothing is looked up meanwhile. Only
failures count: a valid token's traffic never moves the counter, however busy.
Per process and in memory, like the fleet's per-customer limiter.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, status

# Beyond this many clients tracked, the least recently failing ones are forgotten.
MAX_TRACKED_CLIENTS = 10_000


@dataclass
class FailureThrottle:
    max_failures: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures

    def retry_after(self, client: str) -> int:
        """0 when this client may present a token now, else seconds to wait."""
        now = self.clock()
        failures = self._recent(client, now)
        if failures is None or len(failures) < self.max_failures:
            return 0
        return max(1, math.ceil(failures[0] + self.window_seconds - now))

    def record_failure(self, client: str) -> None:
        now = self.clock()
        failures = self._recent(client, now) or deque()
        failures.append(now)
        while len(failures) > self.max_failures:
            failures.popleft()
        self._failures[client] = failures
        self._failures.move_to_end(client)
        while len(self._failures) > MAX_TRACKED_CLIENTS:
            self._failures.popitem(last=False)


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_token_throttle(request: Request) -> None:
    """Raise 429 when this client has presented too many unknown tokens lately."""
    throttle: FailureThrottle = request.app.state.token_throttle
    wait = throttle.retry_after(client_key(request))
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many unknown tokens from this address: retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )


def record_token_failure(request: Request) -> None:
    throttle: FailureThrottle = request.app.state.token_throttle
    throttle.record_failure(client_key(request))
