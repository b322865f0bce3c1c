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

from complaintcore.adapters.staff import staff_from_csv, staff_from_toml
from complaintcore.core.errors import SerializationError
from complaintcore.core.models import staff_key
from complaintcore.desk.importer import FileImport
from complaintcore.rules import load_pack
from complaintcore.testing import make_desk
from tests.unit.test_review_s52r2 import NOW
from tests.unit.test_review_s52r8 import _run
from tests.unit.test_review_s53r4 import imported_receiver

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


# F02 — staff ids differing by a default-ignorable character other than a zero-width space

# (character, its code point as the refusal names it): each is a
# Default_Ignorable_Code_Point of Unicode (DerivedCoreProperties.txt)
IGNORABLE = [
    ("\u00ad", "U+00AD"),  # soft hyphen (Word's optional hyphen, &shy;)
    ("\u034f", "U+034F"),  # combining grapheme joiner
    ("\u180e", "U+180E"),  # Mongolian vowel separator
    ("\u2061", "U+2061"),  # function application
    ("\u2062", "U+2062"),  # invisible times
    ("\u2063", "U+2063"),  # invisible separator
    ("\u2064", "U+2064"),  # invisible plus
    ("\u3164", "U+3164"),  # Hangul filler
    ("\uffa0", "U+FFA0"),  # halfwidth Hangul filler
    ("\u17b4", "U+17B4"),  # Khmer vowel inherent aq
    ("\ufe0f", "U+FE0F"),  # variation selector-16
    ("\U000e0020", "U+E0020"),  # tag space
]
STAFF_HEADER = "staff_id,name,role,rung,department,site"
SR_401 = "SR-401,周六,客服专员,front_line,customer_service,sunrise"


def _staff_problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(SerializationError) as caught:
        staff_from_csv(text, source="staff.csv", pack=load_pack("cn-property"))
    return [(p.path, p.reason) for p in caught.value.problems]


@pytest.mark.parametrize(("invisible", "_code"), IGNORABLE)
def test_a_default_ignorable_character_is_folded_out_of_a_staff_key(
    invisible: str, _code: str
) -> None:
    assert staff_key(f"SR-401{invisible}") == "sr-401"
    assert staff_key(f"{invisible}SR-4{invisible}01") == "sr-401"


@pytest.mark.parametrize(("invisible", "code"), IGNORABLE)
def test_a_staff_file_id_with_a_default_ignorable_character_is_refused(
    invisible: str, code: str
) -> None:
    row = f"SR-401{invisible},周六,客服专员,front_line,customer_service,sunrise"
    text = "\r\n".join([STAFF_HEADER, row, SR_401]) + "\r\n"
    assert _staff_problems(text) == [
        ("row 2, column staff_id", f"must not contain an invisible character ({code})")
    ]


def test_a_staff_file_id_with_a_braille_blank_is_refused_as_a_space() -> None:
    # U+2800 is no ignorable character (a braille cell of no dots, So), but it
    # prints as a space: SR-401 and SR-401<U+2800> would print alike
    row = "SR-401\u2800,周六,客服专员,front_line,customer_service,sunrise"
    text = "\r\n".join([STAFF_HEADER, row, SR_401]) + "\r\n"
    assert _staff_problems(text) == [("row 2, column staff_id", "must not contain spaces")]


def test_a_toml_staff_file_with_a_soft_hyphened_twin_is_refused() -> None:
    entry = (
        '[[staff]]\nstaff_id = "{id}"\nname = "A"\nrole = "r"\nrung = "front_line"\n'
        'department = "security"\nsite = "sunrise"\n\n'
    )
    text = entry.format(id="SR-401") + entry.format(id="SR-401\u00ad")
    with pytest.raises(SerializationError) as caught:
        staff_from_toml(text)
    assert [(p.path, p.reason) for p in caught.value.problems] == [
        ("staff[1].staff_id", "must not contain an invisible character (U+00AD)")  # 0-based
    ]


def test_a_name_keeps_its_soft_hyphen() -> None:
    # only ids are refused: a name or role is text as typed
    text = (
        STAFF_HEADER + "\r\nSR-401,Ann\u00adabel,客服专员,front_line,customer_service,sunrise\r\n"
    )
    assert staff_from_csv(text).members()[0].name == "Ann\u00adabel"


@pytest.mark.procedure("REC-5")
def test_an_imported_receiver_with_a_soft_hyphen_is_the_directorys_member(
    tmp_path: Path,
) -> None:
    # the directory's own spelling is recorded, never the pasted one
    assert imported_receiver(tmp_path, "SR-1\u00ad03") == ("SR-103", "SR-103")
