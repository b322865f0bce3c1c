"""The ``act`` steps of staged procedures, and how ``show`` reports a complaint's stage.

Packs with ``[[stages]]`` (``uk-housing-ombudsman-2024``, ``scotland-spso``,
``iso-10002``) acknowledge each stage, answer it with an outcome, extend a
clock with reasons, and take a complaint to its next stage on request.  A pack
without stages acknowledges receipt to the complainant (HDL-1) with the same
``acknowledge`` step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.table import Table

from complaintcore.cli.act import _act, _command
from complaintcore.cli.context import Ctx, enum_choice
from complaintcore.core.models import Outcome
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint
    from complaintcore.core.rulepack import ClockSpec, Duration, RequestLimit, RulePack, Stage

__all__ = [
    "act_acknowledge",
    "act_extend",
    "act_request_escalation",
    "act_respond",
    "say_stage",
    "say_staged",
    "stage_json",
    "working_length",
]


@_command(
    "acknowledge",
    N_(
        "Acknowledge the complaint: at its stage, define and log it; without stages,"
        " record that its receipt was confirmed to the complainant (HDL-1)."
    ),
)
@click.option(
    "--definition",
    default="",
    help=N_("The complaint as understood: the points the response will answer."),
)
@click.option("--remedy-sought", default="", help=N_("What the complainant wants done."))
@click.option(
    "--apology",
    default="",
    help=N_("The apology made (HDL-1: needed while a written complaint's call is owed)."),
)
def act_acknowledge(
    ctx: Ctx, complaint_id: str, actor: str, definition: str, remedy_sought: str, apology: str
) -> None:
    from complaintcore.core.workflow import Acknowledge

    _act(
        ctx,
        complaint_id,
        Acknowledge(
            actor=actor, definition=definition, remedy_sought=remedy_sought, apology=apology
        ),
    )


@_command(
    "request-escalation",
    N_("Record the complainant's request to take the complaint to the next stage."),
)
@click.option("--reason", default="", help=N_("Why, if the complainant said (optional)."))
def act_request_escalation(ctx: Ctx, complaint_id: str, actor: str, reason: str) -> None:
    from complaintcore.core.workflow import RequestEscalation

    _act(ctx, complaint_id, RequestEscalation(actor=actor, reason=reason))


@_command("extend", N_("Extend a clock's deadline, with the reasons the pack requires."))
@click.option(
    "--clock",
    required=True,
    help=N_("The clock to extend: a code or its label, e.g. stage_1_response."),
)
@click.option("--by", "by", required=True, help=N_("How much longer, e.g. 10d (working days)."))
@click.option("--reason", default="", help=N_("Why more time is needed."))
@click.option(
    "--details",
    default="",
    help=N_("What else the complainant was told, e.g. the ombudsman's details."),
)
@click.option(
    "--agreed-by",
    default="",
    help=N_(
        "Who agreed the extension (past a cap that allows more with good reason: who accepted it)."
    ),
)
def act_extend(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    clock: str,
    by: str,
    reason: str,
    details: str,
    agreed_by: str,
) -> None:
    from complaintcore.core.workflow import Extend

    _act(
        ctx,
        complaint_id,
        Extend(
            actor=actor,
            clock=ctx.code("clock", clock, "--clock"),
            by=by,
            reason=reason,
            details=details,
            agreed_by=agreed_by,
        ),
    )


@_command("respond", N_("Answer the complaint at its stage: the outcome and any remedies."))
@click.option(
    "--outcome",
    type=enum_choice(Outcome),
    required=True,
    help=N_("Upheld, partly upheld or not upheld."),
)
@click.option("--message", required=True, help=N_("The answer given to the complainant."))
@click.option(
    "--remedy",
    "remedies",
    multiple=True,
    help=N_("A remedy offered (repeatable)."),
)
def act_respond(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    outcome: str,
    message: str,
    remedies: tuple[str, ...],
) -> None:
    from complaintcore.core.workflow import Respond

    _act(
        ctx,
        complaint_id,
        Respond(actor=actor, outcome=outcome, message=message, remedies=remedies),
    )


def stage_json(complaint: Complaint, pack: RulePack) -> dict[str, object]:
    """``show --json``'s stage members (none for a pack without stages)."""
    if not pack.stages:
        return {}
    s = complaint.state
    return {
        "stage": pack.stage(s.stage).code,
        "acknowledged": s.acknowledged,
        "responded": s.responded,
        "outcome": s.outcome.value if s.outcome else None,
        "time_barred": s.time_barred,
    }


def say_stage(ctx: Ctx, complaint: Complaint, pack: RulePack) -> None:
    """One line under ``show``'s heading: the stage, its outcome, and a time-limit flag."""
    if not pack.stages:
        return
    s, tr = complaint.state, ctx.tr
    if s.outcome is not None:
        line = ctx.t(
            "{stage}: {outcome}", stage=tr.stage(s.stage, pack), outcome=tr.label(s.outcome)
        )
    elif s.acknowledged:
        line = ctx.t("{stage}: acknowledged", stage=tr.stage(s.stage, pack))
    elif _acknowledged_at(pack.stage(s.stage)):
        line = ctx.t("{stage}: not yet acknowledged", stage=tr.stage(s.stage, pack))
    else:
        line = ctx.t("{stage}: not yet answered", stage=tr.stage(s.stage, pack))
    ctx.say(line)
    if s.time_barred and pack.time_bar is not None:
        ctx.say(
            ctx.t(
                "flagged: the issue arose more than {limit} before receipt ({rule})",
                limit=tr.length(pack.time_bar.after),
                rule=pack.time_bar.rule,
            )
        )


