"""The command line's conventions: exit codes, one JSON document, validated choices,
no tracebacks whatever the arguments, progress only on a terminal, shell completion.

The documented exit codes (docs/cli.md): 0 done, 1 refused or invalid data,
2 usage, 3 not found, 4 access denied, 5 store error.
"""

from __future__ import annotations

import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from complaintcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOW = "2025-11-14T17:30"
LATER = "2025-11-17T10:00"
DOCUMENTED = {0, 1, 2, 3, 4, 5}

# The stored values the choice options must offer, as procedures.md and the
# data model name them (not read from the enums under test).
STATUSES = ["new", "registered", "in_handling", "awaiting_visit", "closed"]
GRADES = ["internal", "minor", "important", "major"]
CHANNELS = ["phone", "in_person", "written", "hotline", "web", "forwarded"]
VALIDITIES = ["unverified", "valid", "invalid"]
KINDS = ["complaint", "request", "enquiry"]
TRIGGERS = [
    "cannot_handle",
    "dissatisfied",
    "reschedule_refused",
    "deadline_missed",
    "coordination_failed",
    "serious",
    "incident",
]


def invoke(*args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


def one_document(result: Result) -> object:
    """Standard output is exactly one JSON document (json.loads refuses trailing text)."""
    return json.loads(result.stdout)


RECEIVE = [
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
]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    return tmp_path


def received(*extra: str) -> str:
    result = invoke(*RECEIVE, "--json", *extra)
    assert result.exit_code == 0, result.output
    doc = one_document(result)
    assert isinstance(doc, dict)
    return str(doc["id"])


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    ("args", "code", "names"),
    [
        (["--now", "0001-01-01T00:00", "sweep"], 2, "--now"),
        (["receive", "--received-at", "0001-01-01T00:00"], 2, "--received-at"),
        (["report", "--month", "１-１"], 2, "--month"),
        (["report", "--month", "0001-01"], 2, "--month"),
        (["report", "--month", "2025-13"], 2, "--month"),
        (["list", "--limit", "99999999999999999999"], 2, "--limit"),
        (["list", "--limit", "0"], 2, "--limit"),
        (["list", "--nonsense"], 2, "unknown option (not shown"),
        (["list", "--limt", "5"], 2, "--limit"),
        (["act", "C-1", "no-such-step"], 2, "unknown step; expected one of"),
        (["act", "nope", "close"], 2, "--actor"),
        (["show"], 2, "COMPLAINT_ID"),
        (["show", "C-20251114-00ff"], 3, "C-20251114-00ff"),  # shaped like the desk's ids
        (["show", "C-nope"], 3, "'C*****'"),  # any other shape is masked (PRV-1)
        (["act", "nope", "close", "--actor", "SR-001", "--result", "done"], 3, "'n***'"),
        (["--config", "elsewhere.toml", "list"], 3, "elsewhere.toml"),
        (["receive", "--file", "missing.csv"], 3, "missing.csv"),
        (["packs", "show", "no-such-pack"], 3, "no shipped rule pack 'n***********'"),
        (["packs", "validate", "missing.toml"], 3, "missing.toml"),
        (["init", ".", "--pack", "no-such-pack"], 3, "no shipped rule pack 'n***********'"),
        (["show", "{id}", "--as", "someone-unknown"], 4, "may not view"),
        (["act", "{id}", "visit", "--actor", "SR-102", "--satisfied"], 1, "cannot visit"),
        (["demo", "d", "--complaints", "5"], 2, "--complaints"),
        (["demo", "d", "--complaints", "10000000000000000000000"], 2, "--complaints"),
    ],
)
def test_each_failure_is_one_line_with_its_exit_code(
    desk: Path, args: list[str], code: int, names: str
) -> None:
    cid = received()
    result = invoke(*(a.replace("{id}", cid) for a in args))
    no_traceback(result)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert names in result.stderr


def test_a_broken_chain_a_corrupt_and_a_newer_database_are_store_errors(desk: Path) -> None:
    received()
    db = desk / "complaints.sqlite3"
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE events SET actor = 'someone-else' WHERE seq = 1")
    conn.commit()
    conn.close()
    assert invoke("verify").exit_code == 5
    doc = one_document(invoke("verify", "--json"))
    assert isinstance(doc, dict)
    assert doc["error"]["code"] == 5
    assert doc["ok"] is False
    assert doc["problems"]

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    result = invoke("list")
    assert (result.exit_code, len(result.stderr.splitlines())) == (5, 1)

    db.write_bytes(b"this is not a database " * 200)
    result = invoke("sweep", "--json")
    assert result.exit_code == 5
    error = one_document(result)["error"]
    assert (error["code"], error["type"]) == (5, "StoreError")
    assert "complaints.sqlite3" in error["message"]
    assert "not an SQLite database" in error["message"]


