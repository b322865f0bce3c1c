"""DL-7: a deadline at risk warns its holder once, whatever was done to the
complaint inside the at-risk window before a sweep saw it.  A command there used
to schedule the complaint's next sweep at the due time, so the warning was lost."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.workflow import AttachEvidence
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, intake


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize("command_first", [False, True])
def test_a_command_in_the_at_risk_window_keeps_the_warning(
    tmp_path: Path, command_first: bool
) -> None:
    notes = RecordingNotifier()
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"), notifiers=[notes])
    # Mon 2 Mar 2026 10:00; DL-1 and DL-3, 3 working days: 7 h on Monday and 8 h on
    # each of Tue, Wed, Thu = 31 h, due Thu 5 Mar 18:00; 80 % = 24 h 48 min of working
    # time, reached Thu 10:48 (23 h by Wednesday's close)
    c = desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(2, 10), receiver="SR-103"), now=_at(2, 10)
    )
    assert desk.sweep(_at(5, 10)).at_risk == 0  # not yet at risk
    if command_first:
        desk.act(c.id, AttachEvidence(actor="SR-201", reference="photo-1"), now=_at(5, 11))

    noon = desk.sweep(_at(5, 12))

    assert noon.at_risk == 2  # the reply (DL-1) and the department's result (DL-3)
    assert desk.sweep(_at(5, 12, 5)).examined == 0  # warned once: due next at 18:00
    desk.deliver(_at(5, 12, 6))
    warned = [n for n, _ in notes.sent if n.complaint_id == c.id and n.topic == "at_risk"]
    assert [n.recipient for n in warned] == ["SR-201", "SR-201"]


@pytest.mark.procedure("DL-7")
def test_reproject_leaves_a_warned_complaint_alone(tmp_path: Path) -> None:
    """A row the sweep wrote after warning is no row out of date: rewritten, the
    complaint would be due again and every sweep would warn of it again."""
    desk = make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))
    desk.receive(
        intake("楼道灯坏了，一直没人修", received_at=_at(2, 10), receiver="SR-103"), now=_at(2, 10)
    )
    assert desk.sweep(_at(5, 12)).at_risk == 2
    for minute in (10, 20):
        assert desk.reproject(_at(5, 12, minute)) == []
        assert desk.sweep(_at(5, 12, minute + 1)).examined == 0
    assert desk.verify(_at(5, 12, 30)).ok
