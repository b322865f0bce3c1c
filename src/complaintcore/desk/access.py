"""Who may do what to a complaint, and who it goes to (ESC-3, ESC-4, IN-2, PRV-2).

Pure functions over the complaint, the pack and the staff members; the desk
calls them before deciding a command, so a refusal leaves no event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import attrs

from complaintcore.core.errors import AccessDeniedError, shown_value
from complaintcore.core.escalation import (
    current_rung_index,
    handling_department,
    required_rung_index,
    settling_rung_index,
    target_rung_index,
)
from complaintcore.core.models import Complaint, Grade, Registered, Trigger, staff_key
from complaintcore.core.rulepack import DutySpec, RulePack
from complaintcore.core.stages import earlier_handlers
from complaintcore.core.workflow import Assess, Close, Command, Forward, Handle, Reply
from complaintcore.desk.ports import StaffDirectory, StaffMember

__all__ = [
    "RESERVED_ACTORS",
    "SYSTEM_ACTOR",
    "URGENT_TOPICS",
    "Routing",
    "authorize",
    "choose_handler",
    "duty_owners",
    "elsewhere_forwarders",
    "is_head_office",
    "is_reserved",
    "is_target",
    "pick_handler",
    "recipients",
    "resolve",
    "routing_of",
    "rung_recipients",
    "sees_personal_data",
    "shown_actor",
    "supervisor_rung",
    "told_the_whole_rung",
]

SYSTEM_ACTOR = "system"
"""The desk itself, acting on deadlines (sweep)."""

RESERVED_ACTORS = frozenset({SYSTEM_ACTOR})
"""Ids no person may use: the desk records its own acts under them."""

_RESERVED_KEYS = frozenset(staff_key(a) for a in RESERVED_ACTORS)

URGENT_TOPICS = frozenset({"urgent", "group_incident"})
"""Topics reported "at once", on duty or not (:func:`recipients`): a serious
escalation (ESC-2; 004 篇4 §3.6 "应立刻汇报物业总监与总经办", both offices) and a
group incident (HDL-6).  Every other topic goes to the staff on duty when any
are.  Who on the rung is told is :func:`rung_recipients`' choice."""


def is_reserved(staff_id: str) -> bool:
    """Whether ``staff_id`` is (after folding case, width and spaces) a reserved actor."""
    return staff_key(staff_id) in _RESERVED_KEYS


def resolve(directory: StaffDirectory, staff_id: str) -> StaffMember | None:
    """The member ``staff_id`` names, matched as :func:`~complaintcore.core.models.staff_key`
    folds ids (``"sr-301 "`` finds ``SR-301``); ``None`` for unknown or reserved ids.

    Asks the directory first; a directory that matches ids exactly is then
    searched by key, however the id was typed, and the member found is confirmed
    with ``get()`` under their own spelling: messages are addressed through
    ``get()``, so someone only ``members()`` lists (a leaver in an HR snapshot) is
    unknown, as routing takes them (review s43E F02).
    """
    if not isinstance(staff_id, str) or is_reserved(staff_id):
        return None
    found = directory.get(staff_id)
    if found is not None:
        return None if is_reserved(found.staff_id) else found
    key = staff_key(staff_id)
    if not key:
        return None
    member = next((m for m in directory.members() if staff_key(m.staff_id) == key), None)
    if member is None or is_reserved(member.staff_id) or member.staff_id == staff_id:
        return None  # asked under that very spelling already
    return directory.get(member.staff_id)


def shown_actor(actor: str, member: StaffMember | None) -> str:
    """How an error names an actor: a known member by id; anything else masked (PRV-1).

    An unknown id may be a name that slipped into the wrong spreadsheet column.
    """
    if member is not None:
        return member.staff_id
    if isinstance(actor, str) and is_reserved(actor):
        return actor.strip()
    return shown_value(actor)


# Commands that settle the outcome need the rung the grade requires (ESC-3).
_HANDLING = frozenset(
    {"assess", "grade", "handle", "close", "record_sanction", "promise", "respond"}
)


# Commands that do a stage's own work, below its answer: the stage's handler_rung
# applies to them too (the answer is settling, above).
_STAGE_WORK = frozenset({"acknowledge", "extend"})


def supervisor_rung(pack: RulePack) -> str:
    """The rung that signs off records (REC-6): the one minor complaints need."""
    code = pack.handler_rung_for(Grade.MINOR)
    return code if pack.rung_index(code) > 0 else pack.ladder[min(1, len(pack.ladder) - 1)].code


_BYPASS = (
    "a bypass complaint stays with head office until the complainant consents "
    "to the site handling it (IN-6)"
)


