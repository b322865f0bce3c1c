"""Where the options of complaintcore itself go, as docs/cli.md#conventions says.

``--now`` is taken before the command (``complaintcore --now T sweep``) and, on
every command that reads the clock, after it too (``receive … --now T``,
``act ID STEP … --now T``: docs/adoption.md's replay).  ``--config``, ``--lang``
and ``--version`` go before the command; typed after it (or ``--now`` after a
command that does not read the clock), the error names the option and says
where it goes, where any other unknown word after ``--`` stays unshown (it may
be a phone or a name, PRV-1).  ``--json`` and a command's other options typed
before the command are told to go after it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

RECEIVED = "2025-09-30T10:00"
ASSESSED = "2025-09-30T11:00"

RECEIVE = [
    "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
    "--site", "sunrise", "--summary", "楼上漏水，天花板渗水", "--receiver", "SR-103",
    "--received-at", RECEIVED,
]  # fmt: skip

# The commands that read the clock (docs/cli.md#conventions lists them), by hand;
# every act step is one of them.
READ_THE_CLOCK = {
    ("receive",), ("list",), ("show",), ("explain-all",), ("sweep",), ("deliver",),
    ("verify",), ("report",), ("outbox", "list"), ("outbox", "retry"), ("outbox", "drop"),
}  # fmt: skip
NOT_THE_CLOCK = {
    ("init",), ("demo",), ("audit",), ("migrate",), ("schema",),
    ("packs", "list"), ("packs", "show"), ("packs", "validate"),
}  # fmt: skip


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"COMPLAINTCORE_NOW": None, **(env or {})})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("--lang", "en", "init", ".").exit_code == 0
    return tmp_path


def _receive(*extra: str) -> str:
    result = invoke("--lang", "en", *RECEIVE, "--json", *extra)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def _event_times(complaint_id: str) -> list[tuple[str, str]]:
    result = invoke("show", complaint_id, "--json", "--now", ASSESSED)
    assert result.exit_code == 0, result.output
    return [(e["type"], e["at"]) for e in json.loads(result.stdout)["events"]]


def _leaves(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(command, click.Group):
        return [leaf for n, sub in command.commands.items() for leaf in _leaves(sub, (*path, n))]
    return [path]


def _options(path: tuple[str, ...]) -> set[str]:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return {opt for p in command.params for opt in getattr(p, "opts", [])}


# --------------------------------------------------------------------------- --now after


def test_the_replay_of_adoption_md_runs_with_now_after_each_command(desk: Path) -> None:
    """docs/adoption.md: ``receive … --received-at T --now T``, ``act … --now T``."""
    cid = _receive("--now", RECEIVED)
    done = invoke("act", cid, "assess", "--actor", "SR-201", "--validity", "valid",
                  "--now", ASSESSED)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert _event_times(cid) == [
        ("registered", "2025-09-30T10:00:00+08:00"),
        ("classified", "2025-09-30T10:00:00+08:00"),
        ("assigned", "2025-09-30T10:00:00+08:00"),
        ("assessed", "2025-09-30T11:00:00+08:00"),
        ("graded", "2025-09-30T11:00:00+08:00"),
    ]
    verified = invoke("verify", "--now", ASSESSED)  # docs/cli.md: `verify --now`
    assert verified.exit_code == 0, verified.output


def test_report_now_after_the_command_picks_the_month_in_the_packs_zone(desk: Path) -> None:
    """docs/cli.md: ``--now 2025-11-30T16:30Z`` is December in Beijing (00:30 on the 1st)."""
    result = invoke("report", "--json", "--now", "2025-11-30T16:30Z")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["period"]["key"] == "2025-12"
    assert document["now"] == "2025-12-01T00:30:00+08:00"  # in the pack's zone (review s49O)


def test_now_after_the_command_is_the_same_as_before_it(desk: Path) -> None:
    after = _receive("--now", RECEIVED)
    before = invoke("--lang", "en", "--now", RECEIVED, *RECEIVE, "--json")
    assert before.exit_code == 0, before.output
    at_ten = {"2025-09-30T10:00:00+08:00"}
    assert {at for _, at in _event_times(after)} == at_ten
    assert {at for _, at in _event_times(str(json.loads(before.stdout)["id"]))} == at_ten


def test_now_after_the_command_wins_over_the_environment(desk: Path) -> None:
    cid = _receive("--now", RECEIVED)
    done = invoke("act", cid, "assess", "--actor", "SR-201", "--validity", "valid",
                  "--now", ASSESSED, env={"COMPLAINTCORE_NOW": "2025-10-20T09:00"})  # fmt: skip
    assert done.exit_code == 0, done.output
    assert _event_times(cid)[-1] == ("graded", "2025-09-30T11:00:00+08:00")


def test_now_before_and_after_must_agree(desk: Path) -> None:
    refused = invoke("--lang", "en", "--now", "2025-09-30T09:00", *RECEIVE, "--now", RECEIVED)
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: Invalid value for '--now': given before the")
    assert "give it once" in refused.stderr
    assert invoke("list", "--json").stdout.strip() == "[]"  # nothing was received
    same = invoke("--now", RECEIVED, *RECEIVE, "--now", RECEIVED)
    assert same.exit_code == 0, same.output


def test_now_with_and_without_an_offset_is_one_time_in_the_packs_zone(desk: Path) -> None:
    """Review s46I F02: a time typed without an offset reads in the pack's zone
    (cn-property: Asia/Shanghai, +08:00 all year), so ``10:00`` on one side and
    ``10:00+08:00`` or ``02:00Z`` on the other are the same time, and run; ``10:00Z``
    is another (18:00 in Shanghai), refused as two naive or two offset times are."""
    ten = "2025-09-30T10:00+08:00"
    for before, after in ((ten, RECEIVED), (RECEIVED, ten), ("2025-09-30T02:00Z", RECEIVED)):
        same = invoke("--lang", "en", "--now", before, *RECEIVE, "--json", "--now", after)
        assert same.exit_code == 0, (before, after, same.output)
        cid = str(json.loads(same.stdout)["id"])
        assert {at for _, at in _event_times(cid)} == {"2025-09-30T10:00:00+08:00"}
    other = invoke("--lang", "en", "--now", "2025-09-30T10:00Z", *RECEIVE, "--now", RECEIVED)
    assert other.exit_code == 2
    assert other.stderr.startswith("error: Invalid value for '--now': given before the")
    assert len(json.loads(invoke("list", "--json").stdout)) == 3  # the refused one not received


def test_a_bad_now_after_the_command_is_named_now_in_the_json_error(desk: Path) -> None:
    """Review s46I F03: ``--now`` after the command is the same option as before it,
    and a ``--json`` error names it ``now`` on either side (docs/cli.md: ``param``
    for a bad option value), never the parser's internal name."""
    for args in (
        ["--now", "garbage", "list", "--json"],
        ["list", "--now", "garbage", "--json"],
        ["--now", "2025-09-30T09:00", "list", "--json", "--now", RECEIVED],
    ):
        result = invoke("--lang", "en", *args)
        assert result.exit_code == 2, args
        error = json.loads(result.stdout)["error"]
        assert error["param"] == "now", (args, error)
        assert error["code"] == 2


