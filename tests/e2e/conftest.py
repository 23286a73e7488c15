"""Browser tests: the Chromium fixtures (tests/support/browser.py) and a built front end."""

from __future__ import annotations

import pytest

from power_portal.web.spa import DEFAULT_STATIC_DIR
from tests.support.browser import browser, page, playwright_instance

__all__ = ["browser", "page", "playwright_instance"]


@pytest.fixture(scope="session", autouse=True)
def _front_end_is_built() -> None:
    if not (DEFAULT_STATIC_DIR / "index.html").is_file():
        pytest.fail(f"the front end is not built in {DEFAULT_STATIC_DIR}: run `make frontend`")
