"""Bulk import never loses a good row (issue 13, defects 1-3).

Every case here ended ``receive --file`` with a traceback, dropped good rows or
miscounted them in 0.1.0: a cell over 131,072 characters, a JSON integer over
4,300 digits, JSON nested 100,000 deep, an escaped lone surrogate, a year-1
``received_at``, a GBK line in a UTF-8 file, an unclosed quote, a reused key,
and a file re-run without keys.  Now each bad row is rejected on its own line
with its line number, every good row is stored, and the counts are exact.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.errors import IncompleteRecordError, InvalidInputError
from complaintcore.desk.importer import FileImport, read_rows
from complaintcore.testing import make_desk

NOW = "2025-11-14T17:30"
COLUMNS = "name,phone,room,site,summary,receiver,channel,received_at"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    return tmp_path


def stored(desk: Path) -> int:
    with SqliteStore(desk / "complaints.sqlite3") as store:
        return len(store.rows())


def good(i: int) -> dict[str, str]:
    return {
        "name": "业主" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "先生",
        "phone": f"139{i:08d}",
        "room": f"{1 + i % 9}-{1 + i % 3}-{100 + i % 700}",
        "site": "sunrise",
        "summary": ("楼上漏水，天花板渗水", "电梯停运", "楼道垃圾没人清理")[i % 3] + f" #{i}",
        "receiver": "SR-103",
        "channel": ("phone", "in_person", "web")[i % 3],
        "received_at": f"2025-11-{1 + i % 13:02d}T{9 + i % 8:02d}:{i % 60:02d}",
    }


def csv_line(row: dict[str, str]) -> str:
    return ",".join(row[c] for c in COLUMNS.split(","))


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def imported(result: Result) -> dict[str, object]:
    no_traceback(result)
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def rejected_lines(doc: dict[str, object]) -> list[int]:
    rows = doc["rejected"]
    assert isinstance(rows, list)
    return [int(r["row"]) for r in rows]


# --------------------------------------------------------------------------- one bad row


def _csv_huge_cell(i: int) -> str:
    return csv_line({**good(i), "summary": "漏" * 131_073})


def _csv_year_one(i: int) -> str:
    return csv_line({**good(i), "received_at": "0001-01-01T00:00"})


def _json_big_int(i: int) -> str:
    return json.dumps(good(i))[:-1] + ', "phone": ' + "9" * 4_301 + "}"


def _json_deep(i: int) -> str:
    return "[" * 100_000 + "]" * 100_000


def _json_surrogate(i: int) -> str:
    return json.dumps({**good(i), "summary": "漏水"})[:-1] + ', "description": "\\ud800"}'


def _json_year_one(i: int) -> str:
    return json.dumps({**good(i), "received_at": "0001-01-01T00:00"})


def _csv_before_the_calendar(i: int) -> str:
    # the shipped calendars begin in 2024: an old row of a history, or 2016 typed for 2026
    return csv_line({**good(i), "received_at": "2023-11-05T10:00"})


def _json_before_the_calendar(i: int) -> str:
    return json.dumps({**good(i), "received_at": "2023-11-05T10:00"})


def _csv_c1_control(i: int) -> str:
    return csv_line({**good(i), "summary": "漏水 \x9b31mRED\x9b0m"})  # 8-bit CSI


def _json_c1_control(i: int) -> str:
    return json.dumps({**good(i), "description": "\x9d2;title\x9c"})  # 8-bit OSC ... ST


@pytest.mark.parametrize(
    ("suffix", "bad_row", "total"),
    [
        (".csv", _csv_huge_cell, 9),
        (".csv", _csv_year_one, 9),
        (".jsonl", _json_big_int, 9),
        (".jsonl", _json_deep, 9),
        (".jsonl", _json_surrogate, 9),
        (".jsonl", _json_year_one, 1_200),
        (".csv", _csv_before_the_calendar, 9),
        (".jsonl", _json_before_the_calendar, 1_200),
        (".csv", _csv_c1_control, 9),
        (".jsonl", _json_c1_control, 9),
    ],
    ids=[
        "csv-cell-131073",
        "csv-year-1",
        "json-int-4301-digits",
        "json-deep",
        "surrogate",
        "year-1",
        "csv-before-the-calendar",
        "before-the-calendar",
        "csv-c1-control",
        "json-c1-control",
    ],
)
def test_a_bad_third_row_is_rejected_alone_and_every_good_row_is_stored(
    desk: Path, suffix: str, bad_row: Callable[[int], str], total: int
) -> None:
    if suffix == ".csv":
        lines = [COLUMNS] + [bad_row(i) if i == 2 else csv_line(good(i)) for i in range(total)]
        bad_line = 4  # the header is line 1
    else:
        lines = [bad_row(i) if i == 2 else json.dumps(good(i)) for i in range(total)]
        bad_line = 3
    (desk / f"in{suffix}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("receive", "--file", f"in{suffix}", "--json")
    doc = imported(result)
    assert stored(desk) == total - 1  # every good row, before and after the bad one
    assert result.exit_code == 1
    assert rejected_lines(doc) == [bad_line]
    assert (doc["stored"], doc["duplicated"]) == (total - 1, 0)


# --------------------------------------------------------------------------- header


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("first", "value"), [("LiWei", "LiWei"), ("A1201", "A1201")], ids=["name", "room"]
)
def test_a_file_without_a_header_row_is_refused_without_quoting_its_first_row(
    desk: Path, first: str, value: str
) -> None:
    # "phone" is a channel value and a column name: the first data row passes for a header
    row = f"{first},13812345678,3-2-1201,sunrise,楼上漏水,SR-103,phone,2025-11-10T09:00"
    (desk / "in.csv").write_text(row + "\n" + row + "\n", encoding="utf-8")
    text = invoke("receive", "--file", "in.csv")
    as_json = invoke("receive", "--file", "in.csv", "--json")
    with (desk / "in.csv").open("rb") as stream, pytest.raises(InvalidInputError) as err:
        list(read_rows(stream, fmt="csv", encoding="utf-8"))
    for output in (text.output, as_json.output, str(err.value)):
        assert value not in output
        assert "13812345678" not in output
        assert "line 1, column 1" in output
        assert "unknown column" in output
    assert (text.exit_code, as_json.exit_code, stored(desk)) == (1, 1, 0)


# --------------------------------------------------------------------------- encodings


def test_a_gbk_line_in_a_utf8_file_is_rejected_with_its_number_and_the_rest_stored(
    desk: Path,
) -> None:
    rows = [csv_line(good(i)).encode("utf-8") for i in range(1_000)]
    rows[699] = csv_line(good(699)).encode("gbk")  # data row 700 is GBK
    (desk / "in.csv").write_bytes(b"\n".join([COLUMNS.encode(), *rows]) + b"\n")
    result = invoke("receive", "--file", "in.csv", "--json")
    doc = imported(result)
    assert stored(desk) == 999
    assert rejected_lines(doc) == [701]  # row 700 is line 701
    reason = doc["rejected"][0]["reason"]  # type: ignore[index]
    assert "utf-8" in reason
    assert "encoding" in reason
    assert (doc["stored"], doc["duplicated"], len(doc["rejected"])) == (999, 0, 1)  # type: ignore[arg-type]
    assert stored(desk) == 999


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_gbk_or_excel_file_is_detected_or_chosen(desk: Path, encoding: str) -> None:
    text = "\n".join([COLUMNS] + [csv_line(good(i)) for i in range(20)]) + "\n"
    (desk / "in.csv").write_bytes(text.encode(encoding))
    detected = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (detected["stored"], detected["encoding"]) == (20, encoding)
    chosen = imported(invoke("receive", "--file", "in.csv", "--json", "--encoding", encoding))
    assert (chosen["stored"], chosen["duplicated"], chosen["encoding"]) == (0, 20, encoding)
    assert stored(desk) == 20


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_excel_utf8_file_read_as_utf8_skips_its_byte_order_mark(desk: Path, suffix: str) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark; with ``--encoding utf-8``
    it was read as part of the first column's name, refusing the file as an
    "unknown column" (review s27D F03)."""
    if suffix == ".csv":
        text = "\r\n".join([COLUMNS] + [csv_line(good(i)) for i in range(3)]) + "\r\n"
    else:
        text = "".join(json.dumps(good(i), ensure_ascii=False) + "\n" for i in range(3))
    (desk / f"in{suffix}").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    doc = imported(invoke("receive", "--file", f"in{suffix}", "--json", "--encoding", "utf-8"))
    assert (doc["stored"], doc["rejected"], doc["encoding"]) == (3, [], "utf-8")
    lines = [r["line"] for r in doc["rows"]]  # type: ignore[union-attr]
    assert lines == ([2, 3, 4] if suffix == ".csv" else [1, 2, 3])
    with SqliteStore(desk / "complaints.sqlite3") as store:
        names = sorted(c.intake.complainant.name for c in store.complaints())
    assert names == ["业主丙先生", "业主乙先生", "业主甲先生"]


