"""``complaintcore sweep``: apply what the deadlines call for (for cron)."""

from __future__ import annotations

from datetime import timedelta

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.i18n import N_

__all__ = ["sweep"]


@click.command(help=N_("Apply what deadlines call for (for cron); exits non-zero only on error."))
@json_option
@pass_ctx
def sweep(ctx: Ctx) -> None:
    now = ctx.now()
    # deadlines swept now reach a month or so ahead (the one-month upgrade, DL-6)
    notes = ctx.calendar_notes(now, now + timedelta(days=62))
    report = ctx.desk().sweep(now)
    ctx.deliver_after()
    if ctx.json:
        ctx.emit(
            {
                "warnings": notes,
                "examined": report.examined,
                "escalated": [list(e) for e in report.escalated],
                "at_risk": report.at_risk,
                "regraded": list(report.regraded),
                "reported_late": report.reported_late,
            }
        )
        return
    ctx.say(
        ctx.t(
            "examined {examined}; escalated {escalated}; at-risk warnings {at_risk}; "
            "regraded {regraded}",
            examined=report.examined,
            escalated=len(report.escalated),
            at_risk=report.at_risk,
            regraded=len(report.regraded),
        )
    )
