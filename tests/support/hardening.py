"""The hardening tests' two lengths: ``make test`` runs the short form, ``make test-hardening``
(``PORTAL_HARDENING=full``) the long one."""

from __future__ import annotations

import os

FULL = os.environ.get("PORTAL_HARDENING", "short") == "full"


def scaled(short: int, full: int) -> int:
    """A count (seconds, requests, rows…) for the short or the full run."""
    return full if FULL else short
