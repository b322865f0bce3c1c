"""Review s51R5: the Housing Ombudsman and ISO 10002 packs' indicators name their rule
(F01), and ISO 10002's "decisions with a remedy" counts the decisions "decisions given"
counts (F02).

Expected rules are written out by hand from the packs' own ``rule`` fields and header
clause lists (docs/rule-packs.md): a UK figure cites its stage ("HOC 6.2-6.5" for
stage 1, "HOC 6.11-6.16" for stage 2) where no narrower paragraph is the pack's; ISO
10002 cites 8.2 (receipt), 8.7 (the decision, its outcome, remedies and extensions) and
8.9 (closing and the review).  Dates are counted by hand on the England and Wales
calendar, Monday to Friday, 09:00-12:00 and 13:00-18:00 (the ISO pack's windows); a
working-day deadline ends at the close of the n-th working day after the day it counts
from.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore import calendar_for_spec, indicator_report, load_pack
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import (
    Acknowledge,
    Assess,
    Close,
    Extend,
    RequestEscalation,
    Respond,
)
from tests.unit.test_indicator_counts import _registered, _step, lon

LONDON = ZoneInfo("Europe/London")
UK = "uk-housing-ombudsman-2024"
ISO = "iso-10002"
ISO_IN_ENGLAND = {"country": "GB-ENG", "timezone": "Europe/London"}

# --------------------------------------------------------------------------- F01

HOC_STAGE_1 = "HOC 6.2-6.5"
HOC_STAGE_2 = "HOC 6.11-6.16"

# every indicator the pack declares, in its order: those that cited a paragraph
# before as they were; the counts, averages and outcomes their stage's rule
UK_INDICATOR_RULES = [
    ("stage_1_received", HOC_STAGE_1),
    ("stage_2_received", HOC_STAGE_2),
    ("stage_1_responded", HOC_STAGE_1),
    ("stage_2_responded", HOC_STAGE_2),
    ("stage_1_acknowledged_in_time", "HOC 6.2"),
    ("stage_1_in_time", "HOC 6.3-6.5"),
    ("stage_2_acknowledged_in_time", "HOC 6.11"),
    ("stage_2_in_time", "HOC 6.14-6.16"),
    ("stage_1_extended", "HOC 6.4"),
    ("stage_2_extended", "HOC 6.15"),
    ("stage_1_average_days", HOC_STAGE_1),
    ("stage_2_average_days", HOC_STAGE_2),
    ("stage_1_upheld", HOC_STAGE_1),
    ("stage_1_partly_upheld", HOC_STAGE_1),
    ("stage_1_not_upheld", HOC_STAGE_1),
    ("stage_2_upheld", HOC_STAGE_2),
    ("stage_2_partly_upheld", HOC_STAGE_2),
    ("stage_2_not_upheld", HOC_STAGE_2),
    ("remedies", "HOC 7.1-7.4"),
    ("time_barred", "HOC 2.2"),
]

# the pack's header: 8.2 receipt, 8.7 response (the decision and any remedy),
# 8.9 closing and the review of a decision not accepted
ISO_INDICATOR_RULES = [
    ("received", "ISO 10002 8.2"),
    ("acknowledged_in_time", "ISO 10002 8.4"),
    ("assessed_in_time", "ISO 10002 8.5"),
    ("responded", "ISO 10002 8.7"),
    ("responded_in_time", "ISO 10002 8.7"),
    ("average_days", "ISO 10002 8.7"),
    ("extended", "ISO 10002 8.7"),
    ("upheld", "ISO 10002 8.7"),
    ("partly_upheld", "ISO 10002 8.7"),
    ("not_upheld", "ISO 10002 8.7"),
    ("remedies", "ISO 10002 8.7"),
    ("reviews", "ISO 10002 8.9"),
    ("reviews_answered", "ISO 10002 8.9"),
    ("reviews_answered_in_time", "ISO 10002 8.9"),
    ("closed", "ISO 10002 8.9"),
]


EACH_PACK = pytest.mark.parametrize(
    ("name", "expected"), [(UK, UK_INDICATOR_RULES), (ISO, ISO_INDICATOR_RULES)]
)


@pytest.mark.procedure("IMP-2")
@EACH_PACK
def test_every_indicator_of_the_uk_and_iso_packs_names_its_rule(
    name: str, expected: list[tuple[str, str]]
) -> None:
    """10 of 20 UK and 8 of 13 ISO indicators had no rule (the report's Rule "-")."""
    pack = load_pack(name)
    assert [(i.code, i.rule) for i in pack.indicators] == expected


@pytest.mark.procedure("IMP-2")
@EACH_PACK
def test_an_empty_month_report_carries_each_indicators_rule(
    name: str, expected: list[tuple[str, str]]
) -> None:
    """The report's rows (table Rule column, CSV and JSON ``rule``) are the
    indicators' own: an empty desk's 2027-01 has a row, with its rule, for each."""
    pack = load_pack(name)
    report = indicator_report(
        [],
        pack,
        calendar_for_spec(pack.calendar),
        period="2027-01",
        now=datetime(2027, 3, 1, 9, tzinfo=LONDON),
    )
    assert [(v.code, v.rule) for v in report.values] == expected


# --------------------------------------------------------------------------- F02


def _review_scenario() -> tuple[RulePack, list[Complaint]]:
    """The review's iso_month.sh, I1 and I2.

    I1: received Thu 24 Dec 2026 16:00, decided upheld with a remedy Tue 12 Jan 2027,
    closed (accepted) Wed 13 Jan.
    I2: received Sat 2 Jan 2027, response extended by 5 days, decided not upheld
    Thu 21 Jan; review requested Mon 25 Jan; the review's 10 working days are 26-29
    Jan, 1-5 Feb, 8 Feb: due Mon 8 Feb 18:00; answered partly upheld with a remedy
    Tue 9 Feb, a day late.
    """
    iso = load_pack(ISO, parameters=ISO_IN_ENGLAND)
    i1 = _registered(iso, "I1", lon(2026, 12, 24, 16))
    i1 = _step(
        i1, iso, Acknowledge(actor="RP-101", remedy_sought="refund"), lon(2026, 12, 29, 10, 30)
    )
    i1 = _step(i1, iso, Assess(actor="RP-101", validity="valid"), lon(2026, 12, 29, 17))
    upheld = Respond(actor="RP-101", outcome="upheld", message="refunded", remedies=("refund",))
    i1 = _step(i1, iso, upheld, lon(2027, 1, 12, 17))
    accepted = Close(actor="RP-101", result="accepted", confirmed_by_complainant=True)
    i1 = _step(i1, iso, accepted, lon(2027, 1, 13, 10))
    i2 = _registered(iso, "I2", lon(2027, 1, 2, 10))
    i2 = _step(i2, iso, Assess(actor="RP-102", validity="valid"), lon(2027, 1, 4, 11))
    i2 = _step(i2, iso, Acknowledge(actor="RP-102", remedy_sought="done"), lon(2027, 1, 4, 14, 30))
    i2 = _step(
        i2,
        iso,
        Extend(actor="RP-102", clock="response", by="5d", reason="parts"),
        lon(2027, 1, 11, 10),
    )
    i2 = _step(
        i2, iso, Respond(actor="RP-102", outcome="not_upheld", message="no"), lon(2027, 1, 21, 10)
    )
    i2 = _step(i2, iso, RequestEscalation(actor="CS-101"), lon(2027, 1, 25, 10))
    partly = Respond(
        actor="CM-301", outcome="partly_upheld", message="partly", remedies=("voucher",)
    )
    i2 = _step(i2, iso, partly, lon(2027, 2, 9, 10))
    return iso, [i1, i2]


def _figures(period: str) -> dict[str, tuple[int, int | None]]:
    iso, complaints = _review_scenario()
    report = indicator_report(
        complaints, iso, calendar_for_spec(iso.calendar), period=period, now=lon(2027, 3, 1, 9)
    )
    return {v.code: (v.count, v.of) for v in report.values}


@pytest.mark.procedure("IMP-2")
def test_february_2027_counts_no_decision_with_a_remedy_beside_no_decision_given() -> None:
    """February 2027 by hand: no complaint-stage decision (I1 and I2 were decided in
    January), so "decisions with a remedy" is 0 of 0 (shown "—"), not 1 of 1 from I2's
    review answer; that answer is a review decision given, 0 of 1 within the target."""
    f = _figures("2027-02")
    assert f["responded"] == (0, None)
    assert f["remedies"] == (0, 0)
    assert f["reviews_answered"] == (1, None)
    assert f["reviews_answered_in_time"] == (0, 1)


@pytest.mark.procedure("IMP-2")
def test_january_2027_decisions_and_remedies_count_the_same_responses() -> None:
    """January 2027 by hand: decisions given I1 (12 Jan) and I2 (21 Jan): 2; with a
    remedy I1's refund: 1 of 2; review requested 1 (I2, 25 Jan), none answered."""
    f = _figures("2027-01")
    assert f["responded"] == (2, None)
    assert f["remedies"] == (1, 2)
    assert f["reviews"] == (1, None)
    assert f["reviews_answered"] == (0, None)
    assert f["reviews_answered_in_time"] == (0, 0)
