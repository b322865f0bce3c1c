"""Review s55R3: personal data over a complaint's life (PRV-1, PRV-2), on SQLite.

F02: a message written unmasked for a recipient (the handler, with the
complainant's name, phone and room) is not sent them unmasked if, when it is
sent, they may no longer see the complaint's personal data: moved to another
site (a handler it moved on from, still at the site, is still sent it).  It
becomes a dead letter naming why (notifications.md, Failures), as a leaver's
does (review s48K F01); a channel that masks every message itself (the log
channel) still sends it, masked.

cn-property and its packaged sample staff: at sunrise SR-103 receptionist,
SR-201 head of engineering (no ``sees_personal_data``) with SR-202; a leak at
sunrise is routed to SR-201, whose ``assigned`` message is unmasked.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from complaintcore import Assign, Complainant, Intake
from complaintcore.adapters.notify.log import LogNotifier
from complaintcore.desk import Desk
from complaintcore.testing import RecordingNotifier
from tests.helpers import SH

OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
T0 = datetime(2025, 11, 14, 17, 30, tzinfo=SH)

NOT_ENTITLED = "recipient may no longer see this complaint's personal data"  # notifications.md


def leak() -> Intake:
    return Intake(OWNER, "phone", T0, "SR-103", "楼上漏水，天花板渗水", site="sunrise")


def moved(text: str, staff_id: str, old: str, new: str) -> str:
    """The staff file's text with one line of ``staff_id``'s table changed, as HR would."""
    head, *tables = text.split("[[staff]]")
    done = []
    for table in tables:
        if f'staff_id = "{staff_id}"' in table:
            assert old in table
            table = table.replace(old, new, 1)
        done.append(table)
    return "[[staff]]".join([head, *done])


def _sent_to(inbox: RecordingNotifier, staff_id: str) -> list[str]:
    return [n.body for n, _ in inbox.sent if n.recipient == staff_id]


@pytest.mark.procedure("PRV-1")
def test_an_unmasked_message_is_not_sent_to_a_handler_moved_to_another_site(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, staff = cn_sqlite_desk
    complaint = desk.receive(leak(), now=T0)  # `assigned` queued for SR-201, unmasked
    assert complaint.state.handler == "SR-201"
    original = staff.read_text(encoding="utf-8")
    staff.write_text(
        moved(original, "SR-201", 'site = "sunrise"', 'site = "riverside"'), encoding="utf-8"
    )
    report = desk.deliver(T0)
    assert _sent_to(inbox, "SR-201") == []
    assert not any("13812345678" in n.body for n, _ in inbox.sent)
    dead = [d for d in desk.dead_letters() if d.notification.recipient == "SR-201"]
    assert [(d.notification.complaint_id, d.notification.topic) for d in dead] == [
        (complaint.id, "assigned")
    ]
    assert NOT_ENTITLED in dead[0].last_error
    assert "13812345678" not in dead[0].last_error
    assert "王小明" not in dead[0].last_error
    assert report.given_up >= 1
    # back at sunrise (the file edited by mistake): a person retries it, and it is sent
    staff.write_text(original, encoding="utf-8")
    desk.retry_message(dead[0].id, T0)
    desk.deliver(T0)
    bodies = _sent_to(inbox, "SR-201")
    assert len(bodies) == 1
    assert "13812345678" in bodies[0]


@pytest.mark.procedure("PRV-1")
def test_a_handler_the_complaint_moved_on_from_is_still_sent_what_was_written_for_them(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, _staff = cn_sqlite_desk
    complaint = desk.receive(leak(), now=T0)
    desk.act(
        complaint.id,
        Assign(actor="SR-001", handler="SR-301", rung="department_head"),
        now=T0,
    )
    desk.deliver(T0)
    told = _sent_to(inbox, "SR-201")  # they held it at sunrise: the message is theirs
    assert len(told) == 1
    assert desk.dead_letters() == []
    assert _sent_to(inbox, "SR-301")


@pytest.mark.procedure("PRV-1")
def test_a_handler_still_entitled_is_sent_the_message_unmasked(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path],
) -> None:
    desk, inbox, _staff = cn_sqlite_desk
    desk.receive(leak(), now=T0)
    report = desk.deliver(T0)
    bodies = _sent_to(inbox, "SR-201")
    assert len(bodies) == 1
    assert "13812345678" in bodies[0]
    assert report.given_up == 0
    assert desk.dead_letters() == []


@pytest.mark.procedure("PRV-1")
def test_a_channel_that_masks_every_message_still_sends_it_masked(
    cn_sqlite_desk: tuple[Desk, RecordingNotifier, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk, inbox, staff = cn_sqlite_desk
    desk.notifiers = {"inbox": inbox, "log": LogNotifier()}
    desk.receive(leak(), now=T0)
    text = staff.read_text(encoding="utf-8")
    staff.write_text(
        moved(text, "SR-201", 'site = "sunrise"', 'site = "riverside"'), encoding="utf-8"
    )
    with caplog.at_level(logging.INFO, logger="complaintcore.notify"):
        desk.deliver(T0)
    assert _sent_to(inbox, "SR-201") == []
    dead = [(d.notifier, d.notification.recipient) for d in desk.dead_letters()]
    assert dead == [("inbox", "SR-201")]  # the log channel masks it: logged, not held
    lines = [r.getMessage() for r in caplog.records if "to=SR-201" in r.getMessage()]
    assert lines
    assert not any("13812345678" in line or "王小明" in line for line in lines)
