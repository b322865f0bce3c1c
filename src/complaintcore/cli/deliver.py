"""``complaintcore deliver``: send the outbox, once or in a loop (for cron or a service)."""

from __future__ import annotations

import time

import click

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli.context import Ctx, json_option, now_option, pass_ctx
from complaintcore.cli.errors import one_line
from complaintcore.core.errors import SerializationError, StoreError
from complaintcore.i18n import N_

__all__ = ["RETRY_WAIT_CAP", "deliver", "retry_wait"]

RETRY_WAIT_CAP = 600.0
"""Seconds ``deliver --loop`` waits at most after transient store errors in a row
(unless ``--interval`` is longer)."""


def retry_wait(interval: float, failures: int) -> float:
    """Seconds to wait after ``failures`` passes in a row failed on a transient store
    error: ``interval``, doubled for each further one, at most :data:`RETRY_WAIT_CAP`
    (or ``interval`` when that is longer).  The loop never gives up on its own."""
    return min(interval * 2.0 ** min(failures - 1, 32), max(interval, RETRY_WAIT_CAP))


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
    # with --loop the desk opens inside the retry: a server unreachable as the
    # service starts is waited out as one lost later is (review s52R5 F03)
    desk = None if loop else ctx.desk()
    if loop and ctx.json:
        raise click.UsageError(
            ctx.t("--json prints one document: it cannot be used with --loop"),
            click.get_current_context(),
        )
    failures = 0  # passes in a row a transient store error stopped
    while True:
        try:
            if desk is None:
                desk = ctx.desk()
            if loop and isinstance(desk.store, SqliteStore):
                desk.store.check_file()  # a restore renamed in: stop (review s47F F02)
            report = desk.deliver(ctx.now())
        except (StoreError, SerializationError) as exc:
            if not loop or not _passes(ctx, exc):
                raise  # a missing, corrupt or newer database ends the service (exit 5)
            # a lock held past the timeout, a full disk: one line, the next pass later
            # (review s47F F05); so is a staff file saved half-way or with a mistake,
            # nothing sent meanwhile (review s48K F01)
            failures += 1
            wait = retry_wait(interval, failures)
            click.echo(
                ctx.t(
                    "warning: {message} (deliver --loop tries again in {seconds} s)",
                    message=one_line(exc, ctx.tr, ctx.pack()),
                    seconds=format(wait, "g"),
                ),
                err=True,
            )
            time.sleep(wait)
            continue
        failures = 0
        if ctx.json:
            warnings = [ctx.dead_letter_warning(report.given_up)] if report.given_up else []
            ctx.emit(
                {
                    "sent": report.sent,
                    "failed": report.failed,
                    "given_up": report.newly_given_up,
                    "dead_letters": report.given_up,
                    "for_other_channels": report.for_other_channels,
                    "warnings": warnings,
                }
            )
            return
        counts = {"sent": report.sent, "failed": report.failed}
        if report.newly_given_up:  # a dead letter now is not kept for a retry (review s48L F03)
            gave_up = ctx.t(
                "sent {sent}; failed {failed} (kept for a retry); given up {given_up}"
                " (dead letters now)",
                given_up=report.newly_given_up,
                **counts,
            )
            ctx.say(gave_up)
        elif not loop or report.sent or report.failed:
            ctx.say(ctx.t("sent {sent}; failed {failed} (kept for a retry)", **counts))
        if report.given_up and not loop:
            ctx.dead_letter_warning(report.given_up)
        if not loop:
            return
        time.sleep(interval)


def _passes(ctx: Ctx, exc: StoreError | SerializationError) -> bool:
    """An error ``deliver --loop`` waits out: a transient store error, or the
    desk's staff file, changed on disk, not loading (being written, or saved
    with a mistake someone will put right): the pass stops with no attempt
    spent, and the next reads the file again."""
    if isinstance(exc, StoreError):
        return exc.transient
    config = ctx.config
    return (
        config is not None
        and config.staff_file is not None
        and exc.what == config.resolve(config.staff_file)
    )
