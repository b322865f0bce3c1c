"""The complaint state machine: commands are decided, events are folded.

``decide(complaint, command, pack, now)`` checks a command against the
transition table and the procedures and returns the events it produces (or
raises a named error carrying the state and the command).  ``evolve(complaint,
events)`` folds events into the derived state.  Nothing is overwritten (REC-5).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core import escalation, grading, notes
from complaintcore.core.accountability import sanction_for, standing_sanction
from complaintcore.core.classification import classify
from complaintcore.core.concentration import group_key
from complaintcore.core.deadlines import holding_closure
from complaintcore.core.errors import (
    AccessDeniedError,
    EscalationError,
    GradeError,
    IllegalTransitionError,
    InvalidInputError,
    TimeBarredError,
    shown_code,
)
from complaintcore.core.models import (
    BYPASS_UNIT,
    RAISED_TAG,
    SATISFACTION_FAILED,
    Acknowledged,
    Apologised,
    Assessed,
    Assigned,
    CalledBack,
    CauseAnalysed,
    Classified,
    Closed,
    Complaint,
    ComplaintState,
    Escalated,
    EscalationRequested,
    Event,
    EvidenceAttached,
    Extended,
    Fact,
    Forwarded,
    Grade,
    Graded,
    Grouped,
    Handled,
    Intake,
    Kind,
    Linked,
    MeasureAdded,
    MeasureDone,
    MeasureKind,
    Outcome,
    Paused,
    Promised,
    Registered,
    Reopened,
    Replied,
    Reported,
    Responded,
    Resumed,
    SanctionRecorded,
    SignedOff,
    SiteVisited,
    Status,
    Trigger,
    Ungrouped,
    Validity,
    Visited,
    as_instant,
    ever_a_complaint,
    private_repr,
    require_aware,
    staff_key,
)
from complaintcore.core.rulepack import (
    BarAction,
    Duration,
    DutySpec,
    ReopenPolicy,
    RequestLimit,
    RulePack,
    Stage,
)
from complaintcore.core.stages import (
    awaiting_stage_holder,
    current_stage,
    earlier_handlers,
    extension_amount,
    extension_text,
    extension_used,
    is_running,
    request_deadline,
    request_windows,
    time_barred,
)
from complaintcore.core.validity import counts_as_complaint, require_reason, require_registrable

__all__ = [
    "COMMAND_RECORDS",
    "COMMAND_TYPES",
    "TRANSITIONS",
    "Acknowledge",
    "AddMeasure",
    "Apologise",
    "Assess",
    "Assign",
    "AttachEvidence",
    "CallBack",
    "Classify",
    "Close",
    "Command",
    "CompleteMeasure",
    "Escalate",
    "Extend",
    "Forward",
    "Group",
    "Handle",
    "Link",
    "Pause",
    "Promise",
    "RecordCause",
    "RecordSanction",
    "Register",
    "Regrade",
    "Reopen",
    "Reply",
    "Report",
    "RequestEscalation",
    "Respond",
    "Resume",
    "SignOff",
    "Visit",
    "VisitSite",
    "allowed_commands",
    "decide",
    "evolve",
    "fold",
    "helpers_owed",
    "new_complaint",
    "replay",
]


# --------------------------------------------------------------------------- commands


def _actor(_inst: object, _attr: Any, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("actor", "every command needs the id of the person acting (REC-5)")


def _validity(value: Validity | str) -> Validity:
    return Validity.parse(value, "validity")


def _kind(value: Kind | str | None) -> Kind | None:
    return None if value is None else Kind.parse(value, "kind")


def _grade_of(value: Grade | str | None) -> Grade | None:
    return None if value is None else Grade.parse(value, "grade")


def _trigger(value: Trigger | str) -> Trigger:
    return Trigger.parse(value, "trigger")


def _measure_kind(value: MeasureKind | str) -> MeasureKind:
    return MeasureKind.parse(value, "kind")


def _outcome(value: Outcome | str) -> Outcome:
    return Outcome.parse(value, "outcome")


def _strings(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(value)
    raise InvalidInputError("remedies", "expected a list of remedies (text)")


def _facts(value: Iterable[Fact | str]) -> frozenset[Fact]:
    if isinstance(value, (str, Fact)):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidInputError("facts", "expected a list of facts")
    return frozenset(Fact.parse(f, "facts") for f in value)


def _complaint_ids(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """IMP-3: the desk looks each linked id up before :func:`decide` checks the
    fields, so a list, None or a number is refused here, naming the field."""
    if not isinstance(value, tuple):
        raise InvalidInputError(attribute.name, f"wrong type {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise InvalidInputError(f"{attribute.name}[{i}]", f"wrong type {type(item).__name__}")


def _complaint_id(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """IMP-3: as :func:`_complaint_ids`, for one id."""
    if not isinstance(value, str):
        raise InvalidInputError(attribute.name, f"wrong type {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Command:
    """A request to change a complaint, by someone (REC-5: every change has an actor)."""

    name: ClassVar[str] = "command"
    actor: str = attrs.field(validator=_actor)


@attrs.frozen(kw_only=True)
class Register(Command):
    """IN-2, IN-4, REC-1: whoever received it registers it; incomplete records are refused.

    ``other_site``: the receiver works at another site than the complaint's (the
    desk judges it from its staff directory; the pure core has none).  Their unit,
    another site's customer service included, is then "any other unit" for IN-5:
    the complaint is registered as theirs but with no unit of its site, and must
    still reach the site's customer service (review s54R12 F05).  Ignored for a
    complaint sent straight to head office (IN-6).
    """

    name: ClassVar[str] = "register"
    other_site: bool = False


@attrs.frozen(kw_only=True)
class Forward(Command):
    """IN-2, IN-5, IN-6: pass to another unit; the receiver stays on record.

    ``consent`` records the complainant's consent when head office routes a
    bypass complaint to the site (IN-6): without it (``False``) head office keeps
    the complaint.  Elsewhere it is not asked.  Once the final reply is given
    (awaiting a visit, or closed) only the forward to customer service is taken:
    it records the complaint in the centre's register (IN-4, IN-5) and leaves
    the handler, the department and the status as they are.
    """

    name: ClassVar[str] = "forward"
    to_unit: str
    note: str = ""
    consent: bool = True


@attrs.frozen(kw_only=True)
class Classify(Command):
    """CLS-1..4: by the pack's keyword rules, or as the handler says."""

    name: ClassVar[str] = "classify"
    category: str | None = None
    department: str | None = None
    helpers: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Assess(Command):
    """VAL-1, VAL-2, VAL-4: the verification outcome and what was found.

    ``kind`` left out keeps the kind found before (a complaint, at the first
    assessment): adding to a verdict never undoes it.
    """

    name: ClassVar[str] = "assess"
    validity: Validity = attrs.field(converter=_validity)
    kind: Kind | None = attrs.field(default=None, converter=_kind)
    reasonable: bool | None = None
    department: str = ""
    facts: frozenset[Fact] = attrs.field(default=frozenset(), converter=_facts)
    note: str = ""


@attrs.frozen(kw_only=True)
class Regrade(Command):
    """GRD-2..6: grade from the facts and the complaint's age, or as given; never lower."""

    name: ClassVar[str] = "grade"
    grade: Grade | None = attrs.field(default=None, converter=_grade_of)
    reason: str = ""


@attrs.frozen(kw_only=True)
class Assign(Command):
    """ESC-3, ESC-4: a handler at a rung allowed for the complaint."""

    name: ClassVar[str] = "assign"
    handler: str
    rung: str
    department: str = ""


@attrs.frozen(kw_only=True)
class Promise(Command):
    """DL-5: a processing time agreed with the complainant."""

    name: ClassVar[str] = "promise"
    due: datetime
    note: str = ""


@attrs.frozen(kw_only=True)
class Handle(Command):
    """DL-3, HDL-4: a department reports its result; one other than the responsible
    department records the part it helped with (CLS-3)."""

    name: ClassVar[str] = "handle"
    result: str
    department: str = ""


@attrs.frozen(kw_only=True)
class Reply(Command):
    """A reply: interim, final, or an explanation (VAL-3); REC-4 reason if not answerable.

    DL-3: a reply that cannot solve the complaint at once agrees a new date with
    the complainant, ``agreed_due``; it is recorded as a promise (a ``Promised``
    event with the reply), so the DL-5 ``promise`` clock runs to it.  Where an
    unanswerable reply meets a reply deadline (a pack clock stops on
    ``replied:unanswerable``) the date is required.

    HDL-4: a final reply waits for the helping departments' parts (``handle``
    with their department); ``without_helpers`` gives it without those still
    missing, and the reply records which.
    """

    name: ClassVar[str] = "reply"
    message: str
    final: bool = False
    explanation: bool = False
    unanswerable_reason: str = ""
    agreed_due: datetime | None = None
    issue: str = ""
    without_helpers: bool = False


@attrs.frozen(kw_only=True)
class Escalate(Command):
    """ESC-2, ESC-5: up the ladder for a trigger."""

    name: ClassVar[str] = "escalate"
    trigger: Trigger = attrs.field(converter=_trigger)
    to_rung: str | None = None
    steps: int = 1
    note: str = ""
    clock: str = ""


@attrs.frozen(kw_only=True)
class Pause(Command):
    """DL-8: stop the company's clocks while waiting on the complainant."""

    name: ClassVar[str] = "pause"
    reason: str


@attrs.frozen(kw_only=True)
class Resume(Command):
    """DL-8: the wait is over."""

    name: ClassVar[str] = "resume"


@attrs.frozen(kw_only=True)
class Visit(Command):
    """VIS-1, VIS-2, VIS-4: a return visit; dissatisfaction reopens and escalates.

    ``reached=False`` records a visit or call that did not reach the complainant:
    it gives no opinion (``satisfied`` left unset), confirms nothing and the
    complaint goes on awaiting a visit.  On a closed complaint it is a follow-up
    visit (002 §4.2): recorded, never reopening or escalating it.  A
    ``major_issue`` (VIS-4) is found only at a visit that reached the complainant,
    and ``problem`` says what it is, for the meeting's agenda.
    """

    name: ClassVar[str] = "visit"
    satisfied: bool | None = None
    opinion: str = ""
    reply_due: datetime | None = None
    major_issue: bool = False
    reached: bool = True
    problem: str = ""


@attrs.frozen(kw_only=True)
class Close(Command):
    """VIS-3, VAL-3: close with the complainant's confirmation or a top-rung decision."""

    name: ClassVar[str] = "close"
    result: str
    confirmed_by_complainant: bool = False
    decided_by_top_rung: bool = False


@attrs.frozen(kw_only=True)
class Reopen(Command):
    """Back into handling, with the reason."""

    name: ClassVar[str] = "reopen"
    reason: str


@attrs.frozen(kw_only=True)
class RecordCause(Command):
    """IMP-1: cause analysis with corrective and preventive measures."""

    name: ClassVar[str] = "record_cause"
    cause: str
    corrective: str
    preventive: str = ""


@attrs.frozen(kw_only=True)
class RecordSanction(Command):
    """PEN-1, PEN-2: record the sanction of the complaint's grade."""

    name: ClassVar[str] = "record_sanction"
    staff_role: str = ""


