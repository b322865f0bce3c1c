"""``complaintcore act``: run a workflow command on a complaint (``act ID COMMAND``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from complaintcore.cli.context import (
    Ctx,
    DateTimeType,
    enum_choice,
    json_option,
    now_option,
    pass_ctx,
    without_helpers_option,
)
from complaintcore.cli.ids import COMPLAINT_ID
from complaintcore.cli.receive import complaint_summary, say_awaiting_closure, say_issue
from complaintcore.core.models import Fact, Grade, Kind, MeasureKind, Trigger, Validity
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.errors import ConcurrencyConflictError
    from complaintcore.core.models import Complaint
    from complaintcore.core.workflow import Command
    from complaintcore.desk.service import GroupVisit

__all__ = ["act"]


class _ActGroup(click.Group):
    """``act ID COMMAND …`` or ``act COMMAND ID …``: either order works.

    An option before the step (``act --json ID STEP``, ``act ID --now T STEP``) is
    the step's, typed on the wrong side: it is refused as an unknown option of
    ``act``, which names it and where it goes when a step takes it, never read as
    the step (review s46I F04)."""

    usage_example = "ID COMMAND"
    """How a command of this group is typed, for the example of where an option goes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) > 1 and args[0] not in self.commands and _an_option(ctx, args[1]):
            raise click.NoSuchOption(args[1].split("=", 1)[0], ctx=ctx)
        if len(args) > 1 and args[0] not in self.commands and not args[0].startswith("-"):
            args = [args[1], args[0], *args[2:]]  # ID COMMAND: an unknown step is named as such
        return super().parse_args(ctx, args)


def _an_option(ctx: click.Context, arg: str) -> bool:
    """Whether a word typed after the id, before the step, is an option (not ``--help``,
    nor ``--``, which ends the options)."""
    return arg.startswith("-") and arg != "--" and arg not in ctx.help_option_names


@click.group(
    cls=_ActGroup, help=N_("Run a workflow command on a complaint: act ID COMMAND [OPTIONS].")
)
def act() -> None:
    pass


_DECIDED_AGAIN = frozenset({"reply", "attach_evidence"})
"""Records of what was said or handed in: as true after another's write as before,
so a command that met one is decided again against the new state."""

_ATTEMPTS = 3


def _act_once_decided(
    ctx: Ctx, complaint_id: str, command: Command, visits: list[GroupVisit] | None = None
) -> Complaint:
    """``Desk.act``; a reply or a piece of evidence that met a concurrent write (a
    sweep, another person: ``ConcurrencyConflictError``, nothing written) is
    decided again on a fresh read, twice at most.  Any other command is not: the
    complaint changed under a decision its actor made, and the error says so."""
    from complaintcore.core.errors import ConcurrencyConflictError, InvalidInputError
    from complaintcore.core.workflow import VisitSite

    desk = ctx.desk()
    conflict: ConcurrencyConflictError | None = None
    for _attempt in range(_ATTEMPTS):
        now = ctx.now()
        try:
            if visits is not None and isinstance(command, VisitSite):
                visit = desk.visit_site(complaint_id, command, now=now)
                visits.append(visit)  # where it is recorded (review s58RR4 F01, F03)
                return visit.complaint
            return desk.act(complaint_id, command, now=now)
        except ConcurrencyConflictError as exc:
            if command.name not in _DECIDED_AGAIN:
                raise
            conflict = exc
        except InvalidInputError as exc:
            if exc.path != "now":
                raise
            if conflict is not None:
                break  # a --now earlier than what was written meanwhile: the conflict tells
            raced = None if ctx.now_given is not None else _written_since(ctx, complaint_id, now)
            if raced is None:
                raise
            # without --now the clock was read before another process wrote a later
            # event: a race like any other concurrent write, never the user's time
            if command.name not in _DECIDED_AGAIN:
                raise raced from None
            conflict = raced
    if conflict is None:  # pragma: no cover - every way out of the loop sets it
        raise AssertionError("no attempt was made")
    raise conflict


