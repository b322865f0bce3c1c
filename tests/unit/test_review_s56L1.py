"""Review s56L1: leftover findings on interrupts after a commit.

F02: ``receive --file`` interrupted (Ctrl-C, SIGTERM) while the listeners of a
committed batch ran said "aborted" with ``"stored": 0, "ids": []`` for rows that
are stored: ``Desk.receive_each`` raised before yielding the batch's receipts.
F02b: an interrupt while SQLite commits ``receive``/``act`` (review s55R8 F01)
was reported on stderr as "interrupted while plugins heard of the change".
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore import CommittedInterrupt, Desk
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.models import Complaint
from complaintcore.core.workflow import Acknowledge
from tests.unit.test_review_s55R2 import NOW, RECEIVE, STORED
from tests.unit.test_review_s55R8 import T0, _desk, _intake, _interrupted_after

COMMITTING = (
    "interrupted while the change was being committed: {id} is stored, so do not run it"
    " again; plugins did not hear of it, and its notifications are left for"
    " 'complaintcore deliver'"
)
HEADER = "name,phone,room,building,site,channel,summary,received_at,receiver"
ROWS = [
    "王伟,13800000001,3-1201,3,sunrise,phone,厨房漏水,2025-11-14 09:00,SR-103",
    "李娜,13800000002,5-0802,5,sunrise,phone,电梯停运,2025-11-14 09:10,SR-103",
    "张强,13800000003,7-0301,7,sunrise,phone,门禁失灵,2025-11-14 09:20,SR-103",
]


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


def _ctrl_c_in_the_first_listener(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Failure injection: Ctrl-C arrives while the first commit's listeners run (once);
    the ids of the complaints the listeners were to hear."""
    heard: list[str] = []

    def interrupted(self: Desk, complaint: Complaint, events: object, *, basis: bool) -> None:
        heard.append(complaint.id)
        if len(heard) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(Desk, "_hear", interrupted)
    return heard


def _stored() -> list[str]:
    listed = _invoke("list", "--json")
    assert listed.exit_code == 0, listed.output
    return sorted(c["id"] for c in json.loads(listed.stdout))


# --------------------------------------------------------------------------- F02


@pytest.mark.parametrize("batch", [2, 500])
def test_f02_receive_each_yields_a_committed_batch_before_the_interrupt(
    monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    with _desk(MemoryStore()) as desk:
        intakes = [_intake(), _intake(), _intake()]
        given: list[Any] = []
        with monkeypatch.context() as patched:
            _ctrl_c_in_the_first_listener(patched)
            with pytest.raises(KeyboardInterrupt) as stopped:
                given.extend(desk.receive_many(intakes, now=T0, batch=batch))
        assert not isinstance(stopped.value, CommittedInterrupt)
        stored = sorted(c.id for c in desk.store.complaints())
        # the first batch was committed and its listeners interrupted: all of it given
        assert len(stored) == min(batch, 3)
        assert sorted(c.id for c in given) == stored


def test_f02_an_interrupt_before_the_batch_commits_yields_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(self: object, *args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    with _desk(MemoryStore()) as desk:
        given: list[Any] = []
        with monkeypatch.context() as patched:
            patched.setattr(MemoryStore, "create_many", interrupted)
            patched.setattr(MemoryStore, "create", interrupted)
            with pytest.raises(KeyboardInterrupt):
                given.extend(desk.receive_many([_intake(), _intake()], now=T0))
        assert given == []
        assert list(desk.store.complaints()) == []


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    (tmp_path / "rows.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return tmp_path


def test_f02_receive_file_interrupted_in_its_listeners_lists_the_stored_rows_json(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        heard = _ctrl_c_in_the_first_listener(patched)
        result = _invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["error"]["message"] == "aborted"
    assert document["stored"] == 3
    assert sorted(document["ids"]) == _stored()
    assert heard[0] in document["ids"]  # the interrupted listeners' batch
    assert [r["line"] for r in document["rows"]] == [2, 3, 4]


def test_f02_receive_file_interrupted_in_its_listeners_prints_the_stored_rows(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        heard = _ctrl_c_in_the_first_listener(patched)
        result = _invoke("receive", "--file", "rows.csv")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert [line.rsplit(" ", 1)[0] for line in lines] == [f"line {n}: stored" for n in (2, 3, 4)]
    assert sorted(line.rsplit(" ", 1)[1] for line in lines) == _stored()
    assert heard[0] in result.stdout
    assert result.stderr.strip() == "aborted"
    again = _invoke("receive", "--file", "rows.csv", "--json")  # the rows are held
    assert json.loads(again.stdout)["duplicated"] == 3


# --------------------------------------------------------------------------- F02b


def test_f02b_committed_interrupt_says_whether_it_came_during_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "desk.sqlite3", create=True)
    with _desk(store) as desk:
        with monkeypatch.context() as patched:
            _interrupted_after(patched, SqliteStore, "create")
            with pytest.raises(CommittedInterrupt) as during:
                desk.receive(_intake(), now=T0)
        assert during.value.while_committing
        with monkeypatch.context() as patched:
            _ctrl_c_in_the_first_listener(patched)
            with pytest.raises(CommittedInterrupt) as after:
                desk.act(during.value.complaint.id, Acknowledge(actor="SR-201"), now=T0)
        assert not after.value.while_committing
    copied = pickle.loads(pickle.dumps(during.value))
    assert copied.while_committing
    assert copied.complaint == during.value.complaint


@pytest.mark.parametrize("command", ["receive", "act"])
def test_f02b_an_interrupt_during_the_commit_is_said_so_on_stderr(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    args = list(RECEIVE)
    if command == "act":
        cid = json.loads(_invoke(*RECEIVE, "--json").stdout)["id"]
        args = ["act", cid, "acknowledge", "--actor", "SR-201"]
    with monkeypatch.context() as patched:
        _interrupted_after(patched, SqliteStore, "create" if command == "receive" else "append")
        result = _invoke(*args)
    assert result.exit_code == 0, result.output
    if command == "receive":
        cid = result.stdout.split()[1].rstrip(":")
    assert result.stderr.strip() == COMMITTING.format(id=cid)
    assert "plugins heard" not in result.stderr


def test_f02b_an_interrupt_in_the_listeners_keeps_its_line(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        _ctrl_c_in_the_first_listener(patched)
        result = _invoke(*RECEIVE)
    cid = result.stdout.split()[1].rstrip(":")
    assert result.stderr.strip() == STORED.format(id=cid)
