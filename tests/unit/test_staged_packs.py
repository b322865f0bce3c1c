"""Laws of the staged packs, each checked against the code's own text.

Due times are recomputed here from the published time limits with the
``holidays`` package directly (never with the library's calendar): a working day
is a weekday that is not a bank holiday of the pack's country, the day of receipt
does not count, and the n-th working day after it ends at the close of the pack's
working hours.  Extensions, the different person at stage 2 and the time limits
are checked the same way, from the facts of issue 14 (docs/rule-packs.md).
"""

from __future__ import annotations

import calendar as stdcal
import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from complaintcore import (
    AccessDeniedError,
    Assign,
    Complainant,
    Intake,
    Register,
    calendar_for_spec,
    compute_clocks,
    decide,
    evolve,
    load_pack,
    new_complaint,
)
from complaintcore.core.errors import IllegalTransitionError, InvalidInputError, TimeBarredError
from complaintcore.core.models import Complaint, EscalationRequested, Outcome
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Acknowledge, Command, Extend, RequestEscalation, Respond

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
UK = "uk-housing-ombudsman-2024"
SPSO = "scotland-spso"
ISO = "iso-10002"


# ------------------------------------------------------------------- the independent reckoning


@functools.cache
def _days_off(country: str, subdiv: str | None) -> frozenset[date]:
    source = holidays.country_holidays(country, subdiv=subdiv, years=range(2023, 2032))
    return frozenset(source)


@functools.cache
def _makeup_days(country: str) -> frozenset[date]:
    source = holidays.country_holidays(country, years=range(2023, 2032))
    return frozenset(getattr(source, "weekend_workdays", ()))


def _working(d: date, country: str, subdiv: str | None) -> bool:
    if d in _makeup_days(country):
        return True
    return d.weekday() < 5 and d not in _days_off(country, subdiv)


def nth_working_day_close(
    t: datetime, n: int, *, country: str, subdiv: str | None, tz: ZoneInfo, close: time
) -> datetime:
    """Closing time of the n-th working day after ``t``'s local date (that date never counts)."""
    d = t.astimezone(tz).date()
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        counted += _working(d, country, subdiv)
    return datetime.combine(d, close, tzinfo=tz)


def england(t: datetime, n: int) -> datetime:
    """The Housing Ombudsman Code's "n working days": England and Wales bank holidays."""
    return nth_working_day_close(t, n, country="GB", subdiv="ENG", tz=LONDON, close=time(17))


def scotland(t: datetime, n: int) -> datetime:
    """The SPSO's "n working days": Scotland's bank holidays."""
    return nth_working_day_close(t, n, country="GB", subdiv="SCT", tz=LONDON, close=time(17))


def china(t: datetime, n: int) -> datetime:
    """ISO 10002's default calendar: China's holidays and make-up working days (调休)."""
    return nth_working_day_close(t, n, country="CN", subdiv=None, tz=SHANGHAI, close=time(18))


def last_day(t: datetime, months: int, tz: ZoneInfo) -> date:
    """The last day of a limit of ``months`` from ``t``'s date in ``tz``: the same day of
    the month ``months`` later, or that month's last day if shorter.  The whole of it is
    within the limit (a complainant counts dates, not hours)."""
    local = t.astimezone(tz).date()
    y, m = divmod(local.month - 1 + months, 12)
    year, month = local.year + y, m + 1
    return local.replace(
        year=year, month=month, day=min(local.day, stdcal.monthrange(year, month)[1])
    )


def too_late(t: datetime, start: datetime, months: int) -> bool:
    """Whether ``t`` falls after the last day of ``months`` from ``start`` (London dates)."""
    return t.astimezone(LONDON).date() > last_day(start, months, LONDON)


# --------------------------------------------------------------------------- strategies


