"""Bulk import of CSV and JSONL files: every row stored, a duplicate, or rejected on its own.

A file exported from another system is rarely clean: a line in another
encoding, a cell of a megabyte, an unclosed quote, JSON nested beyond reason.
:class:`FileImport` reads the file a physical line at a time and hands the
desk one intake per row, so a bad row is reported on its own -- with its line
number and a one-line reason that names the field, never a cell's value
(PRV-1) -- and every good row around it is still stored:

* the encoding is chosen (``utf-8``, ``utf-8-sig``, ``gb18030``, ``big5``,
  ``cp1252``) or detected from the whole file (UTF-8 or GB18030; a file that
  reads like neither is refused until one is chosen); a UTF-8 byte-order mark
  is skipped whether ``utf-8`` or ``utf-8-sig`` is chosen; a line that does not
  decode is rejected alone, and so is a UTF-8 line in a file of another
  encoding (it would decode, garbled);
* a CSV row with more or fewer cells than the header, and a JSON object that
  repeats a key, are rejected: nothing is guessed or silently defaulted;
* a row whose ``received_at`` or ``channel`` is empty or absent is rejected as
  incomplete (REC-1, IN-1), never taken as received at the import or by phone;
* a quoted CSV cell may span any number of lines (a letter typed into one
  cell, even one with a line that reads as a row alone: the quote is read to
  its end first), but an unclosed quote swallows nothing: the line that
  opened it is rejected and reading resumes on the next line;
* lines longer than :data:`MAX_LINE_BYTES` and JSON deeper or bigger than
  Python reads are rejected, not fatal;
* a row without an ``idempotency_key`` gets one derived from the source file's
  name and the row's cells (:func:`row_key`), so a file re-run after a crash,
  or after fixing its rejected rows, stores nothing twice.

The rows are taken in order of ``received_at`` (IMP-3: a complaint is linked to
the earlier-received ones, so a newest-first export must link as an
oldest-first one does): a first reading keeps each row's place and time, a few
numbers a row, and each row is then read again alone from its place.

The command line's ``receive --file`` is a thin layer over this module.
"""

from __future__ import annotations

import codecs
import copy
import csv
import hashlib
import io
import json
import logging
import os
import re
from array import array
from collections import Counter, deque
from collections.abc import Generator, Hashable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal, Protocol

import attrs

from complaintcore.core.concentration import complainant_key
from complaintcore.core.errors import (
    ComplaintCoreError,
    FieldProblem,
    IncompleteRecordError,
    InvalidInputError,
    MembersLeftUnlinkedError,
)
from complaintcore.core.limits import cell_count_reason, clean_text
from complaintcore.core.models import (
    Complainant,
    Intake,
    TargetPerson,
    is_date_only,
    require_aware,
)
from complaintcore.core.rulepack import DEFAULT_ROOM_STYLE
from complaintcore.core.validity import MANDATORY_FIELDS, NO_RECEIVER, _missing_reason
from complaintcore.desk.held import Interruptible
from complaintcore.desk.ports import BatchIntakeStore, RelatedQuery
from complaintcore.i18n import UNNAMED_KEY

if TYPE_CHECKING:
    from complaintcore.core.models import Complaint
    from complaintcore.desk.service import Desk

log = logging.getLogger("complaintcore.desk")

__all__ = [
    "CHINESE_COLUMNS",
    "ENCODINGS",
    "FIELDS",
    "MAX_LINE_BYTES",
    "FileImport",
    "ImportSummary",
    "RowResult",
    "detect_encoding",
    "intake_from_row",
    "read_rows",
    "row_key",
]

FIELDS: Final = (
    "name",
    "phone",
    "room",
    "building",
    "site",
    "channel",
    "summary",
    "description",
    "received_at",
    "occurred_at",
    "receiver",
    "receiver_unit",
    "location",
    "account",
    "idempotency_key",
    "target_staff_id",
    "target_rung",
    "via_head_office",
)
"""The columns of a bulk file (the keys of a JSONL object)."""

ENCODINGS: Final = ("utf-8", "utf-8-sig", "gb18030", "big5", "cp1252")
"""Encodings a file may be read in; without a choice UTF-8 or GB18030 is detected
(Big5, from Hong Kong or Taiwan, and cp1252, from Excel on a Western Windows,
must be chosen: their bytes read as GB18030 too, as other characters)."""

MAX_LINE_BYTES: Final = 1 << 20
"""A physical line (or a CSV row spanning lines) longer than this is rejected."""

Outcome = Literal["stored", "duplicate", "rejected"]


@attrs.frozen
class RowResult:
    """What became of one row: its line, the outcome, the complaint or the reason."""

    line: int
    outcome: Outcome
    complaint_id: str = ""
    reason: str = ""
    error: ComplaintCoreError | None = attrs.field(default=None, eq=False, repr=False)
    """The refusal itself (for a caller that words it in another language)."""
    same_as: str = ""
    """A complaint stored before with the same complainant, ``received_at`` and
    summary as this stored row (by an earlier import, or by an earlier row of
    this file whose cells differ): likely the same one, under another key."""
    left_unlinked: MembersLeftUnlinkedError | None = attrs.field(default=None, eq=False)
    """Stored (or a duplicate), but the store failed while the members of its
    concentrated issue were linked: the issue and the members left out (HDL-5,
    HDL-6).  Running the file again links them (as ``Receipt.left_unlinked``)."""


@attrs.frozen
class ImportSummary:
    """The counts of a finished import: every row is exactly one of the three."""

    rows: int
    stored: int
    duplicated: int
    rejected: int
    encoding: str


# --------------------------------------------------------------------------- encodings


def detect_encoding(stream: IO[bytes]) -> str:
    """The encoding of a file: ``utf-8-sig`` with a byte-order mark, ``utf-8`` when
    most lines that are not plain ASCII are valid UTF-8, else ``gb18030``, unless
    the file does not read like GB18030 (see :func:`_looks_gb18030`).

    Reads the whole stream, a line at a time, and rewinds it.  A UTF-8 file with
    a stray GBK line is UTF-8, and a GBK file with a stray UTF-8 line is GB18030:
    the odd line is rejected on its own when the rows are read.  Each line has
    one say, judged whole; a line too long to be read has none, so a cell of
    megabytes cannot outvote the rows around it.

    :raises InvalidInputError: the stream cannot be rewound, or the file is neither
        UTF-8 nor GB18030 (choose the encoding).
    """
    if not stream.seekable():
        raise InvalidInputError("encoding", "cannot be detected on a stream; choose one")
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    _refuse_utf16(head)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    utf8 = other = chars = ascii_trails = 0
    for data in _raw_lines(stream):
        if data is not None and not data.isascii():
            if _is_utf8(data):
                utf8 += 1
            else:
                other += 1
                found, trails = _gb_pairs(data)
                chars, ascii_trails = chars + found, ascii_trails + trails
    stream.seek(start)
    if utf8 >= other:
        return "utf-8"
    if not _looks_gb18030(chars, ascii_trails):
        raise InvalidInputError(
            "encoding",
            "cannot be detected: the file is neither UTF-8 nor GB18030 text (it reads like"
            f" cp1252 or Big5); choose it ({', '.join(ENCODINGS)})",
        )
    return "gb18030"


