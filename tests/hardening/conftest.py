"""Hardening tests: load, faults and hostile input, each reporting its figures.

``make test`` runs them in a short form; ``make test-hardening`` sets
``PORTAL_HARDENING=full`` for the long form (minutes of load, bigger corpora).
Every test records one summary line with ``hardening_report``; the lines are
printed together at the end of the run and written to
``$PORTAL_HARDENING_RESULTS`` (JSON) when that is set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.hardening import FULL

_LINES: list[tuple[str, dict[str, Any]]] = []


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@pytest.fixture
def hardening_report(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Record this test's figures: ``hardening_report(requests=…, p95_ms=…, rows_lost=0)``."""

    def record(**figures: Any) -> None:
        _LINES.append((request.node.nodeid.split("::", 1)[-1], figures))

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _LINES:
        return
    terminalreporter.section(f"hardening figures ({'full' if FULL else 'short'} run)")
    for name, figures in _LINES:
        shown = ", ".join(f"{key} {_fmt(value)}" for key, value in figures.items())
        terminalreporter.write_line(f"{name}: {shown}")
    target = os.environ.get("PORTAL_HARDENING_RESULTS")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(
            json.dumps({"mode": "full" if FULL else "short", "results": _LINES}, indent=2)
        )