def moments(tz: ZoneInfo, first: int = 2024, last: int = 2029) -> st.SearchStrategy[datetime]:
    """Any minute of any day (weekends, bank holidays and nights included)."""
    return st.builds(
        lambda d, minute: datetime.combine(d, time(minute // 60, minute % 60), tzinfo=tz),
        st.dates(date(first, 1, 1), date(last, 6, 30)),
        st.integers(0, 24 * 60 - 1),
    )


def _intake(received: datetime, occurred: datetime | None = None) -> Intake:
    return Intake(
        complainant=Complainant("Alex Smith", "+44 7700 900123", "Flat 4", site="elm-court"),
        channel="phone",
        received_at=received,
        receiver="CS-001",
        summary="Black mould in the bedroom",
        site="elm-court",
        occurred_at=occurred,
    )


def _apply(c: Complaint, pack: RulePack, command: Command, at: datetime) -> Complaint:
    return evolve(c, decide(c, command, pack, at))


def _registered(pack: RulePack, received: datetime) -> Complaint:
    return _apply(new_complaint("C-1", _intake(received)), pack, Register(actor="CS-001"), received)


def _due(c: Complaint, pack: RulePack, name: str, now: datetime) -> datetime | None:
    calendar = calendar_for_spec(pack.calendar)
    found = {s.name: s for s in compute_clocks(c, pack, calendar, now)}
    return found[name].due


# --------------------------------------------------------------------------- UK: due times


@given(
    received=moments(LONDON),
    delay=st.integers(0, 9 * 24 * 60),
    extension=st.integers(0, 10),
)
def test_uk_due_times_follow_the_code(received: datetime, delay: int, extension: int) -> None:
    """HOC 6.2: acknowledged within 5 working days of receipt; 6.3: answered within 10
    working days of the acknowledgement (not of receipt), or of the day the
    acknowledgement was due if it came later; 6.4: extended by up to 10."""
    pack = load_pack(UK)
    c = _registered(pack, received)
    assert _due(c, pack, "stage_1_acknowledge", received) == england(received, 5)
    acknowledged = received + timedelta(minutes=delay)
    c = _apply(c, pack, Acknowledge(actor="CO-101", definition="mould"), acknowledged)
    counted_from = min(acknowledged, england(received, 5))
    assert _due(c, pack, "stage_1_response", acknowledged) == england(counted_from, 10)
    if extension:
        command = Extend(
            actor="CO-101",
            clock="stage_1_response",
            by=f"{extension}d",
            reason="a damp survey",
            details="the Housing Ombudsman's details",
        )
        c = _apply(c, pack, command, acknowledged)
        assert _due(c, pack, "stage_1_response", acknowledged) == england(
            counted_from, 10 + extension
        )


@given(received=moments(LONDON))
def test_uk_stage_1_can_reach_15_working_days_from_receipt(received: datetime) -> None:
    """Acknowledged on the last day allowed, the response is due 15 working days after receipt."""
    pack = load_pack(UK)
    c = _registered(pack, received)
    last_moment = england(received, 5) - timedelta(minutes=1)
    c = _apply(c, pack, Acknowledge(actor="CO-101", definition="mould"), last_moment)
    assert _due(c, pack, "stage_1_response", last_moment) == england(received, 15)


@given(
    received=moments(LONDON),
    answered=st.integers(0, 30 * 24 * 60),
    requested=st.integers(0, 60 * 24 * 60),
    delay=st.integers(0, 9 * 24 * 60),
)
def test_uk_stage_2_counts_from_the_request_and_the_acknowledgement(
    received: datetime, answered: int, requested: int, delay: int
) -> None:
    """HOC 6.11: stage 2 acknowledged within 5 working days of the escalation request;
    6.14: answered within 20 working days of that acknowledgement (or of the day it
    was due, if it came later)."""
    pack = load_pack(UK)
    c = _registered(pack, received)
    c = _apply(c, pack, Acknowledge(actor="CO-101", definition="mould"), received)
    at = received + timedelta(minutes=answered)
    c = _apply(c, pack, Respond(actor="CO-101", outcome="not_upheld", message="no fault"), at)
    request = at + timedelta(minutes=requested)
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), request)
    assert c.state.stage == "stage_2"
    assert _due(c, pack, "stage_2_acknowledge", request) == england(request, 5)
    acknowledged = request + timedelta(minutes=delay)
    c = _apply(c, pack, Acknowledge(actor="CM-301", definition="wants a review"), acknowledged)
    counted_from = min(acknowledged, england(request, 5))
    assert _due(c, pack, "stage_2_response", acknowledged) == england(counted_from, 20)


