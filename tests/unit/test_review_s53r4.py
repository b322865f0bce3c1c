"""Regressions found by review s53R4 (hostile import files, second re-review).

F01: a staff-CSV row missing its last cells is refused, never read as empty
ones (a missing ``site`` made its member head office).  F04: a staff-CSV value
under a header cell of no name refuses the file instead of vanishing.  F02:
``receive --file`` locates a control character in the cell as typed.  F06: a
file with no header row (or no JSON line) is refused, not a run of no rows.
F05: a zero-width space in a staff id is folded away when ids are compared,
and refused in a staff file's id.  F03: a header between semicolons or tabs,
and a workbook given a .csv name, are refused saying so.  F07: a ``"`` inside a
plain cell is a character of it, not the opening of a quoted cell.
Expected values are written out by hand.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pytest

from complaintcore.adapters.staff import staff_from_csv
from complaintcore.core.errors import InvalidInputError, SerializationError
from complaintcore.core.models import staff_key
from complaintcore.desk.importer import FileImport, read_rows
from complaintcore.rules import load_pack
from complaintcore.testing import make_desk
from tests.unit.test_review_s52r2 import NOW
from tests.unit.test_review_s52r8 import _run

HEADER = "staff_id,name,role,rung,department,site"
SR_401 = "SR-401,周六,客服专员,front_line,customer_service,sunrise"


def _problems(lines: list[str]) -> list[tuple[str, str]]:
    text = "\r\n".join(lines) + "\r\n"
    with pytest.raises(SerializationError) as caught:
        staff_from_csv(text, source="staff.csv", pack=load_pack("cn-property"))
    return [(p.path, p.reason) for p in caught.value.problems]


# F01 — a row that leaves out its last cells


@pytest.mark.procedure("PRV-1")
def test_a_staff_row_missing_its_site_cell_is_refused_not_made_head_office() -> None:
    short = "SR-402,吴七,客服专员,front_line,customer_service"  # 5 cells under 6
    assert _problems([HEADER, SR_401, short]) == [("row 3", "5 cells but the header has 6")]


@pytest.mark.parametrize(
    ("header", "row", "reason"),
    [
        # duty and os_user left out: always reachable, no account
        (HEADER + ",duty,os_user", SR_401, "6 cells but the header has 8"),
        (
            HEADER + ",,",
            "SR-402,吴七,客服专员,front_line,customer_service",
            "5 cells but the header names 6 columns, then 2 empty ones a row may leave out",
        ),
    ],
)
def test_a_short_staff_row_is_told_the_named_columns(header: str, row: str, reason: str) -> None:
    assert _problems([header, row]) == [("row 2", reason)]


def test_a_present_empty_site_cell_is_still_head_office() -> None:
    text = HEADER + "\r\nHQ-9,郑八,客服经理,front_line,customer_service,\r\n"
    staff = staff_from_csv(text, pack=load_pack("cn-property"))
    assert [(m.staff_id, m.site) for m in staff.members()] == [("HQ-9", "*")]


def test_a_row_leaving_out_the_headers_trailing_empty_columns_loads() -> None:
    staff = staff_from_csv(HEADER + ",,\r\n" + SR_401 + "\r\n", pack=load_pack("cn-property"))
    assert [(m.staff_id, m.site) for m in staff.members()] == [("SR-401", "sunrise")]


# F04 — a value under a header cell of no name


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (  # a header cell deleted between named ones
            [
                "staff_id,name,role,,rung,department,site",
                "SR-401,周六,客服专员,13800000009,front_line,customer_service,sunrise",
            ],
            ("row 1, column 4", "has no name, and row 2 has a value in it"),
        ),
        (  # after the last named one; row 2 leaves it empty, row 3 does not
            [
                HEADER + ",",
                SR_401 + ",",
                "SR-402,吴七,客服专员,front_line,customer_service,sunrise,13800000009",
            ],
            ("row 1, column 7", "has no name, and row 3 has a value in it"),
        ),
    ],
)
def test_a_value_under_an_unnamed_header_cell_refuses_the_staff_file(
    lines: list[str], expected: tuple[str, str]
) -> None:
    problems = _problems(lines)
    assert problems == [expected]
    assert "13800000009" not in repr(problems)  # the place, never the value (PRV-1)


# F02 — receive --file locates a control character in the cell as typed

CSV_HEADER = "name,phone,room,building,site,channel,summary,description,received_at,receiver"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (  # three spaces, 厨, 房, ESC: the ESC is character 6 of the cell
            "王伟,13800000001,3-1201,3,sunrise,phone,厨房漏水,   厨房\x1b水管漏水,"
            "2026-11-03 10:00,SR-103",
            "description: contains a control character at position 6 (not allowed in text)",
        ),
        (  # an ideographic space, 李, BEL: character 3
            "\u3000李\x07娜,13800000002,5-0302,5,sunrise,phone,电梯停运,电梯停运两天,"
            "2026-11-04 09:05,SR-103",
            "complainant.name: contains a control character at position 3 (not allowed in text)",
        ),
        (  # no space before it: character 3 of "3-␛1201" as before
            "王伟,13800000001,3-\x1b1201,3,sunrise,phone,厨房漏水,厨房,2026-11-03 10:00,SR-103",
            "complainant.room: contains a control character at position 3 (not allowed in text)",
        ),
    ],
)
def test_an_imported_control_character_is_located_in_the_cell_as_typed(
    tmp_path: Path, row: str, reason: str
) -> None:
    assert _run(tmp_path, [CSV_HEADER, row]) == [(2, "rejected", reason)]


# F06 — a file with no header row (no line at all) is refused, not a run of 0 rows


@pytest.mark.parametrize(
    ("data", "fmt", "reason"),
    [
        (b"", "csv", "empty; expected a header row naming the columns"),
        (b"\xef\xbb\xbf", "csv", "empty; expected a header row naming the columns"),
        (b"sep=,\r\n", "csv", "empty; expected a header row naming the columns"),
        (b"\r\n,,,\r\n\r\n", "csv", "empty; expected a header row naming the columns"),
        (b"", "jsonl", "empty; expected one JSON object a line"),
        (b"\r\n\r\n", "jsonl", "empty; expected one JSON object a line"),
    ],
)
def test_an_empty_file_is_refused_for_its_missing_header(
    tmp_path: Path, data: bytes, fmt: Literal["csv", "jsonl"], reason: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        list(read_rows(io.BytesIO(data), fmt=fmt, encoding="utf-8"))
    assert (caught.value.path, caught.value.reason) == ("file", reason)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(data)
    with make_desk() as desk, pytest.raises(InvalidInputError) as caught:
        list(FileImport(desk, path, now=NOW))
    assert (caught.value.path, caught.value.reason) == ("file", reason)


def test_a_header_alone_is_still_a_run_of_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((CSV_HEADER + "\r\n").encode("utf-8"))
    with make_desk() as desk:
        run = FileImport(desk, path, now=NOW)
        assert list(run) == []
        assert run.summary.rows == 0


# F05 — zero-width characters in a staff id


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\ufeff", "\u200d"])
def test_a_zero_width_character_is_folded_out_of_a_staff_key(invisible: str) -> None:
    assert staff_key(f"SR-401{invisible}") == "sr-401"
    assert staff_key(f"SR{invisible}-401") == "sr-401"


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\ufeff"])
def test_a_staff_file_id_with_a_zero_width_space_is_refused(invisible: str) -> None:
    lines = [HEADER, f"SR-401{invisible},周六,客服专员,front_line,customer_service,sunrise", SR_401]
    assert _problems(lines) == [("row 2, column staff_id", "must not contain spaces")]


def test_a_name_keeps_its_zero_width_joiner() -> None:
    text = HEADER + "\r\nSR-401,क्\u200dष,客服专员,front_line,customer_service,sunrise\r\n"
    assert staff_from_csv(text).members()[0].name == "क्\u200dष"


def imported_receiver(tmp_path: Path, receiver: str) -> tuple[str, str]:
    """The receiver and the first event's actor a row naming ``receiver`` is stored with."""
    row = f"王伟,13800000001,3-1201,3,sunrise,phone,漏水,水管漏水,2026-11-03 10:00,{receiver}"
    path = tmp_path / "export.csv"
    path.write_bytes(f"{CSV_HEADER}\r\n{row}\r\n".encode())
    with make_desk() as desk:
        [result] = list(FileImport(desk, path, now=NOW))
        assert (result.line, result.outcome) == (2, "stored")
        complaint = desk.get(result.complaint_id)
        return complaint.intake.receiver, complaint.events[0].actor


