"""Review s57R4: intake, record and classification by hand.

F01 (IN-3, ESC-3): a complaint its receiver (a front-line guard or receptionist)
took unrouted and assessed as valid on the spot is graded, and the grade's rung
(the department head for a minor one) is above the receiver's: the receiver may
no longer settle it.  It was left with nobody (no handler, no rung, nobody told)
until IN-5's 24 hours ran out; now it is routed at once, as ``receive`` routes,
and the handler is told.

F02 (CLS-3, ESC-4, IMP-2): a complaint about a sales consultant is handled by
销管部 (the unit the pack names for complaints about a 售楼员), but classification
names the sales office as the department that owns the fix; the month's
``by_department`` counted it under the handling unit.  Now the responsible
department stays the classified one (``ComplaintState.responsible``), and the
statistics count it.

F04 (VAL-4): the pack's ``[kind_rules]`` words were read by nothing the desk or
the command line ran: an obvious enquiry was never flagged, and a valid
assessment without a kind graded it as a complaint.  Now ``receive`` and
``show`` name the suggested kind (``suggested_kind`` in ``show --json``); the
handler's assessment decides (re-review s57R8: a refusal of a valid assessment
without a kind stopped most complaints about a request not kept).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore import __version__
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.cli import main
from complaintcore.core.basis import projection_basis
from complaintcore.core.models import (
    Complainant,
    Grade,
    Intake,
    Kind,
    Status,
    TargetPerson,
    Validity,
)
from complaintcore.core.validity import five_clears, suggested_kind
from complaintcore.core.workflow import Assess, Close, Reply
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH
from tests.helpers import intake as leak_intake

T0 = datetime(2025, 11, 14, 10, 0, tzinfo=SH)  # a Friday, working hours
LATER = T0 + timedelta(minutes=10)


def _leak(receiver: str = "SR-103") -> Intake:
    """王小明's leak (tests.helpers), received by ``receiver`` at sunrise."""
    return leak_intake(received_at=T0, receiver=receiver, receiver_unit="")


def _desk() -> tuple[Desk, RecordingNotifier]:
    notifier = RecordingNotifier()
    return make_desk(notifiers=[notifier]), notifier


def _told(desk: Desk, notifier: RecordingNotifier, complaint_id: str, topic: str) -> list[str]:
    desk.deliver(LATER)  # the outbox is sent apart from the act
    return [
        n.recipient for n, r in notifier.sent if n.complaint_id == complaint_id and n.topic == topic
    ]


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("ESC-3")
def test_f01_a_receivers_valid_assessment_routes_the_complaint_to_its_grades_rung() -> None:
    """IN-3: "if they cannot [resolve it], the complaint goes to a complaint
    handler"; ESC-3: a minor complaint needs a department head.  The receptionist's
    own assessment grades it minor: it goes to engineering's head at once, who is
    told; the receptionist still may not answer it."""
    desk, notifier = _desk()
    spot = desk.receive(_leak(), now=T0, route=False)
    assert not spot.state.handler
    graded = desk.act(spot.id, Assess(actor="SR-103", validity="valid"), now=LATER)
    assert graded.state.grade is Grade.MINOR
    assert graded.state.handler == "SR-201"
    assert graded.state.rung == "department_head"
    assert graded.events[-1].kind == "assigned"
    assert _told(desk, notifier, spot.id, "assigned") == ["SR-201"]
    done = desk.act(spot.id, Reply(actor="SR-201", message="已修好", final=True), now=LATER)
    assert done.status is not Status.CLOSED  # the handler may answer it now


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("ESC-3")
def test_f01_receive_with_a_validity_routes_what_the_receiver_cannot_settle() -> None:
    """``Desk.receive(route=False, validity="valid")`` is the receiver's assessment
    (docs/desk.md): graded beyond the receiver's rung, it is routed as well."""
    desk, notifier = _desk()
    got = desk.receive(_leak(), now=T0, route=False, validity="valid")
    assert got.state.grade is Grade.MINOR
    assert (got.state.handler, got.state.rung) == ("SR-201", "department_head")
    assert _told(desk, notifier, got.id, "assigned") == ["SR-201"]


