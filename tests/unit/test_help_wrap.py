"""Help texts wrapped by terminal cells (review s49C F01).

``wrap_text`` stands in for click's: a Chinese sentence breaks between
characters within the width counted in cells, never inside a date or an option
name; English text is wrapped exactly as click wraps it.
"""

from __future__ import annotations

import click.formatting
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from complaintcore.cli.help_wrap import wrap_text

CLICK_WRAP_TEXT = click.formatting.wrap_text  # click's own, as imported (not swapped)


def test_a_chinese_sentence_breaks_by_cells_and_keeps_its_dates_whole() -> None:
    text = "规则包在某年、某季度、某月或某一区间的指标：2025、2025-Q1、2025-11、2025-04..2026-03。"
    # 44 cells a line: 22 Chinese characters; counted by hand
    assert wrap_text(text, 44).split("\n") == [
        "规则包在某年、某季度、某月或某一区间的指标：",
        "2025、2025-Q1、2025-11、2025-04..2026-03。",
    ]
    # click's textwrap counted characters: 44 of them, 78 cells, the last date cut
    assert CLICK_WRAP_TEXT(text, 44).split("\n")[0].endswith("2025-11、2")


def test_indents_and_paragraphs_as_click_writes_them() -> None:
    text = "第一段：甲乙丙丁戊己庚辛\n\n\b\n  原样\n  不重排的块"
    assert wrap_text(text, 12, "  ", "  ", preserve_paragraphs=True) == (
        "  第一段：甲\n  乙丙丁戊己\n  庚辛\n\n    原样\n    不重排的块"
    )  # a \b block keeps its lines' own indent after the page's, as click's does
    assert wrap_text("   ", 20, "用法: ") == ""


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz.,;:()[]0123456789", min_size=1, max_size=12)
ENGLISH = st.lists(st.tuples(WORD, st.sampled_from([" ", "  "])), min_size=1, max_size=30).map(
    lambda words: "".join(w + gap for w, gap in words).strip()
)


@given(ENGLISH, st.integers(min_value=16, max_value=100), st.booleans())
def test_english_is_wrapped_as_click_wraps_it(text: str, width: int, paragraphs: bool) -> None:
    """Words (no hyphens: click may split there) that fit a line, one cell a letter."""
    for indent in ("", "    "):
        assert wrap_text(text, width, indent, indent, paragraphs) == CLICK_WRAP_TEXT(
            text, width, indent, indent, paragraphs
        )


@given(
    st.text(alphabet="甲乙丙、。：（）ab-12 ", max_size=60), st.integers(min_value=4, max_value=40)
)
def test_no_line_is_wider_than_the_width(text: str, width: int) -> None:
    lines = wrap_text(text, width, "  ", "  ").split("\n")
    assert all(cell_len(line) <= width for line in lines), lines
