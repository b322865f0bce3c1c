"""Re-review s54R13 F01: a duty added to a pack in use is owed only from its
``applies_from`` day; cn-property's return visit (VIS-1) from 2026-12-05.

Due times worked out by hand (cn-property: CN working days, Monday to Friday,
09:00-12:00 and 13:00-18:00, Asia/Shanghai; December 2026 has no holiday).
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import ClockState, DutyStatus, compute_duties
from complaintcore.core.errors import RulePackError
from complaintcore.core.models import Complaint
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import Assess, Reply
from complaintcore.i18n import translator
from complaintcore.rules.loader import load_pack_text
from tests.helpers import SH, Runner, intake, pack

PROPERTY = pack("cn-property")
CALENDAR = calendar_for_spec(PROPERTY.calendar)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def replied(received: datetime, final: datetime) -> Complaint:
    r = Runner(PROPERTY, intake(received_at=received))
    r.register()
    r(Assess(actor="h-1", validity="valid"), after=received.replace(minute=30) - r.now)
    return r(Reply(actor="h-1", message="已更换水管", final=True), after=final - r.now)


def visit(c: Complaint, now: datetime) -> DutyStatus:
    found = compute_duties(c, PROPERTY, CALENDAR, now)
    return next(d for d in found if d.name == "return_visit")


@pytest.mark.procedure("VIS-1")
def test_a_final_reply_before_the_duty_was_added_owes_no_return_visit() -> None:
    """Replied Friday 4 December 2026 17:00, the day before return_visit applies: no
    run, however late it is asked; the reason is said."""
    assert PROPERTY.duty("return_visit").applies_from == date(2026, 12, 5)
    c = replied(at(2026, 12, 4, 10, 0), at(2026, 12, 4, 17, 0))
    owed = visit(c, at(2027, 3, 1, 9, 0))
    assert owed.state is ClockState.NOT_STARTED
    assert not owed.owed
    assert owed.due is None
    assert "came before the duty applies, from 2026-12-05" in " ".join(owed.clock.derivation)


@pytest.mark.procedure("VIS-1")
def test_a_final_reply_after_the_date_owes_it_within_two_working_days() -> None:
    """Replied Monday 7 December 2026 10:00: working days 1 and 2 are Tuesday 8 and
    Wednesday 9 December; due Wednesday 9 December 18:00, breached after."""
    c = replied(at(2026, 12, 7, 9, 0), at(2026, 12, 7, 10, 0))
    owed = visit(c, at(2026, 12, 7, 10, 0))
    assert owed.rule == "VIS-1"
    assert owed.state is ClockState.RUNNING
    assert owed.due == at(2026, 12, 9, 18, 0)
    assert visit(c, at(2026, 12, 9, 18, 1)).state is ClockState.BREACHED


@pytest.mark.procedure("VIS-1")
def test_a_past_months_report_has_no_return_visit_row_for_replies_before_the_date() -> None:
    """November 2026: replied, never visited, before the duty applied: the month
    owes no VIS-1 row; December's reply after it is counted there (breached)."""
    old = replied(at(2026, 11, 2, 10, 0), at(2026, 11, 3, 10, 0))
    new = replied(at(2026, 12, 7, 9, 0), at(2026, 12, 7, 10, 0))
    now = at(2027, 1, 4, 9, 0)
    november = monthly_report([old, new], PROPERTY, CALENDAR, year=2026, month=11, now=now)
    assert [d for d in november.duties if d.name == "return_visit" and d.started] == []
    december = monthly_report([old, new], PROPERTY, CALENDAR, year=2026, month=12, now=now)
    row = next(d for d in december.duties if d.name == "return_visit")
    assert (row.rule, row.started, row.met, row.missed) == ("VIS-1", 1, 0, 0)


@pytest.mark.parametrize(
    ("value", "reason", "zh"),
    [
        ('"yesterday"', "expected a date such as 2024-10-01", "应为日期，例如 2024-10-01"),
        ("2026-12-05T10:00:00", "expected a date without a time of day", "应为不含时刻的日期"),
        ("5", "expected a date, got an integer", "应为日期，实际为"),
    ],
)
def test_an_applies_from_that_is_not_a_date_is_refused_with_its_key(
    value: str, reason: str, zh: str
) -> None:
    text = resources.files("complaintcore.rules").joinpath("cn-property.toml").read_text("utf-8")
    assert text.count("applies_from = 2026-12-05") == 1
    with pytest.raises(RulePackError) as info:
        load_pack_text(text.replace("applies_from = 2026-12-05", f"applies_from = {value}"))
    index = [d.name for d in PROPERTY.duties].index("return_visit")
    problems = [(p.path, p.reason) for p in info.value.problems]
    assert problems == [(f"duties[{index}].applies_from", reason)]
    assert f"duties[{index}].applies_from：{zh}" in translator("zh").error(info.value, PROPERTY)
