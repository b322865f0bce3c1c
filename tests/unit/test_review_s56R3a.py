"""Review s56R3 F01-F03: interrupts after a commit, re-reviewed.

F01: a ``KeyboardInterrupt`` held by ``Desk.receive_each``/``receive_many`` until
its batch's receipts were yielded was lost when the caller stopped reading
early (a ``break``, ``close()``, a generator dropped after one ``next()``).
F02: ``receive --file`` interrupted while the importer looked for a committed
batch's likely duplicates, or while it printed the batch's rows, left rows that
are stored out of its list and counts.
F03: after an interrupt while the store committed ``receive``, the
notifications held for the listeners were not sent by ``deliver`` for five
minutes, though the command line says they are left for it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from complaintcore import CommittedInterrupt, Desk, hookimpl, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import receive as receive_cli
from complaintcore.core.models import Complaint, Event
from complaintcore.desk.importer import FileImport
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.unit.test_review_s55R8 import T0, _desk, _intake, _interrupted_after
from tests.unit.test_review_s56L1 import (
    HEADER,
    ROWS,
    _ctrl_c_in_the_first_listener,
    _invoke,
    _stored,
)


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    (tmp_path / "rows.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return tmp_path


# --------------------------------------------------------------------------- F01


def _three() -> list[Any]:
    return [_intake(), _intake(), _intake()]


def _break_and_wait(desk: Desk) -> None:
    for receipt in desk.receive_each(_three(), now=T0, batch=10):
        assert receipt.outcome == "stored"
        break
    _wait()  # dropped unclosed: the main thread gets it just after


def _next_and_wait(desk: Desk) -> None:
    first = next(desk.receive_many(_three(), now=T0, batch=10))
    assert isinstance(first, Complaint)
    _wait()


def _wait() -> None:
    """Up to five seconds, in short steps (Python raises an interrupt between them)."""
    for _ in range(500):
        time.sleep(0.01)


def test_f01_close_raises_the_held_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    with _desk(MemoryStore()) as desk:
        with monkeypatch.context() as patched:
            _ctrl_c_in_the_first_listener(patched)
            receipts = desk.receive_each(_three(), now=T0, batch=10)
            assert next(receipts).outcome == "stored"
            with pytest.raises(KeyboardInterrupt):
                receipts.close()
        assert len(list(desk.store.complaints())) == 3


def test_f01_receive_many_closed_early_raises_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with _desk(MemoryStore()) as desk, monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        results = desk.receive_many(_three(), now=T0, batch=10)
        assert isinstance(next(results), Complaint)
        with pytest.raises(KeyboardInterrupt):
            results.close()


def test_f01_a_break_out_of_the_loop_does_not_lose_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with _desk(MemoryStore()) as desk, monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        with pytest.raises(KeyboardInterrupt):
            _break_and_wait(desk)


def test_f01_one_next_and_dropped_does_not_lose_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with _desk(MemoryStore()) as desk, monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        with pytest.raises(KeyboardInterrupt):
            _next_and_wait(desk)


def test_f01_read_to_the_end_without_an_interrupt_raises_nothing() -> None:
    with _desk(MemoryStore()) as desk:
        receipts = desk.receive_each(_three(), now=T0, batch=2)
        assert next(receipts).outcome == "stored"
        receipts.close()  # nothing held: a plain close
        assert len(list(desk.receive_many(_three(), now=T0))) == 3
        for _ in range(10):
            time.sleep(0.01)  # no late interrupt


def test_f01_a_file_import_closed_early_raises_it(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _desk(MemoryStore()) as desk, monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        rows = iter(FileImport(desk, desk_dir / "rows.csv", now=T0.replace(hour=17)))
        assert next(rows).outcome == "stored"
        with pytest.raises(KeyboardInterrupt):
            rows.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- F02


def _interrupted_at_call(
    monkeypatch: pytest.MonkeyPatch, cls: type, name: str, k: int
) -> list[int]:
    """Failure injection: Ctrl-C as the ``k``-th call of ``cls.name`` starts."""
    original = getattr(cls, name)
    calls = [0]

    def interrupted(self: object, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == k:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, interrupted)
    return calls


@pytest.mark.parametrize("json_mode", [True, False])
def test_f02_an_interrupt_in_the_duplicate_check_lists_the_batch(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch, json_mode: bool
) -> None:
    with monkeypatch.context() as patched:
        _interrupted_at_call(patched, FileImport, "_stored_before", 1)
        result = _invoke("receive", "--file", "rows.csv", *(["--json"] if json_mode else []))
    assert result.exit_code == 1, result.output
    stored = _stored()
    assert len(stored) == 3
    if json_mode:
        document = json.loads(result.stdout)
        assert document["error"]["message"] == "aborted"
        assert document["stored"] == 3
        assert sorted(document["ids"]) == stored
    else:
        listed = [line.rsplit(" ", 1)[1] for line in result.stdout.splitlines()]
        assert sorted(listed) == stored


@pytest.mark.parametrize("k", [1, 2])
def test_f02_an_interrupt_while_a_row_is_listed_lists_the_whole_batch_json(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    with monkeypatch.context() as patched:
        _interrupted_at_call(patched, receive_cli._Rows, "add", k)
        result = _invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["stored"] == 3
    assert sorted(document["ids"]) == _stored()
    assert [r["line"] for r in document["rows"]] == [2, 3, 4]


# --------------------------------------------------------------------------- F03


class _Listener:
    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        """Heard: its presence has the desk hold the messages while it runs."""


def test_f03_an_interrupt_during_the_commit_leaves_the_messages_to_deliver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load_pack("cn-property")
    notifier = RecordingNotifier()
    desk = Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "desk.sqlite3", create=True),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[notifier],
        plugin_manager=make_plugin_manager([_Listener()], load_entry_points=False),
    )
    with desk:
        with monkeypatch.context() as patched:
            _interrupted_after(patched, SqliteStore, "create")
            with pytest.raises(CommittedInterrupt) as stopped:
                desk.receive(_intake(), now=T0)
        assert stopped.value.while_committing
        report = desk.deliver(T0)
        assert report.sent >= 1
        assert notifier.sent
        assert desk.deliver(T0).sent == 0  # sent once


def test_f01_one_dropped_in_a_worker_thread_is_logged_not_sent_to_the_main_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Review s56R8 F01: a worker thread gets no Ctrl-C or SIGTERM; an interrupt its
    own plugin raised and its caller dropped must not stop the host's main thread."""
    got: list[object] = []

    def worker(desk: Desk) -> None:
        got.append(next(desk.receive_many(_three(), now=T0, batch=10)))

    with _desk(MemoryStore()) as desk, monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        thread = threading.Thread(target=worker, args=(desk,), name="pool-1")
        with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
            thread.start()
            thread.join()
            _wait()  # a KeyboardInterrupt handed on would be raised here
        assert len(got) == 1
        assert isinstance(got[0], Complaint)
        assert len(list(desk.store.complaints())) == 3
    assert any(
        "dropped in thread pool-1" in r.getMessage() and "not passed on" in r.getMessage()
        for r in caplog.records
    )
