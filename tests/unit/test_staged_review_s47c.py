"""The UK and Scottish packs as review s47C found them: hand-counted dates and figures.

Every expected value is counted by hand from docs/rule-packs.md and the gov.uk bank
holiday lists (Scotland: none in July 2026 before the summer holiday of Monday 3
August; England and Wales 2027: Good Friday 26 March, Easter Monday 29 March).  A
working-day deadline ends at 17:00 London time on the n-th working day after the day
it counts from.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import (
    calendar_for_spec,
    compute_clocks,
    indicator_report,
)
from complaintcore.core.errors import AccessDeniedError, InvalidInputError, TimeBarredError
from complaintcore.core.models import Complaint, EscalationRequested
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Close,
    Command,
    Extend,
    RequestEscalation,
    Respond,
    decide,
    evolve,
)
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.testing import make_desk
from tests.unit.test_staged_timescales import _intake, _registered

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def _due(c: Complaint, pack: RulePack, name: str, now: datetime) -> datetime | None:
    found = {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}
    return found[name].due


# ------------------------------- F03: straight to stage 2 before any stage 1 response


def test_spso_complaint_sent_straight_to_stage_2_is_in_time_past_6_months_of_the_event() -> None:
    """The issue arose Thursday 1 January 2026; six months run to Wednesday 1 July, and
    the complaint came on Tuesday 30 June: in time.  On Thursday 2 July, stage 1 still
    unanswered, it goes straight to stage 2.  The limit is 6 months of the event **or**
    2 months after the stage 1 response, whichever is later; with no response yet the
    second window has not even begun, so the request is in time, and not late.  Stage
    2 counts from the request: acknowledged by Tuesday 7 July (3, 6, 7) and answered
    by Thursday 30 July (3, 6-10, 13-17, 20-24, 27-30: 20 working days)."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2026, 6, 30, 10), occurred=london(2026, 1, 1))
    at = london(2026, 7, 2, 10)
    (event,) = decide(c, RequestEscalation(actor="FS-001", reason="complex"), pack, at)
    assert isinstance(event, EscalationRequested)
    assert (event.stage, event.late) == ("stage_2", False)
    c = evolve(c, (event,))
    assert _due(c, pack, "stage_2_acknowledge", at) == london(2026, 7, 7, 17)
    assert _due(c, pack, "stage_2_response", at) == london(2026, 7, 30, 17)


