"""A pack's own DL-6 month: the sweep makes a valid complaint major at ``[grading]
upgrade_after_months``, whatever the ``major_by_age`` clock's duration (review s42B F01).

rule-packs.md: ``upgrade_after_months`` -- "a valid complaint open this long is
upgraded"; the clock only times the month for warnings and reports.  Each test
drives a SQLite desk through a pack derived from cn-property, as a company would.
"""

from __future__ import annotations

import importlib.resources
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Fact, Grade, Intake
from complaintcore.core.workflow import Assess, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.rules import load_pack_text
from tests.helpers import SH

SHIPPED = (importlib.resources.files("complaintcore") / "rules" / "cn-property.toml").read_text(
    encoding="utf-8"
)
MONTH_CLOCK = 'mode = "months"\nduration = "1mo"'


def derived(*, upgrade_after: int = 1, clock: str = "1mo") -> str:
    """cn-property with its own DL-6 month (``[grading]``) and clock duration."""
    assert SHIPPED.count("upgrade_after_months = 1\n") == 1
    assert SHIPPED.count(MONTH_CLOCK) == 1  # major_by_age's, the only month clock
    text = SHIPPED.replace(
        "upgrade_after_months = 1\n", f"upgrade_after_months = {upgrade_after}\n"
    )
    return text.replace(MONTH_CLOCK, f'mode = "months"\nduration = "{clock}"')


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def open_desk(text: str, tmp_path: Path) -> Desk:
    pack = load_pack_text(text, "acme.toml")
    return Desk(
        pack=pack,
        store=SqliteStore(tmp_path / "desk.sqlite3"),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )


def valid_minor(desk: Desk) -> str:
    """A valid minor complaint received Mon 10 Nov 2025 09:30, held by its department."""
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    intake = Intake(owner, "phone", at(11, 10, 9, 30), "SR-103", "楼上漏水", site="sunrise")
    c = desk.receive(intake, now=at(11, 10, 9, 30))
    assess = Assess(actor="SR-201", validity="valid", facts=[Fact.FACILITY_LIMITATION])
    assert desk.act(c.id, assess, now=at(11, 10, 10)).state.grade is Grade.MINOR
    return c.id


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("GRD-2")
def test_the_sweep_upgrades_at_three_months_when_the_pack_says_three(tmp_path: Path) -> None:
    """``upgrade_after_months = 3``, clock left at 1mo: the clock's breach a month on
    changes no grade; the sweep after Tue 10 Feb 2026 09:30 makes it major, and
    senior management holds it (ESC-3), though nothing else made the row due then."""
    desk = open_desk(derived(upgrade_after=3), tmp_path)
    cid = valid_minor(desk)
    for early in (at(12, 11), at(2, 10, 9, 0, year=2026)):
        assert cid not in desk.sweep(early).regraded
        assert desk.get(cid).state.grade is Grade.MINOR
    report = desk.sweep(at(2, 10, 9, 35, year=2026))
    assert report.regraded == (cid,)
    upgraded = desk.get(cid)
    assert upgraded.state.grade is Grade.MAJOR
    assert upgraded.state.rung == "senior_management"
    assert any("3 month" in r for r in upgraded.state.grade_reasons)
    desk.close()


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("GRD-2")
def test_the_sweep_upgrades_at_one_month_though_the_clock_runs_two(tmp_path: Path) -> None:
    """``major_by_age`` lengthened to 2mo, ``upgrade_after_months`` left at 1: the reply's
    breach already swept (1 and 5 Dec), the sweep after Wed 10 Dec 09:30 makes it major,
    not the one after the clock's due time on 10 Jan."""
    desk = open_desk(derived(clock="2mo"), tmp_path)
    cid = valid_minor(desk)
    desk.sweep(at(12, 1))
    desk.sweep(at(12, 5))
    assert cid not in desk.sweep(at(12, 10, 9, 25)).regraded
    assert desk.sweep(at(12, 10, 9, 35)).regraded == (cid,)
    assert desk.get(cid).state.grade is Grade.MAJOR
    desk.close()


@pytest.mark.procedure("DL-6")
def test_a_complaint_resolved_within_its_months_is_not_swept_again_and_again(
    tmp_path: Path,
) -> None:
    """Answered and the owner satisfied at the return visit (VIS-1): resolved, so its
    third month ending changes nothing, and once a sweep has looked at it then its
    row waits for something else (it is not due at every sweep after)."""
    desk = open_desk(derived(upgrade_after=3), tmp_path)
    cid = valid_minor(desk)
    desk.act(cid, Reply(actor="SR-201", message="已更换水管", final=True), now=at(11, 10, 12))
    desk.act(cid, Visit(actor="SR-102", satisfied=True), now=at(11, 11))
    past = at(2, 11, year=2026)
    assert cid not in desk.sweep(past).regraded
    assert desk.get(cid).state.grade is Grade.MINOR
    (row,) = desk.store.rows()
    assert row.next_due is None or row.next_due > past
    desk.close()


@pytest.mark.procedure("DL-6")
@pytest.mark.procedure("DL-7")
def test_a_pack_that_turns_the_upgrade_on_makes_the_months_old_complaints_major(
    tmp_path: Path,
) -> None:
    """The desk ran under a pack that never upgraded (``upgrade_after_months = 0``);
    on Fri 20 Feb 2026 it opens under one that upgrades after 3 months.  The first
    sweep rewrites the rows (the pack changed) and makes the complaint received on
    10 Nov major at once: its three months are past and nothing resolved it."""
    old = open_desk(derived(upgrade_after=0), tmp_path)
    cid = valid_minor(old)
    assert cid not in old.sweep(at(12, 11)).regraded  # never, under this pack
    old.close()
    new = open_desk(derived(upgrade_after=3), tmp_path)
    report = new.sweep(at(2, 20, year=2026))
    assert cid in report.reprojected
    assert report.regraded == (cid,)
    assert new.get(cid).state.grade is Grade.MAJOR
    new.close()