def _written_since(ctx: Ctx, complaint_id: str, read: datetime) -> ConcurrencyConflictError | None:
    """The conflict of events stored after the clock read ``read`` (a process that
    wrote in between), if the clock read afresh is past them all; ``None`` if an
    event is later than the clock still (stamped ahead, by a ``--now``): not a race."""
    from complaintcore.core.errors import ConcurrencyConflictError

    events = ctx.desk().get(complaint_id).events
    if not events or events[-1].at > ctx.now():
        return None
    later = sum(1 for e in events if e.at > read)
    return ConcurrencyConflictError(complaint_id, len(events) - later, len(events))


def _act(ctx: Ctx, complaint_id: str, command: Command) -> None:
    ctx.check_identity(command.actor, complaint_id, command.name)
    from complaintcore.desk.service import CommittedInterrupt

    stopped: CommittedInterrupt | None = None
    visits: list[GroupVisit] = []
    try:
        c = _act_once_decided(ctx, complaint_id, command, visits)
    except CommittedInterrupt as exc:  # stored: said so, never "aborted" (review s55R2 F03)
        c, stopped = exc.complaint, exc
        if exc.group_visit is not None:
            visits.append(exc.group_visit)
    visit = visits[-1] if visits else None
    # the result first: the step is stored, whatever happens while its messages are sent
    if ctx.json:
        document = complaint_summary(c, ctx.desk().pack)
        if visit is not None and visit.issue:
            document["group_visit"] = _group_visit_document(visit)
        ctx.emit(document)
    else:
        ctx.say(ctx.t("done: {id} is now {status}", id=c.id, status=ctx.tr.label(c.state.status)))
        if command.name == "group":
            say_issue(ctx, c)
        say_awaiting_closure(ctx, c)
        if visit is not None and visit.issue:
            _say_group_visit(ctx, visit)
    if stopped is not None:
        ctx.interrupted_after_commit(c.id, while_committing=stopped.while_committing)
    ctx.deliver_after()


def _group_visit_document(visit: GroupVisit) -> dict[str, object]:
    """HDL-6, PRV-1: where a group incident's visit is recorded, for ``--json``
    (ids masked unless the desk's; review s58RR4 F01, F03)."""
    from complaintcore.core.errors import shown_id, shown_issue

    return {
        "issue": shown_issue(visit.issue),
        "recorded": [shown_id(m) for m in visit.recorded],
        "not_recorded": [shown_id(m) for m in visit.owing],
        "members_unread": visit.unread,
    }


def _say_group_visit(ctx: Ctx, visit: GroupVisit) -> None:
    """HDL-6, PRV-1: the visit recorded on every open member of the group incident
    that owed one, or the members it is not recorded on (ids masked unless the
    desk's) and how to record it there: at the visit's time (review s58RR4 F01, F03)."""
    from complaintcore.core.errors import shown_id, shown_issue
    from complaintcore.core.models import SiteVisited

    if not visit.owing and not visit.unread:
        ctx.say(
            ctx.t(
                "the visit is recorded on every open member of group incident {issue}"
                " that owed one (HDL-6)",
                issue=visit.issue,
            )
        )
        return
    at = [e.at for e in visit.complaint.events if isinstance(e, SiteVisited)]
    when = at[-1].isoformat(timespec="minutes") if at else ""
    if visit.unread:
        text = ctx.t(
            "the visit is stored on {id}, but the members of group incident {issue} could"
            " not be read, so it is recorded on none of them: record it on each member"
            " that owes one (act ID visit-site --now {when}) (HDL-6)",
            id=visit.complaint.id,
            issue=shown_issue(visit.issue),
            when=when,
        )
    else:
        text = ctx.t(
            "the visit is stored on {id} and recorded on {done} other member(s) of group"
            " incident {issue}, but not on {members}: record it there"
            " (act ID visit-site --now {when}) (HDL-6)",
            id=visit.complaint.id,
            done=len(visit.recorded),
            issue=shown_issue(visit.issue),
            members=ctx.t(", ").join(shown_id(m) for m in visit.owing),
            when=when,
        )
    ctx.say(text)


