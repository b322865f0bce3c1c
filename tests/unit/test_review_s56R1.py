"""Review s56R1: tests that pin behaviour a mutation audit found unpinned (F01-F08).

The code was right; nothing noticed when one of its checks was dropped.  Expected
values come from /work/shared/procedures.md and the docs, not from the library:

- REC-2 "五清楚，一报告" (cn-property's ``report_to_leader``, records ``content`` and
  ``result``); docs/rule-packs.md, ``applies_from``: "a start event on an earlier
  day starts no run, so the complaint owes nothing for it ... one on or after it
  starts the duty as usual", the day read "in the pack's ``[calendar]`` zone" (F01).
- VIS-3 "A complaint is closed only with the complainant's confirmation (闭环), or,
  failing satisfaction, after escalation to the top rung decides" (F02, F03);
  VIS-1 a call that did not reach the complainant gives no opinion; VAL-4 a service
  request closes once answered (F03).
- IN-6 a bypass complaint reaches the site only with the complainant's consent;
  PRV-1 "messages, logs and exports show personal data only to those who need it"
  (F04, F05); docs/notifications.md: a message written unmasked is held "if, when
  it is sent" the recipient may no longer see it, unless the channel masks every
  message itself (the log channel, a webhook with ``redact`` on).
- ESC-4 "Never handled by the person complained about" (F06).
- PRV-1 and docs/notifications.md / docs/security.md: "a title and the surname
  (``Mrs Thompson``, ``Dr. Khan``) ... a surname of three letters or more"
  (``Dear Mrs Thompson,`` -> ``Dear M***********,``: the first letter shown, the
  rest starred) (F07); the Chinese titles ``先生``, ``女士``, ``小姐``, ``太太``,
  ``阿姨``, ``师傅``, ``老师``, ``总`` (traditional ``師傅``, ``老師``, ``總``) after
  the surname, ``王先生`` -> ``王**`` for ``王小明`` (F08).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Complainant, Intake
from complaintcore.adapters.notify.webhook import WebhookNotifier
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import Extended, Kind, Reported, Status, TargetPerson
from complaintcore.core.privacy import redact
from complaintcore.core.workflow import (
    Acknowledge,
    Assess,
    Close,
    Escalate,
    Extend,
    Reply,
    Report,
    Visit,
)
from complaintcore.desk import Desk
from complaintcore.rules.loader import load_pack_text
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, Runner, intake, pack
from tests.unit.test_staged_timescales import _intake as uk_intake

PROPERTY = pack("cn-property")
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
PHONE = "13812345678"
NOT_ENTITLED = "recipient may no longer see this complaint's personal data"  # notifications.md


def moved(text: str, staff_id: str, changes: list[tuple[str, str]]) -> str:
    """The staff file's text with lines of ``staff_id``'s table changed, as HR would."""
    head, *tables = text.split("[[staff]]")
    done = []
    for table in tables:
        if f'staff_id = "{staff_id}"' in table:
            for old, new in changes:
                assert old in table
                table = table.replace(old, new, 1)
        done.append(table)
    return "[[staff]]".join([head, *done])


# --------------------------------------------------------------------------- F01


def _pack_with_report_from(day: str) -> Any:
    text = resources.files("complaintcore.rules").joinpath("cn-property.toml").read_text("utf-8")
    marker = 'name = "report_to_leader"\n'
    assert marker in text
    return load_pack_text(text.replace(marker, f"{marker}applies_from = {day}\n", 1))


def _replied_at(the_pack: Any, at: datetime) -> Runner:
    """A valid complaint received and finally replied to at ``at`` (the duty's start)."""
    r = Runner(the_pack, intake(received_at=at - timedelta(minutes=30)))
    r.register()
    r(Assess(actor="h-1", validity="valid"), after=timedelta(minutes=10))
    r(Reply(actor="h-1", message="已更换水管", final=True), after=at - r.now)
    return r


@pytest.mark.procedure("REC-2")
def test_f01_a_duty_started_before_its_applies_from_day_asks_for_no_records() -> None:
    the_pack = _pack_with_report_from("2027-06-01")
    # 31 May 23:30 in Shanghai: the day before the duty applies
    r = _replied_at(the_pack, datetime(2027, 5, 31, 23, 30, tzinfo=SH))
    done = r(Report(actor="h-1", content="水管已更换", result=""), after=timedelta(hours=1))
    assert isinstance(done.events[-1], Reported)  # accepted: the duty was not owed


@pytest.mark.procedure("REC-2")
def test_f01_a_duty_started_on_its_applies_from_day_in_the_packs_zone_asks_for_them() -> None:
    the_pack = _pack_with_report_from("2027-06-01")
    # 1 June 07:30 in Shanghai (still 31 May in UTC): the duty is owed, so its
    # records are demanded and the missing one named
    r = _replied_at(the_pack, datetime(2027, 6, 1, 7, 30, tzinfo=SH))
    with pytest.raises(InvalidInputError) as info:
        r(Report(actor="h-1", content="水管已更换", result=""), after=timedelta(hours=1))
    assert info.value.path == "result"
    assert "REC-2" in str(info.value)


# --------------------------------------------------------------------------- F02


def _invalid_then_dissatisfied() -> Runner:
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="invalid"))
    r(Reply(actor="h-1", message="经核实不属物业责任，已向业主说明", explanation=True))
    # the complainant does not accept the explanation: escalated (ESC-2)
    r(
        Escalate(actor="h-1", trigger="dissatisfied", note="业主不接受解释"),
        after=timedelta(hours=2),
    )
    assert r.complaint.state.status is Status.IN_HANDLING
    return r


