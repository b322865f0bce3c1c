"""Review s52R6: complaintcore in Chinese, end to end (clerk and manager, cn-property).

Every expected text is written out by hand from the catalog's wording and
docs/cli.md ("Everything reads in that language"), never recomputed with the
library's helpers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from tests.integration.test_cli_zh_reader import desk, ok

__all__ = ["desk"]  # the fixture: a cn-property desk set up in Chinese, COLUMNS=250

NOW = "2025-11-24T10:00"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")


def invoke(*args: str, env: Mapping[str, str] | None = None, now: str = NOW) -> Result:
    clean: dict[str, str | None] = dict.fromkeys(LOCALE_VARS)
    clean.update({"COMPLAINTCORE_NOW": now, **(env or {})})
    return CliRunner().invoke(main, list(args), env=clean, prog_name="complaintcore")


def zh(*args: str, now: str = NOW) -> Result:
    return invoke("--lang", "zh", *args, now=now)


def en(*args: str, now: str = NOW) -> Result:
    return invoke("--lang", "en", *args, now=now)


RECEIPT = (
    "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
    "--site", "sunrise", "--summary", "楼上漏水，天花板渗水",
)  # fmt: skip


def received() -> str:
    result = ok(en(*RECEIPT, "--receiver", "SR-103", "--json"))
    return str(json.loads(result.stdout)["id"])


# --------------------------------------------------------------------------- F01


def test_a_missing_choice_option_is_told_in_chinese_with_the_codes_labels(desk: Path) -> None:
    cid = received()
    result = zh("act", cid, "assess", "--actor", "SR-201")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：缺少选项 '--validity'；应为以下之一：'unverified'（未核实）、'valid'（有效）、"
        "'invalid'（无效）。（参见 complaintcore act assess --help）\n"
    )
    result = zh("act", cid, "escalate", "--actor", "SR-201")
    assert result.exit_code == 2
    assert "Choose from" not in result.stderr
    assert "'deadline_missed'（超时未处理）" in result.stderr


def test_a_missing_option_ends_with_a_chinese_full_stop(desk: Path) -> None:
    cid = received()
    result = zh("act", cid, "pause", "--actor", "SR-201")
    assert result.exit_code == 2
    assert result.stderr == "错误：缺少选项 '--reason'。（参见 complaintcore act pause --help）\n"


def test_a_missing_option_in_english(desk: Path) -> None:
    cid = received()
    result = en("act", cid, "assess", "--actor", "SR-201")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: Missing option '--validity'; expected one of 'unverified' (not yet verified),"
        " 'valid', 'invalid'. (see 'complaintcore act assess --help')\n"
    )
    result = en("act", cid, "pause", "--actor", "SR-201")
    assert "error: Missing option '--reason'. (see" in result.stderr


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("REC-5")
def test_a_receipt_without_its_receiver_names_the_receiver(desk: Path) -> None:
    result = zh(*RECEIPT)
    assert result.exit_code == 1
    assert result.stderr == "错误：记录无法登记：receiver：缺少受理人的员工编号（REC-5）\n"
    result = en(*RECEIPT)
    assert "receiver: the staff id of whoever took the complaint is missing (REC-5)" in (
        result.stderr
    )
    assert "actor" not in result.stderr


@pytest.mark.procedure("REC-5")
def test_a_row_without_its_receiver_names_the_column(desk: Path) -> None:
    rows = desk / "rows.csv"
    rows.write_text(
        "姓名,电话,房号,项目,渠道,投诉内容,受理时间,受理人\n"
        "钱九,13900008888,1-106,sunrise,电话,路灯不亮,2025-11-21 10:00,\n",
        encoding="utf-8",
    )
    result = zh("receive", "--file", str(rows), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["rejected"] == [
        {"row": 2, "line": 2, "reason": "receiver：缺少受理人的员工编号（REC-5）"}
    ]


def test_receive_help_says_the_receiver_is_required(desk: Path) -> None:
    assert "受理人的员工编号；必填（REC-5）。" in ok(zh("receive", "--help")).stdout


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-1")
def test_the_timeline_shows_a_measures_kind_by_its_label_and_due_as_a_deadline(
    desk: Path,
) -> None:
    cid = received()
    ok(zh("act", cid, "assess", "--actor", "SR-201", "--validity", "valid"))
    ok(
        zh(
            "act",
            cid,
            "add-measure",
            "--actor",
            "SR-201",
            "--kind",
            "预防措施",
            "--action",
            "每季度检查管道",
            "--owner",
            "SR-201",
            "--due",
            "2025-12-31T18:00",
        )
    )
    shown = ok(zh("show", cid)).stdout
    assert "措施类型：预防措施；" in shown
    assert "期限：2025-12-31T18:00" in shown
    assert "preventive" not in shown
    assert "约定时间：" not in shown  # the promise's word (DL-5), not a measure's deadline
    assert "measure kind: preventive measure;" in ok(en("show", cid)).stdout


# --------------------------------------------------------------------------- F05


def test_the_version_reads_in_chinese(desk: Path) -> None:
    assert ok(zh("--version")).stdout.startswith("complaintcore，版本 ")
    assert ok(en("--version")).stdout.startswith("complaintcore, version ")
    assert ok(invoke("--version", env={"LANG": "zh_CN.UTF-8"})).stdout.startswith(
        "complaintcore，版本 "
    )


def test_help_and_errors_name_placeholders_as_the_usage_line_shows_them(desk: Path) -> None:
    page = ok(zh("packs", "show", "--help")).stdout
    assert "用法： complaintcore packs show [选项] 名称" in page
    assert "（名称：内置规则包名或 .toml 文件）" in page
    assert "NAME" not in page
    assert "NAME" not in ok(zh("schema", "--help")).stdout
    assert "FILE" not in ok(zh("verify", "--help")).stdout
    result = zh("packs", "show", "nopack")
    assert result.exit_code == 3
    assert result.stderr.startswith("错误：名称：没有名为 'n*****' 的内置规则包；")
    assert en("packs", "show", "nopack").stderr.startswith("error: NAME: no shipped rule pack")


# --------------------------------------------------------------------------- F07


def test_help_pages_in_chinese_use_full_width_colons(desk: Path) -> None:
    page = ok(zh("act", "--help")).stdout
    assert page.startswith("用法： complaintcore act")
    assert "\n选项：\n" in page
    assert "\n命令：\n" in page
    assert "延长某一时限，并按规则包要求记录理由。" in page
    english = ok(en("act", "--help")).stdout
    assert english.startswith("Usage: complaintcore act")
    assert "\nOptions:\n" in english


# --------------------------------------------------------------------------- F06

CHINESE_HEADER = "姓名,电话,房号,项目,渠道,投诉内容,受理时间,受理人"


@pytest.mark.procedure("IN-1")
def test_a_rows_unknown_channel_lists_the_codes_with_their_labels(desk: Path) -> None:
    rows = desk / "rows.csv"
    rows.write_text(
        f"{CHINESE_HEADER}\n"
        "孙七,13900005555,1-103,sunrise,微信,绿化带无人修剪,2025-11-17 10:00,SR-103\n",
        encoding="utf-8",
    )
    result = zh("receive", "--file", str(rows))
    assert result.exit_code == 1
    assert (
        "第 2 行：被拒绝：channel：未知的渠道；应为以下之一：'phone'（电话）、"
        "'in_person'（来访/现场）、'written'（书面/信函）、'hotline'（投诉热线）、"
        "'web'（网站/应用）、'forwarded'（转交/总部转办）\n"
    ) in result.output


def test_every_field_has_a_chinese_column_name(desk: Path) -> None:
    rows = desk / "rows.csv"
    rows.write_text(
        f"{CHINESE_HEADER},发生时间,受理部门,地点,投诉人陈述,幂等键,越级向总部投诉\n"
        "李四,13900001112,5-1-503,sunrise,电话,电梯经常停运,2025/11/17 9:00,SR-103,"
        "2025/11/16 8:00,customer_service,5号楼电梯,一周停三次,K-1,否\n",
        encoding="utf-8",
    )
    result = zh("receive", "--file", str(rows), "--json", now="2025-11-17T11:00")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] == 1


def test_an_unknown_column_lists_the_chinese_names_in_chinese_only(desk: Path) -> None:
    rows = desk / "rows.csv"
    rows.write_text(
        f"{CHINESE_HEADER},微信号\n李四,139,5-1-503,sunrise,电话,x,2025/11/17 9:00,SR-103,x\n"
    )
    result = zh("receive", "--file", str(rows))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "错误：第 1 行第 9 列：未知的列（第一行必须是写明各列列名的表头行）；应为以下之一："
        "'name'（姓名）、'phone'（电话）、'room'（房号）、"
    )
    assert (
        "'occurred_at'（发生时间）、'receiver'（受理人）、'receiver_unit'（受理部门）"
        in result.stderr
    )
    english = en("receive", "--file", str(rows))
    assert "expected one of name, phone, room, building, site," in english.stderr


# --------------------------------------------------------------------------- F02


@pytest.fixture
def dead_channel(desk: Path) -> Path:
    with (desk / "complaintcore.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[[notifiers.webhooks]]\nurl = "http://127.0.0.1:9/dead"\nformat = "dingtalk"\n'
            'name = "dt"\n\n[retry]\nfirst_delay_seconds = 1\nmax_attempts = 1\n'
        )
    return desk


def test_a_failed_send_is_told_in_chinese_with_its_count(dead_channel: Path) -> None:
    ok(zh(*RECEIPT, "--receiver", "SR-103"))
    ok(zh("deliver"))
    listed = json.loads(ok(en("outbox", "list", "--json")).stdout)
    assert [i["topic"] for i in listed] == ["assigned"]  # --json keeps the code
    shown = ok(zh("outbox", "list")).stdout
    assert "投诉已指派给您" in shown
    assert " assigned " not in shown
    # a process of its own: pytest's logging set-up would take the desk's lines
    retried = run("--lang", "zh", "outbox", "retry", str(listed[0]["id"]))
    assert "1 条消息将重新发送" in retried.stdout
    told = [line for line in retried.stderr.splitlines() if line.startswith("通知 ")]
    assert len(told) == 1, retried.stderr
    assert told[0].endswith(
        " 经 dt 发送失败 1 次，不再重试（已转为死信：complaintcore outbox list）"
    )
    english = run("--lang", "en", "outbox", "retry", str(listed[0]["id"]))
    assert "via dt failed 1 time and is no longer tried" in english.stderr  # not "1 times"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env.update(COMPLAINTCORE_NOW=NOW, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run(
        [sys.executable, "-m", "complaintcore", *args],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_the_lines_worded_are_the_desks_own() -> None:
    """A line the desk rewords is shown as logged, not half translated: the
    templates the command line words must be the desk's."""
    from complaintcore.cli import logs

    source = Path(logs.__file__).parents[1].joinpath("desk", "service.py").read_text("utf-8")
    flat = re.sub(r'"\s*\n\s*"', "", source)  # implicit concatenation across lines
    for template in (logs.GAVE_UP, logs.GAVE_UP_AT_ONCE, logs.WILL_RETRY):
        assert template in flat, template
