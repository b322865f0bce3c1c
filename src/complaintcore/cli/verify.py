"""``complaintcore verify``: check the event hash chain (tamper evidence, REC-5)."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.cli.errors import ExitCode
from complaintcore.cli.progress import progress

__all__ = ["verify"]


@click.command()
@json_option
@pass_ctx
def verify(ctx: Ctx) -> None:
    """Check the event hash chain (tamper evidence); exit 5 when it is broken."""
    desk = ctx.desk()
    with progress(ctx.t("progress_verify")):
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
            ctx.say(ctx.t("verify_ok", complaints=report.complaints, events=report.events))
        return
    if not ctx.json:
        click.echo(ctx.t("verify_bad"), err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
    message = ctx.t("verify_bad_count", count=len(report.problems))
    ctx.failed(ExitCode.STORE, "ChainBroken", message, document)
