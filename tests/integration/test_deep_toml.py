"""Deeply nested TOML is refused with the library's own error naming the file (review
s31C F03).

``tomllib`` recurses once per nested array or inline table: a rule pack, staff file
or ``complaintcore.toml`` of 4 KB nested 2,000 deep raised a bare ``RecursionError``
(the command line printed a traceback, and under ``--json`` no document).  Nesting
deeper than 32 is refused; the shipped files nest at most 5 deep.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore import RulePackError, SerializationError
from complaintcore.adapters.staff import staff_from_toml
from complaintcore.cli import main
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.config import load_config
from complaintcore.rules import load_pack, load_pack_data, load_pack_text

TOO_DEEP = "tables and arrays nested more than 32 deep"
DEEP = {
    "arrays 2000 deep": "a = " + "[" * 2000 + "]" * 2000 + "\n",
    "inline tables 1000 deep": "a = " + "{b=" * 1000 + "1" + "}" * 1000 + "\n",
    "arrays 100 deep (tomllib reads them)": "a = " + "[" * 100 + "]" * 100 + "\n",
    "arrays 33 deep": "a = " + "[" * 33 + "]" * 33 + "\n",
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"}
    )


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_deep_rule_pack_is_a_pack_error_naming_the_file(text: str, tmp_path: Path) -> None:
    pack = tmp_path / "deep.toml"
    pack.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(pack)
    assert info.value.source == str(pack)
    assert [(p.path, p.reason) for p in info.value.problems] == [
        ("$", f"not valid TOML: {TOO_DEEP}")
    ]


def test_32_deep_is_read_and_judged_as_a_pack() -> None:
    with pytest.raises(RulePackError) as info:
        load_pack_text("a = " + "[" * 32 + "]" * 32 + "\n", "ok.toml")
    assert TOO_DEEP not in str(info.value)  # refused for what it lacks, not its depth


def test_a_plugins_deep_pack_data_is_a_pack_error() -> None:
    data: dict[str, object] = {}
    inner = data
    for _ in range(5000):  # the checks after parsing recurse too
        inner["b"] = {}
        inner = inner["b"]  # type: ignore[assignment]
    with pytest.raises(RulePackError) as info:
        load_pack_data(data, "plugin:acme")
    assert [(p.path, p.reason) for p in info.value.problems] == [("$", TOO_DEEP)]


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_deep_staff_file_is_a_serialization_error_naming_the_file(text: str) -> None:
    with pytest.raises(SerializationError) as info:
        staff_from_toml(text, source="staff.toml")
    assert info.value.what == "staff.toml"
    assert [(p.path, p.reason) for p in info.value.problems] == [
        ("file", f"not valid TOML: {TOO_DEEP}")
    ]


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_deep_config_is_an_input_error_naming_the_file(text: str, tmp_path: Path) -> None:
    config = tmp_path / "complaintcore.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        load_config(config)
    assert info.value.path == "config"
    assert info.value.reason == f"{config}: not valid TOML: {TOO_DEEP}"


def test_the_command_line_refuses_deep_files_in_one_line_or_one_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = DEEP["arrays 2000 deep"]
    (tmp_path / "deep.toml").write_text(deep, encoding="utf-8")
    for args in (("packs", "validate", "deep.toml"), ("init", "d1", "--pack", "deep.toml")):
        result = invoke(*args, "--json")
        no_traceback(result)
        assert result.exit_code == 1
        doc = json.loads(result.stdout)
        assert (doc["error"]["type"], doc["error"]["code"]) == ("RulePackError", 1)
        assert {"path": "$", "reason": f"not valid TOML: {TOO_DEEP}"} in doc["error"]["problems"]
    assert invoke("init", "d2").exit_code == 0
    monkeypatch.chdir(tmp_path / "d2")
    Path("staff.toml").write_text(deep, encoding="utf-8")
    result = invoke(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
        "--site", "sunrise", "--summary", "漏水", "--receiver", "SR-103",
    )  # fmt: skip
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot load staff.toml: file: not valid TOML: {TOO_DEEP}\n"
    with Path("complaintcore.toml").open("a", encoding="utf-8") as config:
        config.write(deep.replace("a = ", "deep = "))
    result = invoke("list", "--json")
    no_traceback(result)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["message"] == (
        f"config: complaintcore.toml: not valid TOML: {TOO_DEEP}"
    )