def test_rows_ended_by_a_bare_carriage_return_are_rows_of_their_own(desk: Path) -> None:
    """A file mixing CRLF, LF and a bare CR (rows pasted from a "CSV (Macintosh)"
    export): every record is a row, numbered as a line of its own."""
    rows = [csv_line(good(i)).encode() for i in range(4)]
    data = COLUMNS.encode() + b"\r\n" + rows[0] + b"\n" + rows[1] + b"\r" + rows[2] + b"\r\n"
    (desk / "mixed.csv").write_bytes(data + rows[3].replace(b"SR-103", b"nobody") + b"\n")
    doc = imported(invoke("receive", "--file", "mixed.csv", "--json"))
    assert (doc["stored"], rejected_lines(doc)) == (3, [5])
    mac = b"\r".join([COLUMNS.encode(), *[csv_line(good(i)).encode() for i in range(4, 10)]])
    (desk / "mac.csv").write_bytes(mac)
    doc = imported(invoke("receive", "--file", "mac.csv", "--json"))
    assert (doc["stored"], doc["rejected"]) == (6, [])
    assert stored(desk) == 9


@pytest.mark.parametrize("asked", [None, "utf-8", "gb18030"])
def test_a_utf16_file_is_refused_naming_its_encoding(desk: Path, asked: str | None) -> None:
    text = "\n".join([COLUMNS] + [csv_line(good(i)) for i in range(3)]) + "\n"
    (desk / "in.csv").write_bytes(text.encode("utf-16"))  # with its byte order mark
    chosen = ["--encoding", asked] if asked else []
    result = invoke("receive", "--file", "in.csv", "--json", *chosen)
    no_traceback(result)
    assert result.exit_code != 0
    assert "UTF-16" in result.output
    assert stored(desk) == 0