# --------------------------------------------------------------------------- SPSO: due times


@given(
    received=moments(LONDON),
    requested=st.integers(0, 30 * 24 * 60),
    extension=st.integers(0, 5),
)
def test_spso_due_times_follow_the_model_procedure(
    received: datetime, requested: int, extension: int
) -> None:
    """Stage 1 within 5 working days; stage 2 acknowledged within 3 and answered within
    20 working days of receipt at stage 2; an agreed extension moves the due time on."""
    pack = load_pack(SPSO)
    c = _registered(pack, received)
    assert _due(c, pack, "stage_1_response", received) == scotland(received, 5)
    if extension:
        command = Extend(
            actor="FS-001",
            clock="stage_1_response",
            by=f"{extension}d",
            reason="waiting for a contractor's report",
            agreed_by="SM-301",
        )
        c = _apply(c, pack, command, received)
        assert _due(c, pack, "stage_1_response", received) == scotland(received, 5 + extension)
    request = received + timedelta(minutes=requested)
    c = _apply(c, pack, RequestEscalation(actor="FS-001"), request)
    assert _due(c, pack, "stage_2_acknowledge", request) == scotland(request, 3)
    assert _due(c, pack, "stage_2_response", request) == scotland(request, 20)


# ------------------------------------------------------------------- ISO: targets as parameters


@given(
    received=moments(SHANGHAI, 2024, 2026),
    respond=st.integers(1, 30),
    extension=st.integers(0, 10),
)
def test_iso_response_due_is_the_organisations_target(
    received: datetime, respond: int, extension: int
) -> None:
    """The response target is the ``respond`` parameter, in working days on the
    calendar the template names (China by default, make-up days included)."""
    pack = load_pack(ISO, parameters={"respond": f"{respond}d"})
    c = _registered(pack, received)
    assert _due(c, pack, "response", received) == china(received, respond)
    if extension:
        command = Extend(actor="CS-101", clock="response", by=f"{extension}d", reason="tests")
        c = _apply(c, pack, command, received)
        assert _due(c, pack, "response", received) == china(received, respond + extension)


# --------------------------------------------------------------------------- extensions


@given(
    received=moments(LONDON),
    steps=st.lists(
        st.tuples(st.integers(1, 12), st.integers(0, 3 * 24 * 60), st.booleans()), max_size=6
    ),
)
def test_an_extension_past_the_cap_needs_who_accepted_the_good_reason(
    received: datetime, steps: list[tuple[int, int, bool]]
) -> None:
    """HOC 6.4: extensions of the stage 1 response add up to no more than 10 working days
    without good reason; one that would go past them is refused unless it records who
    accepted the reason (``agreed_by``), and is then granted in full."""
    pack = load_pack(UK)
    c = _registered(pack, received)
    c = _apply(c, pack, Acknowledge(actor="CO-101", definition="mould"), received)
    at, granted = received, 0
    for days, wait, accepted in steps:
        at += timedelta(minutes=wait)
        command = Extend(
            actor="CO-101",
            clock="stage_1_response",
            by=f"{days}d",
            reason="a damp survey",
            details="the Housing Ombudsman's details",
            agreed_by="HM-201" if accepted else "",
        )
        if granted + days > 10 and not accepted:
            with pytest.raises(InvalidInputError, match="past 10d") as refused:
                decide(c, command, pack, at)
            assert refused.value.path == "agreed_by"
            continue
        c = _apply(c, pack, command, at)
        granted += days
    assert _due(c, pack, "stage_1_response", at) == england(received, 10 + granted)


