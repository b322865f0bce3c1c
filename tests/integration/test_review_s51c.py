"""Review s51C.

F02: a duty discharged at closure and owed again at a reopening (``reopen =
"resume"`` or ``"continue"``) keeps its run, whose owners were told when it started:
they were not told again, and took it for done.  Now a step that makes a run owed
again after it was discharged, paused or waived tells its owners once more (its due
time is news), once per owner and step; a run owed throughout is not told twice.

F03: an outbox message whose retry time was moved far ahead by hand.

``UPDATE outbox SET next_attempt_at = '2999-…'`` silenced a message for good (never
tried again, never a dead letter) and ``verify`` said nothing: only claims held too
long were checked (s50P).  Now the store keeps the time each message's wait counts
from (its queueing, its failed attempt in the desk's own time, a retry by hand), and
``verify`` names a message due later than the longest wait the desk sets: the retry
delay's cap (``[retry] max_delay_seconds``, 3600 s by default; the test desk's
channel declares no send time) and five minutes' margin.  ``outbox retry`` makes it
due now.  On SQLite and PostgreSQL, guard triggers off.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore import Desk, OutboxStore
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.rulepack import ClockMode, Duration, DutySpec, ReopenPolicy
from complaintcore.core.workflow import Assess, Close, Handle, RecordCause, Reopen, Reply, Visit
from complaintcore.rules import load_pack
from complaintcore.testing import FailingNotifier, RecordingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_sweep_tells_who_owes import at
from tests.integration.test_tamper_evidence import Attacker
from tests.integration.test_tamper_evidence import attacker as attacker  # the fixture

SILENCED = "2999-01-01T00:00:00.000000+00:00"
AFTER = T0 + timedelta(days=7)
DUE_TOO_LATE = (
    "due later than any retry of this desk puts it (next_attempt_at edited, or the"
    " [retry] settings or a channel's timeout shortened since); 'complaintcore outbox"
    " retry' makes it due now"
)


def waiting(desk: Desk) -> list[tuple[int, int, datetime | None]]:
    """``(id, attempts, next_attempt_at)`` of each message waiting."""
    assert isinstance(desk.store, OutboxStore)
    return [(i.id, i.attempts, i.next_attempt_at) for i in desk.store.waiting()]


@pytest.fixture
def down(attacker: Attacker) -> Iterator[tuple[Desk, FailingNotifier]]:
    """A desk whose one channel is down; one complaint received at ``T0``."""
    hook = FailingNotifier("hostapi")
    desk = make_desk(store=attacker.open(), notifiers=[hook])
    try:
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        yield desk, hook
    finally:
        desk.close()


def test_a_message_whose_retry_was_moved_far_ahead_is_reported_and_retried(
    down: tuple[Desk, FailingNotifier], attacker: Attacker
) -> None:
    desk, hook = down
    desk.deliver(T0)  # fails: due again after the first delay
    [(item_id, attempts, due)] = waiting(desk)[:1]
    assert attempts == 1
    assert due is not None
    assert T0 < due <= T0 + timedelta(hours=1)
    assert desk.verify(AFTER).ok
    attacker.run(
        "UPDATE {s}.outbox SET next_attempt_at = ? WHERE tenant = ? AND id = ?",
        SILENCED,
        "default",
        item_id,
    )
    assert desk.verify(AFTER).problems == (f"outbox item {item_id}: {DUE_TOO_LATE}",)
    desk.retry_message(item_id, AFTER)  # what 'outbox retry' calls
    assert (item_id, 0, AFTER) in waiting(desk)
    assert desk.verify(AFTER).ok
    hook.down = False
    desk.deliver(AFTER)
    assert waiting(desk) == []
    assert desk.verify(AFTER).ok


def test_a_message_never_tried_moved_far_ahead_is_reported(
    down: tuple[Desk, FailingNotifier], attacker: Attacker
) -> None:
    """Its wait counts from its queueing (``T0``)."""
    desk, _hook = down
    item_id = waiting(desk)[0][0]
    attacker.run(
        "UPDATE {s}.outbox SET next_attempt_at = ? WHERE tenant = ? AND id = ?",
        SILENCED,
        "default",
        item_id,
    )
    assert desk.verify(T0).problems == (f"outbox item {item_id}: {DUE_TOO_LATE}",)


def test_a_catch_up_pass_far_ahead_of_the_stores_clock_is_no_problem(
    down: tuple[Desk, FailingNotifier],
) -> None:
    """A pass run with a ``now`` 3,650 days past ``T0`` (years ahead of this machine's
    clock, which the store keeps claims on): its retries are due an hour or less after
    that ``now``, well within the limit counted from it -- not from the clock, which
    would put them years too late."""
    desk, _hook = down
    ahead = T0 + timedelta(days=3650)
    desk.deliver(ahead)
    assert all(a == 1 and d is not None and d > ahead for _, a, d in waiting(desk))
    assert desk.verify(ahead).ok


# --------------------------------------------------------------------------- F02: duties

RESOLVES = "the site resolves the complaint"


def resolve_duty(reopen: ReopenPolicy, stop: str = "closed") -> DutySpec:
    """A pack's own duty: customer service's department head (SR-101 at sunrise in the
    packaged sample staff) sees a complaint resolved within 5 working days of its
    registration."""
    return DutySpec(
        name="resolve",
        zh="解决",
        en=RESOLVES,
        start=("registered",),
        stop=(stop,),
        mode=ClockMode.WORKING_DAYS,
        duration=Duration.parse("5d"),
        reopen=reopen,
        owner_department="customer_service",
        owner_rung="department_head",
        command="close",
    )


def told(desk: Desk, notes: RecordingNotifier, cid: str) -> list[tuple[str, str]]:
    """``(recipient, due line)`` of each ``duty_owed`` sent for the duty, oldest first."""
    desk.deliver(at(6, 30, 9))
    return [
        (n.recipient, next(line for line in n.body.splitlines() if line.startswith("due: ")))
        for n, _ in notes.sent
        if n.topic == "duty_owed" and n.complaint_id == cid and f"duty: {RESOLVES}\n" in n.body
    ]


def closed_then_reopened(duty: DutySpec) -> tuple[Desk, RecordingNotifier, str]:
    """Registered Wed 17 June 2026 15:00, closed Thu 18 June 17:00, reopened Mon 22
    June 10:30 (the Dragon Boat Festival is Fri 19 June; working hours 09:00-12:00,
    13:00-18:00)."""
    notes = RecordingNotifier()
    pack = load_pack("cn-property")
    own = attrs.evolve(pack, duties=(*pack.duties, duty))
    desk = Desk(
        pack=own,
        store=MemoryStore(),
        directory=load_sample_staff(pack=own),
        calendar=calendar_for_spec(own.calendar),
        notifiers=[notes],
    )
    intake = Intake(
        complainant=Complainant("刘洋", "13912340003", "2-0501", "2栋", "sunrise"),
        channel="phone",
        received_at=at(6, 17, 15),
        receiver="SR-102",
        summary="电梯经常坏了没人修",
        site="sunrise",
    )
    cid = desk.receive(intake, now=at(6, 17, 15)).id
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at(6, 18, 9, 30))
    desk.act(cid, Handle(actor="SR-201", result="更换电梯主板"), now=at(6, 18, 11))
    desk.act(cid, Reply(actor="SR-201", message="电梯已修复", final=True), now=at(6, 18, 14))
    desk.act(cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(6, 18, 15))
    desk.act(
        cid, RecordCause(actor="SR-201", cause="主板老化", corrective="更换"), now=at(6, 18, 16)
    )
    desk.act(cid, Close(actor="SR-201", result="修复"), now=at(6, 18, 17))
    desk.act(cid, Reopen(actor="SR-102", reason="电梯又坏"), now=at(6, 22, 10, 30))
    return desk, notes, cid


FIRST_DUE = "due: 2026-06-25T18:00+08:00"
"""5 working days from Wed 17 June 15:00: Thu 18, Mon 22, Tue 23, Wed 24, Thu 25 (Fri
19 a holiday, then the weekend), to the end of Thu 25 June."""


def test_a_duty_run_on_at_a_reopening_is_told_again_with_its_due_time() -> None:
    """``continue``: the run goes on as if never stopped, its due time where it was."""
    desk, notes, cid = closed_then_reopened(resolve_duty(ReopenPolicy.CONTINUE))
    with desk:
        [duty] = [d for d in desk.duties(cid, at(6, 22, 11)) if d.name == "resolve"]
        assert duty.owed
        assert told(desk, notes, cid) == [("SR-101", FIRST_DUE), ("SR-101", FIRST_DUE)]
        desk.sweep(at(6, 22, 11))  # nor a third time
        assert len(told(desk, notes, cid)) == 2


def test_a_duty_resumed_at_a_reopening_is_told_again() -> None:
    """``resume``: owed again at the reopening, with the time it had left."""
    desk, notes, cid = closed_then_reopened(resolve_duty(ReopenPolicy.RESUME))
    with desk:
        [duty] = [d for d in desk.duties(cid, at(6, 22, 11)) if d.name == "resolve"]
        assert duty.state is ClockState.RUNNING
        assert [who for who, _ in told(desk, notes, cid)] == ["SR-101", "SR-101"]


def test_a_duty_owed_throughout_is_not_told_again_at_a_reopening() -> None:
    """Discharged by ``reported`` (never, here), the run is owed across the closing
    and the reopening: its owners heard of it when it started, and that stands."""
    desk, notes, cid = closed_then_reopened(resolve_duty(ReopenPolicy.RESUME, stop="reported"))
    with desk:
        assert told(desk, notes, cid) == [("SR-101", FIRST_DUE)]
