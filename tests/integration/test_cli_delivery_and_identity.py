"""The command line's delivery and identity: ``deliver``, dead-letter warnings, and a
staff file that ties ``--as`` and ``--actor`` to the operating-system user."""

from __future__ import annotations

import json
import logging
import os
import pwd
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.cli.context import os_user

NOW = "2025-11-14T17:30"
RECEIVE = [
    "receive",
    *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
    *("--site", "sunrise", "--summary", "楼上漏水，天花板渗水", "--receiver", "SR-103"),
]


def invoke(*args: str, now: str = NOW, user: str = "someone") -> Result:
    """The command run by the operating-system account ``user`` (the account is what
    the desk asks; the environment names nobody it believes)."""
    env = {"COMPLAINTCORE_NOW": now}
    with mock.patch("complaintcore.cli.context._account_name", return_value=user):
        return CliRunner().invoke(main, ["--lang", "en", *args], env=env)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    return tmp_path


def _unreachable(desk: Path, *, attempts: int) -> None:
    """Send to a webhook nobody listens on (port 1 refuses at once)."""
    config = desk / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + 'webhooks = [{url = "http://127.0.0.1:1/hook", timeout = 1}]\n'
        + f"\n[retry]\nmax_attempts = {attempts}\nfirst_delay_seconds = 60\n"
        + "\n[delivery]\nwait_seconds = 5\n",
        encoding="utf-8",
    )


def test_deliver_sends_what_failed_once_its_retry_time_has_come(desk: Path) -> None:
    _unreachable(desk, attempts=5)
    received = invoke(*RECEIVE, "--json")
    assert received.exit_code == 0, received.output
    doc = json.loads(invoke("deliver", "--json").stdout)  # not due yet: tried with receive
    assert (doc["sent"], doc["failed"]) == (0, 0)
    later = invoke("deliver", "--json", now="2025-11-14T17:35")
    doc = json.loads(later.stdout)
    assert later.exit_code == 0
    assert doc["failed"] >= 1  # the webhook is still down; the log channel sent before
    text = invoke("deliver", now="2025-11-14T18:30")
    assert text.exit_code == 0
    assert re.fullmatch(r"sent 0; failed \d+ \(kept for a retry\)\n", text.stdout)


