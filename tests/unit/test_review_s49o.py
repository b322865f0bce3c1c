"""Review s49O: times are given in the pack's zone whatever offset they were typed with.

F01: a monthly (and an indicators) report made with a UTC ``now`` says "as at" in
Asia/Shanghai time under the header naming that zone.  By hand: 2026-01-31T18:00Z
is 1 February 02:00 in Shanghai (UTC+8), after January ended.

F02: the due time of an elapsed-time clock is given in the pack's zone, as the
working-time clocks' are.  By hand, a complaint received by another unit at
2026-01-31T16:30Z, i.e. Sunday 1 February 00:30 in Shanghai: IN-5's 24 hours end
Monday 2 February 00:30+08:00; DL-6's month (counted in the pack's zone,
docs/clocks.md "months") ends Sunday 1 March 00:30+08:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.cli.report_html import render_html
from complaintcore.core.deadlines import ClockStatus, compute_clock
from complaintcore.core.indicators import indicator_report, indicators_to_json
from complaintcore.core.stats import monthly_report, to_json_dict
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from tests.helpers import Runner, intake, pack

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)
RECEIVED_UTC = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)  # Sun 1 Feb 00:30 in Shanghai
EIGHT_HOURS = timedelta(hours=8)


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IMP-2")
def test_html_report_gives_figures_as_at_in_the_pack_zone() -> None:
    now = datetime(2026, 1, 31, 18, 0, tzinfo=UTC)
    report = monthly_report([], PACK, CAL, year=2026, month=1, now=now)
    page = render_html(report, PACK, lang="en")
    assert "Time zone: Asia/Shanghai · Figures as at: 2026-02-01T02:00+08:00 ·" in page
    assert "2026-01-31T18:00" not in page


@pytest.mark.procedure("IMP-2")
def test_report_json_now_carries_the_pack_zone_offset() -> None:
    now = datetime(2026, 1, 31, 18, 0, tzinfo=UTC)
    report = monthly_report([], PACK, CAL, year=2026, month=1, now=now)
    assert to_json_dict(report)["now"] == "2026-02-01T02:00:00+08:00"
    assert report.now == now  # the same instant


def test_indicator_report_now_is_in_the_pack_zone() -> None:
    iso = load_pack("iso-10002", parameters={"timezone": "Europe/London", "country": "GB-ENG"})
    cal = calendar_for_spec(iso.calendar)
    # 23:30Z on 30 June is 00:30 BST on 1 July (UTC+1): the next quarter's first day
    now = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    report = indicator_report([], iso, cal, period="2026-Q2", now=now)
    assert iso.calendar.timezone == "Europe/London"
    assert indicators_to_json(report)["now"] == "2026-07-01T00:30:00+01:00"
    from complaintcore.cli.report_indicators import render_indicators_html

    page = render_indicators_html(report, translator("en"))
    assert "Figures as at: 2026-07-01T00:30+01:00" in page


# --------------------------------------------------------------------------- F02


def _clock(name: str) -> ClockStatus:
    """A clock of a complaint received by another unit at RECEIVED_UTC, at 01:00Z."""
    r = Runner(PACK, intake(received_at=RECEIVED_UTC, receiver_unit="security"))
    r.register()
    return compute_clock(r.complaint, PACK.clock(name), CAL, datetime(2026, 2, 1, 1, tzinfo=UTC))


@pytest.mark.procedure("IN-5")
def test_in5_due_of_a_utc_typed_receipt_is_in_the_pack_zone() -> None:
    s = _clock("to_customer_service")
    assert s.due is not None
    assert s.due.isoformat() == "2026-02-02T00:30:00+08:00"
    assert s.due.utcoffset() == EIGHT_HOURS


@pytest.mark.procedure("DL-6")
def test_dl6_due_and_its_derivation_agree_in_the_pack_zone() -> None:
    s = _clock("major_by_age")
    assert s.due is not None
    assert s.due.isoformat() == "2026-03-01T00:30:00+08:00"
    text = "\n".join(s.derivation)
    assert "until 2026-03-01T00:30:00+08:00" in text
    assert "due 2026-03-01T00:30:00+08:00" in text
    assert "2026-02-28T16:30" not in text


def test_derivation_times_are_shown_in_the_pack_zone() -> None:
    """tr.step with the pack gives the event times of a derivation in the pack's zone:
    the receipt typed at 16:30Z reads 00:30+08:00 on 1 February."""
    s = _clock("major_by_age")
    shown = "\n".join(translator("en").step(step, PACK) for step in s.steps)
    assert "2026-02-01T00:30:00+08:00" in shown
    assert "+00:00" not in shown
