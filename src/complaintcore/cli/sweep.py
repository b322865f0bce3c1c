"""``complaintcore sweep``: apply what the deadlines call for (for cron)."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx

__all__ = ["sweep"]


@click.command()
@json_option
@pass_ctx
def sweep(ctx: Ctx) -> None:
    """Apply what deadlines call for (for cron); exits non-zero only on error."""
    report = ctx.desk().sweep(ctx.now())
    if ctx.json:
        ctx.emit(
            {
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
            "swept",
            examined=report.examined,
            escalated=len(report.escalated),
            at_risk=report.at_risk,
            regraded=len(report.regraded),
        )
    )
