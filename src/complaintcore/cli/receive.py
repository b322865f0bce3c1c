"""``complaintcore receive``: one complaint from flags, or a stream from a CSV/JSONL file."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from complaintcore.cli.context import (
    Ctx,
    DateTimeType,
    Streamed,
    enum_choice,
    json_option,
    now_option,
    os_user,
    pass_ctx,
)
from complaintcore.cli.errors import ExitCode, NotFoundError
from complaintcore.cli.progress import progress
from complaintcore.core.errors import (
    IncompleteRecordError,
    InvalidInputError,
    MembersLeftUnlinkedError,
    shown_id,
    shown_issue,
)
from complaintcore.core.models import Channel, Kind, Status
from complaintcore.core.validity import Clear, five_clears, suggested_kind
from complaintcore.desk.importer import ENCODINGS, RowResult
from complaintcore.desk.importer import FIELDS as _FIELDS
from complaintcore.desk.ports import AccessRecord
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint, Intake
    from complaintcore.core.rulepack import RulePack
    from complaintcore.desk.importer import ImportSummary

__all__ = ["FIELDS", "complaint_summary", "receive", "say_issue"]

FIELDS = _FIELDS
"""The columns of a bulk file (and the flags of a single receipt)."""


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


def _intake_from_flags(ctx: Ctx, fields: Mapping[str, Any], now: datetime) -> Intake:
    """The flags of a single receipt as an intake, read as a bulk file's row is."""
    from complaintcore.desk.importer import intake_from_row

    row = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
    pack = ctx.desk().pack
    return intake_from_row(row, default_time=now, zone=ctx.zone(), room_style=pack.room_style)


def _receiver_unit(ctx: Ctx, unit: str, receiver: str) -> str:
    """``--receiver-unit`` as a code: a code or its label, as ``forward --to`` takes it,
    an unknown one refused under the option's name listing the codes with their
    labels (review s51R1 F06).  The receiver's own department is kept as the desk
    keeps it, a unit of the pack or not (IN-2)."""
    member = ctx.desk().member(receiver) if unit and receiver else None
    if member is not None and unit == member.department:
        return unit
    return ctx.code("unit", unit, "--receiver-unit")


def _reason(ctx: Ctx, exc: BaseException) -> str:
    """Why a row was rejected, in the run's language (never a cell's value)."""
    if isinstance(exc, IncompleteRecordError):
        return ctx.t("; ").join(ctx.tr.problem(p.path, p.reason) for p in exc.problems)
    return " ".join(ctx.tr.error(exc, ctx.pack()).split())


