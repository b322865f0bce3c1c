"""Review s58RR4: the HDL-6 group visit copied to the incident's other members.

F01: once the visit on the complaint acted on is committed, an interrupt or a
failure while it is copied to the others is not a failure of the visit: ``act``
raises :class:`CommittedInterrupt` of the complaint acted on (never a member's),
carrying the members it is recorded on and those still owing it, and a store
failure is no exception at all.  F03: a member's lost connection is tried once
more; a store failure that lasts is named (``GroupVisit.owing``), and the command
line says which members the visit is not recorded on.  F04: each member decides
in its own transaction that it still owes the visit, so a visit recorded on it
meanwhile is not recorded twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.core.models import Complaint, SiteVisited
from complaintcore.core.workflow import Command, VisitSite
from complaintcore.desk import CommittedInterrupt, Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_repeats_at_the_desk import T0
from tests.integration.test_store_failures_at_the_desk import FailingSqliteStore
from tests.unit.test_review_s57R3 import _neighbours, _stored
from tests.unit.test_review_s58R4 import _cli

VISIT = T0 + timedelta(days=0.4, hours=1)


def _visits(desk: Desk, ids: list[str]) -> list[list[datetime]]:
    return [[e.at for e in desk.get(c).events if isinstance(e, SiteVisited)] for c in ids]


def _armed(
    monkeypatch: pytest.MonkeyPatch, on_call: int, fail: Callable[[Complaint], None]
) -> None:
    """Desk._act_alone whose ``on_call``-th call (the acted-on complaint is the 1st)
    ends in ``fail``, given what it committed (or raising before, on ``None``)."""
    real = Desk._act_alone
    calls = {"n": 0}

    def act_alone(self: Desk, cid: str, command: Command, now: datetime, **kw: Any) -> Complaint:
        calls["n"] += 1
        if calls["n"] != on_call:
            return real(self, cid, command, now, **kw)
        done = real(self, cid, command, now, **kw)
        fail(done)
        return done

    monkeypatch.setattr(Desk, "_act_alone", act_alone)


@pytest.mark.procedure("HDL-6")
def test_an_interrupt_while_the_visit_is_copied_names_the_complaint_acted_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HDL-6: Ctrl-C after the 2nd other member's copy is committed (its listeners):
    ``CommittedInterrupt`` of the complaint acted on, not of the member, naming the
    members recorded and those still owing the visit."""
    with make_desk(notifiers=[RecordingNotifier()]) as desk:
        ids = [c.id for c in _stored(desk, _neighbours(5))]

        def stop(done: Complaint) -> None:
            raise CommittedInterrupt(done)  # as _told_committed raises it for the member

        _armed(monkeypatch, 3, stop)
        with pytest.raises(CommittedInterrupt) as caught:
            desk.act(ids[0], VisitSite(actor="SR-101", findings="lift door sensor"), now=VISIT)
        assert caught.value.complaint.id == ids[0]
        visit = caught.value.group_visit
        assert visit is not None
        assert visit.recorded == (ids[1], ids[2])
        assert visit.owing == (ids[3], ids[4])
        monkeypatch.undo()
        assert _visits(desk, ids) == [[VISIT], [VISIT], [VISIT], [], []]
        # finished as the message says: on a member left owing, at the visit's time
        desk.act(ids[3], VisitSite(actor="SR-101", findings="lift door sensor"), now=VISIT)
        assert _visits(desk, ids) == [[VISIT]] * 5


