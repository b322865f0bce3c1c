"""Public fakes for hosts' own tests: store, directory, notifier, clock, store contract.

Everything here is real enough to run the desk end to end in memory:

    from complaintcore.testing import FixedClock, RecordingNotifier, make_desk

    clock = FixedClock(datetime(2025, 11, 14, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    notifier = RecordingNotifier()
    desk = make_desk(notifiers=[notifier])
    complaint = desk.receive(intake, now=clock())

A host that writes its own store runs :class:`StoreContract` (in
:mod:`complaintcore.testing.store_contract`, imported on first use because it
needs pytest) against it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import StaffList, load_sample_staff
from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.models import require_aware
from complaintcore.desk.ports import ComplaintStore, Notification, Notifier, StaffMember

if TYPE_CHECKING:
    from complaintcore.desk import Desk
    from complaintcore.testing.store_contract import StoreContract

__all__ = [
    "FailingNotifier",
    "FixedClock",
    "MemoryStore",
    "RecordingNotifier",
    "StaffList",
    "StoreContract",
    "make_desk",
]


if not TYPE_CHECKING:  # hidden from type checkers: they would type every name as Any

    def __getattr__(name: str) -> Any:
        if name == "StoreContract":  # needs pytest: only when asked for
            from complaintcore.testing.store_contract import StoreContract

            return StoreContract
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class FixedClock:
    """A clock the test moves by hand; call it for ``now``."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or timedelta keyword arguments.

        :raises InvalidInputError: the step is negative (a clock only moves
            forward), not a ``timedelta``, or its keywords are not ``timedelta``'s.
        """
        if delta is not None and not isinstance(delta, timedelta):
            raise InvalidInputError("delta", f"expected a timedelta, got {type(delta).__name__}")
        try:
            step = delta if delta is not None else timedelta(**kwargs)
        except (TypeError, OverflowError) as exc:  # an unknown keyword, a text, too far
            raise InvalidInputError("advance", f"not a timedelta's arguments ({exc})") from None
        if step < timedelta(0):
            raise InvalidInputError("delta", "a clock only moves forward: the step is negative")
        with self._lock:
            try:
                self._now += step
            except OverflowError:
                raise InvalidInputError("delta", "moves the clock past the year 9999") from None
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Move to ``moment``, now or later.

        :raises InvalidInputError: ``moment`` is earlier than the clock's time (a
            clock only moves forward), naive, or not a ``datetime``.
        """
        with self._lock:
            if require_aware(moment, "moment") < self._now:
                raise InvalidInputError(
                    "moment", "a clock only moves forward: earlier than the clock's time"
                )
            self._now = moment
            return self._now


class RecordingNotifier:
    """Keeps every notification it is asked to send, in order."""

    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.sent: list[tuple[Notification, StaffMember | None]] = []
        self._lock = threading.Lock()

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        with self._lock:
            self.sent.append((notification, recipient))

    @property
    def keys(self) -> list[str]:
        return [n.key for n, _ in self.sent]

    def topics(self, complaint_id: str | None = None) -> list[str]:
        return [n.topic for n, _ in self.sent if complaint_id in (None, n.complaint_id)]


class FailingNotifier(RecordingNotifier):
    """Fails while ``down`` is set, then records like :class:`RecordingNotifier`."""

    def __init__(self, name: str = "failing", *, down: bool = True) -> None:
        super().__init__(name)
        self.down = down
        self.attempts = 0

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        self.attempts += 1
        if self.down:
            raise _Down(f"{self.name} is down")
        super().send(notification, recipient)


class _Down(ComplaintCoreError, ConnectionError):
    pass


def make_desk(
    *,
    pack: str = "cn-property",
    staff: Iterable[StaffMember] | None = None,
    notifiers: Sequence[Notifier] = (),
    store: ComplaintStore | None = None,
) -> Desk:
    """A desk on the in-memory store and the sample staff (or ``staff``)."""
    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.desk import Desk
    from complaintcore.rules import load_pack

    the_pack = load_pack(pack)
    directory = StaffList(staff) if staff is not None else load_sample_staff(pack=the_pack)
    the_store = store if store is not None else MemoryStore()
    return Desk(
        pack=the_pack,
        store=the_store,
        directory=directory,
        calendar=calendar_for_spec(the_pack.calendar),
        notifiers=notifiers,
    )
