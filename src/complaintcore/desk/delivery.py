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
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

import attrs

from complaintcore.core.errors import (
    ClosedError,
    ComplaintCoreError,
    InvalidInputError,
    StoreError,
)
from complaintcore.core.models import require_aware

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint
    from complaintcore.core.rulepack import RulePack
    from complaintcore.desk.ports import Notifier, OutboxItem, StaffMember
    from complaintcore.desk.service import DeliveryReport, Desk

__all__ = [
    "NOT_ENTITLED",
    "UNKNOWN_RECIPIENT",
    "DeliveryWorker",
    "KeptOutcomes",
    "SendTimeoutError",
    "Sender",
    "Task",
    "UnderWay",
    "masks_itself",
    "not_entitled",
    "still_sees",
    "system_clock",
    "unknown_recipient",
]

log = logging.getLogger("complaintcore.delivery")


class SendTimeoutError(ComplaintCoreError, TimeoutError):
    """A notifier did not finish sending within the per-message timeout.

    The message stays in the outbox and is retried with the same dedupe key.
    """

    def __init__(self, timeout: float, *, busy: bool = False) -> None:
        what = "every sending thread stayed busy" if busy else "no answer"
        super().__init__(f"send timed out after {timeout:g} s ({what})")
        self.timeout = timeout
        self.busy = busy  # never started: no send of it is left running


