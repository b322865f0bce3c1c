"""Bulk import: row order, overlapping exports and Excel's times (review s33C F04-F06).

F04: a newest-first export linked no repeats (IMP-3, GRD-2), because each row was
linked only to the rows imported before it.  F05: the same complaints in a file
of another name were stored again without a word.  F06: Excel's ``2026/3/5
14:20`` was rejected on every row, and its serial numbers with no advice.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from complaintcore import Complainant, Intake
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.cli.context import Ctx
from complaintcore.cli.progress import Step
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Fact, Linked
from complaintcore.desk import Desk
from complaintcore.desk.importer import FileImport
from complaintcore.testing import make_desk
from tests.helpers import desk_on

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 11, 14, 17, 30, tzinfo=SH)
HEADER = "name,phone,room,building,site,channel,summary,received_at,receiver"

# one owner reports the same leak three times within the pack's 90 days (threshold 3)
LEAK = [
    "王伟,13811112001,3-1201,3,sunrise,phone,厨房漏水,2025-10-05T10:00,SR-103",
    "王伟,13811112001,3-1201,3,sunrise,phone,厨房又漏水了,2025-10-20T10:00,SR-103",
    "王伟,13811112001,3-1201,3,sunrise,phone,厨房还在漏水,2025-11-10T10:00,SR-103",
]
OTHER = "李娜,13811112002,5-0302,5,sunrise,phone,楼道灯不亮,2025-10-12T09:00,SR-103"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW.isoformat()}
    )


@pytest.fixture
def cli_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    return tmp_path


def sqlite_desk(tmp_path: Path, name: str = "c.sqlite3") -> Desk:
    return make_desk(store=SqliteStore(tmp_path / name))


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def links_by_time(desk: Desk) -> dict[datetime, tuple[list[datetime], bool]]:
    """Each complaint by its receipt: the receipts of the earlier ones it linked to,
    and whether it is marked raised repeatedly (GRD-2)."""
    complaints = list(desk.store.complaints())
    when = {c.id: c.intake.received_at for c in complaints}
    found = {}
    for c in complaints:
        own = [e for e in c.events if isinstance(e, Linked) and not e.repeated_by]
        linked = sorted({when[i] for e in own for i in e.same_complainant})
        found[c.intake.received_at] = (linked, Fact.RAISED_REPEATEDLY in c.state.facts)
    return found


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("batch", [1, 500])
@pytest.mark.parametrize(
    "order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)], ids=["oldest-first", "newest-first", "mixed"]
)
def test_repeats_are_linked_whatever_the_order_of_the_rows(
    tmp_path: Path, order: tuple[int, ...], batch: int
) -> None:
    rows = [LEAK[k] for k in order]
    rows.insert(1, OTHER)
    desk = sqlite_desk(tmp_path)
    results = list(FileImport(desk, write(tmp_path / "export.csv", rows), now=NOW, batch=batch))
    assert [r.outcome for r in results] == ["stored"] * 4
    first, second, third = (
        datetime(2025, m, d, 10, tzinfo=SH) for m, d in [(10, 5), (10, 20), (11, 10)]
    )
    found = links_by_time(desk)
    assert found[first] == ([], True)
    assert found[second] == ([first], True)
    assert found[third] == ([first, second], True)
    assert found[datetime(2025, 10, 12, 9, tzinfo=SH)] == ([], False)


@pytest.mark.procedure("IMP-3")
def test_rows_are_taken_by_received_at_and_a_bad_row_keeps_its_place(cli_desk: Path) -> None:
    rows = [
        "业主甲,13900000001,1-101,1,sunrise,phone,电梯停运,2025-11-10T09:00,SR-103",
        "业主乙,13900000002,1-102,1,sunrise,phone,楼道垃圾,2025-11-05T09:00,SR-103",
        "业主丙,13900000003,1-103,1,sunrise,phone,门禁坏了,yesterday,SR-103",
        "业主丁,13900000004,1-104,1,sunrise,phone,绿化枯死,2025-11-01T09:00,SR-103",
        "业主戊,13900000005,1-105,1,sunrise,phone,噪音扰民,2025-10-28T09:00,SR-103",
    ]
    write(cli_desk / "newest-first.csv", rows)
    text = invoke("receive", "--file", "newest-first.csv")
    assert text.exit_code == 1, text.output
    said = text.stdout.splitlines()
    # line 4 cannot be read: it keeps its place; the others fill theirs oldest first
    assert [s.split(":")[0] for s in said[:-1]] == [
        "line 6",
        "line 5",
        "line 4",
        "line 3",
        "line 2",
    ]
    assert said[2].startswith("line 4: rejected: received_at: ")
    assert said[-1] == "imported: 4 stored, 0 duplicated, 1 rejected (5 rows, encoding utf-8)"
    again = invoke("receive", "--file", "newest-first.csv", "--json")
    document = json.loads(again.stdout)
    assert [r["line"] for r in document["rows"]] == [2, 3, 4, 5, 6]  # the file's order
    assert [r["outcome"] for r in document["rows"]] == ["duplicate"] * 2 + ["rejected"] + [
        "duplicate"
    ] * 2


def test_a_file_changed_between_its_two_readings_stops_the_import(tmp_path: Path) -> None:
    """The rows are read again from their places: a file rewritten meanwhile would
    hand over a row's bytes cut anywhere, so the import stops instead."""
    desk = sqlite_desk(tmp_path)
    path = write(tmp_path / "export.csv", [*LEAK, OTHER])
    run = iter(FileImport(desk, path, now=NOW, batch=1))
    assert next(run).outcome == "stored"
    with path.open("r+b") as f:  # an editor saving over it: the first row loses a byte
        data = f.read()
        f.seek(0)
        f.write(data[:60] + data[61:])
        f.truncate()
    with pytest.raises(InvalidInputError) as caught:
        next(run)
    assert caught.value.path == "file"
    assert "changed while it was being imported" in caught.value.reason
    assert len(desk.rows()) == 1


# --------------------------------------------------------------------------- F05


def test_the_same_rows_in_a_file_of_another_name_are_flagged_as_likely_duplicates(
    cli_desk: Path,
) -> None:
    twice = LEAK[0]  # a genuine second identical complaint: a row of its own
    write(cli_desk / "export.csv", [twice, twice, LEAK[1], OTHER])
    first = json.loads(invoke("receive", "--file", "export.csv", "--json").stdout)
    assert first["stored"] == 4
    assert not [r for r in first["rows"] if "likely_duplicate_of" in r]
    earlier = {r["line"]: r["id"] for r in first["rows"]}
    # the next day's export: the derived keys differ (file name), so all are stored again
    (cli_desk / "export-2025-11-15.csv").write_bytes((cli_desk / "export.csv").read_bytes())
    text = invoke("receive", "--file", "export-2025-11-15.csv")
    assert text.exit_code == 0, text.output
    warnings = [s for s in text.stdout.splitlines() if ": warning: " in s]
    assert sorted(w.split(":")[0] for w in warnings) == ["line 2", "line 3", "line 4", "line 5"]
    assert [w for w in warnings if w.startswith("line 4:")] == [
        f"line 4: warning: likely a duplicate of {earlier[4]} (the same complainant,"
        " received_at and summary); overlapping exports need an idempotency_key column"
    ]
    for secret in ("王伟", "13811112001", "3-1201", "李娜", "厨房"):  # PRV-1
        assert not [w for w in warnings if secret in w]
    second = {s.split()[-1] for s in text.stdout.splitlines() if ": stored C-" in s}
    # re-saved with its times written otherwise: stored a third time, flagged again
    resaved = (cli_desk / "export.csv").read_text(encoding="utf-8")
    resaved = resaved.replace("T10:00", " 10:00:00").replace("T09:00", " 09:00:00")
    (cli_desk / "export.csv").write_text(resaved, encoding="utf-8")
    third = json.loads(invoke("receive", "--file", "export.csv", "--json").stdout)
    assert third["stored"] == 4
    flagged = [r.get("likely_duplicate_of") for r in third["rows"]]
    assert all(f in {*earlier.values(), *second} for f in flagged), flagged


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """A desk on each store: SQLite and PostgreSQL answer the instant's question for
    a batch at once, the memory store one complaint at a time."""
    with desk_on(request.param, request, tmp_path) as desk:
        yield desk


def test_identical_rows_of_one_file_are_not_flagged_even_across_batches(
    any_desk: Desk, tmp_path: Path
) -> None:
    """Rows of one instant fall in two batches: this import's own are told apart from
    the complaints stored before it."""
    desk = any_desk
    path = write(tmp_path / "export.csv", [LEAK[0], LEAK[0], LEAK[0], LEAK[1]])
    first = list(FileImport(desk, path, now=NOW, batch=2))
    assert [(r.outcome, r.same_as) for r in first] == [("stored", "")] * 4
    again = list(FileImport(desk, path, now=NOW, batch=2, source="export-2.csv"))
    assert [r.outcome for r in again] == ["stored"] * 4
    ids = {r.line: r.complaint_id for r in first}
    assert {r.same_as for r in again if r.line < 5} <= {ids[2], ids[3], ids[4]}
    assert [r.same_as for r in again if r.line == 5] == [ids[5]]


@pytest.mark.parametrize("batch", [1, 500])
def test_a_row_of_the_same_file_written_otherwise_is_flagged_as_a_likely_duplicate(
    any_desk: Desk, tmp_path: Path, batch: int
) -> None:
    """A merged export holding the same complaint twice, its time written two ways:
    the second row is flagged as the first one's likely duplicate, as it would be
    from another file; only identical rows are complaints of their own (review
    s34B F02)."""
    desk = any_desk
    resaved = LEAK[0].replace("T10:00", " 10:00:00")
    path = write(tmp_path / "merged.csv", [LEAK[0], LEAK[0], resaved, OTHER])
    results = list(FileImport(desk, path, now=NOW, batch=batch))
    assert [r.outcome for r in results] == ["stored"] * 4
    ids = {r.line: r.complaint_id for r in results}
    same = {r.line: r.same_as for r in results}
    assert (same[2], same[3], same[5]) == ("", "", "")  # identical rows, and another owner
    assert same[4] in {ids[2], ids[3]}


def test_the_same_owner_at_the_same_time_about_something_else_is_no_duplicate(
    tmp_path: Path,
) -> None:
    """One owner reports two things at one visit: two complaints. Another desk's
    export holds both; only the one whose summary is the same as the stored one's
    is a likely duplicate ("the same complainant, received_at and summary")
    (review s34C F08)."""
    desk = make_desk()
    leak = LEAK[0]
    light = leak.replace("厨房漏水", "楼道灯不亮")
    (first,) = FileImport(desk, write(tmp_path / "monday.csv", [leak]), now=NOW)
    other_desk = write(tmp_path / "monday-other-desk.csv", [light, leak.replace("T", " ")])
    results = list(FileImport(desk, other_desk, now=NOW))
    assert [(r.line, r.outcome) for r in results] == [(2, "stored"), (3, "stored")]
    same = {r.line: r.same_as for r in results}
    assert same == {2: "", 3: first.complaint_id}


def test_the_command_line_warns_about_a_row_of_the_same_file_written_otherwise(
    cli_desk: Path,
) -> None:
    write(cli_desk / "merged.csv", [LEAK[0], LEAK[0].replace("T10:00", " 10:00:00")])
    text = invoke("receive", "--file", "merged.csv")
    assert text.exit_code == 0, text.output
    said = text.stdout.splitlines()
    first = said[0].split()[-1]
    assert said[0] == f"line 2: stored {first}"
    assert said[2] == (
        f"line 3: warning: likely a duplicate of {first} (the same complainant,"
        " received_at and summary); overlapping exports need an idempotency_key column"
    )
    assert [s for s in said if ": warning: " in s] == [said[2]]
    write(cli_desk / "other.csv", [OTHER, OTHER.replace("T09:00", " 09:00:00")])
    document = json.loads(invoke("receive", "--file", "other.csv", "--json").stdout)
    assert document["stored"] == 2
    earlier, later = document["rows"]
    assert "likely_duplicate_of" not in earlier
    assert later["likely_duplicate_of"] == earlier["id"]


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("rows", "steps"),
    [
        (list(reversed(LEAK)), ["1/3", "2/3", "3/3"]),  # newest first: taken oldest first
        ([LEAK[0].replace("厨房漏水", '"厨房漏水\n墙面也湿了"'), OTHER], ["1/2", "2/2"]),
    ],
    ids=["newest-first", "multi-line-cell"],
)
def test_the_import_progress_moves_forward_by_rows_and_ends_full(
    cli_desk: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str], steps: list[str]
) -> None:
    """The bar's total is the file's rows, not its lines (the header, a cell's second
    line), and it moves one row at a time whatever order the rows are taken in: it
    stopped at 3 of 4 (review s34C F12)."""
    import complaintcore.cli.receive as receive

    moved: list[str] = []

    @contextlib.contextmanager
    def recorder(label: str, *, total: int | None = None) -> Iterator[Step]:
        yield lambda done, total: moved.append(f"{done}/{total}")

    monkeypatch.setattr(receive, "progress", recorder)
    write(cli_desk / "export.csv", rows)
    result = invoke("receive", "--file", "export.csv")
    assert result.exit_code == 0, result.output
    assert moved == steps


# --------------------------------------------------------------------------- F06


def excel_file(path: Path, times: list[tuple[str, str]]) -> Path:
    """A "CSV" as Excel on a Chinese Windows saves it: GBK, CRLF, Chinese headers."""
    lines = ["姓名,电话,房号,楼栋,小区,渠道,投诉内容,受理时间,受理人,occurred_at"]
    for i, (received, occurred) in enumerate(times):
        person = f"业主{i},1391111{i:04d},2-{101 + i},2,sunrise"
        lines.append(f"{person},电话,楼道灯不亮,{received},SR-103,{occurred}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_excel_year_first_times_with_slashes_are_read(cli_desk: Path) -> None:
    excel_file(
        cli_desk / "excel.csv",
        [
            ("2025/11/3 9:05", ""),
            ("2025/11/03 14:20:30", "2025/11/1"),
            ("2025/1/15 8:00", "2025/1/14 22:30"),
        ],
    )
    result = invoke("receive", "--file", "excel.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "imported: 3 stored, 0 duplicated, 0 rejected (3 rows, encoding gb18030)"
    )
    with SqliteStore(cli_desk / "complaints.sqlite3") as store:
        times = sorted((c.intake.received_at, c.intake.occurred_at) for c in store.complaints())
    assert times == [
        (datetime(2025, 1, 15, 8, 0, tzinfo=SH), datetime(2025, 1, 14, 22, 30, tzinfo=SH)),
        (datetime(2025, 11, 3, 9, 5, tzinfo=SH), None),
        (datetime(2025, 11, 3, 14, 20, 30, tzinfo=SH), datetime(2025, 11, 1, tzinfo=SH)),
    ]


def test_day_or_month_first_times_and_excel_serials_are_rejected_saying_what_is_read(
    cli_desk: Path,
) -> None:
    received = (
        "expected a date-time, year first, like 2025-11-14T17:30, 2025-11-14 17:30 or"
        " 2025/11/14 17:30 (never day or month first: 11/12/2025 is ambiguous)"
    )
    serial = (
        "a number, not a date-time (an Excel serial date?): format the column as yyyy-mm-dd hh:mm"
    )
    cases = [
        (("3/11/2025 14:20", ""), f"received_at: {received}"),  # day first
        (("11/03/2025 14:20", ""), f"received_at: {received}"),  # month first
        (("2025/2/30 10:00", ""), f"received_at: {received}"),  # no such day
        (("45964.60417", ""), f"received_at: {serial}"),
        (("45964", ""), f"received_at: {serial}"),
        # a full-width space, as a Chinese input method types it, and a character:
        # datetime.fromisoformat takes any one character there (review s34C F11)
        (("2025-11-03\u300010:00", ""), f"received_at: {received}"),
        (("2025-11-03日10:00", ""), f"received_at: {received}"),
        (
            ("2025/11/3", ""),
            "received_at: a date alone: give the time of day too, like 2025-11-14T17:30",
        ),
        (
            ("2025/11/3 10:00", "1/11/2025"),
            "occurred_at: expected a date or date-time, year first, like 2025-11-14,"
            " 2025/11/14 or 2025/11/14 17:30 (never day or month first: 11/12/2025 is"
            " ambiguous)",
        ),
    ]
    excel_file(cli_desk / "excel.csv", [times for times, _ in cases])
    document = json.loads(invoke("receive", "--file", "excel.csv", "--json").stdout)
    assert [(r["line"], r["reason"]) for r in document["rejected"]] == [
        (line, reason) for line, (_, reason) in enumerate(cases, 2)
    ]
    assert document["stored"] == 0


# --------------------------------------------------------------------------- s33F F02


@pytest.mark.procedure("PRV-1")
def test_refused_rows_waiting_for_their_place_keep_none_of_their_cells(tmp_path: Path) -> None:
    """A file whose every received_at is day first (an Excel export) refuses every
    row at the first reading; the refusals wait for their places without the
    frames they were raised in, which held each row's cells: 2,000 rows of 4 KB
    took the whole file's size in memory (review s33F F02)."""
    import tracemalloc

    words = "楼上漏水天花板渗水" * 150  # about 4 KB of UTF-8 a row
    rows = [
        f"业主{i},1381111{i:04d},3-{i},3,sunrise,phone,{words}{i},14/11/2025 10:00,SR-103"
        for i in range(2_000)
    ]
    path = write(tmp_path / "day-first.csv", rows)
    desk = make_desk()
    tracemalloc.start()
    try:
        results = list(FileImport(desk, path, now=NOW))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(results) == 2_000
    assert all(r.error is not None and r.error.path == "received_at" for r in results)
    assert all(r.error is not None and r.error.__traceback__ is None for r in results)
    assert peak < path.stat().st_size / 2  # never the file's cells


# --------------------------------------------------------------------------- s50E F01

BAD_ROWS = 60_000


def _dirty_file(path: Path) -> Path:
    """A header, then 60,000 rows that are one cell or two (a semicolon export), with
    a good row after every 20,000th: the 9-column header counted by hand."""
    rows: list[str] = []
    for i in range(BAD_ROWS):
        rows.append("x" if i % 2 else "x;y,z")
        if i % 20_000 == 0:
            rows.append(OTHER.replace("2025-10-12T09:00", f"2025-10-12T09:{i // 20_000:02d}"))
    return write(path, rows)


def test_rejected_rows_waiting_for_their_places_take_a_few_bytes_each(tmp_path: Path) -> None:
    """A refused row waits for its place as a few numbers, its refusal shared with the
    rows refused alike: one error object a row took about 600 bytes, and a 2 MB file
    of bad lines some 600 MB (review s50E F01)."""
    import tracemalloc

    path = _dirty_file(tmp_path / "semicolons.csv")
    desk = make_desk()
    reasons: dict[str, int] = {}
    lines: list[int] = []
    tracemalloc.start()
    try:
        for result in FileImport(desk, path, now=NOW):  # nothing kept from a result
            if result.outcome == "rejected":
                assert result.error is not None
                assert result.error.__traceback__ is None
                reasons[result.reason] = reasons.get(result.reason, 0) + 1
            else:
                lines.append(result.line)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reasons == {
        "row: 1 cells but the header has 9": BAD_ROWS // 2,
        "row: 2 cells but the header has 9": BAD_ROWS // 2,
    }
    assert lines == [3, 20_004, 40_005]  # the good rows after rows 1, 20,001 and 40,001
    # docs/cli.md: about 130 bytes a row while the rows are sorted, never a cell
    assert peak < BAD_ROWS * 130, peak


def test_errors_of_rows_refused_alike_are_each_their_own(tmp_path: Path) -> None:
    path = write(tmp_path / "two.csv", ["x", "x"])
    first, second = FileImport(make_desk(), path, now=NOW)
    assert first.error is not None
    assert second.error is not None
    assert first.error is not second.error
    assert (type(second.error), second.error.path, second.error.reason) == (
        InvalidInputError,
        "row",
        "1 cells but the header has 9",
    )


def test_receive_file_keeps_nothing_a_row_in_text_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line printed each row's line; only under ``--json`` are the rows kept
    for the document: a dict a row took about 1 KB (review s50E F01)."""
    import tracemalloc

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _dirty_file(tmp_path / "semicolons.csv")
    write(tmp_path / "warm.csv", ["x"])  # the modules an import loads, loaded before
    assert invoke("receive", "--file", "warm.csv", "--json").exit_code == 1
    printed: list[int] = []
    # the lines are counted, not captured: only the command's own memory is measured
    monkeypatch.setattr(Ctx, "say", lambda self, text: printed.append(1))
    tracemalloc.start()
    try:
        result = invoke("receive", "--file", "semicolons.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1, result.output
    assert len(printed) == BAD_ROWS + 3 + 1  # a line a row, then the counts
    assert peak < BAD_ROWS * 130, peak


def test_receive_file_json_writes_its_rows_as_it_makes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``--json`` each row waits for the document as a few numbers, and the
    document is written a piece at a time: built whole, 200,000 rejected rows took
    some 460 MB (review s50E F01)."""
    import tracemalloc

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _dirty_file(tmp_path / "semicolons.csv")
    write(tmp_path / "warm.csv", ["x"])  # the modules an import loads, loaded before
    assert invoke("receive", "--file", "warm.csv", "--json").exit_code == 1
    writes: list[tuple[int, int]] = []  # each write's size, and how often it says rejected
    monkeypatch.setattr(
        "complaintcore.cli.context.write_utf8",
        lambda text, nl=True: writes.append((len(text), text.count('"rejected"'))),
    )
    tracemalloc.start()
    try:
        result = invoke("receive", "--file", "semicolons.csv", "--json")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1, result.output
    # a JSON string is written whole: each rejected row's outcome, and the list's key
    assert sum(rejected for _, rejected in writes) == BAD_ROWS + 1
    assert sum(size for size, _ in writes) > BAD_ROWS * 100  # every row is written
    assert max(size for size, _ in writes) < 1 << 17  # some 64 KB at a time
    assert peak < BAD_ROWS * 130, peak


@pytest.mark.procedure("IN-6")
def test_a_site_import_never_names_a_bypass_complaint_waiting_for_consent(
    tmp_path: Path,
) -> None:
    """Until the complainant consents, the site hears nothing of a complaint sent
    to head office (IN-6): the same complaint in the site's export is stored
    without naming the head-office one as its likely duplicate (review s33F F04)."""
    desk = make_desk()
    at = datetime(2025, 11, 10, 9, 0, tzinfo=SH)
    bypass = desk.receive(
        Intake(
            Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
            "phone",
            at,
            "HQ-002",
            "楼上漏水",
            site="sunrise",
            receiver_unit="head_office",
            via_head_office=True,
        ),
        now=at,
    )
    assert bypass.awaiting_site_consent
    row = "王小明,13812345678,3-2-1201,3,sunrise,phone,楼上漏水,2025-11-10T09:00,SR-103"
    (result,) = FileImport(desk, write(tmp_path / "site-export.csv", [row]), now=NOW)
    assert result.complaint_id
    assert result.same_as == ""


@pytest.mark.procedure("IN-6")
def test_a_bypass_row_imported_again_is_flagged_as_a_likely_duplicate(tmp_path: Path) -> None:
    """Head office's export of complaints filed with it, imported twice under two file
    names: the bypass row stored again names the first as its likely duplicate, as
    an ordinary row does; head office, who filed it, is who hears (review s34E F03)."""
    desk = sqlite_desk(tmp_path)
    rows = [
        "王伟,13811112001,3-1201,3,sunrise,phone,物业费多收了,2025-11-03T10:39,SR-103,false",
        "李娜,13811112002,5-0302,5,sunrise,phone,物业费多收了,2025-11-04T10:39,HQ-002,true",
    ]
    text = "\n".join([HEADER + ",via_head_office", *rows]) + "\n"
    results = []
    for name in ("export-1.csv", "export-1 (copy).csv"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        results.append(list(FileImport(desk, tmp_path / name, now=NOW)))
    first, again = results
    assert [r.outcome for r in [*first, *again]] == ["stored"] * 4
    assert desk.get(first[1].complaint_id).awaiting_site_consent
    assert [r.same_as for r in again] == [first[0].complaint_id, first[1].complaint_id]


@pytest.mark.parametrize("how", ["fifo", "stdin", "directory"])
def test_a_pipe_or_a_directory_is_refused_saying_so(
    cli_desk: Path, tmp_path: Path, how: str
) -> None:
    """Rows are read twice (once for their order), so a pipe cannot be imported: the
    library and the command line say so, not "no file" nor a bare OSError (review
    s33F F05)."""
    import os

    if how == "fifo":
        target = cli_desk / "rows.csv"
        os.mkfifo(target)
        writer = os.open(target, os.O_RDWR | os.O_NONBLOCK)  # a writer keeps it open
        try:
            with pytest.raises(InvalidInputError) as info:
                list(FileImport(make_desk(), target, now=NOW, encoding="utf-8"))
            assert info.value.path == "file"
            assert "regular file" in str(info.value)
        finally:
            os.close(writer)
        name = "rows.csv"
    elif how == "stdin":
        name = "-"
    else:
        (cli_desk / "rows.csv").mkdir()
        name = "rows.csv"
    result = invoke("receive", "--file", name)
    assert "no file at" not in result.output
    if how == "directory":  # refused by the option itself
        assert result.exit_code == 2, result.output
        assert "is a directory" in result.output
    else:
        assert result.exit_code == 1, result.output  # invalid input
        assert "regular file" in result.output
