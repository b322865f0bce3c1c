"""Re-review s54R16 of the broken-promise escalation fix (review s54R15).

F01: a promise replaced after it passed, then the complaint closed before a sweep,
was escalated by the first sweep after a reopening, for a promise of the closed
episode.  The rule chosen: closing the complaint ends what its replaced runs owed
to the ladder; a reopening does not bring them back.  The breach stays in
``breaches`` and the apology it owes (DL-5) stands.  F02: ``show`` said a promise
replaced after it passed was merely replaced; it says it was broken and its breach
stands.  F03: ``verify``'s hint for a projection row out of date names an upgrade.

Times are Asia/Shanghai on the cn-property calendar (Monday 10 and Tuesday 11
November 2025 are working days): received Monday 10:00, held by SR-201
(``department_head``); the promise is due Tuesday 12:00.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.core.deadlines import unescalated_breaches
from complaintcore.core.models import Complaint, Escalated
from complaintcore.core.workflow import Close, Promise, Reopen, Reply
from complaintcore.desk import Desk
from complaintcore.i18n import translator
from complaintcore.testing import make_desk
from tests.integration.test_review_s54r15 import _received, at


@pytest.fixture
def desk() -> Iterator[Desk]:
    with make_desk() as d:
        yield d


def _promise_escalations(desk: Desk, cid: str) -> list[datetime]:
    return [e.at for e in desk.get(cid).events if isinstance(e, Escalated) and "promise" in e.clock]


def _replaced_late_then_closed(desk: Desk) -> Complaint:
    """Due 12:00, replaced at 12:30 by a promise for Wednesday, answered finally at
    12:35 and closed at 12:40, no sweep between."""
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 12, 30))
    desk.act(c.id, Reply(actor="SR-201", message="已修复", final=True), now=at(11, 12, 35))
    close = Close(actor="SR-201", result="已修复", confirmed_by_complainant=True)
    desk.act(c.id, close, now=at(11, 12, 40))
    return c


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_f01_a_promise_replaced_late_then_closed_is_not_escalated(desk: Desk) -> None:
    c = _replaced_late_then_closed(desk)
    assert desk.sweep(at(11, 13)).escalated == ()
    promise = next(s for s in desk.clocks(c.id, at(11, 13)) if s.name == "promise")
    assert promise.breaches == (at(11, 12),)  # the breach stands (DL-7)
    assert promise.replaced == ((at(11, 12), 1),)
    spec = desk.pack.clock("promise")
    assert unescalated_breaches(desk.get(c.id), spec, promise) == ()
    # the apology it owes stands (DL-5)
    apology = next(d for d in desk.duties(c.id, at(11, 13)) if d.name == "apology")
    assert apology.clock.started_at == at(11, 12)


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
def test_f01_a_reopening_does_not_bring_back_the_old_run_a_new_broken_promise_escalates(
    desk: Desk,
) -> None:
    c = _replaced_late_then_closed(desk)
    assert desk.sweep(at(11, 13)).escalated == ()
    desk.act(c.id, Reopen(actor="SR-201", reason="又漏水了"), now=at(11, 14))
    assert (c.id, "promise") not in desk.sweep(at(11, 14, 10)).escalated
    assert _promise_escalations(desk, c.id) == []
    # a new promise after the reopening, due 15:00, broken and replaced at 15:30
    desk.act(c.id, Promise(actor="SR-201", due=at(11, 15)), now=at(11, 14, 20))
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 15, 30))
    assert (c.id, "promise") in desk.sweep(at(11, 15, 40)).escalated
    assert _promise_escalations(desk, c.id) == [at(11, 15, 40)]
    assert (c.id, "promise") not in desk.sweep(at(11, 16)).escalated
    assert _promise_escalations(desk, c.id) == [at(11, 15, 40)]


def _promise_steps(desk: Desk, cid: str, now: datetime) -> tuple[str, ...]:
    return next(s for s in desk.clocks(cid, now) if s.name == "promise").derivation


@pytest.mark.procedure("DL-7")
def test_f02_show_says_a_promise_replaced_after_it_passed_was_broken(desk: Desk) -> None:
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 12, 30))
    steps = _promise_steps(desk, c.id, at(11, 13, 5))
    broken = (
        "2025-11-11T12:30:00+08:00 new time agreed: the last promise, due"
        " 2025-11-11T12:00:00+08:00, was broken before it was replaced: the breach stands (DL-7)"
    )
    assert broken in steps
    assert steps.index(broken) == 1  # before the new run's start
    owed = (
        "2025-11-11T13:05:00+08:00 the promise broken at 2025-11-11T12:00:00+08:00 is not"
        " escalated yet: the next sweep escalates it (ESC-2)"
    )
    assert steps[-1] == owed
    assert not any("the last promise is replaced" in s for s in steps)
    status = next(s for s in desk.clocks(c.id, at(11, 13, 5)) if s.name == "promise")
    zh = [translator("zh").step(step, desk.pack) for step in status.steps]
    assert (
        "上一次约定在 2025-11-11T12:00:00+08:00 到期，被取代前已经违约：超时依然成立（DL-7）"
        in zh[1]
    )
    assert "违约的约定尚未升级：下一次巡检将为此升级（ESC-2）" in zh[-1]
    assert desk.sweep(at(11, 13, 10)).escalated == ((c.id, "promise"),)
    after = _promise_steps(desk, c.id, at(11, 13, 15))
    assert broken in after  # the breach stands
    assert not any("next sweep" in s for s in after)  # escalated: nothing owed


@pytest.mark.procedure("DL-5")
def test_f02_a_promise_moved_in_time_reads_as_replaced(desk: Desk) -> None:
    c = _received(desk)
    desk.act(c.id, Promise(actor="SR-201", due=at(12, 12)), now=at(11, 11, 30))
    steps = _promise_steps(desk, c.id, at(11, 13))
    assert "2025-11-11T11:30:00+08:00 new time agreed: the last promise is replaced (DL-5)" in (
        steps
    )
    assert not any("broken" in s or "next sweep" in s for s in steps)


@pytest.mark.procedure("DL-7")
def test_f02_closed_before_the_sweep_no_escalation_is_announced(desk: Desk) -> None:
    c = _replaced_late_then_closed(desk)
    desk.act(c.id, Reopen(actor="SR-201", reason="又漏水了"), now=at(11, 14))
    steps = _promise_steps(desk, c.id, at(11, 14, 5))
    assert any("was broken before it was replaced" in s for s in steps)
    assert not any("next sweep" in s for s in steps)


def test_f03_verify_hint_names_an_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row computed by an older release reads as out of date until the next sweep;
    the hint names the upgrade and both remedies, in both languages."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, lang: str = "en") -> Result:
        now = "2025-11-11T13:05+08:00"
        return CliRunner().invoke(main, ["--lang", lang, "--now", now, *args])

    assert invoke("init", ".").exit_code == 0
    receive = ["receive", "--name", "业主1", "--phone", "13900000001", "--room", "3-1-0101"]
    receive += ["--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103"]
    assert invoke(*receive).exit_code == 0
    conn = sqlite3.connect(tmp_path / "complaints.sqlite3", isolation_level=None)
    try:  # a row as an older release wrote it: another next sweep time
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("UPDATE projection SET next_due = ?", ("2029-01-01T00:00:00+00:00",))
    finally:
        conn.close()
    en = invoke("verify")
    assert en.exit_code == 5
    assert "or a complaintcore upgrade that computes the rows differently" in en.output
    assert "(after an upgrade, the next sweep does too)" in en.output
    zh = invoke("verify", lang="zh_CN")
    assert "或 complaintcore 升级后投影行的计算方式有变" in zh.output
    assert "升级之后，下一次巡检也会重写" in zh.output