def test_spso_limit_still_applies_once_stage_1_is_answered() -> None:
    """The same complaint answered at stage 1 on Friday 3 July 2026 at 12:00: the six
    months of the event ended with 1 July, two months of the response run to Thursday
    3 September, all of it; the first moment of Friday 4 September is late."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2026, 6, 30, 10), occurred=london(2026, 1, 1))
    answer = Respond(actor="FS-001", outcome="not_upheld", message="collected")
    c = evolve(c, decide(c, answer, pack, london(2026, 7, 3, 12)))
    (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, london(2026, 9, 3, 23, 59))
    assert isinstance(event, EscalationRequested)
    assert not event.late
    with pytest.raises(TimeBarredError, match="time limit"):
        decide(c, RequestEscalation(actor="FS-001"), pack, london(2026, 9, 4, 0, 0))


# ------------------------------- F01: the stage 1 cap names what is used, in its unit


def _extend(days: int) -> Extend:
    return Extend(
        actor="FS-001", clock="stage_1_response", by=f"{days}d", reason="r", agreed_by="SM-301"
    )


def test_spso_extension_past_the_cap_is_refused_naming_the_length_not_the_status() -> None:
    """The SPSO's stage 1 extension is 5 working days at most (``cap = "5d"``): 6 at
    once is refused naming ``by`` and the 0 days used, with no "cannot extend while
    in handling" (the status is not the problem); after 3 days, 3 more are refused
    naming the 3 used."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2026, 12, 7, 10))
    at = london(2026, 12, 8, 10)
    with pytest.raises(InvalidInputError) as refused:
        decide(c, _extend(6), pack, at)
    assert refused.value.path == "by"
    assert str(refused.value) == (
        "by: extensions of stage_1_response may add up to 5d at most, 0d used"
        " (SPSO MCHP stage 1 extension)"
    )
    c = evolve(c, decide(c, _extend(3), pack, at))
    with pytest.raises(InvalidInputError, match="5d at most, 3d used"):
        decide(c, _extend(3), pack, at)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "en",
            "by: extensions of stage 1 (frontline) response may add up to 5 days at most,"
            " 0 days used (SPSO MCHP stage 1 extension)",
        ),
        (
            "zh",
            "by：“第一阶段(一线)答复”的延期合计不得超过 5 天，已用 0 天"
            "(SPSO MCHP stage 1 extension)",
        ),
    ],
)
def test_no_extension_used_reads_as_no_days_in_each_language(lang: str, shown: str) -> None:
    """Review s47C F01: "0d used" read "0h used", a zero length losing its unit."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2026, 12, 7, 10))
    with pytest.raises(InvalidInputError) as refused:
        decide(c, _extend(6), pack, london(2026, 12, 8, 10))
    assert translator(lang).error(refused.value, pack) == shown


# ----------------------- F04: stage 2 is defined and extended by someone else (HOC 6.13)


def _uk_at_stage_2() -> tuple[RulePack, Complaint]:
    """A UK complaint received Monday 5 October 2026, answered at stage 1 by RP-101
    on Friday 9 October, escalated on Monday 12 October."""
    pack = load_pack(UK)
    c = _registered(pack, london(2026, 10, 5, 10))
    c = evolve(
        c,
        decide(c, Acknowledge(actor="RP-101", definition="boiler"), pack, london(2026, 10, 6, 10)),
    )
    answer = Respond(actor="RP-101", outcome="not_upheld", message="fixed")
    c = evolve(c, decide(c, answer, pack, london(2026, 10, 9, 10)))
    c = evolve(c, decide(c, RequestEscalation(actor="CS-001"), pack, london(2026, 10, 12, 10)))
    assert c.state.stage == "stage_2"
    return pack, c


def test_uk_stage_1_responder_may_not_acknowledge_and_define_stage_2() -> None:
    """HOC 6.11-6.13: the stage 2 acknowledgement defines the complaint, and stage 2 is
    considered by a different person from stage 1: RP-101 who answered stage 1 is
    denied (as for the response); CM-301 acknowledges it."""
    pack, c = _uk_at_stage_2()
    at = london(2026, 10, 13, 10)
    with pytest.raises(AccessDeniedError, match="handled an earlier stage; stage_2 needs a"):
        decide(c, Acknowledge(actor="RP-101", definition="boiler again"), pack, at)
    (event,) = decide(c, Acknowledge(actor="CM-301", definition="boiler again"), pack, at)
    assert event.actor == "CM-301"


def test_uk_stage_1_responder_may_not_extend_stage_2() -> None:
    """HOC 6.13, 6.15: the stage 2 deadline is not moved by the person whose stage 1
    answer is disputed; CM-301 may extend it."""
    pack, c = _uk_at_stage_2()
    at = london(2026, 10, 13, 10)
    c = evolve(c, decide(c, Acknowledge(actor="CM-301", definition="boiler again"), pack, at))

    def extend(actor: str) -> Extend:
        return Extend(
            actor=actor, clock="stage_2_response", by="5d", reason="survey", details="HOS"
        )

    with pytest.raises(AccessDeniedError, match="handled an earlier stage"):
        decide(c, extend("RP-101"), pack, at)
    (event,) = decide(c, extend("CM-301"), pack, at)
    assert event.actor == "CM-301"


def test_spso_stage_2_is_acknowledged_and_extended_at_the_investigating_rung() -> None:
    """SPSO stage 2 is investigated afresh at the investigating officer's rung or above
    (``handler_rung``): the frontline officer who answered stage 1 (EN-101) is denied,
    and so is another frontline officer (PR-101) who never handled it; IO-201 may."""
    desk = make_desk(pack=SPSO)
    received = london(2026, 10, 1, 10)
    c = desk.receive(attrs.evolve(_intake(received), receiver="FS-001"), now=received)
    answer = Respond(actor="EN-101", outcome="not_upheld", message="collected")
    desk.act(c.id, answer, now=london(2026, 10, 2, 10))
    c = desk.act(c.id, RequestEscalation(actor="FS-001"), now=london(2026, 10, 5, 10))
    assert c.state.stage == "stage_2"
    at = london(2026, 10, 6, 10)

    def extend(actor: str) -> Extend:
        return Extend(
            actor=actor, clock="stage_2_response", by="10d", reason="busy", agreed_by="SM-301"
        )

    for actor in ("EN-101", "PR-101"):
        with pytest.raises(AccessDeniedError):
            desk.act(c.id, Acknowledge(actor=actor), now=at)
    with pytest.raises(
        AccessDeniedError,
        match="stage_2 is handled at investigating_officer or above, and rung frontline_staff",
    ):
        desk.act(c.id, Acknowledge(actor="PR-101"), now=at)
    desk.act(c.id, Acknowledge(actor="IO-201"), now=at)
    for actor in ("EN-101", "PR-101"):
        with pytest.raises(AccessDeniedError):
            desk.act(c.id, extend(actor), now=at)
    desk.act(c.id, extend("IO-201"), now=at)


# ------------------- F02: answered but never acknowledged is not acknowledged in time


def _figures(complaints: list[Complaint], pack: RulePack) -> dict[str, tuple[int, int | None]]:
    report = indicator_report(
        complaints,
        pack,
        calendar_for_spec(pack.calendar),
        period="2027",
        now=london(2027, 12, 31, 12),
    )
    return {v.code: (v.count, v.of) for v in report.values}


def _step(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def test_uk_answered_without_an_acknowledgement_is_not_acknowledged_in_time() -> None:
    """HOC 6.2, 6.11 in 2027 (Good Friday 26 March, Easter Monday 29 March):

    - A, received Mon 1 March, answered Thu 4 March, never acknowledged;
    - B, received Fri 5 March, never acknowledged (due Fri 12 March: 8-12), answered
      Fri 2 April, after its response was due Tue 30 March (15-19, 22-25, 30);
    - D, received Mon 1 March, acknowledged Wed 3 March (due Mon 8 March: in time),
      answered Wed 10 March; stage 2 asked for Thu 11 March and answered Mon 15
      March by CM-301 without a stage 2 acknowledgement;
    - E, received Mon 8 March, never acknowledged, withdrawn Tue 23 March with no
      response: not judged.

    Stage 1 acknowledged in time: D only, 1 of 3 (A, B, D); stage 1 answered in
    time: A (at once), D, 2 of 3; stage 2 acknowledged in time 0 of 1, answered in
    time 1 of 1."""
    pack = load_pack(UK)
    answer = Respond(actor="RP-101", outcome="not_upheld", message="m")
    a = _registered(pack, london(2027, 3, 1, 10), cid="A")
    a = _step(a, pack, answer, london(2027, 3, 4, 12))
    b = _registered(pack, london(2027, 3, 5, 10), cid="B")
    b = _step(b, pack, answer, london(2027, 4, 2, 12))
    d = _registered(pack, london(2027, 3, 1, 11), cid="D")
    d = _step(d, pack, Acknowledge(actor="RP-101", definition="boiler"), london(2027, 3, 3, 10))
    d = _step(d, pack, answer, london(2027, 3, 10, 10))
    d = _step(d, pack, RequestEscalation(actor="CS-001"), london(2027, 3, 11, 10))
    second = Respond(actor="CM-301", outcome="not_upheld", message="m2")
    d = _step(d, pack, second, london(2027, 3, 15, 10))
    e = _registered(pack, london(2027, 3, 8, 10), cid="E")
    withdrawn = Close(actor="RP-101", result="withdrawn", confirmed_by_complainant=True)
    e = _step(e, pack, withdrawn, london(2027, 3, 23, 10))
    f = _figures([a, b, d, e], pack)
    assert f["stage_1_acknowledged_in_time"] == (1, 3)
    assert f["stage_1_in_time"] == (2, 3)
    assert f["stage_2_acknowledged_in_time"] == (0, 1)
    assert f["stage_2_in_time"] == (1, 1)


def test_spso_stage_2_answered_without_an_acknowledgement_is_not_in_time() -> None:
    """SPSO: received Mon 4 January 2027 (a Scottish holiday: counted from it), sent
    straight to stage 2 on Tue 5 January, answered Fri 8 January with no stage 2
    acknowledgement: acknowledged within 3 working days, 0 of 1."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2027, 1, 4, 10))
    c = _step(c, pack, RequestEscalation(actor="FS-001", reason="complex"), london(2027, 1, 5, 10))
    answer = Respond(actor="IO-201", outcome="not_upheld", message="m")
    c = _step(c, pack, answer, london(2027, 1, 8, 10))
    assert _figures([c], pack)["stage_2_acknowledged_in_time"] == (0, 1)
