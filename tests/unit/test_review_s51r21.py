"""Stored text on a terminal after review s51R21: legitimate joiners print as
typed (F02), escaped text is laid out at its printed width (F01), and a tab takes
the columns rich prints for it (F03).  Expected texts are written out by hand."""

from __future__ import annotations

import io

from rich.cells import cell_len

from complaintcore.cli.errors import one_line
from complaintcore.cli.fit import fitted_table, say_blocks, table_widths, wrap
from complaintcore.cli.terminal import TerminalConsole, shown
from complaintcore.core.errors import InvalidInputError

PERSIAN = "آب نمی\u200cآید"  # "no water comes": a ZWNJ inside the word
FAMILY = "👨\u200d👩\u200d👧"  # one family, three people joined by ZWJ
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


# F02 — what is escaped, and what is not


def test_joiners_soft_hyphens_and_emoji_tags_print_as_typed() -> None:
    for text in (
        PERSIAN,
        FAMILY,
        "🏳️\u200d🌈",  # rainbow flag: VS16 and ZWJ
        "ന്\u200d വെള്ളം",  # Malayalam chillu
        "क्\u200dष",  # Hindi half form
        "Heizungs\xadanlage",  # soft hyphen from a word processor
        SCOTLAND,
        "ไทย\u200bภาษา",  # Thai words parted by a zero-width space
        "❤\ufe0f 👍🏽",
    ):
        assert shown(text) == text, ascii(text)


def test_what_runs_or_reorders_is_still_escaped() -> None:
    assert shown("a\x1b[2Jb\x07c\x7f\x85\x9b") == "a\\x1b[2Jb\\x07c\\x7f\\x85\\x9b"
    embeddings = "".join(chr(c) for c in range(0x202A, 0x202F))
    assert shown(embeddings) == "\\u202a\\u202b\\u202c\\u202d\\u202e"
    isolates = "".join(chr(c) for c in range(0x2066, 0x206A))
    assert shown(isolates) == "\\u2066\\u2067\\u2068\\u2069"
    # the marks reorder digit runs: 12 RLM 34 is drawn 3412 in a left-to-right line
    assert shown("12\u200f34 56\u200e78 9\u061c0") == "12\\u200f34 56\\u200e78 9\\u061c0"
    assert shown("x\u2028y\u2029z") == "x\\u2028y\\u2029z"
    assert shown("\ud800") == "\\ud800"  # a lone surrogate cannot be written at all
    assert shown("一\n二\t三\u3000四") == "一\n二\t三\u3000四"


def test_errors_escape_exactly_what_the_views_escape() -> None:
    exc = InvalidInputError("summary", f"{PERSIAN} {FAMILY} \x1b[2J \u202e0005")
    text = one_line(exc)
    assert f"{PERSIAN} {FAMILY} \\x1b[2J \\u202e0005" in text
    assert "\x1b" not in text
    assert "\u202e" not in text


# F01 — measured as printed


def _printed(width: int, draw: object) -> list[str]:
    buffer = io.StringIO()
    console = TerminalConsole(file=buffer, width=width, color_system=None, markup=False)
    if callable(draw):
        draw(console)
    else:
        console.print(draw)
    return buffer.getvalue().splitlines()


HOSTILE = "reason: \x1b]52;c;ZXZpbA==\x07 then \u202e0005\u202c yuan, owner مهسا"
HOSTILE_SHOWN = "reason: \\x1b]52;c;ZXZpbA==\\x07 then \\u202e0005\\u202c yuan, owner مهسا"


def _last_cells(lines: list[str]) -> str:
    """The last column's text of a boxed table, its lines joined by spaces."""
    cells = [line.split("│")[-2].strip() for line in lines if line.count("│") >= 3]
    return " ".join(c for c in cells if c)


