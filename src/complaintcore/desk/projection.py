"""The projection: a complaint's clocks, duties and next due time, as its row says them.

Every commit writes the complaint's row (:class:`~complaintcore.desk.ports.ComplaintRow`)
with the time a sweep next has something to do for it (DL-7).  Computing clocks
and duties is most of what intake costs, so :class:`Projection` keeps what it
computed: by complaint version and ``now``, and by the shape of the first events
(a bulk batch's complaints share ``now`` and that shape, so most are computed once
for many).  It owns the working calendar those are computed on, so its caches
follow the calendar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Hashable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.concentration import building_key, complainant_key
from complaintcore.core.deadlines import (
    BREACHED_TAG,
    ClockState,
    ClockStatus,
    DutyStatus,
    ReceiptBound,
    breached_clocks,
    breached_duties,
    compute_clocks,
    compute_duties,
    counted_from,
    history_key,
    receipt_bound,
)
from complaintcore.core.errors import ComplaintCoreError, InvalidInputError
from complaintcore.core.escalation import current_rung_index
from complaintcore.core.grading import age_upgrade_at, assess_grade
from complaintcore.core.improvement import compute_measures
from complaintcore.core.models import (
    Assigned,
    Channel,
    Complaint,
    Escalated,
    Event,
    Registered,
    Trigger,
    as_instant,
)
from complaintcore.core.repeats import room_key
from complaintcore.core.rulepack import RulePack
from complaintcore.desk.ports import ComplaintRow

__all__ = [
    "DUTY_MEMO",
    "ROWS_REVISION",
    "SHAPE_MEMO_EVENTS",
    "SHARED_EVENTS",
    "Projection",
    "breach_due",
    "held_by_nobody",
    "row_differs",
]

DUTY_MEMO = 2048
"""Duty results kept between the two times a commit or a batch needs them."""

SHAPE_MEMO_EVENTS = 16384
"""The events the kept history keys of :class:`Projection`'s shape memo hold together
(a key holds one entry per event, about 0.4 KB each: some 7 MB at most).  Bounding the
memo in keys alone (:data:`DUTY_MEMO`) let one complaint of 2,500 events keep about
1 MB per command, 2 GB before the memo was cleared (review s48C F02)."""

SHARED_EVENTS = 64
"""The most events a complaint may have for the memo to keep its shape.  The memo
serves bulk intake, whose complaints share ``now`` and the shape of their first few
events; a longer history is one complaint's own (its times are its own), which no
other complaint shares, and the memos by id, version and ``now`` already serve its
repeated asks."""


ROWS_REVISION = 13
"""Bumped when how a row's next sweep time is computed changes within a release
(2: a complaint escalated and held by nobody is due at once; 3: rows keep
``breach_due``, which the schema upgrade sets to the time received on open rows;
4: one owed the IN-5 handover an earlier release's escalation left out is due at once;
5: a valid complaint is due at the pack's ``upgrade_after_months``, GRD-2), or what
else a row holds is (6: its room key reads the room in any address form, IMP-3,
review s49A F01; 7: its building, and the room and complainant keys made of it,
read the building in any form, HDL-5, review s49L F01; 8: its room and
complainant keys read the level each group of the room names, 3单元1201 is not
3栋1201, IMP-3, review s49Q F02, and ``Block S``, ``Bldg. S`` are building ``s``,
no longer ``blocks``, ``bldg.s``, review s49U F04; 9: a one-group room is the
same with or without its end word, ``第3栋…`` and ``Block 3 …`` rooms are building
3's, a blank building field keys the room with the building the room names,
IMP-3, review s50H; 10: buildings and units in Chinese numerals, leading zeros,
floors before their flat, English room words and several rooms in one value read
in the building, room and complainant keys, IMP-3, HDL-5, review s51B; 11: a space
between two digits of a room, 层 and F floors, 房 end words, lettered flats, a
floor-led room below its building field and a floor after a dashed building read
in the room and complainant keys, IMP-3, reviews s51R20, s51R23, s52K; 12: a
promise or appointed reply time replaced after it passed is due at once until a
sweep escalates it, DL-7, review s54R15, unless replaced before the complaint was
last closed, re-review s54R16, still 12: unreleased; 13: its department is the
responsible one, CLS-3, kept when the complaint is routed to another unit to
handle, review s57R4 F02, re-review s57R8 F02), so the basis kept by a
store differs and the next sweep rewrites the rows that differ (DL-7): on a host's
store, which has no schema upgrade to make the keys again, and after a process of
the previous revision wrote rows."""


class Projection:
    """The rule pack's clocks and duties of complaints on the working calendar, and
    the projection rows they give, with what was computed kept for the next ask."""

    def __init__(
        self, pack: RulePack, calendar: WorkingCalendar | Callable[[], WorkingCalendar]
    ) -> None:
        self.pack = pack
        # A function is called the first time a deadline needs the calendar, so a
        # desk opened to list or report never builds one (see :attr:`calendar`).
        self._calendar: WorkingCalendar | None = None
        self._calendar_factory: Callable[[], WorkingCalendar] | None = None
        self._calendar_lock = threading.Lock()
        if isinstance(calendar, WorkingCalendar):
            self._calendar = _in_pack_zone(calendar, pack)
        elif callable(calendar):
            self._calendar_factory = calendar
        else:
            raise InvalidInputError(
                "calendar", "expected a WorkingCalendar or a function making one"
            )
        # Tags after which a duty may be owed: without one, no duty is computed.
        self._duty_triggers = _duty_triggers(pack)
        # The clocks and duties a registration starts, for the pack (see clocks_now).
        self._bound: tuple[object, ReceiptBound] = (pack, receipt_bound(pack))
        # Duties computed lately: a commit, or a bulk batch, asks twice for each
        # complaint (messages, then its next due time).  Keyed by id, version and now.
        self._duty_memo: dict[tuple[str, int, datetime], tuple[DutyStatus, ...]] = {}
        # The same for clocks: a swept complaint needs them to find breaches, to warn
        # of risks and for its next due time, and computes them once for all three.
        self._clock_memo: dict[tuple[str, int, datetime], tuple[ClockStatus, ...]] = {}
        # Clocks and duties by history_key: a bulk batch's complaints share ``now`` and
        # the shape of their first events, so most are computed once for many.  Kept
        # for one pack and calendar (the first item).
        self._shapes: tuple[tuple[object, object], dict[Hashable, _Shape]] = ((None, None), {})
        # The events the keys of that dict hold together (SHAPE_MEMO_EVENTS).
        self._shape_events = 0
        self._last_shape: tuple[tuple[str, int, datetime, object], _Shape] | None = None
        # The receipt-bound clocks of the complaint last asked for (see _due_clocks).
        self._last_own: tuple[tuple[str, int, datetime, object], tuple[ClockStatus, ...]] | None
        self._last_own = None

    def for_pack(self, pack: RulePack) -> Projection:
        """The same calendar (or the function for it) under another pack; a pack in
        another zone waits for a calendar of its own (``desk.calendar = …``)."""
        calendar = self._calendar if self._calendar is not None else self._calendar_factory
        assert calendar is not None
        if isinstance(calendar, WorkingCalendar):
            try:
                _in_pack_zone(calendar, pack)
            except InvalidInputError as exc:
                refused = exc

                def none_yet() -> WorkingCalendar:
                    raise InvalidInputError(
                        "calendar", f"{refused.reason} (then set desk.calendar)"
                    ) from refused

                return Projection(pack, none_yet)
        return Projection(pack, calendar)

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar deadlines are computed on (built on first use when
        given a function for it)."""
        found = self._calendar
        if found is None:
            # once, whichever of a web host's threads asks first (docs/hooks.md)
            with self._calendar_lock:
                found = self._calendar
                if found is None:
                    assert self._calendar_factory is not None
                    found = self._calendar = _in_pack_zone(self._calendar_factory(), self.pack)
        return found

    @calendar.setter
    def calendar(self, value: WorkingCalendar) -> None:
        self._calendar = _in_pack_zone(value, self.pack)

    def may_owe(self, events: Iterable[Event], channel: Channel | None = None) -> bool:
        """Whether these events could start any duty (cheap: tags only), for a complaint
        received through ``channel`` if given (HDL-1: a telephone complaint's
        registration starts no duty of written complaints, and computes none)."""
        triggers = self._duty_triggers
        if not triggers:
            return False
        for e in events:
            for t in e.tags():
                channels = triggers.get(t)
                if channels is None:
                    continue
                if not channels or channel is None or channel in channels:
                    return True
        return False

    def _shape(self, complaint: Complaint, now: datetime) -> _Shape:
        """The clocks and duties of every complaint with this one's history_key so far."""
        pack, calendar = self.pack, self.calendar
        (known_pack, known_calendar), shapes = self._shapes
        if known_pack is not pack or known_calendar is not calendar:
            shapes = {}
            self._shapes = ((pack, calendar), shapes)
            self._shape_events = 0
            self._last_shape = None
        # clocks then duties of one complaint ask in turn: its key is made once
        me = (complaint.id, complaint.version, as_instant(now), now.tzinfo)  # s57R5 F01
        last = self._last_shape
        if last is not None and last[0] == me:
            return last[1]
        if len(complaint.events) > SHARED_EVENTS:  # one complaint's own: for its next ask
            own = _Shape()
            self._last_shape = (me, own)
            return own
        key = history_key(complaint, now, receipt=False)
        size = len(key) if isinstance(key, tuple) else 1
        try:
            found = shapes.get(key)
        except TypeError:  # a host's zone that cannot be hashed: compute, keep nothing
            return _Shape()
        if found is None:
            if len(shapes) >= DUTY_MEMO or self._shape_events + size > SHAPE_MEMO_EVENTS:
                shapes.clear()
                self._shape_events = 0
            found = shapes[key] = _Shape()
            self._shape_events += size
        self._last_shape = (me, found)
        return found

    def _receipt_bound(self) -> ReceiptBound:
        """:func:`receipt_bound` of the pack, kept (hashing a pack walks all of it)."""
        pack, found = self._bound
        if pack is not self.pack:
            found = receipt_bound(self.pack)
            self._bound = (self.pack, found)
        return found

    def duties_now(self, complaint: Complaint, now: datetime) -> tuple[DutyStatus, ...]:
        """The complaint's duties, skipping the work when none can have started."""
        if not self.may_owe(complaint.events, complaint.intake.channel):
            return ()
        now = as_instant(now)  # the memo's key: an instant (review s57R5 F01)
        key = (complaint.id, complaint.version, now)
        found = self._duty_memo.get(key)
        if found is None:
            shape, start = self._shape(complaint, now), _start(complaint, now)
            found = shape.duties
            if found is None:
                found = shape.duties = compute_duties(
                    complaint, self.pack, self.calendar, now, explain=False
                )
                shape.duties_start = start
            elif shape.duties_start != start:  # received at another time
                bound = self._receipt_bound()
                own = _own(found, bound.duties, bound.by_breach)
                if own:
                    mine = compute_duties(
                        complaint, self.pack, self.calendar, now, explain=False, only=own
                    )
                    found = _with_own(found, mine)
            if len(self._duty_memo) >= DUTY_MEMO:
                self._duty_memo.clear()
            self._duty_memo[key] = found
        return found

    def clocks_now(self, complaint: Complaint, now: datetime) -> tuple[ClockStatus, ...]:
        """The complaint's clocks at ``now`` without their derivations, computed once
        per version (a sweep and the next due time it writes ask for the same)."""
        now = as_instant(now)  # the memo's key: an instant (review s57R5 F01)
        key = (complaint.id, complaint.version, now)
        found = self._clock_memo.get(key)
        if found is None:
            shape, start = self._shape(complaint, now), _start(complaint, now)
            found = shape.clocks
            if found is None:
                found = shape.clocks = compute_clocks(
                    complaint, self.pack, self.calendar, now, explain=False
                )
                shape.clocks_start = start
            elif shape.clocks_start != start:  # received at another time
                bound = self._receipt_bound()
                own = _own(found, bound.clocks, bound.clocks_by_breach)
                if own:
                    mine = compute_clocks(
                        complaint, self.pack, self.calendar, now, explain=False, only=own
                    )
                    found = _with_own(found, mine)
            if len(self._clock_memo) >= DUTY_MEMO:
                self._clock_memo.clear()
            self._clock_memo[key] = found
        return found

    def row(self, complaint: Complaint, now: datetime, *, swept: bool = False) -> ComplaintRow:
        """The complaint's projection row as of ``now``; ``swept``: written by the sweep
        that has just warned of what is at risk now (see :func:`_acts_at`)."""
        s = complaint.state
        return ComplaintRow(
            id=complaint.id,
            status=s.status.value,
            received_at=complaint.intake.received_at,
            version=complaint.version,
            site=complaint.intake.site or complaint.intake.complainant.site,
            department=s.responsible_department,  # CLS-3, as counted (review s57R4 F02)
            category=s.category,
            grade=s.grade.value if s.grade else "",
            channel=complaint.intake.channel.value,
            validity=s.validity.value,
            kind=s.complaint_kind.value,
            handler=s.handler,
            rung=s.rung,
            next_due=self.next_due(complaint, now, swept=swept),
            idempotency_key=complaint.intake.idempotency_key,
            building=building_key(complaint.intake.complainant.building),
            complainant_key=complainant_key(complaint.intake.complainant),
            issue=s.issue,
            group_incident=s.group_incident,
            updated_at=complaint.events[-1].at if complaint.events else None,
            room_key=room_key(
                (complaint.intake.site or complaint.intake.complainant.site).strip(),
                complaint.intake.complainant.building,
                complaint.intake.complainant.room,
            ),
            breach_due=self._breach_due(complaint, now),
        )

    def _breach_due(self, complaint: Complaint, now: datetime) -> datetime | None:
        """The row's ``breach_due`` (see :func:`breach_due`), shared as the next due
        time is: complaints of one history shape have the same clocks, but for those
        bound to a receipt that came before the registration."""
        if not complaint.is_open:  # closing stops every clock
            return None
        if complaint.state.measures_open or any(e.kind == "escalated" for e in complaint.events):
            return breach_due(self.clocks_now(complaint, now), now)  # as next_due read them
        shape = self._shape(complaint, now)
        earlier = _received_earlier(complaint)
        shared = shape.breach_due
        if earlier not in shared:
            clocks = (
                self._due_clocks(complaint, now, False)
                if earlier
                else self.clocks_now(complaint, now)
            )
            shared[earlier] = breach_due(clocks, now)
        if not earlier:
            return shared[earlier]
        return _sooner(shared[earlier], breach_due(self._due_clocks(complaint, now, True), now))

    def handover_left_out(self, complaint: Complaint, now: datetime) -> int | None:
        """IN-5 (review s34A F03): the index of the sweep's escalation on a clock the
        receiving unit owes that an earlier release (0.1.0) recorded with nobody
        routed at the rung reached, before anyone took the complaint on, while that
        clock is still breached at ``now`` and someone holds the complaint: today's
        sweep would have routed it and, at customer service, recorded the handover
        (the desk decides whether it would have, by its staff).  ``None`` otherwise."""
        found = _unrouted_escalation(complaint, self.pack)
        if found is None:
            return None
        owed = _receiver_clocks(self.pack)
        breached = any(s.name in owed and s.is_breached for s in self.clocks_now(complaint, now))
        return found if breached else None

    def next_due(
        self, complaint: Complaint, now: datetime, *, swept: bool = False
    ) -> datetime | None:
        """When a sweep next has something to do for this complaint.

        Open complaints: their clocks and duties.  Closed ones: only the duties
        they still owe (an apology, a call back), which warn but never escalate.
        """
        deadlines = self._deadlines_due(complaint, now, swept=swept)
        if _at_once(deadlines, now):
            return deadlines
        # GRD-2, DL-6: the pack's month, whatever its clocks say (review s42B F01)
        return _sooner(deadlines, self._upgrade_due(complaint, now))

    def _deadlines_due(
        self, complaint: Complaint, now: datetime, *, swept: bool
    ) -> datetime | None:
        """:meth:`next_due` over the clocks, duties and measures, shared by complaints
        of one history shape where it can be."""
        state = complaint.state
        if state.measures_open or any(e.kind == "escalated" for e in complaint.events):
            return self._next_due_of(complaint, now, swept=swept)
        # otherwise all it reads is the history key, the status and the rung
        shape = self._shape(complaint, now)
        earlier = _received_earlier(complaint)
        shares = shape.next_due
        key = (state.status.value, current_rung_index(complaint, self.pack), earlier, swept)
        if key not in shares:
            shares[key] = self._next_due_of(
                complaint, now, mine=False if earlier else None, swept=swept
            )
        if not earlier:
            return shares[key]
        shared = shares[key]
        if _at_once(shared, now):  # nothing is due before now: its own deadlines cannot be sooner
            return shared
        # its receipt-bound deadlines are its own (imports: every complaint)
        return _sooner(shared, self._next_due_of(complaint, now, mine=True, swept=swept))

    def _upgrade_due(self, complaint: Complaint, now: datetime) -> datetime | None:
        """GRD-2, DL-6: when a sweep makes this open valid complaint major for its age,
        at the pack's ``[grading] upgrade_after_months`` (:func:`age_upgrade_at`), not
        at a clock's due time, which a pack may set to another month.  ``now`` once
        past it and still not upgraded (resolved, then dissatisfied again) only when
        the grade would rise now, so a complaint that stays resolved is not swept again
        and again."""
        state = complaint.state
        pack = self.pack
        if not complaint.is_open or state.grade is None:
            return None
        if state.grade.rank >= pack.grading.upgrade_to.rank:
            return None
        at = age_upgrade_at(complaint, pack)
        if at is None:
            return None
        if at > as_instant(now):  # instants: ``at`` is one, ``now`` may be in a fold
            return at
        if at == as_instant(now):  # instants: == of zones is False in a fold (s48B)
            return as_instant(now) + _INSTANT  # major once past it, as a deadline is breached
        try:
            found = assess_grade(complaint, pack, now)
        except ComplaintCoreError:  # a category the upgraded pack renamed: verify names it
            return None
        return now if found is not None and found.grade.rank > state.grade.rank else None

    def _next_due_of(
        self,
        complaint: Complaint,
        now: datetime,
        *,
        mine: bool | None = None,
        swept: bool = False,
    ) -> datetime | None:
        """The earliest time a sweep acts on, over the complaint's clocks, duties and
        measures; ``mine`` True: only the receipt-bound clocks and duties, False: all
        but those (the time is the earlier of the two).  Nothing is earlier than
        ``now``: the clocks are computed one by one until one is due at once."""
        is_open = complaint.is_open
        if not swept and (
            held_by_nobody(complaint) or self.handover_left_out(complaint, now) is not None
        ):
            # ESC-2: escalated and held by nobody (an earlier release left complaints so
            # when the new rung was vacant): the next sweep tries to route it, once;
            # IN-5: it records the handover an earlier release's escalation left out
            return now
        duties = self.duties_now(complaint, now)
        if mine is not None:
            bound = self._receipt_bound().duties
            duties = tuple(d for d in duties if (d.duty.name in bound) is mine)
        measures = (
            compute_measures(complaint, self.pack, self.calendar, now, explain=False)
            if complaint.state.measures_open
            else ()
        )
        if not is_open and not any(d.owed for d in duties) and not measures:
            return None
        top = len(self.pack.ladder) - 1
        can_escalate = is_open and current_rung_index(complaint, self.pack) < top
        pending = {s.name for s in breached_duties(complaint, duties)} if is_open else set()
        best: datetime | None = None
        if is_open:
            clocks = (
                self.clocks_now(complaint, now)
                if mine is None
                else self._due_clocks(complaint, now, mine)
            )
            for status in clocks:
                if breached_clocks(complaint, self.pack, self.calendar, now, statuses=(status,)):
                    pending.add(status.name)
                best = _sooner(best, _acts_at(status, pending, can_escalate, now, warned=swept))
                if _at_once(best, now):
                    return best
        for status in (d.clock for d in duties):
            acts = _acts_at(status, pending, can_escalate, now, warned=swept, overdue_reported=True)
            best = _sooner(best, acts)
        for status in (m.clock for m in measures if m.owed):
            best = _sooner(best, _acts_at(status, pending, can_escalate, now, warned=swept))
        return best

    def _due_clocks(
        self, complaint: Complaint, now: datetime, mine: bool
    ) -> tuple[ClockStatus, ...]:
        """The complaint's receipt-bound clocks (``mine``) or the others, for its next
        due time.  Of its own, only those still open in its shape: whether a clock is
        open follows from the events and their tags alone (when it was received moves
        its times, not what starts and stops it), and a closed clock is due never.
        Its own are computed once for the row (its next due time and ``breach_due``
        both read them)."""
        receipt = self._receipt_bound()
        bound = receipt.clocks
        if not mine:
            return tuple(s for s in self.clocks_now(complaint, now) if s.name not in bound)
        me = (complaint.id, complaint.version, as_instant(now), now.tzinfo)  # s57R5 F01
        last = self._last_own
        if last is not None and last[0] == me:
            return last[1]
        shape = self._shape(complaint, now).clocks
        if shape is not None:  # one a breach starts may have started for this receipt alone
            bound = frozenset(
                s.name
                for s in shape
                if s.name in bound and (s.is_open or s.name in receipt.clocks_by_breach)
            )
        own = (
            compute_clocks(complaint, self.pack, self.calendar, now, explain=False, only=bound)
            if bound
            else ()
        )
        self._last_own = (me, own)
        return own


@attrs.define
class _Shape:
    """The clocks and duties shared by complaints of one history_key (the one that
    keeps the registration at its own time), as computed.

    The receipt-bound ones (:func:`receipt_bound`) are right only for complaints
    whose clocks see the registration at the same moment (:func:`_start`) as the
    one they were computed for; the others recompute those and keep the rest.
    """

    clocks: tuple[ClockStatus, ...] | None = None
    clocks_start: Hashable = None
    duties: tuple[DutyStatus, ...] | None = None
    duties_start: Hashable = None
    next_due: dict[tuple[str, int, bool, bool], datetime | None] = attrs.Factory(dict)
    """By status, rung index and whether the receipt-bound clocks and duties are left
    out (for complaints received before they were registered, which add their own),
    for complaints with no escalation and no open measure."""
    breach_due: dict[bool, datetime | None] = attrs.Factory(dict)
    """:func:`breach_due` of the clocks, by whether the receipt-bound ones are left out
    (as ``next_due``), for open complaints with no escalation and no open measure."""


def _start(complaint: Complaint, now: datetime) -> Hashable:
    """The moment the clocks see the registration (:func:`counted_from`), with its
    zone: due times keep the zone of the event that started the clock."""
    events = complaint.events
    if not events or not isinstance(events[0], Registered) or _later(events[0].at, now):
        return None
    t = counted_from(events[0], complaint.intake.received_at)
    return (t, t.tzinfo, t.utcoffset())


_Status = TypeVar("_Status", ClockStatus, DutyStatus)


def _own(
    shared: Iterable[ClockStatus | DutyStatus],
    bound: frozenset[str],
    by_breach: frozenset[str] = frozenset(),
) -> frozenset[str]:
    """Of a shape's receipt-bound clocks or duties, those a complaint received at
    another time computes for itself: one its shape never started stays unstarted
    (what starts it reads the events' tags, not their times), unless a breach,
    which comes at a time, may start it (``by_breach``)."""
    return frozenset(
        s.name
        for s in shared
        if s.name in bound and (s.state is not ClockState.NOT_STARTED or s.name in by_breach)
    )


def _with_own(shared: tuple[_Status, ...], own: Iterable[_Status]) -> tuple[_Status, ...]:
    """The shape's statuses with the complaint's own in their places."""
    by_name = {s.name: s for s in own}
    return tuple(by_name.get(s.name, s) for s in shared)


def _received_earlier(complaint: Complaint) -> bool:
    """Whether the complaint's clocks start at a receipt before its registration."""
    events = complaint.events
    return bool(events) and _later(events[0].at, complaint.intake.received_at)


def _acts_at(
    status: ClockStatus,
    pending: Collection[str],
    can_escalate: bool,
    now: datetime,
    *,
    warned: bool = False,
    overdue_reported: bool = False,
) -> datetime | None:
    """When a sweep next acts on a clock or duty: its at-risk or due time still to
    come, or ``now`` for a breach not yet escalated while a rung is left (DL-7, ESC-2).

    A deadline is breached only once ``now`` is past it: a sweep at the due
    instant itself (a cron run at 18:00:00) finds it not yet breached, and
    comes back the instant after, not never.  One at risk already is due at
    once (DL-7: its holder is warned by the next sweep, once per run) unless
    ``warned``: written by the sweep that warned of it, it waits for its due time.
    A command given inside the at-risk window before any sweep saw it would
    otherwise lose the warning for good; one given after a duty's deadline
    (``overdue_reported``), its report to the owners (one that does not
    escalate, REC-2)."""
    if not status.is_open or status.state is ClockState.PAUSED:
        return None
    if status.name in pending and (can_escalate or not warned):
        # a breach not escalated, this run's or one a department passed on with the
        # complaint (DL-3); at the top rung, until the sweep that told its holder
        return now
    if overdue_reported and status.state is ClockState.BREACHED and not warned:
        # written by a command after the deadline passed, before a sweep saw it: the
        # sweep still reports the overdue duty to its owners, once (the outbox's key)
        return now
    # instants: due times share the pack's zone with ``now``, whose wall times read
    # 01:30 GMT before 01:40 BST in the hour the clocks go back (review s51R15 F01)
    at = as_instant(now)
    found: datetime | None = None
    if status.at_risk_from is not None and as_instant(status.at_risk_from) > at:
        found = status.at_risk_from
    elif status.state is ClockState.AT_RISK and not warned:
        return now
    due = None if status.due is None else as_instant(status.due)
    if due is not None and due > at:
        found = _sooner(found, status.due)
    elif due is not None and due == at:
        found = _sooner(found, at + _INSTANT)  # not now + _INSTANT: that drops fold=1
    return found


def _at_once(found: datetime | None, now: datetime) -> bool:
    """Whether a next sweep time is ``now`` itself (nothing can be sooner): as
    instants, since a due time at the same wall time in the other pass of a repeated
    hour reads equal to ``now`` (review s51R15 F01)."""
    return found is not None and as_instant(found) == as_instant(now)


def _later(a: datetime, b: datetime) -> bool:
    """Whether instant ``a`` comes after instant ``b``, whatever zones they share."""
    return as_instant(a) > as_instant(b)


_INSTANT = timedelta(microseconds=1)
"""The first instant a deadline due at ``now`` is breached (DL-7: past it)."""


def _sooner(a: datetime | None, b: datetime | None) -> datetime | None:
    """The earlier of two times, either of which may be missing (the first on a tie);
    compared as instants, since due times may share a zone (review s48B)."""
    if a is None:
        return b
    if b is None or as_instant(a) <= as_instant(b):
        return a
    return b


def _duty_triggers(pack: RulePack) -> dict[str, frozenset[Channel]]:
    """Event tags after which some duty of the pack may be owed, each with the
    channels of the complaints it may be owed for (empty: every channel).

    A duty's own start tags, and for ``breached:<clock>`` the tags that start
    that clock (a promise clock: ``promised``): until one of these appears in a
    complaint's history, it owes nothing and its duties need not be computed.
    And the tags that begin a new run or make a run owed again (``reopened`` for
    a duty that restarts, resumes or runs on at a reopening, ``restart`` and
    ``unwaive`` tags): a step carrying one may owe a duty its owners must hear of
    (IN-6: head office tracks a reopened bypass complaint again, review s50J F01).
    """
    found: dict[str, set[Channel] | None] = {}

    def add(tag: str, channels: tuple[Channel, ...]) -> None:
        known = found.get(tag, set())
        found[tag] = None if known is None or not channels else known | set(channels)

    for duty in pack.duties:
        for tag in duty.start:
            if tag.startswith(BREACHED_TAG):
                clock = pack.clock(tag[len(BREACHED_TAG) :])
                for started in (*clock.start, "promised", "visited:appointment"):
                    add(started, duty.channels)
            else:
                add(tag, duty.channels)
        for tag in duty.new_run_tags | duty.owed_again_tags:
            add(tag, duty.channels)
    return {tag: frozenset(channels or ()) for tag, channels in found.items()}


def _in_pack_zone(calendar: WorkingCalendar, pack: RulePack) -> WorkingCalendar:
    """The calendar, refused when it counts working hours in another zone than the pack's.

    Deadlines run on the pack's calendar (DL-1..4) and the desk reads "the same
    day", duty hours and months in the pack's zone; a calendar kept for another
    zone (a host's Shanghai calendar handed to a London desk) would put every
    deadline hours or days off, silently.
    """
    if not isinstance(calendar, WorkingCalendar):
        raise InvalidInputError("calendar", "expected a WorkingCalendar")
    zone = ZoneInfo(pack.calendar.timezone)
    if calendar.tz.key != zone.key and not _same_clock(calendar, zone):
        raise InvalidInputError(
            "calendar",
            f"the calendar counts working hours in {calendar.tz.key}, the rule pack "
            f"{pack.name!r} in {zone.key}: build it for {zone.key}",
        )
    return calendar


def _same_clock(calendar: WorkingCalendar, zone: ZoneInfo) -> bool:
    """Whether ``zone`` reads the clock as the calendar's zone does on every day of its
    years (two names of one zone, such as ``GB`` and ``Europe/London``)."""
    first, last = calendar.years
    day = datetime(first, 1, 1, 12, tzinfo=UTC)
    while day.year <= last:
        if day.astimezone(zone).utcoffset() != day.astimezone(calendar.tz).utcoffset():
            return False
        day += timedelta(days=1)
    return True


def held_by_nobody(complaint: Complaint) -> bool:
    """ESC-2: open, escalated to a rung, and nobody there took it on (none at the
    site at or above it, or an earlier release left it so); not a bypass complaint
    waiting for consent, which head office keeps (IN-6)."""
    state = complaint.state
    return (
        complaint.is_open
        and bool(state.rung)
        and not state.handler
        and not complaint.awaiting_site_consent
    )


def _receiver_clocks(pack: RulePack) -> frozenset[str]:
    """IN-5: the clocks the unit that received a complaint owes."""
    return frozenset(s.name for s in pack.clocks if s.owed_by == "receiving_unit")


def _unrouted_escalation(complaint: Complaint, pack: RulePack) -> int | None:
    """See :meth:`Projection.handover_left_out`: its test on the events alone, which
    stops at the first assignment (most complaints: at intake)."""
    state = complaint.state
    if not (complaint.is_open and state.handler) or state.unit == pack.customer_service:
        return None
    owed = _receiver_clocks(pack)
    events = complaint.events
    for i, ev in enumerate(events):
        if isinstance(ev, Assigned):
            return None  # routed before the receiver's clock was escalated
        if (
            isinstance(ev, Escalated)
            and ev.trigger is Trigger.DEADLINE_MISSED
            and not owed.isdisjoint(ev.clock.split(","))
        ):
            later = events[i + 1 :]
            at = as_instant(ev.at)  # instants: events may share a zone (review s48B)
            routed = any(isinstance(e, Assigned) and as_instant(e.at) == at for e in later)
            return None if routed else i  # routed then, as today's sweep routes it
    return None


def row_differs(stored: ComplaintRow, expected: ComplaintRow) -> list[str]:
    """The fields of a stored projection row its history does not give: any field
    that differs, or a due time moved later (or cleared) than the history's, so
    that the sweep would pass it by (``next_due``) or ``list --overdue`` would
    leave a breach out (``breach_due``).  An earlier one only makes a sweep look
    early, or the listing check a complaint's clocks (the schema upgrade that
    added ``breach_due`` gives open rows their time received)."""
    fields = [
        f.name
        for f in attrs.fields(ComplaintRow)
        if f.name not in _AT_MOST and getattr(stored, f.name) != getattr(expected, f.name)
    ]
    for name in _AT_MOST:
        want, have = getattr(expected, name), getattr(stored, name)
        if want is not None and (have is None or _later(have, want)):
            fields.append(name)
    return fields


_AT_MOST = ("next_due", "breach_due")
"""Row times that may be earlier than the history's, never later (see row_differs)."""


def breach_due(clocks: Iterable[ClockStatus], now: datetime) -> datetime | None:
    """DL-7: the earliest due time of the open clocks that are breached, or will be
    once ``now`` passes it unless an event comes first; ``None`` if there is none.

    Running and at-risk clocks keep their due time until an event moves it, and a
    clock breached while paused (DL-8) stays breached, so the time does not depend
    on ``now``: a row written by a command, a sweep or a reproject gives the same,
    and an escalation, which moves ``next_due`` on, leaves it.  A paused clock not
    yet late is left out: only resuming it (an event, which rewrites the row) can
    make it late.
    """
    found: datetime | None = None
    for status in clocks:
        if status.state is ClockState.BREACHED:
            due = status.due
            late = due if due is not None and as_instant(due) < as_instant(now) else None
            found = _sooner(found, late or status.started_at or now)
        elif status.state in (ClockState.RUNNING, ClockState.AT_RISK) and status.due:
            found = _sooner(found, status.due)
    return found
