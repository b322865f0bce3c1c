"""The ports the desk plugs adapters into: store, staff directory, notifiers.

Hosts implement these protocols (or use the built-in adapters) and hand them
to the desk through pluggy hooks (:mod:`complaintcore.desk.hookspecs`).  The value
types here are what crosses a port: plain frozen data, no adapter objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, time, timedelta, tzinfo
from types import TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable

import attrs

from complaintcore.core.concentration import Member
from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.models import (
    Channel,
    Complainant,
    Complaint,
    Event,
    Grade,
    LabelledEnum,
    Status,
    mask,
    private_repr,
    require_aware,
)
from complaintcore.core.repeats import Earlier
from complaintcore.desk.urls import endpoint_shown

__all__ = [
    "DEFAULT_TENANT",
    "MAX_SWEEP_LEASE",
    "AccessRecord",
    "BasisStore",
    "BatchComplaintStore",
    "BatchIntakeStore",
    "BoundedWaitStore",
    "ClaimHealthStore",
    "ComplaintRow",
    "ComplaintStore",
    "DutyWindow",
    "GroupLockStore",
    "HealthStore",
    "ListenerHold",
    "ListenerHoldStore",
    "MessageTimesStore",
    "Notification",
    "Notifier",
    "OutboxItem",
    "OutboxStore",
    "RaisingsQuery",
    "RaisingsStore",
    "ReceivedCount",
    "RelatedQuery",
    "ReportStore",
    "RereadingDirectory",
    "RetryHealthStore",
    "RowOrder",
    "RowQuery",
    "SimilarQuery",
    "SnapshotStore",
    "StaffDirectory",
    "StaffMember",
    "SweepLeaseStore",
    "VerifyReport",
    "VisitStore",
    "check_id",
    "check_id_list",
    "check_tenant",
    "given_up_at_once",
]


# --------------------------------------------------------------------------- staff


@attrs.frozen
class DutyWindow:
    """Hours a staff member is on duty: wall-clock hours of the site's time zone.

    The same instant must route the same way whatever offset the caller's
    clock carries (10:00+08:00 and 02:00 UTC are one moment), so the hours are
    read in ``tz``: the desk passes its rule pack's zone
    (``pack.calendar.timezone``).  Without ``tz`` they are read in the zone
    ``at`` carries.
    """

    weekdays: tuple[int, ...]
    start: time
    end: time

    def covers(self, at: datetime, tz: tzinfo | None = None) -> bool:
        """Whether the window holds ``at``, read in ``tz`` (else in ``at``'s own zone);
        a naive ``at`` is an error, not the machine's local time (review s41D F04)."""
        require_aware(at, "at")
        if tz is not None:
            at = at.astimezone(tz)
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
    service.  Staff ids are compared folded for case, width and spaces
    (:func:`~complaintcore.core.models.staff_key`); ``system`` is reserved.
    """

    staff_id: str
    name: str = attrs.field(repr=lambda v: repr(mask(v)))
    role: str
    rung: str
    department: str
    site: str = "*"
    email: str = attrs.field(default="", repr=lambda v: repr(mask(v)))
    phone: str = attrs.field(default="", repr=lambda v: repr(mask(v)))
    webhook: str = attrs.field(default="", repr=lambda v: repr(endpoint_shown(v)))
    duty: tuple[DutyWindow, ...] = ()
    sees_personal_data: bool = False
    os_user: str = ""
    """The operating-system account this member works under, when the staff file
    ties the command line's ``--as`` and ``--actor`` to who is logged in."""

    def on_duty(self, at: datetime, tz: tzinfo | None = None) -> bool:
        """Whether ``at`` falls in a duty window read in ``tz`` (see :class:`DutyWindow`).

        No duty windows means always reachable.
        """
        require_aware(at, "at")
        return not self.duty or any(w.covers(at, tz) for w in self.duty)

    def works_at(self, site: str) -> bool:
        return self.site in ("*", "") or not site or self.site == site


@runtime_checkable
class StaffDirectory(Protocol):
    """Who works where, at which rung (ESC-1), and when."""

    def get(self, staff_id: str) -> StaffMember | None: ...

    def members(self) -> Sequence[StaffMember]: ...


@runtime_checkable
class RereadingDirectory(Protocol):
    """A directory kept in something that changes under a long-running desk (the
    built-in ``StaffFile``): the desk calls :meth:`reread_if_changed` once per
    command, sweep and delivery pass, never per lookup (review s48K F01)."""

    def reread_if_changed(self) -> bool:
        """Take the source's current contents at the next lookup if it changed since
        it was read; whether it did."""
        ...


# --------------------------------------------------------------------------- notifications


@attrs.frozen
class Notification:
    """A message about a complaint for one recipient.

    ``key`` is the dedupe key: a notifier that is retried sends each key once.
    ``body`` is already rendered for the recipient's right to see personal
    data (PRV-1).  ``recipient`` is empty for a post into a group chat (a
    channel whose ``group`` is true): one post for everyone it concerns,
    rendered for someone who need not see personal data.
    """

    key: str
    complaint_id: str
    topic: str
    recipient: str
    subject: str
    body: str
    created_at: datetime
    data: tuple[tuple[str, str], ...] = ()


# subject, body and data by their size only: they quote the complaint (PRV-1)
Notification.__repr__ = private_repr(  # type: ignore[method-assign]
    ("key", "complaint_id", "topic", "recipient", "created_at")
)


@attrs.frozen
class OutboxItem:
    """A notification waiting for one notifier, with its delivery history."""

    id: int
    notifier: str
    notification: Notification
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    claim: datetime | None = attrs.field(default=None, eq=False, repr=False)
    """The end of the claim it was taken with (``claim``), on the store's clock, where
    the store says: a failed attempt recorded late is written only while the
    message still holds that claim (review s52R10 F03)."""

    @property
    def attempts_made(self) -> int:
        """The attempts the desk actually made since the message was queued (or retried
        by hand).  ``attempts`` is the store's count, which decides when a message is
        a dead letter: one given up at once (an error no retry can mend, a recipient
        who left) has it raised to ``max_attempts``, and its ``last_error`` says so
        with the attempts made (:func:`given_up_at_once`; review s48P F02)."""
        found = _AT_ONCE.match(self.last_error)
        if found is None:
            return self.attempts
        return min(int(found[1]), self.attempts)


_AT_ONCE = re.compile(r"given up at once after (\d{1,9}) attempts?: ")


def given_up_at_once(attempts: int, error: str) -> str:
    """The error an outbox keeps for a message given up at once after ``attempts``
    attempts: ``given up at once after 1 attempt: <error>`` (``OutboxItem.attempts_made``
    reads the number back; the desk's own errors start with an exception's name)."""
    return f"given up at once after {attempts} attempt{'' if attempts == 1 else 's'}: {error}"


@runtime_checkable
class Notifier(Protocol):
    """A channel: email, SMS, a WeCom/DingTalk robot, the host's app.

    ``send`` raises on failure; the outbox keeps the message and retries.
    Optional attributes tell the desk more: ``group`` (true: the channel
    posts into one group chat, so each message is queued for it once, not once
    per recipient), ``longest_send`` (seconds after which a send has ended
    whatever the far side does: the desk sends no copy of a message before a
    send of it it stopped waiting for can have ended) and a method
    ``destination(notification, recipient) -> str | None`` (where a send goes,
    for a channel that sends to each recipient's own address: a send that
    times out skips only that place for the rest of the pass, not the whole
    channel; ``None``: the channel as a whole; review s49P F01).
    """

    @property
    def name(self) -> str:
        """The channel's name (read only: a plain attribute, a class attribute and a
        read-only property all satisfy it; review s51D R9-F02)."""
        ...

    def send(self, notification: Notification, recipient: StaffMember | None) -> None: ...


# --------------------------------------------------------------------------- store

DEFAULT_TENANT = "default"
"""The tenant of a store opened without one (and of everything 0.1.0 stored)."""

MAX_SWEEP_LEASE = timedelta(hours=1)
"""The longest lease :meth:`ComplaintStore.claim_due` takes (the sweep takes five minutes).

A stored lease that ends later than ``now + MAX_SWEEP_LEASE`` was taken by no
claim before ``now``: the row was edited, or a sweeper's clock runs that far
ahead.  ``claim_due`` takes such a row as if it were not leased, and
:meth:`HealthStore.overlong_leases` names it for ``Desk.verify``.
"""

_TENANT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_id(complaint_id: str, path: str = "complaint_id") -> str:
    """One complaint id asked for: non-empty text, or an :class:`InvalidInputError`
    naming ``path`` (review s50F F01).  An id taken from a request body as it came
    (``null``, ``5``, ``["C-1"]``) is the caller's slip, not a database failure nor an
    unknown complaint: no stored complaint has such an id, as none has an empty one."""
    if not isinstance(complaint_id, str):
        raise InvalidInputError(path, f"expected text, got {type(complaint_id).__name__}")
    if not complaint_id.strip():
        raise InvalidInputError(path, "must be a non-empty string")
    return complaint_id


def check_id_list(complaint_ids: Sequence[str]) -> list[str]:
    """Complaint ids asked for at once: a sequence of texts (the error names the place
    of one that is not), each asked once."""
    if isinstance(complaint_ids, str) or not isinstance(complaint_ids, Sequence):
        raise InvalidInputError("complaint_ids", "expected a sequence of complaint ids")
    for i, cid in enumerate(complaint_ids):
        if not isinstance(cid, str):
            raise InvalidInputError(
                f"complaint_ids[{i}]", f"expected text, got {type(cid).__name__}"
            )
    return list(dict.fromkeys(complaint_ids))


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
    building: str = ""
    """The building as matched and counted
    (:func:`~complaintcore.core.concentration.building_key`: a number or letter
    typed with or without a building word is that number or letter, anything else
    its spelling with NFKC, case and spaces ignored), so grouping (HDL-5), repeats
    (IMP-3) and the statistics take ``3栋``, ``3号楼`` and ``３号楼`` for one
    building, ``3``; ``""`` without one."""
    complainant_key: str = attrs.field(default="", repr=False)
    """Sixteen hex digits telling complainants apart (HDL-5, IMP-3:
    :func:`~complaintcore.core.concentration.complainant_key`).  Not a secret:
    whoever holds an estate's owner list can test numbers against it, so it is
    for matching only and never shown (``list --json`` and the repr leave it out,
    PRV-1)."""
    issue: str = ""
    """The concentrated issue the complaint belongs to (HDL-5), or ``""``."""
    group_incident: bool = False
    """Whether that issue is a group incident (HDL-6)."""
    updated_at: datetime | None = None
    """When the complaint's latest event happened (its intake's time before any):
    a statistic read from rows instead of events is the events' as long as this
    is not after the moment it describes.  ``None`` on rows written before it
    was kept."""
    room_key: str = attrs.field(default="", repr=False)
    """Sixteen hex digits naming the room complained from (IMP-3).  Not a secret: an
    estate's rooms are few enough to try them all, so it is for matching only and
    never shown (``list --json`` and the repr leave it out, PRV-1)."""
    breach_due: datetime | None = None
    """The earliest due time of the complaint's open clocks that can be breached
    without another event (running, at risk, or breached already): once ``now`` is
    past it, a clock is breached and still open (DL-7), whatever a sweep did about
    it since.  ``None``: no such clock.  ``rows(overdue_at=now)`` reads it; unlike
    ``next_due`` a sweep's escalation does not move it on."""


# The idempotency key is the host's text, often made from the submission: shown
# by its size, as free text is; the digests not at all (PRV-1).
ComplaintRow.__repr__ = private_repr(  # type: ignore[method-assign]
    (
        "id", "status", "received_at", "version", "site", "department", "category",
        "grade", "channel", "validity", "kind", "handler", "rung", "next_due",
        "building", "issue", "group_incident", "updated_at", "breach_due",
    )
)  # fmt: skip


@attrs.frozen
class VerifyReport:
    """The integrity check: ``ok``, each problem found, and the ledger's head.

    ``head`` is the ledger's last entry as ``seq:hash`` (see
    :mod:`complaintcore.adapters.ledger`): kept somewhere else, it lets a later
    ``verify(expect=head)`` prove nothing committed up to it was rewritten, and
    ``verify(since=head)`` check only what was committed after it.

    After an incremental check ``since`` is the head it started from,
    ``rechecked`` the complaints it re-verified (those the ledger's entries
    after ``since`` name, in id order) and ``complaints``/``events`` count
    those alone; after a full check ``since`` is ``""`` and ``rechecked`` empty
    (every complaint was checked).  ``entries`` counts the ledger entries read
    and re-hashed (an incremental check includes the entry ``since`` names).
    """

    complaints: int
    events: int
    problems: tuple[str, ...] = ()
    head: str = ""
    since: str = ""
    entries: int = 0
    rechecked: tuple[str, ...] = ()

    @property
    def incremental(self) -> bool:
        """Whether only what was committed after ``since`` was checked."""
        return bool(self.since)

    @property
    def ok(self) -> bool:
        return not self.problems


@attrs.frozen
class AccessRecord:
    """One unmasked view of a complaint's personal data: who, when, which, why.

    The access log keeps these append-only (PIPL-style "who saw what"):
    ``actor`` is the staff id, ``via`` how it was seen (``"desk.view"``,
    ``"show --as"``), ``os_user`` the operating-system user at the keyboard when
    known, ``purpose`` the reason given.  ``id`` is the store's number for it.
    """

    at: datetime
    actor: str
    complaint_id: str
    purpose: str = ""
    via: str = ""
    os_user: str = ""
    id: int = 0


AccessRecord.__repr__ = private_repr(  # type: ignore[method-assign]
    ("at", "actor", "complaint_id", "via", "os_user", "id")
)


RowOrder = Literal["received", "due", "overdue"]
"""How :meth:`ComplaintStore.rows` sorts: oldest received first, soonest due first,
or longest overdue first (earliest ``breach_due``)."""


def _enum_value(value: object, enum: type[LabelledEnum], path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum):
        return value.value
    if isinstance(value, str):
        for member in enum:
            if value == member.value:
                return member.value
        allowed = ", ".join(m.value for m in enum)
        raise InvalidInputError(path, f"unknown {path}; expected one of {allowed}")
    raise InvalidInputError(
        path, f"expected a {enum.__name__} or its value, not {type(value).__name__}"
    )


def _text(value: object, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(path, f"expected text, not {type(value).__name__}")
    return str(value)  # an enum member as its plain value


def _moment(value: object, path: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInputError(path, f"expected a datetime, not {type(value).__name__}")
    return require_aware(value, path).astimezone(UTC)


@attrs.frozen
class RowQuery:
    """The filters of :meth:`ComplaintStore.rows`, checked once for every store.

    Build it with :meth:`of`, which refuses an unknown status, grade or channel
    (``status="closedd"``) with an :class:`InvalidInputError` naming the field,
    so a typo never reads as "no complaints".  Enum filters hold plain value
    strings and times are UTC, so stores compare like with like.  A host store
    can filter with :meth:`matches` and sort with :meth:`sort_key`, or translate
    the fields to its own query language as the SQLite store does.
    """

    status: str | None = None
    grade: str | None = None
    site: str | None = None
    department: str | None = None
    category: str | None = None
    channel: str | None = None
    handler: str | None = None
    issue: str | None = None
    due_before: datetime | None = None
    received_from: datetime | None = None
    received_until: datetime | None = None
    limit: int | None = None
    order: RowOrder = "received"
    overdue_at: datetime | None = None

    @classmethod
    def of(
        cls,
        *,
        status: Status | str | None = None,
        grade: Grade | str | None = None,
        site: str | None = None,
        department: str | None = None,
        category: str | None = None,
        channel: Channel | str | None = None,
        handler: str | None = None,
        issue: str | None = None,
        due_before: datetime | None = None,
        received_from: datetime | None = None,
        received_until: datetime | None = None,
        limit: int | None = None,
        order: RowOrder | None = None,
        overdue_at: datetime | None = None,
    ) -> RowQuery:
        """Check and normalise the filters; see :meth:`ComplaintStore.rows`."""
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit < 2**63
        ):
            raise InvalidInputError("limit", f"must be an integer from 0 to {2**63 - 1}, or None")
        if order is None:
            if due_before is not None:
                order = "due"
            else:
                order = "overdue" if overdue_at is not None else "received"
        if order not in ("received", "due", "overdue"):
            raise InvalidInputError("order", "expected 'received', 'due' or 'overdue'")
        return cls(
            status=_enum_value(status, Status, "status"),
            grade=_enum_value(grade, Grade, "grade"),
            site=_text(site, "site"),
            department=_text(department, "department"),
            category=_text(category, "category"),
            channel=_enum_value(channel, Channel, "channel"),
            handler=_text(handler, "handler"),
            issue=_text(issue, "issue"),
            due_before=_moment(due_before, "due_before"),
            received_from=_moment(received_from, "received_from"),
            received_until=_moment(received_until, "received_until"),
            limit=limit,
            order=order,
            overdue_at=_moment(overdue_at, "overdue_at"),
        )

    def equal_filters(self) -> tuple[tuple[str, str], ...]:
        """``(column, value)`` of every filter given that must match exactly."""
        pairs = (
            ("status", self.status),
            ("grade", self.grade),
            ("site", self.site),
            ("department", self.department),
            ("category", self.category),
            ("channel", self.channel),
            ("handler", self.handler),
            ("issue", self.issue),
        )
        return tuple((column, value) for column, value in pairs if value is not None)

    def matches(self, row: ComplaintRow) -> bool:
        """Whether ``row`` passes every filter (the in-memory reading of the query)."""
        if any(getattr(row, column) != value for column, value in self.equal_filters()):
            return False
        if self.due_before is not None and (row.next_due is None or row.next_due > self.due_before):
            return False
        if self.overdue_at is not None and (
            row.breach_due is None or row.breach_due >= self.overdue_at
        ):
            return False
        if self.received_from is not None and row.received_at < self.received_from:
            return False
        return self.received_until is None or row.received_at < self.received_until

    def sort_key(self) -> Callable[[ComplaintRow], Any]:
        """The order of :attr:`order`; ties by time received then id; no due time last."""
        if self.order == "due":
            return lambda r: (r.next_due is None, r.next_due or r.received_at, r.received_at, r.id)
        if self.order == "overdue":
            return lambda r: (
                r.breach_due is None,
                r.breach_due or r.received_at,
                r.received_at,
                r.id,
            )
        return lambda r: (r.received_at, r.id)


@runtime_checkable
class ComplaintStore(Protocol):
    """Append-only events with optimistic concurrency, a projection, and an outbox.

    ``create`` and ``append`` write events, the projection row and the outbox
    in one transaction; ``append`` raises
    :class:`~complaintcore.core.errors.ConcurrencyConflictError` when the stored
    version is not ``expected_version``.  A store is a context manager that
    closes itself, and raises only library errors: a failure of the storage
    itself (locked, corrupt, read-only, disk full) is a
    :class:`~complaintcore.core.errors.StoreError`.

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
        status: Status | str | None = None,
        grade: Grade | str | None = None,
        site: str | None = None,
        department: str | None = None,
        category: str | None = None,
        channel: Channel | str | None = None,
        handler: str | None = None,
        issue: str | None = None,
        due_before: datetime | None = None,
        received_from: datetime | None = None,
        received_until: datetime | None = None,
        limit: int | None = None,
        order: RowOrder | None = None,
        overdue_at: datetime | None = None,
    ) -> list[ComplaintRow]:
        """Projection rows matching every filter given (:class:`RowQuery` checks them).

        Exact matches: ``status``, ``grade``, ``channel`` (a member or its value;
        an unknown value is an :class:`InvalidInputError` naming the field),
        ``site``, ``department``, ``category``, ``handler``, ``issue`` (the
        concentrated issue, HDL-5).  ``due_before``: a due time at or before it.
        ``overdue_at``: a clock breached and still open then (DL-7): a
        ``breach_due`` before it.  ``received_from`` / ``received_until``:
        received in ``[from, until)``.  ``order`` ``"due"`` is soonest due first,
        ``"overdue"`` longest overdue first (earliest ``breach_due``, none last),
        ``"received"`` oldest received first; the default is ``"due"`` with
        ``due_before``, else ``"overdue"`` with ``overdue_at``, else ``"received"``.
        """
        ...

    def claim_due(
        self, now: datetime, limit: int = 100, *, lease: timedelta = ...
    ) -> list[ComplaintRow]:
        """Rows due at ``now`` (``next_due`` at or before it) for one sweeper, atomically.

        The rows returned are hidden from every other ``claim_due`` until
        ``now + lease``, or until the complaint's next ``append``, whichever comes
        first; soonest due first, equal due times by time received, then id (the
        order of ``rows(order="due")``, so every store sweeps alike).  Sweepers
        on any number of hosts thus split the due complaints between them, and a
        sweeper that dies only delays its rows by the lease.  A lease longer than
        :data:`MAX_SWEEP_LEASE` is refused
        (:class:`~complaintcore.core.errors.InvalidInputError`), and a
        stored one that ends later than ``now + MAX_SWEEP_LEASE`` is not
        honoured: no claim took it, so the row is claimed as if it had none.
        """
        ...

    def open_similar(
        self,
        *,
        site: str,
        category: str,
        since: datetime,
        until: datetime,
        building: str | None = None,
        limit: int | None = None,
    ) -> list[Member]:
        """HDL-5: open complaints of a site (and building) and category received in
        ``[since, until]``, oldest first, as grouping needs them (id, time received,
        complainant key, issue); answered from an index, never a scan.  ``since``
        before 1970 reads as the earliest time (see
        :func:`~complaintcore.adapters.chain.window_start`)."""
        ...

    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        """HDL-5: every complaint linked to a concentrated issue, oldest first."""
        ...

    def related(
        self,
        *,
        site: str,
        since: datetime,
        until: datetime,
        complainant_key: str = "",
        room_key: str = "",
        building: str = "",
        category: str = "",
        matter_since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Earlier]:
        """IMP-3: complaints of ``site``, open or closed, that a new one may repeat.

        Those received in ``[since, until]`` with this ``complainant_key`` or
        this ``room_key`` (each given only if not empty), and, when
        ``building``, ``category`` and ``matter_since`` are given, those of that
        building and category received in ``[matter_since, until]``; each once,
        most recent first, at most ``limit`` of each kind.  Answered from
        indexes, never a scan: intake asks it for every complaint.  ``since`` or
        ``matter_since`` before 1970 (a complaint received early in 1970) reads as
        the earliest time (see :func:`~complaintcore.adapters.chain.window_start`).
        """
        ...

    def complaints(self) -> Iterator[Complaint]: ...

    def pending(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Undelivered items due at ``now`` (never tried, or their retry time has come)
        that no live claim holds, oldest queued first."""
        ...

    def claim(
        self,
        now: datetime,
        limit: int = 100,
        *,
        notifiers: Collection[str] | None = None,
        lease: timedelta = ...,
        max_attempts: int | None = None,
    ) -> list[OutboxItem]:
        """Items due at ``now`` that no live claim holds, claimed for ``lease`` (atomically).

        The lease runs on the store's own clock (the built-in stores: the
        machine's, or the PostgreSQL server's), not from ``now``: a worker whose
        ``now`` is far from another's (a catch-up run with ``--now``, a host whose
        clock is off) neither takes nor frees another's claim, so no message is
        sent twice while its claim holds.  The items' due times are kept.
        """
        ...

    def mark_delivered(self, item_id: int, at: datetime) -> None: ...

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None: ...

    def verify(self, *, expect: str | None = None, since: str | None = None) -> VerifyReport:
        """Check every chain, the ledger, the outbox, keys and times (see
        :mod:`complaintcore.adapters.ledger`); ``expect`` is a ledger head kept
        from an earlier run (``seq:hash``), which must still be on the ledger.

        ``since``, the head of an earlier clean check, makes the check
        incremental: that entry must still be on the ledger unchanged, the
        ledger is checked from it to its end with the outbox rows its entries
        queued, and only the complaints those entries name are re-verified
        (each whole), at a cost that grows with the commits since, not with the
        history.  With both, the check starts at the earlier head."""
        ...

    def row(self, complaint_id: str) -> ComplaintRow:
        """One complaint's projection row (an incremental ``Desk.verify`` compares it
        with the history).

        :raises UnknownComplaintError: no projection row has this id.
        """
        ...

    def ledger_head(self) -> str:
        """The ledger's last entry as ``seq:hash`` (``0:`` while it is empty)."""
        ...

    def record_access(self, record: AccessRecord) -> AccessRecord:
        """Append ``record`` to the access log; return it with its id."""
        ...

    def access_log(
        self,
        *,
        complaint_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AccessRecord]:
        """Access records matching every filter given (``[since, until)``), oldest first."""
        ...

    def dead_letters(self, max_attempts: int, limit: int = 100) -> list[OutboxItem]:
        """Undelivered items with ``max_attempts`` attempts or more, not dropped, oldest first."""
        ...

    def retry_item(self, item_id: int, now: datetime) -> None:
        """Make an undelivered item due at ``now`` with its attempts counted afresh.

        :raises InvalidInputError: (path ``item_id``) no such item of this tenant,
            delivered or dropped already, or claimed by a sender whose claim still
            holds on the store's clock, whatever ``now`` (its send may still get
            through: a copy would go out).
        """
        ...

    def drop_item(
        self, item_id: int, at: datetime, reason: str, *, actor: str = "", os_user: str = ""
    ) -> None:
        """Give an undelivered item up for good: it is never sent, and kept with
        ``reason``, the staff id of the ``actor`` who dropped it and the
        operating-system user (REC-5).

        :raises InvalidInputError: as :meth:`retry_item` (a claimed item's send
            would not be stopped).
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...


@attrs.frozen
class ReceivedCount:
    """Complaints received in one period that share what a monthly baseline counts by.

    One group of :meth:`ReportStore.received_counts`: ``period`` is the index
    ``i`` of the period ``[bounds[i], bounds[i + 1])`` they were received in,
    the other fields their projection's, ``count`` how many there are, and
    ``updated_at`` the latest of their latest events (``None`` when any of
    their rows was stored before rows kept it).
    """

    period: int
    kind: str
    validity: str
    site: str
    building: str
    category: str
    department: str
    count: int
    updated_at: datetime | None = None


@runtime_checkable
class ReportStore(ComplaintStore, Protocol):
    """A store that answers the monthly report from the month's own rows.

    Without it a report reads every complaint ever stored; with it, only the
    complaints of the month (and of the repeat window before it), and counts
    for the earlier months of the baseline.  The built-in stores have it.
    """

    def complaints_received(
        self, since: datetime, until: datetime, *, updated_since: datetime | None = None
    ) -> Iterator[Complaint]:
        """Complaints received in ``[since, until)``, oldest first (ties by id),
        read a batch at a time from an index on the time received; with
        ``updated_since``, only those whose latest event is at or after it (and
        rows that do not know their latest event), filtered on the rows before
        anything is decoded."""
        ...

    def received_counts(self, bounds: Sequence[datetime]) -> list[ReceivedCount]:
        """Complaints received in each period ``[bounds[i], bounds[i + 1])`` (``bounds``
        ascending), counted by kind, validity, site, building, category and
        department as projected, in one pass over an index (no complaint decoded)."""
        ...


@runtime_checkable
class VisitStore(ComplaintStore, Protocol):
    """A store that finds the records with a return visit in a period (VIS-4)
    from the visits themselves.

    A month's report lists the major issues its visits raised, on records
    received in any month before.  Without it the desk decodes every record
    received before the month whose latest event is in the month or later (an
    old open complaint a sweep escalated, a note added); with it, only those with
    a visit in the month.  The built-in stores have it.
    """

    def visited_between(
        self, since: datetime, until: datetime, *, received_before: datetime
    ) -> Iterator[Complaint]:
        """Complaints received before ``received_before`` that have a ``visited``
        event whose time is in ``[since, until)``, oldest first (ties by id); the
        rows are chosen before anything is decoded (a history reads forwards: only
        rows whose latest event is at or after ``since``, or of unknown time, are
        looked at)."""
        ...


@runtime_checkable
class HoldStore(ComplaintStore, Protocol):
    """A store that keeps a message claimed while a send of it may still be under way.

    A send the desk stopped waiting for (it timed out) may still get through
    until the channel's longest send has passed.  The desk counts the failure and
    then holds the message until then: ``outbox retry`` and ``outbox drop`` are
    refused meanwhile, as for a message being sent, so a retry by hand sends no
    copy.  Without it such a message is not claimed while it waits, and a retry by
    hand may send a copy.  The built-in stores have it.
    """

    def mark_failed_held(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Like :meth:`ComplaintStore.mark_failed`, and keep the item claimed until
        ``retry_at``, in one step (a retry by hand in between would be taken).
        ``retry_at`` is in the claimer's time (the ``now`` it claimed at, moved on);
        a store that keeps claims on its own clock holds the claim as long, counted
        on that clock from the claim.

        :raises InvalidInputError: no item has this id (path ``item_id``).
        """
        ...

    def hold_item(self, item_id: int, until: datetime) -> None:
        """Keep the item claimed until ``until`` (retry and drop by hand refused,
        naming when it lapses; ``until`` the claim's ``now`` or earlier lets them
        go), in the claimer's time as for :meth:`mark_failed_held`.  Ignored once
        the item is delivered or dropped.

        :raises InvalidInputError: no item has this id (path ``item_id``).
        """
        ...


@runtime_checkable
class StaffMonthStore(ComplaintStore, Protocol):
    """A store that finds the complaints about one person received in a period
    (PEN-2) without decoding the period's others.

    At every sanction the desk asks whether the person's month has reached the
    pack's limits; without it, it reads every complaint of the month.  The
    built-in stores have it.
    """

    def complaints_about(
        self, staff_id: str, since: datetime, until: datetime
    ) -> Iterator[Complaint]:
        """Complaints received in ``[since, until)`` whose intake names ``staff_id``
        (exactly as stored) as the person complained about, oldest first (ties by
        id)."""
        ...


@attrs.frozen
class RelatedQuery:
    """One new complaint's IMP-3 question: the arguments of
    :meth:`ComplaintStore.related`, so a bulk batch can ask them all at once."""

    site: str
    since: datetime
    until: datetime
    complainant_key: str = attrs.field(default="", repr=False)  # never shown (PRV-1)
    room_key: str = attrs.field(default="", repr=False)
    building: str = ""
    category: str = ""
    matter_since: datetime | None = None
    limit: int | None = None


@attrs.frozen
class RaisingsQuery:
    """One new complaint's GRD-2 count: how many earlier complaints of ``site`` raised
    its matter (see :meth:`RaisingsStore.raisings_many`).

    Those of ``category`` received in ``[since, until]`` with this
    ``complainant_key``, or this ``room_key`` (whatever their building field: the
    key holds the building, review s50H F05), and those of
    ``building`` and ``category`` received in ``[matter_since, until]`` (each
    part asked only when given); each once, never one known not to be a
    complaint (assessed invalid, an enquiry or a service request: VAL-4).
    """

    site: str
    category: str
    since: datetime
    until: datetime
    complainant_key: str = attrs.field(default="", repr=False)  # never shown (PRV-1)
    room_key: str = attrs.field(default="", repr=False)
    building: str = ""
    matter_since: datetime | None = None
    limit: int | None = None
    """Count at most this many (a count cut there is enough for the caller)."""


@attrs.frozen
class SimilarQuery:
    """One group's HDL-5 question: the arguments of :meth:`ComplaintStore.open_similar`,
    so a bulk batch can ask them all at once."""

    site: str
    category: str
    since: datetime
    until: datetime
    building: str | None = None
    limit: int | None = None


@runtime_checkable
class BatchIntakeStore(ComplaintStore, Protocol):
    """A store that answers a bulk batch's questions in one go.

    Bulk intake asks :meth:`ComplaintStore.find_by_key` and
    :meth:`ComplaintStore.related` (IMP-3) for every complaint and
    :meth:`ComplaintStore.open_similar` (HDL-5) for every group it meets; one
    statement for the whole batch spares the round trip each (about a quarter
    of intake at 100,000 complaints on SQLite).  Stores without it are asked
    one question at a time.
    """

    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` (idempotency keys) that name a stored complaint."""
        ...

    def related_many(self, queries: Sequence[RelatedQuery]) -> list[list[Earlier]]:
        """``[related(**attrs.asdict(q)) for q in queries]``: the same answers, in order."""
        ...

    def open_similar_many(self, queries: Sequence[SimilarQuery]) -> list[list[Member]]:
        """``[open_similar(**attrs.asdict(q)) for q in queries]``: the same answers, in order."""
        ...


@runtime_checkable
class RaisingsStore(ComplaintStore, Protocol):
    """A store that counts a matter's earlier raisings (GRD-2) rather than leaving
    the count to the complaints :meth:`ComplaintStore.related` reads (at most its
    ``limit`` of each kind, over every category): a complaint then records the same
    ``raisings`` whether received alone or in a bulk batch."""

    def raisings_many(self, queries: Sequence[RaisingsQuery]) -> list[int]:
        """For each query, in order, the number of complaints it describes (at most
        its ``limit``); answered from the indexes ``related`` uses, for a batch at once."""
        ...


@runtime_checkable
class BatchComplaintStore(ComplaintStore, Protocol):
    """A store that can create many complaints in one transaction (bulk intake)."""

    def create_many(
        self,
        items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]],
        *,
        whole: bool = False,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """Each item all or nothing; a failing item's error is returned in its slot.

        ``whole``: the batch is stored only if every item is stored as itself.  A
        batch's complaints link to each other before they are stored (HDL-5,
        IMP-3), so one answered as another's (its key stored meanwhile by another
        process) or refused would leave the rest naming an id never stored.  Then
        nothing is written: that item's slot holds its answer (the stored
        complaint of its key, or the error), every other slot ``None``, and the
        desk drafts those again.  The desk passes it only to a ``create_many``
        that takes it; without it, no slot is ``None``.
        """
        ...


@runtime_checkable
class ComplainantStore(ComplaintStore, Protocol):
    """A store that reads the complainants of many complaints at once, without their
    histories: what masking a listing needs (PRV-1: each row's name, phone and room
    are masked wherever they occur in its other fields)."""

    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        """The complainant of each id that names a stored complaint; the others (and a
        record too damaged to read, which ``verify`` reports) are left out."""
        ...


@runtime_checkable
class HealthStore(ComplaintStore, Protocol):
    """A store that shows what would otherwise wait unseen, each with one cheap query.

    ``Desk.verify(now)`` asks :meth:`overlong_leases`; every sweep and delivery
    asks :meth:`pending_counts` to count (and log) messages for channels the desk
    does not have.  Stores without it are simply not asked.  The built-in stores
    have it.
    """

    def overlong_leases(self, now: datetime) -> list[str]:
        """Ids of the complaints with a due time whose sweep lease ends later than
        ``now + MAX_SWEEP_LEASE`` (no claim took it), in id order; read from the
        index on the due time, not every row."""
        ...

    def pending_counts(self) -> dict[str, int]:
        """Undelivered items not dropped, counted per notifier channel; read from
        the index on pending items, whatever the number ever delivered."""
        ...


@runtime_checkable
class MessageTimesStore(ComplaintStore, Protocol):
    """A store that says when each complaint's messages were last queued.

    A sweep writes each row for its own ``now``, which may be later than the
    clock of a ``verify`` (a sweep run with ``--now`` ahead, a sweeper whose
    clock is ahead).  When it records events, their times date the row; when it
    only warns (DL-7), the warnings' creation times, which the ledger keeps
    under its hash chain, do: ``Desk.verify(now)`` and ``Desk.reproject`` judge
    each row no earlier than the last message queued for it (review s50I F01).
    Stores without it are not asked: a row such a sweep wrote is named until
    real time reaches the sweep's.  The built-in stores have it.
    """

    def last_queued(self, after: int = 0) -> dict[str, datetime]:
        """The latest creation time of the messages queued for each complaint (those
        with any), by the commits of ledger entries after ``after`` (every message
        for ``0``): one query, over the ledger's index when ``after`` is given."""
        ...


@runtime_checkable
class ClaimHealthStore(ComplaintStore, Protocol):
    """A store that names the outbox messages held by a claim no sender of the desk
    takes, with one cheap query (review s50P F03).

    A claim hides a message from every delivery pass and from ``outbox retry`` and
    ``outbox drop`` until it ends; one set far ahead by hand (``UPDATE outbox SET
    claimed_until = '2999-…'``) would silence the message for good.  The desk knows
    the longest claim it takes (a sender's lease, a listener hold, the hold after a
    send it stopped waiting for, which lasts up to the retry delay);
    ``Desk.verify(now)`` reports each message claimed longer, and ``Desk.deliver``,
    ``retry_message`` and ``drop_message`` hand its claim back
    (:meth:`OutboxStore.release`) as lapsed.  The built-in stores have it.
    """

    def overlong_claims(self, longest: timedelta) -> list[int]:
        """Ids of the undelivered items not dropped whose claim ends later than the
        store's clock (the one claims are kept on) plus ``longest``, in id order;
        read from the index on pending items.

        :raises InvalidInputError: ``longest`` is not a timedelta of 0 or more
            (path ``longest``).
        """
        ...


@runtime_checkable
class RetryHealthStore(ComplaintStore, Protocol):
    """A store that names the outbox messages whose retry time lies later than any
    retry of the desk puts it, with one query (review s51C F03).

    A message waiting for a retry is tried again at ``next_attempt_at``; one moved
    far ahead by hand (``UPDATE outbox SET next_attempt_at = '2999-…'``) would be
    silenced for good, neither sent nor a dead letter.  The store keeps, for each
    message, the time its wait counts from in the desk's own time: its queueing
    (``created_at``), the failed attempt (:meth:`mark_failed_at`'s ``attempted_at``,
    the ``now`` the desk counted the retry delay from, whatever the store's clock
    says: a catch-up may run ahead of it), or a retry by hand (``retry_item``'s
    ``now``).
    ``Desk.verify(now)`` reports each message due later than that plus the longest
    wait the desk sets (the retry delay's cap, or a timed-out send's run).  The
    built-in stores have it.
    """

    def mark_failed_at(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        attempted_at: datetime,
        *,
        held: bool = False,
    ) -> None:
        """:meth:`ComplaintStore.mark_failed` (with ``held``,
        :meth:`HoldStore.mark_failed_held`; a store without holds ignores it), keeping
        ``attempted_at`` (the time the retry delay was counted from) as the time the
        wait counts from.  The desk records a failed attempt with it on such a store,
        and with ``mark_failed`` on any other; ``mark_failed`` keeps its documented
        signature (review s51R12 F03).  The built-in stores call a subclass's own
        ``mark_failed`` (``mark_failed_held``) override instead, whose wait then
        counts from the later of the store's clock and the claimer's time on it (the
        claim's offset), as a plain ``mark_failed`` does."""
        ...

    def overlong_retries(self, longest: timedelta) -> list[int]:
        """Ids of the undelivered items not dropped due later than the time their wait
        counts from plus ``longest``, in id order.  Items whose wait's start the store
        does not know (queued or failed before the store kept it, or copied in by a
        migrate) are not judged, nor those failed since by a writer that does not keep
        it (a process of the previous release: the store keeps the attempt count the
        start was kept at; review s51R12 F01).

        The built-in stores take a keyword ``now`` too (the desk passes its check's
        time to a store whose method has that parameter): an item never tried since
        its queueing or its retry by hand (``attempts`` 0), which has no retry time
        but that retry's ``now``, is named when due later than the later of its
        queueing (``created_at``, fixed by the ledger) and ``now`` (without it, the
        store's clock) plus ``longest``, whatever the time its wait counts from and
        the attempt count kept with it say: those two are covered by no seal or
        ledger (review s54R6 F01).

        :raises InvalidInputError: ``longest`` is not a timedelta of 0 or more
            (path ``longest``).
        """
        ...


@runtime_checkable
class BoundedWaitStore(ComplaintStore, Protocol):
    """A store whose wait for a lock another writer holds can be shortened for a while.

    ``Desk.close(timeout=…)`` writes the send outcomes it kept while the store
    refused them inside :meth:`waits_at_most`, each write waiting at most the
    time its grace period has left, so that a file or row locked by another
    writer cannot hold the close for the store's own timeout (review s53R2 F01).
    Stores without it are not asked: their writes wait their own lock timeout,
    and a close whose time is up writes nothing kept.  The built-in SQLite store
    has it.
    """

    def waits_at_most(self, seconds: float) -> AbstractContextManager[None]:
        """Until the block ends, this thread's writes wait at most ``seconds`` (never
        longer than the store's own timeout) for a lock another writer holds, then
        fail as they would after that timeout (a transient
        :class:`~complaintcore.core.errors.StoreError`)."""
        ...


@runtime_checkable
class SweepLeaseStore(ComplaintStore, Protocol):
    """A store that takes back a sweeper's claims on complaints it will not sweep.

    ``Desk.sweep`` stopped part-way (Ctrl-C, a cron job's ``timeout`` sending
    SIGTERM to the command line) asks :meth:`release_due` for the complaints it
    had claimed (:meth:`ComplaintStore.claim_due`) and not swept, so the next
    sweep takes them at once instead of after the lease.  Stores without it are
    not asked: such complaints wait out the lease.  The built-in stores have it.
    """

    def release_due(self, complaint_ids: Sequence[str]) -> None:
        """End the sweep lease of these complaints: ``claim_due`` may take them again
        at once.  Only their claimer calls it, within its lease; an id with no row
        (or no lease) is passed over."""
        ...


@runtime_checkable
class BasisStore(ComplaintStore, Protocol):
    """A store that keeps what its projection rows were last computed under (DL-7).

    A row keeps the next sweep time its clocks gave when it was written; a
    changed rule pack, calendar (a year's holidays typed in ``by_year``, or an
    upgraded ``holidays``) or complaintcore leaves open complaints' rows on the
    old times.  Each sweep compares :func:`~complaintcore.core.basis.projection_basis`
    with the one kept here and, when they differ, rewrites the rows that differ
    (``Desk.reproject``) before it claims any, then keeps the new one; a process
    that commits rows under another basis than the one kept marks it changed, so
    the next sweep rewrites those too.  Stores
    without it are not asked: run ``complaintcore verify --reproject`` after such
    a change.  The built-in stores have it, one value per tenant.

    The values are text of up to
    :data:`~complaintcore.adapters.chain.MAX_BASIS_CHARS` (160) characters -- a
    64-digit digest, ``mixed``, or ``underway <digest> <token>`` (106) -- kept
    exactly as given (``check_basis`` refuses others).
    """

    def projection_basis(self) -> str | None:
        """The digest kept by :meth:`keep_projection_basis`, or None before the first."""
        ...

    def keep_projection_basis(self, basis: str, *, instead_of: str | None = None) -> bool:
        """Keep ``basis`` in place of the one kept, committed at once; with
        ``instead_of``, only if that is what is kept now (compare and set, in one
        statement).  Whether it was kept."""
        ...


@runtime_checkable
class SnapshotStore(ComplaintStore, Protocol):
    """A store that reads one consistent moment across many reads.

    A full ``Desk.verify`` compares the ledger with every complaint, event and
    projection row; read in several snapshots while others write (an import, a
    sweep), a complaint committed in between looks added or edited outside the
    library, and a tamper alarm is raised on a desk nobody touched.  Inside
    :meth:`snapshot` every read sees the same moment.  Stores without it are
    read as before: run their full check when nothing writes, or use
    ``since``.  The built-in SQLite and PostgreSQL stores have it.
    """

    def snapshot(self) -> AbstractContextManager[None]:
        """Until the block ends, every read this thread makes through the store sees
        the data as of one moment (commits of others meanwhile are not seen), and a
        write through the store from this thread is refused (:class:`InvalidInputError`,
        path ``store``).  Other threads and processes go on reading and writing, never
        blocked by it.  Nested, the outer snapshot holds."""
        ...


@runtime_checkable
class GroupLockStore(ComplaintStore, Protocol):
    """A store that serializes the grouping of one group across processes (HDL-5, HDL-6).

    Intake reads a group's open complaints, decides the issue and commits; two
    processes doing so for one group at the same instant each miss the other's
    complaint, split one matter into issues named from different views and lose
    the group incident.  Inside :meth:`group_lock` of a group, nobody else's
    grouping of it runs, so each decides on all there is.  Stores without it
    keep the repair after commit (see ``Desk.receive``), which regroups but
    does not link repeats (IMP-3) raced across processes: the matter's next
    raising does.  The built-in PostgreSQL store has it (advisory locks), and so
    has SQLite for the processes of one machine (OS file locks beside the
    database; none on Windows, where it holds nothing).  The desk also locks a
    person's month while it counts a sanction in it (PEN-2), with keys of its
    own (``severe-month|<staff id>|<yyyy-mm>``).
    """

    def group_lock(self, keys: Collection[str]) -> AbstractContextManager[None]:
        """Until the block ends, no other holder of any of ``keys`` (in any process
        on the store's database) enters; taken in one order, so two holders of
        overlapping keys never wait on each other."""
        ...


@attrs.frozen
class ListenerHold:
    """How a write holds its messages while the desk's listeners hear its commit
    (a :class:`ListenerHoldStore`): claimed for ``lasts`` counted on the store's own
    clock, as a sender's claim is, and marked ``mark`` (a text naming the write, new
    for each) for :meth:`ListenerHoldStore.release_held` to find them by."""

    mark: str = attrs.field()
    lasts: timedelta = attrs.field()

    @mark.validator
    def _check_mark(self, _attribute: object, value: object) -> None:
        if not isinstance(value, str) or not 0 < len(value) <= 64 or not value.isprintable():
            raise InvalidInputError("hold.mark", "expected 1-64 printable characters")

    @lasts.validator
    def _check_lasts(self, _attribute: object, value: object) -> None:
        if not isinstance(value, timedelta) or not timedelta(0) < value <= MAX_SWEEP_LEASE:
            raise InvalidInputError(
                "hold.lasts", f"must be a timedelta above 0, to {MAX_SWEEP_LEASE}"
            )


@runtime_checkable
class ListenerHoldStore(ComplaintStore, Protocol):
    """A store that queues a commit's messages held back until the desk lets them go.

    ``complaintcore_on_events`` runs after a commit and before its messages can be
    delivered (hooks.md).  A desk with listeners passes ``held`` to the write of
    every commit with events: its messages are queued claimed for ``held.lasts``
    on the store's own clock (the one claims are kept on: this machine's, the
    server's for PostgreSQL), whatever ``now`` the desk decides by, and marked
    ``held.mark``; no delivery pass takes them, in any thread or process, at any
    ``now`` (``outbox retry`` and ``outbox drop`` are refused meanwhile, as for a
    message being sent).  Once the listeners have returned, the desk lets them go
    with :meth:`release_held`, due at once.  A desk that dies in between only
    delays them until the hold lapses.  Without it (a host's store), the desk
    wakes its own delivery worker after its listeners, but a pass started
    meanwhile (another thread's commit, the worker's interval, another process)
    may send them first.  The built-in stores have it (review s46G F03).
    """

    def create(
        self,
        complaint: Complaint,
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]],
        *,
        held: ListenerHold | None = None,
    ) -> Complaint:
        """:meth:`ComplaintStore.create`; ``held``: its messages are queued claimed for
        ``held.lasts`` on the store's clock, marked ``held.mark`` (due at once
        when let go, or when the hold lapses)."""
        ...

    def create_many(
        self,
        items: Sequence[tuple[Complaint, ComplaintRow, Sequence[tuple[str, Notification]]]],
        *,
        whole: bool = False,
        held: ListenerHold | None = None,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """:meth:`BatchComplaintStore.create_many`, every item's messages held as by
        :meth:`create`."""
        ...

    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]],
        *,
        held: ListenerHold | None = None,
    ) -> None:
        """:meth:`ComplaintStore.append`, its messages held as by :meth:`create`."""
        ...

    def release_held(self, held: Sequence[tuple[str, str]], mark: str) -> None:
        """Let go the messages ``held`` (channel, dedupe key) that a write queued held
        with ``mark``: due at once, unclaimed, as if queued without a hold.  One
        sent, dropped or claimed by a sender since (its hold lapsed first) -- also
        by a sender of the previous release, whose claim does not clear the mark
        (review s47B F01) -- or never queued by that write (its key was queued
        before), is left as it is.

        :raises InvalidInputError: ``held`` is not a list of (channel, key) pairs.
        """
        ...


@runtime_checkable
class OutboxStore(ComplaintStore, Protocol):
    """A store that shows every message still waiting and takes a claimed one back unsent.

    ``complaintcore outbox list --pending`` asks :meth:`waiting`; ``Desk.deliver``
    asks :meth:`release` for the messages it claimed but will not send now (their
    channel holds every sending thread with sends that hang), so they need not
    wait out the claim's lease.  Stores without it are simply not asked: the
    command lists the messages that are due, and such messages wait out the
    lease.  The built-in stores have it.
    """

    def waiting(self, limit: int = 100) -> list[OutboxItem]:
        """Every undelivered item not dropped, oldest queued first, whenever it is due:
        never tried, waiting for a retry, claimed by a sender (``next_attempt_at`` is
        when the claim lapses on the store's clock, where that is later than its due
        time) or a dead letter; read from the index on pending items."""
        ...

    def dead_letter_counts(self, max_attempts: int) -> dict[str, int]:
        """Undelivered items not dropped that have had ``max_attempts`` attempts or
        more, counted per channel, without reading them (every delivery pass and
        every sweep asks, so the cost is a count, however many there are)."""
        ...

    def release(self, item_id: int, at: datetime) -> None:
        """Hand a claimed item back unsent: its claim ends and it is due as it was
        before the claim, at ``at`` at the latest (``Desk.deliver`` passes the
        ``now`` its pass began at), its attempts and last error unchanged, so no
        attempt is spent.  Only its claimer calls it, within the claim's lease.
        Ignored once the item is delivered or dropped.

        :raises InvalidInputError: no item has this id (path ``item_id``).
        """
        ...
