"""Delivery off the intake path: per-message timeouts and a background worker.

Intake, commands and sweeps only *queue* notifications in the outbox, in the
same transaction as the events.  Sending is separate, so a slow or hung
channel can never slow intake:

* :class:`Sender` runs each ``Notifier.send`` on a thread of its own, at most
  ``threads`` at a time, and gives up waiting after ``timeout`` seconds.  A
  message that timed out is retried later *with the same dedupe key*
  (``Notification.key``), so a receiver that got it after all can drop the
  copy; a send that completes after its timeout is still recorded as
  delivered.
* :class:`DeliveryWorker` is a daemon thread that calls
  :meth:`Desk.deliver <complaintcore.desk.service.Desk.deliver>` whenever the
  desk commits something to send (and every ``interval`` seconds for retries),
  claiming until the outbox is empty.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.models import require_aware

if TYPE_CHECKING:
    from complaintcore.desk.service import DeliveryReport, Desk

__all__ = ["DeliveryWorker", "SendTimeoutError", "Sender", "system_clock"]

log = logging.getLogger("complaintcore.delivery")


class SendTimeoutError(ComplaintCoreError, TimeoutError):
    """A notifier did not finish sending within the per-message timeout.

    The message stays in the outbox and is retried with the same dedupe key.
    """

    def __init__(self, timeout: float, *, busy: bool = False) -> None:
        what = "every sending thread stayed busy" if busy else "no answer"
        super().__init__(f"send timed out after {timeout:g} s ({what})")
        self.timeout = timeout


def _seconds(value: float | None, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86_400:
        raise InvalidInputError(path, "must be a number of seconds above 0 and at most 86400")
    return float(value)


class Sender:
    """Runs sends on daemon threads, at most ``threads`` at once, each waited for
    at most ``timeout`` seconds (``None``: in the caller's thread, unbounded).

    Daemon threads: a notifier that never returns cannot keep the process from
    exiting, and holds one of the ``threads`` slots until it does.
    """

    def __init__(self, *, timeout: float | None = 10.0, threads: int = 4) -> None:
        self.timeout = _seconds(timeout, "delivery.timeout_seconds")
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 256:
            raise InvalidInputError("delivery.threads", "must be an integer from 1 to 256")
        self.threads = threads
        self._slots = threading.BoundedSemaphore(threads)
        self._closed = False

    def send(self, send: Callable[[], None], late: Callable[[BaseException | None], None]) -> None:
        """Run ``send``; raise what it raised, or :class:`SendTimeoutError`.

        After a timeout, ``late`` is called from the sending thread with the
        outcome (``None`` for success) if the send ever finishes.
        """
        if self.timeout is None:
            send()
            return
        if self._closed:
            raise InvalidInputError("sender", "is closed")
        if not self._slots.acquire(timeout=self.timeout):
            raise SendTimeoutError(self.timeout, busy=True)
        done = threading.Event()
        lock = threading.Lock()
        outcome: list[BaseException | None] = []
        abandoned = False

        def run() -> None:
            try:
                send()
                result: BaseException | None = None
            except BaseException as exc:  # handed to the waiting thread or to `late`
                result = exc
            finally:
                self._slots.release()
            with lock:
                outcome.append(result)
                gone = abandoned
            done.set()
            if gone:
                try:
                    late(result)
                except Exception:  # a late settlement must never crash the thread
                    log.exception("recording a late send failed")

        threading.Thread(target=run, name="complaintcore-send", daemon=True).start()
        finished = done.wait(self.timeout)
        with lock:
            if not finished and not outcome:
                abandoned = True
        if abandoned:
            raise SendTimeoutError(self.timeout)
        error = outcome[0]
        if error is not None:
            raise error

    def close(self) -> None:
        """Refuse further sends; threads still running finish on their own."""
        self._closed = True


def system_clock() -> datetime:
    """The operating system's clock, in UTC: what a worker uses unless given a clock."""
    return datetime.now(UTC)


class DeliveryWorker:
    """A daemon thread that sends the desk's outbox, woken by every commit.

    ``interval`` seconds bound how long a retry waits when nothing wakes the
    worker.  The worker is the one part of a desk that reads a clock (it runs
    on its own, with no caller to pass ``now``); tests pass ``clock=``.

    Use it as a context manager, or :meth:`start` and :meth:`stop` it; build it
    with :meth:`Desk.start_delivery <complaintcore.desk.service.Desk.start_delivery>`
    so that commits wake it.
    """

    def __init__(
        self,
        desk: Desk,
        *,
        clock: Callable[[], datetime] | None = None,
        interval: float = 30.0,
    ) -> None:
        self.desk = desk
        self.clock = clock or system_clock
        checked = _seconds(interval, "interval")
        assert checked is not None
        self.interval = checked
        self.reports: list[DeliveryReport] = []
        """What each pass did, the last 100 (for tests and monitoring)."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._passes = 0
        self._asked = 0
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="complaintcore-delivery", daemon=True
            )
            self._thread.start()
        return self

    def wake(self) -> None:
        """Something was queued: send it soon."""
        with self._idle:
            self._asked += 1
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Wake the worker and wait up to ``timeout`` seconds for a pass that began
        after the call to finish: the backlog of now sent (or failed and rescheduled)."""
        with self._idle:
            self._asked += 1
            target = self._asked
        self._wake.set()
        with self._idle:
            return self._idle.wait_for(lambda: self._passes >= target, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end after its current pass, waiting up to ``timeout`` s."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._idle:
                asked = self._asked
            try:
                now = require_aware(self.clock(), "clock()")
                report = self.desk.deliver(now)
                self.reports = [*self.reports[-99:], report]
            except Exception:  # the outbox keeps everything; try again on the next wake
                log.exception("delivering notifications failed")
            with self._idle:
                self._passes = max(self._passes, asked)
                self._idle.notify_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
