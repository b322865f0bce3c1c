"""Text for people's terminals: what the store returns shown, never run.

Intake refuses control characters (:func:`complaintcore.core.limits.clean_text`),
but a record edited in the database file (the threat model's editor, who may
drop the triggers) can hold any, and intake keeps format characters.  So every
character a terminal may run or draw other than it reads (an escape sequence's
ESC, BEL, C1 controls, the line and paragraph separators, a bidi override that
draws ``0005`` as ``5000``, a zero-width space) is written escaped, as Python
writes it (``\\x1b``, ``\\u202e``): the command line's errors, and everything
:class:`TerminalConsole` prints (review s51R8 F02, F03).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rich.console import (
    Console,
    ConsoleOptions,
    HighlighterType,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
)
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

__all__ = ["TerminalConsole", "shown"]


def shown(text: str) -> str:
    """``text`` with every character that is not printable escaped (``\\x1b``,
    ``\\u202e``): control, format, surrogate, private-use and unassigned
    characters, and the line and paragraph separators U+2028, U+2029.  Line
    breaks and tabs are kept, and so are spaces (U+3000, the no-break space):
    they draw as spaces."""
    if text.isprintable():  # most text: one scan in C
        return text
    return "".join(
        ch
        if ch.isprintable() or ch in "\n\t" or unicodedata.category(ch) == "Zs"
        else ascii(ch)[1:-1]
        for ch in text
    )


class TerminalConsole(Console):
    """A rich console whose every text is :func:`shown`: strings (a line, a
    table's cells) before they are laid out, so a table's columns fit what is
    printed, and any other text (a :class:`~rich.text.Text`) as it is rendered.
    Styles and the console's own control codes are not text: kept."""

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        return super().render_str(
            shown(text),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=emoji,
            markup=markup,
            highlight=highlight,
            highlighter=highlighter,
        )

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(shown(segment.text), segment.style)