def test_a_rejected_row_exits_1_and_keeps_the_good_ones(desk: Path) -> None:
    (desk / "in.csv").write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n"
        "张三,13900001111,1-1-101,sunrise,垃圾没人清理,SR-103,phone,2025-11-14T09:10\n"
        "李四,12,1-1-102,sunrise,噪音扰民,SR-103,phone,2025-11-14T09:20\n",
        encoding="utf-8",
    )
    result = invoke("receive", "--file", "in.csv", "--json")
    assert result.exit_code == 1
    assert result.stderr == ""
    doc = one_document(result)
    assert isinstance(doc, dict)
    assert doc["error"]["code"] == 1
    assert doc["received"] == 1
    assert [r["row"] for r in doc["rejected"]] == [3]
    assert "complainant.phone" in doc["rejected"][0]["reason"]
    assert "12," not in json.dumps(doc)  # the rejected phone is not echoed (PRV-1)


# --------------------------------------------------------------------------- choices


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["list", "--status", "closedd"], STATUSES),
        (["list", "--grade", "huge"], GRADES),
        ([*RECEIVE, "--channel", "pigeon"], CHANNELS),
        (["act", "C-1", "assess", "--actor", "a", "--validity", "maybe"], VALIDITIES),
        (["act", "C-1", "assess", "--actor", "a", "--validity", "valid", "--kind", "x"], KINDS),
        (["act", "C-1", "grade", "--actor", "a", "--grade", "enormous"], GRADES),
        (["act", "C-1", "escalate", "--actor", "a", "--trigger", "bored"], TRIGGERS),
        (["report", "--format", "pdf"], ["table", "json", "csv", "html"]),
        (["demo", "--format", "pdf"], ["table", "json"]),
        (["--lang", "fr", "list"], ["zh", "en"]),
    ],
)
def test_a_bad_choice_is_a_usage_error_naming_the_allowed_values(
    desk: Path, args: list[str], allowed: list[str]
) -> None:
    result = invoke(*args)
    no_traceback(result)
    assert result.exit_code == 2
    for value in allowed:
        assert f"'{value}'" in result.stderr
    doc = one_document(invoke(*args, "--json"))
    assert isinstance(doc, dict)
    assert doc["error"]["code"] == 2
    assert all(f"'{value}'" in doc["error"]["message"] for value in allowed)


def test_assess_facts_are_checked_against_the_findings(desk: Path) -> None:
    result = invoke("act", "C-1", "assess", "--actor", "a", "--validity", "valid", "--fact", "x")
    assert result.exit_code == 2
    for fact in ("staff_fault", "promise_not_kept", "personal_injury", "group"):
        assert fact in result.stderr


def test_choices_accept_any_case(desk: Path) -> None:
    received()
    result = invoke("list", "--status", "IN_HANDLING", "--json")
    assert result.exit_code == 0
    rows = one_document(result)
    assert isinstance(rows, list)
    assert [r["status"] for r in rows] == ["in_handling"]


# --------------------------------------------------------------------------- --json