@pytest.mark.procedure("IN-3")
def test_f01_what_the_receiver_may_settle_stays_with_the_receiver() -> None:
    """Not assessed, or assessed invalid (VAL-4: ungraded), the receiver still
    settles it on the spot; nothing is routed."""
    desk, _ = _desk()
    spot = desk.receive(_leak(), now=T0, route=False)
    desk.act(spot.id, Reply(actor="SR-103", message="已当场关闭阀门", final=True), now=LATER)
    closed = desk.act(
        spot.id, Close(actor="SR-103", result="当场解决", confirmed_by_complainant=True), now=LATER
    )
    assert closed.status is Status.CLOSED
    assert not closed.state.handler
    invalid = desk.receive(_leak(), now=T0 + timedelta(minutes=1), route=False)
    invalid = desk.act(
        invalid.id,
        Assess(actor="SR-103", validity="invalid"),
        now=LATER,
    )
    assert not invalid.state.handler
    assert not invalid.state.grade


def _about_the_consultant(desk: Desk) -> str:
    """韩梅's complaint about sales consultant SR-102's attitude, received by SR-103."""
    intake = Intake(
        complainant=Complainant("韩梅", "13655556666", "2-1-101", site="sunrise"),
        channel="phone",  # type: ignore[arg-type]
        received_at=T0,
        receiver="SR-103",
        summary="置业顾问态度很差",
        site="sunrise",
        target=TargetPerson(staff_id="SR-102", rung=""),
    )
    return desk.receive(intake, now=T0).id


@pytest.mark.procedure("CLS-3")
@pytest.mark.procedure("IMP-2")
def test_f02_routing_to_the_handling_unit_keeps_the_responsible_department() -> None:
    """CLS-3: classification names the department that owns the fix (销售); ESC-4:
    销管部 handles complaints about a 售楼员 (004 篇2 §2.3).  IMP-2 counts it under
    the sales office, not under 销管部."""
    desk = make_desk(pack="cn-sales-office")
    cid = _about_the_consultant(desk)
    got = desk.act(cid, Assess(actor="HQ-101", validity="valid"), now=LATER)
    assert got.state.handler == "HQ-101"
    assert got.state.department == "customer_service"  # the unit that handles it
    assert got.state.responsible == "sales"
    assert got.state.responsible_department == "sales"
    report = desk.monthly_report(T0.year, T0.month, now=LATER)
    counts = {c.key: c.count for c in report.by_department}
    assert counts["sales"] == 1
    assert counts["customer_service"] == 0


@pytest.mark.procedure("CLS-3")
def test_f02_a_row_an_earlier_revision_wrote_is_rewritten_by_the_next_sweep() -> None:
    """Re-review s57R8 F02: rows written before the responsible department was kept
    hold the handling unit; the rows' revision changed (``ROWS_REVISION`` 13), so
    the next sweep rewrites them and ``list --department sales`` finds it."""
    store = MemoryStore()
    desk = make_desk(pack="cn-sales-office", store=store)
    cid = _about_the_consultant(desk)
    desk.act(cid, Assess(actor="HQ-101", validity="valid"), now=LATER)
    complaint = desk.get(cid)
    old = attrs.evolve(store.row(cid), department="customer_service")  # the handling unit
    store.append(cid, complaint.version, (), old, [])
    previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows 12")
    assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
    assert store.row(cid).department == "customer_service"
    desk.sweep(LATER + timedelta(minutes=5))
    assert store.row(cid).department == "sales"


def _enquiry(desk: Desk) -> str:
    """孙问 asks how the property fee is paid: 请问 is an enquiry word of cn-property."""
    intake = Intake(
        complainant=Complainant("孙问", "13900002222", "1-1-102", site="sunrise"),
        channel="phone",  # type: ignore[arg-type]
        received_at=T0,
        receiver="SR-103",
        summary="请问物业费怎么缴纳",
        site="sunrise",
    )
    return desk.receive(intake, now=T0).id


@pytest.mark.procedure("VAL-4")
def test_f04_the_suggestion_refuses_nothing_and_the_handler_decides() -> None:
    """VAL-4: "only a valid complaint enters grading … an enquiry or a service
    request is recorded but counted apart"; the kind is the handler's: the words
    suggest, the assessment decides (re-review s57R8 F01, F03)."""
    desk, _ = _desk()
    cid = _enquiry(desk)
    assert suggested_kind(desk.get(cid), desk.pack) is Kind.ENQUIRY
    handler = desk.get(cid).state.handler
    got = desk.act(cid, Assess(actor=handler, validity="valid", kind="enquiry"), now=LATER)
    assert got.state.complaint_kind is Kind.ENQUIRY
    assert got.state.validity is Validity.VALID
    assert got.state.grade is None  # not graded (VAL-4)
    assert suggested_kind(got, desk.pack) is None  # decided
    other = _enquiry(desk)
    handler = desk.get(other).state.handler
    got = desk.act(other, Assess(actor=handler, validity="valid"), now=LATER)
    assert got.state.complaint_kind is Kind.COMPLAINT  # the handler left it a complaint
    assert got.state.grade is Grade.MINOR


