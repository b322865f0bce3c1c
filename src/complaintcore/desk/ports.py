"""The ports the desk plugs adapters into: store, staff directory, notifiers.

Hosts implement these protocols (or use the built-in adapters) and hand them
to the desk through pluggy hooks (:mod:`complaintcore.desk.hookspecs`).  The value
types here are what crosses a port: plain frozen data, no adapter objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import Protocol, runtime_checkable

import attrs

from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.models import Complaint, Event, mask, require_aware

__all__ = [
    "DEFAULT_TENANT",
    "BatchComplaintStore",
    "ComplaintRow",
    "ComplaintStore",
    "DutyWindow",
    "Notification",
    "Notifier",
    "OutboxItem",
    "StaffDirectory",
    "StaffMember",
    "VerifyReport",
    "check_tenant",
]


# --------------------------------------------------------------------------- staff


@attrs.frozen
class DutyWindow:
    """Hours a staff member is on duty, local to the time asked about."""

    weekdays: tuple[int, ...]
    start: time
    end: time

    def covers(self, at: datetime) -> bool:
        local = at.timetz().replace(tzinfo=None)
        if at.weekday() not in self.weekdays:
            return False
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # a night shift across midnight


@attrs.frozen
class StaffMember:
    """Someone who can receive, handle or be told about complaints.

    ``site`` ``"*"`` means every site (head office).  ``sees_personal_data``
    marks the roles whose messages may show complainants' names and phones
    unmasked (PRV-1): by default the complaint's own handler and customer
    service.
    """

    staff_id: str
    name: str = attrs.field(repr=lambda v: repr(mask(v)))
    role: str
    rung: str
    department: str
    site: str = "*"
    email: str = attrs.field(default="", repr=lambda v: repr(mask(v)))
    phone: str = attrs.field(default="", repr=lambda v: repr(mask(v)))
    webhook: str = ""
    duty: tuple[DutyWindow, ...] = ()
    sees_personal_data: bool = False

    def on_duty(self, at: datetime) -> bool:
        """No duty windows means always reachable."""
        require_aware(at, "at")
        return not self.duty or any(w.covers(at) for w in self.duty)

    def works_at(self, site: str) -> bool:
        return self.site in ("*", "") or not site or self.site == site


@runtime_checkable
class StaffDirectory(Protocol):
    """Who works where, at which rung (ESC-1), and when."""

    def get(self, staff_id: str) -> StaffMember | None: ...

    def members(self) -> Sequence[StaffMember]: ...


# --------------------------------------------------------------------------- notifications


@attrs.frozen
class Notification:
    """A message about a complaint for one recipient.

    ``key`` is the dedupe key: a notifier that is retried sends each key once.
    ``body`` is already rendered for the recipient's right to see personal
    data (PRV-1).
    """

    key: str
    complaint_id: str
    topic: str
    recipient: str
    subject: str
    body: str
    created_at: datetime
    data: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class OutboxItem:
    """A notification waiting for one notifier, with its delivery history."""

    id: int
    notifier: str
    notification: Notification
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""


@runtime_checkable
class Notifier(Protocol):
    """A channel: email, SMS, a WeCom/DingTalk robot, the host's app.

    ``send`` raises on failure; the outbox keeps the message and retries.
    """

    name: str

    def send(self, notification: Notification, recipient: StaffMember | None) -> None: ...


# --------------------------------------------------------------------------- store

DEFAULT_TENANT = "default"
"""The tenant of a store opened without one (and of everything 0.1.0 stored)."""

_TENANT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_tenant(tenant: object) -> str:
    """A tenant name: 1-64 letters, digits, ``.``, ``_`` or ``-``.

    Kept plain so it can name a database schema, a file or a log field safely.
    """
    if (
        not isinstance(tenant, str)
        or not 1 <= len(tenant) <= 64
        or not set(tenant) <= _TENANT_CHARS
    ):
        raise InvalidInputError("tenant", "expected 1-64 letters, digits, '.', '_' or '-'")
    return tenant


@attrs.frozen
class ComplaintRow:
    """The projection of a complaint the queries need (open by due time, by site …)."""

    id: str
    status: str
    received_at: datetime
    version: int
    site: str = ""
    department: str = ""
    category: str = ""
    grade: str = ""
    channel: str = ""
    validity: str = ""
    kind: str = ""
    handler: str = ""
    rung: str = ""
    next_due: datetime | None = None
    idempotency_key: str = ""


@attrs.frozen
class VerifyReport:
    """The hash chain check: ``ok`` and each problem found."""

    complaints: int
    events: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@runtime_checkable
class ComplaintStore(Protocol):
    """Append-only events with optimistic concurrency, a projection, and an outbox.

    ``create`` and ``append`` write events, the projection row and the outbox
    in one transaction; ``append`` raises
    :class:`~complaintcore.core.errors.ConcurrencyConflictError` when the stored
    version is not ``expected_version``.

    A store is scoped to one ``tenant`` (a company or estate group): every read
    and write sees only that tenant's complaints, events, rows and outbox items,
    even when several tenants share one database.  The contract every store
    keeps is checked by :class:`complaintcore.testing.StoreContract`.
    """

    @property
    def tenant(self) -> str:
        """The tenant this store reads and writes for."""
        ...

    def create(
        self, complaint: Complaint, row: ComplaintRow, outbox: Sequence[tuple[str, Notification]]
    ) -> Complaint:
        """Store a new complaint; if its idempotency key is known, return the stored one."""
        ...

    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]],
    ) -> None: ...

    def load(self, complaint_id: str) -> Complaint: ...

    def find_by_key(self, idempotency_key: str) -> Complaint | None: ...

    def rows(
        self,
        *,
        status: str | None = None,
        grade: str | None = None,
        site: str | None = None,
        department: str | None = None,
        due_before: datetime | None = None,
        limit: int | None = None,
    ) -> list[ComplaintRow]: ...

    def claim_due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = ...
    ) -> list[ComplaintRow]:
        """Rows due at ``now`` (``next_due`` at or before it) for one sweeper, atomically.

        The rows returned are hidden from every other ``claim_due`` until
        ``now + lease``, or until the complaint's next ``append``, whichever comes
        first; soonest due first.  Sweepers on any number of hosts thus split
        the due complaints between them, and a sweeper that dies only delays its
        rows by the lease.
        """
        ...

    def complaints(self) -> Iterator[Complaint]: ...

    def pending(self, now: datetime, limit: int = 100) -> list[OutboxItem]: ...

    def claim(
        self,
        now: datetime,
        limit: int = 100,
        *,
        notifiers: Collection[str] | None = None,
        lease: timedelta = ...,
        max_attempts: int | None = None,
    ) -> list[OutboxItem]:
        """Due items, hidden from other workers until ``now + lease`` (atomically)."""
        ...

    def mark_delivered(self, item_id: int, at: datetime) -> None: ...

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None: ...

    def verify(self) -> VerifyReport: ...

    def close(self) -> None: ...


@runtime_checkable
class BatchComplaintStore(ComplaintStore, Protocol):
    """A store that can create many complaints in one transaction (bulk intake)."""

    def create_many(
        self, items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]]
    ) -> list[Complaint | ComplaintCoreError]:
        """Each item all or nothing; a failing item's error is returned in its slot."""
        ...