def test_a_header_line_that_cannot_be_decoded_is_refused_not_skipped(desk: Path) -> None:
    rows = [csv_line(good(i)).encode() for i in range(3)]
    header = COLUMNS.encode() + b",\xff"  # a byte no UTF-8 text has
    (desk / "in.csv").write_bytes(b"\n".join([header, *rows]) + b"\n")
    result = invoke("receive", "--file", "in.csv", "--json", "--encoding", "utf-8")
    no_traceback(result)
    assert result.exit_code != 0
    assert "line 1: the header row: is not utf-8 text" in result.output
    assert stored(desk) == 0


@pytest.mark.parametrize("asked", [None, "gb18030"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_utf8_line_in_a_gbk_file_is_rejected_not_stored_garbled(
    desk: Path, suffix: str, asked: str | None
) -> None:
    # GB18030 decodes most UTF-8 Chinese too, into other characters: it must not be stored
    rows = [good(i) for i in range(30)]
    rows[9] = {**good(9), "name": "欧阳娜娜", "summary": "楼上漏水"}  # its UTF-8 reads as GB18030
    if suffix == ".csv":
        lines = [COLUMNS.encode()] + [csv_line(r).encode("gbk") for r in rows]
    else:
        lines = [json.dumps(r, ensure_ascii=False).encode("gbk") for r in rows]
    header = 1 if suffix == ".csv" else 0
    lines[9 + header] = lines[9 + header].decode("gbk").encode("utf-8")  # row 10 is UTF-8
    assert lines[9 + header].decode("gb18030") != lines[9 + header].decode("utf-8")
    (desk / f"in{suffix}").write_bytes(b"\n".join(lines) + b"\n")
    more = ["--encoding", asked] if asked else []
    result = invoke("receive", "--file", f"in{suffix}", "--json", *more)
    doc = imported(result)
    assert result.exit_code == 1
    assert (doc["stored"], doc["encoding"]) == (29, "gb18030")
    assert rejected_lines(doc) == [10 + header]
    reason = doc["rejected"][0]["reason"]  # type: ignore[index]
    assert "utf-8" in reason
    assert "encoding differs" in reason
    assert rows[9]["name"] not in reason
    with SqliteStore(desk / "complaints.sqlite3") as store:
        names = {c.intake.complainant.name for c in store.complaints()}
    assert names == {r["name"] for i, r in enumerate(rows) if i != 9}  # none garbled


def test_one_overlong_non_ascii_line_does_not_make_the_file_gb18030(desk: Path) -> None:
    # its 4.5 MB once voted "not UTF-8" per 1 MB chunk, and every good row was refused
    big = csv_line({**good(9), "summary": "漏" * 1_500_000})
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(3)] + [big]
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("receive", "--file", "in.csv", "--json")
    doc = imported(result)
    assert (doc["stored"], doc["encoding"]) == (3, "utf-8")
    assert rejected_lines(doc) == [5]
    assert "longer than" in doc["rejected"][0]["reason"]  # type: ignore[index]
    assert stored(desk) == 3


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("cp1252", ["Renée Müller", "Séan O'Brien", "Zoë Brontë"]),  # Excel, Western Windows
        ("big5", ["陳大文", "黃志強", "李嘉欣"]),  # Hong Kong, Taiwan
    ],
)
def test_a_cp1252_or_big5_file_is_refused_until_chosen_never_stored_garbled(
    desk: Path, encoding: str, names: list[str]
) -> None:
    # their bytes decode as GB18030 too (Renée as Ren閑): detection must not guess
    rows = [
        {**good(i), "name": names[i % 3], "summary": f"{names[(i + 1) % 3]} says #{i}"}
        for i in range(9)
    ]
    text = "\r\n".join([COLUMNS] + [csv_line(r) for r in rows]) + "\r\n"
    (desk / "in.csv").write_bytes(text.encode(encoding))
    result = invoke("receive", "--file", "in.csv", "--json")
    no_traceback(result)
    assert result.exit_code != 0
    assert "encoding" in result.output
    assert encoding in result.output  # the choice to make is named
    assert stored(desk) == 0
    doc = imported(invoke("receive", "--file", "in.csv", "--json", "--encoding", encoding))
    assert (doc["stored"], doc["rejected"], doc["encoding"]) == (9, [], encoding)
    with SqliteStore(desk / "complaints.sqlite3") as store:
        kept = sorted((c.intake.complainant.name, c.intake.summary) for c in store.complaints())
    assert kept == sorted((r["name"], r["summary"]) for r in rows)


def test_a_gbk_file_with_rare_name_characters_is_still_detected(desk: Path) -> None:
    # 珺 昇 玥 璟: GBK characters whose second byte is ASCII, as cp1252's é + e is
    rows = [good(i) for i in range(12)]
    for i, name in enumerate(["张珺", "王昇", "刘玥", "秦璟"]):
        rows[i] = {**rows[i], "name": name}
    text = "\n".join([COLUMNS] + [csv_line(r) for r in rows]) + "\n"
    (desk / "in.csv").write_bytes(text.encode("gbk"))
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], doc["encoding"]) == (12, "gb18030")


def test_a_utf8_line_in_a_cp1252_file_is_rejected_not_stored_garbled(desk: Path) -> None:
    rows = [{**good(i), "name": "Renée Müller", "summary": f"boiler #{i}"} for i in range(4)]
    lines = [COLUMNS.encode()] + [csv_line(r).encode("cp1252") for r in rows]
    lines[3] = csv_line(rows[2]).encode("utf-8")  # would read as RenÃ©e
    (desk / "in.csv").write_bytes(b"\n".join(lines) + b"\n")
    doc = imported(invoke("receive", "--file", "in.csv", "--json", "--encoding", "cp1252"))
    assert (doc["stored"], rejected_lines(doc)) == (3, [4])
    assert "utf-8 text in a cp1252 file" in doc["rejected"][0]["reason"]  # type: ignore[index]


