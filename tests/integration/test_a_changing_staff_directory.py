"""A host staff directory that changes over time (reviews s43D F01–F03, s43E F01–F02).

A directory over a live HR system sees leavers at once (hooks.md).  cn-property and
its packaged sample staff, on a desk kept in a SQLite file: a leak at sunrise,
received by SR-103 on Mon 10 Nov 2025 at 09:00, is routed to engineering's
department head SR-201 (engineering at sunrise is also SR-202, Mon-Sat 08:00-17:00,
and SR-203, Fri-Sun 18:00-08:00); escalated twice it reaches senior management,
HQ-001, the top rung.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import AccessDeniedError, InvalidInputError
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.core.workflow import Assess, Assign, Escalate
from complaintcore.desk import Desk
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.desk.ports import StaffMember
from complaintcore.i18n import translator
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH

T0 = datetime(2025, 11, 10, 9, 0, tzinfo=SH)  # a Monday


class HR:
    """A host directory over a live HR system: ``get()`` knows nobody who has left;
    ``members()`` is one tuple, as hooks.md advises, taken before they left unless
    ``snapshot`` is false (a directory current in both)."""

    def __init__(self, staff: Sequence[StaffMember]) -> None:
        self.staff = tuple(staff)
        self.gone: set[str] = set()
        self.snapshot = False

    def members(self) -> Sequence[StaffMember]:
        if self.snapshot:
            return self.staff
        return tuple(m for m in self.staff if m.staff_id not in self.gone)

    def get(self, staff_id: str) -> StaffMember | None:
        if staff_id in self.gone:
            return None
        return next((m for m in self.staff if m.staff_id == staff_id), None)


class Host:
    def __init__(self, staff: Sequence[StaffMember]) -> None:
        self.hr = HR(staff)
        self.inbox = RecordingNotifier()

    @hookimpl
    def complaintcore_get_staff_directory(self) -> HR:
        return self.hr

    @hookimpl
    def complaintcore_get_notifiers(self) -> list[RecordingNotifier]:
        return [self.inbox]


@pytest.fixture
def host() -> Host:
    return Host(load_sample_staff().members())


@pytest.fixture
def desk(host: Host, tmp_path: Path) -> Iterator[Desk]:
    pm = make_plugin_manager([host], load_entry_points=False)
    config = {"database": str(tmp_path / "desk.sqlite3"), "notifiers": {"log": False}}
    with Desk.from_config(config, plugin_manager=pm) as d:
        yield d


def leak(desk: Desk) -> Complaint:
    owner = Complainant("王小明", "13812345678", "3-1-501", "3", "sunrise")
    return desk.receive(
        Intake(owner, "phone", T0, "SR-103", "楼上漏水，天花板渗水", site="sunrise"), now=T0
    )


def told(host: Host, desk: Desk, now: datetime, topic: str) -> list[str]:
    desk.deliver(now)
    return sorted(n.recipient for n, _ in host.inbox.sent if n.topic == topic)


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("DL-7")
def test_a_deadline_at_risk_of_a_leavers_complaint_warns_the_unit_that_owes_it(
    desk: Desk, host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    """SR-201 leaves while holding the leak.  At Thu 13 Nov 17:00 its reply and
    department-result clocks are at risk (the control below: SR-201 would hear
    both).  notifications.md: a warning is never addressed to nobody; as for a
    complaint nobody holds, the unit at the site that owes the clocks is told,
    engineering, on duty first and all of it when nobody is (SR-202's day ends at
    17:00, SR-203's night starts Friday): SR-202 and SR-203, one warning each per
    clock, counted by ``at_risk``; the leaver is logged, not told."""
    c = leak(desk)
    assert c.state.handler == "SR-201"
    desk.deliver(T0)
    host.inbox.sent.clear()
    host.hr.gone.add("SR-201")
    now = T0 + timedelta(hours=80)
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        report = desk.sweep(now)
    assert told(host, desk, now, "at_risk") == ["SR-202", "SR-202", "SR-203", "SR-203"]
    assert report.at_risk == 4
    assert report.failed == ()
    assert any(
        c.id in r.getMessage() and "not in the staff directory" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.procedure("DL-7")
def test_a_deadline_at_risk_of_a_present_handlers_complaint_warns_the_handler(
    desk: Desk, host: Host
) -> None:
    """The control: SR-201 still works there and alone hears of both clocks."""
    leak(desk)
    desk.deliver(T0)
    host.inbox.sent.clear()
    now = T0 + timedelta(hours=80)
    report = desk.sweep(now)
    assert told(host, desk, now, "at_risk") == ["SR-201", "SR-201"]
    assert report.at_risk == 2


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-5")
def test_a_deadline_missed_at_the_top_rung_by_a_leaver_is_told_to_the_unit_that_owes_it(
    desk: Desk, host: Host
) -> None:
    """Escalated by hand twice, the leak is HQ-001's at the top rung, where a missed
    deadline is told to its holder instead of escalating (ESC-5).  HQ-001 leaves; at
    Fri 14 Nov 09:00 the reply and department-result deadlines have passed: the unit
    that owes them, engineering at sunrise, hears, those on duty (SR-201, SR-202;
    SR-203's night starts at 18:00), never the leaver."""
    c = leak(desk)
    for i in range(2):
        c = desk.act(
            c.id,
            Escalate(actor=c.state.handler, trigger="cannot_handle"),
            now=T0 + timedelta(minutes=i + 1),
        )
    assert (c.state.handler, c.state.rung) == ("HQ-001", "senior_management")
    desk.deliver(T0 + timedelta(minutes=5))
    host.inbox.sent.clear()
    host.hr.gone.add("HQ-001")
    now = T0 + timedelta(hours=96)
    report = desk.sweep(now)
    assert report.escalated == ()
    assert told(host, desk, now, "breached") == ["SR-201", "SR-201", "SR-202", "SR-202"]


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("PRV-1")
def test_a_leavers_warning_never_goes_to_the_leaver_when_their_site_has_nobody_else(
    tmp_path: Path,
) -> None:
    """Review s43E F01: a smaller company, sunrise staffed by SR-201 alone, head
    office by HQ-001 (senior management) and HQ-010 (head of HR, department-head
    rung).  SR-201, the leak's handler, leaves; ``members()`` is the snapshot from
    before.  Neither engineering nor customer service has anyone at sunrise, so
    the warning goes to the supervisor's rung and up (notifications.md), "never to
    the leaver": HQ-010 alone.  Before, SR-201 was picked from the snapshot too,
    and sent the complainant's name and phone unmasked."""
    keep = {"HQ-001", "HQ-010", "SR-201"}
    host = Host([m for m in load_sample_staff().members() if m.staff_id in keep])
    host.hr.snapshot = True
    pm = make_plugin_manager([host], load_entry_points=False)
    config = {"database": str(tmp_path / "desk.sqlite3"), "notifiers": {"log": False}}
    with Desk.from_config(config, plugin_manager=pm) as desk:
        owner = Complainant("王小明", "13812345678", "3-1-501", "3", "sunrise")
        intake = Intake(owner, "phone", T0, "SR-201", "楼上漏水，天花板渗水", site="sunrise")
        c = desk.receive(intake, now=T0)
        assert (c.state.handler, c.state.rung) == ("SR-201", "department_head")
        desk.deliver(T0)
        host.inbox.sent.clear()
        host.hr.gone.add("SR-201")
        now = T0 + timedelta(hours=20)  # Tue 05:00: the reply is at risk
        report = desk.sweep(now)
        assert told(host, desk, now, "at_risk") == ["HQ-010"]
        assert report.at_risk == 1
        assert not any("13812345678" in n.body for n, _ in host.inbox.sent)


# --------------------------------------------------------------------------- F02


@pytest.mark.parametrize("reserved", ["System", "ｓｙｓｔｅｍ", " system "])
def test_a_host_directory_member_with_the_reserved_id_is_refused(
    host: Host, tmp_path: Path, reserved: str
) -> None:
    """staff-directory.md: ``system`` is reserved, in any case or width, and refused
    as an assignee.  A host directory naming a member so (here SR-201, the leak's
    handler) is refused as a staff file is, naming the hook and the member's place,
    and nothing is written; before, the leak was routed to "System", who could
    never act on it."""
    host.hr.staff = tuple(
        attrs.evolve(m, staff_id=reserved) if m.staff_id == "SR-201" else m for m in host.hr.staff
    )
    index = next(i for i, m in enumerate(host.hr.staff) if m.staff_id == reserved)
    pm = make_plugin_manager([host], load_entry_points=False)
    config = {"database": str(tmp_path / "desk.sqlite3"), "notifiers": {"log": False}}
    with Desk.from_config(config, plugin_manager=pm) as desk:
        with pytest.raises(InvalidInputError) as err:
            leak(desk)
        assert err.value.path == "complaintcore_get_staff_directory"
        assert f"members()[{index}].staff_id: {reserved!r} is reserved" in str(err.value)
        assert "\n" not in str(err.value)
        assert list(desk.rows()) == []
        zh = translator("zh").error(err.value)
        assert "系统保留编号" in zh


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("IN-2")
def test_routing_passes_over_someone_members_lists_and_get_does_not_know(
    desk: Desk, host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    """SR-201 left at 08:00; ``members()`` is the hourly snapshot from before, while
    ``get()`` is live.  The desk addresses messages through ``get()`` (hooks.md:
    it asks the directory whenever it routes or notifies): it does not record a
    handler it cannot tell, but the next one routing would choose with SR-201
    gone, customer service's head SR-101 (a leak needs the department-head rung),
    who hears ``assigned``; the passing over is logged."""
    host.hr.gone.add("SR-201")
    host.hr.snapshot = True
    with caplog.at_level(logging.WARNING, logger="complaintcore"):
        c = leak(desk)
    assert c.state.handler == "SR-101"
    assert told(host, desk, T0, "assigned") == ["SR-101"]
    assert any(
        c.id in r.getMessage() and "passed over SR-201" in r.getMessage() for r in caplog.records
    )


@pytest.mark.procedure("ESC-2")
def test_an_escalation_passes_over_a_holder_get_does_not_know(desk: Desk, host: Host) -> None:
    """The project manager SR-001, alone on the rung at sunrise, left; ``members()``
    still lists them.  SR-201 cannot handle the leak and escalates it: to the desk
    the rung is vacant, so it is passed on to the first rung above with someone
    (notifications.md), senior management, where HQ-001 takes it and hears
    ``assigned``.  Before, the leak was recorded as the leaver's, and nobody heard."""
    c = leak(desk)
    host.hr.gone.add("SR-001")
    host.hr.snapshot = True
    c = desk.act(
        c.id, Escalate(actor="SR-201", trigger="cannot_handle"), now=T0 + timedelta(minutes=1)
    )
    assert (c.state.handler, c.state.rung) == ("HQ-001", "senior_management")
    assert told(host, desk, T0 + timedelta(minutes=2), "assigned") == ["HQ-001", "SR-201"]


# --------------------------------------------------------------------------- s43E F02

SPELLINGS = ["SR-201", "sr-201", " ＳＲ－２０１ "]


@pytest.mark.procedure("IN-2")
@pytest.mark.parametrize("typed", SPELLINGS)
def test_a_hand_assignment_to_someone_get_does_not_know_is_refused_as_an_unknown_id(
    desk: Desk, host: Host, typed: str
) -> None:
    """Review s43E F02: SR-201 left; ``members()`` is the snapshot from before.
    staff-directory.md: ``get()``, which messages are addressed through, decides
    who is known, and case, width and spaces do not matter.  So an ``Assign`` to
    the leaver, however typed, is refused as an id nobody has is, and nothing is
    written; before, ``SR-201`` typed exactly made the leaver the handler, whose
    ``assigned`` message reached nobody, while ``sr-201`` was refused."""
    host.hr.gone.add("SR-201")
    host.hr.snapshot = True
    c = leak(desk)
    assert c.state.handler == "SR-101"
    later = T0 + timedelta(minutes=5)
    with pytest.raises(AccessDeniedError) as err:
        desk.act(c.id, Assign(actor="SR-001", handler=typed, rung="department_head"), now=later)
    with pytest.raises(AccessDeniedError) as nobody:
        desk.act(c.id, Assign(actor="SR-001", handler="SR-999", rung="department_head"), now=later)
    assert (err.value.command, err.value.reason) == (nobody.value.command, nobody.value.reason)
    assert err.value.reason == "unknown staff member: not in the staff directory"
    assert desk.get(c.id).version == c.version
    assert told(host, desk, later, "assigned") == ["SR-101"]


@pytest.mark.procedure("PRV-2")
@pytest.mark.parametrize("typed", SPELLINGS)
def test_someone_get_does_not_know_may_not_act_however_typed(
    desk: Desk, host: Host, typed: str
) -> None:
    """Review s43E F02: the leaver SR-201, still in the ``members()`` snapshot, is
    an unknown actor in every spelling (PRV-2: unknown actors are refused)."""
    c = leak(desk)
    assert c.state.handler == "SR-201"
    host.hr.gone.add("SR-201")
    host.hr.snapshot = True
    with pytest.raises(AccessDeniedError) as err:
        desk.act(c.id, Assess(actor=typed, validity="valid"), now=T0 + timedelta(minutes=5))
    assert err.value.reason == "unknown actor: not in the staff directory"
    assert desk.get(c.id).version == c.version


@pytest.mark.procedure("IN-2")
@pytest.mark.parametrize("typed", ["SR-101", "sr-101", " ＳＲ－１０１ "])
def test_a_directory_matching_ids_exactly_takes_a_present_member_however_typed(
    desk: Desk, typed: str
) -> None:
    """staff-directory.md: a host directory's ``get`` may match exactly, and the
    desk then searches its members by the folded id.  Customer service's head
    SR-101 is assigned the leak however typed, and recorded under the directory's
    own spelling; before, ``sr-101`` was refused as unknown."""
    c = leak(desk)
    c = desk.act(
        c.id,
        Assign(actor="SR-001", handler=typed, rung="department_head"),
        now=T0 + timedelta(minutes=5),
    )
    assert c.state.handler == "SR-101"
