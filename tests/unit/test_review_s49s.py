"""Review s49S F02: a stored name without a space (every Chinese name) written over a
line break is masked as on one line, the line break kept where it stands (PRV-1:
names are never shown to people who need not see them).

Expected texts are counted by hand: ``models.mask`` keeps the first character of
a name and masks every other (``王小明`` -> ``王`` and two stars, ``欧阳娜娜`` ->
``欧`` and three); a line break inside it stays, and a space inside it is masked
like a character.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact
from tests.unit.test_redaction import slow_runs


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        # the break after 小: 王 kept, 小 masked, break kept, 明 masked
        ("业主王小\n明来电", "王小明", "业主王*\n*来电"),
        # the break after 王: 王 kept, break kept, 小明 masked
        ("业主王\n小明来电", "王小明", "业主王\n**来电"),
        ("业主王\r\n小明来电", "王小明", "业主王\r\n**来电"),
        # a space each side of the break: both masked like characters (王 + 4 stars)
        ("业主王 \n 小明来电", "王小明", "业主王*\n***来电"),
        # 欧阳娜娜: 欧 kept, 阳 masked, break, 娜娜 masked
        ("业主欧阳\n娜娜来电", "欧阳娜娜", "业主欧*\n**来电"),
        # a name of two characters: 王 kept, 明 masked
        ("业主王\n明来电", "王明", "业主王\n*来电"),
    ],
)
def test_a_chinese_name_over_a_line_break_is_masked_keeping_the_break(
    text: str, name: str, expected: str
) -> None:
    assert redact(text, also=[name]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "name"),
    [
        # two blank lines between: paragraphs apart (one blank line is taken since
        # review s51A F05: tests/unit/test_review_s51a.py)
        ("业主王小\n\n\n明来电", "王小明"),
        ("业主王小\r\n\r\n\r\n明来电", "王小明"),
        ("业主王    小明来电", "王小明"),  # four spaces, as on one line
        ("业主王小 \n    明来电", "王小明"),  # four spaces after the break
        # a line break inside a word of letters, as a space there, is no name
        ("owner MargaretThomp\nson called", "MargaretThompson"),
    ],
)
def test_a_name_is_not_taken_over_a_blank_line_or_inside_a_word(text: str, name: str) -> None:
    assert redact(text, also=[name]) == text


@pytest.mark.procedure("PRV-1")
def test_chinese_names_over_line_breaks_cost_linear_time() -> None:
    hostile = ["王\n", "王 \n ", "王小\n", "\n小", "王小 \n \n明", "欧阳\n娜"]
    assert not slow_runs(hostile, ["王小明", "欧阳娜娜", "王明"], timeout=180)