def _leaves(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path


def test_every_command_takes_json() -> None:
    leaves = list(_leaves(main))
    assert len(leaves) >= 25
    for path in leaves:
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        options = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert "--json" in options, path


def test_every_command_prints_one_json_document(desk: Path) -> None:
    cid = received()
    shipped = Path(__import__("complaintcore.rules", fromlist=["x"]).__file__).parent
    (desk / "in.jsonl").write_text(
        json.dumps(
            {
                "name": "Ann Lee",
                "phone": "13900001111",
                "room": "2-1-301",
                "site": "sunrise",
                "summary": "lift broken again",
                "receiver": "SR-103",
                "channel": "web",
                "received_at": "2025-11-14T08:05",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    runs = [
        ["init", "other", "--json"],
        [*RECEIVE, "--json"],
        ["receive", "--file", "in.jsonl", "--json"],
        ["list", "--json"],
        ["show", cid, "--json"],
        ["act", cid, "pause", "--actor", "SR-201", "--reason", "等照片", "--json"],
        ["act", "resume", cid, "--actor", "SR-201", "--json"],
        ["sweep", "--json"],
        ["verify", "--json"],
        ["report", "--month", "2025-11", "--json"],
        ["report", "--month", "2025-11", "--format", "json"],
        ["report", "--month", "2025-11", "--json", "--output", "r.json"],
        ["packs", "list", "--json"],
        ["packs", "show", "cn-sales-office", "--json"],
        ["packs", "validate", str(shipped / "cn-property.toml"), "--json"],
    ]
    for args in runs:
        result = invoke(*args, now=LATER)
        assert result.exit_code == 0, (args, result.output)
        assert result.stderr == "", args
        doc = one_document(result)
        assert not (isinstance(doc, dict) and "error" in doc), args
    act = one_document(
        invoke(
            "act", cid, "evidence", "--actor", "SR-201", "--reference", "a.jpg", "--json", now=LATER
        )
    )
    assert isinstance(act, dict)
    assert act["id"] == cid
    report = json.loads((desk / "r.json").read_text(encoding="utf-8"))
    assert report["period"]["key"] == "2025-11"


def test_every_act_step_answers_in_json_even_when_it_fails(desk: Path) -> None:
    act = main.commands["act"]
    assert isinstance(act, click.Group)
    for name in act.commands:
        result = invoke("act", name, "C-nope", "--actor", "SR-001", "--json")
        no_traceback(result)
        assert result.stderr == ""
        doc = one_document(result)
        assert isinstance(doc, dict)
        assert doc["error"]["code"] == result.exit_code
        assert result.exit_code in (2, 3)  # a required option missing, or no such complaint


def test_json_errors_carry_code_type_message_and_problems(desk: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "x"\nsurprise = 1\n', encoding="utf-8")
    result = invoke("packs", "validate", str(tmp_path / "bad.toml"), "--json")
    assert result.exit_code == 1
    doc = one_document(result)
    assert isinstance(doc, dict)
    error = doc["error"]
    assert (error["code"], error["type"]) == (1, "RulePackError")
    assert {"path": "surprise", "reason": "unknown key"} in error["problems"]
    result = invoke("report", "--json", "--format", "csv")
    assert result.exit_code == 2
    assert one_document(result) == {
        "error": {
            "code": 2,
            "type": "UsageError",
            "message": "--json and --format csv cannot be used together",
        }
    }


def test_demo_json_is_the_report_with_the_simulation_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "demo", "--complaints", "40", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    doc = one_document(result)
    assert isinstance(doc, dict)
    assert doc["period"]["key"] == "2025-09"
    assert doc["demo"]["received"] == 40
    assert Path(doc["demo"]["database"]).exists()


# --------------------------------------------------------------------------- fuzzing

_ARG = st.text(st.characters(blacklist_characters="\x00"), max_size=30)  # argv cannot hold NUL
_OFFSETS = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)).map(
    lambda d: timezone(timedelta(minutes=d // timedelta(minutes=1)))
)
_TIME = st.one_of(
    _ARG,
    st.datetimes().map(datetime.isoformat),
    st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(3010, 1, 1)).map(
        datetime.isoformat
    ),
    st.datetimes(
        min_value=datetime(1969, 12, 30),
        max_value=datetime(2999, 12, 31, 23, 59),
        timezones=_OFFSETS,
    ).map(datetime.isoformat),
    st.from_regex(r"[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}(T[0-9]{1,2}:[0-9]{2})?", fullmatch=True),
)
_NUMBER = st.one_of(_ARG, st.integers().map(str), st.integers(-2, 1_000_001).map(str))
_MONTH = st.one_of(
    _ARG,
    st.from_regex(r"[0-9０-９]{1,6}-[0-9０-９]{1,3}", fullmatch=True),
    st.from_regex(r"(19[6-9]|2[0-9][0-9]|30[0-9])[0-9]-(0?[0-9]|1[0-3])", fullmatch=True),
)


def _one_of(values: list[str]) -> st.SearchStrategy[str]:
    """A valid value most of the time, anything at all otherwise."""
    return st.sampled_from(values) | st.sampled_from([v.upper() for v in values]) | _ARG


@st.composite
def _argv(draw: st.DrawFn) -> list[str]:
    cid = draw(st.sampled_from(["{id}", "{id}", "C-nope", ""]) | _ARG)
    actor = draw(st.sampled_from(["SR-001", "SR-101", "SR-102", "SR-201"]) | _ARG)
    choice = draw(st.integers(0, 9))
    if choice == 0:
        args = ["list"]
        for opt, values in (
            ("--status", STATUSES),
            ("--grade", GRADES),
            ("--site", ["sunrise"]),
            ("--department", ["engineering"]),
            ("--issue", ["I-{id}", ""]),
        ):
            if draw(st.booleans()):
                args += [opt, draw(_one_of(values))]
        if draw(st.booleans()):
            args += ["--limit", draw(_NUMBER)]
        if draw(st.booleans()):
            args.append("--overdue")
    elif choice == 1:
        args = ["show", cid] + (["--as", actor] if draw(st.booleans()) else [])
        if draw(st.booleans()):
            args = ["explain-all", draw(st.sampled_from(["I-{id}", ""]) | _ARG), "--actor", actor]
            args += ["--message", draw(_ARG)] + (["--final"] if draw(st.booleans()) else [])
    elif choice == 2:
        step = draw(
            st.sampled_from(
                ["assess", "grade", "escalate", "promise", "visit", "close",
                 "apologise", "report", "visit-site", "call-back", "group"]
            )
        )  # fmt: skip
        args = ["act", cid, step, "--actor", actor]
        extra = {
            "assess": [
                *("--validity", draw(_one_of(VALIDITIES))),
                *("--kind", draw(_one_of(KINDS))),
                *("--fact", draw(_one_of(["staff_fault", "serious"]))),
            ],
            "grade": ["--grade", draw(_one_of(GRADES))],
            "escalate": ["--trigger", draw(_one_of(TRIGGERS)), "--to", draw(_ARG)],
            "promise": ["--due", draw(_TIME)],
            "visit": ["--satisfied", "--reply-due", draw(_TIME)],
            "close": ["--result", draw(_ARG)],
            "apologise": [
                *("--apology", draw(_ARG)),
                *("--reason", draw(_ARG)),
                *("--remedy", draw(_ARG)),
            ],
            "report": ["--content", draw(_ARG), "--written", "--reference", draw(_ARG)],
            "visit-site": ["--findings", draw(_ARG), "--department", draw(_ARG)],
            "call-back": ["--outcome", draw(_ARG), "--not-satisfied"],
            "group": [
                *("--issue", draw(_ARG)),
                *("--complainants", draw(_NUMBER)),
                *("--member", draw(_ARG)),
                "--incident",
            ],
        }[step]
        # a cut before a value would take the --json added below as that value
        flags = {"--satisfied", "--not-satisfied", "--written", "--incident"}
        cuts = [
            i
            for i in range(len(extra) + 1)
            if i == 0 or not extra[i - 1].startswith("--") or extra[i - 1] in flags
        ]
        args += extra[: draw(st.sampled_from(cuts))]
    elif choice == 3:
        args = ["receive"]
        for opt, plausible in (
            ("--name", "王小明"),
            ("--phone", "13812345678"),
            ("--room", "3-2-1201"),
            ("--site", "sunrise"),
            ("--summary", "楼上漏水"),
            ("--receiver", "SR-103"),
        ):
            args += [opt, draw(st.just(plausible) | _ARG)]
        args += ["--channel", draw(_one_of(CHANNELS))]
        if draw(st.booleans()):
            args += ["--received-at", draw(_TIME)]
    elif choice == 4:
        args = ["report", "--month", draw(_MONTH)]
        if draw(st.booleans()):
            args += ["--format", draw(_one_of(["table", "json", "csv", "html"]))]
    elif choice == 5:
        args = ["--now", draw(_TIME), "sweep"]
    elif choice == 6:
        verb = draw(st.sampled_from(["show", "validate"]))
        args = ["packs", verb, draw(_one_of(["cn-property", "cn-sales-office"]))]
    elif choice == 7:
        args = ["--config", draw(_ARG | st.just("{config}")), "verify"]
    elif choice == 8:
        args = ["--now", draw(_TIME), "list", "--overdue"]
    else:
        args = [draw(_ARG), draw(_ARG)]
    if draw(st.booleans()):
        args.append("--json")
    return args


@pytest.fixture(scope="module")
def fuzz_desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("fuzz")
    config = root / "complaintcore.toml"
    assert invoke("init", str(root)).exit_code == 0
    result = invoke("--config", str(config), *RECEIVE, "--json")
    doc = json.loads(result.stdout)
    return config, doc["id"]


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=_argv())
@example(argv=["--now", "--", "list", "--overdue", "--json"])  # '--' as an option's value
def test_no_argument_value_gives_a_traceback(fuzz_desk: tuple[Path, str], argv: list[str]) -> None:
    config, cid = fuzz_desk
    args = [a.replace("{id}", cid).replace("{config}", str(config)) for a in argv]
    if args[:1] != ["--config"]:
        args = ["--config", str(config), *args]
    result = invoke(*args)
    no_traceback(result)
    assert result.exit_code in DOCUMENTED
    formats = [value.lower() for word, value in pairwise(args) if word == "--format"]
    if "--json" in args or "json" in formats:
        doc = one_document(result)
        if result.exit_code:
            assert isinstance(doc, dict)
            assert doc["error"]["code"] == result.exit_code
    elif result.exit_code:
        lines = result.stderr.strip().splitlines()
        if lines[:1] == ["hash chain verification failed:"]:
            # verify's report, a problem a line: a sweep run with a --now drawn far
            # ahead leaves a lease longer than any sweep at the real time takes, or
            # events (and a next sweep time) later than the time verify replays at
            assert args[-1] == "verify", result.stderr
            assert result.exit_code == 5, result.stderr
            assert all(line.startswith("  complaint C-") for line in lines[1:]), result.stderr
            return
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ")


# --------------------------------------------------------------------------- progress


def _with_terminal_stderr(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the command line with stderr on a pseudo-terminal and stdout on a pipe."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "COMPLAINTCORE_NOW": NOW, "COMPLAINTCORE_LANG": "en"}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "complaintcore.cli.app", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out, _ = proc.communicate(timeout=120)
    os.close(controller)
    return proc.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_goes_to_a_terminal_stderr_and_never_into_json(desk: Path) -> None:
    rows = [
        {
            "name": "张三",
            "phone": f"139{n:08d}",
            "room": f"1-1-{n}",
            "site": "sunrise",
            "summary": "垃圾没人清理",
            "receiver": "SR-103",
            "channel": "hotline",
            "received_at": f"2025-11-14T{8 + n // 60:02d}:{n % 60:02d}",
        }
        for n in range(300)
    ]
    (desk / "many.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    code, out, err = _with_terminal_stderr(["receive", "--file", "many.jsonl", "--json"], desk)
    assert code == 0, err
    assert json.loads(out)["received"] == 300
    assert "importing" in err
    code, out, err = _with_terminal_stderr(["verify", "--json"], desk)
    assert code == 0
    assert json.loads(out)["complaints"] == 300
    assert "verifying" in err
    # stderr not a terminal: no bar at all
    result = invoke("report", "--month", "2025-11", "--json")
    assert result.stderr == ""


# --------------------------------------------------------------------------- completion


def test_shell_completion_script_and_choices() -> None:
    runner = CliRunner()
    script = runner.invoke(
        main, [], prog_name="complaintcore", env={"_COMPLAINTCORE_COMPLETE": "bash_source"}
    )
    assert script.exit_code == 0
    assert "_complaintcore_completion" in script.output
    assert "complete " in script.output
    words = runner.invoke(
        main,
        [],
        prog_name="complaintcore",
        env={
            "_COMPLAINTCORE_COMPLETE": "bash_complete",
            "COMP_WORDS": "complaintcore list --status ",
            "COMP_CWORD": "3",
        },
    )
    offered = re.findall(r"plain,(\S+)", words.output)
    assert offered == STATUSES


def test_the_exit_codes_in_the_docs_are_the_ones_the_code_uses() -> None:
    from complaintcore.cli.errors import ExitCode

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = {int(n) for n in re.findall(r"^\| `?(\d)`? \|", page, flags=re.M)}
    assert documented == {int(c) for c in ExitCode} == DOCUMENTED


def test_an_interrupted_command_says_so_and_exits_1(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from complaintcore.desk import Desk

    def interrupted(self: Desk, now: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Desk, "sweep", interrupted)
    result = invoke("sweep")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "aborted"


def test_python_dash_m_complaintcore_is_the_command_line(tmp_path: Path) -> None:
    """``python -m complaintcore`` where the console script is not on PATH."""
    env = {**os.environ, "COMPLAINTCORE_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "complaintcore", "--help"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: complaintcore ")
    missing = subprocess.run(
        [sys.executable, "-m", "complaintcore", "list"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert missing.returncode == 3  # documented: no desk here
    assert missing.stderr.startswith("error: ")