@attrs.frozen(kw_only=True)
class SignOff(Command):
    """REC-6: the supervisor signs the closed record."""

    name: ClassVar[str] = "sign_off"


@attrs.frozen(kw_only=True)
class AttachEvidence(Command):
    """REC-3: supporting documents or proof."""

    name: ClassVar[str] = "attach_evidence"
    reference: str
    note: str = ""


@attrs.frozen(kw_only=True)
class Apologise(Command):
    """DL-5: after a broken promise, apologise, give the specific reason, offer a remedy."""

    name: ClassVar[str] = "apologise"
    apology: str
    reason: str
    remedy: str


@attrs.frozen(kw_only=True)
class Report(Command):
    """REC-2 (一报告), 004 篇4 §3.3: report content and result to the leader.

    ``written=True`` is a written report to management and needs its ``reference``.
    """

    name: ClassVar[str] = "report"
    content: str
    result: str = ""
    to: str = ""
    written: bool = False
    reference: str = ""


@attrs.frozen(kw_only=True)
class VisitSite(Command):
    """004 篇4 §3.6: go to the site with the complainant and record what is found."""

    name: ClassVar[str] = "visit_site"
    findings: str
    departments: tuple[str, ...] = ()
    with_complainant: bool = True


@attrs.frozen(kw_only=True)
class CallBack(Command):
    """IN-6: head office calls (or visits) the complainant back at the end."""

    name: ClassVar[str] = "call_back"
    outcome: str
    satisfied: bool | None = None


@attrs.frozen(kw_only=True)
class Group(Command):
    """HDL-5, HDL-6: link the complaint to a concentrated issue (the desk decides which).

    ``incident`` marks a group incident: the complaint goes to the pack's
    ``group_report_rung`` at once.
    """

    name: ClassVar[str] = "group"
    issue: str
    members: tuple[str, ...]
    complainants: int
    incident: bool = False


@attrs.frozen(kw_only=True)
class Link(Command):
    """IMP-3, GRD-2: record the earlier complaints this one repeats (the desk finds them).

    ``raised_repeatedly`` sets GRD-2's fact, and a graded complaint is graded
    again at once.  ``repeated_by`` records, on an earlier complaint, the later
    one that raised its matter again.  ``promise_not_kept`` says a raising of the
    matter shows a promise not carried out, so GRD-2 reads it on every raising.
    A closed complaint takes links only (IMP-3: an earlier complaint it repeats
    stored after it): its count of raisings, its facts and its grade stay as
    they were (GRD-2).
    """

    name: ClassVar[str] = "link"
    same_complainant: tuple[str, ...] = attrs.field(default=(), validator=_complaint_ids)
    same_room: tuple[str, ...] = attrs.field(default=(), validator=_complaint_ids)
    same_matter: tuple[str, ...] = attrs.field(default=(), validator=_complaint_ids)
    raisings: int = 1
    raised_repeatedly: bool = False
    repeated_by: str = attrs.field(default="", validator=_complaint_id)
    promise_not_kept: bool = False


@attrs.frozen(kw_only=True)
class AddMeasure(Command):
    """IMP-1 (004 篇2 §3.5): a corrective or preventive measure with its owner and due date.

    ``owner`` is the staff member who carries it out (责任人), ``department`` the
    responsible unit (责任单位); ``due`` is rounded up to the minute.
    """

    name: ClassVar[str] = "add_measure"
    kind: MeasureKind = attrs.field(converter=_measure_kind)
    action: str
    owner: str
    due: datetime
    department: str = ""


@attrs.frozen(kw_only=True)
class CompleteMeasure(Command):
    """IMP-1 (004 篇2 §3.5B): a measure is carried out; ``result`` says what was done."""

    name: ClassVar[str] = "complete_measure"
    measure: str
    result: str


@attrs.frozen(kw_only=True)
class Acknowledge(Command):
    """Acknowledge the complaint: at its stage, define it and log it (staged packs);
    without stages, record that its receipt was confirmed to the complainant, once
    (HDL-1, 002 A.b: the call that says a written complaint is being arranged).

    ``definition`` states the points the response will answer; ``remedy_sought``
    what the complainant wants done; ``apology`` the apology made.  A stage may
    require the first two (``acknowledge_records``), a duty any of them (``records``).
    """

    name: ClassVar[str] = "acknowledge"
    definition: str = ""
    remedy_sought: str = ""
    apology: str = ""


@attrs.frozen(kw_only=True)
class RequestEscalation(Command):
    """Record the complainant's request to take the complaint to the next stage.

    Allowed on a closed complaint too: a stage that closes with its response is
    reopened at the next stage.  ``reason`` is optional (a complainant need not
    explain why, Housing Ombudsman Code 6.12).
    """

    name: ClassVar[str] = "request_escalation"
    reason: str = ""


@attrs.frozen(kw_only=True)
class Extend(Command):
    """Extend a clock's deadline by ``by`` (``"10d"``, in the clock's unit), with the
    fields the pack's ``extension`` requires; refused past its cap."""

    name: ClassVar[str] = "extend"
    clock: str
    by: str
    reason: str = ""
    details: str = ""
    agreed_by: str = ""


@attrs.frozen(kw_only=True)
class Respond(Command):
    """Answer the complaint at its stage: the outcome, the answer and any remedies."""

    name: ClassVar[str] = "respond"
    outcome: Outcome = attrs.field(converter=_outcome)
    message: str
    remedies: tuple[str, ...] = attrs.field(default=(), converter=_strings)


COMMAND_TYPES: tuple[type[Command], ...] = (
    Register,
    Forward,
    Classify,
    Assess,
    Regrade,
    Assign,
    Promise,
    Handle,
    Reply,
    Escalate,
    Pause,
    Resume,
    Visit,
    Close,
    Reopen,
    RecordCause,
    RecordSanction,
    SignOff,
    AttachEvidence,
    Apologise,
    Report,
    VisitSite,
    CallBack,
    Group,
    Link,
    AddMeasure,
    CompleteMeasure,
    Acknowledge,
    RequestEscalation,
    Extend,
    Respond,
)
_RECORDS: dict[type[Command], tuple[type[Event], ...]] = {
    Register: (Registered, Assessed, Graded),
    Forward: (Forwarded,),
    Classify: (Classified, Ungrouped, Escalated),
    Assess: (Assessed, Graded),
    Regrade: (Graded,),
    Assign: (Assigned, Escalated),
    Promise: (Promised,),
    Handle: (Handled,),
    Reply: (Replied, Promised),
    Escalate: (Escalated,),
    Pause: (Paused,),
    Resume: (Resumed,),
    Visit: (Visited, Reopened, Escalated),
    Close: (Closed,),
    Reopen: (Reopened,),
    RecordCause: (CauseAnalysed,),
    RecordSanction: (SanctionRecorded,),
    SignOff: (SignedOff,),
    AttachEvidence: (EvidenceAttached,),
    Apologise: (Apologised,),
    Report: (Reported,),
    VisitSite: (SiteVisited,),
    CallBack: (CalledBack,),
    Group: (Grouped, Escalated),
    Link: (Linked, Graded),
    AddMeasure: (MeasureAdded,),
    CompleteMeasure: (MeasureDone,),
    Acknowledge: (Acknowledged,),
    RequestEscalation: (EscalationRequested,),
    Extend: (Extended,),
    Respond: (Responded, Closed),
}
COMMAND_RECORDS: dict[str, tuple[str, ...]] = {
    cmd.name: tuple(e.kind for e in events) for cmd, events in _RECORDS.items()
}
"""The event kinds each command may record, its own first: what a duty's
``command`` must be able to record for the owner who runs it to discharge it."""
assert set(_RECORDS) == set(COMMAND_TYPES)

for _command_type in (Command, *COMMAND_TYPES):  # free text by its size only (PRV-1)
    _command_type.__repr__ = private_repr(  # type: ignore[method-assign,assignment]
        (
            "actor",
            "to_unit",
            "category",
            "department",
            "helpers",
            "handler",
            "rung",
            "to_rung",
            "clock",
            "staff_role",
            "measure",
            "owner",
            "same_complainant",
            "same_room",
            "same_matter",
            "repeated_by",
        )
    )

# --------------------------------------------------------------------------- transition table

_DUTIES = frozenset(
    {"apologise", "report", "visit_site", "call_back", "add_measure", "complete_measure"}
)
"""Commands that discharge duties or measures (IMP-1): they outlive closure, so these do too."""

_STAGED = frozenset({"acknowledge", "request_escalation", "extend", "respond"})
"""Commands of staged procedures (packs with ``[[stages]]``)."""

_STAGED_ONLY = _STAGED - {"acknowledge"}
"""Commands a pack without stages refuses: it acknowledges receipt too (HDL-1)."""

_OPEN_WORK = frozenset(
    {
        *_STAGED,
        "group",
        "link",
        "forward",
        "classify",
        "assess",
        "grade",
        "assign",
        "promise",
        "handle",
        "reply",
        "escalate",
        "pause",
        "resume",
        "close",
        "record_cause",
        "record_sanction",
        "attach_evidence",
        *_DUTIES,
    }
)

TRANSITIONS: Mapping[Status, frozenset[str]] = {
    Status.NEW: frozenset({"register"}),
    Status.REGISTERED: _OPEN_WORK,
    Status.IN_HANDLING: _OPEN_WORK,
    Status.AWAITING_VISIT: frozenset(
        {
            "forward",  # IN-4, IN-5: to customer service's register only (see _forward)
            "assess",  # VAL-1: answered before it was verified (IMP-1, IMP-2 need it)
            "handle",  # HDL-4: the agreed solution is recorded after the reply too
            "resume",
            "visit",
            "reply",
            "promise",
            "assign",
            "escalate",
            "grade",
            "close",
            "reopen",
            "record_cause",
            "record_sanction",
            "attach_evidence",
            "group",
            "link",
            *_STAGED,
            *_DUTIES,
        }
    ),
    Status.CLOSED: frozenset(
        {
            "visit",  # 002 §4.2: the regular follow-up visit, no reopening
            "reopen",
            "forward",  # IN-4, IN-5: customer service's register outlives closure
            "assess",  # VAL-1, IMP-2: verified after closure, as a cause is recorded
            "acknowledge",  # HDL-1: the duty to acknowledge receipt outlives closure
            "request_escalation",
            "sign_off",
            "record_cause",
            "record_sanction",
            "attach_evidence",
            "link",  # IMP-3: an earlier complaint it repeats, stored after it (links only)
            *_DUTIES,
        }
    ),
}
"""Which commands each status accepts; guards in the handlers check the rest."""


def allowed_commands(complaint: Complaint, pack: RulePack | None = None) -> frozenset[str]:
    """The commands the complaint's status accepts; with ``pack``, only those the pack
    has (a pack without stages has none of ``request_escalation``, ``extend`` and
    ``respond``, and acknowledges receipt only, HDL-1; under one with stages a closed
    complaint is not reopened but goes on to its next stage, and its answered stage
    is not acknowledged)."""
    allowed = TRANSITIONS[complaint.state.status]
    if pack is None:
        return allowed
    if not pack.stages:
        return allowed - _STAGED_ONLY
    if complaint.state.status is Status.CLOSED:
        # a staged complaint goes on to its next stage; the closed one was answered
        return allowed - {"reopen", "acknowledge"}
    return allowed


