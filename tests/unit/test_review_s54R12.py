"""Review s54R12: who receives a complaint, by hand.

F02 (IN-6): a complaint "sent straight to head office, skipping the site's
management office" (procedures.md IN-6) is one that reached head office.  A
site's own staff member who takes a complaint did not skip the site: asking for
``via_head_office`` is refused, naming the field and why, in both languages, in
the bulk path too; head office's staff (site ``*``) still register a bypass.

F03 (HDL-4): "where other departments must help, customer service contacts
them": a helping department is asked once.  Classifying a complaint again into
the same category names the same helpers, and asks none of them again; a
helper the classification newly names is asked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from complaintcore import AccessDeniedError, InvalidInputError, translator
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.chain import canonical_json, event_hash
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli.errors import one_line
from complaintcore.core.deadlines import ClockState, ClockStatus, compute_clock
from complaintcore.core.models import Complainant, Complaint, Intake, Registered
from complaintcore.core.workflow import Classify, Forward, Handle, Register, decide, new_complaint
from complaintcore.desk.importer import intake_from_row
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from complaintcore.serialization import event_from_dict, event_to_dict
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

T0 = datetime(2025, 11, 17, 9, 0, tzinfo=SH)  # Mon 17 Nov 2025 09:00


def _bypass(receiver: str, **kw: object) -> Intake:
    return Intake(
        complainant=Complainant("陈红", "13612345678", "1-1-101", "1", "sunrise"),
        channel="phone",
        received_at=T0,
        receiver=receiver,
        summary="电梯经常困人",
        site="sunrise",
        via_head_office=True,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.procedure("IN-6")
@pytest.mark.parametrize("receiver", ["SR-302", "SR-101", "RS-103"])
def test_a_sites_staff_member_may_not_send_a_complaint_straight_to_head_office(
    receiver: str,
) -> None:
    desk = make_desk()
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass(receiver), now=T0)
    assert caught.value.path == "via_head_office"
    assert "IN-6" in str(caught.value)
    assert "works at site" in str(caught.value)
    assert list(desk.store.complaints()) == []  # nothing stored


@pytest.mark.procedure("IN-6")
def test_the_refusal_names_the_field_and_why_in_both_languages() -> None:
    desk = make_desk()
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass("SR-302"), now=T0)
    en = one_line(caught.value, translator("en", environ={}))
    zh = one_line(caught.value, translator("zh", environ={}))
    assert en.startswith("via_head_office: the receiver works at site sunrise, not at head office")
    assert "(IN-6)" in en
    assert "via_head_office" in zh
    assert "受理人在项目 sunrise 工作，不属于总部" in zh
    assert "（IN-6）" in zh


@pytest.mark.procedure("IN-6")
@pytest.mark.parametrize("receiver_unit", ["", "head_office"])
def test_a_unit_named_as_head_office_does_not_make_a_site_guard_head_office(
    receiver_unit: str,
) -> None:
    desk = make_desk()
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass("SR-302", receiver_unit=receiver_unit), now=T0)
    assert caught.value.path == "via_head_office"


@pytest.mark.procedure("IN-6")
def test_head_office_staff_still_register_a_bypass() -> None:
    desk = make_desk()
    c = desk.receive(_bypass("HQ-002"), now=T0)
    assert c.intake.via_head_office
    assert c.state.unit == "head_office"


@pytest.mark.procedure("IN-6")
def test_a_bulk_row_from_a_site_guard_is_refused_the_same_way() -> None:
    desk = make_desk()
    rows = [
        {
            "name": "陈红",
            "phone": "13612345678",
            "room": "1-1-101",
            "site": "sunrise",
            "channel": "phone",
            "summary": "电梯经常困人",
            "received_at": "2025-11-17T09:00",
            "receiver": receiver,
            "via_head_office": "true",
        }
        for receiver in ("SR-302", "HQ-002")
    ]
    intakes = [intake_from_row(row, zone=SH) for row in rows]
    guard, head_office = list(desk.receive_many(intakes, now=T0))
    assert isinstance(guard, InvalidInputError)
    assert guard.path == "via_head_office"
    assert "works at site sunrise" in str(guard)
    assert not isinstance(head_office, Exception)
    assert head_office.state.unit == "head_office"


def _help_requests(category: str, again: tuple[str, ...]) -> list[str]:
    """The departments asked for help (HDL-4) when a fees complaint taken by
    SR-103 is classified ``category`` and then ``again`` by three staff."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        Intake(
            complainant=Complainant("张三", "13712345678", "2-1-301", "2", "sunrise"),
            channel="phone",
            received_at=T0,
            receiver="SR-103",
            summary="物业费账单多收了两个月",
            site="sunrise",
        ),
        now=T0,
    )
    now = T0 + timedelta(hours=2)
    desk.act(c.id, Classify(actor="SR-102", category=category), now=now)
    for n, (actor, cat) in enumerate(zip(("SR-102", "SR-103", "SR-302"), again, strict=False)):
        desk.act(c.id, Classify(actor=actor, category=cat), now=now + timedelta(minutes=n + 1))
    desk.deliver(now + timedelta(hours=1))
    return [
        r.department
        for note, r in notes.sent
        if note.complaint_id == c.id and note.topic == "help_requested" and r is not None
    ]


