"""Review s47D F01, F02: a site typed at intake is shown redacted by the report
unless the desk names it, and a report never lists two rows under one key.

Expected values are written out by hand from docs/statistics.md and
docs/security.md: ``redact`` keeps a phone's last two digits (``*********78``
for ``13812345678``, eleven characters) and a name's first character
(``C**********`` for ``Carol White``, eleven characters; ``王**`` for ``王小明``).
"""

from __future__ import annotations

import json
from datetime import datetime

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint
from complaintcore.core.stats import MonthlyReport, monthly_report, to_json_dict, to_rows
from tests.helpers import SH
from tests.unit.test_stats import PACK, make

CAL = calendar_for_spec(PACK.calendar)
NOW = datetime(2025, 12, 10, 10, 0, tzinfo=SH)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=SH)


def typed_sites() -> list[Complaint]:
    """Bob typed a phone as his site, Carol her own name (a desk that takes any site)."""
    return [
        make("S1", at(10, 11), name="Bob Jones", phone="13600000125", room="Flat 6",
             site="13812345678", building="Block A"),
        make("S2", at(10, 12), name="Carol White", phone="13600000126", room="Flat 7",
             site="Carol White", building="Block B"),
    ]  # fmt: skip


def shown(report: MonthlyReport) -> str:
    return json.dumps(to_json_dict(report), ensure_ascii=False) + repr(to_rows(report))


@pytest.mark.procedure("PRV-1")
def test_a_typed_site_is_shown_redacted_in_by_site_and_by_building() -> None:
    r = monthly_report(typed_sites(), PACK, CAL, year=2025, month=11, now=NOW)
    assert {(c.key, c.en, c.count) for c in r.by_site} == {
        ("*********78", "*********78", 1),
        ("C**********", "C**********", 1),
    }
    assert {(c.key, c.en) for c in r.by_building} == {
        ("*********78/a", "*********78/Block A"),
        ("C**********/b", "C**********/Block B"),
    }
    text = shown(r)
    for personal in ("13812345678", "Carol White", "1381234"):
        assert personal not in text


@pytest.mark.procedure("PRV-1")
def test_a_site_the_desk_names_is_shown_as_it_is() -> None:
    """A site of the desk's fixed list is a code, never personal data: a numeric
    estate code stays readable (``redact`` would mask its seven digits)."""
    complaints = [
        make("K1", at(10), site="8801234", building="3"),
        make("K2", at(11), site="sunrise", building="3"),
    ]
    r = monthly_report(
        complaints, PACK, CAL, year=2025, month=11, now=NOW, sites=("8801234", "sunrise")
    )
    assert {c.key for c in r.by_site} == {"8801234", "sunrise"}
    assert {c.key for c in r.by_building} == {"8801234/3", "sunrise/3"}
    masked = monthly_report(complaints, PACK, CAL, year=2025, month=11, now=NOW)
    assert {c.key for c in masked.by_site} == {"*****34", "sunrise"}


def test_sites_must_be_site_codes() -> None:
    with pytest.raises(InvalidInputError) as err:
        monthly_report([], PACK, CAL, year=2025, month=11, now=NOW, sites="sunrise")
    assert err.value.path == "sites"


@pytest.mark.procedure("IMP-4")
@pytest.mark.procedure("PRV-1")
def test_a_warning_on_a_typed_site_names_it_redacted() -> None:
    """Twelve months of one complaint a month at a site typed as a phone, then nine
    in November: the site's warning names it as by_site shows it."""
    complaints = []
    n = 0
    for year, month in [(2024, 11), (2024, 12), *((2025, m) for m in range(1, 11))]:
        n += 1
        complaints.append(
            make(f"W{n}", datetime(year, month, 3, 10, tzinfo=SH), site="13812345678",
                 building="", phone=f"1370000{n:04d}", room=f"r-{n}")
        )  # fmt: skip
    for day in range(1, 10):
        n += 1
        complaints.append(
            make(f"W{n}", at(day), site="13812345678", building="",
                 phone=f"1370000{n:04d}", room=f"r-{n}")
        )  # fmt: skip
    rule = attrs.evolve(PACK.early_warning, dimensions=("site",))  # the site's own series
    r = monthly_report(complaints, PACK, CAL, year=2025, month=11, now=NOW, warning_rule=rule)
    sites = [w for w in r.warnings if w.dimension == "site"]
    assert [(w.key, w.en, w.observed) for w in sites] == [("*********78", "*********78", 9)]
    assert "13812345678" not in shown(r)


def wangs() -> list[Complaint]:
    """The reviewer's f02.csv: 王小明 types ``3栋 王小明``, 王大明 ``3栋 王大明`` twice."""
    return [
        make("B1", at(10, 9), name="王小明", phone="13812345601", room="3栋1201室",
             building="3栋 王小明"),
        make("B2", at(10, 10), name="王大明", phone="13812345602", room="3栋1202室",
             building="3栋 王大明"),
        make("B3", at(11, 10), name="王大明", phone="13812345602", room="3栋1202室",
             building="3栋 王大明"),
    ]  # fmt: skip


def test_two_buildings_redacted_alike_keep_distinct_keys() -> None:
    """Review s47D F02: one key, one row.  The building first spelt this month keeps
    its shown key; the other gets ``#2`` after its key and label."""
    r = monthly_report(wangs(), PACK, CAL, year=2025, month=11, now=NOW)
    assert [(c.key, c.en, c.count) for c in r.by_building] == [
        ("sunrise/3栋王**#2", "sunrise/3栋 王**#2", 2),
        ("sunrise/3栋王**", "sunrise/3栋 王**", 1),
    ]
    rows = [row for row in to_rows(r) if row["section"] == "by_building"]
    assert len({row["key"] for row in rows}) == len(rows) == 2
    # read in any order, the same keys (the fast path reads by time, a recount not)
    again = monthly_report(reversed(wangs()), PACK, CAL, year=2025, month=11, now=NOW)
    assert again.by_building == r.by_building


def test_two_sites_redacted_alike_keep_distinct_keys() -> None:
    complaints = [
        make("P1", at(3), site="13812345678", building="1", phone="13600000001"),
        make("P2", at(4), site="13912345678", building="1", phone="13600000002"),
    ]
    r = monthly_report(complaints, PACK, CAL, year=2025, month=11, now=NOW)
    assert sorted(c.key for c in r.by_site) == ["*********78", "*********78#2"]
    assert sorted(c.key for c in r.by_building) == ["*********78#2/1", "*********78/1"]