@click.command(help=N_("Receive one complaint from flags, or many from --file."))
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    help=N_("Bulk import: a JSONL or CSV file, one complaint per row."),
)
@click.option("--name", default="", help=N_("The complainant's name (REC-1)."))
@click.option("--phone", default="", help=N_("The complainant's contact phone (REC-1)."))
@click.option("--room", default="", help=N_("The room or unit number, e.g. 3-2-1201 (REC-1)."))
@click.option("--building", default="", help=N_("The building, e.g. block 3 (HDL-5 groups by it)."))
@click.option("--site", default="", help=N_("The site (estate or project) it concerns."))
@click.option(
    "--channel",
    type=enum_choice(Channel),
    default="phone",
    show_default=True,
    help=N_("How it arrived (IN-1): a code or its label."),
)
@click.option("--summary", default="", help=N_("A summary of the complaint (REC-1)."))
@click.option("--description", default="", help=N_("The complaint in full (REC-2)."))
@click.option(
    "--location", default="", help=N_("Where it happened, e.g. the lift of block 5 (REC-2).")
)
@click.option(
    "--account", default="", help=N_("The complainant's own account, in their words (REC-2).")
)
@click.option(
    "--receiver",
    default="",
    help=N_("Staff id of whoever took the complaint; required (REC-5)."),
)
@click.option(
    "--receiver-unit",
    default="",
    help=N_("The department that took it. Default: the receiver's, from the staff list (IN-2)."),
)
@click.option("--received-at", type=DateTimeType(), default=None, help=N_("Default: now."))
@click.option(
    "--occurred-at",
    type=DateTimeType(dates=True),
    default=None,
    help=N_("When the issue arose (the pack's time limit counts from it)."),
)
@click.option("--key", "idempotency_key", default="", help=N_("Idempotency key."))
@click.option("--target-staff-id", default="", help=N_("Staff member the complaint is about."))
@click.option("--target-rung", default="", help=N_("Ignored: the rung is the staff directory's."))
@click.option(
    "--via-head-office",
    is_flag=True,
    help=N_(
        "Made straight to head office, bypassing the site (IN-6): head office keeps it "
        "until the complainant consents to the site handling it."
    ),
)
@click.option("--no-route", is_flag=True, help=N_("Register without assigning a handler."))
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS, case_sensitive=False),
    default=None,
    help=N_("The encoding of --file (default: detected)."),
)
@json_option
@now_option
@pass_ctx
def receive(
    ctx: Ctx, /, file: str | None, no_route: bool, encoding: str | None, **fields: Any
) -> None:
    # the receiver is who took it, not who types it (a clerk enters every receipt):
    # not tied to the login; the account typing is, once the staff file ties any
    typist = ctx.typist("register")
    if file is not None:
        _receive_file(ctx, Path(file), route=not no_route, encoding=encoding)
        return
    desk = ctx.desk()
    now = ctx.now()
    fields["receiver_unit"] = _receiver_unit(ctx, fields["receiver_unit"], fields["receiver"])
    from complaintcore.desk.service import CommittedInterrupt

    intake = _intake_from_flags(ctx, fields, now)
    stopped: CommittedInterrupt | None = None
    try:
        c = desk.receive(intake, now=now, route=not no_route)
    except CommittedInterrupt as exc:  # stored: said so, never "aborted" (review s55R2 F03)
        c, stopped = exc.complaint, exc
    if typist is not None:  # PRV-2: who typed the complainant's data in, and as whom
        desk.store.record_access(
            AccessRecord(at=now, actor=typist.staff_id, complaint_id=c.id, via="receive",
                         os_user=os_user())
        )  # fmt: skip
    # the result first: stored now, whatever happens while its messages are sent
    if ctx.json:
        ctx.emit(complaint_summary(c, desk.pack))
        if stopped is not None:
            ctx.interrupted_after_commit(c.id, while_committing=stopped.while_committing)
        ctx.deliver_after()
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
    say_suggested_kind(ctx, suggested_kind(c, desk.pack))
    say_missing_clears(ctx, c, at_receipt=True)
    bar = desk.pack.time_bar
    if c.state.time_barred and bar is not None:
        ctx.say(
            ctx.t(
                "flagged: the issue arose more than {limit} before receipt ({rule})",
                limit=ctx.tr.length(bar.after),
                rule=bar.rule,
            )
        )
    if stopped is not None:
        ctx.interrupted_after_commit(c.id, while_committing=stopped.while_committing)
    ctx.deliver_after()


_OUTCOMES: Final = ("stored", "duplicate", "rejected")


class _Rows:
    """What became of each row, for the ``--json`` document: a few numbers a row
    while the import runs (review s50E F01: a dict a row took about 1 KB).

    A stored or duplicate row keeps its complaint's id; a rejected row the index
    of its reason, each distinct reason kept once (a dirty file's rows share a
    few).  Without ``--json`` nothing is kept: each row's line was printed."""

    def __init__(self) -> None:
        self.lines: array[int] = array("q")
        self.outcomes = bytearray()
        self.texts: array[int] = array("i")  # an index into ``words``
        self.words: list[str] = []
        self._reasons: dict[str, int] = {}
        self.likely: dict[int, str] = {}  # a stored row's likely duplicate, by position

    def add(self, line: int, outcome: str, text: str, likely: str = "") -> None:
        """The row on ``line``: its outcome, and its complaint's id or its reason."""
        if likely:
            self.likely[len(self.lines)] = likely
        self.lines.append(line)
        self.outcomes.append(_OUTCOMES.index(outcome))
        if outcome == "rejected":
            word = self._reasons.setdefault(text, len(self.words))
            if word == len(self.words):
                self.words.append(text)
        else:  # an id: each its own
            word = len(self.words)
            self.words.append(text)
        self.texts.append(word)

    def rows(self, outcomes: tuple[str, ...] = _OUTCOMES) -> Iterator[dict[str, object]]:
        """The rows of these ``outcomes`` in the file's order (rows are taken in order
        of received_at, IMP-3), each made as it is read."""
        wanted = {_OUTCOMES.index(o) for o in outcomes}
        order = array("q", sorted(range(len(self.lines)), key=self.lines.__getitem__))
        for k in order:
            if self.outcomes[k] not in wanted:
                continue
            outcome = _OUTCOMES[self.outcomes[k]]
            row: dict[str, object] = {"line": self.lines[k], "outcome": outcome}
            row["reason" if outcome == "rejected" else "id"] = self.words[self.texts[k]]
            if k in self.likely:
                row["likely_duplicate_of"] = self.likely[k]
            yield row

    def listed(
        self, outcomes: tuple[str, ...], item: Callable[[dict[str, object]], object]
    ) -> Streamed:
        """``item`` of each row of these ``outcomes``, made as the document is written."""
        count = sum(self.outcomes.count(_OUTCOMES.index(o)) for o in outcomes)
        return Streamed(count, lambda: (item(r) for r in self.rows(outcomes)))


