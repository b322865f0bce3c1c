"""The error session docs/cli.md shows under "Exit codes" is what the command line
prints: each ``$ complaintcore ...`` line is run on a new desk and its printed lines
and ``echo $?`` compared (review s42A F04: the page kept an older error text)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

CLI_MD = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _session() -> list[tuple[list[str], list[str], int | None]]:
    """(arguments, printed lines, exit code shown or None) of the page's error session."""
    blocks = re.findall(r"```console\n(.*?)```", CLI_MD.read_text(encoding="utf-8"), re.S)
    [block] = [b for b in blocks if "--status closedd" in b]
    steps: list[tuple[list[str], list[str], int | None]] = []
    lines = block.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("$ complaintcore "):
            args = shlex.split(line.removeprefix("$ complaintcore "))
            printed = []
            for out in lines[i + 1 :]:
                if out.startswith("$ "):
                    break
                printed.append(out)
            steps.append((args, printed, None))
        elif line == "$ echo $?":
            args, printed, _ = steps[-1]
            steps[-1] = (args, printed, int(lines[i + 1]))
    return steps


def test_the_error_session_on_the_page_is_what_the_command_line_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--lang", "en", "init", "."]).exit_code == 0
    steps = _session()
    assert len(steps) >= 4
    for args, printed, code in steps:
        result = runner.invoke(main, ["--lang", "en", *args], prog_name="complaintcore")
        assert result.stderr.splitlines() == printed, args
        if code is not None:
            assert result.exit_code == code, args
