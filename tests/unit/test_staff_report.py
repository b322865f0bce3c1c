"""PEN-1, PEN-2: the monthly per-staff accountability table.

004 篇2 §4: 轻微投诉给予警告且做书面检查；重要投诉发黄牌且作通报批评并做书面检查；
重大投诉发红牌通报批评并做书面检查或发黑牌；内部投诉给予警告且做书面检查.
004 篇1 §三.4: 置业顾问受到开发商或小业主投诉，将在当月考评扣分，如情节严重交由公司处理.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore.core.accountability import outstanding_sanction
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint, Fact, Grade, SanctionRecorded
from complaintcore.core.rulepack import Measure, RulePack
from complaintcore.core.staff_report import StaffMonth, month_at_limit, staff_report
from complaintcore.core.workflow import Assess, RecordSanction, Regrade
from complaintcore.rules import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH, Runner, about, intake, pack

PROPERTY = pack("cn-property")
SALES = pack("cn-sales-office")
NOW = datetime(2025, 12, 5, 9, 0, tzinfo=SH)
# within the month of a complaint received 3 or 4 Nov: past it, an open one is major
# and owes major's sanction before a sweep records the grade (review s56R6 F03)
WITHIN = datetime(2025, 12, 1, 9, 0, tzinfo=SH)


def sanctioned(
    p: RulePack,
    cid: str,
    staff: str,
    rung: str,
    received: datetime,
    facts: tuple[Fact, ...] = (),
    *,
    sanction: bool = True,
    department: str = "",
) -> Complaint:
    target = attrs.evolve(about(staff, rung), department=department)
    r = Runner(p, intake(summary="态度差", received_at=received, target=target), cid)
    r.register()
    r(Assess(actor="h-1", validity="valid", facts=facts))
    return r(RecordSanction(actor="sup")) if sanction else r.complaint


def _nov(day: int) -> datetime:
    return datetime(2025, 11, day, 10, 0, tzinfo=SH)


@pytest.mark.procedure("PEN-1")
def test_sanctions_are_tallied_by_grade_with_their_cards() -> None:
    front = PROPERTY.ladder[0].code
    complaints = [
        sanctioned(PROPERTY, "C-1", "g-1", front, _nov(3)),  # minor: a warning
        sanctioned(PROPERTY, "C-2", "g-1", front, _nov(4), (Fact.STAFF_FAULT,)),  # yellow card
        sanctioned(PROPERTY, "C-3", "g-2", front, _nov(5), (Fact.MAJOR_LOSS,)),  # red card
    ]
    table = staff_report(complaints, PROPERTY, year=2025, month=11, now=NOW)
    rows = {r.staff_id: r for r in table.rows}
    g1, g2 = rows["g-1"], rows["g-2"]
    assert (g1.sanctioned(Grade.MINOR), g1.sanctioned(Grade.IMPORTANT)) == (1, 1)
    assert g1.warnings == 1  # 轻微: 警告
    assert g1.carded(Measure.YELLOW_CARD) == 1  # 重要: 黄牌
    assert g1.complaints == 2
    assert g2.carded(Measure.RED_CARD) == 1  # 重大: 红牌
    assert g2.sanctioned(Grade.MAJOR) == 1
    assert (g2.severe, g2.reasons) == (True, ("severe_sanction",))  # 重大: to the company
    assert not g1.severe
    assert [r.staff_id for r in table.rows] == ["g-2", "g-1"]  # severe first
    assert table.severe == (g2,)


@pytest.mark.procedure("PEN-2")
def test_a_sales_consultant_loses_points_that_month() -> None:
    """A consultant (rung sales_consultant, department sales) with a minor complaint
    of 3 Nov and an important one of 20 Nov; a guard on the same rung (department
    security) with the same two.  By hand, docs/rule-packs.md (cn-sales-office):
    the consultant loses 2 + 5 = 7 points in November, under severe_points = 10,
    so not severe; the guard 0 (review s48G F02)."""
    complaints = [
        sanctioned(SALES, "S-1", "sc-7", "sales_consultant", _nov(3), department="sales"),
        sanctioned(
            SALES, "S-2", "sc-7", "sales_consultant", _nov(20), (Fact.STAFF_FAULT,),
            department="sales",
        ),
        sanctioned(SALES, "S-3", "g-4", "sales_consultant", _nov(3), department="security"),
        sanctioned(
            SALES, "S-4", "g-4", "sales_consultant", _nov(20), (Fact.STAFF_FAULT,),
            department="security",
        ),
    ]  # fmt: skip
    points = {
        c.id: e.points_deducted
        for c in complaints
        for e in c.events
        if isinstance(e, SanctionRecorded)
    }
    assert points == {"S-1": 2, "S-2": 5, "S-3": 0, "S-4": 0}  # 当月考评扣分
    nov = staff_report(complaints, SALES, year=2025, month=11, now=NOW)
    rows = {r.staff_id: (r.points, r.complaints, r.severe) for r in nov.rows}
    assert rows == {"sc-7": (7, 2, False), "g-4": (0, 2, False)}


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_complaint_graded_up_after_its_sanction_counts_once_at_its_new_grade() -> None:
    """A consultant's minor complaint is sanctioned (warning, 2 points in the pack),
    then raised to major (GRD-6) and sanctioned again (red card, 10 points, severe).
    By hand: one sanction, of grade major; one red card; no warning; 10 points; one
    valid complaint; severe, by the sanction and by the pack's severe_points = 10
    (review s45E F03)."""
    consultant = SALES.ladder[0].code
    r = Runner(
        SALES, intake(summary="态度差", received_at=_nov(3), target=about("sc-7", consultant))
    )
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordSanction(actor="sup"))
    r(Regrade(actor="gm", grade="major", reason="情节严重"))
    c = r(RecordSanction(actor="gm"))
    assert sum(isinstance(e, SanctionRecorded) for e in c.events) == 2
    (row,) = staff_report([c], SALES, year=2025, month=11, now=NOW).rows
    assert row.sanctions == ((Grade.MAJOR, 1),)
    assert row.cards == ((Measure.RED_CARD, 1),)
    assert (row.warnings, row.points, row.complaints) == (0, 10, 1)
    assert (row.severe, row.reasons) == (True, ("severe_sanction", "points"))
    # before the second sanction, the first stands: a warning and 2 points
    (before,) = staff_report([c], SALES, year=2025, month=11, now=c.events[-2].at).rows
    assert (before.sanctions, before.warnings, before.points) == (((Grade.MINOR, 1),), 1, 2)


def _warned_then_important(p: RulePack) -> Runner:
    """A guard's complaint: valid, minor (no finding, cn-property's default grade),
    sanctioned (a warning), then regraded important by hand (GRD-6)."""
    front = p.ladder[0].code
    r = Runner(p, intake(summary="态度差", received_at=_nov(3), target=about("g-1", front)), "C-1")
    r.register()
    r(Assess(actor="h-1", validity="valid"))
    r(RecordSanction(actor="sup"))
    r(Regrade(actor="pm", grade="important", reason="辱骂业主"))
    return r


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_graded_up_complaint_has_the_sanction_of_its_grade_outstanding() -> None:
    """PEN-1: minor → warning and written self-examination; important → yellow card,
    circulated criticism, written self-examination.  Recorded at minor, regraded
    important: the table counts what was recorded -- one minor sanction, one
    warning, no yellow card (never recorded) -- and names the important one as
    outstanding until it is recorded (review s46L L02)."""
    r = _warned_then_important(PROPERTY)
    (row,) = staff_report([r.complaint], PROPERTY, year=2025, month=11, now=WITHIN).rows
    assert (row.sanctions, row.warnings, row.cards, row.points) == (((Grade.MINOR, 1),), 1, (), 0)
    (owed,) = row.outstanding
    assert owed.complaint_id == "C-1"
    assert owed.staff_id == "g-1"
    assert owed.recorded is not None
    assert (owed.recorded.grade, owed.recorded.measures) == (
        Grade.MINOR,
        ("warning", "self_examination"),
    )
    assert (owed.due.grade, owed.due.measures) == (
        Grade.IMPORTANT,
        (Measure.YELLOW_CARD, Measure.CIRCULATED_CRITICISM, Measure.SELF_EXAMINATION),
    )
    assert outstanding_sanction(r.complaint, PROPERTY) == owed

    done = r(RecordSanction(actor="pm"))
    assert outstanding_sanction(done, PROPERTY) is None
    (row,) = staff_report([done], PROPERTY, year=2025, month=11, now=WITHIN).rows
    assert (row.sanctions, row.cards, row.outstanding) == (
        ((Grade.IMPORTANT, 1),),
        ((Measure.YELLOW_CARD, 1),),
        (),
    )


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_no_sanction_is_outstanding_before_the_grade_rises_but_one_never_recorded_is() -> None:
    """PEN-2: the person "receives the sanction of its grade"; PEN-1: minor → warning
    and written self-examination.  One recorded at its grade owes nothing; one never
    recorded owes it (review s54R5 F02), listed, not counted."""
    front = PROPERTY.ladder[0].code
    warned = sanctioned(PROPERTY, "C-1", "g-1", front, _nov(3))  # minor, its own sanction
    unsanctioned = sanctioned(PROPERTY, "C-2", "g-1", front, _nov(4), sanction=False)
    assert outstanding_sanction(warned, PROPERTY) is None
    owed = outstanding_sanction(unsanctioned, PROPERTY)
    assert owed is not None
    assert (owed.complaint_id, owed.staff_id, owed.recorded) == ("C-2", "g-1", None)
    assert (owed.due.grade, set(owed.due.measures)) == (
        Grade.MINOR,
        {"warning", "self_examination"},
    )
    (row,) = staff_report([warned, unsanctioned], PROPERTY, year=2025, month=11, now=WITHIN).rows
    assert row.outstanding == (owed,)
    assert (row.sanctions, row.warnings, row.complaints) == (((Grade.MINOR, 1),), 1, 2)
    # as it stood before the regrade (``now`` earlier): nothing outstanding yet
    r = _warned_then_important(PROPERTY)
    before = r.complaint.events[-2].at
    (row,) = staff_report([r.complaint], PROPERTY, year=2025, month=11, now=before).rows
    assert row.outstanding == ()


@pytest.mark.procedure("PEN-2")
def test_a_sanction_counts_in_the_month_of_its_complaint() -> None:
    """004 篇1 §三.4 "受到…投诉，将在当月考评扣分": the complaint came in October, so its
    sanction, typed in on 2 November, is October's evaluation (s28B F05)."""
    front = PROPERTY.ladder[0].code
    c = sanctioned(PROPERTY, "C-1", "g-1", front, datetime(2025, 10, 30, 10, tzinfo=SH),
                   sanction=False)  # fmt: skip
    r = Runner(PROPERTY, c.intake, "C-1")
    r.complaint = c
    r.now = _nov(2)
    c = r(RecordSanction(actor="sup"))
    oct_table = staff_report([c], PROPERTY, year=2025, month=10, now=NOW)
    nov_table = staff_report([c], PROPERTY, year=2025, month=11, now=NOW)
    assert [(x.staff_id, x.sanction_count, x.complaints) for x in oct_table.rows] == [("g-1", 1, 1)]
    assert nov_table.rows == ()


