"""The staged packs' indicators counted by hand (review s42E).

What a figure judges is what stopped the clock, not what else happened at the
same instant; a closure answers nothing; a record the pack calls "not a
complaint" (VAL-4) is not counted among complaints.  Dates are counted by hand
on the packs' calendars (docs/rule-packs.md): England and Wales or Scotland
bank holidays, Monday to Friday, a working-day deadline ending at 17:00 on the
n-th working day after the day it counts from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Complainant,
    Intake,
    Register,
    ReportingPeriod,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    indicator_report,
    indicators_to_json,
    load_pack,
    monthly_report,
    new_complaint,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Assess,
    Close,
    RecordCause,
    RequestEscalation,
    Respond,
)

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"
ISO = "iso-10002"


def lon(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _step(c: Complaint, pack: RulePack, command: Any, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _registered(pack: RulePack, cid: str, received: datetime, summary: str = "x") -> Complaint:
    phone = "13812345678" if pack.name == ISO else "07700 900123"  # a number of its regions
    intake = Intake(
        complainant=Complainant("Alex Smith", phone, "Flat 4", site="elm-court"),
        channel="phone",
        received_at=received,
        receiver="CS-001",
        summary=summary,
        site="elm-court",
    )
    return _step(new_complaint(cid, intake), pack, Register(actor="CS-001"), received)


def _figures(
    complaints: list[Complaint], pack: RulePack, now: datetime, period: str = "2025"
) -> dict[str, tuple[int, int | None, float | None]]:
    report = indicator_report(
        complaints, pack, calendar_for_spec(pack.calendar), period=period, now=now
    )
    return {v.code: (v.count, v.of, v.value) for v in report.values}


def _answer() -> Respond:
    return Respond(actor="RP-101", outcome="not_upheld", message="m")


# --------------------------------------------------- F01: what stopped the run, not when


def test_a_response_given_as_stage_2_is_asked_for_is_judged() -> None:
    """SPSO: received Mon 3 March 2025, answered Wed 5 March (2 working days) and,
    in the same call, the customer asks for stage 2.  The stage 1 run was stopped
    by ``responded:stage_1``: judged met, 1 of 1."""
    spso = load_pack(SPSO)
    s = _registered(spso, "S-1", lon(2025, 3, 3, 10))
    t = lon(2025, 3, 5, 10)
    s = _step(s, spso, Respond(actor="FS-001", outcome="not_upheld", message="m"), t)
    s = _step(s, spso, RequestEscalation(actor="FS-001"), t)
    f = _figures([s], spso, lon(2026, 1, 15))
    assert f["stage_1_within_5_days"] == (1, 1, 1.0)
    assert f["stage_1_closed"][0] == 1
    assert f["stage_1_average_days"][2] == 2.0


def test_a_stage_2_acknowledged_as_it_is_asked_for_is_judged() -> None:
    """UK: stage 1 answered Wed 5 March 2025; stage 2 requested and acknowledged at
    Mon 10 March 10:00.  The acknowledgement clock was stopped by
    ``acknowledged:stage_2`` at once: 1 of 1 within 5 working days (HOC 6.11)."""
    uk = load_pack(UK)
    c = _registered(uk, "U-1", lon(2025, 3, 3, 10))
    c = _step(c, uk, Acknowledge(actor="RP-101", definition="x"), lon(2025, 3, 4, 10))
    c = _step(c, uk, _answer(), lon(2025, 3, 5, 10))
    t = lon(2025, 3, 10, 10)
    c = _step(c, uk, RequestEscalation(actor="CS-001"), t)
    c = _step(c, uk, Acknowledge(actor="CM-301", definition="y"), t)
    f = _figures([c], uk, lon(2026, 1, 15))
    assert f["stage_2_acknowledged_in_time"] == (1, 1, 1.0)
    assert f["stage_2_received"][0] == 1


# --------------------------------------------------- F02: a closure is not a response


def test_a_withdrawn_complaint_is_not_a_response_in_time_or_late() -> None:
    """UK: acknowledged Tue 4 March 2025, withdrawn by the resident on Thu 6 March
    (in time) or Thu 3 April (after the 6.3 due date, Tue 18 March): no stage 1
    response was given, so neither is judged.  The late one's breach stands on the
    clock (DL-7)."""
    uk = load_pack(UK)
    withdrawn = Close(actor="RP-101", result="withdrawn", confirmed_by_complainant=True)
    early = _registered(uk, "W-1", lon(2025, 3, 3, 10))
    early = _step(early, uk, Acknowledge(actor="RP-101", definition="x"), lon(2025, 3, 4, 10))
    late = _registered(uk, "W-2", lon(2025, 3, 3, 10))
    late = _step(late, uk, Acknowledge(actor="RP-101", definition="x"), lon(2025, 3, 4, 10))
    early = _step(early, uk, withdrawn, lon(2025, 3, 6, 10))
    late = _step(late, uk, withdrawn, lon(2025, 4, 3, 10))
    f = _figures([early, late], uk, lon(2026, 1, 15))
    assert f["stage_1_responded"][0] == 0
    assert f["stage_1_in_time"] == (0, 0, None)
    assert f["stage_1_acknowledged_in_time"] == (2, 2, 1.0)
    clocks = compute_clocks(late, uk, calendar_for_spec(uk.calendar), lon(2026, 1, 15))
    response = next(s for s in clocks if s.name == "stage_1_response")
    assert response.breaches == (lon(2025, 3, 18, 17),)


def test_a_complaint_never_acknowledged_is_not_acknowledged_in_time() -> None:
    """UK: answered on Wed 5 March 2025 (day 2) without an acknowledgement.  The
    response counts in time (rule-packs.md: it starts and meets its clock at once);
    the acknowledgement was never given, so it is judged and is not one in time:
    0 of 1 (review s47C F02: "nothing to judge" let a landlord that never
    acknowledged report no figure, or 100 %, for HOC 6.2)."""
    uk = load_pack(UK)
    a = _registered(uk, "A-1", lon(2025, 3, 3, 10))
    a = _step(a, uk, _answer(), lon(2025, 3, 5, 10))
    f = _figures([a], uk, lon(2026, 1, 15))
    assert f["stage_1_acknowledged_in_time"] == (0, 1, 0.0)
    assert f["stage_1_in_time"] == (1, 1, 1.0)


def test_iso_counts_only_decisions_and_acknowledgements_given() -> None:
    """ISO 10002: I-1 acknowledged and answered with a decision 2 working days after
    receipt; I-2 settled on the phone and closed an hour after receipt, with no
    acknowledgement and no decision.  Decisions given: 1; within the target: 1 of 1;
    acknowledged within the target: 1 of 1 (the review's hand count)."""
    iso = load_pack(ISO)
    sh = ZoneInfo(iso.calendar.timezone)
    at = lambda *a: datetime(*a, tzinfo=sh)  # noqa: E731
    c = _registered(iso, "I-1", at(2025, 3, 3, 10))
    c = _step(c, iso, Assess(actor="RP-101", validity="valid"), at(2025, 3, 3, 11))
    c = _step(c, iso, Acknowledge(actor="RP-101", remedy_sought="fix"), at(2025, 3, 3, 11))
    c = _step(c, iso, _answer(), at(2025, 3, 5, 10))
    d = _registered(iso, "I-2", at(2025, 3, 3, 10))
    d = _step(d, iso, Assess(actor="RP-101", validity="valid"), at(2025, 3, 3, 10, 30))
    d = _step(
        d, iso, RecordCause(actor="RP-101", cause="c", corrective="k"), at(2025, 3, 3, 10, 40)
    )
    settled = Close(actor="RP-101", result="sorted on the phone", confirmed_by_complainant=True)
    d = _step(d, iso, settled, at(2025, 3, 3, 11))
    f = _figures([c, d], iso, at(2026, 1, 15))
    assert f["responded"][0] == 1
    assert f["responded_in_time"] == (1, 1, 1.0)
    assert f["acknowledged_in_time"] == (1, 1, 1.0)
    assert f["average_days"][2] == 2.0


# --------------------------------------------------- F03, F04: not complaints (VAL-4)


@pytest.mark.procedure("VAL-4")
def test_a_request_found_late_is_not_in_the_complaint_figures() -> None:
    """UK: received Mon 3 March 2025, found a service request (HOC 1.4-1.5) on Thu
    20 March, after its 6.2 date (Mon 10 March).  It is neither a stage 1 complaint
    received nor an acknowledgement judged; the clock keeps its breach (DL-7)."""
    uk = load_pack(UK)
    c = _registered(uk, "R-1", lon(2025, 3, 3, 10), "Please arrange a boiler service")
    c = _step(c, uk, Assess(actor="RP-101", validity="valid", kind="request"), lon(2025, 3, 20, 10))
    f = _figures([c], uk, lon(2026, 1, 15))
    assert f["stage_1_received"][0] == 0
    assert f["stage_1_acknowledged_in_time"] == (0, 0, None)
    clocks = compute_clocks(c, uk, calendar_for_spec(uk.calendar), lon(2026, 1, 15))
    acknowledge = next(s for s in clocks if s.name == "stage_1_acknowledge")
    assert acknowledge.breaches == (lon(2025, 3, 10, 17),)


@pytest.mark.procedure("VAL-4")
def test_an_item_assessed_not_valid_is_not_a_complaint_received() -> None:
    """SPSO: a compensation claim assessed not valid (the pack's "not complaints")
    and answered is not a complaint received, responded to or closed, as the
    monthly report does not count it among valid complaints; the other complaint
    of the quarter is."""
    spso = load_pack(SPSO)
    claim = _registered(spso, "S-1", lon(2025, 3, 3, 10), "compensation for my car")
    claim = _step(
        claim, spso, Assess(actor="FS-001", validity="invalid", note="claim"), lon(2025, 3, 3, 11)
    )
    claim = _step(claim, spso, Respond(actor="FS-001", outcome="not_upheld", message="m"),
                  lon(2025, 3, 4, 10))  # fmt: skip
    real = _registered(spso, "S-2", lon(2025, 3, 3, 10))
    f = _figures([claim, real], spso, lon(2025, 4, 2), "2025-Q1")
    assert f["received"][0] == 1
    assert f["stage_1_closed"][0] == 0
    assert f["stage_1_within_5_days"] == (0, 0, None)
    assert f["stage_1_average_days"] == (0, None, None)
    month = monthly_report(
        [claim, real], spso, calendar_for_spec(spso.calendar), year=2025, month=3,
        now=lon(2025, 4, 2),
    )  # fmt: skip
    assert (month.totals.valid_complaints, month.totals.invalid) == (1, 1)


@pytest.mark.procedure("VAL-4")
def test_the_reports_complaint_total_leaves_out_enquiries() -> None:
    """Three enquiries and one complaint in the quarter: the report read one complaint,
    in the report and in its JSON (review s42G F01: it said four)."""
    spso = load_pack(SPSO)
    items = [
        _step(_registered(spso, f"E-{i}", lon(2025, 1, 6, 10)), spso,
              Assess(actor="FS-001", validity="valid", kind="enquiry"), lon(2025, 1, 6, 11))
        for i in range(3)
    ]  # fmt: skip
    items.append(_registered(spso, "S-1", lon(2025, 1, 6, 10)))
    report = indicator_report(
        items, spso, calendar_for_spec(spso.calendar), period="2025-Q1", now=lon(2025, 4, 2)
    )
    assert report.complaints == 1
    assert indicators_to_json(report)["complaints"] == 1
    assert {v.code: v.count for v in report.values}["received"] == 1


@pytest.mark.procedure("VAL-4")
def test_a_legal_proceedings_exclusion_is_not_in_the_time_barred_share() -> None:
    """UK HOC 2.2: a complaint about an issue 14 months old (flagged) whose legal
    proceedings have started is assessed not valid: neither received nor in the
    out-of-time share; the other, flagged too, is 1 of 1."""
    uk = load_pack(UK)
    received = lon(2025, 3, 3, 10)

    def flagged(cid: str) -> Complaint:
        intake = Intake(
            complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site="elm-court"),
            channel="phone",
            received_at=received,
            receiver="CS-001",
            summary="x",
            site="elm-court",
            occurred_at=lon(2024, 1, 3),
        )
        return _step(new_complaint(cid, intake), uk, Register(actor="CS-001"), received)

    excluded = _step(
        flagged("L-1"), uk, Assess(actor="RP-101", validity="invalid"), lon(2025, 3, 4, 10)
    )
    f = _figures([excluded, flagged("L-2")], uk, lon(2026, 1, 15))
    assert f["stage_1_received"][0] == 1
    assert f["time_barred"] == (1, 1, 1.0)