def authorize(
    complaint: Complaint,
    command: Command,
    actor: StaffMember | None,
    pack: RulePack,
) -> None:
    """Raise :class:`AccessDeniedError` unless ``actor`` may run ``command``.

    Unknown actors are refused (PRV-2); staff of another site may only register
    it (IN-2: no unit refuses a complaint); the person the complaint is about
    may only register it (ESC-4); settling the outcome needs the rung the grade
    requires, the default grade's while it has none (ESC-3), except the
    responsible department's head recording its result (``handle``, DL-3) and
    the receiver resolving on the spot what nobody has taken on (IN-3); so does
    an explanation or an unanswerable reply to a complaint about a staff member,
    which stops DL-1 and DL-2 (ESC-4);
    reassigning needs the complaint's own rung; a top-rung closure needs the top
    rung; sign-off needs a supervisor (REC-6); a stage's acknowledgement and
    extensions need the stage's ``handler_rung`` (SPSO stage 2).
    """
    name = command.name

    def deny(reason: str) -> AccessDeniedError:
        return AccessDeniedError(complaint.id, shown_actor(command.actor, actor), name, reason)

    if is_reserved(command.actor) or (actor is not None and is_reserved(actor.staff_id)):
        raise deny("the id is reserved for the desk's own acts (sweeps)")
    if actor is None:
        raise deny("unknown actor: not in the staff directory")
    site = complaint.intake.site or complaint.intake.complainant.site
    if (
        not actor.works_at(site)
        and name != "register"
        and not _receiver_forwards(complaint, command, actor, pack)
    ):
        raise deny("works at another site")
    if is_target(actor, complaint) and name != "register":
        raise deny("the complaint is about this person (ESC-4)")
    if name != "register" and bypassed_site(actor, complaint, pack):
        raise deny(_BYPASS)
    if not pack.has_rung(actor.rung):
        raise deny(f"rung {actor.rung!r} is not on the {pack.name} ladder")
    rung = pack.rung_index(actor.rung)
    if isinstance(command, Close) and command.decided_by_top_rung and rung < len(pack.ladder) - 1:
        raise deny("only the top rung decides a closure without confirmation (VIS-3)")
    if name == "sign_off" and rung < pack.rung_index(supervisor_rung(pack)):
        raise deny("sign-off needs a supervisor (REC-6)")
    if name == "assign" and complaint.state.rung and rung < current_rung_index(complaint, pack):
        raise deny(f"rung {actor.rung} is below the complaint's rung {complaint.state.rung}")
    settling = name in _HANDLING or (isinstance(command, Reply) and command.final)
    floor = (
        required_rung_index(complaint, pack)
        if _on_the_spot(complaint, command, actor) or _holder_verifies(complaint, command, actor)
        else settling_rung_index(complaint, pack)
    )
    if settling and rung < floor and not _department_head_result(complaint, command, actor, pack):
        need = pack.ladder[floor].code
        raise deny(f"rung {actor.rung} is below {need}, required for this complaint (ESC-3)")
    below = _below_the_stage(complaint, command, actor, pack)
    if below:
        raise deny(below)
    if _answers_about_staff(complaint, command) and rung < required_rung_index(complaint, pack):
        need = pack.ladder[required_rung_index(complaint, pack)].code
        raise deny(
            f"rung {actor.rung} is below {need}: a complaint about a staff member is"
            " answered at the rung that handles it (ESC-4)"
        )


def elsewhere_forwarders(complaint: Complaint) -> tuple[str, ...]:
    """IN-2, IN-5: who took a complaint at another site (``Registered.other_site``)
    and may pass it on to its site's customer service: the recorded receiver, and
    the member who registered it (who judged the receipt for a receiver the
    directory does not know, review s55R6 F04); ``()`` for a receipt at the site."""
    registered = next((e for e in complaint.events if isinstance(e, Registered)), None)
    if registered is None or not registered.other_site:
        return ()
    ids = (complaint.intake.receiver, registered.actor)
    return tuple(dict.fromkeys(i for i in ids if i))


def _receiver_forwards(
    complaint: Complaint, command: Command, actor: StaffMember, pack: RulePack
) -> bool:
    """IN-2, IN-5: who took a complaint at another site (:func:`elsewhere_forwarders`)
    forwards it to the site's customer service, once, while no unit of the site has
    it yet (``state.unit == ""``): that meets IN-5 (review s54R12 F05).  No other
    unit, nor again once the site has it, nor a receipt not judged to be elsewhere
    when registered (review s55R6 F01).  Nothing else of it is theirs."""
    return (
        isinstance(command, Forward)
        and command.to_unit == pack.customer_service
        and complaint.state.unit == ""
        and staff_key(actor.staff_id) in {staff_key(i) for i in elsewhere_forwarders(complaint)}
    )