@pytest.mark.procedure("VIS-3")
def test_f02_an_invalid_record_the_complainant_was_unsatisfied_with_needs_their_confirmation() -> (
    None
):
    r = _invalid_then_dissatisfied()
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已解释"))
    assert "VIS-3" in str(info.value)
    assert r.complaint.state.status is Status.IN_HANDLING


@pytest.mark.procedure("VIS-3")
def test_f02_an_invalid_record_so_found_closes_with_their_confirmation() -> None:
    r = _invalid_then_dissatisfied()
    done = r(Close(actor="h-1", result="业主接受解释", confirmed_by_complainant=True))
    assert done.state.status is Status.CLOSED


# --------------------------------------------------------------------------- F03


def _answered(kind: str) -> Runner:
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid", kind=kind))
    r(Reply(actor="h-1", message="已安排维修", final=True))
    return r


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_f03_a_call_nobody_answered_does_not_keep_a_request_open() -> None:
    r = _answered("request")
    r(Visit(actor="v-1", reached=False), after=timedelta(days=1))
    assert r(Close(actor="h-1", result="已答复")).state.status is Status.CLOSED


@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("VAL-4")
def test_f03_a_call_nobody_answered_is_no_finding_against_a_reassessment() -> None:
    r = _answered("complaint")
    r(Visit(actor="v-1", reached=False), after=timedelta(days=1))
    done = r(Assess(actor="h-1", validity="valid", kind="request"))
    assert done.state.complaint_kind is Kind.REQUEST


@pytest.mark.procedure("VIS-3")
def test_f03_a_call_nobody_answered_does_not_end_the_look_back() -> None:
    r = _answered("request")
    r(Visit(actor="v-1", satisfied=False, opinion="没人来修"), after=timedelta(days=1))
    r(Reply(actor="h-1", message="再次安排", final=True))
    r(Visit(actor="v-1", reached=False), after=timedelta(days=1))
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已答复"))
    assert "VIS-3" in str(info.value)


# --------------------------------------------------------------------------- F04