@pytest.mark.procedure("VAL-4")
def test_f04_the_handler_may_still_call_it_a_complaint() -> None:
    """The words only suggest: ``kind=complaint`` grades it, and a text the words
    call a complaint needs no kind."""
    desk, _ = _desk()
    cid = _enquiry(desk)
    handler = desk.get(cid).state.handler
    got = desk.act(cid, Assess(actor=handler, validity="valid", kind="complaint"), now=LATER)
    assert got.state.grade is Grade.MINOR
    leak = desk.receive(_leak(), now=T0)
    assert suggested_kind(leak, desk.pack) is None
    got = desk.act(leak.id, Assess(actor="SR-201", validity="valid"), now=LATER)
    assert got.state.grade is Grade.MINOR


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", "--now", "2026-12-02T10:00", *args])


@pytest.mark.procedure("VAL-4")
def test_f04_receive_and_show_name_the_suggested_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    received = _invoke(
        "receive", "--name", "孙问", "--phone", "13900002222", "--room", "1-1-102",
        "--site", "sunrise", "--channel", "phone", "--summary", "请问物业费怎么缴纳",
        "--receiver", "SR-103",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    assert "suggested kind: enquiry" in received.output
    cid = received.output.split()[1].rstrip(":")
    shown = _invoke("show", "--json", cid)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["state"]["suggested_kind"] == "enquiry"
    assert "suggested kind: enquiry" in _invoke("show", cid).output


@pytest.mark.procedure("VAL-4")
def test_f04_a_valid_at_intake_registration_decides_no_kind() -> None:
    """docs/rule-packs.md (HOC): registration records every complaint as valid, and a
    service request is assessed with ``kind = request``, "the kind_rules words
    suggest it": the registration's own assessment leaves the suggestion standing."""
    desk = make_desk(pack="uk-housing-ombudsman-2024")
    intake = Intake(
        complainant=Complainant("Ann Lee", "07700900123", "12 High St", site="riverside"),
        channel="phone",  # type: ignore[arg-type]
        received_at=T0,
        receiver="CS-001",
        summary="Please arrange a repair to my boiler",
        site="riverside",
    )
    c = desk.receive(intake, now=T0)
    assert c.state.validity is Validity.VALID  # valid_at_intake
    assert suggested_kind(c, desk.pack) is Kind.REQUEST


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("REC-2")
def test_f05_the_receipts_own_routing_is_no_follow_up() -> None:
    """REC-2: 跟清楚 is "the follow-up history"; 002 §5 "受理业主投诉要一跟到底，直到问题
    得到解决并回复业主为止".  Routed at receipt, nothing has been followed up yet; an
    assignment after it (or an escalation, a visit, a result) is."""
    desk, _ = _desk()
    c = desk.receive(_leak(), now=T0)
    assert c.state.handler == "SR-201"  # routed at receipt
    assert not five_clears(c.intake, c.events).followed
    spot = desk.receive(_leak(), now=T0, route=False)
    later = desk.act(spot.id, Assess(actor="SR-103", validity="valid"), now=LATER)
    assert later.state.handler == "SR-201"  # assigned after the receipt (F01)
    assert five_clears(later.intake, later.events).followed


@pytest.mark.procedure("REC-2")
def test_f05_receive_and_show_name_the_clears_not_captured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receptionist recording "漏水" alone is told to ask what, when, where and how
    (问清楚) and to take the owner's account (听清楚); ``show`` lists every clear."""
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    received = _invoke(
        "receive", "--name", "孙问", "--phone", "13900002222", "--room", "1-1-102",
        "--site", "sunrise", "--channel", "phone", "--summary", "漏水", "--receiver", "SR-103",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    said = "five clears (REC-2) not captured yet: what, when, where and how it happened;"
    assert said + " the complainant's own account" in received.output
    assert "follow-up" not in received.output  # at receipt: only what can still be asked
    cid = received.output.split()[1].rstrip(":")
    state = json.loads(_invoke("show", "--json", cid).stdout)["state"]
    assert state["five_clears"] == {
        "asked": False,
        "heard": False,
        "followed": False,
        "replied": False,
        "recorded": False,
    }
    assert "the follow-up history" in _invoke("show", cid).output