@pytest.mark.procedure("REC-5")
def test_an_imported_receiver_with_a_zero_width_space_is_the_directorys_member(
    tmp_path: Path,
) -> None:
    # the directory's own spelling is recorded, never the pasted one
    assert imported_receiver(tmp_path, "SR-103\u200b") == ("SR-103", "SR-103")


# F03 — a header between semicolons or tabs, a workbook given a .csv name

ONE_ROW = "王伟,13800000001,3-1201,3,sunrise,phone,漏水,水管漏水,2026-11-03 10:00,SR-103"
WORKBOOK = "is an Excel workbook, not CSV text; save it as 'CSV UTF-8 (comma delimited)'"


@pytest.mark.parametrize(("separator", "shown"), [(";", "';'"), ("\t", "'\\t'")])
def test_a_header_between_semicolons_or_tabs_is_refused_naming_the_separator(
    tmp_path: Path, separator: str, shown: str
) -> None:
    lines = [CSV_HEADER.replace(",", separator), ONE_ROW.replace(",", separator)]
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    with make_desk() as desk, pytest.raises(InvalidInputError) as caught:
        list(FileImport(desk, path, now=NOW))
    assert (caught.value.path, caught.value.reason) == (
        "line 1",
        f"the header names its columns between {shown}, but only commas separate cells;"
        " save the file as 'CSV UTF-8 (comma delimited)'",
    )


