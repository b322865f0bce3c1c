"""Review s58RR1: the s58R1 masking fix re-reviewed (PRV-1, ``redact``).

F01: a title other than ``Miss`` (``mr``, ``mrs``, ``ms``, ``mx``, ``dr``) and a
dotted initial make a name form in any letter case (``mrs thompson``, ``mr Khan``,
``m.thompson``, ``i. khan``, ``ｍｒｓ ｔｈｏｍｐｓｏｎ``); only ``Miss`` (a verb too),
an undotted initial and a comma form need their capital, so the s58R1 cases
(``a long time``, ``miss King Street``, ``long, Anne said``) stay readable.

F02: a measure character that is a common surname (张, 米, 时) directly followed by
a Han title, or the complainant's own Chinese name starting with a measure
character, after a flat joined by ``，``/``、``/``的`` is the person, not a
measure: the flat is masked (``3栋2单元，1201张先生``, ``1201张伟家`` for 张伟).

F03: an undotted capital initial after ``Block``, ``Flat``, ``Unit``, ``Plan``,
``Building`` or before a street or building word (``Block B Long Lane``, ``B
Green Court``) is a block's letter, no initial.

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
    ("name", "text", "expected"),
    [
        ("Margaret Thompson", "mrs thompson from upstairs", "m*********** from upstairs"),
        ("Margaret Thompson", "mrs Thompson called again", "m*********** called again"),
        ("Margaret Thompson", "m.thompson says", "m********* says"),
        ("Margaret Thompson", "this is m. thompson", "this is m**********"),
        ("Margaret Thompson", "mrs。Thompson rang", "m*********** rang"),
        ("Margaret Thompson", "ｍｒｓ ｔｈｏｍｐｓｏｎ rang", "ｍ*********** rang"),
        ("Imran Khan", "mr Khan rang", "m****** rang"),
        ("Imran Khan", "dr khan says", "d****** says"),
        ("Imran Khan", "i. khan rang", "i****** rang"),
        ("Zhang Wei", "mr.zhang phoned", "m******* phoned"),
        ("Zhang Wei", "w.zhang phoned", "w****** phoned"),
        ("Chen Jing", "ms.chen complains", "m****** complains"),
        ("Siobhan O'Neill", "mrs o'neill rang", "m********** rang"),
        ("Anna de la Cruz", "ms de la cruz called", "m************ called"),
        ("Jun Ma", "dr ma said", "d**** said"),
        ("Alex Morgan", "mx morgan said", "m******** said"),
    ],
)
def test_a_title_or_dotted_initial_in_lower_case_is_masked(
    name: str, text: str, expected: str
) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Anne Long", "It took a long time"),
        ("Robert King", "We will miss King Street market if it closes"),
        ("Robert King", "we will miss king street market"),
        ("Anne Long", "The wait was long, Anne said"),
        ("Mark Long", "it took m long"),
    ],
)
def test_miss_undotted_initials_and_commas_still_need_a_capital(name: str, text: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋2单元，1201张先生家漏水", "********01张先生家漏水"),
        ("3栋2单元的1201张阿姨投诉", "********01张阿姨投诉"),
        ("3栋2单元、1201张师傅", "********01张师傅"),
        ("3栋2单元，1201张女士投诉", "********01张女士投诉"),
        ("3栋2单元，1201米先生家漏水", "********01米先生家漏水"),
        ("3栋2单元，1201时先生家", "********01时先生家"),
    ],
)
def test_a_surname_and_title_after_the_flat_is_no_measure(text: str, expected: str) -> None:
    assert redact(text, also=["王小明", PHONE, "3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_two_digit_flat_before_a_surname_and_title() -> None:
    text = "5栋，12张女士家门口堆满垃圾"
    assert redact(text, also=["王小明", PHONE, "5-12"]) == "***12张女士家门口堆满垃圾"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ["3-2-1201", "3栋2单元1201室"])
def test_the_complainants_name_after_the_flat_is_no_measure(room: str) -> None:
    text = "3栋2单元，1201张伟家漏水"
    assert redact(text, also=["张伟", PHONE, room]) == "********01张*家漏水"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("3-2-1201", "3栋2单元，1201张纸"),
        ("3-2-1201", "3栋2单元，1201米长"),
        ("3-2-1201", "3栋2单元，1201元"),
        ("3-2-1201", "3栋2单元，1201平方米"),
        ("5-12", "5栋，12位女士参加"),
    ],
)
def test_a_measure_without_a_title_or_the_name_stays(room: str, text: str) -> None:
    assert redact(text, also=["王小明", PHONE, room]) == text


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Bob Long", "Block B Long Lane entrance is blocked"),
        ("Ben Green", "Block B Green Court bins not emptied"),
        ("Ben Green", "the B Green Court bins"),
        ("Ben Green", "Unit B Green rang"),
    ],
)
def test_a_block_letter_before_a_street_is_no_initial(name: str, text: str) -> None:
    assert redact(text, also=[name, PHONE, "Flat 6"]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B Green rang", "B****** rang"),
        ("B. Green Court", "B******* Court"),
        ("B Green, Court clerk", "B******, Court clerk"),
    ],
)
def test_an_undotted_initial_elsewhere_stays_masked(text: str, expected: str) -> None:
    assert redact(text, also=["Ben Green", PHONE, "Flat 6"]) == expected
