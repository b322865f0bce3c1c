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

import pytest

from complaintcore import Complainant, Intake, Register, calendar_for_spec, compute_clocks
from complaintcore.core.errors import AccessDeniedError, InvalidInputError, TimeBarredError
from complaintcore.core.models import Complaint, EscalationRequested
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Extend,
    RequestEscalation,
    Respond,
    decide,
    evolve,
    new_complaint,
)
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.testing import make_desk

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _registered(
    pack: RulePack, received: datetime, occurred: datetime | None = None, cid: str = "C-1"
) -> Complaint:
    intake = Intake(
        complainant=Complainant("Morag Reid", "0131 496 0000", "2F1", site="harbour"),
        channel="web",
        received_at=received,
        receiver="FS-001",
        summary="Bins not collected",
        site="harbour",
        occurred_at=occurred,
    )
    c = new_complaint(cid, intake)
    return evolve(c, decide(c, Register(actor="FS-001"), pack, received))


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
            "by：“第一阶段(一线)答复”的延期合计不得超过 5 天,已用 0 天"
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
    intake = Intake(
        complainant=Complainant("Morag Reid", "0131 496 0000", "2F1", site="harbour"),
        channel="web",
        received_at=received,
        receiver="FS-001",
        summary="Bins not collected",
        site="harbour",
    )
    c = desk.receive(intake, now=received)
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