def _below_the_stage(
    complaint: Complaint, command: Command, actor: StaffMember, pack: RulePack
) -> str:
    """Why ``actor`` is below the rung that handles the complaint's stage, for its
    own work short of the answer (acknowledging, extending); ``""`` if not.

    SPSO stage 2 is investigated afresh at the investigating officer's rung or
    above: defined and given more time there too, not by the front line
    (review s47C F04).  The answer is settling, and has its floor already.
    """
    stage = pack.stage(complaint.state.stage) if pack.stages else None
    if command.name not in _STAGE_WORK or stage is None or not stage.handler_rung:
        return ""
    if pack.rung_index(actor.rung) >= pack.rung_index(stage.handler_rung):
        return ""
    need, code = stage.handler_rung, stage.code
    why = f"{code} is handled at {need} or above, and rung {actor.rung} is below it"
    return f"{why} ({stage.rule})" if stage.rule else why


def _on_the_spot(complaint: Complaint, command: Command, actor: StaffMember) -> bool:
    """IN-3: the receiver settles on the spot (assesses, gives the final reply, closes)
    a complaint nobody has taken on yet: not routed, assigned, escalated or forwarded.
    The grade and whom it is about still set the rung (ESC-3, ESC-4); the default
    grade's rung does not, so an ordinary employee may resolve what they can at once,
    and a receipt may record a validity already known (``Desk.receive(validity=)``)."""
    final = isinstance(command, Reply) and command.final
    if not (final or isinstance(command, (Assess, Close))):
        return False
    state = complaint.state
    return (
        staff_key(complaint.intake.receiver) == staff_key(actor.staff_id)
        and not (state.handler or state.rung)
        and not any(e.kind == "forwarded" for e in complaint.events)
    )


def _holder_verifies(complaint: Complaint, command: Command, actor: StaffMember) -> bool:
    """VAL-1, IN-3: the complaint's own holder assesses an ungraded complaint, whatever
    the default grade's rung: one escalated to customer service's complaint handler
    (the receiver could not handle it, or IN-5's 24 hours passed) is verified there,
    and the grade it gets then moves it to the rung that grade needs (review s42F
    F01: it was left with a holder who could do nothing)."""
    state = complaint.state
    return (
        isinstance(command, Assess)
        and state.grade is None
        and bool(state.handler)
        and staff_key(state.handler) == staff_key(actor.staff_id)
    )


def _answers_about_staff(complaint: Complaint, command: Command) -> bool:
    """ESC-4, DL-1, DL-2: a reply to a complaint about a staff member that can stop
    the reply clocks (an explanation, an unanswerable report; a final reply is
    settling anyway).  IN-3 lets anyone explain on the spot, but not for a
    colleague or a superior: that would meet DL-1 and DL-2 below the rung ESC-4
    gives the complaint."""
    if not isinstance(command, Reply) or not (command.explanation or command.unanswerable_reason):
        return False
    return (complaint.state.target or complaint.intake.target) is not None


def _department_head_result(
    complaint: Complaint, command: Command, actor: StaffMember, pack: RulePack
) -> bool:
    """ESC-3, DL-3: the responsible department's head records its result (``handle``).

    004 篇2 §3.3B: "部门负责人在规定时间内对投诉提出处理意见"; only the reply to the
    customer of an important or major complaint is reserved to 销管部经理 or 副总经理,
    so the grade's rung is not needed for the department's own result.  The head
    is staff of the responsible department at the supervisor's rung or above
    (the rung minor complaints need), and never below the rung whom the complaint
    is about requires (ESC-4).
    """
    if not isinstance(command, Handle):
        return False
    department = complaint.state.department
    if not department or (command.department or department) != department:
        return False
    if actor.department != department:
        return False
    rung = pack.rung_index(actor.rung)
    return rung >= max(pack.rung_index(supervisor_rung(pack)), target_rung_index(complaint, pack))


def is_target(member: StaffMember, complaint: Complaint) -> bool:
    """Whether the complaint is about this staff member (CLS-4, ESC-4)."""
    target = complaint.state.target or complaint.intake.target
    return target is not None and staff_key(target.staff_id) == staff_key(member.staff_id)


def _ordered(members: Iterable[StaffMember], at: datetime, tz: tzinfo | None) -> list[StaffMember]:
    """On duty first, then by staff id: deterministic."""
    return sorted(members, key=lambda m: (not m.on_duty(at, tz), m.staff_id))


