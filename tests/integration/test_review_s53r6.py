"""Review s53R6: lists in a Chinese message use the Chinese list comma.

CHANGELOG s52R6 says the Chinese messages use full-width punctuation and that
coded values are listed "with their labels, as the option does"
(``'phone'（电话）、…``).  Every expected text is written out by hand from the
catalog's wording and the cn-property pack's labels, never recomputed with the
library's helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.integration.test_cli_zh_reader import desk
from tests.integration.test_review_s52r6 import en, received, zh

__all__ = ["desk"]  # the fixture: a cn-property desk set up in Chinese, COLUMNS=250


# --------------------------------------------------------------------------- F01


NEAR_MISSES = (
    pytest.param(
        zh,
        ("act", "{cid}", "assess", "--as", "SR-201"),
        "错误：没有选项 '--as'。（您是否想用以下之一：'--fact'、'--json'？）"
        "（参见 complaintcore act assess --help）\n",
        id="zh-two",
    ),
    pytest.param(
        zh,
        ("list", "--channel", "phone"),
        "错误：没有选项 '--channel'。（您是否想用以下之一：'--help'？）"
        "（参见 complaintcore list --help）\n",
        id="zh-one",
    ),
    pytest.param(  # English reads as click words it
        en,
        ("act", "{cid}", "assess", "--as", "SR-201"),
        "error: No such option '--as'. (Did you mean one of: '--fact', '--json'?)"
        " (see 'complaintcore act assess --help')\n",
        id="en-two",
    ),
    pytest.param(
        en,
        ("list", "--channel", "phone"),
        "error: No such option '--channel'. Did you mean '--help'?"
        " (see 'complaintcore list --help')\n",
        id="en-one",
    ),
)


@pytest.mark.parametrize(("run", "args", "told"), NEAR_MISSES)
def test_a_near_miss_option_is_offered_in_the_readers_punctuation(
    desk: Path, run: Callable[..., Result], args: tuple[str, ...], told: str
) -> None:
    cid = received()
    result = run(*(arg.format(cid=cid) for arg in args))
    assert result.exit_code == 2
    assert result.stderr == told


def test_an_unknown_step_lists_the_steps_with_the_chinese_list_comma(desk: Path) -> None:
    cid = received()
    result = zh("act", cid, "asess")
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：没有这个步骤；应为以下之一：acknowledge、add-measure、apologise、assess、assign、"
        "call-back、cause、classify、close、complete-measure、escalate、evidence、extend、"
        "forward、grade、group、handle、pause、promise、reopen、reply、report、"
        "request-escalation、respond、resume、sanction、sign-off、visit、visit-site。"
        "（参见 complaintcore act --help）\n"
    )
    result = en("act", cid, "asess")
    assert result.exit_code == 2
    assert "unknown step; expected one of acknowledge, add-measure, apologise," in result.stderr


def _staff_file(desk: Path, text: str) -> None:
    """The desk, holding a complaint, reads its staff from ``s.csv`` holding ``text``
    (``list`` reads the staff file to name the complaints' handlers)."""
    received()
    (desk / "s.csv").write_text(text, encoding="utf-8")
    config = desk / "complaintcore.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("staff_file")]
    config.write_text('staff_file = "s.csv"\n' + "\n".join(kept) + "\n", encoding="utf-8")


def test_a_staff_files_unknown_department_and_rung_list_the_codes_with_their_labels(
    desk: Path,
) -> None:
    _staff_file(
        desk,
        "staff_id,name,role,rung,department\nSR-001,王芳,pm,boss,x\n",
    )
    result = zh("list")
    assert result.exit_code == 1
    assert result.stderr == (
        "错误：无法读取s.csv：第 2 行 rung 列：不是 cn-property 升级层级中的层级（应为以下之一："
        "'front_line'（接待员/一线员工）、'complaint_handler'（客服专员）、"
        "'department_head'（部门负责人(主管)）、'project_manager'（项目经理）、"
        "'senior_management'（物业总监/总经办））；第 2 行 department 列：不是 cn-property 的部门"
        "（应为以下之一：'customer_service'（客服部）、'engineering'（工程维修部）、"
        "'security'（保安部）、'cleaning'（保洁部）、'greening'（绿化部）、'finance'（财务部）、"
        "'hr_admin'（行政人事部）、'sales'（销售部）、'head_office'（总部））\n"
    )
    result = en("list")  # a code whose label is the code itself is not labelled again
    assert result.exit_code == 1
    assert result.stderr == (
        "error: cannot load s.csv: row 2, column rung: not a rung of the cn-property ladder"
        " (expected one of: 'front_line' (receptionist / front-line staff),"
        " 'complaint_handler' (complaint handler), 'department_head' (department head"
        " (supervisor)), 'project_manager' (project manager), 'senior_management'"
        " (property director / general manager's office)); row 2, column department: not a"
        " department of cn-property (expected one of: 'customer_service' (customer service"
        " department), 'engineering' (engineering and maintenance), 'security', 'cleaning',"
        " 'greening' (landscaping (greening)), 'finance', 'hr_admin' (administration and HR),"
        " 'sales', 'head_office' (head office))\n"
    )


def test_a_staff_files_repeated_column_is_placed_as_the_file_importer_places_it(
    desk: Path,
) -> None:
    _staff_file(
        desk,
        "staff_id,name,name,role,rung,department\n"
        "SR-001,王芳,王芳,pm,project_manager,engineering\n",
    )
    result = zh("list")
    assert result.exit_code == 1
    assert "第 1 行第 3 列：与前面的列重复：'name'（姓名）" in result.stderr, result.stderr
    assert "第 1 行 3 列" not in result.stderr
    result = en("list")
    assert result.exit_code == 1
    assert "row 1, column 3: repeats column name" in result.stderr, result.stderr