def _command(name: str, help_text: str) -> Callable[[Callable[..., None]], click.Command]:
    """An ``act`` subcommand: complaint id, --actor, --json, --now and the command's own
    options."""

    def deco(fn: Callable[..., None]) -> click.Command:
        wrapped: Any = json_option(now_option(pass_ctx(fn)))
        wrapped = click.option("--actor", required=True, help=N_("Staff id of whoever acts."))(
            wrapped
        )
        wrapped = click.argument("complaint_id", type=COMPLAINT_ID)(wrapped)
        return act.command(name, help=help_text)(wrapped)

    return deco


@_command("forward", N_("Forward to another unit (IN-2, IN-5, IN-6)."))
@click.option(
    "--to",
    "to_unit",
    required=True,
    help=N_("The unit it goes to: a department's code or label, or head office."),
)
@click.option("--note", default="", help=N_("A note on why it is forwarded."))
@click.option(
    "--no-consent",
    is_flag=True,
    help=N_(
        "The complainant did not agree to the site handling it (IN-6): refused, "
        "as head office then keeps the complaint: assign it to head office staff."
    ),
)
def act_forward(
    ctx: Ctx, complaint_id: str, actor: str, to_unit: str, note: str, no_consent: bool
) -> None:
    from complaintcore.core.workflow import Forward

    unit = ctx.code("unit", to_unit, "--to")
    _act(ctx, complaint_id, Forward(actor=actor, to_unit=unit, note=note, consent=not no_consent))


@_command("classify", N_("Classify by keywords, or by hand with --category (CLS-1..4)."))
@click.option(
    "--category",
    default=None,
    help=N_("The category: a code or its label (default: found from the keywords)."),
)
@click.option(
    "--department",
    default=None,
    help=N_("The responsible department: a code or its label (default: the category's)."),
)
@click.option(
    "--helper",
    "helpers",
    multiple=True,
    help=N_(
        "A department whose help is needed, a code or its label (repeatable; "
        "default: the category's helpers) (HDL-4, CLS-3)."
    ),
)
def act_classify(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    category: str | None,
    department: str | None,
    helpers: tuple[str, ...],
) -> None:
    from complaintcore.core.workflow import Classify

    command = Classify(
        actor=actor,
        category=ctx.code("category", category, "--category") if category else None,
        department=ctx.code("department", department, "--department") if department else None,
        helpers=tuple(ctx.code("department", h, "--helper") for h in helpers),
    )
    _act(ctx, complaint_id, command)


@_command("assess", N_("Record validity, kind and findings (VAL-1, VAL-2, VAL-4)."))
@click.option(
    "--validity",
    type=enum_choice(Validity),
    required=True,
    help=N_("Whether it is true and valid (VAL-1)."),
)
@click.option(
    "--kind",
    type=enum_choice(Kind),
    default=None,
    help=N_("A complaint, a request or an enquiry (VAL-4)."),
)
@click.option(
    "--reasonable/--unreasonable",
    default=None,
    help=N_("Whether it is reasonable (VAL-2)."),
)
@click.option(
    "--department",
    default="",
    help=N_("The department found responsible: a code or its label (VAL-2)."),
)
@click.option(
    "--fact",
    "facts",
    type=enum_choice(Fact),
    multiple=True,
    help=N_("A finding, e.g. staff_fault (repeatable)."),
)
@click.option("--note", default="", help=N_("What was found, in words."))
def act_assess(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    validity: str,
    kind: str | None,
    reasonable: bool | None,
    department: str,
    facts: tuple[str, ...],
    note: str,
) -> None:
    from complaintcore.core.workflow import Assess

    _act(
        ctx,
        complaint_id,
        Assess(
            actor=actor,
            validity=validity,
            kind=kind,
            reasonable=reasonable,
            department=ctx.code("department", department, "--department"),
            facts=facts,
            note=note,
        ),
    )