def test_every_command_that_reads_the_clock_takes_now_after_it() -> None:
    leaves = set(_leaves(main))
    steps = {leaf for leaf in leaves if leaf[0] == "act"}
    assert len(steps) >= 20
    assert leaves == READ_THE_CLOCK | NOT_THE_CLOCK | steps  # a new command is placed here
    for path in sorted(READ_THE_CLOCK | steps):
        assert "--now" in _options(path), path
    for path in sorted(NOT_THE_CLOCK):
        assert "--now" not in _options(path), path


# --------------------------------------------------------------------------- misplaced


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["list", "--lang", "zh"], "'--lang' is an option of complaintcore itself: put it "
         "before the command (complaintcore --lang … list)"),
        (["list", "--lang=zh"], "'--lang' is an option of complaintcore itself"),
        (["verify", "--config", "elsewhere.toml"], "(complaintcore --config … verify)"),
        (["audit", "--now", RECEIVED], "(complaintcore --now … audit)"),
        (["packs", "list", "--now", RECEIVED], "(complaintcore --now … packs)"),
        (["act", "{id}", "assess", "--actor", "SR-201", "--config", "c.toml"],
         "(complaintcore --config … act)"),
        (["show", "{id}", "--version"], "(complaintcore --version show)"),
    ],
)  # fmt: skip
def test_an_option_of_complaintcore_after_the_command_says_where_it_goes(
    desk: Path, args: list[str], said: str
) -> None:
    cid = _receive("--now", RECEIVED)
    result = invoke("--lang", "en", *(a.replace("{id}", cid) for a in args))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: '--")
    assert said in result.stderr


