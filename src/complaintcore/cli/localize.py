"""Click in the reader's language: help texts, and click's own words.

Help texts are English message ids (``help=N_("…")``), fixed when the commands
are defined, long before ``--lang`` is read; :func:`speaking` puts each one's
translation in place for one run and restores the message ids afterwards.
Click marks its own messages for gettext but looks them up in the process-wide
default domain; for one run, :func:`speaking` points the ``gettext`` names of
click's modules at the catalog of ``complaintcore`` instead, which translates
the messages listed in :mod:`complaintcore.cli.text`.  Both are undone when the
run ends, so a host process running the command line in English after Chinese
(or click-based tools of its own) sees no trace of it.
"""

from __future__ import annotations

import gettext
import importlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import click

from complaintcore.cli.help_wrap import wrap_text
from complaintcore.i18n import (
    N_,
    NN_,
    Translator,
    available_languages,
    resolve_language,
    translator,
)

__all__ = ["LanguageChoice", "speaking", "spoken"]

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
)
_STDLIB = {"_": gettext.gettext, "ngettext": gettext.ngettext}

_EXTRA_ARGUMENTS = (
    "Got unexpected extra argument ({args})",
    "Got unexpected extra arguments ({args})",
)
"""Click's words for stray positional arguments, which it quotes."""
_EXTRA_NOT_QUOTED = NN_(
    "got {count} unexpected extra argument (not shown: it may be personal data);"
    " put quotes around a value with spaces",
    "got {count} unexpected extra arguments (not shown: they may be personal data);"
    " put quotes around a value with spaces",
)
"""What is said instead (PRV-1): the stray words are most often a phone or a name
typed with a space and no quotes (``--phone 138 1234 5678``), so they are
counted, never quoted, on the terminal, in ``--json`` and in the logs."""


def _click_ngettext(t: Translator) -> Any:
    """``ngettext`` for click's modules: ``t``'s, but stray arguments are only counted."""

    def ngettext(singular: str, plural: str, n: int) -> str:
        if (singular, plural) == _EXTRA_ARGUMENTS:
            text = t.n(*_EXTRA_NOT_QUOTED, n)
            return text.replace("{", "{{").replace("}", "}}")  # click fills in {args}
        return t.ngettext(singular, plural, n)

    return ngettext


def _walk(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _walk(sub)


def _help_option(command: click.Command) -> click.Parameter | None:
    """The command's ``--help`` option, made (with click's English text) if not yet."""
    return command.get_help_option(click.Context(command))


_METAVAR_WORD = re.compile(r"[A-Z][A-Z_-]*(?: RANGE)?")
"""A word of a placeholder (``TEXT``, ``INTEGER RANGE``, ``COMPLAINT_ID``); the
codes of a choice (``[phone|in_person]``) are lower case and stay as they are."""


def _placeholder(shown: str, t: Translator) -> str:
    """A placeholder with its words in ``t``'s language (``METAVARS``)."""
    return _METAVAR_WORD.sub(lambda word: t.pgettext("metavar", word[0]), shown)


def _cells(text: str) -> int:
    """Click's ``term_len`` in terminal cells (rich's measure), not characters."""
    from click._compat import strip_ansi
    from rich.cells import cell_len

    return cell_len(strip_ansi(text))


_HEADING = N_("{heading}:")
"""A help page's section heading (``Options:``), its colon in the reader's script."""


def _heading_writer(t: Translator) -> Any:
    def write_heading(self: click.HelpFormatter, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{t(_HEADING, heading=heading)}\n")

    return write_heading


_SPOKEN: ContextVar[Translator | None] = ContextVar("complaintcore_spoken", default=None)


def spoken() -> Translator:
    """The language of the run :func:`speaking` is in (English outside one): for the
    words click fixes when the commands are defined, such as ``--version``'s."""
    return _SPOKEN.get() or translator("en")


@contextmanager
def speaking(root: click.Command, t: Translator) -> Iterator[None]:
    """Run ``root`` (and every subcommand) in ``t``'s language, then put everything back."""
    saved: list[tuple[object, str, str | None]] = []

    def swap(obj: object, attr: str) -> None:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            saved.append((obj, attr, value))
            setattr(obj, attr, t.gettext(value))

    def swap_placeholder(obj: object, attr: str, shown: str) -> None:
        translated = _placeholder(shown, t)
        if translated != shown:
            saved.append((obj, attr, getattr(obj, attr)))
            setattr(obj, attr, translated)

    for command in _walk(root):
        for attr in ("help", "short_help", "epilog"):
            swap(command, attr)
        for attr in ("options_metavar", "subcommand_metavar"):
            value = getattr(command, attr, None)
            if isinstance(value, str):
                swap_placeholder(command, attr, value)
        context = click.Context(command)
        for param in (*command.params, _help_option(command)):
            if isinstance(param, click.Option):
                swap(param, "help")
            if isinstance(param, click.Argument) or (
                isinstance(param, click.Option) and not param.is_flag
            ):
                swap_placeholder(param, "metavar", param.make_metavar(context))
    patched: list[tuple[Any, str, Any]] = []
    own = {"_": t.gettext, "ngettext": _click_ngettext(t)}
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        for attr, stdlib in _STDLIB.items():
            if getattr(module, attr, None) is stdlib:  # only what click bound from gettext
                patched.append((module, attr, stdlib))
                setattr(module, attr, own[attr])
    formatting = importlib.import_module("click.formatting")
    measure = getattr(formatting, "term_len", None)
    if measure is not None:
        # a Chinese placeholder or option name takes two cells a character: the
        # help page's columns are lined up by what the terminal shows
        patched.append((formatting, "term_len", measure))
        setattr(formatting, "term_len", _cells)  # noqa: B010 (click does not export it)
    # a heading's colon is written by click outside gettext ("选项:"): put in the
    # reader's punctuation, as "Usage:" is (review s52R6 F07)
    helper = formatting.HelpFormatter
    patched.append((helper, "write_heading", helper.write_heading))
    setattr(helper, "write_heading", _heading_writer(t))  # noqa: B010 (as above)
    # and its texts wrapped by cells too, never inside an option name or a date
    # (click's textwrap counts characters: review s49C F01)
    patched.append((formatting, "wrap_text", formatting.wrap_text))
    setattr(formatting, "wrap_text", wrap_text)  # noqa: B010 (as above)
    token = _SPOKEN.set(t)
    try:
        yield
    finally:
        _SPOKEN.reset(token)
        for module, attr, stdlib in reversed(patched):
            setattr(module, attr, stdlib)
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:  # clicks before 8.4 cannot subscript their types at run time
    _Choice = click.Choice


class LanguageChoice(_Choice):
    """``--lang``: a language there is a catalog for (``zh``, ``en``, or one a host added).

    Locale tags are understood too (``zh_CN``, ``zh-CN.UTF-8``); anything else is
    a usage error that lists the languages.
    """

    def __init__(self) -> None:
        super().__init__(available_languages(), case_sensitive=False)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        """Read when used, so catalogs added after start-up count."""
        return available_languages()

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """Click sets the choices once; they are always read fresh instead."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str):
            found = resolve_language(value)
            if found is not None:
                return found
        return str(super().convert(value, param, ctx))
