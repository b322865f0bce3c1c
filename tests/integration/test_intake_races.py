"""Intake racing another process's commits (s26C F02, F04).

Another process (a web app, a phone desk, an import) commits between the moment
an intake reads the store and the moment it writes.  A bulk row then refused
for an idempotency key taken meanwhile must leave the earlier complaints as
they were (F04); two complaints of one matter stored at the same moment must
still form the concentrated issue, or the group incident, their complainants
make (F02, HDL-5, HDL-6).  Each race is staged by running the other process's
commit at the point where the real one would land: right before this desk's
write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import IdempotencyConflictError
from complaintcore.core.models import Complainant, Complaint, Grouped, Intake, Linked
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 3, 10, 0, tzinfo=SH)
LEAK = "9号楼水管漏水"


def owner(n: int, building: str = "9") -> Complainant:
    return Complainant(
        f"业主{n}", f"139000000{n:02d}", f"{building}-1-{n:02d}01", building, "sunrise"
    )


def intake(who: Complainant, at: datetime, summary: str = LEAK, **kw: object) -> Intake:
    return Intake(
        complainant=who,
        channel="phone",
        received_at=at,
        receiver="SR-103",
        summary=summary,
        site="sunrise",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desks(tmp_path: Path, notes: RecordingNotifier) -> Iterator[tuple[Desk, Desk]]:
    """This process's desk and another process's, on one SQLite file (one channel)."""
    path = tmp_path / "desk.sqlite3"
    with (
        make_desk(store=SqliteStore(path), notifiers=[notes]) as mine,
        make_desk(store=SqliteStore(path), notifiers=[notes]) as other,
    ):
        yield mine, other


def told(desk: Desk, notes: RecordingNotifier, topic: str) -> list[str]:
    """Who got ``topic``, once the outbox (every process's) is sent."""
    desk.deliver(T0 + timedelta(days=30))
    return sorted(n.recipient for n, _ in notes.sent if n.topic == topic)


def before_write(
    monkeypatch: pytest.MonkeyPatch, store: Any, name: str, meanwhile: Callable[[], None]
) -> None:
    """Run ``meanwhile`` (the other process's commit) once, right before ``store.name``
    writes: after this desk has read and decided."""
    write = getattr(store, name)
    done: list[bool] = []

    def raced(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            meanwhile()
        return write(*args, **kwargs)

    monkeypatch.setattr(store, name, raced)


def events_of(desk: Desk, cid: str) -> list[str]:
    return [type(e).__name__ for e in desk.get(cid).events]


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_row_refused_for_a_key_taken_meanwhile_marks_no_earlier_raising(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner raised the matter twice (3 and 5 Nov); his third raising is refused:
    two raisings are below cn-property's threshold of three, nothing is marked."""
    desk, web = desks
    zhao = owner(77)
    earlier = [
        desk.receive(
            intake(zhao, T0 + timedelta(days=d), "厨房水管漏水"), now=T0 + timedelta(days=d)
        )
        for d in (0, 2)
    ]
    histories = {c.id: events_of(desk, c.id) for c in earlier}
    at = T0 + timedelta(days=4)
    third = intake(zhao, at, "厨房水管第三次漏水", idempotency_key="web-42")
    stranger = intake(owner(88, "3"), at, "门禁坏了", idempotency_key="web-42")
    before_write(monkeypatch, desk.store, "create_many", lambda: web.receive(stranger, now=at).id)
    (receipt,) = desk.receive_each([third], now=at)
    assert isinstance(receipt.failure, IdempotencyConflictError)
    assert {c.id: events_of(desk, c.id) for c in earlier} == histories  # untouched
    for c in earlier:
        assert not any(isinstance(e, Linked) and e.raised_repeatedly for e in desk.get(c.id).events)


@pytest.mark.procedure("HDL-5")
def test_a_row_refused_for_a_key_taken_meanwhile_groups_no_one(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two owners of building 9 (5 and 6 Nov) and a refused third: two complainants
    are below min_complainants = 3, so there is no issue."""
    desk, web = desks
    earlier = [
        desk.receive(intake(owner(n), T0 + timedelta(days=d)), now=T0 + timedelta(days=d))
        for n, d in ((71, 2), (72, 3))
    ]
    at = T0 + timedelta(days=4)
    third = intake(owner(79), at, idempotency_key="web-42")
    stranger = intake(owner(88, "3"), at, "门禁坏了", idempotency_key="web-42")
    before_write(monkeypatch, desk.store, "create_many", lambda: web.receive(stranger, now=at).id)
    (receipt,) = desk.receive_each([third], now=at)
    assert isinstance(receipt.failure, IdempotencyConflictError)
    for c in earlier:
        stored = desk.get(c.id)
        assert stored.version == c.version
        assert stored.state.issue == ""
        assert not any(isinstance(e, Grouped) for e in stored.events)


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("HDL-5")
def test_two_complaints_stored_at_the_same_moment_form_the_issue_of_their_three_owners(
    desks: tuple[Desk, Desk], notes: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One owner of building 9 complained at 10:00; two more call at 10:05 and 10:06,
    each process reading before the other commits.  3 complainants within 72 h in
    one building are one issue (cn-property min_complainants = 3), named after the
    earliest; customer service at the site (SR-001, SR-101, SR-102, SR-103, all on
    duty on a Monday at 10:05) is told once."""
    desk, phone_desk = desks
    first = desk.receive(intake(owner(1), T0), now=T0)
    second_at, third_at = T0 + timedelta(minutes=5), T0 + timedelta(minutes=6)
    third: list[Complaint] = []
    before_write(
        monkeypatch,
        desk.store,
        "create",
        lambda: third.append(phone_desk.receive(intake(owner(3), third_at), now=third_at)),
    )
    second = desk.receive(intake(owner(2), second_at), now=second_at)
    assert third[0].state.issue == ""  # the other process saw two complainants
    issue = f"I-{first.id}"
    assert second.state.issue == issue  # the receipt is the complaint as grouped
    assert [desk.get(c.id).state.issue for c in (first, second, third[0])] == [issue] * 3
    assert told(desk, notes, "concentrated_issue") == ["SR-001", "SR-101", "SR-102", "SR-103"]
    assert desk.verify(T0 + timedelta(hours=1)).ok


@pytest.mark.procedure("HDL-6")
def test_a_batch_and_a_receipt_stored_at_the_same_moment_make_the_group_incident(
    desks: tuple[Desk, Desk], notes: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three owners (10:00, 10:05, 10:10) are an issue; the fourth comes in a bulk
    import (10:15) while the web app stores the fifth (10:16).  5 complainants within
    24 h are a group incident (group_complainants = 5): every member is flagged and
    at the project manager's rung, and the project manager (SR-001) is told once."""
    desk, web = desks
    times = {n: T0 + timedelta(minutes=5 * (n - 1)) for n in (1, 2, 3)}
    stored = [desk.receive(intake(owner(n), t), now=t) for n, t in times.items()]
    assert {desk.get(c.id).state.issue for c in stored} == {f"I-{stored[0].id}"}
    fourth_at, fifth_at = T0 + timedelta(minutes=15), T0 + timedelta(minutes=16)
    fifth: list[Complaint] = []
    before_write(
        monkeypatch,
        desk.store,
        "create_many",
        lambda: fifth.append(web.receive(intake(owner(5), fifth_at), now=fifth_at)),
    )
    (receipt,) = desk.receive_each([intake(owner(4), fourth_at)], now=fourth_at)
    assert receipt.complaint is not None
    assert not fifth[0].state.group_incident  # the web app saw four complainants
    assert receipt.complaint.state.group_incident
    for c in [*stored, receipt.complaint, fifth[0]]:
        now = desk.get(c.id)
        assert (now.state.issue, now.state.group_incident) == (f"I-{stored[0].id}", True)
        assert now.state.rung == "project_manager"
    assert told(desk, notes, "group_incident") == ["SR-001"]
    assert desk.verify(T0 + timedelta(hours=1)).ok


@pytest.mark.procedure("HDL-6")
def test_two_batches_each_forming_an_issue_of_one_group_both_become_the_group_incident(
    desks: tuple[Desk, Desk], notes: RecordingNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Owners 1-3 (10:00-10:02) come in this desk's import, owners 4-6 (10:03-10:05)
    in another process's, stored while this one drafts (SQLite has no group lock).
    Each batch saw only its own three, so each forms an issue (min_complainants = 3):
    I-<owner 1's> and I-<owner 4's>; members never move.  But the building has 6
    complainants within 24 h (group_complainants = 5): HDL-6 counts the group, not
    the issue, so all six are flagged and at the project manager's rung (s26J F02)."""
    desk, other = desks
    at = {n: T0 + timedelta(minutes=n - 1) for n in range(1, 7)}
    theirs: list[Complaint] = []

    def import_theirs() -> None:
        for r in other.receive_each([intake(owner(n), at[n]) for n in (4, 5, 6)], now=at[6]):
            assert r.complaint is not None
            theirs.append(r.complaint)

    before_write(monkeypatch, desk.store, "create_many", import_theirs)
    mine = [
        r.complaint
        for r in desk.receive_each([intake(owner(n), at[n]) for n in (1, 2, 3)], now=at[3])
    ]
    assert all(c is not None and not c.state.group_incident for c in theirs)  # 3 < 5 alone
    assert all(c is not None and c.state.group_incident for c in mine)  # receipts as flagged
    ours = [c.id for c in mine if c is not None]
    for members in (ours, [c.id for c in theirs]):
        for cid in members:
            now = desk.get(cid)
            assert (now.state.issue, now.state.group_incident) == (f"I-{members[0]}", True)
            assert now.state.rung == "project_manager"
    # the project manager (SR-001) is told of each of the six, as their escalation
    desk.deliver(T0 + timedelta(days=30))
    told_pm = [n for n, _ in notes.sent if n.recipient == "SR-001" and n.topic == "assigned"]
    assert len(told_pm) == 6
    assert desk.verify(T0 + timedelta(hours=1)).ok


# --------------------------------------------------------------------------- s31A F02


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
@pytest.mark.parametrize("one_desk", [True, False], ids=["one desk", "a desk per request"])
def test_threads_of_one_process_group_one_matter_one_after_another(
    desks: tuple[Desk, Desk],
    notes: RecordingNotifier,
    monkeypatch: pytest.MonkeyPatch,
    one_desk: bool,
) -> None:
    """A web app's two request threads import owners 1-3 (10:00-10:02) and owners 4-6
    (10:03-10:05) of building 9 at the same time, on one desk object or on a desk
    object each.  The second thread starts while the first has drafted and not
    stored; it must wait for it, then join its issue: one issue for the matter
    (HDL-5: one unified explanation), named after owner 1's complaint, six
    complainants within 24 h a group incident (group_complainants = 5), and the
    project manager SR-001 told of it once (HDL-6), as one thread would have it
    (docs/desk.md: threads of one process are not affected)."""
    desk, other = desks
    second = desk if one_desk else other
    at = {n: T0 + timedelta(minutes=n - 1) for n in range(1, 7)}
    theirs: list[Complaint] = []

    def second_thread() -> None:
        for r in second.receive_each([intake(owner(n), at[n]) for n in (4, 5, 6)], now=at[6]):
            assert r.complaint is not None
            theirs.append(r.complaint)

    worker = threading.Thread(target=second_thread)

    def start_the_second_request() -> None:
        worker.start()
        worker.join(timeout=1.0)  # it may not get past this thread's grouping: go on

    before_write(monkeypatch, desk.store, "create_many", start_the_second_request)
    mine = [
        r.complaint
        for r in desk.receive_each([intake(owner(n), at[n]) for n in (1, 2, 3)], now=at[3])
    ]
    worker.join(timeout=30)
    assert not worker.is_alive()
    everyone = [c.id for c in mine if c is not None] + [c.id for c in theirs]
    assert len(everyone) == 6
    issue = f"I-{everyone[0]}"
    for cid in everyone:
        now = desk.get(cid)
        assert (now.state.issue, now.state.group_incident) == (issue, True)
    assert told(desk, notes, "group_incident") == ["SR-001"]
    assert desk.verify(T0 + timedelta(hours=1)).ok


# --------------------------------------------------------------------------- s31D F04


def raisings_at_once(
    desks: tuple[Desk, Desk],
    monkeypatch: pytest.MonkeyPatch,
    first: Complainant,
    app_user: Complainant,
    hotline_user: Complainant,
) -> list[tuple[int, bool]]:
    """``first`` reported a ceiling leak on Mon 3 Nov; on Thu 6 Nov the app (another
    thread, another desk object) and the hotline take the next two raisings at the
    same moment, the app's starting while the hotline's has linked and not stored.
    The (raisings, raised repeatedly) each new complaint was linked with."""
    desk, app = desks
    desk.receive(intake(first, T0, "客厅天花板漏水"), now=T0)
    at = T0 + timedelta(days=3)
    theirs: list[Complaint] = []
    worker = threading.Thread(
        target=lambda: theirs.append(app.receive(intake(app_user, at, "天花板又漏水了"), now=at))
    )

    def start_the_app_request() -> None:
        worker.start()
        worker.join(timeout=1.0)  # it may not get past this request's linking: go on

    before_write(monkeypatch, desk.store, "create", start_the_app_request)
    mine = desk.receive(intake(hotline_user, at, "天花板还在漏水"), now=at)
    worker.join(timeout=30)
    assert not worker.is_alive()
    return sorted(
        (e.raisings, e.raised_repeatedly)
        for c in (mine, theirs[0])
        for e in desk.get(c.id).events
        if isinstance(e, Linked) and e.repeated_by == ""
    )


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_two_raisings_by_one_owner_without_a_building_at_once_count_one_after_another(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """王小明 (room 1-1-101, no building given) raises the matter a second and a third
    time at once.  The second waits for the first: three raisings of one matter
    within 90 days, so the later one is raised repeatedly (cn-property [repeats]
    threshold = 3; docs/desk.md: the third time) (s31D F04)."""
    wang = Complainant("王小明", "13812345678", "1-1-101", "", "sunrise")
    assert raisings_at_once(desks, monkeypatch, wang, wang, wang) == [(2, False), (3, True)]


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_two_raisings_about_one_room_by_two_people_at_once_count_one_after_another(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After 王小明 (room 1-1-101, no building given), his wife through the app and his
    son through the hotline report the leak at the same moment (other phones, the
    same room).  Repeats are linked about the same room (docs/desk.md), so the
    second waits for the first: three raisings of the room's matter within 90
    days, and the later one is raised repeatedly (cn-property [repeats] threshold
    = 3) (s31G F06)."""
    room = "1-1-101"
    wang = Complainant("王小明", "13812345678", room, "", "sunrise")
    wife = Complainant("李芳", "13912345678", room, "", "sunrise")
    son = Complainant("王磊", "13712345678", room, "", "sunrise")
    assert raisings_at_once(desks, monkeypatch, wang, wife, son) == [(2, False), (3, True)]


# --------------------------------------------------------------------------- s34E F01


def stored_ids(desk: Desk) -> set[str]:
    return {c.id for c in desk.store.complaints()}


def named_ids(complaint: Complaint) -> set[str]:
    """Every complaint id the complaint's links and issue name."""
    named: set[str] = set()
    for e in complaint.events:
        if isinstance(e, Linked):
            named.update((*e.same_complainant, *e.same_room, *e.same_matter))
            if e.repeated_by:
                named.add(e.repeated_by)
        if isinstance(e, Grouped):
            named.update((e.issue.removeprefix("I-"), *e.members))
    return named


def ids_of_every_stored_link(desk: Desk) -> set[str]:
    return {cid for c in desk.store.complaints() for cid in named_ids(c)}


@pytest.mark.procedure("IMP-3")
@pytest.mark.procedure("GRD-2")
def test_a_batch_raising_whose_key_another_process_stores_meanwhile_leaves_no_phantom_link(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An owner's leak raised three times (3, 4 and 5 Nov) comes in one import; the
    web app stores the first raising under its key while the import drafts.  The
    first is then the web app's complaint; the later two link to it, not to the
    draft that was never stored, and it is marked raised repeatedly (3 raisings:
    cn-property's threshold), as three receipts one at a time would have it."""
    desk, web = desks
    zhao = owner(61)
    rows = [
        intake(zhao, T0 + timedelta(days=d), "厨房水管漏水", idempotency_key=f"K-{d}")
        for d in (0, 1, 2)
    ]
    now = T0 + timedelta(days=2, hours=1)
    theirs: list[Complaint] = []
    before_write(
        monkeypatch, desk.store, "create_many", lambda: theirs.append(web.receive(rows[0], now=now))
    )
    first, second, third = desk.receive_each(rows, now=now)
    assert first.duplicate
    assert first.complaint is not None
    assert first.complaint.id == theirs[0].id
    assert ids_of_every_stored_link(desk) <= stored_ids(desk)
    for receipt, earlier in ((second, [theirs[0].id]), (third, None)):
        assert receipt.complaint is not None
        assert not receipt.duplicate
        linked = next(e for e in desk.get(receipt.complaint.id).events if isinstance(e, Linked))
        expected = earlier if earlier is not None else [second.complaint.id, theirs[0].id]
        assert list(linked.same_complainant) == expected
    assert [e.raisings for e in desk.get(third.complaint.id).events if isinstance(e, Linked)] == [3]
    marked = desk.get(theirs[0].id)
    assert any(isinstance(e, Linked) and e.raised_repeatedly for e in marked.events)
    assert desk.verify(now).ok


@pytest.mark.procedure("HDL-5")
def test_a_batch_complaint_whose_key_another_process_stores_meanwhile_names_no_issue(
    desks: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three owners of building 9 report one leak (10:00, 10:05, 10:10) in one import;
    the web app stores the first under its key meanwhile.  The issue (3 complainants:
    min_complainants = 3) holds all three and is named after the web app's complaint,
    the earliest, not after a draft never stored."""
    desk, web = desks
    rows = [
        intake(owner(n), T0 + timedelta(minutes=5 * (n - 1)), idempotency_key=f"W-{n}")
        for n in (1, 2, 3)
    ]
    now = T0 + timedelta(hours=1)
    theirs: list[Complaint] = []
    before_write(
        monkeypatch, desk.store, "create_many", lambda: theirs.append(web.receive(rows[0], now=now))
    )
    receipts = list(desk.receive_each(rows, now=now))
    assert [r.duplicate for r in receipts] == [True, False, False]
    assert ids_of_every_stored_link(desk) <= stored_ids(desk)
    issue = f"I-{theirs[0].id}"
    members = [r.complaint.id for r in receipts if r.complaint is not None]
    assert [desk.get(cid).state.issue for cid in members] == [issue] * 3
    assert sorted(row.id for row in desk.issue(issue)) == sorted(members)
    assert desk.verify(now).ok