def _outside_pack(name: str, status: Status, pack: RulePack) -> bool:
    """A staged step the status accepts that the pack does not (see allowed_commands)."""
    if not pack.stages:
        return name in _STAGED_ONLY
    return name == "acknowledge" and status is Status.CLOSED


# --------------------------------------------------------------------------- folding


def new_complaint(complaint_id: str, intake: Intake) -> Complaint:
    """A complaint before registration: status NEW, no events."""
    if not isinstance(complaint_id, str) or not complaint_id.strip():
        raise InvalidInputError("complaint_id", "must be a non-empty string")
    if not isinstance(intake, Intake):
        raise InvalidInputError("intake", f"expected Intake, got {type(intake).__name__}")
    return Complaint(id=complaint_id, intake=intake)


def _set(draft: ComplaintState, **changes: Any) -> ComplaintState:
    draft.__dict__.update(changes)
    return draft


def _apply(state: ComplaintState, event: Event) -> ComplaintState:
    """One event's effect on a new state not yet handed out (mutated: folding is hot)."""
    ev = _set
    start = state.status in (Status.REGISTERED,)
    if isinstance(event, Registered):
        # IN-5: a receipt at another site leaves the complaint with no unit of its own site
        unit = "" if event.other_site and not event.bypass else event.unit
        return ev(state, status=Status.REGISTERED, unit=unit, time_barred=event.time_barred)
    if isinstance(event, Forwarded):
        return ev(state, unit=event.to_unit, site_consent=state.site_consent or event.consent)
    if isinstance(event, Classified):
        return ev(
            state,
            category=event.category,
            cause=event.cause,
            department=event.department,
            responsible=event.department,
            helpers=event.helpers,
            target=event.target or state.target,
            urgent=state.urgent or event.urgent,
        )
    if isinstance(event, Assessed):
        return ev(
            state,
            status=Status.IN_HANDLING if start else state.status,
            validity=event.validity,
            complaint_kind=event.complaint_kind,
            reasonable=event.reasonable,
            department=event.department or state.department,
            responsible=event.department or state.responsible,
            facts=state.facts | event.facts,
            # VAL-3: an explanation counts only after the latest finding of invalidity;
            # the same verdict recorded again (its department added) finds nothing new
            explained=state.explained
            and (event.validity is not Validity.INVALID or state.validity is Validity.INVALID),
        )
    if isinstance(event, Graded):
        return ev(state, grade=event.grade, grade_reasons=event.reasons)
    if isinstance(event, Assigned):
        return ev(
            state,
            status=Status.IN_HANDLING if start else state.status,
            handler=event.handler,
            rung=event.rung,
            department=event.department or state.department,
        )
    if isinstance(event, Promised):
        return ev(state, promise_due=event.due)
    if isinstance(event, Handled):
        # CLS-3: a helping department's part is not the complaint's result
        handled = state.handled or not event.helper
        return ev(state, status=Status.IN_HANDLING if start else state.status, handled=handled)
    if isinstance(event, Replied):
        status = state.status
        if (
            event.final
            and state.validity is not Validity.INVALID
            and status in (Status.REGISTERED, Status.IN_HANDLING)
        ):
            status = Status.AWAITING_VISIT
        return ev(
            state,
            status=status,
            final_reply=state.final_reply or event.final,
            explained=state.explained or event.explanation,
        )
    if isinstance(event, Escalated):
        if event.trigger in SATISFACTION_FAILED:
            # VIS-1, VIS-3: satisfaction failed since the satisfied visit (not satisfied,
            # or a new time refused, 000 §6-7); closing needs a new one (s46D F03)
            return ev(
                state,
                rung=event.to_rung,
                handler="",
                escalations=state.escalations + 1,
                last_visit_satisfied=None,
            )
        return ev(state, rung=event.to_rung, handler="", escalations=state.escalations + 1)
    if isinstance(event, Paused):
        return ev(state, paused=True)
    if isinstance(event, Resumed):
        return ev(state, paused=False)
    if isinstance(event, Visited):
        if not event.reached:  # VIS-1: no opinion; an earlier one stands
            return ev(state, visits=state.visits + 1)
        return ev(state, visits=state.visits + 1, last_visit_satisfied=event.satisfied)
    if isinstance(event, Closed):
        return ev(state, status=Status.CLOSED, closed_at=event.at, paused=False)
    if isinstance(event, Reopened):
        return ev(
            state,
            status=Status.IN_HANDLING,
            reopened=state.reopened + 1,
            final_reply=False,
            handled=False,
            closed_at=None,
            signed_off=False,
            # a confirmation or explanation given before the reopening no longer counts
            last_visit_satisfied=None,
            explained=False,
        )
    if isinstance(event, CauseAnalysed):
        return ev(state, cause_analysed=True)
    if isinstance(event, SignedOff):
        return ev(state, signed_off=True)
    if isinstance(event, Grouped):
        return ev(state, issue=event.issue, group_incident=state.group_incident or event.incident)
    if isinstance(event, Ungrouped):  # HDL-5: out of the issue and its incident
        return ev(state, issue="", group_incident=False)
    if isinstance(event, Linked):
        facts = state.facts | {Fact.RAISED_REPEATEDLY} if event.raised_repeatedly else state.facts
        if event.promise_not_kept:  # GRD-2: a raising of the matter broke a promise
            facts |= {Fact.PROMISE_NOT_KEPT}
        return ev(state, raisings=max(state.raisings, event.raisings), facts=facts)
    if isinstance(event, MeasureAdded):
        return ev(state, measures_open=state.measures_open + 1)
    if isinstance(event, MeasureDone):
        return ev(state, measures_open=state.measures_open - 1)
    if isinstance(event, Acknowledged):
        if not event.stage:  # HDL-1: receipt confirmed; handling has not started with it
            return ev(state, acknowledged=True)
        return ev(state, status=Status.IN_HANDLING if start else state.status, acknowledged=True)
    if isinstance(event, Responded):
        return ev(
            state,
            status=Status.IN_HANDLING if start else state.status,
            responded=True,
            outcome=event.outcome,
        )
    if isinstance(event, EscalationRequested):
        # a new stage: handled afresh (by a new handler) and answered afresh, at the
        # rung reached or above: ESC-5, never down the ladder (review s49D F02)
        return ev(
            state,
            status=Status.IN_HANDLING,
            stage=event.stage,
            acknowledged=False,
            responded=False,
            outcome=None,
            handler="",
            final_reply=False,
            handled=False,
            closed_at=None,
            signed_off=False,
            last_visit_satisfied=None,
            explained=False,
            paused=False,  # DL-8: the pause was the last stage's (review s45F F01)
        )
    return state  # sanctions, evidence and discharged duties: recorded, no state change


def fold(events: Iterable[Event], state: ComplaintState | None = None) -> ComplaintState:
    """The state a sequence of events adds up to."""
    base = state or ComplaintState()
    # The new state is filled in place before anyone sees it: a copy of the base's
    # fields (ComplaintState has no validators or converters, and holds nothing
    # else), without building its 39 keyword arguments once per fold.
    draft = _new_state(ComplaintState)
    draft.__dict__.update(base.__dict__)
    for event in events:
        _apply(draft, event)
    return draft


_new_state = object.__new__


def evolve(complaint: Complaint, events: Iterable[Event]) -> Complaint:
    """Append events and fold them into the derived state (REC-5: append only)."""
    new = tuple(events)
    for i, event in enumerate(new):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"events[{i}]", f"expected an Event, got {type(event).__name__}"
            )
    return Complaint(
        complaint.id, complaint.intake, complaint.events + new, fold(new, complaint.state)
    )


def replay(complaint_id: str, intake: Intake, events: Iterable[Event]) -> Complaint:
    """Rebuild a complaint from its stored intake and events."""
    return evolve(new_complaint(complaint_id, intake), events)


# --------------------------------------------------------------------------- deciding

C = TypeVar("C", bound=Command)
_Handler = Callable[[Complaint, Any, RulePack, datetime], tuple[Event, ...]]
_HANDLERS: dict[type[Command], _Handler] = {}


def _handles(
    cls: type[C],
) -> Callable[[Callable[[Complaint, C, RulePack, datetime], tuple[Event, ...]]], _Handler]:
    def register(fn: Callable[[Complaint, C, RulePack, datetime], tuple[Event, ...]]) -> _Handler:
        _HANDLERS[cls] = fn
        return fn

    return register


_Check = Callable[[object], bool]
_FIELD_CHECKS: dict[type[Command], tuple[tuple[str, _Check], ...]] = {}


