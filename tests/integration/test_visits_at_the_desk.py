"""Return visits and closure at the command line and the desk (VIS-1 … VIS-4, review
s36C F02–F04, s37A F02, F03, F06–F08)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake, Status
from complaintcore.core.workflow import Assess, Close, Handle, RecordCause, Reopen, Reply, Visit
from complaintcore.desk import Desk
from complaintcore.rules import load_pack
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

NOW = "2025-11-14T17:30"
LATER = "2025-11-17T10:00"


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", NOW)
    result = CliRunner().invoke(main, ["--lang", "en", "init", "."])
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str, now: str = LATER) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def act(cid: str, *args: str, now: str = LATER) -> None:
    code, _, err = run("act", args[0], cid, *args[1:], now=now)
    assert code == 0, (args, err)


def replied() -> str:
    """A valid complaint handled and given its final reply: awaiting a return visit."""
    code, out, err = run(
        "receive",
        "--name",
        "王小明",
        "--phone",
        "13812345678",
        "--room",
        "3-2-1201",
        "--site",
        "sunrise",
        "--summary",
        "楼上漏水，天花板渗水",
        "--receiver",
        "SR-103",
        "--received-at",
        NOW,
        now=NOW,
    )
    assert code == 0, err
    cid = out.split()[1].rstrip(":")
    act(cid, "assess", "--actor", "SR-201", "--validity", "valid")
    act(cid, "reply", "--actor", "SR-001", "--message", "已更换水管", "--final")
    act(cid, "cause", "--actor", "SR-001", "--cause", "管道老化", "--corrective", "更换")
    return cid


def shown(cid: str) -> dict[str, object]:
    code, out, err = run("show", cid, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def kinds(cid: str) -> list[str]:
    return [e["type"] for e in shown(cid)["events"]]  # type: ignore[attr-defined,index]


def status(cid: str) -> str:
    return shown(cid)["state"]["status"]  # type: ignore[index,no-any-return]


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-2")
def test_a_call_nobody_answers_is_recorded_as_not_reached(desk_dir: Path) -> None:
    """002 §3 4): follow-up by phone; a call nobody answers is recorded truthfully, the
    complaint still awaits its visit, and the month's rate leaves it out."""
    cid = replied()
    code, _, err = run("act", "visit", cid, "--actor", "SR-102", "--opinion", "电话无人接听")
    assert code == 2
    assert "give one of --satisfied, --not-satisfied and --not-reached" in err
    code, _, err = run("act", "visit", cid, "--actor", "SR-102", "--satisfied", "--not-reached")
    assert code == 2
    assert "give one of" in err
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    assert kinds(cid)[-1] == "visited"
    assert "reopened" not in kinds(cid)
    assert "escalated" not in kinds(cid)
    assert status(cid) == "awaiting_visit"
    code, _, err = run("act", "close", cid, "--actor", "SR-001", "--result", "已处理")
    assert code == 1
    assert "VIS-3" in err
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    sat = json.loads(out)["satisfaction"]
    assert (sat["visits"], sat["satisfied"], sat["rate"], sat["not_reached"]) == (0, 0, None, 1)


@pytest.mark.procedure("VIS-3")
def test_head_office_closes_by_decision_only_after_satisfaction_failed(desk_dir: Path) -> None:
    """VIS-3: "failing satisfaction, after escalation to the top rung decides".  The
    reviewer's written complaint, handed up because nobody could handle it and
    nobody visited, is not closed by HQ-001; after the pack's three unanswered calls
    (review s37A F03) it is, and the month counts it as closed by decision (review
    s36C F02)."""
    cid = replied()
    act(
        cid,
        "escalate",
        "--actor",
        "SR-101",
        "--trigger",
        "cannot_handle",
        "--to",
        "senior_management",
    )
    close = ("act", "close", cid, "--actor", "HQ-001", "--result", "总部决定结案")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 1
    assert "only when satisfaction failed" in err
    assert "VIS-3" in err
    assert status(cid) == "awaiting_visit"
    for _ in range(3):
        act(cid, "visit", "--actor", "SR-102", "--not-reached")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 0, err
    assert status(cid) == "closed"
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["closed_by_top_rung"] == 1
    assert {c["key"]: c["count"] for c in report["status"]} == {"closed": 1, "open": 0}