@_command("grade", N_("Grade from the rules, or raise to --grade (GRD-1..6)."))
@click.option(
    "--grade",
    type=enum_choice(Grade),
    default=None,
    help=N_("The grade to raise it to (default: the rules' grade)."),
)
@click.option("--reason", default="", help=N_("Why this grade."))
def act_grade(ctx: Ctx, complaint_id: str, actor: str, grade: str | None, reason: str) -> None:
    from complaintcore.core.workflow import Regrade

    _act(ctx, complaint_id, Regrade(actor=actor, grade=grade, reason=reason))


@_command("assign", N_("Assign a handler at a rung (ESC-3, ESC-4)."))
@click.option("--handler", required=True, help=N_("Staff id of the new handler."))
@click.option(
    "--rung",
    default="",
    help=N_(
        "The handler's rung: a code or its label (ESC-1). "
        "Default: the handler's rung in the staff list."
    ),
)
@click.option(
    "--department",
    default="",
    help=N_("The department that takes it on: a code or its label."),
)
def act_assign(
    ctx: Ctx, complaint_id: str, actor: str, handler: str, rung: str, department: str
) -> None:
    from complaintcore.core.workflow import Assign

    if not rung:  # F07: the staff list knows it (an unknown handler is refused as such)
        member = ctx.desk().member(handler)
        rung = member.rung if member is not None else ""
    command = Assign(
        actor=actor,
        handler=handler,
        rung=ctx.code("rung", rung, "--rung"),
        department=ctx.code("department", department, "--department"),
    )
    _act(ctx, complaint_id, command)


@_command("promise", N_("Agree a processing time with the complainant (DL-5)."))
@click.option("--due", type=DateTimeType(), required=True, help=N_("ISO time."))
@click.option("--note", default="", help=N_("What was agreed."))
def act_promise(ctx: Ctx, complaint_id: str, actor: str, due: datetime, note: str) -> None:
    from complaintcore.core.workflow import Promise

    _act(ctx, complaint_id, Promise(actor=actor, due=ctx.at(due), note=note))


@_command("handle", N_("Record the department's result (DL-3, HDL-4)."))
@click.option("--result", required=True, help=N_("The handling result (REC-1)."))
@click.option(
    "--department",
    default="",
    help=N_("The department whose result it is: a code or its label."),
)
def act_handle(ctx: Ctx, complaint_id: str, actor: str, result: str, department: str) -> None:
    from complaintcore.core.workflow import Handle

    unit = ctx.code("department", department, "--department")
    _act(ctx, complaint_id, Handle(actor=actor, result=result, department=unit))


@_command("reply", N_("Reply to the complainant (DL-1, VAL-3, REC-4)."))
@click.option("--message", required=True, help=N_("What the complainant was told."))
@click.option("--final", is_flag=True, help=N_("The final reply, with the result (DL-1)."))
@click.option(
    "--explanation",
    is_flag=True,
    help=N_("The explanation owed for an invalid complaint (VAL-3)."),
)
@click.option(
    "--unanswerable",
    "unanswerable_reason",
    default="",
    help=N_("Why it cannot be answered at once; the department head is told (REC-4)."),
)
@click.option(
    "--agreed-due",
    type=DateTimeType(),
    default=None,
    help=N_(
        "With --unanswerable: the new date agreed with the complainant, "
        "kept as a promise (DL-3, DL-5)."
    ),
)
@without_helpers_option
def act_reply(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    message: str,
    final: bool,
    explanation: bool,
    unanswerable_reason: str,
    agreed_due: datetime | None,
    without_helpers: bool,
) -> None:
    from complaintcore.core.workflow import Reply

    _act(
        ctx,
        complaint_id,
        Reply(
            actor=actor,
            message=message,
            final=final,
            explanation=explanation,
            unanswerable_reason=unanswerable_reason,
            agreed_due=ctx.at(agreed_due) if agreed_due else None,
            without_helpers=without_helpers,
        ),
    )


