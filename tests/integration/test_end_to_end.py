"""End to end: complaints through their whole life on real parts.

The desk is built the way a host builds it, ``Desk.from_config``: a SQLite file,
the packaged sample staff file, and all three notification channels against
real local servers -- the log, SMTP (aiosmtpd) and a JSON webhook
(``http.server``).  Five lives run on one clock (Asia/Shanghai, never the wall
clock):

* a written complaint handled, replied, visited, closed and signed off;
* an invalid one explained the same day and closed (VAL-3);
* one whose complainant is not satisfied at the return visit (VIS-1);
* one nobody touches, escalated by the deadline sweep (ESC-2) with its late
  department reported (ESC-6);
* a group incident, reported to the project manager at once (HDL-6).

Afterwards the SQLite file is reopened with a fresh store and read back, the hash
chain is verified, and every message on the servers is matched one to one
with the outbox (each key once) and checked for personal data (PRV-1).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from attrs import evolve as attrs_evolve

from complaintcore.adapters.notify import message_id
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_staff_file, write_sample_staff
from complaintcore.core.deadlines import ClockState
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.models import (
    Complainant,
    Complaint,
    Escalated,
    Intake,
    Status,
    TargetPerson,
    Trigger,
)
from complaintcore.core.workflow import Assess, Close, Handle, RecordCause, Reply, SignOff, Visit
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.delivery import DeliveryWorker
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import FixedClock
from tests.helpers import SH
from tests.integration.servers import HttpTestServer, SmtpTestServer

MONDAY = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a working Monday, Asia/Shanghai
FRIDAY = datetime(2025, 11, 14, 9, 0, tzinfo=SH)  # past the 3-working-day clocks
SENDER = "complaints@sunrise.example.com"

# One complainant per life; no phone here may look like a staff member's.
PEOPLE = {
    "written": ("李雪梅", "13712340001", "3-2-1201"),
    "invalid": ("周建国", "13712340002", "5-1-0302"),
    "unhappy": ("吴丽娟", "13712340003", "2-3-0801"),
    "late": ("郑海涛", "13712340004", "7-1-1502"),
    "group": ("冯志远", "13712340005", "1-1-0101"),
}


def _intake(who: str, summary: str, at: datetime, *, channel: str = "phone") -> Intake:
    name, phone, room = PEOPLE[who]
    return Intake(
        complainant=Complainant(name, phone, room, room.split("-")[0], "sunrise"),
        channel=channel,
        received_at=at,
        receiver="SR-103",  # the front desk receptionist
        receiver_unit="customer_service",
        summary=summary,
        site="sunrise",
    )


@dataclass
class World:
    desk: Desk
    clock: FixedClock
    smtp: SmtpTestServer
    http: HttpTestServer
    database: Path
    staff: dict[str, StaffMember]
    worker: DeliveryWorker

    def settle(self) -> None:
        """Wait for the delivery worker to send what the commits so far queued."""
        assert self.worker.wait_idle(20)


@pytest.fixture
def world(
    tmp_path: Path,
    smtp_server: SmtpTestServer,
    http_server: HttpTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    # The webhook table has no ``proxies`` key: keep any proxy in the environment
    # away from 127.0.0.1 (urllib honours no_proxy).
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    staff_file = write_sample_staff(tmp_path / "staff.toml")
    database = tmp_path / "complaints.sqlite3"
    config = DeskConfig(
        database=str(database),
        staff_file=str(staff_file),
        notifiers={
            "log": {"level": "INFO"},
            "email": {"host": smtp_server.host, "port": smtp_server.port, "sender": SENDER},
            "webhooks": [{"url": http_server.url("/complaints/hook")}],
        },
    )
    desk = Desk.from_config(config)
    staff = {
        m.staff_id: m for m in load_staff_file(staff_file, pack=load_pack("cn-property")).members()
    }
    clock = FixedClock(MONDAY)
    worker = desk.start_delivery(clock=clock)  # sends off the intake path, as a host would
    try:
        yield World(desk, clock, smtp_server, http_server, database, staff, worker)
    finally:
        desk.close()


def _kinds(c: Complaint) -> list[str]:
    return [e.kind for e in c.events]


def _outbox(database: Path) -> list[tuple[str, str, str, str, str, str | None]]:
    """(notifier, key, complaint, topic, recipient, delivered_at) for every outbox row."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT notifier, dedupe_key, complaint_id, body_json, delivered_at FROM outbox"
            " ORDER BY id"
        ).fetchall()
    out = []
    for notifier, key, cid, body, delivered in rows:
        data = json.loads(body)
        out.append((notifier, key, cid, data["topic"], data["recipient"], delivered))
    return out


