"""A store that fails part-way (a killed session, a failover, a lock timeout) is
never taken for a clean result by the desk.

Intake marks the earlier raisings of a matter raised repeatedly (GRD-2, IMP-3)
and links the stored members of a concentrated issue (HDL-5) after the new
complaint is stored, each in its own transaction: a store failure there is
logged as a WARNING naming what was left, the receipt stands (failing it would
have the complaint typed in again, twice), and the next raising of the matter,
or the group's next complaint, marks what was left.  ``verify(now)`` and
``reproject`` raise a failed read instead of passing the complaint by.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.errors import ConnectionLostError, StoreError
from complaintcore.core.models import Complainant, Complaint, Event, Fact, Grouped
from complaintcore.core.workflow import Classify
from complaintcore.desk import Desk
from complaintcore.desk.importer import FileImport
from complaintcore.desk.ports import ComplaintRow, Notification
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.integration.test_repeats_at_the_desk import OWNER, T0, intake, links

LOST = "lost the connection during the operation; try again"


class FailingStore(MemoryStore):
    """The memory store, but loading or appending the complaints named fails as a
    server's store would when its session is killed."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_load: set[str] = set()
        self.fail_append: set[str] = set()

    def load(self, complaint_id: str) -> Complaint:
        if complaint_id in self.fail_load:
            raise StoreError("postgresql://db/desk", LOST)
        return super().load(complaint_id)

    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
    ) -> None:
        if complaint_id in self.fail_append:
            raise StoreError("postgresql://db/desk", LOST)
        super().append(complaint_id, expected_version, events, row, outbox)


@pytest.fixture
def store() -> FailingStore:
    return FailingStore()


@pytest.fixture
def desk(store: FailingStore) -> Iterator[Desk]:
    with make_desk(store=store) as d:
        yield d


def receive(desk: Desk, who: Complainant, days: float, key: str, **kw: object) -> Complaint:
    at = T0 + timedelta(days=days)
    return desk.receive(intake(who, at, idempotency_key=key, **kw), now=at, validity="valid")


def marks(c: Complaint) -> list[tuple[str, int]]:
    """Who marked a complaint raised repeatedly, and at which raising."""
    return [(e.repeated_by, e.raisings) for e in links(c) if e.repeated_by]


# --------------------------------------------------------------------------- GRD-2


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
def test_a_failure_marking_an_earlier_raising_is_logged_and_the_next_raising_marks_it(
    desk: Desk, store: FailingStore, caplog: pytest.LogCaptureFixture
) -> None:
    first = receive(desk, OWNER, 0, "k1")
    second = receive(desk, OWNER, 10, "k2")
    store.fail_append = {first.id}
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        third = receive(desk, OWNER, 20, "k3").id  # the third raising: cn-property's threshold
    assert [r.id for r in desk.rows() if r.id not in (first.id, second.id)] == [third]
    assert f"{first.id} not marked as raised again by {third}" in caplog.text
    assert f"{third}: earlier raisings left unmarked" in caplog.text
    assert {r.levelname for r in caplog.records} == {"WARNING"}
    assert marks(desk.get(second.id)) == [(third, 3)]  # most recent first: marked
    assert marks(desk.get(first.id)) == []  # the failure: not marked yet
    # a retry of the submission returns the stored complaint, writing nothing
    assert receive(desk, OWNER, 20, "k3").id == third

    store.fail_append = set()
    fourth = receive(desk, OWNER, 30, "k4")
    assert marks(desk.get(first.id)) == [(fourth.id, 4)]  # repaired by the next raising
    assert Fact.RAISED_REPEATEDLY in desk.get(first.id).state.facts
    assert marks(desk.get(second.id)) == [(third, 3)]  # marked once, not again