@pytest.mark.procedure("PEN-2")
def test_three_valid_complaints_about_one_person_in_a_month_are_severe() -> None:
    front = PROPERTY.ladder[0].code
    complaints = [
        sanctioned(PROPERTY, f"C-{i}", "g-1", front, _nov(i), sanction=False) for i in (3, 9, 15)
    ]
    (row,) = staff_report(complaints, PROPERTY, year=2025, month=11, now=NOW).rows
    assert PROPERTY.accountability.severe_complaints == 3
    assert (row.complaints, row.sanction_count, row.severe) == (3, 0, True)
    assert row.reasons == ("complaints",)
    two = staff_report(complaints[:2], PROPERTY, year=2025, month=11, now=NOW).rows
    assert not two[0].severe


@pytest.mark.procedure("PEN-2")
def test_figures_are_as_at_now_and_the_table_names_no_complainant() -> None:
    front = PROPERTY.ladder[0].code
    c = sanctioned(PROPERTY, "C-1", "g-1", front, _nov(3))
    before = staff_report([c], PROPERTY, year=2025, month=11, now=_nov(3) + timedelta(minutes=1))
    assert [(r.complaints, r.sanction_count) for r in before.rows] == []  # not yet assessed
    table = staff_report([c], PROPERTY, year=2025, month=11, now=NOW)
    text = repr(table)
    person = c.intake.complainant
    for secret in (person.name, person.phone, person.room):
        assert secret not in text
    with pytest.raises(InvalidInputError) as err:
        staff_report([c], PROPERTY, year=2025, month=13, now=NOW)
    assert err.value.path == "month"


