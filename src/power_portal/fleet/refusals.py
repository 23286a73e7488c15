"""Pure: which refusals of an anonymous push make a log line.

A push without a known customer token (none, an unknown one, or one throttled for guessing)
is refused with no audit row: it names no customer, so a row would only let anyone fill
``fleet.ingest_events`` at the rate they can send requests. Each is counted
(``portal_ingest_anonymous_refusals_total``) and logged, sampled per reason: the first
``burst`` of each window, then every ``every``-th, each logged line saying how many of its
reason were left out since the previous one. The keys are the few fixed reasons, so the
state stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Window:
    started: float
    seen: int = 0  # refusals of this key in the window
    left_out: int = 0  # not logged since the last logged one (across windows)


@dataclass
class LogSampler:
    """``decide(key, now)``: None to leave this one out, else how many were left out
    before it (since the previous logged one of ``key``)."""

    burst: int = 10
    every: int = 100
    window_seconds: float = 60.0
    _windows: dict[str, _Window] = field(default_factory=dict)

    def decide(self, key: str, now: float) -> int | None:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(started=now)
        elif now - window.started >= self.window_seconds:
            window.started, window.seen = now, 0
        window.seen += 1
        beyond = window.seen - self.burst
        if beyond > 0 and beyond % self.every != 0:
            window.left_out += 1
            return None
        left_out, window.left_out = window.left_out, 0
        return left_out