def test_an_escaped_cell_is_laid_out_whole_at_200_and_80_columns() -> None:
    head = ["when", "actor", "detail"]
    row = ["2025-10-09T11:00", "SR-101", HOSTILE]
    for width in (200, 80):
        table = fitted_table(head, [row], width, flexible=(2,))
        assert table is not None
        lines = _printed(width, table)
        assert all(cell_len(line) <= width for line in lines), lines
        assert "…" not in "".join(lines)
        assert _last_cells(lines[3:]) == HOSTILE_SHOWN, (width, lines)


def test_widths_are_those_of_the_escaped_text() -> None:
    # "\x1b" is one stored character and four printed cells: "a\x1bb" is 6 wide
    assert table_widths(["x"], [["a\x1bb"]], 80) == [6]
    assert wrap("\x1b\x1b\x1b", 8) == ["\\x1b\\x1b", "\\x1b"]  # never cut inside an escape


def test_blocks_keep_every_escaped_value_under_its_indent() -> None:
    head = ["when", "complaint", "purpose", "how"]
    row = ["2025-10-09T10:00+08:00", "C-20251009-1ee62800f6254a7a", HOSTILE, "show --as"]
    lines = _printed(80, lambda c: say_blocks(c, head, [row]))
    indent = len("2025-10-09T10:00+08:00") + 2
    assert all(cell_len(line) <= 80 for line in lines), lines
    assert all(line.startswith(" " * indent) for line in lines[1:]), lines
    joined = " ".join(line[indent:].strip() for line in lines)
    assert f"purpose {HOSTILE_SHOWN}" in joined, lines
    assert joined.endswith("how show --as"), lines


# F03 — a tab takes the columns rich gives it


def test_a_tab_in_a_cell_is_counted_as_the_spaces_it_prints() -> None:
    purpose = "callback\tverify leak claim"
    # "callback" is 8 cells: the tab takes the next 8, to column 16
    assert table_widths(["purpose"], [[purpose]], 200) == [8 + 8 + len("verify leak claim")]
    table = fitted_table(["when", "purpose"], [["10:00", purpose]], 200, flexible=(1,))
    lines = _printed(200, table)
    assert any("│ callback        verify leak claim │" in line for line in lines), lines


def test_a_tab_in_a_block_keeps_the_next_value_under_its_indent() -> None:
    head = ["when", "purpose", "how"]
    row = ["2025-10-09T12:00+08:00", "callback\tverify leak claim", "show --as"]
    lines = _printed(60, lambda c: say_blocks(c, head, [row]))
    indent = len("2025-10-09T12:00+08:00") + 2
    assert all(cell_len(line) <= 60 for line in lines), lines
    assert all(line.startswith(" " * indent) for line in lines[1:]), lines
    assert " ".join(line[indent:].strip() for line in lines) == (
        "purpose callback        verify leak claim · how show --as"
    ), lines


def test_staff_blocks_indent_under_a_staff_id_as_printed() -> None:
    """``report --staff``'s blocks measured the stored id: one with an ESC (four
    printed cells, one stored) pushed its own figures four cells right."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from complaintcore.cli.report_terminal import print_staff
    from complaintcore.core.models import Grade
    from complaintcore.core.staff_report import StaffMonth, StaffReport
    from complaintcore.i18n import translator
    from complaintcore.rules import load_pack

    pack = load_pack("cn-property")
    rows = tuple(
        StaffMonth(
            staff_id=sid,
            sanctions=((Grade.MAJOR, 1),),
            cards=(),
            warnings=0,
            points=3,
            complaints=1,
            complaint_ids=(),
            severe=False,
        )
        for sid in ("SR-1\x1b", "SR-20000")
    )
    now = datetime(2025, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    report = StaffReport(pack.name, "2025-11", "Asia/Shanghai", now, pack.accountability, rows)
    lines = _printed(40, lambda c: print_staff(c, report, translator("en")))
    firsts = [line for line in lines if line.startswith(("SR-1\\x1b", "SR-20000"))]
    # "SR-1\x1b" prints 8 cells, as wide as "SR-20000": both figures start at 10
    assert [line[:10] for line in firsts] == ["SR-1\\x1b  ", "SR-20000  "], lines
    assert firsts[0][10:] == firsts[1][10:], lines
