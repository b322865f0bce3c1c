"""The ``complaintcore`` command line: a complaint desk on the embedded SQLite default.

Every command reads ``complaintcore.toml`` (``--config``), prints in Chinese or
English (``--lang``, default from the locale), takes ``--json`` for one JSON
document on standard output, and ends with a documented exit status
(:class:`~complaintcore.cli.errors.ExitCode`).  Times typed without a UTC offset
are read in the rule pack's time zone.

This module is the console script's entry: without the ``cli`` extra (click and
rich) importing it prints a one-line install hint and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

try:
    import click
    import rich  # noqa: F401  (every command prints through it)
except ImportError as missing:  # the base install: the command line is the `cli` extra
    from complaintcore.cli.text import default_lang, tr

    sys.stderr.write(tr(default_lang(), "needs_cli_extra", module=missing.name) + "\n")
    raise SystemExit(2) from None

from complaintcore.cli.act import act
from complaintcore.cli.context import CURRENT, Ctx, DateTimeType
from complaintcore.cli.demo_cmd import demo
from complaintcore.cli.errors import ExitCode, error_document, exit_code_for, one_line
from complaintcore.cli.init_cmd import init
from complaintcore.cli.listing import list_, show
from complaintcore.cli.migrate_cmd import migrate
from complaintcore.cli.packs import packs
from complaintcore.cli.receive import receive
from complaintcore.cli.report import report
from complaintcore.cli.sweep import sweep
from complaintcore.cli.text import LANGS, default_lang, tr
from complaintcore.cli.verify import verify

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
        try:
            code = self._run(argv, prog_name, complete_var, extra)
        finally:
            CURRENT.reset(token)
        if standalone_mode:
            sys.exit(int(code))
        return code

    def _run(
        self, argv: list[str], prog_name: str | None, complete_var: str | None, extra: Any
    ) -> int:
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # a bare group: its help, as click shows it
            return ExitCode.USAGE
        except click.Abort:
            ctx = CURRENT.get()
            click.echo(tr(ctx.lang if ctx else _lang_in(argv), "aborted"), err=True)
            return ExitCode.REFUSED
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None:
                raise
            _report(exc, code, argv)
            return code
        return result if isinstance(result, int) else ExitCode.OK


def _report(exc: BaseException, code: ExitCode, argv: list[str]) -> None:
    ctx = CURRENT.get()
    lang = ctx.lang if ctx is not None else _lang_in(argv)
    message = one_line(exc)
    if (ctx is not None and ctx.json) or _json_in(argv):
        click.echo(json.dumps(error_document(exc, code, message), ensure_ascii=False, indent=1))
        return
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        message = f"{message} {tr(lang, 'see_help', command=exc.ctx.command_path)}"
    click.echo(f"{tr(lang, 'error')}: {message}", err=True)


def _options(argv: list[str]) -> list[str]:
    return argv[: argv.index("--")] if "--" in argv else argv


def _json_in(argv: list[str]) -> bool:
    """Whether a run whose options did not parse asked for JSON."""
    words = _options(argv)
    formats = [value.lower() for word, value in pairwise(words) if word == "--format"]
    formats += [word[9:].lower() for word in words if word.startswith("--format=")]
    return "--json" in words or "json" in formats


def _lang_in(argv: list[str]) -> str:
    words = _options(argv)
    for i, word in enumerate(words):
        value = words[i + 1] if word == "--lang" and i + 1 < len(words) else word[7:]
        if (word == "--lang" or word.startswith("--lang=")) and value in LANGS:
            return value
    return default_lang()


@click.group(cls=CommandLine)
@click.option(
    "--config",
    "config",
    default="complaintcore.toml",
    show_default=True,
    envvar="COMPLAINTCORE_CONFIG",
    help="The desk's config file.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    help="Output language (default: COMPLAINTCORE_LANG, then the locale).",
)
@click.option(
    "--now",
    type=DateTimeType(),
    default=None,
    envvar="COMPLAINTCORE_NOW",
    help="Act as if it were this time (ISO 8601); for scripts and replays.",
)
@click.version_option(package_name="complaintcore")
@click.pass_context
def main(click_ctx: click.Context, config: str, lang: str | None, now: datetime | None) -> None:
    """complaintcore: owners' complaints, handled by the documented procedures.

    Exit status: 0 done, 1 refused or invalid data, 2 usage, 3 not found,
    4 access denied, 5 store error.
    """
    ctx = Ctx(config, lang or default_lang(), now)
    click_ctx.obj = ctx
    click_ctx.call_on_close(ctx.close)
    CURRENT.set(ctx)


for _command in (init, demo, receive, list_, show, act, sweep, verify, report, packs, migrate):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
