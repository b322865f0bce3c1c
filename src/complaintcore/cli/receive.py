"""``complaintcore receive``: one complaint from flags, or a stream from a CSV/JSONL file."""

from __future__ import annotations

import csv
import json
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from complaintcore.cli.context import (
    FIRST_YEAR,
    LAST_YEAR,
    Ctx,
    DateTimeType,
    enum_choice,
    json_option,
    pass_ctx,
)
from complaintcore.cli.errors import ExitCode, NotFoundError
from complaintcore.cli.progress import progress
from complaintcore.core.errors import (
    ComplaintCoreError,
    IncompleteRecordError,
    InvalidInputError,
)
from complaintcore.core.models import Channel

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint, Intake

__all__ = ["FIELDS", "complaint_summary", "receive"]

FIELDS = (
    "name",
    "phone",
    "room",
    "building",
    "site",
    "channel",
    "summary",
    "description",
    "received_at",
    "receiver",
    "receiver_unit",
    "location",
    "account",
    "idempotency_key",
    "target_staff_id",
    "target_rung",
)
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


def _row_time(ctx: Ctx, text: str, default: datetime) -> datetime:
    """A file's ``received_at`` cell, held to the same rules as ``--received-at``."""
    if not text:
        return default
    try:
        value = DateTimeType().convert(text, None, None)
    except click.BadParameter:
        reason = ctx.t("bad_time")
        if text.isascii():
            try:
                datetime.fromisoformat(text)
                reason = ctx.t("time_range", first=FIRST_YEAR, last=LAST_YEAR)
            except ValueError:
                pass
        raise InvalidInputError("received_at", reason) from None
    return ctx.at(value)


def _intake_from_row(ctx: Ctx, row: Mapping[str, Any], default_time: datetime) -> Intake:
    """One row as an intake; REC-1 completeness is checked when the desk registers it."""
    from complaintcore.core.models import Complainant, Intake, TargetPerson

    unknown = sorted(k for k in row if k not in FIELDS and k)
    if unknown:
        raise InvalidInputError(unknown[0], ctx.t("unknown_column"))

    def text(key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidInputError(key, ctx.t("must_be_text"))
        return str(value).strip()

    target = None
    if text("target_staff_id"):
        target = TargetPerson(staff_id=text("target_staff_id"), rung=text("target_rung"))
    return Intake(
        complainant=Complainant(
            text("name"), text("phone"), text("room"), text("building"), text("site")
        ),
        channel=text("channel") or "phone",
        received_at=_row_time(ctx, text("received_at"), default_time),
        receiver=text("receiver"),
        receiver_unit=text("receiver_unit") or "customer_service",
        summary=text("summary"),
        description=text("description"),
        site=text("site"),
        location=text("location"),
        account=text("account"),
        target=target,
        idempotency_key=text("idempotency_key"),
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, IncompleteRecordError):
        return "; ".join(str(p) for p in exc.problems)
    return " ".join(str(exc).split())


def _rows(ctx: Ctx, path: Path) -> Iterator[tuple[int, Mapping[str, Any] | Exception]]:
    """Stream rows of a JSONL or CSV file with their line numbers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() == ".csv":
                reader = csv.DictReader(fh)
                for number, record in enumerate(reader, start=2):
                    if None in record:
                        yield number, InvalidInputError("row", ctx.t("more_cells"))
                        continue
                    yield number, record
                return
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    why = exc.msg if isinstance(exc, json.JSONDecodeError) else "too deep"
                    yield number, InvalidInputError("line", ctx.t("not_json", why=why))
                    continue
                if not isinstance(data, dict):
                    yield number, InvalidInputError("line", ctx.t("not_object"))
                    continue
                yield number, data
    except UnicodeDecodeError:
        raise InvalidInputError("file", ctx.t("not_utf8")) from None


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
@click.option("--target-rung", default="")
@click.option("--no-route", is_flag=True, help="Register without assigning a handler.")
@json_option
@pass_ctx
def receive(ctx: Ctx, /, file: str | None, no_route: bool, **fields: Any) -> None:
    """Receive one complaint from flags, or many from --file."""
    if file is not None:
        _receive_file(ctx, Path(file), route=not no_route)
        return
    desk = ctx.desk()
    now = ctx.now()
    c = desk.receive(_intake_from_row(ctx, fields, now), now=now, route=not no_route)
    if ctx.json:
        ctx.emit(complaint_summary(c))
        return
    ctx.say(
        ctx.t("received", id=c.id, category=c.state.category or "-", handler=c.state.handler or "-")
    )


def _receive_file(ctx: Ctx, path: Path, *, route: bool) -> None:
    if not path.is_file():
        raise NotFoundError("--file", ctx.t("no_file", path=path))
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise InvalidInputError("--file", ctx.t("not_jsonl_csv"))
    desk = ctx.desk()
    now = ctx.now()
    with path.open("rb") as counting:  # a cheap streaming pass for the progress total
        total = sum(1 for _ in counting)
    numbers: deque[int] = deque()
    ids: list[str] = []
    received = 0
    rejected: list[dict[str, object]] = []

    def reject(number: int, exc: BaseException) -> None:
        rejected.append({"row": number, "reason": _reason(exc)})
        if not ctx.json:
            click.echo(ctx.t("rejected", row=number, reason=_reason(exc)), err=True)

    def intakes() -> Iterator[Intake]:
        for number, row in _rows(ctx, path):
            try:
                if isinstance(row, Exception):
                    raise row
                intake = _intake_from_row(ctx, row, now)
            except ComplaintCoreError as exc:  # a malformed row: report it, keep going
                reject(number, exc)
                continue
            numbers.append(number)
            yield intake

    with progress(ctx.t("progress_receive"), total=total) as step:
        for result in desk.receive_many(intakes(), now=now, route=route):
            number = numbers.popleft()
            if isinstance(result, ComplaintCoreError):
                reject(number, result)
            else:
                received += 1
                if ctx.json:
                    ids.append(result.id)
            step(number, total)
    summary = ctx.t("imported", ok=received, bad=len(rejected))
    document: dict[str, object] = {"received": received, "rejected": rejected, "ids": ids}
    if not ctx.json:
        ctx.say(summary)
    if rejected:
        ctx.failed(ExitCode.REFUSED, "RowsRejected", summary, document)
    if ctx.json:
        ctx.emit(document)
