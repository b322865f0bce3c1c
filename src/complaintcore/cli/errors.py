"""Exit codes, and the one table that maps errors onto them.

==== ===================================================================
code meaning
==== ===================================================================
0    done
1    refused or invalid data (a library error: bad field, illegal step …)
2    usage: unknown option or command, bad option value, bad choice
3    not found: unknown complaint id, missing config, desk, pack or file
4    access denied: the actor may not do this, or a file may not be read
5    store error: database unreadable, locked or corrupt; tampering found
==== ===================================================================
"""

from __future__ import annotations

import enum
import errno
import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import click

from complaintcore.cli.terminal import shown
from complaintcore.core.errors import (
    AccessDeniedError,
    ComplaintCoreError,
    StoreError,
    UnknownComplaintError,
)
from complaintcore.i18n import N_, NN_

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack
    from complaintcore.i18n import Translator

__all__ = [
    "EnvironmentVariableError",
    "ExitCode",
    "NotFoundError",
    "error_document",
    "exit_code_for",
    "one_line",
    "with_labels",
]


class ExitCode(enum.IntEnum):
    """The documented exit statuses of every ``complaintcore`` command."""

    OK = 0
    REFUSED = 1
    USAGE = 2
    NOT_FOUND = 3
    ACCESS_DENIED = 4
    STORE = 5


class NotFoundError(ComplaintCoreError, LookupError):
    """A file, desk or pack the command line was pointed at does not exist."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class EnvironmentVariableError(click.UsageError):
    """An environment variable the command line reads holds no value it takes (exit 2):
    named as the variable, in ``path``, not as an option nobody typed."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path

    def __reduce__(self) -> tuple[type[EnvironmentVariableError], tuple[str, str]]:
        # pickled as itself (a worker process's error arrives whole), never its
        # click context
        return type(self), (self.path, self.message)


def _store_errors() -> tuple[type[BaseException], ...]:
    # StoreError covers every store (SchemaVersionError is one); a raw driver
    # error reaching here is a store that forgot to wrap it, still a store error.
    return (StoreError, sqlite3.Error)


