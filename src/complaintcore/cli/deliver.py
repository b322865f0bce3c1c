"""``complaintcore deliver``: send the outbox, once or in a loop (for cron or a service)."""

from __future__ import annotations

import time

import click

from complaintcore.cli.context import Ctx, json_option, now_option, pass_ctx
from complaintcore.i18n import N_

__all__ = ["deliver"]


@click.command(
    help=N_(
        "Send every due notification, each with a timeout, until the outbox is empty; "
        "--loop keeps at it."
    )
)
@click.option(
    "--loop",
    is_flag=True,
    help=N_("Keep delivering, a pass every --interval seconds, until interrupted."),
)
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 3600),
    default=30.0,
    show_default=True,
    help=N_("Seconds between passes with --loop."),
)
@json_option
@now_option
@pass_ctx
def deliver(ctx: Ctx, loop: bool, interval: float) -> None:
    desk = ctx.desk()
    if loop and ctx.json:
        raise click.UsageError(
            ctx.t("--json prints one document: it cannot be used with --loop"),
            click.get_current_context(),
        )
    while True:
        report = desk.deliver(ctx.now())
        if ctx.json:
            warnings = [ctx.dead_letter_warning(report.given_up)] if report.given_up else []
            ctx.emit(
                {
                    "sent": report.sent,
                    "failed": report.failed,
                    "dead_letters": report.given_up,
                    "for_other_channels": report.for_other_channels,
                    "warnings": warnings,
                }
            )
            return
        if not loop or report.sent or report.failed:
            ctx.say(
                ctx.t(
                    "sent {sent}; failed {failed} (kept for a retry)",
                    sent=report.sent,
                    failed=report.failed,
                )
            )
        if report.given_up and not loop:
            ctx.dead_letter_warning(report.given_up)
        if not loop:
            return
        time.sleep(interval)
