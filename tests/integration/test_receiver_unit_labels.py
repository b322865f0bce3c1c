"""A file's ``receiver_unit`` column takes a unit's code or its label, as
``--receiver-unit`` does (docs/cli.md "Codes or labels"): one that names none
is refused listing the codes with their labels, in the run's language, so the
clerk who typed 工程部 finds 工程维修部.  Expected texts written out by hand
from cn-property's department labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_review_s52r6 import desk, en, zh

__all__ = ["desk"]

HEADER = "姓名,电话,房号,项目,渠道,投诉内容,受理时间,受理人,受理部门"


def rows(desk: Path, unit: str) -> str:
    path = desk / "rows.csv"
    path.write_text(
        f"{HEADER}\n"
        f"李四,13900001112,5-1-503,sunrise,电话,电梯经常停运,2025/11/17 9:00,SR-103,{unit}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.procedure("IN-2")
def test_a_units_label_in_the_column_is_its_code(desk: Path) -> None:
    result = en("receive", "--file", rows(desk, "工程维修部"), "--json", now="2025-11-17T11:00")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)
    assert stored["stored"] == 1
    shown = en("show", stored["ids"][0], "--json", now="2025-11-17T11:00")
    assert json.loads(shown.stdout)["intake"]["receiver_unit"] == "engineering"


@pytest.mark.procedure("IN-2")
def test_an_unknown_unit_in_the_column_lists_the_codes_with_their_labels(desk: Path) -> None:
    result = zh("receive", "--file", rows(desk, "工程部"), now="2025-11-17T11:00")
    assert result.exit_code == 1
    assert (
        "第 2 行：被拒绝：receiver_unit：未知的部门；应为以下之一：'cleaning'（保洁部）、"
        "'customer_service'（客服部）、'engineering'（工程维修部）、'finance'（财务部）、"
        "'greening'（绿化部）、'head_office'（总部）、'hr_admin'（行政人事部）、"
        "'sales'（销售部）、'security'（保安部）\n"
    ) in result.output
    english = en("receive", "--file", rows(desk, "工程部"), now="2025-11-17T11:00")
    assert english.exit_code == 1
    assert (
        "line 2: rejected: receiver_unit: unknown unit; expected one of 'cleaning', "
        "'customer_service' (customer service department), "
        "'engineering' (engineering and maintenance), 'finance', "
        "'greening' (landscaping (greening)), 'head_office' (head office), "
        "'hr_admin' (administration and HR), 'sales', 'security'\n"
    ) in english.output