@pytest.mark.procedure("VIS-3")
def test_the_top_rung_asked_to_decide_below_the_top_is_told_to_escalate_first(
    desk_dir: Path,
) -> None:
    """VIS-3: "failing satisfaction, after escalation to the top rung decides".  The
    unsatisfied visit takes the leak from 部门负责人 to the project manager; HQ-001
    (物业总监, the top rung) asking for the top rung's decision there is told the
    complaint is at the project manager and to escalate it first, in English and in
    Chinese, not that only the top rung decides (review s46D F01).  Escalated, he
    decides."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--not-satisfied", "--opinion", "还在漏")
    assert shown(cid)["state"]["rung"] == "project_manager"  # type: ignore[index]
    close = ("act", "close", cid, "--actor", "HQ-001", "--result", "公司决定结案")
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 1
    assert "only the top rung" not in err
    assert err.strip().endswith(
        "the complaint is at project manager: escalate it to the top rung "
        "(property director / general manager's office) before the top rung decides "
        "its closure (VIS-3)"
    ), err
    result = CliRunner().invoke(
        main, ["--lang", "zh", *close, "--top-rung-decision"], env={"COMPLAINTCORE_NOW": LATER}
    )
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "投诉目前在「项目经理」：须先升级到最高层级「物业总监/总经办」，"
        "再由最高层级决定关闭（VIS-3）"
    ), result.stderr
    act(
        cid,
        "escalate",
        "--actor",
        "SR-001",
        "--trigger",
        "dissatisfied",
        "--to",
        "senior_management",
    )
    code, _, err = run(*close, "--top-rung-decision")
    assert code == 0, err
    assert status(cid) == "closed"


@pytest.mark.procedure("VIS-1")
def test_the_regular_visit_after_closure_at_the_command_line(desk_dir: Path) -> None:
    """002 §4.2 at the shell: the follow-up visit on a closed complaint is accepted,
    the complaint stays closed and listed as closed, and the month counts the
    visit (two visits, one satisfied) (review s36C F04)."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--satisfied")
    act(cid, "close", "--actor", "SR-001", "--result", "修复")
    act(
        cid, "visit", "--actor", "SR-102", "--not-satisfied", "--opinion", "又漏了",
        "--major-issue", "--problem", "整栋楼水管老化",
    )  # fmt: skip
    assert status(cid) == "closed"
    assert kinds(cid)[-2:] == ["closed", "visited"]
    code, out, err = run("list", "--status", "closed", "--json")
    assert code == 0, err
    assert cid in out
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    sat = json.loads(out)["satisfaction"]
    assert (sat["visits"], sat["satisfied"], sat["rate"]) == (2, 1, 0.5)