@pytest.mark.procedure("GRD-2")
def test_an_earlier_raising_not_read_fails_the_intake_before_it_is_stored(
    desk: Desk, store: FailingStore
) -> None:
    """Whether the matter's promise was kept is read from the earlier raisings; one
    that cannot be read is no promise kept: the intake fails, nothing is stored."""
    first = receive(desk, OWNER, 0, "k1")
    receive(desk, OWNER, 10, "k2")
    store.fail_load = {first.id}
    with pytest.raises(StoreError, match="lost the connection"):
        receive(desk, OWNER, 20, "k3")
    assert len(desk.rows()) == 2

    store.fail_load = set()
    third = receive(desk, OWNER, 20, "k3")  # the retry does it all
    assert marks(desk.get(first.id)) == [(third.id, 3)]


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("IMP-3")
def test_bulk_intake_reports_its_batch_and_logs_the_failure_marking(
    desk: Desk, store: FailingStore, caplog: pytest.LogCaptureFixture
) -> None:
    first = receive(desk, OWNER, 0, "k1")
    receive(desk, OWNER, 10, "k2")
    store.fail_append = {first.id}
    at = T0 + timedelta(days=20)
    other = Complainant("赵强", "13700002222", "3-1-0502", "3", "sunrise")
    batch = [intake(OWNER, at, idempotency_key="k3"), intake(other, at, summary="电梯异响")]
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        receipts = list(desk.receive_each(batch, now=at, validity="valid"))
    assert f"{first.id} not marked as raised again by" in caplog.text
    assert [(r.complaint is not None, r.duplicate, r.failure) for r in receipts] == [
        (True, False, None),
        (True, False, None),
    ]
    assert len(desk.rows()) == 4


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("HDL-5")
def test_in_bulk_a_failure_linking_one_member_leaves_other_matters_marked(
    desk: Desk, store: FailingStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Each member and each earlier raising is its own transaction: one that fails
    (an issue member of building 5) leaves the others, another owner's matter,
    marked (review s25J F05)."""
    neighbours = [
        Complainant(f"业主{i}", f"1391234000{i}", f"5-1-30{i}", "5", "sunrise") for i in range(3)
    ]
    g1 = receive(desk, neighbours[0], 20, "g1")
    receive(desk, neighbours[1], 20.1, "g2")
    m1 = receive(desk, OWNER, 0, "m1")
    m2 = receive(desk, OWNER, 10, "m2")
    store.fail_append = {g1.id}
    at = T0 + timedelta(days=20.2)
    batch = [
        intake(OWNER, at, idempotency_key="m3"),
        intake(neighbours[2], at, idempotency_key="g3"),
    ]
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        receipts = list(desk.receive_each(batch, now=at, validity="valid"))
    assert [r.failure for r in receipts] == [None, None]
    third = receipts[0].complaint
    assert third is not None
    assert marks(desk.get(m1.id)) == [(third.id, 3)]
    assert marks(desk.get(m2.id)) == [(third.id, 3)]
    assert f"{g1.id} not linked to issue" in caplog.text
    assert desk.get(g1.id).state.issue == ""


# --------------------------------------------------------------------------- HDL-5


@pytest.mark.procedure("HDL-5")
def test_a_failure_linking_an_issue_member_is_logged_and_the_group_s_next_links_it(
    desk: Desk, store: FailingStore, caplog: pytest.LogCaptureFixture
) -> None:
    """cn-property: three complainants of one building and category within 72 hours
    are a concentrated issue; the third links the two stored before it."""
    neighbours = [
        Complainant(f"业主{i}", f"1391234000{i}", f"5-1-30{i}", "5", "sunrise") for i in range(4)
    ]
    one = receive(desk, neighbours[0], 0, "n0")
    two = receive(desk, neighbours[1], 0.1, "n1")
    store.fail_append = {two.id}
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        three = receive(desk, neighbours[2], 0.2, "n2")
    assert desk.get(three.id).state.issue  # the receipt stands
    assert f"{two.id} not linked to issue" in caplog.text
    issue = desk.get(one.id).state.issue
    assert issue  # the member before the failure's (oldest first): linked
    assert desk.get(two.id).state.issue == ""

    store.fail_append = set()
    receive(desk, neighbours[3], 0.3, "n3")
    assert desk.get(two.id).state.issue == issue  # the group's next complaint linked it


class FailingSqliteStore(SqliteStore):
    """A real SQLite file whose appends of the complaints named fail: for good
    (``fail_append``), or once as a lost connection (``lose_once``); and whose
    reads of an issue's members fail (``fail_issue_rows``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.fail_append: set[str] = set()
        self.lose_once: set[str] = set()
        self.fail_issue_rows = False

    def append(
        self,
        complaint_id: str,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        outbox: Sequence[tuple[str, Notification]] = (),
    ) -> None:
        if complaint_id in self.lose_once:
            self.lose_once.discard(complaint_id)
            raise ConnectionLostError("postgresql://db/desk", LOST)
        if complaint_id in self.fail_append:
            raise StoreError("postgresql://db/desk", "is locked by another writer")
        super().append(complaint_id, expected_version, events, row, outbox)

    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        if self.fail_issue_rows:
            raise StoreError("postgresql://db/desk", "is locked by another writer")
        return super().issue_rows(issue)


@pytest.fixture
def on_file(tmp_path: Path) -> Iterator[tuple[Desk, FailingSqliteStore]]:
    store = FailingSqliteStore(tmp_path / "desk.sqlite3")
    try:
        with make_desk(store=store) as d:
            yield d, store
    finally:
        store.close()


def _two_stored(desk: Desk) -> tuple[list[Complainant], Complaint, Complaint]:
    """Two complainants of building 5 about the same leak: the third within 72 hours
    makes the group a concentrated issue (cn-property, HDL-5) and links both."""
    neighbours = [
        Complainant(f"业主{i}", f"1391234000{i}", f"5-1-30{i}", "5", "sunrise") for i in range(4)
    ]
    return (
        neighbours,
        receive(desk, neighbours[0], 0, "n0"),
        receive(desk, neighbours[1], 0.1, "n1"),
    )


@pytest.mark.procedure("HDL-5")
def test_a_member_left_out_by_a_store_failure_leaves_the_others_linked(
    on_file: tuple[Desk, FailingSqliteStore], caplog: pytest.LogCaptureFixture
) -> None:
    """The first member's link fails for good: the second is linked all the same,
    and the WARNING names the one left out (review s45C F02)."""
    desk, store = on_file
    neighbours, one, two = _two_stored(desk)
    store.fail_append = {one.id}
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        three = receive(desk, neighbours[2], 0.2, "n2")
    issue = desk.get(three.id).state.issue
    assert issue  # the receipt stands
    assert desk.get(two.id).state.issue == issue  # after the failure: linked
    assert desk.get(one.id).state.issue == ""
    assert f"{one.id} not linked to issue {issue}: " in caplog.text
    assert two.id not in caplog.text

    store.fail_append = set()
    receive(desk, neighbours[3], 0.3, "n3")
    assert desk.get(one.id).state.issue == issue  # the group's next complaint linked it
    assert desk.verify(T0 + timedelta(days=1)).ok


@pytest.mark.procedure("HDL-5")
def test_every_member_left_out_is_named(
    on_file: tuple[Desk, FailingSqliteStore], caplog: pytest.LogCaptureFixture
) -> None:
    desk, store = on_file
    neighbours, one, two = _two_stored(desk)
    store.fail_append = {one.id, two.id}
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        three = receive(desk, neighbours[2], 0.2, "n2")
    issue = desk.get(three.id).state.issue
    assert f"{one.id}, {two.id} not linked to issue {issue}: " in caplog.text
    assert (desk.get(one.id).state.issue, desk.get(two.id).state.issue) == ("", "")


@pytest.mark.procedure("HDL-5")
def test_a_member_whose_connection_was_lost_is_linked_on_the_second_try(
    on_file: tuple[Desk, FailingSqliteStore], caplog: pytest.LogCaptureFixture
) -> None:
    """A lost connection is tried again once, on the store's new connection: every
    member linked, nothing to warn about (review s45C F02)."""
    desk, store = on_file
    neighbours, one, two = _two_stored(desk)
    store.lose_once = {one.id, two.id}
    with caplog.at_level(logging.WARNING, "complaintcore.desk"):
        three = receive(desk, neighbours[2], 0.2, "n2")
    issue = desk.get(three.id).state.issue
    assert issue
    assert (desk.get(one.id).state.issue, desk.get(two.id).state.issue) == (issue, issue)
    assert store.lose_once == set()  # each failed once
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# ------------------------------------------------ HDL-5: members left out, linked later


def _rows_file(tmp_path: Path, rows: Sequence[tuple[Complainant, float, str]]) -> Path:
    """A JSONL import file of leak complaints, one row per (complainant, day, key)."""
    path = tmp_path / "night.jsonl"
    lines = []
    for who, days, key in rows:
        row = {
            "name": who.name,
            "phone": who.phone,
            "room": who.room,
            "building": who.building,
            "site": "sunrise",
            "channel": "phone",
            "summary": "楼上漏水，天花板渗水",
            "received_at": (T0 + timedelta(days=days)).isoformat(),
            "receiver": "SR-103",
            "idempotency_key": key,
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _queued(store: SqliteStore, complaint_id: str) -> list[tuple[str, str]]:
    """The messages queued about one complaint: (topic, recipient), none delivered."""
    return sorted(
        (i.notification.topic, i.notification.recipient)
        for i in store.pending(T0 + timedelta(days=30), limit=10_000)
        if i.notification.complaint_id == complaint_id
    )


@pytest.fixture
def told(tmp_path: Path) -> Iterator[tuple[Desk, FailingSqliteStore]]:
    """A desk on a real SQLite file with a channel: messages are queued in its outbox."""
    store = FailingSqliteStore(tmp_path / "desk.sqlite3")
    try:
        with make_desk(store=store, notifiers=[RecordingNotifier()]) as d:
            yield d, store
    finally:
        store.close()


@pytest.mark.procedure("HDL-5")
def test_a_rerun_of_the_import_links_the_members_it_left_out_once(
    told: tuple[Desk, FailingSqliteStore], tmp_path: Path
) -> None:
    """The import's third complaint forms the issue; the first member's link fails.
    The row says so (its receipt stands); running the same file again, once the
    store works, links it -- once: a third run writes and queues nothing
    (review s46L L01)."""
    desk, store = told
    neighbours, one, two = _two_stored(desk)
    path = _rows_file(tmp_path, [(neighbours[2], 0.2, "n2")])
    now = T0 + timedelta(days=0.3)
    store.fail_append = {one.id}
    first = list(FileImport(desk, path, now=now))
    assert [r.outcome for r in first] == ["stored"]
    three = first[0].complaint_id
    issue = desk.get(three).state.issue
    assert issue == f"I-{one.id}"  # named after its earliest member, as decided
    left = first[0].left_unlinked
    assert left is not None
    assert (left.issue, left.members) == (issue, (one.id,))
    assert desk.get(one.id).state.issue == ""
    assert desk.get(two.id).state.issue == issue

    again = list(FileImport(desk, path, now=now))  # the store still fails: said again
    assert [r.outcome for r in again] == ["duplicate"]
    assert again[0].left_unlinked is not None
    assert again[0].left_unlinked.members == (one.id,)

    store.fail_append = set()
    repaired = list(FileImport(desk, path, now=now))
    assert [(r.outcome, r.complaint_id, r.left_unlinked) for r in repaired] == [
        ("duplicate", three, None)
    ]
    linked = desk.get(one.id)
    grouped = [e for e in linked.events if isinstance(e, Grouped)]
    assert [(e.issue, e.members, e.complainants) for e in grouped] == [
        (issue, (one.id, two.id, three), 3)  # as the third's decision named them
    ]
    assert _queued(store, one.id) == _queued(store, two.id)  # told as the other member was
    versions = [desk.get(c).version for c in (one.id, two.id, three)]
    queued = store.pending(T0 + timedelta(days=30), limit=10_000)
    assert [r.outcome for r in FileImport(desk, path, now=now)] == ["duplicate"]
    assert [desk.get(c).version for c in (one.id, two.id, three)] == versions
    assert store.pending(T0 + timedelta(days=30), limit=10_000) == queued
    assert len(desk.rows()) == 3
    assert desk.verify(now).ok


@pytest.mark.procedure("HDL-5")
def test_a_retried_submission_links_the_members_its_receipt_left_out(
    on_file: tuple[Desk, FailingSqliteStore],
) -> None:
    desk, store = on_file
    neighbours, one, _two = _two_stored(desk)
    store.fail_append = {one.id}
    three = receive(desk, neighbours[2], 0.2, "n2")
    assert desk.get(one.id).state.issue == ""
    store.fail_append = set()
    assert receive(desk, neighbours[2], 0.2, "n2").id == three.id  # the same complaint
    assert desk.get(one.id).state.issue == three.state.issue
    assert len(desk.rows()) == 3


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
def test_a_rerun_flags_the_member_a_group_incident_left_out_once(
    told: tuple[Desk, FailingSqliteStore], tmp_path: Path
) -> None:
    """cn-property: five complainants of one building within 24 hours are a group
    incident, every open member sent to the project manager (group_report_rung).
    The fifth, imported, flags the four stored; the first's write fails.  The
    rerun flags it and queues its report once (review s46L L01)."""
    desk, store = told
    neighbours = [
        Complainant(f"业主{i}", f"1391234000{i}", f"5-1-30{i}", "5", "sunrise") for i in range(5)
    ]
    stored = [receive(desk, who, i / 10, f"n{i}") for i, who in enumerate(neighbours[:4])]
    issue = desk.get(stored[3].id).state.issue
    assert issue
    assert not desk.get(stored[0].id).state.group_incident
    path = _rows_file(tmp_path, [(neighbours[4], 0.4, "n4")])
    now = T0 + timedelta(days=0.5)
    store.fail_append = {stored[0].id}
    first = list(FileImport(desk, path, now=now))
    left = first[0].left_unlinked
    assert left is not None
    assert (left.issue, left.members) == (issue, (stored[0].id,))
    assert [desk.get(c.id).state.group_incident for c in stored] == [False, True, True, True]

    store.fail_append = set()
    assert [r.left_unlinked for r in FileImport(desk, path, now=now)] == [None]
    flagged = desk.get(stored[0].id)
    assert flagged.state.group_incident
    assert flagged.state.rung == desk.get(stored[1].id).state.rung == "project_manager"
    assert _queued(store, stored[0].id) == _queued(store, stored[1].id)
    queued = store.pending(T0 + timedelta(days=30), limit=10_000)
    list(FileImport(desk, path, now=now))
    assert store.pending(T0 + timedelta(days=30), limit=10_000) == queued
    assert desk.get(stored[0].id).version == flagged.version


def _imported_leaving_one_out(
    desk: Desk, store: FailingSqliteStore, tmp_path: Path
) -> tuple[Complaint, Path, datetime]:
    """Two stored, the third imported while the first's link fails; the store works
    again: the member left out, the file and the import's time."""
    neighbours, one, _two = _two_stored(desk)
    path = _rows_file(tmp_path, [(neighbours[2], 0.2, "n2")])
    now = T0 + timedelta(days=0.3)
    store.fail_append = {one.id}
    list(FileImport(desk, path, now=now))
    store.fail_append = set()
    return one, path, now


@pytest.mark.procedure("HDL-5")
def test_a_rerun_that_cannot_read_the_issue_says_its_members_were_not_read(
    on_file: tuple[Desk, FailingSqliteStore], tmp_path: Path
) -> None:
    """Which members are linked is not known: none is named as linked or not, the
    receipt says the issue's members were not read, and a later rerun links."""
    desk, store = on_file
    one, path, now = _imported_leaving_one_out(desk, store, tmp_path)
    store.fail_issue_rows = True
    (result,) = FileImport(desk, path, now=now)
    left = result.left_unlinked
    assert left is not None
    assert (left.issue, left.members, left.unread) == (f"I-{one.id}", (), True)
    assert str(left).endswith(f"; issue I-{one.id}: left unlinked: its members (not read)")
    assert desk.get(one.id).state.issue == ""
    store.fail_issue_rows = False
    assert [r.left_unlinked for r in FileImport(desk, path, now=now)] == [None]
    assert desk.get(one.id).state.issue == f"I-{one.id}"


@pytest.mark.procedure("HDL-5")
def test_a_rerun_leaves_out_a_member_that_left_the_group_meanwhile(
    on_file: tuple[Desk, FailingSqliteStore], tmp_path: Path
) -> None:
    """A member left out and then reclassified (another matter) is no longer the
    issue's: the rerun does not link it."""
    desk, store = on_file
    one, path, now = _imported_leaving_one_out(desk, store, tmp_path)
    desk.act(one.id, Classify(actor="SR-101", category="fees"), now=now)
    assert [r.left_unlinked for r in FileImport(desk, path, now=now)] == [None]
    assert desk.get(one.id).state.issue == ""


# --------------------------------------------------------------------------- verify


def test_verify_raises_a_read_that_failed_instead_of_passing_the_complaint(
    desk: Desk, store: FailingStore
) -> None:
    at = T0 + timedelta(days=1)
    c = receive(desk, OWNER, 0, "k1")
    assert desk.verify(at).ok
    store.fail_load = {c.id}
    with pytest.raises(StoreError, match="lost the connection"):
        desk.verify(at)
    with pytest.raises(StoreError, match="lost the connection"):
        desk.reproject(at)
    store.fail_load = set()
    report = desk.verify(at)
    assert (report.ok, report.problems) == (True, ())