# --------------------------------------------------------------------------- CSV structure


def test_an_unclosed_quote_swallows_no_good_row(desk: Path) -> None:
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(10)]
    lines[3] = lines[3].replace("SR-103", '"SR-103')  # row 3 opens a quote it never closes
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert stored(desk) == 9
    assert rejected_lines(doc) == [4]
    assert doc["stored"] == 9


def test_a_quoted_cell_may_still_span_lines(desk: Path) -> None:
    lines = [COLUMNS + ",description"] + [csv_line(good(i)) + "," for i in range(4)]
    lines[2] = csv_line(good(1)) + ',"第一行\n第二行，含""引号"""'
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], doc["rejected"]) == (4, [])
    lines_of = [r["line"] for r in doc["rows"]]  # type: ignore[union-attr]
    assert lines_of == [2, 3, 5, 6]  # the two-line row starts on line 3


def test_a_quoted_cell_of_hundreds_of_lines_is_one_row(tmp_path: Path) -> None:
    """A written complaint (书面投诉) typed into one cell: 250 lines, about 5,000
    characters, far under the documented limits (review s27D F01: once rejected as
    "not valid CSV" after 200 lines, and its 249 other lines counted as rows)."""
    letter = "\n".join(f"第{i}段：楼上卫生间漏水" for i in range(1, 251))
    path = tmp_path / "letters.csv"
    with path.open("w", newline="", encoding="utf-8") as f:  # as csv / Excel write it
        writer = csv.writer(f)
        writer.writerow([*COLUMNS.split(","), "description"])
        writer.writerow([*good(0).values(), letter])
        writer.writerow([*good(1).values(), "x"])
    desk = make_desk()
    now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    run = FileImport(desk, path, now=now)
    assert run.total_rows is None  # not read yet
    results = list(run)
    assert run.total_rows == 2  # rows, not the file's 252 lines
    # header on line 1, the letter's row on lines 2-251, the next row on line 252
    assert [(r.line, r.outcome) for r in results] == [(2, "stored"), (252, "stored")]
    assert (run.summary.rows, run.summary.stored, run.summary.rejected) == (2, 2, 0)
    descriptions = sorted(c.intake.description for c in desk.store.complaints())
    assert descriptions == ["x", letter]
    assert len(letter.splitlines()) == 250


def test_a_letter_in_the_first_cell_is_one_row(tmp_path: Path) -> None:
    """RFC 4180: a quoted cell may hold line breaks, in the first column too; its
    last line holds the row's other cells and looks like a row alone (review s27G
    F02: the row was rejected and its three lines counted as rows)."""
    letter = "尊敬的物业：\n楼上漏水已经三天。\n请尽快处理。"
    path = tmp_path / "letters.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["description", *COLUMNS.split(",")])
        writer.writerow([letter, *good(0).values()])
        writer.writerow(["x", *good(1).values()])
    desk = make_desk()
    now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    run = FileImport(desk, path, now=now)
    assert [(r.line, r.outcome) for r in run] == [(2, "stored"), (5, "stored")]
    assert sorted(c.intake.description for c in desk.store.complaints()) == ["x", letter]


def test_an_unclosed_quote_before_hundreds_of_rows_rejects_only_its_line(desk: Path) -> None:
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(300)]
    lines[2] = lines[2].replace("SR-103", '"SR-103')  # row 2 opens a quote it never closes
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert rejected_lines(doc) == [3]
    assert "not closed before the next row" in doc["rejected"][0]["reason"]  # type: ignore[index]
    assert (doc["stored"], stored(desk)) == (299, 299)


def test_a_stray_quote_closing_on_the_next_row_does_not_join_the_two(desk: Path) -> None:
    # row 2 opens a quote in its summary and row 3 closes one in its own: read
    # together they had the header's cells, and row 3's owner, phone and receipt
    # time were stored inside row 2's complaint
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(6)]
    lines[2] = csv_line({**good(1), "summary": '"漏水严重'})
    lines[3] = csv_line({**good(2), "summary": '暖气不热"'})
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert rejected_lines(doc) == [3, 4]  # each rejected on its own line
    assert [r["line"] for r in doc["rows"]] == [2, 3, 4, 5, 6, 7]  # type: ignore[union-attr]
    assert doc["stored"] == 4
    with SqliteStore(desk / "complaints.sqlite3") as store:
        summaries = [c.intake.summary for c in store.complaints()]
    assert not [s for s in summaries if "\n" in s or good(2)["phone"] in s]


LETTER_HEADER = [*COLUMNS.split(","), "building", "description"]


def _letter_row(i: int, description: str) -> list[str]:
    return [*good(i).values(), "5栋", description]


