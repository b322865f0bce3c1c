"""Review s51R15: times that share the pack's zone compared as instants in the next
sweep time and ``list --overdue``, and a receipt typed in the skipped hour read as the
instant it names before a month is added.

The pack is a copy of cn-property on England's calendar (``country = "GB-ENG"``,
``timezone = "Europe/London"``), as a host's own pack file may be.  On 25 October
2026 the UK's clocks go back at 02:00 BST (01:00 UTC): 01:40 BST (00:40 UTC) reads
after 01:30 GMT (``fold=1``, 01:30 UTC).  On 29 March 2026 they go forward at
01:00 GMT (01:00 UTC): 01:30 typed in the skipped hour (``fold=0``) is 01:30 UTC,
02:30 BST, as the CLI reads ``2026-03-29T01:30`` (docs/cli.md "Time").  IN-5 is
cn-property's 24 hours of elapsed time (``wall``) for a receiver outside customer
service, at risk from 80 % of it, 19 h 12 min (DL-7); DL-6 is one calendar month to
the same local time.  Every expected time below is counted by hand from these facts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import attrs
import pytest

from complaintcore import Promise, Register, decide, evolve, load_pack, new_complaint
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli.listing import _overdue
from complaintcore.core.deadlines import compute_clocks
from complaintcore.core.grading import age_upgrade_at
from complaintcore.core.models import Complaint, Extended, Registered
from complaintcore.core.rulepack import RulePack
from complaintcore.desk import Desk
from complaintcore.desk.projection import Projection
from tests.helpers import intake

LONDON = ZoneInfo("Europe/London")


def _london_pack() -> RulePack:
    """cn-property as a host's London copy: country and time zone changed."""
    pack = load_pack("cn-property")
    calendar = attrs.evolve(pack.calendar, country="GB-ENG", timezone="Europe/London")
    return attrs.evolve(pack, calendar=calendar)


PACK = _london_pack()
CAL = calendar_for_spec(PACK.calendar)


