"""What the command line prints for people shows stored text, never runs it
(review s51R8 F02, F03): :func:`complaintcore.cli.terminal.shown` and the console
every command prints through.  Expected texts are written out by hand."""

from __future__ import annotations

import io

from rich.table import Table
from rich.text import Text

from complaintcore.cli.terminal import TerminalConsole, shown


def test_shown_escapes_controls_and_format_characters_and_keeps_spaces() -> None:
    assert shown("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert shown("押金 \u202e0005\u202c 元") == "押金 \\u202e0005\\u202c 元"
    assert shown("x\u2028y\u2066z\u2069\x85\x9b") == "x\\u2028y\\u2066z\\u2069\\x85\\x9b"
    # line breaks, tabs and every kind of space draw as they are
    assert shown("一\n二\t三\u3000四\u00a0五") == "一\n二\t三\u3000四\u00a0五"
    assert shown("王小明 13812345678") == "王小明 13812345678"


def _printed(*renderables: object) -> str:
    buffer = io.StringIO()
    console = TerminalConsole(file=buffer, width=60, color_system=None, markup=False)
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()


def test_the_console_prints_strings_texts_and_table_cells_escaped() -> None:
    table = Table("note")
    table.add_row("ok\x1b]52;c;ZXZpbA==\x07")
    out = _printed("a\x1b[31mred", Text("b\u202e0005"), table)
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    assert "a\\x1b[31mred" in out
    assert "b\\u202e0005" in out
    assert "ok\\x1b]52;c;ZXZpbA==\\x07" in out


def test_the_console_keeps_its_own_styles() -> None:
    buffer = io.StringIO()
    console = TerminalConsole(file=buffer, force_terminal=True, color_system="standard")
    console.print(Text("bold", style="bold"))
    assert "\x1b[1m" in buffer.getvalue()
