"""Review s55R6: a receipt at another site (the re-review of s54R12 F05).

F01 (IN-2, IN-5): whoever took a complaint at another site may forward it to the
site's customer service, once, while no unit of the site has it; no other unit,
nor again, nor a complaint not registered as received elsewhere.

F02 (IN-5, ESC-6): IN-5's warnings about such a receipt go to whoever took it
(they owe the 24 hours) and the site's customer service, never the site's unit
that only shares the receiver's department's name; the late-department report
says the receiving unit was at another site.

F03: a stored event with a field this complaintcore does not know is read as
probably written by a newer complaintcore (upgrade), naming the event type and
the field only (PRV-1).

F04 (IN-2, IN-5): a receiver the directory does not know, registered by a member
of another site: that member stands in for the receiver, and may forward it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore import AccessDeniedError, EventVersionError
from complaintcore.adapters.chain import decode_complaint, encode_intake
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Intake, Registered
from complaintcore.core.workflow import Forward
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

T = datetime(2025, 11, 15, 10, 0, tzinfo=SH)  # Sat 15 Nov 2025 10:00, received
IN_5_HOURS = 24  # procedures.md IN-5: "within 24 hours of receipt"
CUSTOMER_SERVICE = "customer_service"  # procedures.md IN-4, IN-5: customer service


def _leak(receiver: str) -> Intake:
    return Intake(
        complainant=Complainant("李四", "13912345678", "5-1102", "5", "sunrise"),
        channel="in_person",
        received_at=T,
        receiver=receiver,
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


def _refused(desk: object, cid: str, command: Forward, now: datetime) -> str:
    with pytest.raises(AccessDeniedError) as caught:
        desk.act(cid, command, now=now)  # type: ignore[attr-defined]
    return str(caught.value)


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IN-2")
def test_the_receiver_elsewhere_forwards_only_to_customer_service() -> None:
    desk = make_desk()
    c = desk.receive(_leak("RS-202"), now=T + timedelta(minutes=1))
    now = T + timedelta(minutes=5)
    for unit in ("engineering", "security", "head_office"):
        why = _refused(desk, c.id, Forward(actor="RS-202", to_unit=unit), now)
        assert "works at another site" in why
    assert desk.get(c.id).state.unit == ""  # nothing moved it
    c = desk.act(c.id, Forward(actor="RS-202", to_unit=CUSTOMER_SERVICE), now=now)
    assert c.state.unit == CUSTOMER_SERVICE


@pytest.mark.procedure("IN-2")
def test_the_receiver_elsewhere_forwards_once_the_site_has_it_no_more() -> None:
    desk = make_desk()
    c = desk.receive(_leak("RS-202"), now=T + timedelta(minutes=1))
    now = T + timedelta(minutes=5)
    desk.act(c.id, Forward(actor="RS-202", to_unit=CUSTOMER_SERVICE), now=now)
    for unit in ("engineering", "security", "head_office"):
        why = _refused(desk, c.id, Forward(actor="RS-202", to_unit=unit), now)
        assert "works at another site" in why
    site = desk.act(c.id, Forward(actor="SR-101", to_unit="engineering"), now=now)
    assert site.state.unit == "engineering"  # the site's own staff move it on
    why = _refused(desk, c.id, Forward(actor="RS-202", to_unit=CUSTOMER_SERVICE), now)
    assert "works at another site" in why  # not back, once the site had it


@pytest.mark.procedure("IN-2")
def test_a_receiver_who_moved_site_later_forwards_nothing_of_the_old_site() -> None:
    staff = list(load_sample_staff(pack=load_pack("cn-property")).members())
    store = MemoryStore()
    c = make_desk(store=store).receive(_leak("SR-103"), now=T + timedelta(minutes=1))
    registered = c.events[0]
    assert isinstance(registered, Registered)
    assert not registered.other_site
    moved = [attrs.evolve(m, site="riverside") if m.staff_id == "SR-103" else m for m in staff]
    later = make_desk(store=store, staff=moved)
    for unit in ("engineering", CUSTOMER_SERVICE):
        why = _refused(later, c.id, Forward(actor="SR-103", to_unit=unit), T + timedelta(hours=1))
        assert "works at another site" in why


# --------------------------------------------------------------------------- F02


def _told(inbox: RecordingNotifier, cid: str, topic: str) -> dict[str, str]:
    sent = (n for n, _ in inbox.sent if n.complaint_id == cid)
    return {n.recipient: n.body for n in sent if n.topic == topic}


@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize("receiver", ["RS-202", "RS-302", "RS-103"])
def test_in_5_at_risk_is_told_to_the_receiver_and_the_sites_customer_service(
    receiver: str,
) -> None:
    inbox = RecordingNotifier()
    desk = make_desk(notifiers=[inbox])
    c = desk.receive(_leak(receiver), now=T + timedelta(minutes=1), route=False)
    desk.sweep(T + timedelta(hours=IN_5_HOURS - 1))
    desk.deliver(T + timedelta(hours=IN_5_HOURS - 1))
    told = _told(inbox, c.id, "at_risk")
    assert receiver in told  # who owes the 24 hours, and alone at their site may forward
    members = {m.staff_id: m for m in desk.directory.members()}
    others = [members[s] for s in told if s != receiver]
    assert others, "the site's customer service is told too"
    for m in others:  # never the site's unit named like the receiver's department
        assert m.site == "sunrise"
        assert m.department == CUSTOMER_SERVICE
    # PRV-1: the receiver may not view the complaint, so reads no personal data
    assert "13912345678" not in told[receiver]
    assert "李四" not in told[receiver]


@pytest.mark.procedure("IN-5")
def test_in_5_of_a_receipt_at_the_site_is_told_as_before() -> None:
    inbox = RecordingNotifier()
    desk = make_desk(notifiers=[inbox])
    c = desk.receive(_leak("SR-302"), now=T + timedelta(minutes=1), route=False)
    desk.sweep(T + timedelta(hours=IN_5_HOURS - 1))
    desk.deliver(T + timedelta(hours=IN_5_HOURS - 1))
    told = _told(inbox, c.id, "at_risk")
    members = {m.staff_id: m for m in desk.directory.members()}
    assert told  # the site's guards, whose unit took it (the one on duty)
    assert {(members[s].site, members[s].department) for s in told} == {("sunrise", "security")}


@pytest.mark.procedure("ESC-6")
def test_the_late_receiving_unit_is_named_at_its_own_site() -> None:
    inbox = RecordingNotifier()
    desk = make_desk(notifiers=[inbox])
    c = desk.receive(_leak("RS-103"), now=T + timedelta(minutes=1), route=False)
    own = desk.receive(_leak("SR-302"), now=T + timedelta(minutes=1), route=False)
    late = T + timedelta(hours=IN_5_HOURS, minutes=30)
    desk.sweep(late)
    desk.deliver(late)
    (report,) = _told(inbox, c.id, "late_department").values()
    assert "received at another site: riverside" in report
    (report,) = _told(inbox, own.id, "late_department").values()
    assert "another site" not in report


# --------------------------------------------------------------------------- F03


def test_an_unknown_field_reads_as_written_by_a_newer_complaintcore() -> None:
    intake = encode_intake(_leak("RS-103"))
    body = {
        "type": "registered",
        "at": "2025-11-15T10:01:00+08:00",
        "actor": "RS-103",
        "unit": "customer_service",
        "other_site": True,
        "received_site": "riverside-13912345678",
    }
    with pytest.raises(EventVersionError) as caught:
        decode_complaint("C-1", intake, [json.dumps(body)])
    text = str(caught.value)
    assert text.startswith("event type 'registered' version 1: unknown field 'received_site'")
    assert "newer complaintcore" in text
    assert "upgrade" in text
    assert "riverside" not in text
    assert "13912345678" not in text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IN-2")
def test_the_member_who_registered_an_unknown_receiver_elsewhere_forwards_it() -> None:
    desk = make_desk()
    c = desk.receive(_leak("EXT-9"), now=T + timedelta(minutes=1), actor="RS-101", route=False)
    registered = c.events[0]
    assert isinstance(registered, Registered)
    assert registered.other_site
    now = T + timedelta(minutes=5)
    assert "works at another site" in _refused(
        desk, c.id, Forward(actor="RS-001", to_unit=CUSTOMER_SERVICE), now
    )
    assert "works at another site" in _refused(
        desk, c.id, Forward(actor="RS-101", to_unit="engineering"), now
    )
    c = desk.act(c.id, Forward(actor="RS-101", to_unit=CUSTOMER_SERVICE), now=now)
    assert c.state.unit == CUSTOMER_SERVICE
