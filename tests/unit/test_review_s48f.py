"""Review s48F: hand-counted clocks, tables and time limits.

Dates are counted by hand from docs/rule-packs.md and docs/statistics.md on the
packs' calendars: a working-day deadline ends at 17:00 (the UK and Scottish packs'
hours) on the n-th working day after the day it counts from; England and Wales
has no bank holiday in March 2027 before Good Friday (26 March).  The Chinese
pack's reply (DL-1) is due at 18:00 on the 3rd working day after receipt; its
forwarding (DL-3) 24 hours after registration.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Complainant,
    Intake,
    Register,
    calendar_for_spec,
    compute_clocks,
    decide,
    indicator_report,
    load_pack,
    monthly_report,
    new_complaint,
)
from complaintcore.core.deadlines import ClockState, ClockStatus
from complaintcore.core.errors import TimeBarredError
from complaintcore.core.models import Complaint, EscalationRequested
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Acknowledge, Close, RequestEscalation, Respond
from complaintcore.i18n import translator
from tests.unit.test_staged_packs import _apply as _step
from tests.unit.test_staged_timescales import _registered

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def lon(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _uk_registered(
    pack: RulePack, cid: str, at: datetime, occurred: datetime | None = None
) -> Complaint:
    return _registered(pack, at, occurred, cid)


def _clock(c: Complaint, pack: RulePack, name: str, now: datetime) -> ClockStatus:
    found = compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)
    (status,) = (s for s in found if s.name == name)
    return status


def _answer() -> Respond:
    return Respond(actor="RP-101", outcome="not_upheld", message="m")


def _withdrawn() -> Close:
    return Close(actor="RP-101", result="resident withdrew", confirmed_by_complainant=True)


def _table(
    complaints: list[Complaint], pack: RulePack, year: int, month: int, now: datetime
) -> dict[str, tuple[int, int, int]]:
    """Each clock's (started, met, missed) in the monthly table."""
    report = monthly_report(
        complaints, pack, calendar_for_spec(pack.calendar), year=year, month=month, now=now
    )
    return {c.name: (c.started, c.met, c.missed) for c in report.clocks}


# ------------------------- F01: a stage answered and never acknowledged is not "met"


@pytest.mark.procedure("DL-7")
def test_uk_stage_answered_before_its_acknowledgement_was_due_reads_missed() -> None:
    """Received Mon 1 March 2027 10:00; the acknowledgement (HOC 6.2) is due at
    17:00 on the 5th working day after, Mon 8 March.  Answered (and so closed) Thu
    4 March 12:00 with no acknowledgement: the clock reads missed, never acknowledged,
    not met; it passed no due time, so it lists no breach."""
    pack = load_pack(UK)
    a = _uk_registered(pack, "A", lon(2027, 3, 1, 10))
    a = _step(a, pack, _answer(), lon(2027, 3, 4, 12))
    assert a.state.status == "closed"
    ack = _clock(a, pack, "stage_1_acknowledge", lon(2027, 4, 1, 12))
    assert ack.state is ClockState.MISSED
    assert ack.on_time is False
    assert ack.unacknowledged
    assert (ack.due, ack.stopped_at, ack.breaches) == (lon(2027, 3, 8, 17), lon(2027, 3, 4, 12), ())
    assert "never acknowledged" in ack.derivation[-1]
    zh = translator("zh").step(ack.steps[-1], pack)
    assert "从未确认收到" in zh


@pytest.mark.procedure("DL-7")
def test_uk_stage_answered_after_its_acknowledgement_was_due_is_never_acknowledged() -> None:
    """Received Mon 1 March 2027, answered Wed 10 March with no acknowledgement: the
    acknowledgement's due time (Mon 8 March 17:00) passed first, so its breach is
    listed; the run still reads never acknowledged, not acknowledged late."""
    pack = load_pack(UK)
    b = _uk_registered(pack, "B", lon(2027, 3, 1, 10))
    b = _step(b, pack, _answer(), lon(2027, 3, 10, 10))
    ack = _clock(b, pack, "stage_1_acknowledge", lon(2027, 4, 1, 12))
    assert ack.state is ClockState.MISSED
    assert ack.unacknowledged
    assert ack.breaches == (lon(2027, 3, 8, 17),)


