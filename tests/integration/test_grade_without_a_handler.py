"""ESC-3: a grade a derived pack leaves out of ``[[grade_handlers]]`` is handled from
the rung of the nearest lower grade, never from the front line below it (review s42B
F02).

The pack is cn-property without its ``important`` entry (docs/rule-packs.md,
"[[grade_handlers]]"): minor → department_head, so an important complaint needs the
department head too.  At sunrise SR-202 is a front-line maintenance technician and
SR-201 the maintenance department's head (the packaged sample staff).
"""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.models import Grade
from complaintcore.core.workflow import Assess, Reply
from complaintcore.desk import Desk
from complaintcore.rules import load_pack_text
from tests.helpers import SH
from tests.helpers import intake as base_intake

IMPORTANT = '[[grade_handlers]]\ngrade = "important"\nrung = "project_manager"\n'


def _without_important() -> str:
    shipped = (files("complaintcore.rules") / "cn-property.toml").read_text(encoding="utf-8")
    assert IMPORTANT in shipped
    return shipped.replace(IMPORTANT, "", 1)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, 10, hour, minute, tzinfo=SH)


@pytest.mark.procedure("ESC-3")
def test_an_important_complaint_is_not_answered_from_the_front_line() -> None:
    pack = load_pack_text(_without_important(), "acme.toml")
    assert pack.handler_rung_for(Grade.IMPORTANT) == "department_head"
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
    )
    c = desk.receive(base_intake(received_at=at(9, 30), receiver="SR-103"), now=at(9, 30))
    c = desk.act(
        c.id,
        Assess(actor=c.state.handler, validity="valid", facts=["staff_fault"]),
        now=at(10),
    )
    assert c.state.grade is Grade.IMPORTANT
    with pytest.raises(AccessDeniedError) as refused:
        desk.act(c.id, Reply(actor="SR-202", message="已修好", final=True), now=at(10, 10))
    assert refused.value.reason == (
        "rung front_line is below department_head, required for this complaint (ESC-3)"
    )
