"""The complaint desk: the pure core plus the host's parts, in transactions.

A :class:`Desk` loads the rule pack, gets the store, staff directory, calendar
and notifiers from the plugin hooks, and runs every command the same way:
authorize (a refusal leaves no event), decide with the pure core, append the
events, the projection and the outbox in one transaction with optimistic
concurrency, then tell plugins.  Notifications are only queued there: they
are sent by :meth:`Desk.deliver` (a ``complaintcore deliver`` loop, or the
:class:`~complaintcore.desk.delivery.DeliveryWorker` thread), each with a
timeout, so no channel can slow intake.  A notifier that is down loses
nothing: its messages stay in the outbox until delivered.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import inspect
import itertools
import logging
import math
import re
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    NoReturn,
    Protocol,
    TypeGuard,
    runtime_checkable,
)
from zoneinfo import ZoneInfo

import attrs
import pluggy

from complaintcore._version import __version__
from complaintcore.core.accountability import OutstandingSanction, outstanding_sanction
from complaintcore.core.basis import projection_basis
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.concentration import (
    group_key,
)
from complaintcore.core.deadlines import (
    ClockState,
    ClockStatus,
    DutyStatus,
    compute_clocks,
    compute_duties,
)
from complaintcore.core.errors import (
    AccessDeniedError,
    CalendarError,
    ClosedError,
    ComplaintCoreError,
    ConcurrencyConflictError,
    ConnectionLostError,
    DamagedRecordError,
    DuplicateIdError,
    EscalationError,
    IdempotencyConflictError,
    IllegalTransitionError,
    InvalidInputError,
    MembersLeftUnlinkedError,
    NoWorkingTimeError,
    StoreError,
    TimeBarredError,
    UnknownComplaintError,
    rebuilt,
    reduced,
    shown_code,
    shown_id,
    shown_issue,
)
from complaintcore.core.escalation import (
    current_rung_index,
    required_rung_index,
    settling_rung_index,
)
from complaintcore.core.grading import GradeAssessment, age_upgrade_due, grade_due
from complaintcore.core.improvement import MeasureStatus, compute_measures
from complaintcore.core.limits import TextLimits, clean_record
from complaintcore.core.models import (
    Assigned,
    Channel,
    Complainant,
    Complaint,
    Escalated,
    Event,
    Extended,
    Grade,
    Intake,
    SanctionRecorded,
    Status,
    TargetPerson,
    Trigger,
    Validity,
    as_instant,
    require_aware,
    staff_key,
)
from complaintcore.core.notes import REACHED_CUSTOMER_SERVICE, passed_rungs
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import person_and_room_keys
from complaintcore.core.rulepack import Duration, RulePack
from complaintcore.core.stages import awaiting_stage_holder
from complaintcore.core.validity import require_received
from complaintcore.core.workflow import (
    AddMeasure,
    Assess,
    Assign,
    Classify,
    Command,
    Escalate,
    Extend,
    Forward,
    Group,
    Link,
    Promise,
    Register,
    Regrade,
    Reply,
    VisitSite,
    decide,
    evolve,
    new_complaint,
    replay,
)
from complaintcore.desk import access, messages
from complaintcore.desk.checked_directory import DIRECTORY_HOOK, CheckedDirectory
from complaintcore.desk.collector import collection_paused, collection_resumed
from complaintcore.desk.config import DeskConfig, RetryPolicy
from complaintcore.desk.delivery import (
    DeliveryWorker,
    KeptOutcomes,
    Sender,
    SendTimeoutError,
    Task,
    UnderWay,
    _not_recorded,
    _store_closed,
    masks_itself,
    not_entitled,
    still_sees,
    unknown_recipient,
)
from complaintcore.desk.destinations import TimedOutPlaces, destination_of
from complaintcore.desk.drafts import CONFLICT_RETRIES, Draft, Hold, store_failed
from complaintcore.desk.fellows import Fellows
from complaintcore.desk.grouping import Grouper, Grouping, LinkClaims, Links, note_claims
from complaintcore.desk.held import Interruptible
from complaintcore.desk.ids import time_ordered_id
from complaintcore.desk.masking import (
    issue_texts,
    masked_record,
    masked_traceback,
    people_named,
    with_encodings,
)
from complaintcore.desk.plugins import (
    LONGEST_SEND,
    check_notifiers,
    notifiers_of,
    unusable_classification,
)
from complaintcore.desk.ports import (
    AccessRecord,
    BasisStore,
    BatchComplaintStore,
    BatchIntakeStore,
    BoundedWaitStore,
    ClaimHealthStore,
    ComplainantStore,
    ComplaintRow,
    ComplaintStore,
    GroupLockStore,
    HealthStore,
    HoldStore,
    ListenerHold,
    ListenerHoldStore,
    MessageTimesStore,
    Notification,
    Notifier,
    OutboxItem,
    OutboxStore,
    RetryHealthStore,
    RowOrder,
    SnapshotStore,
    StaffDirectory,
    StaffMember,
    SweepLeaseStore,
    VerifyReport,
    check_id,
    check_id_list,
    given_up_at_once,
)
from complaintcore.desk.process_locks import THREAD_WAIT, keys_locked
from complaintcore.desk.projection import (
    ROWS_REVISION,
    Projection,
    held_by_nobody,
    row_differs,
)
from complaintcore.desk.repeat_links import Later, RepeatBatch, Repeated, RepeatLinker
from complaintcore.desk.site_staff import SiteStaff, same_staff
from complaintcore.desk.sweeping import Sweeper, Tally
from complaintcore.desk.telling import Outbox, Telling

if TYPE_CHECKING:
    from complaintcore.core.rulepack import EarlyWarning
    from complaintcore.core.staff_report import StaffReport
    from complaintcore.core.stats import MonthlyReport, RepeatRule

__all__ = [
    "CommittedInterrupt",
    "DeliveryReport",
    "Desk",
    "GroupVisit",
    "IssueReport",
    "Receipt",
    "SweepFailed",
    "SweepInterrupted",
    "SweepReport",
    "masked_record",
    "same_submission",
]

log = logging.getLogger("complaintcore.desk")

CALENDAR_HOOK = "complaintcore_get_calendar"

_CLAIM_BATCH = 10


@attrs.frozen
class _Pass:
    """What the sends of one delivery pass share: the time its batch was claimed at
    (``at``), the pass's clock (``current``), the ``now`` it began at, the places a
    send to which timed out in it, and the channels it began with (review s52R3 F02);
    ``loaded``, the complaints the send-time check loaded in it, by id (``None``: the
    store no longer has it), each loaded once a pass and never kept past it
    (re-review s55R9 F03)."""

    at: datetime
    current: Callable[[], datetime]
    now: datetime
    timed_out: TimedOutPlaces
    channels: Mapping[str, Notifier]
    loaded: dict[str, Complaint | None] = attrs.field(factory=dict)


_LEASE = timedelta(minutes=5)
"""The shortest lease of a delivery claim (the stores' default)."""
_SWEEP_BATCH = 50
"""Due complaints claimed at once: few enough to sweep well within the lease."""


_MIXED = "mixed"
"""The projection basis a process keeps after committing rows under another basis than
the one kept: no desk has it, so the next sweep rewrites every row out of date."""

_UNDERWAY = "underway "
"""Kept, with the basis and a token, while a reproject brings the rows up to date."""


def _basis_of(kept: str) -> str:
    """The basis a kept value names (an underway reproject's target)."""
    return kept[len(_UNDERWAY) :].split(" ", 1)[0] if kept.startswith(_UNDERWAY) else kept


@attrs.frozen
class SweepReport:
    """What one sweep did: complaints looked at, escalations, warnings, regrades.

    ``escalated`` pairs a complaint id with each clock or duty whose breach
    moved it up.  ``at_risk`` counts the warnings of clocks at risk (DL-7) and
    ``reported_late`` the reports of late departments (ESC-6), one per person
    told: the outbox sends each at most once, so a complaint swept again in the
    same window (written to after a sweep warned, or swept at the deadline's
    due instant, when it is still at risk) counts again here while its people
    are not told twice.  ``duties_owed`` counts the duties owed on the complaints
    swept (each owner is told once per run of a duty, also of one that started
    without an event, such as the apology a broken promise owes),
    ``duties_at_risk`` those at risk, and ``duties_overdue`` the (complaint id,
    duty) breached so far.  ``measures_at_risk`` and ``measures_overdue`` do the
    same for corrective and preventive measures (IMP-1), whose owners are told.
    ``dead_letters`` counts the messages no longer tried (past
    ``retry.max_attempts``): while there are any, someone should retry or drop
    them.  ``for_other_channels`` counts the messages waiting for a channel this
    desk does not have: left for a process that has it, they are never sent if
    none has (a channel renamed or removed).  ``failed`` pairs a complaint id
    with the library error that kept it from being swept (a damaged record, or
    a rung the pack no longer has): the others are swept all the same, and the
    failed one is tried again when its claim lapses.  ``reprojected`` names the
    complaints whose rows the sweep rewrote first, because the rule pack, the
    calendar or complaintcore changed since the rows were written (on a store
    that keeps what they were written under, a ``BasisStore``).
    """

    examined: int = 0
    escalated: tuple[tuple[str, str], ...] = ()
    at_risk: int = 0
    regraded: tuple[str, ...] = ()
    reported_late: int = 0
    conflicts: int = 0
    duties_owed: int = 0
    duties_at_risk: int = 0
    duties_overdue: tuple[tuple[str, str], ...] = ()
    measures_at_risk: int = 0
    measures_overdue: tuple[tuple[str, str], ...] = ()
    dead_letters: int = 0
    for_other_channels: int = 0
    failed: tuple[tuple[str, ComplaintCoreError], ...] = ()
    reprojected: tuple[str, ...] = ()


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped part-way by ``KeyboardInterrupt`` (Ctrl-C, or the command
    line's SIGTERM): a ``KeyboardInterrupt`` still, so whatever stops on one stops
    on it, carrying in ``report`` what the sweep had committed before it stopped
    (review s46C F03).  ``report.dead_letters`` and ``report.for_other_channels``
    are 0: the outbox was not asked.  The complaints it had claimed and not swept
    were handed back (on a :class:`~complaintcore.desk.ports.SweepLeaseStore`),
    so the next sweep takes them at once.

    Not a :class:`~complaintcore.core.errors.ComplaintCoreError`: an interruption,
    not a failure, which an ``except Exception`` must not swallow.
    """

    def __init__(self, report: SweepReport) -> None:
        super().__init__("sweep interrupted")
        self.report = report

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self)  # its report too: picklable and copyable (review s48E F01)


@attrs.frozen
class GroupVisit:
    """:meth:`Desk.visit_site`: the visit as committed on the complaint acted on
    (``complaint``) and, on a member of a group incident (``issue``), the other
    members it was recorded on (``recorded``) and those left owing it because their
    store failed or an interrupt came first (``owing``: record it there, review
    s58RR4 F01, F03); ``unread``: the issue's members could not be read, so it is
    recorded on none of them.  A member that owed no visit, or refused it on its
    own account (logged), is in neither."""

    complaint: Complaint
    issue: str = ""
    recorded: tuple[str, ...] = ()
    owing: tuple[str, ...] = ()
    unread: bool = False


class _NotOwed(Exception):
    """A member of a group incident that owes no site visit any more, decided in
    its own transaction (:meth:`Desk._visit_with_group`, review s58RR4 F04)."""


class CommittedInterrupt(KeyboardInterrupt):
    """``KeyboardInterrupt`` (Ctrl-C, or the command line's SIGTERM) after
    :meth:`Desk.receive` or :meth:`Desk.act` committed, while the host's listeners
    (``complaintcore_on_events``) or the linking after the commit ran, or while
    the store committed it, when the store then holds it (review s55R8 F01): a
    ``KeyboardInterrupt`` still, carrying in ``complaint`` the change as it was
    committed, so a caller can say it is stored and nobody runs it again (a second
    complaint; review s55R2 F03).  The listeners not yet called when it came are not
    called; the commit's messages are let go to the outbox as usual.

    Not a :class:`~complaintcore.core.errors.ComplaintCoreError`: an interruption,
    not a failure, which an ``except Exception`` must not swallow.
    """

    while_committing: bool = False
    """True when it came while the store committed the change (or as the commit
    returned, review s55R8 F01): no listener heard of it, and the messages held for
    the listeners are let go at once, for the next :meth:`Desk.deliver` (review
    s56R3 F03; were the store not to answer, they wait out their hold,
    :data:`LISTENER_HOLD`); False when it came after, while the listeners or the
    linking ran."""

    group_visit: GroupVisit | None = None
    """:meth:`Desk.visit_site` (or :meth:`Desk.act` with a ``VisitSite``) on a member of
    a group incident: where the visit was recorded and which members still owe it
    when the interrupt came while it was copied to them (review s58RR4 F01)."""

    def __init__(
        self,
        complaint: Complaint,
        *,
        while_committing: bool = False,
        group_visit: GroupVisit | None = None,
    ) -> None:
        when = "while" if while_committing else "after"
        super().__init__(f"interrupted {when} {complaint.id} was committed")
        self.complaint = complaint
        self.while_committing = while_committing
        self.group_visit = group_visit

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self)


class SweepClosed(ClosedError):
    """A sweep stopped part-way because the desk or its store was closed meanwhile
    (another thread's :meth:`Desk.close`, a service shutting down): a
    :class:`~complaintcore.core.errors.ClosedError` still (an ``InvalidInputError``
    ``store: is closed``, as every call on a closed desk), carrying in ``report``
    what the sweep had committed before it stopped (review s48D F01).
    ``report.dead_letters`` and ``report.for_other_channels`` are 0 when the outbox
    was not asked.  The complaints it had claimed and not swept wait out their
    sweep lease (the closed store cannot hand them back); the next sweep of a desk
    opened again takes them then."""

    def __init__(self, report: SweepReport, path: str = "store") -> None:
        super().__init__(path)
        self.report = report


class SweepFailed(StoreError):
    """A sweep stopped part-way by a store error (a full disk, a lock held past the
    timeout, a lost connection): a :class:`~complaintcore.core.errors.StoreError`
    still, with the failure's ``database``, ``reason`` and ``transient``, carrying
    in ``report`` what the sweep had committed before it stopped and in ``error``
    the store's own error (also its ``__cause__``), review s47F F03.
    ``report.dead_letters`` and ``report.for_other_channels`` are 0 when the
    outbox was not asked.  The complaints it had claimed and not swept were
    handed back (on a :class:`~complaintcore.desk.ports.SweepLeaseStore`), so the
    next sweep takes them at once.

    What :meth:`Desk.sweep` raises is also an instance of the store error's own
    class (review s47H F02): an ``except ConnectionLostError`` or ``except
    SchemaVersionError`` around a sweep catches it as before, with that error's
    attributes and message.  Pickled or copied, it stays one (review s48E F01):
    the same class, ``report``, ``error`` and ``__cause__``.
    """

    _store_class: ClassVar[type[StoreError]] = StoreError
    """The store error's class this one is also an instance of (:meth:`of`)."""

    def __init__(self, report: SweepReport, error: StoreError) -> None:
        # StoreError's own initializer: a subclass's (ConnectionLostError, ...) takes
        # other arguments, and its attributes are copied from ``error`` below
        StoreError.__init__(self, error.database, error.reason, transient=error.transient)
        self.__dict__.update(vars(error))
        self.args = error.args
        self.report = report
        self.error = error

    @staticmethod
    def of(report: SweepReport, error: StoreError) -> SweepFailed:
        """``SweepFailed(report, error)`` that is also an instance of ``error``'s class."""
        return _failed_as(type(error))(report, error)

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(vars(self))
        if self.__cause__ is self.error:  # the store's error, which it holds anyway
            state["__cause__"] = self.error
        if type(self) is _failed_as(self._store_class):
            # of()'s class is made at run time and cannot be found by its name:
            # made again (in another process too) from the store error's class
            return (_sweep_failed, (self._store_class, self.args), state)
        return (rebuilt, (type(self), self.args), state)


_FAILED_AS: dict[type[StoreError], type[SweepFailed]] = {}
"""Each store error class's :class:`SweepFailed` (made once per class)."""


def _failed_as(kind: type[StoreError]) -> type[SweepFailed]:
    """The :class:`SweepFailed` that is also a ``kind``."""
    if issubclass(kind, SweepFailed) or kind is StoreError:
        return SweepFailed
    made = _FAILED_AS.get(kind)
    if made is None:
        made = type(
            "SweepFailed",
            (SweepFailed, kind),
            {"__module__": __name__, "__doc__": SweepFailed.__doc__, "_store_class": kind},
        )
        _FAILED_AS[kind] = made
    return made


def _sweep_failed(kind: type[StoreError], args: tuple[Any, ...]) -> SweepFailed:
    """A pickled or copied :class:`SweepFailed` that is also a ``kind`` (its attributes
    are set after)."""
    return rebuilt(_failed_as(kind), args)


@attrs.frozen
class IssueReport:
    """HDL-5: one command given to every member of a concentrated issue.

    ``done`` are the complaints it was recorded on; ``skipped`` the others with
    the library error that refused each (closed meanwhile, or refused for that
    complaint): ``str(error)`` is its one line, and
    :meth:`complaintcore.i18n.Translator.error` words it in a reader's language.
    """

    issue: str
    done: tuple[str, ...] = ()
    skipped: tuple[tuple[str, ComplaintCoreError], ...] = ()


def _and(words: Sequence[str]) -> str:
    """``name``, ``name and phone``, ``name, phone and room``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


_LINK_KEYS = ("same_complainant", "same_room", "same_matter", "repeated_by", "members")
"""Event fields naming other complaints (IMP-3, GRD-2, HDL-5)."""


def _ids(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@attrs.frozen
class _Again:
    """A submission given again in the same batch: answered by the first one's receipt."""

    first: Draft


@attrs.frozen
class Receipt:
    """What became of one intake of :meth:`Desk.receive_each`.

    Stored (``complaint`` set, ``duplicate`` false), a retried submission whose
    key was stored before with the same content (``duplicate`` true, the stored
    ``complaint``), or refused (``failure`` set: the library error, naming the
    field and why).

    ``left_unlinked``: stored (or retried) and its receipt stands, but the
    store failed while the stored members of its concentrated issue were linked
    (HDL-5, HDL-6): the error names the issue and the members left out.  The
    same submission received again links them.
    """

    complaint: Complaint | None = None
    failure: ComplaintCoreError | None = None
    duplicate: bool = False
    left_unlinked: MembersLeftUnlinkedError | None = None

    @property
    def outcome(self) -> str:
        """``"stored"``, ``"duplicate"`` or ``"rejected"``."""
        if self.failure is not None:
            return "rejected"
        return "duplicate" if self.duplicate else "stored"


@attrs.frozen
class _Pending:
    """An intake decided in memory, waiting for its batch's commit."""

    admitted: Intake
    complaint: Complaint
    events: Sequence[Event]
    outbox: Outbox


def same_submission(stored: Intake, submitted: Intake) -> bool:
    """Whether ``submitted`` is a retry of ``stored``: the same content, whenever received.

    The time received may differ (a retry stamped later); so may the receiving
    unit when the retry leaves it for the desk to fill (IN-2: the desk fills
    it from the staff list, which may have changed since).  Everything else --
    the complainant, the words, the receiver, the target, the key -- must be
    equal.
    """
    unit = submitted.receiver_unit or stored.receiver_unit
    return attrs.evolve(submitted, received_at=stored.received_at, receiver_unit=unit) == stored


@attrs.frozen
class DeliveryReport:
    """Outbox delivery: sent, failed (kept for retry), given up, and the messages
    left waiting for channels this desk does not have (as ``SweepReport`` counts them).

    ``given_up`` counts every dead letter of the desk's channels in the store;
    ``newly_given_up`` those this pass made one (a last attempt failed, or a
    failure no retry can mend: a recipient who left), which are not in ``failed``
    (review s48L F03)."""

    sent: int = 0
    failed: int = 0
    given_up: int = 0
    for_other_channels: int = 0
    newly_given_up: int = 0


class Desk:
    """One object a host creates to receive complaints and run their procedures.

    Build it with :meth:`from_config` (plugins supply the parts) or directly with
    the parts, as tests and scripts do.  Every method that changes something
    takes ``now``: the desk never reads the clock.  Notifications are written in
    ``languages`` (by default the pack's, else Chinese then English); ``desk.messages`` holds
    their templates, the catalogs' or a plugin's
    (``complaintcore_notification_template``).
    """

    def __init__(
        self,
        *,
        pack: RulePack,
        store: ComplaintStore,
        directory: StaffDirectory,
        calendar: WorkingCalendar | Callable[[], WorkingCalendar],
        notifiers: Sequence[Notifier] = (),
        plugin_manager: pluggy.PluginManager | None = None,
        retry: RetryPolicy | None = None,
        id_factory: Callable[[Intake], str] | None = None,
        languages: Sequence[str] = (),
        limits: TextLimits | None = None,
        sites: Collection[str] = (),
        send_timeout: float | None = 10.0,
        send_threads: int = 4,
    ) -> None:
        self._pack = pack
        self._store = store
        self._directory = directory
        # what the desk asks: the directory's answers checked (hooks.md)
        self._staff_directory = CheckedDirectory(directory)
        # the working calendar (built on first use when given a function for it), and
        # the clocks, duties and rows computed on it
        self._projection = Projection(pack, calendar)
        check_notifiers(notifiers)
        self._notifiers = {n.name: n for n in notifiers}
        if len(self._notifiers) != len(notifiers):
            # the outbox routes by name: the host must know which one to rename
            counts = collections.Counter(n.name for n in notifiers)
            shared = next(name for name, count in counts.items() if count > 1)
            raise InvalidInputError("notifiers", f"two notifiers share the name {shared!r}")
        if plugin_manager is not None:
            from complaintcore.desk.plugins import check_plain_hooks

            check_plain_hooks(plugin_manager)  # also those registered on it since it was made
        self.pm = plugin_manager
        # Calling a hook nobody implements still costs; bulk intake notices.
        self._classifiers = bool(
            plugin_manager and plugin_manager.hook.complaintcore_classify.get_hookimpls()
        )
        self._listeners = bool(
            plugin_manager and plugin_manager.hook.complaintcore_on_events.get_hookimpls()
        )
        self.retry = retry or RetryPolicy()
        self.zone = ZoneInfo(pack.calendar.timezone)
        """The pack's time zone: duty hours and dates are read in it, whatever ``now`` carries."""
        self._own_ids = id_factory is None  # dated in the pack's zone, whichever pack
        # projection_basis of (pack, calendar), computed once for them (see _basis)
        self._basis_memo: tuple[RulePack, WorkingCalendar, str] | None = None
        # the complaints this desk created, each with the basis it was written under,
        # while the store keeps no basis yet (see _adopt_basis); None once it does
        self._created: dict[str, str] | None = {}
        self._new_id = id_factory or functools.partial(_default_id, zone=self.zone)
        # the texts of notifications, with any template a plugin supplies (checked now)
        # the configuration's languages, else the pack's (English for an English
        # procedure), else Chinese then English
        if not isinstance(languages, str) and not languages:
            languages = pack.languages or messages.DEFAULT_LANGUAGES
        self._messages = messages.Messages(languages, plugin_manager)
        self.limits = limits or TextLimits()
        """Maximum lengths of what people type (``[limits]`` in the config)."""
        if isinstance(sites, str) or not all(isinstance(x, str) for x in sites):
            raise InvalidInputError("sites", "expected a list of site codes")
        self.sites = frozenset(x.strip() for x in sites if x.strip())
        """Sites the config lists, accepted besides those of the staff directory."""
        self._sender = Sender(timeout=send_timeout, threads=send_threads)
        self._kept = KeptOutcomes()
        """Send outcomes the store refused for a while, written at the next pass."""
        self._worker: DeliveryWorker | None = None
        self._closing = threading.Event()
        """Set by close(): a delivery pass under way stops before its next send."""
        self._directory_index: tuple[object, frozenset[str]] | None = None
        self._other_channels: set[str] = set()
        """Channels of queued messages this desk lacks, each logged once."""
        self._wire()
        # listeners heard once a group's lock is released (see _groups_locked)
        self._held = threading.local()
        self._calendar_from_hook = False  # from_config: complaintcore_get_calendar's

    def _wire(self) -> None:
        """Build the collaborators from the desk's parts; again when a host sets
        ``pack``, ``store``, ``directory``, ``notifiers`` or ``messages``, so every
        path uses the new one."""
        pack, store, directory = self._pack, self._store, self._staff_directory
        self._basis_store = store if isinstance(store, BasisStore) else None
        # whom a complaint is routed to, and whom its messages go to
        self._staff = SiteStaff(directory, pack)
        # HDL-5, PRV-1: whom an issue's texts may name, read once per call on many
        self._fellows = Fellows(issue_rows=store.issue_rows, complainants=self.complainants)
        self._telling = Telling(
            pack=pack,
            directory=directory,
            notifiers=self._notifiers,
            messages=self._messages,
            zone=self.zone,
            staff=self._staff,
            projection=self._projection,
            fellows=self._fellows.masking,
            sites=self.known_sites,
        )
        # repeats (IMP-3, GRD-2) and concentrated issues (HDL-5, HDL-6) at intake
        self._repeats = RepeatLinker(
            store=store,
            pack=pack,
            telling=self._telling,
            follow_ups=self._follow_ups,
            commit=self._commit,
        )
        self._grouper = Grouper(
            store=store,
            pack=pack,
            telling=self._telling,
            projection=self._projection,
            follow_ups=self._follow_ups,
            commit=self._commit,
            append=self._append,
            after_commit=self._after_commit,
        )
        # what a sweep does to each due complaint
        self._sweeper = Sweeper(
            store=store,
            pack=pack,
            zone=self.zone,
            projection=self._projection,
            staff=self._staff,
            telling=self._telling,
            follow_ups=self._follow_ups,
            handover_left_out=self._handover_left_out,
            append=self._append,
            after_commit=self._after_commit,
        )

    @property
    def pack(self) -> RulePack:
        """The rule pack; a new one set here is used everywhere.  The calendar is kept;
        a pack in another zone needs its own next (``desk.calendar = …``)."""
        return self._pack

    @pack.setter
    def pack(self, value: RulePack) -> None:
        self._projection = self._projection.for_pack(value)
        self._pack = value
        self.zone = ZoneInfo(value.calendar.timezone)
        if self._own_ids:
            self._new_id = functools.partial(_default_id, zone=self.zone)
        self._wire()

    @property
    def store(self) -> ComplaintStore:
        """Where complaints are kept."""
        return self._store

    @store.setter
    def store(self, value: ComplaintStore) -> None:
        self._store = value
        self._created = {}  # another store: what this desk created there is not known
        self._wire()

    @property
    def directory(self) -> StaffDirectory:
        """Who works where, asked whenever the desk routes or notifies."""
        return self._directory

    @directory.setter
    def directory(self, value: StaffDirectory) -> None:
        self._directory = value
        self._staff_directory = CheckedDirectory(value)
        self._directory_index = None
        self._wire()

    @property
    def notifiers(self) -> dict[str, Notifier]:
        """The channels, by name."""
        return self._notifiers

    @notifiers.setter
    def notifiers(self, value: dict[str, Notifier]) -> None:
        self._notifiers = value
        self._wire()

    @property
    def messages(self) -> messages.Messages:
        """The notification texts, in the desk's languages."""
        return self._messages

    @messages.setter
    def messages(self, value: messages.Messages) -> None:
        self._messages = value
        self._wire()

    # ------------------------------------------------------------------ building

    @classmethod
    def from_config(
        cls,
        config: DeskConfig | Mapping[str, Any] | None = None,
        *,
        plugin_manager: pluggy.PluginManager | None = None,
    ) -> Desk:
        """Ask the plugins for every part; the built-in adapters answer last.

        Each answer is checked as it comes (an ``InvalidInputError`` naming the
        hook): pluggy does not hold implementations to the specs, so a wrong
        shape would otherwise fail later, deep in the desk.
        """
        from complaintcore.desk.plugins import (
            AWAITABLE_ANSWER,
            Answering,
            asked,
            call_naming,
            check_answer,
            closed_awaitable,
            make_plugin_manager,
        )
        from complaintcore.rules import load_pack

        if config is None:
            config = DeskConfig()
        elif not isinstance(config, DeskConfig):
            config = DeskConfig.from_mapping(config)
        pm = plugin_manager or make_plugin_manager()
        hook = pm.hook
        extra: dict[str, RulePack] = {}
        owners: dict[str, str] = {}  # each pack name and the plugin that registered it
        registering = Answering()

        def register(name: str, pack: RulePack) -> None:
            where = "complaintcore_register_rule_packs"
            if not isinstance(name, str) or not name:
                raise InvalidInputError(where, "register(name, pack): name must be a pack name")
            check_answer(where, pack, RulePack, "register(name, pack) with a RulePack")
            _keep_first_pack(extra, owners, name, pack, registering.current)

        answers = asked(
            "complaintcore_register_rule_packs",
            lambda: call_naming(
                hook.complaintcore_register_rule_packs, {"register": register}, registering
            ),
        )
        awaited = [closed_awaitable(a) for a in answers]  # each closed, not just the first
        if any(awaited):
            raise InvalidInputError("complaintcore_register_rule_packs", AWAITABLE_ANSWER)
        pack = extra.get(config.pack) or load_pack(
            config.pack_source(), parameters=config.pack_parameters or None
        )
        store = asked(
            "complaintcore_get_store", lambda: hook.complaintcore_get_store(config=config)
        )
        check_answer("complaintcore_get_store", store, ComplaintStore, "a ComplaintStore")
        try:
            directory = asked(
                DIRECTORY_HOOK, lambda: hook.complaintcore_get_staff_directory(config=config)
            )
            check_answer(
                DIRECTORY_HOOK,
                directory,
                StaffDirectory,
                "a StaffDirectory (get and members)",
            )

            def calendar() -> WorkingCalendar:
                found = asked(
                    "complaintcore_get_calendar",
                    lambda: hook.complaintcore_get_calendar(
                        name=pack.calendar.country, spec=pack.calendar, config=config
                    ),
                )
                check_answer(
                    "complaintcore_get_calendar", found, WorkingCalendar, "a WorkingCalendar"
                )
                return found  # type: ignore[no-any-return]

            answering = Answering()
            notifiers = asked(  # a generator it answers may raise as it is read
                "complaintcore_get_notifiers",
                lambda: notifiers_of(
                    call_naming(hook.complaintcore_get_notifiers, {"config": config}, answering),
                    answering,
                ),
            )
            desk = cls(
                pack=pack,
                store=store,
                directory=directory,
                calendar=calendar,
                notifiers=notifiers,
                plugin_manager=pm,
                retry=config.retry,
                languages=config.languages,
                limits=config.limits,
                sites=config.sites,
                send_timeout=config.delivery.timeout_seconds,
                send_threads=config.delivery.threads,
            )
            # its directory's wrong answers name the hook that gave it
            desk._staff_directory.source = DIRECTORY_HOOK
            desk._calendar_from_hook = True  # so does the end of its calendar's years
            return desk
        except BaseException:
            store.close()  # refused after the store opened: leave no file handle behind
            raise

    def close(self, *, timeout: float | None = None) -> None:
        """Stop the delivery worker (if one runs) and close the store.

        A delivery pass under way stops after the send in flight (at most the
        send timeout): what it had not sent stays in the outbox, not counted as
        a failed attempt, and due at once where the store can hand a claim back
        (:class:`~complaintcore.desk.ports.OutboxStore`).  Sends the desk gave up
        waiting for are waited for (at most their channel's ``longest_send``),
        so that one that gets through is recorded as delivered, not sent again.

        ``timeout`` bounds the whole wait, in seconds (a service's shutdown grace
        period): a send still under way then is left to be retried, so one that
        gets through after it may be sent again.  It bounds writing the outcomes
        kept while the store refused them too: each write waits for another
        writer's lock at most the time left where the store can bound it (a
        :class:`~complaintcore.desk.ports.BoundedWaitStore`: the built-in SQLite
        store), else its own lock timeout, and none is tried once the time is up
        (review s53R2 F01).
        """
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, int | float):
                raise InvalidInputError(
                    "timeout", f"expected seconds as a number, got {type(timeout).__name__}"
                )
            if not math.isfinite(timeout) or timeout < 0:
                raise InvalidInputError("timeout", "must be a finite number of seconds, 0 or more")
        ends = None if timeout is None else time.monotonic() + timeout

        def left(wait: float) -> float:
            return wait if ends is None else max(0.0, min(wait, ends - time.monotonic()))

        self._closing.set()
        worker, self._worker = self._worker, None
        if worker is not None:
            wait = self._sender.timeout
            worker.stop(timeout=left(5.0 if wait is None else wait + 1.0))
        self._sender.close()
        # sends given up on may still end (each within its channel's longest_send):
        # their outcome is recorded before the store closes (review s39B F04)
        bound = max((self._in_flight(n) for n in self.notifiers.values()), default=timedelta(0))
        if not self._sender.settle(left(bound.total_seconds())):
            log.warning("closing with sends still under way: their messages are retried")
        try:
            reason = self._flush_kept(ends)  # refused for a while (review s52R3 F01)
        except BaseException as exc:  # raised as it is, the store closed all the same
            reason = type(exc).__name__  # (review s53R10 F02)
            raise
        finally:
            left_over = self._kept.close()  # no pass comes to write later ones (s53R2 F02)
            if left_over:
                log.warning(
                    "closing with %d send outcome(s) not recorded (%s): their messages are"
                    " sent again, with the same key, once their claim lapses",
                    left_over,
                    reason,
                )
            self.store.close()

    def _flush_kept(self, ends: float | None) -> str:
        """Write the outcomes kept before :meth:`close` closes the store; with its
        timeout (``ends``, monotonic), each write waits for a lock at most the time
        left where the store can bound it, none is tried once it is up where it
        cannot, and a pass writing them meanwhile is waited for no longer (review
        s53R2 F01).  Why what is still kept after it was not written."""

        def left() -> float | None:
            return None if ends is None else max(0.0, ends - time.monotonic())

        store = self.store

        def bounded() -> contextlib.AbstractContextManager[None]:
            assert isinstance(store, BoundedWaitStore)
            return store.waits_at_most(left() or 0.0)

        each = None
        if isinstance(store, BoundedWaitStore) and ends is not None:
            each = bounded
        elif left() == 0:  # its writes would wait the store's own lock timeout
            return "close timeout"
        try:
            if not self._kept.flush(each, wait=left()):
                return "close timeout"  # a pass writing them held on past it
        except ComplaintCoreError as exc:
            return type(exc).__name__
        return "kept while closing"

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar deadlines are computed on (built on first use when the
        desk was given a function for it, as :meth:`from_config` does)."""
        return self._projection.calendar

    @calendar.setter
    def calendar(self, value: WorkingCalendar) -> None:
        self._projection.calendar = value

    def _require_now(self, now: datetime) -> datetime:
        """``now`` is aware and inside the calendar's years: a time past them (a
        mistyped ``--now 2999-…``) is refused naming ``now``, before any deadline
        is computed on it (DL-7).

        Returns ``now`` as the instant it names (:func:`as_instant`: the same wall
        time with a fixed offset), which the entry point goes on with: every memo
        keyed on it and every sum of it is then on instants.  Two times of one
        ``ZoneInfo`` compare and hash by wall time, so a host's local clock in the
        hour it repeats (01:30 BST, then 01:30 GMT) read the first 01:30's clocks
        at the second and leased its rows until before it: the sweep never ended
        (review s57R5 F01)."""
        require_aware(now, "now")
        cal = self.calendar
        first, last = cal.years
        year = now.astimezone(cal.tz).year
        if not first <= year <= last:
            # past the end: what came due after it waits for a longer calendar, or,
            # where the pack refuses the years the holiday source lacks (调休), for
            # those years typed in: raising last_year changes nothing (review s54R1 F02)
            years = f"{first}-{last} in {cal.tz.key}"
            refused = [y for y in range(last + 1, year + 1) if y in cal.uncovered_years]
            later = sorted(y for y in cal.uncovered_years if y > last)
            if year > last and later:
                years += (  # as WorkingCalendar words its years
                    f"; {_years_span(later)} refused: the holiday source has no make-up-day"
                    " (调休) data there and the rule pack refuses such deadlines"
                )
            if year > last and later and year > self.pack.calendar.last_year:
                # past the pack's last_year too: both fixes are needed, and the years
                # refused before it are named (review s54R10 F06)
                raise InvalidInputError(
                    "now",
                    f"outside the calendar's years ({years}); the calendar ends on"
                    f" {last}-12-31 until {_years_span(later)}'s days are typed into"
                    " [[calendar.by_year]] of the rule pack and its [calendar] last_year"
                    f" extended to {year}",
                )
            if year > last and later:
                raise InvalidInputError(
                    "now",
                    f"outside the calendar's years ({years}); the calendar ends on"
                    f" {last}-12-31 until {_years_span(refused)}'s days are typed into"
                    " [[calendar.by_year]] of the rule pack",
                )
            if year > last and self._other_years() and self._calendar_from_hook:
                raise InvalidInputError(  # the pack's last_year is not it
                    "now",
                    f"outside the calendar's years ({years}); the calendar"
                    f" {CALENDAR_HOOK} supplied ends on {last}-12-31: extend the years"
                    " it builds",
                )
            if year > last and self._other_years():  # Desk(calendar=...): the host's
                raise InvalidInputError(
                    "now",
                    f"outside the calendar's years ({years}); the calendar given to the"
                    f" desk ends on {last}-12-31: extend its years",
                )
            if year > last:
                raise InvalidInputError(
                    "now",
                    f"outside the calendar's years ({years}); extend the rule pack's"
                    " [calendar] last_year",
                )
            raise InvalidInputError("now", f"outside the calendar's years ({years})")
        return as_instant(now)

    def _require_in_calendar(self, received_at: datetime) -> None:
        """DL-1..3: a complaint received before the calendar's first year has no
        deadline the desk could compute; refused naming ``received_at`` (an old
        row of an imported history, a mistyped year), before anything is linked."""
        cal = self.calendar
        first = cal.years[0]
        if received_at.astimezone(cal.tz).year < first and self._other_years():
            if self._calendar_from_hook:
                raise InvalidInputError(
                    "received_at",
                    f"is before the calendar's first year {first} ({cal.tz.key}): no"
                    " deadline can be computed; extend the years of the calendar"
                    f" {CALENDAR_HOOK} supplied",
                )
            raise InvalidInputError(  # Desk(calendar=...) (review s56R3 F05)
                "received_at",
                f"is before the calendar's first year {first} ({cal.tz.key}): no deadline"
                " can be computed; extend the years of the calendar given to the desk",
            )
        if received_at.astimezone(cal.tz).year < first:
            raise InvalidInputError(
                "received_at",
                f"is before the calendar's first year {first} ({cal.tz.key}):"
                " no deadline can be computed; lower the rule pack's [calendar] first_year",
            )

    @property
    def calendar_warnings(self) -> tuple[str, ...]:
        """What the command line's ``show`` and ``sweep`` print before their output.

        A calendar covering years whose make-up days (调休) the holiday source
        lacks says so here (as it did once, as a ``HolidayDataWarning``, when it
        was built): deadlines there are computed without the official
        arrangement, or refused, as the rule pack's ``uncovered_years`` says.  A
        calendar built from another region's holidays than the pack names (a
        Scottish calendar on an England pack) says so too.
        """
        found = self.calendar.coverage_warning()
        notes = [f"calendar: {found}"] if found else []
        return (*notes, *_other_region(self.calendar, self.pack))

    def calendar_warnings_at(self, now: datetime, *instants: datetime | None) -> tuple[str, ...]:
        """The calendar warnings that matter at ``now`` for deadlines at ``instants``.

        The make-up-day (调休) coverage warning when ``now`` or an instant falls in
        a year the holiday source lacks; another region's holidays; and, in the
        calendar's last year, that it ends, a year ahead: deadlines past its end
        cannot be computed, so complaints whose clocks reach them are refused at
        intake and reported failed by :meth:`sweep`.
        """
        require_aware(now, "now")
        for i, t in enumerate(instants):
            if t is not None:
                require_aware(t, f"instants[{i}]")
        cal = self.calendar
        uncovered = cal.uncovered_years
        notes = list(_other_region(cal, self.pack))
        last = cal.years[1]
        in_last_year = now.astimezone(cal.tz).year == last
        refused = any(y > last for y in uncovered)  # ends where the pack refuses to guess
        reached = any(
            t is not None and t.astimezone(self.zone).year in uncovered for t in (now, *instants)
        )
        if reached or (in_last_year and refused):  # the coverage note names by_year
            notes.insert(0, f"calendar: {cal.coverage_warning()}")
        if in_last_year and not refused:  # past it, ``now`` itself is refused
            ends = (
                f"calendar: the working calendar ends with {last} ({cal.tz.key}): deadlines "
                f"in working time after 31 December {last} cannot be computed, so complaints "
                f"whose working-time clocks reach them are refused and sweeps report them "
                f"failed; from 1 January {last + 1} "
            )
            if self._other_years() and self._calendar_from_hook:  # not the pack's to extend
                notes.append(  # (review s55R2 F01)
                    f"{ends}no sweep runs, and deadlines in clock time or months after it are"
                    " acted on once the calendar is extended; extend the years of the"
                    f" calendar {CALENDAR_HOOK} supplied"
                )
            elif self._other_years():  # Desk(calendar=...) (review s56R3 F05)
                notes.append(
                    f"{ends}no sweep runs, and deadlines in clock time or months after it are"
                    " acted on once the calendar is extended; extend the years of the"
                    " calendar given to the desk"
                )
            else:
                notes.append(
                    f"{ends}no sweep runs, and deadlines in clock time or months after it are"
                    " acted on once the calendar is extended; extend the rule pack's"
                    " [calendar] last_year"
                )
        return tuple(notes)

    def _other_years(self) -> bool:
        """Whether the calendar has other years than the pack's ``[calendar]``: a host's
        (given as ``Desk(calendar=...)`` or by ``complaintcore_get_calendar``), whose
        end is the host's to extend; raising the pack's ``last_year`` changes nothing
        (review s55R2 F01).  Years alone are compared, as the clocks' refusals do, so
        the two give the same advice (review s56R3 F05)."""
        spec = self.pack.calendar
        return self.calendar.years != (spec.first_year, spec.last_year)

    def __enter__(self) -> Desk:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def get(self, complaint_id: str) -> Complaint:
        """The stored complaint.  An id that is not non-empty text (a request body's
        ``null``, ``5`` or ``["C-1"]``) is an :class:`InvalidInputError` naming
        ``complaint_id`` on every store, before the store is asked (review s50F F01).

        :raises UnknownComplaintError: no complaint has this id.
        """
        return self.store.load(check_id(complaint_id))

    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        """The complainant of each stored complaint of ``complaint_ids`` (the others
        left out): what masking many rows needs (PRV-1), read without the histories
        where the store can (:class:`~complaintcore.desk.ports.ComplainantStore`)."""
        store = self.store
        if isinstance(store, ComplainantStore):
            return store.complainants(complaint_ids)
        found: dict[str, Complainant] = {}
        for cid in check_id_list(complaint_ids):
            with contextlib.suppress(UnknownComplaintError):
                found[cid] = store.load(cid).intake.complainant
        return found

    def issue_complainants(self, complaint: Complaint) -> tuple[Complainant, ...]:
        """HDL-5, PRV-1: the complainants of the other complaints of every concentrated
        issue ``complaint`` has been part of (:func:`~complaintcore.core.concentration.issue_links`:
        the members its history names, and each issue's members now), in that order.

        A text given to the whole issue (``explain_all``'s explanation, any command
        :meth:`act_on_issue` runs) is copied into each member, so what masks a
        member's texts masks these people too (:func:`masked_record`'s ``others``).
        None for a complaint never grouped, without reading the store."""
        return self._fellows.of(complaint)

    def clocks(self, complaint_id: str, now: datetime) -> tuple[ClockStatus, ...]:
        return compute_clocks(self.get(complaint_id), self.pack, self.calendar, now)

    def grade_due(self, complaint_id: str, now: datetime) -> GradeAssessment | None:
        """GRD-2, DL-6: the grade the rules give an open valid complaint at ``now`` when
        it is above the grade recorded, or None when the recorded grade stands.

        A complaint a month past its receipt unresolved is major from that moment
        (as the month report counts it), but the stored grade, and the ``list``
        rows and ``--grade`` filter, change only when a sweep or the next command
        records the upgrade: ``show`` names the grade due meanwhile (review s56R2
        F02)."""
        return grade_due(self.get(complaint_id), self.pack, now)

    def duties(self, complaint_id: str, now: datetime) -> tuple[DutyStatus, ...]:
        """What the pack's duties stand at for this complaint at ``now`` (DL-5, REC-2, IN-6 …).

        Each has its clock (state, due, derivation), its owner and the command
        that discharges it; ``owed`` ones are started and not yet done.
        """
        return compute_duties(self.get(complaint_id), self.pack, self.calendar, now)

    def measures(self, complaint_id: str, now: datetime) -> tuple[MeasureStatus, ...]:
        """IMP-1: the complaint's corrective and preventive measures at ``now``.

        Each has its owner, due date and clock (running, at risk, overdue, done
        in time or late); ``owed`` ones are not done yet, closed complaint or not.
        """
        return compute_measures(self.get(complaint_id), self.pack, self.calendar, now)

    def outstanding_sanction(
        self, complaint_id: str, now: datetime | None = None
    ) -> OutstandingSanction | None:
        """PEN-1, PEN-2: the sanction of the complaint's grade when it is not recorded
        (none yet, or only a lighter one of a lower grade: its grade rose after the
        sanction), with the one recorded; ``None`` otherwise (see
        :func:`~complaintcore.core.accountability.outstanding_sanction`).  What
        ``show`` says, and what ``report --staff`` lists (review s46L L02).  With
        ``now``, of the grade due at ``now`` (:meth:`grade_due`), as both of them
        give it (review s56R6 F03)."""
        return outstanding_sanction(self.get(complaint_id), self.pack, now)

    def issue(self, issue: str) -> list[ComplaintRow]:
        """HDL-5: the complaints linked to a concentrated issue, oldest first."""
        if not isinstance(issue, str) or not issue.strip():
            raise InvalidInputError("issue", "expected the id of a concentrated issue")
        return self.store.issue_rows(issue)

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
        """Projection rows matching every filter given; see :meth:`ComplaintStore.rows`.

        ``rows(status=Status.IN_HANDLING)`` and ``rows(status="in_handling")`` are
        the same query; ``rows(status="closedd")`` is an
        :class:`~complaintcore.core.errors.InvalidInputError` naming ``status``.
        ``overdue_at=now`` keeps the complaints with a clock breached and still open
        at ``now`` (DL-7), longest overdue first, read from the rows' ``breach_due``:
        rows stored before schema 15 (SQLite; 13 on PostgreSQL) carry their time
        received until the first sweep after the upgrade rewrites them, so check
        :meth:`clocks` to be sure, as ``list --overdue`` does.
        """
        wanted: dict[str, Any] = {} if overdue_at is None else {"overdue_at": overdue_at}
        return self.store.rows(
            status=status,
            grade=grade,
            site=site,
            department=department,
            category=category,
            channel=channel,
            handler=handler,
            issue=issue,
            due_before=due_before,
            received_from=received_from,
            received_until=received_until,
            limit=limit,
            order=order,
            **wanted,
        )

    def verify(
        self, now: datetime | None = None, *, expect: str | None = None, since: str | None = None
    ) -> VerifyReport:
        """The store's integrity check and, given ``now``, every complaint replayed.

        The store checks every hash chain, the ledger, the outbox, keys and
        creation times (``expect``: a ledger head kept from earlier, ``seq:hash``,
        which must still be on the ledger).  With ``now`` each complaint is then
        replayed under the desk's pack and calendar and its projection row
        compared with what the history gives: a status, handler or rung edited
        in the row, or a due time moved later (or cleared) so that the sweep
        would pass it by, is a problem naming the complaint and the fields, and
        so is a category, rung or department the pack no longer has.  So
        is a sweep lease ending later than ``now`` plus the longest a claim takes
        (:data:`~complaintcore.desk.ports.MAX_SWEEP_LEASE`), looked for on every
        complaint with a due time, by one query, incremental or not.

        ``since``, the head of an earlier clean check, makes it incremental:
        only what was committed after that head is checked, and only the
        complaints those commits touched are replayed (``report.rechecked``).
        A complaint left untouched since is not read at all, so an edit to it
        is found by the full check alone: run one periodically.

        On a :class:`~complaintcore.desk.ports.SnapshotStore` everything is read
        as of one moment, so commits made meanwhile (an import, a sweep) are no
        problem; on another store, run the full check when nothing writes.
        """
        if now is not None:
            now = self._require_now(now)
        if isinstance(self.store, SnapshotStore):
            with self.store.snapshot():
                return self._verify(now, expect, since)
        return self._verify(now, expect, since)

    def _verify(self, now: datetime | None, expect: str | None, since: str | None) -> VerifyReport:
        if since is None:
            report = self.store.verify(expect=expect)
        else:
            report = self.store.verify(expect=expect, since=since)
        if now is None:
            return report
        ids = report.rechecked if report.incremental else None
        queued = self._last_queued(report.since)
        problems = list(report.problems) + self._projection_problems(now, ids, queued)
        problems = list(dict.fromkeys(problems))  # a version unreadable: named by both
        if isinstance(self.store, HealthStore):  # one query over the due rows
            problems += [
                f"complaint {cid}: sweep lease ends later than any sweep takes one"
                " (swept_until edited, or a sweeper's clock far ahead)"
                for cid in self.store.overlong_leases(now)
            ]
        if isinstance(self.store, ClaimHealthStore):  # one query over the waiting items
            problems += [
                f"outbox item {item_id}: claimed until later than any send or hold of this"
                " desk keeps it (claimed_until edited, or the [retry] or [delivery] settings"
                " or a channel's timeout shortened since); 'complaintcore deliver' and"
                " 'outbox retry' or 'outbox drop' take it as unclaimed"
                for item_id in self.store.overlong_claims(self._longest_claim())
            ]
        if isinstance(self.store, RetryHealthStore):  # one query over the waiting items
            problems += [
                f"outbox item {item_id}: due later than any retry of this desk puts it"
                " (next_attempt_at edited, or the [retry] settings or a channel's timeout"
                " shortened since); 'complaintcore outbox retry' makes it due now"
                for item_id in _overlong_retries(self.store, self._longest_wait(), now)
            ]
        cells = getattr(self.store, "unreadable_retries", None)  # the built-in stores
        if callable(cells):  # a retry cell edited: named, not a traceback (s54R14 F03)
            from complaintcore.adapters.chain import unreadable

            problems += [unreadable(f"outbox item {i}", column) for i, column in cells()]
        problems = list(dict.fromkeys(problems))  # a created_at named by the ledger too
        return attrs.evolve(report, problems=tuple(problems))

    def _claim_lease(self) -> timedelta:
        """How long a delivery pass claims a batch for: long enough for its sends."""
        timeout = self._sender.timeout
        return max(_LEASE, timedelta(seconds=2 * _CLAIM_BATCH * timeout)) if timeout else _LEASE

    def _longest_claim(self) -> timedelta:
        """The longest this desk keeps an outbox message claimed, from the moment it
        claims or holds it: a pass's lease, a listener hold, or the hold after a send
        it stopped waiting for (until the retry delay, or the send's longest run,
        has passed), with a lease's margin.  A claim ending later was taken by none
        of its senders (review s50P F03)."""
        in_flight = max((self._in_flight(n) for n in self.notifiers.values()), default=timedelta(0))
        held = timedelta(seconds=self.retry.max_delay_seconds) + in_flight
        return max(self._claim_lease(), LISTENER_HOLD, held) + _LEASE

    def _release_overlong(self, now: datetime, only: int | None = None) -> None:
        """Hand back, as lapsed, the claims no sender of this desk took
        (:meth:`_longest_claim`): a message claimed far ahead by hand is due again
        at ``now`` at the latest, and may be retried or dropped (review s50P F03)."""
        store = self.store
        if not isinstance(store, ClaimHealthStore) or not isinstance(store, OutboxStore):
            return
        for item_id in store.overlong_claims(self._longest_claim()):
            if only is not None and item_id != only:
                continue
            log.warning(
                "outbox item %d was claimed longer than any send of this desk keeps one"
                " (edited by hand?): taken as unclaimed ('complaintcore verify' names it)",
                item_id,
            )
            store.release(item_id, now)

    def reproject(self, now: datetime) -> list[str]:
        """Rewrite every projection row that differs from its history under this
        desk's pack and calendar (the rows ``verify(now)`` names, and those whose
        ``breach_due`` is earlier than the history's, as the schema upgrade that
        added it leaves open rows); the ids rewritten.
        A next sweep time already passed is no difference: the sweep finds it (the
        upgrade of a 0.1.0 file leaves open rows their time received as both times;
        their ``breach_due`` differs, so each is rewritten, review s34A F04).  An
        at-risk warning the change moves into the past, earlier than the row's time,
        is given at the row's time (before the deadline): a row does not tell
        whether a sweep already gave it.

        A row keeps the next sweep time the pack and calendar gave it until its
        complaint next changes, so after a change of the rule pack, the calendar
        or complaintcore a deadline brought forward would wait for the old time
        (and ``verify(now)`` names such rows).  A sweep on a store that keeps the
        rows' basis (:class:`~complaintcore.desk.ports.BasisStore`, the built-in
        stores) runs this itself when it finds the basis changed; on others, run it
        once after such a change.  Reads every complaint, as a full verify does; a
        complaint changed meanwhile wrote its own row.
        """
        now = self._require_now(now)
        rewritten: list[str] = []
        self._reproject_kept(now, rewritten)
        return rewritten

    def _basis(self) -> str:
        """:func:`projection_basis` of this desk's pack and calendar, kept while they are."""
        pack, calendar = self.pack, self.calendar
        kept = self._basis_memo
        if kept is None or kept[0] is not pack or kept[1] is not calendar:
            digest = projection_basis(pack, calendar, f"{__version__} rows {ROWS_REVISION}")
            kept = self._basis_memo = (pack, calendar, digest)
        return kept[2]

    def _follow_basis(self, now: datetime, rewritten: list[str]) -> None:
        """Before a sweep claims anything: rewrite the rows out of date when the pack,
        the calendar or complaintcore changed since they were brought up to date, or
        a process on other ones wrote rows since (DL-7); each row rewritten is added
        to ``rewritten`` as it is committed, so a failure part-way can say which."""
        store = self._basis_store
        if store is None:
            return
        kept = store.projection_basis()
        if kept == self._basis():
            return
        if kept is None:
            adopted = self._adopt_basis(store)
            if adopted:
                return  # a new tenant: every row written under this basis, none to read
            if adopted is None:  # (False: rows committed meanwhile, said so)
                log.info(
                    "no rule pack, calendar or complaintcore kept for the rows yet (a store"
                    " upgraded from before they were kept): reading every complaint once"
                    " to rewrite the rows out of date"
                )
        else:
            log.info(
                "rows written under another rule pack, calendar or complaintcore: reading"
                " every complaint once to rewrite the rows out of date"
            )
        self._reproject_kept(now, rewritten)

    def _note_created(self, complaints: Sequence[Complaint]) -> None:
        """Complaints this desk has just created, while the store keeps no basis yet."""
        created = self._created
        if created is None or self._basis_store is None:
            return
        basis = self._basis()
        for complaint in complaints:
            created[complaint.id] = basis

    def _adopt_basis(self, store: BasisStore) -> bool | None:
        """With no basis kept (``projection_basis()`` None): keep this desk's when every
        complaint the tenant holds is one this desk created under it -- a new tenant,
        whose rows nothing can have left out of date -- and say whether it did.  None
        then means "not known" only for a store upgraded from before the basis was
        kept, whose first sweep reads every complaint (review s57R6 F01).

        A process that commits while this runs either finds the basis kept and marks
        the rows mixed as usual, or committed before it was kept: the tenant is read
        again after keeping it, and rows this desk did not create mark it mixed
        (False).  None: not kept, the tenant holds complaints of unknown basis."""
        created = self._created
        if created is None:
            return None
        basis = self._basis()

        def only_mine() -> bool:
            # a copy: another thread's receive may add to it meanwhile
            mine = {cid for cid, under in tuple(created.items()) if under == basis}
            found = store.rows(limit=len(mine) + 1)
            return len(found) <= len(mine) and all(row.id in mine for row in found)

        if not only_mine():
            self._created = None  # written elsewhere too: the first sweep reads them
            return None
        store.keep_projection_basis(basis)
        self._created = None
        if not only_mine():
            store.keep_projection_basis(_MIXED)
            log.info(
                "another process committed complaints while a new tenant's rule pack,"
                " calendar and complaintcore were kept: every complaint is read once,"
                " by this sweep or the next, to rewrite the rows out of date"
            )
            return False
        log.debug("a new tenant: its rows' basis kept")
        return True

    def _reproject_kept(self, now: datetime, rewritten: list[str]) -> None:
        """Reproject, and keep this desk's basis if no process wrote rows under another
        meanwhile.  While it runs the store holds ``underway <basis> <token>``: a
        writer on another basis that commits meanwhile finds it and marks the rows
        mixed (:meth:`_mark_other_basis`), so the basis is not kept and the next sweep
        reads them again; the token tells this run's mark from another's."""
        store = self._basis_store
        if store is None:
            self._reproject(now, rewritten)
            return
        basis = self._basis()
        underway = f"{_UNDERWAY}{basis} {uuid.uuid4().hex}"
        store.keep_projection_basis(underway)
        self._reproject(now, rewritten)
        if not store.keep_projection_basis(basis, instead_of=underway):
            log.info(
                "rows were written under another rule pack, calendar or complaintcore"
                " while they were rewritten: the next sweep rewrites them"
            )
        if rewritten:
            log.info("rewrote %d projection rows out of date", len(rewritten))

    def _mark_other_basis(self) -> None:
        """After this process committed rows: if the desk's rows were last brought up
        to date (or are being) under another basis than this process's (it runs an
        old pack or calendar, or a new one before the next sweep), mark them mixed,
        so the next sweep rewrites what was written here (DL-7).  One indexed read."""
        store = self._basis_store
        if store is None:
            return
        try:
            kept = store.projection_basis()
            if kept is None:
                self._adopt_basis(store)
                return
            self._created = None  # a basis kept: nothing to adopt
            if kept == _MIXED or _basis_of(kept) == self._basis():
                return
            store.keep_projection_basis(_MIXED)
        except ComplaintCoreError as exc:  # the commit stands: the sweep after the next finds it
            if isinstance(exc, ClosedError) or self._closing.is_set():
                # closed by another thread (a shutdown) since the commit: expected,
                # and a desk opened again marks its own commits (review s48D F01)
                log.debug("rows written under another basis left unmarked: %s", exc)
            else:
                log.error("could not mark the rows written under another basis: %s", exc)
            return
        log.info(
            "this process computes deadlines under another rule pack, calendar or"
            " complaintcore than the desk's rows were last brought up to date under:"
            " the next sweep rewrites the rows out of date (restart processes on old ones)"
        )

    def _reproject(self, now: datetime, rewritten: list[str]) -> None:
        """Rewrite the rows out of date, each added to ``rewritten`` once committed."""
        queued = self._last_queued()
        for stored in self._stored_rows(None):
            try:
                complaint = self.store.load(stored.id)
            except ComplaintCoreError as exc:
                if store_failed(exc):  # a failed read is no row found in order
                    raise
                continue  # damaged: verify names it
            try:
                # only the rows verify names: a due time already passed (or earlier
                # than the history's) only makes a sweep look early, and a sweep's
                # row past the warnings it gave is no row out of date (DL-7)
                at = _judged_at(complaint, now, queued)
                expected = self._projection.row(complaint, at, swept=True)
                # ESC-2: one held by nobody after an escalation is made due, so the
                # sweep tries to route it once under the new basis; IN-5: so is one
                # whose handover an earlier release's escalation left out
                unheld = (
                    held_by_nobody(complaint)
                    or self._projection.handover_left_out(complaint, at) is not None
                )
                if not _out_of_date(stored, expected, at, unheld=unheld):
                    continue
                # the row as it is now: another writer may have written it since the
                # listing was read (a sweep's escalation, whose history was loaded here)
                current = self.store.row(complaint.id)
                if current.version != complaint.version or not _out_of_date(
                    current, expected, at, unheld=unheld
                ):
                    continue
                row = self._projection.row(complaint, now)
            except ComplaintCoreError as exc:  # a rung the pack no longer has: verify names it
                if store_failed(exc):  # the row read again failed: no rows rewritten in order
                    raise
                log.error("reproject: complaint %s skipped: %s", complaint.id, exc)
                continue
            try:
                self.store.append(complaint.id, complaint.version, (), row, [])
            except ConcurrencyConflictError:
                continue
            rewritten.append(complaint.id)

    def _stored_rows(
        self, ids: Sequence[str] | None, damaged: list[str] | None = None
    ) -> Iterator[ComplaintRow]:
        """The projection rows of ``ids`` (every one for ``None``); a row edited so
        that it cannot be read is left out, its problem added to ``damaged``."""
        if ids is None:
            try:
                rows = self.store.rows()
            except DamagedRecordError:  # one row edited by hand: read them one by one
                ids = self._every_id()
            else:
                yield from rows
                return
        for cid in ids:
            try:
                yield self.store.row(cid)
            except UnknownComplaintError:  # gone: the store's check names it
                continue
            except DamagedRecordError as exc:  # review s41E F02: name it, check the rest
                if damaged is not None:
                    from complaintcore.adapters.chain import unreadable

                    damaged.append(unreadable(f"complaint {cid}", exc.what))

    def _every_id(self) -> list[str]:
        """Every complaint's id, for reading the rows one by one; a history damaged
        as well ends the list there (the store's check names it: verify fails)."""
        found: list[str] = []
        with contextlib.suppress(DamagedRecordError):
            found.extend(c.id for c in self.store.complaints())
        return found

    def _last_queued(self, since: str = "") -> Mapping[str, datetime]:
        """The latest time a message was queued for each complaint, from a store that
        says so (:class:`MessageTimesStore`), of the commits from the head ``since``
        on (an incremental check's) or of all; empty from others."""
        if not isinstance(self.store, MessageTimesStore):
            return {}
        seq = int(since.split(":", 1)[0]) if since else 0
        return self.store.last_queued(max(seq - 1, 0))  # the entry `since` names too

    def _projection_problems(
        self,
        now: datetime,
        ids: Sequence[str] | None = None,
        queued: Mapping[str, datetime] | None = None,
    ) -> list[str]:
        problems: list[str] = []
        claims: dict[str, LinkClaims] = {}  # issue -> what its members say it holds
        rule = self.pack.concentration
        for stored in self._stored_rows(ids, problems):
            try:
                complaint = self.store.load(stored.id)
            except ComplaintCoreError as exc:
                if store_failed(exc):  # a complaint not read is not a clean one
                    raise
                # not replayed is not checked: name it (review s45G F02)
                problems.append(f"complaint {stored.id}: cannot be read: {_unread(exc)}")
                continue
            at = _judged_at(complaint, now, queued or {})
            try:
                if complaint.state.category:  # renamed in an upgrade: grading would refuse
                    complaint.category_in(self.pack)
                # the latest due time a writer may have stored: a sweep's, past what
                # it warned of (an earlier one only makes a sweep look early)
                fields = row_differs(stored, self._projection.row(complaint, at, swept=True))
            except ComplaintCoreError as exc:  # e.g. a rung or category the pack no longer has
                problems.append(
                    f"complaint {stored.id}: cannot be replayed under pack {self.pack.name}: {exc}"
                )
                continue
            if fields:
                problems.append(
                    f"complaint {stored.id}: projection row differs from its history"
                    f" ({', '.join(fields)})"
                )
            problems += self._stranded_department(complaint)
            note_claims(claims, complaint, rule)
        return problems + self._owed_links(claims, now)

    def _owed_links(self, claims: Mapping[str, LinkClaims], now: datetime) -> list[str]:
        """HDL-5, HDL-6: the members an issue's ``Grouped`` events named that it does not
        hold, or not as a group incident, and that linking would still change: a
        process stopped between a batch's commit and its linking (killed, the host
        restarted) leaves them (review s57R3 F01); ``verify --relink`` links them.
        One indexed query per issue the checked complaints are in."""
        owed = self._grouper.owed_by_claims(claims, now)
        return [
            f"complaint {shown_id(cid)}: not linked to issue {shown_issue(issue)} (or not"
            " flagged a group incident) though its members' Grouped events name it: the"
            " linking after an intake stopped; 'verify --relink' links it"
            for issue, members in owed.items()
            for cid in members
        ]

    def left_unlinked(
        self, complaints: Sequence[Complaint], now: datetime
    ) -> dict[str, tuple[str, ...]]:
        """HDL-5, HDL-6: the members the issue decisions of ``complaints`` (just
        stored) named that their issues do not hold, or not as a group incident,
        and that :meth:`relink` would link, by issue; read only.  An import
        interrupted between its batch's commit and the batch's linking names them
        (review s58R2 F02).  One indexed query per issue."""
        return self._grouper.owed(complaints, self._require_now(now))

    def relink(self, now: datetime, ids: Sequence[str] | None = None) -> list[str]:
        """HDL-5, HDL-6: link the members :meth:`verify` names as not linked to the
        issue their fellows' ``Grouped`` events name (a batch's linking stopped by a
        kill or a restart, review s57R3 F01), as the intake would have, with their
        messages queued for ``deliver``; the ids linked.  ``ids``: the complaints to read (those an
        incremental check rechecked); ``None`` reads every one, as a full check
        does.  Idempotent, and the same as running the file again."""
        now = self._require_now(now)
        claims: dict[str, LinkClaims] = {}
        rule = self.pack.concentration
        for stored in self._stored_rows(ids):
            try:
                note_claims(claims, self.store.load(stored.id), rule)
            except ComplaintCoreError as exc:
                if store_failed(exc):
                    raise
        linked: set[str] = set()
        for issue in self._grouper.owed_by_claims(claims, now):
            complaints = [self.store.load(cid) for cid in claims[issue].ids]
            done, left = self._grouper.link_left_out(complaints, now, deliver=False)
            linked |= done
            if left:
                raise next(iter(left.values()))
        return sorted(linked)

    def _stranded_department(self, complaint: Complaint) -> list[str]:
        """CLS-3: a department the upgraded pack renamed or removed, named as a stranded
        category or rung is (review s42B F05): nothing refuses it, yet nobody can act
        for it and the sweep reports the old code late (ESC-6)."""
        code = complaint.state.department
        if not code or self.pack.has_department(code):
            return []
        return [
            f"complaint {complaint.id}: department {shown_code(code)} is not among the"
            f" departments of pack {self.pack.name} (renamed or removed?): assign it to"
            " one of them"
        ]

    def monthly_report(
        self,
        year: int,
        month: int,
        *,
        now: datetime,
        lang: str = "en",
        warning_rule: EarlyWarning | None = None,
        repeat_rule: RepeatRule | None = None,
    ) -> MonthlyReport:
        """IMP-2, IMP-3, IMP-4: :func:`~complaintcore.core.stats.monthly_report` of this
        desk, reading the month's own rows rather than every complaint stored.

        A store that is a :class:`~complaintcore.desk.ports.ReportStore` (the
        built-in ones are) gives the month's complaints, those of the repeat
        window and counts of the baseline months; the figures are the same as
        a pass over every complaint (see :mod:`complaintcore.desk.reports`).
        """
        from complaintcore.desk.reports import monthly_report

        return monthly_report(
            self,
            year,
            month,
            now=now,
            lang=lang,
            warning_rule=warning_rule,
            repeat_rule=repeat_rule,
        )

    def staff_report(self, year: int, month: int, *, now: datetime) -> StaffReport:
        """PEN-1, PEN-2: :func:`~complaintcore.core.staff_report.staff_report` of this
        desk, reading only complaints received before the month ends whose latest
        event is in the month or later (a :class:`~complaintcore.desk.ports.ReportStore`
        finds them from its rows); the table is the same as a pass over every
        complaint."""
        from complaintcore.desk.reports import staff_report

        return staff_report(self, year, month, now=now)

    def view(
        self,
        complaint_id: str,
        actor: str,
        *,
        now: datetime | None = None,
        purpose: str = "",
        via: str = "desk.view",
        os_user: str = "",
    ) -> dict[str, Any]:
        """A complaint as ``actor`` may see it (PRV-1, PRV-2).

        Outsiders (not in the directory, or of another site) and the person the
        complaint is about get nothing; staff who need not see personal data get
        it masked.  ``actor`` is matched as the directory's ids are (case, width
        and spaces folded).  A view that shows personal data unmasked is recorded
        in the access log first (who, ``now``, which complaint, ``purpose``, how
        -- ``via`` -- and the operating-system user when known), so it needs
        ``now``; see :meth:`access_log`.  The log holds no personal data: the
        complainant's name, phone and room, and any phone number or e-mail
        address, are masked in ``purpose`` as in a masked view's free text
        (``"回访王小明"`` is kept as ``"回访王**"``).
        """
        from complaintcore.serialization import complaint_to_dict

        complaint = self.get(complaint_id)
        self._staff_directory.reread_if_changed()  # review s48K F01
        member = self.member(actor)
        site = complaint.intake.site or complaint.intake.complainant.site
        if (
            member is None
            or not member.works_at(site)
            or access.is_target(member, complaint)
            # IN-6: not given to the site it went around before the complainant consents
            or access.bypassed_site(member, complaint, self.pack)
        ):
            shown = access.shown_actor(actor, member)
            raise AccessDeniedError(complaint_id, shown, "view", "no authority to see this record")
        data = self._without_bypassing(complaint_to_dict(complaint), complaint, member)
        if not access.sees_personal_data(member, complaint, self.pack):
            return masked_record(
                data,
                self.pack,
                others=self.issue_complainants(complaint),
                sites=self.known_sites(),
            )
        if now is None:
            raise InvalidInputError(
                "now", "an unmasked view is recorded in the access log: give the time"
            )
        if isinstance(purpose, str):  # PRV-1: auditors need not see whom it was about
            person = complaint.intake.complainant
            purpose = redact(purpose, also=(person.name, person.phone, person.room))
        self.store.record_access(
            AccessRecord(
                at=require_aware(now, "now"),
                actor=member.staff_id,
                complaint_id=complaint.id,
                purpose=purpose,
                via=via,
                os_user=os_user,
            )
        )
        return data

    def _without_bypassing(
        self, data: dict[str, Any], complaint: Complaint, member: StaffMember
    ) -> dict[str, Any]:
        """IN-6: the complaints a site member's view links to (repeats, an issue's
        members) leave out those filed straight with head office that still wait for
        the complainant's consent: the link is recorded, and shown once it is given.
        Read only for a view that links to any."""
        if access.is_head_office(member, self.pack) or member.site in ("*", ""):
            return data
        named = {
            cid
            for ev in data["events"]
            for key in _LINK_KEYS
            for cid in _ids(ev.get(key))
            if cid != complaint.id
        }
        hidden = set()
        for cid in named:
            try:
                other = self.store.load(cid)
            except UnknownComplaintError:
                continue
            if access.bypassed_site(member, other, self.pack):
                hidden.add(cid)
        if not hidden:
            return data
        for ev in data["events"]:
            for key in _LINK_KEYS:
                value = ev.get(key)
                if isinstance(value, list):
                    ev[key] = [cid for cid in value if cid not in hidden]
                elif isinstance(value, str) and value in hidden:
                    ev[key] = ""
        return data

    def access_log(
        self,
        *,
        complaint_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AccessRecord]:
        """Who saw which complaint's personal data unmasked, when and why (PIPL-style
        "who saw what"), oldest first; every filter given must match."""
        return self.store.access_log(
            complaint_id=complaint_id, actor=actor, since=since, until=until, limit=limit
        )

    # ------------------------------------------------------------------ dead letters

    def dead_letters(self, limit: int = 100) -> list[OutboxItem]:
        """Messages given up after ``retry.max_attempts`` and not dropped, oldest first."""
        return self.store.dead_letters(self.retry.max_attempts, limit)

    def retry_message(self, item_id: int, now: datetime) -> None:
        """Send an undelivered message again (its attempts counted afresh), soon.  A
        claim no sender of this desk took (one edited far ahead) does not stop it."""
        self._release_overlong(now, item_id)
        self.store.retry_item(item_id, now)
        self._wake_delivery()

    def drop_message(
        self, item_id: int, now: datetime, reason: str, *, actor: str = "", os_user: str = ""
    ) -> None:
        """Give an undelivered message up for good, with the reason; it stays on
        record with who dropped it: the staff id ``actor`` and the operating-system
        user (REC-5); ``verify`` finds a drop the library did not record.  A claim no
        sender of this desk took (one edited far ahead) does not stop it.  The
        reason (one line, at most 500 characters) is checked before the message is
        touched: :class:`InvalidInputError` on ``reason``."""
        from complaintcore.adapters.chain import check_reason

        reason = check_reason(reason)
        self._release_overlong(now, item_id)
        self.store.drop_item(item_id, now, reason, actor=actor, os_user=os_user)

    # ------------------------------------------------------------------ identity

    def member(self, staff_id: str) -> StaffMember | None:
        """The staff member ``staff_id`` names, ids folded for case, width and spaces.

        ``None`` for an unknown id and for the reserved ``system``.
        """
        return access.resolve(self._staff_directory, staff_id)

    def known_sites(self) -> frozenset[str]:
        """Sites intake accepts: those staff work at, and those the config lists.

        Empty when neither names a site (a desk for one site): then any is taken.
        """
        members = self._staff_directory.members()
        cached = self._directory_index
        if cached is None or not same_staff(cached[0], members):
            found = frozenset(m.site for m in members if m.site not in ("*", ""))
            cached = self._directory_index = (members, found)
        return cached[1] | self.sites

    def _admit(self, intake: Intake, actor: str | None) -> tuple[Intake, str]:
        """The intake as the desk records it: texts cleaned and checked against the
        limits, a receiver required (IN-2, REC-5), the receiver and the person
        complained about resolved against the directory, the site checked.  Returns
        it with the acting staff id."""
        if not isinstance(intake, Intake):
            raise InvalidInputError("intake", f"expected Intake, got {type(intake).__name__}")
        intake = clean_record(intake, self.limits)
        # IN-2, REC-5: named as the field the caller filled, whoever acts (review s52R12 F01)
        require_received(intake, self.pack.phone_regions, self.pack.room_style)
        changes: dict[str, Any] = {}
        receiver = self.member(intake.receiver)
        if receiver is not None and receiver.staff_id != intake.receiver:
            changes["receiver"] = receiver.staff_id
        unit = self._unit_code(intake.receiver_unit, receiver)  # empty: filled at intake
        if unit != intake.receiver_unit:
            changes["receiver_unit"] = unit
        if intake.target is not None:
            changes["target"] = self._resolve_target(intake.target)
        site = intake.site or intake.complainant.site
        known = self.known_sites()
        if site and known and site not in known:
            raise InvalidInputError(
                "site", "unknown site; expected one of " + ", ".join(sorted(known))
            )
        if changes:
            intake = attrs.evolve(intake, **changes)
        if actor is None:
            acting = intake.receiver
        else:
            found = self.member(actor)
            acting = found.staff_id if found is not None else actor
        return intake, acting

    def _require_bypass_right(self, intake: Intake, acting: str) -> None:
        """IN-6: a new complaint asked for as sent straight to head office
        (``via_head_office``) is refused when a site's staff member took it (review
        s54R12 F02).  Checked only once the idempotency key found nothing stored: a
        retried or re-imported submission is returned as stored (re-review s54R17
        F01).  A receiver the directory does not know is judged by the member
        registering it, ``acting``: one who works at a site is refused; head
        office's staff may name a head-office line or mailbox (re-review s54R17
        F02)."""
        if not intake.via_head_office or not self.pack.head_office_unit:
            return
        receiver = self.member(intake.receiver)
        if receiver is not None:
            _require_head_office_receiver(receiver, self.pack)
            return
        registering = self.member(acting) if acting else None
        if registering is not None and not _at_head_office(registering, self.pack):
            raise InvalidInputError(
                "via_head_office",
                "the receiver is not in the staff directory and the staff member "
                f"registering it works at site {registering.site}, not at head office: "
                "a complaint a site's staff took did not skip the site; name head "
                "office's receiver who took it, or leave via_head_office out (IN-6)",
            )

    def _received_elsewhere(self, intake: Intake, registering: StaffMember | None) -> bool:
        """IN-5: whether the receiver works at another site than the complaint's, so
        that their unit, another site's customer service included, is "any other
        unit": the complaint must still reach its own site's customer service, which
        hears of it as of any unit's receipt (review s54R12 F05).  Judged as IN-6
        judges a site's staff (:func:`_at_head_office`): head office's unit and
        staff over every site (``*``) are at every site.  A receiver the directory
        does not know is judged by the member registering it; neither known, no."""
        site = intake.site or intake.complainant.site
        member = self.member(intake.receiver) or registering
        if member is None or not site:
            return False
        return not (member.works_at(site) or _at_head_office(member, self.pack))

    def _unit_code(self, given: str, receiver: StaffMember | None) -> str:
        """IN-2, IN-5: a unit named as the receiver's is one the pack knows (or the
        receiver's own), so a misspelt unit cannot pass for another and hide the 24
        hours to customer service; one named by its label (``客服部``, as the tables
        show it) is that unit's code.  Left empty, it is the receiver's department
        (:meth:`_intake`)."""
        pack = self.pack
        if not given or given == pack.head_office_unit or pack.has_department(given):
            return given
        if receiver is not None and given == receiver.department:
            return given
        code = pack.code_for("unit", given)
        if code is None:
            units = ", ".join(sorted(set(pack.codes_of("unit"))))  # head office is one
            raise InvalidInputError("receiver_unit", "unknown unit; expected one of " + units)
        return code

    def _resolve_target(self, target: TargetPerson) -> TargetPerson:
        """CLS-4, ESC-4: the person complained about as the directory knows them.

        Their rung and department come from the directory, never from input, so
        the complaint is routed above them; an id the directory does not know is
        refused, so no one can be the accused without being kept away from it.
        """
        member = self.member(target.staff_id)
        if member is None:
            raise InvalidInputError(
                "target.staff_id",
                "not in the staff directory; name the person by their staff id",
            )
        return TargetPerson(
            staff_id=member.staff_id,
            rung=member.rung,
            role=target.role or member.role,
            department=member.department,
        )

    # ------------------------------------------------------------------ receiving

    def receive(
        self,
        intake: Intake,
        *,
        now: datetime,
        actor: str | None = None,
        complaint_id: str | None = None,
        route: bool = True,
        validity: Validity | str | None = None,
    ) -> Complaint:
        """Register a complaint (IN-2, IN-4, REC-1), classify it and route it.

        Idempotent on ``intake.idempotency_key``: a retried submission returns the
        stored complaint and writes nothing, but for the members of its
        concentrated issue a store failure left unlinked when it was received,
        linked now, once (HDL-5, HDL-6; review s46L L01); a key already used for
        different content is an
        :class:`~complaintcore.core.errors.IdempotencyConflictError`.
        ``validity`` records an outcome already known (importing a verified log):
        the receiver assesses it, and a valid complaint is graded at once (VAL-1,
        GRD-1).  Notifications are only queued in the outbox: :meth:`deliver` or
        a :class:`~complaintcore.desk.delivery.DeliveryWorker` sends them.

        The earlier complaints it repeats (GRD-2, IMP-3) or joins in an issue
        (HDL-5) are marked after it is stored, each in its own transaction.  A
        store failure there does not fail the receipt (the complaint is stored:
        an error would have it typed in again, twice): a WARNING names the
        complaints left unmarked, and the matter's or group's next complaint
        marks them; issue members left out are also linked by the same
        submission received again (:meth:`receive_each` says which).  A
        complaint of its group stored by another process meanwhile is grouped
        with it then (HDL-5, HDL-6; see
        :meth:`Grouper.group_raced <complaintcore.desk.grouping.Grouper.group_raced>`).
        """
        with self._told_committed():  # Ctrl-C after the commit: CommittedInterrupt
            return self._receive(intake, now, actor, complaint_id, route, validity)

    def _receive(
        self,
        intake: Intake,
        now: datetime,
        actor: str | None,
        complaint_id: str | None,
        route: bool,
        validity: Validity | str | None,
    ) -> Complaint:
        now = self._require_now(now)
        self._staff_directory.reread_if_changed()  # review s48K F01
        admitted, acting = self._admit(intake, actor)
        known = self._known_submission(admitted)
        if known is not None:
            self._grouper.link_left_out([known], now)  # HDL-5: what its receipt left out
            return known
        self._require_bypass_right(admitted, acting)  # IN-6: a new complaint only
        for draws in itertools.count(1):  # another id while the one drawn is taken
            draft = self._intake(admitted, now, acting, complaint_id, route, validity)
            with self._groups_locked([draft.complaint]):  # HDL-5, HDL-6: decided on all there is
                # IMP-3, GRD-2: the later raisings stored before it, read before it is
                # decided (customer service heard the counts they recorded: review s46G
                # F02) and linked again once it is stored
                later = self._find_later([draft.complaint])
                repeats = RepeatBatch(heard=dict(later.heard))
                repeated = self._repeats.repeat(draft, now, repeats)
                grouping = Grouping()
                links = self._grouper.group(draft, now, grouping)
                self._tell_receipt(draft, now)
                complaint = draft.complaint
                row = self._projection.row(complaint, now)
                self._committing(complaint)
                try:
                    stored, hold = self._create(complaint, row, draft.outbox)
                except InvalidInputError as exc:
                    if not _id_taken(exc):
                        raise
                    self._draw_again(complaint.id, complaint_id, draws)
                    continue
                if stored.id == complaint.id:  # not a retried submission
                    self._note_created([stored])
                    self._after_commit(
                        stored, draft.events, now, deliver=bool(draft.outbox), hold=hold
                    )
                    return self._settle(stored, links, repeated, later, grouping, now)
            break
        if not same_submission(stored.intake, admitted):
            raise IdempotencyConflictError(stored.id)
        self._grouper.link_left_out([stored], now)
        return stored

    def _draw_again(self, taken: str, given: str | None, draws: int) -> None:
        """After the store refused the new complaint's id ``taken`` as stored already:
        return to draw another, or raise.  An id the desk drew (or its ``id_factory``
        gave) meets another process's only by chance: the intake is not refused for it
        (review s48D F03), but a factory that gives taken ids ``_ID_DRAWS`` times is
        refused naming it.  ``given``: the id the host handed in, refused naming it."""
        if given is not None:
            raise DuplicateIdError("complaint_id")
        if draws >= _ID_DRAWS:
            raise DuplicateIdError("complaint.id" if self._own_ids else "id_factory")
        log.info("complaint id %s is taken already: drawing another", shown_id(taken))

    def _known_submission(
        self, intake: Intake, stored_keys: Collection[str] | None = None
    ) -> Complaint | None:
        """The stored complaint of a retried submission; a reused key is refused.

        ``stored_keys``: the batch's keys the store is known to hold (asked at once);
        a key not among them is not stored."""
        if not intake.idempotency_key:
            return None
        if stored_keys is not None and intake.idempotency_key not in stored_keys:
            return None
        known = self.store.find_by_key(intake.idempotency_key)
        if known is not None and not same_submission(known.intake, intake):
            raise IdempotencyConflictError(known.id)
        return known

    def _stored_keys(self, keys: Sequence[str]) -> Collection[str] | None:
        """Which of a batch's idempotency keys the store holds, asked at once where
        the store can (None: ask for each)."""
        keys = [k for k in keys if k]
        if len(keys) < 2 or not isinstance(self.store, BatchIntakeStore):
            return None
        try:
            return self.store.stored_keys(keys)
        except ComplaintCoreError:
            return None  # each is asked alone, and a failure is that complaint's

    def receive_many(
        self,
        intakes: Iterable[Intake],
        *,
        now: datetime,
        route: bool = True,
        validity: Validity | str | None = None,
        batch: int = 500,
    ) -> Interruptible[Complaint | ComplaintCoreError]:
        """Receive a stream of complaints, one result per intake, in order.

        Each complaint is all or nothing; a bad one yields its error and the rest
        go on.  Complaints are committed in batches (one transaction each where
        the store supports it).  :meth:`receive_each` says besides which results
        were retried submissions; an interrupt is raised as it says.
        """
        receipts = self.receive_each(intakes, now=now, route=route, validity=validity, batch=batch)
        return Interruptible(self._results_of(receipts))

    @staticmethod
    def _results_of(
        receipts: Interruptible[Receipt],
    ) -> Generator[Complaint | ComplaintCoreError, None, None]:
        """``receive_many``'s results: closed early, its receipts are closed (an
        interrupt held for after their batch raised from there: review s56R3 F01)."""
        try:
            for receipt in receipts:
                if receipt.failure is not None:
                    yield receipt.failure
                elif receipt.complaint is not None:
                    yield receipt.complaint
        except GeneratorExit:
            receipts.close()
            raise

    def receive_each(
        self,
        intakes: Iterable[Intake | ComplaintCoreError],
        *,
        now: datetime,
        route: bool = True,
        validity: Validity | str | None = None,
        batch: int = 500,
    ) -> Interruptible[Receipt]:
        """Like :meth:`receive_many`, one :class:`Receipt` per intake: stored, a
        duplicate (a retried submission: its idempotency key is stored with the
        same content), or refused with the error.

        A key already used for different content is refused with an
        :class:`~complaintcore.core.errors.IdempotencyConflictError`.  An error
        in place of an intake (a row an importer could not read) comes back as
        that row's refusal, in its place, so results stay in input order.  A
        staff directory that fails as a whole before any intake was taken (a
        staff file that does not load) is raised once, not given as every
        intake's refusal.

        A ``KeyboardInterrupt`` (Ctrl-C, or the command line's SIGTERM) that comes
        once a batch is committed, while its listeners
        (``complaintcore_on_events``) or its linking run, is raised after the
        batch's receipts are yielded, so the caller hears what is stored (review
        s56L1 F02): on the ``next()`` after the batch's last receipt, or from
        ``close()`` when the caller stops before it (a ``break`` on a refusal,
        ``itertools.islice``); a caller that drops it unclosed gets it in the
        main thread, as a Ctrl-C comes (review s56R3 F01).  One that comes while
        the store commits a batch, or as the commit returns, is raised the same
        way after the receipts of the batch's complaints the store says it holds
        (no listener hears of them; their messages are let go of the listeners'
        hold for the next :meth:`deliver`; review s57L1 F01).  One that comes
        before the commit, or when the store holds none of the batch or cannot
        say, is raised at once.
        """
        return Interruptible(self._receive_each(intakes, now, route, validity, batch))

    def _receive_each(
        self,
        intakes: Iterable[Intake | ComplaintCoreError],
        now: datetime,
        route: bool,
        validity: Validity | str | None,
        batch: int,
    ) -> Generator[Receipt, None, None]:
        now = self._require_now(now)
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 100_000:
            raise InvalidInputError("batch", "must be an integer from 1 to 100000")
        self._staff_directory.reread_if_changed()  # once a batch (review s48K F01)
        pending: list[Draft | Receipt | _Again] = []
        # a key given twice in one batch: the later ones are answered by the first
        # (never drafted, so they link and group nothing)
        keyed: dict[str, Draft] = {}
        # HDL-5: the batch's drafts by group, grouped with the stored complaints
        grouping = Grouping()
        # IMP-3: the batch's drafts by repeat key
        repeats = RepeatBatch()
        # what each draft links (HDL-5) and marks as raised again (GRD-2), in order
        marks: list[tuple[Draft, Links | None, Repeated | None]] = []
        # whether the staff directory is known to answer: an intake was admitted,
        # or asked once after a refusal (review s42A F03)
        directory_ok = [False]
        # the ids drawn for each intake of the batch (by place) whose id was taken
        draws: dict[int, int] = {}
        # the receipts of the batch once it is committed, and a KeyboardInterrupt that
        # came after (while its listeners ran): yielded, then raised (review s56L1 F02)
        committed: list[Receipt] = []
        stopped: list[KeyboardInterrupt] = []
        # the drafts handed to the store and their messages' listener hold, from the
        # write until its results are read: an interrupt then asks the store which it
        # holds, as receive does for one complaint (review s57L1 F01)
        writing: list[Draft] = []
        writing_hold: list[ListenerHold] = []

        def link() -> None:
            """IMP-3, HDL-5: link the batch's drafts in order, each to the store's
            complaints and the drafts before it (its repeat question asked with
            the others')."""
            drafts = [p for p in pending if isinstance(p, Draft)]
            self._repeats.ask_related(drafts)
            self._grouper.ask_groups(drafts, grouping)
            # HDL-5, PRV-1: an issue's complainants, masked in its members' masked
            # messages (their summaries: review s56R5 F01), read once a batch
            with self._fellows.read_once():
                # drafts of one issue mask each other (review s56R7 F02)
                self._fellows.drafted(
                    {d.complaint.id: d.complaint.intake.complainant for d in drafts}
                )
                for draft in drafts:
                    try:
                        again = self._repeats.repeat(draft, now, repeats)
                        found = self._grouper.group(draft, now, grouping)
                        issue = draft.complaint.state.issue
                        if issue:  # the batch's drafts of its issue, members as if stored
                            fellows = [
                                d.complaint.id for d in drafts if d.complaint.state.issue == issue
                            ]
                            self._fellows.joined(issue, fellows)
                        self._tell_receipt(draft, now)
                        if found is not None or again is not None:
                            marks.append((draft, found, again))
                    except ComplaintCoreError as exc:
                        draft.failure = exc

        def flush() -> tuple[list[Receipt], bool] | dict[int, Receipt]:
            drafts = [p.complaint for p in pending if isinstance(p, Draft)]
            committed.clear()
            writing.clear()
            try:
                with self._groups_locked(drafts):  # HDL-5, HDL-6: one grouping of a group at a time
                    return settle()
            except KeyboardInterrupt as exc:
                if not committed:
                    # while the store wrote the batch, or as the write returned: the
                    # rows it holds are stored (review s57L1 F01)
                    committed[:] = landed()
                if not committed:  # nothing of the batch committed: "aborted" is right
                    raise
                # Ctrl-C or SIGTERM once the batch was committed (its listeners ran,
                # up to a batch of them): its receipts are given before the interrupt
                stopped.append(exc)
                return list(committed), False

        def landed() -> list[Receipt]:
            """An interrupt while the store wrote the batch, or before the desk read
            what the write returned (review s57L1 F01): the batch's receipts up to
            its first written draft the store does not hold as itself (the first
            refused at the commit, or not written: a store writes a batch whole, or
            its complaints in order), each held one stored, as ``receive`` says of
            one complaint (:meth:`Desk._landed`); none when the store holds none of
            them, or cannot say.  No listener hears of those stored, so their
            messages are let go of the listeners' hold at once, for the next
            ``deliver``, as :meth:`Desk._told_committed` does."""
            written = {id(d) for d in writing}
            if not written:
                return []
            results: list[Receipt] = []
            answered: dict[int, Receipt] = {}  # id(draft) -> its receipt
            holds: list[Hold] = []
            stored = False
            for p in pending:
                if isinstance(p, Receipt):
                    results.append(p)
                    continue
                if isinstance(p, _Again):
                    first = answered.get(id(p.first))
                    if first is None:  # (its first not given: nor is it)
                        break
                    results.append(
                        first
                        if first.complaint is None
                        else Receipt(complaint=first.complaint, duplicate=True)
                    )
                    continue
                if id(p) not in written:  # refused before the write
                    if p.failure is None:
                        break
                    answered[id(p)] = Receipt(failure=p.failure)
                    results.append(answered[id(p)])
                    continue
                complaint = self._landed(p.complaint)
                if complaint is None:
                    break
                stored = True
                answered[id(p)] = Receipt(complaint=complaint)
                results.append(answered[id(p)])
                if writing_hold:
                    holds.append(_hold_of(writing_hold[0], p.outbox))
            if not stored:
                return []
            with contextlib.suppress(KeyboardInterrupt):  # a second one: raised after
                self._release(holds)
            return results

        def forget() -> None:
            """The batch's drafts and decisions, once stored or given up."""
            pending.clear()
            keyed.clear()
            grouping.drafts.clear()
            grouping.stored.clear()
            grouping.joined.clear()
            grouping.incidents.clear()
            grouping.seen.clear()
            repeats.drafts.clear()
            repeats.heard.clear()
            repeats.retold.clear()
            marks.clear()
            writing.clear()
            writing_hold.clear()

        def settle() -> tuple[list[Receipt], bool] | dict[int, Receipt]:
            # IMP-3: whether a later raising may have been linked without one of the
            # batch's: the batch is out of time order, or something stored (before, or
            # by another process under these locks) came in after its earliest.  Intake
            # in time order, the usual case, asks one indexed query, not one a complaint.
            drafted = [p for p in pending if isinstance(p, Draft)]
            times = [as_instant(d.complaint.intake.received_at) for d in drafted]
            stored_later = self._stored_since(min(times, default=None))
            disorder = any(b < a for a, b in itertools.pairwise(times))
            # GRD-2: customer service heard the counts later raisings recorded, and a
            # draft linked again once stored tells its count then (review s46G F02)
            told = self._find_later([d.complaint for d in drafted]) if stored_later else Later()
            repeats.heard.update(told.heard)
            if disorder:
                repeats.retold.update(self._repeats.retold(drafted))
            link()
            items = []
            slots: list[int] = []  # each item's place in pending
            for at, d in enumerate(pending):
                if not isinstance(d, Draft) or d.failure is not None:
                    continue
                try:  # a deadline past the calendar's end is that complaint's refusal
                    self._tell_receipt(d, now)  # told in link(): never queued unheard
                    items.append((d.complaint, self._projection.row(d.complaint, now), d.outbox))
                    slots.append(at)
                except ComplaintCoreError as exc:
                    d.failure = exc
            # hooks.md: every item's messages held while the listeners hear it
            holder = self._holder(*(box for _c, _r, box in items))
            until = _new_hold() if holder is not None else None
            writing[:] = [d for d in pending if isinstance(d, Draft) and d.failure is None]
            writing_hold[:] = [until] if until is not None else []
            created: list[Complaint | ComplaintCoreError | None]
            if isinstance(self.store, BatchComplaintStore):
                created = self._create_many(self.store, items, until)
            else:
                created = [self._create_one(*item, until) for item in items]
            # nothing written (whole), or nothing stored as itself and an id drawn
            # here taken: drafted again, that one with another id (review s48D F03)
            if any(r is None for r in created) or _redraw(created, items):
                answers = given_up(dict(zip(slots, created, strict=True)))
                forget()
                return answers
            stored = iter(created)
            results: list[Receipt] = []
            answered: dict[int, Receipt] = {}  # id(draft) -> its receipt
            landed: dict[int, int] = {}  # id(draft) of those stored as themselves: place
            mine: list[Complaint] = []  # ... and what they are stored as
            queued = False
            for p in pending:
                if isinstance(p, Receipt):
                    results.append(p)
                    continue
                if isinstance(p, _Again):
                    first = answered[id(p.first)]
                    results.append(
                        first
                        if first.complaint is None
                        else Receipt(complaint=first.complaint, duplicate=True)
                    )
                    continue
                if p.failure is not None:  # (a retry of it in the batch gets the same)
                    results.append(Receipt(failure=p.failure))
                    answered[id(p)] = results[-1]
                    continue
                result = next(stored)
                assert result is not None  # a slot is None only when nothing was written
                if isinstance(result, ComplaintCoreError):
                    results.append(Receipt(failure=result))
                elif result.id == p.complaint.id:
                    hold = _hold_of(until, p.outbox) if until is not None else None
                    self._after_commit(result, p.events, now, deliver=False, basis=False, hold=hold)
                    queued = queued or bool(p.outbox)
                    results.append(Receipt(complaint=result))
                    landed[id(p)] = len(results) - 1
                    mine.append(result)
                elif same_submission(result.intake, p.complaint.intake):
                    results.append(Receipt(complaint=result, duplicate=True))
                else:
                    results.append(Receipt(failure=IdempotencyConflictError(result.id)))
                answered[id(p)] = results[-1]
            committed[:] = results  # stored: given even if interrupted from here on
            writing.clear()
            if mine:
                self._note_created(mine)
                self._mark_other_basis()  # once for the batch, after its commit
            seen = dict(grouping.seen)
            todo = list(marks)
            forget()
            # members stored before this batch: linked once it is in (delivered below);
            # a store failure leaves the rest to the next raising (WARNING, see receive),
            # and the receipt names them: the same submission again links them (s46L L01).
            # Only a draft stored as itself links or marks (as receive does): one refused,
            # or answered as another's, never raised anything (HDL-5, IMP-3, GRD-2).
            # Each draft's links and marks in turn, as receive makes them: a group
            # incident and a third raising in one batch reach the earlier complaints
            # in the order one-at-a-time intake gives them (review s34E F02).
            for by, found, again in todo:
                if id(by) not in landed:
                    continue
                try:
                    self._grouper.link(found, now, deliver=False)
                except MembersLeftUnlinkedError as exc:  # named in a WARNING already
                    place = landed[id(by)]
                    results[place] = attrs.evolve(results[place], left_unlinked=exc)
                try:
                    self._repeats.raised_again(again, now, deliver=False)
                except StoreError as exc:
                    log.warning(
                        "%s: earlier raisings left unmarked after a store failure: %s",
                        by.complaint.id,
                        exc,
                    )
            queued = self._link_left_out(results, {c.id for c in mine}, now) or queued
            order = {c.id: at for at, c in enumerate(mine)}
            relinked = (
                self._relink_later(mine, now, order=order, deliver=False, told=told.counts)
                if stored_later or disorder
                else set()
            )
            if relinked:
                queued = True
                mine = self._reread(mine, relinked)
            regrouped = self._grouper.group_raced(
                mine, seen, now, deliver=False, targets=grouping.targets
            )
            regrouped = {c.id: c for c in mine if c.id in relinked} | regrouped
            if regrouped:
                queued = True
                results = [
                    attrs.evolve(r, complaint=regrouped[r.complaint.id])
                    if r.complaint is not None and not r.duplicate and r.complaint.id in regrouped
                    else r
                    for r in results
                ]
            committed[:] = results
            return results, queued

        def given_up(
            created: Mapping[int, Complaint | ComplaintCoreError | None],
        ) -> dict[int, Receipt]:
            """A batch the store wrote nothing of, as one of its drafts was not stored as
            itself (F01): the receipts that stand, by place (those not stored as
            themselves, those refused before, and their repeats in the batch).  The
            rest are drafted again against the store, as ``receive`` would draft
            them after the other process's commit: none links to or groups with a
            draft never stored (HDL-5, IMP-3, GRD-2)."""
            answers: dict[int, Receipt] = {}
            by_draft: dict[int, Receipt] = {}
            for at, p in enumerate(pending):
                result = created.get(at)
                if isinstance(p, Receipt):
                    answers[at] = p
                elif isinstance(p, Draft) and p.failure is not None:
                    answers[at] = by_draft[id(p)] = Receipt(failure=p.failure)
                elif isinstance(p, Draft) and result is not None:
                    if isinstance(result, InvalidInputError) and _id_taken(result):
                        # an id drawn here, taken by another process: drawn again in
                        # the next round (review s48D F03), so many times at most
                        draws[at] = draws.get(at, 1) + 1
                        if draws[at] <= _ID_DRAWS:
                            continue
                        result = DuplicateIdError("complaint.id" if self._own_ids else "id_factory")
                    if isinstance(result, ComplaintCoreError):
                        receipt = Receipt(failure=result)
                    elif same_submission(result.intake, p.complaint.intake):
                        receipt = Receipt(complaint=result, duplicate=True)
                    else:
                        receipt = Receipt(failure=IdempotencyConflictError(result.id))
                    answers[at] = by_draft[id(p)] = receipt
            for at, p in enumerate(pending):
                first = by_draft.get(id(p.first)) if isinstance(p, _Again) else None
                if first is not None:
                    answers[at] = (
                        first
                        if first.complaint is None
                        else Receipt(complaint=first.complaint, duplicate=True)
                    )
            return answers

        def take(chunk: list[Intake | ComplaintCoreError]) -> Iterator[Receipt]:
            """One batch: every intake admitted, their keys looked up at once, then
            each drafted in order (the store changes only when the batch is flushed).
            Interrupted once it was committed: its receipts, then the interrupt."""
            draws.clear()
            stopped.clear()
            with collection_paused():  # the results are handed out after it
                results, queued = decide_and_store(chunk)
            if queued and not stopped:
                self._wake_delivery()
            try:
                yield from results
            except GeneratorExit:
                # the caller stopped before the batch's end (break, close(), islice):
                # the interrupt is raised from close(), not lost (review s56R3 F01)
                if stopped:
                    raise stopped[0] from None
                raise
            if stopped:
                raise stopped[0]

        def decide_and_store(
            chunk: list[Intake | ComplaintCoreError],
        ) -> tuple[list[Receipt], bool]:
            answers: dict[int, Receipt] = {}
            # each round that stores nothing settles at least one intake, or draws
            # another id for one (at most _ID_DRAWS times each)
            while True:
                outcome = draft_and_store(chunk, answers)
                if not isinstance(outcome, dict):
                    return outcome
                answers = outcome

        def draft_and_store(
            chunk: list[Intake | ComplaintCoreError], answers: Mapping[int, Receipt]
        ) -> tuple[list[Receipt], bool] | dict[int, Receipt]:
            """One round: pending holds one entry per intake, in order (``answers``:
            the places settled by an earlier round, which stored nothing)."""
            admitted: list[tuple[Intake, str] | Receipt] = []
            for at, intake in enumerate(chunk):
                if at in answers:
                    admitted.append(answers[at])
                    continue
                if isinstance(intake, ComplaintCoreError):
                    admitted.append(Receipt(failure=intake))
                    continue
                try:
                    admitted.append(self._admit(intake, None))
                except ComplaintCoreError as exc:
                    if not directory_ok[0]:  # nothing taken yet: the desk's failure, raised once
                        self._require_directory()
                    admitted.append(Receipt(failure=exc))
                directory_ok[0] = True
            stored_keys = self._stored_keys(
                [a[0].idempotency_key for a in admitted if not isinstance(a, Receipt)]
            )
            for item in admitted:
                if isinstance(item, Receipt):
                    pending.append(item)
                    continue
                intake, acting = item
                try:
                    known = self._known_submission(intake, stored_keys)
                    first = keyed.get(intake.idempotency_key) if intake.idempotency_key else None
                    if known is not None:
                        pending.append(Receipt(complaint=known, duplicate=True))
                    elif first is not None:
                        if not same_submission(first.complaint.intake, intake):
                            raise IdempotencyConflictError(first.complaint.id)
                        pending.append(_Again(first))
                    else:
                        self._require_bypass_right(intake, acting)  # IN-6: a new complaint only
                        draft = self._intake(intake, now, acting, None, route, validity)
                        pending.append(draft)  # linked and grouped with its batch (see link)
                        if intake.idempotency_key:
                            keyed[intake.idempotency_key] = draft
                except ComplaintCoreError as exc:
                    pending.append(Receipt(failure=exc))
            return flush()

        chunk: list[Intake | ComplaintCoreError] = []
        for intake in intakes:
            chunk.append(intake)
            if len(chunk) >= batch:
                yield from take(chunk)
                chunk = []
        yield from take(chunk)

    def _link_left_out(self, results: list[Receipt], mine: Collection[str], now: datetime) -> bool:
        """HDL-5, HDL-6: the members of the issues of a batch's retried submissions
        (stored before, not ``mine``) that a store failure left unlinked, linked now
        (see :meth:`Grouper.link_left_out`); those still left out are named on the
        first receipt of their issue.  Whether anything was written (to deliver)."""
        retried: dict[str, Complaint] = {}
        for r in results:
            if r.duplicate and r.complaint is not None and r.complaint.id not in mine:
                retried.setdefault(r.complaint.id, r.complaint)
        if not retried:
            return False
        linked, left = self._grouper.link_left_out(list(retried.values()), now, deliver=False)
        for at, r in enumerate(results):
            if r.duplicate and r.complaint is not None and r.complaint.id in left:
                results[at] = attrs.evolve(r, left_unlinked=left.pop(r.complaint.id))
        return bool(linked)

    @staticmethod
    def _create_many(
        store: BatchComplaintStore,
        items: Sequence[tuple[Complaint, ComplaintRow, Outbox]],
        until: ListenerHold | None = None,
    ) -> list[Complaint | ComplaintCoreError | None]:
        """The batch in one transaction, whole where the store can (F01: a draft the
        others link to that is not stored as itself leaves nothing written, and the
        batch is drafted again), else each item all or nothing as before.  ``until``:
        its messages held while the listeners hear it (a ``ListenerHoldStore``)."""
        if until is not None and isinstance(store, ListenerHoldStore):
            return store.create_many(items, whole=True, held=until)
        try:
            params = inspect.signature(store.create_many).parameters.values()
        except (TypeError, ValueError):
            params = None
        if params is not None and any(
            p.name == "whole" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params
        ):
            return store.create_many(items, whole=True)
        return list(store.create_many(items))

    def _create_one(
        self, complaint: Complaint, row: ComplaintRow, outbox: Outbox, until: ListenerHold | None
    ) -> Complaint | ComplaintCoreError:
        store = self.store
        try:
            if until is not None and isinstance(store, ListenerHoldStore):
                return store.create(complaint, row, outbox, held=until)
            return store.create(complaint, row, outbox)
        except ComplaintCoreError as exc:  # each complaint all or nothing; the rest go on
            return exc

    # ------------------------------------------------------------ heard before sent

    def _holder(self, *boxes: Outbox) -> ListenerHoldStore | None:
        """hooks.md: the store, where a write queuing ``boxes`` holds their messages
        while the listeners hear its commits: the desk has listeners, the store can
        hold them, and there are messages (asked in that order: the check of the
        store's kind costs most)."""
        if self.pm is None or not self._listeners or not any(boxes):
            return None
        store = self.store
        return store if isinstance(store, ListenerHoldStore) else None

    def _create(
        self, complaint: Complaint, row: ComplaintRow, box: Outbox
    ) -> tuple[Complaint, Hold | None]:
        """``store.create``, its messages held while the listeners hear it (hooks.md)."""
        holder = self._holder(box)
        if holder is None:
            return self.store.create(complaint, row, box), None
        until = _new_hold()
        self._holding(_hold_of(until, box))
        return holder.create(complaint, row, box, held=until), _hold_of(until, box)

    def _append(
        self,
        complaint: Complaint,
        events: Sequence[Event],
        row: ComplaintRow,
        box: Outbox,
    ) -> Hold | None:
        """``store.append`` of events on ``complaint`` (as loaded), their messages held
        while the listeners hear them (hooks.md; none without events: nobody hears)."""
        cid, version = complaint.id, complaint.version
        holder = self._holder(box) if events else None
        if holder is None:
            self.store.append(cid, version, events, row, box)
            return None
        until = _new_hold()
        self._holding(_hold_of(until, box))
        holder.append(cid, version, events, row, box, held=until)
        return _hold_of(until, box)

    def _release(self, holds: Iterable[Hold]) -> None:
        """hooks.md: let go the messages held while the listeners heard their commits,
        once they have (one statement a write's mark).  A failure leaves them to lapse
        at their hold's end (a WARNING), as a desk that died would."""
        store = self.store
        by_mark: dict[str, list[tuple[str, str]]] = {}
        for hold in holds:
            by_mark.setdefault(hold.mark, []).extend(hold.keys)
        if not by_mark or not isinstance(store, ListenerHoldStore):
            return
        for mark, keys in by_mark.items():
            try:
                store.release_held(keys, mark)
            except ComplaintCoreError as exc:
                log.warning(
                    "%d notification(s) held for the listeners wait until their hold"
                    " lapses (%s at most on the store's clock): %s",
                    len(keys),
                    LISTENER_HOLD,
                    exc,
                )

    def _intake(
        self,
        intake: Intake,
        now: datetime,
        actor: str,
        complaint_id: str | None,
        route: bool,
        validity: Validity | str | None = None,
    ) -> Draft:
        """Register, classify, assess if known, and route in memory: the first events
        (the receipt's messages: :meth:`_tell_receipt`)."""
        if as_instant(intake.received_at) > as_instant(now):  # instants (review s41G F01)
            raise InvalidInputError(
                "received_at", "is later than now: a complaint not yet received"
            )
        self._require_in_calendar(intake.received_at)
        if not intake.receiver_unit:  # IN-2: the receiver's department (unknown: refused below)
            receiver = self.member(intake.receiver)
            if receiver is not None and receiver.department:
                intake = _with_receiver_unit(intake, receiver.department)
        member = self.member(actor)  # asked once: registering and assessing both check it
        complaint = new_complaint(complaint_id or self._new_id(intake), intake)
        try:
            access.authorize(complaint, Register(actor=actor), member, self.pack)
        except AccessDeniedError as exc:
            # Nothing is stored: the refusal names the field that gave the actor
            # (the receiver, IN-2), not the id the complaint would have had.
            where = "receiver" if actor == intake.receiver else "actor"
            raise AccessDeniedError("", exc.actor, exc.command, exc.reason, path=where) from None
        register = Register(actor=actor, other_site=self._received_elsewhere(intake, member))
        try:
            events = list(decide(complaint, register, self.pack, now))
        except IllegalTransitionError as exc:  # the pack's time bar (TimeBarredError)
            where = "occurred_at" if isinstance(exc, TimeBarredError) else "intake"
            raise _unstored(exc, where) from None
        complaint = evolve(complaint, events)
        classify = self._classify_command(complaint, actor)
        more = decide(complaint, classify, self.pack, now)
        complaint, events = evolve(complaint, more), [*events, *more]
        if validity is not None:
            assess = Assess(actor=actor, validity=validity)
            try:
                access.authorize(complaint, assess, member, self.pack)
                more = decide(complaint, assess, self.pack, now)
            except (AccessDeniedError, IllegalTransitionError) as exc:
                raise _unstored(exc, "validity") from None
            complaint, events = evolve(complaint, more), [*events, *more]
        # IN-6: a bypass complaint waits at head office for the complainant's consent;
        # head office hears of it through its tracking duty, and routes it by forwarding.
        unheld = False
        # IN-3: unrouted, but graded by its receiver's assessment beyond the receiver's
        # rung, it is routed all the same (review s57R4 F01)
        beyond = not route and validity is not None and self._beyond_the_receiver(complaint)
        if (route or beyond) and not complaint.awaiting_site_consent:
            handler = self._staff.handler_for(complaint, now)
            if handler is not None:
                try:
                    more = decide(
                        complaint, self._assign(complaint, handler, actor), self.pack, now
                    )
                except EscalationError:
                    # IN-2: sent up at intake (HDL-6) to a rung nobody at the site holds:
                    # passed to the first with someone, and held there (ESC-2)
                    more = self._hold_at_rung(complaint, actor, now)
                complaint, events = evolve(complaint, more), [*events, *more]
            else:
                self._warn_unassigned(complaint)
            unheld = complaint.is_open and not complaint.state.handler
        self._require_deadlines_in_calendar(complaint, now)
        # PRV-1: its messages are rendered once it is grouped (_tell_receipt)
        return Draft(complaint, events, [], received=(complaint, tuple(events), unheld))

    def _tell_receipt(self, draft: Draft, now: datetime) -> None:
        """The receipt's messages of a draft :meth:`_intake` made, rendered once it
        is grouped, before the messages grouping and repeat linking queued: a masked
        one masks the complainants of the issue it joined, whose summary may name a
        neighbour who is a member (PRV-1, HDL-5; review s56R7 F02).  Once."""
        if draft.received is None:
            return
        complaint, events, unheld = draft.received
        with self._fellows.masked_as(draft.complaint):
            box = self._telling.outbox_for(complaint, events, now)
            box += self._telling.duty_outbox(complaint, events, now)
            if unheld:  # IN-2, ESC-4: someone who can act hears of it now, not a day later
                box += self._telling.unassignable_outbox(complaint, now)
        draft.outbox[:0] = box
        draft.received = None

    def _warn_unassigned(self, complaint: Complaint) -> None:
        """IN-2: a complaint routing gave to nobody is logged, naming the rung it needs
        (its id and the rung only: PRV-1)."""
        log.warning(
            "complaint %s: nobody at its site who may handle it holds rung %s or"
            " above; left unassigned",
            complaint.id,
            self.pack.ladder[access.routing_of(complaint, self.pack).floor].code,
        )

    def _require_deadlines_in_calendar(self, complaint: Complaint, now: datetime) -> None:
        """DL-7: in the calendar's last year a new complaint's first deadlines may run
        past its end.  They are computed whole here, before a bulk batch links or
        groups it with the others (HDL-5, IMP-3), so such a complaint is refused
        alone and never counted by those stored, whatever other complaint it shares
        its history's shape with.  Earlier years cost nothing: no first deadline
        runs a year."""
        cal = self.calendar
        if now.astimezone(cal.tz).year < cal.years[1]:
            return
        compute_clocks(complaint, self.pack, cal, now, explain=False)
        compute_duties(complaint, self.pack, cal, now, explain=False)

    def _classify_command(self, complaint: Complaint, actor: str) -> Classify:
        """IN-2, CLS-1: the host's classification, or the pack's keywords when its hook
        raised or gave an answer the desk cannot use: a complaint is never refused
        for its classifier (a bulk batch goes on)."""
        if self.pm is not None and self._classifiers:
            try:
                with collection_resumed():  # the host's code, as the host set it
                    found = self.pm.hook.complaintcore_classify(complaint=complaint, pack=self.pack)
            except Exception as exc:  # a host's classifier down: IN-2 still registers it
                log.error(
                    "complaintcore_classify failed for %s; the pack's keywords classify it\n%s",
                    complaint.id,
                    self._masked_failure(complaint, exc),
                )
                found = None
            unusable = unusable_classification(found, self.pack)
            if unusable:  # a stale label set, a wrong type, a coroutine: as if it raised
                log.error(
                    "complaintcore_classify failed for %s: %s; the pack's keywords classify it",
                    complaint.id,
                    unusable,
                )
                found = None
            if found is not None:
                return Classify(actor=actor, category=found.category, department=found.department)
        return Classify(actor=actor)

    @staticmethod
    def _masked_failure(complaint: Complaint, exc: BaseException) -> str:
        """A host hook's exception as it is logged: the traceback with the
        complainant's name, phone and room, phones and e-mail addresses masked
        (PRV-1), as a channel's error is (:meth:`_masked_error`).  Not the
        exception itself (``exc_info``): a handler or an error tracker would
        record its message as raised."""
        person = complaint.intake.complainant
        try:
            return masked_traceback(exc, (person.name, person.phone, person.room))
        except Exception:  # even describing it failed: its type says something
            return type(exc).__name__

    def _settle(
        self,
        stored: Complaint,
        links: Links | None,
        repeated: Repeated | None,
        later: Later,
        grouping: Grouping,
        now: datetime,
    ) -> Complaint:
        """After one complaint's commit (a receipt, a reclassification): its issue's
        members linked and the raisings it repeats marked, later raisings counted
        again, and a group another process formed meanwhile joined; the complaint
        as stored then."""
        self._mark_after_intake(stored.id, links, repeated, now)
        relinked = self._relink(later, now, told=later.counts)
        stored = self._reread([stored], relinked)[0]  # marked by a later raising
        return self._grouper.group_raced(
            [stored], grouping.seen, now, targets=grouping.targets
        ).get(stored.id, stored)

    def _mark_after_intake(
        self, cid: str, links: Links | None, repeated: Repeated | None, now: datetime
    ) -> None:
        """HDL-5, GRD-2: link the issue's stored members and mark the earlier
        raisings once the new complaint is stored.  A store failure is logged, not
        raised: the receipt stands, and the group's or the matter's next
        complaint does what is left."""
        try:
            self._grouper.link(links, now)
        except StoreError as exc:
            log.warning("%s: issue members left unlinked after a store failure: %s", cid, exc)
        try:
            self._repeats.raised_again(repeated, now)
        except StoreError as exc:
            log.warning("%s: earlier raisings left unmarked after a store failure: %s", cid, exc)

    # ------------------------------------------------------------------ repeats

    def _relink_later(
        self,
        stored: Sequence[Complaint],
        now: datetime,
        *,
        order: Mapping[str, int] | None = None,
        deliver: bool = True,
        told: Mapping[str, int] | None = None,
    ) -> set[str]:
        """IMP-3, GRD-2: the stored complaints received after ``stored`` and linked
        without them, linked again (see :meth:`RepeatLinker.relink`); the ids
        changed.  ``order``: a bulk batch's complaints by place (a later one placed
        after an earlier one was linked with it); ``told``: the counts the stored
        later ones had recorded before the batch, by id.  A failure leaves the
        receipt standing (a WARNING): the matter's next raising counts them."""
        place = order or {}

        def knew(later: str, earlier: str) -> bool:
            return later in place and earlier in place and place[later] > place[earlier]

        return self._relink(self._find_later(stored, knew), now, deliver=deliver, told=told)

    def _find_later(
        self,
        stored: Sequence[Complaint],
        knew: Callable[[str, str], bool] = lambda _later, _earlier: False,
    ) -> Later:
        """IMP-3, GRD-2: :meth:`RepeatLinker.find_later`; a failure finds none (a
        WARNING: the matter's next raising links them)."""
        try:
            return self._repeats.find_later(stored, knew)
        except ComplaintCoreError as exc:
            log.warning("later raisings not linked again after intake: %s", exc)
            return Later()

    def _relink(
        self,
        later: Later,
        now: datetime,
        *,
        deliver: bool = True,
        told: Mapping[str, int] | None = None,
    ) -> set[str]:
        """IMP-3, GRD-2: :meth:`RepeatLinker.relink` after a commit; the ids changed.  A
        failure leaves the receipt standing (a WARNING)."""
        if not later.drafts:
            return set()
        try:
            return self._repeats.relink(later, now, deliver=deliver, told=told)
        except ComplaintCoreError as exc:
            log.warning("later raisings not linked again after intake: %s", exc)
            return set()

    def _stored_since(self, at: datetime | None) -> bool:
        """Whether the store holds a complaint received at or after ``at`` (asked
        before a batch is stored; a failure answers yes, so the later raisings are
        looked for)."""
        if at is None:
            return False
        try:
            return bool(self.store.rows(received_from=at, limit=1))
        except ComplaintCoreError:
            return True

    def _reread(self, complaints: Sequence[Complaint], ids: Collection[str]) -> list[Complaint]:
        """Receipts as stored now, for those of ``ids`` (changed after their commit); one
        not read stays as committed (the receipt stands)."""
        out = []
        for c in complaints:
            try:
                out.append(self.store.load(c.id) if c.id in ids else c)
            except ComplaintCoreError:
                out.append(c)
        return out

    # ------------------------------------------------------------------ grouping

    @contextlib.contextmanager
    def _groups_locked(self, complaints: Iterable[Complaint]) -> Iterator[None]:
        """HDL-5, HDL-6, IMP-3: hold the locks on the groups of ``complaints``, and on
        their complainants and rooms, while they are grouped, linked to earlier
        raisings and stored, so intakes of one group or one person's matter at the
        same instant decide one after another, each on all the others stored: the
        process's own (threads, whatever desk object they use) and the store's
        (processes: a :class:`~complaintcore.desk.ports.GroupLockStore`, as
        PostgreSQL is, and SQLite between the processes of one machine).  Without
        the store's capability (a host's store, SQLite on Windows), or when a lock
        cannot be taken (a WARNING), processes are not kept apart and the repair
        after commit is what is left: it regroups (HDL-5, HDL-6) but does not
        repair repeat links (IMP-3, GRD-2).  Raisings of one matter stored by two
        such processes at the same moment stay unlinked to each other until the
        matter's next raising links and marks them (review s43G F01)."""
        rule = self.pack.concentration
        keys = {
            "|".join(key) for c in complaints for key in [group_key(c, rule)] if key is not None
        }
        if self.pack.repeats.enabled:  # IMP-3 asks by person and room, with or without a building
            for c in complaints:
                person, room = person_and_room_keys(c)
                site = (c.intake.site or c.intake.complainant.site).strip()
                asked = (("person", person), ("room", room))
                keys.update(f"{kind}|{site}|{key}" for kind, key in asked if key)
        with self._decided_alone(keys, "grouping"):
            yield

    @contextlib.contextmanager
    def _decided_alone(self, keys: Collection[str], what: str) -> Iterator[None]:
        """Hold the process's and the store's locks on ``keys`` (see
        :meth:`_groups_locked`): what is decided under them is decided on all
        that others committed before."""
        if getattr(self._held, "later", None) is not None:
            yield  # inside another decision's locks: taking more could deadlock
            return
        # the host's listeners run after the lock is released: a slow one must not
        # hold up other desks' intake of the same building
        later: list[tuple[Complaint, Sequence[Event], datetime, bool, bool, Hold | None]] = []
        self._held.later = later
        try:
            with contextlib.ExitStack() as stack:
                scoped = _process_lock_keys(self.store, keys)
                if keys and not stack.enter_context(keys_locked(scoped)):
                    log.warning("%s not locked: another thread held it for %ss", what, THREAD_WAIT)
                if keys and isinstance(self.store, GroupLockStore):
                    try:
                        stack.enter_context(self.store.group_lock(_store_lock_keys(keys)))
                    except StoreError as exc:  # busy, or the database failing: unlocked
                        log.warning("%s not locked: %s", what, exc)
                    # a refusal (a closed store: review s46G F01) is the caller's error,
                    # raised before anything is decided, with no warning about links
                yield
        finally:
            self._held.later = None
            try:
                for complaint, events, _now, _deliver, basis, _hold in later:
                    self._hear(complaint, events, basis=basis)
            finally:  # every message held for them let go at once (hooks.md)
                self._release(hold for *_, hold in later if hold is not None)
            if any(deliver for _c, _e, _n, deliver, _b, _h in later):
                self._wake_delivery()

    def act_on_issue(
        self, issue: str, command: Command, *, now: datetime, member_data_checked: bool = False
    ) -> IssueReport:
        """HDL-5: run one command on every open complaint of a concentrated issue.

        The command is checked against the first member the actor may act on
        before anything is written, so bad input (an empty message) is one error
        and no event, and so is an actor every member refuses.  Each member is
        then its own transaction; a member refused on its own account (closed
        meanwhile, a higher rung needed) is reported in ``skipped`` with the
        error, and the others go on.  A bypass complaint still waiting for consent
        is left out of a site actor's report altogether: the site may not hear of
        it, not even its id (IN-6).

        A text every member's complainant is told (:data:`ISSUE_TEXTS
        <complaintcore.desk.masking.ISSUE_TEXTS>`) holding a member's stored name,
        phone or room another member would be given is refused (PRV-1), unless
        ``member_data_checked``: a person has read the text and found that what
        matched is no one's data (a word that is also a name, ``用水高峰`` for a
        member 高峰); it is recorded then, and a log line names the field, the
        kinds and the complaints, never the value (review s56R7 F03).
        """
        now = self._require_now(now)
        listed = self.issue(issue)
        rows = [r for r in listed if r.status != Status.CLOSED.value]
        if not rows:
            raise InvalidInputError("issue", "no open complaint belongs to this issue")
        actor = self._staff_directory.get(command.actor)
        refused: AccessDeniedError | None = None
        withheld: set[str] = set()
        for row in rows:
            # checked against the first member the actor may act on: one needing a
            # higher rung (ESC-3), about the actor (ESC-4) or a bypass complaint
            # (IN-6) is skipped below, as a closed one is; refused by all, it is refused
            first = self.store.load(row.id)
            if actor is not None and access.bypassed_site(actor, first, self.pack):
                withheld.add(row.id)
                continue
            try:
                access.authorize(first, command, actor, self.pack)
            except AccessDeniedError as exc:
                refused = refused or exc
                continue
            decide(first, command, self.pack, now)
            break
        else:
            if refused is None:  # every open member is hidden from this actor (IN-6)
                raise InvalidInputError("issue", "no open complaint belongs to this issue")
            raise refused
        done: list[str] = []
        skipped: list[tuple[str, ComplaintCoreError]] = []
        # HDL-5, PRV-1: the issue's complainants, masked in the text every member
        # is given, read and prepared once for the call (review s47G F03)
        with self._fellows.read_once({issue: [r.id for r in listed]}):
            texts = issue_texts(command)
            if texts:  # PRV-1: what every member is given (review s56R7 F01)
                told = [r.id for r in rows if r.id not in withheld]
                self._refuse_members_named(
                    issue,
                    texts,
                    [r.id for r in listed],
                    told,
                    checked_by=(command.actor if member_data_checked else None),
                )
            for row in rows:
                if row.id in withheld:
                    continue
                self._act_on_member(row.id, command, now, actor, done, skipped)
        return IssueReport(issue, tuple(done), tuple(skipped))

    def _refuse_members_named(
        self,
        issue: str,
        texts: Sequence[tuple[str, str]],
        members: Sequence[str],
        told: Sequence[str],
        *,
        checked_by: str | None = None,
    ) -> None:
        """PRV-1, PRV-2: the free text of a command given to a whole issue
        (``explain_all``'s reply, an apology, its reason and remedy, ...) is
        recorded on, and told to, every member; a field naming a member's stored
        name, phone or room, which another member would be given, is refused before
        anything is written.  ``texts`` are ``(field, text)``, as
        :func:`issue_texts`.  The error names the field, the kind of data and the
        complaint, never the value (reviews s56R5 F02, s56R7 F01).  ``checked_by``:
        the actor who had a person check the text (``member_data_checked``): logged,
        not refused (review s56R7 F03)."""
        people = self._fellows.complainants(members)  # read once for the call
        for field, text in texts:
            leaks: dict[str, list[str]] = {}  # the kinds of each complaint's complainant
            for cid, kind in people_named(text, people):
                value = getattr(people[cid], kind)
                others = (people.get(rid) for rid in told if rid != cid)
                if any(p is None or getattr(p, kind) != value for p in others):
                    leaks.setdefault(cid, []).append(kind)
            if not leaks:
                continue
            found = "; ".join(
                f"the {_and(kinds)} of complaint {cid}'s complainant"
                for cid, kinds in leaks.items()
            )
            if checked_by is not None:
                log.info(
                    "issue %s: %s holds what matches %s; recorded on every member as"
                    " checked by a person (member_data_checked, %s: PRV-1)",
                    shown_issue(issue),
                    field,
                    found,
                    checked_by,
                )
                continue
            raise InvalidInputError(
                field,
                f"holds {found}, which every other open complaint of the issue would"
                " be given too; nothing was recorded: leave it out, or, once a person has"
                " checked that the text names no one (a word may match a name), give it"
                " again as checked (member_data_checked=True; explain-all"
                " --checked-names) (PRV-1)",
            )

    def _act_on_member(
        self,
        complaint_id: str,
        command: Command,
        now: datetime,
        actor: StaffMember | None,
        done: list[str],
        skipped: list[tuple[str, ComplaintCoreError]],
    ) -> None:
        """One member of :meth:`act_on_issue`: done, skipped with its error, or left
        out of the report (IN-6)."""
        for attempt in range(CONFLICT_RETRIES):
            try:
                self._act_alone(complaint_id, command, now)
                done.append(complaint_id)
            except ConcurrencyConflictError as exc:
                if attempt + 1 < CONFLICT_RETRIES:
                    continue
                skipped.append((complaint_id, exc))
            except AccessDeniedError as exc:
                if actor is not None and access.bypassed_site(
                    actor, self.store.load(complaint_id), self.pack
                ):
                    return  # IN-6: not reported to the site it went around
                skipped.append((complaint_id, exc))
            except ComplaintCoreError as exc:
                skipped.append((complaint_id, exc))
            return

    def explain_all(
        self,
        issue: str,
        *,
        actor: str,
        message: str,
        now: datetime,
        final: bool = False,
        without_helpers: bool = False,
        member_data_checked: bool = False,
    ) -> IssueReport:
        """HDL-5: one unified explanation, recorded as a reply on every open member.

        Each member's reply is an explanation (``replied:explanation``, and
        ``replied:final`` with ``final=True``), so each member's own clocks stop
        as if it had been answered on its own: DL-1's reply, and with
        ``final=True`` DL-3's department result and reply after the result too
        (the packs' ``department_result`` stops on ``replied:final``).  A final
        one skips a member whose helping departments recorded no part, unless
        ``without_helpers`` (HDL-4, as :class:`Reply`).  An explanation naming a
        member is refused unless ``member_data_checked`` (PRV-1: see
        :meth:`act_on_issue`).
        """
        command = Reply(
            actor=actor,
            message=message,
            explanation=True,
            final=final,
            issue=issue,
            without_helpers=without_helpers,
        )
        return self.act_on_issue(issue, command, now=now, member_data_checked=member_data_checked)

    # ------------------------------------------------------------------ acting

    def act(self, complaint_id: str, command: Command, *, now: datetime) -> Complaint:
        """Run one workflow command: authorize, decide, append, queue notifications.

        The command's texts are cleaned and held to the limits first, and its
        actor (and an assignee) resolved against the directory, so the events
        record the directory's own ids.  Raises
        :class:`~complaintcore.core.errors.ConcurrencyConflictError` if someone
        else appended first; nothing is written then, and the caller may retry.
        """
        if isinstance(command, VisitSite):
            return self.visit_site(complaint_id, command, now=now).complaint
        return self._act_alone(complaint_id, command, now)

    def visit_site(self, complaint_id: str, command: VisitSite, *, now: datetime) -> GroupVisit:
        """:meth:`act` with a :class:`VisitSite`, saying where the visit is recorded.

        The visit is committed on ``complaint_id`` first; on a member of a group
        incident it is then recorded on every other open member of the issue that
        still owes a visit (HDL-6, :meth:`_visit_with_group`).  Once the visit on
        ``complaint_id`` is committed, nothing in the copying raises a failure: a
        member whose store failed (a lost connection is tried once more) is left
        owing and named in :attr:`GroupVisit.owing`, and a ``KeyboardInterrupt``
        is raised as :class:`CommittedInterrupt` of ``complaint_id`` carrying the
        :class:`GroupVisit` so far, the members not reached named as owing
        (review s58RR4 F01, F03)."""
        if not isinstance(command, VisitSite):
            raise InvalidInputError(
                "command", f"expected a VisitSite, got {type(command).__name__}"
            )
        complaint = self._act_alone(complaint_id, command, now)
        return self._visit_with_group(complaint, command, now)

    def _act_alone(
        self, complaint_id: str, command: Command, now: datetime, *, for_group: str = ""
    ) -> Complaint:
        """One workflow command on this complaint alone (:meth:`act`, and each member of
        :meth:`act_on_issue`); ``for_group``: a group incident's visit copied to this
        member, recorded only if it still owes one (:meth:`_visit_with_group`)."""
        with self._told_committed():  # Ctrl-C after the commit: CommittedInterrupt
            return self._act(complaint_id, command, now, for_group=for_group)

    def _visit_with_group(
        self, complaint: Complaint, command: VisitSite, now: datetime
    ) -> GroupVisit:
        """HDL-6, ESC-2 (004 篇4 §3.6): a group incident is one matter, visited once.

        A site visit recorded on a member of a group incident is the visit of the
        incident's site: it is recorded, at the same time and with the same findings,
        on every other open member of the issue that still owes a visit (a duty its
        ``site_visited`` stops), so no member is escalated for a visit that was made
        and the month's timeliness counts it when it was made (review s58R4 F01).
        Each member is its own transaction, which decides again, on the member as
        stored, that it still owes the visit, so a visit recorded on it meanwhile is
        not recorded twice (review s58RR4 F04).  One refused on its own account is
        logged by id and left owing; one whose store failed (a lost connection is
        tried once more) is logged and named in ``owing``; the others go on.  A
        ``KeyboardInterrupt`` is raised as :class:`CommittedInterrupt` of
        ``complaint`` with the :class:`GroupVisit` as far as it got."""
        issue = complaint.state.issue
        if not issue or not complaint.state.group_incident:
            return GroupVisit(complaint=complaint)
        recorded: list[str] = []
        failed: list[str] = []
        rows: list[str] = []
        try:
            rows = [
                r.id
                for r in self.issue(issue)
                if r.id != complaint.id and r.status != Status.CLOSED.value
            ]
        except Exception as exc:  # the visit is stored: said so (s58RR4 F01)
            log.warning(
                "issue %s: the site visit on %s not recorded on the other members, which"
                " could not be read: %s",
                shown_issue(issue),
                shown_id(complaint.id),
                type(exc).__name__,
            )
            return GroupVisit(complaint=complaint, issue=issue, unread=True)
        except KeyboardInterrupt as exc:
            raise CommittedInterrupt(
                complaint, group_visit=GroupVisit(complaint=complaint, issue=issue, unread=True)
            ) from exc
        actor = self._staff_directory.get(command.actor)
        for n, cid in enumerate(rows):
            skipped: list[tuple[str, Exception]] = []
            try:
                if self._visit_member(cid, command, now, issue, actor, skipped):
                    recorded.append(cid)
            except KeyboardInterrupt as exc:
                reached = n
                if isinstance(exc, CommittedInterrupt):  # the member's visit is stored
                    recorded.append(cid)
                    reached += 1
                result = GroupVisit(
                    complaint=complaint,
                    issue=issue,
                    recorded=tuple(recorded),
                    owing=(*failed, *rows[reached:]),
                )
                raise CommittedInterrupt(complaint, group_visit=result) from exc
            for member, error in skipped:
                log.warning(
                    "issue %s: the site visit on %s not recorded on %s: %s",
                    shown_issue(issue),
                    shown_id(complaint.id),
                    shown_id(member),
                    type(error).__name__,
                )
                if not isinstance(error, ComplaintCoreError) or isinstance(error, StoreError):
                    failed.append(member)  # not refused on its own account: record it there
        if recorded:
            log.info(
                "issue %s: the site visit on %s recorded on %d other member(s) (HDL-6)",
                shown_issue(issue),
                shown_id(complaint.id),
                len(recorded),
            )
        return GroupVisit(
            complaint=complaint, issue=issue, recorded=tuple(recorded), owing=tuple(failed)
        )

    def _visit_member(
        self,
        complaint_id: str,
        command: VisitSite,
        now: datetime,
        issue: str,
        actor: StaffMember | None,
        skipped: list[tuple[str, Exception]],
    ) -> bool:
        """One member of :meth:`_visit_with_group`: True if recorded; False if it owes
        no visit (decided in its own transaction, again after a conflict) or was
        skipped with its error; a lost connection is tried once more (review s58RR4
        F03)."""
        lost = False
        for attempt in range(CONFLICT_RETRIES):
            try:
                self._act_alone(complaint_id, command, now, for_group=issue)
            except _NotOwed:
                return False
            except ConcurrencyConflictError as exc:
                if attempt + 1 < CONFLICT_RETRIES:
                    continue
                skipped.append((complaint_id, exc))
            except ConnectionLostError as exc:
                if not lost:
                    lost = True
                    continue
                skipped.append((complaint_id, exc))
            except AccessDeniedError as exc:
                if actor is None or not access.bypassed_site(
                    actor, self.store.load(complaint_id), self.pack
                ):
                    skipped.append((complaint_id, exc))
                # IN-6: else not reported to the site it went around
            except Exception as exc:  # a refusal, or a store's own failure
                skipped.append((complaint_id, exc))
            else:
                return True
            return False
        return False  # pragma: no cover - every attempt returns

    def _act(
        self, complaint_id: str, command: Command, now: datetime, *, for_group: str = ""
    ) -> Complaint:
        now = self._require_now(now)
        if not isinstance(command, Command):
            raise InvalidInputError("command", f"expected a Command, got {type(command).__name__}")
        complaint = self.get(complaint_id)
        if access.is_reserved(command.actor):  # the desk's own sweeps only
            raise AccessDeniedError(
                complaint_id,
                access.SYSTEM_ACTOR,
                command.name,
                "the system actor is reserved for the desk's sweeps",
            )
        command = clean_record(command, self.limits)
        # members() checked once per command, as per intake and sweep: a directory
        # that gained an id folding alike with another's is refused before the one
        # could act as the other, holder or rung (ESC-3, review s45D F01)
        self._require_directory()
        actor = self.member(command.actor)
        if actor is not None and actor.staff_id != command.actor:
            command = attrs.evolve(command, actor=actor.staff_id)
        stored = complaint
        aged = self._aged(complaint, now)  # what the month did since the last sweep
        if aged:  # and the rung it needs, as the sweep would have done it (ESC-3)
            aged = (*aged, *self._follow_ups(evolve(complaint, aged), access.SYSTEM_ACTOR, now))
        complaint = evolve(complaint, aged)
        if for_group and not self._owes_group_visit(complaint, for_group, now):
            raise _NotOwed(complaint_id)  # decided on the member as stored (s58RR4 F04)
        access.authorize(complaint, command, actor, self.pack)
        if isinstance(command, Reply):
            self._check_agreed_due(complaint, command, actor, now)
        if isinstance(command, Assign):
            command = self._check_assignee(complaint, command)
        if isinstance(command, AddMeasure):
            command = self._check_measure_owner(complaint, command)
        if isinstance(command, Link):
            self._check_links(command)
        if isinstance(command, Group):
            self._check_group(command)
        events = decide(complaint, command, self.pack, now)
        if isinstance(command, Extend):
            self._check_extension(evolve(complaint, events), command, now)
            # who agreed it, after who may extend and the cap (review s55R7 F03)
            agreed = self._check_agreed_by(complaint, command)
            events = tuple(
                attrs.evolve(e, agreed_by=agreed) if isinstance(e, Extended) else e for e in events
            )
        if isinstance(command, (Assess, Classify)):
            events = (*events, *self._to_responsible(complaint, events, command.actor, now))
        if not events and not aged:
            return complaint
        later = self._aged(evolve(complaint, events), now)  # reopened past it
        if later:
            events = (*events, *later)
            follow = self._follow_ups(evolve(complaint, events), access.SYSTEM_ACTOR, now)
        else:
            follow = self._follow_ups(evolve(complaint, events), command.actor, now)
        events = (*aged, *events, *follow)
        if isinstance(command, Classify):
            return self._commit_regrouped(stored, events, now)
        return self._commit(stored, events, now)

    def _owes_group_visit(self, member: Complaint, issue: str, now: datetime) -> bool:
        """HDL-6: ``member`` is an open member of group incident ``issue`` that still
        owes a site visit (a running duty its ``site_visited`` stops)."""
        if member.state.issue != issue or not member.state.group_incident:
            return False
        owed = compute_duties(member, self.pack, self.calendar, now, explain=False)
        return any(d.owed and "site_visited" in d.duty.stop for d in owed)

    def _check_agreed_due(
        self, complaint: Complaint, command: Reply, actor: StaffMember | None, now: datetime
    ) -> None:
        """DL-3, DL-5, ESC-3: a reply that cannot solve the complaint at once agrees a
        new date, which replaces a promise still running; one later than it is agreed
        only by someone who may make a promise (the rung the grade needs), so an
        unanswerable reply does not put off a promise made at that rung (review
        s54R11 F01).  A date not later than the running promise, or one agreed when no
        promise is running (none made, kept, or already broken: its breach stands),
        may be agreed by whoever may give the reply.  Checked here, not in
        ``decide``, as it takes the calendar and the actor's rung."""
        agreed = command.agreed_due
        if agreed is None or not command.unanswerable_reason:
            return  # refused, naming agreed_due, by decide
        require_aware(agreed, "agreed_due")
        names = tuple(s.name for s in self.pack.clocks if "promised" in s.start)
        if not names:
            return
        open_states = (ClockState.RUNNING, ClockState.AT_RISK, ClockState.PAUSED)
        later = [
            s.due
            for s in compute_clocks(
                complaint, self.pack, self.calendar, now, explain=False, only=names
            )
            if s.state in open_states
            and s.due is not None
            and as_instant(agreed) > as_instant(s.due)
        ]
        if not later:
            return
        try:
            access.authorize(complaint, Promise(actor=command.actor, due=agreed), actor, self.pack)
        except AccessDeniedError as refused:
            due = min(later, key=as_instant)
            needed = self.pack.ladder[settling_rung_index(complaint, self.pack)].code
            when, until = (
                t.astimezone(self.zone).isoformat(timespec="minutes") for t in (agreed, due)
            )
            raise AccessDeniedError(
                complaint.id,
                refused.actor,
                command.name,
                f"agreed_due {when} is later than the promise running to {until}, which only"
                f" rung {needed} or above may move (DL-5, ESC-3): agree a date no later"
                " than it, or ask them to make a promise",
                path="agreed_due",
            ) from None

    def _check_agreed_by(self, complaint: Complaint, command: Extend) -> str:
        """Who agreed an extension (``agreed_by``, when given) is a member of the staff
        directory, not the person extending nor the one the complaint is about
        (ESC-4), who may act on the complaint's site (as an assignee: not another
        site's staff, nor, while a bypass complaint waits for consent, the site it
        went around, IN-6; review s55R7 F02), at the pack's ``agreed_by_rung`` or
        above when it names one: the SPSO's "the manager who agreed", the Housing
        Ombudsman's good reason past the cap (review s55R4 F01).  An unknown value is
        not echoed: it may be the resident's name.  Checked here, not in ``decide``,
        as it takes the directory, and after ``decide`` (who may extend, the cap, an
        earlier stage's handler: review s55R7 F01, F03); the events already stored
        are not checked again.  Returns the directory's own id ('' for nobody)."""
        spec = self.pack.clock(command.clock)
        if spec.extension is None or not command.agreed_by.strip():
            return command.agreed_by  # nobody named (decide refused the rest)
        rule = spec.extension

        def refuse(why: str) -> InvalidInputError:
            return InvalidInputError("agreed_by", f"{why} ({rule.rule})" if rule.rule else why)

        member = self.member(command.agreed_by)
        if member is None:
            raise refuse("unknown staff member: not in the staff directory")
        if staff_key(member.staff_id) == staff_key(command.actor):
            raise refuse(
                "the person extending cannot agree their own extension: name who agreed it"
            )
        site = complaint.intake.site or complaint.intake.complainant.site
        if not member.works_at(site):
            raise refuse("works at another site")
        if access.is_target(member, complaint):
            raise refuse("the complaint is about this person (ESC-4)")
        if access.bypassed_site(member, complaint, self.pack):
            raise refuse(
                "a bypass complaint stays with head office until the complainant "
                "consents to the site handling it (IN-6)"
            )
        need = rule.agreed_by_rung
        if need and self.pack.has_rung(need):
            below = not self.pack.has_rung(member.rung) or (
                self.pack.rung_index(member.rung) < self.pack.rung_index(need)
            )
            if below:
                raise refuse(
                    f"{member.staff_id} at rung {member.rung} may not agree it: an extension"
                    f" of {spec.name} is agreed at {need} or above"
                )
        return member.staff_id

    def _check_extension(self, extended: Complaint, command: Extend, now: datetime) -> None:
        """An extension leaves time after ``now`` or is refused naming ``by``: one
        ending by now would be recorded and move nothing (review s33D F03).  Checked
        here, not in ``decide``, as it takes the calendar."""
        (status,) = compute_clocks(
            extended, self.pack, self.calendar, now, explain=False, only=(command.clock,)
        )
        if (
            status.left > timedelta(0)
            and status.due is not None
            and as_instant(status.due) > as_instant(now)  # instants (review s51R19 F01)
        ):
            return  # working time left (at 17:00 on the new due day none is, though
            # a due time with none left reads as the next opening)
        spec = self.pack.clock(command.clock)
        by = Duration.parse(command.by, "by")
        why = (
            f"an extension of {spec.name} by {by} would end at or before now:"
            " give one that ends after now"
        )
        rule = spec.extension.rule if spec.extension is not None else ""
        raise InvalidInputError("by", f"{why} ({rule})" if rule else why)

    def _to_responsible(
        self, before: Complaint, events: Sequence[Event], actor: str, now: datetime
    ) -> tuple[Event, ...]:
        """VAL-2, CLS-3, DL-3: an assessment that names another department
        responsible, or a classification into another department's category (review
        s46H F03), hands the complaint to it, as an assignment would: its handler
        there is told, and its three days count from its own acceptance, not from
        the department that held it (which is not reported late for days it did not
        have, ESC-6), nor is the new one reported late on the old one's days.

        Decided on who held it before the step: a classification into an urgent
        category is also reported up the ladder at once (HDL-6), leaving it held by
        nobody; whoever takes it on at that rung then does so for the new
        department, so the move is recorded all the same (review s48O F01)."""
        complaint = evolve(before, events)
        state = complaint.state
        if state.department == before.state.department:
            return ()
        if not complaint.is_open or not before.state.handler or not state.department:
            return ()
        holder = self.member(before.state.handler)
        if (
            holder is None
            or not self.pack.has_department(holder.department)
            or holder.department in (state.department, self.pack.customer_service)
        ):
            return ()  # held by the responsible department, customer service or a manager
        if not state.handler:  # HDL-6 took it up the ladder: held there for the new one
            return self._hold_at_rung(complaint, actor, now, department=state.department)
        handler = self._staff.handler_for(complaint, now)
        if handler is None or handler.department != state.department:
            return ()  # nobody there at this rung: the department is named, not assigned
        assign = Assign(
            actor=actor, handler=handler.staff_id, rung=handler.rung, department=state.department
        )
        try:
            return decide(complaint, assign, self.pack, now)
        except ComplaintCoreError:
            return ()

    def _aged(self, complaint: Complaint, now: datetime) -> tuple[Event, ...]:
        """GRD-2, DL-6: an open valid complaint a month past its receipt is major, before
        anyone acts on it (no sweep may have passed since), and once reopened past it;
        so is one whose promise on a matter raised repeatedly was let pass (GRD-2): the
        grade the sweep would record (:func:`grade_due`), so a sanction recorded before
        the sweep is the grade's that ``show`` and the staff table ask for (review
        s56R6, left open).  :meth:`act` then moves it to the rung its new grade needs,
        as the system (ESC-3)."""
        if not age_upgrade_due(complaint, self.pack, now) and (
            grade_due(complaint, self.pack, now) is None
        ):
            return ()
        try:
            return decide(complaint, Regrade(actor=access.SYSTEM_ACTOR), self.pack, now)
        except ComplaintCoreError:  # not gradable (VAL-4)
            return ()

    def _commit_regrouped(
        self, complaint: Complaint, events: Sequence[Event], now: datetime
    ) -> Complaint:
        """HDL-5, IMP-3, GRD-2: a complaint reclassified into another category is
        linked to the earlier raisings of its new matter and joins the concentrated
        issue of its new group, as it would have been at intake: under the group's
        and its complainant's and room's locks (another reclassification or intake
        decides after it, on it), in the same transaction; the earlier raisings
        marked (raised repeatedly), stored fellow members and the later raisings
        of its matter linked after it, and the group read again after the commit
        (see :meth:`receive`; review s48O F02)."""
        after = evolve(complaint, events)
        moved = after.state.category != complaint.state.category
        if not moved or not after.is_open:
            return self._commit(complaint, events, now)
        with self._groups_locked([after]):  # decided on all there is
            later = self._find_later([after])  # IMP-3: its new matter's later raisings
            draft = Draft(after, list(events), [])
            repeated = self._repeats.reclassified(draft, now, RepeatBatch(heard=dict(later.heard)))
            grouping = Grouping()
            links = None if after.state.issue else self._grouper.group(draft, now, grouping)
            if len(draft.events) == len(events):  # neither linked nor grouped
                done = self._commit(complaint, events, now)
            else:
                done = self._commit_grouped(complaint, events, draft, now)
                self._grouper.link(links, now)
            return self._settle(done, None, repeated, later, grouping, now)

    def _commit_grouped(
        self, complaint: Complaint, events: Sequence[Event], draft: Draft, now: datetime
    ) -> Complaint:
        """Store a reclassification (``events``) and its grouping (the rest of
        ``draft``'s events, whose messages the draft holds) in one transaction.
        Told as :meth:`_commit` tells: the reclassification here, the grouping in
        the draft, when either leaves it held by nobody (ESC-2; review s43F F01)."""
        after = draft.complaint
        with self._fellows.read_once():  # the issue read once for every masked message
            box = (
                self._telling.outbox_for(after, events, now)
                + self._telling.duty_outbox(after, events, now)
                + self._telling.left_unheld_outbox(complaint, evolve(complaint, events), now)
                + draft.outbox
            )
        row = self._projection.row(after, now)
        hold = self._append(complaint, draft.events, row, box)
        self._after_commit(after, draft.events, now, deliver=bool(box), hold=hold)
        return after

    def _check_measure_owner(self, complaint: Complaint, command: AddMeasure) -> AddMeasure:
        """IMP-1: a measure's owner is known staff of the complaint's site (id normalised);
        IN-6: head office's while a bypass complaint waits for consent, since the
        owner is told of it (and of its summary) at once."""
        member = self.member(command.owner)
        site = complaint.intake.site or complaint.intake.complainant.site
        if member is None:
            raise InvalidInputError("owner", "unknown staff member: not in the staff directory")
        if not member.works_at(site):
            raise InvalidInputError("owner", "works at another site")
        if access.bypassed_site(member, complaint, self.pack):
            raise InvalidInputError(
                "owner",
                "a bypass complaint stays with head office until the complainant "
                "consents to the site handling it (IN-6)",
            )
        if member.staff_id != command.owner:
            command = attrs.evolve(command, owner=member.staff_id)
        return command

    def _check_links(self, command: Link) -> None:
        """IMP-3: a link names stored complaints; a typo would stay in the history for
        good.  The id is not quoted: a mistyped one may be a phone or a name."""
        named = [
            (f"{field}[{i}]", cid)
            for field in ("same_complainant", "same_room", "same_matter")
            for i, cid in enumerate(getattr(command, field))
        ]
        if command.repeated_by:
            named.append(("repeated_by", command.repeated_by))
        for path, cid in named:
            try:
                self.store.row(cid)
            except UnknownComplaintError:
                raise InvalidInputError(path, "no stored complaint has this id") from None

    def _check_group(self, command: Group) -> None:
        """HDL-5, PRV-1: a group names stored complaints, and its issue ``I-`` and one
        of them, as the desk names issues; anything else typed there (a phone, a
        name, a full-width id no complaint has) would be kept in the history and
        shown.  Neither id is quoted."""
        if not (command.issue.startswith("I-") and self._stored(command.issue[2:])):
            raise InvalidInputError(
                "issue",
                "is not an issue id: an issue is named I- and the id of its earliest"
                " complaint (HDL-5)",
            )
        for i, cid in enumerate(command.members):
            if not self._stored(cid):
                raise InvalidInputError(f"members[{i}]", "no stored complaint has this id")

    def _stored(self, complaint_id: str) -> bool:
        try:
            self.store.row(complaint_id)
        except UnknownComplaintError:
            return False
        return True

    def _check_assignee(self, complaint: Complaint, command: Assign) -> Assign:
        """The handler must be known staff of the site, at the rung the command says."""
        member = self.member(command.handler)
        site = complaint.intake.site or complaint.intake.complainant.site

        def deny(reason: str) -> AccessDeniedError:
            shown = access.shown_actor(command.handler, member)
            # refused as the one assigned (as decide refuses), not as `handle`
            return AccessDeniedError(complaint.id, shown, "be_assigned", reason)

        if member is None:
            raise deny("unknown staff member: not in the staff directory")
        if not member.works_at(site):
            raise deny("works at another site")
        if access.is_target(member, complaint):
            raise deny("the complaint is about this person (ESC-4)")
        if complaint.awaiting_site_consent and not access.is_head_office(member, self.pack):
            raise deny(
                "a bypass complaint stays with head office until the complainant "
                "consents to the site handling it (IN-6)"
            )
        if member.rung != command.rung:
            raise InvalidInputError("rung", f"{member.staff_id} is at rung {member.rung}")
        if member.staff_id != command.handler:
            command = attrs.evolve(command, handler=member.staff_id)
        if not command.department and member.department == complaint.state.department:
            # DL-3: the responsible department's own staff take it on for it (a
            # reclassified complaint is then moved: its 3 days run from here)
            command = attrs.evolve(command, department=member.department)
        return command

    def _follow_ups(self, complaint: Complaint, actor: str, now: datetime) -> tuple[Event, ...]:
        """What the procedures require next: a grade the rung cannot handle moves it
        up (ESC-3), and a complaint nobody holds is routed at its rung."""
        extra: tuple[Event, ...] = ()
        # a new stage nobody took on is routed at or above the rung it needs (s49D F02)
        if complaint.is_open and complaint.state.rung and not awaiting_stage_holder(complaint):
            need = required_rung_index(complaint, self.pack)
            if need > current_rung_index(complaint, self.pack):
                up = Escalate(
                    actor=actor, trigger=Trigger.GRADE, to_rung=self.pack.ladder[need].code
                )
                try:
                    extra = decide(complaint, up, self.pack, now)
                except ComplaintCoreError:
                    extra = ()
                complaint = evolve(complaint, extra)
        return (*extra, *self._route_after(complaint, actor, now))

    def _route_after(self, complaint: Complaint, actor: str, now: datetime) -> tuple[Event, ...]:
        """Route a complaint nobody holds: after an escalation, at its new rung; after
        head office forwards a bypass complaint with consent, at the site (IN-6); at a
        new stage, as at intake, to the lowest rung at or above both the stage's and
        the one it had reached with someone who did not handle an earlier stage
        (ESC-5: never down the ladder, review s49D F02)."""
        state = complaint.state
        if not complaint.is_open or state.handler:
            return ()
        released = complaint.intake.via_head_office and state.site_consent
        if self._beyond_the_receiver(complaint):
            return self._route_as_at_intake(complaint, actor, now)
        if not (state.rung or released or state.stage):  # a new stage starts unassigned
            return ()
        # IN-6: released and never held at the site, it is routed as at intake
        first_at_site = released and not any(isinstance(e, Assigned) for e in complaint.events)
        new_stage = awaiting_stage_holder(complaint)
        if state.rung and not (first_at_site or new_stage):
            return self._hold_at_rung(complaint, actor, now)
        handler = self._staff.handler_for(complaint, now)
        if handler is None:
            if first_at_site or new_stage:  # as at intake; the rung is told on commit
                self._warn_unassigned(complaint)
            return ()  # the rung was told; someone there assigns it by hand
        assign = (
            self._assign(complaint, handler, actor)
            if released and not state.rung
            else Assign(actor=actor, handler=handler.staff_id, rung=handler.rung)
        )
        return self._decided(complaint, assign, now)

    def _beyond_the_receiver(self, complaint: Complaint) -> bool:
        """IN-3, ESC-3: a complaint nobody has taken on (received unrouted, never
        assigned, escalated or forwarded) that its receiver's own assessment graded
        beyond the receiver's rung: the receiver may no longer settle it, so it goes
        to its grade's rung now, as ``receive`` routes, not left with nobody until
        IN-5's 24 hours pass (review s57R4 F01)."""
        state = complaint.state
        if not complaint.is_open or state.handler or state.rung or state.stage:
            return False
        if not state.grade or complaint.awaiting_site_consent:
            return False
        if any(e.kind == "forwarded" for e in complaint.events):
            return False
        receiver = self.member(complaint.intake.receiver) if complaint.intake.receiver else None
        if receiver is None or not self.pack.has_rung(receiver.rung):
            return False
        return self.pack.rung_index(receiver.rung) < required_rung_index(complaint, self.pack)

    def _route_as_at_intake(
        self, complaint: Complaint, actor: str, now: datetime
    ) -> tuple[Event, ...]:
        """Route a complaint nobody holds as ``receive`` does (:meth:`_beyond_the_receiver`);
        nobody who may handle it: logged, and its rung told on commit."""
        handler = self._staff.handler_for(complaint, now)
        if handler is None:
            self._warn_unassigned(complaint)
            return ()
        return self._decided(complaint, self._assign(complaint, handler, actor), now)

    def _hold_at_rung(
        self, complaint: Complaint, actor: str, now: datetime, *, department: str = ""
    ) -> tuple[Event, ...]:
        """ESC-2, ESC-5: someone at the complaint's rung takes it on; a rung nobody at
        the site holds is passed by a further escalation, decided here (the core
        knows no staff), to the first rung above with someone, with the trigger
        that moved it and a note naming the empty rungs: a complaint "moves up one
        or more rungs" and is never left held by nobody.  A bypass complaint
        waiting for consent is not moved on: all of head office was told (IN-6).
        ``department``: the one the holder takes it on for, when this moves it
        from another department (DL-3; see :meth:`_to_responsible`)."""
        pack = self.pack
        start = max(current_rung_index(complaint, pack), required_rung_index(complaint, pack))
        vacant: list[str] = []
        holder: StaffMember | None = None
        for rung in pack.ladder[start:]:
            holder = self._staff.holder_at(complaint, rung.code, now)
            if holder is not None or complaint.awaiting_site_consent:
                break
            vacant.append(rung.code)
        if holder is None:
            if not complaint.awaiting_site_consent:
                log.warning(
                    "complaint %s: nobody at its site holds rung %s or above; left unassigned",
                    complaint.id,
                    pack.ladder[start].code,
                )
            return ()
        moved: tuple[Event, ...] = ()
        if vacant:
            trigger = _moved_by(complaint)
            if trigger is None:
                log.warning(
                    "complaint %s: nobody at its site holds rung %s; left unassigned",
                    complaint.id,
                    vacant[0],
                )
                return ()
            onward = Escalate(
                actor=access.SYSTEM_ACTOR,  # the desk's own step, whoever's act led here
                trigger=trigger,
                to_rung=holder.rung,
                note=passed_rungs(pack, vacant),
            )
            moved = self._decided(complaint, onward, now)
            if not moved:
                return ()
            complaint = evolve(complaint, moved)
        reached = self._reached_customer_service(complaint, holder, now)
        if reached:
            complaint = evolve(complaint, reached)
        assign = Assign(
            actor=actor, handler=holder.staff_id, rung=holder.rung, department=department
        )
        return (*moved, *reached, *self._decided(complaint, assign, now))

    def _reached_customer_service(
        self, complaint: Complaint, holder: StaffMember, now: datetime
    ) -> tuple[Event, ...]:
        """IN-5: a complaint another unit received and never passed on (a guard's),
        handed by the sweep to a complaint handler of customer service, has reached
        customer service then, late: recorded as the desk's forward to it, so IN-5's
        clock stops.  The classified department stays the one responsible (CLS-3):
        the handler holds the complaint for customer service, which owes DL-3's
        hand-over to it."""
        if not self._hands_to_customer_service(complaint, holder):
            return ()
        return self._forward_to_customer_service(complaint, now)

    def _hands_to_customer_service(self, complaint: Complaint, holder: StaffMember) -> bool:
        """IN-5: whether ``holder`` taking on the complaint after an escalation is its
        arrival at customer service (see :meth:`_reached_customer_service`)."""
        cs = self.pack.customer_service
        if holder.department != cs or complaint.state.unit == cs:
            return False
        # routed before: a unit took it on, and a rung above has it now
        return not any(isinstance(e, Assigned) for e in complaint.events)

    def _forward_to_customer_service(
        self, complaint: Complaint, now: datetime
    ) -> tuple[Event, ...]:
        """IN-5: the desk's forward recording that customer service has the complaint."""
        forward = Forward(
            actor=access.SYSTEM_ACTOR,
            to_unit=self.pack.customer_service,
            note=REACHED_CUSTOMER_SERVICE,
        )
        return self._decided(complaint, forward, now)

    def _handover_left_out(self, complaint: Complaint, now: datetime) -> tuple[Event, ...]:
        """IN-5, DL-3 (review s34A F03): a sweep of an earlier release (0.1.0) escalated
        a complaint another unit received on IN-5's clock and routed nobody at the
        rung reached, so no handover was recorded; someone above took it on later,
        and IN-5 stayed breached for good while DL-3's hand-over never started.
        Today's sweep routes it at that rung and, when customer service's handler
        takes it, records the forward (:meth:`_reached_customer_service`): the sweep
        records that forward now, once (the unit is customer service then), so the
        clocks read as a fresh desk's.  One held by nobody gets it when routed."""
        at = self._projection.handover_left_out(complaint, now)
        if at is None:
            return ()
        escalated = complaint.events[at]
        assert isinstance(escalated, Escalated)
        then = replay(complaint.id, complaint.intake, complaint.events[: at + 1])
        holder = self._staff.holder_at(then, escalated.to_rung, now)
        if holder is None or not self._hands_to_customer_service(then, holder):
            return ()
        return self._forward_to_customer_service(complaint, now)

    def _decided(self, complaint: Complaint, command: Command, now: datetime) -> tuple[Event, ...]:
        """A command the desk decides on its own (routing): a refusal leaves the
        complaint as it is, and is logged with its reason, never swallowed (the
        complaint's id and the rule, no personal data: PRV-1)."""
        try:
            return decide(complaint, command, self.pack, now)
        except ComplaintCoreError as exc:
            log.warning(
                "complaint %s: the desk's own %s was refused: %s", complaint.id, command.name, exc
            )
            return ()

    def _assign(self, complaint: Complaint, handler: StaffMember, actor: str) -> Assign:
        """The first assignment of a complaint (at intake, or once released to the site).

        HDL-6, CLS-3: one reported at once is held for the department it is
        classified under, whoever's department takes it on at the rung."""
        # A handler from outside the department and customer service (a senior
        # manager, ESC-4) takes the complaint on, not its department.
        owners = (complaint.state.department, self.pack.customer_service)
        department = handler.department if handler.department in owners else ""
        if department and _moved_by(complaint) is Trigger.INCIDENT:
            # HDL-6: reported at once, it is taken on at the rung for the department
            # it was classified under, which keeps owning the fix (CLS-3; review s54R8)
            department = complaint.state.department
        return Assign(
            actor=actor, handler=handler.staff_id, rung=handler.rung, department=department
        )

    def _commit(
        self,
        complaint: Complaint,
        events: Sequence[Event],
        now: datetime,
        outbox: Outbox | None = None,
        *,
        deliver: bool = True,
        hidden: frozenset[str] = frozenset(),
        tell_raised: bool = True,
    ) -> Complaint:
        """Append events to a stored complaint with the messages they make (``hidden``:
        linked complaints those messages never name, IN-6; ``tell_raised`` false: a
        matter raised repeatedly is not told again, GRD-2)."""
        after = evolve(complaint, events)
        months = self._months_sanctioned(after, events)
        with self._decided_alone(months, "sanction") if months else contextlib.nullcontext():
            # HDL-5, PRV-1: an issue member's masked messages mask the other members
            # (review s56R5 F01): the issue read once for all of them
            with self._fellows.read_once():
                box = (
                    self._telling.outbox_for(
                        after, events, now, hidden=hidden, tell_raised=tell_raised
                    )
                    + self._telling.duty_outbox(after, events, now)
                    + self._severe_months(after, events, now)
                    + self._telling.left_unheld_outbox(complaint, after, now)
                    + (outbox or [])
                )
            self._committing(after)
            hold = self._append(complaint, events, self._projection.row(after, now), box)
            self._after_commit(after, events, now, deliver=deliver and bool(box), hold=hold)
        return after

    def _months_sanctioned(self, complaint: Complaint, events: Sequence[Event]) -> set[str]:
        """PEN-2: the (person, month) keys whose count a sanction among ``events``
        reads and adds to: two sanctions of one month, recorded at once by two
        threads or processes, count one after the other, each with the other's."""
        from complaintcore.desk.reports import sanction_month

        staff = self._sanctioned(events)
        if not staff:
            return set()
        year, month = sanction_month(complaint, self.zone)
        return {f"severe-month|{s}|{year:04d}-{month:02d}" for s in staff}

    def _sanctioned(self, events: Sequence[Event]) -> list[str]:
        """PEN-2: who ``events`` sanction, when the company can be told of it."""
        if not self.notifiers:
            return []
        return [e.staff_id for e in events if isinstance(e, SanctionRecorded)]

    def _severe_months(
        self, complaint: Complaint, events: Sequence[Event], now: datetime
    ) -> Outbox:
        """PEN-2: a sanction that finds its person's month at the pack's points or
        complaints limit tells the company, once per person and month (reads the
        month's complaints; only when a sanction is recorded and the pack has
        such a limit)."""
        staff = self._sanctioned(events)
        if not staff:
            return []
        from complaintcore.desk.reports import months_at_limit

        box: Outbox = []
        for period, row in months_at_limit(self, complaint, staff, now):
            box += self._telling.severe_month_outbox(complaint, period, row, now)
        return box

    def _after_commit(
        self,
        complaint: Complaint,
        events: Sequence[Event],
        now: datetime,
        *,
        deliver: bool = True,
        basis: bool = True,
        hold: Hold | None = None,
    ) -> None:
        """What follows a commit: listeners, delivery, and (``basis``) the mark of rows
        written under another basis (a batch asks once for all its rows).  ``hold``:
        the commit's messages, held until the listeners have heard it (hooks.md)."""
        if getattr(self._held, "committed", False) is None:  # the first of a receive or act
            self._held.committed = complaint
        later = getattr(self._held, "later", None)
        if later is not None:  # inside a group's lock: once it is released
            later.append((complaint, events, now, deliver, basis, hold))
            return
        try:
            self._hear(complaint, events, basis=basis)
        finally:
            self._release([hold] if hold is not None else [])
        if deliver:
            self._wake_delivery()

    @contextlib.contextmanager
    def _told_committed(self) -> Iterator[None]:
        """A ``KeyboardInterrupt`` once :meth:`_after_commit` was reached (a slow
        listener's Ctrl-C, a cron job's SIGTERM) raised as :class:`CommittedInterrupt`
        carrying the committed complaint: "aborted" would have the change typed in
        again, a second complaint (review s55R2 F03).  Nested (a listener acting on
        the desk), each call names its own commit."""
        outer = getattr(self._held, "committed", False)
        outer_pending = getattr(self._held, "pending", None)
        outer_hold = getattr(self._held, "hold", None)
        self._held.committed = None
        self._held.pending = None
        self._held.hold = None
        try:
            yield
        except KeyboardInterrupt as exc:
            done = self._held.committed
            if done is not None:
                raise CommittedInterrupt(done) from exc
            done = self._landed(self._held.pending)
            if done is None:
                raise
            # no listener runs for it: its messages are let go now, for the next
            # deliver, not left to wait out their hold (review s56R3 F03)
            hold = getattr(self._held, "hold", None)
            if hold is not None:
                with contextlib.suppress(KeyboardInterrupt):  # a second one: raised below
                    self._release([hold])
            raise CommittedInterrupt(done, while_committing=True) from exc
        finally:
            self._held.committed = outer
            self._held.pending = outer_pending
            self._held.hold = outer_hold

    def _committing(self, complaint: Complaint) -> None:
        """The change about to be committed (``complaint`` as it will be stored), for
        :meth:`_told_committed`: an interrupt that lands while the store commits it,
        or as the commit returns, is raised before :meth:`_after_commit` can say it
        was (review s55R8 F01).  Only the first of a receive or act."""
        if getattr(self._held, "committed", False) is None:
            self._held.pending = complaint

    def _holding(self, hold: Hold) -> None:
        """The listener hold of the change about to be committed (see
        :meth:`_committing`): let go by :meth:`_told_committed` when an interrupt
        lands while the store commits it (review s56R3 F03).  The first only."""
        if getattr(self._held, "committed", False) is None:
            self._held.hold = hold

    def _landed(self, pending: Complaint | None) -> Complaint | None:
        """``pending`` as committed, when the store holds it (its events, the first
        ``pending.version`` of the stored ones); None when it does not, or cannot say
        (the connection gone: the interruption stays a plain one)."""
        if pending is None:
            return None
        try:
            stored = self.store.load(pending.id)
        except Exception:  # no answer: not known to be stored
            return None
        if stored.intake != pending.intake or stored.events[: pending.version] != pending.events:
            return None
        return pending

    def _hear(self, complaint: Complaint, events: Sequence[Event], *, basis: bool) -> None:
        """The listeners of a commit (and the basis mark, ``basis``)."""
        if basis:
            self._mark_other_basis()
        if self.pm is not None and self._listeners and events:
            with collection_resumed():  # the host's code, as the host set it
                self._tell_listeners(self.pm, complaint, tuple(events))

    def _tell_listeners(
        self, pm: pluggy.PluginManager, complaint: Complaint, events: tuple[Event, ...]
    ) -> None:
        """``complaintcore_on_events``, each listener called whatever another does (an
        audit trail must not go deaf because analytics is down); a failure is logged
        naming its plugin, and undoes nothing committed."""
        from complaintcore.desk.plugins import call_each, plugin_label

        def failed(impl: pluggy.HookImpl, exc: BaseException | str) -> None:
            if isinstance(exc, str):  # a coroutine or a generator handed back: it heard nothing
                log.error(
                    "complaintcore_on_events failed for %s in plugin %s: the listener %s",
                    complaint.id,
                    plugin_label(impl.plugin),
                    exc,
                )
            else:
                log.error(
                    "complaintcore_on_events failed for %s in plugin %s\n%s",
                    complaint.id,
                    plugin_label(impl.plugin),
                    self._masked_failure(complaint, exc),
                )

        try:
            call_each(
                pm.hook.complaintcore_on_events, {"complaint": complaint, "events": events}, failed
            )
        except KeyboardInterrupt:
            raise  # stops the call (CommittedInterrupt), as a plain listener's
        except BaseException as exc:  # a wrapper's own failure (its SystemExit too: review
            # s55R8 F05) must not undo a committed change nor end the command
            log.error(
                "complaintcore_on_events failed for %s\n%s",
                complaint.id,
                self._masked_failure(complaint, exc),
            )

    # ------------------------------------------------------------------ deadlines

    def sweep(self, now: datetime, *, limit: int | None = 10_000) -> SweepReport:
        """Apply what deadlines call for; safe to run repeatedly and concurrently.

        Breached clocks and duties escalate once per run (ESC-2, DL-7), a
        department late on its clock is reported (ESC-6), at-risk clocks warn
        the handler once (DL-7), and a month-old valid complaint turns major
        (DL-6).  Duties are told to their owners when they fall due without an
        event (an apology owed for a broken promise), warned when at risk and
        reported when overdue; a closed complaint still owes its duties but is
        not escalated.  The due complaints are claimed from the store a batch at
        a time (:meth:`~complaintcore.desk.ports.ComplaintStore.claim_due`), so
        sweeps running at once on several hosts split them; were two ever to
        meet on one complaint, the store's version check lets one win and the
        other reloads and finds nothing left to do.  ``limit`` bounds the
        complaints one run examines (None: as many as are due), so a cron job's
        run ends in a bounded time and the next one goes on.

        A staff directory that cannot answer (a staff file that does not load, a
        host's directory down) fails the whole sweep with its error, before any
        complaint is claimed or, when it fails part-way, at the first complaint
        it stops: it is the desk's fault, not each complaint's.
        """
        now = self._require_now(now)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit < 2**63
        ):
            raise InvalidInputError("limit", f"must be an integer from 0 to {2**63 - 1}, or None")
        if limit is None:
            limit = 2**63 - 1
        self._require_directory()
        tally = Tally()
        rewritten: list[str] = []  # the rows brought up to date first (DL-7)
        try:
            self._follow_basis(now, rewritten)
        except BaseException as exc:  # the rows it rewrote are committed (review s47H F01)
            _raise_stopped(exc, _sweep_report(tally, 0, 0, rewritten))
        reprojected = tuple(rewritten)
        left_at: dict[str, int] = {}  # the version this run left each complaint at
        unswept: list[ComplaintRow] = []  # claimed by this run and not swept yet
        reclaimed: set[tuple[str, int]] = set()  # claimed again unchanged, and leased
        try:
            while tally.examined < limit:
                batch = self.store.claim_due(now, min(_SWEEP_BATCH, limit - tally.examined))
                if not batch:
                    break
                # A complaint swept in this run and unchanged since, yet still due, is
                # leased again by the claim and left for a later run; one changed by
                # someone else meanwhile is swept again.
                unswept = [row for row in batch if left_at.get(row.id) != row.version]
                # A row this run wrote is claimed once more (its append ended the
                # lease) and leased then; claimed a third time unchanged, the lease did
                # not hold (it ended as it was taken), and claiming again would hand
                # the same rows back for ever: the run ends, bounded (review s57R5 F01)
                kept = {(r.id, r.version) for r in batch if left_at.get(r.id) == r.version}
                if not unswept and kept <= reclaimed:
                    log.warning(
                        "sweep: the store handed back %d complaint(s) this run already"
                        " swept, unchanged, after leasing them: the sweep ends here",
                        len(batch),
                    )
                    break
                reclaimed |= kept
                # HDL-5, PRV-1: an issue's complainants read once a batch (review s47G F04)
                with self._fellows.read_once():
                    while unswept:
                        self._sweep_row(unswept[0], now, tally, left_at)
                        tally.examined += 1
                        unswept.pop(0)
        except BaseException as exc:
            # stopped part-way (Ctrl-C, the command line's SIGTERM, a store that
            # failed): what it claimed and never swept goes back for the next sweep
            # at once, not after the lease, and an interruption says what was done
            self._release_rows(unswept)
            if tally.examined:
                self._mark_other_basis()
            # what was committed before it goes out with it (review s47F F03)
            _raise_stopped(exc, _sweep_report(tally, 0, 0, reprojected))
        if tally.examined:  # rows written here, escalated or not: on another basis, marked
            self._mark_other_basis()
        self._wake_delivery()
        try:
            given_up, for_others = self._given_up(now), self._for_other_channels()
        except BaseException as exc:
            # everything above is committed: it goes out with the error, the outbox
            # counts unknown, as for a failure in the loop (review s47H F01)
            _raise_stopped(exc, _sweep_report(tally, 0, 0, reprojected))
        return _sweep_report(tally, given_up, for_others, reprojected)

    def _sweep_row(
        self, row: ComplaintRow, now: datetime, tally: Tally, left_at: dict[str, int]
    ) -> None:
        """Sweep one claimed complaint, counted in ``tally``; a conflict is retried, and a
        complaint the desk cannot process is reported failed (its claim lapses)."""
        for _attempt in range(CONFLICT_RETRIES):
            try:
                result = self._sweeper.sweep_one(row.id, now)
            except ConcurrencyConflictError:
                tally.conflicts += 1
                continue
            except ComplaintCoreError as exc:
                if (isinstance(exc, CalendarError) and not isinstance(exc, NoWorkingTimeError)) or (
                    isinstance(exc, StoreError) and not isinstance(exc, DamagedRecordError)
                ):
                    raise  # the store or the calendar failed: no complaint can be swept
                if isinstance(exc, ClosedError) or self._closing.is_set():
                    raise  # closed by another thread: none can be swept (review s48D F01)
                self._require_directory()  # the staff failed: none can be swept
                # One complaint the desk cannot process (damaged, stored under a
                # pack since changed, or a deadline past the calendar's end) must
                # not stop every deadline behind it.
                tally.failed.append((row.id, exc))
                log.error("sweep: complaint %s skipped: %s", row.id, exc)
                return
            left_at[row.id] = result.version
            if result.overtaken:  # a command came after ``now``: another writer
                tally.conflicts += 1
                return
            tally.add(row.id, result)
            return

    def _release_rows(self, rows: Sequence[ComplaintRow]) -> None:
        """Hand back the rows a stopped sweep claimed and never swept, where the store
        can (:class:`SweepLeaseStore`); else, or if that fails too, they wait out
        their lease: nothing is lost."""
        if not rows or not isinstance(self.store, SweepLeaseStore):
            return
        try:
            self.store.release_due([r.id for r in rows])
        except Exception as exc:  # the store broke with the interruption: leases hold them
            log.warning(
                "%d claimed complaint(s) wait out their sweep lease: %s",
                len(rows),
                type(exc).__name__,
            )

    # ------------------------------------------------------------------ notifications

    def deliver(
        self,
        now: datetime,
        *,
        limit: int | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> DeliveryReport:
        """Send what the outbox holds, until it is empty; failures stay for a later try.

        Items are claimed from the store before sending (atomically: no other
        thread or process sends them meanwhile, whatever ``now`` it passes: a
        built-in store keeps the claim on its own clock; review s46C F01) and
        settled as delivered or failed, a few at a time, until no due item is
        left (or ``limit`` items were tried).  Each send waits at most the
        desk's ``send_timeout``; a send that times out is retried later with
        the same dedupe key.  Items of a channel this desk lacks are left for a
        desk that has it; items past ``retry.max_attempts`` are dead letters
        for a person to retry or drop, counted as given up; neither holds back
        the items behind them.

        Up to ``send_threads`` sends are under way at once (at most a claimed
        batch, ten), a channel's messages to
        one recipient one at a time in queue order, a channel's first send of a
        batch alone until it answers (review s52R3 F03).  The pass uses the
        channels it began with, whatever ``notifiers`` is set to meanwhile (review
        s52R3 F02).  An outcome the store refuses for a while (a transient
        ``StoreError``: a lock held past its timeout) is kept and written first
        thing in the next pass, or by :meth:`close` (review s52R3 F01).

        Each batch is claimed at its own time: a pass of slow sends outlasts
        the lease of its first batch, and a lease counted from the start of the
        pass would hand later batches to another worker while this one still
        sends them.  Each lease covers its batch sent at the send timeout, five
        minutes at least.  A send given up on is held back from the time the
        desk stopped waiting for it, not from its batch's claim.  That time is
        ``clock()`` (the delivery worker's), or ``now`` plus the time the pass
        has taken so far (a monotonic timer) where that is later: without
        ``clock`` (a cron run of ``complaintcore deliver``) or with one that
        stands still, a pass still counts its own length.

        A channel one of whose sends timed out in this pass is not sent to
        again in it: its other messages claimed are handed back with no attempt
        spent, due at once, and none of it is claimed, so a hung channel delays
        the others by one ``send_timeout`` a pass, not one for each of its
        messages (review s45B F02).  Timed out means the desk stopped waiting
        (``send_timeout``) or the channel's own timeout ended the send first (a
        ``NotificationError`` with ``timed_out``, a ``TimeoutError``: an
        unreachable host, an answer that never came; review s49H F02).
        A channel that sends to each recipient's own address (a per-recipient
        webhook: its ``destination`` method names the address) is skipped only
        at the address that timed out: its other recipients' messages are
        sent, and those for that address claimed in the pass stay claimed
        until the pass ends, then are handed back, due at once with no
        attempt spent, so each address that hangs costs one timeout a pass
        (review s49P F01).  While a send to such an address given up on in an
        earlier pass still runs, the address is skipped the same way from the
        start: it holds one thread, not one more a pass (review s49W).
        A channel that holds ``send_threads`` sends it gave up on (sends that
        hang) is not claimed for: its messages stay due, with no attempt spent,
        for another process or for the first pass after one of its sends
        returns (a late return wakes the delivery worker).  Messages of it
        claimed before it hung are handed back unsent (:class:`OutboxStore`),
        and so are those a pass stopped by :meth:`close` or interrupted (a
        ``KeyboardInterrupt`` in its thread) had claimed and not begun: the
        next ``deliver`` sends them at once, not after the lease -- handed back
        at the ``now`` the pass began at, so one at that ``now`` does (review
        s46C F02).  The send in flight when a ``KeyboardInterrupt`` stops the
        pass runs on: its outcome is recorded when it ends (delivered, or a
        failed attempt), and :meth:`close` waits for it as for a send it gave
        up on (review s49H F04).  So are the
        messages of a pass that found every sending thread busy (other passes
        sending): it ends there, with no attempt spent.  A failure the channel
        calls hopeless (``NotificationError.retryable`` false) is a dead letter
        at once.  A staff directory that cannot answer (a staff file that does
        not load) stops the pass with its error, the message it was looking up
        handed back with no attempt spent.
        """
        now = as_instant(require_aware(now, "now"))  # review s57R5 F01
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit < 2**63
        ):
            raise InvalidInputError("limit", "must be a non-negative integer or None")
        self._staff_directory.reread_if_changed()  # once a pass (review s48K F01)
        # outcomes the store refused in an earlier pass first: a message sent is not
        # claimed and sent again (review s52R3 F01)
        self._kept.flush()
        # the channels the pass began with: a host setting ``notifiers`` meanwhile
        # changes the next pass, not the messages this one claimed (review s52R3 F02)
        channels = dict(self.notifiers)
        sent = failed = dead = 0
        lease = self._claim_lease()
        self._release_overlong(now)  # a message silenced by hand is sent (review s50P F03)
        current = _pass_clock(now, clock)
        at = now if clock is None else max(now, as_instant(require_aware(clock(), "clock()")))
        timed_out = TimedOutPlaces()  # where a send timed out in this pass
        loaded: dict[str, Complaint | None] = {}  # for the send-time check, this pass only
        aside: list[OutboxItem] = []  # claimed for a place that timed out: back at the end
        try:
            while channels and (limit is None or sent + failed + dead < limit):
                # a few at a time, so the lease outlasts the sends it covers
                tried = sent + failed + dead
                want = _CLAIM_BATCH if limit is None else min(_CLAIM_BATCH, limit - tried)
                ready = [n for n in channels if not self._hung(n) and n not in timed_out.channels]
                if not ready:
                    break
                items = self.store.claim(
                    at,
                    want,
                    notifiers=ready,
                    max_attempts=self.retry.max_attempts,
                    lease=lease,
                )
                run = _Pass(at, current, now, timed_out, channels, loaded)
                counts = self._send_batch(items, run, aside)
                sent, failed, dead = sent + counts[0], failed + counts[1], dead + counts[2]
                if len(items) < want or self._closing.is_set() or counts[3]:
                    break
                at = current()
        finally:
            # still claimed, so no later batch of this pass took them again; due at once
            self._hand_back_interrupted(aside, now)
        return DeliveryReport(
            sent,
            failed,
            self._given_up(now, channels),
            self._for_other_channels(channels),
            newly_given_up=dead,
        )

    def _send_batch(
        self, items: list[OutboxItem], run: _Pass, aside: list[OutboxItem]
    ) -> tuple[int, int, int, bool]:
        """Send one claimed batch of :meth:`deliver`: the messages sent, failed, given
        up, and whether every sending thread stayed busy.  A message for a place a
        send to which timed out in this pass is put ``aside``, still claimed.

        Up to ``send_threads`` sends are under way at once, each waited for until
        its own send timeout (review s52R3 F03); messages of one channel to one
        recipient go one at a time, in the queue's order.  A channel's first send of
        the batch goes alone, the rest of its messages once it answered: a channel
        that hangs costs the batch one send (one attempt, one thread), not one per
        thread (review s45B F02)."""
        counts = collections.Counter[str]()
        answered: set[str] = set()  # channels one of whose sends of the batch ended
        waiting = list(items)  # claimed, not yet begun, in the queue's order
        under: list[UnderWay] = []
        ended = threading.Event()  # a send under way ended
        try:
            while True:
                if waiting and (self._closing.is_set() or counts["busy"]):
                    # closing (a command exiting), or every sending thread stayed busy
                    # (another pass sends): the rest were never handed to a channel,
                    # so they go back for the next deliver at once, no attempt spent
                    for left in waiting:
                        self._hand_back(left, run.now)
                    waiting = []
                for item, outcome in self._begin_sends(waiting, under, run, ended, answered):
                    counts[outcome] += 1
                    if outcome == "set aside":
                        aside.append(item)
                if not under:
                    if waiting:
                        continue
                    break
                if not any(u.task.done.is_set() for u in under):
                    soonest = min(u.task.deadline for u in under)
                    ended.wait(max(0.0, soonest - time.monotonic()))
                ended.clear()  # a send ending from here on sets it again
                due = time.monotonic()
                for u in [u for u in under if u.task.done.is_set() or due >= u.task.deadline]:
                    under.remove(u)
                    outcome = self._end_send(u, run)
                    counts[outcome] += 1
                    if outcome in ("sent", "failed", "given up"):
                        answered.add(u.item.notifier)
        except BaseException:
            # interrupted (Ctrl-C, or the command line's SIGTERM): what was never
            # handed to a channel goes back at once, as on close; a send under way
            # keeps its claim, it may still get through, and its outcome is
            # recorded when it ends (review s49H F04)
            for u in under:
                if self._sender.let_go(u.task, u.unwaited):
                    waiting.append(u.item)
            self._hand_back_interrupted(waiting, run.now)
            raise
        sent = counts["sent"]
        failed = counts["failed"] + counts["timed out"]
        # a dead letter now, not kept for a retry (review s48L F03)
        dead = counts["given up"] + counts["timed out, given up"]
        return sent, failed, dead, bool(counts["busy"])

    def _begin_sends(
        self,
        waiting: list[OutboxItem],
        under: list[UnderWay],
        run: _Pass,
        ended: threading.Event,
        answered: Collection[str],
    ) -> list[tuple[OutboxItem, str]]:
        """Begin the sends of ``waiting`` that may begin now, in order, while fewer than
        ``send_threads`` are ``under`` way: not one to a channel and recipient that
        has one under way or an earlier one waiting, nor a second one of a channel
        not yet ``answered`` in the batch.  The messages settled at once (handed
        back, set aside, failed before a send) are returned with their outcome;
        those begun are added to ``under``; the rest stay ``waiting``."""
        settled: list[tuple[OutboxItem, str]] = []
        held = {u.order for u in under}
        probing = {u.item.notifier for u in under} - set(answered)
        i = 0
        while i < len(waiting) and len(under) < self._sender.threads:
            if self._closing.is_set():
                break
            item = waiting[i]
            order = (item.notifier, item.notification.recipient)
            if order in held or item.notifier in probing:
                i += 1
                continue
            del waiting[i]
            begun = self._begin_send(item, run, ended)
            if isinstance(begun, UnderWay):
                under.append(begun)
                held.add(order)
                if item.notifier not in answered:
                    probing.add(item.notifier)
            else:
                settled.append((item, begun))
        return settled

    def _require_directory(self) -> None:
        """Raise the staff directory's own error if it cannot answer: a staff file
        that does not load fails a whole sweep or delivery once, naming the file,
        not each complaint or message in turn (review s42A F03).  A staff file
        changed on disk is read again first (review s48K F01)."""
        self._staff_directory.reread_if_changed()
        self._staff_directory.members()

    def _hung(self, channel: str) -> bool:
        """Every sending thread a channel may use holds a send of it given up on."""
        return self._sender.stuck(channel) >= self._sender.threads

    def _hand_back(self, item: OutboxItem, at: datetime) -> None:
        """A claimed item not sent now: due again at once where the store can say so
        (:class:`OutboxStore`), else after its lease.  ``at`` is the ``now`` its pass
        began at, not the pass's clock moved on by the sends since: a ``deliver`` at
        that ``now`` (a catch-up, a replay) sends it (review s46C F02)."""
        if not isinstance(self.store, OutboxStore):
            return
        try:
            self.store.release(item.id, at)
        except ComplaintCoreError as exc:  # it waits out its lease: nothing is lost
            log.warning(
                "notification %s via %s waits out its claim: %s",
                item.notification.key,
                item.notifier,
                type(exc).__name__,
            )

    def _hand_back_interrupted(self, items: list[OutboxItem], at: datetime) -> None:
        """Hand back the items a pass was interrupted before sending; any failure
        leaves the rest to their lease rather than hide the interruption."""
        try:
            for item in items:
                self._hand_back(item, at)
        except Exception:  # the store broke with the interruption: the leases hold them
            log.warning("%d claimed notification(s) wait out their claim", len(items))

    def _given_up(self, now: datetime, channels: Mapping[str, Notifier] | None = None) -> int:
        """Dead letters: this desk's messages past ``retry.max_attempts``, not dropped;
        counted by the store where it can (every pass and sweep asks), else the first
        10,000 read.  ``channels``: those of a delivery pass, else the desk's."""
        channels = self.notifiers if channels is None else channels
        if not channels:
            return 0
        if isinstance(self.store, OutboxStore):
            counts = self.store.dead_letter_counts(self.retry.max_attempts)
            return sum(n for name, n in counts.items() if name in channels)
        return sum(
            1
            for item in self.store.dead_letters(self.retry.max_attempts, 10_000)
            if item.notifier in channels
        )

    def _for_other_channels(self, channels: Mapping[str, Notifier] | None = None) -> int:
        """Messages waiting for channels this desk does not have; each such channel is
        logged once (a warning naming the channel and the count, nothing of the
        messages).  A desk without channels (one that only sweeps or reports), or
        on a store that cannot count them cheaply, counts none."""
        channels = self.notifiers if channels is None else channels
        if not channels or not isinstance(self.store, HealthStore):
            return 0
        counts = self.store.pending_counts()
        others = {name: n for name, n in counts.items() if name not in channels}
        for name in sorted(others):
            if name in self._other_channels:
                continue
            self._other_channels.add(name)
            log.warning(
                "%d notification(s) wait for channel %r, which this desk does not have:"
                " they are left for a process that has it, and never sent if none has"
                " (a channel renamed or removed)",
                others[name],
                name,
            )
        return sum(others.values())

    def start_delivery(
        self, *, clock: Callable[[], datetime] | None = None, interval: float = 30.0
    ) -> DeliveryWorker:
        """Send the outbox from a background thread from now on (see
        :class:`~complaintcore.desk.delivery.DeliveryWorker`): every commit wakes
        it, so messages go out at once without ever slowing the commit.

        The worker reads ``clock`` (default: the system clock) for ``now``.
        :meth:`close` stops it, and a closed desk refuses to start one
        (:class:`~complaintcore.core.errors.InvalidInputError` naming ``desk``,
        as its other methods refuse; review s46G F01).  One whose thread died
        (an error it could not survive, logged) is replaced.
        """
        if self._closing.is_set():
            raise ClosedError("desk")
        if self._worker is not None and self._worker.alive:
            raise InvalidInputError("delivery", "a delivery worker already runs for this desk")
        worker = DeliveryWorker(self, clock=clock, interval=interval)
        self._worker = worker.start()
        if self._closing.is_set():  # closed meanwhile, by another thread: no worker left behind
            self._worker = None
            worker.stop()
            raise ClosedError("desk")
        worker.wake()
        return worker

    def _wake_delivery(self) -> None:
        if self._worker is not None:
            self._worker.wake()

    def _begin_send(
        self, item: OutboxItem, run: _Pass, ended: threading.Event
    ) -> UnderWay | Literal["handed back", "failed", "given up", "set aside"]:
        """Hand one message to a sending thread (:meth:`_end_send` waits for it), or
        settle it at once: handed back (its channel hung, or timed out in this
        pass, after the batch was claimed: no attempt spent, for whoever can send
        it), a failed attempt before any send (the recipient unknown), or ``"set
        aside"``: its place timed out in this pass (the channel, or the recipient's
        own address where the channel names one:
        :func:`~complaintcore.desk.destinations.destination_of`; review s49P F01).
        The staff directory's own failure (the desk's, not the message's) is raised,
        the message handed back with no attempt spent."""
        if self._hung(item.notifier) or item.notifier in run.timed_out.channels:
            self._hand_back(item, run.now)
            return "handed back"
        notifier = run.channels[item.notifier]
        try:
            recipient = self._staff_directory.get(item.notification.recipient)
        except ComplaintCoreError as exc:
            try:
                self._staff_directory.members()
            except ComplaintCoreError:
                # the directory fails as a whole (a staff file that does not load): the
                # desk's failure, not the message's; no attempt spent, the pass stops
                self._hand_back(item, run.now)
                raise
            return self._failed(item, exc, run.at, run.current, notifier)  # this recipient's
        if recipient is None and item.notification.recipient:
            # review s48K F01: they left (or were never there): never sent to them, and
            # not skipped as delivered either: a dead letter naming why, for a person
            return self._failed(item, unknown_recipient(item), run.at, run.current, notifier)
        if (
            recipient is not None
            and item.notification.data
            and not masks_itself(notifier)
            and not self._still_sees(item, recipient, run)
        ):
            # review s55R3 F02: written unmasked for them, but they may no longer see
            # it (moved site, no longer its handler, no longer seeing personal data),
            # and the channel would send it as written: a dead letter naming why
            return self._failed(item, not_entitled(item), run.at, run.current, notifier)
        place = destination_of(notifier, item.notification, recipient)
        if run.timed_out.skips(item.notifier, place):
            return "set aside"  # its place timed out in this pass: no attempt spent
        if place is not None and self._sender.holds(item.notifier, place):
            # a send there given up on in an earlier pass still runs: not another
            # thread for it, so one dead address cannot make the channel hung
            # for its other recipients (review s49W); skipped for the pass
            run.timed_out.add(item.notifier, place)
            return "set aside"
        task = self._sender.submit(
            Task(
                functools.partial(_send_plain, notifier, item.notification, recipient),
                functools.partial(self._settle_late, item, run.at),
                item.notifier,
                item.notification.key,
                place,
                ended.set,
            )
        )
        unwaited = functools.partial(self._settle_unwaited, item, run.at, run.current, notifier)
        return UnderWay(item, task, notifier, place, unwaited)

    def _still_sees(self, item: OutboxItem, recipient: StaffMember, run: _Pass) -> bool:
        """Whether the recipient of a message written unmasked may still see its
        complaint's personal data (:func:`~complaintcore.desk.delivery.still_sees`);
        a complaint the store no longer has is not theirs to see.  Each complaint is
        loaded once a pass, for all its messages (``run.loaded``; re-review s55R9
        F03).  The store's own failure is raised, the message handed back with no
        attempt spent."""
        complaint_id = item.notification.complaint_id
        if complaint_id in run.loaded:
            complaint = run.loaded[complaint_id]
        else:
            try:
                complaint = self.store.load(complaint_id)
            except UnknownComplaintError:
                complaint = None
            except Exception:
                self._hand_back(item, run.now)
                raise
            run.loaded[complaint_id] = complaint
        return complaint is not None and still_sees(recipient, complaint, self.pack)

    def _end_send(
        self, under: UnderWay, run: _Pass
    ) -> Literal["sent", "failed", "given up", "timed out", "timed out, given up", "busy"]:
        """The outcome of a send begun by :meth:`_begin_send`, once it ended or its
        send timeout passed; a failure of any kind is recorded for a retry, never
        raised.  ``run.current`` tells the time the desk gives up on a send that
        timed out: its hold is counted from there.  A send never begun (every
        thread busy) is handed back with no attempt spent, due at the ``now`` of
        the pass; one that timed out is a failed attempt reported apart, and its
        place is added to ``run.timed_out``, so the pass stops sending there.  A
        failure the channel calls hopeless (``retryable`` false) is a dead letter
        at once, kept for a person to retry, and reported as given up, as a last
        attempt's failure is (review s48L F03).  An outcome the store refuses for
        a while is kept and recorded at the next pass (review s52R3 F01)."""
        item, notifier, place, now = under.item, under.notifier, under.place, run.at
        try:
            self._sender.outcome(under.task)
        except SendTimeoutError as exc:
            if not exc.busy:
                # a failed attempt; the pass skips its place
                run.timed_out.add(item.notifier, place)
                if self._failed(item, exc, now, run.current, notifier) == "given up":
                    return "timed out, given up"
                return "timed out"
            # never handed to the channel: no attempt spent (review s39B F02)
            self._hand_back(item, run.now)
            log.warning(
                "notification %s via %s not sent: every sending thread stayed busy",
                item.notification.key,
                item.notifier,
            )
            return "busy"
        except Exception as exc:
            failed = self._failed(item, exc, now, run.current, notifier)
            if _channel_timed_out(exc):
                # the channel's own timeout ended it (a host unreachable, an answer
                # that never came): hung as surely as one the desk stopped waiting
                # for, so the pass skips its place too (review s49H F02): the
                # channel, or only this recipient's address (review s49P F01)
                run.timed_out.add(item.notifier, place)
                return "timed out" if failed == "failed" else "timed out, given up"
            return failed
        self._delivered(item, now)
        return "sent"

    def _failed(
        self,
        item: OutboxItem,
        exc: Exception,
        now: datetime,
        current: Callable[[], datetime],
        notifier: Notifier,
    ) -> Literal["failed", "given up"]:
        """Record a failed attempt, due again after the retry delay (and after a
        timed-out send can have ended); one that cannot succeed on a retry is
        counted as the last (review s39B F06).  ``"given up"`` when the item is a
        dead letter now, no longer tried (review s48L F03)."""
        try:
            said = _one_line(self._masked_error(item, str(exc)))
            error = f"{type(exc).__name__}: {said[:200]}"
        except Exception:  # even describing it failed
            error = type(exc).__name__
        attempts = item.attempts + 1  # this one included
        at_once, reason = _hopeless(exc), error
        if at_once:
            # the same answer again would only resend the payload: the attempts
            # left are counted at once, so it is a dead letter now; the error says
            # how many were made (review s48P F02)
            error = given_up_at_once(attempts, error)
        delay = timedelta(seconds=self.retry.delay(item.attempts + 1))
        attempted = now  # the retry delay counts from it (review s51C F03)
        retry_at = now + delay
        in_flight = isinstance(exc, SendTimeoutError)
        if in_flight:
            # the abandoned send may still get through: not due again (here or
            # in another process) before it has ended, counted from when the
            # desk stopped waiting for it, not from the batch's claim
            delay = max(delay, self._in_flight(notifier))
            stopped = current()
            retry_at = max(retry_at, stopped + delay)
            attempted = max(now, stopped)
        # kept for the next pass if the store refuses it for a while (review s52R3 F01),
        # then written only while the message holds this pass's claim (s52R10 F03)
        mark = functools.partial(self._mark_failed, item.id, error, retry_at, attempted)
        again = functools.partial(mark, claim=item.claim)
        writes: list[tuple[Callable[[], object], Callable[[], bool] | None]] = [
            (functools.partial(mark, held=in_flight), functools.partial(again, held=in_flight))
        ]
        if at_once:
            # the store's count only (its dead-letter mark), not attempts made
            marks = self.retry.max_attempts - attempts
            writes += [(functools.partial(mark, held=False), None)] * marks
        done, refused = self._record_outcome(item, writes)
        if not done and refused is not None:
            # close(timeout=…) did not wait for it: nothing written, so no retry time
            # and no dead letter, only its claim, which lapses (review s53R10 F01)
            _not_recorded(item, refused)
            return "failed"
        if at_once and refused is None:  # a close between its writes: retried, below
            log.warning(
                "notification %s via %s given up at once after %d attempt%s and no longer"
                " tried, as no retry can mend it (%s) (a dead letter: complaintcore outbox list)",
                item.notification.key,
                item.notifier,
                attempts,
                "" if attempts == 1 else "s",
                reason,
            )
            return "given up"
        if attempts >= self.retry.max_attempts:
            log.warning(
                "notification %s via %s failed %d times and is no longer tried"
                " (a dead letter: complaintcore outbox list)",
                item.notification.key,
                item.notifier,
                attempts,
            )
            return "given up"
        log.warning(
            "notification %s via %s failed; retry in %s",
            item.notification.key,
            item.notifier,
            delay,
        )
        return "failed"

    def _mark_failed(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        attempted: datetime,
        *,
        held: bool,
        claim: datetime | None = None,
    ) -> bool:
        """A failed attempt recorded, due again at ``retry_at``, its wait counted from
        ``attempted`` where the store keeps it (a :class:`RetryHealthStore`, so that
        verify can tell a retry time moved by hand; review s51C F03); ``held``: a send
        that may still get through, claimed till then where the store can hold it (a
        retry or drop by hand would not stop it).

        ``claim``: the attempt was kept while the store refused it and is written at a
        later pass; on a store that can tell (the built-in ones), only while the
        message still holds the claim it was sent under, in the same statement, so an
        attempt written after that claim lapsed ends no claim another sender took
        since (review s52R10 F03).  False: not written (that claim is gone).

        Both writes go through one owner check (:func:`_records_own_failures`): a
        host's wrapper handing out a built-in store's methods with a ``mark_failed``
        of its own has its own method called, at once or at the next pass alike
        (review s52R14 F01)."""
        store = self.store
        held = held and isinstance(store, HoldStore)
        if (
            claim is not None
            and isinstance(store, _ClaimedFailures)
            and _records_own_failures(store, store.mark_failed_claimed, held)
        ):
            return store.mark_failed_claimed(item_id, claim, error, retry_at, attempted, held=held)
        if isinstance(store, RetryHealthStore) and _records_own_failures(
            store, store.mark_failed_at, held
        ):
            # its own method: ``mark_failed`` keeps the documented signature, which a
            # host's override takes (review s51R12 F03)
            store.mark_failed_at(item_id, error, retry_at, attempted, held=held)
        elif held and isinstance(store, HoldStore):
            store.mark_failed_held(item_id, error, retry_at)
        else:
            store.mark_failed(item_id, error, retry_at)
        return True

    def _longest_wait(self) -> timedelta:
        """The longest this desk has an outbox message wait for a retry, from the time
        the wait counts from: the retry delay's cap, or the run of a send it stopped
        waiting for, with a lease's margin.  A message due later was moved by hand
        (review s51C F03)."""
        in_flight = max((self._in_flight(n) for n in self.notifiers.values()), default=timedelta(0))
        return max(timedelta(seconds=self.retry.max_delay_seconds), in_flight) + _LEASE

    def _in_flight(self, notifier: Notifier) -> timedelta:
        """How long a send the desk stopped waiting for may still run: the channel's
        ``longest_send`` (seconds; the built-in channels enforce it on the whole
        send), else its ``timeout`` plus ``reply_timeout`` where it has them, and
        the desk's own timeout on top as a margin."""
        seconds = self._sender.timeout or 0.0
        declared = getattr(notifier, "longest_send", None)
        if _positive(declared):
            seconds += float(declared)
        else:
            for name in ("timeout", "reply_timeout"):
                value = getattr(notifier, name, None)
                if _positive(value):
                    seconds += float(value)
        # checked when the desk was built, but an attribute can change later: a hold
        # the clock cannot hold would fail every delivery pass (review s36B F01)
        return timedelta(seconds=min(seconds, 3 * LONGEST_SEND))

    def _masked_error(self, item: OutboxItem, text: str) -> str:
        """A channel's error text as it is stored and listed (``outbox list``): a
        host's channel may quote the number, the message or the complainant, so
        phones, e-mail addresses, the recipient's and the complainant's name,
        phone and room are masked (PRV-1)."""
        from complaintcore.adapters.notify._common import personal_values

        try:
            recipient = self._staff_directory.get(item.notification.recipient)
        except InvalidInputError:  # the directory's own wrong answer: its error says so
            recipient = None
        secrets = personal_values(item.notification, recipient)
        try:
            person = self.store.load(item.notification.complaint_id).intake.complainant
        except ComplaintCoreError:  # the complaint cannot be read: mask what is known
            pass
        else:
            secrets += [v for v in (person.name, person.phone, person.room) if v]
        return redact(text[:1000], also=with_encodings(secrets))

    def _delivered(self, item: OutboxItem, now: datetime) -> None:
        """Mark a message delivered, or keep the mark for the next pass if the store
        refuses it for a while (review s52R3 F01); one the store refuses as closed
        (``close(timeout=…)`` did not wait for its send, of a pass or given up on)
        is one WARNING naming it (review s53R2 F02)."""
        write = functools.partial(self.store.mark_delivered, item.id, now)
        refused = self._record_outcome(item, [(write, None)])[1]
        if refused is None:
            return
        if not _store_closed(refused):  # refused after the close: a lock, say
            _not_recorded(item, refused)
            return
        log.warning(
            "notification %s via %s got through after the desk closed;"
            " it will be sent again (same key)",
            item.notification.key,
            item.notifier,
        )

    def _record_outcome(
        self,
        item: OutboxItem,
        writes: Sequence[tuple[Callable[[], object], Callable[[], bool] | None]],
    ) -> tuple[int, Exception | None]:
        """Record the writes of one outcome of ``item`` in order (``write``, ``again``:
        :meth:`KeptOutcomes.record`), each kept if the store refuses it for a while.
        How many were written or kept, and the refusal that stopped the rest because
        the desk closed (``close(timeout=…)`` did not wait for the send: its store
        closed, or it refused a write once nothing is kept), else ``None``; the
        caller names the message, and logs nothing that was not written (review
        s53R10 F01)."""
        outcome = object()  # its writes: dropped together
        done = 0
        try:
            for write, again in writes:
                self._kept.record(item, write, again=again, outcome=outcome)
                done += 1
        except Exception as exc:
            after_close = isinstance(exc, StoreError) and exc.transient and self._kept.closed
            if not (after_close or _store_closed(exc)):
                raise
            return done, exc
        return done, None

    def _settle_late(self, item: OutboxItem, now: datetime, error: BaseException | None) -> None:
        """A send that timed out finished after all: if it got through, say so, so the
        retry (already scheduled) is not made.  Its thread is free again: the worker
        is woken for the messages its channel held back."""
        try:
            if error is None:
                self._delivered(item, now)
            elif isinstance(self.store, HoldStore):  # it ended: a retry by hand may go now
                with self._unless_closed(item):
                    self.store.hold_item(item.id, now)
        finally:
            self._wake_delivery()

    def _settle_unwaited(
        self,
        item: OutboxItem,
        now: datetime,
        current: Callable[[], datetime],
        notifier: Notifier,
        error: BaseException | None,
    ) -> None:
        """The send in flight when its pass was interrupted (Ctrl-C, the command
        line's SIGTERM) ended: recorded as its pass would have, delivered or a
        failed attempt, so it is neither left claimed nor sent again when the claim
        lapses (review s49H F04).  :meth:`close` waits for it."""
        if error is None:
            self._delivered(item, now)
        else:
            failure = error if isinstance(error, Exception) else Exception(repr(error))
            self._failed(item, failure, now, current, notifier)

    @contextlib.contextmanager
    def _unless_closed(self, item: OutboxItem) -> Iterator[None]:
        """The end of a send given up on that failed, finding the store closed
        (``close(timeout=…)`` did not wait for it): one line naming the message, not
        a traceback; its failed attempt was recorded when the desk stopped waiting,
        so it is retried, with the same key, when its retry comes due (review s49H
        F05)."""
        try:
            yield
        except Exception as exc:
            if not _store_closed(exc):
                raise
            log.info(
                "notification %s via %s failed after the desk closed; it is retried",
                item.notification.key,
                item.notifier,
            )