@pytest.mark.procedure("HDL-6")
def test_an_interrupt_before_a_members_copy_leaves_it_and_the_rest_owing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with make_desk(notifiers=[RecordingNotifier()]) as desk:
        ids = [c.id for c in _stored(desk, _neighbours(5))]
        real = Desk._act_alone
        calls = {"n": 0}

        def act_alone(self: Desk, cid: str, command: Command, now: datetime, **kw: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return real(self, cid, command, now, **kw)

        monkeypatch.setattr(Desk, "_act_alone", act_alone)
        with pytest.raises(CommittedInterrupt) as caught:
            desk.act(ids[0], VisitSite(actor="SR-101", findings="lift door sensor"), now=VISIT)
        assert caught.value.complaint.id == ids[0]
        visit = caught.value.group_visit
        assert visit is not None
        assert (visit.recorded, visit.owing) == ((ids[1],), (ids[2], ids[3], ids[4]))


@pytest.mark.procedure("HDL-6")
def test_a_store_failure_while_copying_is_not_a_failure_of_the_stored_visit(
    tmp_path: Path,
) -> None:
    """HDL-6: the issue's members unreadable right after the visit's commit; one
    member's connection lost once (tried again: recorded); one member's append
    refused for good (named as owing).  ``act`` returns in each case."""
    store = FailingSqliteStore(tmp_path / "desk.sqlite3")
    try:
        with make_desk(store=store, notifiers=[RecordingNotifier()]) as desk:
            ids = [c.id for c in _stored(desk, _neighbours(5))]
            real_append = store.append

            def append(cid: str, *args: Any, **kw: Any) -> None:
                real_append(cid, *args, **kw)
                if cid == ids[0]:
                    store.fail_issue_rows = True

            store.append = append  # type: ignore[method-assign]
            command = VisitSite(actor="SR-101", findings="lift door sensor failed")
            unread = desk.visit_site(ids[0], command, now=VISIT)
            assert (unread.complaint.id, unread.unread, unread.recorded) == (ids[0], True, ())
            store.append = real_append  # type: ignore[method-assign]
            store.fail_issue_rows = False
            assert _visits(desk, ids) == [[VISIT], [], [], [], []]

            store.lose_once.add(ids[2])
            store.fail_append.add(ids[3])
            done = desk.visit_site(ids[1], command, now=VISIT)
            assert (done.recorded, done.owing, done.unread) == ((ids[2], ids[4]), (ids[3],), False)
            assert _visits(desk, ids) == [[VISIT], [VISIT], [VISIT], [], [VISIT]]
    finally:
        store.close()


@pytest.mark.procedure("HDL-6")
def test_a_visit_recorded_on_a_member_meanwhile_is_not_recorded_there_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HDL-6: one visit, recorded once on every member.  Another person records a
    visit on member #1 after the cascade found #1 owing it and before its append
    (a conflict): decided again on the member as stored, it is not recorded twice."""
    with make_desk(notifiers=[RecordingNotifier()]) as desk:
        ids = [c.id for c in _stored(desk, _neighbours(5))]
        real = Desk._owes_group_visit
        fired = {"done": False}

        def owes(self: Desk, member: Complaint, issue: str, now: datetime) -> bool:
            out = real(self, member, issue, now)
            if member.id == ids[1] and not fired["done"]:
                fired["done"] = True
                other = VisitSite(actor="SR-102", findings="another visit")
                desk.act(ids[1], other, now=VISIT - timedelta(minutes=1))
            return out

        monkeypatch.setattr(Desk, "_owes_group_visit", owes)
        desk.act(ids[0], VisitSite(actor="SR-101", findings="lift door sensor"), now=VISIT)
        assert fired["done"]
        assert [len(v) for v in _visits(desk, ids)] == [1, 1, 1, 1, 1]


@pytest.mark.procedure("HDL-6")
def test_the_command_line_names_the_members_the_visit_is_not_recorded_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HDL-6: Ctrl-C while the visit is copied: the visit acted on is said to be
    stored (exit 0, never "aborted"), with the members it is not recorded on and how
    to record it there, not "recorded on every open member"."""
    run = _cli(tmp_path, monkeypatch)
    ids = []
    for i in range(5):
        received = run(
            "receive", "--json", "--name", f"业主{i}", "--phone", f"1391234000{i}",
            "--room", f"5-1-30{i}", "--building", "5", "--site", "sunrise",
            "--summary", "电梯坏了", "--receiver", "SR-001",
            "--received-at", f"2026-12-07T09:0{i}", "--now", f"2026-12-07T09:0{i}",
        )  # fmt: skip
        ids.append(str(json.loads(received[received.index("{") :])["id"]))
    real = Desk._act_alone
    calls = {"n": 0}

    def act_alone(self: Desk, cid: str, command: Command, now: datetime, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, cid, command, now, **kw)

    monkeypatch.setattr(Desk, "_act_alone", act_alone)
    out = run(
        "act", ids[0], "visit-site", "--actor", "SR-001", "--findings", "lift sensor failed",
        "--now", "2026-12-07T10:00",
    )  # fmt: skip
    assert "aborted" not in out
    assert "recorded on every open member" not in out
    assert f"stored on {ids[0]} and recorded on 1 other member(s)" in out
    assert f"but not on {ids[2]}, {ids[3]}, {ids[4]}: record it there" in out
    assert "--now 2026-12-07T10:00+08:00" in out
