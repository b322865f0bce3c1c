"""Review s51R8 (hostile text in every output), on the command line.

F02: a record edited in the database file (the threat model's editor, who may drop
the triggers) put live escape sequences on the officer's terminal: ``show`` printed
a summary holding an OSC 52 clipboard write, a clear-screen and colours as they are.
Every text the command line prints for people is now shown escaped as its errors
were (``\\x1b``), in ``show`` and its timeline, ``list``, ``audit`` and ``outbox
list``; ``--json`` keeps the text as stored.

F03: a right-to-left override (U+202E) in a summary or a note drew ``0005`` as
``5000`` on a bidi-aware terminal; format characters are now shown escaped
(``\\u202e``) too.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.integration.test_cli_delivery_and_identity import RECEIVE, _unreachable, invoke
from tests.integration.test_review_s50p import desk_dir as desk_dir  # the fixture

ESC = "\x1b"
OSC52 = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[31mOWNED\x1b[0m"
OSC52_SHOWN = "\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x1b[31mOWNED\\x1b[0m"  # written out by hand
RLO, PDF = "\u202e", "\u202c"


def _received(*extra: str) -> str:
    done = invoke(*RECEIVE, *extra, "--json")
    assert done.exit_code == 0, done.output
    return str(json.loads(done.stdout)["id"])


def _edited(desk: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """What someone with write access to the database file may do: drop the
    triggers and edit any row."""
    with sqlite3.connect(desk / "complaints.sqlite3") as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            db.execute(f"DROP TRIGGER {name}")
        for sql, values in statements:
            db.execute(sql, values)


def test_show_prints_an_edited_summary_escaped(desk_dir: Path) -> None:
    cid = _received()
    _edited(
        desk_dir,
        (
            "UPDATE complaints SET intake_json = replace(intake_json, ?, ?) WHERE id = ?",
            # written as JSON writes it: the record still parses
            ("天花板渗水", "天花板渗水" + json.dumps(OSC52)[1:-1], cid),
        ),
    )
    shown = invoke("show", cid)
    assert shown.exit_code == 0, shown.output
    assert ESC not in shown.stdout
    assert "\x07" not in shown.stdout
    assert "天花板渗水" + OSC52_SHOWN in shown.stdout
    # --json keeps what is stored (a program reads it, not a terminal)
    document = json.loads(invoke("show", cid, "--json").stdout)
    assert document["intake"]["summary"].endswith(OSC52)


def test_list_and_audit_print_edited_rows_escaped(desk_dir: Path) -> None:
    cid = _received()
    viewed = invoke("show", cid, "--as", "sr-201", "--purpose", "回电", user="li.jianguo")
    assert viewed.exit_code == 0  # one view logged
    _edited(
        desk_dir,
        ("UPDATE projection SET site = ? WHERE id = ?", ("sunrise" + OSC52, cid)),
        ("UPDATE access_log SET purpose = ? WHERE complaint_id = ?", ("回电" + OSC52, cid)),
    )
    for command in (("list",), ("audit",)):
        done = invoke(*command)
        assert done.exit_code == 0, done.output
        assert ESC not in done.stdout, command
        assert "\\x1b" in done.stdout, command


def test_outbox_list_prints_an_edited_message_escaped(desk_dir: Path) -> None:
    _unreachable(desk_dir, attempts=1)  # a message given up, kept in the outbox
    _received()
    _edited(desk_dir, ("UPDATE outbox SET notifier = notifier || ?", (OSC52,)))
    done = invoke("outbox", "list")
    assert done.exit_code == 0, done.output
    assert ESC not in done.stdout
    assert "\\x1b" in done.stdout


def test_show_prints_a_bidi_override_escaped_in_the_summary_and_the_timeline(
    desk_dir: Path,
) -> None:
    cid = _received("--summary", f"楼上漏水，天花板渗水 {RLO}0005{PDF} 元")
    assessed = invoke(
        "act", cid, "assess", "--actor", "SR-201", "--validity", "valid",
        "--note", f"押金 {RLO}0005{PDF} 元已核实",
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    # an officer who may see the complainant: the amount as stored, the override shown
    shown = invoke("show", cid, "--as", "sr-201", "--purpose", "核实", user="li.jianguo")
    assert shown.exit_code == 0, shown.output
    assert RLO not in shown.stdout
    assert PDF not in shown.stdout
    assert "天花板渗水 \\u202e0005\\u202c 元" in shown.stdout.splitlines()[1]  # the header
    timeline = shown.stdout[shown.stdout.index("timeline") :]
    assert "\\u202e" in timeline  # the note's cell
    # masked (who need not see personal data): the reordered run masked whole (F03)
    masked = invoke("show", cid)
    assert RLO not in masked.stdout
    assert "天花板渗水 \\u202e****\\u202c 元" in masked.stdout
