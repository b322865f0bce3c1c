"""Bulk intake shares work between complaints (handlers, clocks, next due times):
what it stores is what a desk that shares nothing computes for each complaint."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import StaffList, load_sample_staff
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.core.rulepack import ClockMode, Duration, DutySpec
from complaintcore.core.workflow import AttachEvidence
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from tests.helpers import T0, about

PACK = load_pack("cn-property")
NOW = T0 + timedelta(days=12)


def _desk(store: SqliteStore, staff: StaffList | None = None) -> Desk:
    return Desk(
        pack=PACK,
        store=store,
        directory=staff or load_sample_staff(pack=PACK),
        calendar=calendar_for_spec(PACK.calendar),
    )


def _intakes() -> list[Intake]:
    """Complaints whose histories share their shape but not their rung, channel or age."""
    out = []
    summaries = ("楼上漏水，天花板渗水", "电梯又坏了，困梯二十分钟", "前台客服态度不耐烦")
    for i in range(24):
        target = about("SR-001", "project_manager") if i % 4 == 0 else None
        out.append(
            Intake(
                complainant=Complainant(f"业主{i}", f"1391234{i:04d}", f"3-2-{1200 + i}", "3"),
                channel=("phone", "written", "in_person")[i % 3],
                # a few just in, most long enough ago for clocks to be breached by NOW
                received_at=NOW - timedelta(hours=1 if i % 5 == 0 else 24 * (1 + i % 9)),
                receiver="SR-103",
                summary=summaries[i % 3],
                site="sunrise",
                target=target,
            )
        )
    # alike but for the rung they go to, and long past their first deadlines: the
    # complaint at the top rung has nobody left to escalate to
    for i in range(6):
        out.append(
            Intake(
                complainant=Complainant(f"住户{i}", f"1381234{i:04d}", f"5-1-{300 + i}", "5"),
                channel="phone",
                received_at=NOW - timedelta(days=30),
                receiver="SR-103",
                summary="楼上漏水，天花板渗水",
                site="sunrise",
                target=about("SR-001", "project_manager") if i % 2 else None,
            )
        )
    return out


def test_rows_of_a_bulk_batch_are_those_of_a_desk_that_shares_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "d.sqlite3")
    with _desk(store) as desk:
        received = list(desk.receive_many(_intakes(), now=NOW))
    assert all(not isinstance(c, Exception) for c in received)
    rungs = {c.state.rung for c in received if not isinstance(c, Exception)}
    assert len(rungs) > 1  # the complaints about the project manager went higher
    with SqliteStore(tmp_path / "d.sqlite3") as again:
        stored = {r.id: r for r in again.rows()}
        assert len(stored) == len(received)
        due = 0
        for cid, row in stored.items():
            fresh = _desk(again)  # a new desk for each complaint: nothing shared
            expected = fresh._projection.row(again.load(cid), NOW)
            assert row == expected, cid
            due += expected.next_due is not None
        assert due  # the comparison covers due times, not only their absence


class _ListDirectory:
    """Hands back the list it holds now, as a host's directory would: a new one
    when replaced, the same one when edited in place."""

    def __init__(self, members: Iterable[StaffMember]) -> None:
        self.current: list[StaffMember] = list(members)

    def get(self, staff_id: str) -> StaffMember | None:
        return next((m for m in self.current if m.staff_id == staff_id), None)

    def members(self) -> list[StaffMember]:
        return self.current


def test_a_changed_directory_routes_anew_within_one_instant(tmp_path: Path) -> None:
    sample = list(load_sample_staff(pack=PACK).members())
    staff = StaffList(sample)
    directory = _ListDirectory(sample)
    store = SqliteStore(tmp_path / "d.sqlite3")
    desk = Desk(
        pack=PACK, store=store, directory=directory, calendar=calendar_for_spec(PACK.calendar)
    )
    with desk:
        first = desk.receive(_intakes()[1], now=NOW)
        assert staff.get(first.state.handler) is not None
        # the handler leaves: the directory hands back a new list without them
        directory.current = [m for m in sample if m.staff_id != first.state.handler]
        second = desk.receive(attrs.evolve(_intakes()[1], summary="楼上又漏水"), now=NOW)
        assert second.state.handler
        assert second.state.handler != first.state.handler


@pytest.mark.procedure("IN-2")
def test_a_directory_that_updates_one_list_in_place_is_read_afresh(tmp_path: Path) -> None:
    """docs/hooks.md: the desk asks the directory on every command, so a transfer,
    a new hire or a new estate counts at once, also when the host's directory
    keeps one list and edits it (IN-2: no site may refuse a complaint)."""
    directory = _ListDirectory(load_sample_staff(pack=PACK).members())
    desk = Desk(
        pack=PACK,
        store=SqliteStore(tmp_path / "d.sqlite3"),
        directory=directory,
        calendar=calendar_for_spec(PACK.calendar),
    )
    with desk:
        first = desk.receive(_intakes()[1], now=NOW)
        moved = first.state.handler
        # the handler transfers to another estate: the same list, one entry replaced
        at = next(i for i, m in enumerate(directory.current) if m.staff_id == moved)
        directory.current[at] = attrs.evolve(directory.current[at], site="riverside")
        second = desk.receive(attrs.evolve(_intakes()[1], summary="楼上又漏水"), now=NOW)
        assert second.state.handler
        assert second.state.handler != moved
        # a new estate opens with its own receptionist, appended to the same list
        receptionist = directory.get("SR-103")
        assert receptionist is not None
        directory.current.append(attrs.evolve(receptionist, staff_id="LK-103", site="lakeside"))
        lakeside = attrs.evolve(_intakes()[1], site="lakeside", receiver="LK-103")
        assert desk.receive(lakeside, now=NOW).intake.site == "lakeside"


def test_complaints_alike_but_for_their_rung_keep_their_own_due_times(tmp_path: Path) -> None:
    """Two histories of the same shape, one at the top rung: past their deadlines,
    only the other can still be escalated.  Both are due for the next sweep (one to
    escalate, the other to tell its holder, DL-7); once swept, only the other is."""
    received = NOW - timedelta(days=20)

    def complaint(n: int, building: str, **kw: object) -> Intake:
        return Intake(
            complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"{building}-2-1201", building),
            channel="phone",
            received_at=received,
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
            **kw,  # type: ignore[arg-type]
        )

    store = SqliteStore(tmp_path / "d.sqlite3")
    with _desk(store) as desk:
        top = desk.receive(
            complaint(1, "5", target=about("SR-001", "project_manager")), now=received
        )
        lower = desk.receive(complaint(2, "3"), now=received)
        assert top.state.rung == PACK.top_rung.code != lower.state.rung
        # the top one first: the other must not take its answer
        top = desk.act(top.id, AttachEvidence(actor="HQ-002", reference="photo"), now=NOW)
        lower = desk.act(lower.id, AttachEvidence(actor="SR-201", reference="photo"), now=NOW)
        assert [e.kind for e in top.events] == [e.kind for e in lower.events]
        rows = {r.id: r for r in store.rows()}
    assert rows[lower.id].next_due == rows[top.id].next_due == NOW
    with SqliteStore(tmp_path / "d.sqlite3") as again:
        for cid in (top.id, lower.id):
            assert rows[cid] == _desk(again)._projection.row(again.load(cid), NOW)
        fresh = _desk(again)  # the top one first: the other must not take its answer
        swept = {
            cid: fresh._projection.row(again.load(cid), NOW, swept=True)
            for cid in (top.id, lower.id)
        }
    assert swept[lower.id].next_due == NOW  # breached and escalable: still due
    due = swept[top.id].next_due  # its holder told: due at its next deadline
    assert due is not None
    assert due > NOW


def test_complaints_alike_but_received_at_other_times_keep_their_own_due_times(
    tmp_path: Path,
) -> None:
    """An import: complaints of one shape, entered together, received that morning at
    different hours.  Their clocks started by the receipt (IN-5, DL-1, DL-6) are their
    own, so each next due time is its own: the batch shares the rest and adds those."""
    entered = T0 + timedelta(days=3, hours=8)  # Monday 17 November 2025, 17:30

    def complaint(n: int) -> Intake:
        return Intake(
            complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"{n + 1}-1-601", str(n + 1)),
            channel="phone",
            received_at=entered - timedelta(hours=1 + n),  # each in a building of its own
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
        )

    store = SqliteStore(tmp_path / "d.sqlite3")
    with _desk(store) as desk:
        received = list(desk.receive_many([complaint(n) for n in range(6)], now=entered))
    assert all(not isinstance(c, Exception) for c in received)
    with SqliteStore(tmp_path / "d.sqlite3") as again:
        rows = {r.id: r for r in again.rows()}
        dues = [rows[c.id].next_due for c in received if not isinstance(c, Exception)]
        assert None not in dues
        assert len(set(dues)) == len(dues)  # the receipt decides it: one each
        for cid, row in rows.items():
            assert row == _desk(again)._projection.row(again.load(cid), entered), cid


def test_a_duty_started_by_a_receipt_bound_breach_is_each_complaints_own(
    tmp_path: Path,
) -> None:
    """A duty a breach of a receipt-bound clock starts (a call owed once the reply
    deadline has passed) runs for a complaint received long enough ago and not for
    one just in, though their histories share their shape: the first of the batch,
    just in, must not lend its unstarted duty to the others."""
    call = DutySpec(
        name="late_reply_call",
        zh="回复超时回访",
        en="call the complainant once the reply is late",
        start=("breached:reply",),
        stop=("replied",),
        mode=ClockMode.WORKING_DAYS,
        duration=Duration(days=2),
        escalate_on_breach=False,
        owner_handler=True,
    )
    pack = attrs.evolve(PACK, duties=(*PACK.duties, call))
    entered = T0 + timedelta(days=10, hours=2)  # Monday 24 November 2025, 11:30
    ages = (timedelta(hours=1), timedelta(days=4), timedelta(days=6), timedelta(days=7))

    def complaint(n: int, age: timedelta) -> Intake:
        return Intake(
            complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"{n + 1}-1-601", str(n + 1)),
            channel="phone",
            received_at=entered - age,
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
            # at the top rung: a breach escalates no further, so the due time is
            # the duty's or a clock's, not "now"
            target=about("SR-001", "project_manager"),
        )

    def desk_of(store: SqliteStore) -> Desk:
        return Desk(
            pack=pack,
            store=store,
            directory=load_sample_staff(pack=pack),
            calendar=calendar_for_spec(pack.calendar),
        )

    store = SqliteStore(tmp_path / "d.sqlite3")
    with desk_of(store) as desk:
        intakes = [complaint(n, age) for n, age in enumerate(ages)]
        received = [c for c in desk.receive_many(intakes, now=entered) if isinstance(c, Complaint)]
        assert len(received) == len(ages)
        owed = [desk.duties(c.id, now=entered) for c in received]
    started = [any(d.name == call.name and d.owed for d in ds) for ds in owed]
    assert started[0] is False
    assert any(started[1:])
    with SqliteStore(tmp_path / "d.sqlite3") as again:
        for row in again.rows():
            assert row == desk_of(again)._projection.row(again.load(row.id), entered), row.id


def test_the_next_due_time_is_the_earliest_of_every_clock_whatever_their_order(
    tmp_path: Path,
) -> None:
    """With nothing breached, the stored next due time is the earliest at-risk or due
    time still to come among the complaint's clocks and duties, as ``Desk.clocks``
    and ``Desk.duties`` give them one by one.  The pack lists its month-long clock
    first: a complaint's own deadlines must all be read, not the first that has a time."""
    month_first = sorted(PACK.clocks, key=lambda c: c.name != "major_by_age")
    pack = attrs.evolve(PACK, clocks=tuple(month_first))
    entered = T0 + timedelta(days=3, hours=8)  # Monday 17 November 2025, 17:30

    def complaint(n: int) -> Intake:
        return Intake(
            complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"{n + 1}-1-601", str(n + 1)),
            channel="phone",
            received_at=entered - timedelta(hours=1 + 2 * n),
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
        )

    desk = Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "d.sqlite3"),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    with desk:
        received = list(desk.receive_many([complaint(n) for n in range(4)], now=entered))
        for c in received:
            assert isinstance(c, Complaint)
            statuses = [*desk.clocks(c.id, entered), *(d.clock for d in desk.duties(c.id, entered))]
            assert not any(s.is_breached for s in statuses)
            times = [
                t
                for s in statuses
                if s.is_open
                for t in (s.at_risk_from, s.due)
                if t is not None and t > entered
            ]
            assert desk.store.row(c.id).next_due == min(times), c.id


