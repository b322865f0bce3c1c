"""Regressions of review s52R2, found by review s52R8.

F01: a header ending in empty columns (``…,receiver,,``, Excel) must not turn
off the guard against a stray quote joining two rows into one.  F02: a value
under such a column refuses the file whatever the row's length.  F03: a row
of the wrong length is told the count of the header's named columns.  F04: a
staff-file refusal locates the control character in the cell as typed.
Expected values are written out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintcore.adapters.staff import staff_from_csv, staff_from_toml
from complaintcore.core.errors import InvalidInputError, SerializationError
from complaintcore.desk.importer import FileImport
from complaintcore.testing import make_desk
from tests.unit.test_review_s52r2 import CSV_HEADER as HEADER
from tests.unit.test_review_s52r2 import NOW
from tests.unit.test_review_s52r2 import ROW_1 as ROW_2  # 王伟, 2026-11-03 10:00
from tests.unit.test_review_s52r2 import ROW_2 as ROW_4  # 李娜, 2026-11-04 09:05

ROW_3 = "王五,13800000005,8-0101,8,sunrise,phone,漏水,楼道漏水,2026-11-04 13:00,SR-103"
ROW_5 = "张强,13800000003,6-0101,6,sunrise,phone,噪音,楼上噪音,2026-11-04 11:00,SR-103"

STRAY = 'a quoted cell is not closed before the next row (an unbalanced ")'


def _run(tmp_path: Path, lines: list[str]) -> list[tuple[int, str, str]]:
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    with make_desk() as desk:
        run = FileImport(desk, path, now=NOW)
        results = [(r.line, r.outcome, r.reason) for r in run]
        assert run.summary.rows == len(results)
        return results


def _stray(row: str, cell: int, *, at_end: bool) -> str:
    """``row`` with a stray quote opening (or ending) its cell number ``cell`` (0-based)."""
    cells = row.split(",")
    cells[cell] = cells[cell] + '"' if at_end else '"' + cells[cell]
    return ",".join(cells)


# F01 — the reviewer's two files: the same outcome with and without ",," in the header

SWALLOWED_3 = '王五,13800000005,8-0101,8,sunrise,phone,漏水,"楼道漏水,2026-11-04 13:00,SR-103'
SWALLOWED_4 = (
    '李娜,13800000002,5-0302,5,sunrise,phone,电梯停运,电梯停运两天",2026-11-04 09:05,SR-103'
)
EXPECTED = [
    (2, "stored", ""),
    (3, "rejected", f"row: {STRAY}"),
    (4, "rejected", f"row: {STRAY}"),
    (5, "stored", ""),
]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("header", [HEADER, HEADER + ",,", HEADER + ","])
def test_the_reviewers_file_rejects_both_stray_quote_rows(tmp_path: Path, header: str) -> None:
    lines = [header, ROW_2, SWALLOWED_3, SWALLOWED_4, ROW_5]
    assert _run(tmp_path, lines) == EXPECTED


def _variants() -> list[tuple[int, int, str]]:
    # (the cell line 3 opens a quote in, the cell line 4 ends one in, which rows
    # carry the header's two empty columns); a join of lines 3 and 4 holds
    # 10 + opened - closed cells (12 + opened - closed when both end in ",,"),
    # so these joins each have a count the header allows: 10, 11 or 12
    pairs = [(0, 0), (6, 6), (7, 7), (9, 9), (7, 6), (8, 6), (9, 7), (1, 0)]
    return [(o, c, rows) for o, c in pairs for rows in ("none", "all", "3", "4")]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(("opened", "closed", "trailing"), _variants())
def test_a_stray_quote_never_joins_two_rows_under_empty_header_columns(
    tmp_path: Path, opened: int, closed: int, trailing: str
) -> None:
    line_3 = _stray(ROW_3, opened, at_end=False)
    line_4 = _stray(ROW_4, closed, at_end=True)
    rows = [ROW_2, line_3, line_4, ROW_5]
    tail = {"none": (), "all": (0, 1, 2, 3), "3": (1,), "4": (2,)}[trailing]
    rows = [row + ",," if i in tail else row for i, row in enumerate(rows)]
    results = _run(tmp_path, [HEADER + ",,", *rows])
    assert [(line, outcome) for line, outcome, _ in results] == [
        (2, "stored"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "stored"),
    ]
    assert all('unbalanced "' in reason for _, outcome, reason in results if outcome != "stored")


def test_a_quoted_cell_over_lines_is_still_one_row_under_empty_header_columns(
    tmp_path: Path,
) -> None:
    # a real multi-line cell, the rows with and without the trailing ",,"
    letter = '王五,13800000005,8-0101,8,sunrise,phone,漏水,"第一行'
    lines = [HEADER + ",,", ROW_2, letter, '第二行",2026-11-04 13:00,SR-103,,', ROW_5]
    # reported in the order of received_at: line 5 (11:00) before line 3 (13:00)
    assert _run(tmp_path, lines) == [(2, "stored", ""), (5, "stored", ""), (3, "stored", "")]
    lines = [HEADER + ",,", ROW_2 + ",,", letter, '第二行",2026-11-04 13:00,SR-103', ROW_5 + ",,"]
    assert _run(tmp_path, lines) == [(2, "stored", ""), (5, "stored", ""), (3, "stored", "")]


# F02 — a value under an unnamed column, in a row one cell too long


@pytest.mark.parametrize(("tail", "column"), [(",x,,", 11), (",,x,", 12), (",,,x,", 13)])
def test_a_value_under_an_unnamed_column_refuses_the_file_at_any_length(
    tmp_path: Path, tail: str, column: int
) -> None:
    lines = [HEADER + ",,", ROW_2 + tail, ROW_4 + ",,"]
    if column == 13:  # beyond the header's columns: that row is too long, the file read
        results = _run(tmp_path, lines)
        assert [(line, outcome) for line, outcome, _ in results] == [(2, "rejected"), (3, "stored")]
        return
    with pytest.raises(InvalidInputError) as caught:
        _run(tmp_path, lines)
    assert caught.value.path == f"line 1, column {column}"
    assert caught.value.reason == "has no name, and line 2 has a value in it"


# F03 — the count a clerk can check against the header


@pytest.mark.parametrize(
    ("header", "row", "reason"),
    [
        (
            HEADER + ",,",
            ROW_4.rsplit(",", 1)[0],
            "row: 9 cells but the header names 10 columns, then 2 empty ones a row may leave out",
        ),
        (
            HEADER + ",,",
            ROW_4 + ",,,",
            "row: 13 cells but the header names 10 columns, then 2 empty ones a row may leave out",
        ),
        (HEADER, ROW_4.rsplit(",", 1)[0], "row: 9 cells but the header has 10"),
    ],
)
def test_a_row_of_the_wrong_length_is_told_the_named_columns(
    tmp_path: Path, header: str, row: str, reason: str
) -> None:
    assert _run(tmp_path, [header, ROW_2, row]) == [(2, "stored", ""), (3, "rejected", reason)]


# F04 — the position of a control character in the cell as typed


def _staff_file(form: str, name: str) -> str:
    if form == "csv":
        return (
            "staff_id,name,role,rung,department,site\r\n"
            f'SR-1,"{name}",客服,front_line,customer_service,sunrise\r\n'
        )
    escaped = name.replace("\x1b", "\\u001b")  # TOML writes a control character escaped
    return (
        f'[[staff]]\nstaff_id = "SR-1"\nname = "{escaped}"\nrole = "客服"\n'
        'rung = "front_line"\ndepartment = "customer_service"\n'
    )


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("form", ["csv", "toml"])
@pytest.mark.parametrize(
    ("name", "position"),
    [("   王\x1b芳", 5), ("王\x1b芳   ", 2), ("\u3000王\x1b芳", 3), ("  王芳", None)],
)
def test_a_control_character_is_located_in_the_cell_as_typed(
    form: str, name: str, position: int | None
) -> None:
    load = staff_from_csv if form == "csv" else staff_from_toml
    text = _staff_file(form, name)
    if position is None:
        assert load(text).members()[0].name == "王芳"
        return
    with pytest.raises(SerializationError) as caught:
        load(text, source=f"staff.{form}")
    [problem] = caught.value.problems
    assert problem.path == ("row 2, column name" if form == "csv" else "staff[0].name")
    assert problem.reason == (
        f"contains a control character at position {position} (not allowed in text)"
    )
