"""``complaintcore sweep``: apply what the deadlines call for (for cron)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from complaintcore.cli.context import Ctx, json_option, now_option, pass_ctx
from complaintcore.cli.errors import ExitCode
from complaintcore.desk import Desk, SweepFailed, SweepInterrupted, SweepReport
from complaintcore.i18n import N_

__all__ = ["sweep"]


@click.command(help=N_("Apply what deadlines call for (for cron); exits non-zero only on error."))
@json_option
@now_option
@pass_ctx
def sweep(ctx: Ctx) -> None:
    now = ctx.now()
    # deadlines swept now reach a month or so ahead (the one-month upgrade, DL-6)
    notes = ctx.calendar_notes(now, now + timedelta(days=62))
    desk = ctx.desk()
    try:
        report = desk.sweep(now)
    except SweepInterrupted as stopped:
        # Ctrl-C or SIGTERM (a cron job's timeout) part-way: what it had committed
        # goes out with "aborted", in the --json document too (review s46C F03)
        _partial(ctx, desk, stopped.report, notes)
        raise
    except SweepFailed as broke:
        # a store error part-way (a full disk): what it had committed goes out with
        # the store's own error line (review s47F F03)
        _partial(ctx, desk, broke.report, notes)
        raise broke.error from broke
    if report.dead_letters:
        notes.append(ctx.dead_letter_warning(report.dead_letters))
    document = _document(ctx, desk, report, notes)
    failed: list[dict[str, str]] = document["failed"]
    if not ctx.json:
        _say(ctx, report)
    if failed:
        # the others were swept; the run still fails, so cron mails someone
        summary = ctx.n(
            "{count} complaint could not be swept; the others were",
            "{count} complaints could not be swept; the others were",
            len(failed),
        )
        if len(failed) >= report.examined:  # none was: no "others" to speak of
            summary = ctx.n(
                "{count} complaint could not be swept",
                "{count} complaints could not be swept",
                len(failed),
            )
        if not ctx.json:  # each on standard output, as an import's rejected rows; one error line
            for item in failed:
                ctx.say("  " + ctx.t("{id}: {reason}", id=item["id"], reason=item["reason"]))
            click.echo(ctx.t("error: {message}", message=summary), err=True)
        ctx.failed(ExitCode.REFUSED, "ComplaintsNotSwept", summary, document, deliver=True)
    if ctx.json:
        ctx.emit(document)
    # after the result: the sweep is stored, whatever happens while its messages are sent
    ctx.deliver_after()


def _partial(ctx: Ctx, desk: Desk, report: SweepReport, notes: list[str]) -> None:
    """What a sweep stopped part-way had committed: its usual lines now, its document
    with the error's (``ctx.partial``)."""
    done = _document(ctx, desk, report, notes)
    del done["dead_letters"], done["for_other_channels"]  # the outbox was not asked
    ctx.partial = lambda: done
    if not ctx.json:
        _say(ctx, report)


def _document(ctx: Ctx, desk: Desk, report: SweepReport, notes: list[str]) -> dict[str, Any]:
    """The ``--json`` document of a sweep's report."""
    return {
        "warnings": notes,
        "examined": report.examined,
        "escalated": [list(e) for e in report.escalated],
        "at_risk": report.at_risk,
        "regraded": list(report.regraded),
        "reported_late": report.reported_late,
        "duties_owed": report.duties_owed,
        "duties_at_risk": report.duties_at_risk,
        "duties_overdue": [list(d) for d in report.duties_overdue],
        "dead_letters": report.dead_letters,
        "for_other_channels": report.for_other_channels,
        "failed": [
            {"id": cid, "type": type(exc).__name__, "reason": ctx.tr.error(exc, desk.pack)}
            for cid, exc in report.failed
        ],
        "reprojected": list(report.reprojected),
    }


def _say(ctx: Ctx, report: SweepReport) -> None:
    pack = ctx.desk().pack
    if report.reprojected:
        ctx.say(
            ctx.n(
                "the rule pack, the calendar or complaintcore changed: {count} complaint's"
                " next sweep time rewritten first",
                "the rule pack, the calendar or complaintcore changed: {count} complaints'"
                " next sweep times rewritten first",
                len(report.reprojected),
            )
        )
    # report.escalated pairs a complaint with each deadline whose breach moved it up:
    # one escalation for a reply and a department result due together is two pairs
    escalated = len({complaint_id for complaint_id, _name in report.escalated})
    missed = len(report.escalated)
    counts = {
        "examined": report.examined,
        "escalated": escalated,
        "at_risk": report.at_risk,
        "regraded": len(report.regraded),
    }
    if missed == escalated:
        line = ctx.t(
            "examined {examined}; complaints escalated {escalated}; at-risk warnings"
            " {at_risk}; regraded {regraded}",
            **counts,
        )
    else:
        line = ctx.t(
            "examined {examined}; complaints escalated {escalated} (for {missed} missed"
            " deadlines); at-risk warnings {at_risk}; regraded {regraded}",
            missed=missed,
            **counts,
        )
    ctx.say(line)
    ctx.say(
        ctx.t(
            "duties: owed {owed}; at risk {at_risk}; overdue {overdue}",
            owed=report.duties_owed,
            at_risk=report.duties_at_risk,
            overdue=len(report.duties_overdue),
        )
    )
    for complaint_id, name in report.duties_overdue:
        ctx.say(
            "  "
            + ctx.t(
                "{id}: {duty} overdue",
                id=complaint_id,
                duty=ctx.tr.duty(name, pack),
            )
        )
