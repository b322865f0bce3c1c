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


# The benchmark figures: the Chinese README summarises the English one's run.

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*万)?")
_RULE_ID = re.compile(r"\b[A-Z]{2,}-\d+\b")
_COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")


def _numbers(text: str) -> set[str]:
    """The numbers quoted in ``text``, commas dropped and 万 counted out (10 万 = 100000);
    the numbers of rule ids (IMP-3) and of commits (f430dcd) are not figures."""
    text = _RULE_ID.sub(" ", text)
    text = _COMMIT.sub(" ", text)
    found: set[str] = set()
    for match in _NUMBER.findall(text):
        number = match.replace(",", "").rstrip("万").strip().rstrip(",")
        if match.endswith("万"):
            number = str(int(float(number) * 10_000))
        found.add(number)
    return found


def _english_benchmark_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("### At a company's scale", 1)[1].split("\n## ", 1)[0]


def _chinese_benchmark_summary() -> str:
    text = README_ZH.read_text(encoding="utf-8")
    start = text.index("`bench_scale.py` 的一次运行结果")
    return text[start:].split("\n\n", 1)[0]


def _bullet(text: str, start: str) -> str:
    """The list item that starts with ``start``, up to the next item."""
    return text[text.index(start) :].split("\n- ", 1)[0]


def test_the_number_reader_reads_the_readmes_way_of_writing() -> None:
    assert _numbers("已存 10 万条投诉时约 1,160 件，0.18 倍（IMP-3）") == {"100000", "1160", "0.18"}
    assert _numbers("bulk intake of 700 to 1,400 with 100,000 stored (HDL-5) at f430dcd") == {
        "700", "1400", "100000",
    }  # fmt: skip


def test_the_chinese_benchmark_summary_names_the_english_run() -> None:
    run = re.search(r"one run\*\* of the library code of this release at\s+commit (\w+)",
                    _english_benchmark_section())  # fmt: skip
    assert run is not None
    assert re.findall(r"\b[0-9a-f]{7}\b", _chinese_benchmark_summary()) == [run.group(1)]


def test_the_chinese_benchmark_summary_quotes_only_the_english_figures() -> None:
    """Every figure of the summary is one of the section's: none left from an older run."""
    summary = _numbers(_chinese_benchmark_summary())
    assert len(summary) >= 15
    assert summary - _numbers(_english_benchmark_section()) == set()


def test_the_chinese_benchmark_summary_gives_every_target_missed() -> None:
    """Each target of the English table that does not hold is named with its measure."""
    rows = re.findall(r"^\| (.+?) \| (.+?) \| (no\b.*?) \|$", _english_benchmark_section(), re.M)
    assert rows  # this run missed intake and the empty month
    summary = _numbers(_chinese_benchmark_summary())
    for target, measured, _ in rows:
        figure = _NUMBER.search(measured)
        assert figure is not None, measured
        assert _numbers(figure.group()) <= summary, (target, measured)


def test_the_chinese_intro_gives_the_english_intro_speeds() -> None:
    english = _bullet(README.read_text(encoding="utf-8"), "- **Fast.**")
    chinese = _bullet(README_ZH.read_text(encoding="utf-8"), "- **快。**")
    assert {"700", "1400", "100000"} <= _numbers(english)
    assert _numbers(chinese) == _numbers(english)
