"""Review s51R1 (an operator's week on the command line).

F01: ``outbox retry|drop ID…`` with an id that cannot be retried or dropped did the
ids before it, then failed with only the error: the result document lost what was
done, and the error named no id.  Now every id is tried, the result lists what was
done and what was refused (each id with its reason), with the ``error`` member
added under ``--json``, exit status 1; a retry sends what it made due.

F02: three refusals of who may act kept their reason in English under ``--lang zh``.

F03: ``receive --receiver`` is who took the complaint, not who types it: not tied
to the login, but once the staff file ties staff to accounts the account typing a
single receipt is kept in the access log (and must be one the staff file ties).

F04: a sweep that escalates a complaint twice told the middle rung "assigned to you"
at the final rung; each escalation now names the rung it reached, the middle rung
hears where it went on to, and only the final holder hears ``assigned``.

F05: ``--json`` named a bad ``--format`` ``"param": "fmt"``.

F06: ``receive --receiver-unit`` refused an unknown unit with bare codes under the
field name; it now takes a code or a label, as ``forward --to`` does.
"""

from __future__ import annotations

import ast
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake
from complaintcore.i18n import translator
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_cli_delivery_and_identity import RECEIVE, _tie, _unreachable, invoke

SRC = Path(__file__).resolve().parents[2] / "src" / "complaintcore"
SH = ZoneInfo("Asia/Shanghai")


# --------------------------------------------------------------------------- F01


@pytest.fixture
def three_dead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A desk whose webhook is down: three receipts, three messages given up."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _unreachable(tmp_path, attempts=1)
    for _ in range(3):
        assert invoke(*RECEIVE, "--summary", "楼上漏水").exit_code == 0
    ids = [i["id"] for i in json.loads(invoke("outbox", "list", "--json").stdout)]
    assert len(ids) >= 3  # each assigned, the third raised repeatedly (GRD-2) too
    return ids[:3]