@pytest.mark.procedure("VIS-2")
def test_a_call_nobody_answered_takes_no_opinion_at_the_command_line(desk_dir: Path) -> None:
    """cli.md: ``--not-reached`` is "a call nobody answered: no opinion".  With an
    ``--opinion`` it would store "业主很满意" on an unanswered call: it is refused
    naming ``opinion``, and nothing is recorded (review s37A F07)."""
    cid = replied()
    before = kinds(cid)
    code, _, err = run(
        "act", "visit", cid, "--actor", "SR-102", "--not-reached", "--opinion", "业主很满意"
    )
    assert code == 1
    assert "opinion: a visit that did not reach the complainant has no opinion (VIS-2)" in err
    assert kinds(cid) == before


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Visits not reaching the complainant"), ("zh", "未联系上投诉人的回访")],
)
def test_the_table_report_shows_the_visits_that_did_not_reach_the_complainant(
    desk_dir: Path, lang: str, label: str
) -> None:
    """The changelog: a visit that does not reach the complainant is counted apart in
    the monthly report.  The default table, the supervisor's dashboard, shows the
    figure beside the others, as the HTML report and ``--json`` do: two unanswered
    calls, then a satisfied visit, read 2 (review s37A F08)."""
    cid = replied()
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    act(cid, "visit", "--actor", "SR-102", "--not-reached")
    act(cid, "visit", "--actor", "SR-102", "--satisfied")
    result = CliRunner().invoke(
        main,
        ["--lang", lang, "report", "--month", "2025-11"],
        env={"COMPLAINTCORE_NOW": LATER, "COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if label in x]
    assert line.split(label, 1)[1].split()[0] == "2", line
    code, out, err = run("report", "--month", "2025-11", "--json")
    assert code == 0, err
    assert json.loads(out)["satisfaction"]["not_reached"] == 2


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=SH)


def _receive(desk: Desk, received: str, summary: str = "楼上漏水，天花板渗水") -> str:
    """王小明's complaint about his flat at sunrise, phoned in to SR-103 at ``received``."""
    owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
    at = _at(received)
    intake = Intake(owner, "phone", at, "SR-103", summary=summary, site="sunrise")
    return desk.receive(intake, now=at).id


def _closed_leak(desk: Desk) -> str:
    """A leak received Mon 10 Nov 2025 09:30, fixed by engineering's SR-201 (who
    holds it) and closed with the owner's confirmation on Tue 11 Nov 15:20."""
    cid = _receive(desk, "2025-11-10 09:30")
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=_at("2025-11-10 10:30"))
    reply = Reply(actor="SR-201", message="已修", final=True)
    desk.act(cid, reply, now=_at("2025-11-11 15:00"))
    cause = RecordCause(actor="SR-201", cause="老化", corrective="更换")
    desk.act(cid, cause, now=_at("2025-11-11 15:10"))
    close = Close(actor="SR-201", result="已修", confirmed_by_complainant=True)
    assert desk.act(cid, close, now=_at("2025-11-11 15:20")).state.handler == "SR-201"
    return cid


def _told(notifier: RecordingNotifier, cid: str, topic: str) -> dict[str, str]:
    """Each recipient of ``topic`` about ``cid`` and the body they got."""
    sent = notifier.sent
    return {n.recipient: n.body for n, _ in sent if n.complaint_id == cid and n.topic == topic}