@runtime_checkable
class _ClaimedFailures(Protocol):
    """The built-in stores' failed attempt written only under a claim (review s52R10 F03)."""

    def mark_failed_claimed(
        self,
        item_id: int,
        claim: datetime,
        error: str,
        retry_at: datetime,
        attempted_at: datetime,
        *,
        held: bool = False,
    ) -> bool: ...


def _records_own_failures(store: object, method: Callable[..., object], held: bool) -> bool:
    """Whether ``method`` (``store.mark_failed_at`` or ``store.mark_failed_claimed``)
    records a failure as the store the desk holds would: it is the store's own, or
    it belongs to another object (a host's wrapper handing out a built-in store's
    methods through ``__getattr__``) whose ``mark_failed`` (``mark_failed_held``
    when ``held``) is the wrapper's too.  A wrapper with one of its own gets the
    failure through it, so one that logs or counts failures still hears each
    (review s51R17 F03), a kept one written at the next pass too (s52R14 F01)."""
    owner = getattr(method, "__self__", store)
    if owner is store:
        return True
    name = "mark_failed_held" if held else "mark_failed"
    return bool(getattr(store, name) == getattr(owner, name, None))


def _channel_timed_out(exc: BaseException) -> bool:
    """Whether a channel's own timeout ended a failed send: a built-in channel's
    ``NotificationError.timed_out``, or a host channel's ``TimeoutError`` (raised,
    or the cause of the error it raised)."""
    if getattr(exc, "timed_out", False) is True:
        return True
    seen: BaseException | None = exc
    for _ in range(8):  # a cause chain is short; a cycle must not loop
        if seen is None:
            return False
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__
    return False