@attrs.frozen
class Routing:
    """What routing reads of a complaint: equal values go to the same handler
    (for one staff list, pack and instant), so bulk intake can choose once for many."""

    site: str
    floor: int
    """The lowest rung index that may take it (ESC-3, ESC-4)."""
    departments: tuple[str | None, ...]
    """Looked at in turn; ``None`` is any department."""
    target_key: str | None
    """The person it is about, folded (never its handler)."""
    excluded: frozenset[str]
    """Earlier handlers (a later stage goes to someone else)."""


def routing_of(complaint: Complaint, pack: RulePack) -> Routing:
    """The routing a complaint needs now (see :func:`pick_handler`)."""
    site = complaint.intake.site or complaint.intake.complainant.site
    # not graded: route as the default grade needs, where authorize asks for it (ESC-3)
    floor = max(settling_rung_index(complaint, pack), current_rung_index(complaint, pack))
    target = complaint.state.target or complaint.intake.target
    departments: list[str | None] = []
    if complaint.awaiting_site_consent:
        departments = [pack.head_office_unit] if pack.head_office_unit else []
    else:
        wanted = (handling_department(complaint, pack), complaint.state.department)
        for d in (*wanted, pack.customer_service):
            if d and d not in departments:
                departments.append(d)
        departments.append(None)  # None: any department
    return Routing(
        site=site,
        floor=floor,
        departments=tuple(departments),
        target_key=staff_key(target.staff_id) if target is not None else None,
        excluded=frozenset(earlier_handlers(complaint, pack)),
    )


def pick_handler(
    complaint: Complaint, members: Sequence[StaffMember], pack: RulePack, at: datetime
) -> StaffMember | None:
    """Route to the responsible department's handler at the right rung and site.

    The lowest rung at or above both the complaint's rung and the rung its grade
    and target require (ESC-3, ESC-4); on duty where known; never the person it
    is about.  The unit the pack names for complaints about the target comes
    first (销管部 for a 售楼员, ESC-4), then the responsible department, then
    customer service, then anyone at the site at that rung: a complaint about a
    project manager goes to senior management whatever their department (ESC-4).
    A bypass complaint awaiting the complainant's consent stays with head office
    (IN-6): only its staff are considered, and nobody if it has none.  Duty hours
    are read in the pack's time zone, whatever offset ``at`` carries.
    """
    return choose_handler(routing_of(complaint, pack), members, pack, at)


def choose_handler(
    need: Routing, members: Sequence[StaffMember], pack: RulePack, at: datetime
) -> StaffMember | None:
    """The handler :func:`pick_handler` routes to, from what the complaint needs."""
    zone = ZoneInfo(pack.calendar.timezone)
    site, floor, excluded, target_key = need.site, need.floor, need.excluded, need.target_key
    # the staff who could take it at all, with their rungs (looked at once per department)
    able = [
        (m, pack.rung_index(m.rung)) for m in members
        if m.works_at(site) and pack.has_rung(m.rung) and pack.rung_index(m.rung) >= floor
        and m.staff_id not in excluded
        and not (target_key is not None and staff_key(m.staff_id) == target_key)
    ]  # fmt: skip
    for department in need.departments:
        pool = [(m, i) for m, i in able if department in (None, m.department)]
        if pool:
            lowest = min(i for _m, i in pool)
            return min(  # on duty first, then by staff id (as _ordered sorts)
                (m for m, i in pool if i == lowest),
                key=lambda m: (not m.on_duty(at, zone), m.staff_id),
            )
    return None


def recipients(
    members: Sequence[StaffMember],
    *,
    site: str,
    rung: str | None = None,
    department: str | None = None,
    at: datetime,
    tz: tzinfo | None = None,
    urgent: bool = False,
) -> list[StaffMember]:
    """Staff at a site (and rung / department) to tell; on-duty ones if any are.

    An ``urgent`` message (a topic of :data:`URGENT_TOPICS`) goes to all of them,
    on duty first: ESC-2 (serious), 004 篇4 §3.6 reports a serious complaint to
    the property director *and* the general manager's office at once, so one of
    them being off duty must not leave them untold (it is queued for them now).
    Duty hours are read in ``tz``, the site's zone (the desk passes its pack's),
    so the same instant finds the same people whatever offset ``at`` carries.
    The person a complaint is about is left out where messages are made
    (``Desk._fan``), so every message goes through that one check (ESC-4).
    """
    pool = [
        m for m in members
        if m.works_at(site)
        and (rung is None or m.rung == rung)
        and (department is None or m.department == department)
    ]  # fmt: skip
    if urgent:
        return _ordered(pool, at, tz)
    on_duty = [m for m in pool if m.on_duty(at, tz)]
    return _ordered(on_duty or pool, at, tz)