@given(
    received=moments(LONDON),
    steps=st.lists(st.tuples(st.integers(1, 7), st.integers(0, 2 * 24 * 60)), max_size=4),
)
def test_spso_frontline_extensions_stop_at_10_working_days_from_receipt(
    received: datetime, steps: list[tuple[int, int]]
) -> None:
    """SPSO MCHP stage 1: an extension, agreed by a manager, of no more than 5 working
    days: the frontline response is never due more than 10 working days after receipt;
    one that would go past is refused (the complaint goes to stage 2 instead)."""
    pack = load_pack(SPSO)
    c = _registered(pack, received)
    at, granted = received, 0
    for days, wait in steps:
        at += timedelta(minutes=wait)
        command = Extend(
            actor="FS-001", clock="stage_1_response", by=f"{days}d", reason="r", agreed_by="SM"
        )
        if granted + days > 5:
            with pytest.raises(InvalidInputError, match="5d at most"):
                decide(c, command, pack, at)
            continue
        c = _apply(c, pack, command, at)
        granted += days
    due = _due(c, pack, "stage_1_response", at)
    assert due == scotland(received, 5 + granted)
    assert due <= scotland(received, 10)


@given(reason=st.sampled_from(["", "  "]), details=st.sampled_from(["", "HOS details"]))
def test_an_extension_without_its_reasons_is_refused(reason: str, details: str) -> None:
    """HOC 6.4-6.5: an extension needs the reasons and the Ombudsman's details."""
    pack = load_pack(UK)
    received = datetime(2025, 3, 3, 10, tzinfo=LONDON)
    c = _registered(pack, received)
    c = _apply(c, pack, Acknowledge(actor="CO-101", definition="mould"), received)
    command = Extend(
        actor="CO-101", clock="stage_1_response", by="5d", reason=reason, details=details
    )
    with pytest.raises(ValueError, match="needs it recorded"):
        decide(c, command, pack, received)


# --------------------------------------------------------------------------- a different person


_STAFF = ("CO-101", "CM-301", "RP-101", "RP-201", "HM-201", "IN-101")


@given(
    first=st.lists(st.sampled_from(_STAFF), min_size=1, max_size=3),
    responder=st.sampled_from(_STAFF),
    second=st.lists(st.sampled_from(_STAFF), min_size=1, max_size=6),
)
def test_stage_2_never_has_the_stage_1_handler(
    first: list[str], responder: str, second: list[str]
) -> None:
    """HOC 6.13: whoever handled or answered stage 1 is refused at stage 2, anyone else
    is accepted; so no stage 2 assignment or response is by a stage 1 handler."""
    pack = load_pack(UK)
    at = datetime(2025, 3, 3, 10, tzinfo=LONDON)
    c = _registered(pack, at)
    for handler in first:
        at += timedelta(hours=1)
        c = _apply(c, pack, Assign(actor="CS-001", handler=handler, rung="complaints_officer"), at)
    at += timedelta(hours=1)
    c = _apply(c, pack, Respond(actor=responder, outcome="not_upheld", message="no fault"), at)
    at += timedelta(days=2)
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), at)
    stage_1 = {*first, responder}
    for handler in second:
        at += timedelta(hours=1)
        command = Assign(actor="CS-001", handler=handler, rung="complaints_officer")
        if handler in stage_1:
            with pytest.raises(AccessDeniedError, match="different person"):
                decide(c, command, pack, at)
        else:
            c = _apply(c, pack, command, at)
    answer = Respond(actor=second[-1], outcome="upheld", message="put right", remedies=("£50",))
    if second[-1] in stage_1:
        with pytest.raises(AccessDeniedError):
            decide(c, answer, pack, at)
    else:
        c = _apply(c, pack, answer, at)
    in_stage_2 = False
    for event in c.events:
        in_stage_2 = in_stage_2 or isinstance(event, EscalationRequested)
        handler = getattr(event, "handler", None) or (
            event.actor if event.kind == "responded" else None
        )
        if in_stage_2 and handler is not None:
            assert handler not in stage_1


# --------------------------------------------------------------------------- time limits