@pytest.mark.procedure("VAL-4")
@pytest.mark.procedure("PEN-2")
def test_a_sanction_goes_with_its_complaint_revised_to_invalid() -> None:
    """VAL-4: only a valid complaint enters penalties.  A yellow card (重要, a staff
    fault) recorded on 4 Nov, the verdict revised to invalid two days later (VAL-1): as at
    5 Dec the guard has no sanction, no card and no valid complaint that month."""
    front = PROPERTY.ladder[0].code
    r = Runner(
        PROPERTY, intake(summary="态度差", received_at=_nov(4), target=about("g-1", front)), "C-1"
    )
    r.register()
    r(Assess(actor="h-1", validity="valid", facts=(Fact.STAFF_FAULT,)))
    r(RecordSanction(actor="sup"))
    before = staff_report([r.complaint], PROPERTY, year=2025, month=11, now=NOW)
    assert before.rows[0].carded(Measure.YELLOW_CARD) == 1
    r(Assess(actor="h-1", validity="invalid", note="业主所述与事实不符"), after=timedelta(days=2))
    after = staff_report([r.complaint], PROPERTY, year=2025, month=11, now=NOW)
    assert after.rows == ()


@pytest.mark.procedure("PEN-1")
def test_the_warnings_figure_is_in_every_format() -> None:
    """004 篇2 §4: a minor complaint's sanction is a warning (警告); docs/statistics.md
    lists warnings among the staff table's figures, in JSON, CSV, HTML and the
    terminal alike (review s27O f02: JSON only)."""
    from rich.console import Console

    from complaintcore.cli.report import staff_json, staff_rows
    from complaintcore.cli.report_html import _staff as staff_html
    from complaintcore.cli.report_terminal import print_staff
    from complaintcore.i18n import translator

    front = PROPERTY.ladder[0].code
    table = staff_report(
        [sanctioned(PROPERTY, "C-1", "g-1", front, _nov(3))],
        PROPERTY,
        year=2025,
        month=11,
        now=NOW,
    )
    t = translator("en")
    assert staff_json(table)["rows"][0]["warnings"] == 1  # type: ignore[index]
    assert {r["metric"]: r["value"] for r in staff_rows(table)}["warnings"] == 1
    assert "<th" in staff_html(t, table, None)
    assert ">warning<" in staff_html(t, table, None)
    console = Console(width=200, color_system=None, record=True)
    print_staff(console, table, t)
    assert "warning" in console.export_text()