def test_an_acknowledged_stage_reads_met_as_before() -> None:
    """Acknowledged Wed 3 March 2027 (due Mon 8 March), answered Wed 10 March: met."""
    pack = load_pack(UK)
    d = _uk_registered(pack, "D", lon(2027, 3, 1, 11))
    d = _step(d, pack, Acknowledge(actor="RP-101", definition="boiler"), lon(2027, 3, 3, 10))
    d = _step(d, pack, _answer(), lon(2027, 3, 10, 10))
    ack = _clock(d, pack, "stage_1_acknowledge", lon(2027, 4, 1, 12))
    assert (ack.state, ack.unacknowledged) == (ClockState.MET, False)


@pytest.mark.procedure("DL-7")
def test_spso_stage_2_answered_without_an_acknowledgement_reads_missed() -> None:
    """SPSO: received Mon 1 March 2027, taken to stage 2 Tue 2 March 10:00 (its
    acknowledgement due at 17:00 on the 3rd working day after, Fri 5 March), answered
    at stage 2 Wed 3 March 10:00 without an acknowledgement: missed, not met."""
    pack = load_pack(SPSO)
    s = _uk_registered(pack, "S", lon(2027, 3, 1, 10))
    s = _step(s, pack, RequestEscalation(actor="FS-001"), lon(2027, 3, 2, 10))
    s = _step(
        s,
        pack,
        Respond(actor="IO-201", outcome="upheld", message="m", remedies=("r",)),
        lon(2027, 3, 3, 10),
    )
    ack = _clock(s, pack, "stage_2_acknowledge", lon(2027, 4, 1, 12))
    assert ack.due == lon(2027, 3, 5, 17)
    assert (ack.state, ack.unacknowledged) == (ClockState.MISSED, True)


# ---------------- F02: a withdrawn complaint's clocks are neither met nor missed


def _uk_withdrawals() -> tuple[RulePack, list[Complaint]]:
    """W acknowledged Tue 2 March 2027 (due Mon 8), withdrawn Thu 4 March: its
    response clock (from the acknowledgement, due Tue 16 March 17:00) never completed.
    L acknowledged Tue 2 March, withdrawn Mon 22 March, after that due time.  N
    withdrawn Wed 3 March, neither acknowledged nor answered."""
    pack = load_pack(UK)
    ack = Acknowledge(actor="RP-101", definition="boiler")
    w = _uk_registered(pack, "W", lon(2027, 3, 1, 10))
    w = _step(_step(w, pack, ack, lon(2027, 3, 2, 10)), pack, _withdrawn(), lon(2027, 3, 4, 10))
    late = _uk_registered(pack, "L", lon(2027, 3, 1, 10))
    late = _step(late, pack, ack, lon(2027, 3, 2, 10))
    late = _step(late, pack, _withdrawn(), lon(2027, 3, 22, 10))
    n = _uk_registered(pack, "N", lon(2027, 3, 1, 10))
    n = _step(n, pack, _withdrawn(), lon(2027, 3, 3, 10))
    return pack, [w, late, n]


@pytest.mark.procedure("IMP-2")
def test_uk_withdrawn_complaints_clocks_count_neither_met_nor_missed_in_the_month() -> None:
    """Acknowledged in time: W and L (2 started, 2 met); N's acknowledgement was
    ended by the withdrawal before it was due, not given: not counted.  W's response
    clock was ended by the withdrawal before its due time: not met, not counted.
    L's passed its due time (Tue 16 March 17:00) before the withdrawal (Mon 22
    March): missed (1 started, 1 missed).  Before the fix the month read 3 met
    acknowledgements and 1 met, 1 missed response.  ``report --period`` judges
    responses given: none."""
    pack, complaints = _uk_withdrawals()
    now = lon(2027, 4, 1, 12)
    table = _table(complaints, pack, 2027, 3, now)
    assert table["stage_1_acknowledge"] == (2, 2, 0)
    assert table["stage_1_response"] == (1, 0, 1)
    period = indicator_report(
        complaints, pack, calendar_for_spec(pack.calendar), period="2027-Q1", now=now
    )
    figures = {v.code: (v.count, v.of) for v in period.values}
    assert figures["stage_1_acknowledged_in_time"] == (2, 2)
    assert figures["stage_1_in_time"] == (0, 0)


def test_a_late_withdrawal_keeps_its_breach_on_the_clock() -> None:
    """L's response clock passed its due time (Tue 16 March 17:00) before the
    withdrawal: the breach stays on the clock (DL-7), and the month counts it missed."""
    pack, (_w, late, _n) = _uk_withdrawals()
    response = _clock(late, pack, "stage_1_response", lon(2027, 4, 1, 12))
    assert response.breaches == (lon(2027, 3, 16, 17),)