_RAISER_LOCKS = 1024
"""Store locks an intake's complainants and rooms are spread over (IMP-3)."""


def _keep_first_pack(
    extra: dict[str, RulePack], owners: dict[str, str], name: str, pack: RulePack, plugin: str
) -> None:
    """The first plugin to register a pack name keeps it: pluggy asks the plugins the
    host passes in first, and the host knows best, as for every other hook.  A later
    one is ignored, with a warning naming both plugins (review s45D F04): it replaced
    the host's pack silently, and with it the procedure and its deadlines."""
    first = owners.setdefault(name, plugin)
    if name not in extra:
        extra[name] = pack
        return
    log.warning(
        "complaintcore_register_rule_packs: plugin %s registered pack %r, which plugin %s"
        " registered first; the first is kept and this one ignored",
        plugin,
        name,
        first,
    )


def _unstored(
    exc: AccessDeniedError | IllegalTransitionError, path: str
) -> AccessDeniedError | IllegalTransitionError:
    """A refusal of an intake without the id its draft had: nothing was stored, so a
    clerk who looked that id up would find nothing; ``path`` names the field instead."""
    if isinstance(exc, AccessDeniedError):
        return AccessDeniedError("", exc.actor, exc.command, exc.reason, path=path)
    return type(exc)("", exc.state, exc.command, exc.reason, path=path)


