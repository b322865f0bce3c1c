"""Review s58R6 (a mutation audit of the desk's intake and sweep), second part:
survivors the audit left undecided, each held here by what the docs say.

S21: a sweep that meets another writer on a complaint retries it (``_sweep_row``:
"a conflict is retried"; docs/desk.md: the store's version check lets one win and
the other finds nothing left to do), so the complaint is still swept in that run.
P07: a valid complaint past its upgrade month but resolved (its complainant
satisfied at the return visit within the month) is not major (DL-6, GRD-2) and is
not swept again and again (``_upgrade_due``'s docstring).
R08: earlier open raisings marked raised repeatedly before the matter's promise
broke are marked again when a later raising shows it broken (docs/desk.md,
"Repeat complaints": "marked again if they were raised repeatedly before the
promise broke"), and so are major (GRD-2).
S06: raisings of one matter received at the same instant in one bulk batch are in
time order, not out of it: customer service hears each count from the pack's
threshold once (GRD-2; tests/integration/test_repeat_counts_told_once.py), none
left out.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import ConcurrencyConflictError
from complaintcore.core.models import Complaint, Fact, Grade
from complaintcore.core.workflow import Assess, Handle, Reply, Visit
from complaintcore.desk.sweeping import Sweeper, Swept
from complaintcore.testing import make_desk
from tests.helpers import T0, intake
from tests.integration.test_repeat_counts_told_once import told_for
from tests.integration.test_repeats_at_the_desk import OWNER
from tests.integration.test_repeats_at_the_desk import T0 as T0_REPEATS
from tests.integration.test_repeats_at_the_desk import intake as repeat_intake
from tests.unit.test_review_s56R2 import A, _intake, at
from tests.unit.test_review_s58R6 import _desk


def _store(kind: str, tmp_path: Path) -> Any:
    return MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "d.sqlite3", create=True)


# ---------------------------------------------- S21: a sweep's conflict is retried


@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_s21_a_complaint_whose_first_sweep_attempt_conflicts_is_swept_in_the_same_run(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A complaint received by security and never handed to customer service within
    IN-5's 24 hours is due; another writer wins the first attempt to sweep it (a
    ``ConcurrencyConflictError``).  The sweep tries again and escalates it in the
    same run: one conflict counted, the complaint escalated, none failed."""
    with _desk(_store(kind, tmp_path)) as desk:
        cid = desk.receive(
            intake(received_at=T0, receiver="SR-302", receiver_unit="security"), now=T0
        ).id
        real = Sweeper.sweep_one
        met: list[str] = []

        def meets_a_writer_once(self: Sweeper, complaint_id: str, now: Any) -> Swept:
            if not met:
                met.append(complaint_id)
                raise ConcurrencyConflictError(complaint_id, 1, 2)
            return real(self, complaint_id, now)

        monkeypatch.setattr(Sweeper, "sweep_one", meets_a_writer_once)
        report = desk.sweep(T0 + timedelta(days=20))
        assert met == [cid]
        assert report.conflicts == 1
        assert report.failed == ()
        assert report.examined == 1
        assert report.escalated  # IN-5: handed on (up the rungs due by now)
        assert {c for c, _ in report.escalated} == {cid}
        monkeypatch.undo()
        assert desk.sweep(T0 + timedelta(days=20, minutes=1)).escalated == ()


# ------------------------- P07: resolved within its month, not swept again and again


def _satisfied_within_its_month(kind: str, tmp_path: Path) -> tuple[Any, str]:
    """Received 10 Nov 09:30, valid, fixed and answered on 11 Nov, the complainant
    satisfied at the return visit on 12 Nov: resolved within its month (which ends
    10 Dec 09:30), still open."""
    desk = make_desk(store=_store(kind, tmp_path))
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    desk.act(cid, Visit(actor=A, satisfied=True, opinion="满意"), now=at("2025-11-12 10:00"))
    return desk, cid


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("GRD-2")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_p07_a_complaint_resolved_within_its_month_is_not_swept_again_and_again(
    kind: str, tmp_path: Path
) -> None:
    desk, cid = _satisfied_within_its_month(kind, tmp_path)
    with desk:
        assert desk.get(cid).is_open
        assert desk.get(cid).state.grade is Grade.MINOR
        first = at("2025-12-15 10:00")  # past its month
        desk.sweep(first)
        assert desk.get(cid).state.grade is Grade.MINOR  # resolved within it: not major
        due = desk.store.row(cid).next_due
        assert due is None or due > first
        for later in ("2025-12-15 11:00", "2025-12-16 10:00"):
            report = desk.sweep(at(later))
            assert report.examined == 0, later
            assert desk.get(cid).state.grade is Grade.MINOR


