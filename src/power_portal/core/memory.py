"""The garbage collector tuned for a long-running server process.

CPython's cyclic collector runs its youngest generation every 700 net allocations and
walks every tracked object that survived into the oldest one now and then. A portal has
most of its heap built at start-up (the app and its routes, SQLAlchemy's and pydantic's
tables) and allocates hundreds of short-lived objects per request, so the collector was
a tenth or more of a busy worker's time (``bench/bench_small_batches.py``: one-row
batches 2,174/s with the defaults, 2,672/s with the collector off). While the app runs:

- what start-up built is frozen (``gc.freeze``): no collection walks it again;
- the youngest generation is collected every 10,000 allocations: each collection is
  cheap, and 700 made several per request.

Reference counting still frees everything not in a cycle at once; cycles are still
collected, a little later. Leaving undoes both (the frozen objects can be collected
again: a test process starts many apps).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (10_000, 10, 10)  # CPython's defaults: (700, 10, 10)


@contextmanager
def tuned_garbage_collector() -> Iterator[None]:
    """While the block runs: start-up's objects frozen, the collector less often."""
    thresholds = gc.get_threshold()
    # Without a collection first (a tenth of a second, at every start of a test's app):
    # the little start-up left unreachable in cycles waits, frozen, until the app stops.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