def _later(row: ComplaintRow, at: datetime) -> bool:
    """Whether the row waits past ``at`` (or for nothing) for its next sweep."""
    return row.next_due is None or row.next_due > at


def _unread(exc: ComplaintCoreError) -> str:
    """Why a complaint could not be replayed, naming no stored value (PRV-1): an
    event version's type and versions, the damaged part, else the error's kind."""
    from complaintcore.event_versions import EventVersionError

    if isinstance(exc, EventVersionError):
        return str(exc)
    if isinstance(exc, DamagedRecordError):
        return exc.what
    return type(exc).__name__


def _judged_at(complaint: Complaint, now: datetime, queued: Mapping[str, datetime]) -> datetime:
    """The time a complaint's projection row is replayed at by ``verify`` and
    ``reproject``: ``now``, or the latest time a writer of the row is known to
    have written for, if later.

    A row is written for the time of the command that wrote it, which may be
    later than ``now`` (a sweep run with --now ahead, a sweeper whose clock is
    ahead), never earlier than its last event; a sweep that records no event but
    warns (DL-7) queues its warnings at its time (review s50I F01).  The events
    are under the hash chain and the messages' times under the ledger, so no
    edit can move either time without the store's check naming it.  A sweep
    that neither recorded nor queued anything leaves no such time: its row is
    judged at ``now``."""
    at = now
    if complaint.events and complaint.events[-1].at > at:
        at = complaint.events[-1].at
    sent = queued.get(complaint.id)
    if sent is not None and sent > at:
        at = sent.astimezone(now.tzinfo)  # the desk's zone, not the store's UTC
    return at


