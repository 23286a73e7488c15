"""Running ``portal …`` commands as real processes against a test database."""

from __future__ import annotations

import os
import subprocess

from sqlalchemy.engine import URL

from tests.support.database import url_string
from tests.support.portal import PORTAL_BIN


def portal(db_url: URL, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_DATABASE_URL"] = url_string(db_url)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(PORTAL_BIN), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
