"""Bulk files under fuzzing: good rows mixed with hostile ones are all stored.

Each example writes a CSV or JSONL file of good rows (complete, distinct
complaints) with hostile rows between them -- random text and bytes, stray
quotes, NUL and control characters, lone surrogates, cells and lines too long,
JSON too deep or with huge numbers, wrong types, unknown keys -- in a chosen
or detected encoding, and imports it.  Every good row must be stored, on its
own line number; every row must get exactly one outcome; nothing but a
library error may escape.
"""

from __future__ import annotations

import codecs
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import ComplaintCoreError
from complaintcore.desk.importer import FileImport
from complaintcore.testing import make_desk
from tests.fuzz.conftest import INPUTS, fuzz_settings
from tests.helpers import SH

COLUMNS = (
    "name",
    "phone",
    "room",
    "site",
    "summary",
    "receiver",
    "description",
    "channel",
    "received_at",
)
NOW = datetime(2025, 11, 14, 17, 30, tzinfo=SH)


def good_row(i: int, salt: int) -> dict[str, str]:
    return {
        "name": "业主" + "甲乙丙丁戊己庚辛壬癸"[i % 10],
        "phone": f"139{(salt * 1000 + i) % 10**8:08d}",
        "room": f"{1 + i % 9}-{1 + i % 3}-{101 + i % 800}",
        "site": "sunrise",
        "summary": ("楼上漏水，天花板渗水", "电梯停运", "楼道垃圾没人清理")[i % 3] + f" 第{i}户",
        "receiver": "SR-103",
        "description": "",
        "channel": ("phone", "hotline", "written")[i % 3],
        "received_at": f"2025-11-{1 + i % 13:02d}T{9 + i % 8:02d}:30",
    }


hostile_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(
        [
            '"',
            '"unclosed,',
            'a"b',
            '"x""y',
            "\x00",
            "\x1b[31m",
            "\ud800",
            "\r",
            "=HYPERLINK(1)",
            "0001-01-01T00:00",
            ",,,,,,,,,,,,",
            "王小明,13812345678",
        ]
    ),
    st.text(max_size=2).map(lambda t: t * 70_000),
)
hostile_json = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "[" * 5_000,
            '{"phone": ' + "9" * 4_400 + "}",
            '"\\ud800"',
            "[]",
            "null",
            '{"colour": "red"}',
            '{"name": 5}',
            '{"name": {"a": 1}}',
            '{"received_at": "0001-01-01T00:00"}',
            '{"summary": "\\u0000"}',
        ]
    ),
    st.dictionaries(st.sampled_from(COLUMNS), hostile_text, max_size=4).map(
        lambda d: json.dumps(d, ensure_ascii=False)
    ),
)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeEncodeError:  # a lone surrogate: write what a broken exporter would
        return text.encode("utf-8", "surrogatepass")


Case = tuple[str, str, str | None, bytes, dict[int, dict[str, str]], int]


@st.composite
def files(draw: st.DrawFn) -> Case:
    """(suffix, encoding written, encoding asked, content, good rows by line, rows)"""
    fmt = draw(st.sampled_from(["csv", "jsonl"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    asked = draw(st.sampled_from([None, encoding]))
    salt = draw(st.integers(0, 10**6))
    plan = draw(st.lists(st.booleans(), min_size=1, max_size=12))  # True: a good row
    lines: list[bytes] = []
    good: dict[int, dict[str, str]] = {}
    if fmt == "csv":
        lines.append(",".join(COLUMNS).encode())
    for i, is_good in enumerate(plan):
        line_no = sum(chunk.count(b"\n") + 1 for chunk in lines) + 1
        if is_good:
            row = good_row(i, salt)
            if fmt == "csv":
                text = ",".join(row[c] for c in COLUMNS)
            else:
                text = json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False)
            good[line_no] = row
            lines.append(_encode(text, encoding))
        elif draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.binary(min_size=1, max_size=30)).replace(b"\n", b"\xff"))
        else:
            text = draw(hostile_text if fmt == "csv" else hostile_json)
            lines.append(_encode(text.replace("\n", " "), encoding))
    content = b"\n".join(lines) + b"\n"
    if encoding == "utf-8-sig":
        content = codecs.BOM_UTF8 + content
    return fmt, encoding, asked, content, good, len(plan)


@fuzz_settings(120)
@given(case=files())
def test_good_rows_mixed_with_bad_ones_are_all_stored(
    case: Case, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fmt, written, asked, content, good, rows = case
    path = tmp_path_factory.mktemp("rows") / f"in.{fmt}"
    path.write_bytes(content)
    desk = make_desk()
    now = NOW
    run = FileImport(desk, path, now=now, encoding=asked)
    try:
        results = list(run)
    except ComplaintCoreError:  # only a CSV header the fuzzing broke may stop a file
        assert fmt == "csv"
        return
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:300])
    INPUTS["file rows"] += rows
    detected_right = asked is not None or run.summary.encoding == written
    by_line = {r.line: r for r in results}
    assert len(by_line) == len(results), "one outcome per row"
    lines = [r.line for r in results]
    assert lines == sorted(lines), "outcomes in file order"
    summary = run.summary
    assert summary.rows == len(results) == summary.stored + summary.duplicated + summary.rejected
    if not detected_right:
        return  # a file mostly of hostile bytes may read as GB18030: no promise on its rows
    for line, row in good.items():
        result = by_line.get(line)
        assert result is not None, f"good line {line} got no outcome"
        assert result.outcome == "stored", (line, result.reason)
        stored = desk.get(result.complaint_id)
        assert stored.intake.complainant.phone == row["phone"]
        assert stored.intake.summary == row["summary"]
    assert summary.stored >= len(good)


@fuzz_settings(60)
@given(case=files())
def test_a_file_imported_twice_stores_nothing_twice(
    case: Case, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fmt, _written, asked, content, _good, rows = case
    path = tmp_path_factory.mktemp("again") / f"in.{fmt}"
    path.write_bytes(content)
    desk = make_desk()
    now = NOW
    try:
        first = list(FileImport(desk, path, now=now, encoding=asked))
    except ComplaintCoreError:
        return
    second = list(FileImport(desk, path, now=now, encoding=asked))
    INPUTS["file rows"] += 2 * rows
    stored = {r.line: r.complaint_id for r in first if r.outcome == "stored"}
    again = {r.line: r.complaint_id for r in second if r.outcome != "rejected"}
    assert [r.outcome for r in second if r.line in stored] == ["duplicate"] * len(stored)
    assert {line: again[line] for line in stored} == stored
    assert len(desk.rows()) == len(stored)
