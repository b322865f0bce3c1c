"""Review s55R7: re-review of who may agree an extension (s55R4 F01).

F01: at a stage that needs a different person (``distinct_handler``, HOC 6.13; the
SPSO's stage 2), whoever handled or answered an earlier stage may not agree this
stage's extension either: ``decide`` refuses them naming ``agreed_by``, as it refuses
them extending (the same ``earlier_handlers``).
F02: who agreed is someone who may act on the complaint's site (the assignee's test):
another site's manager is refused naming ``agreed_by``.
F03: the ``agreed_by`` checks run after who may extend and the cap, so the real
reason comes first.

Expected rungs and texts are the packs' own documented choice (docs/rule-packs.md);
the staff are the packs' sample directories.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore.core.errors import AccessDeniedError, InvalidInputError
from complaintcore.core.models import Complaint, Extended
from complaintcore.core.workflow import (
    Acknowledge,
    Extend,
    RequestEscalation,
    Respond,
    decide,
)
from complaintcore.desk import Desk
from complaintcore.desk.ports import StaffMember
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.testing import load_sample_staff, make_desk
from tests.unit.test_staged_timescales import _intake

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"
UK_STAGE_2 = "handled an earlier stage; stage_2 needs a different person (HOC 6.11-6.16)"
SPSO_STAGE_2 = "handled an earlier stage; stage_2 needs a different person (SPSO MCHP stage 2)"


def london(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


def _refused(desk: Desk, cid: str, command: Extend, at: datetime) -> InvalidInputError:
    before = len(desk.get(cid).events)
    with pytest.raises(InvalidInputError) as refused:
        desk.act(cid, command, now=at)
    assert len(desk.get(cid).events) == before  # nothing stored
    return refused.value


def _agreed(c: Complaint) -> list[str]:
    return [e.agreed_by for e in c.events if isinstance(e, Extended)]


# ------------------------------------------------ F01: UK stage 2, answered at stage 1


def _uk_stage_2(desk: Desk) -> Complaint:
    """Stage 1 answered by RP-201 (a repairs manager); stage 2 acknowledged."""
    c = desk.receive(_intake(london(2025, 3, 3)), now=london(2025, 3, 3))
    desk.act(c.id, Acknowledge(actor=c.state.handler, definition="boiler"), now=london(2025, 3, 4))
    respond = Respond(actor="RP-201", outcome="not_upheld", message="no fault")
    desk.act(c.id, respond, now=london(2025, 3, 10))
    c = desk.act(c.id, RequestEscalation(actor="CS-001"), now=london(2025, 3, 12))
    ack = Acknowledge(actor=c.state.handler, definition="stage 2: boiler")
    return desk.act(c.id, ack, now=london(2025, 3, 13))


def _uk_extend(actor: str, agreed_by: str, by: str = "25d") -> Extend:
    return Extend(
        actor=actor,
        clock="stage_2_response",
        by=by,  # 25d is past the 20-day cap: only with good reason (HOC 6.15)
        reason="specialist survey",
        details="the Housing Ombudsman's details given",
        agreed_by=agreed_by,
    )


def test_uk_who_answered_stage_1_cannot_agree_stage_2s_extension() -> None:
    """Past the cap ``agreed_by`` is the only gate: the manager whose stage 1 answer
    is disputed does not accept the reason for delaying its review (HOC 6.13, 6.15),
    typed in any case; a manager who did not handle stage 1 does."""
    desk = make_desk(pack=UK)
    c = _uk_stage_2(desk)
    h = c.state.handler
    assert h not in ("RP-101", "RP-201")
    for typed in ("RP-201", " rp-201 "):
        exc = _refused(desk, c.id, _uk_extend(h, typed), london(2025, 3, 14))
        assert exc.path == "agreed_by"
        assert exc.reason == UK_STAGE_2
    done = desk.act(c.id, _uk_extend(h, "hm-201"), now=london(2025, 3, 14))
    assert _agreed(done) == ["HM-201"]


def test_the_earlier_handler_refusal_reads_in_each_language() -> None:
    desk = make_desk(pack=UK)
    c = _uk_stage_2(desk)
    exc = _refused(desk, c.id, _uk_extend(c.state.handler, "RP-201"), london(2025, 3, 14))
    en = translator("en").error(exc, desk.pack)
    zh = translator("zh").error(exc, desk.pack)
    assert en.startswith("agreed_by: handled an earlier stage;")
    assert zh.startswith("agreed_by：")
    assert "earlier stage" not in zh


# ---------------------------------------------- F01: SPSO stage 2, and decide alone


def _spso_stage_2(desk: Desk) -> Complaint:
    """Stage 1 answered by SM-301 (a senior manager); stage 2 acknowledged."""
    intake = attrs.evolve(_intake(london(2025, 3, 3)), receiver="FS-001")
    c = desk.receive(intake, now=london(2025, 3, 3))
    respond = Respond(actor="SM-301", outcome="not_upheld", message="collected")
    desk.act(c.id, respond, now=london(2025, 3, 7))
    c = desk.act(c.id, RequestEscalation(actor="FS-001"), now=london(2025, 3, 12))
    return desk.act(c.id, Acknowledge(actor=c.state.handler), now=london(2025, 3, 13))


def _spso_extend(actor: str, agreed_by: str) -> Extend:
    return Extend(
        actor=actor, clock="stage_2_response", by="10d", reason="report", agreed_by=agreed_by
    )


def test_spso_the_senior_manager_who_gave_stage_1_cannot_agree_stage_2s_extension() -> None:
    desk = make_desk(pack=SPSO)
    c = _spso_stage_2(desk)
    h = c.state.handler
    exc = _refused(desk, c.id, _spso_extend(h, "SM-301"), london(2025, 3, 14))
    assert (exc.path, exc.reason) == ("agreed_by", SPSO_STAGE_2)
    assert _agreed(desk.act(c.id, _spso_extend(h, "CE-401"), now=london(2025, 3, 14))) == ["CE-401"]


def test_decide_without_a_directory_refuses_an_earlier_handler_as_who_agreed() -> None:
    """No directory is needed: the earlier handlers are in the complaint's events."""
    desk = make_desk(pack=SPSO)
    c = _spso_stage_2(desk)
    pack = load_pack(SPSO)
    with pytest.raises(InvalidInputError) as refused:
        decide(c, _spso_extend(c.state.handler, "ｓｍ－３０１"), pack, london(2025, 3, 14))
    assert (refused.value.path, refused.value.reason) == ("agreed_by", SPSO_STAGE_2)
    assert "３０１" not in str(refused.value)


