"""What a concentrated issue's size costs the desk, counted in store reads (review s47G).

Every member of an issue is masked in a text given to the whole issue (PRV-1,
HDL-5), and in a member's summary in a masked message, whatever its details (a
duty's: its code, rule id and due time; review s56R5 F01): read once for a batch
of intake or of a sweep, not once a message (F01, F04); a command on every member reads the issue's
complainants once, not once a member (F03); and a receipt into an issue reads
each open member once to learn whom it is about, not twice (F02).  Nothing is
timed: the store double counts what the desk asks of it.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore import Complainant, Complaint, Intake, Reply
from complaintcore.core.privacy import Literals
from complaintcore.desk import Desk, fellows
from complaintcore.desk.ports import ComplaintRow
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=SH)


class CountingStore(MemoryStore):
    """The in-memory store, counting the reads these tests are about."""

    def __init__(self) -> None:
        super().__init__()
        self.issue_reads = 0
        self.people_read: Counter[str] = Counter()
        self.loads: Counter[str] = Counter()

    def issue_rows(self, issue: str) -> list[ComplaintRow]:
        self.issue_reads += 1
        return super().issue_rows(issue)

    def complainants(self, complaint_ids: Sequence[str]) -> dict[str, Complainant]:
        found = super().complainants(complaint_ids)
        self.people_read.update(list(found))
        return found

    def load(self, complaint_id: str) -> Complaint:
        self.loads[complaint_id] += 1
        return super().load(complaint_id)

    def reset(self) -> None:
        self.issue_reads = 0
        self.people_read.clear()
        self.loads.clear()


class GroupChat(RecordingNotifier):
    """A group chat: its readers are unknown, so every post is masked (PRV-1)."""

    group = True


def owner(n: int) -> Intake:
    """The n-th owner of 7栋 calling about the lift, ten minutes after the one before."""
    return Intake(
        complainant=Complainant(f"业主{n}", f"1391234{n:04d}", f"7-{1000 + n}", "7栋", "sunrise"),
        channel="phone",
        received_at=T0 + timedelta(minutes=10 * n),
        receiver="SR-103",
        summary="电梯坏了，困人",
        site="sunrise",
    )


@attrs.frozen
class Issue:
    desk: Desk
    store: CountingStore
    chat: GroupChat
    issue: str
    ids: list[str]


@contextlib.contextmanager
def issue_of(count: int) -> Iterator[Issue]:
    """A desk on the counting store, and ``count`` owners received one by one: five
    within 24 hours are a group incident (cn-property's [concentration]: 3 make an
    issue, 5 an incident); the counts start after them."""
    store = CountingStore()
    chat = GroupChat("wecom")
    with make_desk(store=store, notifiers=[chat]) as desk:
        ids = [desk.receive(owner(n), now=owner(n).received_at).id for n in range(count)]
        issue = desk.get(ids[-1]).state.issue
        assert issue
        assert sorted(r.id for r in desk.issue(issue)) == sorted(ids)
        assert desk.get(ids[0]).state.group_incident
        store.reset()
        chat.sent.clear()
        yield Issue(desk, store, chat, issue, ids)


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("PRV-1")
def test_bulk_joiners_of_a_group_incident_read_each_complainant_once() -> None:
    """F01: six more owners through ``receive_many`` join the incident, each owing
    the site visit its ``escalated:incident`` starts; each one's ``duty_owed``
    post (masked) may name a member in its summary (review s56R5 F01), so the
    stored members' complainants are read, once for the batch, not once a message."""
    with issue_of(6) as it:
        at = T0 + timedelta(hours=2)
        batch = it.desk.receive_many([owner(n) for n in range(6, 12)], now=at)
        joined = [c for c in batch if isinstance(c, Complaint)]
        assert len(joined) == 6
        assert all(c.state.issue == it.issue for c in joined)
        assert it.store.people_read == Counter(dict.fromkeys(it.ids, 1))
        it.desk.deliver(at)
        owed = {n.complaint_id for n, _ in it.chat.sent if n.topic == "duty_owed"}
        assert {c.id for c in joined} <= owed


@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("PRV-1")
def test_a_sweep_over_an_issues_members_reads_their_complainants_once() -> None:
    """F04: six days on, every member's site visit is overdue; the sweep tells each
    member's owners (``duty_overdue``, a group post: masked) and reads the issue and
    each member's complainant once for the batch, not once a member (a summary may
    name another member: review s56R5 F01)."""
    with issue_of(8) as it:
        later = T0 + timedelta(days=6)
        it.desk.sweep(later)
        assert it.store.issue_reads == 1
        assert it.store.people_read == Counter(dict.fromkeys(it.ids, 1))
        it.desk.deliver(later)
        overdue = {n.complaint_id for n, _ in it.chat.sent if n.topic == "duty_overdue"}
        assert overdue == set(it.ids)


@pytest.mark.procedure("REC-4")
@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_a_command_on_every_member_reads_the_issues_complainants_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """F03: an interim reply given to all eight members, its REC-4 reason naming two
    owners, tells each member's department head; the group chat's post masks both
    in every member's message, while the issue is listed once, each complainant
    read once and the issue's names, phones and rooms prepared once."""
    built: list[Literals] = []

    class Counted(Literals):
        def __init__(self, values: object) -> None:
            super().__init__(values)  # type: ignore[arg-type]
            built.append(self)

    monkeypatch.setattr(fellows, "Literals", Counted)
    with issue_of(8) as it:
        built.clear()  # those of the receipts (review s56R5 F01)
        reason = "业主2（7-1002）和业主5（13912340005）说困了半小时"
        at = T0 + timedelta(days=1)
        reply = Reply(
            actor="SR-101",
            message="需查电梯维保记录",
            unanswerable_reason=reason,
            agreed_due=at + timedelta(days=3),  # DL-3: a new date agreed
        )
        assert sorted(it.desk.act_on_issue(it.issue, reply, now=at).done) == sorted(it.ids)
        assert it.store.issue_reads == 1  # the listing act_on_issue starts from
        assert it.store.people_read == Counter(dict.fromkeys(it.ids, 1))
        assert len(built) == 1
        it.desk.deliver(at)
        posts = [n for n, _ in it.chat.sent if n.topic == "unanswerable"]
        assert sorted(n.complaint_id for n in posts) == sorted(it.ids)
        # by hand: 业主2 keeps its first character (业**), a room of 6 characters
        # its last two (****02), a phone of 11 its last two (*********05)
        for post in posts:
            assert "业**（****02）和业**（*********05）说困了半小时" in post.body
            for secret in ("业主2", "7-1002", "13912340005"):
                assert secret not in post.body, (post.complaint_id, secret)


@pytest.mark.procedure("HDL-5")
def test_a_receipt_into_an_issue_reads_each_open_member_once() -> None:
    """F02: one more owner joins an issue of eight open members; whom each member is
    about (ESC-4) is read once for the receipt, not again when the group is read
    again after the commit (nothing was stored meanwhile)."""
    with issue_of(8) as it:
        ninth = owner(8)
        joined = it.desk.receive(ninth, now=ninth.received_at)
        assert joined.state.issue == it.issue
        assert it.store.loads == Counter(dict.fromkeys(it.ids, 1))