_GB_CHAR = re.compile(
    rb"[\x81-\xfe](?:[\x30-\x39][\x81-\xfe][\x30-\x39]|([\x40-\x7e])|[\x80-\xfe])"
)
"""A GB18030 character of two or four bytes; group 1 is an ASCII trail byte."""


def _gb_pairs(data: bytes) -> tuple[int, int]:
    """GB18030 characters in a line that decodes as GB18030, and how many of them
    end in an ASCII byte (none when the line does not decode: it is rejected)."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return 0, 0
    found = trails = 0
    for m in _GB_CHAR.finditer(data):
        found += 1
        trails += m.group(1) is not None
    return found, trails


def _looks_gb18030(chars: int, ascii_trails: int) -> bool:
    """Whether the file's double-byte characters read like Chinese in GB18030.

    Chinese text is almost all GB2312 characters, whose second byte is not ASCII
    (the seed documents: none of 8,214; a rare name character such as 珺 or 昇
    has one).  An accented letter before an ASCII one in cp1252 (``é`` ``e``),
    and about half of Big5's characters, read as a GB18030 character whose second
    byte is ASCII: more than a quarter of such characters is not GB18030 text.
    """
    return ascii_trails * 4 <= chars


_WORKBOOKS: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
"""How an Excel workbook starts: a zip (.xlsx, also WPS's .et) or an OLE2
compound file (the old .xls)."""


def _refuse_utf16(head: bytes) -> None:
    """A UTF-16 file (Excel's "Unicode Text") is refused as a whole, naming its
    encoding: read as UTF-8 or GB18030 every line would be garbage.  So is a
    workbook given a .csv name: no encoding reads it (review s53R4 F03)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInputError(
            "encoding",
            "the file is UTF-16 (it starts with a UTF-16 byte order mark);"
            " save it as UTF-8 or GB18030",
        )
    if head.startswith(_WORKBOOKS):
        raise InvalidInputError(
            "file",
            "is an Excel workbook, not CSV text; save it as 'CSV UTF-8 (comma delimited)'",
        )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_EOL = re.compile(rb"\r\n|\r|\n")
"""A line ends with CRLF, LF, or a bare CR (a classic Mac or "CSV (Macintosh)" export)."""

_CHUNK = 1 << 16
"""Bytes read at a time when splitting lines."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _raw_lines(stream: _Readable, starts: array[int] | None = None) -> Iterator[bytes | None]:
    """Physical lines as bytes, each ended by ``\n`` (a bare CR is a line end too,
    so a row pasted from a Mac file is its own row); one longer than
    :data:`MAX_LINE_BYTES` is ``None``, skipped without being held in memory
    (detection and reading agree on lines).

    ``starts`` gets each line's offset in the stream as it is yielded (from the
    position reading began at), so an import can read a row again alone.
    """
    parts: list[bytes] = []  # the line so far: each read is searched once (linear)
    size = 0
    skipping = False  # inside a line already found too long
    carry = b""  # a CR that ended the last read: its LF may come next
    base = 0  # the offset of the next byte read
    line_start = 0
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        at = base - len(carry)  # the offset of data[0]
        base += len(chunk)
        carry = b""
        start = 0
        for m in _EOL.finditer(data):
            if m.end() == len(data) and data.endswith(b"\r"):
                break  # a CR at the end of what is read: its LF may come next
            piece, start = data[start : m.start()], m.end()
            if starts is not None:
                starts.append(line_start)
            line_start = at + m.end()
            if skipping or size + len(piece) > MAX_LINE_BYTES:
                skipping = False
                yield None
            else:
                yield b"".join((*parts, piece, b"\n"))
            parts, size = [], 0
        rest = data[start:]
        if rest.endswith(b"\r"):  # kept: it ends the line, with or without an LF
            carry, rest = b"\r", rest[:-1]
        if not skipping and rest:
            parts.append(rest)
            size += len(rest)
            if size > MAX_LINE_BYTES:
                parts, size, skipping = [], 0, True
    if starts is not None and (skipping or carry or parts):
        starts.append(line_start)
    if skipping:
        yield None
    elif carry:
        yield b"".join((*parts, b"\n"))
    elif parts:
        yield b"".join(parts)


def _lines(
    stream: _Readable, encoding: str, *, first: int = 1, starts: array[int] | None = None
) -> Iterator[tuple[int, str | InvalidInputError]]:
    """Physical lines, decoded one by one, with their numbers (from ``first``: a row
    read again alone); a bad one is its error.

    In a GB18030 file a non-ASCII line that is valid UTF-8 is taken for a UTF-8
    line and rejected: GB18030 would decode it too, into other characters, and
    the garbled row would be stored without a word.
    """
    for number, raw in enumerate(_raw_lines(stream, starts), first):
        if raw is None:
            yield (
                number,
                InvalidInputError("line", f"longer than {MAX_LINE_BYTES} bytes (not read)"),
            )
            continue
        if number == 1:
            _refuse_utf16(raw)
        if number == 1 and encoding.startswith("utf-8"):
            # a mark, not data: Excel's "CSV UTF-8" has one whether or not utf-8-sig
            # was chosen, and kept it would hide the first column's name
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            text = raw.decode("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError as exc:
            yield (
                number,
                InvalidInputError(
                    "line",
                    f"is not {encoding} text (byte {exc.start + 1}); choose the file's encoding"
                    f" ({', '.join(ENCODINGS)})",
                ),
            )
            continue
        if not encoding.startswith("utf-8") and not raw.isascii() and _is_utf8(raw):
            yield (
                number,
                InvalidInputError(
                    "line",
                    f"is utf-8 text in a {encoding} file (its encoding differs from the file's);"
                    " save it in the file's encoding",
                ),
            )
            continue
        yield number, text


# --------------------------------------------------------------------------- rows


Row = Mapping[str, Any]
RowOrError = tuple[int, Row | ComplaintCoreError]


def read_rows(
    stream: IO[bytes], *, fmt: Literal["csv", "jsonl"], encoding: str
) -> Iterator[RowOrError]:
    """Rows of a CSV (header first) or JSONL file, each with the line it starts on.

    A row that cannot be read is yielded as its error, and reading goes on.

    :raises InvalidInputError: the CSV header is missing or names an unknown
        column (``line 1, column 3``); no row can be read without it.  A file
        with no header (CSV) or no line (JSONL) at all is refused at ``file``.
    """
    return _read_rows(stream, fmt=fmt, encoding=encoding)


def _read_rows(
    stream: _Readable,
    *,
    fmt: Literal["csv", "jsonl"],
    encoding: str,
    first: int = 1,
    starts: array[int] | None = None,
    columns: list[str] | None = None,
) -> Iterator[RowOrError]:
    """:func:`read_rows`, with what reading a row again alone needs: each line's
    offset (``starts``), the CSV header read (``columns``, filled when empty), and
    the number of the line the stream begins on (``first``)."""
    if encoding not in ENCODINGS:
        raise InvalidInputError("encoding", f"expected one of {', '.join(ENCODINGS)}")
    lines = _lines(stream, encoding, first=first, starts=starts)
    if fmt == "jsonl":
        yield from _json_rows(lines)
    elif fmt == "csv":
        yield from _csv_rows(lines, columns)
    else:
        raise InvalidInputError("format", "expected csv or jsonl")


def _json_rows(lines: Iterable[tuple[int, str | InvalidInputError]]) -> Iterator[RowOrError]:
    empty = True
    for number, text in lines:
        if isinstance(text, InvalidInputError):
            empty = False
            yield number, text
            continue
        if not text.strip():
            continue
        empty = False
        try:
            data = json.loads(text, object_pairs_hook=_object)
        except _RepeatedKeyError as exc:
            yield number, InvalidInputError(_key_name(exc.key), "repeated key")
            continue
        except json.JSONDecodeError as exc:
            yield number, InvalidInputError("line", f"not JSON ({exc.msg})")
            continue
        except RecursionError:
            yield number, InvalidInputError("line", "not JSON we read (nested too deeply)")
            continue
        except ValueError:  # e.g. an integer of more than 4,300 digits
            yield number, InvalidInputError("line", "not JSON we read (a number too long)")
            continue
        if not isinstance(data, dict):
            yield number, InvalidInputError("line", "must be a JSON object")
            continue
        unknown = sorted(str(k) for k in data if k not in FIELDS)
        if unknown:
            yield number, _unknown_key(unknown[0])
            continue
        yield number, data
    if empty:  # an export cut short leaves nothing: no run of no rows (review s53R4 F06)
        raise InvalidInputError("file", "empty; expected one JSON object a line")


class _RepeatedKeyError(Exception):
    """Carries a repeated key out of :func:`json.loads` (never leaves this module)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if it names a key twice: ``json`` would keep the last
    value without a word, as a CSV file cannot (its header may not repeat a column)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _RepeatedKeyError(key)
            seen.add(key)
    return data


def _key_name(key: str) -> str:
    """A key named in an error: as it is if it is a field's name, else by its kind
    (:data:`~complaintcore.i18n.UNNAMED_KEY`).  Any other key is text the exporter
    wrote, perhaps a person's name or phone (``Thompson``, ``tel_13812345678``),
    so it is never quoted (PRV-1; review s47D F03), as a CSV header's unknown
    column is named by its position alone."""
    return key if key in FIELDS else UNNAMED_KEY


def _unknown_key(key: str) -> InvalidInputError:
    """A JSONL object's key that is no field: never quoted (:func:`_key_name`); a near
    miss of a field's name (``recieved_at``, ``Summary``, ``nmae``, ``romm``) is
    answered with the field it resembles, as a misspelt option is, so the exporter's
    typo is found.  Only the field's name is said, never anything of the key."""
    import difflib

    folded = key.casefold()
    near = difflib.get_close_matches(folded, FIELDS, n=1, cutoff=0.8)
    # one letter swapped, changed, added or dropped: in a four-letter name (``name``,
    # ``room``) the ratio of one edit is 0.75, below the cutoff (review s57R6 F02)
    near = near or [f for f in FIELDS if _one_edit(folded, f)][:1]
    if near:
        return InvalidInputError(UNNAMED_KEY, f"unknown key; did you mean {near[0]!r}?")
    return InvalidInputError(UNNAMED_KEY, "unknown key")


def _one_edit(typed: str, field: str) -> bool:
    """Whether ``typed`` is ``field`` with one letter changed, added, dropped, or two
    neighbours swapped (a Damerau distance of 1)."""
    if typed == field or abs(len(typed) - len(field)) > 1:
        return False
    if len(typed) == len(field):
        differ = [i for i, (a, b) in enumerate(zip(typed, field, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        first = differ[0]
        return (
            len(differ) == 2
            and differ[1] == first + 1
            and (typed[first], typed[first + 1]) == (field[first + 1], field[first])
        )
    shorter, longer = sorted((typed, field), key=len)
    at = next(
        (i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter)
    )
    return shorter[at:] == longer[at + 1 :]


CHINESE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("姓名", "投诉人"),
    "phone": ("电话", "手机", "联系电话"),
    "room": ("房号",),
    "building": ("楼栋",),
    "site": ("项目", "小区"),
    "channel": ("渠道",),
    "summary": ("投诉内容", "摘要"),
    "description": ("描述", "详细描述"),
    "received_at": ("受理时间",),
    "occurred_at": ("发生时间",),
    "receiver": ("受理人",),
    "receiver_unit": ("受理部门",),
    "location": ("地点",),
    "account": ("投诉人陈述",),
    "idempotency_key": ("幂等键",),
    "target_staff_id": ("被投诉人员工编号", "被投诉人"),
    "target_rung": ("被投诉人层级",),
    "via_head_office": ("越级向总部投诉",),
}
"""The Chinese column names a header row may use for each of :data:`FIELDS`, the
first the one refusals show (docs/cli.md): every field has one (review s52R6 F06)."""

_ALIASES: Final = {alias: field for field, names in CHINESE_COLUMNS.items() for alias in names}


def _column(cell: str) -> str | None:
    key = cell.strip().lower().replace(" ", "_").replace("-", "_")
    if key in FIELDS:
        return key
    return _ALIASES.get(cell.strip())


def _header(number: int, cells: list[str]) -> list[str]:
    """The columns a header row names; a cell that names none is refused by its
    position alone, since it may be a value of a file without a header (PRV-1).

    Empty cells after the last named one (Excel writes them when a column to the
    right was ever used) are kept as ``""``: columns a row must leave empty."""
    named = len(cells)
    while named and not cells[named - 1].strip():
        named -= 1
    trailing = [""] * (len(cells) - named)
    cells = cells[:named]
    columns: list[str] = []
    known = [c for c in (_column(cell) for cell in cells) if c is not None]
    if not known:
        _refuse_separator(number, cells)
        raise InvalidInputError(
            f"line {number}",
            "not a header row; the first line must name the columns: " + ", ".join(FIELDS),
        )
    for j, cell in enumerate(cells, 1):
        column = _column(cell)
        if column is None:
            if not cell.strip():
                raise InvalidInputError(f"line {number}, column {j}", "has no name")
            # The position only, never the cell (PRV-1): a file without a header
            # row puts a name, a phone or a room here.
            raise InvalidInputError(
                f"line {number}, column {j}",
                "unknown column (the first line must be a header row naming the columns);"
                " expected one of " + ", ".join(FIELDS),
            )
        if column in columns:
            raise InvalidInputError(f"line {number}, column {j}", f"repeats column {column}")
        columns.append(column)
    return columns + trailing


_SEP_LINE: Final = re.compile(r"sep=(.)", re.IGNORECASE)
"""Excel's and WPS's first line declaring the cells' separator (``sep=,``)."""


def _declared_separator(number: int, text: str) -> bool:
    """Whether the first line ``text`` is a ``sep=,`` line (skipped: it declares the
    comma this reader reads); one declaring another separator is refused."""
    found = _SEP_LINE.fullmatch(text.rstrip("\r\n"))
    if found is None:
        return False
    if found[1] == ",":
        return True
    raise InvalidInputError(
        f"line {number}",
        f"an Excel 'sep=' line declares {found[1]!a} as the separator, but only"
        " commas are read; save the file as 'CSV UTF-8 (comma delimited)'",
    )


def _refuse_separator(number: int, cells: list[str]) -> None:
    """A header naming its columns between semicolons or tabs (Excel's "CSV" on a
    European Windows, its tab-delimited text, WPS) is refused naming the
    separator, as a ``sep=;`` line is: it names the columns, only not between
    commas (review s53R4 F03)."""
    for separator in (";", "\t"):
        names = [part for cell in cells for part in cell.split(separator)]
        if len(names) > len(cells) and any(_column(name) for name in names):
            raise InvalidInputError(
                f"line {number}",
                f"the header names its columns between {separator!a}, but only commas"
                " separate cells; save the file as 'CSV UTF-8 (comma delimited)'",
            )


def _check_unnamed(header: list[str], cells: list[str], number: int, at: int | None) -> None:
    """A row of a header with empty trailing columns (``""``): its cells under
    them must be empty too, else the whole file is refused, as a header with a
    cell of no name is: the value may be data meant for a column never named.
    Cells beyond the header are not under one (the row is too long, rejected).
    ``at``: the header's line (None when a row is read again alone)."""
    for j in range(_widths(header).start, min(len(cells), len(header))):
        if cells[j].strip():
            where = f"line {at}, column {j + 1}" if at is not None else f"column {j + 1}"
            raise InvalidInputError(where, f"has no name, and line {number} has a value in it")


def _cell_count(cells: int, header: list[str]) -> str:
    """Why a row of ``cells`` cells does not fit ``header``: the count of its named
    columns, the one a clerk sees, and the empty ones after them (review s52R8 F03)."""
    return cell_count_reason(cells, _widths(header).start, len(header))


def _quotes_open(text: str) -> bool:
    return text.count('"') % 2 == 1


_CELL: Final = re.compile(r'"(?:[^"]|"")*("?)|[^,]*')
"""One cell of a line at its start: quoted (its closing quote captured, absent
when the line ends inside it) or plain, a ``"`` in it a character like any other."""

_QUOTED_REST: Final = re.compile(r'(?:[^"]|"")*("?)')
"""The rest of a quoted cell a line above opened, at a line's start: its closing
quote captured (a doubled ``""`` is a quote in the cell), absent when it goes on."""


def _opens_quoted_cell(text: str, *, inside: bool = False) -> bool:
    """Whether a line of a row leaves a quoted cell open: its first line, or with
    ``inside`` a line going on in a quoted cell a line above opened.

    A ``"`` opens a quoted cell at the start of a cell, as RFC 4180 and Python's
    ``csv`` read it; one inside a plain cell is a character of it (an inch mark,
    ``管子12" 漏水``): the line is read alone (review s53R4 F07).  A line going on
    in a quoted cell is read so too once its closing quote is passed: a plain
    cell's ``"`` after it reopens nothing (review s53R11 F01).  A plain cell
    ending in an unbalanced ``"`` (``电梯停运两天"``) is taken, as before, for a
    stray quote closing a cell opened on a line above, so the guard against a
    stray quote joining two rows (review s52R8 F01) rejects it on its own."""
    if '"' not in text:
        return inside
    line = text.rstrip("\r\n")
    at = 0
    if inside:
        rest = _QUOTED_REST.match(line)
        assert rest is not None  # matches the empty string
        if not rest[1]:
            return True
        at = rest.end()  # the cell goes on plain to its comma, as csv reads it
    start = at  # the quotes counted for a stray one: those after the closing one
    ends_in_quote = False
    tail = inside  # the closed cell's tail, plain to its comma: not a cell's start
    while True:
        if not tail:
            cell = _CELL.match(line, at)
            assert cell is not None  # the plain branch matches the empty string
            if cell[0].startswith('"'):
                if not cell[1]:
                    return True
            elif cell[0].endswith('"'):
                ends_in_quote = True
            at = cell.end()
        tail = False
        at = line.find(",", at)
        if at < 0:
            return ends_in_quote and _quotes_open(line[start:])
        at += 1


def _csv_rows(
    lines: Iterator[tuple[int, str | InvalidInputError]], columns: list[str] | None = None
) -> Iterator[RowOrError]:
    """CSV rows; a row may span lines inside quotes, but an unclosed quote is
    rejected on its first line and the lines after it are read again.

    ``columns``, when given, gets the header once it is read; given filled, it
    is the header already read (a row read again alone, without its file's first line).
    """
    again: deque[tuple[int, str | InvalidInputError]] = deque()
    header: list[str] | None = list(columns) if columns else None
    header_line: int | None = None  # unknown when a row is read again alone
    first_line = header is None  # a file's first line may be Excel's sep=,
    widths = _widths(header) if header is not None else range(0)  # a row's cell counts

    def take() -> tuple[int, str | InvalidInputError] | None:
        if again:
            return again.popleft()
        return next(lines, None)

    while (first := take()) is not None:
        number, text = first
        if isinstance(text, InvalidInputError):
            if header is None:  # no row can be read without it
                raise InvalidInputError(f"line {number}", f"the header row: {text.reason}")
            yield number, text
            continue
        if not text.strip():
            continue
        if first_line:
            first_line = False
            if _declared_separator(number, text):
                continue
        taken = [first]
        parts = [text]
        size = len(text)
        quote_open = _opens_quoted_cell(text)  # then line by line: joining is linear
        runs_into_row = False  # the line closing the quote reads as a whole row of its own
        passed_row = False  # a line read inside the open quote reads as a whole row
        # No count of lines bounds a row (a letter in one cell has hundreds of line
        # breaks): only its size, as a line's.  A line inside the quote that reads as
        # a row of its own (a letter's line of dates, a record pasted into a cell)
        # ends nothing yet: the quote is read to its end first (RFC 4180), and only
        # if the record it closes is no row of the header's cells was it a stray one.
        while quote_open and size <= MAX_LINE_BYTES:
            following = take()
            if following is None:
                break
            if isinstance(following[1], InvalidInputError):
                again.appendleft(following)
                break
            taken.append(following)
            parts.append(following[1])
            size += len(following[1])
            quote_open = _opens_quoted_cell(following[1], inside=True)
            if header is None:
                continue
            whole = _whole_row(following[1], widths)
            if quote_open:
                passed_row = passed_row or whole
                continue
            record = "".join(parts)
            runs_into_row = (
                # unless it closes the quote, the join is one row of the header's
                # cells, and the first line alone is none: a letter in the first
                # cell ends in a line holding the row's other cells
                whole and (_plain_row(text, widths) or not _one_row(record, widths))
            ) or (
                # rows passed on the way: the quoted record must be one row exactly
                passed_row and not _one_row(record, widths)
            )
        cells: list[str] = []
        problem: str | None
        if runs_into_row or (quote_open and passed_row):
            problem = 'a quoted cell is not closed before the next row (an unbalanced ")'
        elif quote_open and size > MAX_LINE_BYTES:
            problem = f"a quoted cell is not closed within {MAX_LINE_BYTES} characters"
        elif quote_open:
            problem = 'a quoted cell is not closed (an unbalanced ")'
        else:
            cells, problem = _parse_record("".join(parts))
            joined = len(taken) > 1
            if header is not None and problem is None and joined and len(cells) > len(header):
                problem = 'more cells than the header has (an unbalanced " may join lines)'
        if problem is not None:
            again.extendleft(reversed(taken[1:]))  # only the first line is given up
            if header is None:
                raise InvalidInputError(f"line {number}", f"the header row: {problem}")
            yield number, InvalidInputError("row", problem)
            continue
        if not any(c.strip() for c in cells):  # only separators: a blank row
            continue
        if header is None:
            header = _header(number, cells)
            header_line = number
            widths = _widths(header)
            if columns is not None:
                columns[:] = header
            continue
        # a value under a trailing unnamed column refuses the file, whatever the
        # row's length (review s52R8 F02); the columns themselves may be left out
        _check_unnamed(header, cells, number, header_line)
        if len(cells) not in widths:  # a missing cell would silently take its default
            yield number, InvalidInputError("row", _cell_count(len(cells), header))
            continue
        named = widths.start
        yield number, dict(zip(header[:named], cells[:named], strict=True))
    if header is None:
        # nothing but blank lines, a BOM or a sep=, line: an export cut short, a
        # full disk; never a run of no rows that exits 0 (review s53R4 F06)
        raise InvalidInputError("file", "empty; expected a header row naming the columns")


def _widths(header: list[str]) -> range:
    """The counts of cells a row of ``header`` may have: its named columns, up to
    all of them when it ends in empty ones (``""``), which a row may leave out.
    The join heuristics count lines against these, never ``len(header)`` alone:
    a row leaving the empty columns out is a whole row too (review s52R8 F01)."""
    named = header.index("") if "" in header else len(header)
    return range(named, len(header) + 1)


def _whole_row(line: str, columns: range) -> bool:
    """Whether ``line`` alone reads as a complete row of ``columns`` cells: then the
    quote that joined it to the line before was never meant to.  A line with a
    stray quote of its own (the one that closes the join) is read with that quote
    as a plain character: a row with a typo in its last cells is still a row, and
    joined it would hand its owner's data and receipt time to the row before."""
    if not _quotes_open(line):
        cells, problem = _parse_record(line)
        return problem is None and len(cells) in columns
    try:
        rows = list(csv.reader(io.StringIO(line, newline="")))
    except csv.Error:
        return False
    return len(rows) == 1 and len(rows[0]) in columns


def _plain_row(line: str, columns: range) -> bool:
    """Whether ``line``, its quotes read as plain characters, holds ``columns`` cells:
    a row of its own with a stray quote, not the first line of a long cell."""
    return len(next(csv.reader([line], quoting=csv.QUOTE_NONE), [])) in columns


def _one_row(record: str, columns: range) -> bool:
    cells, problem = _parse_record(record)
    return problem is None and len(cells) in columns


def _parse_record(record: str) -> tuple[list[str], str | None]:
    try:
        rows = list(csv.reader(io.StringIO(record, newline=""), strict=True))
    except csv.Error as exc:
        text = str(exc)
        if "field larger than field limit" in text:
            return [], f"has a cell longer than {csv.field_size_limit()} characters"
        return [], "is not valid CSV (a quote inside an unquoted cell?)"
    if len(rows) != 1:
        return [], "is not valid CSV (a line break outside quotes)"
    return rows[0], None


# --------------------------------------------------------------------------- rows to intakes


_COMPLAINANT: Final = frozenset({"name", "phone", "room", "building", "site"})
"""Columns the intake keeps on its complainant, named so as the desk names them."""


def _text(row: Row, key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInputError(key, "must be text")
    if isinstance(value, int) and abs(value) >= 10**40:
        raise InvalidInputError(key, "is a number too long to be a field")
    text = str(value)
    # a control character is located in the cell as the clerk typed it, spaces
    # before the text counted, before they are stripped (review s53R4 F02)
    clean_text(text, f"complainant.{key}" if key in _COMPLAINANT else key)
    return text.strip()


_YES, _NO = ("true", "1", "yes", "是"), ("false", "0", "no", "否", "")


def _flag(row: Row, key: str) -> bool:
    value = row.get(key)
    if isinstance(value, bool):
        return value
    word = _text(row, key).lower()
    if word not in _YES + _NO:
        raise InvalidInputError(key, "expected true or false")
    return word in _YES


_SLASHED: Final = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2})(?: +(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII
)
"""A year-first date (and time) as Excel on a Chinese Windows writes it: ``2026/3/5 14:20``."""

_NUMBER: Final = re.compile(r"\d+(?:\.\d*)?", re.ASCII)
"""An Excel serial date (``46086.60417``): days since 1899-12-30 in no time zone."""


def _parse_time(text: str, zone: tzinfo) -> tuple[datetime, bool] | None:
    """A time cell read (in ``zone`` without an offset), and whether it is a date
    alone; None if it is neither ISO nor year-first with slashes.  Day- or
    month-first forms are never guessed: ``03/05/2026`` is 3 May in London but
    5 March in New York."""
    if not text.isascii():
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return (value if value.tzinfo else value.replace(tzinfo=zone)), is_date_only(text)
    m = _SLASHED.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in m.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone), m.group(4) is None
    except ValueError:  # 2026/2/30, 25:00
        return None


def _time(text: str, zone: tzinfo, key: str = "received_at") -> datetime:
    """A time cell; ``received_at`` must carry its time of day (REC-1: a date alone
    would be midnight, starting every clock hours before it was taken), while the
    day an issue arose (``occurred_at``) may be a date."""
    parsed = _parse_time(text, zone)
    if parsed is None:
        if _NUMBER.fullmatch(text):
            raise InvalidInputError(
                key,
                "a number, not a date-time (an Excel serial date?):"
                " format the column as yyyy-mm-dd hh:mm",
            )
        if key == "received_at":
            raise InvalidInputError(
                key,
                "expected a date-time, year first, like 2025-11-14T17:30, 2025-11-14 17:30"
                " or 2025/11/14 17:30 (never day or month first: 11/12/2025 is ambiguous)",
            )
        raise InvalidInputError(
            key,
            "expected a date or date-time, year first, like 2025-11-14, 2025/11/14"
            " or 2025/11/14 17:30 (never day or month first: 11/12/2025 is ambiguous)",
        )
    value, date_only = parsed
    if key == "received_at" and date_only:
        raise InvalidInputError(
            key, "a date alone: give the time of day too, like 2025-11-14T17:30"
        )
    return require_aware(value, key)


def intake_from_row(
    row: Row,
    *,
    zone: tzinfo,
    default_time: datetime | None = None,
    room_style: str = DEFAULT_ROOM_STYLE,
) -> Intake:
    """One row (columns :data:`FIELDS`) as an intake.

    ``received_at`` and ``occurred_at`` without an offset are read in ``zone``
    (the pack's).  A missing cell is never defaulted: a row whose
    ``received_at`` (REC-1), ``channel`` (IN-1) or ``receiver`` (REC-5) is empty or
    absent is refused
    with :class:`IncompleteRecordError`, naming those and every other REC-1
    field it lacks (the room as the pack's ``room_style`` names it).  Only a
    caller with a documented default of its own passes
    ``default_time`` -- ``complaintcore receive`` without ``--received-at`` is
    received now -- and a row without ``received_at`` is then received at it;
    :class:`FileImport` never does.  Otherwise REC-1 completeness is checked
    when the desk registers the intake.

    :raises IncompleteRecordError: ``received_at``, ``channel`` or ``receiver`` is
        missing (a receipt is the receiver's first event, REC-5).
    :raises InvalidInputError: a cell is malformed.
    """
    received = _text(row, "received_at")
    channel = _text(row, "channel")
    received_at = _time(received, zone) if received else default_time
    if received_at is None or not channel or not _text(row, "receiver"):
        raise IncompleteRecordError(
            _missing(row, timed=received_at is not None, room_style=room_style)
        )
    target = None
    if _text(row, "target_staff_id"):
        # the rung is the directory's (the desk resolves the person); the column is a hint
        target = TargetPerson(
            staff_id=_text(row, "target_staff_id"), rung=_text(row, "target_rung")
        )
    occurred = _text(row, "occurred_at")
    return Intake(
        complainant=Complainant(
            _text(row, "name"),
            _text(row, "phone"),
            _text(row, "room"),
            _text(row, "building"),
            _text(row, "site"),
        ),
        channel=channel,
        received_at=received_at,
        occurred_at=_time(occurred, zone, "occurred_at") if occurred else None,
        receiver=_text(row, "receiver"),
        receiver_unit=_text(row, "receiver_unit"),  # empty: the receiver's department (IN-2)
        summary=_text(row, "summary"),
        description=_text(row, "description"),
        site=_text(row, "site"),
        location=_text(row, "location"),
        account=_text(row, "account"),
        target=target,
        idempotency_key=_text(row, "idempotency_key"),
        via_head_office=_flag(row, "via_head_office"),
    )


def _missing(row: Row, *, timed: bool, room_style: str = DEFAULT_ROOM_STYLE) -> list[FieldProblem]:
    """Every REC-1 field the row lacks (in :data:`MANDATORY_FIELDS` order), then the
    channel if it lacks it; ``received_at`` counts as present when ``timed``.

    The reasons are worded as the desk's REC-1 check words them, so a row missing
    its time and its name is told both at once.
    """
    paths = [
        path
        for path in MANDATORY_FIELDS
        if not _text(row, path.removeprefix("complainant."))
        and not (timed and path == "received_at")
    ]
    if not _text(row, "channel"):
        paths.append("channel")
    problems = [FieldProblem(path, _missing_reason(path, room_style)) for path in paths]
    if not _text(row, "receiver"):
        # the receipt's first event is the receiver's (REC-5): named as the column and
        # option a clerk fills, not as the command's "actor" (review s52R6 F03)
        problems.append(FieldProblem("receiver", NO_RECEIVER))
    return problems


def row_key(source: str, row: Row, occurrence: int = 1) -> str:
    """The idempotency key of a row that has none: the source's name, the row's
    cells and which copy of identical rows it is (``occurrence``, from 1).

    Re-reading the same file gives the same keys, wherever its rows moved; a
    row whose cells were corrected gets a new key, so fixing rejected rows and
    importing the file again stores only them.
    """
    cells = sorted((str(k), str(v).strip()) for k, v in row.items() if v not in (None, ""))
    text = json.dumps([source, cells, occurrence], ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"row-{digest}"


# --------------------------------------------------------------------------- the import


class FileImport:
    """One import of a file into a desk; iterate it for a :class:`RowResult` per row,
    in order of ``received_at`` (a row that cannot be read keeps its place).

    ::

        run = FileImport(desk, "last-month.csv", now=now)
        for result in run:
            print(result.line, result.outcome, result.complaint_id or result.reason)
        print(run.summary)

    ``source`` names the file in derived keys (default: the file's name, so
    the same file moved elsewhere keeps its keys).  ``fmt`` is taken from the
    suffix (``.csv``; ``.jsonl``, ``.ndjson``, ``.json``) unless given.

    :raises InvalidInputError: the format or encoding is unknown, or the CSV
        header cannot be read (when iteration starts).
    """

    def __init__(
        self,
        desk: Desk,
        path: str | Path,
        *,
        now: datetime,
        encoding: str | None = None,
        route: bool = True,
        source: str | None = None,
        fmt: Literal["csv", "jsonl"] | None = None,
        batch: int = 500,
    ) -> None:
        self.desk = desk
        self.path = Path(path)
        self.now = require_aware(now, "now")
        if encoding is not None and encoding not in ENCODINGS:
            raise InvalidInputError("encoding", f"expected one of {', '.join(ENCODINGS)}")
        self.encoding = encoding
        self.route = route
        self.source = source if source is not None else self.path.name
        suffix = self.path.suffix.lower()
        if fmt is None:
            if suffix == ".csv":
                fmt = "csv"
            elif suffix in (".jsonl", ".ndjson", ".json"):
                fmt = "jsonl"
            else:
                raise InvalidInputError("file", "expected a .csv or .jsonl file")
        self.fmt: Literal["csv", "jsonl"] = fmt
        self.batch = batch
        self._counts: Counter[str] = Counter()
        self._batch_rows: tuple[RowResult, ...] = ()
        self._mine: dict[datetime, dict[str, tuple[int, str]]] = {}
        """This import's complaints by received_at (the latest instant's only): each
        id's place in the order they were stored and its row's identity."""
        self._stored = 0
        self._total: int | None = None
        self._last: list[Complaint] = []
        """The latest batch's complaints stored in an issue (HDL-5): what an
        interrupt right after its rows looks for members left unlinked in."""
        self._unlinked: dict[str, tuple[str, ...]] = {}

    @property
    def total_rows(self) -> int | None:
        """The rows the file holds, header and the extra lines of multi-line cells
        not counted: known once its first reading is done (by the first result),
        ``None`` before. A progress bar's total, as lines are not rows."""
        return self._total

    @property
    def summary(self) -> ImportSummary:
        """The counts so far (final once iteration has ended): a committed batch's
        rows are counted at once, before the first of them is handed out (see
        :attr:`batch_rows`)."""
        c = self._counts
        return ImportSummary(
            rows=c["stored"] + c["duplicate"] + c["rejected"],
            stored=c["stored"],
            duplicated=c["duplicate"],
            rejected=c["rejected"],
            encoding=self.encoding or "",
        )

    @property
    def batch_rows(self) -> tuple[RowResult, ...]:
        """The rows of the latest batch the desk committed, all counted in
        :attr:`summary` at once before the first is handed out (review s56R3 F02):
        what a caller interrupted part-way through them lists besides its own."""
        return self._batch_rows

    @property
    def unlinked(self) -> Mapping[str, tuple[str, ...]]:
        """HDL-5, HDL-6: after a ``KeyboardInterrupt`` (Ctrl-C, the command line's
        SIGTERM) that stopped the linking of a committed batch, the members of its
        issues left unlinked (or unflagged in a group incident), by issue; empty
        otherwise.  ``Desk.relink`` (``verify --relink``), or running the file
        again, links them (review s58R2 F02)."""
        return self._unlinked

    def __iter__(self) -> Iterator[RowResult]:
        return Interruptible(self._rows())

    def _rows(self) -> Generator[RowResult, None, None]:
        with self.path.open("rb") as stream:
            if not stream.seekable():  # rows are read twice: once for their order (IMP-3)
                raise InvalidInputError(
                    "file",
                    "is not a regular file (a pipe, standard input or a directory):"
                    " save it to a file first",
                )
            stamp = _stamp(stream)
            if self.encoding is None:
                self.encoding = detect_encoding(stream)
            survey = self._survey(stream, stamp)
            self._total = len(survey.lines)
            yield from self._run(stream, survey)

    def _survey(self, stream: IO[bytes], stamp: tuple[int, int]) -> _Survey:
        """The first reading (IMP-3): every row's place, and the order of received_at
        the readable ones are taken in; a few numbers a row, never a cell."""
        assert self.encoding is not None
        line_starts: array[int] = array("q")
        columns: list[str] = []
        lines, starts, places, times = array("q"), array("q"), array("q"), array("q")
        refused = _Refusals()
        origin = stream.tell()  # line offsets count from here
        rows = _read_rows(
            stream, fmt=self.fmt, encoding=self.encoding, starts=line_starts, columns=columns
        )
        for place, (number, row) in enumerate(rows):
            lines.append(number)
            starts.append(origin + line_starts[number - 1])
            if isinstance(row, ComplaintCoreError):
                refused.add(place, row)
                continue
            try:
                received = intake_from_row(
                    row, zone=self.desk.zone, room_style=self.desk.pack.room_style
                ).received_at
            except ComplaintCoreError as exc:
                refused.add(place, exc)
                continue
            places.append(place)
            times.append((received - _EPOCH) // _MICROSECOND)
        starts.append(stream.tell())  # the end of the last row
        ranked = sorted(range(len(places)), key=times.__getitem__)  # stable: ties in file order
        order = array("q", (places[k] for k in ranked))
        return _Survey(lines, starts, refused, order, columns, stamp)

    def _in_order(
        self, stream: IO[bytes], survey: _Survey
    ) -> Iterator[tuple[int, Intake | ComplaintCoreError, str]]:
        """Every row with its line: the readable ones by received_at, each read again
        alone, in the places they leave free; a refused row keeps its own place.

        The third item is the row's identity: its own ``idempotency_key``, or its
        derived key without the copy index -- the same for identical rows only (a
        digest, never a cell)."""
        seen: Counter[str] = Counter()
        ranked = iter(survey.order)
        refusals = iter(survey.refused)
        refused = next(refusals, None)
        for place, line in enumerate(survey.lines):
            if refused is not None and refused[0] == place:
                yield line, refused[1], ""
                refused = next(refusals, None)
                continue
            taken = next(ranked)
            row = self._read_again(stream, survey, taken)
            try:
                intake = intake_from_row(
                    row, zone=self.desk.zone, room_style=self.desk.pack.room_style
                )
                identity = intake.idempotency_key
                if not identity:
                    identity = row_key(self.source, row)
                    seen[identity] += 1  # identical rows share a time: still in file order
                    key = row_key(self.source, row, seen[identity])
                    intake = attrs.evolve(intake, idempotency_key=key)
            except ComplaintCoreError as exc:
                yield survey.lines[taken], exc, ""
                continue
            yield survey.lines[taken], intake, identity

    def _read_again(self, stream: IO[bytes], survey: _Survey, place: int) -> Row:
        """The row at ``place``, read alone from its bytes.

        :raises InvalidInputError: the file changed since it was first read (its
            rows may have moved: none is guessed at).
        """
        assert self.encoding is not None
        line = survey.lines[place]
        if _stamp(stream) == survey.stamp:
            window = _Slice(stream, survey.starts[place], survey.starts[place + 1])
            rows = _read_rows(
                window, fmt=self.fmt, encoding=self.encoding, first=line, columns=survey.columns
            )
            found = next(rows, None)
            if found is not None and found[0] == line and not isinstance(found[1], Exception):
                return found[1]
        raise InvalidInputError(
            "file",
            "changed while it was being imported; run the import again"
            " (rows already stored come back as duplicates)",
        )

    def _run(self, stream: IO[bytes], survey: _Survey) -> Generator[RowResult, None, None]:
        numbers: deque[tuple[int, str]] = deque()

        def intakes() -> Iterator[Intake | ComplaintCoreError]:
            for line, intake, identity in self._in_order(stream, survey):
                numbers.append((line, identity))
                yield intake

        done: list[tuple[RowResult, Complaint | None, str]] = []
        receipts = self.desk.receive_each(
            intakes(), now=self.now, route=self.route, batch=self.batch
        )
        try:
            while True:
                try:
                    receipt = next(receipts)
                except StopIteration:
                    break
                except KeyboardInterrupt as exc:
                    # the rows of a batch the desk committed before the interruption (its
                    # listeners were running) are reported before it (review s56L1 F02),
                    # with the members its linking left (review s58R2 F02)
                    self._look_for_unlinked(done)
                    yield from self._report(done, exc)
                    raise
                line, identity = numbers.popleft()
                new = None
                if receipt.failure is not None:
                    result = RowResult(
                        line, "rejected", reason=_reason(receipt.failure), error=receipt.failure
                    )
                else:
                    assert receipt.complaint is not None
                    outcome: Outcome = "duplicate" if receipt.duplicate else "stored"
                    result = RowResult(
                        line,
                        outcome,
                        complaint_id=receipt.complaint.id,
                        left_unlinked=receipt.left_unlinked,
                    )
                    new = None if receipt.duplicate else receipt.complaint
                done.append((result, new, identity))
                if len(done) >= self.batch:  # a batch the desk has stored: looked at together
                    self._last = [c for _r, c, _i in done if c is not None and c.state.issue]
                    yield from self._report(done)
                    done = []
            yield from self._report(done)
        except GeneratorExit:
            # stopped early by the caller: the desk's interrupt held for after its
            # batch is raised from here (review s56R3 F01)
            receipts.close()
            raise

    def _look_for_unlinked(self, done: list[tuple[RowResult, Complaint | None, str]]) -> None:
        """HDL-5, HDL-6: the members the committed batch's linking left, once an
        interrupt stopped it (:attr:`unlinked`): ``done``'s complaints, or, with
        none, the latest batch's (its rows all handed out before the interrupt
        came).  One indexed query per issue; a store failure, or a second
        interrupt, leaves them to ``verify``, which names them."""
        batch = [c for _r, c, _i in done if c is not None and c.state.issue] if done else self._last
        self._last = []
        if not batch:
            return
        try:
            self._unlinked = self.desk.left_unlinked(batch, self.now)
        except (ComplaintCoreError, KeyboardInterrupt) as exc:
            log.warning("members left unlinked not looked for (%s): 'verify' names them", exc)

    def _report(
        self,
        done: list[tuple[RowResult, Complaint | None, str]],
        held: KeyboardInterrupt | None = None,
    ) -> Iterator[RowResult]:
        """A committed batch's rows: counted all at once, then handed out; ``held``:
        the interrupt to raise after them.  One that comes while its likely
        duplicates are looked for hands them out without (review s56R3 F02)."""
        try:
            same = self._stored_before([(c, i) for _, c, i in done if c is not None])
        except KeyboardInterrupt as exc:
            same, held = {}, held or exc
        rows = tuple(
            attrs.evolve(result, same_as=same[new.id])
            if new is not None and new.id in same
            else result
            for result, new, _identity in done
        )
        self._counts.update(r.outcome for r in rows)
        if rows:
            self._batch_rows = rows
        try:
            yield from rows
        except GeneratorExit:
            if held is not None:  # the caller stopped early: not lost (review s56R3 F01)
                raise held from None
            raise
        if held is not None:
            raise held

    def _stored_before(self, complaints: list[tuple[Complaint, str]]) -> dict[str, str]:
        """For each complaint just stored, another on the desk with the same complainant,
        received_at and summary, if any: likely the same complaint, in a file of
        another name or with its times written otherwise (its derived key differs).

        One indexed question a complaint (the complainant's complaints received at
        that instant: the store's ``related``, as repeat linking asks it), a batch at once where the
        store can.  Of this import's own complaints at that instant only those of
        earlier rows whose cells differ are counted: identical rows of one file
        are complaints of their own, but the same complaint written twice (its
        time ``2025-12-02 13:43:00`` once, ``2025-12-02T13:43`` once) is flagged as
        it would be from another file.  Rows come in order of received_at, so only
        the latest instant's are remembered (an id, a place and a digest each).
        A failure only costs the warning (logged): the rows are stored.
        """
        if not complaints:
            return {}
        mine = self._mine
        for c, identity in complaints:
            mine.setdefault(c.intake.received_at, {})[c.id] = (self._stored, identity)
            self._stored += 1
        asked: list[tuple[Complaint, RelatedQuery]] = []
        for c, _identity in complaints:
            person = c.intake.complainant
            site = (c.intake.site or person.site).strip()
            key = complainant_key(person)
            at = c.intake.received_at
            if site and key:
                asked.append((c, RelatedQuery(site=site, since=at, until=at, complainant_key=key)))
        found: dict[str, str] = {}
        store = self.desk.store
        try:
            if isinstance(store, BatchIntakeStore):
                answers = store.related_many([q for _, q in asked])
            else:
                answers = [store.related(**attrs.asdict(q, recurse=False)) for _, q in asked]
            for (c, _query), earlier in zip(asked, answers, strict=True):
                ours = mine[c.intake.received_at]
                place, identity = ours[c.id]
                for other in earlier:
                    own = ours.get(other.id)
                    if own is not None and (own[0] >= place or own[1] == identity):
                        continue  # itself, a later row of the file, or an identical row
                    stored = store.load(other.id)
                    if stored.awaiting_site_consent and not c.awaiting_site_consent:
                        # IN-6: the site hears nothing of a bypass complaint yet; a row
                        # filed with head office itself is head office's (s34E F03)
                        continue
                    if stored.intake.summary == c.intake.summary:
                        found[c.id] = other.id
                        break
        except ComplaintCoreError as exc:
            log.warning("likely duplicates of an import's rows not looked for: %s", exc)
        latest = max(mine)
        self._mine = {latest: mine[latest]}
        return found


@attrs.frozen
class _Survey:
    """What the first reading of a file keeps (IMP-3): a few numbers a row, no cell."""

    lines: array[int]
    """Each row's first line, in file order."""
    starts: array[int]
    """Each row's offset in the file, then the end of its last row."""
    refused: _Refusals
    """Rows that cannot be read or made an intake: their places and refusals."""
    order: array[int]
    """The places of the other rows, by received_at (ties in file order)."""
    columns: list[str]
    """The CSV header."""
    stamp: tuple[int, int]
    """The file's size and modification time when it was opened."""


class _Slice:
    """Bytes ``[start, end)`` of an open file, read as a stream: a row read again."""

    def __init__(self, stream: IO[bytes], start: int, end: int) -> None:
        stream.seek(start)
        self._stream = stream
        self._left = end - start

    def read(self, size: int = -1, /) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data


def _stamp(stream: IO[bytes]) -> tuple[int, int]:
    """A file's size and modification time: read twice, it must not change between."""
    status = os.fstat(stream.fileno())
    return status.st_size, status.st_mtime_ns


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _reason(exc: ComplaintCoreError) -> str:
    """One line; REC-1 problems listed by field (never a cell's value)."""
    problems = getattr(exc, "problems", None)
    if isinstance(problems, tuple) and problems:
        text = "; ".join(str(p) for p in problems)
    else:
        text = str(exc)
    return " ".join(text.split())


class _Refusals:
    """The refused rows of a file (IMP-3: they wait for their places), about 12 bytes
    each: the place, and which refusal -- each distinct one kept once.

    The rows of a dirty file share a few reasons (``row: 1 cells but the header
    has 9`` on a million lines of a semicolon export); one object a row took
    some 600 bytes (review s50E F01).  Reasons that vary with a row (a byte's
    position, a count of cells) need longer lines for more of them, so a file
    of ``n`` bytes has at most a few times the square root of ``n`` distinct.
    """

    def __init__(self) -> None:
        self._places: array[int] = array("q")
        self._which: array[int] = array("i")
        self._distinct: list[ComplaintCoreError] = []
        self._index: dict[Hashable, int] = {}

    def add(self, place: int, exc: ComplaintCoreError) -> None:
        """Refuse the row at ``place`` (after the places added before) with ``exc``."""
        key = _same_refusal(exc)
        which = self._index.get(key) if key is not None else None
        if which is None:
            which = len(self._distinct)
            self._distinct.append(_kept(exc))
            if key is not None:
                self._index[key] = which
        self._places.append(place)
        self._which.append(which)

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self) -> Iterator[tuple[int, ComplaintCoreError]]:
        """Each refused row's place, in order, and its refusal: a copy of its own
        (its class, message and attributes, as :mod:`copy` makes every error)."""
        for place, which in zip(self._places, self._which, strict=True):
            yield place, copy.copy(self._distinct[which])


def _same_refusal(exc: ComplaintCoreError) -> Hashable | None:
    """What makes two refusals the same: class, message and attributes (None when an
    attribute cannot be compared, so the refusal is kept on its own)."""
    key = (type(exc), exc.args, tuple(sorted(vars(exc).items())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _kept(exc: ComplaintCoreError) -> ComplaintCoreError:
    """A refusal kept until its row's place comes up, without the frames it was
    raised in: they hold the row's cells (PRV-1), and a file of refused rows
    would keep every one of them in memory."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc
