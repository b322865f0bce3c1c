"""A bulk import that fails or is interrupted part-way still reports what it stored.

docs/cli.md: a command that did part of its work and then failed prints its
usual result document with the ``error`` member added, so nothing it did is
lost.  The disk fills (a real ``SQLITE_FULL``: the file may not grow past the
first batch) or Ctrl-C arrives after the first batch of ``receive --file``
committed; ``--json`` then holds the rows stored so far with the error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main

NOW = "2025-11-14T17:30"
ROWS = 700  # the importer stores batches of 500: one batch commits, the next fails


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    lines = ["name,phone,room,site,summary,receiver,channel,received_at"]
    for i in range(ROWS):
        room = f"{1 + i % 9}-{1 + i % 3}-{100 + i % 900}"
        received = f"2025-11-14T{8 + i % 9:02d}:{i % 60:02d}"
        lines.append(f"业主{i},139{i:08d},{room},sunrise,楼上漏水 #{i},SR-103,phone,{received}")
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _after_the_first_batch(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[SqliteStore], None]
) -> None:
    """Failure injection: the first ``create_many`` commits, then ``then`` happens."""
    real = SqliteStore.create_many
    calls = [0]

    def create_many(self: SqliteStore, items: Any) -> Any:
        calls[0] += 1
        if calls[0] > 1:
            then(self)
        return real(self, items)

    monkeypatch.setattr(SqliteStore, "create_many", create_many)


def _stored(desk: Path) -> set[str]:
    with SqliteStore(desk / "complaints.sqlite3") as store:
        return {row.id for row in store.rows(limit=10_000)}


def _check_partial(document: dict[str, Any], stored: set[str]) -> None:
    assert 0 < len(stored) < ROWS
    assert document["stored"] == len(stored)
    assert set(document["ids"]) == stored
    assert {r["id"] for r in document["rows"] if r["outcome"] == "stored"} == stored
    assert document["rejected"] == []


def test_a_store_error_part_way_prints_what_was_stored_with_the_error(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(store: SqliteStore) -> None:
        conn = store._conn()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow

    _after_the_first_batch(monkeypatch, disk_full)
    result = invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 5, result.output
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["error"]["code"] == 5
    assert document["error"]["type"] == "StoreError"
    assert "SQLITE_FULL" in document["error"]["message"]
    _check_partial(document, _stored(desk))


def test_ctrl_c_part_way_prints_what_was_stored_with_the_interruption(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ctrl_c(store: SqliteStore) -> None:
        raise KeyboardInterrupt

    _after_the_first_batch(monkeypatch, ctrl_c)
    result = invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 1, result.output
    assert "aborted" not in result.stderr  # said in the document, not beside it
    document = json.loads(result.stdout)
    assert document["error"] == {"code": 1, "type": "Abort", "message": "aborted"}
    _check_partial(document, _stored(desk))


def test_ctrl_c_before_any_work_under_json_is_still_one_document(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaintcore.desk import Desk

    def interrupted(self: Desk, now: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Desk, "sweep", interrupted)
    result = invoke("sweep", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": {"code": 1, "type": "Abort", "message": "aborted"}
    }
    text = invoke("sweep")  # without --json, as before
    assert text.exit_code == 1
    assert text.stdout == ""
    assert text.stderr.strip().splitlines()[-1] == "aborted"


def test_ctrl_c_after_the_result_is_written_adds_no_second_document(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted once its document was (being) written, the command adds no Abort
    document after it: stdout held a cut-off list followed by a second document,
    which no parser reads (review s25N F02).  The exit status still says 1."""
    from complaintcore.cli.context import Ctx

    written = Ctx.emit_list  # list --json writes its rows one at a time

    def emit_then_interrupted(self: Ctx, items: Iterable[object]) -> None:
        written(self, items)
        raise KeyboardInterrupt

    monkeypatch.setattr(Ctx, "emit_list", emit_then_interrupted)
    result = invoke("list", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []  # the one document, nothing after it


def test_ctrl_c_after_a_json_report_is_written_adds_no_second_document(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --json` writes its document itself; Ctrl-C right after it added an
    Abort document too (review s25P F01)."""
    from complaintcore.cli import context

    echo = context.write_utf8  # machine output is written as UTF-8 bytes (review s41B F03)
    interrupted: list[bool] = []

    def echo_then_interrupted(message: str, *args: Any, **kwargs: Any) -> None:
        echo(message, *args, **kwargs)
        if message.startswith("{") and not interrupted:
            interrupted.append(True)  # once: Ctrl-C right after the report is out
            raise KeyboardInterrupt

    monkeypatch.setattr(context, "write_utf8", echo_then_interrupted)
    result = invoke("report", "--month", "2025-11", "--json")
    assert result.exit_code == 1
    assert "period" in json.loads(result.stdout)  # the report, and nothing after it
