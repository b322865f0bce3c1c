"""Review s48K: staff who change over time.

F01: a desk kept open (``deliver --loop``, a host's) reads its staff file again
when it changes, and a message whose recipient the directory no longer knows is
neither sent to them nor marked delivered: a dead letter naming why.
F02: a measure recorded without a department whose owner left is still told to
someone (IMP-1).  F03: a leaver an HR snapshot's ``members()`` still lists is
told nothing, not even as a member of a rung (PRV-1).

cn-property and its packaged sample staff (docs/desk.md): at sunrise SR-103
receptionist, SR-102 complaint handler, SR-101 head of customer service, SR-201
head of engineering with SR-202 and SR-203, SR-001 project manager.  A leak at
sunrise is routed to engineering's head, SR-201.
"""

from __future__ import annotations

import logging
import logging.handlers
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import AddMeasure, Assess, Complainant, Escalate, Intake, RecordCause
from complaintcore.adapters import builtin
from complaintcore.adapters.staff import load_sample_staff, write_sample_staff
from complaintcore.desk import Desk
from complaintcore.desk.config import load_config
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore, RecordingNotifier, StaffList, make_desk
from tests.helpers import SH
from tests.integration.servers import HttpTestServer
from tests.integration.test_a_changing_staff_directory import HR
from tests.integration.test_upgraded_desks_checked import invoke

PACK = load_pack("cn-property")
STAFF = list(load_sample_staff(pack=PACK).members())
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
T0 = datetime(2025, 11, 14, 17, 30, tzinfo=SH)  # the CLI tests' --now (a Friday)

UNKNOWN_RECIPIENT = "recipient not in the staff directory"  # notifications.md, Failures

NEW_HIRE = """
[[staff]]
staff_id = "SR-205"
name = "钱新"
role = "工程部经理"
rung = "department_head"
department = "engineering"
site = "sunrise"
"""


def leak(when: datetime = T0, summary: str = "楼上漏水，天花板渗水") -> Intake:
    return Intake(OWNER, "phone", when, "SR-103", summary, site="sunrise")


def without(text: str, staff_id: str) -> str:
    """A staff.toml's text with ``staff_id``'s ``[[staff]]`` table taken out, as HR
    would when they leave."""
    head, *tables = text.split("[[staff]]")
    kept = [t for t in tables if f'staff_id = "{staff_id}"' not in t]
    assert len(kept) == len(tables) - 1
    return "[[staff]]".join([head, *kept])


def with_field(text: str, staff_id: str, line: str) -> str:
    """A line added to ``staff_id``'s table (keys of a TOML table come in any order)."""
    anchor = f'staff_id = "{staff_id}"\n'
    assert anchor in text
    return text.replace(anchor, anchor + line + "\n", 1)


def hr_edit(path: Path, edit: Callable[[str], str]) -> None:
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


# --------------------------------------------------------------------------- F01, a host's desk


def staff_file_config(tmp_path: Path) -> dict[str, Any]:
    """A host's configuration over the built-in staff file (the packaged sample,
    written to ``tmp_path/staff.toml``), without the log channel."""
    staff = tmp_path / "staff.toml"
    write_sample_staff(staff, pack="cn-property")
    return {
        "database": str(tmp_path / "desk.sqlite3"),
        "staff_file": str(staff),
        "notifiers": {"log": False},
    }


@pytest.fixture
def file_desk(tmp_path: Path) -> Iterator[tuple[Desk, RecordingNotifier, Path]]:
    """A host's desk kept open over the built-in staff file (the packaged sample)."""
    staff = tmp_path / "staff.toml"
    config = staff_file_config(tmp_path)
    inbox = RecordingNotifier("inbox")
    with Desk.from_config(config) as desk:
        desk.notifiers = {"inbox": inbox}
        yield desk, inbox, staff


