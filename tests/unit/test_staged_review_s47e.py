"""The fixes of review s47C as review s47E found them: hand-counted dates and figures.

Every expected value is counted by hand from docs/rule-packs.md (the SPSO's time
limits: within 6 months of the event or 2 months after the stage 1 response,
whichever is later, each to the end of its last day) and docs/statistics.md.
"""

from __future__ import annotations

import attrs
import pytest

from complaintcore import calendar_for_spec, indicator_report, monthly_report
from complaintcore.core.errors import InvalidInputError, TimeBarredError
from complaintcore.core.models import Complaint, EscalationRequested
from complaintcore.core.rulepack import BarAction, ClockMode, Duration, RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Close,
    Extend,
    RequestEscalation,
    Respond,
    decide,
    evolve,
)
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from tests.unit.test_staged_review_s47c import SPSO, UK, london
from tests.unit.test_staged_timescales import _registered

# --------------- F01: a stage ended without a response keeps the 6 months of the event


def test_spso_complaint_closed_at_stage_1_without_a_response_keeps_the_event_limit() -> None:
    """The issue arose Tuesday 1 December 2026, the complaint came on 14 December and
    was closed on 15 December (withdrawn, no stage 1 response).  No stage 1 response
    means no 2-month window; the 6 months of the event run to the end of Tuesday 1
    June 2027.  A request on 1 June at 23:59 is in time; at the first moment of 2
    June, and two years on (15 December 2028), it is refused."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2026, 12, 14, 10), occurred=london(2026, 12, 1))
    withdrawn = Close(actor="PR-101", result="resident withdrew", confirmed_by_complainant=True)
    c = evolve(c, decide(c, withdrawn, pack, london(2026, 12, 15, 10)))
    assert c.state.status == "closed"
    (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, london(2027, 6, 1, 23, 59))
    assert isinstance(event, EscalationRequested)
    assert not event.late
    for at in (london(2027, 6, 2, 0, 0), london(2028, 12, 15, 10)):
        with pytest.raises(TimeBarredError, match="time limit for stage 2: investigation ended"):
            decide(c, RequestEscalation(actor="FS-001", reason="still leaking"), pack, at)


def _flagging(pack: RulePack) -> RulePack:
    """The SPSO pack as a body that uses the MCHP's discretion copies it: both limits
    ``action = "flag"`` (docs/rule-packs.md, scotland-spso)."""
    assert pack.time_bar is not None
    first, second = pack.stages
    assert second.request_limit is not None
    limit = attrs.evolve(second.request_limit, action=BarAction.FLAG)
    return attrs.evolve(
        pack,
        time_bar=attrs.evolve(pack.time_bar, action=BarAction.FLAG),
        stages=(first, attrs.evolve(second, request_limit=limit)),
    )


def test_spso_complaint_made_out_of_time_sent_straight_to_stage_2_is_still_late() -> None:
    """With both limits flagging: the issue arose Thursday 1 January 2026, its 6
    months ended with Wednesday 1 July 2026, and the complaint came on 1 September
    2026 (flagged out of time).  Sent straight to stage 2 on 1 September 2027 with no
    stage 1 response, the request is late: the complaint was not accepted within the
    time limit, so the "sent straight to stage 2" exception does not cover it, and
    the 6 months of the event passed long ago."""
    pack = _flagging(load_pack(SPSO))
    c = _registered(pack, london(2026, 9, 1, 10), occurred=london(2026, 1, 1))
    assert c.state.time_barred
    (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, london(2027, 9, 1, 10))
    assert isinstance(event, EscalationRequested)
    assert (event.stage, event.late) == ("stage_2", True)


def test_spso_complaint_closed_without_a_response_and_flagging_limit_is_late() -> None:
    """The closed complaint of the first test under the flagging copy: escalated on
    15 December 2028, it is accepted and marked late (past 1 June 2027)."""
    pack = _flagging(load_pack(SPSO))
    c = _registered(pack, london(2026, 12, 14, 10), occurred=london(2026, 12, 1))
    withdrawn = Close(actor="PR-101", result="resident withdrew", confirmed_by_complainant=True)
    c = evolve(c, decide(c, withdrawn, pack, london(2026, 12, 15, 10)))
    (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, london(2028, 12, 15, 10))
    assert isinstance(event, EscalationRequested)
    assert event.late


# ------------- F02: the cap refusal of an hours-based clock names the days used, in days


def _wall_clock_pack() -> RulePack:
    """The SPSO pack with its stage 1 clock on the wall clock (``mode = "wall"``,
    ``duration = "5d"``) and its extensions capped at ``"2d"``, as review s47E's
    ``spso-hours.toml``."""
    pack = load_pack(SPSO)
    clocks = []
    for spec in pack.clocks:
        if spec.name == "stage_1_response":
            assert spec.extension is not None
            spec = attrs.evolve(
                spec,
                mode=ClockMode.WALL,
                duration=Duration(days=5),
                extension=attrs.evolve(spec.extension, cap=Duration(days=2)),
            )
        clocks.append(spec)
    return attrs.evolve(pack, clocks=tuple(clocks))


def _extend_by(by: str) -> Extend:
    return Extend(actor="PR-101", clock="stage_1_response", by=by, reason="r", agreed_by="SM-301")


def _wall_refusals() -> tuple[RulePack, InvalidInputError, InvalidInputError]:
    """Received Monday 7 December 2026; on the 8th 3 days are asked (past the 2-day
    cap, none used), then 1 day twice (the cap reached), then 1 hour (2 days used)."""
    pack = _wall_clock_pack()
    c = _registered(pack, london(2026, 12, 7, 10))
    at = london(2026, 12, 8, 10)
    with pytest.raises(InvalidInputError) as first:
        decide(c, _extend_by("3d"), pack, at)
    for _ in range(2):
        c = evolve(c, decide(c, _extend_by("1d"), pack, at))
    with pytest.raises(InvalidInputError) as second:
        decide(c, _extend_by("1h"), pack, at)
    return pack, first.value, second.value


def test_wall_clock_cap_in_days_names_the_days_used() -> None:
    """Review s47E F02: an hours-based clock read "0h used" and "48h used" beside a
    cap of "2d"; what is used is named in the cap's unit."""
    _, first, second = _wall_refusals()
    assert first.path == second.path == "by"
    assert str(first) == (
        "by: extensions of stage_1_response may add up to 2d at most, 0d used"
        " (SPSO MCHP stage 1 extension)"
    )
    assert "2d at most, 2d used" in str(second)


