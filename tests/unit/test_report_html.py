"""The monthly report as one self-contained HTML page (IMP-2)."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.cli.report_html import render_html
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Complaint
from complaintcore.core.rulepack import RulePack
from complaintcore.core.stats import MonthlyReport, monthly_report
from tests.helpers import SH, pack
from tests.unit.test_stats import NAMES, PHONE_A, november, trend_data

PACK = pack()
CAL = calendar_for_spec(PACK.calendar)
NOW = datetime(2025, 12, 10, 10, 0, tzinfo=SH)
_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base", "source"}


class StrictChecker(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(page: str) -> StrictChecker:
    checker = StrictChecker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.doctype.lower() == "doctype html"
    return checker


@pytest.fixture(scope="module")
def complaints() -> list[Complaint]:
    return november()


@pytest.fixture(scope="module")
def report(complaints: list[Complaint]) -> MonthlyReport:
    return monthly_report(complaints, PACK, CAL, year=2025, month=11, now=NOW)


@pytest.mark.procedure("IMP-2")
def test_page_is_well_formed_html5_with_utf8(report: MonthlyReport) -> None:
    for lang in ("zh", "en"):
        page = render_html(report, PACK, lang=lang)
        assert page.startswith("<!DOCTYPE html>")
        parsed = check(page)
        assert ("meta", {"charset": "utf-8"}) in parsed.tags
        html_tag = next(a for t, a in parsed.tags if t == "html")
        assert html_tag["lang"] == ("zh-CN" if lang == "zh" else "en")


@pytest.mark.procedure("IMP-2")
def test_chinese_page_has_chinese_labels_and_the_figures(report: MonthlyReport) -> None:
    page = render_html(report, PACK, lang="zh")
    text = "".join(check(page).text)
    for word in ("按投诉类别", "按责任部门", "按受理渠道", "按投诉等级", "维修", "清洁卫生",
                 "工程维修部", "电话", "轻微", "重要", "答复或说明原因", "回访满意度",
                 "重复投诉", "2025年11月"):  # fmt: skip
        assert word in text, word
    assert "66.7%" in text  # satisfaction 2 of 3 visits
    assert "80.0%" in text  # DL-1 reply on time: 4 of the 5 runs that stopped
    assert "N1 N2" in text  # a repeat group by its complaint ids
    assert '"Noto Sans CJK SC", ' in page
    assert '"Microsoft YaHei"' in page
    assert "sans-serif" in page


@pytest.mark.procedure("IMP-2")
def test_english_page_has_english_labels(report: MonthlyReport) -> None:
    page = render_html(report, PACK, lang="en", title="November")
    text = "".join(check(page).text)
    for word in ("By category", "By responsible department", "By channel", "By grade",
                 "repairs and maintenance", "engineering and maintenance", "telephone",
                 "Timeliness", "Return-visit satisfaction", "Repeat complaints"):  # fmt: skip
        assert word in text, word
    assert "<title>November</title>" in page
    assert "维修" not in text


@pytest.mark.procedure("IMP-2")
def test_charts_are_inline_svg_and_nothing_is_fetched(report: MonthlyReport) -> None:
    page = render_html(report, PACK)
    parsed = check(page)
    assert sum(1 for t, _ in parsed.tags if t == "svg") >= 5  # 4 breakdowns + the trend
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not any(t in ("script", "link", "img", "iframe") for t, _ in parsed.tags)
    assert "@import" not in page
    assert "url(" not in page


@pytest.mark.procedure("IMP-4")
def test_warnings_say_why(report: MonthlyReport) -> None:
    page = render_html(report, PACK, lang="en")
    assert "“reply with the result or a reasoned explanation”: 6 breached" in page
    assert "repeat group" not in page.split('id="warnings"')[1].split("</section>")[0]


@pytest.mark.procedure("IMP-4")
def test_a_warning_has_its_control_chart() -> None:
    rising = monthly_report(trend_data(), PACK, CAL, year=2025, month=11, now=NOW)
    page = render_html(rising, PACK, lang="en")
    parsed = check(page)
    warnings = page.split('id="warnings"')[1].split("</section>")[0]
    assert "building “sunrise/5”: 12 valid complaints, 2.0 expected, control limit" in warnings
    early = page.split('id="rising"')[1].split("</section>")[0]
    # one chart for the desk's total, one per warning: the mean and the limit as lines
    assert early.count("<svg") == 1
    assert 'class="ucl"' in early
    assert 'class="mean"' in early
    assert 'class="hot"' in early  # the month that crossed the limit
    assert sum(1 for t, _ in parsed.tags if t == "svg") >= 6


@pytest.mark.procedure("PEN-2")
def test_the_staff_table_is_shown_when_given_with_names_masked(report: MonthlyReport) -> None:
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.core.models import Grade
    from complaintcore.core.rulepack import Measure
    from complaintcore.core.staff_report import StaffMonth, StaffReport

    staff = StaffReport(
        pack=PACK.name,
        period="2025-11",
        timezone=PACK.calendar.timezone,
        now=NOW,
        rule=PACK.accountability,
        rows=(
            StaffMonth("SR-302", ((Grade.MAJOR, 1),), ((Measure.RED_CARD, 1),), 0, 0, 1,
                       ("C-1",), True, ("severe_sanction",)),
        ),
    )  # fmt: skip
    directory = load_sample_staff(pack=PACK)
    member = directory.get("SR-302")
    assert member is not None
    page = render_html(report, PACK, lang="en", staff=staff, directory=directory)
    section = page.split('id="staff"')[1].split("</section>")[0]
    assert "SR-302" in section
    assert "to be handed to the company" in section
    full_name = member.name.split(" (")[0]
    assert full_name not in page
    assert full_name[0] in section
    assert 'id="staff"' not in render_html(report, PACK, lang="en")


@pytest.mark.procedure("IMP-3")
def test_page_carries_no_personal_data(report: MonthlyReport) -> None:
    for lang in ("zh", "en"):
        page = render_html(report, PACK, lang=lang)
        for secret in (*NAMES, PHONE_A, "+8613812345678", "7-3-1708", "2-1-0201"):
            assert secret not in page


def _hostile_pack() -> RulePack:
    cats = tuple(
        attrs.evolve(c, zh="<script>alert(1)</script>", en='"><img src=x onerror=alert(1)>')
        if c.code == "repairs"
        else c
        for c in PACK.categories
    )
    return attrs.evolve(PACK, categories=cats)


@pytest.mark.procedure("IMP-2")
def test_every_label_is_escaped(complaints: list[Complaint]) -> None:
    hostile = _hostile_pack()
    r = monthly_report(complaints, hostile, CAL, year=2025, month=11, now=NOW)
    for lang in ("zh", "en"):
        page = render_html(r, hostile, lang=lang, title="<b>&</b>")
        parsed = check(page)
        assert "<script" not in page
        assert "<img" not in page
        assert not any(t in ("script", "img", "b") for t, _ in parsed.tags)
        assert "<title>&lt;b&gt;&amp;&lt;/b&gt;</title>" in page
    zh_page = render_html(r, hostile, lang="zh")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in zh_page
    assert "<script>alert(1)</script>" in "".join(check(zh_page).text)


def test_refuses_another_packs_report_and_unknown_languages(report: MonthlyReport) -> None:
    with pytest.raises(InvalidInputError) as err:
        render_html(report, pack("cn-sales-office"))
    assert err.value.path == "pack"
    with pytest.raises(InvalidInputError) as err:
        render_html(report, PACK, lang="fr")
    assert err.value.path == "lang"


def test_an_empty_month_renders() -> None:
    empty = monthly_report([], PACK, CAL, year=2024, month=2, now=NOW)
    page = render_html(empty, PACK, lang="en")
    text = "".join(check(page).text)
    assert "No warnings this month." in text
    assert "No repeat complaints." in text


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", ["同一房号的此前投诉（90 天内）", "同类问题的此前投诉（30 天内）"]),
        (
            "en",
            [
                "same room (within 90 days)",
                "same building and category as received (within 30 days)",
            ],
        ),
    ],
)
def test_the_repeat_windows_are_said_in_words_not_the_packs_codes(
    report: MonthlyReport, lang: str, said: list[str]
) -> None:
    """Review s49C F04: cn-property's [repeats] window = "90d", matter_window = "30d"
    read "90d" and "30d" on the page, the TOML's own spelling, in Chinese too."""
    text = "".join(check(render_html(report, PACK, lang=lang)).text)
    for words in said:
        assert words in text
    assert "90d" not in text
    assert "30d" not in text