def _z(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def _u(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _by_guard(received: datetime) -> Complaint:
    """Received and registered by a night guard: IN-5's 24 h to customer service run."""
    c = new_complaint(
        "C-1", intake(received_at=received, receiver="SR-302", receiver_unit="security")
    )
    return evolve(c, (Registered(at=received, actor="SR-302", unit="security"),))


# ------------------------------------------------------------------ F01: next sweep time

# received 02:30 BST Sat 24 Oct 2026 (01:30Z): IN-5 due 01:30Z Sun 25 Oct, the second
# 01:30 (GMT); at risk from 01:30Z + 19 h 12 min = 20:42Z Sat (21:42 BST)
RECEIVED = _z(2026, 10, 24, 2, 30)
IN5_DUE = _u(2026, 10, 25, 1, 30)


@pytest.mark.procedure("DL-7")
@pytest.mark.parametrize(
    "now",
    [_z(2026, 10, 25, 1, 40), _u(2026, 10, 25, 0, 40)],
    ids=["pack-zone-first-pass", "utc"],
)
def test_the_next_sweep_after_the_warning_is_in5s_due_time_in_the_second_pass(
    now: datetime,
) -> None:
    """A sweep at 01:40 BST (00:40Z) warned of IN-5 (at risk since 20:42Z): the next
    sweep time it writes is IN-5's due time, 01:30 GMT (01:30Z), 50 minutes later,
    whatever zone ``now`` is given in -- not the reply clock's warning days away."""
    c = _by_guard(RECEIVED)
    found = Projection(PACK, CAL).next_due(c, now, swept=True)
    assert found is not None
    assert found.astimezone(UTC) == IN5_DUE


@pytest.mark.procedure("DL-7")
def test_a_sweep_at_the_second_0130_comes_back_the_instant_after_not_an_hour_before() -> None:
    """A sweep at IN-5's due instant itself, 01:30 GMT (01:30Z, ``fold=1``), finds it
    not yet breached and comes back one microsecond later, 01:30:00.000001Z (adding
    to a ``fold=1`` time by wall clock would give the first 01:30, 00:30Z)."""
    c = _by_guard(RECEIVED)
    found = Projection(PACK, CAL).next_due(c, _z(2026, 10, 25, 1, 30, fold=1), swept=True)
    assert found is not None
    assert found.astimezone(UTC) == _u(2026, 10, 25, 1, 30, 0, 1)


@pytest.mark.procedure("DL-5")
def test_a_promise_due_before_in5_is_not_passed_over_at_the_first_0130() -> None:
    """A time promised for 00:45Z (01:45 BST) and IN-5 due 01:30 GMT (01:30Z): a
    sweep at the first 01:30 (BST, 00:30Z) next acts at the promise, 15 minutes on,
    not at IN-5 an hour on because its wall time reads as ``now``'s."""
    c = _by_guard(RECEIVED)
    c = evolve(c, decide(c, Promise(actor="SR-302", due=_u(2026, 10, 25, 0, 45)), PACK, RECEIVED))
    found = Projection(PACK, CAL).next_due(c, _z(2026, 10, 25, 1, 30), swept=True)
    assert found is not None
    assert found.astimezone(UTC) == _u(2026, 10, 25, 0, 45)


# ------------------------------------------------------------------ F02: months from the gap

GAP = _z(2026, 3, 29, 1, 30)  # typed in the skipped hour: 01:30Z = 02:30 BST
MONTH_LATER = _u(2026, 4, 29, 1, 30)  # 02:30 BST on 29 April


def _registered_at(received: datetime) -> Complaint:
    c = new_complaint("C-1", intake(received_at=received, receiver="SR-103"))
    return evolve(c, decide(c, Register(actor="SR-103"), PACK, received))


@pytest.mark.procedure("DL-6")
@pytest.mark.parametrize("received", [GAP, _u(2026, 3, 29, 1, 30)], ids=["gap-wall", "utc"])
def test_a_month_from_a_receipt_typed_in_the_skipped_hour_ends_at_0230_bst(
    received: datetime,
) -> None:
    """01:30 on 29 March 2026 in London is 02:30 BST (01:30Z): DL-6's month ends at
    02:30 BST on 29 April (01:30Z), the same as for the receipt written ``01:30Z``."""
    c = _registered_at(received)
    [status] = compute_clocks(c, PACK, CAL, _z(2026, 3, 29, 3, 0), only=("major_by_age",))
    assert status.due is not None
    assert status.due.astimezone(UTC) == MONTH_LATER
    assert (status.due.hour, status.due.minute) == (2, 30)  # shown in BST
    upgrade = age_upgrade_at(c, PACK)
    assert upgrade is not None
    assert upgrade.astimezone(UTC) == MONTH_LATER


@pytest.mark.procedure("DL-6")
def test_a_month_clock_extended_from_the_skipped_hour_ends_two_months_on_at_0230_bst() -> None:
    """Extended by one month, DL-6's clock from 02:30 BST on 29 March runs two
    calendar months: to 02:30 BST on 29 May (01:30Z)."""
    c = _registered_at(GAP)
    c = evolve(
        c,
        (
            Extended(
                at=_z(2026, 4, 1, 10, 0),
                actor="SR-103",
                clock="major_by_age",
                by="1mo",
                reason="agreed",
            ),
        ),
    )
    [status] = compute_clocks(c, PACK, CAL, _z(2026, 4, 2, 10, 0), only=("major_by_age",))
    assert status.due is not None
    assert status.due.astimezone(UTC) == _u(2026, 5, 29, 1, 30)


# ------------------------------------------------------------------ F03: list --overdue


@pytest.mark.procedure("DL-7")
def test_list_overdue_puts_the_first_pass_breach_before_the_later_second_pass_one() -> None:
    """A received 01:50 BST Sat 24 Oct (00:50Z): IN-5 due 00:50Z Sun, 01:50 BST.
    B received 02:10 BST (01:10Z): IN-5 due 01:10Z, 01:10 GMT, 20 minutes later.
    At 01:30Z both are overdue; A, overdue longest, is listed first."""
    desk = Desk(
        pack=PACK,
        store=MemoryStore(),
        directory=load_sample_staff(pack=PACK),
        calendar=CAL,
    )
    ids = {}
    for name, at in (("B", _z(2026, 10, 24, 2, 10)), ("A", _z(2026, 10, 24, 1, 50))):
        got = desk.receive(
            intake(f"漏水 {name}", received_at=at, receiver="SR-302", receiver_unit="security"),
            now=at,
        )
        ids[got.id] = name
    rows = _overdue(desk, _u(2026, 10, 25, 1, 30), 10, {})
    assert [ids[r.id] for r in rows] == ["A", "B"]
    assert [r.breach_due.astimezone(UTC) for r in rows if r.breach_due] == [
        _u(2026, 10, 25, 0, 50),
        _u(2026, 10, 25, 1, 10),
    ]
