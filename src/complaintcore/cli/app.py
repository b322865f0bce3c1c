"""The ``complaintcore`` command line: a complaint desk on the embedded SQLite default.

Every command reads ``complaintcore.toml`` (``--config``), prints in Chinese,
English or a language a host added (``--lang``, default from the locale; help
texts and click's own messages too), takes ``--json`` for one JSON
document on standard output, and ends with a documented exit status
(:class:`~complaintcore.cli.errors.ExitCode`).  Times typed without a UTC offset
are read in the rule pack's time zone.

This module is the console script's entry: without the ``cli`` extra (click and
rich) importing it prints a one-line install hint and exits with status 2.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

try:
    import click
    import rich  # noqa: F401  (every command prints through it)
except ImportError as missing:  # the base install: the command line is the `cli` extra
    from complaintcore.cli.text import install_hint

    sys.stderr.write(install_hint(missing.name) + "\n")
    raise SystemExit(2) from None

from complaintcore.cli import staged as _staged  # noqa: F401  (registers the staged act steps)
from complaintcore.cli.act import act
from complaintcore.cli.audit import audit
from complaintcore.cli.context import (
    CURRENT,
    NOW_VARIABLE,
    Ctx,
    DateTimeType,
    readable_streams,
    write_utf8,
)
from complaintcore.cli.deliver import deliver
from complaintcore.cli.demo_cmd import demo
from complaintcore.cli.errors import (
    EnvironmentVariableError,
    ExitCode,
    error_document,
    exit_code_for,
    one_line,
)
from complaintcore.cli.init_cmd import init
from complaintcore.cli.interrupts import TERMINATED, Interrupts, interrupts
from complaintcore.cli.issues import explain_all
from complaintcore.cli.listing import list_, show
from complaintcore.cli.localize import LanguageChoice, speaking, spoken
from complaintcore.cli.logs import cli_logging
from complaintcore.cli.migrate_cmd import migrate
from complaintcore.cli.outbox import outbox
from complaintcore.cli.packs import packs
from complaintcore.cli.receive import receive
from complaintcore.cli.report import report
from complaintcore.cli.schema_cmd import schema
from complaintcore.cli.sweep import sweep
from complaintcore.cli.verify import verify
from complaintcore.i18n import N_, Translator, language_from_env, resolve_language, translator

__all__ = ["CommandLine", "Ctx", "main"]


class CommandLine(click.Group):
    """The root group: every failure becomes one line (or one JSON document) and a code.

    Errors outside the known families (a bug) keep their traceback.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        token = CURRENT.set(None)
        t = translator(_lang_in(argv))
        try:
            with (
                readable_streams(),
                speaking(self, t),
                cli_logging(_json_in(argv), t),
                interrupts() as stopped,
            ):
                code = self._run(argv, t, prog_name, complete_var, extra, stopped)
        finally:
            CURRENT.reset(token)
        if standalone_mode:
            sys.exit(int(code))
        return code

    def _run(
        self,
        argv: list[str],
        t: Translator,
        prog_name: str | None,
        complete_var: str | None,
        extra: Any,
        stopped: Interrupts,
    ) -> int:
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # a bare group: its help, as click shows it
            return ExitCode.USAGE
        except click.Abort as exc:
            # Ctrl-C, or SIGTERM (a service stopped, a cron timeout) read as one
            aborted = TERMINATED if stopped.signal == signal.SIGTERM else ExitCode.REFUSED
            if not _json_run(argv):
                click.echo(t("aborted"), err=True)
                return aborted
            _report(exc, aborted, argv, t, t("aborted"))
            return aborted
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None:
                raise
            _report(exc, code, argv, t)
            return code
        return result if isinstance(result, int) else ExitCode.OK


def _json_run(argv: list[str]) -> bool:
    ctx = CURRENT.get()
    return (ctx is not None and ctx.json) or _json_in(argv)


def _report(
    exc: BaseException, code: int, argv: list[str], t: Translator, message: str = ""
) -> None:
    ctx = CURRENT.get()
    message = message or one_line(exc, t, ctx.pack() if ctx is not None else None)
    if _json_run(argv):
        if ctx is not None and ctx.emitted:
            # Ctrl-C while the result was being written: a second document after a
            # cut-off first would leave nothing a parser reads; the status says it
            return
        document = error_document(exc, code, message)
        if ctx is not None and ctx.partial is not None:
            # the work done before the failure, as the command's usual result
            document = {**document, **ctx.partial()}
        write_utf8(json.dumps(document, ensure_ascii=False, indent=1))
        return
    if (
        isinstance(exc, click.UsageError)
        and exc.ctx is not None
        and not isinstance(exc, EnvironmentVariableError)  # no option: --help is not where
    ):
        message = t(
            "{message} (see '{command} --help')", message=message, command=exc.ctx.command_path
        )
    click.echo(t("error: {message}", message=message), err=True)