def _import_document(kept: _Rows | None, done: ImportSummary) -> dict[str, Any]:
    """The ``--json`` result of ``receive --file``: the counts and every row so far,
    in the file's order (``kept``: the rows; None without ``--json``, counts only).
    Its lists are made as the document is written, a row at a time."""
    kept = kept if kept is not None else _Rows()
    return {
        "stored": done.stored,
        "duplicated": done.duplicated,
        "received": done.stored + done.duplicated,
        "rejected": kept.listed(
            ("rejected",), lambda r: {"row": r["line"], "line": r["line"], "reason": r["reason"]}
        ),
        "ids": kept.listed(("stored", "duplicate"), lambda r: r["id"]),
        "rows": kept.listed(_OUTCOMES, lambda r: r),
        "encoding": done.encoding,
    }


def say_suggested_kind(ctx: Ctx, kind: Kind | None) -> None:
    """VAL-4: the kind the pack's words suggest for a complaint not assessed yet
    (an enquiry or a service request), for the handler to decide with ``--kind``."""
    if kind is not None:
        ctx.say(
            ctx.t(
                "suggested kind: {kind} (the pack's words); assess it with --kind (VAL-4)",
                kind=ctx.tr.label(kind),
            )
        )


def say_missing_clears(ctx: Ctx, complaint: Complaint, *, at_receipt: bool = False) -> None:
    """REC-2: the five clears the record does not capture yet; at receipt only the
    two the receiver can still ask for (问清楚: what, when, where and how; 听清楚:
    the complainant's own account), review s57R4 F05."""
    clears = five_clears(complaint.intake, complaint.events)
    missing = [c for c in clears.missing() if not at_receipt or c in (Clear.ASKED, Clear.HEARD)]
    if missing:
        ctx.say(
            ctx.t(
                "five clears (REC-2) not captured yet: {clears}",
                clears=ctx.t("; ").join(ctx.tr.label(c) for c in missing),
            )
        )


def say_issue(ctx: Ctx, c: Complaint, shown: str | None = None) -> None:
    """A line on the concentrated issue (HDL-5) or group incident (HDL-6) it belongs to;
    ``shown``: the issue id as a masked view shows it (PRV-1)."""
    issue = c.state.issue if shown is None else shown
    if c.state.group_incident:
        ctx.say(ctx.t("group incident {issue}: reported at once (HDL-6)", issue=issue))
    elif c.state.issue:
        ctx.say(ctx.t("concentrated issue {issue} (HDL-5)", issue=issue))


def say_awaiting_closure(ctx: Ctx, c: Complaint) -> None:
    """VIS-3: a line when the return visit was made and the complainant satisfied: the
    status still reads "awaiting return visit" until ``close`` (review s58R4 F03)."""
    if c.state.status is Status.AWAITING_VISIT and c.state.last_visit_satisfied is True:
        ctx.say(
            ctx.t("return visit made, the complainant satisfied: awaiting closure (close, VIS-3)")
        )


def _left_unlinked(ctx: Ctx, left: list[MembersLeftUnlinkedError]) -> str:
    """HDL-5, PRV-1: the members of concentrated issues an import left unlinked after
    a store failure, by id (masked unless the desk's), with the first failure."""
    listed = []
    for e in left:
        members = [shown_id(m) for m in e.members]
        if e.unread:
            members.append(ctx.t("its members (not read)"))
        listed.append(
            ctx.t(
                "{members} (issue {issue})",
                members=ctx.t(", ").join(members),
                issue=shown_issue(e.issue),
            )
        )
    return ctx.t(
        "issue members left unlinked after a store failure ({reason}): {members};"
        " run the same file again to link them",
        reason=ctx.t(
            "complaint database {database}: {reason}",
            database=left[0].database,
            reason=ctx.tr.reason(left[0].reason, ctx.pack()),
        ),
        members=ctx.t("; ").join(listed),
    )


def _left_by_interrupt(ctx: Ctx, unlinked: Mapping[str, Sequence[str]]) -> str:
    """HDL-5, HDL-6, PRV-1: the members of concentrated issues an interrupt left
    unlinked after the batch's commit, by id (masked unless the desk's), and how to
    link them (review s58R2 F02)."""
    listed = [
        ctx.t(
            "{members} (issue {issue})",
            members=ctx.t(", ").join(shown_id(m) for m in members),
            issue=shown_issue(issue),
        )
        for issue, members in unlinked.items()
    ]
    return ctx.t(
        "issue members left unlinked (or not flagged a group incident) by the"
        " interruption: {members}; run 'verify --relink', or the same file again,"
        " to link them",
        members=ctx.t("; ").join(listed),
    )