def _at_limit(
    complaints: list[Complaint], p: RulePack, staff: str, at: datetime
) -> StaffMonth | None:
    return month_at_limit(complaints, p, staff_id=staff, year=2025, month=11, now=at)


@pytest.mark.procedure("PEN-2")
def test_a_month_is_at_the_points_limit_from_the_sanction_that_reaches_it() -> None:
    """004 篇1 §三.4 当月考评扣分 … 情节严重交由公司处理; cn-sales-office: an important
    complaint costs a consultant 5 points, 10 in a month is severe.  Sanctions of
    5, 10 and 15 points: the month is at its limit from the second on."""
    consultant = SALES.ladder[0].code  # 置业顾问
    assert SALES.accountability.severe_points == 10
    complaints = []
    answers = []
    for i, day in enumerate((3, 9, 20), start=1):
        c = sanctioned(SALES, f"S-{i}", "sc-7", consultant, _nov(day), (Fact.STAFF_FAULT,))
        complaints.append(c)
        recorded = c.events[-1]
        assert isinstance(recorded, SanctionRecorded)
        assert recorded.points_deducted == 5
        answers.append(_at_limit(complaints, SALES, "sc-7", recorded.at))
    first, second, third = answers
    assert first is None  # 5 points
    assert second is not None
    assert (second.points, second.reasons) == (10, ("points",))
    assert third is not None
    assert third.points == 15


@pytest.mark.procedure("PEN-2")
def test_a_month_at_the_complaints_limit_before_any_sanction() -> None:
    """cn-property: three valid complaints about one person in a month are severe,
    sanctioned or not; a month with two is not."""
    front = PROPERTY.ladder[0].code
    assert PROPERTY.accountability.severe_complaints == 3
    assert PROPERTY.accountability.severe_points == 0
    complaints = [
        sanctioned(PROPERTY, f"C-{i}", "g-1", front, _nov(day), sanction=False)
        for i, day in enumerate((3, 9, 15), start=1)
    ]
    assert _at_limit(complaints[:2], PROPERTY, "g-1", NOW) is None
    row = _at_limit(complaints, PROPERTY, "g-1", NOW)
    assert row is not None
    assert (row.reasons, row.complaints, row.sanction_count) == (("complaints",), 3, 0)


