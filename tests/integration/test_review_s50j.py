"""Review s50J: a duty that a step owes again is told to its owners.

F01: a reopened complaint sent straight to head office (IN-6) restarts head office's
tracking (cn-property: ``reopen = "restart"``), but head office was not told: the
desk looked for owed duties only after a duty's start tags, and ``reopened`` is
none.  Now every tag that can make a duty owed -- its start tags, ``reopened`` for a
duty that restarts, resumes or runs on at a reopening, its ``restart`` and
``unwaive`` tags -- has the step's owners told (``duty_owed``), once per run.

Times are Asia/Shanghai on the 2026 State Council calendar: the Dragon Boat
Festival is Fri 19 - Sun 21 June 2026; working hours 09:00-12:00, 13:00-18:00.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.rulepack import ClockMode, Duration, DutySpec, Waiver
from complaintcore.core.workflow import (
    Assess,
    Close,
    Forward,
    Handle,
    RecordCause,
    Reopen,
    Reply,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_sweep_tells_who_owes import at

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

HEAD_OFFICE = ["HQ-001", "HQ-002"]
"""Head office in the packaged sample staff (both work at every site)."""

TRACKING = "head office tracks the complaint to closure"
"""cn-property's ``head_office_tracking`` as its messages name it."""


def bypass(when: datetime) -> Intake:
    """The review's repro: an owner phones head office past the site (IN-6)."""
    return Intake(
        complainant=Complainant("刘洋", "13912340003", "2-0501", "2栋", "sunrise"),
        channel="hotline",
        received_at=when,
        receiver="HQ-002",
        receiver_unit="head_office",
        summary="电梯经常坏了没人修",
        site="sunrise",
        via_head_office=True,
    )


def owed_to(desk: Desk, notes: RecordingNotifier, cid: str, duty: str) -> list[str]:
    """Who has been sent ``duty_owed`` for the duty named ``duty`` in English (any
    run), oldest first."""
    desk.deliver(at(12, 31, 12))
    return [
        n.recipient
        for n, _ in notes.sent
        if n.topic == "duty_owed" and n.complaint_id == cid and f"duty: {duty}\n" in n.body
    ]


def closed_bypass(desk: Desk) -> str:
    """Received Wed 17 June 15:00, forwarded with consent, handled, replied, visited
    satisfied, closed Thu 18 June 17:00 (the review's repro, step for step)."""
    c = desk.receive(bypass(at(6, 17, 15)), now=at(6, 17, 15))
    cid = c.id
    desk.act(
        cid, Forward(actor="HQ-002", to_unit="customer_service", consent=True), now=at(6, 17, 16)
    )
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at(6, 18, 9, 30))
    desk.act(cid, Handle(actor="SR-201", result="更换电梯主板"), now=at(6, 18, 11))
    desk.act(cid, Reply(actor="SR-201", message="电梯已修复", final=True), now=at(6, 18, 14))
    desk.act(cid, Visit(actor="SR-102", satisfied=True, opinion="满意"), now=at(6, 18, 15))
    desk.act(
        cid, RecordCause(actor="SR-201", cause="主板老化", corrective="更换"), now=at(6, 18, 16)
    )
    c = desk.act(cid, Close(actor="SR-201", result="修复"), now=at(6, 18, 17))
    assert c.state.status.value == "closed"
    return cid


@pytest.mark.procedure("IN-6")
def test_head_office_is_told_it_tracks_a_reopened_bypass_complaint_again() -> None:
    """Reopened on Fri 19 June 10:30 (a holiday): the tracking restarts, due 5 working
    days on -- Mon 22, Tue 23, Wed 24, Thu 25, Fri 26 -- at Fri 26 June 18:00, and
    head office hears of it at the reopening, as at registration.  Before: told
    nothing until some other due time brought the complaint into a sweep."""
    notes = RecordingNotifier()
    with make_desk(notifiers=[notes]) as desk:
        cid = closed_bypass(desk)
        tracking = next(
            d for d in desk.duties(cid, at(6, 18, 17)) if d.name == "head_office_tracking"
        )
        assert tracking.state is ClockState.MET
        assert owed_to(desk, notes, cid, TRACKING) == HEAD_OFFICE  # registration
        desk.act(
            cid, Visit(actor="SR-102", satisfied=False, opinion="电梯又坏了"), now=at(6, 19, 10)
        )
        desk.act(cid, Reopen(actor="SR-101", reason="电梯又坏"), now=at(6, 19, 10, 30))
        tracking = next(
            d for d in desk.duties(cid, at(6, 19, 11)) if d.name == "head_office_tracking"
        )
        assert (tracking.owed, tracking.due) == (True, at(6, 26, 18))
        # the run the reopening started: told to head office at once, once each
        assert owed_to(desk, notes, cid, TRACKING) == HEAD_OFFICE * 2
        desk.sweep(at(6, 19, 11))
        assert owed_to(desk, notes, cid, TRACKING) == HEAD_OFFICE * 2


@pytest.mark.procedure("IN-6")
def test_a_duty_owed_again_when_its_waiver_is_lifted_is_told_then() -> None:
    """A pack's own duty: the site confirms a bypass complaint's details within 1
    working day of registration, owed by nobody while head office keeps it (waived
    at registration, ``registered:via_head_office``) and owed again, as if never
    waived, once forwarded with consent (``forwarded``).  Registered Wed 17 June
    15:00, so due Thu 18 June 15:00; forwarded Wed 17 June 16:00: customer service's
    supervisor (SR-101) is told then.  Before: the run started waived, so its start
    told nobody, and the forwarding was not a step that could owe a duty."""
    notes = RecordingNotifier()
    pack = load_pack("cn-property")
    confirm = DutySpec(
        name="site_confirms",
        zh="管理处确认",
        en="the site confirms the details",
        start=("registered",),
        stop=("assessed",),
        mode=ClockMode.WORKING_DAYS,
        duration=Duration.parse("1d"),
        waivers=(Waiver(waive=("registered:via_head_office",), unwaive=("forwarded",)),),
        owner_department="customer_service",
        owner_rung="department_head",
        command="assess",
    )
    own = attrs.evolve(pack, duties=(*pack.duties, confirm))
    with Desk(
        pack=own,
        store=MemoryStore(),
        directory=load_sample_staff(pack=own),
        calendar=calendar_for_spec(own.calendar),
        notifiers=[notes],
    ) as desk:
        c = desk.receive(bypass(at(6, 17, 15)), now=at(6, 17, 15))
        waived = next(d for d in desk.duties(c.id, at(6, 17, 15)) if d.name == "site_confirms")
        assert waived.state is ClockState.WAIVED
        assert owed_to(desk, notes, c.id, confirm.en) == []
        desk.act(
            c.id,
            Forward(actor="HQ-002", to_unit="customer_service", consent=True),
            now=at(6, 17, 16),
        )
        owed = next(d for d in desk.duties(c.id, at(6, 17, 16)) if d.name == "site_confirms")
        assert owed.owed
        assert owed_to(desk, notes, c.id, confirm.en) == ["SR-101"]