# Each description holds a line that alone reads as a row of the header's ten cells
# (nine commas): a letter's list of dates, a record pasted from an earlier export.
LETTERS = [
    "Dear manager,\nI reported the leak on 1 May, 3 May, 7 May, 9 May, 12 May, 15 May,"
    " 20 May, 22 May, 28 May, 30 May.\nNobody came. Please fix it.",
    "见下面上次的记录：\n李四,13912345099,5-1-0702,sunrise,漏水,SR-103,web,"
    "2025-11-04T09:00,5栋,\n仍未处理",
    "清单:\n1,2,3,4,5,6,7,8,9,10\n完",
    "x\n,,,,,,,,,\ny",
    '他说"明天修"\n结果没修,又说"后天"\n',  # quotes inside, a line break last
    "一行",
]


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_quoted_cell_holding_a_line_that_reads_as_a_row_is_still_one_row(
    tmp_path: Path, eol: str
) -> None:
    """RFC 4180, as Excel saves a cell typed with Alt+Enter: a line inside a quoted
    cell may hold as many commas as a row has (review s50E F02: the row was
    rejected as an unbalanced quote, and that line stored as a complaint)."""
    path = tmp_path / "letters.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator=eol)
        writer.writerow(LETTER_HEADER)
        writer.writerows(_letter_row(i, text) for i, text in enumerate(LETTERS))
    with path.open(newline="", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 1 + len(LETTERS)  # what Python's csv reads
    desk = make_desk()
    now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    run = FileImport(desk, path, now=now)
    # counted by hand: the header on line 1; the rows take 3, 3, 3, 3, 3 and 1 lines
    assert [(r.line, r.outcome) for r in run] == [
        (2, "stored"),
        (5, "stored"),
        (8, "stored"),
        (11, "stored"),
        (14, "stored"),
        (17, "stored"),
    ]
    assert (run.summary.rows, run.summary.stored, run.summary.rejected) == (6, 6, 0)
    kept = {c.intake.complainant.phone: c.intake.description for c in desk.store.complaints()}
    # the cells are stripped as every cell is; the pasted record's phone is no complainant
    assert kept == {good(i)["phone"]: text.strip() for i, text in enumerate(LETTERS)}


def test_a_stray_quote_with_rows_between_it_and_the_next_swallows_none(desk: Path) -> None:
    """The split still holds when whole rows lie between a stray quote and the one
    that closes it: the quoted text read to its end is no row of the header's cells."""
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(8)]
    lines[2] = csv_line({**good(1), "summary": '"漏水严重'})
    lines[6] = csv_line({**good(5), "summary": '暖气不热"'})
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert rejected_lines(doc) == [3, 7]
    assert (doc["stored"], stored(desk)) == (6, 6)


def test_the_cli_stores_a_letter_holding_a_row_shaped_line_once(desk: Path) -> None:
    path = desk / "letters.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(LETTER_HEADER)
        writer.writerows(_letter_row(i, text) for i, text in enumerate(LETTERS[:3]))
    result = invoke("receive", "--file", "letters.csv")
    no_traceback(result)
    out = result.stdout.splitlines()
    assert [line.split(" C-")[0] for line in out] == [
        "line 2: stored",
        "line 5: stored",
        "line 8: stored",
        "imported: 3 stored, 0 duplicated, 0 rejected (3 rows, encoding utf-8)",
    ]
    with SqliteStore(desk / "complaints.sqlite3") as store:
        phones = sorted(c.intake.complainant.phone for c in store.complaints())
    assert phones == sorted(good(i)["phone"] for i in range(3))  # 13912345099 is none


