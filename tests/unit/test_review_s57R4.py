"""Review s57R4: intake, record and classification by hand.

F01 (IN-3, ESC-3): a complaint its receiver (a front-line guard or receptionist)
took unrouted and assessed as valid on the spot is graded, and the grade's rung
(the department head for a minor one) is above the receiver's: the receiver may
no longer settle it.  It was left with nobody (no handler, no rung, nobody told)
until IN-5's 24 hours ran out; now it is routed at once, as ``receive`` routes,
and the handler is told.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.core.models import Grade, Intake, Status
from complaintcore.core.workflow import Assess, Close, Reply
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH
from tests.helpers import intake as leak_intake

T0 = datetime(2025, 11, 14, 10, 0, tzinfo=SH)  # a Friday, working hours
LATER = T0 + timedelta(minutes=10)


def _leak(receiver: str = "SR-103") -> Intake:
    """王小明's leak (tests.helpers), received by ``receiver`` at sunrise."""
    return leak_intake(received_at=T0, receiver=receiver, receiver_unit="")


def _desk() -> tuple[Desk, RecordingNotifier]:
    notifier = RecordingNotifier()
    return make_desk(notifiers=[notifier]), notifier


def _told(desk: Desk, notifier: RecordingNotifier, complaint_id: str, topic: str) -> list[str]:
    desk.deliver(LATER)  # the outbox is sent apart from the act
    return [
        n.recipient for n, r in notifier.sent if n.complaint_id == complaint_id and n.topic == topic
    ]


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("ESC-3")
def test_f01_a_receivers_valid_assessment_routes_the_complaint_to_its_grades_rung() -> None:
    """IN-3: "if they cannot [resolve it], the complaint goes to a complaint
    handler"; ESC-3: a minor complaint needs a department head.  The receptionist's
    own assessment grades it minor: it goes to engineering's head at once, who is
    told; the receptionist still may not answer it."""
    desk, notifier = _desk()
    spot = desk.receive(_leak(), now=T0, route=False)
    assert not spot.state.handler
    graded = desk.act(spot.id, Assess(actor="SR-103", validity="valid"), now=LATER)
    assert graded.state.grade is Grade.MINOR
    assert graded.state.handler == "SR-201"
    assert graded.state.rung == "department_head"
    assert graded.events[-1].kind == "assigned"
    assert _told(desk, notifier, spot.id, "assigned") == ["SR-201"]
    done = desk.act(spot.id, Reply(actor="SR-201", message="已修好", final=True), now=LATER)
    assert done.status is not Status.CLOSED  # the handler may answer it now


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("ESC-3")
def test_f01_receive_with_a_validity_routes_what_the_receiver_cannot_settle() -> None:
    """``Desk.receive(route=False, validity="valid")`` is the receiver's assessment
    (docs/desk.md): graded beyond the receiver's rung, it is routed as well."""
    desk, notifier = _desk()
    got = desk.receive(_leak(), now=T0, route=False, validity="valid")
    assert got.state.grade is Grade.MINOR
    assert (got.state.handler, got.state.rung) == ("SR-201", "department_head")
    assert _told(desk, notifier, got.id, "assigned") == ["SR-201"]


@pytest.mark.procedure("IN-3")
def test_f01_what_the_receiver_may_settle_stays_with_the_receiver() -> None:
    """Not assessed, or assessed invalid (VAL-4: ungraded), the receiver still
    settles it on the spot; nothing is routed."""
    desk, _ = _desk()
    spot = desk.receive(_leak(), now=T0, route=False)
    desk.act(spot.id, Reply(actor="SR-103", message="已当场关闭阀门", final=True), now=LATER)
    closed = desk.act(
        spot.id, Close(actor="SR-103", result="当场解决", confirmed_by_complainant=True), now=LATER
    )
    assert closed.status is Status.CLOSED
    assert not closed.state.handler
    invalid = desk.receive(_leak(), now=T0 + timedelta(minutes=1), route=False)
    invalid = desk.act(
        invalid.id,
        Assess(actor="SR-103", validity="invalid"),
        now=LATER,
    )
    assert not invalid.state.handler
    assert not invalid.state.grade
