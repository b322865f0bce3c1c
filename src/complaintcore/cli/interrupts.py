"""SIGTERM read as Ctrl-C, for the length of one command of the console script.

systemd, a container runtime and ``timeout`` in a cron line stop a command with
SIGTERM, which by default kills Python outright: no ``aborted``, and claimed
messages wait out their lease.  Raised as :class:`KeyboardInterrupt` instead,
it takes the Ctrl-C path: the desk closes and hands back what it had claimed
(docs/cli.md, Exit codes).  Only the command line does this, in its main thread:
the library never touches signals, a host owns them.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from complaintcore.cli.logs import quiet_drivers

__all__ = ["TERMINATED", "Interrupts", "interrupts"]

TERMINATED = 128 + signal.SIGTERM
"""The exit status of a command stopped by SIGTERM, as a shell reports one killed by it."""


class Interrupts:
    """Which signal stopped the command, if one did."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.signal = signum
        quiet_drivers()  # the closing pool's lines name the server (review s38C F05)
        raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts() -> Iterator[Interrupts]:
    """SIGINT and SIGTERM raise :class:`KeyboardInterrupt` while the command runs;
    a signal the parent had ignored (``nohup``, a background job) stays ignored."""
    got = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous = {}
    for signum, default in defaults.items():
        before = signal.getsignal(signum)
        if before is default:
            previous[signum] = before
            signal.signal(signum, got._stop)
    try:
        yield got
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
