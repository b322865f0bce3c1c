"""Every help page fits the terminal in Chinese too (review s49C F01).

docs/cli.md: help texts read in the reader's language and text is wrapped
"Chinese between characters, never inside an id or a time".  Click wrapped by
characters: Chinese lines ran to 100-120 cells at 80 columns and a date was cut
(``2`` / ``025-04..2026-03``).  The only lines allowed past the width are an
option whose choices alone are wider (``--fact [promise_not_kept|…]``), as in
English.  The English pages are the ones click's own wrapping writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import click.formatting
import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from complaintcore.cli import localize, main

CLICK_WRAP_TEXT = click.formatting.wrap_text
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")
CHOICES_ALONE = re.compile(r" +--[a-z-]+ \[[a-z_|]+\]")


def _pages(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _pages(sub, (*path, name))


PAGES = list(_pages(main))


def help_page(lang: str, page: tuple[str, ...], width: int) -> str:
    result = CliRunner().invoke(
        main,
        ["--lang", lang, *page, "--help"],
        env=dict.fromkeys(LOCALE_VARS),
        terminal_width=width,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", [60, 80])
def test_no_chinese_help_line_is_wider_than_the_terminal(width: int) -> None:
    wide = [
        (page, line)
        for page in PAGES
        for line in help_page("zh", page, width).splitlines()
        if cell_len(line) > width and not CHOICES_ALONE.fullmatch(line)
    ]
    assert wide == []


@pytest.mark.parametrize("width", [60, 80])
def test_a_date_in_a_chinese_help_text_is_never_cut(width: int) -> None:
    page = help_page("zh", ("report",), width)
    for period in ("2025", "2025-Q1", "2025-11", "2025-04..2026-03"):
        assert re.search(rf"(?<![\w.-]){re.escape(period)}[、。]", page, re.ASCII), period


def test_english_help_at_80_columns_is_what_click_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = [help_page("en", page, 80) for page in PAGES]
    monkeypatch.setattr(localize, "wrap_text", CLICK_WRAP_TEXT)
    assert ours == [help_page("en", page, 80) for page in PAGES]


def test_narrower_english_help_differs_only_where_click_cut_a_hyphenated_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 60 columns click wrote ``[default: cn-`` / ``property]`` and ``--not-`` /
    ``reached``: the same words, but those two kept whole."""
    ours = [help_page("en", page, 60) for page in PAGES]
    monkeypatch.setattr(localize, "wrap_text", CLICK_WRAP_TEXT)
    clicks = [help_page("en", page, 60) for page in PAGES]
    assert ours != clicks
    for mine, theirs in zip(ours, clicks, strict=True):
        assert " ".join(mine.split()) == " ".join(theirs.split()).replace("- ", "-")
        assert not re.search(r"\w-$", mine, re.MULTILINE)


def test_a_host_process_gets_clicks_own_wrapping_back() -> None:
    help_page("zh", ("report",), 80)
    assert click.formatting.wrap_text is CLICK_WRAP_TEXT
