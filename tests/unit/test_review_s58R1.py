"""Review s58R1: masking after s57R2/s57R9 re-reviewed (PRV-1, ``redact``).

F01: a name's initial without a dot that is an English word (``a``, ``I``) and a
surname that is a word (``a long time``, ``A King Street shop``, ``I long for``)
is no name; a name form is written as a name is, its first letter a capital
(``The wait was long, Anne said`` stays), a comma form all in lower case too.

F02: 户 after a flat's number is the household, the flat (``3栋2单元，1201户``,
``1201户主``); after one or two digits it stays a count (``5栋，12户``).

F03: a pinyin surname takes every Han title a Han surname takes (``Wang师傅``,
``Li阿姨``, ``Zhang总``).

F04: a pinyin surname stored last (``Jun Ma``, ``Na Li``) is a surname with two
letters and takes the Han titles (``Dr Ma``, ``Li女士``, ``Zhang先生``).

F07: a measure, a weight, a reading or a currency after a building or unit word
and a comma stays readable (``3栋2单元，1201平方米``).

F08: the verb ``miss`` before a surname-word is no title (``miss King Street``).

F09: a Scottish flat stored after ``Flat`` (``Flat 3/2, 42 Leith Walk``) or after
the street (``42 Leith Walk, Flat 3/2``) is masked written alone (``(3/2)``).

F12: 总 before a character making a company officer's title (总经理, 总监, 总裁,
总工) is no title after the complainant's surname.

Expected texts counted by hand from docs/notifications.md (PRV-1): a masked name
keeps its first character, every other character one star; a room starting with
a digit keeps its last two characters.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact

PHONE = "13812345678"

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Anne Long", "It took a long time"),
        ("Amy Green", "a green bin was left out"),
        ("Alice Brown", "There is a brown stain on the ceiling"),
        ("Alan Young", "a young boy threw stones"),
        ("Andrew King", "A King Street shop"),
        ("Anne Long", "A Long Lane resident"),
        ("Ann Hall", "We booked a hall for the meeting"),
        ("Anna White", "a white van is parked on the grass"),
        ("Ian Long", "I long for a quiet night"),
        ("Alex Rose", "A rose bush blocks the path"),
        ("Anne Long", "The wait was long, Anne said"),
        ("Sarah Hall", "the wait in the hall, Sarah said"),
        ("Long Tao", "The hallway is long, Tao said"),
        ("Mark Long", "it took m long"),
    ],
)
def test_an_article_or_a_word_before_a_surname_word_stays(name: str, text: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Amy Green", "A. Green rang", "A******* rang"),
        ("Amy Green", "A.Green rang", "A****** rang"),
        ("Anne Long", "Long, Anne said", "L********* said"),
        ("Margaret Thompson", "M Thompson rang", "M********* rang"),
        ("Margaret Thompson", "THOMPSON, MARGARET rang", "T***************** rang"),
        ("Ma Lin", "reply to ma,lin", "reply to m*****"),
        ("Anna de la Cruz", "de la Cruz,Anna", "d**************"),
    ],
)
def test_name_forms_written_as_names_stay_masked(name: str, text: str, expected: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == expected


# --------------------------------------------------------------------------- F08


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Robert King", "We will miss King Street market if it closes"),
        ("Tom Green", "Do not miss Green bin day on Tuesday"),
        ("Peter Young", "Residents miss Young's bakery"),
        ("Anne Long", "we miss Long Lane's old lights"),
    ],
)
def test_the_verb_miss_is_no_title(name: str, text: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["Miss King rang", "MISS KING rang", "Miss.King rang"])
def test_the_title_miss_stays_masked(text: str) -> None:
    assert "King" not in redact(text, also=["Robert King", PHONE, "Flat 6"])
    assert "KING" not in redact(text, also=["Robert King", PHONE, "Flat 6"])


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元，1201户", "********01户"),
        ("3栋2单元的1201户", "********01户"),
        ("3栋2单元，1201户主", "********01户主"),
        ("3栋2单元，1201户主王先生", "********01户主王**"),
        ("3栋2单元1201户", "*******01户"),
    ],
)
def test_hu_after_a_flat_number_is_the_flat(text: str, expected: str) -> None:
    assert redact(text, also=["王小明", PHONE, "3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["5栋，12户", "3栋2单元，12户停水", "5栋、3户"])
def test_hu_after_one_or_two_digits_stays_a_count(text: str) -> None:
    assert redact(text, also=["王小明", PHONE, "5-12"]) == text
    assert redact(text, also=["王小明", PHONE, "3-2-12"]) == text


# --------------------------------------------------------------------------- F03

_HAN_TITLES = ("先生", "师傅", "阿姨", "老师", "总", "總", "師傅", "老師", "女士", "小姐", "太太")


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("title", _HAN_TITLES)
def test_a_pinyin_surname_takes_every_han_title(title: str) -> None:
    out = redact(f"Wang{title}说楼上漏水", also=["Wang Fang", PHONE, "2-3-301"])
    assert "Wang" not in out
    assert out.startswith("W***")


@pytest.mark.procedure("PRV-1")
def test_pinyin_titles_in_a_note() -> None:
    also = ["Li Na", PHONE, "2-1-201"]
    assert redact("Li阿姨说Li师傅没修好", also=also) == "L***说L***没修好"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["Wang总是说", "Wang总经理回复了", "Wang总体满意"])
def test_zong_making_a_word_after_a_pinyin_surname_stays(text: str) -> None:
    assert redact(text, also=["Wang Fang", PHONE, "2-3-301"]) == text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Jun Ma", "Dr Ma rang", "D**** rang"),
        ("Jun Ma", "Mr.Ma rang", "M**** rang"),
        ("Na Li", "Ms Li rang", "M**** rang"),
        ("Na Li", "Li女士说", "L***说"),
        ("Lei Wu", "Mr Wu rang", "M**** rang"),
        ("Lei Wu", "Wu先生说", "W***说"),
        ("Wei Zhang", "Zhang先生说", "Z******说"),
        ("Jing Chen", "Chen女士说", "C*****说"),
        ("Tao Long", "Long先生说", "L*****说"),
        ("Jun Ma", "Li阿姨 and Ma师傅", "Li阿姨 and M***"),
    ],
)
def test_a_pinyin_surname_stored_last(name: str, text: str, expected: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 5"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["the main gate", "Ma'am", "Mali", "a Ming vase"])
def test_a_two_letter_pinyin_surname_stored_last_stays_a_word(text: str) -> None:
    assert redact(text, also=["Jun Ma", PHONE, "Flat 5"]) == text


# --------------------------------------------------------------------------- F07


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "3栋2单元，1201平方米",
        "3栋2单元，1201米",
        "3栋2单元，1201度电",
        "3栋2单元，1201¥",
        "3栋2单元，1201件",
        "3栋2单元，1201 RMB",
        "3栋2单元的第1201位",
        "3栋2单元，1201公斤",
        "3栋2单元，1201kg",
        "3栋2单元，1201KG",
        "3栋2单元，1201小时",
        "3栋2单元，1201元",
    ],
)
def test_a_measure_after_a_unit_and_a_comma_stays(text: str) -> None:
    assert redact(text, also=["王小明", PHONE, "3-2-1201"]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元，1201室", "*********1室"),
        ("3栋2单元，1201", "********01"),
        ("3栋2单元的1201漏水", "********01漏水"),
    ],
)
def test_the_room_after_a_unit_and_a_comma_stays_masked(text: str, expected: str) -> None:
    assert redact(text, also=["王小明", PHONE, "3-2-1201"]) == expected


# --------------------------------------------------------------------------- F09

_LEITH = "Visit to 42 Leith Walk (3/2) on 5/12; close at 3/2 has damp; flat 3/2"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "room",
    ["Flat 3/2", "Flat 3/2, 42 Leith Walk", "42 Leith Walk, Flat 3/2", "42 Leith Walk Flat 3/2"],
)
def test_a_scottish_flat_stored_after_a_room_word_is_masked_alone(room: str) -> None:
    out = redact(_LEITH, also=["Margaret Thompson", "07700 900123", room])
    assert out == "Visit to 42 Leith Walk (***) on 5/12; close at *** has damp; f*******"


@pytest.mark.procedure("PRV-1")
def test_a_flat_stored_after_the_street() -> None:
    also = ["Siobhan O'Neil", "07700 900123", "12 High Street, Flat 12B"]
    assert redact("see Flat 12B and flat 12b", also=also) == "see F******* and f*******"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ["12 High Street Flat 3", "12 High Street, Flat 3"])
def test_a_one_character_flat_after_the_street_leaves_lone_digits(room: str) -> None:
    text = "the 3 flats at 3pm on 3/2/2025"
    assert redact(text, also=["Margaret Thompson", "07700 900123", room]) == text


# --------------------------------------------------------------------------- F12


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("王小明", "物业王总经理已回复"),
        ("王小明", "王总监说明天修"),
        ("王小明", "王总裁"),
        ("陈静", "陈总工程师到场"),
        ("王小明", "王总务处"),
        ("王小明", "王总台"),
        ("王小明", "王总编"),
    ],
)
def test_zong_making_an_officers_title_stays(name: str, text: str) -> None:
    assert redact(text, also=[name, PHONE, "3-2-1201"]) == text


@pytest.mark.procedure("PRV-1")
def test_the_title_zong_stays_masked() -> None:
    assert redact("王总说明天修", also=["王小明", PHONE, "3-2-1201"]) == "王*说明天修"