class GroupChat(RecordingNotifier):
    """A channel that posts into one group chat: its readers are not known (PRV-1)."""

    group = True


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("PRV-1")
def test_an_unsatisfied_follow_up_visit_tells_the_handler_and_customer_services_head(
    tmp_path: Path,
) -> None:
    """VIS-1: visits go on "直到业主满意为止" (002 §3.5).  A leak closed with the
    owner's confirmation on Wed 23 Sep 2026 leaks again after National Day: the
    regular visit on Fri 9 Oct finds the owner not satisfied.  The complaint stays
    closed (reopening is an explicit Reopen), so its handler SR-201 (engineering)
    and customer service's head SR-101, who runs the visits, are told to decide
    whether to reopen it or visit again; the group chat's post masks the owner's
    name and phone, also in the opinion (PRV-1).  A satisfied follow-up visit tells
    nobody (review s37A F06)."""
    people, chat = RecordingNotifier("staff"), GroupChat("wecom")
    at = _at
    with make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[people, chat]) as desk:
        cid = _receive(desk, "2026-09-21 10:00")
        desk.act(cid, Assess(actor="SR-201", validity="valid"), now=at("2026-09-21 11:00"))
        desk.act(
            cid,
            RecordCause(actor="SR-201", cause="管道老化", corrective="更换管道"),
            now=at("2026-09-22 10:00"),
        )
        desk.act(
            cid, Reply(actor="SR-201", message="已修复", final=True), now=at("2026-09-22 12:00")
        )
        desk.act(cid, Visit(actor="SR-102", satisfied=True), now=at("2026-09-23 10:00"))
        c = desk.act(
            cid, Close(actor="SR-201", result="修复，业主确认"), now=at("2026-09-23 11:00")
        )
        assert c.state.handler == "SR-201"
        desk.act(cid, Visit(actor="SR-102", satisfied=True), now=at("2026-09-30 10:00"))
        desk.deliver(at("2026-09-30 10:00"))
        topic = "unsatisfied_after_closure"
        assert topic not in people.topics(cid)
        opinion = "节后又开始渗水，王小明很不满意，请回电13812345678"
        c = desk.act(
            cid, Visit(actor="SR-102", satisfied=False, opinion=opinion), now=at("2026-10-09 10:00")
        )
        assert (c.status, c.state.reopened) == (Status.CLOSED, 0)
        desk.deliver(at("2026-10-09 10:00"))
        told = {n.recipient: n for n, _ in people.sent if n.topic == topic}
        assert sorted(told) == ["SR-101", "SR-201"]
        for note in told.values():
            assert note.subject == (
                f"[{cid}] 结案后回访投诉人不满意：请决定重新打开或再次回访（VIS-1） / "
                "Not satisfied at a return visit after closure: reopen or visit again (VIS-1)"
            )
            assert f"opinion: {opinion}" in note.body  # both may see the owner's data
        [post] = [n for n, _ in chat.sent if n.topic == topic]
        assert post.recipient == ""
        assert "王小明" not in post.body
        assert "13812345678" not in post.body
        assert "节后又开始渗水" in post.body


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("VIS-3")
@pytest.mark.procedure("DL-1")
def test_an_unsatisfied_visit_at_the_top_rung_tells_its_holder_it_is_back_in_handling(
    tmp_path: Path,
) -> None:
    """VIS-1: visits go on until the complainant is satisfied; VIS-3: failing
    satisfaction, the top rung decides.  A ceiling that fell and hurt someone is
    major, held by HQ-001 at the top rung (ESC-3).  The return visit on Wed 12 Nov
    10:00 finds the owner not satisfied: reopened, not escalated (ESC-5).  HQ-001,
    who alone may now decide its closure, is told (``reopened``) why, with the
    owner's opinion and the reply owed again: 3 working days from Wed 10:00, Mon 17
    Nov 18:00 (DL-1, counted by hand: Thu, Fri, Mon).  Each language reads its own
    half of the library's note (review s46D F02)."""
    people = RecordingNotifier("staff")
    with make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[people]) as desk:
        cid = _receive(desk, "2025-11-10 09:30", "楼上漏水，天花板掉落砸伤了人")
        assess = Assess(actor="SR-201", validity="valid", facts=["personal_injury"])
        c = desk.act(cid, assess, now=_at("2025-11-10 10:30"))
        assert (c.state.rung, c.state.handler) == ("senior_management", "HQ-001")
        desk.act(cid, Handle(actor="HQ-001", result="已赔偿并修复"), now=_at("2025-11-11 14:00"))
        reply = Reply(actor="HQ-001", message="已赔偿并修复", final=True)
        desk.act(cid, reply, now=_at("2025-11-11 15:00"))
        desk.deliver(_at("2025-11-11 15:00"))
        assert "reopened" not in people.topics(cid)
        visit = Visit(actor="SR-102", satisfied=False, opinion="赔偿不够")
        c = desk.act(cid, visit, now=_at("2025-11-12 10:00"))
        assert (c.status, c.state.rung, c.state.handler) == (
            Status.IN_HANDLING,
            "senior_management",
            "HQ-001",
        )
        desk.deliver(_at("2025-11-12 10:00"))
        told = _told(people, cid, "reopened")
        assert sorted(told) == ["HQ-001"]
        zh, en = told["HQ-001"].split("\n\nID: ")
        assert "原因：投诉人回访时不满意（VIS-1）" in zh
        assert "complainant not satisfied" not in zh
        assert "reason: complainant not satisfied at return visit (VIS-1)\n" in en
        assert "投诉人回访时不满意" not in en
        assert "opinion: 赔偿不够\n" in en
        assert (
            "clock: reply with the result or a reasoned explanation\ndue: 2025-11-17T18:00+08:00"
        ) in en
        [note] = [n for n, _ in people.sent if n.topic == "reopened"]
        assert note.subject == (
            f"[{cid}] 投诉已重新打开，回到处理中（VIS-1） / "
            "A complaint has been reopened and is back in handling (VIS-1)"
        )