@pytest.mark.procedure("PEN-2")
def test_a_severe_sanction_alone_is_not_a_month_at_its_limit() -> None:
    """docs/statistics.md: a severe sanction is reported when recorded; a month is at
    its limit by ``severe_points`` or ``severe_complaints``.  cn-property deducts no
    points and sets 3 complaints: one red card (重大) in a month with one complaint
    makes the month severe, but not one at its limit (s29E F06)."""
    front = PROPERTY.ladder[0].code
    rule = PROPERTY.accountability
    assert (rule.severe_points, rule.severe_complaints) == (0, 3)
    red = sanctioned(PROPERTY, "C-1", "g-1", front, _nov(3), (Fact.MAJOR_LOSS,))
    (row,) = staff_report([red], PROPERTY, year=2025, month=11, now=NOW).rows
    assert row.carded(Measure.RED_CARD) == 1
    assert (row.severe, row.reasons, row.points, row.complaints) == (
        True,
        ("severe_sanction",),
        0,
        1,
    )
    assert _at_limit([red], PROPERTY, "g-1", NOW) is None


@pytest.mark.procedure("PEN-2")
def test_a_red_card_worth_the_points_limit_is_at_it_by_points() -> None:
    """cn-sales-office: a major complaint costs a consultant 10 points, which is
    ``severe_points``: the month is at its limit by points, besides the severe
    sanction; 5 points is not, and nor is another person's month or month."""
    consultant = SALES.ladder[0].code
    red = sanctioned(SALES, "S-1", "sc-7", consultant, _nov(3), (Fact.MAJOR_LOSS,))
    (row,) = staff_report([red], SALES, year=2025, month=11, now=NOW).rows
    assert (row.reasons, row.points) == (("severe_sanction", "points"), 10)
    at_limit = _at_limit([red], SALES, "sc-7", NOW)
    assert at_limit is not None
    assert (at_limit.points, at_limit.reasons) == (10, ("severe_sanction", "points"))
    one = sanctioned(SALES, "S-2", "sc-8", consultant, _nov(4), (Fact.STAFF_FAULT,))
    assert _at_limit([red, one], SALES, "sc-8", NOW) is None  # 5 points
    assert _at_limit([red, one], SALES, "sc-9", NOW) is None  # nobody's month
    october = month_at_limit([red, one], SALES, staff_id="sc-7", year=2025, month=10, now=NOW)
    assert october is None


