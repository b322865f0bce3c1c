"""``complaintcore verify``: check the chains, the ledger and every projection (REC-5)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from complaintcore.adapters.ledger import parse_head
from complaintcore.cli.context import Ctx, json_option, now_option, pass_ctx
from complaintcore.cli.errors import ExitCode, one_line
from complaintcore.cli.files import refuse_planted, replace_file, warn_if_group_lost
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
@click.option(
    "--since",
    default=None,
    metavar="HEAD",
    help=N_(
        "A head printed by an earlier clean check: check only what was committed after it "
        "(incremental; run a full check now and then)."
    ),
)
@click.option(
    "--checkpoint",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_(
        "Check only what was committed since the head kept in FILE (a full check when FILE "
        "does not exist yet), and keep the new head there after a clean check."
    ),
)
@click.option(
    "--reproject",
    is_flag=True,
    help=N_(
        "First rewrite every projection row that differs from its history under the "
        "desk's rule pack: once, after upgrading a pack whose clocks changed."
    ),
)
@click.option(
    "--relink",
    is_flag=True,
    help=N_(
        "Link the members the check finds not linked to the issue their fellows name "
        "(an import killed before its linking), then check again."
    ),
)
@json_option
@now_option
@pass_ctx
def verify(
    ctx: Ctx,
    head_only: bool,
    expect: str | None,
    since: str | None,
    checkpoint: Path | None,
    reproject: bool,
    relink: bool,
) -> None:
    _check_head(ctx, expect, "'--expect'")
    _check_head(ctx, since, "'--since'")
    if since is not None and checkpoint is not None:
        raise click.UsageError(ctx.t("give --since or --checkpoint, not both"))
    if checkpoint is not None:
        since = _read_checkpoint(ctx, checkpoint)
        _check_writable(ctx, checkpoint)  # before a check that may take minutes
    desk = ctx.desk()
    rewritten: list[str] = []
    if reproject:
        with progress(ctx.t("rewriting the projection rows")):
            rewritten = desk.reproject(ctx.now())
    with progress(ctx.t("verifying the hash chain")):
        report = desk.verify(ctx.now(), expect=expect, since=since)
    relinked: list[str] = []
    if relink and any(_OWED in p for p in report.problems):  # review s57R3 F01
        with progress(ctx.t("linking the members left unlinked")):
            relinked = desk.relink(ctx.now(), report.rechecked if report.incremental else None)
        with progress(ctx.t("verifying the hash chain")):
            report = desk.verify(ctx.now(), expect=expect, since=since)
    document: dict[str, object] = {
        "ok": report.ok,
        "complaints": report.complaints,
        "events": report.events,
        "problems": list(report.problems),
        "head": report.head,
        "since": report.since or None,
        "entries": report.entries,
    }
    if reproject:
        document["reprojected"] = rewritten
        if not ctx.json and not head_only:
            ctx.say(ctx.t("projection rows rewritten: {count}", count=len(rewritten)))
    if relink:
        document["relinked"] = relinked
        if not ctx.json and not head_only:
            ctx.say(ctx.t("members linked: {count}", count=len(relinked)))
    if report.ok:
        kept = _write_checkpoint(ctx, checkpoint, report.head) if checkpoint else None
        if ctx.json:
            if kept is not None:  # the check passed; its head is in the document
                ctx.failed(ExitCode.ACCESS_DENIED, "CheckpointNotWritten", kept, document)
            ctx.emit(document)
        elif head_only:
            ctx.say(report.head)
        else:
            if report.incremental:
                ctx.say(
                    ctx.t(
                        "incremental check since {since}: {entries} ledger entries,"
                        " {complaints} complaints, {events} events verified",
                        since=report.since,
                        entries=report.entries,
                        complaints=report.complaints,
                        events=report.events,
                    )
                )
            else:
                ctx.say(
                    ctx.t(
                        "hash chain verified: {complaints} complaints, {events} events",
                        complaints=report.complaints,
                        events=report.events,
                    )
                )
            ctx.say(ctx.t("ledger head: {head}", head=report.head))
        if kept is not None:
            click.echo(ctx.t("error: {message}", message=kept), err=True)
            raise click.exceptions.Exit(int(ExitCode.ACCESS_DENIED))
        return
    hints: list[str] = []
    if any("projection row differs from its history" in p for p in report.problems):
        # the usual cause is no edit: a pack, calendar or holiday-data change, or an
        # upgrade that computes rows differently (re-review s54R16 F03)
        hints.append(
            ctx.t(
                "a projection row out of date follows a change of the rule pack, its"
                " calendar days or the holiday data, or a complaintcore upgrade that"
                " computes the rows differently, as often as an edit: after such a"
                " change, 'verify --reproject' rewrites the rows (after an upgrade, the"
                " next sweep does too)"
            )
        )
    if any(_keys_only(p) for p in report.problems):
        # stale keys alone: an upgrade's re-key the rows have not had (review s52R13)
        hints.append(
            ctx.t(
                "a projection row that differs only in its building, complainant or room"
                " key follows a complaintcore upgrade those rows have not had yet: a"
                " process of the previous release still running, or on PostgreSQL a"
                " re-keying version recorded by a role other than the tables' owner (see"
                " storage.md, the desk role's grants); the next sweep or"
                " 'verify --reproject' rewrites the rows"
            )
        )
    if any(_OWED in p for p in report.problems):  # review s57R3 F01
        hints.append(
            ctx.t(
                "a member not linked to the issue its fellows name follows an intake"
                " stopped between storing a batch and linking its issues (killed, the"
                " host restarted): 'verify --relink', or running the same file again,"
                " links them and queues their messages"
            )
        )
    if checkpoint is not None and any("beyond the ledger's end" in p for p in report.problems):
        # a legitimate restore looks the same as entries deleted (review s47F F02)
        hints.append(
            ctx.t(
                "restored the database from a backup? Then run a full 'verify', and once it"
                " is clean start a new checkpoint file (see storage.md, backing up and"
                " restoring); otherwise entries were deleted"
            )
        )
    if hints:  # a script reads them too (review s49R: JSON alone looked like tampering)
        document["hints"] = hints
    if not ctx.json:
        click.echo(ctx.t("hash chain verification failed:"), err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        for hint in hints:
            click.echo(hint, err=True)
    message = ctx.n(
        "hash chain verification failed: {count} problem",
        "hash chain verification failed: {count} problems",
        len(report.problems),
    )
    ctx.failed(ExitCode.STORE, "ChainBroken", message, document)


_OWED = "'verify --relink' links it"
"""The end of a problem naming a member its issue's linking left out (review s57R3 F01)."""

