"""What notifications say: the desk's languages, the catalogs' wording, a host's own templates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complainant, Intake, Trigger
from complaintcore.core.workflow import Escalate, Promise
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.messages import NotificationTemplate
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.desk.ports import Notification
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH

PACK = load_pack("cn-property")
NAME, PHONE = "李雪梅", "13912345678"
AT = datetime(2025, 11, 10, 9, 30, tzinfo=SH)


def intake() -> Intake:
    return Intake(
        complainant=Complainant(NAME, PHONE, "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=AT,
        receiver="SR-103",
        summary=f"楼上漏水，请联系{PHONE}",
        site="sunrise",
    )


def desk_with(
    notes: RecordingNotifier, *plugins: object, languages: Sequence[str] = ("zh", "en")
) -> Desk:
    pm = make_plugin_manager(plugins, load_entry_points=False) if plugins else None
    return Desk(
        pack=PACK,
        store=MemoryStore(),
        directory=load_sample_staff(pack=PACK),
        calendar=calendar_for_spec(PACK.calendar),
        notifiers=[notes],
        plugin_manager=pm,
        languages=languages,
    )


def sent(notes: RecordingNotifier, topic: str) -> list[Notification]:
    return [n for n, _ in notes.sent if n.topic == topic]


def test_a_notification_is_written_in_chinese_then_english() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes)
    c = desk.receive(intake(), now=AT)
    desk.deliver(AT)  # the outbox is sent apart from intake
    note = sent(notes, "assigned")[0]
    assert note.subject == f"[{c.id}] 投诉已指派给您 / A complaint has been assigned to you"
    zh, en = note.body.split("\n\n")
    assert zh.startswith(f"编号：{c.id}\n项目：sunrise\n摘要：")
    assert "类别：维修；" in zh
    assert en.startswith(f"ID: {c.id}\nsite: sunrise\nsummary: ")
    assert "category: repairs and maintenance;" in en


def test_a_desk_in_one_language_writes_only_that_one() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes, languages=["en"])
    c = desk.receive(intake(), now=AT)
    desk.deliver(AT)
    note = sent(notes, "assigned")[0]
    assert note.subject == f"[{c.id}] A complaint has been assigned to you"
    assert "\n\n" not in note.body
    assert "编号" not in note.body


def test_a_detail_line_is_labelled_in_each_language() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes)
    c = desk.receive(intake(), now=AT)
    desk.act(
        c.id,
        Escalate(actor=desk.get(c.id).state.handler, trigger=Trigger.CANNOT_HANDLE),
        now=AT + timedelta(hours=1),
    )
    desk.deliver(AT + timedelta(hours=1))
    note = sent(notes, "escalated")[0]
    assert "升级原因：无法处理" in note.body
    assert "trigger: handler cannot handle it" in note.body


def test_a_duty_message_names_the_duty_its_rule_due_time_and_step_in_each_language() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes)
    c = desk.receive(intake(), now=AT)
    handler = desk.get(c.id).state.handler
    desk.act(c.id, Promise(actor=handler, due=AT + timedelta(hours=4)), now=AT)
    desk.sweep(AT + timedelta(hours=5))  # the promise (13:30 Monday) passed unkept
    desk.deliver(AT + timedelta(hours=5))
    note = sent(notes, "duty_owed")[0]
    assert note.subject == f"[{c.id}] 您有一项待履行的职责 / A duty is owed"
    zh, en = note.body.split("\n\n")
    # the pack's labels, the catalog's words; due two working hours after 13:30
    assert "职责：违约致歉、说明原因并提出补救措施\n规则：DL-5\n" in zh
    assert "：2025-11-10T15:30+08:00\n履行方式：致歉" in zh
    assert "duty: apologise, give the reason and propose a remedy\nrule: DL-5\n" in en
    assert "due: 2025-11-10T15:30+08:00\nto discharge it: apologise" in en


def test_a_concentrated_issue_message_names_the_issue_and_its_complaints() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes)
    ids = []
    for n in range(3):  # three owners of building 3 about one leak (HDL-5)
        person = Complainant(f"业主{n}", f"1390000000{n}", f"3-1-{n}01", "3", "sunrise")
        when = AT + timedelta(minutes=10 * n)
        call = attrs.evolve(intake(), complainant=person, received_at=when)
        ids.append(desk.receive(call, now=when).id)
    desk.deliver(AT + timedelta(hours=1))
    note = sent(notes, "concentrated_issue")[0]
    issue = desk.get(ids[0]).state.issue
    assert note.subject.endswith(
        "集中反映的问题：请统一安排时间向客户解释（HDL-5） / "
        "Concentrated issue: one unified explanation for everyone (HDL-5)"
    )
    assert f"问题编号：{issue}\n投诉人数：3\n相关投诉：{', '.join(ids)}" in note.body
    assert f"issue: {issue}\ncomplainants: 3\ncomplaints: {', '.join(ids)}" in note.body


class Terse:
    """A host that words the assignment its own way, in Chinese only."""

    @hookimpl
    def complaintcore_notification_template(
        self, topic: str, lang: str
    ) -> NotificationTemplate | None:
        if (topic, lang) != ("assigned", "zh"):
            return None
        return NotificationTemplate(subject="请处理：{summary}", body="{name} {phone}\n{title}")


def test_a_host_template_replaces_one_topic_in_one_language() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes, Terse())
    c = desk.receive(intake(), now=AT)
    desk.deliver(AT)
    handler = desk.get(c.id).state.handler
    note = next(n for n in sent(notes, "assigned") if n.recipient == handler)
    subject_zh, subject_en = note.subject.removeprefix(f"[{c.id}] ").split(" / ")
    assert subject_zh.startswith("请处理：楼上漏水")
    assert subject_en == "A complaint has been assigned to you"  # English keeps the catalog's
    zh, en = note.body.split("\n\n")
    assert zh.endswith("投诉已指派给您")
    assert en.startswith(f"ID: {c.id}")
    assert desk.messages.template("escalated", "zh").subject == "{title}"


@pytest.mark.procedure("PRV-1")
def test_a_host_template_gets_personal_data_masked_for_who_need_not_see_it() -> None:
    notes = RecordingNotifier()
    desk = desk_with(notes, Terse())
    c = desk.receive(intake(), now=AT)
    desk.deliver(AT)
    assert notes.sent
    for note, member in notes.sent:
        assert member is not None
        if note.topic != "assigned":
            continue
        full = member.staff_id == desk.get(c.id).state.handler or member.sees_personal_data
        assert (PHONE in note.subject + note.body) == full
        assert (NAME in note.body) == full


class Typo:
    @hookimpl
    def complaintcore_notification_template(self, topic: str) -> NotificationTemplate | None:
        return NotificationTemplate(subject="{titel}", body="{id}") if topic == "urgent" else None


class Prying:
    @hookimpl
    def complaintcore_notification_template(self, topic: str) -> NotificationTemplate | None:
        return NotificationTemplate(subject="{title}", body="{id.__class__}")


@pytest.mark.parametrize(
    ("plugin", "path"),
    [
        (Typo(), "notification_template.urgent.zh.subject"),
        (Prying(), "notification_template.assigned.zh.body"),
    ],
)
def test_a_bad_template_is_refused_when_the_desk_is_built(plugin: object, path: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        desk_with(RecordingNotifier(), plugin)
    assert err.value.path == path
    assert "expected one of id, topic, title" in err.value.reason


def test_the_languages_come_from_the_configuration() -> None:
    config = DeskConfig.from_mapping({"database": ":memory:", "languages": ["en", "zh_CN"]})
    assert config.languages == ("en", "zh_CN")
    with Desk.from_config(config) as desk:
        assert desk.messages.languages == ("en", "zh")
    # left out: the pack's own, else Chinese then English (cn-property names none)
    assert DeskConfig.from_mapping({}).languages == ()
    with Desk.from_config(DeskConfig.from_mapping({"database": ":memory:"})) as desk:
        assert desk.messages.languages == ("zh", "en")


@pytest.mark.parametrize("value", ["zh", [], [1], {"zh": 1}])
def test_languages_must_be_a_list_of_codes(value: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        DeskConfig.from_mapping({"languages": value})
    assert err.value.path == "languages"


def test_a_language_without_a_catalog_is_refused() -> None:
    with pytest.raises(InvalidInputError) as err:
        desk_with(RecordingNotifier(), languages=["zh", "tlh"])
    assert err.value.path == "languages[1]"
    assert "zh, en" in err.value.reason


def test_labels_follow_the_pack_a_message_is_rendered_with() -> None:
    """The texts of a topic, category, grade and rung are read once and kept, per pack:
    a pack that names a category otherwise is shown with its own name."""
    desk = desk_with(RecordingNotifier())
    c = desk.receive(intake(), now=AT)
    member = desk.directory.get(c.state.handler)
    assert member is not None
    renamed = attrs.evolve(
        PACK,
        categories=tuple(
            attrs.evolve(cat, zh="房屋维修", en="home repairs") if cat.code == "repairs" else cat
            for cat in PACK.categories
        ),
    )
    texts = []
    for pack in (PACK, renamed, PACK):
        note = desk.messages.render(c, "assigned", member, pack, at=AT, discriminator="t")
        texts.append(note.body)
    assert "类别：维修；" in texts[0]
    assert "category: repairs and maintenance;" in texts[0]
    assert "类别：房屋维修；" in texts[1]
    assert "category: home repairs;" in texts[1]
    assert texts[2] == texts[0]


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize(
    ("pack_name", "site", "receiver", "missed"),
    [
        # HOC 6.2: 5 working days to acknowledge; passed by the 14th day
        (
            "uk-housing-ombudsman-2024",
            "elm-court",
            "CS-001",
            "stage 1: acknowledge, define and log",
        ),
        # SPSO CHP stage 1: a response in 5 working days
        ("scotland-spso", "harbour", "FS-001", "stage 1 (frontline) response"),
    ],
)
def test_a_desk_on_an_english_code_writes_to_its_staff_in_english(
    pack_name: str, site: str, receiver: str, missed: str
) -> None:
    """The UK and Scottish packs state their language (``languages = ["en"]``): a desk
    whose configuration names none writes its notifications in English alone, the
    assignment and the escalation after a missed deadline alike; a configuration
    that names languages still wins."""
    notes = RecordingNotifier()
    pack = load_pack(pack_name)
    assert pack.languages == ("en",)
    desk = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        notifiers=[notes],
    )
    at = datetime(2026, 11, 2, 10, tzinfo=UTC)  # Monday
    c = desk.receive(
        Intake(
            complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", site=site),
            channel="phone",
            received_at=at,
            receiver=receiver,
            summary="Boiler broken",
            site=site,
        ),
        now=at,
    )
    desk.sweep(at + timedelta(days=14))  # a deadline missed: escalated
    desk.deliver(at + timedelta(days=14))
    assert {n.topic for n, _ in notes.sent} >= {"assigned", "escalated"}
    for note, _ in notes.sent:
        assert not _CJK.search(note.subject + note.body), note.subject
    assigned = sent(notes, "assigned")[0]
    assert assigned.subject == f"[{c.id}] A complaint has been assigned to you"
    assert assigned.body.startswith(f"ID: {c.id}\nsite: {site}\n")
    # which deadline was missed, by the pack's English label (review s40B)
    escalated = sent(notes, "escalated")[0]
    assert "trigger: deadline missed" in escalated.body
    assert f"clock: {missed}" in escalated.body
    chosen = Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        languages=("zh", "en"),
    )
    assert chosen.messages.languages == ("zh", "en")


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("DL-7")
def test_an_escalation_for_a_missed_duty_names_it_by_its_label() -> None:
    """Reported at once (a group incident, 10:00) the complaint owes 004 篇4 §3.6's
    site visit by 14:00; swept at 14:05 it is escalated for it, and the message
    names the duty by the pack's label, as a missed clock is (review s46H F02:
    ``时限：site_visit`` and ``clock: site_visit``)."""
    notes = RecordingNotifier()
    desk = desk_with(notes)
    c = desk.receive(intake(), now=AT)
    desk.act(
        c.id, Escalate(actor="SR-101", trigger=Trigger.INCIDENT), now=AT + timedelta(minutes=30)
    )
    notes.sent.clear()
    swept = desk.sweep(AT + timedelta(hours=4, minutes=35))
    assert swept.escalated == ((c.id, "site_visit"),)
    desk.deliver(AT + timedelta(hours=4, minutes=35))
    escalated = sent(notes, "escalated")
    assert escalated
    for note in escalated:
        lines = note.body.splitlines()
        assert "时限：严重投诉随客户到现场查看" in lines
        assert "clock: go to the site with the complainant" in lines
        assert "site_visit" not in note.body
