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
    Ctx,
    DateTimeType,
    enum_choice,
    json_option,
    pass_ctx,
    year_range,
)
from complaintcore.cli.errors import ExitCode, NotFoundError
from complaintcore.cli.progress import progress
from complaintcore.core.errors import (
    ComplaintCoreError,
    IncompleteRecordError,
    InvalidInputError,
)
from complaintcore.core.models import Channel
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint, Intake
    from complaintcore.core.rulepack import RulePack

__all__ = ["FIELDS", "complaint_summary", "receive", "say_issue"]

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
    "occurred_at",
    "receiver",
    "receiver_unit",
    "location",
    "account",
    "idempotency_key",
    "target_staff_id",
    "target_rung",
    "via_head_office",
)
"""The columns of a bulk file (and the flags of a single receipt)."""

_YES, _NO = ("true", "1", "yes"), ("false", "0", "no", "")


def complaint_summary(c: Complaint, pack: RulePack | None = None) -> dict[str, object]:
    """A complaint's identity and standing, for ``--json`` results.

    With a staged ``pack`` (``[[stages]]``) also its ``stage``, the stage's
    ``outcome`` and whether intake flagged it ``time_barred``.
    """
    s = c.state
    staged: dict[str, object] = {}
    if pack is not None and pack.stages:
        staged = {
            "stage": pack.stage(s.stage).code,
            "outcome": s.outcome.value if s.outcome else None,
            "time_barred": s.time_barred,
        }
    return {
        "id": c.id,
        "status": s.status.value,
        "grade": s.grade.value if s.grade else None,
        "category": s.category,
        "department": s.department,
        "handler": s.handler,
        "rung": s.rung,
        "issue": s.issue or None,
        "group_incident": s.group_incident,
        "version": c.version,
        **staged,
    }


def _row_time(ctx: Ctx, text: str, default: datetime, key: str = "received_at") -> datetime:
    """A file's ``received_at`` cell, held to the same rules as ``--received-at``."""
    if not text:
        return default
    try:
        value = DateTimeType().convert(text, None, None)
    except click.BadParameter:
        reason = ctx.t("expected an ISO date-time like 2025-11-14T17:30")
        if text.isascii():
            try:
                datetime.fromisoformat(text)
                reason = year_range(ctx.tr)
            except ValueError:
                pass
        raise InvalidInputError(key, reason) from None
    return ctx.at(value)


