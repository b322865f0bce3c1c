"""HDL-1 at the desk: the call acknowledging a written complaint, told, swept, counted.

002 A.b: customer service calls the owner of a written complaint to say it was
received and is being arranged, and apologises.  cn-property owes the call by the
end of the next working day.  Times are Asia/Shanghai on the real 2026 calendar
(国办发明电〔2025〕7号): Wednesday 30 September is a working day, 1-7 October the
National Day holiday, Thursday 8 October the first working day after it.  The
staff are the packaged sample: at site ``sunrise`` SR-102 is customer service's
complaint handler (客服专员), SR-001 the project manager.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore.adapters.chain import canonical_json
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.deadlines import ClockState, DutyStatus
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError
from complaintcore.core.models import Acknowledged, Complainant, Intake
from complaintcore.core.stats import monthly_report
from complaintcore.core.workflow import Acknowledge
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, store_on

RECEIVED = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
DELIVERED_AT = datetime(2026, 12, 31, 12, 0, tzinfo=SH)
"""When the outbox is sent: after every moment of these tests."""


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ComplaintStore:
    return store_on(request.param, request, tmp_path)


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(store: ComplaintStore, notes: RecordingNotifier) -> Iterator[Desk]:
    with make_desk(store=store, notifiers=[notes]) as d:
        yield d


def owner(n: int, building: str, channel: str = "written") -> Intake:
    """Owner ``n`` at site sunrise: each in a building of their own, so no two of
    them make a concentrated issue (HDL-5)."""
    return Intake(
        complainant=Complainant(
            f"业主{n}", f"1390000{n:04d}", f"{building}-1-{n:02d}01", building, "sunrise"
        ),
        channel=channel,  # type: ignore[arg-type]
        received_at=RECEIVED,
        receiver="SR-103",
        summary="来信反映楼上漏水，天花板渗水" if channel == "written" else "楼上漏水",
        site="sunrise",
    )


def duty(desk: Desk, cid: str, now: datetime) -> DutyStatus:
    return next(d for d in desk.duties(cid, now) if d.name == "written_acknowledgement")


def told(desk: Desk, notes: RecordingNotifier, topic: str, cid: str) -> list[str]:
    desk.deliver(DELIVERED_AT)
    return sorted(n.recipient for n, _ in notes.sent if n.topic == topic and n.complaint_id == cid)


def acknowledgements(path: Path) -> list[tuple[str, int]]:
    """The stored texts and schema versions of the file's acknowledgements, as written."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        query = "SELECT body_json, schema_version FROM events WHERE kind = 'acknowledged'"
        return [(str(body), int(version)) for body, version in db.execute(query)]


CALL = {"apology": "给您带来不便，深表歉意，请您谅解", "definition": "楼上漏水，天花板渗水"}


