"""Hostile data in files the desk reads, after review s52R2.

F01: a staff file's ids and names holding control or bidi characters are
refused naming the row and column (never the value), and the log channel never
writes such a character raw.  F02: the artefacts Excel and WPS leave in a CSV
export (trailing unnamed columns, rows of separators only, a ``sep=`` line)
do not fail ``receive --file``.  Expected values are written out by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime
from logging.handlers import BufferingHandler
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Notification, StaffMember
from complaintcore.adapters.notify import LogNotifier
from complaintcore.adapters.staff import staff_from_csv, staff_from_toml
from complaintcore.core.errors import InvalidInputError, SerializationError
from complaintcore.desk.importer import FileImport
from complaintcore.testing import make_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")

# F01 — staff files

HEADER = "staff_id,name,role,rung,department,site\r\n"
GOOD = "SR-102,王芳,客服专员,front_line,customer_service,sunrise\r\n"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("SR-\x00102,王芳,客服专员,front_line,customer_service,sunrise", "staff_id: 4"),
        ("SR-2\x1b[2J01,王芳,客服专员,front_line,customer_service,sunrise", "staff_id: 5"),
        ("SR-103,王\x1b[2J芳,客服专员,front_line,customer_service,sunrise", "name: 2"),
        ("SR-103,王\u202e芳,客服专员,front_line,customer_service,sunrise", "name: 2"),
        ("SR-103,王\u2066芳,客服专员,front_line,customer_service,sunrise", "name: 2"),
        ("SR-103,王芳,客服\x9b专员,front_line,customer_service,sunrise", "role: 3"),
        ('SR-103,"王\n芳",客服专员,front_line,customer_service,sunrise', "name: 2"),
        ("SR-103,王芳,客服专员,front_line,customer_service,sun\x7frise", "site: 4"),
    ],
)
def test_a_staff_csv_cell_with_a_control_or_bidi_character_is_refused(row: str, where: str) -> None:
    with pytest.raises(SerializationError) as caught:
        staff_from_csv(HEADER + GOOD + row + "\r\n", source="hr.csv")
    column, position = where.split(": ")
    [problem] = caught.value.problems
    assert problem.path == f"row 3, column {column}"
    assert problem.reason == (
        f"contains a control character at position {position} (not allowed in text)"
    )
    assert "2J" not in str(caught.value)  # the value is never quoted
    assert "芳" not in str(caught.value)


def test_a_staff_toml_id_with_an_escape_sequence_is_refused() -> None:
    text = (
        '[[staff]]\nstaff_id = "SR-2\\u0000\\u001b[2J01"\nname = "李建国"\n'
        'role = "工程部主管"\nrung = "department_head"\ndepartment = "engineering"\n'
    )
    with pytest.raises(SerializationError) as caught:
        staff_from_toml(text, source="staff.toml")
    [problem] = caught.value.problems
    assert problem.path == "staff[0].staff_id"
    assert problem.reason == "contains a control character at position 5 (not allowed in text)"


def test_plain_staff_text_still_loads() -> None:
    # joiners, a soft hyphen and full-width letters are text, not controls
    row = "SR-103,Ann\u00adMarie 李\u200d,客服专员,front_line,customer_service,ｓｕｎ\r\n"
    staff = staff_from_csv(HEADER + GOOD + row)
    assert [m.staff_id for m in staff.members()] == ["SR-102", "SR-103"]
    assert staff.members()[1].name == "Ann\u00adMarie 李\u200d"


# F01 — the log channel


def test_the_log_line_escapes_a_directory_id_holding_controls() -> None:
    kept = BufferingHandler(capacity=10)
    logger = logging.getLogger("test.s52r2.notify")
    logger.setLevel(logging.INFO)
    logger.addHandler(kept)
    hostile = "SR-2\x00\x1b[2J01\n\u202e"
    member = StaffMember(
        staff_id=hostile,
        name="李建国",
        role="工程部主管",
        rung="department_head",
        department="engineering",
        site="sunrise",
    )
    note = Notification(
        key=f"C-20251114-0001:assigned:{hostile}",
        complaint_id="C-20251114-0001",
        topic="assigned",
        recipient=hostile,
        subject="投诉 C-20251114-0001 已分派给您",
        body="请今日 18:00 前回复。",
        created_at=datetime(2025, 11, 14, 9, 30, tzinfo=SHANGHAI),
    )
    try:
        LogNotifier("test.s52r2.notify").send(note, member)
        line = kept.buffer[-1].getMessage()
    finally:
        logger.removeHandler(kept)
    written = "SR-2\\x00\\x1b[2J01\\n\\u202e"
    assert f"key=C-20251114-0001:assigned:{written} " in line
    assert f" to={written} " in line
    for raw in ("\x00", "\x1b", "\n", "\u202e"):
        assert raw not in line
    # a plain id is written as before
    plain = Notification(
        key="C-20251114-0001:assigned:SR-201",
        complaint_id="C-20251114-0001",
        topic="assigned",
        recipient="SR-201",
        subject="s",
        body="b",
        created_at=datetime(2025, 11, 14, 9, 30, tzinfo=SHANGHAI),
    )
    logger.addHandler(kept)
    try:
        LogNotifier("test.s52r2.notify").send(plain, None)
        line = kept.buffer[-1].getMessage()
    finally:
        logger.removeHandler(kept)
    assert line.startswith(
        "notify key=C-20251114-0001:assigned:SR-201 complaint=C-20251114-0001"
        " topic=assigned to=S*****"
    )


# F02 — what Excel and WPS leave in a CSV export

CSV_HEADER = "name,phone,room,building,site,channel,summary,description,received_at,receiver"
ROW_1 = "王伟,13800000001,3-1201,3,sunrise,phone,厨房漏水,厨房水管漏水,2026-11-03 10:00,SR-103"
ROW_2 = "李娜,13800000002,5-0302,5,sunrise,phone,电梯停运,电梯停运两天,2026-11-04 09:05,SR-103"
NOW = datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)


def _import(tmp_path: Path, text: str, name: str = "export.csv") -> list[tuple[int, str]]:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    with make_desk() as desk:
        run = FileImport(desk, path, now=NOW)
        results = [(r.line, r.outcome) for r in run]
        assert run.summary.rows == len(results)
        return results


def test_rows_of_separators_only_are_blank_rows(tmp_path: Path) -> None:
    text = f"{CSV_HEADER}\n,,,,,,,,,\n{ROW_1}\n , ,,,,,,,,\n{ROW_2}\n,,,,,,,,,\n,,,,,,,,,\n"
    # lines 2, 4, 6 and 7 hold no cell: not rows, neither stored nor rejected
    assert _import(tmp_path, text) == [(3, "stored"), (5, "stored")]


def test_trailing_header_columns_without_a_name_are_taken_when_left_empty(
    tmp_path: Path,
) -> None:
    # Excel: every line ends in two more separators; a row may also stop short of them
    text = f"{CSV_HEADER},,\n{ROW_1},,\n{ROW_2}\n"
    assert _import(tmp_path, text) == [(2, "stored"), (3, "stored")]


def test_a_value_under_an_unnamed_trailing_column_refuses_the_file(tmp_path: Path) -> None:
    text = f"{CSV_HEADER},,\n{ROW_1},,\n{ROW_2},,王\n"
    with pytest.raises(InvalidInputError) as caught:
        _import(tmp_path, text)
    assert caught.value.path == "line 1, column 12"
    assert caught.value.reason == "has no name, and line 3 has a value in it"
    assert "王" not in str(caught.value)
    # a middle column without a name is refused as before
    with pytest.raises(InvalidInputError) as middle:
        _import(tmp_path, f"name,,{CSV_HEADER[5:]}\n{ROW_1}\n")
    assert (middle.value.path, middle.value.reason) == ("line 1, column 2", "has no name")


def test_the_file_refused_stored_nothing(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{CSV_HEADER},,\n{ROW_1},,\n{ROW_2},,王\n", encoding="utf-8")
    with make_desk() as desk:
        with pytest.raises(InvalidInputError):
            list(FileImport(desk, path, now=NOW))
        path.write_text(f"{CSV_HEADER},,\n{ROW_1},,\n{ROW_2},,\n", encoding="utf-8")
        again = [r.outcome for r in FileImport(desk, path, now=NOW)]
    assert again == ["stored", "stored"]  # neither was stored by the refused run


def test_an_excel_sep_comma_line_is_skipped(tmp_path: Path) -> None:
    text = f"sep=,\n{CSV_HEADER}\n{ROW_1}\n{ROW_2}\n"
    assert _import(tmp_path, text) == [(3, "stored"), (4, "stored")]


@pytest.mark.parametrize(("line", "shown"), [("sep=;", "';'"), ("SEP=\t", "'\\t'")])
def test_an_excel_sep_line_of_another_separator_is_named(
    tmp_path: Path, line: str, shown: str
) -> None:
    text = f"{line}\n{CSV_HEADER.replace(',', line[-1])}\n{ROW_1.replace(',', line[-1])}\n"
    with pytest.raises(InvalidInputError) as caught:
        _import(tmp_path, text)
    assert caught.value.path == "line 1"
    assert caught.value.reason == (
        f"an Excel 'sep=' line declares {shown} as the separator, but only commas are"
        " read; save the file as 'CSV UTF-8 (comma delimited)'"
    )


def test_a_sep_line_is_only_the_first_line(tmp_path: Path) -> None:
    # further down it is a row like any other (here one of too few cells)
    text = f"{CSV_HEADER}\n{ROW_1}\nsep=,\n"
    assert _import(tmp_path, text) == [(2, "stored"), (3, "rejected")]
