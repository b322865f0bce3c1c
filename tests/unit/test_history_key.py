"""history_key: complaints with equal keys have equal clocks and duties (bulk intake
computes them once for many), and the key tells apart what the clocks read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.deadlines import compute_clocks, compute_duties, history_key
from complaintcore.core.models import Complainant, Complaint
from complaintcore.core.workflow import Classify, Promise, Register, decide, evolve
from tests.helpers import SH, Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)
T = datetime(2025, 11, 14, 10, tzinfo=SH)


def history(
    complaint_id: str,
    *,
    received: datetime = T,
    actor: str = "s-front",
    who: str = "王小明",
    promise_hours: int = 30,
    steps: tuple[int, ...] = (5, 5),
) -> Complaint:
    complainant = Complainant(who, "13812345678", "3-2-1201", "3", "sunrise")
    r = Runner(PACK, intake(received_at=received, complainant=complainant), complaint_id)
    r.register(actor=actor)
    r(Classify(actor=actor), after=timedelta(minutes=steps[0]))
    due = received + timedelta(hours=promise_hours)
    return r(Promise(actor=actor, due=due), after=timedelta(minutes=steps[1]))


@given(
    later=st.integers(min_value=0, max_value=20_000),
    promise_hours=st.integers(min_value=21, max_value=200),
    steps=st.tuples(st.integers(0, 600), st.integers(0, 600)),
)
def test_equal_keys_mean_equal_clocks_and_duties(
    later: int, promise_hours: int, steps: tuple[int, int]
) -> None:
    # what the clocks do not read (id, people, wording) does not change the key
    a = history("C-1", promise_hours=promise_hours, steps=steps)
    b = history("C-2", actor="s-other", who="李四", promise_hours=promise_hours, steps=steps)
    now = a.events[-1].at + timedelta(minutes=later)
    assert history_key(a, now) == history_key(b, now)
    assert compute_clocks(a, PACK, CAL, now, explain=False) == compute_clocks(
        b, PACK, CAL, now, explain=False
    )
    assert compute_duties(a, PACK, CAL, now, explain=False) == compute_duties(
        b, PACK, CAL, now, explain=False
    )


def test_the_key_tells_apart_times_zones_promises_and_now() -> None:
    base = history("C-1")
    now = base.events[-1].at + timedelta(hours=2)
    key = history_key(base, now)
    assert history_key(history("C-1", received=T + timedelta(minutes=1)), now) != key
    assert history_key(history("C-1", promise_hours=31), now) != key
    assert history_key(base, now + timedelta(seconds=1)) != key
    # the same instants in another zone: due times would be given in that zone
    utc = history("C-1", received=T.astimezone(UTC))
    assert history_key(utc, now) != key
    assert history_key(base, now.astimezone(UTC)) != key


def test_events_after_now_are_not_in_the_key() -> None:
    whole = history("C-1")
    before = whole.events[-1].at - timedelta(seconds=1)
    assert history_key(whole, before) != history_key(whole, whole.events[-1].at)
    shorter = Complaint(whole.id, whole.intake, whole.events[:-1], whole.state)
    assert history_key(whole, before) == history_key(shorter, before)


def test_events_sharing_one_time_are_keyed_by_their_own_zone() -> None:
    # bulk intake gives every event of a complaint the one ``now`` object
    now = T + timedelta(minutes=5)
    c = Runner(PACK, intake(received_at=T)).complaint
    for command in (Register(actor="s-front"), Classify(actor="s-front")):
        c = evolve(c, decide(c, command, PACK, now))
    assert all(ev.at is now for ev in c.events)

    def moved(to: datetime) -> Complaint:
        return Complaint(c.id, c.intake, tuple(attrs.evolve(ev, at=to) for ev in c.events))

    def key(complaint: Complaint, at: datetime) -> tuple[object, ...]:
        found = history_key(complaint, at)
        assert isinstance(found, tuple)
        return found

    assert key(moved(now + timedelta(0)), now) == key(c, now)
    in_utc = key(moved(now.astimezone(UTC)), now)
    assert in_utc != key(c, now)
    assert in_utc[0] == key(c, now)[0]  # the same now, zoned alike
    # and the zone of now does not leak into the events' entries
    assert key(c, now.astimezone(UTC))[1:] == key(c, now)[1:]