T_DESK = datetime(2025, 11, 14, 9, 0, tzinfo=SH)


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("PRV-1")
def test_f04_a_bypass_complaints_unmasked_message_is_held_from_a_member_moved_to_its_site(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, staff = cn_sqlite_desk
    bypass = Intake(
        OWNER,
        "phone",
        T_DESK,
        "HQ-002",
        "楼上漏水，管理处不理",
        site="sunrise",
        receiver_unit="head_office",
        via_head_office=True,
    )
    complaint = desk.receive(bypass, now=T_DESK)
    assert complaint.awaiting_site_consent
    # HR moves HQ-001 (head office, sees personal data) to sunrise's customer service
    staff.write_text(
        moved(
            staff.read_text(encoding="utf-8"),
            "HQ-001",
            [
                ('department = "head_office"', 'department = "customer_service"'),
                ('site = "*"', 'site = "sunrise"'),
            ],
        ),
        encoding="utf-8",
    )
    desk.deliver(T_DESK)
    assert [n.body for n, _ in inbox.sent if n.recipient == "HQ-001"] == []
    assert not any(PHONE in n.body for n, _ in inbox.sent if n.recipient == "HQ-001")
    dead = [d for d in desk.dead_letters() if d.notification.recipient == "HQ-001"]
    assert dead
    assert all(NOT_ENTITLED in d.last_error for d in dead)
    assert not any(PHONE in d.last_error or "王小明" in d.last_error for d in dead)
    # head office's other member, still at head office, is sent it
    assert any(n.recipient == "HQ-002" for n, _ in inbox.sent)


# --------------------------------------------------------------------------- F05

T_F05 = datetime(2025, 11, 14, 17, 30, tzinfo=SH)


class CapturingWebhook(WebhookNotifier):
    """A webhook whose POST is captured, not sent: the JSON it would have posted."""

    def __init__(self, **kw: Any) -> None:
        super().__init__("https://hooks.example.invalid/x", name="hook", **kw)
        self.posted: list[bytes] = []

    def _post(self, request: Any, key: str, where: str) -> bytes:
        self.posted.append(request.data)
        return b"{}"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("redacting", [False, True], ids=["plain-json", "redact-on"])
def test_f05_only_a_webhook_that_masks_sends_to_a_handler_moved_away(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path], redacting: bool
) -> None:
    desk, _inbox, staff = cn_sqlite_desk
    # a json webhook has redact off by default (docs/notifications.md)
    hook = CapturingWebhook() if not redacting else CapturingWebhook(redact=True)
    assert hook.redact is redacting
    desk.notifiers = {"hook": hook}
    leak = Intake(OWNER, "phone", T_F05, "SR-103", "楼上漏水，天花板渗水", site="sunrise")
    complaint = desk.receive(leak, now=T_F05)
    assert complaint.state.handler == "SR-201"  # its `assigned` is written unmasked
    staff.write_text(
        moved(
            staff.read_text(encoding="utf-8"),
            "SR-201",
            [('site = "sunrise"', 'site = "riverside"')],
        ),
        encoding="utf-8",
    )
    desk.deliver(T_F05)
    to_sr201 = [p.decode("utf-8") for p in hook.posted if '"recipient": "SR-201"' in p.decode()]
    dead = [
        d.notification.topic for d in desk.dead_letters() if d.notification.recipient == "SR-201"
    ]
    if redacting:
        assert len(to_sr201) == 1  # sent, masked
        assert PHONE not in to_sr201[0]
        assert "王小明" not in to_sr201[0]
        assert dead == []
    else:
        assert to_sr201 == []  # held
        assert dead == ["assigned"]
    assert not any(PHONE in p.decode("utf-8") for p in hook.posted if b"SR-201" in p)


# --------------------------------------------------------------------------- F06

UK = ZoneInfo("Europe/London")


@pytest.mark.procedure("ESC-4")
def test_f06_the_person_complained_about_does_not_agree_the_extension() -> None:
    desk = make_desk(pack="uk-housing-ombudsman-2024")
    received = datetime(2025, 3, 3, 10, tzinfo=UK)
    at = datetime(2025, 3, 4, 10, tzinfo=UK)
    about_hm201 = attrs.evolve(
        uk_intake(received),
        summary="Housing manager HM-201 was rude on the phone",
        target=TargetPerson(staff_id="HM-201", rung="complaints_manager"),
    )
    c = desk.receive(about_hm201, now=received)
    assert c.state.handler != "HM-201"
    c = desk.act(c.id, Acknowledge(actor=c.state.handler, definition="staff conduct"), now=at)
    extend = Extend(
        actor=c.state.handler,
        clock="stage_1_response",
        by="12d",
        reason="survey",
        details="the Housing Ombudsman's details given",
        agreed_by="HM-201",
    )
    with pytest.raises(InvalidInputError) as info:
        desk.act(c.id, extend, now=at)
    assert info.value.path == "agreed_by"
    assert "ESC-4" in str(info.value)
    stored = desk.store.load(c.id)
    assert not any(isinstance(e, Extended) for e in stored.events)


# --------------------------------------------------------------------------- F07


