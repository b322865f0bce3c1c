"""Re-review s55R8 of review s55R2's fixes.

F01: Ctrl-C (or SIGTERM) while the store commits ``receive``/``act`` (SQLite's
COMMIT and its disk sync) is raised as the store call returns, before the desk
marked the change committed: "aborted" for a stored change, typed in again.
F03: an interrupt raised as SQLite's BEGIN returns left the connection inside a
transaction: every later call of the thread failed, other writers locked out.
F04: the one-character title 总 masked ordinary words (高总体, 对方总是); 明白女士 lost
女士; the traditional 總, 老師, 師傅 were not masked.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from complaintcore import CommittedInterrupt, Desk
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import Acknowledge
from complaintcore.rules import load_pack
from tests.unit.test_review_s55R2 import NOW, RECEIVE

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")


def _intake() -> Intake:
    return Intake(OWNER, "phone", T0, "SR-103", "楼上漏水，天花板渗水", site="sunrise")  # type: ignore[arg-type]


def _desk(store: Any) -> Desk:
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=store,
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )


def _interrupted_after(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> None:
    """Failure injection: the store call commits, then Ctrl-C is raised as it returns
    (Python runs a signal's handler once the running SQLite call is done)."""
    original = getattr(cls, name)

    def committed_then_interrupted(self: object, *args: object, **kwargs: object) -> object:
        original(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(cls, name, committed_then_interrupted)


def _store(kind: str, tmp_path: Path) -> Any:
    if kind == "memory":
        return MemoryStore()
    return SqliteStore(tmp_path / "desk.sqlite3", create=True)


# --------------------------------------------------------------------------- F01


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_f01_ctrl_c_as_the_receives_commit_returns_is_committed_interrupt(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(kind, tmp_path)
    with _desk(store) as desk:
        with monkeypatch.context() as patched:
            _interrupted_after(patched, type(store), "create")
            with pytest.raises(CommittedInterrupt) as stopped:
                desk.receive(_intake(), now=T0)
        stored = [c.id for c in desk.store.complaints()]
        assert stored == [stopped.value.complaint.id]
        assert stopped.value.complaint == desk.get(stored[0])


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_f01_ctrl_c_as_the_acts_commit_returns_is_committed_interrupt(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(kind, tmp_path)
    with _desk(store) as desk:
        c = desk.receive(_intake(), now=T0)
        with monkeypatch.context() as patched:
            _interrupted_after(patched, type(store), "append")
            with pytest.raises(CommittedInterrupt) as stopped:
                desk.act(c.id, Acknowledge(actor="SR-201"), now=T0)
        assert stopped.value.complaint.id == c.id
        assert stopped.value.complaint.version == desk.get(c.id).version > c.version


def test_f01_ctrl_c_as_a_commit_that_failed_returns_stays_plain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing stored (the interrupt came before the store wrote): "aborted" is right."""
    store = MemoryStore()

    def interrupted(self: object, *args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    with _desk(store) as desk:
        with monkeypatch.context() as patched:
            patched.setattr(MemoryStore, "create", interrupted)
            with pytest.raises(KeyboardInterrupt) as stopped:
                desk.receive(_intake(), now=T0)
        assert not isinstance(stopped.value, CommittedInterrupt)
        assert list(desk.store.complaints()) == []


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.mark.parametrize("as_json", [False, True])
def test_f01_receive_interrupted_as_its_commit_returns_prints_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    with monkeypatch.context() as patched:
        _interrupted_after(patched, SqliteStore, "create")
        result = _invoke(*RECEIVE, *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    assert "aborted" not in result.output
    listed = _invoke("list", "--json")
    assert len(json.loads(listed.stdout)) == 1


# --------------------------------------------------------------------------- F03


class _InterruptedAfter:
    """This thread's SQLite connection, with Ctrl-C raised as the first ``statement``
    returns (failure injection: a signal landing while SQLite runs it)."""

    def __init__(self, conn: sqlite3.Connection, statement: str) -> None:
        self._conn = conn
        self._statement = statement
        self.fired = False

    def execute(self, sql: str, *args: Any) -> Any:
        cursor = self._conn.execute(sql, *args)
        if sql == self._statement and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.parametrize("statement", ["BEGIN IMMEDIATE", "BEGIN"])
def test_f03_an_interrupt_as_begin_returns_leaves_no_transaction_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str
) -> None:
    store = SqliteStore(tmp_path / "desk.sqlite3", create=True)
    with _desk(store) as desk:
        first = desk.receive(_intake(), now=T0)
        real = store._conn()
        injected = _InterruptedAfter(real, statement)
        with monkeypatch.context() as patched:
            patched.setattr(store, "_conn", lambda: injected)
            with pytest.raises(KeyboardInterrupt):
                desk.receive(_intake(), now=T0)
        assert injected.fired
        assert not real.in_transaction
        # another process can write meanwhile: no write lock left held
        other = sqlite3.connect(tmp_path / "desk.sqlite3", timeout=0.2)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        # the host that caught it goes on with the same desk
        second = desk.receive(_intake(), now=T0)
        assert {first.id, second.id} <= {c.id for c in desk.store.complaints()}


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("高明", "质量要求高总体不错"),
        ("高明", "提高总体满意度"),
        ("方芳", "这方总算解决了"),
        ("方芳", "对方总是不接电话"),
        ("马丽", "马总结了一下"),
        ("白雪", "明白女士的意思"),
    ],
)
def test_f04_ordinary_words_after_a_surname_character_stay_readable(name: str, said: str) -> None:
    """Only the complainant's data is masked: 总体, 总是, 明白 name no one."""
    from complaintcore.core.privacy import redact

    assert redact(said, also=(name,)) == said


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("CRM: 王總 refused", "CRM: 王* refused"),
        ("CRM: 王老師 refused", "CRM: 王** refused"),
        ("CRM: 王師傅 refused", "CRM: 王** refused"),
        ("王总说可以", "王*说可以"),
        ("白女士是业主", "白**是业主"),
    ],
)
def test_f04_traditional_titles_are_masked_as_the_simplified(said: str, shown: str) -> None:
    from complaintcore.core.privacy import redact

    name = "白雪" if said.startswith("白") else "王小明"
    assert redact(said, also=(name,)) == shown


# --------------------------------------------------------------------------- F05


def test_f05_a_wrappers_system_exit_is_its_logged_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """cli.md: a listener that calls ``sys.exit`` is a failed listener, logged, never
    the command's exit; a ``wrapper=True`` listener's was let through."""
    from collections.abc import Generator, Sequence

    from complaintcore import hookimpl, make_plugin_manager
    from complaintcore.core.models import Complaint, Event

    class Wrap:
        @hookimpl(wrapper=True)
        def complaintcore_on_events(
            self, complaint: Complaint, events: Sequence[Event]
        ) -> Generator[None, None, None]:
            raise SystemExit(4)
            yield  # pragma: no cover - a generator

    pack = load_pack("cn-property")
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        plugin_manager=make_plugin_manager([Wrap()], load_entry_points=False),
    )
    with desk:
        c = desk.receive(_intake(), now=T0)
        assert [x.id for x in desk.store.complaints()] == [c.id]
    assert "complaintcore_on_events failed for" in caplog.text
    assert "SystemExit" in caplog.text
    assert "王小明" not in caplog.text
