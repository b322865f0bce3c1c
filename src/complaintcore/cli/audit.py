"""``complaintcore audit``: the access log -- who saw which complaint's personal data."""

from __future__ import annotations

from datetime import datetime

import click

from complaintcore.cli.context import Ctx, DateTimeType, json_option, pass_ctx
from complaintcore.cli.fit import fitted_table, say_blocks
from complaintcore.i18n import N_

__all__ = ["audit"]


@click.command(
    help=N_(
        "List the access log: every unmasked view of a complaint's personal data, with "
        "who, when, which complaint and why."
    )
)
@click.option("--complaint", "complaint_id", default=None, help=N_("Only views of this complaint."))
@click.option("--actor", default=None, help=N_("Only views by this staff id."))
@click.option(
    "--since", type=DateTimeType(dates=True), default=None, help=N_("Only views at or after.")
)
@click.option("--until", type=DateTimeType(dates=True), default=None, help=N_("Only views before."))
@click.option(
    "--limit",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help=N_("At most this many views (default: all)."),
)
@json_option
@pass_ctx
def audit(
    ctx: Ctx,
    complaint_id: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
) -> None:
    desk = ctx.desk()
    staff = desk.member(actor) if actor else None
    records = desk.access_log(
        complaint_id=complaint_id,
        actor=staff.staff_id if staff is not None else actor,
        since=ctx.at(since) if since else None,
        until=ctx.at(until) if until else None,
        limit=limit,
    )
    if ctx.json:
        ctx.emit(
            [
                {
                    "id": r.id,
                    "at": r.at.astimezone(desk.zone).isoformat(),  # as the table (s49O)
                    "actor": r.actor,
                    "complaint_id": r.complaint_id,
                    "purpose": r.purpose,
                    "via": r.via,
                    "os_user": r.os_user,
                }
                for r in records
            ]
        )
        return
    if not records:
        ctx.say(ctx.t("no views recorded"))
        return
    headings = [
        ctx.t("when"), ctx.t("actor"), ctx.t("complaint"), ctx.t("purpose"), ctx.t("how"),
        ctx.t("system user"),
    ]  # fmt: skip
    zone = desk.zone
    rows = [
        [
            r.at.astimezone(zone).isoformat(timespec="minutes"),
            r.actor,
            r.complaint_id,
            r.purpose or "-",
            r.via or "-",
            r.os_user or "-",
        ]
        for r in records
    ]
    # the time, the staff id and the complaint id whole (what the log is read for,
    # review s34D F04); the rest wraps, or one block per view when it cannot
    table = fitted_table(headings, rows, ctx.out.width, flexible=(3, 4, 5))
    if table is None:
        say_blocks(ctx.out, headings, rows)
    else:
        ctx.say(table)
