"""Review s56R6: re-review of the s56R2 grading fixes (GRD-2, GRD-3, GRD-6, DL-6, PEN-1).

F01: a complaint closed with the complainant's confirmation inside its month
turned major "by DL-6" when an unhappy follow-up visit after the closure was
followed by any re-derivation of its grade: a visit on a closed complaint is a
follow-up visit (002 §4.2), never reopening it, so the complaint was resolved
within its month.

Expected grades from /work/shared/procedures.md, not from the code.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import Complainant, Intake
from complaintcore.core.models import Grade
from complaintcore.core.workflow import Assess, Close, Handle, RecordCause, Reply, Visit
from complaintcore.testing import make_desk

SH = ZoneInfo("Asia/Shanghai")
A = "HQ-001"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def _intake(channel: str = "phone", **kw: object) -> Intake:
    owner = Complainant(
        name="王小明", phone="13800000001", room="3-2-0001", building="3", site="sunrise"
    )
    return Intake(
        complainant=owner,
        channel=channel,
        received_at=at("2025-11-10 09:30"),
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
        **kw,  # type: ignore[arg-type]
    )


# ------------------------------------- F01: a follow-up visit after the closure


@pytest.mark.procedure("GRD-2")
@pytest.mark.procedure("GRD-3")
@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("VIS-3")
@pytest.mark.parametrize("follow_up", [None, False, True])
def test_closed_in_its_month_stays_resolved_after_a_follow_up_visit(
    follow_up: bool | None,
) -> None:
    """Closed with confirmation on 12 Nov (its month ends 10 Dec 09:30); a
    follow-up visit on 15 Dec, happy or not; a staff fault found on 16 Dec.
    GRD-3: important -- it was resolved within its month, so GRD-2/DL-6 do not
    make it major, and the month report counts it important too."""
    desk = make_desk()
    cid = desk.receive(_intake(), now=at("2025-11-10 09:30")).id
    desk.act(cid, Assess(actor=A, validity="valid"), now=at("2025-11-10 10:00"))
    desk.act(cid, Handle(actor=A, result="修好了"), now=at("2025-11-11 10:00"))
    desk.act(cid, Reply(actor=A, message="已修复", final=True), now=at("2025-11-11 10:00"))
    closed = at("2025-11-12 10:00")
    desk.act(cid, RecordCause(actor=A, cause="管道老化", corrective="更换"), now=closed)
    desk.act(cid, Close(actor=A, result="修好", confirmed_by_complainant=True), now=closed)
    if follow_up is not None:
        desk.act(
            cid, Visit(actor=A, satisfied=follow_up, opinion="回访"), now=at("2025-12-15 10:00")
        )
    assert desk.get(cid).state.grade is Grade.MINOR
    desk.act(
        cid,
        Assess(actor=A, validity="valid", facts=["staff_fault"], note="查明员工过错"),
        now=at("2025-12-16 10:00"),
    )
    assert desk.get(cid).state.grade is Grade.IMPORTANT
    report = desk.monthly_report(2025, 11, now=at("2025-12-20 12:00"))
    assert [(x.key, x.count) for x in report.by_grade if x.count] == [("important", 1)]