def _checker(hint: Any) -> _Check:
    """A fast test for one annotation, built once (decide is on the intake hot path)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(hint)
        if all(isinstance(a, type) and typing.get_origin(a) is None and a is not int for a in args):
            plain = tuple(args)  # ``str | None``: one isinstance call, no generator
            return lambda v: isinstance(v, plain)
        arms = tuple(_checker(arm) for arm in args)
        return lambda v: any(arm(v) for arm in arms)
    if hint is type(None):
        return lambda v: v is None
    if hint is bool:
        return lambda v: isinstance(v, bool)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if origin in (tuple, frozenset):
        item = _checker(typing.get_args(hint)[0])
        return lambda v: isinstance(v, origin) and all(item(x) for x in v)
    return lambda v: isinstance(v, hint)


def _field_checks(cls: type[Command]) -> tuple[tuple[str, _Check], ...]:
    known = _FIELD_CHECKS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = tuple((f.name, _checker(hints[f.name])) for f in attrs.fields(cls))
        _FIELD_CHECKS[cls] = known
    return known


def _check_fields(command: Command) -> None:
    """Refuse a command whose fields have the wrong types, naming the field."""
    for name, check in _FIELD_CHECKS.get(type(command)) or _field_checks(type(command)):
        value = getattr(command, name)
        if not check(value):
            raise InvalidInputError(name, f"wrong type {type(value).__name__}")
        if isinstance(value, datetime):
            require_aware(value, name)


def _refuse(complaint: Complaint, command: Command, reason: str) -> IllegalTransitionError:
    return IllegalTransitionError(complaint.id, complaint.state.status.value, command.name, reason)


def decide(
    complaint: Complaint, command: Command, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    """The events a command produces, or a named error; never changes anything.

    ``now`` must be aware and not earlier than the complaint's last event, so a
    history always reads forwards.
    """
    if not isinstance(complaint, Complaint):
        raise InvalidInputError("complaint", f"expected Complaint, got {type(complaint).__name__}")
    if not isinstance(command, Command):
        raise InvalidInputError("command", f"expected a Command, got {type(command).__name__}")
    if not isinstance(pack, RulePack):
        raise InvalidInputError("pack", f"expected RulePack, got {type(pack).__name__}")
    require_aware(now, "now")
    _check_fields(command)
    # instants, not wall times: the hour a zone repeats (review s41D F02); the very
    # time the last event was stamped with (each step of an intake) is not earlier
    last = complaint.events[-1].at if complaint.events else now
    if last is not now and as_instant(now) < as_instant(last):
        raise InvalidInputError("now", "is earlier than the complaint's last event")
    name = command.name
    # allowed_commands without building its set: the set is needed only to refuse
    status = complaint.state.status
    if name in _STAGED_ONLY and not pack.stages:
        # not the status: no status takes it under this pack (review s58R4 F02)
        raise IllegalTransitionError(
            complaint.id,
            status.value,
            name,
            f"pack {pack.name} has no stages: request_escalation, extend and respond "
            "belong to packs with stages; for a complainant not satisfied escalate "
            "(trigger dissatisfied, ESC-2) or reopen; for more time make a new promise "
            "(DL-5) or reply as unanswerable with an agreed date (REC-4)",
            of_state=False,
        )
    if name not in TRANSITIONS[status] or (name in _STAGED and _outside_pack(name, status, pack)):
        allowed = allowed_commands(complaint, pack)
        raise _refuse(complaint, command, f"allowed now: {', '.join(sorted(allowed))}")
    events = _HANDLERS[type(command)](complaint, command, pack, now)
    if pack.duty_records:
        _check_records(complaint, events, pack)
    return events


def _check_records(complaint: Complaint, events: Iterable[Event], pack: RulePack) -> None:
    """An event that discharges an owed duty records what the duty asks for
    (the pack's ``records``: the apology, the reason and the remedy …)."""
    table = pack.duty_records
    for event in events:
        for tag in event.tags():
            for duty, fields in table.get(tag, ()):
                if not _triggered(complaint, duty, pack):
                    continue
                for field in fields:
                    value = getattr(event, field, None)
                    empty = value is None or (
                        isinstance(value, (str, tuple, frozenset)) and not _filled(value)
                    )
                    if empty and duty.rule:
                        raise InvalidInputError(
                            field, f"duty {duty.name} needs it recorded ({duty.rule})"
                        )
                    if empty:
                        raise InvalidInputError(field, f"duty {duty.name} needs it recorded")


def _triggered(complaint: Complaint, duty: DutySpec, pack: RulePack) -> bool:
    """Whether the duty has been set off and not yet discharged, by tags alone.

    Deadlines need the calendar, which ``decide`` does not have; whether a duty
    is owed does not.  ``breached:<clock>`` counts as set off once that clock
    has started (a promise was made), so an apology always records all it must.
    A duty for other channels is never set off (HDL-1: a telephone complaint's
    acknowledgement owes no apology).  A start before the duty's ``applies_from``
    (a day in the pack's zone) sets nothing off (re-review s54R13).
    """
    if not duty.owed_on(complaint.intake.channel):
        return False
    zone = ZoneInfo(pack.calendar.timezone)
    starts: set[str] = set()
    for tag in duty.start:
        if tag.startswith("breached:"):
            clock = pack.clock(tag.removeprefix("breached:"))
            starts.update((*clock.start, "promised", "visited:appointment"))
        else:
            starts.add(tag)
    gate, stop = frozenset(duty.when), frozenset(duty.stop)
    seen, started, active = not gate, False, False
    for event in complaint.events:
        tags = frozenset(event.tags())
        seen = seen or not tags.isdisjoint(gate)
        if active and not tags.isdisjoint(stop):
            active = False
        elif (
            seen
            and not active
            and (not started or duty.repeat)
            and not tags.isdisjoint(starts)
            and duty.applies_at(event.at, zone)
        ):
            started = active = True
        elif not active and event.kind == "reopened" and duty.reopen is ReopenPolicy.AGAIN:
            started = False  # REC-2: owed anew from its next start
    return active


def _filled(value: str | tuple[object, ...] | frozenset[object]) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)