def _out_of_date(row: ComplaintRow, expected: ComplaintRow, at: datetime, *, unheld: bool) -> bool:
    """Whether reproject rewrites ``row``: what ``verify`` names, one held by nobody
    (or owed an IN-5 handover an earlier release left out) waiting past ``at``, or a
    ``breach_due`` that is not the history's (an earlier one is no problem, but makes
    ``list --overdue`` check clocks: the schema upgrade that added it gives open rows
    their time received, DL-7)."""
    return bool(
        row_differs(row, expected)
        or (_later(row, at) and unheld)
        or row.breach_due != expected.breach_due
    )


def _moved_by(complaint: Complaint) -> Trigger | None:
    """ESC-2: the trigger of the escalation since its last holder, which a further
    step past an empty rung carries on; ``None`` if nothing moved it up since."""
    for ev in reversed(complaint.events):
        if isinstance(ev, Escalated):
            return ev.trigger
        if isinstance(ev, Assigned):
            return None
    return None


LISTENER_HOLD = timedelta(minutes=5)
"""hooks.md: how long a commit's messages wait for the desk's listeners at most,
counted on the store's clock from the write (a
:class:`~complaintcore.desk.ports.ListenerHoldStore`), whatever ``now`` the desk
decides by: let go as soon as the listeners return, they are sent after this even
if a listener still runs or the desk died."""