def _receive_file(ctx: Ctx, path: Path, *, route: bool, encoding: str | None) -> None:
    """Every row stored, a duplicate, or rejected: one line each, then the counts."""
    from complaintcore.desk.importer import FileImport

    if (path.exists() and not path.is_file()) or str(path) == "-":
        raise InvalidInputError(
            "--file",
            ctx.t(
                "is not a regular file (a pipe, standard input or a directory):"
                " save it to a file first"
            ),
        )
    if not path.is_file():
        raise NotFoundError("--file", ctx.t("no file at {path}", path=path))
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json", ".csv"):
        raise InvalidInputError("--file", ctx.t("expected a .jsonl or .csv file"))
    desk = ctx.desk()
    run = FileImport(desk, path, now=ctx.now(), encoding=encoding and encoding.lower(), route=route)
    kept = _Rows() if ctx.json else None  # the text has a line a row: nothing kept
    # A store error or Ctrl-C part-way: the rows committed so far go out with it, and
    # after a Ctrl-C the members its batch's linking left (review s58R2 F02)
    interrupted: dict[str, Any] = {}
    ctx.partial = lambda: {**_import_document(kept, run.summary), **interrupted}
    taken = 0
    # no total while the file is first read: its rows, not its lines, are the total
    left: list[MembersLeftUnlinkedError] = []  # HDL-5: issue members a store failure left out
    # the rows of the batch being handed out that are listed: an interrupt part-way
    # lists the rest of that committed batch, counted already (review s56R3 F02)
    current: tuple[RowResult, ...] = ()
    listed: set[int] = set()

    def show(result: RowResult) -> None:
        if result.left_unlinked is not None:
            left.append(result.left_unlinked)
        warning = ""  # F05: a row stored again under another key
        if result.error is not None:
            reason = _reason(ctx, result.error)
            text = ctx.t("line {line}: rejected: {reason}", line=result.line, reason=reason)
            if kept is not None:
                kept.add(result.line, "rejected", reason)
        elif result.outcome == "stored":
            text = ctx.t("line {line}: stored {id}", line=result.line, id=result.complaint_id)
            if kept is not None:
                kept.add(result.line, "stored", result.complaint_id, result.same_as)
            if result.same_as:
                warning = ctx.t(
                    "line {line}: warning: likely a duplicate of {id} (the same"
                    " complainant, received_at and summary); overlapping exports need"
                    " an idempotency_key column",
                    line=result.line,
                    id=result.same_as,
                )
        else:
            text = ctx.t("line {line}: duplicate of {id}", line=result.line, id=result.complaint_id)
            if kept is not None:
                kept.add(result.line, "duplicate", result.complaint_id)
        if not ctx.json:
            ctx.say(text)
        listed.add(result.line)
        if warning and not ctx.json:
            ctx.say(warning)

    with progress(ctx.t("importing")) as step:
        try:
            for result in run:
                if run.batch_rows is not current:
                    current, listed = run.batch_rows, set()
                show(result)
                taken += 1
                step(taken, run.total_rows)  # rows come by received_at, not by lines
        except KeyboardInterrupt:
            if run.batch_rows is not current:
                current, listed = run.batch_rows, set()
            for result in current:
                if result.line not in listed:
                    show(result)
            if run.unlinked:
                message = _left_by_interrupt(ctx, run.unlinked)
                interrupted["unlinked"] = [
                    {
                        "issue": shown_issue(issue),
                        "members": [shown_id(m) for m in members],
                        "unread": False,
                    }
                    for issue, members in run.unlinked.items()
                ]
                interrupted["hints"] = [message]
                if not ctx.json:
                    click.echo(message, err=True)
            raise
    done = run.summary
    summary = ctx.t(
        "imported: {stored} stored, {duplicated} duplicated, {rejected} rejected"
        " ({rows} rows, encoding {encoding})",
        stored=done.stored,
        duplicated=done.duplicated,
        rejected=done.rejected,
        rows=done.rows,
        encoding=done.encoding,
    )
    document = _import_document(kept, done)
    if not ctx.json:
        ctx.say(summary)
    if left:  # the store-error status: the members are linked by running the file again
        message = _left_unlinked(ctx, left)
        document["unlinked"] = [
            {
                "issue": shown_issue(e.issue),
                "members": [shown_id(m) for m in e.members],
                "unread": e.unread,
            }
            for e in left
        ]
        if not ctx.json:
            click.echo(ctx.t("error: {message}", message=message), err=True)
        ctx.failed(ExitCode.STORE, type(left[0]).__name__, message, document, deliver=True)
    if done.rejected:
        ctx.failed(ExitCode.REFUSED, "RowsRejected", summary, document, deliver=True)
    if ctx.json:
        ctx.emit(document)
    ctx.deliver_after()