def test_a_desk_kept_open_routes_to_a_new_hire_and_not_to_a_leaver(
    file_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, staff = file_desk
    first = desk.receive(leak(), now=T0)
    assert first.state.handler == "SR-201"  # the file is read: SR-201 heads engineering
    desk.deliver(T0)
    hr_edit(staff, lambda t: without(t, "SR-201") + NEW_HIRE)
    second = desk.receive(leak(summary="厨房水管漏水"), now=T0)
    assert second.state.handler == "SR-205"  # as a fresh process routes it
    desk.deliver(T0)
    told = [(n.recipient, r is not None) for n, r in inbox.sent if n.complaint_id == second.id]
    assert ("SR-205", True) in told  # sent, with the new hire's record


def test_a_message_queued_for_someone_who_left_since_is_a_dead_letter_not_sent(
    file_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, staff = file_desk
    complaint = desk.receive(leak(), now=T0)  # queued for SR-201, not sent yet
    original = staff.read_text(encoding="utf-8")
    hr_edit(staff, lambda t: without(t, "SR-201"))
    report = desk.deliver(T0)
    assert [n.recipient for n, _ in inbox.sent if n.recipient == "SR-201"] == []
    dead = [d for d in desk.dead_letters() if d.notification.recipient == "SR-201"]
    assert [d.notification.complaint_id for d in dead] == [complaint.id]
    assert UNKNOWN_RECIPIENT in dead[0].last_error
    assert report.given_up >= 1
    # HR puts them back (a file saved without them by mistake): a person retries it
    staff.write_text(original, encoding="utf-8")
    desk.retry_message(dead[0].id, T0)
    desk.deliver(T0)
    assert [n.complaint_id for n, r in inbox.sent if n.recipient == "SR-201" and r] == [
        complaint.id
    ]


def test_the_staff_file_is_looked_at_once_a_delivery_pass_not_once_a_message(
    file_desk: tuple[Desk, RecordingNotifier, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, inbox, _ = file_desk
    for n in range(3):
        desk.receive(leak(summary=f"楼上漏水 {n}"), now=T0)
    stamps: list[str] = []
    real = builtin._stamp

    def stamp(path: str) -> tuple[int, ...]:
        stamps.append(path)
        return real(path)

    monkeypatch.setattr(builtin, "_stamp", stamp)
    report = desk.deliver(T0)
    assert report.sent >= 3
    assert len(inbox.sent) == report.sent
    assert len(stamps) == 1


def test_a_directory_swapped_under_a_desk_leaves_a_leavers_message_undelivered() -> None:
    """Any directory, not only a file: an unknown recipient is never skipped as one
    without an address (which marked the message delivered, sent to nobody)."""
    inbox = RecordingNotifier("inbox")
    desk = make_desk(notifiers=[inbox])
    complaint = desk.receive(leak(), now=T0)
    desk.directory = StaffList([m for m in STAFF if m.staff_id != "SR-201"])
    report = desk.deliver(T0)
    assert [n for n, _ in inbox.sent if n.recipient == "SR-201"] == []
    assert [d.notification.complaint_id for d in desk.dead_letters()] == [complaint.id]
    assert report.given_up == 1


# --------------------------------------------------------------------------- F01, deliver --loop


class Stop(KeyboardInterrupt):
    """Ends the loop under test, as Ctrl-C would."""


def webhook_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_server: HttpTestServer
) -> Path:
    """An ``init`` desk in ``tmp_path`` (the current directory) whose SR-201 has a
    webhook of their own (a JSON endpoint of ``http_server``)."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    staff = tmp_path / "staff.toml"
    hr_edit(staff, lambda t: with_field(t, "SR-201", f'webhook = "{http_server.url("/SR-201")}"'))
    config = tmp_path / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[notifiers.webhooks]]\nper_recipient = true\nformat = "json"\nname = "staff-hooks"\n',
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def loop_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http_server: HttpTestServer) -> Path:
    """An ``init`` desk whose staff have their own webhooks (a JSON endpoint each)."""
    return webhook_desk(tmp_path, monkeypatch, http_server)


def queue(desk_dir: Path, summary: str) -> str:
    """A complaint received by a desk of its own (another process, say), its
    messages left in the outbox for the loop; its handler."""
    with Desk.from_config(load_config(str(desk_dir / "complaintcore.toml"))) as desk:
        return desk.receive(leak(summary=summary), now=T0).state.handler or ""


def run_loop(monkeypatch: pytest.MonkeyPatch, between: list[Callable[[], None]]) -> str:
    """``deliver --loop``, ``between[i]`` run in its i-th wait; stopped after them."""
    waits: list[float] = []
    real_sleep = time.sleep
    loop = threading.current_thread()

    def sleep(seconds: float) -> None:
        # ``time`` is the one module every thread shares: a sending thread's or a lock
        # retry's sleep is a real one, only the loop's own waits are counted
        if threading.current_thread() is not loop:
            real_sleep(seconds)
            return
        waits.append(seconds)
        if len(waits) > len(between):
            raise Stop
        between[len(waits) - 1]()

    monkeypatch.setattr("complaintcore.cli.deliver.time.sleep", sleep)
    return invoke("deliver", "--loop", "--interval", "1").stderr


def hook_paths(server: HttpTestServer) -> list[str]:
    return [r.path for r in server.requests]


def staff_hook_rows(desk_dir: Path) -> list[tuple[str, int, str]]:
    """(recipient, delivered, error) of each message for the staff's own webhooks."""
    with sqlite3.connect(desk_dir / "complaints.sqlite3") as db:
        rows = db.execute(
            "SELECT json_extract(body_json, '$.recipient'), delivered_at IS NOT NULL,"
            " coalesce(last_error, '') FROM outbox WHERE notifier = 'staff-hooks' ORDER BY id"
        ).fetchall()
    return [(r, int(d), e) for r, d, e in rows]


def test_deliver_loop_reads_the_staff_file_again_after_hr_edits_it(
    loop_desk: Path, monkeypatch: pytest.MonkeyPatch, http_server: HttpTestServer
) -> None:
    staff = loop_desk / "staff.toml"
    assert queue(loop_desk, "卫生间漏水") == "SR-201"  # the loop's first pass reads the file

    def hr_changes() -> None:
        assert hook_paths(http_server) == ["/SR-201"]
        assert queue(loop_desk, "楼上漏水") == "SR-201"  # queued while he still works here
        hire = NEW_HIRE + f'webhook = "{http_server.url("/SR-205")}"\n'
        hr_edit(staff, lambda t: without(t, "SR-201") + hire)
        assert queue(loop_desk, "厨房水管漏水") == "SR-205"

    run_loop(monkeypatch, [hr_changes])
    assert hook_paths(http_server) == ["/SR-201", "/SR-205"]
    # (the sample's SR-001 has a webhook of example.com: hears of the repeats)
    rows = [row for row in staff_hook_rows(loop_desk) if row[0] != "SR-001"]
    assert [(r, d) for r, d, _ in rows] == [("SR-201", 1), ("SR-201", 0), ("SR-205", 1)]
    assert UNKNOWN_RECIPIENT in rows[1][2]


def test_deliver_loop_waits_out_a_staff_file_saved_with_a_mistake(
    loop_desk: Path, monkeypatch: pytest.MonkeyPatch, http_server: HttpTestServer
) -> None:
    staff = loop_desk / "staff.toml"
    good = staff.read_text(encoding="utf-8")
    queue(loop_desk, "卫生间漏水")

    def broken() -> None:
        queue(loop_desk, "楼上漏水")
        staff.write_text(good.replace('rung = "department_head"', 'rung = "boss"', 1), "utf-8")

    def mended() -> None:
        staff.write_text(good, encoding="utf-8")

    stderr = run_loop(monkeypatch, [broken, mended])
    assert "staff.toml" in stderr
    assert "(deliver --loop tries again in 1 s)" in stderr
    assert hook_paths(http_server) == ["/SR-201", "/SR-201"]  # sent once the file loads
    rows = [(r, d) for r, d, _ in staff_hook_rows(loop_desk) if r != "SR-001"]
    assert rows == [("SR-201", 1), ("SR-201", 1)]


# --------------------------------------------------------------------------- F02


def _measure_told(left: set[str], department: str) -> tuple[list[str], list[str]]:
    """A measure owned by SR-202 (``department`` given or not) overdue after ``left``
    left: who hears ``measure_overdue``, and the desk's warnings."""
    store = MemoryStore()
    desk = make_desk(store=store, staff=STAFF)
    d0 = datetime(2025, 11, 3, 9, 0, tzinfo=SH)
    cid = desk.receive(leak(d0, "厨房水龙头漏水"), now=d0).id
    assert desk.get(cid).state.handler == "SR-201"
    desk.act(cid, Assess(actor="SR-201", validity="valid"), now=d0.replace(hour=10))
    cause = RecordCause(actor="SR-201", cause="阀芯老化", corrective="更换阀芯")
    desk.act(cid, cause, now=d0.replace(hour=11))
    measure = AddMeasure(
        actor="SR-201",
        kind="preventive",
        action="巡检全楼水龙头",
        owner="SR-202",
        department=department,
        due=datetime(2025, 11, 20, 18, 0, tzinfo=SH),
    )
    desk.act(cid, measure, now=d0.replace(hour=12))
    notes = RecordingNotifier()
    later = make_desk(store=store, staff=[m for m in STAFF if m.staff_id not in left])
    later.notifiers = {notes.name: notes}
    kept = logging.handlers.BufferingHandler(100)
    logger = logging.getLogger("complaintcore.desk")
    logger.addHandler(kept)
    try:
        later.sweep(datetime(2025, 11, 21, 10, 0, tzinfo=SH))  # the day after it was due
        later.deliver(datetime(2025, 11, 21, 10, 0, tzinfo=SH))
    finally:
        logger.removeHandler(kept)
    told = [n.recipient for n, _ in notes.sent if n.topic == "measure_overdue"]
    return told, [r.getMessage() for r in kept.buffer if r.levelno >= logging.WARNING]


@pytest.mark.procedure("IMP-1")
def test_a_measure_without_a_department_whose_owner_left_is_told_to_the_responsible_head() -> None:
    # the leak's responsible department is engineering; its head at sunrise: SR-201
    told, warnings = _measure_told({"SR-202"}, department="")
    assert told == ["SR-201"]
    assert any("SR-202" in w and "not in the staff directory" in w for w in warnings)


@pytest.mark.procedure("IMP-1")
def test_a_measure_whose_owner_and_unit_head_left_goes_to_customer_services_head() -> None:
    # nobody left on engineering's head rung at sunrise: customer service's, SR-101
    told, _ = _measure_told({"SR-202", "SR-201"}, department="")
    assert told == ["SR-101"]


# --------------------------------------------------------------------------- F03


def snapshot_desk() -> tuple[HR, RecordingNotifier, Desk]:
    """A host's desk over an HR system whose ``members()`` is one tuple, taken
    before anyone left, and whose ``get()`` is live; its messages recorded."""
    hr = HR(STAFF)
    hr.snapshot = True
    inbox = RecordingNotifier("inbox")
    desk = Desk(
        pack=PACK,
        store=MemoryStore(),
        directory=hr,
        calendar=make_desk().calendar,
        notifiers=[inbox],
    )
    return hr, inbox, desk


@pytest.mark.procedure("PRV-1")
def test_a_leaver_an_hr_snapshot_still_lists_hears_nothing_of_an_escalation_to_their_rung(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hr, inbox, desk = snapshot_desk()  # members() taken before SR-102 left
    hr.gone = {"SR-102"}
    c = desk.receive(leak(summary="物业费账单有疑问"), now=T0, route=False)
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        c = desk.act(c.id, Escalate(actor="SR-103", trigger="cannot_handle"), now=T0)
    desk.deliver(T0)
    told = [(n.topic, n.recipient) for n, _ in inbox.sent]
    assert [r for _, r in told if r == "SR-102"] == []
    assert any(topic == "escalated" for topic, _ in told)  # someone hears it
    assert c.state.handler != "SR-102"
    # not even addressed to them: no dead letter either
    assert [d for d in desk.dead_letters() if d.notification.recipient == "SR-102"] == []
    assert any("SR-102" in r.getMessage() for r in caplog.records)