# --------------- R08: a promise broken after the matter was raised repeatedly


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_r08_earlier_raisings_marked_before_the_promise_broke_are_marked_again(
    kind: str, tmp_path: Path
) -> None:
    """The owner raises one matter on 3, 5 and 6 November: the third is raised
    repeatedly and marks the first two so, no promise broken yet (minor).  The
    fourth raising, on 7 November, says the promise was not kept: GRD-2 speaks of
    the matter, so every earlier open raising is told, marked again, and major."""
    with make_desk(store=_store(kind, tmp_path)) as desk:

        def receive(days: float, *facts: Fact) -> str:
            when = T0_REPEATS + timedelta(days=days)
            row = repeat_intake(OWNER, when, facts=list(facts))
            return desk.receive(row, now=when, validity="valid").id

        earlier = [receive(0), receive(2), receive(3)]
        for cid in earlier:
            state = desk.get(cid).state
            assert Fact.RAISED_REPEATEDLY in state.facts, cid
            assert Fact.PROMISE_NOT_KEPT not in state.facts, cid
            assert state.grade is Grade.MINOR, cid
        fourth = receive(4, Fact.PROMISE_NOT_KEPT)
        assert desk.get(fourth).state.grade is Grade.MAJOR
        for cid in earlier:
            state = desk.get(cid).state
            assert Fact.PROMISE_NOT_KEPT in state.facts, cid
            assert state.grade is Grade.MAJOR, cid


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
def test_r08_the_same_for_raisings_received_in_one_batch(tmp_path: Path) -> None:
    """The four raisings of the last test in one ``receive_many`` batch: the fourth's
    broken promise reaches the batch's earlier raisings, which are major."""
    when = [T0_REPEATS + timedelta(days=d) for d in (0, 2, 3, 4)]
    rows = [repeat_intake(OWNER, w) for w in when[:3]]
    rows.append(repeat_intake(OWNER, when[3], facts=[Fact.PROMISE_NOT_KEPT]))
    with make_desk(store=_store("sqlite", tmp_path)) as desk:
        got = list(desk.receive_many(rows, now=when[3], validity="valid"))
        ids = [c.id for c in got if isinstance(c, Complaint)]
        assert len(ids) == 4, got
        for cid in ids:
            state = desk.get(cid).state
            assert {Fact.RAISED_REPEATEDLY, Fact.PROMISE_NOT_KEPT} <= state.facts, cid
            assert state.grade is Grade.MAJOR, cid


# ------------------------ S06: raisings received at one instant in one batch


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("days", "chunks", "told"),
    [
        ((0, 0, 0, 0), [(4, True)], [3, 4]),
        ((0, 0, 0, 0, 0), [(5, True)], [3, 4, 5]),
        ((0, 1, 1, 1), [(1, False), (3, True)], [3, 4]),
        ((0, 1, 2, 2, 2), [(1, False), (1, False), (3, True)], [3, 4, 5]),
    ],
    ids=["four-at-once", "five-at-once", "one-then-three-at-once", "two-then-three-at-once"],
)
def test_s06_raisings_at_one_instant_in_a_batch_tell_each_count_once(
    days: tuple[int, ...], chunks: list[tuple[int, bool]], told: list[int]
) -> None:
    """The owner's leak raised several times at one moment (a bulk file of calls
    logged at the same minute), after earlier raisings stored one by one or not:
    n raisings tell customer service each count from 3 to n once, none left out
    (a batch tells them at once: their order is not compared)."""
    assert sorted(told_for(days, chunks)) == told