def _intake_from_row(ctx: Ctx, row: Mapping[str, Any], default_time: datetime) -> Intake:
    """One row as an intake; REC-1 completeness is checked when the desk registers it."""
    from complaintcore.core.models import Complainant, Intake, TargetPerson

    unknown = sorted(k for k in row if k not in FIELDS and k)
    if unknown:
        raise InvalidInputError(unknown[0], ctx.t("unknown column"))

    def text(key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidInputError(key, ctx.t("must be text"))
        return str(value).strip()

    def flag(key: str) -> bool:
        value = row.get(key)
        if isinstance(value, bool):
            return value
        word = text(key).lower()
        if word not in _YES + _NO:
            raise InvalidInputError(key, ctx.t("expected true or false"))
        return word in _YES

    received_at = _row_time(ctx, text("received_at"), default_time)
    occurred_at = _row_time(ctx, text("occurred_at"), received_at, "occurred_at")
    target = None
    if text("target_staff_id"):
        target = TargetPerson(staff_id=text("target_staff_id"), rung=text("target_rung"))
    return Intake(
        complainant=Complainant(
            text("name"), text("phone"), text("room"), text("building"), text("site")
        ),
        channel=text("channel") or "phone",
        received_at=received_at,
        occurred_at=occurred_at if text("occurred_at") else None,
        receiver=text("receiver"),
        receiver_unit=text("receiver_unit") or "customer_service",
        summary=text("summary"),
        description=text("description"),
        site=text("site"),
        location=text("location"),
        account=text("account"),
        target=target,
        idempotency_key=text("idempotency_key"),
        via_head_office=flag("via_head_office"),
    )


def _reason(ctx: Ctx, exc: BaseException) -> str:
    """Why a row was rejected, in the run's language."""
    if isinstance(exc, IncompleteRecordError):
        return ctx.t("; ").join(ctx.tr.problem(p.path, p.reason) for p in exc.problems)
    return " ".join(ctx.tr.error(exc, ctx.pack()).split())


def _rows(ctx: Ctx, path: Path) -> Iterator[tuple[int, Mapping[str, Any] | Exception]]:
    """Stream rows of a JSONL or CSV file with their line numbers."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() == ".csv":
                reader = csv.DictReader(fh)
                for number, record in enumerate(reader, start=2):
                    if None in record:
                        yield (
                            number,
                            InvalidInputError("row", ctx.t("more cells than the header has")),
                        )
                        continue
                    yield number, record
                return
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    why = exc.msg if isinstance(exc, json.JSONDecodeError) else ctx.t("too deep")
                    yield number, InvalidInputError("line", ctx.t("not JSON ({why})", why=why))
                    continue
                if not isinstance(data, dict):
                    yield number, InvalidInputError("line", ctx.t("must be a JSON object"))
                    continue
                yield number, data
    except UnicodeDecodeError:
        raise InvalidInputError("file", ctx.t("is not UTF-8 text (save it as CSV UTF-8)")) from None


@click.command(help=N_("Receive one complaint from flags, or many from --file."))
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help=N_("Bulk import: a JSONL or CSV file, one complaint per row."),
)
@click.option("--name", default="")
@click.option("--phone", default="")
@click.option("--room", default="")
@click.option("--building", default="")
@click.option("--site", default="")
@click.option("--channel", type=enum_choice(Channel), default="phone", show_default=True)
@click.option("--summary", default="")
@click.option("--description", default="")
@click.option("--receiver", default="", help=N_("Staff id of whoever took the complaint."))
@click.option("--receiver-unit", default="customer_service", show_default=True)
@click.option("--received-at", type=DateTimeType(), default=None, help=N_("Default: now."))
@click.option(
    "--occurred-at",
    type=DateTimeType(),
    default=None,
    help=N_("When the issue arose (the pack's time limit counts from it)."),
)
@click.option("--key", "idempotency_key", default="", help=N_("Idempotency key."))
@click.option("--target-staff-id", default="", help=N_("Staff member the complaint is about."))
@click.option("--target-rung", default="")
@click.option(
    "--via-head-office",
    is_flag=True,
    help=N_(
        "Made straight to head office, bypassing the site (IN-6): head office keeps it "
        "until the complainant consents to the site handling it."
    ),
)
@click.option("--no-route", is_flag=True, help=N_("Register without assigning a handler."))
@json_option
@pass_ctx
def receive(ctx: Ctx, /, file: str | None, no_route: bool, **fields: Any) -> None:
    if file is not None:
        _receive_file(ctx, Path(file), route=not no_route)
        return
    desk = ctx.desk()
    now = ctx.now()
    c = desk.receive(_intake_from_row(ctx, fields, now), now=now, route=not no_route)
    if ctx.json:
        ctx.emit(complaint_summary(c, desk.pack))
        return
    category = ctx.tr.category(c.state.category, desk.pack) if c.state.category else "-"
    ctx.say(
        ctx.t(
            "received {id}: {category} → {handler}",
            id=c.id,
            category=category,
            handler=c.state.handler or "-",
        )
    )
    say_issue(ctx, c)
    bar = desk.pack.time_bar
    if c.state.time_barred and bar is not None:
        ctx.say(
            ctx.t(
                "flagged: the issue arose more than {limit} before receipt ({rule})",
                limit=ctx.tr.length(bar.after),
                rule=bar.rule,
            )
        )


def say_issue(ctx: Ctx, c: Complaint) -> None:
    """A line on the concentrated issue (HDL-5) or group incident (HDL-6) it belongs to."""
    if c.state.group_incident:
        ctx.say(ctx.t("group incident {issue}: reported at once (HDL-6)", issue=c.state.issue))
    elif c.state.issue:
        ctx.say(ctx.t("concentrated issue {issue} (HDL-5)", issue=c.state.issue))


def _receive_file(ctx: Ctx, path: Path, *, route: bool) -> None:
    if not path.is_file():
        raise NotFoundError("--file", ctx.t("no file at {path}", path=path))
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise InvalidInputError("--file", ctx.t("expected a .jsonl or .csv file"))
    desk = ctx.desk()
    now = ctx.now()
    with path.open("rb") as counting:  # a cheap streaming pass for the progress total
        total = sum(1 for _ in counting)
    numbers: deque[int] = deque()
    ids: list[str] = []
    received = 0
    rejected: list[dict[str, object]] = []

    def reject(number: int, exc: BaseException) -> None:
        reason = _reason(ctx, exc)
        rejected.append({"row": number, "reason": reason})
        if not ctx.json:
            click.echo(ctx.t("row {row} rejected: {reason}", row=number, reason=reason), err=True)

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

    with progress(ctx.t("importing"), total=total) as step:
        for result in desk.receive_many(intakes(), now=now, route=route):
            number = numbers.popleft()
            if isinstance(result, ComplaintCoreError):
                reject(number, result)
            else:
                received += 1
                if ctx.json:
                    ids.append(result.id)
            step(number, total)
    summary = ctx.t("imported {ok} rows, rejected {bad}", ok=received, bad=len(rejected))
    document: dict[str, object] = {"received": received, "rejected": rejected, "ids": ids}
    if not ctx.json:
        ctx.say(summary)
    if rejected:
        ctx.failed(ExitCode.REFUSED, "RowsRejected", summary, document)
    if ctx.json:
        ctx.emit(document)
