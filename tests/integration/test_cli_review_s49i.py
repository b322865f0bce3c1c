"""Review s49I F01 at the command line: a malformed field is refused naming the field
and the rule (REC-1) in the reader's language, never quoting the value (PRV-1).

The expected lines are written out by hand from the zh_CN catalog's wording of
docs/classification-and-validity.md's promise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")


def invoke(lang: str, *args: str) -> Result:
    env: dict[str, str | None] = dict.fromkeys(LOCALE_VARS)
    env["COMPLAINTCORE_NOW"] = "2025-11-14T09:30"
    return CliRunner().invoke(main, ["--lang", lang, *args], env=env)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    assert invoke("zh_CN", "init", ".").exit_code == 0
    return tmp_path


def receive(lang: str, room: str, name: str = "12345", phone: str = "13912345") -> Result:
    return invoke(
        lang, "receive", "--name", name, "--phone", phone, "--room", room,
        "--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103",
        "--received-at", "2025-11-14 09:00",
    )  # fmt: skip


@pytest.mark.procedure("REC-1")
@pytest.mark.procedure("PRV-1")
def test_a_malformed_room_name_and_phone_are_refused_naming_field_and_rule(desk: Path) -> None:
    zh = receive("zh_CN", "12.01")
    assert zh.exit_code == 1
    assert zh.stderr.strip() == (
        "错误：记录无法登记："
        "complainant.room：房号只能包含字母、数字、汉字、'-'、'#'、'/' 和空格（REC-1）；"
        "complainant.name：姓名须含有字母或汉字（REC-1）；"
        "complainant.phone：联系电话不是可识别的号码"
        "（大陆手机号、带区号的固定电话或 400/800 号码；或国际格式的 +852/+853/+886）（REC-1）"
    )
    en = receive("en", "12.01")
    assert en.exit_code == 1
    assert en.stderr.strip() == (
        "error: record is not registrable: complainant.room: room number may contain only"
        " letters, digits, Chinese characters, '-', '#', '/' and spaces (REC-1);"
        " complainant.name: complainant name must contain a letter or Chinese character"
        " (REC-1); complainant.phone: contact phone is not a recognised number (mainland"
        " mobile, landline with area code, or 400/800 number; or +852/+853/+886 in"
        " international form) (REC-1)"
    )
    for result in (zh, en):
        for value in ("12.01", "12345", "13912345"):
            assert value not in result.output


@pytest.mark.procedure("REC-1")
def test_a_room_without_a_digit_reads_in_chinese_with_the_rule(desk: Path) -> None:
    zh = receive("zh_CN", "A栋", name="王小明", phone="13912345678")
    assert zh.exit_code == 1
    assert zh.stderr.strip() == "错误：记录无法登记：complainant.room：房号必须包含数字（REC-1）"