def test_messages_for_a_removed_channel_are_counted_and_named(
    desk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = desk / "complaintcore.toml"
    before = config.read_text(encoding="utf-8")
    _unreachable(desk, attempts=5)
    assert invoke(*RECEIVE).exit_code == 0  # the webhook's message failed once: waiting
    config.write_text(before, encoding="utf-8")  # the webhook channel removed
    swept = invoke("sweep", "--json", now="2025-11-14T17:40")
    waiting = json.loads(swept.stdout)["for_other_channels"]
    assert waiting >= 1
    [named] = [r.getMessage() for r in caplog.records if "channel 'webhook'" in r.getMessage()]
    assert named.startswith(f"{waiting} notification(s) wait for channel 'webhook'")
    for secret in ("王小明", "13812345678", "1201"):
        assert secret not in named
    delivered = invoke("deliver", "--json", now="2025-11-14T17:41")
    assert json.loads(delivered.stdout)["for_other_channels"] == waiting  # kept, not sent
    pending = invoke("outbox", "list", "--pending", "--json", now="2025-11-14T18:00")
    assert {i["notifier"] for i in json.loads(pending.stdout)} == {"webhook"}


def test_deliver_loop_and_json_do_not_mix(desk: Path) -> None:
    result = invoke("deliver", "--loop", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == 2


def test_a_sweep_warns_while_dead_letters_wait(desk: Path) -> None:
    _unreachable(desk, attempts=1)
    assert invoke(*RECEIVE).exit_code == 0  # one attempt, and that was the last
    swept = invoke("sweep", now="2025-11-14T17:40")
    assert swept.exit_code == 0
    assert "no longer tried" in swept.stderr
    assert "complaintcore outbox list" in swept.stderr
    doc = json.loads(invoke("sweep", "--json", now="2025-11-14T17:45").stdout)
    assert doc["dead_letters"] >= 1
    assert any("no longer tried" in w for w in doc["warnings"])


def test_under_json_stderr_stays_empty_and_a_dead_letter_is_tried_never(desk: Path) -> None:
    """docs/cli.md, machine output: with --json standard error holds nothing; a failed
    send's log line reached it through Python's last-resort handler, in English, so
    `--json 2>&1 | jq` broke (review s25N F01).  Run as cron runs it: a process of
    its own, nothing set up to take its logs."""
    _unreachable(desk, attempts=1)
    env = {**os.environ, "COMPLAINTCORE_NOW": NOW}
    run = subprocess.run(
        [sys.executable, "-m", "complaintcore", "--lang", "zh", *RECEIVE, "--json"],
        cwd=desk,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["id"].startswith("C-")
    # nothing but the log channel's own lines, each a delivery (docs/cli.md)
    lines = run.stderr.splitlines()
    assert lines
    assert all(line.startswith("notify key=") for line in lines), run.stderr
    [dead] = json.loads(invoke("outbox", "list", "--json").stdout)
    assert (dead["state"], dead["next_attempt_at"]) == ("dead", None)  # s25N F03


def _receive_in(desk: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complaintcore", *RECEIVE, *extra],
        cwd=desk,
        env={**os.environ, "COMPLAINTCORE_NOW": NOW},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_under_json_a_log_channels_line_is_still_written(desk: Path) -> None:
    """A log channel's line is its delivery (the outbox marks it delivered): keeping
    the library's own log lines off stderr under --json must not drop it (review
    s25O F02: marked delivered, written nowhere)."""
    config = desk / "complaintcore.toml"
    text = config.read_text(encoding="utf-8")
    assert "log = true" in text
    config.write_text(text.replace("log = true", 'log = { level = "WARNING" }'), encoding="utf-8")
    run = _receive_in(desk, "--json")
    assert run.returncode == 0, run.stderr
    cid = json.loads(run.stdout)["id"]
    assert f"complaint={cid} topic=assigned" in run.stderr
    assert "13812345678" not in run.stderr


@pytest.mark.parametrize("extra", [(), ("--json",)], ids=["table", "json"])
def test_the_default_log_channel_of_an_init_desk_writes_its_lines(
    desk: Path, extra: tuple[str, ...]
) -> None:
    """`init` writes `log = true` (INFO); the command line sets up no logging of its
    own, and Python drops INFO records: the message was marked delivered and shown
    nowhere (review s27B F01)."""
    run = _receive_in(desk, *extra)
    assert run.returncode == 0, run.stderr
    assert "topic=assigned to=SR-201" in run.stderr
    assert "13812345678" not in run.stderr


def test_a_log_channel_at_debug_stays_quiet(desk: Path) -> None:
    config = desk / "complaintcore.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("log = true", 'log = { level = "DEBUG" }'), encoding="utf-8")
    run = _receive_in(desk)
    assert run.returncode == 0, run.stderr
    assert "notify key=" not in run.stderr


def test_a_hosts_own_set_up_of_a_channels_logger_stands(desk: Path) -> None:
    """A host running the command in its own process, its channel logging to its
    logger at WARNING: the command line leaves that choice alone (review s27G F03:
    lowered to INFO for the command, the host's handler got the line and stderr a
    copy).  A process of its own: pytest's own logging set-up would hide it."""
    config = desk / "complaintcore.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("log = true", 'log = { logger_name = "host.notify" }'), encoding="utf-8"
    )
    host = textwrap.dedent(
        f"""
        import logging, sys
        from logging.handlers import BufferingHandler
        from complaintcore.cli import main
        logger = logging.getLogger("host.notify")
        kept = BufferingHandler(capacity=100)
        logger.addHandler(kept)
        logger.setLevel(logging.WARNING)
        code = main({[*RECEIVE]!r}, standalone_mode=False)
        print(code, len(kept.buffer), logger.level)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", host],
        cwd=desk,
        env={**os.environ, "COMPLAINTCORE_NOW": NOW},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-3:] == ["0", "0", str(logging.WARNING)]
    assert "notify key=" not in run.stderr


def test_list_json_writes_none_as_null_like_show(desk: Path) -> None:
    """receive, act and show write "not graded" and "no issue" as null; list wrote ""
    (review s25N F05)."""
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    [row] = json.loads(invoke("list", "--json").stdout)
    shown = json.loads(invoke("show", cid, "--json").stdout)
    assert (row["grade"], row["issue"]) == (None, None)
    assert shown["state"]["grade"] is None


# --------------------------------------------------------------------------- os users


def _tie(desk: Path, **accounts: str) -> None:
    """Give staff members an os_user in the desk's staff file."""
    staff = desk / "staff.toml"
    text = staff.read_text(encoding="utf-8")
    for staff_id, account in accounts.items():
        head = f'staff_id = "{staff_id.replace("_", "-")}"\n'
        assert head in text
        text = text.replace(head, head + f'os_user = "{account}"\n')
    staff.write_text(text, encoding="utf-8")


def test_without_os_users_in_the_staff_file_anyone_may_act_as_anyone(desk: Path) -> None:
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    assert invoke("show", cid, "--as", "HQ-001", user="mallory").exit_code == 0


def test_a_staff_file_with_os_users_ties_as_and_actor_to_the_login(desk: Path) -> None:
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    _tie(desk, SR_201="li.jianguo", HQ_001="zhao")
    shown = invoke("show", cid, "--as", "HQ-001", user="mallory")
    assert shown.exit_code == 4
    assert "another operating-system user" in shown.stderr
    assert invoke("show", cid, "--as", "HQ-001", user="zhao").exit_code == 0
    assert invoke("show", cid, "--as", "SR-102", user="zhao").exit_code == 4  # no account
    refused = invoke("act", cid, "reply", "--actor", "SR-201", "--message", "好", user="zhao")
    assert refused.exit_code == 4
    done = invoke(
        "act", cid, "reply", "--actor", "sr-201", "--message", "已安排", user="li.jianguo"
    )
    assert done.exit_code == 0, done.output
    assert invoke("show", cid, user="anyone").exit_code == 0  # masked: no one is named


@pytest.mark.procedure("PRV-2")
def test_the_login_is_the_account_not_what_the_environment_says(desk: Path) -> None:
    """LOGNAME and USER are anyone's to set: naming a tied account in them got a
    technician the owner's phone as HQ-001, and the audit recorded the wrong person
    (review s25L F01)."""
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    _tie(desk, HQ_001="zhao")
    spoof = {"COMPLAINTCORE_NOW": NOW, "LOGNAME": "zhao", "USER": "zhao", "USERNAME": "zhao"}
    with mock.patch("complaintcore.cli.context._account_name", return_value="tech"):
        shown = CliRunner().invoke(main, ["--lang", "en", "show", cid, "--as", "HQ-001"], env=spoof)
    assert shown.exit_code == 4
    assert "13812345678" not in shown.output
    assert json.loads(invoke("audit", "--json").stdout) == []
    # the account itself, as the system knows it, whatever the environment holds
    assert os_user() == pwd.getpwuid(os.geteuid()).pw_name


def test_outbox_drop_actor_is_tied_to_the_login_too(desk: Path) -> None:
    """docs/security.md: with os_user in the staff file, --as and --actor name the
    account's own staff id; outbox drop --actor recorded anyone (review s25L F03)."""
    _tie(desk, HQ_001="zhao")
    dropped = invoke("outbox", "drop", "1", "--reason", "test", "--actor", "HQ-001", user="x")
    assert dropped.exit_code == 4
    assert "another operating-system user" in dropped.stderr


@pytest.mark.procedure("IMP-1")
def test_measure_commands_refuse_bad_input_with_the_documented_exit_codes(desk: Path) -> None:
    cid = json.loads(invoke(*RECEIVE, "--json").stdout)["id"]
    measure = ["act", cid, "add-measure", "--actor", "SR-201", "--action", "更换立管"]
    for args, code, field in [
        ([*measure, "--owner", "SR-201", "--due", "0001-01-01T00:00"], 2, "--due"),
        ([*measure, "--owner", "SR-201", "--due", "２０２５-１２-０１T00:00"], 2, "--due"),
        ([*measure, "--owner", "王小明", "--due", "2025-12-01T00:00"], 1, "owner"),
        ([*measure, "--owner", "SR-201", "--due", "2025-12-01T00:00", "--kind", "x"], 2, "--kind"),
        ([*measure, "--owner", "SR-201\x1b", "--due", "2025-12-01T00:00"], 1, "owner"),
        (["act", cid, "complete-measure", "--actor", "SR-201", "--measure", "M9", "--result", "好"],
         1, "measure"),
        (["act", cid, "cause", "--actor", "SR-201", "--cause", "a\x00", "--corrective", "b"],
         1, "cause"),
        (["act", cid, "cause", "--actor", "system", "--cause", "a", "--corrective", "b"], 4, ""),
        (["report", "--month", "１-１", "--staff"], 2, "--month"),
        (["report", "--month", "2025-11", "--staff", "--format", "csv"], 0, ""),
    ]:  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output
        assert field in result.output
        assert "王小明" not in result.output
        if code:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
