"""Review s57R9: the s57R2 masking fix re-reviewed (PRV-1, ``redact``).

F01: a comma, 、, 的 or 第 joins a room's groups only after a building or unit
word, and never before a group a count, an amount, a time or another building
follows: dates, prices, counts and lists of buildings stay readable.

F02: a name's forms (a title, an initial or a comma with the surname) are masked
only as words of their own: ``rooms.Parking`` and ``Dr.Parker`` stay whole; a
surname with particles (``de la Cruz``) is masked whole.

F03: a pinyin name whose first word is a common surname (``Zhang Wei``) is also
read surname first: ``Mr.Zhang``, ``Zhang,Wei``, ``Zhang先生`` are masked.

F04: a title's or an initial's dot typed as the ideographic full stop
(``Mrs。Thompson``) is a dot.

F05: a Chinese sentence after ``@`` and ``。`` is no e-mail domain; a first label
starting with a hyphen is one again.

F06: a colon or a semicolon after 单元, and 的第, join a room's groups.

Expected texts counted by hand from docs/notifications.md (PRV-1): a masked name
or local part keeps its first character, every other character one star; a room
starting with a digit keeps its last two characters.
"""

from __future__ import annotations

import time

import pytest

from complaintcore.core.privacy import redact

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("3月2号，1201元已缴", "2栋1201"),
        ("2号的1201元", "2栋1201"),
        ("5号楼的12户业主", "5-12"),
        ("5栋，12户", "5-12"),
        ("5号，12:01到场", "5-12"),
        ("5层的12个灯", "5-12"),
        ("5号楼、12号楼停水", "5-12"),
        ("1号楼、2号楼、3号楼停水", "1-2-3"),
        ("1栋，2栋，3栋", "1-2-3"),
        ("3栋2单元，1201元维修费", "3栋2单元1201室"),
        ("3栋2单元：12:01到", "3栋2单元1201室"),
        ("我家在3栋2单元，第12层", "3-2-1201"),
    ],
)
def test_f01_dates_amounts_counts_and_lists_stay_readable(text: str, stored: str) -> None:
    assert redact(text, also=[stored]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("3栋2单元，1201室", "3栋2单元1201室", "*********1室"),
        ("3栋，2单元，1201室", "3栋2单元1201室", "**********1室"),
        ("2栋，1201室", "2栋1201", "******1室"),
        ("5栋的12号", "5-12", "****2号"),
    ],
)
def test_f01_a_room_after_a_building_or_unit_word_is_still_masked(
    text: str, stored: str, expected: str
) -> None:
    assert redact(text, also=[stored]) == expected


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Cars fill the rooms.Parking is a mess", "Dan Park"),
        ("problems.Parking", "Dan Park"),
        ("Dr.Parker", "Dan Park"),
        ("Park,Dance class", "Dan Park"),
        ("see lot D.Parking", "Dan Park"),
        ("Lee,Announcement posted", "Ann Lee"),
        ("A.Leeds office", "Ann Lee"),
        ("items.Leeks", "Ann Lee"),
        ("lights in the rooms.Hallway dark", "Tom Hall"),
        ("Mr.Hallam", "Tom Hall"),
        ("Mr Lincoln", "Li Na"),
        ("Mr Zhangjiang", "Zhang Wei"),
    ],
)
def test_f02_a_name_form_inside_another_word_stays_readable(text: str, stored: str) -> None:
    assert redact(text, also=[stored]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("Mr.Park", "Dan Park", "M******"),
        ("Mrs.Thompson's", "Margaret Thompson", "M***********'s"),
        ("Ms.Lee", "Ann Lee", "M*****"),
        # a surname with its particles, masked whole
        ("de la Cruz,Anna", "Anna de la Cruz", "d**************"),
        ("Ms.de la Cruz", "Anna de la Cruz", "M************"),
    ],
)
def test_f02_a_name_form_standing_alone_is_masked(text: str, stored: str, expected: str) -> None:
    assert redact(text, also=[stored]) == expected


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("Mr.Zhang", "Zhang Wei", "M*******"),
        ("Mr Zhang", "Zhang Wei", "M*******"),
        ("Mr. Zhang", "Zhang Wei", "M********"),
        ("Zhang,Wei", "Zhang Wei", "Z********"),
        ("Zhang, Wei", "Zhang Wei", "Z*********"),
        ("Zhang先生", "Zhang Wei", "Z******"),
        ("Zhang 先生", "Zhang Wei", "Z*******"),
        ("Zhang女士", "Zhang Wei", "Z******"),
        ("W.Zhang", "Zhang Wei", "W******"),
        # two letters are enough for a pinyin surname
        ("Ms.Li", "Li Na", "M****"),
        ("Li女士", "Li Na", "L***"),
        ("Ms.Ouyang", "Ouyang Nana", "M********"),
        ("Ouyang女士", "Ouyang Nana", "O*******"),
        # the English order's forms stay
        ("Mr.Wei", "Zhang Wei", "M*****"),
    ],
)
def test_f03_a_pinyin_name_written_surname_first_is_masked(
    text: str, stored: str, expected: str
) -> None:
    assert redact(text, also=[stored]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Ali先生来过", "Li Na"),
        ("Mama先生", "Ma Li"),
        ("He said Mr Hello", "He Na"),
        # no pinyin surname first: the first word alone is no form
        ("Mr.Tom", "Tom Baker"),
    ],
)
def test_f03_a_short_surname_is_no_word_everywhere(text: str, stored: str) -> None:
    assert redact(text, also=[stored]) == text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mrs\u3002Thompson", "M***********"),
        ("Mrs\u3002 Thompson", "M************"),
        ("Mrs\uff61Thompson", "M***********"),
        ("M\u3002Thompson", "M*********"),
    ],
)
def test_f04_an_ideographic_full_stop_after_a_title_is_its_dot(text: str, expected: str) -> None:
    assert redact(text, also=["Margaret Thompson"]) == expected


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    ["请Tom@物业客服。谢谢", "转告Lily@管家。明天来", "已发群里 everyone@所有人。请注意"],
)
def test_f05_a_chinese_sentence_after_at_is_no_domain(text: str) -> None:
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhangsan@-qq.com", "z*******@-qq.com"),
        ("邮箱zhangsan@qq。com", "邮箱z*******@qq。com"),
        ("zhangsan@公司。中国", "z*******@公司。中国"),
        ("zhangsan@公司.cn", "z*******@公司.cn"),
        ("发到zhangsan@mail。163。com谢谢", "发到z*******@mail。163。com谢谢"),
    ],
)
def test_f05_addresses_are_still_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


# --------------------------------------------------------------------------- F06


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元：1201室", "*********1室"),
        ("3栋2单元；1201室", "*********1室"),
        ("3栋2单元的第1201室", "**********1室"),
    ],
)
def test_f06_a_colon_semicolon_or_de_di_after_a_unit_joins(text: str, expected: str) -> None:
    assert redact(text, also=["3栋2单元1201室"]) == expected


# --------------------------------------------------------------------------- hot path


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "x@物业。" * 5_000,
        "a@" + "物" * 40_000,
        "3栋，" * 10_000,
        "2单元：" * 10_000,
        "Mr.Zhang," * 5_000,
    ],
)
def test_hostile_text_stays_fast(text: str) -> None:
    start = time.process_time()
    redact(text, also=["Zhang Wei", "3栋2单元1201室"])
    assert time.process_time() - start < 5.0
