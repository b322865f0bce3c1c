"""Review s50C: the scotland-spso pack's indicators cite the MCHP (F01) and
``packs show`` states its stage 2 extension and escalation time limit as they are (F02).

Expected values are written out by hand from docs/rule-packs.md (scotland-spso): rules
cite the MCHP by part ("SPSO MCHP stage 1"); the MCHP sets no cap at stage 2; escalation
is allowed within 6 months of the event or 2 months after the stage 1 response,
whichever is later, and refused after.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from complaintcore import calendar_for_spec, indicator_report
from complaintcore.cli import main
from complaintcore.rules import load_pack

SPSO = "scotland-spso"

# --------------------------------------------------------------------------- F01

STAGE_1 = "SPSO MCHP stage 1"
STAGE_2 = "SPSO MCHP stage 2"

# every indicator the pack declares, in its order, with the part of the MCHP it is
# about: its stage; an extension figure its clock's extension rule (the pack's
# [clocks.extension] tables); the complaints received, the MCHP's indicators
SPSO_INDICATOR_RULES = [
    ("received", "SPSO MCHP indicators"),
    ("stage_1_closed", STAGE_1),
    ("stage_2_closed", STAGE_2),
    ("stage_1_share_closed", STAGE_1),
    ("stage_2_share_closed", STAGE_2),
    ("stage_1_average_days", STAGE_1),
    ("stage_2_average_days", STAGE_2),
    ("stage_1_within_5_days", STAGE_1),
    ("stage_2_acknowledged_in_time", STAGE_2),
    ("stage_2_within_20_days", STAGE_2),
    ("stage_1_extended", "SPSO MCHP stage 1 extension"),
    ("stage_2_extended", "SPSO MCHP extensions"),
    ("stage_1_upheld", STAGE_1),
    ("stage_1_partly_upheld", STAGE_1),
    ("stage_1_not_upheld", STAGE_1),
    ("stage_2_upheld", STAGE_2),
    ("stage_2_partly_upheld", STAGE_2),
    ("stage_2_not_upheld", STAGE_2),
]


@pytest.mark.procedure("IMP-2")
def test_every_spso_indicator_cites_its_part_of_the_mchp() -> None:
    """docs/cli.md ``report``: each indicator with its rule and value; all 18 SPSO
    indicators had an empty rule."""
    pack = load_pack(SPSO)
    assert [(i.code, i.rule) for i in pack.indicators] == SPSO_INDICATOR_RULES


@pytest.mark.procedure("IMP-2")
def test_the_spso_quarter_report_carries_each_indicators_rule() -> None:
    """The report's rows (CSV ``rule``, JSON ``rule``, the table's Rule column) are the
    indicators' own: an empty desk's 2025-Q4 still has a row, with its rule, for each."""
    pack = load_pack(SPSO)
    report = indicator_report(
        [],
        pack,
        calendar_for_spec(pack.calendar),
        period="2025-Q4",
        now=datetime(2026, 4, 30, 12, tzinfo=ZoneInfo("Europe/London")),
    )
    assert [(v.code, v.rule) for v in report.values] == SPSO_INDICATOR_RULES


# --------------------------------------------------------------------------- F02


def _shown(lang: str) -> list[str]:
    result = CliRunner().invoke(main, ["--lang", lang, "packs", "show", SPSO])
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_packs_show_says_the_spso_stage_2_extension_has_no_cap() -> None:
    """ "at most no cap" was printed for the uncapped stage 2 extension."""
    lines = _shown("en")
    assert (
        "extension of stage 2 (investigation) response: no cap; records reason, agreed by"
        " (SPSO MCHP extensions)"
    ) in lines
    assert not any("at most no cap" in line for line in lines)
    # the capped stage 1 extension is said as before
    assert (
        "extension of stage 1 (frontline) response: at most 5 days; records reason,"
        " agreed by (SPSO MCHP stage 1 extension)"
    ) in lines


def test_packs_show_states_the_spso_stage_2_escalation_time_limit() -> None:
    """The stage's request_limit (2 months after the stage 1 response, 6 months after
    the event, whichever is later; refused after) was shown nowhere."""
    lines = _shown("en")
    assert (
        "time limit for stage 2: investigation (a request made more than 2 months after"
        " the previous stage's response and more than 6 months after the issue arose):"
        " refuse it (SPSO MCHP time limits)"
    ) in lines
    # the intake's own limit stays
    assert (
        "time limit: the issue arose more than 6 months before receipt: refuse it"
        " (SPSO MCHP time limits)"
    ) in lines


def test_packs_show_in_chinese_says_no_cap_and_the_escalation_limit() -> None:
    text = "\n".join(_shown("zh"))
    assert "最多 不设上限" not in text
    assert "第二阶段(调查)答复 可延期：不设上限；须记录" in text  # the pack's label as written
    assert (
        "第二阶段:调查 的请求时限（上一阶段答复后超过 2 个月 且问题发生后超过 6 个月 才提出的"
        "请求）：拒绝受理（SPSO MCHP time limits）"
    ) in text
