"""The command line's line breaking and column widths (review s34D F03-F05), as laws.

``wrap`` keeps every character and never puts a line past its room; an id or a
time that fits a line is never split.  ``table_widths`` never gives a table
wider than the terminal, and never narrows an id column.
"""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st
from rich.cells import cell_len

from complaintcore.cli.fit import table_widths, wrap

WORDS = st.sampled_from(
    ["C-20260914-1f2f6602adacfbcf", "2026-09-14T10:20", "SR-201", "工程维修部", "处理人：",
     "；", "，", "（客服部）", " / ", "repairs", "and", "maintenance", "24小时", " ", "→"]
)  # fmt: skip
TEXT = st.lists(WORDS, max_size=12).map("".join)


@given(TEXT, st.integers(min_value=2, max_value=60))
def test_wrap_keeps_every_character_within_the_room(text: str, room: int) -> None:
    lines = wrap(text, room)
    assert all(cell_len(line) <= room for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


@given(TEXT, st.integers(min_value=2, max_value=60))
@example("engineering and maintenance", 10)  # a word cut for its length keeps its space
@example("已登记（C-20260914-1f2f6602adacfbcf） / 已指派", 28)  # the brackets give way
def test_wrap_never_splits_an_id_a_time_or_a_word_that_fits(text: str, room: int) -> None:
    """Letters, digits and ASCII punctuation between spaces or Chinese are one word:
    ``C-20260914-…``, ``2026-09-14T10:20``, ``SR-201``, ``maintenance``."""
    lines = wrap(text, room)
    for word in re.findall(r"[!-~]+", text):
        if cell_len(word) <= room:
            whole = re.compile(rf"(?<![!-~]){re.escape(word)}(?![!-~])")
            assert any(whole.search(line) for line in lines), (word, lines)


def test_chinese_breaks_between_characters_and_after_its_punctuation() -> None:
    text = "处理人：SR-201；层级：部门负责人；部门：工程维修部"
    assert wrap(text, 20) == ["处理人：SR-201；层", "级：部门负责人；部", "门：工程维修部"]
    linked = "同一投诉人：C-20260914-1f2f6602adacfbcf；反映次数：2"
    assert wrap(linked, 30) == ["同一投诉人：", "C-20260914-1f2f6602adacfbcf；", "反映次数：2"]
    assert wrap("时限 24小时", 6) == ["时限", "24小时"]  # a number stays with its unit


def test_labels_give_way_evenly_and_the_table_still_fits() -> None:
    """English labels at 120 columns (review s34D F04): the status column, whose
    longest word is short, must not keep more than the room left to it."""
    head = ["id", "status", "category", "department", "site", "handler", "received", "next"]
    row = ["C-20260914-1f2f6602adacfbcf", "in handling", "repairs and maintenance",
           "engineering and maintenance", "sunrise", "SR-201", "09-14 09:05", "09-17"]  # fmt: skip
    widths = table_widths(head, [row], 120, flexible=(1, 2, 3))
    assert widths is not None
    assert sum(widths) + 3 * len(head) + 1 <= 120
    assert widths[2] >= len("maintenance")
    assert widths[3] >= len("engineering")


@given(
    st.lists(st.lists(TEXT, min_size=4, max_size=4), min_size=1, max_size=4),
    st.integers(min_value=20, max_value=160),
    st.sets(st.integers(min_value=1, max_value=3)),
)
def test_a_table_is_never_wider_than_the_terminal(
    rows: list[list[str]], width: int, flexible: set[int]
) -> None:
    widths = table_widths(["id", "a", "b", "c"], rows, width, flexible)
    if widths is None:
        return
    assert sum(widths) + 3 * 4 + 1 <= width
    assert widths[0] == max(cell_len(x) for x in ("id", *(r[0] for r in rows)))