@pytest.mark.procedure("IMP-2")
def test_cn_complaint_withdrawn_before_any_reply_counts_no_reply_met() -> None:
    """cn-property: registered by customer service Mon 3 November 2025 09:30 and
    withdrawn (closed, confirmed) Tue 4 November 10:00, with no assignment and no
    reply.  IN-5 was met by the registration itself (1 met); DL-6's month is stopped
    by the closure, its own stop (1 met).  The forwarding to a department (DL-3, due
    Tue 4 November 09:30) was not done when its due time passed, half an hour
    before the withdrawal: missed.  The reply (DL-1, due Thu 6 November 18:00) was
    ended by the withdrawal before its due time: not counted (before the fix: met)."""
    pack = load_pack("cn-property")
    intake = Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", building="3", site="sunrise"),
        channel="phone",
        received_at=sh(2025, 11, 3, 9, 30),
        receiver="SR-103",
        receiver_unit="customer_service",
        summary="楼上漏水",
        site="sunrise",
    )
    x = _step(new_complaint("X", intake), pack, Register(actor="SR-103"), sh(2025, 11, 3, 9, 30))
    close = Close(actor="SR-103", result="业主撤回投诉", confirmed_by_complainant=True)
    x = _step(x, pack, close, sh(2025, 11, 4, 10))
    table = _table([x], pack, 2025, 11, sh(2025, 12, 5, 9))
    assert table["to_customer_service"] == (1, 1, 0)
    assert table["major_by_age"] == (1, 1, 0)
    assert table["to_department"] == (1, 0, 1)
    assert table["reply"] == (0, 0, 0)


# ------------- F03: SPSO stage 2 limit without occurred_at counts from the receipt


def _in_time_then_refused(c: Complaint, pack: RulePack, last: datetime, *late: datetime) -> None:
    """A request to go to stage 2 at ``last`` is taken in time; at each of ``late``
    it is refused (the pack's ``action = "refuse"``)."""
    (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, last)
    assert isinstance(event, EscalationRequested)
    assert not event.late
    for at in late:
        with pytest.raises(TimeBarredError, match="time limit for stage 2: investigation ended"):
            decide(c, RequestEscalation(actor="FS-001"), pack, at)


def test_spso_closed_without_response_or_occurred_at_counts_six_months_from_receipt() -> None:
    """Received Mon 14 December 2026 without saying when the issue arose; withdrawn
    Tue 15 December with no stage 1 response.  The person was aware of the matter by
    the receipt at the latest, so the 6 months run to the end of Mon 14 June 2027:
    a request at 23:59 that day is in time; at the first moment of 15 June, and two
    years on, it is refused (before the fix: no limit at all)."""
    pack = load_pack(SPSO)
    c = _uk_registered(pack, "S-1", lon(2026, 12, 14, 10))
    c = _step(c, pack, _withdrawn(), lon(2026, 12, 15, 10))
    _in_time_then_refused(c, pack, lon(2027, 6, 14, 23, 59), lon(2027, 6, 15), lon(2028, 12, 15))


def test_spso_answered_without_occurred_at_keeps_the_response_window_alone() -> None:
    """Received Mon 4 January 2027 without occurred_at, answered at stage 1 Wed 6
    January: the 2 months of the response apply alone, to the end of Sat 6 March
    (the receipt stands in for the event only where nothing else applies): 6 March
    23:59 is in time, 7 March refused."""
    pack = load_pack(SPSO)
    c = _uk_registered(pack, "S-2", lon(2027, 1, 4, 10))
    c = _step(c, pack, _answer(), lon(2027, 1, 6, 10))
    _in_time_then_refused(c, pack, lon(2027, 3, 6, 23, 59), lon(2027, 3, 7))


def test_spso_occurred_at_still_decides_when_recorded() -> None:
    """With occurred_at 1 December 2026 (received 14 December, withdrawn 15
    December) the 6 months run from the event, to the end of 1 June 2027, not from
    the receipt: a request on 2 June is refused."""
    pack = load_pack(SPSO)
    c = _uk_registered(pack, "S-3", lon(2026, 12, 14, 10), occurred=lon(2026, 12, 1))
    c = _step(c, pack, _withdrawn(), lon(2026, 12, 15, 10))
    with pytest.raises(TimeBarredError):
        decide(c, RequestEscalation(actor="FS-001"), pack, lon(2027, 6, 2, 10))
