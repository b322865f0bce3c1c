"""Ctrl-C once a command has committed: its result is out and it exits 0, so nobody
runs it again and escalates twice or stores a second complaint (review s38C F01);
a `migrate --to` that committed is said at once and a rerun finds the copy
complete (review s38C F04)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main

from .servers import HttpTestServer

NOW = "2025-11-14T17:30"
RECEIVE = [
    "receive",
    *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
    *("--site", "sunrise", "--summary", "电梯停运三天", "--receiver", "SR-103"),
]
INTERRUPTED = "interrupted while sending: the rest is left for 'complaintcore deliver'"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.fixture
def hook() -> Any:
    with HttpTestServer() as server:
        yield server


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: HttpTestServer) -> Path:
    """A desk whose webhook answers after 4 s, waited for at most 10 s."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    config = tmp_path / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'webhooks = [{{url = "{hook.url()}", timeout = 8}}]\n'
        + "\n[delivery]\nwait_seconds = 10\n",
        encoding="utf-8",
    )
    hook.respond(delay=4.0)
    return tmp_path


def _ids(desk: Path) -> list[str]:
    with SqliteStore(desk / "complaints.sqlite3") as store:
        return [row.id for row in store.rows(limit=100)]


def _escalations(complaint_id: str) -> tuple[str, int]:
    """The complaint's rung and how many escalations it has had."""
    shown = invoke("show", complaint_id, "--json")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    escalated = sum(1 for e in document["events"] if e["type"] == "escalated")
    return str(document["state"]["rung"]), escalated


def _ctrl_c_while_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failure injection: Ctrl-C arrives while the command waits for its sends."""
    from complaintcore.desk.delivery import DeliveryWorker

    def interrupted(self: DeliveryWorker, timeout: float) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(DeliveryWorker, "wait_idle", interrupted)


def test_ctrl_c_on_act_while_it_sends_leaves_one_escalation_and_exit_0(
    desk: Path, hook: HttpTestServer
) -> None:
    """A real SIGINT while the slow webhook holds the escalation's message."""
    received = invoke(*RECEIVE, "--json")
    assert received.exit_code == 0, received.output
    complaint_id = json.loads(received.stdout)["id"]
    assert _escalations(complaint_id) == ("department_head", 0)
    hook.wait_for(1, timeout=10)  # the receipt's message, sent (slowly) beside the command
    hook.clear()
    import complaintcore

    source = str(Path(complaintcore.__file__).resolve().parents[1])  # this checkout's
    path = os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "COMPLAINTCORE_NOW": NOW, "COMPLAINTCORE_LANG": "en"}
    args = ["act", complaint_id, "escalate", "--actor", "SR-201", "--trigger", "cannot_handle"]
    process = subprocess.Popen(
        [sys.executable, "-m", "complaintcore.cli.app", *args],
        cwd=desk,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        hook.wait_for(1, timeout=20)  # committed: its message is on its way
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, (out, err)
    assert out.startswith(f"done: {complaint_id} is now"), out
    assert err.strip().splitlines()[-1] == INTERRUPTED
    assert "aborted" not in err
    # stored once: nothing tells the operator to run it again (a second rung)
    assert _escalations(complaint_id) == ("project_manager", 1)


def test_ctrl_c_on_receive_json_while_it_sends_prints_the_document_once(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_while_sending(monkeypatch)
    result = invoke(*RECEIVE, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # one document: the complaint, no Abort after it
    assert "error" not in document
    assert _ids(desk) == [document["id"]]
    assert INTERRUPTED not in result.stderr  # the document is the whole answer


def test_ctrl_c_on_receive_while_it_sends_says_what_was_stored(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ctrl_c_while_sending(monkeypatch)
    result = invoke(*RECEIVE)
    assert result.exit_code == 0, result.output
    [stored] = _ids(desk)
    assert result.stdout.startswith(f"received {stored}:")
    assert result.stderr.strip().splitlines()[-1] == INTERRUPTED


def test_ctrl_c_on_a_file_with_rejected_rows_while_it_sends_keeps_exit_1(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows stored are listed, the rejected one still fails the run."""
    (desk / "rows.csv").write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n"
        "王芳,13700000020,3-2-1201,sunrise,电梯停运三天,SR-103,phone,2025-11-14T09:00\n"
        "李雷,,3-2-1202,sunrise,,SR-103,phone,2025-11-14T09:10\n",
        encoding="utf-8",
    )
    _ctrl_c_while_sending(monkeypatch)
    result = invoke("receive", "--file", "rows.csv", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["error"]["type"] == "RowsRejected"
    assert document["ids"] == _ids(desk)
    assert len(document["ids"]) == 1


def test_ctrl_c_on_sweep_while_it_sends_prints_its_counts(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(*RECEIVE).exit_code == 0
    _ctrl_c_while_sending(monkeypatch)
    result = invoke("sweep")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("examined ")
    assert result.stderr.strip().splitlines()[-1] == INTERRUPTED


# ---------------------------------------------------------------------- migrate --to


@pytest.fixture
def filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk without channels, with two complaints."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    assert invoke(*RECEIVE).exit_code == 0
    other = [*RECEIVE[:-6], "--site", "sunrise", "--summary", "门禁坏了", "--receiver", "SR-103"]
    other[other.index("13812345678")] = "13900000001"
    assert invoke(*other).exit_code == 0
    return tmp_path


def test_migrate_says_it_copied_before_the_target_is_closed(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C as the committed target is closed: the copy is already said."""
    real = SqliteStore.close

    def close(self: SqliteStore) -> None:
        real(self)
        if "moved" in str(self._path):
            raise KeyboardInterrupt

    monkeypatch.setattr(SqliteStore, "close", close)
    result = invoke("migrate", "--to", "moved.sqlite3", "--json")
    document = json.loads(result.stdout)  # the result, whatever the status says after it
    assert (document["complaints"], document["already_copied"]) == (2, False)


def test_migrate_again_onto_its_complete_copy_says_so_and_exits_0_an_outgrown_one_is_refused(
    filled: Path,
) -> None:
    first = invoke("migrate", "--to", "moved.sqlite3", "--json")
    assert first.exit_code == 0, first.output
    again = invoke("migrate", "--to", "moved.sqlite3", "--json")
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    assert document["already_copied"] is True
    copied = json.loads(first.stdout)
    for key in ("complaints", "events", "outbox_items", "chain_digest"):
        assert document[key] == copied[key]
    text = invoke("migrate", "--to", "moved.sqlite3")
    assert text.exit_code == 0
    assert "moved.sqlite3 already holds a complete copy: 2 complaints" in text.stdout
    assert "nothing copied" in text.stdout
    # a copy the desk has since outgrown is no complete copy: still refused
    assert invoke(*RECEIVE).exit_code == 0  # a third complaint, after the copy
    again = invoke("migrate", "--to", "moved.sqlite3")
    assert again.exit_code == 5
    assert "copy into an empty desk" in again.stderr
