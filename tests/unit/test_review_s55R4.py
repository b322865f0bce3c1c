"""Review s55R4: the UK packs by hand.

F01: an extension's ``agreed_by`` was free text: the frontline handler "agreed" their
own SPSO extension, and an id in no staff directory or the resident's own name passed
the Housing Ombudsman's good-reason gate past the cap.  Now ``agreed_by`` names
someone other than the person extending (``decide``), and at the desk a member of
the staff directory at the pack's ``agreed_by_rung`` or above (SPSO: a senior
manager; UK: a complaints manager, the pack's choice: the Code fixes no rung).  The
refusal names ``agreed_by`` and never echoes what was typed.  Stored extensions
replay as they were.

Expected rungs are the packs' own documented choice (docs/rule-packs.md); the
staff are the packs' sample directories.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import calendar_for_spec, compute_clocks
from complaintcore.core.errors import InvalidInputError, RulePackError
from complaintcore.core.models import Complaint, Extended
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Acknowledge, Extend, decide, evolve
from complaintcore.desk import Desk
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from complaintcore.testing import make_desk
from tests.unit.test_staged_timescales import _intake, _registered

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"
RESIDENT = "Alex Smith"  # the complainant of _intake


def london(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


def _due(c: Complaint, pack: RulePack, name: str, now: datetime) -> datetime | None:
    found = {s.name: s for s in compute_clocks(c, pack, calendar_for_spec(pack.calendar), now)}
    return found[name].due


def _refused(desk: Desk, cid: str, command: Extend, at: datetime) -> InvalidInputError:
    before = len(desk.get(cid).events)
    with pytest.raises(InvalidInputError) as refused:
        desk.act(cid, command, now=at)
    assert refused.value.path == "agreed_by"
    assert len(desk.get(cid).events) == before  # nothing stored
    return refused.value


# --------------------------------------------------------------- F01: SPSO, at the desk


def _spso_stage_1() -> tuple[Desk, Complaint, datetime]:
    desk = make_desk(pack=SPSO)
    received = london(2025, 3, 3, 10)
    c = desk.receive(attrs.evolve(_intake(received), receiver="FS-001"), now=received)
    assert desk.member(c.state.handler) is not None
    assert desk.member(c.state.handler).rung == "frontline_staff"  # type: ignore[union-attr]
    return desk, c, received


def _spso_extend(actor: str, agreed_by: str) -> Extend:
    return Extend(
        actor=actor, clock="stage_1_response", by="3d", reason="contractor", agreed_by=agreed_by
    )


def test_spso_frontline_handler_cannot_agree_their_own_extension() -> None:
    """'Agreed and recorded: why, and the manager who agreed': not the extender."""
    desk, c, at = _spso_stage_1()
    h = c.state.handler
    for typed in (h, f" {h.lower()} "):
        exc = _refused(desk, c.id, _spso_extend(h, typed), at)
        assert "cannot agree their own extension" in exc.reason
        assert exc.reason.endswith("(SPSO MCHP stage 1 extension)")


@pytest.mark.parametrize("typed", ["nobody-xyz", RESIDENT, "0131 496 0000"])
def test_spso_agreed_by_must_be_known_staff_and_is_not_echoed(typed: str) -> None:
    """An id in no directory, or the resident's name or phone typed into the field, is
    refused naming ``agreed_by``; the error does not repeat what was typed."""
    desk, c, at = _spso_stage_1()
    exc = _refused(desk, c.id, _spso_extend(c.state.handler, typed), at)
    assert exc.reason == (
        "unknown staff member: not in the staff directory (SPSO MCHP stage 1 extension)"
    )
    assert typed not in str(exc)


def test_spso_agreed_by_is_a_senior_manager_or_above() -> None:
    """An investigating officer is below the pack's ``agreed_by_rung``
    (senior_manager); a senior manager, typed in any case, agrees, recorded by id."""
    desk, c, at = _spso_stage_1()
    h = c.state.handler
    exc = _refused(desk, c.id, _spso_extend(h, "IO-201"), at)
    assert exc.reason == (
        "IO-201 at rung investigating_officer may not agree it: an extension of"
        " stage_1_response is agreed at senior_manager or above (SPSO MCHP stage 1 extension)"
    )
    done = desk.act(c.id, _spso_extend(h, " sm-301"), now=at)
    (event,) = [e for e in done.events if isinstance(e, Extended)]
    assert event.agreed_by == "SM-301"
    # received Mon 3 Mar 2025: 5 working days to Mon 10 Mar, 3 more to Thu 13 Mar
    assert _due(done, desk.pack, "stage_1_response", at) == london(2025, 3, 13, 17)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "en",
            "agreed_by: IO-201 at rung investigating officer may not agree it: an extension"
            " of stage 1 (frontline) response is agreed at senior manager or above"
            " (SPSO MCHP stage 1 extension)",
        ),
        (
            "zh",
            "agreed_by：IO-201（层级 调查专员）不能同意：“第一阶段(一线)答复”的延期须由"
            " 高级经理 或以上层级同意(SPSO MCHP stage 1 extension)",
        ),
    ],
)
def test_the_rung_refusal_reads_in_each_language(lang: str, shown: str) -> None:
    desk, c, at = _spso_stage_1()
    exc = _refused(desk, c.id, _spso_extend(c.state.handler, "IO-201"), at)
    assert translator(lang).error(exc, desk.pack) == shown


# ------------------------------------------------- F01: UK, the good reason past the cap


def _uk_acknowledged() -> tuple[Desk, Complaint, datetime]:
    desk = make_desk(pack=UK)
    received = london(2025, 3, 3, 10)
    c = desk.receive(_intake(received), now=received)
    at = london(2025, 3, 4, 10)
    c = desk.act(c.id, Acknowledge(actor=c.state.handler, definition="boiler"), now=at)
    assert desk.member(c.state.handler).rung == "complaints_officer"  # type: ignore[union-attr]
    return desk, c, at


def _uk_extend(actor: str, agreed_by: str) -> Extend:
    return Extend(
        actor=actor,
        clock="stage_1_response",
        by="12d",  # past the 10-day cap: only with good reason (HOC 6.4)
        reason="survey",
        details="the Housing Ombudsman's details given",
        agreed_by=agreed_by,
    )


def test_uk_good_reason_past_the_cap_is_accepted_by_a_manager_not_the_resident() -> None:
    """Past 10 working days, ``agreed_by`` is who accepted the good reason: the
    resident's own name, the officer extending and another officer are refused; a
    complaints manager accepts it."""
    desk, c, at = _uk_acknowledged()
    h = c.state.handler
    exc = _refused(desk, c.id, _uk_extend(h, RESIDENT), at)
    assert "unknown staff member" in exc.reason
    assert "Smith" not in str(exc)
    assert "own extension" in _refused(desk, c.id, _uk_extend(h, h), at).reason
    other = next(i for i in ("CO-101", "CS-001") if i != h)
    exc = _refused(desk, c.id, _uk_extend(h, other), at)
    assert exc.reason == (
        f"{other} at rung complaints_officer may not agree it: an extension of"
        " stage_1_response is agreed at complaints_manager or above (HOC 6.4-6.5)"
    )
    done = desk.act(c.id, _uk_extend(h, "HM-201"), now=at)
    assert [e.agreed_by for e in done.events if isinstance(e, Extended)] == ["HM-201"]


# ------------------------------------------------------- F01: decide alone, and replay


def test_decide_without_a_directory_refuses_only_self_agreement() -> None:
    """A host calling ``decide`` has no directory: it refuses the extender as the one
    who agreed (ids folded as staff ids are), and records anyone else as given."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2025, 3, 3, 10))
    at = london(2025, 3, 4, 10)
    with pytest.raises(InvalidInputError, match="own extension") as refused:
        decide(c, _spso_extend("FS-001", "fs-001 "), pack, at)
    assert refused.value.path == "agreed_by"
    (event,) = decide(c, _spso_extend("FS-001", "SM-301"), pack, at)
    assert isinstance(event, Extended)
    assert event.agreed_by == "SM-301"


