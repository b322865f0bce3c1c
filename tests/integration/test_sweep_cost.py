"""A sweep computes each due complaint's clocks once for what it checks and writes
(issue 10): once when nothing changes, and once more for the state an
escalation leaves (before, a due complaint computed them three times)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintcore.core import deadlines
from complaintcore.desk import projection, service
from complaintcore.testing import make_desk
from tests.helpers import intake

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 11, 14, 10, tzinfo=SH)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = deadlines.compute_clocks

    def counting(complaint, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(complaint.id)
        return real(complaint, *args, **kwargs)

    monkeypatch.setattr(service, "compute_clocks", counting)
    monkeypatch.setattr(projection, "compute_clocks", counting)
    monkeypatch.setattr(deadlines, "compute_clocks", counting)
    return calls


def test_a_sweep_that_warns_computes_the_clocks_once(counted: list[str]) -> None:
    desk = make_desk()
    c = desk.receive(intake(received_at=NOW, receiver="SR-103"), now=NOW)
    risky = min(s.at_risk_from for s in desk.clocks(c.id, NOW) if s.at_risk_from is not None)
    counted.clear()
    report = desk.sweep(risky + timedelta(seconds=1))
    assert report.examined == 1
    assert report.at_risk >= 1
    assert report.escalated == ()
    assert counted == [c.id]


def test_a_sweep_that_escalates_computes_them_before_and_after(counted: list[str]) -> None:
    desk = make_desk()
    c = desk.receive(intake(received_at=NOW, receiver="SR-103"), now=NOW)
    due = min(s.due for s in desk.clocks(c.id, NOW) if s.is_open and s.due is not None)
    counted.clear()
    report = desk.sweep(due + timedelta(minutes=1))
    assert report.examined == 1
    assert report.escalated
    assert counted == [c.id, c.id]