@settings(max_examples=25, deadline=None)
@given(
    hours=st.lists(st.integers(min_value=0, max_value=24 * 12), min_size=2, max_size=6),
    top=st.booleans(),
)
def test_the_stored_next_due_time_is_when_a_sweep_next_acts(hours: list[int], top: bool) -> None:
    """Law: for complaints imported together, received any number of hours before,
    the stored next due time is the earliest of each open, running deadline's
    at-risk or due time still to come, or now for a breach a sweep would still
    escalate (below the top rung, not escalated yet) or tell its holder of (at the
    top rung) or a deadline at risk already (nobody warned yet) -- read from ``Desk.clocks``
    and ``Desk.duties``, which share nothing between complaints."""
    entered = T0 + timedelta(days=12, hours=8)  # Wednesday 26 November 2025, 17:30
    target = about("SR-001", "project_manager") if top else None
    intakes = [
        Intake(
            complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"{n + 1}-1-601", str(n + 1)),
            channel="phone",
            received_at=entered - timedelta(hours=h),
            receiver="SR-103",
            summary="楼上漏水，天花板渗水",
            site="sunrise",
            target=target,
        )
        for n, h in enumerate(hours)
    ]
    desk = _desk(MemoryStore())
    for c in desk.receive_many(intakes, now=entered):
        assert isinstance(c, Complaint)
        times = []
        for s in [*desk.clocks(c.id, entered), *(d.clock for d in desk.duties(c.id, entered))]:
            if not s.is_open or s.state is ClockState.PAUSED:
                continue
            times += [t for t in (s.at_risk_from, s.due) if t is not None and t > entered]
            if s.is_breached:
                times.append(entered)  # nothing escalated, nor told at the top rung, yet
            if s.state is ClockState.AT_RISK:
                times.append(entered)  # nobody has been warned yet (DL-7)
        assert desk.store.row(c.id).next_due == min(times, default=None), c.id