@pytest.mark.procedure("HDL-1")
@pytest.mark.procedure("IMP-2")
def test_the_call_is_owed_told_swept_after_national_day_and_counted(
    desk: Desk, notes: RecordingNotifier
) -> None:
    kept, late, phoned = (
        desk.receive(i, now=RECEIVED).id
        for i in (owner(1, "3"), owner(2, "5"), owner(3, "9", channel="phone"))
    )
    owed = duty(desk, kept, RECEIVED)
    assert owed.due == at(10, 8, 18)  # the end of the first working day after the holiday
    assert told(desk, notes, "duty_owed", kept) == ["SR-102"]  # 客服专员 makes the call
    assert not duty(desk, phoned, RECEIVED).owed
    assert told(desk, notes, "duty_owed", phoned) == []
    holiday = desk.sweep(at(10, 5, 10))
    assert holiday.duties_overdue == ()  # the holiday is not working time

    with pytest.raises(InvalidInputError) as info:
        desk.act(kept, Acknowledge(actor="SR-102", definition="楼上漏水"), now=at(10, 8, 10))
    assert info.value.path == "apology"
    assert not any(isinstance(e, Acknowledged) for e in desk.get(kept).events)
    desk.act(kept, Acknowledge(actor="SR-102", **CALL), now=at(10, 8, 11))
    with pytest.raises(IllegalTransitionError) as refused:
        desk.act(kept, Acknowledge(actor="SR-102", **CALL), now=at(10, 8, 11, 30))
    assert "already acknowledged" in refused.value.reason

    report = desk.sweep(at(10, 8, 18, 1))
    assert report.duties_overdue == ((late, "written_acknowledgement"),)
    # missed while the complaint is open: escalated, as an apology not made is
    assert (late, "written_acknowledgement") in report.escalated
    assert all(cid == late for cid, _ in report.escalated)
    assert told(desk, notes, "duty_overdue", late) == ["SR-102"]
    assert desk.get(late).state.handler == "SR-001"  # one rung up: the project manager
    assert desk.sweep(at(10, 8, 18, 30)).escalated == ()  # once

    desk.act(late, Acknowledge(actor="SR-102", **CALL), now=at(10, 9, 9, 30))
    assert duty(desk, late, at(10, 9, 10)).state is ClockState.MISSED
    assert desk.sweep(at(10, 9, 10)).duties_overdue == ()
    figures = monthly_report(
        desk.store.complaints(), desk.pack, desk.calendar, year=2026, month=9, now=at(10, 9, 10)
    )
    call = next(d for d in figures.duties if d.name == "written_acknowledgement")
    # two letters received in September: one called in time, one late; the phone call none
    assert (call.rule, call.started, call.met, call.missed, call.breached) == (
        "HDL-1",
        2,
        1,
        1,
        0,
    )


@pytest.mark.procedure("HDL-1")
@pytest.mark.procedure("REC-5")
def test_acknowledgements_are_stored_as_before_and_verify(tmp_path: Path) -> None:
    """A staged pack's acknowledgement without an apology is stored as the text earlier
    versions wrote, so histories stored before still hash alike; the unstaged call
    keeps its apology.  The whole file verifies and replays."""
    path = tmp_path / "desk.sqlite3"
    london = datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    uk_intake = Intake(
        complainant=Complainant("Alex Smith", "07700 900123", "Flat 4", "", "elm-court"),
        channel="phone",  # type: ignore[arg-type]
        received_at=london,
        receiver="CS-001",
        summary="Black mould in the bedroom",
        site="elm-court",
    )
    with make_desk(pack="uk-housing-ombudsman-2024", store=SqliteStore(path)) as uk:
        staged = uk.receive(uk_intake, now=london).id
        done = uk.act(staged, Acknowledge(actor="RP-101", definition="Mould"), now=london)
        assert isinstance(done.events[-1], Acknowledged)
        assert done.events[-1].stage == "stage_1"
        assert uk.verify(london).ok
    ((body, version),) = acknowledgements(path)
    old = {
        "type": "acknowledged",
        "at": london.isoformat(),
        "actor": "RP-101",
        "stage": "stage_1",
        "definition": "Mould",
        "remedy_sought": "",
    }
    assert (body, version) == (canonical_json(old), 1)

    cn = tmp_path / "cn.sqlite3"
    with make_desk(store=SqliteStore(cn)) as desk:
        cid = desk.receive(owner(1, "3"), now=RECEIVED).id
        desk.act(cid, Acknowledge(actor="SR-102", **CALL), now=at(9, 30, 11))
    with make_desk(store=SqliteStore(cn)) as again:
        assert again.verify(at(9, 30, 12)).ok
        stored = [e for e in again.get(cid).events if isinstance(e, Acknowledged)]
        assert [(e.stage, e.apology) for e in stored] == [("", CALL["apology"])]
    ((text, version),) = acknowledgements(cn)
    assert (json.loads(text)["apology"], version) == (CALL["apology"], 1)