def test_an_option_of_a_command_before_it_says_where_it_goes(desk: Path) -> None:
    result = invoke("--lang", "en", "--json", "list")  # the error is the JSON document
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["message"] == (
        "'--json' belongs to a command, not to complaintcore itself: put it after the command."
    )
    result = invoke("--lang", "en", "--received-at", RECEIVED, *RECEIVE)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: '--received-at' belongs to a command")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["act", "--now", RECEIVED, "{id}", "acknowledge", "--actor", "SR-103"],
         "'--now' belongs to the command after act, not to act itself: put it after that "
         "command (complaintcore act ID COMMAND --now …)."),
        (["act", "{id}", "--now", RECEIVED, "acknowledge", "--actor", "SR-103"],
         "(complaintcore act ID COMMAND --now …)."),
        (["act", "{id}", "--now=" + RECEIVED, "acknowledge", "--actor", "SR-103"],
         "(complaintcore act ID COMMAND --now …)."),
        (["act", "--json", "{id}", "acknowledge", "--actor", "SR-103"],
         "(complaintcore act ID COMMAND --json)."),
        (["act", "--actor", "SR-103", "acknowledge", "{id}"],
         "(complaintcore act ID COMMAND --actor …)."),
        (["outbox", "--json", "list"],
         "'--json' belongs to the command after outbox, not to outbox itself: put it after "
         "that command (complaintcore outbox COMMAND --json)."),
    ],
)  # fmt: skip
def test_an_option_of_a_step_before_the_step_says_where_it_goes(
    desk: Path, args: list[str], said: str
) -> None:
    """Review s46I F04: ``act --now T ID STEP`` and ``act --json ID STEP`` were refused
    as an unknown step, the step typed right and the option never named; an option
    every command of a group takes, typed before that command, is named and placed
    as docs/cli.md's "Where options go" says (exit 2), the typed value not shown."""
    cid = _receive("--now", RECEIVED)
    received = _event_times(cid)
    result = invoke("--lang", "en", *(a.replace("{id}", cid) for a in args))
    assert result.exit_code == 2, result.output
    message = result.stderr or json.loads(result.stdout)["error"]["message"]
    assert said in message, message
    assert "unknown step" not in message
    assert RECEIVED not in message
    assert cid not in message
    assert _event_times(cid) == received  # nothing was done


def test_an_option_of_a_step_before_it_reads_in_chinese(desk: Path) -> None:
    result = invoke("--lang", "zh", "act", "--now", RECEIVED, "C-1", "acknowledge")
    assert result.exit_code == 2
    assert "'--now' 属于 act 之后的命令" in result.stderr
    assert "complaintcore act ID COMMAND --now …" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--13812345678"],
        ["--13812345678", "list"],
        ["act", "C-1", "close", "--王小明"],
        ["act", "C-1", "--13812345678", "close"],
        ["act", "--王小明", "C-1", "close"],
    ],
)
def test_any_other_unknown_option_stays_unshown(desk: Path, args: list[str]) -> None:
    result = invoke("--lang", "en", *args)
    assert result.exit_code == 2
    assert "unknown option (not shown: it may be personal data)" in result.stderr
    assert "13812345678" not in result.output
    assert "王小明" not in result.output


def test_the_hint_reads_in_chinese(desk: Path) -> None:
    result = invoke("--lang", "zh", "list", "--config", "c.toml")
    assert result.exit_code == 2
    assert "'--config' 是 complaintcore 本身的选项" in result.stderr
    assert "complaintcore --config … list" in result.stderr


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # 25 Oct 2026, the UK's clocks go back at 02:00 BST (01:00Z): 01:30 is read as
        # the first 01:30, BST, which is 00:30Z (docs/cli.md, Time)
        ("2026-10-25T01:30", "2026-10-25T00:30Z"),
        ("2026-10-25T01:30", "2026-10-25T01:30+01:00"),
        # 29 Mar 2026, they go forward at 01:00 GMT: 01:30 is read after the change,
        # 02:30 BST, which is 01:30Z
        ("2026-03-29T01:30", "2026-03-29T02:30+01:00"),
        ("2026-03-29T01:30", "2026-03-29T01:30Z"),
    ],
)
def test_now_on_both_sides_in_the_hour_the_clocks_repeat_or_skip_is_one_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str
) -> None:
    """Review s48B F01: a time without an offset, read in the pack's zone
    (Europe/London), and the same instant with an offset are one time in the
    hours the clocks repeat and skip too; an hour apart they are two."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "--pack", "uk-housing-ombudsman-2024", ".").exit_code == 0
    same = invoke("--lang", "en", "--now", before, "list", "--now", after)
    assert same.exit_code == 0, same.output
    same = invoke("--lang", "en", "--now", after, "list", "--now", before)
    assert same.exit_code == 0, same.output
    other = invoke("--lang", "en", "--now", before, "list", "--now", after[:13] + ":30+02:00")
    assert other.exit_code == 2
    assert other.stderr.startswith("error: Invalid value for '--now': given before the")
