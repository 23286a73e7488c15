"""A loaded machine for concurrency tests: a busy loop per core, so that a race between two
requests cannot be won by luck (a test that passes alone but fails in a busy CI run)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BUSY_LOOP = "while True:\n    pass\n"


@contextmanager
def cpu_hog(processes: int | None = None) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` busy-loop subprocesses (one per core by default) for the block; each is
    killed and reaped at the end, whatever happens."""
    count = processes if processes is not None else (os.cpu_count() or 1)
    hogs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            hogs.append(subprocess.Popen([sys.executable, "-c", BUSY_LOOP]))
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(10)