def test_stored_extensions_agreed_by_anyone_replay_as_before() -> None:
    """The check is at decision time: an extension stored before it, agreed by the
    extender themselves, still moves the due time (Mon 10 Mar + 3 = Thu 13 Mar)."""
    pack = load_pack(SPSO)
    c = _registered(pack, london(2025, 3, 3, 10))
    at = london(2025, 3, 4, 10)
    old = Extended(
        at=at, actor="FS-001", clock="stage_1_response", by="3d", reason="r", agreed_by="FS-001"
    )
    assert _due(evolve(c, (old,)), pack, "stage_1_response", at) == london(2025, 3, 13, 17)


# --------------------------------------------------- F01: the pack key, checked by the loader


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RulePackError) as info:
        load_pack_data(data, "test")
    return {p.path: p.reason for p in info.value.problems}


def test_agreed_by_rung_is_a_rung_of_the_ladder_and_needs_agreed_by_recorded() -> None:
    data: dict[str, Any] = to_dict(load_pack(UK))
    data["clocks"][1]["extension"]["agreed_by_rung"] = "boss"
    data["clocks"][3]["extension"]["beyond_cap"] = []
    found = _problems(data)
    assert found["clocks[1].extension.agreed_by_rung"] == "unknown rung 'boss'"
    assert found["clocks[3].extension.agreed_by_rung"] == (
        "names who may agree an extension, but none records it:"
        " add agreed_by to records or beyond_cap"
    )


def test_the_shipped_packs_name_who_may_agree() -> None:
    for name, rung in ((SPSO, "senior_manager"), (UK, "complaints_manager")):
        pack = load_pack(name)
        rungs = {c.name: c.extension.agreed_by_rung for c in pack.clocks if c.extension}
        assert rungs == {"stage_1_response": rung, "stage_2_response": rung}