def test_every_row_has_its_line_and_the_counts_are_exact(desk: Path) -> None:
    rows = [json.dumps({**good(i), "idempotency_key": f"k{i % 5}"}) for i in range(10)]
    rows[7] = json.dumps({**good(2), "idempotency_key": "k2"})  # a true retry of row 3
    (desk / "in.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("--lang", "en", "receive", "--file", "in.jsonl")
    no_traceback(result)
    out = result.stdout.splitlines()
    # rows are taken in order of received_at: the retry of row 3 (line 8) right after it
    by_line = {int(line.split(":")[0].removeprefix("line ")): line for line in out[:-1]}
    assert sorted(by_line) == list(range(1, 11))
    assert len(out) == 11
    assert [by_line[n].split(": ")[1].split()[0] for n in range(1, 11)] == (
        ["stored"] * 5 + ["rejected", "rejected", "duplicate", "rejected", "rejected"]
    )
    assert "already used for complaint C-" in by_line[6]
    assert out[-1] == "imported: 5 stored, 1 duplicated, 4 rejected (10 rows, encoding utf-8)"
    assert stored(desk) == 5


def test_a_row_with_fewer_cells_than_the_header_is_rejected_not_defaulted(
    desk: Path,
) -> None:
    # a missing received_at once became the import time, moving every deadline
    lines = [COLUMNS] + [csv_line(good(i)) for i in range(6)]
    lines[2] = lines[2].rsplit(",", 1)[0]  # 7 cells: received_at left out
    lines[4] = ",".join(list(good(3).values())[:2])  # 2 cells: name and phone only
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert rejected_lines(doc) == [3, 5]
    reasons = [r["reason"] for r in doc["rejected"]]  # type: ignore[union-attr]
    assert reasons == ["row: 7 cells but the header has 8", "row: 2 cells but the header has 8"]
    assert (doc["stored"], stored(desk)) == (4, 4)


def _fields(reason: str) -> list[str]:
    """The fields a rejected row's reason names (``path: why; path: why``)."""
    return [problem.split(": ")[0] for problem in reason.split("; ")]


@pytest.mark.procedure("REC-1")
@pytest.mark.procedure("IN-1")
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_row_without_its_received_time_or_channel_is_rejected_not_defaulted(
    desk: Path, suffix: str
) -> None:
    # such a row was once stored as received at the import and by phone
    rows = [good(i) for i in range(6)]
    rows[1] = {**rows[1], "received_at": ""}
    rows[2] = {**rows[2], "channel": ""}
    rows[3] = {**rows[3], "received_at": "", "channel": "", "name": ""}
    rows[4] = {**rows[4], "channel": "   "}
    if suffix == ".csv":  # empty cells
        lines = [COLUMNS] + [csv_line(r) for r in rows]
        first = 2
    else:  # keys left out
        lines = [json.dumps({k: v for k, v in r.items() if v}, ensure_ascii=False) for r in rows]
        first = 1
    (desk / f"in{suffix}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("receive", "--file", f"in{suffix}", "--json")
    doc = imported(result)
    assert result.exit_code == 1
    assert rejected_lines(doc) == [first + 1, first + 2, first + 3, first + 4]
    reasons = [r["reason"] for r in doc["rejected"]]  # type: ignore[union-attr]
    assert [_fields(r) for r in reasons] == [
        ["received_at"],
        ["channel"],
        ["complainant.name", "received_at", "channel"],  # every missing field at once
        ["channel"],
    ]
    assert all("is missing" in r for r in reasons)
    said = " ".join(reasons)
    for row in rows[1:5]:
        assert [row[k] for k in ("name", "phone", "room") if row[k] and row[k] in said] == []
    with SqliteStore(desk / "complaints.sqlite3") as store:
        kept = {
            c.intake.complainant.phone: (c.intake.received_at, c.intake.channel.value)
            for c in store.complaints()
        }
    zone = ZoneInfo("Asia/Shanghai")  # the cn-property pack's
    assert kept == {
        r["phone"]: (datetime.fromisoformat(r["received_at"]).replace(tzinfo=zone), r["channel"])
        for r in (rows[0], rows[5])
    }


@pytest.mark.procedure("REC-1")
@pytest.mark.procedure("IN-1")
def test_a_file_without_the_received_at_or_channel_column_stores_nothing(desk: Path) -> None:
    header = "name,phone,room,site,summary,receiver"
    lines = [header] + [",".join(good(i)[c] for c in header.split(",")) for i in range(3)]
    (desk / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], rejected_lines(doc)) == (0, [2, 3, 4])
    reasons = [r["reason"] for r in doc["rejected"]]  # type: ignore[union-attr]
    assert [_fields(r) for r in reasons] == [["received_at", "channel"]] * 3
    assert stored(desk) == 0
    zh = invoke("--lang", "zh", "receive", "--file", "in.csv")
    assert zh.exit_code == 1
    assert zh.stdout.count("缺少受理时间（REC-1）") == 3
    assert zh.stdout.count("缺少渠道（IN-1）") == 3


@pytest.mark.procedure("REC-1")
@pytest.mark.procedure("IN-1")
def test_file_import_refuses_such_a_row_as_an_incomplete_record(tmp_path: Path) -> None:
    desk = make_desk()
    row = good(0)
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({**row, "received_at": ""})
        + "\n"
        + json.dumps({k: v for k, v in row.items() if k != "channel"})
        + "\n",
        encoding="utf-8",
    )
    now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    results = list(FileImport(desk, path, now=now))
    assert [(r.line, r.outcome) for r in results] == [(1, "rejected"), (2, "rejected")]
    errors = [r.error for r in results]
    assert all(isinstance(e, IncompleteRecordError) for e in errors)
    assert [getattr(e, "fields", None) for e in errors] == [("received_at",), ("channel",)]
    assert desk.rows() == []