@_command("escalate", N_("Move up the ladder for a trigger (ESC-2, ESC-5)."))
@click.option(
    "--trigger",
    required=True,
    type=enum_choice(Trigger),
    help=N_("Why it moves up (ESC-2)."),
)
@click.option(
    "--to",
    "to_rung",
    default=None,
    help=N_("The rung it goes to: a code or its label (default: the next rung up)."),
)
@click.option("--note", default="", help=N_("A note on the escalation."))
def act_escalate(
    ctx: Ctx, complaint_id: str, actor: str, trigger: str, to_rung: str | None, note: str
) -> None:
    from complaintcore.core.workflow import Escalate

    rung = ctx.code("rung", to_rung, "--to") if to_rung else None
    _act(ctx, complaint_id, Escalate(actor=actor, trigger=trigger, to_rung=rung, note=note))


@_command("pause", N_("Stop the clocks while waiting on the complainant (DL-8)."))
@click.option("--reason", required=True, help=N_("What is awaited from the complainant (DL-8)."))
def act_pause(ctx: Ctx, complaint_id: str, actor: str, reason: str) -> None:
    from complaintcore.core.workflow import Pause

    _act(ctx, complaint_id, Pause(actor=actor, reason=reason))


@_command("resume", N_("Restart the clocks (DL-8)."))
def act_resume(ctx: Ctx, complaint_id: str, actor: str) -> None:
    from complaintcore.core.workflow import Resume

    _act(ctx, complaint_id, Resume(actor=actor))


@_command("visit", N_("Record a return visit (VIS-1, VIS-2, VIS-4)."))
@click.option(
    "--satisfied/--not-satisfied",
    default=None,
    help=N_(
        "Whether the complainant is satisfied; not satisfied reopens it (VIS-1). "
        "Give one of these or --not-reached."
    ),
)
@click.option(
    "--not-reached",
    is_flag=True,
    help=N_("The complainant could not be reached: no opinion, still awaiting a visit (VIS-1)."),
)
@click.option("--opinion", default="", help=N_("The complainant's opinion (VIS-2)."))
@click.option(
    "--reply-due",
    type=DateTimeType(),
    default=None,
    help=N_("When a question left open at the visit is answered (VIS-2)."),
)
@click.option(
    "--major-issue",
    is_flag=True,
    help=N_("A major problem, for the regular meeting's agenda (VIS-4)."),
)
@click.option(
    "--problem",
    default="",
    help=N_("What the major problem found at the visit is (VIS-4; with --major-issue)."),
)
def act_visit(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    satisfied: bool | None,
    not_reached: bool,
    opinion: str,
    reply_due: datetime | None,
    major_issue: bool,
    problem: str,
) -> None:
    from complaintcore.core.workflow import Visit

    if (satisfied is None) == (not not_reached):  # exactly one outcome (VIS-2)
        raise click.UsageError(
            ctx.t("give one of --satisfied, --not-satisfied and --not-reached"),
            click.get_current_context(),
        )
    due = ctx.at(reply_due) if reply_due else None
    _act(
        ctx,
        complaint_id,
        Visit(
            actor=actor,
            satisfied=satisfied,
            opinion=opinion,
            reply_due=due,
            major_issue=major_issue,
            reached=not not_reached,
            problem=problem,
        ),
    )


@_command("close", N_("Close (VIS-3: the complainant confirms, or the top rung decides)."))
@click.option("--result", required=True, help=N_("The final result (REC-1, REC-2)."))
@click.option("--confirmed", is_flag=True, help=N_("The complainant confirmed."))
@click.option(
    "--top-rung-decision",
    is_flag=True,
    help=N_("The top rung decides without the complainant's confirmation (VIS-3)."),
)
def act_close(
    ctx: Ctx, complaint_id: str, actor: str, result: str, confirmed: bool, top_rung_decision: bool
) -> None:
    from complaintcore.core.workflow import Close

    _act(
        ctx,
        complaint_id,
        Close(
            actor=actor,
            result=result,
            confirmed_by_complainant=confirmed,
            decided_by_top_rung=top_rung_decision,
        ),
    )


