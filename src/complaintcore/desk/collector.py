"""Python's cyclic garbage collector paused while a bulk batch is decided and written.

A batch of a thousand complaints keeps tens of thousands of objects alive until
it is stored, and the collector walks them, and every long-lived object of the
process, again and again: about a tenth of bulk intake's time, for almost no
garbage (the batch's objects hold no cycles; reference counting frees them).
The pause is shared by the threads of a process: the collector is enabled again
when the last batch ends, and only if it was enabled when the first began, so
a host that turned it off keeps it off.  The host's hooks called inside a batch
run with it as the host set it (:func:`collection_resumed`); the host's other
threads see the pause (the switch is the process's).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["collection_paused", "collection_resumed"]

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


@contextlib.contextmanager
def collection_resumed() -> Iterator[None]:
    """The host's code called inside a batch (a hook) runs with the collector as the
    host set it; one that turns it off there keeps it off after the batch."""
    global _resume
    with _lock:
        resumed = _batches > 0 and _resume and not gc.isenabled()
        if resumed:
            gc.enable()
    try:
        yield
    finally:
        if resumed:
            with _lock:
                if not gc.isenabled():  # the host turned it off: it stays off
                    _resume = False
                elif _batches > 0:
                    gc.disable()
