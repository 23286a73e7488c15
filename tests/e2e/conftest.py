"""Browser tests: the Chromium fixtures (tests/support/browser.py) and a built front end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from power_portal.web.spa import DEFAULT_STATIC_DIR
from tests.support.browser import browser, page, playwright_instance

__all__ = ["browser", "page", "playwright_instance"]


@pytest.fixture(scope="session", autouse=True)
def _front_end_is_built() -> None:
    # PORTAL_STATIC_DIR (read by every Settings) points the tests at another build
    static_dir = Path(os.environ.get("PORTAL_STATIC_DIR") or DEFAULT_STATIC_DIR)
    if not (static_dir / "index.html").is_file():
        pytest.fail(f"the front end is not built in {static_dir}: run `make frontend`")