def _options(argv: list[str]) -> list[str]:
    """The words before the end of options: the first ``--`` that is not an option's
    value (``--now --`` gives ``--now`` the value ``--``, as click does)."""
    if "--" not in argv:
        return argv
    valued = _valued_options()
    for i, word in enumerate(argv):
        if word == "--" and not (i and argv[i - 1] in valued):
            return argv[:i]
    return argv


@functools.cache
def _valued_options() -> frozenset[str]:
    """Every option of every command that takes a value."""
    names: set[str] = set()
    commands: list[click.Command] = [main]
    while commands:
        command = commands.pop()
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and not param.count:
                names.update(param.opts)
        if isinstance(command, click.Group):
            commands += command.commands.values()
    return frozenset(names)


def _json_in(argv: list[str]) -> bool:
    """Whether a run whose options did not parse asked for JSON."""
    words = _options(argv)
    formats = [value.lower() for word, value in pairwise(words) if word == "--format"]
    formats += [word[9:].lower() for word in words if word.startswith("--format=")]
    return "--json" in words or "json" in formats


def _lang_in(argv: list[str]) -> str:
    """The language of a run, read before click parses anything (help and errors need it)."""
    words = _options(argv)
    for i, word in enumerate(words):
        value = words[i + 1] if word == "--lang" and i + 1 < len(words) else word[7:]
        if word == "--lang" or word.startswith("--lang="):
            found = resolve_language(value)
            if found is not None:
                return found
    return language_from_env()


@click.group(
    cls=CommandLine,
    help=N_(
        "complaintcore: owners' complaints, handled by the documented procedures.\n\n"
        "Exit status: 0 done, 1 refused or invalid data, 2 usage, 3 not found, "
        "4 access denied, 5 store error."
    ),
)
@click.option(
    "--config",
    "config",
    default="complaintcore.toml",
    show_default=True,
    envvar="COMPLAINTCORE_CONFIG",
    help=N_("The desk's config file."),
)
@click.option(
    "--lang",
    type=LanguageChoice(),
    default=None,
    help=N_("Output language (default: COMPLAINTCORE_LANG, then the locale)."),
)
@click.option(
    "--now",
    type=DateTimeType(),
    default=None,
    help=N_("Act as if it were this time (ISO 8601); for scripts and replays."),
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda click_ctx, _param, value: _show_version(click_ctx, value),
    help=N_("Show the version and exit."),
)
@click.pass_context
def main(click_ctx: click.Context, config: str, lang: str | None, now: datetime | None) -> None:
    # The calendar's coverage warning is printed by show and sweep where it
    # matters (Ctx.calendar_notes), not as a Python warning on every command.
    from complaintcore.core.errors import HolidayDataWarning

    warnings.filterwarnings("ignore", category=HolidayDataWarning)
    ctx = Ctx(config, lang or language_from_env(), now)
    ctx.lang_given = lang is not None
    # COMPLAINTCORE_NOW: read by the first command that reads the clock, and named as
    # itself if it is no time (not as a --now nobody typed; review s57R6 F03)
    ctx.now_from_env = os.environ.get(NOW_VARIABLE) or None
    click_ctx.obj = ctx
    click_ctx.call_on_close(ctx.close)
    CURRENT.set(ctx)


def _show_version(click_ctx: click.Context, value: bool) -> None:
    """``--version``, in the run's language: click's own option words its message
    when the commands are defined, before ``--lang`` is read (review s52R6 F05)."""
    if not value or click_ctx.resilient_parsing:
        return
    from complaintcore import __version__

    message = spoken().gettext("%(prog)s, version %(version)s")
    click.echo(message % {"prog": click_ctx.find_root().info_name, "version": __version__})
    click_ctx.exit()


for _command in (
    init,
    demo,
    receive,
    list_,
    show,
    act,
    explain_all,
    sweep,
    deliver,
    outbox,
    verify,
    audit,
    report,
    packs,
    schema,
    migrate,
):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
