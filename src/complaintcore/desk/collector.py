"""Python's cyclic garbage collector paused while a bulk batch is decided and written.

A batch of a thousand complaints keeps tens of thousands of objects alive until
it is stored, and the collector walks them, and every long-lived object of the
process, again and again: about a tenth of bulk intake's time, for almost no
garbage (the batch's objects hold no cycles; reference counting frees them).
The pause is shared by the threads of a process: the collector is enabled again
when the last batch ends, and only if it was enabled when the first began, so
a host that turned it off keeps it off.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["collection_paused"]

_lock = threading.Lock()
_batches = 0
_resume = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause automatic collection for the block (never across a ``yield`` to the
    caller: the host's own code runs with the collector as it set it)."""
    global _batches, _resume
    with _lock:
        if _batches == 0:
            _resume = gc.isenabled()
            gc.disable()
        _batches += 1
    try:
        yield
    finally:
        with _lock:
            _batches -= 1
            if _batches == 0 and _resume:
                gc.enable()
