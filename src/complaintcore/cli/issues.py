"""``complaintcore explain-all``: one unified explanation for a concentrated issue (HDL-5)."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, now_option, pass_ctx, without_helpers_option
from complaintcore.cli.errors import ExitCode
from complaintcore.cli.ids import COMPLAINT_ID
from complaintcore.i18n import N_

__all__ = ["explain_all"]


@click.command(
    "explain-all",
    help=N_(
        "Give every open complaint of a concentrated issue one unified explanation "
        "(HDL-5); each complaint's own clocks are met as if answered alone.\n\n"
        "Exit status 1 when some complaints refused it (listed); the others keep it."
    ),
)
@click.argument("issue", type=COMPLAINT_ID)
@click.option("--actor", required=True, help=N_("Staff id of whoever acts."))
@click.option("--message", required=True, help=N_("The explanation given to everyone."))
@click.option("--final", is_flag=True, help=N_("The explanation is the final result."))
@click.option(
    "--checked-names",
    is_flag=True,
    help=N_(
        "A person has checked that the message names no complainant of the issue: "
        "give it although a word in it matches a member's name, phone or room "
        "(PRV-1)."
    ),
)
@without_helpers_option
@json_option
@now_option
@pass_ctx
def explain_all(
    ctx: Ctx,
    issue: str,
    actor: str,
    message: str,
    final: bool,
    checked_names: bool,
    without_helpers: bool,
) -> None:
    desk = ctx.desk()
    ctx.check_identity(actor, issue, "reply")
    result = desk.explain_all(
        issue,
        actor=actor,
        message=message,
        now=ctx.now(),
        final=final,
        without_helpers=without_helpers,
        member_data_checked=checked_names,
    )
    pack = desk.pack
    skipped = [
        {"id": cid, "type": type(exc).__name__, "reason": ctx.tr.error(exc, pack)}
        for cid, exc in result.skipped
    ]
    document: dict[str, object] = {
        "issue": result.issue,
        "done": list(result.done),
        "skipped": skipped,
    }
    summary = ctx.t(
        "explained {issue} to {done} complaints; {skipped} refused",
        issue=issue,
        done=len(result.done),
        skipped=len(result.skipped),
    )
    if not ctx.json:
        ctx.say(summary)
        for complaint_id in result.done:
            ctx.say("  " + ctx.t("{id}: explained", id=complaint_id))
        for item in skipped:
            click.echo(ctx.t("{id}: {reason}", id=item["id"], reason=item["reason"]), err=True)
    if result.skipped:
        ctx.failed(ExitCode.REFUSED, "ComplaintsSkipped", summary, document)
    if ctx.json:
        ctx.emit(document)