def test_a_header_of_unknown_names_is_still_not_a_header_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("王伟;13800000001;3-1201\r\n".encode())
    with make_desk() as desk, pytest.raises(InvalidInputError) as caught:
        list(FileImport(desk, path, now=NOW))
    assert caught.value.reason.startswith("not a header row;")


@pytest.mark.parametrize(
    "head",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    ],
)
@pytest.mark.parametrize("encoding", [None, "utf-8", "gb18030", "cp1252"])
def test_a_workbook_named_csv_is_refused_as_a_workbook(
    tmp_path: Path, head: bytes, encoding: str | None
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(head + b"\x00\x9d\xc3(\x81" * 50)
    with make_desk() as desk, pytest.raises(InvalidInputError) as caught:
        list(FileImport(desk, path, now=NOW, encoding=encoding))
    assert (caught.value.path, caught.value.reason) == ("file", WORKBOOK)


# F07 — a " inside a plain cell is a character of it, whatever row follows

INCH = '王五,13800000005,8-0101,8,sunrise,phone,漏水,管子12" 漏水,2026-11-04 13:00,SR-103'
ROW_4 = "李娜,13800000002,5-0302,5,sunrise,phone,电梯停运,电梯停运两天,2026-11-04 09:05,SR-103"
MULTI = (
    '张强,13800000003,6-0101,6,sunrise,phone,噪音,"楼上噪音\n每晚十点后",2026-11-04 11:00,SR-103'
)


@pytest.mark.parametrize(
    ("after", "lines"),
    [
        ([ROW_4], [2, 3, 4]),  # followed by an ordinary row
        ([], [2, 3]),  # last in the file
        ([MULTI], [2, 3, 4]),  # followed by a row with a cell over two lines
    ],
)
def test_an_inch_mark_in_a_plain_cell_is_stored_as_typed(
    tmp_path: Path, after: list[str], lines: list[int]
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join([CSV_HEADER, ONE_ROW, INCH, *after]) + "\r\n").encode())
    with make_desk() as desk:
        results = list(FileImport(desk, path, now=NOW))
        assert sorted((r.line, r.outcome) for r in results) == [(n, "stored") for n in lines]
        [inch] = [r for r in results if r.line == 3]
        assert desk.get(inch.complaint_id).intake.description == '管子12" 漏水'


def test_quotes_inside_a_plain_cell_in_pairs_or_not_are_characters(tmp_path: Path) -> None:
    said = '赵六,13800000006,7-0101,7,sunrise,phone,态度,他说"好"就走了,2026-11-04 14:00,SR-103'
    path = tmp_path / "export.csv"
    path.write_bytes(
        (
            "\r\n".join([CSV_HEADER, said, '楼道"漏水'.join(ROW_4.split("电梯停运两天"))]) + "\r\n"
        ).encode()
    )
    with make_desk() as desk:
        results = list(FileImport(desk, path, now=NOW))
        assert [(r.line, r.outcome) for r in results] == [(3, "stored"), (2, "stored")]
        stored = {r.line: desk.get(r.complaint_id).intake.description for r in results}
        assert stored == {2: '他说"好"就走了', 3: '楼道"漏水'}


@pytest.mark.procedure("PRV-1")
def test_a_stray_quote_ending_a_plain_cell_is_still_rejected_alone(tmp_path: Path) -> None:
    # the guard of review s52R8 F01 is kept: a stray closing quote is not read
    # as a character, so it can neither close a quote above nor pass unseen
    stray = ROW_4.replace("电梯停运两天", '电梯停运两天"')
    assert _run(tmp_path, [CSV_HEADER, ONE_ROW, stray]) == [
        (2, "stored", ""),
        (3, "rejected", 'row: a quoted cell is not closed (an unbalanced ")'),
    ]