# ------------------------------------------------------------ F02: another site's manager


def test_another_sites_manager_cannot_agree_the_extension() -> None:
    """A complaints manager working only at riverside may not act on, nor see, an
    elm-court complaint: nor agree its extension past HOC 6.4's 10 days."""
    staff = [
        *load_sample_staff(pack=load_pack(UK)),
        StaffMember(
            staff_id="RV-301",
            name="Nina Patel",
            role="complaints manager (riverside)",
            rung="complaints_manager",
            department="customer_service",
            site="riverside",
        ),
    ]
    desk = make_desk(pack=UK, staff=staff)
    c = desk.receive(_intake(london(2025, 3, 3)), now=london(2025, 3, 3))
    at = london(2025, 3, 4)
    c = desk.act(c.id, Acknowledge(actor=c.state.handler, definition="boiler"), now=at)
    first = Extend(
        actor=c.state.handler,
        clock="stage_1_response",
        by="12d",
        reason="survey",
        details="the Housing Ombudsman's details given",
        agreed_by="rv-301",
    )
    exc = _refused(desk, c.id, first, at)
    assert (exc.path, exc.reason) == ("agreed_by", "works at another site (HOC 6.4-6.5)")
    done = desk.act(c.id, attrs.evolve(first, agreed_by="HM-201"), now=at)
    assert _agreed(done) == ["HM-201"]


# ---------------------------------------------------------------- F03: the real reason first


def test_an_actor_who_may_not_extend_is_told_so_before_agreed_by() -> None:
    """RP-201 answered stage 1: whatever they name as agreeing, they are refused as
    the one extending (HOC 6.13), not sent to correct ``agreed_by``."""
    desk = make_desk(pack=UK)
    c = _uk_stage_2(desk)
    for typed in (c.state.handler, "Alex Smith", "CO-101", "RP-201"):
        with pytest.raises(AccessDeniedError, match="handled an earlier stage"):
            desk.act(c.id, _uk_extend("RP-201", typed, by="5d"), now=london(2025, 3, 14))


@pytest.mark.parametrize("typed", ["nobody-xyz", "IO-201", "FS-001", "SM-301"])
def test_an_extension_past_the_cap_is_refused_on_by_whoever_agreed(typed: str) -> None:
    """SPSO stage 1: 6 more days are past the 5-day cap whoever agreed (MCHP)."""
    desk = make_desk(pack=SPSO)
    intake = attrs.evolve(_intake(london(2025, 3, 3)), receiver="FS-001")
    c = desk.receive(intake, now=london(2025, 3, 3))
    ext = Extend(
        actor=c.state.handler, clock="stage_1_response", by="6d", reason="r", agreed_by=typed
    )
    exc = _refused(desk, c.id, ext, london(2025, 3, 3))
    assert exc.path == "by"
    assert exc.reason == (
        "extensions of stage_1_response may add up to 5d at most, 0d used"
        " (SPSO MCHP stage 1 extension)"
    )