@pytest.mark.procedure("IN-2")
def test_a_row_without_its_unit_is_the_receivers_departments(tmp_path: Path) -> None:
    """A guard's note imported next morning: received by security, not customer service."""
    desk = make_desk()
    path = tmp_path / "in.jsonl"
    rows = [{**good(0), "receiver": "SR-302"}, {**good(1), "receiver_unit": "engineering"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    now = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    results = list(FileImport(desk, path, now=now))
    assert [r.outcome for r in results] == ["stored", "stored"]
    units = sorted(c.state.unit for c in desk.store.complaints())
    assert units == ["engineering", "security"]  # named, or the receiver's own


def test_a_json_object_that_repeats_a_key_is_rejected_naming_the_key(desk: Path) -> None:
    rows = [json.dumps(good(i), ensure_ascii=False) for i in range(5)]
    rows[1] = rows[1][:-1] + ', "name": "李四"}'  # json.loads would keep the last name
    rows[3] = json.dumps(good(3))[:-1] + ', "summary": "again"}'
    (desk / "in.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.jsonl", "--json"))
    assert rejected_lines(doc) == [2, 4]
    reasons = [r["reason"] for r in doc["rejected"]]  # type: ignore[union-attr]
    assert reasons == ["name: repeated key", "summary: repeated key"]
    assert (doc["stored"], stored(desk)) == (3, 3)


# --------------------------------------------------------------------------- resuming


def test_a_file_without_keys_run_again_stores_nothing_twice(desk: Path) -> None:
    rows = [csv_line(good(i)) for i in range(300)]
    rows.append(rows[10])  # a genuine second identical complaint is still a row of its own
    (desk / "half.csv").write_text("\n".join([COLUMNS, *rows[:120]]) + "\n", encoding="utf-8")
    (desk / "in.csv").write_text("\n".join([COLUMNS, *rows]) + "\n", encoding="utf-8")
    imported(invoke("receive", "--file", "half.csv", "--json", "--no-route"))
    assert stored(desk) == 120
    (desk / "half.csv").rename(desk / "partial")
    (desk / "in.csv").rename(desk / "half.csv")  # the same file name: the whole file now
    again = imported(invoke("receive", "--file", "half.csv", "--json", "--no-route"))
    assert stored(desk) == 301
    assert (again["stored"], again["duplicated"], again["rejected"]) == (181, 120, [])
    third = imported(invoke("receive", "--file", "half.csv", "--json", "--no-route"))
    assert (third["stored"], third["duplicated"]) == (0, 301)
    assert stored(desk) == 301


@pytest.mark.procedure("PRV-1")
def test_an_unknown_receiver_is_refused_naming_the_field_and_no_complaint(desk: Path) -> None:
    """The receiver registers the complaint (IN-2); one not on the staff is refused.
    Nothing is stored, so the reason names the field, never a complaint id that
    does not exist; the value stays masked (it may be a name in the wrong column)."""
    (desk / "rows.csv").write_text(
        f"{COLUMNS}\n王小明,13812345678,3-2-1201,sunrise,楼上漏水,SR-999,phone,2025-11-14T09:00\n",
        encoding="utf-8",
    )
    result = invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 1, result.output
    (row,) = json.loads(result.stdout)["rejected"]
    assert row["reason"] == (
        "receiver: S***** may not register: unknown actor: not in the staff directory"
    )
    assert stored(desk) == 0

    one = ["receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"]
    one += ["--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-999"]
    result = invoke(*one, "--json")
    assert result.exit_code == 4, result.output
    error = json.loads(result.stdout)["error"]
    assert error["path"] == "receiver"
    assert error["message"].startswith("receiver: S***** may not register")
    assert "C-" not in error["message"]
    zh = CliRunner().invoke(main, ["--lang", "zh", *one], env={"COMPLAINTCORE_NOW": NOW})
    assert zh.stderr.strip() == "错误：receiver：S***** 无权登记：未知操作人：不在员工名录中"


def test_an_unknown_receiver_in_code_is_refused_without_a_complaint_id() -> None:
    from complaintcore import AccessDeniedError
    from tests.helpers import SH
    from tests.helpers import intake as _intake

    api = make_desk()
    with pytest.raises(AccessDeniedError) as err:
        api.receive(_intake(receiver="SR-999"), now=datetime(2025, 11, 14, 9, 30, tzinfo=SH))
    assert err.value.complaint_id == ""
    assert err.value.path == "receiver"
    assert str(err.value).startswith("receiver: ")
    with pytest.raises(AccessDeniedError) as err:  # the desk's own id: reserved
        api.receive(_intake(receiver="system"), now=datetime(2025, 11, 14, 9, 30, tzinfo=SH))
    assert (err.value.complaint_id, err.value.path) == ("", "receiver")
    assert "reserved" in str(err.value)
    assert api.store.rows() == []


@pytest.mark.procedure("IN-2")
def test_an_outcome_the_receiver_may_not_record_is_refused_without_a_complaint_id() -> None:
    """IN-2: staff of another site may register a complaint but not assess it; with
    ``validity`` given, the receipt is refused naming that field, never the id of the
    complaint that was not stored (review s42A F02)."""
    from complaintcore import AccessDeniedError
    from tests.helpers import SH
    from tests.helpers import intake as _intake

    api = make_desk()
    now = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
    elsewhere = _intake(receiver="RS-001")  # riverside's staff, a sunrise complaint
    with pytest.raises(AccessDeniedError) as err:
        api.receive(elsewhere, now=now, validity="valid")
    assert (err.value.complaint_id, err.value.path) == ("", "validity")
    assert str(err.value) == "validity: RS-001 may not assess: works at another site"
    (refused,) = api.receive_many([elsewhere], now=now, validity="valid")
    assert isinstance(refused, AccessDeniedError)
    assert (refused.complaint_id, refused.path) == ("", "validity")
    assert api.store.rows() == []
    assert api.receive(elsewhere, now=now).state.validity.value == "unverified"


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize("when", ["2025-11-03", "20251103", "2025-W45-1"])
def test_a_receipt_date_without_its_time_is_rejected_not_taken_as_midnight(
    desk: Path, when: str
) -> None:
    # REC-1 records the date and time received: midnight would start every clock
    # hours before the complaint was taken
    rows = [good(i) for i in range(3)]
    rows[1] = {**rows[1], "received_at": when}
    (desk / "in.csv").write_text(
        "\n".join([COLUMNS] + [csv_line(r) for r in rows]) + "\n", encoding="utf-8"
    )
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], rejected_lines(doc)) == (2, [3])
    assert _fields(doc["rejected"][0]["reason"]) == ["received_at"]  # type: ignore[index]
    one = invoke(
        "receive",
        "--name",
        "王先生",
        "--phone",
        "13900000001",
        "--room",
        "1-1-101",
        "--site",
        "sunrise",
        "--summary",
        "电梯停运",
        "--receiver",
        "SR-103",
        "--channel",
        "phone",
        "--received-at",
        when,
    )
    assert one.exit_code == 2
    assert "--received-at" in one.output
    assert "time of day" in one.output
    assert stored(desk) == 2


