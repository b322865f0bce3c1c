"""Review s57R5: a sweep whose ``now`` is a host's clock in Europe/London, in the hour
the clocks repeat (or skip), on a desk kept between sweeps.

cn-property's IN-5 gives a complaint received by a unit other than customer service
24 hours to reach customer service (procedures.md IN-5, DL-3); a deadline is at risk
before it passes and breached after, and a breach moves the complaint up (DL-7,
ESC-2).  A guard receives one at 08:30 Beijing (00:30Z) on Sat 24 October 2026: it
is due 00:30Z on Sun 25 October.  That night the UK's clocks go back at 02:00 BST
(01:00Z): 01:30 BST (``fold=0``) is 00:30Z, the due instant, and 01:30 GMT
(``fold=1``) is 01:30Z, an hour past it.  On 29 March 2026 they go forward at 01:00
GMT: 01:30 typed in the skipped hour is 00:30Z with ``fold=1`` (BST) and 01:30Z with
``fold=0`` (GMT).  Every expected time below is counted by hand from these facts.

Each sweep runs on a store that refuses a 50th claim, so a sweep that loops fails
the test instead of hanging the suite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaintcore import load_pack
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.chain import claimer_time, lease_end
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.deadlines import ClockState
from complaintcore.core.models import Escalated
from complaintcore.desk import Desk
from complaintcore.desk.ports import ComplaintRow, ComplaintStore
from complaintcore.desk.projection import Projection
from tests.helpers import intake

PACK = load_pack("cn-property")
CAL = calendar_for_spec(PACK.calendar)
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
CLAIMS = 50  # a sweep of one complaint claims a few times; this many is a loop


def _z(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def _u(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _bounded(store: ComplaintStore, *, stuck: bool = False) -> list[int]:
    """Count the store's claims and refuse the CLAIMS-th.  ``stuck``: a store whose
    lease does not hold, handing the rows of its last claim back, as they stand now,
    on every later claim (what the repeated hour's lease did)."""
    calls = [0]
    claim: Callable[..., list[ComplaintRow]] = store.claim_due
    last: list[str] = []

    def claim_due(now: datetime, limit: int = 100, **kw: object) -> list[ComplaintRow]:
        calls[0] += 1
        if calls[0] >= CLAIMS:
            raise AssertionError(f"claim_due called {CLAIMS} times: the sweep loops")
        found = claim(now, limit, **kw)
        if stuck and not found:
            return [store.row(cid) for cid in last]
        last[:] = [r.id for r in found]
        return found

    store.claim_due = claim_due  # type: ignore[method-assign]
    return calls


def _store(kind: str, tmp_path: Path) -> ComplaintStore:
    return MemoryStore() if kind == "memory" else SqliteStore(str(tmp_path / "s57r5.sqlite3"))


def _desk(store: ComplaintStore) -> Desk:
    return Desk(pack=PACK, store=store, directory=load_sample_staff(pack=PACK), calendar=CAL)


def _by_guard(desk: Desk, received: datetime) -> str:
    got = desk.receive(
        intake(received_at=received, receiver="SR-302", receiver_unit="security"), now=received
    )
    return got.id


def _escalations(desk: Desk, complaint_id: str) -> list[Escalated]:
    return [e for e in desk.get(complaint_id).events if isinstance(e, Escalated)]


# ------------------------------------------------------------------ the repeated hour

FALL_RECEIVED = datetime(2026, 10, 24, 8, 30, tzinfo=SHANGHAI)  # 00:30Z: due 00:30Z Sun
FIRST_0130 = _z(2026, 10, 25, 1, 30)  # BST, 00:30Z: the due instant, at risk
SECOND_0130 = _z(2026, 10, 25, 1, 30, fold=1)  # GMT, 01:30Z: an hour past it


@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_two_sweeps_at_londons_two_0130s_on_one_desk_escalate_the_breach_once(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reviewer's reproduction: the first 01:30 warns (at risk, due that instant),
    the second, an hour later, finds IN-5 breached and escalates once -- it neither
    reads the first sweep's clocks again nor claims the same row for ever (nor
    ends on the loop's safeguard: the row it wrote, claimed again, is leased)."""
    store = _store(kind, tmp_path)
    calls = _bounded(store)
    desk = _desk(store)
    cid = _by_guard(desk, FALL_RECEIVED)
    first = desk.sweep(FIRST_0130)
    assert (first.escalated, first.at_risk) == ((), 1)
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        second = desk.sweep(SECOND_0130)
    assert "already swept" not in caplog.text
    assert second.escalated == ((cid, "to_customer_service"),)
    assert len(_escalations(desk, cid)) == 1
    assert calls[0] < CLAIMS
    assert desk.sweep(SECOND_0130 + timedelta(minutes=5)).escalated == ()  # once


@pytest.mark.procedure("DL-7")
def test_the_clocks_at_the_second_0130_are_not_the_first_0130s() -> None:
    """One projection asked at both 01:30s: at risk at the first, breached at the
    second (the memo of the first is not read for the second)."""
    store = MemoryStore()
    desk = _desk(store)
    complaint = desk.get(_by_guard(desk, FALL_RECEIVED))
    projection = Projection(PACK, CAL)

    def in5(now: datetime) -> ClockState:
        [s] = [s for s in projection.clocks_now(complaint, now) if s.name == "to_customer_service"]
        return s.state

    assert in5(FIRST_0130) is ClockState.AT_RISK
    assert in5(SECOND_0130) is ClockState.BREACHED


def test_a_sweep_lease_from_the_second_0130_ends_after_it() -> None:
    """01:30 GMT (01:30Z) plus the 5-minute lease ends 01:35Z, not 00:35Z (01:35 of
    the first pass, 55 minutes before it); a claimer's hold is moved the same way."""
    assert lease_end(SECOND_0130, timedelta(minutes=5)) == "2026-10-25T01:35:00.000000+00:00"
    assert claimer_time(SECOND_0130, 60_000_000, "until") == "2026-10-25T01:31:00.000000+00:00"
    assert lease_end(FIRST_0130, timedelta(minutes=5)) == "2026-10-25T00:35:00.000000+00:00"


# ------------------------------------------------------------------ the skipped hour

SPRING_RECEIVED = datetime(2026, 3, 28, 8, 30, tzinfo=SHANGHAI)  # 00:30Z: due 00:30Z Sun
GAP_BST = _z(2026, 3, 29, 1, 30, fold=1)  # 00:30Z: the due instant
GAP_GMT = _z(2026, 3, 29, 1, 30)  # 01:30Z: an hour past it


@pytest.mark.procedure("IN-5")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_two_sweeps_at_the_two_readings_of_a_skipped_0130_escalate_the_breach_once(
    kind: str, tmp_path: Path
) -> None:
    """01:30 in the skipped hour read as BST (00:30Z, the due instant) warns, then read
    as GMT (01:30Z) finds IN-5 breached and escalates once."""
    store = _store(kind, tmp_path)
    calls = _bounded(store)
    desk = _desk(store)
    cid = _by_guard(desk, SPRING_RECEIVED)
    first = desk.sweep(GAP_BST)
    assert (first.escalated, first.at_risk) == ((), 1)
    assert desk.sweep(GAP_GMT).escalated == ((cid, "to_customer_service"),)
    assert len(_escalations(desk, cid)) == 1
    assert calls[0] < CLAIMS


# ------------------------------------------------------------------ the loop's safeguard


@pytest.mark.procedure("DL-7")
def test_a_sweep_whose_claims_never_lease_ends_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A store whose lease does not hold hands the same unchanged row back on every
    claim: the sweep warns once (at risk at the due instant, 00:30Z), sees the row
    come back unchanged after leasing it again and ends, saying so, instead of
    looping; the warning names no complainant."""
    store = MemoryStore()
    calls = _bounded(store, stuck=True)
    desk = _desk(store)
    _by_guard(desk, FALL_RECEIVED)
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        report = desk.sweep(_u(2026, 10, 25, 0, 30))
    assert report.at_risk == 1
    assert calls[0] < CLAIMS
    assert "already swept, unchanged" in caplog.text
    assert "王小明" not in caplog.text
    assert "13812345678" not in caplog.text
