"""The ladder: monotone, capped, grade- and target-aware (ESC-1..5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import EscalationError, GradeError, InvalidInputError
from complaintcore.core.escalation import may_handle, plan_escalation, required_rung_index
from complaintcore.core.models import Grade, Trigger
from complaintcore.core.workflow import Escalate, Regrade
from complaintcore.i18n import translator
from tests.helpers import Runner, about, intake, pack

PACKS = ["cn-property", "cn-sales-office", "cn-service-centre"]


@pytest.mark.procedure("ESC-1")
@pytest.mark.parametrize("name", PACKS)
def test_every_pack_has_a_bilingual_ladder(name: str) -> None:
    p = pack(name)
    assert len(p.ladder) >= 3
    assert all(r.zh and r.en for r in p.ladder)


@pytest.mark.procedure("ESC-5")
@given(
    name=st.sampled_from(PACKS),
    moves=st.lists(st.tuples(st.sampled_from(list(Trigger)), st.integers(1, 4)), max_size=12),
)
def test_escalation_is_monotone_and_capped(name: str, moves: list[tuple[Trigger, int]]) -> None:
    p = pack(name)
    r = Runner(p)
    r.register()
    top = len(p.ladder) - 1
    last = 0
    for trigger, steps in moves:
        try:
            c = r(Escalate(actor="h", trigger=trigger, steps=steps))
        except EscalationError:
            assert last == top, "refused below the top"
            continue
        now = p.rung_index(c.state.rung)
        assert last < now <= top
        assert c.events[-1].trigger is trigger  # type: ignore[attr-defined]
        last = now


@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize("trigger", list(Trigger))
def test_every_trigger_moves_up_with_its_reason(trigger: Trigger) -> None:
    p = pack()
    r = Runner(p)
    r.register()
    plan = plan_escalation(r.complaint, trigger, p)
    assert p.rung_index(plan.to_rung) > p.rung_index(plan.from_rung)
    assert plan.trigger is trigger


@pytest.mark.procedure("ESC-3")
@pytest.mark.parametrize("name", PACKS)
def test_handler_rung_rises_with_grade(name: str) -> None:
    p = pack(name)
    order = [Grade.MINOR, Grade.IMPORTANT, Grade.MAJOR]
    rungs = [p.rung_index(p.handler_rung_for(g)) for g in order]
    assert rungs == sorted(rungs)


@pytest.mark.procedure("ESC-3")
def test_sales_office_grade_handlers_match_the_source() -> None:
    p = pack("cn-sales-office")
    assert [p.handler_rung_for(g) for g in (Grade.MINOR, Grade.IMPORTANT, Grade.MAJOR)] == [
        p.ladder[1].code,
        p.ladder[2].code,
        p.ladder[3].code,
    ]


@pytest.mark.procedure("ESC-4")
@given(st.integers(0, 4))
def test_complaint_about_a_rung_is_handled_above_it(target_index: int) -> None:
    p = pack()
    rung = p.ladder[target_index].code
    r = Runner(p, intake(summary="态度不好", target=about("x-1", rung)))
    c = r.register()
    need = required_rung_index(c, p)
    assert need == min(target_index + 1, len(p.ladder) - 1)
    ok, why = may_handle(c, "x-1", p.top_rung.code, p)
    assert not ok
    assert "ESC-4" in why
    if target_index + 1 < len(p.ladder):
        assert not may_handle(c, "y", rung, p)[0]


@pytest.mark.procedure("GRD-6")
@given(grades=st.lists(st.one_of(st.none(), st.sampled_from(list(Grade))), max_size=8))
def test_grade_never_decreases(grades: list[Grade | None]) -> None:
    """GRD-6: a grade set by hand is the one asked for, a lower one is refused naming
    GRD-6, and the automatic regrade (``None``: the sweep's) keeps the grade it finds:
    nothing downgrades a grade automatically (s28A F05)."""
    from complaintcore.core.workflow import Assess

    r = Runner(pack())
    r.register()
    r(Assess(actor="h", validity="valid"))
    best = r.complaint.state.grade
    assert best is Grade.MINOR  # cn-property: no facts, the pack's default
    for g in grades:
        if g is None:
            assert r(Regrade(actor="system")).state.grade is best
        elif g is Grade.INTERNAL and best is Grade.MINOR:  # GRD-5's reason (s56R2 F05)
            with pytest.raises(GradeError, match=r"needs the finding raised_by_staff"):
                r(Regrade(actor="h", grade=g))
            assert r.complaint.state.grade is best
        elif g.rank < best.rank:
            with pytest.raises(GradeError, match=f"cannot lower {best.value} to {g.value}"):
                r(Regrade(actor="h", grade=g))
            assert r.complaint.state.grade is best
        else:
            best = g
            assert r(Regrade(actor="h", grade=g)).state.grade is g


@pytest.mark.procedure("ESC-5")
@pytest.mark.parametrize("steps", [0, -1])
def test_escalating_fewer_than_one_rung_is_a_bad_steps_field(steps: int) -> None:
    """A bad argument (HTTP 400 to a host), not a wrong moment (409)."""
    r = Runner(pack("cn-property"))
    r.register()
    with pytest.raises(InvalidInputError) as info:
        r(Escalate(actor="h", trigger=Trigger.CANNOT_HANDLE, steps=steps))
    assert info.value.path == "steps"
    assert not isinstance(info.value, EscalationError)


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "typed",
    ["王小明13812345678", "reply,王小明", "replly", "reply,", "Reply", " reply", "reply, promise"],
)
def test_an_escalation_naming_no_clock_or_duty_of_the_pack_is_refused_unquoted(
    typed: str,
) -> None:
    """The clock field names the breached clocks and duties (review s27N F06): what
    else is typed there would stay in the history for good, so it is refused with
    the field named and the value withheld."""
    r = Runner(pack("cn-property"))
    r.register()
    before = r.complaint
    with pytest.raises(InvalidInputError) as info:
        r(Escalate(actor="h", trigger=Trigger.DEADLINE_MISSED, clock=typed))
    assert info.value.path == "clock"
    # the same words whatever was typed: cn-property's clocks and duties, sorted
    assert str(info.value) == (
        "clock: names no clock or duty of pack cn-property; expected one or more of "
        "apology, department_result, head_office_call_back, head_office_tracking, "
        "invalid_explained, major_by_age, promise, reply, reply_after_result, "
        "report_to_leader, return_visit, site_visit, to_customer_service, to_department, "
        "visit_reply, written_acknowledgement, written_report, written_sign_off, "
        "separated by commas"
    )
    zh = translator("zh").error(info.value, r.pack)
    assert zh.startswith(
        "clock：不是规则包 cn-property 的时限或义务；应为以下一项或多项（以逗号分隔）："
    )
    assert r.complaint is before


@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize("named", ["", "reply", "reply,promise", "apology", "promise,reply"])
def test_an_escalation_names_the_packs_clocks_and_duties(named: str) -> None:
    # cn-property: "reply" and "promise" are clocks, "apology" a duty
    r = Runner(pack("cn-property"))
    r.register()
    c = r(Escalate(actor="h", trigger=Trigger.DEADLINE_MISSED, clock=named))
    assert c.events[-1].clock == named  # type: ignore[attr-defined]


@pytest.mark.procedure("ESC-5")
@pytest.mark.parametrize(
    ("asked", "zh"),
    [
        ("front_line", "接待员/一线员工"),
        ("complaint_handler", "客服专员"),
        ("department_head", "部门负责人(主管)"),
        ("project_manager", "项目经理"),
    ],
)
def test_a_rung_asked_for_at_or_below_the_current_one_is_refused_naming_it(
    asked: str, zh: str
) -> None:
    """Review s49C F02: an important complaint at the project manager (cn-property's
    rung for the grade, ESC-3) escalated ``--to`` a lower rung was refused as
    "project_manager is not above project_manager": the grade's floor had lifted
    the rung asked for before the check.  The refusal names the rung asked for."""
    from complaintcore.core.workflow import Assess

    r = Runner(pack("cn-property"))
    r.register()
    r(Assess(actor="h", validity="valid"))
    r(Regrade(actor="h", grade=Grade.IMPORTANT))
    c = r(Escalate(actor="h", trigger=Trigger.GRADE, to_rung="project_manager"))
    with pytest.raises(EscalationError) as info:
        r(Escalate(actor="h", trigger=Trigger.DISSATISFIED, to_rung=asked))
    assert str(info.value) == (
        "complaint C-1: cannot escalate while in_handling: "
        f"{asked} is not above project_manager (ESC-5)"
    )
    assert (
        translator("zh")
        .error(info.value, r.pack)
        .endswith(f"「{zh}」不高于当前层级「项目经理」（ESC-5）")
    )
    assert r.complaint is c
