"""Click's help pages wrapped by terminal cells (review s49C F01).

Click wraps a help text with :mod:`textwrap`, which counts characters and breaks
only at spaces and hyphens: a Chinese sentence, which has no spaces, was one
"word" cut wherever the count ran out (``…2025-11、2`` / ``025-04…``), and its
lines ran to 100-120 cells on an 80-column terminal.  :func:`wrap_text` is
click's ``click.formatting.wrap_text`` (same arguments, same paragraphs, same
``\\b`` blocks left as they are) with the lines broken by
:func:`complaintcore.cli.fit.wrap`: widths in cells, Chinese between characters
and after its punctuation, never inside a run of letters and digits (an option
name, a date, a code such as ``cn-property``).  English text, one cell a
character, is broken at the same spaces as before, and text that fits is
left byte for byte as click writes it.
"""

from __future__ import annotations

from rich.cells import cell_len

from complaintcore.cli.fit import wrap

__all__ = ["wrap_text"]


def _fill(text: str, width: int, initial_indent: str, subsequent_indent: str) -> str:
    """``text`` as lines of at most ``width`` cells, each after its indent."""
    if not text.strip():
        return ""  # as textwrap: nothing to write, not even an indent
    # click gives both indents the same width; were they not, every line still fits
    room = width - max(cell_len(initial_indent), cell_len(subsequent_indent))
    lines = wrap(text, room)
    return "\n".join(
        (initial_indent if i == 0 else subsequent_indent) + line for i, line in enumerate(lines)
    )


def _paragraphs(text: str) -> list[tuple[int, bool, str]]:
    """``text``'s paragraphs as click reads them: (indent, left as it is, text)."""
    found: list[tuple[int, bool, str]] = []
    lines: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if not lines:
            return
        if lines[0].strip() == "\b":  # click's mark for a block not to rewrap
            found.append((indent or 0, True, "\n".join(lines[1:])))
        else:
            found.append((indent or 0, False, " ".join(lines)))
        lines.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
            continue
        if indent is None:
            stripped = line.lstrip()
            indent = cell_len(line) - cell_len(stripped)
            line = stripped
        lines.append(line)
    flush()
    return found


def wrap_text(
    text: str,
    width: int = 78,
    initial_indent: str = "",
    subsequent_indent: str = "",
    preserve_paragraphs: bool = False,
) -> str:
    """``click.formatting.wrap_text``, measured in terminal cells (module docstring)."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return _fill(text, width, initial_indent, subsequent_indent)
    pages: list[str] = []
    for indent, raw, paragraph in _paragraphs(text):
        first, rest = initial_indent + " " * indent, subsequent_indent + " " * indent
        if raw:
            pages.append(
                "\n".join(
                    (first if i == 0 else rest) + line
                    for i, line in enumerate(paragraph.splitlines())
                )
            )
        else:
            pages.append(_fill(paragraph, width, first, rest))
    return "\n\n".join(pages)
