"""Review s52R6: complaintcore in Chinese, end to end (clerk and manager, cn-property).

Every expected text is written out by hand from the catalog's wording and
docs/cli.md ("Everything reads in that language"), never recomputed with the
library's helpers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

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


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


RECEIPT = (
    "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
    "--site", "sunrise", "--summary", "楼上漏水，天花板渗水",
)  # fmt: skip


def received() -> str:
    result = ok(en(*RECEIPT, "--receiver", "SR-103", "--json"))
    return str(json.loads(result.stdout)["id"])


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    ok(zh("init", "."))
    return tmp_path


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
            "act", cid, "add-measure", "--actor", "SR-201", "--kind", "预防措施",
            "--action", "每季度检查管道", "--owner", "SR-201", "--due", "2025-12-31T18:00",
        )  # fmt: skip
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
