"""PEN-1, PEN-2: ``report --staff`` on a terminal of 80 columns and up (review s33B F01).

At 80 columns (what cron, mail and a pipe get) the table's headings were cut to
``重…`` for both 重大 (major) and 重要 (important), ``ca…`` for all three cards, and
the severe marker wrapped a word a line.  Now every heading is whole: the table
when it fits, one block per person with every figure labelled when it does not.
Each output is read back into figures per person, by column position in the
table and by label in the blocks, so that a figure under the wrong heading fails.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import main
from complaintcore.cli.report_terminal import print_staff
from complaintcore.core.models import Grade
from complaintcore.core.rulepack import Measure
from complaintcore.core.staff_report import StaffMonth, StaffReport
from complaintcore.i18n import Translator, translator
from complaintcore.rules import load_pack
from tests.helpers import SH

NOW = "2025-11-20T10:00"
GRADES = (Grade.MAJOR, Grade.IMPORTANT, Grade.MINOR, Grade.INTERNAL)
CARDS = (Measure.YELLOW_CARD, Measure.RED_CARD, Measure.BLACK_CARD)
Figures = dict[str, dict[str, str]]


def headings(t: Translator) -> list[str]:
    return [
        t("Staff"),
        t("Name"),
        *(t.label(g) for g in GRADES),
        *(t.label(c) for c in CARDS),
        t.label(Measure.WARNING),
        t("Points"),
        t("Valid complaints"),
        t("Severe"),
    ]


def staff_section(output: str, t: Translator) -> list[str]:
    title = t("Accountability by staff member {period} (PEN-1, PEN-2)", period="2025-11")
    lines = [line.rstrip() for line in output.splitlines()]
    return lines[lines.index(title) + 1 :]


def _cells(line: str) -> list[str]:
    """A line by terminal cell: a wide character, then "" for its second cell."""
    cells: list[str] = []
    for ch in line:
        cells += [ch] + [""] * (cell_len(ch) - 1)
    return cells


def read_figures(section: list[str], t: Translator) -> tuple[str, Figures]:
    """The layout shown ("table" or "blocks") and each person's non-blank figures by
    heading, the severe marker under ``t("Severe")``."""
    head = headings(t)
    if section[0].startswith(head[0] + " "):
        return "table", _read_table(section, head)
    people = [line for line in section if line.startswith(("SR-", " "))]  # not the legend
    return "blocks", _read_blocks(people, t)


def _read_table(section: list[str], head: list[str]) -> Figures:
    header = _cells(section[0])
    text = "".join(c or "\0" for c in header)
    starts = []
    at = 0
    for h in head:  # each heading whole, in order, on the heading line
        at = text.index("".join(c or "\0" for c in _cells(h)), at)
        starts.append(at)
        at += cell_len(h)
    assert set(section[1]) == {"─"}  # the rule under the headings
    figures: Figures = {}
    for line in section[2:]:
        if not line.strip():
            break
        cells = _cells(line)
        row: dict[str, str] = {}
        for i, h in enumerate(head):
            if 2 <= i < len(head) - 1:  # a figure ends where its heading ends
                span = slice(starts[i], starts[i] + cell_len(h))
            else:  # text starts where its heading starts
                span = slice(starts[i], starts[i + 1] if i + 1 < len(head) else None)
            value = "".join(cells[span]).strip()
            if value:
                row[h] = value
        figures[row.pop(head[0])] = row
    return figures


def _read_blocks(lines: list[str], t: Translator) -> Figures:
    figures: Figures = {}
    severe = t("Severe: {what}", what="")
    row: dict[str, str] = {}
    for line in lines:
        if not line.startswith(" "):  # "SR-302 马*", two spaces or more, figures
            who, _, line = line.partition("  ")
            staff, _, name = who.partition(" ")
            row = figures.setdefault(staff, {t("Name"): name} if name else {})
        line = line.strip()
        if line.startswith(severe):
            row[t("Severe")] = line.removeprefix(severe)
            continue
        for item in line.split(" · "):
            label, value = item.rsplit(" ", 1)
            row[label] = value
    return figures


def check(output: str, t: Translator, width: int, expected: Figures) -> str:
    section = staff_section(output, t)
    assert "…" not in "\n".join(section)
    assert max(cell_len(line.rstrip()) for line in section) <= width
    layout, figures = read_figures(section, t)
    assert figures == expected, (width, layout, "\n".join(section))
    return layout


# --------------------------------------------------------------------------- on the desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cn-property desk on SQLite: the guard SR-302 with an important complaint
    (yellow card) and a major one (red card: severe), SR-303 with a minor one (a
    warning), all recorded through the command line."""
    where = tmp_path_factory.mktemp("desk")
    config = str(where / "complaintcore.toml")
    runner = CliRunner()

    env = {"COMPLAINTCORE_NOW": NOW}

    def ok(*args: str) -> str:
        result = runner.invoke(main, ["--lang", "en", "--config", config, *args], env=env)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    result = runner.invoke(main, ["--lang", "en", "init", str(where)], env=env)
    assert result.exit_code == 0, result.output
    for i, (staff, fact) in enumerate(
        (("SR-302", "staff_fault"), ("SR-302", "major_loss"), ("SR-303", ""))
    ):
        cid = ok(
            "receive", "--name", "欧阳甲", "--phone", f"1370000000{i}", "--room", f"30-1-10{i}",
            "--site", "sunrise", "--summary", "保安态度很差", "--receiver", "SR-103",
            "--target-staff-id", staff, "--target-rung", "front_line",
        ).split()[1].rstrip(":")  # fmt: skip
        ok("act", "assess", cid, "--actor", "SR-101", "--validity", "valid",
           *(("--fact", fact) if fact else ()))  # fmt: skip
        ok("act", "sanction", cid, "--actor", "HQ-001")
    return where