def _masked(word: str) -> str:
    """The docs' form: ``Mrs Thompson`` -> ``M***********`` (first letter, then stars)."""
    return word[0] + "*" * (len(word) - 1)


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "form"),
    [
        ("Ann Lee", "Mrs Lee called again about the leak", "Mrs Lee"),
        ("Min-jun Kim", "Spoke to Dr Kim, flat 4", "Dr Kim"),
        ("Tom Fox", "Mr. Fox says the boiler is still broken", "Mr. Fox"),
        ("Ravi Roy", "Dear Ms Roy,", "Ms Roy"),
        ("Sam Cox", "Mx Cox rang twice", "Mx Cox"),
        ("Jo Day", "Miss Day is away", "Miss Day"),
    ],
)
def test_f07_a_title_and_a_three_letter_surname_are_masked(name: str, text: str, form: str) -> None:
    out = redact(text, also=[name])
    assert out == text.replace(form, _masked(form))
    assert form.split()[-1] not in out


@pytest.mark.procedure("PRV-1")
def test_f07_a_two_letter_surname_after_a_title_stays_readable() -> None:
    # "a surname of three letters or more": below it, the words are left as written
    assert redact("Mr Ng rang", also=["Wei Ng"]) == "Mr Ng rang"


# --------------------------------------------------------------------------- F08

DOCUMENTED_HAN_TITLES = (
    "先生",
    "女士",
    "小姐",
    "太太",
    "阿姨",
    "师傅",
    "老师",
    "总",
    "師傅",
    "老師",
    "總",
)


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("title", DOCUMENTED_HAN_TITLES)
def test_f08_every_documented_chinese_title_after_the_surname_is_masked(title: str) -> None:
    text = f"王{title}来电说楼上漏水"
    # 王先生 -> 王** for 王小明: the surname shown, the title starred
    assert redact(text, also=["王小明"]) == "王" + "*" * len(title) + "来电说楼上漏水"


# --------------------------------------------------------------------------- DL05


@pytest.mark.procedure("DL-7")
@pytest.mark.procedure("ESC-2")
@pytest.mark.parametrize("swept_between", [False, True], ids=["replaced-first", "swept-first"])
def test_dl05_a_broken_then_replaced_promise_is_escalated_once_with_report_to_set(
    swept_between: bool,
) -> None:
    """docs/clocks.md: a promise replaced after it was due is "escalated once by a
    sweep"; a host pack that reports the promise's breaches to a department
    (``report_to``) escalates it once too, whatever the sweeps (review s56R1 DL05)."""
    from complaintcore.adapters.calendars import calendar_for_spec
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.core.models import Escalated
    from complaintcore.core.workflow import Promise
    from complaintcore.testing import MemoryStore

    text = resources.files("complaintcore.rules").joinpath("cn-property.toml").read_text("utf-8")
    marker = 'mode = "promised"\n'
    assert text.count(marker) == 1
    host = load_pack_text(text.replace(marker, f'{marker}report_to = "hr_admin"\n', 1))
    desk = Desk(
        pack=host,
        store=MemoryStore(),
        directory=load_sample_staff(pack=host),
        calendar=calendar_for_spec(host.calendar),
        notifiers=(),
    )

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2025, 11, day, hour, minute, tzinfo=SH)  # Mon 10, Tue 11: working

    c = desk.receive(
        Intake(OWNER, "phone", at(10, 10), "SR-103", "楼上漏水，天花板渗水", site="sunrise"),
        now=at(10, 10),
    )
    desk.act(c.id, Promise(actor=c.state.handler, due=at(11, 12)), now=at(10, 10, 30))
    escalated: list[tuple[str, str]] = []
    if swept_between:  # broken at 12:00, swept at 12:10, replaced at 12:30
        escalated += desk.sweep(at(11, 12, 10)).escalated
    desk.act(c.id, Promise(actor=desk.get(c.id).state.handler, due=at(12, 12)), now=at(11, 12, 30))
    for t in (at(11, 13), at(11, 13, 30), at(12, 11)):
        escalated += desk.sweep(t).escalated
    assert [name for _cid, name in escalated].count("promise") == 1
    promise = [
        e for e in desk.get(c.id).events if isinstance(e, Escalated) and "promise" in e.clock
    ]
    assert len(promise) == 1
