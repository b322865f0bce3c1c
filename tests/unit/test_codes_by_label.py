"""Codes found by the labels people read (review s34D F07), and the withheld value
of an unknown code in the reader's language (F06).

``RulePack.code_for`` and ``LabelledEnum.named`` are the one mapping from what a
screen shows (``工程维修部``, ``处理中``, ``telephone``) to the code an option
takes; the command line's options go through them.
"""

from __future__ import annotations

import attrs
import pytest

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Channel, Grade, Status
from complaintcore.core.rulepack import Department
from complaintcore.i18n import translator
from complaintcore.rules import load_pack

PACK = load_pack("cn-property")


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        ("department", "engineering", "engineering"),
        ("department", "工程维修部", "engineering"),
        ("department", "Engineering and Maintenance", "engineering"),
        ("department", "ＥＮＧＩＮＥＥＲＩＮＧ", "engineering"),  # an input method's full width
        ("department", " 工程维修部 ", "engineering"),
        ("unit", "总部", "head_office"),
        ("rung", "客服专员", "complaint_handler"),
        ("rung", "部门负责人（主管）", "department_head"),  # full-width brackets
        ("rung", "部门负责人", "department_head"),  # without what the brackets add
        ("rung", "物业总监", "senior_management"),  # one name of 物业总监/总经办
        ("rung", "总经办", "senior_management"),
        ("rung", "project manager", "project_manager"),
        ("category", "清洁卫生", "cleaning"),
        ("clock", PACK.clocks[0].zh, PACK.clocks[0].name),
    ],
)
def test_a_code_is_found_by_itself_or_its_label(kind: str, typed: str, code: str) -> None:
    assert PACK.code_for(kind, typed) == code


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("department", "维修部"),
        ("department", "客服专员"),  # a rung, not a department
        ("rung", "主管x"),
        ("category", ""),
        ("department", "   "),
    ],
)
def test_what_names_no_code_finds_none(kind: str, typed: str) -> None:
    assert PACK.code_for(kind, typed) is None


def test_a_name_two_labels_share_finds_none() -> None:
    pack = attrs.evolve(
        PACK,
        departments=(
            *PACK.departments,
            Department("east", "东区/物业", "east"),
            Department("west", "西区/物业", "west"),
        ),
    )
    assert pack.code_for("department", "东区") == "east"
    assert pack.code_for("department", "物业") is None
    assert [c for c, _zh, _en in pack.labels_of("department")][-2:] == ["east", "west"]


def test_an_unknown_kind_is_named() -> None:
    with pytest.raises(InvalidInputError, match="expected rung, department"):
        PACK.labels_of("colour")


@pytest.mark.parametrize(
    ("member", "typed"),
    [
        (Status.IN_HANDLING, "处理中"),
        (Status.IN_HANDLING, "In Handling"),
        (Status.IN_HANDLING, "IN_HANDLING"),
        (Channel.PHONE, "电话"),
        (Channel.PHONE, "telephone"),
        (Channel.IN_PERSON, "来访"),
        (Channel.WRITTEN, "信函"),
        (Grade.MAJOR, "重大"),
    ],
)
def test_an_enum_member_is_found_by_its_label(member: object, typed: str) -> None:
    assert type(member).named(typed) is member  # type: ignore[attr-defined]


def test_an_enum_label_it_does_not_have_finds_none() -> None:
    assert Channel.named("fax") is None
    assert Status.named("") is None


def test_a_withheld_code_reads_in_the_readers_language() -> None:
    with pytest.raises(InvalidInputError) as info:
        PACK.category("张伟")  # a name typed where the category goes: never quoted (PRV-1)
    assert "张伟" not in str(info.value)
    zh = translator("zh").error(info.value)
    assert zh == "category：规则包 cn-property 中没有类别 （不显示：不是代码）"
    en = translator("en").error(info.value)
    assert en == "category: unknown category (not shown: not a code) in pack cn-property"
