"""PEN-1, PEN-2: the monthly per-staff accountability table.

004 篇2 §4: 轻微投诉给予警告且做书面检查；重要投诉发黄牌且作通报批评并做书面检查；
重大投诉发红牌通报批评并做书面检查或发黑牌；内部投诉给予警告且做书面检查.
004 篇1 §三.4: 置业顾问受到开发商或小业主投诉，将在当月考评扣分，如情节严重交由公司处理.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint, Fact, Grade, SanctionRecorded
from complaintcore.core.rulepack import Measure, RulePack
from complaintcore.core.staff_report import StaffMonth, month_at_limit, staff_report
from complaintcore.core.workflow import Assess, RecordSanction
from tests.helpers import SH, Runner, about, intake, pack

PROPERTY = pack("cn-property")
SALES = pack("cn-sales-office")
NOW = datetime(2025, 12, 5, 9, 0, tzinfo=SH)


def sanctioned(
    p: RulePack,
    cid: str,
    staff: str,
    rung: str,
    received: datetime,
    facts: tuple[Fact, ...] = (),
    *,
    sanction: bool = True,
) -> Complaint:
    r = Runner(p, intake(summary="态度差", received_at=received, target=about(staff, rung)), cid)
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
    consultant = SALES.ladder[0].code  # 置业顾问
    complaints = [
        sanctioned(SALES, "S-1", "sc-7", consultant, _nov(3)),
        sanctioned(SALES, "S-2", "sc-7", consultant, _nov(20), (Fact.STAFF_FAULT,)),
    ]
    nov = staff_report(complaints, SALES, year=2025, month=11, now=NOW)
    (row,) = nov.rows
    points = [
        e.points_deducted for c in complaints for e in c.events if isinstance(e, SanctionRecorded)
    ]
    assert all(p > 0 for p in points)  # 当月考评扣分
    assert row.points == sum(points)
    assert row.severe == (row.points >= SALES.accountability.severe_points)


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
    """A major complaint's red card is reported as a severe sanction when recorded; the
    month's limits are points and complaints."""
    consultant = SALES.ladder[0].code
    red = sanctioned(SALES, "S-1", "sc-7", consultant, _nov(3), (Fact.MAJOR_LOSS,))
    (row,) = staff_report([red], SALES, year=2025, month=11, now=NOW).rows
    assert "severe_sanction" in row.reasons
    assert row.points == 10  # cn-sales-office: major = 10 points
    assert _at_limit([red], SALES, "sc-7", NOW) is not None  # and 10 points is the limit
    one = sanctioned(SALES, "S-2", "sc-8", consultant, _nov(4), (Fact.STAFF_FAULT,))
    assert _at_limit([red, one], SALES, "sc-8", NOW) is None  # 5 points
    assert _at_limit([red, one], SALES, "sc-9", NOW) is None  # nobody's month
    october = month_at_limit([red, one], SALES, staff_id="sc-7", year=2025, month=10, now=NOW)
    assert october is None