def _new_hold() -> ListenerHold:
    """A listener hold for one write: :data:`LISTENER_HOLD`, marked afresh."""
    return ListenerHold(uuid.uuid4().hex, LISTENER_HOLD)


def _hold_of(held: ListenerHold, box: Outbox) -> Hold:
    """The messages of ``box`` queued by a write with ``held``."""
    return Hold(held.mark, tuple((notifier, n.key) for notifier, n in box))


def _process_lock_keys(store: ComplaintStore, keys: Collection[str]) -> set[str]:
    """The keys as the process's locks take them: each prefixed with the store's
    tenant and the database it names (``database``, when it has one), as the
    store's own lock names carry the tenant.  Every desk of one tenant on one
    database takes turns, whatever store objects it uses; another tenant's
    intake, or one on another database, never waits for it, nor is put off to
    deciding unlocked by it, nor can time it (review s49G F01).  A store naming
    no database is keyed by its tenant alone."""
    database = getattr(store, "database", "")
    where = database if isinstance(database, str) else ""
    # a tenant has no "|"; the database's length ends it, whatever it holds
    scope = f"{store.tenant}|{len(where)}:{where}|"
    return {scope + key for key in keys}


def _store_lock_keys(keys: Collection[str]) -> set[str]:
    """The keys as the store's lock takes them: a group or a month as it is, a
    complainant's or a room's as one of :data:`_RAISER_LOCKS` buckets, the same in
    every process, so a batch of thousands of owners holds a bounded number of
    PostgreSQL advisory locks (its lock table is shared by the whole server)."""
    raisers = ("person|", "room|")
    return {
        f"raiser|{zlib.crc32(k.encode('utf-8', 'surrogatepass')) % _RAISER_LOCKS}"
        if k.startswith(raisers)
        else k
        for k in keys
    }