@pytest.mark.procedure("PEN-1")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_staff_table_reads_whole_at_80_and_120_columns(desk: Path, lang: str) -> None:
    """PEN-1's grades and cards under their own headings at 80 columns and up, the
    severe marker whole on one line (review s33B F01: 重… 重…, ca… ca… ca…)."""
    t = translator(lang)
    h = headings(t)
    major, important, minor, _internal, yellow, red, _black, warning, _pts, valid, severe = h[2:]
    marker = t("to be handed to the company")
    expected = {
        "SR-302": {h[1]: "马*", major: "1", important: "1", yellow: "1", red: "1", valid: "2",
                   severe: marker},
        "SR-303": {h[1]: "罗*", minor: "1", warning: "1", valid: "1"},
    }  # fmt: skip
    layouts = {}
    for width in (80, 120, 160):
        result = CliRunner().invoke(
            main,
            ["--lang", lang, "--config", str(desk / "complaintcore.toml"), "report",
             "--month", "2025-11", "--staff"],
            env={"COMPLAINTCORE_NOW": NOW, "COLUMNS": str(width)},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        layouts[width] = check(result.stdout, t, width, expected)
        lines = [line for line in result.stdout.splitlines() if marker in line]
        assert len(lines) == 1  # the marker whole, on SR-302's line or block
        assert "马超" not in result.stdout  # PRV-1
    assert layouts[80] == "blocks"
    assert layouts[160] == "table"


# --------------------------------------------------------------------------- every width


def _every_figure() -> StaffReport:
    """One person with every figure set, each to a different number."""
    pack = load_pack("cn-property")
    row = StaffMonth(
        staff_id="SR-302",
        sanctions=tuple((g, i) for i, g in enumerate(GRADES, start=1)),
        cards=tuple((c, i) for i, c in enumerate(CARDS, start=5)),
        warnings=8,
        points=9,
        complaints=10,
        complaint_ids=(),
        severe=True,
        reasons=("severe_sanction",),
    )
    now = datetime(2025, 12, 1, 9, 0, tzinfo=SH)
    return StaffReport(pack.name, "2025-11", "Asia/Shanghai", now, pack.accountability, (row,))


@pytest.mark.procedure("PEN-1")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_heading_stays_distinct_at_every_width_from_80(lang: str) -> None:
    """All thirteen headings, each with its own figure, at every width from 80 to
    200 columns: the table where it fits, the labelled blocks where it does not."""
    t = translator(lang)
    directory = load_sample_staff(pack=load_pack("cn-property"))
    h = headings(t)
    expected = {"SR-302": {**{name: str(i) for i, name in enumerate(h[2:-1], start=1)},
                           h[1]: "马*", h[-1]: t("to be handed to the company")}}  # fmt: skip
    layouts = set()
    for width in range(80, 201):
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, color_system=None)
        print_staff(console, _every_figure(), t, directory)
        layouts.add(check(buffer.getvalue(), t, width, expected))
    assert layouts == {"blocks", "table"}