def _seconds(value: float | None, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86_400:
        raise InvalidInputError(path, "must be a number of seconds above 0 and at most 86400")
    return float(value)


class _Task:
    """One send handed to the pool: waiting, running, done, or given up on."""

    __slots__ = (
        "channel",
        "deadline",
        "done",
        "ended",
        "error",
        "key",
        "late",
        "place",
        "send",
        "state",
    )

    def __init__(
        self,
        send: Callable[[], None],
        late: Callable[[BaseException | None], None],
        channel: str = "",
        key: str = "",
        place: str | None = None,
        ended: Callable[[], None] | None = None,
    ):
        self.send = send
        self.late = late
        self.channel = channel
        self.key = key
        self.place = place  # the recipient's own address, where the channel has several
        self.ended = ended  # told when the send ends (a pass waiting for several)
        self.state = "waiting"  # → running → done; waiting → cancelled; running → abandoned
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.deadline = 0.0  # monotonic: the caller stops waiting for it then


Task = _Task
"""A send handed to :meth:`Sender.submit`, for :meth:`Sender.outcome`."""


IDLE_SECONDS = 60.0
"""How long a sending thread waits for work before it ends: a desk dropped without
:meth:`Desk.close` (one per job or request) leaves no thread, nor itself, behind."""


class Sender:
    """Runs sends on a pool of daemon threads, each waited for at most ``timeout``
    seconds (``None``: in the caller's thread, unbounded).

    ``threads`` sends run at once.  A send that outlives its timeout keeps its
    thread (Python cannot stop it) and a new thread takes its place, so sends
    that hang never take the threads of the channels that work (the desk sends
    a channel nothing once it holds ``threads`` of them); a send still waiting
    for a thread when its time is up is not made at all.  Daemon threads: a
    notifier that never returns cannot keep the process from exiting.  A forked
    child starts with none of the parent's threads, so with no count of them.
    """

    def __init__(self, *, timeout: float | None = 10.0, threads: int = 4) -> None:
        self.timeout = _seconds(timeout, "delivery.timeout_seconds")
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 256:
            raise InvalidInputError("delivery.threads", "must be an integer from 1 to 256")
        self.threads = threads
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = 0  # threads alive
        self._stuck = 0  # threads held by a send given up on
        self._stuck_by: dict[str, int] = {}  # the same, by channel
        self._stuck_at: dict[tuple[str, str], int] = {}  # by (channel, destination)
        self._unsettled = 0  # sends given up on whose outcome is not yet recorded
        self._closed = False
        self._ended = threading.Condition(self._lock)  # an abandoned send ended
        _SENDERS.add(self)

    def _after_fork(self) -> None:
        """In a forked child: the parent's threads are gone, and so are their sends."""
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._live = self._stuck = self._unsettled = 0
        self._stuck_by = {}
        self._stuck_at = {}

    def send(
        self,
        send: Callable[[], None],
        late: Callable[[BaseException | None], None],
        *,
        channel: str = "",
        key: str = "",
        place: str | None = None,
        unwaited: Callable[[BaseException | None], None] | None = None,
    ) -> None:
        """Run ``send``; raise what it raised, or :class:`SendTimeoutError`.

        After a timeout, ``late`` is called from the sending thread with the
        outcome (``None`` for success) if the send ever finishes.  ``channel``
        names the notifier, so that :meth:`stuck` can tell which one hangs;
        ``key`` the notification, for the error of a send that raised ``SystemExit``;
        ``place`` the recipient's own address where the channel has several, so that
        :meth:`holds` can tell which of them hangs (review s49W).

        A wait interrupted (a ``KeyboardInterrupt`` in the caller's thread: Ctrl-C,
        the command line's SIGTERM) leaves the send running: ``unwaited`` (else
        ``late``) is called with its outcome when it ends, and :meth:`settle`
        waits for it as for one given up on (review s49H F04); a send not begun
        is not made.
        """
        task = self.submit(_Task(send, late, channel, key, place))
        try:
            task.done.wait(max(0.0, task.deadline - time.monotonic()))
        except BaseException:
            self.let_go(task, unwaited or late)
            raise
        self.outcome(task)

    def submit(self, task: Task) -> Task:
        """Start ``task`` (a send, as for :meth:`send`) on a sending thread and return
        at once (review s52R3 F03): a pass has several sends under way, each waited
        for until its ``deadline``, then :meth:`outcome`.  The deadline is
        ``timeout`` seconds from now while the send waits for a thread (every thread
        busy with other sends, of this pass or another: not made then), and
        ``timeout`` seconds from when a thread begins it once it has begun, so a
        send queued behind others is not timed out for their time (review s52R10
        F02).  Its ``ended`` is called from the sending thread when the
        send ends.  Without a timeout the send is made here, in the caller's
        thread, and has ended on return."""
        if self.timeout is None:  # the caller's thread: a SystemExit may be its SIGTERM
            task.state = "running"
            try:
                task.send()
            except Exception as exc:
                task.error = exc
            task.state = "done"
            task.done.set()
            return task
        with self._lock:
            if self._closed:
                raise InvalidInputError("sender", "is closed")
            if self._live - self._stuck < self.threads:  # hung sends keep theirs (F02)
                self._live += 1
                threading.Thread(target=self._work, name="complaintcore-send", daemon=True).start()
            task.deadline = time.monotonic() + self.timeout
            # queued under the lock: an idle thread leaving sees it (see _work)
            self._queue.put(task)
        return task

    def outcome(self, task: Task) -> None:
        """After the send ended or its deadline passed: raise what it raised, or
        :class:`SendTimeoutError` if it has not ended (it is given up on then: one
        running keeps its thread and settles through ``late``; one still waiting
        for a thread is not made).  One a thread began just as its wait for a
        thread ran out is waited for until its own deadline first."""
        while not task.done.is_set():
            assert self.timeout is not None
            with self._lock:
                if task.state == "waiting":
                    task.state = "cancelled"
                    raise SendTimeoutError(self.timeout, busy=True)
                left = task.deadline - time.monotonic()
                if task.state == "running" and left <= 0:
                    self._abandon(task)
                    raise SendTimeoutError(self.timeout)
            if task.state != "running":
                break  # it ended meanwhile
            # begun on a thread just as its wait for one ran out: its own
            # timeout counts from there (review s52R10 F02)
            task.done.wait(left)
        if task.error is not None:
            raise task.error

    def let_go(self, task: Task, settle: Callable[[BaseException | None], None]) -> bool:
        """The caller stopped waiting (interrupted): see :meth:`_let_go`.  True if the
        send was never begun (so not made: its message may go back at once)."""
        return self._let_go(task, settle)

    def _abandon(self, task: _Task) -> None:
        """No longer waited for (under the lock): it keeps its thread till it ends."""
        task.state = "abandoned"
        self._stuck += 1
        self._unsettled += 1
        self._stuck_by[task.channel] = self._stuck_by.get(task.channel, 0) + 1
        if task.place is not None:
            at = (task.channel, task.place)
            self._stuck_at[at] = self._stuck_at.get(at, 0) + 1

    def _let_go(self, task: _Task, settle: Callable[[BaseException | None], None]) -> bool:
        """The caller stopped waiting (interrupted): a send not begun is not made; one
        running is settled by ``settle`` when it ends; one that ended just now, here."""
        with self._lock:
            state = task.state
            if state == "waiting":
                task.state = "cancelled"
            elif state == "running":
                task.late = settle
                self._abandon(task)
        if state == "done":
            try:
                settle(task.error)
            except Exception:  # the interruption is what the caller must see
                log.exception("recording an interrupted send failed")
        return state in ("waiting", "cancelled")

    def _work(self) -> None:
        task: _Task | None = None
        while True:
            task = None  # a finished send's closures hold its desk: let it go
            try:
                task = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # idle: a desk never closed leaves no thread behind
                    if self._queue.empty():
                        self._live -= 1
                        break
                continue
            if task is None:
                break
            with self._lock:
                if task.state == "cancelled":
                    continue
                task.state = "running"
                if self.timeout is not None:
                    # waited for from now, not from when it was queued behind other
                    # passes' sends (review s52R10 F02)
                    task.deadline = time.monotonic() + self.timeout
            try:
                task.send()
            except Exception as exc:  # handed to the waiting caller or to `late`
                task.error = exc
            except BaseException as exc:
                # no Ctrl-C reaches a pool thread: a SystemExit here is the channel's
                # (a vendor SDK calling sys.exit), a failed attempt like any other
                task.error = _channel_exit(task.channel, task.key, exc)
            with self._lock:
                abandoned = task.state == "abandoned"
                task.state = "done"
                if abandoned:
                    self._stuck -= 1
                    self._stuck_by[task.channel] -= 1
                    if task.place is not None:
                        at = (task.channel, task.place)
                        self._stuck_at[at] -= 1
                        if not self._stuck_at[at]:
                            del self._stuck_at[at]  # no address kept once its send ended
                    self._ended.notify_all()
                leave = self._closed or self._live - self._stuck > self.threads
                if leave:
                    self._live -= 1
            task.done.set()
            if task.ended is not None:
                task.ended()
            if abandoned:
                try:
                    task.late(task.error)
                except Exception:  # a late settlement must never crash the thread
                    log.exception("recording a late send failed")
                finally:
                    with self._lock:
                        self._unsettled -= 1
                        self._ended.notify_all()
            if leave:
                break

    def stuck(self, channel: str) -> int:
        """Sends of ``channel`` given up on and still holding a thread: once a channel
        holds ``threads`` of them, sending it more would starve the others."""
        with self._lock:
            return self._stuck_by.get(channel, 0)

    def holds(self, channel: str, place: str) -> bool:
        """Whether a send of ``channel`` to ``place`` (a recipient's own address) given
        up on still holds a thread: the desk sends there no more until it ends, so
        one address that hangs holds one thread, not one a pass (review s49W)."""
        with self._lock:
            return (channel, place) in self._stuck_at

    def close(self) -> None:
        """Refuse further sends and let idle threads end; running sends finish on their own."""
        with self._lock:
            self._closed = True
            idle = self._live - self._stuck
        for _ in range(max(idle, 0)):
            self._queue.put(None)

    def settle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every send given up on to end and its
        outcome to be recorded: the desk closes its store only after, or a late
        success would be lost and the message sent again (review s39B F04)."""
        with self._ended:
            return self._ended.wait_for(lambda: self._unsettled == 0, timeout)


_SENDERS: weakref.WeakSet[Sender] = weakref.WeakSet()


_WORKERS: weakref.WeakSet[DeliveryWorker] = weakref.WeakSet()


def _forget_after_fork() -> None:
    """A forked child (gunicorn ``--preload``, a ``fork`` pool) has none of the
    parent's threads: its senders count none, and its desks have no worker, so
    ``start_delivery`` starts one there (review s39B F05)."""
    for sender in list(_SENDERS):
        sender._after_fork()
    for worker in list(_WORKERS):
        if worker.desk._worker is worker and worker._thread is not threading.current_thread():
            worker.desk._worker = None


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere processes are never forked
    os.register_at_fork(after_in_child=_forget_after_fork)


def _channel_exit(channel: str, key: str, exc: BaseException) -> Exception:
    """A send's ``SystemExit`` (or other non-``Exception``) as a failed attempt of
    its channel: raised as it is, it would end the delivery worker and leave the
    message claimed, never counted, never a dead letter (review s39B F01)."""
    from complaintcore.adapters.notify._common import NotificationError

    wrapped = NotificationError(channel or "send", key, f"send raised {type(exc).__name__}")
    wrapped.__cause__ = exc
    return wrapped


@attrs.frozen(eq=False)
class _Kept:
    """One kept write: ``write`` as first tried, ``again`` to replay it (``None``:
    ``write``; false returned: not written, and dropped with the rest of
    ``outcome``, the writes of one outcome)."""

    item: OutboxItem
    write: Callable[[], object]
    again: Callable[[], bool] | None
    outcome: object


class KeptOutcomes:
    """Outcomes of sends that the store refused to record for a while (a lock held
    past its timeout, a lost connection: a transient ``StoreError``), kept in
    order to be written at the next delivery pass or at ``close`` (review s52R3
    F01).  A send that got through and could not be marked delivered at once is
    so not left claimed and sent again when the claim lapses.

    One flush at a time, each outcome taken off the list before it is written
    and put back at its head only if the write fails again: two passes (the
    worker's and a host's ``deliver``, or ``close``) never write one outcome
    twice (review s52R10 F01).

    Once :meth:`close` (the desk's ``close``) gave up what is left, an outcome
    refused is no longer kept for a pass that will never come: a WARNING names the
    message, sent again with the same key once its claim lapses (review s53R2 F02)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # held across a flush's writes
        self._kept: list[_Kept] = []
        self._writing: int | None = None  # the item whose kept outcome a flush writes
        self._closed = False

    def record(
        self,
        item: OutboxItem,
        write: Callable[[], object],
        *,
        again: Callable[[], bool] | None = None,
        outcome: object = None,
    ) -> None:
        """Run ``write`` (a store's mark of ``item``); keep it for later if the store
        failed transiently, raise any other error.  Replayed later, ``again`` is run
        instead where given: it returns false when it wrote nothing (the message no
        longer holds the claim it was sent under), and the outcome's other writes
        (those recorded with the same ``outcome``) are dropped with it.

        Once :meth:`close` ran, a transient refusal is raised too, nothing kept: no
        later pass would write it, and the caller names the message as not
        recorded, once, logging nothing the outcome would have meant (a retry, a
        dead letter; review s53R10 F01)."""
        kept = _Kept(item, write, again, object() if outcome is None else outcome)
        with self._lock:
            if self._closed:
                pass  # nothing is kept any more: written now or not at all
            elif self._writing == item.id or any(k.item.id == item.id for k in self._kept):
                # an earlier outcome of it waits: this one after it, in order
                self._kept.append(kept)
                return
        try:
            write()
        except StoreError as exc:
            if not exc.transient:
                raise
            with self._lock:
                if self._closed:  # refused after the desk closed: no later pass writes it
                    raise
                self._kept.append(kept)
            log.warning(
                "notification %s via %s: its outcome is kept to be recorded at the next"
                " delivery pass: %s",
                item.notification.key,
                item.notifier,
                exc,
            )

    def flush(
        self,
        each: Callable[[], AbstractContextManager[object]] | None = None,
        *,
        wait: float | None = None,
    ) -> bool:
        """Write what is kept, oldest first; the first failure is raised, the rest kept.
        A flush under way elsewhere is waited for (at most ``wait`` seconds: else
        false, nothing written here): this one then finds what it left.  ``each``: a
        context each write is made in.  ``close(timeout=…)`` bounds both by the time
        it has left (review s53R2 F01), never past ``threading.TIMEOUT_MAX`` (review
        s53R10 F02).  One refused once :meth:`close` ran is named as not recorded,
        not kept, and its error raised: a delivery worker then ends quietly (review
        s53R10 F03)."""
        if not self._flushing.acquire(
            timeout=-1 if wait is None else min(wait, threading.TIMEOUT_MAX)
        ):
            return False
        try:
            while True:
                with self._lock:
                    if not self._kept:
                        return True
                    kept = self._kept.pop(0)
                    self._writing = kept.item.id
                try:
                    with nullcontext() if each is None else each():
                        written = kept.again() if kept.again is not None else _written(kept.write)
                except BaseException as exc:
                    with self._lock:
                        closed = self._closed
                        if not closed:
                            self._kept.insert(0, kept)
                    if closed:
                        _not_recorded(kept.item, exc)
                    raise
                finally:
                    with self._lock:
                        self._writing = None
                if not written:
                    self._drop(kept)
        finally:
            self._flushing.release()

    def _drop(self, kept: _Kept) -> None:
        """An outcome no longer true of the message (review s52R10 F03): its other
        writes go too, and a line says so."""
        with self._lock:
            self._kept = [k for k in self._kept if k.outcome is not kept.outcome]
        log.warning(
            "notification %s via %s: its kept failed attempt is not recorded: the message"
            " was claimed again, delivered, retried or dropped since its claim lapsed",
            kept.item.notification.key,
            kept.item.notifier,
        )

    def close(self) -> int:
        """Keep nothing from now on (the desk closes): what is left is given up, the
        number of messages it was about returned for the desk's one WARNING (not of
        writes: a failed attempt and its dead-letter marks are one message, review
        s53R13 F03); an outcome refused later is named in a WARNING of its own
        (review s53R2 F02)."""
        with self._lock:
            self._closed = True
            left, self._kept = self._kept, []
        return len({kept.item.id for kept in left})

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran: nothing is kept any more."""
        with self._lock:
            return self._closed

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)


def _not_recorded(item: OutboxItem, exc: BaseException) -> None:
    """An outcome the store refused once the desk closed: no later pass writes it."""
    log.warning(
        "notification %s via %s: its outcome is not recorded, as the desk closed (%s):"
        " it is sent again, with the same key, once its claim lapses",
        item.notification.key,
        item.notifier,
        type(exc).__name__,
    )


def _written(write: Callable[[], object]) -> bool:
    write()
    return True


@attrs.frozen
class UnderWay:
    """A send a delivery pass has begun and waits for (review s52R3 F03)."""

    item: OutboxItem
    task: Task
    notifier: Notifier
    place: str | None
    unwaited: Callable[[BaseException | None], None]

    @property
    def order(self) -> tuple[str, str]:
        """Messages of one channel to one recipient: one at a time, in queue order."""
        return (self.item.notifier, self.item.notification.recipient)


UNKNOWN_RECIPIENT = "recipient not in the staff directory"
"""The reason a message to someone the directory no longer knows is a dead letter."""


def unknown_recipient(item: OutboxItem) -> Exception:
    """A message whose recipient the staff directory does not know when it is sent
    (they left after it was queued): not retryable, so a dead letter at once,
    kept for a person to drop or, the person back in the directory, to retry.
    Sending it would hand a leaver complainants' data (PRV-1); skipping it as a
    recipient without an address would mark it delivered unseen (review s48K F01)."""
    from complaintcore.adapters.notify._common import NotificationError

    return NotificationError(
        item.notifier, item.notification.key, UNKNOWN_RECIPIENT, retryable=False
    )


NOT_ENTITLED = "recipient may no longer see this complaint's personal data"
"""The reason a message written unmasked for someone who may no longer see the
complaint's personal data when it is sent is a dead letter (review s55R3 F02)."""


def still_sees(member: StaffMember, complaint: Complaint, pack: RulePack) -> bool:
    """Whether ``member`` may still be shown ``complaint``'s personal data unmasked,
    read as :meth:`Desk.view <complaintcore.desk.service.Desk.view>` reads it now:
    they work at its site, it is not about them (ESC-4), it does not wait for the
    consent of a site it went around (IN-6), and they see personal data (PRV-1:
    :func:`~complaintcore.desk.access.sees_personal_data`), or held it as its
    handler: a message written for a handler the complaint moved on from (an
    escalation, a reassignment) is still theirs.  Asked at send time of a message
    written unmasked for them (review s55R3 F02)."""
    from complaintcore.core.models import Assigned
    from complaintcore.desk import access

    site = complaint.intake.site or complaint.intake.complainant.site
    if (
        not member.works_at(site)
        or access.is_target(member, complaint)
        or access.bypassed_site(member, complaint, pack)
    ):
        return False
    return access.sees_personal_data(member, complaint, pack) or any(
        isinstance(ev, Assigned) and ev.handler == member.staff_id for ev in complaint.events
    )


def masks_itself(notifier: Notifier) -> bool:
    """A built-in channel that masks every message's personal data itself before it
    leaves (the log channel; a webhook with ``redact`` on, as the robot formats
    have by default): a message written unmasked goes out masked through it, so
    it is sent whoever the recipient has become (review s55R3 F02)."""
    from complaintcore.adapters.notify.log import LogNotifier
    from complaintcore.adapters.notify.webhook import WebhookNotifier

    if isinstance(notifier, LogNotifier):
        return True
    return isinstance(notifier, WebhookNotifier) and notifier.redact is True


def not_entitled(item: OutboxItem) -> Exception:
    """A message written unmasked (with the complainant's name, phone and room) for
    a recipient who, when it is sent, may no longer see them (:func:`still_sees`:
    moved to another site, no longer seeing personal data, left customer service
    or the unit that handles it):
    not retryable, so a dead letter at once, as for a leaver; a person drops it or,
    the recipient entitled again, retries it.  It is not rendered again masked: the
    outbox keeps the message as written, not the details it was written from
    (review s55R3 F02)."""
    from complaintcore.adapters.notify._common import NotificationError

    return NotificationError(item.notifier, item.notification.key, NOT_ENTITLED, retryable=False)


def _store_closed(exc: BaseException) -> bool:
    """The refusal of a closed store (a built-in store's ``store: is closed``): no
    later pass can do better, so the worker ends rather than log it every interval."""
    return isinstance(exc, ClosedError) or (
        isinstance(exc, InvalidInputError) and (exc.path, exc.reason) == ("store", "is closed")
    )


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
        _WORKERS.add(self)

    @property
    def alive(self) -> bool:
        """Whether its thread runs: not after :meth:`stop`, an error it could not
        survive (logged), or in a child forked from the process that started it."""
        return self._thread is not None and self._thread.is_alive()

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
            if self._stop.is_set() or self.desk._closing.is_set():
                break  # a desk closed (or closing) has nothing more to deliver here
            with self._idle:
                asked = self._asked
            try:
                now = require_aware(self.clock(), "clock()")
                report = self.desk.deliver(now, clock=self.clock)
                self.reports = [*self.reports[-99:], report]
            except Exception as exc:  # the outbox keeps everything; try again on the next wake
                if self.desk._closing.is_set() and (
                    _store_closed(exc) or (isinstance(exc, StoreError) and exc.transient)
                ):
                    # the desk's close() closed the store under this pass, or it
                    # refused the pass meanwhile (a lock held past the time close
                    # gave it): an outcome it could not record was named as such,
                    # what it had not claimed stays due (review s53R2 F02, s53R10 F03);
                    # any other refusal (read-only, disk full) is an ERROR below
                    # (review s53R13 F02)
                    log.debug(
                        "the delivery worker ended as the desk closed (%s)", type(exc).__name__
                    )
                    break
                if _store_closed(exc):
                    # for good: every later pass would fail alike (review s46G F01)
                    log.error("the delivery worker stopped: the desk's store is closed")
                    break
                log.exception("delivering notifications failed")
                if self.desk._closing.is_set():
                    break  # the desk closes: no later pass
            except BaseException:
                # threading is silent about SystemExit: say why no more is delivered;
                # start_delivery starts another worker once this one is dead
                log.critical("the delivery worker stopped", exc_info=True)
                raise
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