@pytest.mark.parametrize(
    ("lang", "none_used", "two_used"),
    [
        ("en", "2 days at most, 0 days used", "2 days at most, 2 days used"),
        ("zh", "不得超过 2 天，已用 0 天", "不得超过 2 天，已用 2 天"),
    ],
)
def test_wall_clock_cap_refusal_reads_alike_in_each_language(
    lang: str, none_used: str, two_used: str
) -> None:
    pack, first, second = _wall_refusals()
    tr = translator(lang)
    assert none_used in tr.error(first, pack)
    assert two_used in tr.error(second, pack)


def test_wall_clock_cap_in_days_names_part_of_a_day_in_hours() -> None:
    """1 day and 12 hours used (36 hours) is not a whole number of days: named in
    hours, "36h" (docs/rule-packs.md, Extensions)."""
    pack = _wall_clock_pack()
    c = _registered(pack, london(2026, 12, 7, 10))
    at = london(2026, 12, 8, 10)
    for by in ("1d", "12h"):
        c = evolve(c, decide(c, _extend_by(by), pack, at))
    with pytest.raises(InvalidInputError) as refused:
        decide(c, _extend_by("1d"), pack, at)
    assert "2d at most, 36h used" in str(refused.value)
    assert "2 days at most, 36h used" in translator("en").error(refused.value, pack)


# ---------- F03: the monthly report agrees that answered is not acknowledged in time


def _uk_march_2027() -> tuple[RulePack, list[Complaint]]:
    """HOC 6.2 (5 working days to acknowledge), England and Wales, March 2027 (no bank
    holiday before Good Friday 26 March):

    - A, received Mon 1 March 10:00, answered Thu 4 March, never acknowledged;
    - B, received Tue 2 March 10:00, answered Fri 5 March, never acknowledged;
    - D, received Mon 1 March 11:00, acknowledged Wed 3 March (due Mon 8 March:
      2, 3, 4, 5, 8), answered Wed 10 March.

    A's and B's acknowledgement clocks ended with the response's closure before
    they were due (A's Mon 8, B's Tue 9 March); neither was acknowledged."""
    pack = load_pack(UK)
    answer = Respond(actor="RP-101", outcome="not_upheld", message="m")
    a = _registered(pack, london(2027, 3, 1, 10), cid="A")
    a = evolve(a, decide(a, answer, pack, london(2027, 3, 4, 12)))
    b = _registered(pack, london(2027, 3, 2, 10), cid="B")
    b = evolve(b, decide(b, answer, pack, london(2027, 3, 5, 12)))
    d = _registered(pack, london(2027, 3, 1, 11), cid="D")
    ack = Acknowledge(actor="RP-101", definition="boiler")
    d = evolve(d, decide(d, ack, pack, london(2027, 3, 3, 10)))
    d = evolve(d, decide(d, answer, pack, london(2027, 3, 10, 10)))
    return pack, [a, b, d]


@pytest.mark.procedure("IMP-2")
def test_uk_monthly_report_counts_answered_but_unacknowledged_as_missed() -> None:
    """Review s47E F03: ``report --period`` read 1 of 3 acknowledged in time, the
    monthly report 3 met of 3 (100 %).  Both now say 1 of 3: D met, A and B missed."""
    pack, complaints = _uk_march_2027()
    now = london(2027, 4, 1, 12)
    calendar = calendar_for_spec(pack.calendar)
    month = monthly_report(complaints, pack, calendar, year=2027, month=3, now=now)
    (ack,) = (c for c in month.clocks if c.name == "stage_1_acknowledge")
    assert (ack.started, ack.met, ack.missed) == (3, 1, 2)
    assert ack.on_time_rate == pytest.approx(1 / 3, abs=1e-4)
    assert ack.strict_rate == pytest.approx(1 / 3, abs=1e-4)
    (response,) = (c for c in month.clocks if c.name == "stage_1_response")
    assert (response.met, response.missed) == (3, 0)  # answered Thu 4, Fri 5, Wed 10 March
    report = indicator_report(complaints, pack, calendar, period="2027-Q1", now=now)
    (figure,) = (v for v in report.values if v.code == "stage_1_acknowledged_in_time")
    assert (figure.count, figure.of) == (1, 3)
