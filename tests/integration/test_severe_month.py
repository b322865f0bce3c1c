"""PEN-2: a staff member's month that reaches the pack's points or complaints
limit is told to the company (004 篇1 §三.4: 当月考评扣分，如情节严重交由公司处理).

cn-sales-office: an important complaint costs a sales consultant 5 points
(`[[sanctions]]`), 10 points in a month is severe (`severe_points = 10`), and
severe cases go to HR and administration (`report_to = "hr_admin"`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from complaintcore import (
    Assess,
    Complainant,
    Intake,
    RecordSanction,
    SanctionRecorded,
    TargetPerson,
)
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff, parse_duty
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore, StaffMember
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

_HOUR = timedelta(hours=1)
CONSULTANT = TargetPerson(staff_id="SR-102", rung="sales_consultant", role="置业顾问")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    the_store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "d.sqlite3")
    yield the_store
    the_store.close()


def complaint_about(
    desk: Desk,
    when: str,
    phone: str,
    target: TargetPerson = CONSULTANT,
    summary: str = "置业顾问态度差，顶撞客户",
    facts: frozenset[str] = frozenset({"staff_fault"}),
    zone: tzinfo = SH,
) -> str:
    """``zone``: the offset the host passes the time of receipt in (the same instant)."""
    person = Complainant("张三", phone, f"5-{phone[-3:]}", "5", "sunrise")
    it = Intake(
        complainant=person,
        channel="in_person",
        received_at=at(when).astimezone(zone),
        receiver="SR-101",
        receiver_unit="sales",
        summary=summary,
        site="sunrise",
        target=target,
    )
    cid = desk.receive(it, now=at(when)).id
    desk.act(cid, Assess(actor="HQ-101", validity="valid", facts=set(facts)), now=at(when) + _HOUR)
    return cid


def three_about(desk: Desk, person: TargetPerson) -> list[str]:
    """Three valid complaints about an HR member, 11-13 March 2025 (cn-sales-office:
    severe_complaints = 3)."""
    return [
        complaint_about(
            desk, f"2025-03-1{d} 10:00", f"13700{d}02222", person, "行政人事部员工态度差"
        )
        for d in (1, 2, 3)
    ]


def told_company(desk: Desk, notes: RecordingNotifier) -> list[tuple[str, str]]:
    hr = {m.staff_id for m in desk.directory.members() if m.department == "hr_admin"}
    assert hr  # the sample staff has HR and administration
    return [
        (n.complaint_id, n.body)
        for n, r in notes.sent
        if n.topic == "severe_month" and r is not None and r.staff_id in hr
    ]


@pytest.mark.procedure("PEN-2")
def test_the_sanction_reaching_ten_points_tells_hr_once(store: ComplaintStore) -> None:
    """Two important complaints of 30 and 31 March sanctioned on 31 March and
    1 April: March reaches 10 points at the second (a sanction counts in its
    complaint's month); a third March complaint sanctioned later does not tell
    HR again, and neither does a complaint of April."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    first = complaint_about(desk, "2025-03-30 10:00", "13700001111")
    second = complaint_about(desk, "2025-03-31 10:00", "13700002222")
    desk.act(first, RecordSanction(actor="HQ-101"), now=at("2025-03-31 15:00"))
    desk.deliver(at("2025-03-31 15:01"))
    assert told_company(desk, notes) == []  # 5 points
    desk.act(second, RecordSanction(actor="HQ-101"), now=at("2025-04-01 12:00"))
    desk.deliver(at("2025-04-01 12:01"))
    ((cid, body),) = told_company(desk, notes)
    assert cid == second
    lines = body.splitlines()  # each figure on its own line, in Chinese and English
    assert {"员工：SR-102", "月份：2025-03", "扣分：10", "有效投诉：2"} <= set(lines)
    assert {
        "staff: SR-102",
        "month: 2025-03",
        "points deducted: 10",  # 5 + 5 in March (s29E F07: not "10" of "SR-102")
        "valid complaints: 2",
    } <= set(lines)
    assert "13700002222" not in body  # HR is told of the staff member, not the owner (PRV-1)
    third = complaint_about(desk, "2025-03-31 16:00", "13700003333")
    april = complaint_about(desk, "2025-04-02 10:00", "13700004444")
    desk.act(third, RecordSanction(actor="HQ-101"), now=at("2025-04-03 10:00"))
    desk.act(april, RecordSanction(actor="HQ-101"), now=at("2025-04-03 11:00"))
    desk.deliver(at("2025-04-03 11:01"))
    assert len(told_company(desk, notes)) == 1
    march = {r.staff_id: r for r in desk.staff_report(2025, 3, now=at("2025-04-03 12:00")).rows}
    assert march["SR-102"].points == 15
    assert march["SR-102"].severe


@pytest.mark.procedure("PEN-2")
def test_the_person_complained_about_is_not_told_their_month_went_to_hr(
    store: ComplaintStore,
) -> None:
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    ids = [complaint_about(desk, f"2025-03-{d} 10:00", f"13700{d}1111") for d in (10, 11)]
    for cid in ids:
        desk.act(cid, RecordSanction(actor="HQ-101"), now=at("2025-03-12 10:00"))
    desk.deliver(at("2025-03-12 10:01"))
    assert len(told_company(desk, notes)) == 1
    sent = [(n.topic, r.staff_id if r else "") for n, r in notes.sent]
    assert ("severe_month", "SR-102") not in sent


@pytest.mark.procedure("PEN-2")
def test_sanctions_at_one_instant_or_typed_in_out_of_order_tell_hr_once(
    store: ComplaintStore,
) -> None:
    """5 + 5 + 5 points: the 11 April pair reaches the limit together (two clerks,
    one minute) and HR hears once.  In May, a sanction given on paper on 5 May is
    typed in after the one of 6 May: the month reached 10 points either way."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    x = complaint_about(desk, "2025-04-01 10:00", "13700000011")
    desk.act(x, RecordSanction(actor="HQ-101"), now=at("2025-04-02 10:00"))
    y = complaint_about(desk, "2025-04-10 10:00", "13700000012")
    z = complaint_about(desk, "2025-04-10 11:00", "13700000013")
    desk.act(y, RecordSanction(actor="HQ-101"), now=at("2025-04-11 10:00"))
    desk.act(z, RecordSanction(actor="HQ-101"), now=at("2025-04-11 10:00"))
    desk.deliver(at("2025-04-11 10:05"))
    assert [cid for cid, _body in told_company(desk, notes)] == [y]
    a = complaint_about(desk, "2025-05-02 10:00", "13700000021")
    b = complaint_about(desk, "2025-05-03 10:00", "13700000022")
    desk.act(a, RecordSanction(actor="HQ-101"), now=at("2025-05-06 10:00"))
    desk.act(b, RecordSanction(actor="HQ-101"), now=at("2025-05-05 10:00"))
    desk.deliver(at("2025-05-06 10:05"))
    told = told_company(desk, notes)
    assert len(told) == 2
    assert "2025-05" in told[-1][1]


@pytest.mark.procedure("PEN-2")
@pytest.mark.parametrize("one_desk", [True, False], ids=["one desk", "a desk per request"])
def test_two_sanctions_recorded_at_once_by_two_threads_count_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_desk: bool
) -> None:
    """Two clerks' requests sanction the consultant's two April complaints at 10:00
    on 11 April, each 5 points; the second starts while the first has counted the
    month and not stored it.  It must wait and count the first's: April reaches
    10 points (severe_points = 10) and HR hears of it once (s29A F03)."""
    notes = RecordingNotifier()
    path = tmp_path / "d.sqlite3"
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=SqliteStore(path))
    other = (
        desk
        if one_desk
        else make_desk(pack="cn-sales-office", notifiers=[notes], store=SqliteStore(path))
    )
    y = complaint_about(desk, "2025-04-10 10:00", "13700000012")
    z = complaint_about(desk, "2025-04-10 11:00", "13700000013")
    told = sanctioned_at_once(desk, other, y, z, notes, monkeypatch)
    assert len(told) == 1
    assert "points deducted: 10" in told[0][1].splitlines()
    desk.store.close()
    other.store.close()


def sanctioned_at_once(
    desk: Desk,
    other: Desk,
    first: str,
    second: str,
    notes: RecordingNotifier,
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, str]]:
    """``first`` sanctioned on ``desk`` at 10:00 on 11 April, and ``second`` on
    ``other`` in another thread started while the first has counted the month and
    not stored it; what the company is told once both are delivered."""
    when = at("2025-04-11 10:00")
    worker = threading.Thread(
        target=lambda: other.act(second, RecordSanction(actor="HQ-101"), now=when)
    )
    append = desk.store.append
    started: list[bool] = []

    def first_append(*args: object, **kwargs: object) -> object:
        if not started:
            started.append(True)
            worker.start()
            worker.join(timeout=1.0)  # it may not get past this request's count: go on
        return append(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.store, "append", first_append)
    desk.act(first, RecordSanction(actor="HQ-101"), now=when)
    worker.join(timeout=30)
    assert not worker.is_alive()
    desk.deliver(at("2025-04-11 10:05"))
    return told_company(desk, notes)


@pytest.mark.procedure("PEN-2")
def test_two_sanctions_at_once_count_in_the_desks_month_when_the_host_passes_utc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, but the first complaint was received at 00:30 on 1 April in
    Shanghai (31 March 16:30 UTC) and the web host passes intake times in UTC.  Both
    sanctions count in April on the desk's calendar, so the second still waits for
    the first: 5 + 5 = 10 points and HR hears of it once (s31G F07)."""
    notes = RecordingNotifier()
    desk = make_desk(
        pack="cn-sales-office", notifiers=[notes], store=SqliteStore(tmp_path / "d.sqlite3")
    )
    y = complaint_about(desk, "2025-04-01 00:30", "13700000012", zone=UTC)
    z = complaint_about(desk, "2025-04-10 11:00", "13700000013", zone=UTC)
    assert desk.get(y).intake.received_at == datetime(2025, 3, 31, 16, 30, tzinfo=UTC)
    told = sanctioned_at_once(desk, desk, y, z, notes, monkeypatch)
    assert len(told) == 1
    assert "points deducted: 10" in told[0][1].splitlines()
    desk.store.close()


@pytest.mark.procedure("PEN-2")
@pytest.mark.procedure("ESC-4")
def test_hrs_own_month_goes_to_the_top_of_the_ladder(store: ComplaintStore) -> None:
    """The only HR member complained about three times in March (cn-sales-office:
    three valid complaints are severe) is not told of it; the top of the ladder
    (副总经理) is, so the severe month is not reported to nobody."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    hr = [m for m in desk.directory.members() if m.department == "hr_admin"]
    assert len(hr) == 1
    person = TargetPerson(staff_id=hr[0].staff_id, rung=hr[0].rung, role="行政人事")
    ids = three_about(desk, person)
    desk.act(ids[0], RecordSanction(actor="HQ-101"), now=at("2025-03-14 10:00"))
    desk.deliver(at("2025-03-14 10:05"))
    told = [r.staff_id for n, r in notes.sent if n.topic == "severe_month" and r is not None]
    top = desk.pack.ladder[-1].code
    assert told
    assert hr[0].staff_id not in told
    rungs = {m.staff_id: m.rung for m in desk.directory.members()}
    assert {rungs[s] for s in told} == {top}


def _with_evening_hr(pack_name: str = "cn-sales-office") -> list[StaffMember]:
    """The sample staff (HQ-401, HR, Mon-Fri 09:00-18:00) and an evening HR member."""
    members = list(load_sample_staff(pack=load_pack(pack_name)).members())
    evening = StaffMember(
        staff_id="HQ-402",
        name="李四",
        role="行政人事专员(晚班)",
        rung="sales_consultant",
        department="hr_admin",
        site="*",
        duty=parse_duty("Mon-Fri 18:00-23:00"),
    )
    return [*members, evening]


@pytest.mark.procedure("PEN-2")
def test_the_company_hears_once_whoever_in_hr_is_on_duty(store: ComplaintStore) -> None:
    """Three valid March complaints about SR-102 (severe_complaints = 3): sanctions on
    Monday morning and Monday evening, when different HR members are on duty, tell
    the company once -- each HR member once, at the first."""
    notes = RecordingNotifier()
    desk = make_desk(
        pack="cn-sales-office", notifiers=[notes], store=store, staff=_with_evening_hr()
    )
    ids = [complaint_about(desk, f"2025-03-1{d} 10:00", f"13700{d}01111") for d in (0, 1, 2)]
    desk.act(ids[0], RecordSanction(actor="HQ-101"), now=at("2025-03-17 10:00"))
    desk.act(ids[1], RecordSanction(actor="HQ-101"), now=at("2025-03-17 20:00"))
    desk.deliver(at("2025-03-17 20:05"))
    sent = [(n.complaint_id, n.recipient) for n, _r in notes.sent if n.topic == "severe_month"]
    assert sorted(sent) == [(ids[0], "HQ-401"), (ids[0], "HQ-402")]


@pytest.mark.procedure("PEN-2")
@pytest.mark.procedure("ESC-4")
def test_hr_complained_about_and_on_duty_leaves_the_case_to_hr_off_duty(
    store: ComplaintStore,
) -> None:
    """HQ-401 (HR, on duty at 10:00) is complained about three times; HQ-402 (HR, on
    duty from 18:00) is told, not the top of the ladder, and not HQ-401."""
    notes = RecordingNotifier()
    desk = make_desk(
        pack="cn-sales-office", notifiers=[notes], store=store, staff=_with_evening_hr()
    )
    person = TargetPerson(staff_id="HQ-401", rung="sales_supervisor", role="行政人事")
    ids = three_about(desk, person)
    desk.act(ids[0], RecordSanction(actor="HQ-101"), now=at("2025-03-14 10:00"))
    desk.deliver(at("2025-03-14 10:05"))
    told = {n.recipient for n, _r in notes.sent if n.topic == "severe_month"}
    assert told == {"HQ-402"}


MAJOR = frozenset({"major_loss"})  # GRD-2: 重大 -> a red card (PEN-1)


def told(notes: RecordingNotifier, topic: str) -> list[tuple[str, str]]:
    """(complaint, recipient) of every message of ``topic`` sent."""
    return [(n.complaint_id, n.recipient) for n, _r in notes.sent if n.topic == topic]


@pytest.mark.procedure("PEN-2")
def test_a_red_card_is_reported_to_hr_when_recorded(store: ComplaintStore) -> None:
    """004 篇1 §三.4 情节严重交由公司处理; docs/statistics.md: a severe sanction is
    reported to ``report_to`` when recorded (topic ``severe_sanction``).  A major
    complaint about SR-102 gets a red card (cn-sales-office: ``severe_grades =
    ["major"]``, ``report_to = "hr_admin"``): HQ-401, the sample staff's HR, hears
    once, of the staff id and the grade, and not of the owner's phone (PRV-1)."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    cid = complaint_about(desk, "2025-03-10 10:00", "13700001111", facts=MAJOR)
    desk.act(cid, RecordSanction(actor="HQ-001"), now=at("2025-03-11 10:00"))
    desk.deliver(at("2025-03-11 10:05"))
    assert told(notes, "severe_sanction") == [(cid, "HQ-401")]
    ((note, _r),) = [(n, r) for n, r in notes.sent if n.topic == "severe_sanction"]
    lines = note.body.splitlines()
    assert {"员工：SR-102", "等级：重大", "staff: SR-102", "grade: major"} <= set(lines)
    assert "13700001111" not in note.body


@pytest.mark.procedure("PEN-2")
def test_a_red_card_goes_to_every_member_of_hr_on_duty_or_not(store: ComplaintStore) -> None:
    """docs/statistics.md: a severe case goes to every member of the department, on
    duty or not.  At 10:00 on Tuesday 11 March HQ-401 is on duty and HQ-402 (evening)
    is not: both hear of the red card, once each."""
    notes = RecordingNotifier()
    desk = make_desk(
        pack="cn-sales-office", notifiers=[notes], store=store, staff=_with_evening_hr()
    )
    cid = complaint_about(desk, "2025-03-10 10:00", "13700001111", facts=MAJOR)
    desk.act(cid, RecordSanction(actor="HQ-001"), now=at("2025-03-11 10:00"))
    desk.deliver(at("2025-03-11 10:05"))
    assert sorted(told(notes, "severe_sanction")) == [(cid, "HQ-401"), (cid, "HQ-402")]


@pytest.mark.procedure("PEN-2")
@pytest.mark.procedure("ESC-4")
def test_a_red_card_for_hrs_only_member_goes_to_the_top_of_the_ladder(
    store: ComplaintStore,
) -> None:
    """docs/statistics.md: when the department's only member is the person
    complained about, the top rung is told instead, "for a severe sanction too".
    HQ-401 (the sample staff's only HR member) gets a red card: the deputy general
    managers HQ-001 and HQ-002 (cn-sales-office's top rung) hear of it, HQ-401 does
    not."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    person = TargetPerson(staff_id="HQ-401", rung="sales_supervisor", role="行政人事")
    cid = complaint_about(
        desk, "2025-03-10 10:00", "13700001111", person, "行政人事部员工态度差", MAJOR
    )
    desk.act(cid, RecordSanction(actor="HQ-001"), now=at("2025-03-11 10:00"))
    desk.deliver(at("2025-03-11 10:05"))
    assert sorted(told(notes, "severe_sanction")) == [(cid, "HQ-001"), (cid, "HQ-002")]


@pytest.mark.procedure("PEN-2")
def test_a_red_card_alone_is_reported_as_a_sanction_not_as_a_month(
    store: ComplaintStore,
) -> None:
    """cn-property deducts no points and sets 3 complaints a month: a red card for
    the guard SR-302, the only complaint about him in March, is reported to HR
    (HQ-010) as a severe sanction, and no month at its limit is reported (s29E F06)."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-property", notifiers=[notes], store=store)
    guard = TargetPerson(staff_id="SR-302", rung="front_line", role="保安")
    person = Complainant("张三", "13700001111", "5-111", "5", "sunrise")
    it = Intake(
        complainant=person,
        channel="phone",
        received_at=at("2025-03-10 10:00"),
        receiver="SR-103",
        receiver_unit="customer_service",
        summary="保安态度很差，顶撞业主",
        site="sunrise",
        target=guard,
    )
    cid = desk.receive(it, now=at("2025-03-10 10:00")).id
    desk.act(
        cid,
        Assess(actor="HQ-001", validity="valid", facts=set(MAJOR)),
        now=at("2025-03-10 11:00"),
    )
    desk.act(cid, RecordSanction(actor="HQ-001"), now=at("2025-03-11 10:00"))
    desk.deliver(at("2025-03-11 10:05"))
    assert told(notes, "severe_sanction") == [(cid, "HQ-010")]
    assert told(notes, "severe_month") == []