@pytest.mark.procedure("VIS-1")
@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("PRV-1")
def test_a_reopened_complaint_tells_its_handler_and_masks_the_owner_in_a_group(
    tmp_path: Path,
) -> None:
    """desk.md: "A closed complaint can still be reopened".  Customer service (SR-102)
    reopens the leak closed on Tue 11 Nov on Fri 14 Nov 09:00: its handler SR-201 is
    told, with the reason and the reply and department result owed again, both by
    Wed 19 Nov 18:00 (3 working days by hand: Mon, Tue, Wed); the group chat's post
    masks the owner's name and phone in the reason (PRV-1).  An unsatisfied visit
    that escalates it tells the new holder ``assigned``, not ``reopened`` too, and a
    handler who reopens it himself is not told what he did (review s46D F02)."""
    people, chat = RecordingNotifier("staff"), GroupChat("wecom")
    with make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[people, chat]) as desk:
        cid = _closed_leak(desk)
        reason = "王小明来电（13812345678）：天花板再次渗水"
        c = desk.act(cid, Reopen(actor="SR-102", reason=reason), now=_at("2025-11-14 09:00"))
        assert (c.status, c.state.handler) == (Status.IN_HANDLING, "SR-201")
        desk.deliver(_at("2025-11-14 09:00"))
        told = _told(people, cid, "reopened")
        assert sorted(told) == ["SR-201"]
        en = told["SR-201"].split("\n\nID: ")[1]
        assert f"reason: {reason}\n" in en  # the handler may see the owner's data
        assert "clock: department result to customer service\ndue: 2025-11-19T18:00+08:00" in en
        assert (
            "clock: reply with the result or a reasoned explanation\ndue: 2025-11-19T18:00+08:00"
        ) in en
        [post] = [n for n, _ in chat.sent if n.topic == "reopened"]
        assert post.recipient == ""
        assert "王小明" not in post.body
        assert "13812345678" not in post.body
        assert "天花板再次渗水" in post.body
        # below the top rung an unsatisfied visit escalates it: the new holder hears
        # ``assigned`` (and the rung ``escalated``), not ``reopened`` as well
        reply = Reply(actor="SR-201", message="再次维修", final=True)
        desk.act(cid, reply, now=_at("2025-11-14 15:00"))
        people.sent.clear()
        visit = Visit(actor="SR-102", satisfied=False, opinion="还在渗")
        c = desk.act(cid, visit, now=_at("2025-11-17 10:00"))
        assert (c.state.rung, c.state.handler) == ("project_manager", "SR-001")
        desk.deliver(_at("2025-11-17 10:00"))
        assert ("SR-001", "assigned") in [(n.recipient, n.topic) for n, _ in people.sent]
        assert _told(people, cid, "reopened") == {}
        # the handler reopening it himself is not told of it
        reply = Reply(actor="SR-001", message="已彻底修复", final=True)
        desk.act(cid, reply, now=_at("2025-11-18 10:00"))
        desk.act(cid, Visit(actor="SR-102", satisfied=True), now=_at("2025-11-18 15:00"))
        desk.act(cid, Close(actor="SR-001", result="修复"), now=_at("2025-11-18 16:00"))
        people.sent.clear()
        reopen = Reopen(actor="SR-001", reason="复查发现仍渗水")
        desk.act(cid, reopen, now=_at("2025-11-19 10:00"))
        desk.deliver(_at("2025-11-19 10:00"))
        assert _told(people, cid, "reopened") == {}


@pytest.mark.procedure("VIS-1")
def test_a_reopened_complaint_whose_handler_left_tells_customer_services_head(
    tmp_path: Path,
) -> None:
    """A leak closed by SR-201, who has since left (the directory no longer knows
    him), is reopened by SR-102: nobody who can hear it holds it, so customer
    service's supervisor SR-101, who organises handling (IN-4), is told, as for an
    unsatisfied visit after closure; never the leaver, nor SR-102 who reopened it
    (review s46D F02)."""
    store = tmp_path / "desk.sqlite3"
    with make_desk(store=SqliteStore(store)) as desk:
        cid = _closed_leak(desk)
    sample = load_sample_staff(pack=load_pack("cn-property")).members()
    staff = [m for m in sample if m.staff_id != "SR-201"]
    people = RecordingNotifier("staff")
    with make_desk(store=SqliteStore(store), staff=staff, notifiers=[people]) as desk:
        reopen = Reopen(actor="SR-102", reason="天花板再次渗水")
        desk.act(cid, reopen, now=_at("2025-11-14 09:00"))
        desk.deliver(_at("2025-11-14 09:00"))
        assert sorted(_told(people, cid, "reopened")) == ["SR-101"]
