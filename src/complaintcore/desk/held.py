"""Results handed out before a held interrupt (review s56R3 F01).

:meth:`Desk.receive_each <complaintcore.desk.service.Desk.receive_each>` and
:class:`~complaintcore.desk.importer.FileImport` give a committed batch's results
before a ``KeyboardInterrupt`` (Ctrl-C, the command line's SIGTERM) that came
while its listeners ran, and raise it after (review s56L1 F02).  A caller that
stops iterating before the end of the batch (a ``break``, ``close()``,
``itertools.islice``, a generator dropped after one ``next()``) must not lose it:
the generator raises it from ``close()`` (``GeneratorExit`` at its ``yield``),
and :class:`Interruptible` closes a generator the caller dropped without closing
it and, as Python ignores what a finalizer raises, hands the interrupt to the
main thread just after, as a Ctrl-C would come (``_thread.interrupt_main``) —
only when dropped in the main thread, where Ctrl-C and SIGTERM arrive; in another
thread it is logged and not passed on (review s56R8 F01).
"""

from __future__ import annotations

import _thread
import contextlib
import logging
import sys
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

__all__ = ["Interruptible"]

log = logging.getLogger("complaintcore.desk")

_T = TypeVar("_T")


class Interruptible(Iterator[_T]):
    """An iterator over ``results``, a generator that may hold a ``KeyboardInterrupt``
    until its batch's results are handed out: ``close()`` raises it, and a
    dropped one (garbage collected, never closed) raises it in the main thread."""

    __slots__ = ("_results",)

    def __init__(self, results: Generator[_T, None, None]) -> None:
        self._results = results

    def __iter__(self) -> Interruptible[_T]:
        return self

    def __next__(self) -> _T:
        return next(self._results)

    def close(self) -> None:
        """Stop early: an interrupt held for after the batch is raised from here."""
        self._results.close()

    def __del__(self) -> None:
        try:
            self._results.close()
        except KeyboardInterrupt:
            # raised in a finalizer, it would only be printed ("Exception ignored"),
            # and one tripped here would be raised inside it: the main thread gets it
            # just after, as it gets a Ctrl-C (nothing when Python does not handle
            # SIGINT there, or at interpreter shutdown)
            if sys.is_finalizing():
                return  # the program is ending already
            if threading.current_thread() is not threading.main_thread():
                # only the main thread is sent Ctrl-C or SIGTERM: one a worker's plugin
                # raised is no signal, and handing it on would stop a host's server
                # (its SIGINT handler, ``asyncio.run``) that nobody asked to stop
                # (review s56R8 F01)
                log.warning(
                    "a KeyboardInterrupt held for after a receipt batch was dropped in"
                    " thread %s, whose caller stopped reading early: not passed on",
                    threading.current_thread().name,
                )
                return
            later = threading.Timer(_AFTER, _interrupt_main)
            later.daemon = True
            with contextlib.suppress(RuntimeError):
                later.start()


_AFTER = 0.01
"""Seconds after a dropped generator's finalizer before its interrupt is raised."""


def _interrupt_main() -> None:
    with contextlib.suppress(RuntimeError):  # SIGINT not Python's any more (shutdown)
        _thread.interrupt_main()