_KEY_FIELDS = frozenset({"building", "complainant_key", "room_key"})
"""The projection's keys an upgrade's re-key makes again from the intakes."""


def _keys_only(problem: str) -> bool:
    """Whether ``problem`` names a projection row that differs in its keys alone."""
    _before, sep, fields = problem.rpartition("projection row differs from its history (")
    names = set(fields.rstrip(")").split(", ")) if sep else set()
    return bool(names) and names <= _KEY_FIELDS


def _check_head(ctx: Ctx, value: str | None, hint: str) -> None:
    if value is None:
        return
    try:
        parse_head(value)
    except InvalidInputError:
        raise click.BadParameter(
            ctx.t("expected a ledger head 'seq:hash' as 'verify --head' prints it"),
            param_hint=hint,
        ) from None


def _read_checkpoint(ctx: Ctx, path: Path) -> str | None:
    """The head kept in ``path``; ``None`` (a full check) while the file does not exist.

    A symbolic link to nothing, or one another user planted in a shared folder, is
    refused: it is not followed to create or replace a file of their choosing
    (review s50P F04)."""
    refuse_planted(ctx, str(path), "'--checkpoint'")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise click.BadParameter(
            ctx.t("cannot be read as a checkpoint file"), param_hint="'--checkpoint'"
        ) from None
    _check_head(ctx, text, "'--checkpoint'")
    return text.strip()


def _check_writable(ctx: Ctx, path: Path) -> None:
    """A usage error now, naming ``--checkpoint``, for a file whose folder is missing
    or may not be written: not a temporary file's name after the whole check
    (review s47F F04)."""
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise click.BadParameter(
            ctx.t("no folder {folder} to keep the checkpoint in", folder=folder),
            param_hint="'--checkpoint'",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.BadParameter(
            ctx.t(
                "its folder {folder} cannot be written (permissions, or a read-only medium)",
                folder=folder,
            ),
            param_hint="'--checkpoint'",
        )


def _write_checkpoint(ctx: Ctx, path: Path, head: str) -> str | None:
    """Replace the file in one step: a crash leaves the old head or the new, never half
    (a file that cannot be renamed over, a single-file bind mount, is written in
    place: one short write; review s50R F02).

    A symbolic link's target is the file replaced, and it keeps its permissions
    and its group (an auditor's group may read it), and its owner where the
    process may give one (as root); a group the user is not in cannot be kept,
    and a warning says so (review s47H F04).  A new file is private (0600).
    Returns why it could not be written (one line naming ``--checkpoint`` and the
    file), else ``None``.
    """
    try:
        written = replace_file(str(path), (head + "\n").encode("utf-8"), mode=0o600)
    except OSError as exc:
        return _not_written(ctx, path, head, exc)
    warn_if_group_lost(ctx, written, "'--checkpoint'", path)
    return None


def _not_written(ctx: Ctx, path: Path, head: str, exc: OSError) -> str:
    return ctx.t(
        "'--checkpoint' {path}: could not be written ({reason}); the check passed,"
        " ledger head {head}",
        path=path,
        reason=one_line(OSError(exc.errno, exc.strerror), ctx.tr),  # not the temporary name
        head=head,
    )