def _handlers(c: Complaint) -> set[str]:
    return {h for e in c.events if (h := getattr(e, "handler", "")) and e.kind == "assigned"}


def _may_see(member: StaffMember, c: Complaint, customer_service: str) -> bool:
    """PRV-1: the complaint's handler (now or before), customer service, flagged roles."""
    return (
        member.sees_personal_data
        or member.department == customer_service
        or member.staff_id in _handlers(c)
    )


@pytest.mark.procedure("REC-5")
@pytest.mark.procedure("REC-6")
@pytest.mark.procedure("VAL-3")
@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("HDL-6")
@pytest.mark.procedure("PRV-1")
def test_complaints_live_their_whole_life_on_sqlite_smtp_and_webhooks(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="complaintcore")
    desk, clock, smtp, http = world.desk, world.clock, world.smtp, world.http
    pack = desk.pack
    assert sorted(desk.notifiers) == ["email", "log", "webhook"]

    # ------------------------------------------------------------- Monday: intake
    written = desk.receive(
        _intake("written", "来信反映：楼上漏水，天花板渗水", clock(), channel="written"),
        now=clock(),
    )
    invalid = desk.receive(
        _intake("invalid", "物业费收费太高，要求退费", clock.advance(minutes=1)), now=clock()
    )
    unhappy = desk.receive(
        _intake("unhappy", "卫生间水管漏水，墙皮脱落", clock.advance(minutes=1)), now=clock()
    )
    late = desk.receive(
        # Complainants often leave their number in the text itself (PRV-1).
        _intake(
            "late", f"厨房下水道堵塞，一直没修，请回电{PEOPLE['late'][1]}", clock.advance(minutes=1)
        ),
        now=clock(),
    )
    # HDL-6: before anyone acts, the project manager already has the report.
    world.settle()
    before_group = len(smtp.messages)
    group = desk.receive(
        _intake("group", "十几户业主集体投诉，聚集在物业中心闹事", clock.advance(minutes=1)),
        now=clock(),
    )
    assert group.state.urgent
    assert group.state.rung == pack.group_report_rung == "project_manager"
    world.settle()
    urgent_mail = [
        m.message
        for m in smtp.messages[before_group:]
        if m.message["X-Complaint-Topic"] == "urgent"
    ]
    assert [m["To"] for m in urgent_mail] == [world.staff["SR-001"].email]
    assert urgent_mail[0]["X-Complaint-Id"] == group.id
    escalated = group.events[2]
    assert escalated.kind == "escalated"
    assert escalated.trigger is Trigger.INCIDENT  # type: ignore[attr-defined]

    # Classified and routed automatically (IN-4, CLS-3, ESC-3).
    for c, department, handler in (
        (written, "engineering", "SR-201"),
        (invalid, "finance", "HQ-020"),
        (unhappy, "engineering", "SR-201"),
        (late, "engineering", "SR-201"),
        (group, "customer_service", "SR-001"),
    ):
        assert c.status is Status.IN_HANDLING, c.id
        assert (c.state.department, c.state.handler) == (department, handler), c.id

    # ------------------------------------------------------------- the invalid one (VAL-3)
    c = desk.act(
        invalid.id,
        Assess(actor="HQ-020", validity="invalid", note="按合同收费标准收取"),
        now=clock.set(MONDAY.replace(hour=10)),
    )
    explained = {s.name: s for s in desk.clocks(invalid.id, clock())}["invalid_explained"]
    assert explained.state is ClockState.RUNNING
    assert explained.due is not None
    assert explained.due.date() == MONDAY.date()
    with pytest.raises(IllegalTransitionError, match="VAL-3"):
        desk.act(invalid.id, Close(actor="HQ-020", result="无效投诉"), now=clock.advance(minutes=5))
    desk.act(
        invalid.id,
        Reply(actor="SR-102", message="已电话说明收费依据", explanation=True),
        now=clock.advance(minutes=55),
    )
    c = desk.act(
        invalid.id,
        Close(actor="HQ-020", result="无效投诉，已当天解释"),
        now=clock.advance(minutes=5),
    )
    assert c.status is Status.CLOSED
    assert c.state.grade is None  # VAL-4: not graded, not counted as a complaint
    explained = {s.name: s for s in desk.clocks(invalid.id, clock())}["invalid_explained"]
    assert explained.state is ClockState.MET

    # ------------------------------------------------------------- written: the whole way
    desk.act(written.id, Assess(actor="SR-201", validity="valid"), now=clock.advance(minutes=10))
    desk.act(unhappy.id, Assess(actor="SR-201", validity="valid"), now=clock.advance(minutes=10))
    desk.act(group.id, Assess(actor="SR-001", validity="valid"), now=clock.advance(minutes=10))
    desk.act(
        written.id,
        Reply(actor="SR-201", message="已更换楼上水管并修补天花板", final=True),
        now=clock.set(MONDAY.replace(hour=14)),
    )
    desk.act(
        unhappy.id,
        Reply(actor="SR-201", message="已更换卫生间水管", final=True),
        now=clock.advance(hours=1),
    )
    desk.act(  # HDL-4: the helping department's part comes before the reply
        group.id,
        Handle(actor="SR-001", result="秩序维护部维持说明会现场秩序", department="security"),
        now=clock.advance(minutes=30),
    )
    desk.act(
        group.id,
        Reply(actor="SR-001", message="已召开业主说明会并公布整改方案", final=True),
        now=clock.advance(hours=1),
    )

    tuesday = MONDAY + timedelta(days=1)
    c = desk.act(
        written.id,
        Visit(actor="SR-102", satisfied=True, opinion="满意"),
        now=clock.set(tuesday.replace(hour=10)),
    )
    assert c.status is Status.AWAITING_VISIT
    for who in (written, group, unhappy):  # IMP-1: the cause before a valid complaint closes
        desk.act(
            who.id,
            RecordCause(actor="SR-001", cause="管道老化", corrective="更换管道并复查"),
            now=clock.advance(minutes=1),
        )
    c = desk.act(
        written.id,
        Close(actor="SR-201", result="水管已更换，业主确认满意"),
        now=clock.advance(minutes=5),
    )
    assert c.status is Status.CLOSED
    assert not c.state.signed_off
    mid_history = desk.get(written.id).events  # REC-5: kept as it was, only appended to
    c = desk.act(written.id, SignOff(actor="SR-201"), now=clock.advance(hours=1))
    assert c.state.signed_off  # REC-6

    desk.act(
        group.id,
        Visit(actor="SR-102", satisfied=True, opinion="认可整改方案"),
        now=clock.advance(minutes=10),
    )
    desk.act(group.id, Close(actor="SR-001", result="整改方案已落实"), now=clock.advance(minutes=5))

    # ------------------------------------------------------------- not satisfied (VIS-1)
    world.settle()
    before = len(smtp.messages)
    c = desk.act(
        unhappy.id,
        Visit(actor="SR-102", satisfied=False, opinion="墙面仍在渗水"),
        now=clock.advance(minutes=10),
    )
    assert c.status is Status.IN_HANDLING
    assert c.state.reopened == 1
    assert c.state.rung == "project_manager"
    # ... and the desk routes it to someone at the new rung
    assert _kinds(c)[-4:] == ["visited", "reopened", "escalated", "assigned"]
    assert c.events[-2].trigger is Trigger.DISSATISFIED  # type: ignore[attr-defined]
    assert c.state.handler == "SR-001"
    world.settle()
    told = [(m.message["X-Complaint-Topic"], m.message["To"]) for m in smtp.messages[before:]]
    assert told == [
        ("escalated", world.staff["SR-001"].email),
        ("assigned", world.staff["SR-001"].email),
    ]
    wednesday = MONDAY + timedelta(days=2)
    desk.act(
        unhappy.id,
        Reply(actor="SR-001", message="重新做防水并更换墙面", final=True),
        now=clock.set(wednesday.replace(hour=10)),
    )
    c = desk.act(
        unhappy.id,
        Visit(actor="SR-102", satisfied=True, opinion="这次满意"),
        now=clock.advance(hours=5),
    )
    assert (c.state.visits, c.state.last_visit_satisfied) == (2, True)
    c = desk.act(
        unhappy.id, Close(actor="SR-001", result="重新维修，业主满意"), now=clock.advance(minutes=5)
    )
    assert c.status is Status.CLOSED

    # ------------------------------------------------------------- Friday: the sweep
    world.settle()
    before_mail = len(smtp.messages)
    report = desk.sweep(clock.set(FRIDAY))
    # Only the untouched complaint is late: its department's result and the reply.
    assert sorted(report.escalated) == [(late.id, "department_result"), (late.id, "reply")]
    assert report.reported_late == 1
    c = desk.get(late.id)
    escalations: list[Escalated] = [e for e in c.events if isinstance(e, Escalated)]
    # Each missed clock named by exactly one escalation (one event may name both).
    assert Counter(n for e in escalations for n in e.clock.split(",")) == {
        "department_result": 1,
        "reply": 1,
    }
    assert all(e.trigger is Trigger.DEADLINE_MISSED for e in escalations)
    assert all(e.actor == "system" and e.at == FRIDAY for e in escalations)
    assert escalations[0].from_rung == "department_head"
    assert [e.from_rung for e in escalations[1:]] == [e.to_rung for e in escalations[:-1]]
    assert c.state.rung == escalations[-1].to_rung  # up, never down (ESC-5)
    world.settle()
    new_mail = [m.message for m in smtp.messages[before_mail:]]
    late_reports = [m for m in new_mail if m["X-Complaint-Topic"] == "late_department"]
    # ESC-6: the administration/HR department hears about the late department.
    assert [m["To"] for m in late_reports] == [world.staff["HQ-010"].email]
    assert "engineering" in late_reports[0].get_content()
    rungs = {e.to_rung for e in escalations}  # everyone on duty at the new rung(s)
    assert {m["To"] for m in new_mail if m["X-Complaint-Topic"] == "escalated"} == {
        m.email for m in world.staff.values() if m.rung in rungs and m.works_at("sunrise")
    }
    again = desk.sweep(clock.advance(minutes=5))
    assert again.escalated == ()
    assert again.reported_late == 0
    assert len(desk.get(late.id).events) == len(c.events)

    # ------------------------------------------------------------- read back from the file
    world.settle()
    desk.close()
    with SqliteStore(world.database) as store:
        report_chain = store.verify()
        assert report_chain.ok, report_chain.problems
        assert report_chain.complaints == 5
        stored = {c.id: store.load(c.id) for c in (written, invalid, unhappy, late, group)}
        rows = {r.id: r for r in store.rows()}

    assert _kinds(stored[written.id]) == [
        "registered",
        "classified",
        "assigned",
        "assessed",
        "graded",
        "replied",
        "visited",
        "cause_analysed",
        "closed",
        "signed_off",
    ]
    assert _kinds(stored[invalid.id]) == [
        "registered",
        "classified",
        "assigned",
        "assessed",
        "replied",
        "closed",
    ]
    assert _kinds(stored[unhappy.id]) == [
        "registered",
        "classified",
        "assigned",
        "assessed",
        "graded",
        "replied",
        "cause_analysed",
        "visited",
        "reopened",
        "escalated",
        "assigned",
        "replied",
        "visited",
        "closed",
    ]
    assert _kinds(stored[late.id]) == ["registered", "classified", "assigned"] + [
        "escalated",
        "assigned",
    ] * len(escalations)
    assert _kinds(stored[group.id]) == [
        "registered",
        "classified",
        "escalated",
        "assigned",
        "assessed",
        "graded",
        "handled",
        "replied",
        "cause_analysed",
        "visited",
        "closed",
    ]
    assert report_chain.events == sum(len(c.events) for c in stored.values())
    assert stored[written.id].events[: len(mid_history)] == mid_history
    for c in stored.values():
        assert rows[c.id].version == c.version == len(c.events)
        assert rows[c.id].status == c.status.value
        times = [e.at for e in c.events]
        assert times == sorted(times), c.id  # a history reads forwards
        assert all(e.actor for e in c.events), c.id  # REC-5: every change has an actor
    assert stored[written.id].state.signed_off
    assert rows[late.id].status == "in_handling"
    assert rows[late.id].rung == escalations[-1].to_rung

    # ------------------------------------------------------------- each key exactly once
    outbox = _outbox(world.database)
    assert outbox
    assert all(delivered is not None for *_, delivered in outbox)
    by_channel: dict[str, list[tuple[str, str, str, str]]] = {}
    for notifier, key, cid, topic, recipient, _ in outbox:
        by_channel.setdefault(notifier, []).append((key, cid, topic, recipient))
    assert set(by_channel) == {"log", "email", "webhook"}
    keys = {ch: [k for k, *_ in items] for ch, items in by_channel.items()}
    assert keys["log"] == keys["email"] == keys["webhook"]  # every channel, every message
    assert len(set(keys["log"])) == len(keys["log"])

    # SMTP: one mail per key whose recipient has an address, none twice.
    mails = smtp.messages
    mail_ids = Counter(m.message["Message-ID"] for m in mails)
    assert all(n == 1 for n in mail_ids.values()), mail_ids.most_common(3)
    expected_mail = {
        message_id(key): (cid, topic, recipient)
        for key, cid, topic, recipient in by_channel["email"]
        if world.staff[recipient].email
    }
    assert set(mail_ids) == set(expected_mail)
    for m in mails:
        cid, topic, recipient = expected_mail[m.message["Message-ID"]]
        assert m.rcpt_tos == (world.staff[recipient].email,)
        assert (m.message["X-Complaint-Id"], m.message["X-Complaint-Topic"]) == (cid, topic)
        assert m.mail_from == SENDER

    # Webhook: one successful POST per key (Idempotency-Key), none twice.
    posts = http.requests
    assert all(p.delivered for p in posts)
    post_keys = Counter(p.header("Idempotency-Key") for p in posts)
    assert all(n == 1 for n in post_keys.values()), post_keys.most_common(3)
    assert set(post_keys) == set(keys["webhook"])
    for p in posts:
        assert p.path == "/complaints/hook"
        assert p.json()["key"] == p.header("Idempotency-Key")

    # ------------------------------------------------------------- PRV-1
    by_id = {c.id: c for c in stored.values()}
    people = {
        c.id: PEOPLE[w]
        for w, c in zip(PEOPLE, (written, invalid, unhappy, late, group), strict=True)
    }
    cs = pack.customer_service
    masked_seen = unmasked_seen = 0
    for m in mails:
        cid, _topic, recipient = expected_mail[m.message["Message-ID"]]
        name, phone, _room = people[cid]
        content = m.message.get_content() + m.message["Subject"]
        if _may_see(world.staff[recipient], by_id[cid], cs):
            unmasked_seen += phone in content
        else:
            masked_seen += 1
            assert phone not in content, (recipient, _topic)
            assert name not in content, (recipient, _topic)
    for p in posts:
        doc = p.json()
        name, phone, _room = people[doc["complaint_id"]]
        text = p.body.decode("utf-8")
        if not _may_see(world.staff[doc["recipient"]], by_id[doc["complaint_id"]], cs):
            masked_seen += 1
            assert phone not in text, (doc["recipient"], doc["topic"])
            assert name not in text, (doc["recipient"], doc["topic"])
            assert doc["data"] == {}
    # Both sides were exercised: the handlers saw the phone, others (HR, helpers) did not.
    assert unmasked_seen >= 5
    assert masked_seen >= 2

    # The log: one line per log notification, never a phone or a name.
    lines = [r for r in caplog.records if r.name == "complaintcore.notify"]
    assert Counter(getattr(r, "notification_key", "") for r in lines) == Counter(keys["log"])
    library_log = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("complaintcore")
    )
    for name, phone, room in PEOPLE.values():
        assert phone not in library_log
        assert name not in library_log
        assert room not in library_log


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("ESC-6")
@pytest.mark.procedure("PRV-1")
def test_a_complaint_about_the_project_manager_goes_to_the_top_and_lateness_is_still_reported(
    world: World,
) -> None:
    """ESC-4: a complaint about a project manager is handled by senior management.

    At the top rung there is nowhere to escalate a missed deadline to, but the
    department that missed it is still reported to HR (ESC-6) -- once.
    """
    desk, clock, smtp = world.desk, world.clock, world.smtp
    pm = world.staff["SR-001"]
    intake = attrs_evolve(
        _intake("written", "项目经理态度恶劣，推诿不处理", clock()),
        target=TargetPerson(
            staff_id=pm.staff_id, rung=pm.rung, role="项目经理", department=pm.department
        ),
    )
    c = desk.receive(intake, now=clock())
    assert c.state.rung == "senior_management"
    assert c.state.handler in {"HQ-001", "HQ-002"}
    assert c.state.department == "customer_service"  # still the department that owns it
    world.settle()
    assigned = [
        m.message
        for m in smtp.messages
        if m.message["X-Complaint-Id"] == c.id and m.message["X-Complaint-Topic"] == "assigned"
    ]
    assert [m["To"] for m in assigned] == [world.staff[c.state.handler].email]
    assert not any(m.rcpt_tos == (pm.email,) for m in smtp.messages), "never told the PM"

    report = desk.sweep(clock.set(FRIDAY))
    assert report.escalated == ()  # already at the top (ESC-5)
    assert report.reported_late == 1
    world.settle()
    late = [m.message for m in smtp.messages if m.message["X-Complaint-Topic"] == "late_department"]
    assert [m["To"] for m in late] == [world.staff["HQ-010"].email]
    assert PEOPLE["written"][1] not in late[0].get_content()  # HR sees no phone
    body = late[0].get_content()
    assert "部门：客服部" in body  # the pack's labels, Chinese then English
    assert "department: customer service department" in body
    assert body.index("部门：客服部") < body.index("department: customer service department")
    desk.sweep(clock.advance(hours=1))
    # Swept again when the month rule comes near (DL-6 at risk): still reported once.
    examined = desk.sweep(clock.set(datetime(2025, 12, 5, 10, 0, tzinfo=SH))).examined
    assert examined == 1
    world.settle()
    topics = [m.message["X-Complaint-Topic"] for m in smtp.messages]
    assert topics.count("late_department") == 1  # once per missed deadline
    assert desk.verify().ok