def _other_region(calendar: WorkingCalendar, pack: RulePack) -> tuple[str, ...]:
    """A warning when the calendar was built from another region's holidays than the
    pack names (``GB-SCT`` for an England pack): its days off are the calendar's."""
    region, named = calendar.region, pack.calendar.country
    if not region or region.upper() == named.upper():
        return ()
    named = named or "''"  # a pack without public holidays
    return (
        f"calendar: built from the holidays of {region}, but the rule pack "
        f"{pack.name!r} names {named}: deadlines count {region}'s days off",
    )


def _raise_stopped(exc: BaseException, report: SweepReport) -> NoReturn:
    """Raise what a sweep stopped part-way by ``exc`` raises, carrying ``report`` (what
    it had committed): :class:`SweepInterrupted` for Ctrl-C or the command line's
    SIGTERM, :class:`SweepFailed` for a store error, :class:`SweepClosed` for the
    desk or store closed meanwhile, ``exc`` itself otherwise
    (review s47J F02: the rows' rewrite before the claims and the outbox counts
    after them too)."""
    if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, SweepInterrupted):
        raise SweepInterrupted(report) from exc
    if isinstance(exc, StoreError) and not isinstance(exc, SweepFailed):
        raise SweepFailed.of(report, exc) from exc
    if isinstance(exc, ClosedError) and not isinstance(exc, SweepClosed):
        raise SweepClosed(report, exc.path) from exc  # review s48D F01
    raise exc


