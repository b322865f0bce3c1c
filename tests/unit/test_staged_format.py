"""The pack format's staged parts: validation with key paths, parameters, indicators."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore import (
    Complainant,
    Intake,
    Register,
    ReportingPeriod,
    RulePackError,
    calendar_for_spec,
    decide,
    evolve,
    indicator_report,
    indicator_rows,
    indicators_to_json,
    load_pack,
    new_complaint,
)
from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError
from complaintcore.core.models import Complaint, EscalationRequested, Linked, Registered
from complaintcore.core.workflow import Acknowledge, Extend, RequestEscalation, Respond
from complaintcore.rules import load_pack_data
from complaintcore.serialization import event_to_dict, to_dict

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"


def _uk_data() -> dict[str, Any]:
    data: dict[str, Any] = to_dict(load_pack(UK))
    return data


def _problems(data: dict[str, Any], **params: str) -> dict[str, str]:
    with pytest.raises(RulePackError) as info:
        load_pack_data(data, "test", parameters=params or None)
    return {p.path: p.reason for p in info.value.problems}


# --------------------------------------------------------------------------- validation


def test_the_shipped_staged_packs_round_trip_through_data() -> None:
    for name in (UK, "scotland-spso", "iso-10002"):
        pack = load_pack(name)
        assert load_pack_data(to_dict(pack)) == pack


def test_stage_problems_are_named_by_key_path() -> None:
    data = _uk_data()
    data["stages"][0]["response_clock"] = "no_such_clock"
    data["stages"][1]["acknowledge_records"] = ["definition", "colour"]
    data["stages"][0]["request_limit"] = {"after_response": "2mo"}
    data["stages"].append({**data["stages"][1], "request_limit": {"action": "flag"}})
    found = _problems(data)
    assert found["stages[0].response_clock"] == "unknown clock 'no_such_clock'"
    assert "expected one of definition, remedy_sought" in found["stages[1].acknowledge_records[1]"]
    assert found["stages[0].request_limit"] == "nobody asks to escalate into the first stage"
    assert found["stages[2].code"] == "duplicate stage code 'stage_2'"
    assert "after_response, after_event or both" in found["stages[2].request_limit"]


def test_a_stages_handler_rung_is_a_rung_of_the_ladder() -> None:
    """The lowest rung that handles a stage (the SPSO's investigating officer at
    stage 2) is read from the pack and must be on its ladder."""
    spso = load_pack("scotland-spso")
    assert [s.handler_rung for s in spso.stages] == ["", "investigating_officer"]
    data = _uk_data()
    data["stages"][1]["handler_rung"] = "investigator"
    assert _problems(data)["stages[1].handler_rung"] == "unknown rung 'investigator'"


def test_extension_problems_are_named_by_key_path() -> None:
    data = _uk_data()
    data["clocks"][1]["extension"]["cap"] = "10h"
    data["clocks"][1]["extension"]["records"] = ["reason", "apology"]
    data["clocks"][0]["mode"] = "same_day"
    data["clocks"][0]["duration"] = None
    del data["clocks"][0]["duration"]
    data["clocks"][0]["extension"] = {"cap": "1d"}
    found = _problems(data)
    assert found["clocks[1].extension.cap"] == "clock stage_1_response is extended in working days"
    assert "expected one of reason, details, agreed_by" in found["clocks[1].extension.records[1]"]
    assert found["clocks[0].extension"] == "a same_day clock cannot be extended"


def test_time_bar_and_indicator_problems_are_named_by_key_path() -> None:
    data = _uk_data()
    data["time_bar"]["after"] = "6h"
    data["indicators"][0]["stage"] = "stage_9"
    data["indicators"][4]["clock"] = ""
    data["indicators"][4]["stage"] = ""
    data["indicators"][12]["outcome"] = None
    del data["indicators"][12]["outcome"]
    data["indicators"][1]["outcome"] = "upheld"
    found = _problems(data)
    assert found["time_bar.after"] == "expected a length in days or months"
    assert found["indicators[0].stage"] == "unknown stage 'stage_9'"
    assert found["indicators[4].clock"] == "name a clock, or a stage with a response_clock"
    assert found["indicators[12].outcome"] == "an outcome indicator needs the outcome it counts"
    assert found["indicators[1].outcome"] == "only an outcome indicator counts an outcome"


def test_a_pack_without_stages_cannot_count_them() -> None:
    data: dict[str, Any] = to_dict(load_pack("cn-property"))
    data["indicators"] = [{"code": "x", "zh": "甲", "en": "x", "kind": "responded"}]
    data["response"] = {"remedy_required": ["upheld"]}
    found = _problems(data)
    assert found["indicators[0].kind"] == "counts stages; the pack has none"
    assert "the pack has none" in found["response.remedy_required"]


# --------------------------------------------------------------------------- parameters


def test_parameters_fill_every_reference_and_are_kept_on_the_pack() -> None:
    iso = load_pack("iso-10002", parameters={"respond": "20d", "extension_cap": "5d"})
    assert str(iso.clock("response").duration) == "20d"
    extension = iso.clock("response").extension
    assert extension is not None
    assert str(extension.cap) == "5d"
    assert {p.name: p.value for p in iso.parameters}["respond"] == "20d"
    assert load_pack("iso-10002") is load_pack("iso-10002")  # the defaults stay cached
    assert str(load_pack("iso-10002").clock("response").duration) == "10d"


def test_parameter_problems_are_named() -> None:
    data: dict[str, Any] = {
        "name": "t",
        "title_zh": "t",
        "title_en": "t",
        "default_category": "other",
        "customer_service": "cs",
        "head_office_unit": "",
        "ladder": [{"code": "a", "zh": "a", "en": "a"}],
        "departments": [{"code": "cs", "zh": "cs", "en": "cs"}],
        "categories": [
            {"code": "other", "zh": "o", "en": "o", "cause": "software", "department": "${dept}"}
        ],
        "parameters": [{"name": "target", "value": "3d"}],
    }
    found = _problems(data, nothing="1d")
    assert found["parameters.nothing"] == "unknown parameter; the pack declares: target"
    assert found["categories[0].department"] == "unknown parameter 'dept'"
    with pytest.raises(RulePackError, match="the pack declares no parameters"):
        load_pack("cn-property", parameters={"respond": "1d"})


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        ("2025", "2025", (2025, 1), (2026, 1)),
        ("2025-Q1", "2025-Q1", (2025, 1), (2025, 4)),
        ("2025-q4", "2025-Q4", (2025, 10), (2026, 1)),
        ("2025-11", "2025-11", (2025, 11), (2025, 12)),
        ("2025-4", "2025-04", (2025, 4), (2025, 5)),
        ("2025-04..2026-03", "2025-04..2026-03", (2025, 4), (2026, 4)),
    ],
)
def test_reporting_periods(
    text: str, key: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    period = ReportingPeriod.parse(text, "Europe/London")
    assert period.key == key
    assert period.start == datetime(*start, 1, tzinfo=LONDON)
    assert period.end == datetime(*end, 1, tzinfo=LONDON)


@pytest.mark.parametrize("text", ["", "2025-Q5", "2025-13", "25", "2026-03..2025-04", "1969"])
def test_bad_reporting_periods_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ReportingPeriod.parse(text, "Europe/London")
    assert info.value.path == "period"


def test_a_naive_time_is_refused_by_a_period_not_placed_by_the_hosts_zone() -> None:
    """Where 00:30 on 1 April falls (March in UTC, April in London) depends on a zone
    a naive time does not say (review s32E: a bare ``TypeError`` naming nothing)."""
    period = ReportingPeriod.parse("2026-04", "Europe/London")
    assert datetime(2026, 4, 1, 0, 30, tzinfo=LONDON) in period
    assert datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")) in period
    assert "2026-04-01" not in period
    with pytest.raises(NaiveDatetimeError) as info:
        _ = datetime(2026, 4, 1, 0, 30) in period
    assert info.value.path == "t"


@pytest.mark.procedure("IMP-2")
def test_a_period_holds_its_first_instant_and_not_its_end() -> None:
    """A period is [its first midnight, the next period's) in the pack's zone
    (docs/statistics.md: figures count what falls "in the period"): midnight on 1
    December 2025 is December's, not November's too, and midnight on 1 January 2026
    2026's first quarter, not 2025's last (review s32G F06)."""
    nov = ReportingPeriod.parse("2025-11", "Asia/Shanghai")
    dec = ReportingPeriod.parse("2025-12", "Asia/Shanghai")
    q4 = ReportingPeriod.parse("2025-Q4", "Asia/Shanghai")
    year = ReportingPeriod.parse("2025", "Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    assert datetime(2025, 11, 1, 0, 0, tzinfo=shanghai) in nov
    assert datetime(2025, 11, 30, 23, 59, 59, tzinfo=shanghai) in nov
    assert datetime(2025, 12, 1, 0, 0, tzinfo=shanghai) not in nov
    assert datetime(2025, 12, 1, 0, 0, tzinfo=shanghai) in dec
    assert datetime(2026, 1, 1, 0, 0, tzinfo=shanghai) not in q4
    assert datetime(2026, 1, 1, 0, 0, tzinfo=shanghai) not in year
    # the same instant written in UTC: 16:00 the day before
    assert datetime(2025, 11, 30, 16, 0, tzinfo=ZoneInfo("UTC")) not in nov


# --------------------------------------------------------------------------- indicators


def _intake(received: datetime, phone: str = "+44 7700 900123") -> Intake:
    return Intake(
        complainant=Complainant("Alex Smith", phone, "Flat 4", site="elm-court"),
        channel="phone",
        received_at=received,
        receiver="CS-001",
        summary="Black mould in the bedroom",
        site="elm-court",
    )


def _run(cid: str, steps: list[tuple[Any, datetime]], received: datetime) -> Complaint:
    pack = load_pack(UK)
    c = new_complaint(cid, _intake(received))
    c = evolve(c, decide(c, Register(actor="CS-001"), pack, received))
    for command, at in steps:
        c = evolve(c, decide(c, command, pack, at))
    return c


def test_uk_indicators_for_a_quarter() -> None:
    """Two complaints in 2025-Q1, counted as the Code's annual figures count them."""
    d = lambda *a: datetime(*a, tzinfo=LONDON)  # noqa: E731
    # A: received Mon 6 Jan, acknowledged Fri 10 Jan (4 working days: met), answered
    # Mon 27 Jan: 10 working days after 10 January is Fri 24 January: missed.
    a = _run(
        "A",
        [
            (Acknowledge(actor="CO-101", definition="mould"), d(2025, 1, 10, 12)),
            (Respond(actor="CO-101", outcome="not_upheld", message="no fault"), d(2025, 1, 27, 9)),
        ],
        d(2025, 1, 6, 9),
    )
    # B: received Mon 3 Mar, acknowledged the same day, extended by 5 (due Mon 24 Mar),
    # answered Fri 21 Mar upheld with a remedy; the resident escalates on Mon 31 Mar.
    b = _run(
        "B",
        [
            (Acknowledge(actor="CO-101", definition="mould"), d(2025, 3, 3, 12)),
            (
                Extend(actor="CO-101", clock="stage_1_response", by="5d", reason="survey",
                       details="HOS"),
                d(2025, 3, 4, 9),
            ),
            (Respond(actor="CO-101", outcome="upheld", message="fixed", remedies=("£50",)),
             d(2025, 3, 21, 16)),
            (RequestEscalation(actor="CS-001"), d(2025, 3, 31, 10)),
        ],
        d(2025, 3, 3, 9),
    )  # fmt: skip
    pack = load_pack(UK)
    report = indicator_report(
        [a, b], pack, calendar_for_spec(pack.calendar), period="2025-Q1", now=d(2025, 6, 1)
    )
    f = {v.code: v for v in report.values}
    assert (f["stage_1_received"].count, f["stage_2_received"].count) == (2, 1)
    assert f["stage_1_responded"].count == 2
    assert (f["stage_1_acknowledged_in_time"].count, f["stage_1_acknowledged_in_time"].of) == (2, 2)
    assert (f["stage_1_in_time"].count, f["stage_1_in_time"].of) == (1, 2)
    assert (f["stage_1_extended"].count, f["stage_1_extended"].of) == (1, 2)
    # A: 6 Jan → 27 Jan is 15 working days; B: 3 Mar → 21 Mar is 14: average 14.5
    assert f["stage_1_average_days"].value == 14.5
    assert (f["stage_1_upheld"].value, f["stage_1_not_upheld"].value) == (0.5, 0.5)
    assert (f["remedies"].count, f["remedies"].of) == (1, 2)
    assert f["stage_2_acknowledged_in_time"].of == 0  # not stopped yet
    assert f["stage_2_acknowledged_in_time"].value is None
    data = indicators_to_json(report)
    assert data["period"] == {
        "key": "2025-Q1",
        "timezone": "Europe/London",
        "start": "2025-01-01T00:00:00+00:00",
        "end": "2025-04-01T00:00:00+01:00",
    }
    rows = indicator_rows(report)
    assert {r["code"] for r in rows} == {ind.code for ind in pack.indicators}
    assert "Alex" not in repr(data)


@pytest.mark.procedure("IMP-2")
def test_a_complaint_received_at_midnight_counts_in_one_quarter() -> None:
    """Received 00:00 on Tue 1 April 2025 (BST): a 2025-Q2 complaint, not also one
    of 2025-Q1 (review s32G F06)."""
    received = datetime(2025, 4, 1, 0, 0, tzinfo=LONDON)
    c = _run("M", [], received)
    pack = load_pack(UK)
    calendar = calendar_for_spec(pack.calendar)
    counted = {
        key: {
            v.code: v.count
            for v in indicator_report(
                [c], pack, calendar, period=key, now=datetime(2025, 6, 1, tzinfo=LONDON)
            ).values
        }["stage_1_received"]
        for key in ("2025-Q1", "2025-Q2", "2025-03", "2025-04")
    }
    assert counted == {"2025-Q1": 0, "2025-Q2": 1, "2025-03": 0, "2025-04": 1}


def test_a_pack_without_indicators_has_no_indicator_report() -> None:
    pack = load_pack("cn-property")
    with pytest.raises(InvalidInputError, match="declares no indicators"):
        indicator_report(
            [],
            pack,
            calendar_for_spec(pack.calendar),
            period="2025",
            now=datetime(2025, 6, 1, tzinfo=LONDON),
        )


# --------------------------------------------------------------------------- stored events


def test_an_unflagged_registration_encodes_as_before() -> None:
    """Registered.time_barred is left out while false: older events keep their bytes."""
    at = datetime(2025, 3, 3, 9, tzinfo=LONDON)
    plain = event_to_dict(Registered(at=at, actor="s", unit="customer_service"))
    assert "time_barred" not in plain
    flagged = event_to_dict(Registered(at=at, actor="s", unit="customer_service", time_barred=True))
    assert flagged["time_barred"] is True


def test_a_link_without_the_matters_promise_encodes_as_before() -> None:
    """Linked.promise_not_kept (GRD-2) is left out while false: older links keep their bytes."""
    at = datetime(2025, 3, 3, 9, tzinfo=LONDON)
    plain = event_to_dict(Linked(at=at, actor="s", same_room=("C-1",), raisings=2))
    assert "promise_not_kept" not in plain
    flagged = event_to_dict(Linked(at=at, actor="s", repeated_by="C-2", promise_not_kept=True))
    assert flagged["promise_not_kept"] is True


def test_a_late_request_is_flagged_when_the_pack_says_flag() -> None:
    """The same limit as scotland-spso's, but ``action = "flag"``: accepted and marked late."""
    data: dict[str, Any] = to_dict(load_pack("scotland-spso"))
    data["stages"][1]["request_limit"]["action"] = "flag"
    pack = load_pack_data(data)
    received = datetime(2025, 1, 6, 10, tzinfo=LONDON)
    c = new_complaint("C-1", _intake(received))
    c = evolve(c, decide(c, Register(actor="FS-001"), pack, received))
    answered = datetime(2025, 1, 8, 10, tzinfo=LONDON)
    c = evolve(
        c, decide(c, Respond(actor="FS-001", outcome="upheld", message="done"), pack, answered)
    )
    # no occurred_at: only "2 months after the stage 1 response" applies, to the end
    # of 8 March (a date: the hour of the response does not cut the last day short)
    for when, late in ((datetime(2025, 3, 8, 23, 59, tzinfo=LONDON), False),
                       (datetime(2025, 3, 9, 0, 0, tzinfo=LONDON), True)):  # fmt: skip
        (event,) = decide(c, RequestEscalation(actor="FS-001"), pack, when)
        assert isinstance(event, EscalationRequested)
        assert event.late is late


def test_a_complaint_sent_straight_to_stage_2_is_not_judged_at_stage_1() -> None:
    """SPSO: a complex complaint goes to stage 2 at once; its stage 1 clock stops there and
    the quarter judges only the stage 2 response (20 working days from receipt)."""
    pack = load_pack("scotland-spso")
    received = datetime(2025, 1, 6, 10, tzinfo=LONDON)  # Monday
    c = new_complaint("C-1", _intake(received))
    c = evolve(c, decide(c, Register(actor="FS-001"), pack, received))
    c = evolve(c, decide(c, RequestEscalation(actor="FS-001"), pack, received))
    answered = datetime(2025, 1, 31, 12, tzinfo=LONDON)  # Friday: 19 working days
    c = evolve(
        c, decide(c, Respond(actor="IO-201", outcome="partly_upheld", message="x"), pack, answered)
    )
    report = indicator_report(
        [c],
        pack,
        calendar_for_spec(pack.calendar),
        period="2025-Q1",
        now=datetime(2025, 4, 1, tzinfo=LONDON),
    )
    f = {v.code: v for v in report.values}
    assert (f["stage_1_within_5_days"].count, f["stage_1_within_5_days"].of) == (0, 0)
    assert (f["stage_2_within_20_days"].count, f["stage_2_within_20_days"].of) == (1, 1)
    assert (f["received"].count, f["stage_2_closed"].count, f["stage_1_closed"].count) == (1, 1, 0)
    assert f["stage_2_average_days"].value == 19.0


def test_a_pack_without_stages_offers_no_staged_commands() -> None:
    """The Chinese packs behave as before: the staged steps are not among the allowed,
    but for acknowledging receipt to the complainant (HDL-1)."""
    from complaintcore import IllegalTransitionError, allowed_commands

    received = datetime(2025, 3, 3, 9, tzinfo=LONDON)
    cn = load_pack("cn-property")
    c = new_complaint("C-1", _intake(received, phone="13812345678"))
    c = evolve(c, decide(c, Register(actor="SR-103"), cn, received))
    staged = {"request_escalation", "extend", "respond"}
    assert not staged & allowed_commands(c, cn)
    assert "acknowledge" in allowed_commands(c, cn)
    assert {*staged, "acknowledge"} <= allowed_commands(c, load_pack(UK))
    # refused as the pack's, not the status's: no status takes it (review s58R4 F02)
    with pytest.raises(IllegalTransitionError, match="pack cn-property has no stages") as info:
        decide(c, Respond(actor="SR-103", outcome="upheld", message="done"), cn, received)
    assert "allowed now" not in info.value.reason
    assert not info.value.of_state
    (event,) = decide(c, Acknowledge(actor="SR-103"), cn, received)
    assert event.tags() == ("acknowledged",)
