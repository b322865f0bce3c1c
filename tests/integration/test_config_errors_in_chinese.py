"""The desk's config file refused in the reader's language (review s49C F03).

docs/i18n.md: the errors a command line user sees come from the catalogs.  A
mistyped key of the config read ``未知的key`` (the key's word left in English),
and a TOML syntax error in it was not framed at all (``complaintcore.toml:
Invalid value (at line 9, column 12)``), unlike the staff file's ``不是有效的
TOML：…``; neither put the place in the file in Chinese.  The TOML reader's own
description of the slip (``Invalid value``) stays as it words it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.i18n import translator

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COMPLAINTCORE_LANG")


def listed(
    lang: str, config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, added: bool
) -> Result:
    """``list`` on a desk ``init`` made, its config file ``config``, or the one
    ``init`` wrote with ``config`` added at its end (in its last table, [notifiers])."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = dict.fromkeys(LOCALE_VARS)
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    written = Path("complaintcore.toml").read_text(encoding="utf-8") if added else ""
    Path("complaintcore.toml").write_text(written + config, encoding="utf-8")
    return runner.invoke(main, ["--lang", lang, "list"], env=env)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("zh", "错误：langauges：未知的键；应为以下之一：log, email, webhooks\n"),
        ("en", "error: langauges: unknown key; expected one of log, email, webhooks\n"),
    ],
)
def test_a_key_nobody_reads_is_named_in_the_readers_words(
    lang: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = listed(lang, 'langauges = ["zh"]\n', tmp_path, monkeypatch, added=True)
    assert (result.exit_code, result.stderr) == (1, shown)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "zh",
            "错误：config：complaintcore.toml：不是有效的 TOML：Invalid value（第 2 行第 12 列）\n",
        ),
        (
            "en",
            "error: config: complaintcore.toml: not valid TOML: Invalid value"
            " (at line 2, column 12)\n",
        ),
    ],
)
def test_a_toml_slip_in_the_config_is_framed_and_placed_as_the_staff_files(
    lang: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # line 2 is "database = " (11 characters): the value is missing at column 12
    config = 'pack = "cn-property"\ndatabase = \n'
    result = listed(lang, config, tmp_path, monkeypatch, added=False)
    assert (result.exit_code, result.stderr) == (1, shown)


@pytest.mark.parametrize(
    ("reason", "zh"),
    [
        (
            "not valid TOML: Expected ']]' at the end of an array declaration"
            " (at line 337, column 8)",
            "不是有效的 TOML：Expected ']]' at the end of an array declaration（第 337 行第 8 列）",
        ),
        (
            "not valid TOML: Invalid value (at end of document)",
            "不是有效的 TOML：Invalid value（在文件末尾）",
        ),
        (
            "not valid TOML: tables and arrays nested more than 32 deep",
            "不是有效的 TOML：表和数组嵌套超过 32 层",
        ),
        (
            "desk/complaintcore.toml: not UTF-8 text (byte 207)",
            "desk/complaintcore.toml：不是 UTF-8 文本（第 207 个字节）",
        ),
    ],
)
def test_a_staff_files_or_packs_toml_slip_has_its_place_in_chinese(reason: str, zh: str) -> None:
    assert translator("zh").reason(reason) == zh
