"""Record completeness and validity: REC-1, REC-2, REC-4, VAL-1, VAL-2, VAL-4."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import IncompleteRecordError, InvalidInputError, NaiveDatetimeError
from complaintcore.core.models import (
    Assessed,
    Assigned,
    Cause,
    Channel,
    Closed,
    Complainant,
    Complaint,
    ComplaintState,
    Fact,
    Intake,
    Kind,
    Reopened,
    Replied,
    Validity,
    Visited,
)
from complaintcore.core.rulepack import Category, Department, KindRules, RulePack, Rung
from complaintcore.core.validity import (
    MANDATORY_FIELDS,
    Clear,
    assess,
    check_record,
    counts_as_complaint,
    five_clears,
    infer_kind,
    is_valid_room,
    normalise_phone,
    require_reason,
    require_registrable,
)
from complaintcore.core.workflow import Assess
from tests.helpers import Runner
from tests.helpers import pack as make_pack_of

TZ = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2025, 11, 14, 17, 30, tzinfo=TZ)

NAME = "王小明"
PHONE = "138 1234 5678"
ROOM = "3-2-1201"
SUMMARY = "厨房天花板漏水"


def make_pack() -> RulePack:
    return RulePack(
        name="test-pack",
        title_zh="测试",
        title_en="test",
        ladder=(Rung("front", "接待员", "front line"), Rung("cs", "客服", "complaint handler")),
        departments=(
            Department("engineering", "工程部", "engineering"),
            Department("customer_service", "客服部", "customer service"),
        ),
        categories=(
            Category("repairs", "维修", "repairs", Cause.HARDWARE, "engineering", ("漏水",)),
            Category("other", "其他", "other", Cause.HARDWARE, "customer_service"),
        ),
        default_category="other",
        customer_service="customer_service",
        kind_rules=KindRules(
            enquiry=("请问", "咨询", "怎么", "how do i", "what time", "where is"),
            request=("报修", "请派人", "帮忙", "please send", "repair", "book"),
        ),
    )


@pytest.fixture
def pack() -> RulePack:
    return make_pack()


def make_intake(**changes: object) -> Intake:
    complainant = Complainant(
        name=str(changes.pop("name", NAME)),
        phone=str(changes.pop("phone", PHONE)),
        room=str(changes.pop("room", ROOM)),
    )
    fields: dict[str, object] = {
        "complainant": complainant,
        "channel": Channel.PHONE,
        "received_at": RECEIVED,
        "receiver": "cs-01",
        "summary": SUMMARY,
    }
    fields.update(changes)
    return Intake(**fields)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- REC-1


@pytest.mark.procedure("REC-1")
def test_complete_record_is_registrable() -> None:
    report = check_record(make_intake())
    assert report.ok
    assert report.problems == ()
    assert report.missing == ()
    assert report.malformed == ()
    require_registrable(make_intake())


@pytest.mark.procedure("REC-1")
def test_every_missing_field_is_reported_at_once() -> None:
    intake = make_intake(name="", phone="  ", room="\t", summary="\u3000")
    report = check_record(intake)
    assert not report.ok
    assert report.missing == (
        "complainant.room",
        "complainant.name",
        "complainant.phone",
        "summary",
    )
    assert report.malformed == ()
    assert all("missing" in p.reason for p in report.problems)
    with pytest.raises(IncompleteRecordError) as err:
        require_registrable(intake)
    assert err.value.fields == report.missing
    assert isinstance(err.value, ValueError)


@pytest.mark.procedure("REC-1")
def test_malformed_fields_are_reported_without_their_values() -> None:
    intake = make_intake(name="12345", phone="12345", room="#!@房间")
    report = check_record(intake)
    assert report.missing == ()
    assert report.malformed == ("complainant.room", "complainant.name", "complainant.phone")
    for problem in report.problems:
        for value in ("12345", "#!@房间"):
            assert value not in problem.reason  # PRV-1
    with pytest.raises(IncompleteRecordError) as err:
        require_registrable(intake)
    assert "12345" not in str(err.value)


@pytest.mark.procedure("REC-1")
def test_received_at_is_still_checked_even_if_the_model_was_bypassed() -> None:
    intake = make_intake()
    object.__setattr__(intake, "received_at", datetime(2025, 11, 14, 17, 30))
    report = check_record(intake)
    assert report.malformed == ("received_at",)
    object.__setattr__(intake, "received_at", None)
    assert check_record(intake).missing == ("received_at",)


@pytest.mark.procedure("REC-1")
def test_c1_and_del_controls_are_malformed_like_c0() -> None:
    # the pure core's own check follows core.limits: U+009B is CSI to some terminals
    intake = make_intake(name="王小明\x9b31m", summary="漏水\x7f", room="3-2-1201\x1b")
    report = check_record(intake)
    assert report.malformed == ("complainant.room", "complainant.name", "summary")
    assert all(p.reason.endswith("contains control characters (REC-1)") for p in report.problems)


_BLANKS = st.sampled_from(["", " ", "\t", "\n  ", "\u3000", "\u00a0"])


@pytest.mark.procedure("REC-1")
@given(st.sets(st.sampled_from(MANDATORY_FIELDS)), st.data())
def test_property_reported_missing_fields_are_exactly_the_blank_ones(
    blank: set[str], data: st.DataObject
) -> None:
    names = {"complainant.name": "name", "complainant.phone": "phone", "complainant.room": "room"}
    changes: dict[str, object] = {
        names.get(path, path): data.draw(_BLANKS) for path in blank if path != "received_at"
    }
    intake = make_intake(**changes)
    if "received_at" in blank:
        object.__setattr__(intake, "received_at", None)
    report = check_record(intake)
    assert set(report.missing) == blank
    assert report.malformed == ()
    assert report.ok == (not blank)
    assert [p.path for p in report.problems] == [f for f in MANDATORY_FIELDS if f in blank]


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086-13912345678", "+8613912345678"),
        ("8619912345678", "+8619912345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("010-62345678", "+861062345678"),
        ("(010) 62345678", "+861062345678"),
        ("02087654321", "+862087654321"),
        ("0755 8888 6666", "+8675588886666"),
        ("0571-8765432", "+865718765432"),
        ("+86 10 62345678", "+861062345678"),
        ("010-62345678-123", "+861062345678;ext=123"),
        ("010-62345678 转 8001", "+861062345678;ext=8001"),
        ("0755-88886666 ext. 12", "+8675588886666;ext=12"),
        ("400-810-8888", "4008108888"),
        ("800 810 8888", "8008108888"),
    ],
)
def test_valid_phone_numbers_normalise(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected
    assert check_record(make_intake(phone=text)).ok


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "12812345678",  # no mobile prefix 12x
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "62345678",  # landline without area code
        "010-0623456",  # local number cannot start with 0
        "13812345678-12",  # mobiles have no extension
        "+1 415 555 1234",  # not a Chinese number
        "400-810-888",
        "phone: 13812345678",
        "138 1234 5678 / 139 8765 4321",
        "1" * 41,
    ],
)
def test_invalid_phone_numbers_are_malformed(text: str) -> None:
    assert normalise_phone(text) is None
    report = check_record(make_intake(phone=text))
    assert report.malformed == ("complainant.phone",)
    assert text not in report.problems[0].reason


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize(
    "room",
    ["1201", "3-2-1201", "A栋1201", "12栋3单元501室", "B-1203", "5#1102", "Ａ栋１２０１", "2/1201"],
)
def test_valid_rooms(room: str) -> None:
    assert is_valid_room(room)
    assert check_record(make_intake(room=room)).ok


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize("room", ["A栋", "1201!", "1201@home", "1" * 33, "12栋\n501", "   "])
def test_invalid_rooms(room: str) -> None:
    assert not is_valid_room(room)
    report = check_record(make_intake(room=room))
    assert report.problems[0].path == "complainant.room"
    if room.strip():
        assert report.malformed == ("complainant.room",)
    else:
        assert report.missing == ("complainant.room",)


# --------------------------------------------------------------------------- REC-2


def at(minutes: int) -> datetime:
    return RECEIVED + timedelta(minutes=minutes)


@pytest.mark.procedure("REC-2")
def test_five_clears_grow_with_the_record() -> None:
    bare = five_clears(make_intake())
    assert bare.missing() == tuple(Clear)
    assert not bare.complete

    intake = make_intake(
        description="楼上卫生间渗水到厨房",
        location="厨房天花板",
        occurred_at=RECEIVED - timedelta(days=1),
        account="业主说漏水已经三天，之前报修过一次。",
    )
    events = [
        Assigned(at=at(10), actor="cs-01", handler="eng-02", rung="cs"),
        Replied(at=at(60), actor="cs-01", message="已安排师傅明天上门"),
    ]
    partial = five_clears(intake, events)
    assert (partial.asked, partial.heard, partial.followed, partial.replied) == (
        True,
        True,
        True,
        True,
    )
    assert partial.missing() == (Clear.RECORDED,)
    assert Clear.RECORDED.label("zh") == "记清楚"

    done = five_clears(intake, [*events, Closed(at=at(600), actor="cs-01", result="已修复")])
    assert done.complete
    reopened = five_clears(
        intake,
        [
            *events,
            Closed(at=at(600), actor="cs-01", result="已修复"),
            Reopened(at=at(700), actor="cs-01", reason="又漏了"),
        ],
    )
    assert reopened.missing() == (Clear.RECORDED,)


@pytest.mark.procedure("REC-2")
def test_asked_needs_all_of_what_when_where_how() -> None:
    intake = make_intake(description="渗水", location="厨房")
    assert not five_clears(intake).asked  # no occurred_at
    assert five_clears(attrs.evolve(intake, occurred_at=RECEIVED)).asked


@pytest.mark.procedure("REC-2")
def test_a_final_reply_or_visit_counts() -> None:
    intake = make_intake()
    visited = five_clears(intake, [Visited(at=at(5), actor="cs-01", satisfied=True)])
    assert visited.followed
    assert not visited.replied
    final = five_clears(intake, [Replied(at=at(5), actor="cs-01", message="已处理", final=True)])
    assert final.replied
    assert final.recorded
    assert [c for c, _ in final.items()] == list(Clear)


# --------------------------------------------------------------------------- REC-4


@pytest.mark.procedure("REC-4")
def test_a_reason_is_required_when_not_answerable_at_once() -> None:
    assert require_reason("  需要工程部现场勘查  ") == "需要工程部现场勘查"
    with pytest.raises(InvalidInputError) as err:
        require_reason("   ")
    assert err.value.path == "unanswerable_reason"
    with pytest.raises(InvalidInputError):
        require_reason(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- VAL-1, VAL-2


@pytest.mark.procedure("VAL-1")
def test_assess_builds_the_assessed_event(pack: RulePack) -> None:
    event = assess(
        pack,
        at=RECEIVED,
        actor="cs-01",
        validity="valid",
        kind="complaint",
        reasonable=True,
        department="engineering",
        facts=["staff_fault", Fact.RAISED_REPEATEDLY],
        note="现场核实属实",
    )
    assert event == Assessed(
        at=RECEIVED,
        actor="cs-01",
        validity=Validity.VALID,
        complaint_kind=Kind.COMPLAINT,
        reasonable=True,
        department="engineering",
        facts=frozenset({Fact.STAFF_FAULT, Fact.RAISED_REPEATEDLY}),
        note="现场核实属实",
    )


@pytest.mark.procedure("VAL-1")
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Validity.INVALID, Validity.INVALID),
        ("invalid", Validity.INVALID),
        ("有效", Validity.VALID),
        ("not yet verified", Validity.UNVERIFIED),
    ],
)
def test_assess_accepts_validity_members_values_and_labels(
    pack: RulePack, raw: Validity | str, expected: Validity
) -> None:
    assert assess(pack, at=RECEIVED, actor="cs-01", validity=raw).validity is expected


@pytest.mark.procedure("VAL-1")
def test_assess_refuses_bad_input_naming_the_field(pack: RulePack) -> None:
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor="cs-01", validity="true-ish")
    assert err.value.path == "validity"
    with pytest.raises(NaiveDatetimeError):
        assess(pack, at=datetime(2025, 11, 14, 17, 30), actor="cs-01", validity="valid")
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor=" ", validity="valid")
    assert err.value.path == "actor"
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor="cs-01", validity="valid", facts=["nope"])
    assert err.value.path == "facts"
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor="cs-01", validity="valid", kind="rant")
    assert err.value.path == "complaint_kind"


@pytest.mark.procedure("VAL-2")
def test_assess_records_reasonableness_and_a_known_department(pack: RulePack) -> None:
    event = assess(
        pack,
        at=RECEIVED,
        actor="cs-01",
        validity="valid",
        reasonable=False,
        department="customer_service",
    )
    assert event.reasonable is False
    assert event.department == "customer_service"
    undecided = assess(pack, at=RECEIVED, actor="cs-01", validity="unverified")
    assert undecided.reasonable is None
    assert undecided.department == ""


@pytest.mark.procedure("VAL-2")
def test_assess_refuses_an_unknown_department(pack: RulePack) -> None:
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor="cs-01", validity="valid", department="marketing")
    assert err.value.path == "department"
    with pytest.raises(InvalidInputError) as err:
        assess(pack, at=RECEIVED, actor="cs-01", validity="valid", reasonable="yes")  # type: ignore[arg-type]
    assert err.value.path == "reasonable"


# --------------------------------------------------------------------------- VAL-4


@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("请问物业费怎么交？", Kind.ENQUIRY),
        ("Where is the parcel locker?", Kind.ENQUIRY),
        ("卫生间漏水，报修", Kind.REQUEST),
        ("请问能不能请派人来看一下", Kind.REQUEST),
        ("Please send someone to repair the door", Kind.REQUEST),
        ("I booked a visit", Kind.REQUEST),
        ("报修三次都没人来，我要投诉！", Kind.COMPLAINT),
        ("I want to complain: the repair was never done", Kind.COMPLAINT),
        ("对处理结果很不满意", Kind.COMPLAINT),
        ("保安的态度", Kind.COMPLAINT),
        ("ＰＬＥＡＳＥ ＳＥＮＤ someone", Kind.REQUEST),
    ],
)
def test_infer_kind(pack: RulePack, text: str, kind: Kind) -> None:
    assert infer_kind(text, pack) is kind


@pytest.mark.procedure("VAL-4")
def test_infer_kind_complaint_words_can_be_replaced(pack: RulePack) -> None:
    assert infer_kind("我要投诉，请问找谁", pack) is Kind.COMPLAINT
    assert infer_kind("我要投诉，请问找谁", pack, complaint_words=("举报",)) is Kind.ENQUIRY


@pytest.mark.procedure("VAL-4")
@given(st.lists(st.sampled_from(["请问", "报修", "投诉", "天气", "hello", "book", "complain"])))
def test_property_complaint_words_override_requests_and_enquiries(words: list[str]) -> None:
    pack = make_pack()
    kind = infer_kind(" ".join(words), pack)
    if "投诉" in words or "complain" in words:
        assert kind is Kind.COMPLAINT
    elif "报修" in words or "book" in words:
        assert kind is Kind.REQUEST
    elif "请问" in words:
        assert kind is Kind.ENQUIRY
    else:
        assert kind is Kind.COMPLAINT


@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(
    ("validity", "kind", "counts"),
    [
        (Validity.VALID, Kind.COMPLAINT, True),
        (Validity.INVALID, Kind.COMPLAINT, False),
        (Validity.UNVERIFIED, Kind.COMPLAINT, False),
        (Validity.VALID, Kind.REQUEST, False),
        (Validity.VALID, Kind.ENQUIRY, False),
    ],
)
def test_only_valid_complaints_count(validity: Validity, kind: Kind, counts: bool) -> None:
    state = ComplaintState(validity=validity, complaint_kind=kind)
    assert counts_as_complaint(state) is counts
    complaint = Complaint(id="C-1", intake=make_intake(), state=state)
    assert counts_as_complaint(complaint) is counts


@pytest.mark.procedure("VAL-4")
def test_counts_as_complaint_refuses_other_things() -> None:
    with pytest.raises(InvalidInputError):
        counts_as_complaint("C-1")  # type: ignore[arg-type]


@pytest.mark.procedure("VAL-4")
def test_a_reassessment_that_does_not_name_the_kind_keeps_it() -> None:
    """A service request found valid, then found reasonable too (VAL-2): still a
    request, so still counted apart and never graded."""
    r = Runner(make_pack_of())
    r.register()
    c = r(Assess(actor="cs-01", validity="valid", kind="request"))
    assert (c.state.complaint_kind, c.state.grade) == (Kind.REQUEST, None)
    c = r(Assess(actor="cs-01", validity="valid", reasonable=True))
    assert (c.state.complaint_kind, c.state.grade) == (Kind.REQUEST, None)
    assert not counts_as_complaint(c.state)
    c = r(Assess(actor="cs-01", validity="valid", kind="complaint"))  # named: it changes
    assert c.state.complaint_kind is Kind.COMPLAINT
    assert c.state.grade is not None
