"""Every command line the docs show puts each option where the command line takes it.

complaintcore's own options (``--config``, ``--lang``, ``--now``, ``--version``)
go before the command; ``--now`` also after a command that reads the clock;
every other option (``--json`` included) after the command.  A reader types what
the docs show, so each ``complaintcore …`` line of a shell block, and each inline
``command --option`` span of the prose (``verify --now``, ``--lang en init``), of
README.md, README.zh-CN.md and docs/ is checked against the command tree itself.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from complaintcore.cli.app import main
from tests.unit.test_docs import fenced_blocks, without_code

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "README.zh-CN.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELL = {"bash", "console", "sh", "shell", "text", ""}

# Lines the docs show wrong on purpose, to show what the refusal says.
MISPLACED_ON_PURPOSE = {("cli.md", "list --lang zh")}


def _params(command: click.Command) -> list[click.Parameter]:
    """A command's parameters, ``--help`` included."""
    return command.get_params(click.Context(command))


# complaintcore's own options: whether each takes a value
OWN = {o: not p.is_flag for p in _params(main) if isinstance(p, click.Option) for o in p.opts}


def _options_of(command: click.Command) -> set[str]:
    """What a command takes after it; an ``act`` step left unnamed (``act … --now``)
    takes what every step takes."""
    if isinstance(command, click.Group):
        each = [_options_of(sub) for sub in command.commands.values()]
        return set.intersection(*each) if each else set()
    return {o for p in _params(command) for o in getattr(p, "opts", [])}


def misplaced(line: str) -> list[str]:
    """The options of a command line the command line would refuse where they stand."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:  # an unclosed quote in a fragment
        words = line.split()
    found: list[str] = []
    segment: list[str] = []
    for word in [*words, ";"]:  # `cd /srv && complaintcore sweep`
        if word in {"&&", "||", "|", ";"} or word.endswith(";"):
            found += _misplaced_in(segment)
            segment = []
        else:
            segment.append(word)
    return found


def _misplaced_in(words: list[str]) -> list[str]:
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words = words[1:]  # LANG=zh_CN.UTF-8 complaintcore …
    if len(words) > 1 and re.search(r"python[\d.]*$", words[0]) and words[1] == "-m":
        words = words[2:]  # python -m complaintcore …
    if words and words[0].rsplit("/", 1)[-1] == "complaintcore":
        words = words[1:]
    elif not words or (words[0] not in main.commands and words[0].split("=")[0] not in OWN):
        return []  # prose in backticks or another program, not a complaintcore line
    found: list[str] = []
    i = 0
    while i < len(words) and words[i].startswith("-"):
        name = words[i].split("=")[0]
        if name not in OWN:
            found.append(f"{name} before the command")
        i += 1 + (OWN.get(name, False) and "=" not in words[i])
    if i >= len(words) or words[i] not in main.commands:
        return found  # `complaintcore.toml`, `complaintcore --version`
    command = main.commands[words[i]]
    rest = words[i + 1 :]
    if isinstance(command, click.Group):  # act ID STEP, act STEP ID, outbox list, packs show
        named = [w for w in rest if w in command.commands]
        command = command.commands[named[0]] if named else command
    takes = _options_of(command)
    for word in rest:
        name = word.split("=")[0]
        if name in OWN and name not in takes:
            found.append(f"{name} after {command.name}")
    return found


def _command_lines(page: Path) -> list[tuple[int, str]]:
    """Shell lines of fenced blocks, and inline code spans of the prose, with line numbers."""
    text = page.read_text(encoding="utf-8")
    lines: list[tuple[int, str]] = []
    for block in fenced_blocks(text):
        if block.language in SHELL:
            for offset, line in enumerate(block.code.splitlines(), start=1):
                lines.append((block.line + offset, re.sub(r"^\s*\$ ", "", line)))
    prose = without_code(text)
    for match in re.finditer(r"(?<!`)`([^`]+)`(?!`)", prose):
        lines.append((prose.count("\n", 0, match.start()) + 1, " ".join(match[1].split())))
    return lines


def test_the_checker_finds_options_on_the_wrong_side() -> None:
    assert misplaced("complaintcore list --lang zh") == ["--lang after list"]
    assert misplaced("complaintcore --json list") == ["--json before the command"]
    assert misplaced("verify --config x.toml") == ["--config after verify"]
    assert misplaced("complaintcore audit --now 2025-11-14T09:00") == ["--now after audit"]
    assert misplaced("cd /srv && LANG=C .venv/bin/complaintcore sweep --lang en") == [
        "--lang after sweep"
    ]
    assert misplaced("python -m complaintcore --json sweep") == ["--json before the command"]
    assert misplaced("complaintcore --config=x.toml --lang en act C-1 close --version") == [
        "--version after close"
    ]
    for right in [
        "complaintcore --lang en init ukdesk --pack uk-housing-ombudsman-2024",
        "complaintcore --config mydesk/complaintcore.toml migrate --to m.sqlite3",
        "complaintcore receive … --received-at T --now T",
        "complaintcore act … --now T",
        "complaintcore act C-1 assess --actor SR-201 --now T --json",
        "verify --now",
        "--lang en init",
        "complaintcore --help",
        "complaintcore list --help",
        "pybabel init -i complaintcore.pot -d my-locale -D complaintcore -l ja",
        "complaintcore.toml",
        "the `--now` option",
    ]:
        assert misplaced(right) == [], right


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_documented_command_line_puts_its_options_where_they_go(page: Path) -> None:
    wrong = [
        f"{page.name}:{number}: {line!r}: {problem}"
        for number, line in _command_lines(page)
        if (page.name, line) not in MISPLACED_ON_PURPOSE
        for problem in misplaced(line)
    ]
    assert wrong == []


def test_the_lines_wrong_on_purpose_are_wrong_and_shown() -> None:
    shown = {(page.name, line) for page in PAGES for _, line in _command_lines(page)}
    for page, line in MISPLACED_ON_PURPOSE:
        assert (page, line) in shown
        assert misplaced(line) != []
