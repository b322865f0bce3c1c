"""Text for people's terminals: what the store returns shown, never run.

Intake refuses control characters (:func:`complaintcore.core.limits.clean_text`),
but a record edited in the database file (the threat model's editor, who may
drop the triggers) can hold any.  So every character a terminal may run, or that
makes it draw a line otherwise than it reads, is written escaped, as Python
writes it (``\\x1b``, ``\\u202e``): C0 controls but the line break and the tab,
DEL, C1 controls (an escape sequence's ESC, BEL, CSI), the bidi embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069, which draw ``0005`` as
``5000``), the directional marks (U+200E, U+200F, U+061C: ``12`` RLM ``34`` is
drawn ``3412``), the line and paragraph separators and a lone surrogate.  This
in the command line's errors and in everything :class:`TerminalConsole` prints
(review s51R8 F02, F03).  Every other format character is text a script or an
emoji needs and prints as typed: the joiners of Persian and Indic words and of
emoji sequences (U+200C, U+200D), the soft hyphen, variation selectors, the tag
characters of a flag like Scotland's, a zero-width space (review s51R21 F02).
"""

from __future__ import annotations

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

from complaintcore.core.limits import escaped

__all__ = ["TerminalConsole", "shown"]


def shown(text: str) -> str:
    """``text`` with every character a terminal could run, or that redraws the
    line, escaped (``\\x1b``, ``\\u202e``; the module docstring lists them).
    Line breaks, tabs, spaces, joiners and every other character print as they
    are.  The rule is :func:`complaintcore.core.limits.escaped`, which the log
    channel follows too (review s52R2 F01)."""
    return escaped(text)


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
            text = segment.text if segment.control else escaped(segment.text)
            yield segment if text == segment.text else Segment(text, segment.style)