@_command("reopen", N_("Reopen with a reason."))
@click.option("--reason", required=True, help=N_("Why it is reopened."))
def act_reopen(ctx: Ctx, complaint_id: str, actor: str, reason: str) -> None:
    from complaintcore.core.workflow import Reopen

    _act(ctx, complaint_id, Reopen(actor=actor, reason=reason))


@_command("cause", N_("Record cause analysis and measures (IMP-1)."))
@click.option("--cause", required=True, help=N_("The cause found (IMP-1)."))
@click.option("--corrective", required=True, help=N_("The corrective measures taken."))
@click.option("--preventive", default="", help=N_("The measures against a recurrence."))
def act_cause(
    ctx: Ctx, complaint_id: str, actor: str, cause: str, corrective: str, preventive: str
) -> None:
    from complaintcore.core.workflow import RecordCause

    _act(
        ctx,
        complaint_id,
        RecordCause(actor=actor, cause=cause, corrective=corrective, preventive=preventive),
    )


@_command(
    "add-measure", N_("Record a corrective or preventive measure: owner and due date (IMP-1).")
)
@click.option(
    "--kind",
    type=enum_choice(MeasureKind),
    default="corrective",
    show_default=True,
    help=N_("Corrective or preventive."),
)
@click.option("--action", required=True, help=N_("What the measure does."))
@click.option("--owner", required=True, help=N_("Staff id of whoever carries it out."))
@click.option("--due", type=DateTimeType(), required=True, help=N_("ISO time."))
@click.option(
    "--department", default="", help=N_("The responsible department: a code or its label.")
)
def act_add_measure(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    kind: str,
    action: str,
    owner: str,
    due: datetime,
    department: str,
) -> None:
    from complaintcore.core.workflow import AddMeasure

    command = AddMeasure(
        actor=actor,
        kind=kind,
        action=action,
        owner=owner,
        due=ctx.at(due),
        department=ctx.code("department", department, "--department"),
    )
    _act(ctx, complaint_id, command)


@_command("complete-measure", N_("Mark a measure done, with what was done (IMP-1)."))
@click.option("--measure", required=True, help=N_("The measure's number, e.g. M1."))
@click.option("--result", required=True, help=N_("What was done."))
def act_complete_measure(
    ctx: Ctx, complaint_id: str, actor: str, measure: str, result: str
) -> None:
    from complaintcore.core.workflow import CompleteMeasure

    _act(ctx, complaint_id, CompleteMeasure(actor=actor, measure=measure, result=result))


@_command("sanction", N_("Record the sanction of the grade (PEN-1, PEN-2)."))
@click.option(
    "--role",
    "staff_role",
    default="",
    help=N_(
        "The rung of the staff member complained about, its code or its label, "
        "e.g. sales consultant (PEN-2)."
    ),
)
def act_sanction(ctx: Ctx, complaint_id: str, actor: str, staff_role: str) -> None:
    from complaintcore.core.workflow import RecordSanction

    role = ctx.code("rung", staff_role, "--role")
    _act(ctx, complaint_id, RecordSanction(actor=actor, staff_role=role))


@_command("sign-off", N_("Supervisor signs the closed record (REC-6)."))
def act_sign_off(ctx: Ctx, complaint_id: str, actor: str) -> None:
    from complaintcore.core.workflow import SignOff

    _act(ctx, complaint_id, SignOff(actor=actor))


@_command("evidence", N_("Attach supporting evidence (REC-3)."))
@click.option("--reference", required=True, help=N_("The document or file, e.g. a photo's name."))
@click.option("--note", default="", help=N_("What it shows."))
def act_evidence(ctx: Ctx, complaint_id: str, actor: str, reference: str, note: str) -> None:
    from complaintcore.core.workflow import AttachEvidence

    _act(ctx, complaint_id, AttachEvidence(actor=actor, reference=reference, note=note))


# --------------------------------------------------------------------------- duties