def _acknowledged_at(stage: Stage) -> bool:
    """Whether the stage is acknowledged before it is answered (it times or defines it)."""
    return bool(stage.acknowledge_clock or stage.acknowledge_records)


def working_length(ctx: Ctx, clock: ClockSpec, d: Duration) -> str:
    """A length in the clock's own unit: working time in hours, as the desk's derivation
    says it (``1d`` of working time is 24 working hours, never "1 day")."""
    from complaintcore.core.rulepack import ClockMode

    if clock.mode is ClockMode.WORKING_TIME and (d.days or d.minutes):
        return ctx.t("{time} of working time", time=ctx.tr.duration(d.timedelta))
    return ctx.tr.length(d)


def say_staged(ctx: Ctx, pack: RulePack) -> None:
    """``packs show``: the stages, extensions, time limits and template parameters."""
    tr = ctx.tr
    if pack.stages:
        table = Table(
            ctx.t("stage"),
            ctx.t("rule"),
            ctx.t("acknowledged by"),
            ctx.t("answered by"),
            ctx.t("a different person"),
        )
        for stage in pack.stages:
            table.add_row(
                tr.stage(stage.code, pack),
                stage.rule,
                tr.clock(stage.acknowledge_clock, pack) if stage.acknowledge_clock else "-",
                tr.clock(stage.response_clock, pack) if stage.response_clock else "-",
                tr.yes_no(stage.distinct_handler),
            )
        ctx.say(table)
    for clock in pack.clocks:
        rule = clock.extension
        if rule is None:
            continue
        fields = ctx.t(", ").join(tr.field(f) for f in rule.records)
        if rule.cap is None:  # the SPSO's stage 2: as long as is agreed (review s50C F02)
            said = ctx.t(
                "extension of {clock}: no cap; records {fields} ({rule})",
                clock=tr.clock(clock.name, pack),
                fields=fields,
                rule=rule.rule,
            )
        elif rule.beyond_cap:  # HOC 6.4, 6.15: more with good reason
            said = ctx.t(
                "extension of {clock}: {cap} without good reason, more recording {extra};"
                " records {fields} ({rule})",
                clock=tr.clock(clock.name, pack),
                cap=working_length(ctx, clock, rule.cap),
                extra=ctx.t(", ").join(tr.field(f) for f in rule.beyond_cap),
                fields=fields,
                rule=rule.rule,
            )
        else:
            said = ctx.t(
                "extension of {clock}: at most {cap}; records {fields} ({rule})",
                clock=tr.clock(clock.name, pack),
                cap=working_length(ctx, clock, rule.cap),
                fields=fields,
                rule=rule.rule,
            )
        ctx.say(said)
        if rule.agreed_by_rung:  # who may agree it (review s55R4 F01)
            ctx.say(
                ctx.t(
                    "extension of {clock}: agreed by {rung} or above, never the person extending",
                    clock=tr.clock(clock.name, pack),
                    rung=tr.rung(rule.agreed_by_rung, pack),
                )
            )
    bar = pack.time_bar
    if bar is not None:
        ctx.say(
            ctx.t(
                "time limit: the issue arose more than {limit} before receipt: {action} ({rule})",
                limit=tr.length(bar.after),
                action=tr.label(bar.action),
                rule=bar.rule,
            )
        )
    for stage in pack.stages:
        if stage.request_limit is not None:
            ctx.say(_request_limit_line(ctx, pack, stage, stage.request_limit))
    if pack.parameters:
        table = Table(ctx.t("parameter"), ctx.t("value"), ctx.t("meaning"))
        for param in pack.parameters:
            table.add_row(param.name, param.value, tr.pick(param.zh or param.en, param.en))
        ctx.say(table)


def _request_limit_line(ctx: Ctx, pack: RulePack, stage: Stage, limit: RequestLimit) -> str:
    """``packs show``: when a request to escalate into ``stage`` is too late, and what
    the desk does then (review s50C F02).  With both windows it is late only once
    both have passed: the later end counts."""
    tr = ctx.tr
    name = tr.stage(stage.code, pack)
    if limit.after_response is not None and limit.after_event is not None:
        late = ctx.t(
            "a request made more than {response} after the previous stage's response"
            " and more than {event} after the issue arose",
            response=tr.length(limit.after_response),
            event=tr.length(limit.after_event),
        )
    elif limit.after_response is not None:
        late = ctx.t(
            "a request made more than {response} after the previous stage's response",
            response=tr.length(limit.after_response),
        )
    else:
        assert limit.after_event is not None  # the loader refuses a limit with neither
        late = ctx.t(
            "a request made more than {event} after the issue arose",
            event=tr.length(limit.after_event),
        )
    return ctx.t(
        "time limit for {stage} ({late}): {action} ({rule})",
        stage=name,
        late=late,
        action=tr.label(limit.action),
        rule=limit.rule,
    )