@pytest.mark.procedure("HDL-4")
def test_the_same_category_again_asks_no_helper_again() -> None:
    # notifications.md: "in cn-property a fees complaint asks 客服主管 SR-101": asked once
    assert _help_requests("fees", ("fees", "fees", "fees")) == ["customer_service"]


@pytest.mark.procedure("HDL-4")
def test_a_newly_named_helper_is_asked() -> None:
    # desk.md: "parking is security's with finance's help": finance is new, so asked
    assert _help_requests("fees", ("parking",)) == ["customer_service", "finance"]


# Re-review s54R17 F03 (HDL-4): "asked once" holds across reclassifications: a
# helper an earlier classification named, dropped and named again, or one whose
# part is on record, is not asked again.


@pytest.mark.procedure("HDL-4")
@pytest.mark.parametrize(
    ("first", "again", "asked"),
    [
        ("fees", ("parking", "fees"), ["customer_service", "finance"]),
        ("fees", ("repairs", "fees"), ["customer_service"]),
        ("parking", ("repairs", "parking"), ["customer_service", "finance"]),
    ],
)
def test_a_helper_named_again_after_a_reclassification_dropped_it_is_not_asked_again(
    first: str, again: tuple[str, ...], asked: list[str]
) -> None:
    # notifications.md: fees asks customer service; parking is security's with finance's help
    assert _help_requests(first, again) == asked


@pytest.mark.procedure("HDL-4")
def test_a_helper_whose_part_is_on_record_is_not_asked_again() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(
        Intake(
            complainant=Complainant("张三", "13712345678", "2-1-301", "2", "sunrise"),
            channel="phone",
            received_at=T0,
            receiver="SR-103",
            summary="物业费账单多收了两个月",
            site="sunrise",
        ),
        now=T0,
    )
    now = T0 + timedelta(hours=1)
    steps = [
        Classify(actor="SR-102", category="parking"),
        Handle(actor="HQ-020", department="finance", result="核对停车费账目"),
        Classify(actor="SR-102", category="repairs"),
        Classify(actor="SR-102", category="parking"),
    ]
    for n, step in enumerate(steps):
        desk.act(c.id, step, now=now + timedelta(minutes=5 * (n + 1)))
    desk.deliver(now + timedelta(hours=2))
    asked = [
        r.department
        for note, r in notes.sent
        if note.complaint_id == c.id and note.topic == "help_requested" and r is not None
    ]
    assert asked.count("finance") == 1


# Re-review s54R17 F01 (IN-6): the idempotency key is looked up first: a
# submission stored before (by the release before the check, or while the
# directory placed its receiver at head office) is returned as stored, in the
# bulk path too; only a new complaint is checked.


def _staff_with(staff_id: str, site: str) -> list[StaffMember]:
    return [
        attrs.evolve(m, site=site) if m.staff_id == staff_id else m
        for m in load_sample_staff(pack=load_pack("cn-property")).members()
    ]


@pytest.mark.procedure("IN-6")
def test_a_retried_bypass_stored_before_is_returned_as_stored() -> None:
    store = MemoryStore()
    before = make_desk(staff=_staff_with("SR-302", "*"), store=store)
    stored = before.receive(_bypass("SR-302", idempotency_key="ledger-0871"), now=T0)
    after = make_desk(staff=_staff_with("SR-302", "sunrise"), store=store)  # moved to a site
    again = after.receive(_bypass("SR-302", idempotency_key="ledger-0871"), now=T0)
    assert again.id == stored.id
    retried = [_bypass("SR-302", idempotency_key="ledger-0871")]
    (receipt,) = list(after.receive_each(retried, now=T0))
    assert receipt.duplicate
    assert receipt.complaint is not None
    assert receipt.complaint.id == stored.id
    assert len(list(store.complaints())) == 1
    # a new submission from the site is still refused
    with pytest.raises(InvalidInputError) as caught:
        after.receive(_bypass("SR-302", idempotency_key="ledger-0872"), now=T0)
    assert caught.value.path == "via_head_office"


