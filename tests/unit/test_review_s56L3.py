"""Review s56L3: a host calendar's end was blamed on the rule pack.

F01: a ``complaintcore_get_calendar`` plugin answering a calendar of 2025 alone
(cn-property's ``[calendar]`` is 2024-2040): a complaint whose clock runs past
2025-12-31 was refused with "the calendar ends on 2025-12-31 (calendar.last_year
of the rule pack)", which is 2040 already; raising it changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Desk,
    Register,
    WorkingCalendar,
    decide,
    evolve,
    hookimpl,
    make_plugin_manager,
    new_complaint,
)
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import compute_clocks
from complaintcore.core.errors import NoWorkingTimeError
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.core.rulepack import RulePack
from complaintcore.i18n import translator
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
LATE = datetime(2025, 12, 30, 10, tzinfo=SH)  # 3 working days on run past 2025
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
HOOK_END = (  # the calendar given to the desk, by the hook or not (review s56R3 F05)
    "; the calendar ends on 2025-12-31, not at the rule pack's [calendar] last_year 2040:"
    " extend the years of the calendar given to the desk"
)


def _short() -> WorkingCalendar:
    return WorkingCalendar.build(
        tz="Asia/Shanghai", weekly={d: [("09:00", "18:00")] for d in range(5)}, years=(2025, 2025)
    )


class _ShortCalendar:
    @hookimpl
    def complaintcore_get_calendar(self, name: str, spec: object, config: object) -> object:
        return _short()


class _Staff:
    @hookimpl
    def complaintcore_get_staff_directory(self) -> object:
        return load_sample_staff()


def _intake(at: datetime) -> Intake:
    return Intake(OWNER, "phone", at, "SR-103", "楼上漏水，天花板渗水", site="sunrise")  # type: ignore[arg-type]


def _received(pack: RulePack, at: datetime) -> Complaint:
    c = new_complaint("C-1", _intake(at))
    return evolve(c, decide(c, Register(actor="SR-103"), pack, at))


def test_f01_a_clock_past_a_hook_calendars_end_names_the_host_calendar() -> None:
    pm = make_plugin_manager([_Staff(), _ShortCalendar()], load_entry_points=False)
    config = {"database": ":memory:", "notifiers": {"log": False}}
    with (
        Desk.from_config(config, plugin_manager=pm) as desk,
        pytest.raises(NoWorkingTimeError) as err,
    ):
        desk.receive(_intake(LATE), now=LATE)
    text = str(err.value)
    assert text.startswith("clock ")
    assert text.endswith(HOOK_END)
    assert "calendar.last_year of the rule pack" not in text
    zh = translator("zh").error(err.value)
    assert zh.endswith(
        "；日历止于 2025-12-31，而非规则包 [calendar] 的 last_year 2040："
        "请延长交给投诉台的日历的年份"
    ), zh


def test_f01_the_core_compares_the_calendars_years_with_the_packs() -> None:
    """compute_clocks itself: another calendar's end names the host's calendar; the
    pack's own (2024-2040) still names calendar.last_year."""
    pack = load_pack("cn-property")
    with pytest.raises(NoWorkingTimeError) as short:
        compute_clocks(_received(pack, LATE), pack, _short(), LATE)
    assert str(short.value).endswith(HOOK_END)
    end = datetime(2040, 12, 28, 10, tzinfo=SH)
    with pytest.raises(NoWorkingTimeError) as own:
        compute_clocks(_received(pack, end), pack, calendar_for_spec(pack.calendar), end)
    assert str(own.value).endswith(
        "; the calendar ends on 2040-12-31 (calendar.last_year of the rule pack)"
    )