def exit_code_for(exc: BaseException) -> ExitCode | None:
    """The exit status for an error; ``None`` for one outside the known families (a bug).

    The order of the checks is the policy.
    """
    if isinstance(exc, click.UsageError):
        return ExitCode.USAGE
    if isinstance(exc, _store_errors()):
        return ExitCode.STORE
    if isinstance(exc, UnknownComplaintError | NotFoundError | FileNotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(exc, AccessDeniedError | PermissionError):
        return ExitCode.ACCESS_DENIED
    if isinstance(exc, ComplaintCoreError | OSError | UnicodeError | click.ClickException):
        return ExitCode.REFUSED
    return None


def one_line(exc: BaseException, t: Translator | None = None, pack: RulePack | None = None) -> str:
    """The error's message on one line, in ``t``'s language, safe to print on a terminal.

    Library errors are put in words from their structured fields
    (:meth:`~complaintcore.i18n.Translator.error`); click's messages come
    translated from click itself (see :mod:`complaintcore.cli.localize`).
    """
    if isinstance(exc, click.ClickException):
        text = (
            _missing(exc, t)
            or _choice_refused(exc, t)
            or _no_such_command(exc, t)
            or _no_such_option(exc, t)
            or exc.format_message()
        )
    elif isinstance(exc, OSError) and exc.strerror:
        said = _OS_REASONS.get(exc.errno or 0)
        if t is not None and said is not None:
            reason = t(said)
            text = t(N_("{path}: {reason}"), path=exc.filename, reason=reason)
            text = text if exc.filename else reason
        else:
            text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    elif t is not None:
        text = t.error(exc, pack)
    else:
        text = str(exc)
    text = " ".join(text.split())  # every line break Python knows becomes a space
    # what a terminal could run or that redraws the line (a typed escape sequence,
    # a bidi override) is shown escaped, as every view shows it (terminal.shown)
    return shown(text) or type(exc).__name__


_OS_REASONS: Mapping[int, str] = {
    errno.ENOENT: N_("no such file or directory"),
    errno.EACCES: N_("permission denied"),
    errno.EISDIR: N_("is a directory"),
    errno.ENOTDIR: N_("not a directory"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EROFS: N_("read-only file system"),
}
"""What the operating system says of a file a command reads or writes (``report
--output`` into a missing folder), in the reader's language; others as it says them."""

_NOT_A_CHOICE = N_("expected one of {choices}.")
_NOT_A_NUMBER = N_("expected a number from {low} to {high}.")


def _choice_refused(exc: click.ClickException, t: Translator | None) -> str | None:
    """A value refused by a choice or a number option, in click's words but without
    the value: a phone or a name typed into ``--channel`` or ``--limit`` stays out of
    the terminal and the logs (PRV-1).  ``None`` for every other error."""
    if not isinstance(exc, click.BadParameter) or isinstance(exc, click.MissingParameter):
        return None
    kind = exc.param.type if exc.param is not None else None
    if isinstance(kind, click.Choice):
        template: str = _NOT_A_CHOICE
        values = {"choices": _choices(kind, t)}
    elif isinstance(kind, click.IntRange | click.FloatRange):
        template = _NOT_A_NUMBER
        values = {
            "low": "-∞" if kind.min is None else str(kind.min),
            "high": "∞" if kind.max is None else str(kind.max),
        }
    else:
        return None
    message = t(template, **values) if t else template.format(**values)
    return click.BadParameter(message, exc.ctx, exc.param, exc.param_hint).format_message()


def _choices(kind: click.Choice[object], t: Translator | None) -> str:
    """The codes a choice option takes, with the labels the screens show when it
    is an enum's (review s34D F07) and a translator is at hand."""
    enum_type = getattr(kind, "enum_type", None)
    if enum_type is not None and t is not None:
        return with_labels(t, ((m.value, t.label(m)) for m in enum_type))
    return _listed((repr(str(c)) for c in kind.choices), t)


def _listed(items: Iterable[str], t: Translator | None) -> str:
    """Items of a list in the message, with the reader's list separator (``、`` in
    Chinese: review s53R6 F01); click's ``", "`` without a translator."""
    return t.listed(items) if t else ", ".join(items)


_MISSING: Mapping[str, str] = {
    "option": N_("Missing option {param}."),
    "argument": N_("Missing argument {param}."),
}
_MISSING_CHOICE: Mapping[str, str] = {
    "option": N_("Missing option {param}; expected one of {choices}."),
    "argument": N_("Missing argument {param}; expected one of {choices}."),
}


def _missing(exc: click.ClickException, t: Translator | None) -> str | None:
    """A required option or argument not given, worded from the catalog: click
    writes its own "Choose from:" (not in the catalogs) and a full stop outside
    gettext (review s52R6 F01); a choice lists its codes with their labels, as a
    wrong value does.  ``None`` for every other error, and without a translator."""
    if not isinstance(exc, click.MissingParameter) or exc.param is None or t is None:
        return None
    kind = exc.param_type or exc.param.param_type_name
    hints = exc.param_hint if exc.param_hint is not None else exc.param.get_error_hint(exc.ctx)
    param = hints if isinstance(hints, str) else " / ".join(repr(h) for h in hints or ())
    if kind not in _MISSING:
        return None
    if isinstance(exc.param.type, click.Choice):
        return t(_MISSING_CHOICE[kind], param=param, choices=_choices(exc.param.type, t))
    return t(_MISSING[kind], param=param)


def with_labels(t: Translator, pairs: Iterable[tuple[str, str]]) -> str:
    """Codes an option takes, quoted as click quotes choices, each with the label the
    screens show for it (``'complaint_handler' (客服专员)``): what to type, found by
    what one reads (:meth:`~complaintcore.i18n.Translator.codes`)."""
    return t.codes(pairs)


_NO_SUCH_COMMAND = N_("unknown command; expected one of {choices}.")
_NO_SUCH_STEP = N_("unknown step; expected one of {choices}.")


def _no_such_command(exc: click.ClickException, t: Translator | None) -> str | None:
    """An unknown command or ``act`` step, without the word typed (a phone typed where
    the step goes, ``act C-… 13812345678``, is not shown: PRV-1), and the ones there
    are.  ``None`` for every other error."""
    if not isinstance(exc, click.exceptions.NoSuchCommand):
        return None
    group = exc.ctx.command if exc.ctx is not None else None
    if not isinstance(group, click.Group):
        return None
    template: str = _NO_SUCH_STEP if group.name == "act" else _NO_SUCH_COMMAND
    values = {"choices": _listed(sorted(group.commands), t)}
    return t(template, **values) if t else template.format(**values)


_NO_SUCH_OPTION = N_("unknown option (not shown: it may be personal data).")
_NEAR_MISS = N_("No such option {name!r}.")  # click's own words (cli/text.py)
_DID_YOU_MEAN = NN_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)")
_SUGGESTED = N_("{problem} {suggestion}")
"""An unknown option and click's suggestion after it: a space between them in
English, none after a Chinese full stop (review s53R6 F01)."""
_BEFORE_THE_COMMAND = N_(
    "{option} is an option of complaintcore itself: put it before the command ({example})."
)
_AFTER_THE_COMMAND = N_(
    "{option} belongs to a command, not to complaintcore itself: put it after the command."
)
_AFTER_ITS_COMMAND = N_(
    "{option} belongs to the command after {group}, not to {group} itself: put it after"
    " that command ({example})."
)


def _no_such_option(exc: click.ClickException, t: Translator | None) -> str | None:
    """An unknown option, named only when it is a near miss of a real one (``--limt``:
    click offers ``--limit``) or a real one in the wrong place (``list --lang zh``,
    ``--json list``: :func:`_misplaced`); any other word typed after ``--``
    (``--13812345678``) may be a phone or a name, and is not shown (PRV-1).
    ``None`` for every other error."""
    if not isinstance(exc, click.exceptions.NoSuchOption):
        return None
    misplaced = _misplaced(exc)
    if misplaced is not None:
        template, values = misplaced
        return t(template, **values) if t else template.format(**values)
    if exc.possibilities:
        known = _commands_options(exc.ctx.find_root().command) if exc.ctx else set()
        return _near_miss(exc.option_name, exc.possibilities, known, t)
    return t(_NO_SUCH_OPTION) if t else _NO_SUCH_OPTION


# What an option's name is made of: a value glued on (a digit, a CJK character, a
# space, "@") ends it
_OPTION_WORD = re.compile(r"--?[A-Za-z][A-Za-z-]*")
_LONGER_BY = 2
"""How much longer than the longest option offered a word typed may be and still be
named: a typo (``--limt``, ``--sumary``), not an option with a value glued on."""


def _near_miss(name: str, possibilities: list[str], known: set[str], t: Translator | None) -> str:
    """An option typed a little wrong (``--as``, ``--limt``) and the real ones click
    finds close to it, in the catalog's words with the reader's list separator and
    spacing: click joins them with ``", "`` and a space outside gettext (review
    s53R6 F01).  The word typed is named only when :func:`_nameable`: an option
    with its value typed without the space (``--name张伟``, ``--room3-2-1201``) is
    "unknown option (not shown …)", its value being a name, a room or a phone
    (PRV-1, review s53R9 F01).  English without a translator, in click's words."""
    shown = _listed((repr(p) for p in sorted(possibilities)), t)
    named = _nameable(name, possibilities, known)
    if t is None:
        singular, plural = _DID_YOU_MEAN
        suggestion = (singular if len(possibilities) == 1 else plural).format(
            possibility=shown, possibilities=shown
        )
        problem = _NEAR_MISS.format(name=name) if named else _NO_SUCH_OPTION
        return _SUGGESTED.format(problem=problem, suggestion=suggestion)
    suggestion = t.n(*_DID_YOU_MEAN, len(possibilities), possibility=shown, possibilities=shown)
    problem = t(_NEAR_MISS, name=name) if named else t(_NO_SUCH_OPTION)
    return t(_SUGGESTED, problem=problem, suggestion=suggestion)


def _nameable(name: str, possibilities: list[str], known: set[str]) -> bool:
    """Whether an unknown option may be quoted: letters and hyphens only, not an
    option offered with more typed after it (``--namewang``), and an option of
    another command (``list --channel``) or at most :data:`_LONGER_BY` longer than
    the longest one offered."""
    if not _OPTION_WORD.fullmatch(name):
        return False
    if any(name != p and name.startswith(p) for p in possibilities):
        return False
    return name in known or len(name) <= max(map(len, possibilities)) + _LONGER_BY


def _misplaced(exc: click.exceptions.NoSuchOption) -> tuple[str, dict[str, str]] | None:
    """Where a real option typed on the wrong side of the command goes: one of the root
    group's (``--config``, ``--lang``, ``--now``, ``--version``) after a command that
    does not take it, or a command's (``--json``) before the command.  Its name is
    the program's own, never what someone typed, so it is shown."""
    click_ctx, name = exc.ctx, exc.option_name
    if click_ctx is None:
        return None
    root = click_ctx.find_root()
    if click_ctx is root:
        if name in _commands_options(root.command):
            return _AFTER_THE_COMMAND, {"option": repr(name)}
        return None
    group = click_ctx.command
    if isinstance(group, click.Group) and name in _commands_options(group):
        return _AFTER_ITS_COMMAND, _after_its_command(click_ctx, group, name)
    for param in root.command.params:
        if isinstance(param, click.Option) and name in param.opts:
            command = click_ctx
            while command.parent is not None and command.parent is not root:
                command = command.parent  # `act … --config`: before `act`
            value = "" if param.is_flag else " …"
            example = f"complaintcore {name}{value} {command.info_name}"
            return _BEFORE_THE_COMMAND, {"option": repr(name), "example": example}
    return None


def _after_its_command(click_ctx: click.Context, group: click.Group, name: str) -> dict[str, str]:
    """``act --now T ID STEP``, ``outbox --json list``: an option of a group's commands
    typed before the command (review s46I F04); ``act`` shows how its step is typed
    (``ID COMMAND``).  Only the program's own words, never what was typed."""
    path = click_ctx.command_path.split(" ", 1)[-1]  # without the program's name
    typed = getattr(group, "usage_example", "COMMAND")
    value = "" if _is_flag(group, name) else " …"
    example = f"complaintcore {path} {typed} {name}{value}"
    return {"option": repr(name), "group": group.name or "", "example": example}


def _is_flag(group: click.Group, name: str) -> bool:
    """Whether the option ``name`` of the commands under ``group`` takes no value."""
    for command in group.commands.values():
        for param in command.params:
            if isinstance(param, click.Option) and name in param.opts:
                return param.is_flag
        if isinstance(command, click.Group) and name in _commands_options(command):
            return _is_flag(command, name)
    return False


def _commands_options(group: click.Command) -> set[str]:
    """The option names of every command under ``group``, not its own."""
    names: set[str] = set()
    for command in getattr(group, "commands", {}).values():
        names.update(o for p in command.params if isinstance(p, click.Option) for o in p.opts)
        names.update(_commands_options(command))
    return names


def error_document(exc: BaseException, code: int, message: str) -> dict[str, object]:
    """The JSON document an error becomes under ``--json``: ``{"error": {...}}``."""
    error: dict[str, object] = {"code": int(code), "type": type(exc).__name__, "message": message}
    path = getattr(exc, "path", None)
    if isinstance(path, str):
        error["path"] = path
    problems = getattr(exc, "problems", None)
    if isinstance(problems, tuple) and problems:
        error["problems"] = [_problem(p) for p in problems]
    if isinstance(exc, click.BadParameter) and exc.param is not None and exc.param.name:
        error["param"] = param_name(exc.param)
    return {"error": error}


def param_name(param: click.Parameter) -> str:
    """How ``--json`` names an option in ``param``: its long name as typed, without the
    dashes and with ``_`` for ``-`` (``--receiver-unit`` is ``receiver_unit``), not
    the Python name it is stored under (``--format`` was ``fmt``, review s51R1 F05);
    an argument by its own name."""
    if isinstance(param, click.Option):
        long = [o for o in param.opts if o.startswith("--")]
        if long:
            return long[0][2:].replace("-", "_")
    return param.name or ""


def _problem(problem: object) -> Mapping[str, str] | str:
    path, reason = getattr(problem, "path", None), getattr(problem, "reason", None)
    if isinstance(path, str) and isinstance(reason, str):
        return {"path": path, "reason": reason}
    return str(problem)
