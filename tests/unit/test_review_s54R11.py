"""Review s54R11: the date an unanswerable reply agrees (DL-3) and a running promise (DL-5).

procedures.md ESC-3: an important complaint is handled by the management
department's rung (cn-property: the project manager), so the promise of a
processing time on it is theirs to make; DL-5: that promise "becomes a deadline
of its own; breaking a promise obliges an apology", and a breach triggers ESC-2
(DL-7).  DL-3: customer service "tells the complainant within 3 days and agrees a
new date"; REC-4: "the record states the reason and the department head is
informed".  The dates are typed here by hand on the cn-property calendar (sample
staff: SR-103 the receptionist, front line; SR-102 customer service; SR-201
engineering's head; SR-001 the project manager).
"""

from __future__ import annotations

import pytest

from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.models import Escalated, Trigger
from complaintcore.core.workflow import Assess, Promise, Regrade, Reply
from complaintcore.desk.service import Desk
from complaintcore.i18n import translator
from complaintcore.testing import RecordingNotifier, make_desk
from tests.unit.test_review_s54R7 import at, leak

REASON = "等待配件"


def promised_by_the_project_manager(desk: Desk) -> str:
    """The reviewer's case: an important leak, held by the project manager (ESC-3),
    who promises Wed 2025-11-12 17:00 on Mon 10:00."""
    c = desk.receive(leak(), now=at("2025-11-10 09:00"))
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 09:30"))
    desk.act(
        c.id,
        Regrade(actor="SR-001", grade="important", reason="工作失误"),
        now=at("2025-11-10 09:40"),
    )
    desk.act(c.id, Promise(actor="SR-001", due=at("2025-11-12 17:00")), now=at("2025-11-10 10:00"))
    return c.id


def unanswerable(actor: str, agreed: str) -> Reply:
    return Reply(
        actor=actor, message="暂时无法解决", unanswerable_reason=REASON, agreed_due=at(agreed)
    )


@pytest.mark.procedure("DL-5")
@pytest.mark.procedure("ESC-3")
def test_a_reply_below_the_promising_rung_does_not_put_off_the_running_promise() -> None:
    desk = make_desk()
    cid = promised_by_the_project_manager(desk)
    before = desk.get(cid).version
    # Tue 10:00: the receptionist may not promise on an important complaint (ESC-3) ...
    with pytest.raises(AccessDeniedError):
        desk.act(
            cid, Promise(actor="SR-103", due=at("2026-06-30 17:00")), now=at("2025-11-11 10:00")
        )
    # ... nor move the project manager's promise to 2026 through a reply's date
    with pytest.raises(AccessDeniedError) as err:
        desk.act(cid, unanswerable("SR-103", "2026-06-30 17:00"), now=at("2025-11-11 10:00"))
    assert err.value.path == "agreed_due"
    assert err.value.reason == (
        "agreed_due 2026-06-30T17:00+08:00 is later than the promise running to"
        " 2025-11-12T17:00+08:00, which only rung project_manager or above may move"
        " (DL-5, ESC-3): agree a date no later than it, or ask them to make a promise"
    )
    assert desk.get(cid).version == before  # refused: nothing written
    zh = translator("zh").reason(err.value.reason, desk.pack)
    assert "2026-06-30T17:00+08:00" in zh
    assert "2025-11-12T17:00+08:00" in zh
    assert "项目经理" in zh
    assert "project_manager" not in zh
    # so the promise still breaks at Wed 17:00: escalated (ESC-2) and the apology owed
    desk.sweep(at("2025-11-12 17:01"))
    c = desk.get(cid)
    broken = [
        e for e in c.events if isinstance(e, Escalated) and e.trigger is Trigger.DEADLINE_MISSED
    ]
    assert [(e.at, e.clock) for e in broken] == [(at("2025-11-12 17:01"), "promise")]
    (apology,) = [d for d in desk.duties(cid, now=at("2025-11-12 17:01")) if d.name == "apology"]
    assert apology.owed


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-5")
def test_a_date_no_later_than_the_running_promise_is_agreed_by_whoever_replies() -> None:
    desk = make_desk()
    cid = promised_by_the_project_manager(desk)
    # the same time as the project manager's promise: the receptionist may agree it
    c = desk.act(cid, unanswerable("SR-103", "2025-11-12 17:00"), now=at("2025-11-11 10:00"))
    assert [(e.kind, e.actor) for e in c.events[-2:]] == [
        ("replied", "SR-103"),
        ("promised", "SR-103"),
    ]
    # an earlier one: customer service may agree it, and it is the promise now
    desk.act(cid, unanswerable("SR-102", "2025-11-12 12:00"), now=at("2025-11-11 11:00"))
    (promise,) = [k for k in desk.clocks(cid, now=at("2025-11-11 11:00")) if k.name == "promise"]
    assert promise.due == at("2025-11-12 12:00")
    # a later one: the project manager, who may promise, moves it
    desk.act(cid, unanswerable("SR-001", "2025-11-14 17:00"), now=at("2025-11-11 12:00"))
    (promise,) = [k for k in desk.clocks(cid, now=at("2025-11-11 12:00")) if k.name == "promise"]
    assert promise.due == at("2025-11-14 17:00")


@pytest.mark.procedure("REC-4")
@pytest.mark.procedure("DL-3")
def test_the_department_head_told_of_an_unanswerable_reply_hears_the_agreed_date() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(leak(), now=at("2025-11-10 09:00"))
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 09:30"))
    desk.deliver(at("2025-11-10 09:30"))
    notes.sent.clear()
    desk.act(c.id, unanswerable("SR-102", "2025-11-13 12:00"), now=at("2025-11-11 10:00"))
    desk.deliver(at("2025-11-11 10:00"))
    told = [(n.recipient, n.body) for n, _ in notes.sent if n.topic == "unanswerable"]
    assert [who for who, _ in told] == ["SR-201"]
    body = told[0][1]
    assert "agreed date: 2025-11-13T12:00+08:00" in body
    assert "约定解决时间：2025-11-13T12:00+08:00" in body
    assert "原因：等待配件" in body
    assert "reason: 等待配件" in body
