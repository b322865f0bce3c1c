"""``complaintcore receive``: one complaint from flags, or a stream from a CSV/JSONL file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from complaintcore.cli.context import Ctx, DateTimeType, enum_choice, json_option, pass_ctx
from complaintcore.cli.errors import ExitCode, NotFoundError
from complaintcore.cli.progress import progress
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Channel
from complaintcore.desk.importer import ENCODINGS
from complaintcore.desk.importer import FIELDS as _FIELDS

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint, Intake

__all__ = ["FIELDS", "complaint_summary", "receive"]

FIELDS = _FIELDS
"""The columns of a bulk file (and the flags of a single receipt)."""


def complaint_summary(c: Complaint) -> dict[str, object]:
    """A complaint's identity and standing, for ``--json`` results."""
    s = c.state
    return {
        "id": c.id,
        "status": s.status.value,
        "grade": s.grade.value if s.grade else None,
        "category": s.category,
        "department": s.department,
        "handler": s.handler,
        "rung": s.rung,
        "version": c.version,
    }


def _intake_from_flags(ctx: Ctx, fields: Mapping[str, Any], now: datetime) -> Intake:
    """The flags of a single receipt as an intake, read as a bulk file's row is."""
    from complaintcore.desk.importer import intake_from_row

    row = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
    return intake_from_row(row, default_time=now, zone=ctx.zone())


@click.command()
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help="Bulk import: a JSONL or CSV file, one complaint per row.",
)
@click.option("--name", default="")
@click.option("--phone", default="")
@click.option("--room", default="")
@click.option("--building", default="")
@click.option("--site", default="")
@click.option("--channel", type=enum_choice(Channel), default="phone", show_default=True)
@click.option("--summary", default="")
@click.option("--description", default="")
@click.option("--receiver", default="", help="Staff id of whoever took the complaint.")
@click.option("--receiver-unit", default="customer_service", show_default=True)
@click.option("--received-at", type=DateTimeType(), default=None, help="Default: now.")
@click.option("--key", "idempotency_key", default="", help="Idempotency key.")
@click.option("--target-staff-id", default="", help="Staff member the complaint is about.")
@click.option("--target-rung", default="", help="Ignored: the rung is the staff directory's.")
@click.option("--no-route", is_flag=True, help="Register without assigning a handler.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS, case_sensitive=False),
    default=None,
    help="The --file's encoding  [default: detected].",
)
@json_option
@pass_ctx
def receive(
    ctx: Ctx, /, file: str | None, no_route: bool, encoding: str | None, **fields: Any
) -> None:
    """Receive one complaint from flags, or many from --file."""
    if file is not None:
        _receive_file(ctx, Path(file), route=not no_route, encoding=encoding)
        return
    desk = ctx.desk()
    now = ctx.now()
    c = desk.receive(_intake_from_flags(ctx, fields, now), now=now, route=not no_route)
    ctx.deliver_after()
    if ctx.json:
        ctx.emit(complaint_summary(c))
        return
    ctx.say(
        ctx.t("received", id=c.id, category=c.state.category or "-", handler=c.state.handler or "-")
    )


def _receive_file(ctx: Ctx, path: Path, *, route: bool, encoding: str | None) -> None:
    """Every row stored, a duplicate, or rejected: one line each, then the counts."""
    from complaintcore.desk.importer import FileImport

    if not path.is_file():
        raise NotFoundError("--file", ctx.t("no_file", path=path))
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise InvalidInputError("--file", ctx.t("not_jsonl_csv"))
    desk = ctx.desk()
    run = FileImport(desk, path, now=ctx.now(), encoding=encoding and encoding.lower(), route=route)
    with path.open("rb") as counting:  # a cheap streaming pass for the progress total
        total = sum(1 for _ in counting)
    rows: list[dict[str, object]] = []
    with progress(ctx.t("progress_receive"), total=total) as step:
        for result in run:
            if result.outcome == "rejected":
                text = ctx.t("row_rejected", line=result.line, reason=result.reason)
                rows.append({"line": result.line, "outcome": "rejected", "reason": result.reason})
            else:
                key = "row_stored" if result.outcome == "stored" else "row_duplicate"
                text = ctx.t(key, line=result.line, id=result.complaint_id)
                rows.append(
                    {"line": result.line, "outcome": result.outcome, "id": result.complaint_id}
                )
            if not ctx.json:
                ctx.say(text)
            step(result.line, total)
    done = run.summary
    summary = ctx.t(
        "imported",
        stored=done.stored,
        duplicated=done.duplicated,
        rejected=done.rejected,
        rows=done.rows,
        encoding=done.encoding,
    )
    rejected = [
        {"row": r["line"], "line": r["line"], "reason": r["reason"]}
        for r in rows
        if r["outcome"] == "rejected"
    ]
    document: dict[str, object] = {
        "stored": done.stored,
        "duplicated": done.duplicated,
        "received": done.stored + done.duplicated,
        "rejected": rejected,
        "ids": [r["id"] for r in rows if r["outcome"] != "rejected"],
        "rows": rows,
        "encoding": done.encoding,
    }
    if not ctx.json:
        ctx.say(summary)
    ctx.deliver_after()
    if done.rejected:
        ctx.failed(ExitCode.REFUSED, "RowsRejected", summary, document)
    if ctx.json:
        ctx.emit(document)