@pytest.mark.procedure("PEN-1")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_narrow_terminals_blocks_never_wrap_to_the_first_column(lang: str) -> None:
    """Column 0 starts a person's block: below 80 columns the figures and the severe
    marker wrap under their own indent, never back to column 0, where they would
    read as another person (review s33E F05), and no word is lost."""
    t = translator(lang)
    directory = load_sample_staff(pack=load_pack("cn-property"))
    marker = t("Severe: {what}", what=t("to be handed to the company"))
    for width in range(24, 80):
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, color_system=None)
        print_staff(console, _every_figure(), t, directory)
        lines = buffer.getvalue().splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("SR-302"))
        block = lines[first:]
        assert all(line.startswith(" ") for line in block[1:]), (width, block)
        assert max(cell_len(line.rstrip()) for line in block) <= width
        text = "".join(line[len(block[1]) - len(block[1].lstrip()) :] for line in block[1:])
        assert "".join(marker.split()) in "".join(text.split()), (width, block)


# --------------------------------------------------------------------------- exact fits


def _printed(width: int, lang: str) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None)
    print_staff(
        console, _every_figure(), translator(lang), load_sample_staff(pack=load_pack("cn-property"))
    )
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


@pytest.mark.procedure("PEN-1")
@pytest.mark.parametrize(("lang", "width"), [("zh", 102), ("en", 158)])
def test_the_table_is_printed_at_exactly_its_own_width(lang: str, width: int) -> None:
    """ "The table is printed when it fits whole": at the width it needs (measured
    once, 102 columns in Chinese and 158 in English) it is the table, filling the
    line; one column fewer, the blocks (review s34C F13)."""
    t = translator(lang)
    fits = staff_section("\n".join(_printed(width, lang)), t)
    assert read_figures(fits, t)[0] == "table"
    assert max(cell_len(line) for line in fits) == width
    short = staff_section("\n".join(_printed(width - 1, lang)), t)
    assert read_figures(short, t)[0] == "blocks"


@pytest.mark.procedure("PEN-1")
@pytest.mark.parametrize(
    ("width", "block"),
    [
        (  # "SR-302 马*" and two spaces: 12 columns, so 44 left, as wide as the first line
            56,
            [
                "SR-302 马*  major 1 · important 2 · minor 3 · internal 4",
                "            yellow card 5 · red card 6 · black card 7",
                "            warning 8 · Points 9 · Valid complaints 10",
                "            Severe: to be handed to the company",
            ],
        ),
        (  # 8 columns left: a figure wider than that is cut into pieces of 8
            20,
            [
                "SR-302 马*  major 1",
                "            importan",
                "            t 2",
                "            minor 3",
                "            internal",
                "             4",
                "            yellow c",
                "            ard 5",
                "            red card",
                "             6",
                "            black ca",
                "            rd 7",
                "            warning",
                "            8",
                "            Points 9",
                "            Valid co",
                "            mplaints",
                "             10",
                "            Severe:",
                "            to be",
                "            handed",
                "            to the",
                "            company",
            ],
        ),
    ],
)
def test_a_block_line_or_piece_fills_its_room_exactly(width: int, block: list[str]) -> None:
    """The blocks hold "lines of at most room cells", and a figure wider than the
    room is cut into "pieces of at most room cells": one that fills the room
    exactly stays whole on its line (review s34C F13)."""
    lines = _printed(width, "en")
    first = next(i for i, line in enumerate(lines) if line.startswith("SR-302"))
    assert lines[first:] == block
