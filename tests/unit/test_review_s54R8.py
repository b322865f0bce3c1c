"""Review s54R8 F02: the concentration figures of cn-sales-office and cn-service-centre.

No test loaded either pack's ``[concentration]``: widening the centre's windows
(24 h, 6 h) passed every test.  The figures are docs/rule-packs.md's (Rule packs,
"Concentration"): cn-property 3 complainants in one building within 72 h, a group
incident at 5 within 24 h; "cn-sales-office the same by site; cn-service-centre by
building within 24 h and 6 h".  A group incident is reported at once to the pack's
``group_report_rung`` (HDL-6): ``sales_management`` (销管部经理) for the sales
office, ``service_manager`` (客服经理) for the centre.  Each case receives one
complaint per complainant about one matter, the last one at the window's edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from complaintcore.core.models import Complainant
from complaintcore.core.workflow import Complaint
from complaintcore.testing import make_desk
from tests.helpers import SH, intake

T0 = datetime(2026, 10, 12, 9, 0, tzinfo=SH)  # Mon 12 Oct 2026 09:00

CENTRE = ("cn-service-centre", "CC-201", "楼道垃圾没人清扫，有异味")
SALES = ("cn-sales-office", "SR-103", "售楼处空调坏了，排队等太久")


def last_of(
    where: tuple[str, str, str], hours: Sequence[float], buildings: Sequence[str] = ()
) -> Complaint:
    """The last of ``len(hours)`` complaints by as many complainants, received
    ``hours`` after T0 (in building 5 of sunrise, or ``buildings``' each)."""
    pack, receiver, summary = where
    desk = make_desk(pack=pack)
    last: Complaint | None = None
    for n, h in enumerate(hours):
        building = buildings[n] if buildings else "5"
        at = T0 + timedelta(hours=h)
        who = Complainant(f"业主{n}", f"1391234{n:04d}", f"{building}-1-80{n}", building, "sunrise")
        last = desk.receive(
            intake(summary, complainant=who, received_at=at, receiver=receiver), now=at
        )
    assert last is not None
    return last


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize(
    ("where", "hours", "issue"),
    [
        (CENTRE, (0, 11, 22.9), True),  # 3 within 24 h
        (CENTRE, (0, 12, 24.5), False),  # the first outside 24 h
        (SALES, (0, 36, 71.9), True),  # 3 within 72 h
        (SALES, (0, 36, 72.5), False),  # the first outside 72 h
    ],
    ids=["centre-22.9h", "centre-24.5h", "sales-71.9h", "sales-72.5h"],
)
def test_three_complainants_within_the_packs_window_are_one_issue(
    where: tuple[str, str, str], hours: tuple[float, ...], issue: bool
) -> None:
    c = last_of(where, hours)
    assert bool(c.state.issue) is issue
    assert c.state.group_incident is False


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("HDL-6")
@pytest.mark.parametrize(
    ("where", "hours", "incident", "report_rung"),
    [
        (CENTRE, (0, 1.4, 2.8, 4.2, 5.6), True, "service_manager"),  # 5 within 6 h
        (CENTRE, (0, 1.6, 3.2, 4.8, 6.4), False, "service_manager"),  # not within 6 h
        (SALES, (0, 6, 12, 18, 23.9), True, "sales_management"),  # 5 within 24 h
        (SALES, (0, 6, 12, 18, 24.5), False, "sales_management"),  # not within 24 h
    ],
    ids=["centre-5.6h", "centre-6.4h", "sales-23.9h", "sales-24.5h"],
)
def test_five_complainants_within_the_packs_group_window_are_a_group_incident(
    where: tuple[str, str, str], hours: tuple[float, ...], incident: bool, report_rung: str
) -> None:
    """Five complainants are a concentrated issue either way (within the wider
    window); within the group window they are a group incident, reported at once."""
    c = last_of(where, hours)
    assert c.state.issue
    assert c.state.group_incident is incident
    assert (c.state.rung == report_rung) is incident


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize(
    ("where", "issue"), [(SALES, True), (CENTRE, False)], ids=["sales", "centre"]
)
def test_the_sales_office_groups_by_site_the_centre_by_building(
    where: tuple[str, str, str], issue: bool
) -> None:
    """Three complainants of three buildings of one site within an hour."""
    c = last_of(where, (0, 0.5, 1), buildings=("3", "5", "7"))
    assert bool(c.state.issue) is issue
