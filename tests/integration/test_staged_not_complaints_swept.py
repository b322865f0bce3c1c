"""Review s27P f01: under the staged packs a service request or an item found not
to be a complaint is never warned about, breached or escalated by the sweep, while
a complaint received beside it is.

Dates by hand: received Monday 2 June 2025 10:00 (BST; no bank holiday in England
or Scotland until August).  HOC 6.2's 5 working days and the SPSO's stage 1
5 working days end Monday 9 June 17:00, so a sweep on Tuesday 10 June finds the
complaint's clock breached and moves it one rung up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Assess, Complainant, Intake
from complaintcore.testing import RecordingNotifier, make_desk

LONDON = ZoneInfo("Europe/London")
RECEIVED = datetime(2025, 6, 2, 10, tzinfo=LONDON)


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize(
    ("pack", "receiver", "manager", "first", "second"),
    [
        (
            "uk-housing-ombudsman-2024",
            "CS-001",
            "CM-301",
            "complaints_officer",
            "complaints_manager",
        ),
        ("scotland-spso", "FS-001", "SM-301", "frontline_staff", "investigating_officer"),
    ],
)
def test_the_sweep_leaves_what_is_not_a_complaint_alone(
    pack: str, receiver: str, manager: str, first: str, second: str
) -> None:
    notes = RecordingNotifier()
    desk = make_desk(pack=pack, notifiers=[notes])

    def receive(summary: str) -> str:
        intake = Intake(
            complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site="elm-court"),
            channel="phone",
            received_at=RECEIVED,
            receiver=receiver,
            summary=summary,
            site="elm-court",
        )
        return desk.receive(intake, now=RECEIVED).id

    request = receive("Please arrange a repair to my boiler")
    excluded = receive("Compensation claim, court case lodged")
    complaint = receive("Staff were rude and dismissive")
    assessed = RECEIVED + timedelta(hours=1)
    desk.act(request, Assess(actor=manager, validity="valid", kind="request"), now=assessed)
    desk.act(
        excluded,
        Assess(actor=manager, validity="invalid", note="legal proceedings started"),
        now=assessed,
    )

    escalated: list[tuple[str, str]] = []
    for day in range(3, 21):  # every morning from Tuesday 3 June to Friday 20 June
        report = desk.sweep(datetime(2025, 6, day, 9, 30, tzinfo=LONDON))
        escalated += report.escalated
    desk.deliver(datetime(2025, 6, 20, 10, tzinfo=LONDON))

    assert {cid for cid, _ in escalated} == {complaint}
    assert desk.get(complaint).state.rung == second
    assert (desk.get(request).state.rung, desk.get(excluded).state.rung) == (first, first)
    # told of its assignment at intake, and of nothing since: no warning, no breach
    topics = {(n.complaint_id, n.topic) for n, _ in notes.sent}
    assert {t for cid, t in topics if cid in (request, excluded)} == {"assigned"}
    assert {t for cid, t in topics if cid == complaint} > {"assigned"}