def _beijing(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.mark.procedure("PEN-2")
def test_the_month_is_the_complaints_month_in_the_packs_time_zone() -> None:
    """docs/statistics.md: the complaints received in the month "in the pack's time
    zone" (cn-property: Asia/Shanghai).  A complaint of 1 Dec 2025 00:30 Beijing time
    (30 Nov 16:30 UTC) is December's, one of 1 Jan 2026 00:30 (31 Dec 16:30 UTC)
    January's: the points come off the evaluation of the month the person was
    complained about there (s29E F02)."""
    front = PROPERTY.ladder[0].code
    dec = sanctioned(
        PROPERTY, "C-1", "g-1", front, _beijing(2025, 12, 1, 0, 30), (Fact.STAFF_FAULT,)
    )
    jan = sanctioned(
        PROPERTY, "C-2", "g-1", front, _beijing(2026, 1, 1, 0, 30), (Fact.STAFF_FAULT,)
    )
    later = _beijing(2026, 1, 5, 9, 0)

    def month(year: int, number: int) -> list[tuple[str, int, int, tuple[str, ...]]]:
        table = staff_report([dec, jan], PROPERTY, year=year, month=number, now=later)
        return [(r.staff_id, r.sanction_count, r.complaints, r.complaint_ids) for r in table.rows]

    assert month(2025, 11) == []
    assert month(2025, 12) == [("g-1", 1, 1, ("C-1",))]
    assert month(2026, 1) == [("g-1", 1, 1, ("C-2",))]


@pytest.mark.procedure("PEN-2")
def test_a_month_at_its_limit_is_read_in_the_packs_time_zone() -> None:
    """cn-property, 3 valid complaints a month: three received on 1 Dec 2025 between
    00:10 and 00:50 Beijing time (30 Nov in UTC) put December at its limit, not
    November."""
    front = PROPERTY.ladder[0].code
    complaints = [
        sanctioned(PROPERTY, f"C-{m}", "g-1", front, _beijing(2025, 12, 1, 0, m), sanction=False)
        for m in (10, 30, 50)
    ]
    later = _beijing(2025, 12, 2, 9, 0)
    assert (
        month_at_limit(complaints, PROPERTY, staff_id="g-1", year=2025, month=11, now=later) is None
    )
    row = month_at_limit(complaints, PROPERTY, staff_id="g-1", year=2025, month=12, now=later)
    assert row is not None
    assert (row.reasons, row.complaints) == (("complaints",), 3)


def _host_pack(accountability: dict[str, object], major: list[str] | None = None) -> RulePack:
    """cn-property as a host might rewrite it: its own [accountability], and the
    major grade's measures (PEN-1: 红牌 "或发黑牌") when given."""
    data = to_dict(PROPERTY)
    data["accountability"] = accountability
    if major is not None:
        (rule,) = [s for s in data["sanctions"] if s["grade"] == "major"]
        rule["measures"] = major
    return load_pack_data(data, "host.toml")


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_severe_grades_alone_make_a_sanction_severe() -> None:
    """docs/rule-packs.md: ``severe_grades`` "a sanction of these grades is severe".  A
    host pack with ``severe_grades = ["important"]`` and no ``severe_measures``: the
    yellow card of an important complaint is severe, the red card of a major one is
    not, nor is a minor one's warning (s29E F08)."""
    host = _host_pack({"severe_grades": ["important"], "report_to": "hr_admin"})
    front = host.ladder[0].code
    complaints = [
        sanctioned(host, "C-1", "g-1", front, _nov(3), (Fact.STAFF_FAULT,)),  # important
        sanctioned(host, "C-2", "g-2", front, _nov(4), (Fact.MAJOR_LOSS,)),  # major
        sanctioned(host, "C-3", "g-3", front, _nov(5)),  # minor
    ]
    flags = {}
    for c in complaints:
        recorded = c.events[-1]
        assert isinstance(recorded, SanctionRecorded)
        flags[recorded.grade] = recorded.severe
    assert flags == {Grade.IMPORTANT: True, Grade.MAJOR: False, Grade.MINOR: False}
    rows = {
        r.staff_id: r for r in staff_report(complaints, host, year=2025, month=11, now=NOW).rows
    }
    assert rows["g-1"].carded(Measure.YELLOW_CARD) == 1
    assert (rows["g-1"].severe, rows["g-1"].reasons) == (True, ("severe_sanction",))
    assert rows["g-2"].carded(Measure.RED_CARD) == 1
    assert (rows["g-2"].severe, rows["g-3"].severe) == (False, False)


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_a_black_card_is_tallied_and_severe_by_its_measure() -> None:
    """PEN-1 (004 篇2 §4): a major complaint's red card "或发黑牌".  A host pack whose
    major sanction is a black card, severe by ``severe_measures = ["black_card"]``
    with no ``severe_grades``: the table counts one black card and no red one, and the
    month is severe; an important complaint's yellow card is not (s29E F08)."""
    host = _host_pack(
        {"severe_measures": ["black_card"], "report_to": "hr_admin"},
        major=["black_card", "circulated_criticism", "self_examination"],
    )
    front = host.ladder[0].code
    complaints = [
        sanctioned(host, "C-1", "g-1", front, _nov(3), (Fact.MAJOR_LOSS,)),
        sanctioned(host, "C-2", "g-2", front, _nov(4), (Fact.STAFF_FAULT,)),
    ]
    rows = {
        r.staff_id: r for r in staff_report(complaints, host, year=2025, month=11, now=NOW).rows
    }
    black, yellow = rows["g-1"], rows["g-2"]
    assert [(card.value, n) for card, n in black.cards] == [("black_card", 1)]
    assert black.carded(Measure.RED_CARD) == 0
    assert (black.severe, black.reasons) == (True, ("severe_sanction",))
    assert [(card.value, n) for card, n in yellow.cards] == [("yellow_card", 1)]
    assert not yellow.severe