@pytest.mark.procedure("PEN-2")
def test_a_complaint_just_after_midnight_beijing_time_counts_in_its_month(
    store: ComplaintStore,
) -> None:
    """The month is the complaint's month in the pack's time zone (Asia/Shanghai).
    Important complaints about SR-102 of 10 Dec 2025 10:00 and 1 Dec 00:30 Beijing time
    (30 Nov 16:30 UTC), sanctioned in that order: the second brings December to
    5 + 5 = 10 points, and HR (HQ-401) hears once of 2025-12; November has no row
    (s29E F02, F03)."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    tenth = complaint_about(desk, "2025-12-10 10:00", "13700001111")
    first = complaint_about(desk, "2025-12-01 00:30", "13700002222")
    desk.act(tenth, RecordSanction(actor="HQ-101"), now=at("2025-12-11 10:00"))
    desk.deliver(at("2025-12-11 10:05"))
    assert told(notes, "severe_month") == []  # 5 points
    desk.act(first, RecordSanction(actor="HQ-101"), now=at("2025-12-11 11:00"))
    desk.deliver(at("2025-12-11 11:05"))
    assert told(notes, "severe_month") == [(first, "HQ-401")]
    ((note, _r),) = [(n, r) for n, r in notes.sent if n.topic == "severe_month"]
    assert {"month: 2025-12", "points deducted: 10", "valid complaints: 2"} <= set(
        note.body.splitlines()
    )
    later = at("2025-12-12 09:00")
    december = desk.staff_report(2025, 12, now=later)
    assert [(r.staff_id, r.points, r.complaints) for r in december.rows] == [("SR-102", 10, 2)]
    assert desk.staff_report(2025, 11, now=later).rows == ()


# Review s48G F01: the cn-sales-office ladder's front rung holds every front-line
# person of a sales office.  In the packaged sample directory SR-102 is a 置业顾问
# (department sales), SR-202 a 维修工 (engineering) and SR-302 a 保安 (security), all
# three on rung sales_consultant; the caller's rung is only a hint (the desk takes the
# directory's).  PEN-2 (004 篇1 §3.4): only a sales consultant loses points.
TECHNICIAN = TargetPerson(staff_id="SR-202", rung="sales_consultant", role="维修工")
GUARD = TargetPerson(staff_id="SR-302", rung="sales_supervisor", role="保安")


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
@pytest.mark.parametrize(
    ("facts", "actor", "grade", "measures", "points"),
    [
        ((), "HQ-101", "minor", ("warning", "self_examination"), 2),
        (
            ("staff_fault",),
            "HQ-101",
            "important",
            ("yellow_card", "circulated_criticism", "self_examination"),
            5,
        ),
        (
            ("personal_injury",),
            "HQ-001",
            "major",
            ("red_card", "circulated_criticism", "self_examination"),
            10,
        ),
    ],
    ids=["minor", "important", "major"],
)
def test_a_guard_or_technician_on_the_consultants_rung_loses_no_points(
    store: ComplaintStore,
    facts: tuple[str, ...],
    actor: str,
    grade: str,
    measures: tuple[str, ...],
    points: int,
) -> None:
    """Three valid complaints received Mon 2 Mar 2026, one about each of SR-102,
    SR-202 and SR-302, sanctioned the same day.  By hand (procedures.md PEN-1;
    docs/rule-packs.md, cn-sales-office: a sales consultant loses 2, 5 or 10
    points): all three get the measures of the grade; SR-102 loses the points, the
    technician and the guard none."""
    desk = make_desk(pack="cn-sales-office", store=store)
    about = {"SR-102": CONSULTANT, "SR-202": TECHNICIAN, "SR-302": GUARD}
    recorded = {}
    for n, (staff_id, person) in enumerate(about.items()):
        cid = complaint_about(
            desk, "2026-03-02 10:00", f"1370000{n}333", person, "态度恶劣", frozenset(facts)
        )
        c = desk.act(cid, RecordSanction(actor=actor), now=at("2026-03-02 15:00"))
        assert c.state.target is not None
        assert c.state.target.rung == "sales_consultant"  # the directory's, for all three
        event = c.events[-1]
        assert isinstance(event, SanctionRecorded)
        recorded[staff_id] = (event.grade.value, tuple(event.measures), event.points_deducted)
    assert recorded == {
        "SR-102": (grade, measures, points),
        "SR-202": (grade, measures, 0),
        "SR-302": (grade, measures, 0),
    }
    march = desk.staff_report(2026, 3, now=at("2026-04-01 09:00")).rows
    assert {r.staff_id: r.points for r in march} == {"SR-102": points, "SR-202": 0, "SR-302": 0}


@pytest.mark.procedure("PEN-2")
def test_a_guards_month_is_not_severe_by_points_a_consultants_is(store: ComplaintStore) -> None:
    """Two important complaints each about the consultant SR-102 and the guard
    SR-302, received 2 and 3 March 2026 and sanctioned on 3 March.  By hand:
    SR-102 loses 5 + 5 = 10 points, the pack's severe_points, and HR hears of his
    month; SR-302 loses 0, with 2 valid complaints (< severe_complaints = 3) and no
    red card: his month is not severe and HR hears nothing of him."""
    notes = RecordingNotifier()
    desk = make_desk(pack="cn-sales-office", notifiers=[notes], store=store)
    for n, person in enumerate((CONSULTANT, GUARD, CONSULTANT, GUARD)):
        day = 2 + n // 2
        cid = complaint_about(desk, f"2026-03-0{day} 10:00", f"1370000{n}444", person)
        desk.act(cid, RecordSanction(actor="HQ-101"), now=at("2026-03-03 15:00"))
    desk.deliver(at("2026-03-03 15:01"))
    march = {r.staff_id: r for r in desk.staff_report(2026, 3, now=at("2026-03-04 09:00")).rows}
    assert (march["SR-102"].points, march["SR-102"].severe) == (10, True)
    assert march["SR-102"].reasons == ("points",)
    assert (march["SR-302"].points, march["SR-302"].complaints) == (0, 2)
    assert not march["SR-302"].severe
    bodies = [body for _cid, body in told_company(desk, notes)]
    assert len(bodies) == 1
    assert "staff: SR-102" in bodies[0].splitlines()
