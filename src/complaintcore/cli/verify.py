"""``complaintcore verify``: check the chains, the ledger and every projection (REC-5)."""

from __future__ import annotations

import click

from complaintcore.adapters.ledger import parse_head
from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.cli.errors import ExitCode
from complaintcore.cli.progress import progress
from complaintcore.core.errors import InvalidInputError
from complaintcore.i18n import N_

__all__ = ["verify"]


@click.command(
    help=N_(
        "Check the hash chains, the ledger of every commit, the outbox and every projection "
        "(tamper evidence); exit 5 when anything was changed behind the library's back."
    )
)
@click.option(
    "--head",
    "head_only",
    is_flag=True,
    help=N_("Print only the ledger's head (after a clean check), to keep it somewhere safe."),
)
@click.option(
    "--expect",
    default=None,
    metavar="HEAD",
    help=N_("A head printed earlier by --head: prove nothing committed up to it was rewritten."),
)
@json_option
@pass_ctx
def verify(ctx: Ctx, head_only: bool, expect: str | None) -> None:
    if expect is not None:
        try:
            parse_head(expect)
        except InvalidInputError:
            raise click.BadParameter(
                ctx.t("expected a ledger head 'seq:hash' as 'verify --head' prints it"),
                param_hint="'--expect'",
            ) from None
    desk = ctx.desk()
    with progress(ctx.t("verifying the hash chain")):
        report = desk.verify(ctx.now(), expect=expect)
    document: dict[str, object] = {
        "ok": report.ok,
        "complaints": report.complaints,
        "events": report.events,
        "problems": list(report.problems),
        "head": report.head,
    }
    if report.ok:
        if ctx.json:
            ctx.emit(document)
        elif head_only:
            ctx.say(report.head)
        else:
            ctx.say(
                ctx.t(
                    "hash chain verified: {complaints} complaints, {events} events",
                    complaints=report.complaints,
                    events=report.events,
                )
            )
            ctx.say(ctx.t("ledger head: {head}", head=report.head))
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