def told_the_whole_rung(pack: RulePack, rung: str, trigger: Trigger) -> bool:
    """ESC-2: a serious complaint reaching the serious rung is told to all of it.

    004 篇4 §3.6 "应立刻汇报物业总监与总经办": both offices, whatever their
    departments.  An HDL-6 report at once (trigger ``incident``) that a vacant
    rung passes up to the serious rung is told so too, as it was when HDL-6
    recorded ``serious``.  Every other move up the ladder (an HDL-6 report to
    the project manager's rung included) is told to the department that takes
    it there (:func:`rung_recipients`).
    """
    return (
        trigger in (Trigger.SERIOUS, Trigger.INCIDENT)
        and bool(pack.serious_rung)
        and pack.has_rung(rung)
        and pack.rung_index(rung) >= pack.rung_index(pack.serious_rung)
    )


def rung_recipients(
    complaint: Complaint,
    members: Sequence[StaffMember],
    pack: RulePack,
    *,
    rung: str,
    at: datetime,
    tz: tzinfo | None = None,
    urgent: bool = False,
    whole_rung: bool = False,
) -> list[StaffMember]:
    """Who on ``rung`` hears that a complaint went up to it (ESC-2, ESC-3, HDL-6, PRV-1).

    The rung's staff in the first department routing tries that has any there
    (the unit ESC-4 names, the responsible department, customer service: where
    :func:`pick_handler` finds the new handler), so 营销策划部 is not told of
    销管部's complaint because its manager shares the rung.  When none of them
    has staff on the rung, the whole rung is told: nobody is left uninformed.
    ``whole_rung`` tells all of it anyway (:func:`told_the_whole_rung`);
    ``urgent`` tells the off-duty too, as :func:`recipients` does.
    """
    site = complaint.intake.site or complaint.intake.complainant.site
    if not whole_rung:
        for department in routing_of(complaint, pack).departments:
            if department is None:
                break
            found = recipients(
                members, site=site, rung=rung, department=department, at=at, tz=tz, urgent=urgent
            )
            if found:
                return found
    return recipients(members, site=site, rung=rung, at=at, tz=tz, urgent=urgent)


def sees_personal_data(member: StaffMember | None, complaint: Complaint, pack: RulePack) -> bool:
    """PRV-1: the complaint's handler and customer service see names and phones.

    Never the person the complaint is about (ESC-4), nor, but its handler, staff
    of another site, who may not view it (a receiver there told of IN-5, review
    s55R6 F02).
    """
    if member is None or is_target(member, complaint):
        return False
    if member.staff_id == complaint.state.handler:
        return True
    site = complaint.intake.site or complaint.intake.complainant.site
    return member.works_at(site) and (
        member.sees_personal_data or member.department == pack.customer_service
    )


def bypassed_site(member: StaffMember, complaint: Complaint, pack: RulePack) -> bool:
    """IN-6: whether ``member`` is staff of the site a bypass complaint went around,
    while it waits for the complainant's consent: they neither see it nor settle it,
    nor consent for the complainant.  Head office and company-wide staff are not."""
    return (
        complaint.awaiting_site_consent
        and not is_head_office(member, pack)
        and member.site not in ("*", "")
    )


def is_head_office(member: StaffMember, pack: RulePack) -> bool:
    """IN-6: staff of the head-office unit, who keep a bypass complaint until consent."""
    return bool(pack.head_office_unit) and member.department == pack.head_office_unit


def duty_owners(
    complaint: Complaint,
    duty: DutySpec,
    members: Sequence[StaffMember],
    at: datetime,
    tz: tzinfo | None = None,
) -> list[StaffMember]:
    """Who owes a duty: the complaint's handler if the duty says so and there is one,
    otherwise the staff of the duty's department and rung at the complaint's site
    (on duty at ``at`` read in ``tz``, as :func:`recipients` reads it)."""
    handler = complaint.state.handler
    if duty.owner_handler and handler:
        found = [m for m in members if m.staff_id == handler]
        if found:
            return found
    if not (duty.owner_department or duty.owner_rung):
        return []
    site = complaint.intake.site or complaint.intake.complainant.site
    return recipients(
        members,
        site=site,
        rung=duty.owner_rung or None,
        department=duty.owner_department or None,
        at=at,
        tz=tz,
    )
