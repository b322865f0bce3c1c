"""``complaintcore list`` and ``show``: what is on the desk, and one complaint in full."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table
from rich.text import Text

from complaintcore.cli.context import Ctx, enum_choice, json_option, pass_ctx
from complaintcore.core.models import Grade, Status

__all__ = ["MAX_LIMIT", "list_", "show"]

MAX_LIMIT = 1_000_000

_COLUMNS = (
    "col_id",
    "col_status",
    "col_grade",
    "col_category",
    "col_department",
    "col_site",
    "col_handler",
    "col_received",
    "col_next_due",
)


@click.command("list")
@click.option("--status", type=enum_choice(Status), default=None)
@click.option("--grade", type=enum_choice(Grade), default=None)
@click.option("--site", default=None)
@click.option("--department", default=None)
@click.option("--overdue", is_flag=True, help="Only complaints with a deadline past due.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=200, show_default=True)
@json_option
@pass_ctx
def list_(
    ctx: Ctx,
    status: str | None,
    grade: str | None,
    site: str | None,
    department: str | None,
    overdue: bool,
    limit: int,
) -> None:
    """List complaints (most urgent first with --overdue)."""
    desk = ctx.desk()
    now = ctx.now()
    rows = desk.rows(
        status=status,
        grade=grade,
        site=site,
        department=department,
        due_before=now if overdue else None,
        limit=limit,
    )
    if overdue:
        rows = [r for r in rows if any(s.is_breached for s in desk.clocks(r.id, now))]
    if ctx.json:
        from complaintcore.serialization import to_dict

        ctx.emit([to_dict(r) for r in rows])
        return
    if not rows:
        ctx.say(ctx.t("none"))
        return
    table = Table(*(ctx.t(key) for key in _COLUMNS))
    for r in rows:
        table.add_row(
            r.id,
            r.status,
            r.grade or "-",
            r.category or "-",
            r.department or "-",
            r.site or "-",
            r.handler or "-",
            r.received_at.isoformat(timespec="minutes"),
            r.next_due.isoformat(timespec="minutes") if r.next_due else "-",
        )
    ctx.say(table)


@click.command()
@click.argument("complaint_id")
@click.option(
    "--as",
    "viewer",
    default=None,
    help="Show as this staff member sees it (personal data masked if they need not see it).",
)
@json_option
@pass_ctx
def show(ctx: Ctx, complaint_id: str, viewer: str | None) -> None:
    """A complaint's timeline and every clock with its derivation.

    Personal data is masked (PRV-1) unless ``--as`` names staff entitled to it.
    """
    from complaintcore.desk import masked_record
    from complaintcore.serialization import complaint_to_dict

    desk = ctx.desk()
    now = ctx.now()
    complaint = desk.get(complaint_id)
    if viewer:
        data = desk.view(complaint_id, viewer)
    else:
        data = masked_record(complaint_to_dict(complaint))
    clocks = desk.clocks(complaint_id, now)
    if ctx.json:
        data["state"] = {
            "status": complaint.state.status.value,
            "rung": complaint.state.rung,
            "grade": complaint.state.grade.value if complaint.state.grade else None,
        }
        data["clocks"] = [
            {
                "name": s.name,
                "rule": s.rule,
                "state": s.state.value,
                "due": s.due.isoformat() if s.due else None,
                "derivation": list(s.derivation),
            }
            for s in clocks
        ]
        ctx.emit(data)
        return
    person = data["intake"]["complainant"]
    s = complaint.state
    ctx.say(
        Text.assemble(
            (complaint.id, "bold"),
            f"  {s.status.label(ctx.lang)}  "
            f"{s.grade.label(ctx.lang) if s.grade else '-'}  {s.category or '-'}",
        )
    )
    ctx.say(f"{person['name']} {person['phone']} {person['room']}  {data['intake']['summary']}")
    table = Table(
        ctx.t("col_when"),
        ctx.t("col_event"),
        ctx.t("col_actor"),
        ctx.t("col_detail"),
        title=ctx.t("timeline"),
    )
    for event in data["events"]:
        table.add_row(event["at"][:16], event["type"], event["actor"], _event_detail(event))
    ctx.say(table)
    ctx.say_bold(ctx.t("clocks"))
    for st in clocks:
        due = st.due.isoformat(timespec="minutes") if st.due else "-"
        line = ctx.t(
            "clock_line", name=st.name, rule=st.rule, state=st.state.label(ctx.lang), due=due
        )
        ctx.say(line)
        for derivation in st.derivation:
            ctx.say(f"    {derivation}")


def _event_detail(data: dict[str, Any]) -> str:
    skip = {"type", "at", "actor"}
    return ", ".join(
        f"{k}={v}" for k, v in data.items() if k not in skip and v not in ("", [], None)
    )