@pytest.mark.procedure("REC-1")
def test_the_day_an_issue_arose_may_be_a_date(desk: Path) -> None:
    rows = [{**good(0), "received_at": "2025-11-03T09:05"}]
    header = COLUMNS + ",occurred_at"
    line = csv_line(rows[0]) + ",2025-11-01"
    (desk / "in.csv").write_text(f"{header}\n{line}\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], doc["rejected"]) == (1, [])
    with SqliteStore(desk / "complaints.sqlite3") as store:
        (complaint,) = store.complaints()
    zone = ZoneInfo("Asia/Shanghai")
    assert complaint.intake.occurred_at == datetime(2025, 11, 1, tzinfo=zone)


READ_SIZE = 1 << 16  # the importer reads a file 64 KiB at a time (importer._CHUNK)


def _boundary_file(eol: bytes) -> tuple[bytes, dict[int, dict[str, str]]]:
    """A CSV whose line end straddles the first read: with CRLF, one row's CR is
    the read's last byte and its LF the next read's first; with bare CRs, the CR
    ends the read and the next row starts the next. Returns the file's bytes and
    each row's cells by line number."""
    header = COLUMNS.encode()
    by_line: dict[int, dict[str, str]] = {}
    lines = [header]
    size = len(header) + len(eol)
    i = 0

    def row(i: int, filler: str) -> dict[str, str]:
        cells = good(i)
        cells["name"] = f"Owner{i}"  # the first cell, ASCII: one byte cut shows
        cells["summary"] = f"楼道灯不亮 #{i} {filler}"
        return cells

    while size + 1500 < READ_SIZE:
        cells = row(i, "x" * 1000)
        by_line[len(lines) + 1] = cells
        lines.append(csv_line(cells).encode())
        size += len(lines[-1]) + len(eol)
        i += 1
    short = len(csv_line(row(i, "")).encode())
    cells = row(i, "p" * (READ_SIZE - 1 - size - short))  # its CR is byte READ_SIZE - 1
    by_line[len(lines) + 1] = cells
    lines.append(csv_line(cells).encode())
    assert size + len(lines[-1]) == READ_SIZE - 1
    for after in range(i + 1, i + 6):
        cells = row(after, "after the first read")
        by_line[len(lines) + 1] = cells
        lines.append(csv_line(cells).encode())
    return eol.join(lines) + eol, by_line


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_rows_after_a_line_end_split_by_a_read_are_stored_as_the_file_has_them(
    tmp_path: Path, eol: bytes
) -> None:
    """Every row is read again alone from its place (IMP-3): a line end falling
    across the importer's 64 KiB read must not move the places of the rows after
    it, or they are stored a character short and nothing says so (review s34C F03)."""
    data, by_line = _boundary_file(eol)
    assert data[READ_SIZE - 1 : READ_SIZE + len(eol) - 1] == eol
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    desk = make_desk()
    sh = ZoneInfo("Asia/Shanghai")
    results = list(FileImport(desk, path, now=datetime(2025, 11, 14, 17, 30, tzinfo=sh)))
    assert sorted((r.line, r.outcome) for r in results) == [
        (line, "stored") for line in sorted(by_line)
    ]
    for r in results:
        cells = by_line[r.line]
        c = desk.get(r.complaint_id)
        person = c.intake.complainant
        assert (person.name, person.phone, person.room, c.intake.site) == (
            cells["name"],
            cells["phone"],
            cells["room"],
            cells["site"],
        )
        assert (c.intake.summary, c.intake.receiver, c.intake.channel) == (
            cells["summary"],
            cells["receiver"],
            cells["channel"],
        )
        assert c.intake.received_at == datetime.fromisoformat(cells["received_at"]).replace(
            tzinfo=sh
        )


# --------------------------------------------------------------------------- labels


@pytest.mark.procedure("IN-1")
def test_a_channel_column_takes_what_the_channel_option_takes(desk: Path) -> None:
    """Review s35A F07: ``--channel "Telephone "`` and ``--channel ｐｈｏｎｅ`` were
    taken but the same cells in a file were refused; one mapping serves both."""
    cells = ["Telephone ", "ｐｈｏｎｅ", "电话", "PHONE"]
    rows = [{**good(i), "channel": cell} for i, cell in enumerate(cells)]
    (desk / "in.csv").write_text(
        "\n".join([COLUMNS, *map(csv_line, rows)]) + "\n", encoding="utf-8"
    )
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    assert (doc["stored"], doc["rejected"]) == (len(cells), [])
    by_option = invoke("receive", "--name", "王五", "--phone", "13712345600", "--room", "1-101",
                       "--site", "sunrise", "--summary", "漏水", "--receiver", "SR-103",
                       "--channel", "Telephone ", "--json")  # fmt: skip
    assert by_option.exit_code == 0, by_option.output
    with SqliteStore(desk / "complaints.sqlite3") as store:
        channels = {store.load(r.id).intake.channel.value for r in store.rows()}
    assert channels == {"phone"}


def test_an_unknown_receiver_unit_lists_each_unit_once(desk: Path) -> None:
    """Review s35A F07: the head office's unit was listed twice."""
    row = {**good(0), "receiver_unit": "nowhere"}
    columns = COLUMNS + ",receiver_unit"
    line = ",".join(row[c] for c in columns.split(","))
    (desk / "in.csv").write_text(f"{columns}\n{line}\n", encoding="utf-8")
    doc = imported(invoke("receive", "--file", "in.csv", "--json"))
    (refused,) = doc["rejected"]
    listed = str(refused["reason"]).split("expected one of ", 1)[1]
    units = re.findall(r"'([a-z_]+)'", listed)  # each with its label (review s51R1 F06)
    assert "head_office" in units
    assert len(units) == len(set(units)), units
