"""``complaintcore verify``: check the event hash chain (tamper evidence, REC-5)."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.cli.errors import ExitCode
from complaintcore.cli.progress import progress
from complaintcore.i18n import N_

__all__ = ["verify"]


@click.command(help=N_("Check the event hash chain (tamper evidence); exit 5 when it is broken."))
@json_option
@pass_ctx
def verify(ctx: Ctx) -> None:
    desk = ctx.desk()
    with progress(ctx.t("verifying the hash chain")):
        report = desk.verify()
    document: dict[str, object] = {
        "ok": report.ok,
        "complaints": report.complaints,
        "events": report.events,
        "problems": list(report.problems),
    }
    if report.ok:
        if ctx.json:
            ctx.emit(document)
        else:
            ctx.say(
                ctx.t(
                    "hash chain verified: {complaints} complaints, {events} events",
                    complaints=report.complaints,
                    events=report.events,
                )
            )
        return
    if not ctx.json:
        click.echo(ctx.t("hash chain verification failed:"), err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
    message = ctx.n(
        "hash chain verification failed: {count} problem",
        "hash chain verification failed: {count} problems",
        len(report.problems),
    )
    ctx.failed(ExitCode.STORE, "ChainBroken", message, document)
