"""A Chinese supervisor at the command line (review s34D F06, F07, F10, F11).

docs/cli.md: "Everything reads in that language"; the options take what the
screens show.  The notes the library writes into the history read in the
reader's language, its refusals too; a code option takes the pack's label
(``--department 工程维修部``) and refuses an unknown one listing the codes with
their labels, instead of answering "no complaints"; every option has a help text,
and the placeholders read in Chinese; refusing to assign the person complained
about says so.  Each case is read in English as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from complaintcore.cli import main

NOW = "2026-09-14T09:00"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")


def invoke(*args: str, env: Mapping[str, str] | None = None, now: str = NOW) -> Result:
    clean: dict[str, str | None] = dict.fromkeys(LOCALE_VARS)
    clean.update({"COMPLAINTCORE_NOW": now, **(env or {})})
    return CliRunner().invoke(main, list(args), env=clean)


def zh(*args: str, now: str = NOW) -> Result:
    return invoke("--lang", "zh_CN", *args, now=now)


def en(*args: str, now: str = NOW) -> Result:
    return invoke("--lang", "en", *args, now=now)


def received(*extra: str, summary: str = "卫生间天花板漏水", phone: str = "13912345678") -> str:
    result = en(
        "receive", "--name", "张伟", "--phone", phone, "--room", "3-2-1201",
        "--site", "sunrise", "--summary", summary, "--receiver", "SR-103", *extra, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def timeline(result: Result, kind: str) -> str:
    """The detail of the timeline row of one event kind (a wide terminal cuts nothing)."""
    rows = [line for line in ok(result).stdout.splitlines() if f"│ {kind} " in line]
    assert rows, result.stdout
    return " ".join(row.split("│")[4].strip() for row in rows)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    ok(zh("init", "."))
    return tmp_path


# --------------------------------------------------------------------------- F06


def _unsatisfied(cid: str) -> None:
    ok(zh("act", cid, "assess", "--actor", "SR-201", "--validity", "valid"))
    ok(zh("act", cid, "handle", "--actor", "SR-201", "--result", "已修复"))
    ok(zh("act", cid, "reply", "--actor", "SR-201", "--message", "已修复", "--final"))
    ok(zh("act", cid, "visit", "--actor", "SR-102", "--not-satisfied", "--opinion", "仍渗水"))


@pytest.mark.procedure("VIS-1")
def test_the_reopening_after_an_unsatisfied_visit_reads_in_the_readers_language(
    desk: Path,
) -> None:
    cid = received()
    _unsatisfied(cid)
    assert timeline(zh("show", cid), "已重开") == "原因：投诉人回访时不满意（VIS-1）"
    assert timeline(zh("show", cid), "已升级").endswith("备注：回访不满意（VIS-1）")
    assert timeline(en("show", cid), "reopened") == (
        "reason: complainant not satisfied at return visit (VIS-1)"
    )
    assert timeline(en("show", cid), "escalated").endswith(
        "note: not satisfied at return visit (VIS-1)"
    )
    # a note someone typed with a slash is shown as typed, in either language
    ok(zh("act", cid, "escalate", "--actor", "SR-001", "--trigger", "cannot_handle",
          "--note", "二楼 / floor 2"))  # fmt: skip
    assert timeline(zh("show", cid), "已升级").endswith("备注：二楼 / floor 2")
    assert timeline(en("show", cid), "escalated").endswith("note: 二楼 / floor 2")
    # --json keeps what is stored: both languages
    events = json.loads(ok(zh("show", cid, "--json")).stdout)["events"]
    [reopened] = [e for e in events if e["type"] == "reopened"]
    assert reopened["reason"] == (
        "投诉人回访时不满意（VIS-1） / complainant not satisfied at return visit (VIS-1)"
    )


@pytest.mark.procedure("HDL-6")
def test_a_group_incidents_escalation_note_names_the_category_by_its_label(desk: Path) -> None:
    cid = received(summary="二十多位业主集体投诉，聚集在物业办公室闹事")
    note = timeline(zh("show", cid), "已升级")
    assert note.endswith("备注：集体投诉/闹事：立即上报（HDL-6）"), note
    assert "group_incident" not in note
    english = timeline(en("show", cid), "escalated")
    assert re.search(r"note: [a-z /]+: reported at once \(HDL-6\)$", english), english
    assert "group_incident" not in english


def test_the_desks_own_acts_are_shown_as_done_by_the_system(desk: Path) -> None:
    received()
    second = received(summary="厨房水管又漏水")  # the same complainant: linked (IMP-3)
    assert "│ 系统 " in ok(zh("show", second)).stdout
    assert "│ system " not in ok(zh("show", second)).stdout
    assert "│ system " in ok(en("show", second)).stdout


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("ESC-5")
def test_assignments_below_the_rung_are_refused_in_chinese(desk: Path) -> None:
    cid = received()
    _unsatisfied(cid)  # a rung up: no handler below the department head's rung
    low = ["act", cid, "assign", "--actor", "SR-001", "--handler", "SR-102"]
    refused = zh(*low, "--rung", "complaint_handler")
    assert refused.exit_code == 4, refused.output
    assert refused.stderr.strip() == (
        f"错误：投诉 {cid}：SR-102 无权担任此投诉的处理人："
        "层级「客服专员」低于此投诉允许的最低层级「部门负责人(主管)」（ESC-3/ESC-4）"
    )
    assert en(*low, "--rung", "complaint_handler").stderr.strip() == (
        f"error: complaint {cid}: SR-102 may not be assigned: rung complaint handler is below"
        " department head (supervisor), the lowest allowed for this complaint (ESC-3/ESC-4)"
    )

    about = received(
        "--target-staff-id", "SR-103", summary="前台接待员态度恶劣", phone="13600002222"
    )
    below = ["act", about, "assign", "--actor", "SR-101", "--handler", "SR-102"]
    refused = zh(*below, "--rung", "客服专员")  # allowed for the grade, below where it stands
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip().endswith(
        "时不能指派：「客服专员」低于当前层级「部门负责人(主管)」（ESC-5）"
    ), refused.stderr
    english = en(*below, "--rung", "complaint handler")
    assert english.stderr.strip().endswith(
        "cannot assign while in handling: complaint handler is below the current rung"
        " department head (supervisor) (ESC-5)"
    ), english.stderr


# --------------------------------------------------------------------------- F07


def test_options_take_the_labels_the_tables_show(desk: Path) -> None:
    cid = received()
    listed = ok(zh("list", "--department", "工程维修部", "--status", "处理中", "--json"))
    assert [r["id"] for r in json.loads(listed.stdout)] == [cid]
    assert [r["id"] for r in json.loads(en("list", "--department", "Engineering",
                                           "--json").stdout)] == [cid]  # fmt: skip
    ok(zh("act", cid, "classify", "--actor", "SR-201", "--category", "清洁卫生"))
    ok(zh("act", cid, "assign", "--actor", "SR-101", "--handler", "SR-301",
          "--rung", "部门负责人", "--department", "保安部"))  # fmt: skip
    ok(zh("act", cid, "handle", "--actor", "SR-301", "--result", "已处理",
          "--department", "保安部"))  # fmt: skip
    ok(zh("act", cid, "escalate", "--actor", "SR-001", "--trigger", "cannot_handle",
          "--to", "物业总监"))  # fmt: skip
    ok(zh("act", cid, "forward", "--actor", "HQ-001", "--to", "工程维修部"))
    state = json.loads(ok(zh("show", cid, "--json")).stdout)
    kinds = [(e["type"], e.get("category") or e.get("to_rung") or e.get("to_unit"))
             for e in state["events"]]  # fmt: skip
    assert ("classified", "cleaning") in kinds
    assert ("escalated", "senior_management") in kinds
    assert ("forwarded", "engineering") in kinds
    assigned = {(e["handler"], e["rung"], e["department"])
                for e in state["events"] if e["type"] == "assigned"}  # fmt: skip
    assert ("SR-301", "department_head", "security") in assigned
    phoned = received("--channel", "电话", summary="物业费太贵", phone="13800009999")
    by_letter = received("--channel", "in writing", summary="物业费太贵", phone="13800009998")
    rows = {r["id"]: r["channel"] for r in json.loads(ok(en("list", "--json")).stdout)}
    assert (rows[phoned], rows[by_letter]) == ("phone", "written")


def test_an_unknown_department_is_refused_listing_the_codes_with_their_labels(
    desk: Path,
) -> None:
    received()
    refused = zh("list", "--department", "维修部")
    assert refused.exit_code == 1, refused.output
    line = refused.stderr.strip()
    assert line.startswith("错误：--department：规则包 cn-property 中没有此部门；"), line
    assert "'engineering'（工程维修部）、'security'（保安部）" in line
    assert "维修部" not in line.split("；")[0]  # what was typed is not quoted (PRV-1)
    english = en("list", "--department", "enginering", "--json")
    assert english.exit_code == 1
    error = json.loads(english.stdout)["error"]
    assert error["path"] == "--department"
    assert "--department: unknown department 'enginering' in rule pack" in error["message"]
    assert "'engineering' (engineering and maintenance)" in error["message"]
    site = zh("list", "--site", "阳光花园")
    assert site.exit_code == 1
    assert site.stderr.strip() == "错误：--site：未知的项目；应为以下之一：riverside、sunrise"


def test_an_unknown_rung_or_status_lists_the_codes_with_their_labels(desk: Path) -> None:
    cid = received()
    rung = zh("act", cid, "assign", "--actor", "SR-101", "--handler", "SR-102", "--rung", "客服")
    assert rung.exit_code == 1
    assert "'complaint_handler'（客服专员）" in rung.stderr
    status = zh("list", "--status", "进行中")
    assert status.exit_code == 2
    assert "'in_handling'（处理中）" in status.stderr
    assert "'in_handling' (in handling)" in en("list", "--status", "busy").stderr


@pytest.mark.procedure("ESC-1")
def test_assign_takes_the_handlers_rung_from_the_staff_list(desk: Path) -> None:
    cid = received()
    ok(zh("act", cid, "classify", "--actor", "SR-201", "--category", "清洁卫生"))
    # the sample staff list: SR-301 何军, 保安队长, rung department_head
    ok(zh("act", cid, "assign", "--actor", "SR-101", "--handler", "sr-301",
          "--department", "保安部"))  # fmt: skip
    state = json.loads(ok(zh("show", cid, "--json")).stdout)
    assigned = [(e["handler"], e["rung"]) for e in state["events"] if e["type"] == "assigned"]
    assert assigned[-1] == ("SR-301", "department_head")
    # a handler the staff list does not know is refused as such, not for a missing rung
    unknown = en("act", cid, "assign", "--actor", "SR-101", "--handler", "SR-999")
    assert unknown.exit_code == 4, unknown.output  # refused: access denied
    assert "not in the staff directory" in unknown.stderr, unknown.stderr
    assert "--rung" not in unknown.stderr


@pytest.mark.procedure("IN-2")
def test_the_receiving_unit_and_whom_a_report_went_to_take_labels(desk: Path) -> None:
    # 保安部 is the security department's label in cn-property; IN-5 counts its 24 hours
    cid = received("--receiver", "SR-301", "--receiver-unit", "保安部")
    state = json.loads(ok(en("show", cid, "--json")).stdout)
    assert state["intake"]["receiver_unit"] == "security"
    typo = en("receive", "--name", "张伟", "--phone", "13912345670", "--room", "3-2-1201",
              "--site", "sunrise", "--summary", "漏水", "--receiver", "SR-103",
              "--receiver-unit", "保卫部")  # fmt: skip
    assert typo.exit_code == 1
    assert "--receiver-unit" in typo.stderr  # the option typed (review s51R1 F06)
    assert "security" in typo.stderr
    # REC-2: told the 项目经理 (cn-property's project_manager rung)
    ok(zh("act", cid, "report", "--actor", "SR-101", "--content", "漏水已处理",
          "--to", "项目经理"))  # fmt: skip
    events = json.loads(ok(en("show", cid, "--json")).stdout)["events"]
    assert [e["to"] for e in events if e["type"] == "reported"] == ["project_manager"]


# --------------------------------------------------------------------------- F10


def _commands(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}".strip())


def test_every_option_has_a_help_text() -> None:
    bare = [
        f"{path} {param.opts[0]}"
        for path, command in _commands(main)
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not param.help
    ]
    assert bare == []


def test_placeholders_read_in_chinese_and_the_columns_line_up(desk: Path) -> None:
    page = ok(invoke("act", "assign", "--help", env={"LANG": "zh_CN.UTF-8"})).stdout
    assert "act assign [选项] 投诉编号" in page
    assert "--rung 文本" in page
    assert "TEXT" not in page
    assert "COMPLAINT_ID" not in page
    options = [line for line in page.splitlines() if line.startswith("  --")]
    starts = {cell_len(line[: re.search(r"\S {2,}\S", line).end() - 1]) for line in options}  # type: ignore[union-attr]
    assert len(starts) == 1, options  # every explanation starts in the same column
    missing = invoke("show", env={"LANG": "zh_CN.UTF-8"})
    assert "缺少参数 '投诉编号'" in missing.stderr
    english = ok(invoke("act", "assign", "--help", env={"LANG": "en_US.UTF-8"})).stdout
    assert "act assign [OPTIONS] COMPLAINT_ID" in english
    assert "--rung TEXT" in english


# --------------------------------------------------------------------------- F11


@pytest.mark.procedure("ESC-4")
def test_assigning_the_person_complained_about_reads_as_a_refusal_to_be_the_handler(
    desk: Path,
) -> None:
    cid = received("--target-staff-id", "SR-103", summary="前台接待员态度恶劣")
    args = [
        "act",
        cid,
        "assign",
        "--actor",
        "SR-101",
        "--handler",
        "SR-103",
        "--rung",
        "front_line",
    ]
    refused = zh(*args)
    assert refused.exit_code == 4
    assert refused.stderr.strip() == (
        f"错误：投诉 {cid}：SR-103 无权担任此投诉的处理人：此投诉针对的正是此人（ESC-4）"
    )
    assert "记录处理结果" not in refused.stderr
    assert en(*args).stderr.strip() == (
        f"error: complaint {cid}: SR-103 may not be assigned: the complaint is about this"
        " person (ESC-4)"
    )