# Re-review s54R17 F02 (IN-6): a receiver the directory does not know is judged
# by the member registering it: a site's staff member is refused; head office's
# staff may name a head-office line or mailbox.


@pytest.mark.procedure("IN-6")
@pytest.mark.parametrize("receiver", ["HOTLINE-1", "SR-3O2"])
def test_a_sites_staff_member_may_not_bypass_the_site_through_an_unknown_receiver(
    receiver: str,
) -> None:
    desk = make_desk()
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass(receiver), now=T0, actor="SR-302")
    assert caught.value.path == "via_head_office"
    assert "not in the staff directory" in str(caught.value)
    assert "works at site sunrise" in str(caught.value)
    assert "(IN-6)" in str(caught.value)
    assert list(desk.store.complaints()) == []
    zh = one_line(caught.value, translator("zh", environ={}))
    assert "via_head_office" in zh
    assert "（IN-6）" in zh
    assert "not in the staff directory" not in zh  # translated


@pytest.mark.procedure("IN-6")
def test_head_office_staff_may_name_a_head_office_mailbox_as_receiver() -> None:
    desk = make_desk()
    c = desk.receive(_bypass("HOTLINE-1"), now=T0, actor="HQ-002")
    assert c.intake.via_head_office
    assert c.state.unit == "head_office"


# Re-review s54R17 F05 (IN-6): the refusal says how to correct the row.


@pytest.mark.procedure("IN-6")
def test_the_refusal_says_how_to_correct_the_record() -> None:
    desk = make_desk()
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass("SR-302"), now=T0)
    en = one_line(caught.value, translator("en", environ={}))
    assert "name head office's receiver who took it, or leave via_head_office out" in en
    zh = one_line(caught.value, translator("zh", environ={}))
    assert "name head office" not in zh  # translated


# Re-review s54R17 F04 (IN-6), documented (rule-packs.md, desk.md): in
# cn-service-centre the 24-hour centre works for every site (site ``*``), so its
# agents register a bypass as head office does; a site's front desk may not.


@pytest.mark.procedure("IN-6")
def test_the_service_centres_agents_register_a_bypass_a_front_desk_may_not() -> None:
    desk = make_desk(pack="cn-service-centre")
    c = desk.receive(_bypass("CC-201"), now=T0)
    assert c.state.unit == "head_office"
    with pytest.raises(InvalidInputError) as caught:
        desk.receive(_bypass("SR-103"), now=T0)
    assert caught.value.path == "via_head_office"


# F05 (IN-4, IN-5, IN-2): customer service registers centrally *per site* (the
# sample staff and notifications.md: "customer service's head … at the site"), so
# another site's customer-service receptionist is, for the complaint's site, "any
# other unit" (procedures.md IN-5): the complaint reaches the site's customer
# service within 24 hours of receipt, and the receiver, who stays the recorded
# receiver (IN-2), may forward it there whatever their site.

T5 = datetime(2025, 11, 15, 10, 0, tzinfo=SH)  # Sat 15 Nov 2025 10:00, received
IN_5_HOURS = 24  # procedures.md IN-5: "within 24 hours of receipt"


def _weeds(receiver: str) -> Intake:
    return Intake(
        complainant=Complainant("李四", "13912345678", "5-1102", "5", "sunrise"),
        channel="in_person",
        received_at=T5,
        receiver=receiver,
        summary="小区绿化带杂草太多",
        site="sunrise",
    )


def _in_5(complaint: Complaint, now: datetime) -> ClockStatus:
    pack = load_pack("cn-property")
    return compute_clock(
        complaint, pack.clock("to_customer_service"), calendar_for_spec(pack.calendar), now
    )


@pytest.mark.procedure("IN-5")
def test_another_sites_customer_service_is_any_other_unit_for_in_5() -> None:
    desk = make_desk()
    c = desk.receive(_weeds("RS-103"), now=T5 + timedelta(minutes=1))
    registered = c.events[0]
    assert isinstance(registered, Registered)
    assert registered.unit == "customer_service"  # the receiver's own department
    assert registered.other_site
    assert c.intake.receiver == "RS-103"  # IN-2: stays the recorded receiver
    assert c.state.unit == ""  # no unit of sunrise has it yet
    status = _in_5(c, T5 + timedelta(hours=1))
    assert status.state is ClockState.RUNNING  # not met at once
    assert status.due == T5 + timedelta(hours=IN_5_HOURS)
    assert _in_5(c, T5 + timedelta(hours=IN_5_HOURS, minutes=1)).state is ClockState.BREACHED