def _sweep_report(
    tally: Tally, dead_letters: int, for_other_channels: int, reprojected: Sequence[str]
) -> SweepReport:
    """A sweep's report from what it counted."""
    return SweepReport(
        tally.examined,
        tuple(tally.escalated),
        tally.at_risk,
        tuple(tally.regraded),
        tally.late,
        tally.conflicts,
        tally.owed,
        tally.duty_risk,
        tuple(tally.overdue),
        tally.measure_risk,
        tuple(tally.measures_overdue),
        dead_letters,
        for_other_channels,
        tuple(tally.failed),
        tuple(reprojected),
    )


def _pass_clock(now: datetime, clock: Callable[[], datetime] | None) -> Callable[[], datetime]:
    """The time during a delivery pass: ``now`` plus the time the pass has taken
    (a monotonic timer: the desk reads no wall clock), or ``clock`` where it is later."""
    started = time.monotonic()

    def current() -> datetime:
        elapsed = now + timedelta(seconds=time.monotonic() - started)
        if clock is None:
            return elapsed
        # an instant: a retry's time is a sum of it (review s57R7 F02)
        return max(elapsed, as_instant(require_aware(clock(), "clock()")))

    return current


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """A channel's error text on one line, as it is stored, listed and logged: its
    line breaks and other control characters (the far side's own words) would
    otherwise make a log line of their own (review s48Q F01)."""
    return _CONTROL.sub("?", " ".join(text.split()))


def _hopeless(exc: Exception) -> bool:
    """A channel's failure that trying again cannot help (``NotificationError.retryable``
    false: a 4xx answer, an SMTP 5xx, a robot's "sign not match")."""
    from complaintcore.adapters.notify._common import NotificationError

    return isinstance(exc, NotificationError) and exc.retryable is False


def _overlong_retries(store: RetryHealthStore, longest: timedelta, now: datetime) -> list[int]:
    """``store.overlong_retries(longest)``, with ``now=now`` where the store's method
    declares a parameter named ``now`` (the built-in stores: a never-tried message is
    judged from the later of its queueing and ``now``; review s54R6 F01); a host's
    store with the documented ``(longest)`` signature is asked as before.  A bare
    ``**kwargs`` (a host's forwarding proxy, a decorator without ``functools.wraps``)
    says nothing of what the method behind it takes: asked with ``(longest)`` alone,
    as documented (review s54R14 F02)."""
    method = store.overlong_retries
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        params = None
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if params is not None and any(p.name == "now" and p.kind in named for p in params):
        found: list[int] = method(longest, now=now)  # type: ignore[call-arg]
        return found
    return method(longest)


def _positive(value: object) -> TypeGuard[int | float]:
    """A number of seconds a channel declares (not a bool, above zero)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _send_plain(notifier: Notifier, notification: Notification, to: StaffMember | None) -> None:
    """``notifier.send``; one that hands back an awaitable (an untyped host's coroutine)
    did not send: a failure to retry."""
    send: Callable[[Notification, StaffMember | None], object] = notifier.send
    result = send(notification, to)
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if callable(close):
            close()  # never run: no "never awaited" warning at garbage collection
        raise TypeError("send returned an awaitable; the desk needs a plain function")


_ID_DRAWS = 8
"""Ids drawn for one new complaint before a taken one refuses it (two in a row meet
another's by chance with odds under one in 2**24, see ids.py)."""


def _id_taken(exc: InvalidInputError) -> bool:
    """The store's refusal of a new complaint's id as stored already (a host's store
    may refuse it as the built-in stores did before :class:`DuplicateIdError`)."""
    return isinstance(exc, DuplicateIdError) or (exc.path, exc.reason) == (
        "complaint.id",
        "a complaint with this id already exists",
    )


def _redraw(
    created: Sequence[Complaint | ComplaintCoreError | None],
    items: Sequence[tuple[Complaint, ComplaintRow, Outbox]],
) -> bool:
    """Whether a batch's store call left an id taken and stored none of its drafts as
    itself: nothing the batch links to was written, so it is drafted again.  A
    store that wrote some of the batch item by item keeps the refusal (what was
    written may name the draft refused)."""
    taken = False
    for result, (complaint, _row, _box) in zip(created, items, strict=True):
        if isinstance(result, Complaint) and result.id == complaint.id:
            return False
        taken = taken or (isinstance(result, InvalidInputError) and _id_taken(result))
    return taken


def _at_head_office(member: StaffMember, pack: RulePack) -> bool:
    """IN-6: head office's unit, or a member over every site (site ``*``, e.g. the
    24-hour centre of cn-service-centre)."""
    return access.is_head_office(member, pack) or member.site in ("*", "")


def _require_head_office_receiver(receiver: StaffMember, pack: RulePack) -> None:
    """IN-6: only a complaint that reached head office skipped the site's office.
    A receiver who works at one site (and not in head office's unit) took it at the
    site: it is their unit's receipt, with IN-5's 24 hours to customer service, and
    the site keeps sight of it (review s54R12 F02).  A receiver the directory does
    not know is judged by who registers it (:meth:`Desk._require_bypass_right`)."""
    if _at_head_office(receiver, pack):
        return
    raise InvalidInputError(
        "via_head_office",
        f"the receiver works at site {receiver.site}, not at head office: a complaint "
        "a site's staff took did not skip the site; name head office's receiver who "
        "took it, or leave via_head_office out (IN-6)",
    )


def _default_id(intake: Intake, zone: ZoneInfo) -> str:
    return time_ordered_id(intake.received_at, zone)


_INTAKE_FIELDS = tuple(f.name for f in attrs.fields(Intake))
_RECEIVER_UNIT = attrs.fields(Intake).receiver_unit


def _with_receiver_unit(intake: Intake, unit: str) -> Intake:
    """``attrs.evolve(intake, receiver_unit=unit)`` for the intake :meth:`Desk._admit`
    handed on, checking only the field that changes (IN-2: most bulk complaints
    name no unit).  Every other field was converted and checked when that frozen
    intake was made; evolving re-ran all of them for each complaint.  A host's
    subclass of :class:`Intake` is evolved as before (its own checks run)."""
    if type(intake) is not Intake:
        return attrs.evolve(intake, receiver_unit=unit)
    assert _RECEIVER_UNIT.validator is not None
    _RECEIVER_UNIT.validator(intake, _RECEIVER_UNIT, unit)
    new = object.__new__(Intake)
    for name in _INTAKE_FIELDS:
        object.__setattr__(new, name, getattr(intake, name))
    object.__setattr__(new, "receiver_unit", unit)
    return new


def _years_span(years: Sequence[int]) -> str:
    """``2027-2030`` for a run of years, ``2027, 2029`` otherwise (as the calendar's
    own errors name years)."""
    if len(years) > 1 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)