@_command(
    "apologise",
    N_("After a broken promise: apologise, give the reason, propose a remedy (DL-5)."),
)
@click.option("--apology", required=True, help=N_("The apology made to the complainant."))
@click.option("--reason", required=True, help=N_("The specific reason the promise was broken."))
@click.option("--remedy", required=True, help=N_("The remedy proposed."))
def act_apologise(
    ctx: Ctx, complaint_id: str, actor: str, apology: str, reason: str, remedy: str
) -> None:
    from complaintcore.core.workflow import Apologise

    _act(ctx, complaint_id, Apologise(actor=actor, apology=apology, reason=reason, remedy=remedy))


@_command(
    "report",
    N_("Report the content and result to a leader (REC-2), or in writing (004 §3.3)."),
)
@click.option("--content", required=True, help=N_("What the complaint was and what was done."))
@click.option("--result", default="", help=N_("The result."))
@click.option("--to", "to", default="", help=N_("Who was told: a staff id, a rung or a body."))
@click.option(
    "--written", is_flag=True, help=N_("A written report to management (needs --reference).")
)
@click.option("--reference", default="", help=N_("The written report's document number."))
def act_report(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    content: str,
    result: str,
    to: str,
    written: bool,
    reference: str,
) -> None:
    from complaintcore.core.workflow import Report

    _act(
        ctx,
        complaint_id,
        Report(
            actor=actor,
            content=content,
            result=result,
            to=ctx.desk().pack.code_for("rung", to) or to,  # a rung's label is that rung
            written=written,
            reference=reference,
        ),
    )


@_command(
    "visit-site",
    N_(
        "Go to the site with the complainant of a serious complaint (004 §3.6); on a "
        "member of a group incident the one visit is recorded on every open member "
        "that owes it (HDL-6)."
    ),
)
@click.option("--findings", required=True, help=N_("What was found on site."))
@click.option(
    "--department",
    "departments",
    multiple=True,
    help=N_("A department that went (repeatable)."),
)
@click.option(
    "--without-complainant",
    is_flag=True,
    help=N_("The complainant did not come along."),
)
def act_visit_site(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    findings: str,
    departments: tuple[str, ...],
    without_complainant: bool,
) -> None:
    from complaintcore.core.workflow import VisitSite

    _act(
        ctx,
        complaint_id,
        VisitSite(
            actor=actor,
            findings=findings,
            departments=tuple(ctx.code("department", d, "--department") for d in departments),
            with_complainant=not without_complainant,
        ),
    )


@_command("call-back", N_("Head office calls the complainant back at the end (IN-6)."))
@click.option("--outcome", required=True, help=N_("What the complainant said."))
@click.option(
    "--satisfied/--not-satisfied",
    default=None,
    help=N_("Whether the complainant was satisfied (default: not asked)."),
)
def act_call_back(
    ctx: Ctx, complaint_id: str, actor: str, outcome: str, satisfied: bool | None
) -> None:
    from complaintcore.core.workflow import CallBack

    _act(ctx, complaint_id, CallBack(actor=actor, outcome=outcome, satisfied=satisfied))


@_command("group", N_("Link the complaint to a concentrated issue (HDL-5, HDL-6)."))
@click.option("--issue", type=COMPLAINT_ID, required=True, help=N_("The concentrated issue's id."))
@click.option(
    "--member",
    "members",
    type=COMPLAINT_ID,
    multiple=True,
    help=N_("Another complaint linked with it (repeatable); this one is always included."),
)
@click.option(
    "--complainants",
    type=click.IntRange(1),
    required=True,
    help=N_("How many distinct people have complained."),
)
@click.option(
    "--incident",
    is_flag=True,
    help=N_("A group incident: to the project manager at once (HDL-6)."),
)
def act_group(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    issue: str,
    members: tuple[str, ...],
    complainants: int,
    incident: bool,
) -> None:
    from complaintcore.core.workflow import Group

    if complaint_id not in members:
        members = (complaint_id, *members)
    _act(
        ctx,
        complaint_id,
        Group(
            actor=actor,
            issue=issue,
            members=members,
            complainants=complainants,
            incident=incident,
        ),
    )