@pytest.mark.procedure("IN-5")
def test_the_sites_own_customer_service_still_meets_in_5_at_once() -> None:
    desk = make_desk()
    for receiver in ("SR-103", "HQ-010"):  # sunrise's own front desk; head office (site *)
        c = desk.receive(_weeds(receiver), now=T5 + timedelta(minutes=1))
        assert isinstance(c.events[0], Registered)
        assert not c.events[0].other_site
        assert c.state.unit == c.events[0].unit
    own = desk.receive(_weeds("SR-103"), now=T5 + timedelta(minutes=1))
    assert _in_5(own, T5 + timedelta(hours=1)).state is ClockState.MET


@pytest.mark.procedure("IN-2")
def test_the_receiver_at_another_site_forwards_what_they_registered() -> None:
    desk = make_desk()
    c = desk.receive(_weeds("RS-103"), now=T5 + timedelta(minutes=1))
    forward = T5 + timedelta(minutes=5)
    with pytest.raises(AccessDeniedError) as caught:  # another riverside member: no
        desk.act(c.id, Forward(actor="RS-101", to_unit="customer_service"), now=forward)
    assert "works at another site" in str(caught.value)
    c = desk.act(c.id, Forward(actor="RS-103", to_unit="customer_service"), now=forward)
    assert c.state.unit == "customer_service"
    assert c.intake.receiver == "RS-103"
    status = _in_5(c, forward)
    assert status.state is ClockState.MET
    with pytest.raises(AccessDeniedError):  # the rest stays the site's (PRV-2)
        desk.act(c.id, Classify(actor="RS-103", category="fees"), now=forward)


@pytest.mark.procedure("IN-5")
def test_the_receipt_elsewhere_keeps_its_flag_when_entered_after_the_receipt() -> None:
    # typed in a day late: the clocks see the registration moved back to the receipt
    desk = make_desk()
    late = T5 + timedelta(hours=IN_5_HOURS + 1)
    c = desk.receive(_weeds("RS-103"), now=late)
    status = _in_5(c, late)
    assert status.state is ClockState.BREACHED
    assert status.due == T5 + timedelta(hours=IN_5_HOURS)


@pytest.mark.procedure("IN-5")
def test_a_registration_not_elsewhere_is_stored_and_hashed_as_before() -> None:
    """The flag is left out of the encoded event while false: every stored
    registration encodes to the text it was stored as, and hashes the same."""
    old = {
        "type": "registered",
        "at": "2025-11-15T10:01:00+08:00",
        "actor": "SR-302",
        "unit": "security",
    }
    stored = event_from_dict(old)
    assert isinstance(stored, Registered)
    assert not stored.other_site
    assert stored.tags() == ("registered", "registered:security")
    assert event_to_dict(stored) == old
    body = canonical_json(event_to_dict(stored))
    assert body == (
        '{"actor":"SR-302","at":"2025-11-15T10:01:00+08:00","type":"registered","unit":"security"}'
    )
    # the hash of this event as stored before the flag existed (main at deda4a96)
    assert (
        event_hash("", "C-20251115-22551000a63df849", 1, body)
        == "983ddc714444a93ba672637c5ce44642a3e7cbbb2bad9d3eb445562303fe62af"
    )
    elsewhere = event_from_dict(
        {**old, "actor": "RS-103", "unit": "customer_service", "other_site": True}
    )
    assert isinstance(elsewhere, Registered)
    assert elsewhere.other_site
    assert elsewhere.tags() == ("registered",)  # never registered:customer_service
    assert event_to_dict(elsewhere)["other_site"] is True


@pytest.mark.procedure("IN-6")
def test_a_bypass_is_no_receipt_elsewhere() -> None:
    """The core ignores ``other_site`` for a complaint sent straight to head office:
    head office has it (IN-6), and its waiver of IN-5 stands."""
    pack = load_pack("cn-property")
    c = new_complaint("C-1", _bypass("HQ-002"))
    (registered, *_rest) = decide(c, Register(actor="HQ-002", other_site=True), pack, T0)
    assert isinstance(registered, Registered)
    assert not registered.other_site
    assert "registered:via_head_office" in registered.tags()
