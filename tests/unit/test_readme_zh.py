"""README.zh-CN.md gives the same commands and the same code as README.md.

The Chinese README is for the property companies this library serves; it may
translate the prose and the comments, never the commands.  Its python blocks
also run (tests/unit/test_docs_run.py runs every page).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.unit.test_docs import fenced_blocks

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_ZH = ROOT / "README.zh-CN.md"


def _without_comment(line: str) -> str:
    """The command part of a shell line: a ``#`` word outside quotes starts a comment."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def command_lines(path: Path) -> list[str]:
    lines: list[str] = []
    for block in fenced_blocks(path.read_text(encoding="utf-8")):
        if block.language == "bash":
            lines.extend(c for c in map(_without_comment, block.code.splitlines()) if c)
    return lines


def python_code(path: Path) -> list[str]:
    """Each python block's syntax tree: code equal up to comments and layout."""
    return [
        ast.dump(ast.parse(b.code))
        for b in fenced_blocks(path.read_text(encoding="utf-8"))
        if b.language == "python"
    ]


def test_the_chinese_readme_gives_every_command_in_the_same_order() -> None:
    english = command_lines(README)
    chinese = command_lines(README_ZH)
    assert len(english) >= 20
    it = iter(chinese)
    missing = [line for line in english if not any(line == other for other in it)]
    assert missing == [], "README.zh-CN.md lacks (or reorders) these command lines"


def test_the_chinese_readme_has_the_same_python_code() -> None:
    english = python_code(README)
    assert english
    assert python_code(README_ZH) == english


def test_comments_are_dropped_but_not_hashes_in_commands() -> None:
    assert _without_comment("complaintcore sweep      # for cron") == "complaintcore sweep"
    assert _without_comment('x --summary "5#1102 漏水"  # 注释') == 'x --summary "5#1102 漏水"'
    assert _without_comment("# only a comment") == ""
    assert command_lines(README)[0].startswith("python3 -m venv .venv")


def test_the_chinese_readme_is_chinese_and_linked() -> None:
    text = README_ZH.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    assert len(re.findall(r"[\u4e00-\u9fff]", prose)) > 600
    assert "(README.zh-CN.md)" in README.read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)]+)\)", text):
        assert (ROOT / link).exists(), link