def test_iso_still_judges_the_assessment_of_an_item_found_not_a_complaint() -> None:
    """ISO 10002 8.5: the initial assessment is owed by every item (its clock has no
    waive tags), so one that found an enquiry is judged; the enquiry is not a
    complaint received.  Assessed 30 minutes after receipt, within 8 working hours."""
    iso = load_pack(ISO)
    sh = ZoneInfo(iso.calendar.timezone)
    received = datetime(2025, 3, 3, 10, tzinfo=sh)
    e = _registered(iso, "E-1", received)
    e = _step(
        e,
        iso,
        Assess(actor="RP-101", validity="valid", kind="enquiry"),
        datetime(2025, 3, 3, 10, 30, tzinfo=sh),
    )
    f = _figures([e], iso, datetime(2026, 1, 15, tzinfo=sh))
    assert f["received"][0] == 0
    assert f["assessed_in_time"] == (1, 1, 1.0)
    assert f["acknowledged_in_time"] == (0, 0, None)


# --------------------------------------------------- F05: both ends of a range


@pytest.mark.parametrize("text", ["2999-12..3000-01", "2025-01..9999-12", "1970-01..3000-12"])
def test_a_range_ending_past_2999_is_refused_naming_period(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ReportingPeriod.parse(text, "Europe/London")
    assert info.value.path == "period"
    assert "1970 to 2999" in info.value.reason


def test_a_range_ending_in_2999_is_read() -> None:
    period = ReportingPeriod.parse("2999-11..2999-12", "Europe/London")
    assert period.end == datetime(3000, 1, 1, tzinfo=LONDON)