@given(occurred=moments(LONDON, 2024, 2026), gap=st.integers(0, 800 * 24 * 60))
def test_uk_flags_a_complaint_older_than_12_months(occurred: datetime, gap: int) -> None:
    """HOC 2.2: an issue that arose more than 12 months before the complaint is flagged
    (the landlord decides whether to exclude it), never refused."""
    pack = load_pack(UK)
    received = occurred + timedelta(minutes=gap)
    c = new_complaint("C-1", _intake(received, occurred))
    c = _apply(c, pack, Register(actor="CS-001"), received)
    assert c.state.time_barred is too_late(received, occurred, 12)


@given(occurred=moments(LONDON, 2024, 2026), gap=st.integers(0, 400 * 24 * 60))
def test_spso_refuses_a_complaint_made_after_6_months(occurred: datetime, gap: int) -> None:
    """SPSO: complaints must be made within 6 months; a later one is refused at intake."""
    pack = load_pack(SPSO)
    received = occurred + timedelta(minutes=gap)
    c = new_complaint("C-1", _intake(received, occurred))
    late = too_late(received, occurred, 6)
    if late:
        with pytest.raises(TimeBarredError, match="6 months"):
            decide(c, Register(actor="FS-001"), pack, received)
    else:
        c = _apply(c, pack, Register(actor="FS-001"), received)
        assert not c.state.time_barred


@given(
    occurred_before=st.integers(0, 170 * 24 * 60),
    answered=st.integers(0, 30 * 24 * 60),
    requested=st.integers(0, 250 * 24 * 60),
)
def test_spso_escalation_within_6_months_or_2_months_after_stage_1(
    occurred_before: int, answered: int, requested: int
) -> None:
    """SPSO: a request to escalate comes within 6 months of the event or 2 months after
    the stage 1 response, whichever is later; a later one is refused."""
    pack = load_pack(SPSO)
    received = datetime(2025, 1, 6, 10, tzinfo=LONDON)
    occurred = received - timedelta(minutes=occurred_before)
    assume(not too_late(received, occurred, 6))
    c = new_complaint("C-1", _intake(received, occurred))
    c = _apply(c, pack, Register(actor="FS-001"), received)
    response = received + timedelta(minutes=answered)
    c = _apply(c, pack, Respond(actor="FS-001", outcome="not_upheld", message="no"), response)
    request = response + timedelta(minutes=requested)
    if too_late(request, response, 2) and too_late(request, occurred, 6):
        with pytest.raises(TimeBarredError, match="time limit"):
            decide(c, RequestEscalation(actor="FS-001"), pack, request)
    else:
        c = _apply(c, pack, RequestEscalation(actor="FS-001"), request)
        assert c.state.stage == "stage_2"


# --------------------------------------------------------------------------- outcomes and remedies


@pytest.mark.parametrize("outcome", list(Outcome))
def test_uk_remedies_are_recorded_when_upheld(outcome: Outcome) -> None:
    """HOC 7.1-7.4: a complaint upheld in whole or part records the remedy."""
    pack = load_pack(UK)
    at = datetime(2025, 3, 3, 10, tzinfo=LONDON)
    c = _registered(pack, at)
    bare = Respond(actor="CO-101", outcome=outcome, message="our answer")
    if outcome in (Outcome.UPHELD, Outcome.PARTLY_UPHELD):
        with pytest.raises(ValueError, match="remedy"):
            decide(c, bare, pack, at)
        bare = Respond(actor="CO-101", outcome=outcome, message="our answer", remedies=("£50",))
    c = _apply(c, pack, bare, at)
    assert (c.state.outcome, c.status.value) == (outcome, "closed")


def test_uk_has_exactly_two_stages_and_no_third() -> None:
    """HOC 5.2-5.3: two stages; asking to escalate from stage 2 is refused."""
    pack = load_pack(UK)
    assert [s.code for s in pack.stages] == ["stage_1", "stage_2"]
    at = datetime(2025, 3, 3, 10, tzinfo=LONDON)
    c = _registered(pack, at)
    c = _apply(c, pack, RequestEscalation(actor="CS-001"), at)
    with pytest.raises(IllegalTransitionError, match="last stage"):
        decide(c, RequestEscalation(actor="CS-001"), pack, at)