@_handles(Register)
def _register(c: Complaint, cmd: Register, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    require_registrable(c.intake, pack.phone_regions, pack.room_style)
    occurred = c.intake.occurred_at
    if occurred is not None and occurred > c.intake.received_at:
        # an issue cannot arise after it was complained about; a later one would keep a
        # pack's "after the event" windows (time bar, escalation request) open for ever
        raise InvalidInputError("occurred_at", "is later than the time the complaint was received")
    target = c.intake.target
    if target is not None and not pack.has_rung(target.rung):
        # ESC-4 needs the rung: an unknown one would silently drop the floor
        raise InvalidInputError(
            "target.rung",
            f"unknown rung {shown_code(target.rung, pack.codes_of('rung'))} in pack {pack.name}",
        )
    if c.intake.via_head_office and not pack.head_office_unit:
        # IN-6: kept for the consent of a head office the pack does not have, the
        # complaint would be held by nobody and told to nobody (review s43C F01)
        raise InvalidInputError(
            "via_head_office",
            f"pack {pack.name} has no head office to send a complaint straight to (IN-6)",
        )
    # IN-2: no unit named and no directory to ask (the desk asks its own): customer service
    unit = pack.head_office_unit if c.intake.via_head_office else c.intake.receiver_unit
    unit = unit.strip() or pack.customer_service
    barred = time_barred(c.intake, pack)
    bar = pack.time_bar
    if barred and bar is not None and bar.action is BarAction.REFUSE:
        why = f"the issue arose more than {_length(bar.after)} before the complaint was received"
        raise TimeBarredError(c.id, c.state.status.value, cmd.name, _ruled(why, bar.rule))
    registered = Registered(
        at=now,
        actor=cmd.actor,
        unit=unit,
        time_barred=barred,
        via_head_office=_bypass_flag(unit, c.intake.via_head_office),
        other_site=cmd.other_site and not c.intake.via_head_office,
    )
    if not pack.valid_at_intake:
        return (registered,)
    # VAL-1, VAL-4: a procedure with no validity step (HOC 1.2) counts every complaint
    # as valid from its registration; assessing it later can still say otherwise
    after = evolve(c, (registered,))
    return (
        registered,
        *_assess(after, Assess(actor=cmd.actor, validity=Validity.VALID), pack, now),
    )


def _bypass_flag(unit: str, via_head_office: bool) -> bool | None:
    """IN-6 as the registration records it: left out (``None``) where its unit says it,
    so registrations read and are stored as before the flag (:class:`Registered`)."""
    return None if via_head_office == (unit == BYPASS_UNIT) else via_head_office


def _late_request(
    c: Complaint, limit: RequestLimit, pack: RulePack, code: str, following: Stage
) -> str:
    """Why a request for ``following`` is out of time: the windows it came after
    (dates in the pack's zone) and the last day of the later one."""
    tz = ZoneInfo(pack.calendar.timezone)
    windows = request_windows(c, limit, pack)
    last = (max(w.end for w in windows).astimezone(tz).date() - timedelta(days=1)).isoformat()
    parts = []
    for w in windows:
        on, length = w.start.astimezone(tz).date().isoformat(), _length(w.length)
        if w.since == "response":
            answered = pack.stage(code).en
            parts.append(f"{length} after the response at {answered} on {on}")
        elif w.since == "event":
            parts.append(f"{length} after the issue arose on {on}")
        else:
            parts.append(f"{length} after the complaint was received on {on}")
    first, *more = parts
    why = f"the time limit for {following.en} ended at the end of {last}"
    why += f": the request came more than {first}"
    for other in more:
        why += f" and more than {other}"
    return why


def _ruled(why: str, rule: str) -> str:
    """A reason with the pack's rule in brackets, when the pack names one."""
    return f"{why} ({rule})" if rule else why


def _length(d: Duration) -> str:
    """A time limit in words: ``12 months``, ``5 working days`` reads ``5 days`` here."""
    if d.months:
        return f"{d.months} month" + ("s" if d.months != 1 else "")
    if d.days:
        return f"{d.days} day" + ("s" if d.days != 1 else "")
    return str(d)


@_handles(Forward)
def _forward(c: Complaint, cmd: Forward, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    # a pack with no head office (``head_office_unit = ""``) has no unit called ""
    head_office = bool(pack.head_office_unit) and cmd.to_unit == pack.head_office_unit
    if not (pack.has_department(cmd.to_unit) or head_office):
        raise InvalidInputError(
            "to_unit",
            f"unknown unit {shown_code(cmd.to_unit, pack.codes_of('unit'))} in pack {pack.name}",
        )
    if c.intake.via_head_office and c.state.unit == pack.head_office_unit and not cmd.consent:
        # IN-6: without the consent there is nothing to route: head office keeps it
        # and handles it itself (review s58R4 F05)
        raise IllegalTransitionError(
            c.id,
            c.state.status.value,
            cmd.name,
            "consent: without the complainant's consent a bypass complaint is not "
            "forwarded: head office keeps it and handles it; assign it to head office "
            "staff (assign --handler with a head office staff id) (IN-6)",
            of_state=False,
        )
    if cmd.to_unit == c.state.unit:
        raise _refuse(c, cmd, f"already with {cmd.to_unit}")
    answered = c.state.status in (Status.AWAITING_VISIT, Status.CLOSED)
    if answered and cmd.to_unit != pack.customer_service:
        # IN-4, IN-5: after the final reply only customer service's register is
        # still owed; passing the work on is done by reopening the complaint
        raise _refuse(
            c,
            cmd,
            f"once answered, a complaint is forwarded only to {pack.customer_service}, "
            "for its register (IN-4, IN-5): reopen it to pass the work on",
        )
    return (
        Forwarded(at=now, actor=cmd.actor, to_unit=cmd.to_unit, note=cmd.note, consent=cmd.consent),
    )


@_handles(Classify)
def _classify(c: Complaint, cmd: Classify, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    target = c.intake.target
    if cmd.category is None:
        found = classify(c.intake.text, pack, target=target)
        category, explanation = (
            pack.category(found.category),
            (found.explanation("zh"), found.explanation("en")),
        )
        cause = found.cause  # CLS-4: a complaint about a person may shift the cause
    else:
        category = pack.category(cmd.category)
        explanation = (f"由{cmd.actor}人工分类", f"classified by hand by {cmd.actor}")
        cause = category.cause
    department = cmd.department or category.department
    if not pack.has_department(department):
        raise InvalidInputError(
            "department",
            f"unknown department {shown_code(department, pack.codes_of('department'))}",
        )
    helpers = cmd.helpers or category.helpers
    for h in helpers:
        if not pack.has_department(h):
            raise InvalidInputError(
                "helpers", f"unknown department {shown_code(h, pack.codes_of('department'))}"
            )
    events: list[Event] = [
        Classified(
            at=now,
            actor=cmd.actor,
            category=category.code,
            cause=cause,
            department=department,
            explanation=explanation,
            helpers=tuple(helpers),
            target=target,
            urgent=category.urgent,
        )
    ]
    events += _left_issue(c, evolve(c, events), pack, now, cmd.actor)
    if category.urgent and pack.group_report_rung:
        # HDL-6: group incidents and emergencies reach the project manager at once.
        here = escalation.current_rung_index(c, pack)
        if pack.rung_index(pack.group_report_rung) > here:
            events.append(
                Escalated(
                    at=now,
                    actor=cmd.actor,
                    from_rung=pack.ladder[here].code,
                    to_rung=pack.group_report_rung,
                    trigger=Trigger.INCIDENT,
                    note=notes.serious(category.zh, category.en),
                )
            )
    return tuple(events)


def _left_issue(
    before: Complaint, after: Complaint, pack: RulePack, now: datetime, actor: str
) -> tuple[Event, ...]:
    """HDL-5: a member whose group (category, site or building) a classification
    changed leaves its issue: an issue is one matter, explained to all its members."""
    issue = before.state.issue
    rule = pack.concentration
    if not issue or group_key(after, rule) == group_key(before, rule):
        return ()
    return (Ungrouped(at=now, actor=actor, issue=issue),)


@_handles(Assess)
def _assess(c: Complaint, cmd: Assess, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if cmd.department and not pack.has_department(cmd.department):
        raise InvalidInputError(
            "department",
            f"unknown department {shown_code(cmd.department, pack.codes_of('department'))}",
        )
    # VAL-4: the handler decides the kind; words are a hint (validity.infer_kind),
    # never a silent verdict that would take a valid complaint out of grading; a
    # reassessment that does not name the kind keeps the one found (an enquiry
    # stays out of grading).
    kind = cmd.kind or c.state.complaint_kind
    if (
        c.state.status is Status.CLOSED
        and cmd.validity is Validity.VALID
        and kind is Kind.COMPLAINT
        and pack.improvement.require_cause
        and not c.state.cause_analysed
    ):
        # IMP-1: a closed complaint is never left valid without its cause analysis
        raise _refuse(
            c,
            cmd,
            "a valid complaint is closed only after its cause analysis: record it "
            "before finding the closed complaint valid (IMP-1)",
        )
    if (
        c.state.status is Status.CLOSED
        and kind is Kind.COMPLAINT
        and c.state.complaint_kind is not Kind.COMPLAINT
        and any(RAISED_TAG in spec.restart for spec in pack.clocks)
        and not ever_a_complaint(c.events)
    ):
        # HOC 1.5: a complaint about a closed service request or enquiry is raised
        # as a new record; this one, closed, could take no stage 1 step and its
        # clocks no time (review s58RR2 F04)
        raise InvalidInputError(
            "kind",
            "a closed service request or enquiry is not raised as a complaint: register"
            " the dissatisfaction as a new complaint",
        )
    if (
        counts_as_complaint(c)
        and (kind is not Kind.COMPLAINT or cmd.validity is not Validity.VALID)
        and _found_unsatisfied(c)
    ):
        # VIS-3, VAL-4 (review s55R1 F01): a valid complaint the complainant was not
        # satisfied with stays in the month's valid, escalated and satisfaction figures
        raise InvalidInputError(
            "kind" if kind is not Kind.COMPLAINT else "validity",
            "the complainant was found not satisfied with this valid complaint: it stays "
            "a valid complaint; close it with their confirmation or the top rung's "
            "decision (VIS-3, VAL-4)",
        )
    assessed = Assessed(
        at=now,
        actor=cmd.actor,
        validity=cmd.validity,
        complaint_kind=kind,
        reasonable=cmd.reasonable,
        department=cmd.department,
        facts=cmd.facts,
        note=cmd.note,
    )
    after = evolve(c, (assessed,))
    found = grading.assess_grade(after, pack, now)
    if found is None or (after.state.grade is not None and found.grade is after.state.grade):
        return (assessed,)
    return assessed, Graded(
        at=now, actor=cmd.actor, grade=found.grade, reasons=found.reasons, automatic=True
    )


@_handles(Regrade)
def _grade(c: Complaint, cmd: Regrade, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    found = grading.assess_grade(c, pack, now)
    if found is None:
        raise _refuse(c, cmd, "only a valid complaint is graded (VAL-4)")
    current = c.state.grade
    if cmd.grade is None:
        if current is not None and found.grade is current:
            return ()
        return (
            Graded(
                at=now, actor=cmd.actor, grade=found.grade, reasons=found.reasons, automatic=True
            ),
        )
    # GRD-5: internal says who raised it, not how bad: regrading a minor complaint
    # internal is not a lowering GRD-6 forbids; an important or major one's is
    # (its sanction with it, PEN-1: s56R2 F04)
    internal = cmd.grade is Grade.INTERNAL and current in (None, Grade.MINOR, Grade.INTERNAL)
    if internal:
        why_not = grading.not_internal_because(c, pack, now)
        if why_not is not None:  # say why, not "cannot lower" (s56R2 F05)
            raise GradeError(c.id, c.state.status.value, cmd.name, why_not)
    if not internal and current is not None and cmd.grade.rank < current.rank:
        raise GradeError(
            c.id,
            c.state.status.value,
            cmd.name,
            f"cannot lower {current.value} to {cmd.grade.value} (GRD-6)",
        )
    if not internal and cmd.grade.rank < found.grade.rank:
        raise GradeError(
            c.id,
            c.state.status.value,
            cmd.name,
            f"the rules require at least {found.grade.value}: {found.reasons[0]}",
        )
    reason = cmd.reason or f"由{cmd.actor}定级 / graded by {cmd.actor}"
    return (Graded(at=now, actor=cmd.actor, grade=cmd.grade, reasons=(reason,)),)


_BE_ASSIGNED = "be_assigned"
"""What an :class:`AccessDeniedError` names when the handler an ``Assign`` names
may not take the complaint on (ESC-3, ESC-4), as the desk's check does."""


@_handles(Assign)
def _assign(c: Complaint, cmd: Assign, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if not pack.has_rung(cmd.rung):
        raise InvalidInputError(
            "rung",
            f"unknown rung {shown_code(cmd.rung, pack.codes_of('rung'))} in pack {pack.name}",
        )
    if cmd.department and not pack.has_department(cmd.department):
        raise InvalidInputError(
            "department",
            f"unknown department {shown_code(cmd.department, pack.codes_of('department'))}",
        )
    if c.awaiting_site_consent and cmd.department not in ("", pack.head_office_unit):
        raise _refuse(
            c,
            cmd,
            "a bypass complaint stays with head office until the complainant consents "
            "to the site handling it (IN-6)",
        )
    # ESC-3, ESC-4: refused as the one assigned, not as whoever assigns
    ok, why = escalation.may_handle(c, cmd.handler, cmd.rung, pack)
    if not ok:
        raise AccessDeniedError(c.id, cmd.handler, _BE_ASSIGNED, why)
    if cmd.handler in earlier_handlers(c, pack):
        raise AccessDeniedError(c.id, cmd.handler, _BE_ASSIGNED, _distinct(c, pack))
    events: list[Event] = []
    want = pack.rung_index(cmd.rung)
    if c.state.rung:
        here = c.rung_index(pack)
        if want < here:
            raise EscalationError(
                c.id,
                c.state.status.value,
                cmd.name,
                f"{cmd.rung} is below the current rung {c.state.rung} (ESC-5)",
            )
        # IN-6: a bypass complaint released to the site and never held there is
        # routed as at intake, whatever rung head office's wait moved it to
        first_at_site = (
            c.intake.via_head_office
            and c.state.site_consent
            and not any(isinstance(e, Assigned) for e in c.events)
        )
        # a new stage nobody took on yet is routed as at intake, never below its rung;
        # IN-6: a bypass complaint head office keeps (no consent yet) is taken by head
        # office's own staff at their rung, as before any sweep moved it: no ESC-2
        # trigger is true of that (review s58R4 F05)
        if (
            want > here
            and not first_at_site
            and not awaiting_stage_holder(c)
            and not c.awaiting_site_consent
        ):
            if escalation.required_rung_index(c, pack) < want:
                raise EscalationError(
                    c.id,
                    c.state.status.value,
                    cmd.name,
                    "moving up the ladder needs an escalation with its trigger (ESC-5)",
                )
            events.append(
                Escalated(
                    at=now,
                    actor=cmd.actor,
                    from_rung=c.state.rung,
                    to_rung=cmd.rung,
                    trigger=Trigger.GRADE,
                    note=notes.REQUIRED_RUNG,
                )
            )
    events.append(
        Assigned(
            at=now,
            actor=cmd.actor,
            handler=cmd.handler,
            rung=cmd.rung,
            department=cmd.department,
            previous_department=_moved_from(c, cmd.department),
        )
    )
    return tuple(events)


def _moved_from(c: Complaint, department: str) -> str:
    """The department that held the complaint, if ``department`` takes it from
    another one: DL-3 counts each department's 3 days from its own acceptance."""
    if not department:
        return ""
    for ev in reversed(c.events):
        if isinstance(ev, Assigned) and ev.department:
            return ev.department if ev.department != department else ""
    return ""


@_handles(Promise)
def _promise(c: Complaint, cmd: Promise, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    require_aware(cmd.due, "due")
    if as_instant(cmd.due) <= as_instant(now):
        raise InvalidInputError("due", "a promised time must be in the future")
    return (Promised(at=now, actor=cmd.actor, due=cmd.due, note=cmd.note),)


@_handles(Handle)
def _handle(c: Complaint, cmd: Handle, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    department = cmd.department or c.state.department
    if not department:
        raise InvalidInputError("department", "no responsible department: classify or name one")
    if not pack.has_department(department):
        raise InvalidInputError(
            "department",
            f"unknown department {shown_code(department, pack.codes_of('department'))}",
        )
    if not cmd.result.strip():
        raise InvalidInputError("result", "the handling result is empty (REC-1)")
    # CLS-3, DL-3: another department's part helps; only the responsible one's result
    # meets the responsible department's deadline
    helper = bool(c.state.department) and department != c.state.department
    return (
        Handled(at=now, actor=cmd.actor, department=department, result=cmd.result, helper=helper),
    )


@_handles(Reply)
def _reply(c: Complaint, cmd: Reply, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if not cmd.message.strip():
        raise InvalidInputError("message", "a reply needs a message")
    if cmd.final and cmd.unanswerable_reason:
        raise InvalidInputError(
            "unanswerable_reason", "a final reply answers the complaint; drop the reason (REC-4)"
        )
    if cmd.unanswerable_reason:
        require_reason(cmd.unanswerable_reason)
    _check_agreed_due(cmd, pack, now)
    if cmd.issue and cmd.issue != c.state.issue:
        raise InvalidInputError("issue", "the complaint is not part of this concentrated issue")
    if cmd.without_helpers and not cmd.final:
        raise InvalidInputError(
            "without_helpers", "only a final reply goes ahead without helping departments (HDL-4)"
        )
    missing = helpers_owed(c, pack) if cmd.final else ()
    if missing and not cmd.without_helpers:
        raise _refuse(
            c,
            cmd,
            f"helping departments have recorded no part: {', '.join(missing)}; reply once "
            "they have (handle with their department), or reply without them (HDL-4)",
        )
    return (
        Replied(
            at=now,
            actor=cmd.actor,
            message=cmd.message,
            final=cmd.final,
            explanation=cmd.explanation,
            unanswerable_reason=cmd.unanswerable_reason,
            issue=cmd.issue,
            went_ahead_without=missing,
        ),
        *(
            ()
            if cmd.agreed_due is None
            else (
                Promised(
                    at=now, actor=cmd.actor, due=cmd.agreed_due, note=notes.AGREED_WHEN_UNANSWERABLE
                ),
            )
        ),
    )


def _unanswerable_meets_deadline(pack: RulePack) -> bool:
    """DL-3: whether an unanswerable reply (REC-4) meets one of ``pack``'s deadlines
    (a clock stops on ``replied:unanswerable``), so it must agree a new date."""
    return any("replied:unanswerable" in spec.stop for spec in pack.clocks)


def _check_agreed_due(cmd: Reply, pack: RulePack, now: datetime) -> None:
    """DL-3: a reply that cannot solve the complaint at once agrees a new date."""
    if cmd.agreed_due is None:
        if cmd.unanswerable_reason and _unanswerable_meets_deadline(pack):
            raise InvalidInputError(
                "agreed_due",
                "a reply that cannot solve the complaint at once agrees a new date with "
                "the complainant (DL-3)",
            )
        return
    require_aware(cmd.agreed_due, "agreed_due")
    if not cmd.unanswerable_reason:
        raise InvalidInputError(
            "agreed_due",
            "only a reply that cannot solve the complaint at once agrees a new date "
            "(give its reason, REC-4); otherwise make a promise (DL-5)",
        )
    if as_instant(cmd.agreed_due) <= as_instant(now):
        raise InvalidInputError("agreed_due", "a promised time must be in the future")


def helpers_owed(complaint: Complaint, pack: RulePack) -> tuple[str, ...]:
    """HDL-4: the helping departments (CLS-3) that have recorded no part of the
    complaint's solution, which a final reply waits for.

    Customer service is not one of them: it is the one that contacts the others
    and replies (HDL-4), so its part is the reply.  A part recorded at any time
    counts (a reopening does not ask for it again).  None are owed on a complaint
    found invalid: it is explained, not solved (VAL-3).
    """
    if not isinstance(complaint, Complaint):
        raise InvalidInputError("complaint", f"expected Complaint, got {type(complaint).__name__}")
    if not isinstance(pack, RulePack):
        raise InvalidInputError("pack", f"expected RulePack, got {type(pack).__name__}")
    state = complaint.state
    if state.validity is Validity.INVALID or not state.helpers:
        return ()
    done = {e.department for e in complaint.events if isinstance(e, Handled)}
    done |= {state.department, pack.customer_service}
    return tuple(h for h in dict.fromkeys(state.helpers) if h not in done)


def _check_breached_names(clock: object, pack: RulePack) -> None:
    """ESC-2, PRV-1: an escalation names the clocks and duties whose breach caused it
    (the sweep's ``reply,promise``); anything else typed there would stay in the
    history for good and show where ids are shown, so it is refused, not quoted."""
    if clock == "":
        return
    known = (*pack.codes_of("clock"), *pack.codes_of("duty"))
    if not isinstance(clock, str) or not set(clock.split(",")) <= set(known):
        allowed = ", ".join(sorted(set(known)))
        raise InvalidInputError(
            "clock",
            f"names no clock or duty of pack {pack.name}; expected one or more of "
            f"{allowed}, separated by commas",
        )


@_handles(Escalate)
def _escalate(c: Complaint, cmd: Escalate, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _check_breached_names(cmd.clock, pack)
    try:
        plan = escalation.plan_escalation(
            c, cmd.trigger, pack, to_rung=cmd.to_rung, steps=cmd.steps
        )
    except EscalationError as err:
        raise EscalationError(c.id, c.state.status.value, cmd.name, err.reason) from None
    return (
        Escalated(
            at=now,
            actor=cmd.actor,
            from_rung=plan.from_rung,
            to_rung=plan.to_rung,
            trigger=cmd.trigger,
            note=cmd.note,
            clock=cmd.clock,
        ),
    )


@_handles(Pause)
def _pause(c: Complaint, cmd: Pause, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if c.state.paused:
        raise _refuse(c, cmd, "already paused")
    return (Paused(at=now, actor=cmd.actor, reason=cmd.reason),)


@_handles(Resume)
def _resume(c: Complaint, cmd: Resume, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if not c.state.paused:
        raise _refuse(c, cmd, "not paused")
    return (Resumed(at=now, actor=cmd.actor),)


@_handles(Visit)
def _visit(c: Complaint, cmd: Visit, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if cmd.reached and cmd.satisfied is None:
        raise InvalidInputError(
            "satisfied", "a complainant reached gives an opinion: satisfied or not (VIS-2)"
        )
    if not cmd.reached and cmd.satisfied is not None:
        raise InvalidInputError("satisfied", "a complainant not reached gave no opinion (VIS-2)")
    if not cmd.reached and cmd.opinion:
        raise InvalidInputError(
            "opinion", "a visit that did not reach the complainant has no opinion (VIS-2)"
        )
    if cmd.major_issue and not cmd.reached:
        raise InvalidInputError(
            "major_issue", "a visit that did not reach the complainant found no problem (VIS-4)"
        )
    if cmd.major_issue and not cmd.problem.strip():
        raise InvalidInputError(
            "problem", "a major issue for the meeting's agenda needs what the problem is (VIS-4)"
        )
    if cmd.problem.strip() and not cmd.major_issue:
        raise InvalidInputError(
            "problem", "a problem is recorded only as a major issue for the meeting (VIS-4)"
        )
    follow_up = c.state.status is Status.CLOSED
    if cmd.reply_due is not None:
        require_aware(cmd.reply_due, "reply_due")
        if follow_up:
            raise InvalidInputError(
                "reply_due", "a follow-up visit after closure appoints no reply: reopen it first"
            )
        if not cmd.reached:
            raise InvalidInputError(
                "reply_due", "a complainant not reached asked nothing to answer (VIS-2)"
            )
        if as_instant(cmd.reply_due) <= as_instant(now):
            raise InvalidInputError("reply_due", "the appointed reply time must be in the future")
    visited = Visited(
        at=now,
        actor=cmd.actor,
        satisfied=bool(cmd.satisfied),
        opinion=cmd.opinion,
        reply_due=cmd.reply_due,
        major_issue=cmd.major_issue,
        reached=cmd.reached,
        problem=cmd.problem.strip(),
    )
    if cmd.satisfied or not cmd.reached or follow_up:
        # VIS-1: not reached, the complaint goes on awaiting a visit; after closure
        # (002 §4.2) the opinion is recorded and reopening stays an explicit Reopen
        return (visited,)
    # VIS-1, ESC-2: not satisfied -> back into handling, one rung up (the top decides).
    events: list[Event] = [
        visited,
        Reopened(at=now, actor=cmd.actor, reason=notes.REOPENED_UNSATISFIED),
    ]
    try:
        plan = escalation.plan_escalation(c, Trigger.DISSATISFIED, pack)
    except EscalationError:
        return tuple(events)
    events.append(
        Escalated(
            at=now,
            actor=cmd.actor,
            from_rung=plan.from_rung,
            to_rung=plan.to_rung,
            trigger=Trigger.DISSATISFIED,
            note=notes.ESCALATED_UNSATISFIED,
        )
    )
    return tuple(events)


@_handles(Close)
def _close(c: Complaint, cmd: Close, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    s = c.state
    if not cmd.result.strip():
        raise InvalidInputError("result", "closing needs the final result (REC-1, REC-2)")
    if cmd.decided_by_top_rung and cmd.confirmed_by_complainant:
        raise InvalidInputError("decided_by_top_rung", _BOTH)
    if s.validity is Validity.INVALID and not s.explained:
        raise _refuse(
            c,
            cmd,
            "an invalid complaint is closed only after the complainant "
            "is given an explanation (VAL-3)",
        )
    if cmd.decided_by_top_rung:
        if s.rung != pack.top_rung.code:
            raise _refuse(c, cmd, _below_the_top(s, pack))
        if not _satisfaction_failed(c, pack):
            raise _refuse(c, cmd, _not_failed(s, pack))
    elif (
        (s.validity is Validity.INVALID or s.complaint_kind is not Kind.COMPLAINT)
        and not (cmd.confirmed_by_complainant or s.last_visit_satisfied)
        and _found_unsatisfied(c)
    ):
        # VIS-3 (review s55R1 F01): once satisfaction failed, a re-assessment as a
        # request, an enquiry or invalid does not close it without the complainant
        raise _refuse(
            c,
            cmd,
            "the complainant was not satisfied since the last closure they confirmed or "
            "the top rung decided: closure needs their confirmation or a top-rung "
            "decision, whatever the kind or validity found since (VIS-3)",
        )
    elif s.validity is Validity.INVALID:
        pass  # VAL-3: an invalid complaint is closed once explained.
    elif s.complaint_kind is not Kind.COMPLAINT and s.final_reply:
        pass  # VAL-4: a request or enquiry is closed once answered.
    elif not (cmd.confirmed_by_complainant or s.last_visit_satisfied):
        raise _refuse(
            c, cmd, "closure needs the complainant's confirmation or a top-rung decision (VIS-3)"
        )
    for clock in holding_closure(c, pack):  # VIS-2: an appointed reply is still owed
        if clock.rule:
            raise _refuse(
                c, cmd, f"{clock.name} is still owed ({clock.rule}): close once it is met"
            )
        raise _refuse(c, cmd, f"{clock.name} is still owed: close once it is met")
    if pack.improvement.require_cause and counts_as_complaint(s) and not s.cause_analysed:
        raise _refuse(c, cmd, "a valid complaint is closed only after its cause analysis (IMP-1)")
    return (
        Closed(
            at=now,
            actor=cmd.actor,
            result=cmd.result,
            # VIS-3: one or the other, never both (the month counts them apart)
            confirmed_by_complainant=not cmd.decided_by_top_rung
            and (cmd.confirmed_by_complainant or bool(s.last_visit_satisfied)),
            decided_by_top_rung=cmd.decided_by_top_rung,
        ),
    )


def _below_the_top(state: ComplaintState, pack: RulePack) -> str:
    """VIS-3: why the top rung may not decide the closure of a complaint below it.

    About the complaint's rung, not the actor's: the desk refuses an actor below
    the top before this, so the top rung reads it, and is told what to do
    (review s46D F01)."""
    top = pack.top_rung.code
    if not state.rung:
        return (
            f"the complaint is on no rung yet: escalate it to the top rung ({top}) "
            "before the top rung decides its closure (VIS-3)"
        )
    return (
        f"the complaint is at {state.rung}: escalate it to the top rung ({top}) "
        "before the top rung decides its closure (VIS-3)"
    )


def _not_failed(state: ComplaintState, pack: RulePack) -> str:
    """VIS-3: why the top rung may not decide the closure, and what would let it."""
    if state.last_visit_satisfied:
        return (
            "the complainant was satisfied at the last return visit: close with their "
            "confirmation, not by a top-rung decision (VIS-3)"
        )
    attempts = pack.visits.not_reached_attempts
    if pack.stages:  # the complainant's request for the next stage is one too (s49D F01)
        if not attempts:
            return (
                "the top rung decides a closure only when satisfaction failed: record the "
                "unsatisfied return visit, the escalation for dissatisfaction or a refused "
                "new time, or the complainant's request for the next stage, first (VIS-3)"
            )
        return (
            "the top rung decides a closure only when satisfaction failed: record the "
            f"unsatisfied return visit, visits not reaching the complainant ({attempts} "
            "since the last closure), the escalation for dissatisfaction or a refused new "
            "time, or the complainant's request for the next stage, first (VIS-3)"
        )
    if not attempts:
        return (
            "the top rung decides a closure only when satisfaction failed: record the "
            "unsatisfied return visit, or the escalation for dissatisfaction or a "
            "refused new time, first (VIS-3)"
        )
    return (
        "the top rung decides a closure only when satisfaction failed: record the "
        f"unsatisfied return visit, visits not reaching the complainant ({attempts} "
        "since the last closure), or the escalation for dissatisfaction or a refused "
        "new time, first (VIS-3)"
    )


_BOTH = "a closure is confirmed by the complainant or decided by the top rung, not both (VIS-3)"


def _satisfaction_failed(complaint: Complaint, pack: RulePack) -> bool:
    """VIS-3: whether satisfaction failed since the complaint was last closed, so the
    top rung may decide its closure without the complainant's confirmation.

    Failed: a return visit that found the complainant not satisfied, or an
    escalation because they were not satisfied or refused a new time (000 §6-7);
    under a staged pack, the complainant's own request for the next stage (a
    review of a decision they do not accept: ISO 10002 8.9, HOC 6.12), which the
    complainant makes instead of such an escalation, whether that stage has
    answered yet or not (review s49D F01);
    or the pack's ``visits.not_reached_attempts`` visits that did not reach them,
    since one call nobody answered asks nobody (VIS-1: visits go on until the
    complainant is satisfied).  A satisfied visit ends the walk back: whatever
    failed before it was put right, and later unanswered calls do not undo it.
    A closure settles what came before it; a reopening does not, since an
    unsatisfied visit reopens the complaint itself.
    """
    not_reached = 0
    for event in reversed(complaint.events):
        if isinstance(event, Closed):
            break
        if isinstance(event, Visited) and not event.reached:
            not_reached += 1
        elif isinstance(event, Visited):
            return not event.satisfied
        elif isinstance(event, EscalationRequested) or (
            isinstance(event, Escalated) and event.trigger in SATISFACTION_FAILED
        ):
            return True
    wanted = pack.visits.not_reached_attempts
    return bool(wanted) and not_reached >= wanted


def _found_unsatisfied(complaint: Complaint) -> bool:
    """VIS-3: whether, since the complaint was last closed with the complainant's
    confirmation or the top rung's decision, the complainant was found not
    satisfied (an unsatisfied return visit, an escalation because they were not
    satisfied or refused a new time) with no satisfied visit since.  A staged
    pack's request for the next stage is not such a finding: its next stage may
    still find the matter a request or an enquiry (HOC 6.11, VAL-4).

    Unlike :func:`_satisfaction_failed`, calls that did not reach the complainant
    do not count: nobody said they were unsatisfied.  Such a complaint is closed
    only with the complainant's confirmation or the top rung's decision, and it
    stays a valid complaint until then (review s55R1 F01).  Only such a closure
    settles what came before it; the walk goes on past any other closure (of an
    invalid record once explained, of a request once answered), which did not ask
    the complainant.  The re-assessment check and the close check both use this
    (re-review s55R9 F02: a confirmed closure no longer blocks, for good, every
    later verdict after a reopening)."""
    for event in reversed(complaint.events):
        if isinstance(event, Closed) and (
            event.confirmed_by_complainant or event.decided_by_top_rung
        ):
            return False
        if isinstance(event, Visited) and event.reached:
            return not event.satisfied
        if isinstance(event, Escalated) and event.trigger in SATISFACTION_FAILED:
            return True
    return False


@_handles(Reopen)
def _reopen(c: Complaint, cmd: Reopen, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if pack.stages and c.state.status is Status.CLOSED:
        raise _refuse(c, cmd, _not_reopened(c, pack))
    if not cmd.reason.strip():
        raise InvalidInputError("reason", "reopening needs a reason")
    return (Reopened(at=now, actor=cmd.actor, reason=cmd.reason),)


def _not_reopened(c: Complaint, pack: RulePack) -> str:
    """ESC-2, VIS-3: why a staged complaint once closed is not reopened, and where
    it goes instead.

    The staged codes have no reopening: a complainant still dissatisfied goes on
    to the next stage (HOC 6.11, SPSO MCHP stage 2, ISO 10002's review) and a
    new issue after a response is a new complaint; after the last
    stage the procedure is complete (the final response).  A reopened
    stage would owe no response and could give none (its clocks and its answer
    are spent), so it is refused, naming the next stage's rule.
    """
    stage = pack.stage(c.state.stage)
    code = stage.code
    following = pack.next_stage(code)
    if following is None:
        why = (
            "a closed complaint is not reopened under a staged procedure: "
            f"{code} is the last stage and the procedure is complete; "
            "a new issue is a new complaint"
        )
        return _ruled(why, stage.rule)
    why = (
        "a closed complaint is not reopened under a staged procedure: "
        f"a complainant still dissatisfied asks for {following.code} with request_escalation; "
        "a new issue is a new complaint"
    )
    return _ruled(why, following.rule)


@_handles(RecordCause)
def _record_cause(
    c: Complaint, cmd: RecordCause, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    if not cmd.cause.strip():
        raise InvalidInputError("cause", "the cause analysis is empty (IMP-1)")
    if not cmd.corrective.strip():
        raise InvalidInputError("corrective", "corrective measures are empty (IMP-1)")
    return (
        CauseAnalysed(
            at=now,
            actor=cmd.actor,
            cause=cmd.cause,
            corrective=cmd.corrective,
            preventive=cmd.preventive,
        ),
    )


@_handles(RecordSanction)
def _record_sanction(
    c: Complaint, cmd: RecordSanction, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    decision = sanction_for(c, pack, staff_role=cmd.staff_role)
    recorded = standing_sanction(c.events)
    if recorded is not None and decision.grade.rank <= recorded.grade.rank:
        raise IllegalTransitionError(
            c.id,
            c.state.status.value,
            cmd.name,
            _sanctioned_already(recorded),
            of_state=False,
        )
    return (
        SanctionRecorded(
            at=now,
            actor=cmd.actor,
            staff_id=decision.staff_id,
            grade=decision.grade,
            measures=tuple(m.value for m in decision.measures),
            points_deducted=decision.points_deducted,
            severe=decision.severe,
        ),
    )


def _sanctioned_already(recorded: SanctionRecorded) -> str:
    """Why a repeat is refused: the sanction already recorded, not the complaint's state."""
    return (
        f"the sanction of grade {recorded.grade.value} is already recorded "
        f"({', '.join(recorded.measures)}); another is recorded only when the grade "
        "rises (PEN-2)"
    )


@_handles(SignOff)
def _sign_off(c: Complaint, cmd: SignOff, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if c.state.signed_off:
        raise _refuse(c, cmd, "already signed off")
    return (SignedOff(at=now, actor=cmd.actor, supervisor=cmd.actor),)


@_handles(AttachEvidence)
def _attach(c: Complaint, cmd: AttachEvidence, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    if not cmd.reference.strip():
        raise InvalidInputError("reference", "evidence needs a reference")
    return (EvidenceAttached(at=now, actor=cmd.actor, reference=cmd.reference, note=cmd.note),)


def _required(value: str, path: str, why: str) -> None:
    if not value.strip():
        raise InvalidInputError(path, why)


@_handles(Apologise)
def _apologise(c: Complaint, cmd: Apologise, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.apology, "apology", "say what the apology was (DL-5)")
    _required(cmd.reason, "reason", "give the specific reason the promise was not kept (DL-5)")
    _required(cmd.remedy, "remedy", "propose a specific remedy (DL-5)")
    return (
        Apologised(
            at=now, actor=cmd.actor, apology=cmd.apology, reason=cmd.reason, remedy=cmd.remedy
        ),
    )


@_handles(Report)
def _report(c: Complaint, cmd: Report, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.content, "content", "a report says what the complaint was about (REC-2)")
    if cmd.written:
        _required(cmd.reference, "reference", "a written report needs its reference")
    elif cmd.reference.strip():
        raise InvalidInputError("reference", "only a written report has a reference")
    return (
        Reported(
            at=now,
            actor=cmd.actor,
            content=cmd.content,
            result=cmd.result,
            to=cmd.to,
            written=cmd.written,
            reference=cmd.reference,
        ),
    )


@_handles(VisitSite)
def _visit_site(c: Complaint, cmd: VisitSite, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.findings, "findings", "record what was found on site")
    for i, dept in enumerate(cmd.departments):
        if not pack.has_department(dept):
            raise InvalidInputError(
                f"departments[{i}]",
                f"unknown department {shown_code(dept, pack.codes_of('department'))}",
            )
    return (
        SiteVisited(
            at=now,
            actor=cmd.actor,
            findings=cmd.findings,
            departments=cmd.departments,
            with_complainant=cmd.with_complainant,
        ),
    )


@_handles(CallBack)
def _call_back(c: Complaint, cmd: CallBack, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.outcome, "outcome", "record what the complainant said")
    return (CalledBack(at=now, actor=cmd.actor, outcome=cmd.outcome, satisfied=cmd.satisfied),)


@_handles(Group)
def _group(c: Complaint, cmd: Group, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.issue, "issue", "name the concentrated issue")
    if not cmd.issue.startswith("I-") or not cmd.issue[2:].strip():
        # the desk names an issue "I-" and its earliest complaint's id (concentration.py);
        # a phone or a name typed here would be shown in lists and views (PRV-1)
        raise InvalidInputError(
            "issue",
            "is not an issue id: an issue is named I- and the id of its earliest complaint (HDL-5)",
        )
    if c.id not in cmd.members:
        raise InvalidInputError("members", "must include the complaint itself")
    if cmd.complainants < 1:
        raise InvalidInputError("complainants", "at least one complainant")
    if c.state.issue and c.state.issue != cmd.issue:
        raise _refuse(c, cmd, "already part of another concentrated issue")
    if c.state.issue == cmd.issue and (c.state.group_incident or not cmd.incident):
        return ()  # linked already: linking again changes nothing
    events: list[Event] = [
        Grouped(
            at=now,
            actor=cmd.actor,
            issue=cmd.issue,
            members=cmd.members,
            complainants=cmd.complainants,
            incident=cmd.incident,
        )
    ]
    if cmd.incident and pack.group_report_rung:
        # HDL-6: a group incident reaches the project manager at once.
        here = escalation.current_rung_index(c, pack)
        if pack.rung_index(pack.group_report_rung) > here:
            events.append(
                Escalated(
                    at=now,
                    actor=cmd.actor,
                    from_rung=pack.ladder[here].code,
                    to_rung=pack.group_report_rung,
                    trigger=Trigger.INCIDENT,
                    note=notes.group_incident(cmd.issue, cmd.complainants),
                )
            )
    return tuple(events)


@_handles(Link)
def _link(c: Complaint, cmd: Link, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    linked = (*cmd.same_complainant, *cmd.same_room, *cmd.same_matter)
    if c.id in linked or cmd.repeated_by == c.id:
        raise InvalidInputError("same_complainant", "a complaint does not repeat itself")
    if not (linked or cmd.repeated_by):
        raise InvalidInputError("same_complainant", "name at least one earlier complaint")
    if cmd.raisings < 1:
        raise InvalidInputError("raisings", "expected 1 or more")
    if c.state.status is Status.CLOSED:
        _links_only(c, cmd)
    events: list[Event] = [
        Linked(
            at=now,
            actor=cmd.actor,
            same_complainant=cmd.same_complainant,
            same_room=cmd.same_room,
            same_matter=cmd.same_matter,
            raisings=cmd.raisings,
            raised_repeatedly=cmd.raised_repeatedly,
            repeated_by=cmd.repeated_by,
            promise_not_kept=cmd.promise_not_kept,
        )
    ]
    if (cmd.raised_repeatedly or cmd.promise_not_kept) and c.state.grade is not None:
        # GRD-2: either fact may make a graded complaint major at once (GRD-6: never lower)
        after = evolve(c, events)
        found = grading.assess_grade(after, pack, now)
        if found is not None and found.grade.rank > c.state.grade.rank:
            events.append(
                Graded(
                    at=now,
                    actor=cmd.actor,
                    grade=found.grade,
                    reasons=found.reasons,
                    automatic=True,
                )
            )
    return tuple(events)


def _links_only(c: Complaint, cmd: Link) -> None:
    """IMP-3, GRD-2: a closed complaint records the complaints it repeats, nothing
    more: no new count of raisings, no fact, no mark by a later raising."""
    changes = (
        ("raised_repeatedly", cmd.raised_repeatedly),
        ("promise_not_kept", cmd.promise_not_kept),
        ("repeated_by", bool(cmd.repeated_by)),
        ("raisings", cmd.raisings > max(c.state.raisings, 1)),
    )
    for path, changed in changes:
        if changed:
            raise InvalidInputError(
                path, "a closed complaint records links only: its raisings stay as they were"
            )


def _minute_ceiling(t: datetime) -> datetime:
    whole = t.replace(second=0, microsecond=0)
    return whole if whole == t else whole + timedelta(minutes=1)


@_handles(AddMeasure)
def _add_measure(c: Complaint, cmd: AddMeasure, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    _required(cmd.action, "action", "say what the measure does (IMP-1)")
    _required(cmd.owner, "owner", "name the staff member responsible (IMP-1)")
    require_aware(cmd.due, "due")
    due = _minute_ceiling(cmd.due)
    if as_instant(due) <= as_instant(now):
        raise InvalidInputError("due", "a measure's due date must be in the future")
    if cmd.department and not pack.has_department(cmd.department):
        raise InvalidInputError(
            "department",
            f"unknown department {shown_code(cmd.department, pack.codes_of('department'))}",
        )
    number = 1 + sum(isinstance(e, MeasureAdded) for e in c.events)
    return (
        MeasureAdded(
            at=now,
            actor=cmd.actor,
            measure=f"M{number}",
            measure_kind=cmd.kind,
            action=cmd.action,
            owner=cmd.owner,
            due=due,
            department=cmd.department,
        ),
    )


# --------------------------------------------------------------------------- stages


def _stage_of(c: Complaint, cmd: Command, pack: RulePack) -> str:
    stage = current_stage(c, pack)
    if stage is None:
        raise _refuse(c, cmd, f"pack {pack.name} has no stages")
    return stage.code


def _distinct(c: Complaint, pack: RulePack) -> str:
    stage = pack.stage(c.state.stage)
    why = f"handled an earlier stage; {stage.code} needs a different person"
    return _ruled(why, stage.rule)


def _not_an_earlier_handler(c: Complaint, cmd: Command, pack: RulePack) -> None:
    """A stage that needs a different person (``distinct_handler``, HOC 6.13) is
    acknowledged, extended and answered by none of the earlier stages' handlers.

    :raises AccessDeniedError: the actor handled or answered an earlier stage.
    """
    if cmd.actor in earlier_handlers(c, pack):
        raise AccessDeniedError(c.id, cmd.actor, cmd.name, _distinct(c, pack))


@_handles(Acknowledge)
def _acknowledge(
    c: Complaint, cmd: Acknowledge, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    if not pack.stages:
        # HDL-1: the complainant is told once that the complaint was received
        if c.state.acknowledged:
            raise _refuse(c, cmd, "its receipt is already acknowledged to the complainant")
        return (
            Acknowledged(
                at=now,
                actor=cmd.actor,
                stage="",
                definition=cmd.definition,
                remedy_sought=cmd.remedy_sought,
                apology=cmd.apology,
            ),
        )
    code = _stage_of(c, cmd, pack)
    if c.state.acknowledged:
        raise _refuse(c, cmd, f"{code} is already acknowledged")
    # HOC 6.11-6.13: the acknowledgement defines the stage, so it is the new person's
    _not_an_earlier_handler(c, cmd, pack)
    stage = pack.stage(code)
    for field in stage.acknowledge_records:
        if not getattr(cmd, field).strip():
            why = f"acknowledging {code} needs it recorded"
            raise InvalidInputError(field, _ruled(why, stage.rule))
    return (
        Acknowledged(
            at=now,
            actor=cmd.actor,
            stage=code,
            definition=cmd.definition,
            remedy_sought=cmd.remedy_sought,
            apology=cmd.apology,
        ),
    )


@_handles(CompleteMeasure)
def _complete_measure(
    c: Complaint, cmd: CompleteMeasure, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    _required(cmd.result, "result", "say what was done (IMP-1)")
    added = {e.measure for e in c.events if isinstance(e, MeasureAdded)}
    done = {e.measure for e in c.events if isinstance(e, MeasureDone)}
    if cmd.measure not in added:
        raise InvalidInputError("measure", "no measure with this number on the complaint")
    if cmd.measure in done:
        raise _refuse(c, cmd, f"measure {cmd.measure} is already done")
    return (MeasureDone(at=now, actor=cmd.actor, measure=cmd.measure, result=cmd.result),)


@_handles(RequestEscalation)
def _request_escalation(
    c: Complaint, cmd: RequestEscalation, pack: RulePack, now: datetime
) -> tuple[Event, ...]:
    if c.state.complaint_kind is not Kind.COMPLAINT:
        # a service request or enquiry has had no stage 1 to escalate from; closed,
        # it cannot be raised either (review s58RR5 F01)
        raise InvalidInputError(
            "kind",
            "a service request or enquiry has no stage to escalate: assess it as a"
            " complaint while it is open, or register the dissatisfaction as a new"
            " complaint",
        )
    code = _stage_of(c, cmd, pack)
    following = pack.next_stage(code)
    if following is None:
        raise _refuse(c, cmd, f"{code} is the last stage")
    late = False
    limit = following.request_limit
    if limit is not None:
        deadline = request_deadline(c, limit, pack)
        late = deadline is not None and as_instant(now) >= as_instant(deadline)
        if late and limit.action is BarAction.REFUSE:
            # the time limit is why, not the status (a closed stage may be taken on):
            # the stage by its label, each window and the last day in time (s58R3 F02)
            raise TimeBarredError(
                c.id,
                c.state.status.value,
                cmd.name,
                _ruled(_late_request(c, limit, pack, code, following), limit.rule),
                path="request_limit",
                of_state=False,
            )
    return (
        EscalationRequested(
            at=now,
            actor=cmd.actor,
            from_stage=code,
            stage=following.code,
            reason=cmd.reason,
            late=late,
        ),
    )


@_handles(Extend)
def _extend(c: Complaint, cmd: Extend, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    spec = pack.clock(cmd.clock)
    rule = spec.extension
    if rule is None:
        raise InvalidInputError("clock", f"clock {spec.name} cannot be extended in {pack.name}")
    by = Duration.parse(cmd.by, "by")
    amount = extension_amount(spec, by)
    if not is_running(c, spec):
        raise _refuse(c, cmd, f"clock {spec.name} is not running")
    _not_an_earlier_handler(c, cmd, pack)  # HOC 6.13, 6.15: nor moves its deadline
    for field in rule.records:
        if not getattr(cmd, field).strip():
            why = f"an extension of {spec.name} needs it recorded"
            raise InvalidInputError(field, _ruled(why, rule.rule))
    if rule.cap is not None:
        cap = extension_amount(spec, rule.cap, f"clocks.{spec.name}.extension.cap")
        used = extension_used(c, spec)
        if used + amount > cap and rule.beyond_cap:
            # HOC 6.4, 6.15: past the cap only with good reason, and whoever accepted it
            for field in rule.beyond_cap:
                if not getattr(cmd, field).strip():
                    why = (
                        f"extensions of {spec.name} past {rule.cap} need it recorded"
                        " (good reason only)"
                    )
                    raise InvalidInputError(field, _ruled(why, rule.rule))
        elif used + amount > cap:
            done = extension_text(spec, used, rule.cap)  # in the cap's unit (s47E F02)
            # the length asked for is refused, not the complaint's status (review s47C F01)
            why = f"extensions of {spec.name} may add up to {rule.cap} at most, {done} used"
            raise InvalidInputError("by", _ruled(why, rule.rule))
    _check_agreed_by(c, cmd, pack, rule.rule)
    return (
        Extended(
            at=now,
            actor=cmd.actor,
            clock=spec.name,
            by=str(by),
            reason=cmd.reason,
            details=cmd.details,
            agreed_by=cmd.agreed_by,
        ),
    )


def _check_agreed_by(c: Complaint, cmd: Extend, pack: RulePack, rule: str) -> None:
    """Who agreed an extension (``agreed_by``, when given) is someone else than the
    person extending, and, at a stage that needs a different person
    (``distinct_handler``, HOC 6.13), none of the earlier stages' handlers: the
    person whose answer is disputed neither extends nor agrees the extension
    (review s55R7 F01).  Checked after who may extend and the cap, so the real
    reason comes first (review s55R7 F03); the desk also finds them in the
    directory, at the site and the pack's ``agreed_by_rung`` (review s55R4 F01).
    Ids are folded as staff ids are; the value typed is not echoed.

    :raises InvalidInputError: naming ``agreed_by``.
    """
    if not cmd.agreed_by.strip():
        return
    typed = staff_key(cmd.agreed_by)
    if typed == staff_key(cmd.actor):
        why = "the person extending cannot agree their own extension: name who agreed it"
        raise InvalidInputError("agreed_by", _ruled(why, rule))
    if typed in {staff_key(h) for h in earlier_handlers(c, pack)}:
        raise InvalidInputError("agreed_by", _distinct(c, pack))


@_handles(Respond)
def _respond(c: Complaint, cmd: Respond, pack: RulePack, now: datetime) -> tuple[Event, ...]:
    code = _stage_of(c, cmd, pack)
    if c.state.responded:
        raise _refuse(c, cmd, f"{code} is already answered")
    _required(cmd.message, "message", "a response needs its answer")
    for i, remedy in enumerate(cmd.remedies):
        _required(remedy, f"remedies[{i}]", "an empty remedy")
    rules = pack.response
    if cmd.outcome in rules.remedy_required and not cmd.remedies:
        why = f"a complaint {cmd.outcome.en} needs the remedy recorded"
        raise InvalidInputError("remedies", _ruled(why, rules.rule))
    _not_an_earlier_handler(c, cmd, pack)
    events: list[Event] = [
        Responded(
            at=now,
            actor=cmd.actor,
            stage=code,
            outcome=cmd.outcome,
            message=cmd.message,
            remedies=cmd.remedies,
        )
    ]
    if pack.stage(code).close_on_response:
        events.append(Closed(at=now, actor=cmd.actor, result=cmd.message))
    return tuple(events)


assert set(_HANDLERS) == set(COMMAND_TYPES), "every command needs a handler"