def _dropped(tmp_path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(tmp_path / "complaints.sqlite3") as db:
        rows = db.execute(
            "SELECT id, drop_reason FROM outbox WHERE dropped_at IS NOT NULL ORDER BY id"
        ).fetchall()
    return [(int(i), str(r)) for i, r in rows]


def test_drop_with_an_unknown_id_reports_what_it_dropped_and_names_the_id(
    three_dead: list[int], tmp_path: Path
) -> None:
    first, second, third = three_dead
    done = invoke("outbox", "drop", str(first), "99999", str(third), "--reason", "test", "--json")
    assert done.exit_code == 1, done.output
    document = json.loads(done.stdout)
    assert document["dropped"] == [first, third]
    assert document["refused"] == [{"id": 99999, "reason": "no outbox item with this id"}]
    assert document["error"]["code"] == 1
    assert "99999" in document["error"]["message"]
    assert _dropped(tmp_path) == [(first, "test"), (third, "test")]
    # the text says the same: the count, then each refused id on standard error
    again = invoke("outbox", "drop", str(first), str(second), "--reason", "again")
    assert again.exit_code == 1
    assert again.stdout.strip() == "1 message dropped"
    assert f"{first}: the item was delivered or dropped already" in again.stderr
    assert _dropped(tmp_path)[1] == (second, "again")


def test_retry_with_an_unknown_id_retries_and_sends_the_others(
    three_dead: list[int], tmp_path: Path
) -> None:
    first, second, _ = three_dead
    done = invoke("outbox", "retry", str(first), "424242", str(second), "--json")
    assert done.exit_code == 1, done.output
    document = json.loads(done.stdout)
    assert document["retried"] == [first, second]
    assert document["refused"] == [{"id": 424242, "reason": "no outbox item with this id"}]
    assert "424242" in document["error"]["message"]
    # sent at once as the help says: still down, so given up again after one attempt
    listed = {i["id"]: i for i in json.loads(invoke("outbox", "list", "--json").stdout)}
    assert set(three_dead) <= set(listed)
    assert (listed[first]["attempts"], listed[first]["state"]) == (1, "dead")


def test_an_unknown_id_alone_is_refused_in_chinese_too(three_dead: list[int]) -> None:
    refused = CliRunner().invoke(
        main,
        ["--lang", "zh", "outbox", "retry", "424242"],
        env={"COMPLAINTCORE_NOW": "2025-11-14T17:40"},
    )
    assert refused.exit_code == 1
    assert refused.stdout.strip() == "0 条消息将重新发送"
    assert "424242：" in refused.stderr
    assert "待发消息" in refused.stderr


# --------------------------------------------------------------------------- F02


def _deny_reasons() -> list[str]:
    """Each reason ``access.authorize`` refuses with, a value put where the code
    formats one (``rung 'x' is not on the cn-property ladder``)."""
    tree = ast.parse((SRC / "desk" / "access.py").read_text(encoding="utf-8"))
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "deny"):
            continue
        [arg] = node.args
        if isinstance(arg, ast.Constant):
            found.append(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            found.append(
                "".join(
                    part.value if isinstance(part, ast.Constant) else "'project_manager'"
                    for part in arg.values
                )
            )
        elif isinstance(arg, ast.Name) and arg.id in constants:
            found.append(constants[arg.id])
    return found


def test_every_reason_access_refuses_with_reads_in_chinese() -> None:
    reasons = _deny_reasons()
    assert "only the top rung decides a closure without confirmation (VIS-3)" in reasons
    assert len(reasons) >= 10
    zh = translator("zh")
    untranslated = [r for r in reasons if zh.reason(r) == r]
    assert untranslated == []


@pytest.mark.procedure("VIS-3")
def test_the_three_refusals_of_the_review_read_in_chinese(tmp_path: Path) -> None:
    from complaintcore.core.errors import AccessDeniedError

    zh = translator("zh")
    closing = AccessDeniedError(
        "C-1", "SR-301", "close", "only the top rung decides a closure without confirmation (VIS-3)"
    )
    assert zh.error(closing) == (
        "投诉 C-1：SR-301 无权关闭：只有最高层级才能在投诉人未确认时决定关闭（VIS-3）"
    )
    system = AccessDeniedError(
        "C-1", "system", "reply", "the system actor is reserved for the desk's sweeps"
    )
    assert zh.error(system) == "投诉 C-1：system 无权答复：系统身份（system）仅供定时巡检使用"
    receiver = AccessDeniedError(
        "", "system", "register", "the id is reserved for the desk's own acts (sweeps)",
        path="receiver",
    )  # fmt: skip
    assert zh.error(receiver) == "receiver：system 无权登记：此编号为系统自身的操作（巡检）保留"


# --------------------------------------------------------------------------- F05


def test_a_bad_format_is_named_by_its_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    refused = invoke("report", "--month", "2025-11", "--format", "xml", "--json")
    assert refused.exit_code == 2
    assert json.loads(refused.stdout)["error"]["param"] == "format"
    argument = invoke("outbox", "retry", "0", "--json")
    assert argument.exit_code == 2
    assert json.loads(argument.stdout)["error"]["param"] == "ids"


# --------------------------------------------------------------------------- F06


def test_an_unknown_receiver_unit_is_refused_listing_the_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md "Codes or labels": 工程部 is close to 工程维修部; the refusal names
    the option and lists each code with its label, as ``forward --to`` does."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    refused = invoke(*RECEIVE, "--receiver-unit", "工程部")
    assert refused.exit_code == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("error: --receiver-unit: unknown unit in rule pack cn-property;")
    assert "'engineering' (engineering and maintenance)" in line
    assert "工程部" not in line  # what was typed is not repeated (PRV-1)
    zh = CliRunner().invoke(
        main,
        ["--lang", "zh", *RECEIVE, "--receiver-unit", "工程部", "--json"],
        env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"},
    )
    error = json.loads(zh.stdout)["error"]
    assert error["path"] == "--receiver-unit"
    assert "'engineering'（工程维修部）" in error["message"]
    taken = json.loads(invoke(*RECEIVE, "--receiver-unit", "工程维修部", "--json").stdout)
    shown = json.loads(invoke("show", taken["id"], "--json").stdout)
    assert shown["intake"]["receiver_unit"] == "engineering"


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("ESC-2")
@pytest.mark.procedure("ESC-5")
def test_a_catch_up_sweep_tells_each_rung_its_own_escalation() -> None:
    """A lift complaint received Mon 10 Nov 09:30 and typed in on Fri 14 Nov 12:00
    (engineering's head SR-201 holds it).  By hand: DL-1's reply (3 days from
    receipt: Tue, Wed, Thu) fell due Thu 13 Nov 09:30; DL-3's department result (3
    days from its acceptance on Fri 14 Nov 12:00: Mon, Tue, Wed) Wed 19 Nov 12:00;
    the first sweep comes Thu 20 Nov 22:00, past both.  ESC-2: one rung per missed deadline,
    部门负责人 → 项目经理 (SR-001) → 物业总监/总经办 (HQ-001).  SR-001's message names
    the rung it reached (项目经理) and where it went on to; SR-001 is not told the
    complaint is assigned to them; HQ-001 hears both at the top rung."""
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    received = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
    typed = datetime(2025, 11, 14, 12, 0, tzinfo=SH)
    intake = Intake(
        complainant=Complainant("张三", "13811112222", "1-1-101", "1", "sunrise"),
        channel="phone",
        received_at=received,
        receiver="SR-103",
        summary="电梯经常故障停运",
        site="sunrise",
    )
    c = desk.receive(intake, now=typed)
    assert (c.state.rung, c.state.handler) == ("department_head", "SR-201")
    desk.deliver(typed)
    notes.sent.clear()
    swept = datetime(2025, 11, 20, 22, 0, tzinfo=SH)
    desk.sweep(swept)
    desk.deliver(swept)
    mine = [n for n, _ in notes.sent if n.complaint_id == c.id]
    told = [(n.topic, n.recipient) for n in mine if n.topic in ("escalated", "assigned")]
    assert told == [("escalated", "SR-001"), ("escalated", "HQ-001"), ("assigned", "HQ-001")]
    middle, top = (n.body for n in mine if n.topic == "escalated")
    assert "层级：项目经理\n" in middle
    assert "rung: project manager\n" in middle
    assert "随后又升级至：物业总监/总经办" in middle
    assert middle.endswith("escalated on to: property director / general manager's office")
    assert "层级：物业总监/总经办\n" in top
    assert "escalated on to" not in top


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("REC-5")
@pytest.mark.procedure("PRV-2")
def test_a_clerk_types_in_what_another_took_and_the_access_log_keeps_the_clerk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/staff-directory.md: ``--receiver`` is who took the complaint (REC-5: the
    registration is theirs), not who types it, so it is not tied to the login; once
    the staff file ties staff to accounts, the account typing must be one of them,
    and the access log keeps it with the receipt."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    _tie(tmp_path, SR_103="alice")
    typed = invoke(*RECEIVE[:-1], "SR-102", "--json", user="alice")  # taken by SR-102
    assert typed.exit_code == 0, typed.output
    cid = json.loads(typed.stdout)["id"]
    events = json.loads(invoke("show", cid, "--json", user="alice").stdout)["events"]
    assert (events[0]["type"], events[0]["actor"]) == ("registered", "SR-102")
    [entry] = json.loads(invoke("audit", "--json", user="alice").stdout)
    assert (entry["actor"], entry["complaint_id"], entry["via"], entry["os_user"]) == (
        "SR-103",
        cid,
        "receive",
        "alice",
    )
    # an account the staff file ties to nobody types nothing in, one receipt or a file
    refused = invoke(*RECEIVE, user="root")
    assert refused.exit_code == 4
    assert refused.stderr.strip() == (
        "error: os_user: ? may not register: the staff file ties no staff id to this"
        " operating-system user"
    )
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "name,phone,room,site,summary,receiver\n王小明,13812345678,3-2-1201,sunrise,漏水,SR-102\n",
        encoding="utf-8",
    )
    assert invoke("receive", "--file", str(rows), user="root").exit_code == 4
    assert [c["id"] for c in json.loads(invoke("list", "--json").stdout)] == [cid]
    zh = CliRunner().invoke(main, ["--lang", "zh", "receive", "--file", str(rows)])
    assert zh.exit_code == 4
    assert "员工名单中没有与此系统用户对应的员工编号" in zh.stderr
